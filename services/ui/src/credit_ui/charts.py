"""The dashboard's charts (Altair / Vega-Lite, which Streamlit draws natively). Okabe-Ito colours,
safe for colour-blind readers; every chart also differs by shape, position, outline or text where
colour carries meaning, and the page writes the values beside it."""

from __future__ import annotations

import math
from typing import Any, cast

import altair as alt
import numpy as np
import pandas as pd
from credit_core.contracts.model_card import CostCurve, RocCurve

from credit_ui.i18n import t

BLUE, ORANGE, VERMILION, GREY, SKY, BLACK = "#0072B2", "#E69F00", "#D55E00", "#555555", "#56B4E9", "#000000"
REFUSAL_ZONE = "#FBE3C8"
STAR = "M0,-1L0.2245,-0.309L0.9511,-0.309L0.3633,0.118L0.5878,0.809L0,0.382L-0.5878,0.809L-0.3633,0.118L-0.9511,-0.309L-0.2245,-0.309Z"
Chart = alt.Chart | alt.LayerChart


def _sized(chart: Any, height: int) -> Chart:
    sized = chart.properties(height=height).configure_axis(labelFontSize=12, titleFontSize=13, labelLimit=260)
    return cast(Chart, sized.configure_legend(orient="bottom", labelFontSize=12))


def gauge(probability: float, threshold: float, language: str) -> Chart:
    """Probability in per cent, on a scale wide enough to show the distance to the threshold: the
    refusal zone shaded from the threshold, the threshold a thick line named above it, the
    applicant's probability a bar with its value written at its end."""
    top = min(100.0, max(20.0, 10.0 * math.ceil(16.0 * max(probability, threshold))))
    scale = alt.Scale(domain=[0, top])
    zone = (
        alt.Chart(pd.DataFrame({"start": [threshold * 100], "end": [top]}))
        .mark_rect(color=REFUSAL_ZONE)
        .encode(x=alt.X("start:Q", scale=scale, title=t("probability", language) + " (%)"), x2="end:Q")
    )
    bar = (
        alt.Chart(pd.DataFrame({"value": [probability * 100]}))
        .mark_bar(color=BLUE, size=28)
        .encode(x=alt.X("value:Q", scale=scale))
    )
    value = bar.mark_text(align="left", dx=6, fontSize=18, fontWeight="bold").encode(
        text=alt.Text("value:Q", format=".1f")
    )
    label = f"{t('threshold', language)} {threshold * 100:.1f} %"
    rule = (
        alt.Chart(pd.DataFrame({"at": [threshold * 100], "label": [label]}))
        .mark_rule(color=VERMILION, strokeWidth=4)
        .encode(x="at:Q")
    )
    named = rule.mark_text(align="left", dx=6, y=4, baseline="top", color=VERMILION, fontWeight="bold").encode(
        text="label:N"
    )
    return _sized(alt.layer(zone, bar, value, rule, named), 120)


def waterfall(start: float, steps: list[tuple[str, float]], end: float, language: str) -> Chart:
    """From the average applicant to this one, in probability points."""
    rows, level = [], start * 100
    rows.append({"label": t("average_applicant", language), "begin": 0.0, "finish": level, "kind": "total"})
    for name, value in steps:
        rows.append(
            {"label": name, "begin": level, "finish": level + value * 100, "kind": "up" if value > 0 else "down"}
        )
        level += value * 100
    rows.append({"label": t("this_applicant", language), "begin": 0.0, "finish": end * 100, "kind": "total"})
    frame = pd.DataFrame(rows)
    frame["text"] = [
        f"{r.finish:.1f}" if r.kind == "total" else f"{r.finish - r.begin:+.1f}" for r in frame.itertuples()
    ]
    frame["right"] = frame[["begin", "finish"]].max(axis=1)
    order = frame["label"].tolist()
    colours = alt.Scale(domain=["up", "down", "total"], range=[VERMILION, BLUE, GREY])
    base = alt.Chart(frame).encode(y=alt.Y("label:N", sort=order, title=None))
    bars = base.mark_bar().encode(
        x=alt.X("begin:Q", title=t("points_axis", language)),
        x2="finish:Q",
        color=alt.Color("kind:N", scale=colours, legend=None),
    )
    text = base.mark_text(align="left", dx=4).encode(x="right:Q", text="text:N")
    return _sized(alt.layer(bars, text), 40 + 30 * len(frame))


