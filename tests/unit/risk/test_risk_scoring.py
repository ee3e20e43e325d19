from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from services.common.errors import NotFoundError, ValidationError
from services.risk import model as model_io
from services.risk.domain import Decision, FinancingRequest, Product
from services.risk.feature_table import from_frame
from services.risk.features import encode
from services.risk.policy import DecisionPolicy
from services.risk.psi import PsiMonitor
from services.risk.scoring import ScoringSnapshot

FX = {"USD": 1.0, "EUR": 1.1}


TableMaker = Callable[..., pl.DataFrame]


@pytest.fixture
def snapshot(bundle_dir: Path, make_feature_table: TableMaker) -> Callable[..., ScoringSnapshot]:
    def build(shift: float = 0.0, policy: DecisionPolicy | None = None) -> ScoringSnapshot:
        return _snapshot(bundle_dir, make_feature_table(shift=shift), policy)

    return build


def _snapshot(
    bundle_dir: Path, frame: pl.DataFrame, policy: DecisionPolicy | None
) -> ScoringSnapshot:
    bundle = model_io.load(bundle_dir)
    table = from_frame(frame, "test", "2026-01-01")
    monitor = PsiMonitor(bundle.metadata.references, window=1000)
    return ScoringSnapshot(bundle, table, policy or bundle.metadata.policy, FX, monitor)


def request(enterprise: str = "ENT00001", **kw: object) -> FinancingRequest:
    base: dict[str, object] = dict(
        request_id="r1",
        enterprise_id=enterprise,
        product=Product.RECEIVABLES_FINANCING,
        amount=10_000.0,
        currency="USD",
        tenor_days=90,
    )
    base.update(kw)
    return FinancingRequest(**base)  # type: ignore[arg-type]


def test_raw_score_is_the_model_s(
    snapshot: Callable[..., ScoringSnapshot], make_feature_table: TableMaker
) -> None:
    snap = snapshot()
    bundle = snap.bundle
    x = encode(make_feature_table(), bundle.metadata.features, bundle.metadata.categories)
    expected = bundle.booster.predict(x, raw_score=True)
    for i in (0, 7, 123):
        result = snap.score(request(f"ENT{i:05d}"))
        assert result.raw_score == pytest.approx(expected[i], abs=1e-9)


def test_adverse_action_reasons_only_for_refer_and_decline(
    snapshot: Callable[..., ScoringSnapshot],
) -> None:
    snap = snapshot()
    results = [snap.score(request(f"ENT{i:05d}")) for i in range(120)]
    approved = [r for r in results if r.decision == Decision.APPROVE]
    adverse = [r for r in results if r.decision != Decision.APPROVE]
    assert approved and adverse
    assert all(not r.reasons for r in approved)
    for result in adverse:
        model = [r for r in result.reasons if r.code.startswith("R")]
        policy = [r for r in result.reasons if r.code.startswith("P")]
        assert policy, "a REFER or DECLINE always names its policy rule"
        assert len(model) <= 4
        assert all(r.contribution > 0 for r in model)  # only factors that raised the risk
        sizes = [r.contribution for r in model]
        assert sizes == sorted(sizes, reverse=True)
        assert len({r.code for r in model}) == len(model)  # related features share one line


def test_amount_over_the_limit_is_its_own_policy_reason(
    snapshot: Callable[..., ScoringSnapshot],
) -> None:
    snap = snapshot()
    result = snap.score(request("ENT00001", amount=1e12))
    assert result.decision != Decision.APPROVE
    assert "P03" in [r.code for r in result.reasons]


def test_longer_tenor_raises_pd_and_lowers_score(
    snapshot: Callable[..., ScoringSnapshot], bundle_dir: Path
) -> None:
    # Every applicant referred, so both tenors carry the model's reasons whichever side of the
    # approval level their PDs fall.
    served = model_io.load(bundle_dir).metadata.policy
    snap = snapshot(policy=replace(served, approve_max_pd=0.0))
    # The synthetic financings run 60 to 120 days: the validated range.
    short = snap.score(request(tenor_days=60))
    long = snap.score(request(tenor_days=120))
    assert long.probability_of_default > short.probability_of_default
    assert long.score < short.score
    # The tenor moves the PD, never the contributions behind it.
    model_reasons = [[r for r in s.reasons if r.code.startswith("R")] for s in (short, long)]
    assert model_reasons[0] and model_reasons[0] == model_reasons[1]


@pytest.mark.parametrize("tenor", [30, 59, 121, 360])
def test_tenor_outside_the_validated_range_is_refused(
    snapshot: Callable[..., ScoringSnapshot], tenor: int
) -> None:
    with pytest.raises(ValidationError) as refused:
        snapshot().score(request(tenor_days=tenor))
    assert [v.field for v in refused.value.field_violations] == ["tenor_days"]
    assert "60 to 120 days" in refused.value.field_violations[0].description


def test_limit_is_converted_to_request_currency(snapshot: Callable[..., ScoringSnapshot]) -> None:
    snap = snapshot()
    usd = snap.score(request(currency="USD"))
    eur = snap.score(request(currency="EUR"))
    assert eur.recommended_limit == pytest.approx(usd.recommended_limit / 1.1, rel=1e-6)


def test_decision_follows_configured_policy(snapshot: Callable[..., ScoringSnapshot]) -> None:
    strict = DecisionPolicy(approve_max_pd=0.0, decline_min_pd=1e-9, volume_feature="volume_3m_usd")
    assert snapshot(policy=strict).score(request()).decision == Decision.DECLINE
    lax = DecisionPolicy(approve_max_pd=0.999, decline_min_pd=1.0, volume_feature="volume_3m_usd")
    snap = snapshot(policy=lax)
    small = snap.score(request(amount=1.0))
    assert small.decision == Decision.APPROVE
    assert snap.score(request(amount=small.recommended_limit * 2)).decision == Decision.REFER


def test_unknown_enterprise_not_found(snapshot: Callable[..., ScoringSnapshot]) -> None:
    with pytest.raises(NotFoundError):
        snapshot().score(request("NOPE"))


def test_shifted_traffic_raises_psi(snapshot: Callable[..., ScoringSnapshot]) -> None:
    calm = snapshot()
    shifted = snapshot(shift=0.4)
    for i in range(300):
        calm.score(request(f"ENT{i:05d}"))
        shifted.score(request(f"ENT{i:05d}"))
    calm_psi = calm.monitor.compute()["overdue_share_6m"]
    shifted_psi = shifted.monitor.compute()["overdue_share_6m"]
    assert shifted_psi > 0.25 > calm_psi
    assert np.isfinite(list(shifted.monitor.compute().values())).all()


def test_each_answer_carries_its_row_as_of(
    bundle_dir: Path, make_feature_table: TableMaker
) -> None:
    """An incrementally updated table keeps rows of older dates: each answer says its own."""
    frame = make_feature_table().with_row_index("_i")
    dates = pl.when(pl.col("_i") % 2 == 0).then(pl.date(2026, 1, 1)).otherwise(pl.date(2026, 2, 1))
    snap = _snapshot(bundle_dir, frame.with_columns(dates.alias("as_of")).drop("_i"), None)
    assert snap.features_as_of == "2026-02-01"
    assert snap.score(request("ENT00000")).features_as_of == "2026-01-01"
    assert snap.score(request("ENT00001")).features_as_of == "2026-02-01"
