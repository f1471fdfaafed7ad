"""Exploratory data analysis report: one self-contained HTML file with plots and tables."""

from __future__ import annotations

import base64
import html
import io
from datetime import UTC, datetime
from typing import cast

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import polars as pl
from credit_core.loader import RawTables
from credit_core.schema import APPLICATION, Kind
from matplotlib.figure import Figure

from credit_trainer.plots import BLUE, GREY, ORANGE

MAIN_FIELDS = {
    "Age (years)": -pl.col("DAYS_BIRTH") / 365.25,
    "Years in current job": -pl.col("DAYS_EMPLOYED") / 365.25,
    "Annual income (log10)": pl.col("AMT_INCOME_TOTAL").log10(),
    "Credit amount (log10)": pl.col("AMT_CREDIT").log10(),
    "Annuity / income": pl.col("AMT_ANNUITY") / pl.col("AMT_INCOME_TOTAL"),
    "External score 1": pl.col("EXT_SOURCE_1"),
    "External score 2": pl.col("EXT_SOURCE_2"),
    "External score 3": pl.col("EXT_SOURCE_3"),
    "Credit / goods price": pl.col("AMT_CREDIT") / pl.col("AMT_GOODS_PRICE"),
}
CATEGORY_FIELDS = (
    "NAME_CONTRACT_TYPE",
    "CODE_GENDER",
    "NAME_INCOME_TYPE",
    "NAME_EDUCATION_TYPE",
    "NAME_FAMILY_STATUS",
    "NAME_HOUSING_TYPE",
    "OCCUPATION_TYPE",
    "REGION_RATING_CLIENT",
)


def _png(figure: Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(figure)
    return f'<img alt="" src="data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode()}">'


def _table(frame: pl.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in frame.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_fmt(v))}</td>" for v in row) + "</tr>" for row in frame.iter_rows()
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 1_000 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return "" if value is None else str(value)


def _target_balance(app: pl.DataFrame) -> str:
    counts = app.group_by("TARGET").len().sort("TARGET")
    fig, ax = plt.subplots(figsize=(4.5, 3), dpi=100)
    labels = ["repaid (0)", "defaulted (1)"]
    values = [int(counts.filter(pl.col("TARGET") == t).get_column("len").sum()) for t in (0, 1)]
    ax.bar(labels, values, color=[BLUE, ORANGE])
    for i, v in enumerate(values):
        ax.text(i, v, f"{v:,} ({v / sum(values):.1%})", ha="center", va="bottom")
    ax.set(title="Target balance", ylabel="applicants")
    return _png(fig)


def _missing(app: pl.DataFrame) -> tuple[str, pl.DataFrame]:
    shares = (
        app.null_count()
        .transpose(include_header=True, header_name="column", column_names=["missing"])
        .with_columns((pl.col("missing") / app.height).alias("share"))
        .filter(pl.col("missing") > 0)
        .sort("share", descending=True)
    )
    top = shares.head(30)
    fig, ax = plt.subplots(figsize=(7, 0.22 * max(len(top), 1) + 1), dpi=100)
    ax.barh(top.get_column("column").to_list()[::-1], top.get_column("share").to_list()[::-1], color=BLUE)
    ax.set(
        title=f"Missing values: {shares.height} of {app.width} columns have some", xlabel="share missing", xlim=(0, 1)
    )
    ax.tick_params(axis="y", labelsize=7)
    return _png(fig), shares


