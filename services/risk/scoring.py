"""Scoring: the model runs on every request.

A snapshot pairs one bundle with one feature table. Loading it only encodes the table into the
model's input matrix (plus the limit volume and PSI bins of each row); nothing the model says is
stored. Each call, or each batch of calls scored together, runs the compiled exact TreeSHAP of the
served booster on its rows: the contributions sum to the raw score, so PD, calibration, grade,
policy, limit and reasons all come from that one pass (`answers`) and the reasons are exact for
the answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np

from services.common.errors import FailedPrecondition, NotFoundError, ValidationError
from services.risk.answers import Answers, answer
from services.risk.domain import FinancingRequest, FinancingScore
from services.risk.enterprise_index import EnterpriseIndex
from services.risk.feature_table import (
    AS_OF,
    ENTERPRISE_ID,
    FeatureTable,
    FeatureTableError,
    as_of_moment,
)
from services.risk.features import encode
from services.risk.model import BundleMetadata, ModelBundle
from services.risk.policy import DecisionPolicy
from services.risk.psi import (
    PopulationDrift,
    PsiMonitor,
    ReferenceBins,
    population_psi,
    score_psi,
)
from services.risk.reason_table import ReasonTable
from services.risk.record import TradeRecord, record_features
from services.risk.treeshap import TreeExplainer


@dataclass(frozen=True)
class ModelInputs:
    """Rows as the model reads them, with what the policy and the drift monitor need."""

    x: np.ndarray
    volume_usd: np.ndarray
    bins: np.ndarray
    as_of_codes: np.ndarray
    as_of_names: tuple[str, ...]
    """Row i's feature as-of (ISO 8601) is as_of_names[as_of_codes[i]]: an incrementally
    updated table keeps older rows, and holds a handful of distinct dates."""

    def take(self, rows: Sequence[int]) -> ModelInputs:
        if len(rows) == 1:  # a lone call's row: views of one-row slices, no index arrays
            row = slice(rows[0], rows[0] + 1)
            return ModelInputs(
                self.x[row],
                self.volume_usd[row],
                self.bins[row],
                self.as_of_codes[row],
                self.as_of_names,
            )
        index = np.asarray(rows, dtype=np.intp)
        return ModelInputs(
            self.x[index],
            self.volume_usd[index],
            self.bins[index],
            self.as_of_codes[index],
            self.as_of_names,
        )

    def as_of(self) -> list[str]:
        names = self.as_of_names
        return [names[code] for code in self.as_of_codes.tolist()]


def model_inputs(table: FeatureTable, meta: BundleMetadata, policy: DecisionPolicy) -> ModelInputs:
    """Encode a feature table for a bundle's model (`meta`); FeatureTableError when a model
    feature is missing."""
    frame = table.frame
    missing = [n for n in meta.feature_names if n not in frame.columns]
    if missing:
        raise FeatureTableError(f"feature table {table.source} lacks model features {missing}")
    x = encode(frame, meta.features, meta.categories)
    bins = np.column_stack([ref.bin_index(x[:, j]) for j, ref in enumerate(meta.references)])
    codes, names = _row_as_of(table)
    return ModelInputs(
        x=x,
        volume_usd=_volume(table, policy),
        bins=bins.reshape(len(x), len(meta.references)).astype(np.int16),
        as_of_codes=codes,
        as_of_names=names,
    )


def _row_as_of(table: FeatureTable) -> tuple[np.ndarray, tuple[str, ...]]:
    """Per-row as-of as codes into the table's distinct dates (code 0: none, the table's as-of),
    made without a Python object per row."""
    if AS_OF not in table.frame.columns:
        return np.zeros(table.frame.height, np.int32), (table.as_of,)
    column = table.frame.get_column(AS_OF)
    distinct = column.drop_nulls().unique().sort().to_list()
    codes = column.rank("dense").fill_null(0).to_numpy().astype(np.int32)
    return codes, (table.as_of, *(_iso(value, table.as_of) for value in distinct))


def _iso(value: object, default: str) -> str:
    if value is None:
        return default
    return value.isoformat() if isinstance(value, date | datetime) else str(value)


def _volume(table: FeatureTable, policy: DecisionPolicy) -> np.ndarray:
    if not policy.volume_feature or policy.volume_feature not in table.frame.columns:
        return np.zeros(len(table.frame))
    column = table.frame.get_column(policy.volume_feature).cast(float).fill_null(0.0)
    return np.asarray(np.nan_to_num(column.to_numpy().astype(np.float64), nan=0.0))


class ScoringSnapshot:
    """Immutable between reloads; the service swaps the whole object atomically."""

    def __init__(
        self,
        bundle: ModelBundle,
        table: FeatureTable,
        policy: DecisionPolicy,
        usd_per_unit: Mapping[str, float],
        monitor: PsiMonitor,
        explainer: TreeExplainer | None = None,
        reasons: ReasonTable | None = None,
        prepared: tuple[ModelInputs, EnterpriseIndex] | None = None,
    ) -> None:
        self.bundle = bundle
        self.table_source = table.source
        self.features_as_of = table.as_of
        self.policy = policy
        self.usd_per_unit = dict(usd_per_unit)
        self.monitor = monitor
        self.reasons = reasons or ReasonTable(bundle.metadata.features)
        if prepared is None:
            self.inputs = model_inputs(table, bundle.metadata, policy)
            self._index = EnterpriseIndex(table.frame.get_column(ENTERPRISE_ID))
        else:  # built elsewhere from this table (`table_build`)
            self.inputs, self._index = prepared
        explainer = explainer or TreeExplainer.from_booster(bundle.booster)
        self.explainer = explainer.with_patterns_of(self.inputs.x)
        self._meta = bundle.metadata

    @property
    def version(self) -> str:
        return self.bundle.version

    @property
    def enterprise_count(self) -> int:
        return len(self._index)

    def row(self, enterprise_id: str) -> int:
        index = self._index.row(enterprise_id)
        if index < 0:
            raise NotFoundError(f"enterprise {enterprise_id!r} not found in the feature table")
        return index

    def population_drift(self) -> PopulationDrift:
        """PSI of the whole served table, per feature and of the raw score (when the bundle
        carries the training sample's score distribution), for the monitoring gauges."""
        meta = self._meta
        reference = meta.metrics.get("score_reference")
        score = None
        if reference:
            raw = np.asarray(self.bundle.booster.predict(self.inputs.x, raw_score=True))
            score = score_psi(ReferenceBins.from_json(reference), raw)
        return PopulationDrift(
            self.version,
            population_psi(meta.references, self.inputs.bins),
            score,
            as_of_moment(self.features_as_of),
        )

    def check_tenor(self, request: FinancingRequest) -> None:
        """INVALID_ARGUMENT for a tenor outside the range the model's PDs were validated on:
        a PD is never extrapolated to a term no labelled financing had."""
        calibration = self._meta.calibration
        if not calibration.validates(request.tenor_days):
            low, high = calibration.tenor_range
            raise ValidationError.for_field(
                "tenor_days", f"must lie in the validated range {low:g} to {high:g} days"
            )

    def accept(self, request: FinancingRequest) -> int:
        """The feature-table row of a request the model can answer (tenor validated)."""
        self.check_tenor(request)
        return self.row(request.enterprise_id)

    def score(self, request: FinancingRequest) -> FinancingScore:
        return self.answer_rows([request], [self.accept(request)]).score(0)

    def score_rows(
        self, requests: Sequence[FinancingRequest], rows: Sequence[int]
    ) -> list[FinancingScore]:
        return self.answer_rows(requests, rows).scores()

    def score_record(self, request: FinancingRequest, record: TradeRecord) -> FinancingScore:
        return self.answer_record(request, record).score(0)

    def answer_rows(self, requests: Sequence[FinancingRequest], rows: Sequence[int]) -> Answers:
        """Answer `requests` on their feature-table rows in one pass of the model."""
        return self.answer_inputs(requests, self.inputs.take(rows))

    def answer_record(self, request: FinancingRequest, record: TradeRecord) -> Answers:
        """Answer an applicant on its own trade record (features computed now, not looked up)."""
        self.check_tenor(request)
        frame = record_features(record)
        table = FeatureTable(frame, record.as_of.isoformat(), "trade record")
        thin = self.policy.thin_file_note(*record.history())
        try:
            inputs = model_inputs(table, self._meta, self.policy)
        except FeatureTableError as error:  # the served model needs features records lack
            raise FailedPrecondition(f"cannot score trade records: {error}") from error
        return self.answer_inputs([request], inputs, thin)

    def answer_inputs(
        self,
        requests: Sequence[FinancingRequest],
        inputs: ModelInputs,
        thin_file: str | None = None,
    ) -> Answers:
        """Answer `requests` on their encoded rows (`inputs`, row-aligned), features dated
        each row's as-of; a `thin_file` note keeps every answer from approval."""
        self.monitor.observe_many(inputs.bins)
        return answer(
            requests,
            self.explainer.contributions(inputs.x),
            inputs.volume_usd,
            inputs.as_of(),
            meta=self._meta,
            version=self.version,
            policy=self.policy,
            reasons=self.reasons,
            usd_per_unit=self.usd_per_unit,
            thin_file=thin_file,
        )