def bars(labels: list[str], values: list[float], texts: list[str]) -> Chart:
    frame = pd.DataFrame({"label": labels, "value": values, "text": texts})
    base = alt.Chart(frame).encode(y=alt.Y("label:N", sort=labels, title=None), x=alt.X("value:Q", title=None))
    return _sized(
        alt.layer(base.mark_bar(color=BLUE), base.mark_text(align="left", dx=4).encode(text="text:N")),
        40 + 24 * len(labels),
    )


def cost_curve(curve: CostCurve, threshold: float, language: str) -> Chart:
    frame = pd.DataFrame({"threshold": [x * 100 for x in curve.threshold], "cost": curve.cost_per_1000})
    line = (
        alt.Chart(frame)
        .mark_line(color=BLUE, strokeWidth=2)
        .encode(
            x=alt.X("threshold:Q", title=t("threshold_axis", language)),
            y=alt.Y("cost:Q", title=t("cost_axis", language)),
        )
    )
    marker = pd.DataFrame({"at": [threshold * 100], "label": [t("threshold", language)]})
    rule = alt.Chart(marker).mark_rule(color=VERMILION, strokeDash=[6, 4], strokeWidth=3).encode(x="at:Q")
    label = rule.mark_text(align="left", dx=5, y=10, color=VERMILION).encode(text="label:N")
    return _sized(alt.layer(line, rule, label), 300)


def roc(curve: RocCurve, language: str) -> Chart:
    model, chance = t("model", language), t("chance", language)
    frame = pd.concat(
        [
            pd.DataFrame({"fpr": curve.fpr, "tpr": curve.tpr, "curve": model}),
            pd.DataFrame({"fpr": [0.0, 1.0], "tpr": [0.0, 1.0], "curve": chance}),
        ]
    )
    return _sized(
        alt.Chart(frame)
        .mark_line()
        .encode(
            x=alt.X("fpr:Q", title=t("fpr_axis", language)),
            y=alt.Y("tpr:Q", title=t("tpr_axis", language)),
            color=alt.Color("curve:N", scale=alt.Scale(domain=[model, chance], range=[BLUE, GREY]), title=None),
            strokeDash=alt.StrokeDash(
                "curve:N", scale=alt.Scale(domain=[model, chance], range=[[1, 0], [2, 3]]), legend=None
            ),
        ),
        300,
    )


def reliability(predicted: list[float], observed: list[float], language: str) -> Chart:
    """Observed default rate against mean predicted probability, ten bins of equal size."""
    model, perfect = t("model", language), t("perfect", language)
    top = max(*predicted, *observed) * 1.05
    frame = pd.concat(
        [
            pd.DataFrame({"predicted": predicted, "observed": observed, "curve": model}),
            pd.DataFrame({"predicted": [0.0, top], "observed": [0.0, top], "curve": perfect}),
        ]
    )
    return _sized(
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X("predicted:Q", title=t("predicted_axis", language), axis=alt.Axis(format="%")),
            y=alt.Y("observed:Q", title=t("observed_axis", language), axis=alt.Axis(format="%")),
            color=alt.Color("curve:N", scale=alt.Scale(domain=[model, perfect], range=[BLUE, GREY]), title=None),
        ),
        280,
    )


def _histogram(values: list[float], edges: np.ndarray) -> np.ndarray:
    known = np.array([v for v in values if v is not None and not np.isnan(v)], dtype=float)
    counts, _ = np.histogram(known, bins=edges)
    return 100.0 * counts / max(len(known), 1)


