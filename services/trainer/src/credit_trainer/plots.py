"""Figures for people who would rather look than read: ROC, PR, cost vs threshold, ..."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from credit_core.costs import cost_curve, per_1000
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from sklearn.calibration import calibration_curve
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


def calibration(y: np.ndarray, probability: np.ndarray, calibrated: np.ndarray | None = None) -> Figure:
    fig, ax = _figure("Calibration (hold-out)")
    ax.plot([0, 1], [0, 1], color=GREY, linestyle="--", label="perfect")
    for values, colour, label, marker in (
        (probability, BLUE, "model", "o"),
        (calibrated, GREEN, "after Platt scaling", "s"),
    ):
        if values is None:
            continue
        observed, predicted = calibration_curve(y, values, n_bins=10, strategy="quantile")
        ax.plot(predicted, observed, color=colour, marker=marker, label=label)
    ax.set(xlabel="Predicted probability of default", ylabel="Observed default rate")
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
