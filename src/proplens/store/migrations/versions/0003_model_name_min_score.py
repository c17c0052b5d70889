"""results keyed by (text hash, model name, model version); analyses.min_score

Two models can be served side by side (``default`` and ``fast``) and may carry the same version string, so
the cache is keyed by the model's name too. Each submission keeps the ``min_score`` it asked for: the cached
result holds every possible passage the model found, and a stored analysis shows those at or above its own
``min_score``.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("results") as batch:
        batch.drop_constraint("uq_results_hash_version", type_="unique")
        batch.create_unique_constraint("uq_results_hash_name_version", ["text_hash", "model_name", "model_version"])
    with op.batch_alter_table("analyses") as batch:
        batch.add_column(sa.Column("min_score", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("analyses") as batch:
        batch.drop_column("min_score")
    with op.batch_alter_table("results") as batch:
        batch.drop_constraint("uq_results_hash_name_version", type_="unique")
        batch.create_unique_constraint("uq_results_hash_version", ["text_hash", "model_version"])
