"""The model document: what a model-risk reviewer reads before a model is promoted.

``write_model_document(bundle, out)`` writes ``out/model-<version>.md`` and four PNG figures
(ROC, calibration, score distribution, PSI bars) from the evidence the training run stored in
the bundle, so the document can be rebuilt at any time for any version and always describes
exactly the bundle that would serve.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402

from services.risk.model import ModelBundle  # noqa: E402
from services.risk.parity import PSI_LIMIT  # noqa: E402
from services.risk.training.document_text import sections  # noqa: E402

FIGURES = ("roc.png", "calibration.png", "score_distribution.png", "psi.png")


def _save(figure: Any, path: Path) -> None:
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def roc_figure(curves: Mapping[str, Mapping[str, Sequence[float]]], path: Path) -> None:
    figure, ax = plt.subplots(figsize=(5, 5))
    for name, curve in curves.items():
        ax.plot(curve["fpr"], curve["tpr"], label=name)
    ax.plot([0, 1], [0, 1], linestyle=":", color="grey")
    ax.set(xlabel="false positive rate", ylabel="true positive rate", title="ROC, test period")
    ax.legend(loc="lower right")
    _save(figure, path)


def calibration_figure(table: Sequence[Mapping[str, float]], path: Path) -> None:
    figure, ax = plt.subplots(figsize=(5, 5))
    predicted = [row["mean_pd"] for row in table]
    observed = [row["observed_rate"] for row in table]
    ax.plot(predicted, observed, marker="o", label="PD deciles")
    top = max([*predicted, *observed, 0.01])
    ax.plot([0, top], [0, top], linestyle=":", color="grey", label="perfect calibration")
    ax.set(xlabel="mean predicted PD", ylabel="observed default rate", title="Calibration, test")
    ax.legend(loc="upper left")
    _save(figure, path)


def score_figure(histogram: Mapping[str, Sequence[float]], path: Path) -> None:
    figure, ax = plt.subplots(figsize=(6, 4))
    edges = list(histogram["edges"])
    widths = [b - a for a, b in zip(edges, edges[1:], strict=False)]
    ax.bar(edges[:-1], histogram["repaid"], width=widths, align="edge", alpha=0.6, label="repaid")
    ax.bar(edges[:-1], histogram["defaulted"], width=widths, align="edge", label="defaulted")
    ax.set_xscale("log")
    ax.set(xlabel="PD (log scale)", ylabel="financings", title="Score distribution, test")
    ax.legend()
    _save(figure, path)


def psi_figure(rows: Sequence[Mapping[str, Any]], path: Path) -> None:
    figure, ax = plt.subplots(figsize=(7, max(3.0, 0.22 * len(rows))))
    names = [row["feature"] for row in rows][::-1]
    values = [row["psi"] for row in rows][::-1]
    colours = ["tab:red" if v > PSI_LIMIT else "tab:blue" for v in values]
    ax.barh(names, values, color=colours)
    ax.axvline(PSI_LIMIT, color="tab:red", linestyle="--", label=f"limit {PSI_LIMIT}")
    ax.set(xlabel="PSI, training sample vs latest serving population", title="Stability")
    ax.legend(loc="lower right")
    _save(figure, path)


def write_figures(metrics: Mapping[str, Any], out: Path) -> list[str]:
    """The figures the evidence allows; returns the file names written."""
    written = []
    curves = metrics.get("curves", {})
    if curves.get("roc"):
        roc_figure(curves["roc"], out / FIGURES[0])
        written.append(FIGURES[0])
    if metrics.get("test", {}).get("calibration_table"):
        calibration_figure(metrics["test"]["calibration_table"], out / FIGURES[1])
        written.append(FIGURES[1])
    if curves.get("score_histogram"):
        score_figure(curves["score_histogram"], out / FIGURES[2])
        written.append(FIGURES[2])
    if metrics.get("parity", {}).get("features"):
        psi_figure(metrics["parity"]["features"], out / FIGURES[3])
        written.append(FIGURES[3])
    return written


def write_model_document(bundle: ModelBundle, out: Path) -> Path:
    """Markdown document and figures for ``bundle`` under ``out``; returns the Markdown path."""
    target = Path(out)
    target.mkdir(parents=True, exist_ok=True)
    figures = write_figures(bundle.metadata.metrics, target)
    path = target / f"model-{bundle.version}.md"
    path.write_text("\n".join(sections(bundle.metadata, figures)) + "\n")
    return path
