"""initial schema: results (cache) and analyses

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "results",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("text_hash", sa.String(64), nullable=False),
        sa.Column("model_name", sa.String(200), nullable=False),
        sa.Column("model_version", sa.String(200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("n_spans", sa.Integer(), nullable=False),
        sa.Column("technique_counts", sa.JSON(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("text_hash", "model_version", name="uq_results_hash_version"),
    )
    op.create_table(
        "analyses",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("result_id", sa.Integer(), sa.ForeignKey("results.id", ondelete="RESTRICT"), nullable=False),
        sa.Column("title", sa.String(1000)),
        sa.Column("source", sa.String(300)),
        sa.Column("url", sa.String(2000)),
        sa.Column("published", sa.DateTime(timezone=True)),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cached", sa.Integer(), nullable=False, server_default="0"),
    )
    op.create_index("ix_analyses_result_id", "analyses", ["result_id"])
    op.create_index("ix_analyses_source_created", "analyses", ["source", "created"])
    op.create_index("ix_analyses_created", "analyses", ["created"])


def downgrade() -> None:
    op.drop_index("ix_analyses_created", table_name="analyses")
    op.drop_index("ix_analyses_source_created", table_name="analyses")
    op.drop_index("ix_analyses_result_id", table_name="analyses")
    op.drop_table("analyses")
    op.drop_table("results")
