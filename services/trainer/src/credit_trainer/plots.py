"""Figures for people who would rather look than read: ROC, PR, cost vs threshold, ..."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from credit_core.costs import cost_curve, per_1000
from credit_core.uncertainty import reliability
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from sklearn.metrics import precision_recall_curve, roc_curve

# Okabe-Ito: distinguishable with every common colour-vision deficiency
BLUE, ORANGE, GREEN, GREY = "#0072B2", "#E69F00", "#009E73", "#999999"


def _figure(title: str, size: tuple[float, float] = (5.5, 4.2)) -> tuple[Figure, Axes]:
    fig, ax = plt.subplots(figsize=size, dpi=110)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    return fig, ax


def roc(y: np.ndarray, probability: np.ndarray, auc: float) -> Figure:
    fpr, tpr, _ = roc_curve(y, probability)
    fig, ax = _figure("ROC curve (hold-out)")
    ax.plot(fpr, tpr, color=BLUE, label=f"model, AUC {auc:.3f}")
    ax.plot([0, 1], [0, 1], color=GREY, linestyle="--", label="chance")
    ax.set(xlabel="False positive rate (good payers refused)", ylabel="True positive rate (defaulters caught)")
    ax.legend(loc="lower right")
    return fig


def precision_recall(y: np.ndarray, probability: np.ndarray, pr_auc: float) -> Figure:
    precision, recall, _ = precision_recall_curve(y, probability)
    fig, ax = _figure("Precision-recall (hold-out)")
    ax.plot(recall, precision, color=BLUE, label=f"model, average precision {pr_auc:.3f}")
    ax.axhline(y.mean(), color=GREY, linestyle="--", label=f"default rate {y.mean():.1%}")
    ax.set(xlabel="Recall (defaulters caught)", ylabel="Precision (refused who default)")
    ax.legend(loc="upper right")
    return fig


def confusion(tn: float, fp: float, fn: float, tp: float, threshold: float) -> Figure:
    fig, ax = _figure(f"Decisions at threshold {threshold:.3f} (hold-out)", (4.8, 4.2))
    cells = np.array([[tn, fp], [fn, tp]])
    ax.imshow(cells, cmap="Blues")
    labels = [
        ["granted, repaid", "refused, would repay\n(cost 1 each)"],
        ["granted, defaulted\n(cost 10 each)", "refused, would default"],
    ]
    for i in range(2):
        for j in range(2):
            dark = cells[i, j] > cells.max() / 2
            ax.text(
                j,
                i,
                f"{int(cells[i, j]):,}\n{labels[i][j]}",
                ha="center",
                va="center",
                color="white" if dark else "black",
                fontsize=8,
            )
    ax.set_xticks([0, 1], ["granted", "refused"])
    ax.set_yticks([0, 1], ["repaid", "defaulted"])
    ax.set(xlabel="Decision", ylabel="Outcome")
    ax.grid(False)
    return fig


def cost_vs_threshold(y: np.ndarray, probability: np.ndarray, threshold: float) -> Figure:
    curve = cost_curve(y, probability)
    fig, ax = _figure("Business cost 10·FN + FP vs threshold")
    ax.plot(
        curve.thresholds,
        [per_1000(c, len(y)) for c in curve.costs],
        color=BLUE,
        label="hold-out cost per 1,000 applicants",
    )
    chosen = per_1000(float(np.interp(threshold, curve.thresholds, curve.costs)), len(y))
    ax.axvline(threshold, color=ORANGE, linestyle="--", label=f"threshold chosen out of fold: {threshold:.3f}")
    ax.plot([threshold], [chosen], marker="o", color=ORANGE)
    ax.set(xlabel="Threshold (refuse when probability ≥ threshold)", ylabel="Cost per 1,000 applicants", xlim=(0, 1))
    ax.legend(loc="upper right")
    return fig


def calibration(
    y: np.ndarray, probability: np.ndarray, uncalibrated: np.ndarray | None = None, method: str = ""
) -> Figure:
    """Reliability diagram: observed default rate against mean predicted probability in ten bins
    of equal size, with each curve's expected calibration error (ECE)."""
    fig, ax = _figure("Reliability (hold-out, ten bins of equal size)")
    top = float(max(np.max(probability), np.mean(y)) * 1.05)
    ax.plot([0, top], [0, top], color=GREY, linestyle="--", label="perfect")
    for values, colour, label, marker in (
        (uncalibrated, GREY, "before calibration", "o"),
        (probability, BLUE, f"served ({method} calibration)" if method else "served", "s"),
    ):
        if values is None:
            continue
        bins = reliability(y, values)
        ax.plot(bins.predicted, bins.observed, color=colour, marker=marker, label=f"{label}: ECE {bins.ece:.4f}")
    ax.set(xlabel="Mean predicted probability of default", ylabel="Observed default rate")
    ax.legend(loc="upper left")
    return fig