def _distributions(app: pl.DataFrame) -> str:
    fig, axes = plt.subplots(3, 3, figsize=(11, 8), dpi=90)
    values = app.select(pl.col("TARGET"), *(expr.alias(name) for name, expr in MAIN_FIELDS.items()))
    for ax, name in zip(axes.flat, MAIN_FIELDS, strict=True):
        column = values.select("TARGET", name).drop_nulls().filter(pl.col(name).is_finite())
        if column.height == 0:
            ax.set_title(f"{name}: no values")
            continue
        low, high = (float(column.get_column(name).quantile(q) or 0.0) for q in (0.005, 0.995))
        bins = np.linspace(low, high, 40) if high > low else 10
        for target, colour, label in ((0, BLUE, "repaid"), (1, ORANGE, "defaulted")):
            data = column.filter(pl.col("TARGET") == target).get_column(name).to_numpy()
            ax.hist(
                data,
                bins=bins,
                density=True,
                alpha=0.55,
                color=colour,
                label=f"{label} (median {np.median(data):.2f})" if len(data) else label,
            )
        ax.set_title(name, fontsize=9)
        ax.legend(fontsize=7)
        ax.tick_params(labelsize=7)
    fig.suptitle("Main fields by outcome (density)")
    fig.tight_layout()
    return _png(fig)


def _default_rates(app: pl.DataFrame) -> str:
    parts = []
    overall = float(cast(float, app.get_column("TARGET").mean()))
    for column in CATEGORY_FIELDS:
        rates = (
            app.group_by(pl.col(column).cast(pl.String).fill_null("(missing)"))
            .agg(pl.len().alias("applicants"), pl.col("TARGET").mean().alias("default_rate"))
            .sort("default_rate")
        )
        fig, ax = plt.subplots(figsize=(6.5, 0.3 * rates.height + 1.1), dpi=90)
        ax.barh(rates.get_column(column).to_list(), rates.get_column("default_rate").to_list(), color=BLUE)
        ax.axvline(overall, color=GREY, linestyle="--", label=f"overall {overall:.1%}")
        for i, (rate, n) in enumerate(rates.select("default_rate", "applicants").iter_rows()):
            ax.text(rate, i, f" {rate:.1%} of {n:,}", va="center", fontsize=7)
        ax.set(title=f"Default rate by {APPLICATION.column(column).label.lower()} ({column})", xlabel="default rate")
        ax.legend(fontsize=7, loc="lower right")
        ax.tick_params(axis="y", labelsize=7)
        parts.append(_png(fig))
    return "".join(parts)


def _correlations(app: pl.DataFrame) -> tuple[str, pl.DataFrame]:
    numeric = [c.name for c in APPLICATION.columns if c.is_numeric and c.name not in ("SK_ID_CURR", "TARGET")]
    corr = (
        app.select(*(pl.corr(pl.col(c).cast(pl.Float64), pl.col("TARGET").cast(pl.Float64)).alias(c) for c in numeric))
        .transpose(include_header=True, header_name="column", column_names=["correlation"])
        .drop_nulls()
        .filter(pl.col("correlation").is_not_nan())
        .sort(pl.col("correlation").abs(), descending=True)
    )
    top = corr.head(20)
    fig, ax = plt.subplots(figsize=(7, 0.25 * max(top.height, 1) + 1), dpi=100)
    values = top.get_column("correlation").to_list()[::-1]
    ax.barh(top.get_column("column").to_list()[::-1], values, color=[ORANGE if v > 0 else BLUE for v in values])
    ax.axvline(0, color=GREY)
    ax.set(
        title="Correlation with default (orange: higher value, more defaults)", xlabel="Pearson correlation with TARGET"
    )
    ax.tick_params(axis="y", labelsize=7)
    return _png(fig), top


IV_STRENGTH = ((0.02, "not predictive"), (0.1, "weak"), (0.3, "medium"), (0.5, "strong"))


def _strength(iv: float) -> str:
    return next((label for bound, label in IV_STRENGTH if iv < bound), "suspiciously strong (check for leakage)")


