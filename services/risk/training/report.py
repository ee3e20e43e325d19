"""Plain-text training report for the console."""

from __future__ import annotations

from typing import Any

from services.risk.training.evaluation import Evaluation
from services.risk.training.table import TableResult
from services.risk.training.trainer import TrainingResult


def _summary(name: str, ev: Evaluation) -> str:
    return (
        f"{name:<22} AUC {ev.auc:.4f}  KS {ev.ks:.4f}  Brier {ev.brier:.5f}  "
        f"ECE {ev.ece:.4f}  n={ev.count}  default rate {ev.default_rate:.2%}"
    )


def _calibration(ev: Evaluation) -> list[str]:
    lines = ["calibration (equal-count PD bins):", "  bin      n   mean PD  observed"]
    for i, row in enumerate(ev.calibration_table, start=1):
        lines.append(
            f"  {i:>3} {int(row['count']):>6}  {row['mean_pd']:>8.4f}  {row['observed_rate']:>8.4f}"
        )
    return lines


def _lift(ev: Evaluation) -> list[str]:
    lines = ["lift by decile (1 = riskiest):", "  decile     n  default rate  lift"]
    for row in ev.lift_by_decile:
        lines.append(
            f"  {int(row['decile']):>6} {int(row['count']):>5}  "
            f"{row['default_rate']:>12.4f}  {row['lift']:.2f}"
        )
    return lines


def training_report(result: TrainingResult) -> str:
    test, base = result.test, result.baseline
    periods = result.metrics["periods"]
    lines = [
        f"candidate model {result.version} -> {result.bundle_dir}",
        *(
            f"{name:<10} {p['rows']:>6} rows  {p['from']} .. {p['to']}  "
            f"default rate {p['default_rate']:.2%}"
            for name, p in periods.items()
        ),
        f"trees: {result.best_iteration} (early stopping on validation)",
        _summary("test LightGBM", test),
        _summary("test logistic baseline", base),
        _summary("calibration LightGBM", result.validation),
        *_calibration(test),
        *_lift(test),
        *_excluded(result.metrics.get("excluded_features", {})),
        *_parity(result.metrics.get("parity", {})),
        *_challengers(result.metrics.get("challengers", {})),
        *_gates(result.version, result.metrics.get("gates", {})),
    ]
    return "\n".join(lines)


def _challengers(comparison: dict[str, Any]) -> list[str]:
    """AUCs with bootstrap intervals and a plain verdict for every challenger."""
    if not comparison:
        return []
    lines = [f"challengers (test AUC, paired bootstrap 95 % CI, {comparison['rounds']} resamples):"]
    lines += [
        f"  {name:<28} {a['auc']:.4f}  [{a['ci95'][0]:.4f}, {a['ci95'][1]:.4f}]"
        for name, a in comparison["auc"].items()
    ]
    lines += [
        f"  champion minus {name}: {d['difference']:+.4f} "
        f"[{d['ci95'][0]:+.4f}, {d['ci95'][1]:+.4f}]: {d['verdict']}"
        for name, d in comparison["champion_minus"].items()
    ]
    return lines


def _gates(version: str, gates: dict[str, Any]) -> list[str]:
    lines = [
        f"gate {name}: {'passed' if g['passed'] else 'FAILED'} ({g['detail']})"
        for name, g in gates.items()
    ]
    if gates and all(g["passed"] for g in gates.values()):
        lines.append(
            f"all gates passed: promote with `tradeguard models promote {version} "
            "--approver NAME --reason TEXT`"
        )
    else:
        lines.append("a gate failed: this candidate cannot be promoted")
    return lines


def _excluded(excluded: dict[str, str]) -> list[str]:
    return [f"feature left out: {name}: {why}" for name, why in excluded.items()]


def _parity(parity: dict[str, Any]) -> list[str]:
    """The train/serve parity table: PSI and missing shares per feature, worst first."""
    if not parity:
        return ["parity: no serving population to compare with"]
    lines = [
        f"train/serve parity ({parity['serving_rows']} served enterprises; "
        f"PSI limit {parity['psi_limit']}):",
        "  feature                           PSI  missing train  missing serve",
    ]
    lines += [
        f"  {row['feature']:<30} {row['psi']:>6.3f}  {row['training_missing']:>13.1%}  "
        f"{row['serving_missing']:>13.1%}"
        for row in parity["features"]
    ]
    lines.append(
        f"  mean raw score: training {parity['training_mean_raw_score']:+.3f}, serving "
        f"{parity['serving_mean_raw_score']:+.3f} (gap {parity['mean_raw_score_gap']:+.3f}, "
        f"standard error {parity['mean_raw_score_gap_standard_error']:.3f}, "
        f"{'within' if parity['raw_score_within_limit'] else 'OUTSIDE'} "
        f"{parity['raw_score_limit']}); parity {'passed' if parity['passed'] else 'FAILED'}"
    )
    return lines


def table_report(result: TableResult) -> str:
    folds = ", ".join(f"{auc:.4f}" for auc in result.fold_auc)
    lines = [
        f"model bundle {result.bundle_dir.name} -> {result.bundle_dir}",
        f"5-fold cross-validated AUC {result.cv_auc:.4f} (folds: {folds})",
        _summary("out-of-fold calibrated", result.out_of_fold),
        *_calibration(result.out_of_fold),
        *_lift(result.out_of_fold),
    ]
    if result.dropped:
        lines.append(
            "columns not used (identifiers, free text, timestamps): " + ", ".join(result.dropped)
        )
    return "\n".join([*lines, *_fairness(result.fairness)])


def _fairness(report: dict[str, Any]) -> list[str]:
    """Protected columns kept out (or allowed) and the adverse impact per group."""
    lines = [
        "protected attributes kept out of the model: " + (", ".join(report["excluded"]) or "none"),
    ]
    if report["allowed"]:
        lines.append("protected attributes explicitly allowed: " + ", ".join(report["allowed"]))
    for column, groups in report["adverse_impact"].items():
        lines.append(f"adverse impact by {column} ({report['rule']}):")
        lines += [_group_line(g) for g in groups]
    return lines


def _group_line(group: dict[str, Any]) -> str:
    ratio = group["adverse_impact_ratio"]
    return (
        f"  {group['group']:<22} n={group['count']:<6} approved {group['approval_rate']:.1%}  "
        f"ratio {'n/a' if ratio is None else format(ratio, '.2f')}"
        f"{'  BELOW 0.8' if group['below_four_fifths'] else ''}"
    )