def calibration_bins(predicted: list[float], observed: list[float], ece: float) -> Figure:
    """The reliability diagram from a model card's bins."""
    fig, ax = _figure("Reliability (hold-out, ten bins of equal size)")
    top = max(*predicted, *observed) * 1.05
    ax.plot([0, top], [0, top], color=GREY, linestyle="--", label="perfect")
    ax.plot(predicted, observed, color=BLUE, marker="s", label=f"served: ECE {ece:.4f}")
    ax.set(xlabel="Mean predicted probability of default", ylabel="Observed default rate")
    ax.legend(loc="upper left")
    return fig


def importance(table: pd.DataFrame, column: str, title: str, top: int = 20) -> Figure:
    rows = table.nlargest(top, column).iloc[::-1]
    fig, ax = _figure(title, (7.5, 0.28 * len(rows) + 1.2))
    ax.barh(rows["feature"], rows[column], color=BLUE)
    ax.set(xlabel=column)
    ax.tick_params(axis="y", labelsize=7)
    fig.tight_layout()
    return fig


def candidates(comparison: pd.DataFrame) -> Figure:
    rows = comparison.sort_values("holdout_cost_per_1000", ascending=False)
    fig, ax = _figure("Candidates: hold-out cost per 1,000 applicants (lower is better)", (8, 0.35 * len(rows) + 1.5))
    ax.barh(rows["candidate"], rows["holdout_cost_per_1000"], color=[ORANGE if c else BLUE for c in rows["chosen"]])
    for y_pos, (cost, auc, chosen) in enumerate(
        zip(rows["holdout_cost_per_1000"], rows["holdout_auc"], rows["chosen"], strict=True)
    ):
        ax.text(cost, y_pos, f" {cost:,.0f}  (AUC {auc:.3f}){'  chosen' if chosen else ''}", va="center", fontsize=8)
    ax.set(xlabel="Cost per 1,000 applicants")
    fig.tight_layout()
    return fig


def fairness(table: pd.DataFrame, name: str) -> Figure:
    """Per attribute: approval rate and false-refusal rate (good payers refused) of each group."""
    attributes = list(dict.fromkeys(table["attribute"]))
    fig, axes = plt.subplots(1, len(attributes), figsize=(4.2 * len(attributes), 3.8), dpi=110, squeeze=False)
    for ax, attribute in zip(axes[0], attributes, strict=True):
        rows = table[table["attribute"] == attribute]
        positions = np.arange(len(rows))
        ax.bar(positions - 0.2, rows["approval_rate"], 0.4, color=BLUE, label="approval rate")
        ax.bar(positions + 0.2, rows["false_refusal_rate"], 0.4, color=ORANGE, label="good payers refused")
        labels = [f"{g}\n({n:,})" for g, n in zip(rows["group"], rows["applicants"], strict=True)]
        ax.set_xticks(positions, labels, fontsize=7, rotation=30 if len(rows) > 4 else 0)
        ax.set(title=attribute, ylim=(0, 1))
        ax.grid(alpha=0.3, axis="y")
    axes[0][0].legend(loc="upper left", fontsize=7)
    fig.suptitle(f"{name}: by group on the hold-out (applicants in brackets)")
    fig.tight_layout()
    return fig


def scorecard(points: pd.DataFrame, name: str) -> Figure:
    """Points per bin of each characteristic (the spread of a characteristic is its weight)."""
    rows = points[points["characteristic"] != "(base points)"]
    names = list(dict.fromkeys(rows["characteristic"]))
    fig, ax = _figure(f"{name}: points per bin", (8, 0.32 * len(names) + 1.5))
    for y_pos, characteristic in enumerate(names):
        values = rows.loc[rows["characteristic"] == characteristic, "points"]
        ax.plot([values.min(), values.max()], [y_pos, y_pos], color=GREY)
        ax.scatter(values, [y_pos] * len(values), color=BLUE, s=14, zorder=3)
    ax.set_yticks(range(len(names)), names, fontsize=7)
    ax.invert_yaxis()
    ax.axvline(0, color=GREY, linestyle="--")
    ax.set(xlabel="Points (more points: lower risk)")
    fig.tight_layout()
    return fig