def _information_value(tables: RawTables, iv: dict[str, float] | None) -> str:
    """Information value of every model feature by optimal binning (the scorecard's own when it was
    trained, else binned here), with the usual reading of its size."""
    if iv is None:
        from credit_core.features import build_features
        from credit_core.pipeline import model_frame

        from credit_trainer.scorecard import WoeBinning

        features = build_features(tables.application, tables.history)
        target = tables.application.get_column("TARGET").to_numpy()
        iv = WoeBinning().fit(model_frame(features), target).iv_
    ranked = sorted(iv.items(), key=lambda kv: (-kv[1], kv[0]))
    frame = pl.DataFrame(
        {
            "feature": [n for n, _ in ranked],
            "information value": [round(v, 4) for _, v in ranked],
            "reading": [_strength(v) for _, v in ranked],
        }
    )
    fig, ax = plt.subplots(figsize=(7.5, 6), dpi=110)
    top = frame.head(25)
    ax.barh(top.get_column("feature").to_list()[::-1], top.get_column("information value").to_list()[::-1], color=BLUE)
    for bound, label in IV_STRENGTH[1:3]:
        ax.axvline(bound, color=GREY, linestyle="--")
        ax.text(bound, 0, f" {label} from {bound}", fontsize=7, color=GREY)
    ax.set(title="Information value of the 25 most informative features", xlabel="IV (optimal binning)")
    ax.tick_params(axis="y", labelsize=7)
    fig.tight_layout()
    return (
        "<p>Each feature binned optimally (monotonic for numeric fields, optbinning) on the training applicants; "
        "IV below 0.02 is read as not predictive, 0.1-0.3 medium, above 0.5 suspicious.</p>"
        + _png(fig)
        + "<details><summary>every feature</summary>"
        + _table(frame)
        + "</details>"
    )


def eda_report(tables: RawTables, source: str, information_value: dict[str, float] | None = None) -> str:
    """The EDA of a loaded data folder as one HTML page; ``information_value``: per feature, when
    the scorecard has already binned them (else they are binned here)."""
    app = tables.application
    if "TARGET" not in app.columns or app.get_column("TARGET").null_count() == app.height:
        raise ValueError("the EDA needs application_train with its TARGET column")
    missing_plot, missing = _missing(app.drop("TARGET"))
    corr_plot, corr = _correlations(app)
    sizes = pl.DataFrame(
        {
            "table": ["application_train", *tables.history],
            "rows": [app.height, *(f.height for f in tables.history.values())],
            "columns": [app.width, *(f.width for f in tables.history.values())],
        }
    )
    notes = pl.DataFrame(
        {
            "file": [i.file for i in tables.notes + tables.warnings],
            "column": [i.column or "" for i in tables.notes + tables.warnings],
            "kind": [i.level for i in tables.notes + tables.warnings],
            "what": [i.message for i in tables.notes + tables.warnings],
        }
    )
    categorical = sum(1 for c in APPLICATION.columns if c.kind is Kind.CATEGORY)
    sections = [
        (
            "Overview",
            f"<p>{app.height:,} applicants, {app.width} columns ({categorical} categorical), "
            f"default rate {float(cast(float, app.get_column('TARGET').mean())):.2%}.</p>" + _table(sizes),
        ),
        ("Target balance", _target_balance(app)),
        (
            "Missing values",
            missing_plot
            + "<details><summary>all columns with missing values</summary>"
            + _table(missing)
            + "</details>",
        ),
        ("Main fields by outcome", _distributions(app)),
        ("Default rate per category level", _default_rates(app)),
        ("Correlation of numeric fields with the target", corr_plot + _table(corr)),
        ("Information value of each feature", _information_value(tables, information_value)),
        (
            "Sentinels, codes and anomalies",
            "<p>What the loader turned into missing values (365243 in DAYS_* "
            "columns, XNA/XAP codes) and what it warned about (unknown levels, implausible values, orphan keys).</p>"
            + (_table(notes) if notes.height else "<p>None.</p>"),
        ),
    ]
    body = "".join(f"<section><h2>{html.escape(title)}</h2>{content}</section>" for title, content in sections)
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>EDA: {html.escape(source)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:1150px;margin:2em auto;color:#1a1a1a}}
table{{border-collapse:collapse;font-size:13px}}td,th{{border:1px solid #ccc;padding:3px 8px;text-align:left}}
img{{max-width:100%;display:block;margin:.5em 0}}section{{margin-bottom:2em}}</style></head>
<body><h1>Exploratory data analysis</h1><p>Data: {html.escape(source)} &middot; generated {generated}</p>{body}</body></html>"""
