"""The dashboard's charts (plotly). Okabe-Ito colours, safe for colour-blind readers; every chart
also differs by shape or text where colour carries meaning, and the page writes the values beside it."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from credit_ui.i18n import t

BLUE, ORANGE, VERMILION, GREY, SKY = "#0072B2", "#E69F00", "#D55E00", "#555555", "#56B4E9"


def _layout(figure: go.Figure, height: int) -> go.Figure:
    return figure.update_layout(height=height, margin={"t": 30, "b": 10, "l": 10, "r": 10}, font={"size": 13})


def gauge(probability: float, threshold: float, language: str) -> go.Figure:
    """Probability on a 0-100 gauge, the threshold marked by a line and the refusal zone shaded."""
    figure = go.Figure(
        go.Indicator(
            mode="gauge+number",
            value=probability * 100,
            number={"suffix": " %", "valueformat": ".1f"},
            gauge={
                "axis": {"range": [0, 100]},
                "bar": {"color": BLUE},
                "steps": [{"range": [threshold * 100, 100], "color": "#FBE3C8"}],
                "threshold": {"line": {"color": VERMILION, "width": 4}, "value": threshold * 100},
            },
            title={"text": t("probability", language)},
        )
    )
    return _layout(figure, 280).update_layout(margin={"t": 60, "l": 40, "r": 40})


def waterfall(start: float, steps: list[tuple[str, float]], end: float, language: str) -> go.Figure:
    """From the average applicant to this one, in probability points."""
    labels = [t("average_applicant", language), *(name for name, _ in steps), t("this_applicant", language)]
    values = [start * 100, *(value * 100 for _, value in steps), end * 100]
    figure = go.Figure(
        go.Waterfall(
            orientation="h",
            y=labels,
            x=values,
            measure=["absolute", *["relative"] * len(steps), "total"],
            increasing={"marker": {"color": VERMILION}},
            decreasing={"marker": {"color": BLUE}},
            totals={"marker": {"color": GREY}},
            text=[f"{values[0]:.1f}", *(f"{v:+.1f}" for v in values[1:-1]), f"{values[-1]:.1f}"],
            textposition="outside",
        )
    )
    return _layout(figure, 80 + 32 * len(labels)).update_layout(yaxis={"autorange": "reversed"})


def bars(labels: list[str], values: list[float], texts: list[str]) -> go.Figure:
    figure = go.Figure(
        go.Bar(x=values, y=labels, orientation="h", marker={"color": BLUE}, text=texts, textposition="outside")
    )
    return _layout(figure, 60 + 26 * len(labels)).update_layout(yaxis={"autorange": "reversed"})


def cost_curve(curve: dict[str, list[float]], threshold: float, language: str) -> go.Figure:
    figure = go.Figure(
        go.Scatter(
            x=[x * 100 for x in curve["threshold"]], y=curve["cost_per_1000"], mode="lines", line={"color": BLUE}
        )
    )
    figure.add_vline(
        x=threshold * 100,
        line={"color": VERMILION, "dash": "dash", "width": 3},
        annotation_text=t("threshold", language),
    )
    figure.update_xaxes(title=t("threshold_axis", language))
    figure.update_yaxes(title=t("cost_axis", language))
    return _layout(figure, 320)


def roc(curve: dict[str, list[float]], language: str) -> go.Figure:
    figure = go.Figure(
        [
            go.Scatter(x=curve["fpr"], y=curve["tpr"], mode="lines", line={"color": BLUE}, name=t("model", language)),
            go.Scatter(
                x=[0, 1], y=[0, 1], mode="lines", line={"color": GREY, "dash": "dot"}, name=t("chance", language)
            ),
        ]
    )
    figure.update_xaxes(title=t("fpr_axis", language))
    figure.update_yaxes(title=t("tpr_axis", language))
    return _layout(figure, 320)


def distribution(
    everyone: list[float], group: list[float], value: float | None, title: str, language: str
) -> go.Figure:
    """The feature over the reference population and the comparable group (share of each in every
    bin, on shared bins), the applicant as a dashed line."""
    common = {"histnorm": "percent", "bingroup": 1, "opacity": 0.6, "nbinsx": 30}
    figure = go.Figure(
        [
            go.Histogram(x=everyone, name=t("everyone", language), marker={"color": SKY}, **common),
            go.Histogram(
                x=group,
                name=t("comparable_group", language),
                marker={"color": ORANGE, "pattern": {"shape": "/"}},
                **common,
            ),
        ]
    )
    if value is not None:
        figure.add_vline(
            x=value,
            line={"color": "#000000", "dash": "dash", "width": 3},
            annotation_text=t("this_applicant", language),
        )
    figure.update_layout(barmode="overlay", legend={"orientation": "h"})
    figure.update_xaxes(title=title)
    figure.update_yaxes(title=t("share_axis", language))
    return _layout(figure, 300)


def scatter(
    points: dict[str, list[Any]], x_title: str, y_title: str, applicant: tuple[Any, Any], language: str
) -> go.Figure:
    """Two features, repaid and defaulted applicants by colour *and* marker shape, the applicant a star."""
    traces = []
    for outcome, colour, symbol in ((0, BLUE, "circle"), (1, VERMILION, "x")):
        keep = [i for i, o in enumerate(points["outcome"]) if o == outcome]
        traces.append(
            go.Scattergl(
                x=[points["x"][i] for i in keep],
                y=[points["y"][i] for i in keep],
                mode="markers",
                marker={"color": colour, "symbol": symbol, "size": 5, "opacity": 0.45},
                name=t("repaid" if outcome == 0 else "defaulted", language),
            )
        )
    traces.append(
        go.Scatter(
            x=[applicant[0]],
            y=[applicant[1]],
            mode="markers",
            marker={"color": "#000000", "symbol": "star", "size": 18},
            name=t("this_applicant", language),
        )
    )
    figure = go.Figure(traces)
    figure.update_xaxes(title=x_title)
    figure.update_yaxes(title=y_title)
    return _layout(figure, 380).update_layout(legend={"orientation": "h"})
