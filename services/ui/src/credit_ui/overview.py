"""The batch page (a CSV of applications scored), the model page (the champion's card) and the
monitoring page (drift, realised performance, the recommendation)."""

from __future__ import annotations

import io

import plotly.graph_objects as go
import polars as pl
import streamlit as st
import streamlit.components.v1 as components

from credit_ui import charts
from credit_ui.applicant import problem
from credit_ui.client import Services
from credit_ui.i18n import number, percent, t
from credit_ui.labels import label, short

STATUS_ICONS = {"ok": "✔", "watch": "⚠", "retrain recommended": "✖"}  # in every font; the words say it too


def batch_page(services: Services, language: str) -> None:
    st.header(t("batch_title", language))
    st.caption(t("batch_help", language))
    upload = st.file_uploader(t("batch_file", language), type=["csv"], key="batch_file")
    if upload is None:
        return
    answer = services.scoring.call(
        "POST", "/v1/scores/batch.csv", files={"file": (upload.name, upload.getvalue(), "text/csv")}
    )
    if not answer.ok:
        problem(answer, "scoring", language)
        return
    scored = pl.read_csv(io.StringIO(answer.data))
    refused = scored.filter(pl.col("decision") == "refused").height
    left, middle, right = st.columns(3)
    left.metric(t("batch_rows", language), number(scored.height, language))
    middle.metric(
        t("batch_refused", language), f"{number(refused, language)} ({percent(refused / scored.height, language)})"
    )
    right.metric(t("batch_mean", language), percent(scored["probability"].mean(), language))  # type: ignore[arg-type]
    st.dataframe(scored.select("SK_ID_CURR", "probability", "decision", "model_version"), hide_index=True)
    st.download_button(
        t("batch_download", language), answer.data, file_name=f"scored-{upload.name}", mime="text/csv", key="batch_dl"
    )


def model_page(services: Services, language: str) -> None:
    st.header(t("model_card", language))
    info = services.scoring.call("GET", "/v1/model")
    if not info.ok:
        problem(info, "scoring", language)
    else:
        model, metrics = info.data, info.data["metrics"]
        holdout, costs, data = metrics.get("holdout", {}), metrics.get("reference_costs", {}), metrics.get("data", {})
        left, middle, right = st.columns(3)
        left.metric(t("model_version", language, version=model["version"]), model["candidate"])
        left.write(f"{t('trained_at', language)}: {model['trained_at']}")
        if data:
            left.write(
                t(
                    "trained_on",
                    language,
                    applicants=number(data.get("training_applicants"), language),
                    holdout=number(data.get("holdout_applicants"), language),
                    rate=percent(data.get("default_rate"), language),
                )
            )
        middle.metric(t("holdout_auc", language), number(holdout.get("auc"), language, 3))
        middle.write(f"{t('threshold', language)}: {percent(model['threshold'], language)}")
        right.metric(t("holdout_cost", language), number(holdout.get("cost_per_1000"), language))
        if costs:
            accept = number(costs.get("accept_everyone_per_1000"), language)
            refuse = number(costs.get("refuse_everyone_per_1000"), language)
            right.write(t("cost_everyone", language, accept=accept, refuse=refuse))
        curves = metrics.get("curves") or {}
        if curves:
            cost, roc = st.columns(2)
            cost.subheader(t("cost_curve", language))
            cost.plotly_chart(charts.cost_curve(curves["cost"], model["threshold"], language), width="stretch")
            best = min(range(len(curves["cost"]["threshold"])), key=lambda i: curves["cost"]["cost_per_1000"][i])
            cost.caption(
                t(
                    "cost_caption",
                    language,
                    threshold=percent(model["threshold"], language),
                    cost=number(holdout.get("cost_per_1000"), language),
                    best=percent(curves["cost"]["threshold"][best], language, 0),
                    best_cost=number(curves["cost"]["cost_per_1000"][best], language),
                )
            )
            roc.subheader(t("roc_curve", language))
            roc.plotly_chart(charts.roc(curves["roc"], language), width="stretch")
            roc.caption(t("roc_caption", language, auc=number(holdout.get("auc"), language, 3)))
        else:
            st.info(t("no_curves", language))
        if metrics.get("candidates"):
            st.subheader(t("candidates", language))
            rows = [
                {
                    t("candidate", language): ("✔ " if c["chosen"] else "") + c["candidate"],
                    t("cv_auc", language): round(c["cv_auc"], 4),
                    t("holdout_auc", language): round(c["holdout_auc"], 4),
                    t("holdout_cost", language): round(c["holdout_cost_per_1000"], 1),
                    t("threshold", language): round(c["threshold"], 4),
                    t("refusal_rate", language): round(c["holdout_refusal_rate"], 4),
                    t("fit_seconds", language): round(c["fit_seconds"], 1),
                }
                for c in metrics["candidates"]
            ]
            st.dataframe(rows, hide_index=True)
    importance = services.explainer.call("GET", "/v1/explanations/global", params={"top": 15})
    if not importance.ok:
        problem(importance, "explainer", language)
        return
    features = importance.data["features"]
    st.subheader(t("importance", language))
    st.plotly_chart(
        charts.bars(
            [short(label(r["feature"], language)) for r in features],
            [r["mean_abs_shap"] for r in features],
            [number(r["mean_abs_shap"], language, 3) for r in features],
        ),
        width="stretch",
    )


