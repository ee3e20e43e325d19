import json
import os
import shutil
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from services.common.errors import NotFoundError, UnavailableError
from services.risk import model as model_io
from services.risk.domain import FinancingRequest, Product
from services.risk.feature_table import FeatureTableError, from_frame, latest_table_path
from services.risk.psi import PsiMonitor
from services.risk.registry import promote
from services.risk.reload import ScoringRuntime
from services.risk.scoring import ScoringSnapshot
from services.risk.training import synthetic

FX = {"USD": 1.0}


@pytest.fixture
def sources(bundle_dir: Path, tmp_path: Path) -> tuple[Path, Path]:
    models, features = tmp_path / "models", tmp_path / "features"
    shutil.copytree(bundle_dir, models / bundle_dir.name)
    promote(models, bundle_dir.name, "model-risk", "reload tests serve the trained model")
    features.mkdir()
    synthetic.feature_table().write_parquet(features / "a.parquet")
    return models, features


def test_no_snapshot_before_first_load(sources: tuple[Path, Path]) -> None:
    runtime = ScoringRuntime(*sources, FX)
    with pytest.raises(UnavailableError):
        runtime.snapshot  # noqa: B018


def test_reload_only_when_sources_change(sources: tuple[Path, Path]) -> None:
    swaps: list[str] = []
    runtime = ScoringRuntime(*sources, FX, on_swap=lambda s: swaps.append(s.features_as_of))
    assert runtime.reload() is True
    assert runtime.reload() is False
    newer = synthetic.feature_table(seed=5).with_columns(pl.lit("2026-03-01").alias("as_of"))
    newer.write_parquet(sources[1] / "b.parquet")
    os.utime(sources[1] / "b.parquet", (2e9, 2e9))
    assert runtime.reload() is True
    assert swaps == ["2026-01-01", "2026-03-01"]


def test_broken_new_bundle_keeps_the_old_snapshot(sources: tuple[Path, Path]) -> None:
    runtime = ScoringRuntime(*sources, FX)
    runtime.reload()
    before = runtime.snapshot
    broken = sources[0] / "zzzz"
    shutil.copytree(before.bundle.path, broken)  # type: ignore[arg-type]
    meta = json.loads((broken / model_io.METADATA_FILE).read_text())
    meta["trained_at"] = "2099-01-01T00:00:00+00:00"
    (broken / model_io.METADATA_FILE).write_text(json.dumps(meta))
    assert runtime.poll_once() is False
    assert runtime.snapshot is before


def test_psi_window_survives_a_table_reload(sources: tuple[Path, Path]) -> None:
    runtime = ScoringRuntime(*sources, FX)
    runtime.reload()
    monitor = runtime.current_monitor()
    synthetic.feature_table(seed=6).write_parquet(sources[1] / "c.parquet")
    os.utime(sources[1] / "c.parquet", (2e9, 2e9))
    runtime.reload()
    assert runtime.current_monitor() is monitor


def test_feature_table_checks(tmp_path: Path) -> None:
    with pytest.raises(FeatureTableError):
        latest_table_path(tmp_path)
    frame = synthetic.feature_table(n=3)
    with pytest.raises(FeatureTableError, match="repeats"):
        from_frame(pl.concat([frame, frame]), "dup")
    with pytest.raises(FeatureTableError, match="enterprise_id"):
        from_frame(frame.drop("enterprise_id"), "noid")
    assert from_frame(frame, "ok").as_of == "2026-01-01"


def test_a_new_table_built_in_a_child_answers_as_one_built_in_process(
    sources: tuple[Path, Path],
) -> None:
    runtime = ScoringRuntime(*sources, FX)
    runtime.reload()  # the first load: in process
    newer = synthetic.feature_table(seed=5).with_columns(pl.lit("2026-03-01").alias("as_of"))
    newer.write_parquet(sources[1] / "b.parquet")
    os.utime(sources[1] / "b.parquet", (2e9, 2e9))
    assert runtime.reload() is True  # the same bundle: the table is built in a child
    swapped = runtime.snapshot
    assert isinstance(swapped.inputs.x.base, np.memmap)  # mapped from the child's file
    bundle = model_io.load(swapped.bundle.path)  # type: ignore[arg-type]
    table = from_frame(newer, "b", "2026-03-01")
    here = ScoringSnapshot(
        bundle, table, swapped.policy, FX, PsiMonitor(swapped.monitor.references)
    )
    assert swapped.features_as_of == here.features_as_of == "2026-03-01"
    assert swapped.enterprise_count == here.enterprise_count == newer.height
    ids = newer["enterprise_id"].to_list()
    requests = [
        FinancingRequest(f"r{i}", str(e), Product.ORDER_FINANCING, 1000.0 + i, "USD", 90)
        for i, e in enumerate(ids[:40])
    ]
    assert swapped.score_rows(requests, [swapped.accept(r) for r in requests]) == here.score_rows(
        requests, [here.accept(r) for r in requests]
    )
    assert swapped.score(requests[3]) == here.score(requests[3])
    with pytest.raises(NotFoundError):
        swapped.row("NOT-AN-ENTERPRISE")


def test_a_new_table_the_child_refuses_keeps_the_old_snapshot(sources: tuple[Path, Path]) -> None:
    failures: list[int] = []
    runtime = ScoringRuntime(*sources, FX, on_failure=lambda: failures.append(1))
    runtime.reload()
    before = runtime.snapshot
    twice = synthetic.feature_table(seed=5)
    pl.concat([twice, twice.head(1)]).write_parquet(sources[1] / "b.parquet")
    os.utime(sources[1] / "b.parquet", (2e9, 2e9))
    with pytest.raises(FeatureTableError, match="repeats"):
        runtime.reload()
    assert runtime.poll_once() is False
    assert runtime.snapshot is before
    assert failures == [1]
