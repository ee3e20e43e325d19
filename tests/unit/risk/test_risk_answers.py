"""A batch's answers, computed column by column, equal the one-row rules of the domain modules:
reasons (`reason_codes.model_reasons`), policy, limit, points and grades."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from services.risk import model as model_io
from services.risk.answers import ARRAY_ROWS
from services.risk.domain import Decision, FinancingRequest, Product
from services.risk.feature_table import from_frame
from services.risk.features import FeatureSpec
from services.risk.policy import DecisionPolicy
from services.risk.psi import PsiMonitor
from services.risk.reason_codes import adverse_action_reasons, model_reasons
from services.risk.reason_table import ReasonTable
from services.risk.scaling import DEFAULT_GRADE_BANDS, grade_for, grades_for
from services.risk.scoring import ScoringSnapshot
from services.risk.training import synthetic

FX = {"USD": 1.0, "EUR": 1.1, "CNY": 0.14}


def _specs() -> list[FeatureSpec]:
    return [
        FeatureSpec("late_payment_share_12m", "", "fraction"),
        FeatureSpec("buyer_hhi_12m", "", "index"),
        FeatureSpec("overdue_share_12m", "", "fraction"),
        FeatureSpec("customs_credit", "", "class", kind="categorical"),
        FeatureSpec("debt_ratio", "Debt to income ratio", "ratio"),
        FeatureSpec("volume_3m_usd", "", "usd"),
        FeatureSpec("growth_3m", "", "ratio"),
        FeatureSpec("payment_delay_mean_days_12m", "", "days"),
    ]


@pytest.mark.parametrize("layout", ["C", "F"])
def test_batch_reasons_equal_the_one_row_rule(layout: str) -> None:
    specs = _specs()
    rng = np.random.default_rng(5)
    smooth = rng.normal(scale=0.3, size=(300, len(specs) + 1))
    # Quarters make exact ties between codes and between features of one code.
    ties = np.round(rng.normal(scale=0.5, size=(300, len(specs) + 1)) * 4) / 4
    contributions = np.asarray(np.vstack([smooth, ties]), order=layout)
    top = ReasonTable(specs).top(contributions)
    for i in range(len(contributions)):
        assert top.reasons(i) == model_reasons(contributions[i, :-1], specs), i


def test_vectorised_grades_equal_the_one_row_rule() -> None:
    pds = np.concatenate([[0.0, 1e-9, 0.001, 0.0025, 0.03, 0.5, 1.0], np.geomspace(1e-5, 1, 200)])
    assert grades_for(pds, DEFAULT_GRADE_BANDS) == [grade_for(p, DEFAULT_GRADE_BANDS) for p in pds]
    shuffled = (DEFAULT_GRADE_BANDS[3], *DEFAULT_GRADE_BANDS[:3], *DEFAULT_GRADE_BANDS[4:])
    assert grades_for(pds, shuffled) == [grade_for(p, shuffled) for p in pds]


def _requests(count: int) -> list[FinancingRequest]:
    products = itertools.cycle(Product)
    currencies = itertools.cycle(FX)
    tenors = itertools.cycle((60, 90, 120))
    amounts = itertools.cycle((10.0, 5_000.0, 80_000.0, 2e6))
    return [
        FinancingRequest(
            f"r{i}", f"ENT{i:05d}", next(products), next(amounts), next(currencies), next(tenors)
        )
        for i in range(count)
    ]


def test_each_answer_follows_the_one_row_rules(bundle_dir: Path) -> None:
    bundle = model_io.load(bundle_dir)
    meta = bundle.metadata
    policy = DecisionPolicy(
        approve_max_pd=0.02, decline_min_pd=0.08, volume_feature=synthetic.VOLUME_FEATURE
    )
    table = from_frame(synthetic.feature_table(), "test", "2026-01-01")
    snap = ScoringSnapshot(bundle, table, policy, FX, PsiMonitor(meta.references))
    requests = _requests(240)
    rows = [snap.row(r.enterprise_id) for r in requests]
    answers = snap.answer_rows(requests, rows)
    contributions = snap.explainer.contributions(snap.inputs.x[rows])
    decisions = set()
    for i, request in enumerate(requests):
        got = answers.score(i)
        pd = float(
            meta.calibration.apply_at(np.asarray([got.raw_score]), float(request.tenor_days))[0]
        )
        rate = FX[request.currency]
        limit = policy.limit_usd(
            float(snap.inputs.volume_usd[rows[i]]), request.product, request.tenor_days, pd
        )
        decision, notes = policy.decide(pd, request.amount * rate, limit)
        outcomes = policy.outcomes(pd, request.amount * rate, limit)
        reasons = (
            ()
            if decision == Decision.APPROVE
            else adverse_action_reasons(outcomes, contributions[i, :-1], meta.features)
        )
        assert got.probability_of_default == pd
        assert (got.decision, got.policy_notes, got.reasons) == (decision, notes, reasons)
        assert got.recommended_limit == (
            0.0 if decision == Decision.DECLINE else round(limit / rate, 2)
        )
        assert got.score == meta.scaling.points(pd)
        assert got.grade == grade_for(pd, meta.grade_bands)
        decisions.add(decision)
    assert decisions == set(Decision)  # every branch of the policy was taken


def test_a_few_rows_get_the_answers_they_get_in_a_large_batch(bundle_dir: Path) -> None:
    bundle = model_io.load(bundle_dir)
    policy = DecisionPolicy(
        approve_max_pd=0.02, decline_min_pd=0.08, volume_feature=synthetic.VOLUME_FEATURE
    )
    table = from_frame(synthetic.feature_table(), "test", "2026-01-01")
    snap = ScoringSnapshot(bundle, table, policy, FX, PsiMonitor(bundle.metadata.references))
    requests = _requests(120)
    rows = [snap.row(r.enterprise_id) for r in requests]
    together = snap.score_rows(requests, rows)
    assert ARRAY_ROWS > 1
    for start in range(0, len(requests), ARRAY_ROWS - 1):
        end = start + ARRAY_ROWS - 1
        assert snap.score_rows(requests[start:end], rows[start:end]) == together[start:end]
