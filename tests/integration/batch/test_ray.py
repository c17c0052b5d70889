"""The Ray engine on a local 2-worker cluster gives the same bytes as the in-process engine."""

from __future__ import annotations

import pytest

from proplens.batch import run_batch

pytestmark = [pytest.mark.ray, pytest.mark.filterwarnings("ignore::DeprecationWarning")]


def test_ray_engine_matches_local(tmp_path, corpus, spec):
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        s = run_batch(corpus, tmp_path / "ray.parquet", spec=spec, engine="ray", workers=2, chunk_size=16)
        again = run_batch(corpus, tmp_path / "ray.parquet", spec=spec, engine="ray", workers=2, chunk_size=16)
    finally:
        ray.shutdown()
    run_batch(corpus, tmp_path / "local.parquet", spec=spec, chunk_size=40)
    assert (s.rows, s.analysed, again.analysed, again.skipped) == (120, 120, 0, 120)
    assert (tmp_path / "ray.parquet").read_bytes() == (tmp_path / "local.parquet").read_bytes()
