"""The Markdown text of the model document, section by section, from a bundle's metadata."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from services.risk.model import BundleMetadata

TARGET = (
    "A financing **defaults** when it is written off: unpaid 30 days after its due date "
    "(or flagged defaulted by the lender). A financing is labelled only once that is known, "
    "so financings still open at the end of the data are not in the sample."
)
DATA = (
    "Each row is one financing with the exporter's features computed as of its disbursement, "
    "from data strictly before that moment, by the same pipeline and the same coverage rule "
    "as the serving feature table: a look-back window that reaches before the start of the "
    "data is missing rather than truncated, and rows without the full look-back of the "
    "model's features are left out."
)


def _fmt(value: Any, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines + [""]


def _gates(metrics: Mapping[str, Any]) -> list[str]:
    gates = metrics.get("gates", {})
    rows = [(n, "pass" if g["passed"] else "**FAIL**", g["detail"]) for n, g in gates.items()]
    verdict = all(g["passed"] for g in gates.values()) if gates else False
    head = (
        "Every gate passed: the model may be promoted."
        if verdict
        else ("At least one gate failed: the registry refuses to promote this model.")
    )
    return ["## Gates", "", head, "", *_table(("gate", "result", "evidence"), rows)]


def _sample(metrics: Mapping[str, Any]) -> list[str]:
    periods = metrics.get("periods", {})
    rows = [
        (name, p["rows"], f"{p['default_rate']:.2%}", p["from"][:10], p["to"][:10])
        for name, p in periods.items()
    ]
    sample = metrics.get("sample", {})
    notes = [f"- {k.replace('_', ' ')}: {v}" for k, v in sample.items()]
    return [
        "## Sample",
        "",
        *_table(("period", "rows", "default rate", "from", "to"), rows),
        *notes,
        "",
    ]


def _features(meta: BundleMetadata) -> list[str]:
    arrow = {1: "raises risk", -1: "lowers risk", 0: "unconstrained"}
    rows = [
        (f"`{s.name}`", s.description, s.unit, arrow.get(s.direction, "")) for s in meta.features
    ]
    excluded = meta.metrics.get("excluded_features", {})
    lines = ["## Features", "", *_table(("feature", "meaning", "unit", "direction"), rows)]
    if excluded:
        lines += ["Left out of the model:", ""]
        lines += [f"- `{name}`: {why}" for name, why in excluded.items()]
        lines.append("")
    return lines


def _performance(metrics: Mapping[str, Any], figures: Sequence[str]) -> list[str]:
    test = metrics.get("test", {})
    lines = [
        "## Out-of-time performance",
        "",
        f"Test period: AUC {_fmt(test.get('auc'))}, KS {_fmt(test.get('ks'))}, "
        f"Brier {_fmt(test.get('brier'), 5)}, n = {test.get('count')}.",
        "",
    ]
    if "roc.png" in figures:
        lines += ["![ROC](roc.png)", ""]
    for column, rows in metrics.get("segments", {}).items():
        table = [
            (
                r["segment"],
                r["count"],
                r["defaults"],
                f"{r['default_rate']:.2%}",
                f"{r['mean_pd']:.2%}",
                _fmt(r["auc"]),
            )
            for r in rows
        ]
        lines += [f"By {column.replace('_', ' ')} (AUC only with 5+ of each outcome):", ""]
        lines += _table(("segment", "n", "defaults", "default rate", "mean PD", "AUC"), table)
    if "score_distribution.png" in figures:
        lines += ["![Score distribution](score_distribution.png)", ""]
    return lines


def _calibration(meta: BundleMetadata, figures: Sequence[str]) -> list[str]:
    cal = meta.calibration
    low, high = cal.tenor_range
    test = meta.metrics.get("test", {})
    lines = [
        "## Calibration",
        "",
        f"Method: {cal.method}, fitted on the calibration period (after the development "
        f"period the booster learnt from). Horizon {cal.horizon_days:g} days; PD term "
        f"structure coefficient on ln(tenor / horizon): {cal.tenor_coef:.3f}. Validated "
        f"tenors: {low:g} to {high:g} days; other tenors are refused.",
        "",
        f"Test period (later than calibration): ECE {_fmt(test.get('ece'), 4)}, "
        f"Spiegelhalter calibration test p = {_fmt(meta.metrics.get('calibration_p_value'))}.",
        "",
    ]
    if "calibration.png" in figures:
        lines += ["![Calibration](calibration.png)", ""]
    return lines


def _stability(metrics: Mapping[str, Any], figures: Sequence[str]) -> list[str]:
    parity = metrics.get("parity", {})
    if not parity:
        return ["## Stability and parity", "", "No serving population was available.", ""]
    rows = [
        (
            f"`{r['feature']}`",
            f"{r['psi']:.3f}",
            f"{r['training_missing']:.1%}",
            f"{r['serving_missing']:.1%}",
        )
        for r in parity["features"]
    ]
    lines = [
        "## Stability and parity",
        "",
        f"PSI of each feature between the training sample and the latest serving population "
        f"({parity['serving_rows']} enterprises). Mean raw score: training "
        f"{parity['training_mean_raw_score']:+.3f}, serving "
        f"{parity['serving_mean_raw_score']:+.3f} "
        f"(gap {parity['mean_raw_score_gap']:+.3f}).",
        "",
    ]
    if "psi.png" in figures:
        lines += ["![PSI](psi.png)", ""]
    return lines + _table(("feature", "PSI", "missing (train)", "missing (serve)"), rows)


def _challengers(metrics: Mapping[str, Any]) -> list[str]:
    comparison = metrics.get("challengers", {})
    if not comparison:
        return []
    aucs = [
        (name, _fmt(a["auc"]), f"{_fmt(a['ci95'][0])} .. {_fmt(a['ci95'][1])}")
        for name, a in comparison["auc"].items()
    ]
    diffs = [
        (
            name,
            f"{d['difference']:+.3f}",
            f"{d['ci95'][0]:+.3f} .. {d['ci95'][1]:+.3f}",
            d["verdict"],
        )
        for name, d in comparison["champion_minus"].items()
    ]
    plain = [
        f"- The champion (LightGBM) does **not** beat the {name}: the 95 % interval of the "
        f"AUC difference includes or lies below zero."
        for name, d in comparison["champion_minus"].items()
        if d["verdict"] != "champion beats it"
    ]
    return [
        "## Challengers",
        "",
        f"Same development, calibration and test periods; paired bootstrap, "
        f"{comparison['rounds']} resamples of the test period.",
        "",
        *_table(("model", "test AUC", "95 % CI"), aucs),
        *_table(("champion minus", "AUC difference", "95 % CI", "verdict"), diffs),
        *plain,
        "",
    ]


def _limitations(metrics: Mapping[str, Any]) -> list[str]:
    test = metrics.get("test", {})
    defaults = round(test.get("count", 0) * test.get("default_rate", 0.0))
    return [
        "## Limitations",
        "",
        f"- The test period holds {defaults} defaults: AUC intervals are wide and segment "
        "figures with few defaults are indicative only.",
        "- Tenors outside the validated range are refused rather than extrapolated.",
        "- Features whose look-back exceeds the available history, or whose serving population "
        "has moved away from training (PSI over the limit), are left out (listed above).",
        "- Performance is measured on data of the same source; a new data source, region or "
        "product needs its own out-of-time validation before use.",
        "",
    ]


def sections(meta: BundleMetadata, figures: Sequence[str]) -> list[str]:
    metrics = meta.metrics
    return [
        f"# Financing PD model {meta.version}",
        "",
        f"Trained {meta.trained_at}; data fingerprint `{meta.data_fingerprint}`.",
        "",
        *_gates(metrics),
        "## Data and target",
        "",
        DATA,
        "",
        TARGET,
        "",
        *_sample(metrics),
        *_features(meta),
        *_performance(metrics, figures),
        *_calibration(meta, figures),
        *_stability(metrics, figures),
        *_challengers(metrics),
        *_limitations(metrics),
    ]