def distribution(everyone: list[Any], group: list[Any], value: float | None, title: str, language: str) -> Chart:
    """The feature over the reference population and the comparable group (share of each in every
    bin, on shared bins): the population filled, the group outlined with a dashed line, the
    applicant a dashed black line."""
    known = [v for v in everyone if v is not None and not np.isnan(v)]
    edges = np.histogram_bin_edges(known or [0.0, 1.0], bins=30)
    names = {"everyone": t("everyone", language), "group": t("comparable_group", language)}
    frame = pd.concat(
        [
            pd.DataFrame({"start": edges[:-1], "end": edges[1:], "share": _histogram(values, edges), "who": names[who]})
            for who, values in (("everyone", everyone), ("group", group))
        ]
    )
    who = alt.Color("who:N", scale=alt.Scale(domain=list(names.values()), range=[SKY, ORANGE]), title=None)
    x = alt.X("start:Q", bin="binned", title=title)
    filled = (
        alt.Chart(frame[frame["who"] == names["everyone"]])
        .mark_bar(opacity=0.7)
        .encode(x=x, x2="end:Q", y=alt.Y("share:Q", title=t("share_axis", language)), color=who)
    )
    outlined = (
        alt.Chart(frame[frame["who"] == names["group"]])
        .mark_bar(opacity=0.45, stroke=BLACK, strokeDash=[3, 2], strokeWidth=1)
        .encode(x=x, x2="end:Q", y="share:Q", color=who)
    )
    layers: list[Any] = [filled, outlined]
    if value is not None:
        marker = pd.DataFrame({"at": [value], "label": [t("this_applicant", language)]})
        rule = alt.Chart(marker).mark_rule(color=BLACK, strokeDash=[6, 4], strokeWidth=3).encode(x="at:Q")
        layers += [rule, rule.mark_text(align="left", dx=5, y=10).encode(text="label:N")]
    return _sized(alt.layer(*layers), 280)


def scatter(
    points: dict[str, list[Any]], x_title: str, y_title: str, applicant: tuple[Any, Any], language: str
) -> Chart:
    """Two features: repaid applicants as blue circles, defaulted ones as vermilion crosses, the
    applicant a black star (shape and colour both tell them apart)."""
    repaid, defaulted, me = t("repaid", language), t("defaulted", language), t("this_applicant", language)
    frame = pd.DataFrame(
        {"x": points["x"], "y": points["y"], "who": [defaulted if o else repaid for o in points["outcome"]]}
    ).dropna()
    colour = alt.Color(
        "who:N", scale=alt.Scale(domain=[repaid, defaulted, me], range=[BLUE, VERMILION, BLACK]), title=None
    )
    x, y = alt.X("x:Q", title=x_title), alt.Y("y:Q", title=y_title)

    def points_of(data: pd.DataFrame, shape: str, size: int, filled: bool, opacity: float) -> Any:
        return (
            alt.Chart(data)
            .mark_point(shape=shape, size=size, filled=filled, opacity=opacity)
            .encode(x=x, y=y, color=colour)
        )

    return _sized(
        alt.layer(
            points_of(frame[frame["who"] == repaid], "circle", 30, False, 0.45),
            points_of(frame[frame["who"] == defaulted], "cross", 40, True, 0.6),
            points_of(pd.DataFrame({"x": [applicant[0]], "y": [applicant[1]], "who": [me]}), STAR, 400, True, 1.0),
        ),
        360,
    )


def trend(labels: list[str], values: list[float], icons: list[str], axis_title: str, x_title: str) -> Chart:
    """One value per run, in order, with the run's status icon above its point."""
    frame = pd.DataFrame({"run": labels, "value": values, "icon": icons})
    top = max([*values, 1.0]) * 1.3  # room for the icons above the highest point
    base = alt.Chart(frame).encode(
        x=alt.X("run:N", sort=labels, title=x_title, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("value:Q", title=axis_title, scale=alt.Scale(domain=[0, top], nice=False)),
    )
    return _sized(
        alt.layer(base.mark_line(color=BLUE, point=True), base.mark_text(dy=-12, fontSize=14).encode(text="icon:N")),
        240,
    )