def _performance(run: dict[str, object], language: str) -> None:
    performance = run.get("performance") or {}
    assert isinstance(performance, dict)
    st.subheader(t("realised", language))
    outcomes = performance.get("outcomes", 0)
    if not outcomes or performance.get("auc") is None:
        st.info(t("no_outcomes", language, count=number(outcomes, language)))
        return
    left, right = st.columns(2)
    auc, reference_auc = performance["auc"], performance.get("holdout_auc")
    left.metric(
        t("realised_auc", language),
        number(auc, language, 3),
        delta=None if reference_auc is None else number(auc - reference_auc, language, 3),
    )
    cost, reference_cost = performance.get("cost_per_1000"), performance.get("holdout_cost_per_1000")
    right.metric(
        t("realised_cost", language),
        number(cost, language),
        delta=None if cost is None or reference_cost is None else number(cost - reference_cost, language),
        delta_color="inverse",
    )
    st.caption(
        t(
            "realised_caption",
            language,
            outcomes=number(outcomes, language),
            auc=number(reference_auc, language, 3),
            cost=number(reference_cost, language),
        )
    )


def monitoring_page(services: Services, language: str) -> None:
    st.header(t("drift_status", language))
    summary = services.monitor.call("GET", "/v1/drift/summary")
    if not summary.ok:
        problem(summary, "monitor", language)
        return
    data = summary.data
    if data["latest"] is None:
        st.info(t("no_run", language))
        return
    status = data["status"]
    st.subheader(f"{STATUS_ICONS.get(status, '')} {t('status_' + status, language)}")
    st.write(t("status_advice_" + status, language))
    if language != "en" and data["reasons"]:
        st.caption(t("monitor_words", language))
    for reason in data["reasons"]:
        st.write(f"- {reason}")
    trend = data["trend"]
    st.caption(t("drift_trend", language))
    st.plotly_chart(
        go.Figure(
            go.Scatter(
                x=[f"#{r['id']}" for r in trend],
                y=[r["drifted_importance"] * 100 for r in trend],
                mode="lines+markers+text",
                text=[STATUS_ICONS.get(r["status"], "") for r in trend],
                textposition="top center",
                line={"color": charts.BLUE},
            )
        )
        .update_layout(height=260, margin={"t": 10, "b": 10})
        .update_xaxes(type="category", title=t("run", language))
        .update_yaxes(title=t("drifted_importance_axis", language), rangemode="tozero"),
        width="stretch",
    )
    latest = data["latest"]
    st.write(
        t(
            "latest_run",
            language,
            id=latest["id"],
            rows=number(latest["current_rows"], language),
            drifted=latest["drifted_columns"],
            columns=latest["columns"],
            share=percent(latest["drifted_importance"], language),
        )
    )
    _performance(latest, language)
    run = services.monitor.call("GET", f"/v1/drift/runs/{latest['id']}")
    if run.ok:
        st.subheader(t("latest_columns", language))
        st.dataframe(run.data["column_results"], hide_index=True)
    report = services.monitor.call("GET", f"/v1/drift/runs/{latest['id']}/report")
    if report.ok:
        with st.expander(t("report", language)):
            components.html(report.data, height=700, scrolling=True)
