import numpy as np
import pytest

from services.risk.features import CATEGORICAL, FeatureSpec
from services.risk.psi import PsiMonitor, psi, reference_bins

NUMERIC = FeatureSpec("x", "x", "count")


def test_psi_of_known_distributions() -> None:
    expected = np.array([0.5, 0.5])
    actual = np.array([80.0, 20.0])
    manual = (0.8 - 0.5) * np.log(0.8 / 0.5) + (0.2 - 0.5) * np.log(0.2 / 0.5)
    assert psi(expected, actual) == pytest.approx(manual)
    assert psi(expected, np.array([50.0, 50.0])) == pytest.approx(0.0)


def test_reference_bins_quantiles_and_missing_bin() -> None:
    values = np.concatenate([np.arange(1000, dtype=float), [np.nan] * 100])
    ref = reference_bins(NUMERIC, values)
    assert ref.size == len(ref.edges) + 2
    assert ref.proportions[-1] == pytest.approx(100 / 1100)
    assert sum(ref.proportions) == pytest.approx(1.0)
    assert ref.bin_index(np.array([np.nan]))[0] == ref.size - 1


def test_categorical_bins_put_unknown_last() -> None:
    spec = FeatureSpec("c", "c", "category", kind=CATEGORICAL)
    ref = reference_bins(spec, np.array([0.0, 1.0, 1.0, 2.0]), n_categories=3)
    assert ref.size == 4
    assert list(ref.bin_index(np.array([1.0, np.nan]))) == [1, 3]


def test_monitor_psi_rises_with_shift_and_memory_is_bounded() -> None:
    rng = np.random.default_rng(0)
    ref = reference_bins(NUMERIC, rng.normal(0, 1, 5000))
    monitor = PsiMonitor([ref], window=500)
    for value in rng.normal(0, 1, 2000):
        monitor.observe(ref.bin_index(np.array([value])))
    stable = monitor.compute()["x"]
    for value in rng.normal(1.5, 1, 2000):
        monitor.observe(ref.bin_index(np.array([value])))
    shifted = monitor.compute()["x"]
    assert monitor.observations == 500
    assert stable < 0.1
    assert shifted > 0.5


@pytest.mark.parametrize("sizes", [[3, 4], [7, 9, 2], [25], [1, 30, 5], [10, 10]])
def test_batches_land_where_rows_one_by_one_would(sizes: list[int]) -> None:
    rng = np.random.default_rng(len(sizes))
    refs = [reference_bins(NUMERIC, rng.normal(0, 1, 500)) for _ in range(2)]
    one_by_one, batched = PsiMonitor(refs, window=10), PsiMonitor(refs, window=10)
    for size in sizes:
        bins = rng.integers(0, refs[0].size, (size, 2)).astype(np.int16)
        for row in bins:
            one_by_one.observe(row)
        batched.observe_many(bins)
        assert batched.observations == one_by_one.observations
        assert batched.compute() == one_by_one.compute()
        assert np.array_equal(batched._buffer, one_by_one._buffer)
