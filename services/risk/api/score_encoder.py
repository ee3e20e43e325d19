"""Answers -> FinancingScore messages, a batch at a time.

The columns of a batch are turned into Python values once (`tolist`), the wording of every
policy outcome and reason code is built once per snapshot, and each row then costs only the
message's own field writes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from google.protobuf import timestamp_pb2

from services._proto.tradeguard.risk.v1 import risk_pb2
from services.common.money import write_float
from services.risk.answers import Answers
from services.risk.api.convert import grade_value, timestamp, to_reason
from services.risk.domain import Decision
from services.risk.reason_table import ReasonTable

_DECISIONS: dict[Decision, Any] = {d: risk_pb2.Decision.Value(d.value) for d in Decision}


class ScoreEncoder:
    """Writes FinancingScore messages for one snapshot."""

    def __init__(self, model_version: str, features_as_of: str) -> None:
        self.model_version = model_version
        self.features_as_of = features_as_of
        self._stamps: dict[str, timestamp_pb2.Timestamp] = {}
        self._policy: dict[tuple[int, bool], tuple[risk_pb2.Reason, ...]] = {}
        self._grades: dict[str, Any] = {}
        self._wording: tuple[ReasonTable, list[str], list[str], tuple[str, ...]] | None = None

    def encode(self, answers: Answers, i: int) -> risk_pb2.FinancingScore:
        message = risk_pb2.FinancingScore()
        self.fill_rows([message], answers, (i,))
        return message

    def fill_rows(
        self,
        targets: Iterable[risk_pb2.FinancingScore],
        answers: Answers,
        rows: Sequence[int] | None = None,
    ) -> None:
        """Row rows[k] of `answers` (every row in order when None) into the k-th target."""
        requests = answers.requests
        pds, points, raws = answers.pd, answers.points, answers.raw
        flags, decisions = answers.flags, answers.decisions
        limits, grades, as_of = answers.recommended_limits, answers.grades, answers.as_of
        top = answers.top
        # Whole columns to Python lists once: a row's slice of an array costs more than its
        # reasons.
        codes, totals, leaders = top.codes.tolist(), top.totals.tolist(), top.leaders.tolist()
        _, sentences, names, features = self._words(top.table)
        thin = answers.thin_file is not None
        version, base = answers.model_version, answers.base_value
        nan = math.nan
        for k, target in enumerate(targets):
            i = k if rows is None else rows[k]
            request = requests[i]
            target.request_id = request.request_id
            target.enterprise_id = request.enterprise_id
            target.probability_of_default = pds[i]
            target.score = points[i]
            target.grade = self._grade(grades[i])
            target.decision = _DECISIONS[decisions[i]]
            write_float(target.recommended_limit, limits[i], request.currency)
            target.model_version = version
            target.raw_score = raws[i]
            target.base_value = base
            target.features_as_of.CopyFrom(self._stamp(as_of[i]))
            target.thin_file = thin
            outcome = flags[i]
            if not outcome and not thin:
                continue  # approved: no reasons, no notes
            reasons = target.reasons
            reasons.extend(self._policy_reasons(answers, i, outcome, thin))
            if outcome:  # the model's reasons, for a REFER or DECLINE on the policy's terms
                add = reasons.add
                for code, total, leader in zip(codes[i], totals[i], leaders[i], strict=True):
                    if code < 0:
                        break
                    add(
                        feature=features[leader],
                        contribution=total,
                        message=sentences[code],
                        value=nan,
                        code=names[code],
                    )
            target.policy_notes.extend(answers.notes(i))

    def _policy_reasons(
        self, answers: Answers, i: int, outcome: int, thin: bool
    ) -> tuple[risk_pb2.Reason, ...]:
        key = (outcome, thin)
        found = self._policy.get(key)
        if found is None:
            found = self._policy[key] = tuple(to_reason(r) for r in answers.policy_reasons(i))
        return found

    def _words(
        self, table: ReasonTable
    ) -> tuple[ReasonTable, list[str], list[str], tuple[str, ...]]:
        words = self._wording
        if words is None or words[0] is not table:
            words = self._wording = (
                table,
                [rc.sentence for rc in table.codes],
                [rc.code for rc in table.codes],
                table.feature_names,
            )
        return words

    def _grade(self, name: str) -> Any:
        value = self._grades.get(name)
        if value is None:
            value = self._grades[name] = grade_value(name)
        return value

    def _stamp(self, as_of: str) -> timestamp_pb2.Timestamp:
        stamp = self._stamps.get(as_of)
        if stamp is None:
            if len(self._stamps) > 64:  # trade records bring dates of their own
                self._stamps.clear()
            stamp = self._stamps[as_of] = timestamp(as_of)
        return stamp
