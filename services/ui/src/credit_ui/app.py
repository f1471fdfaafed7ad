"""The dashboard: ``streamlit run services/ui/src/credit_ui/app.py`` (settings from ``UI_*``).

Applicant page so far: look an applicant up in the scoring API's store; the score on a gauge with
the threshold marked (and in text beside it), the decision in words and icon, the distance to the
threshold, the reasons both ways (sentences and a waterfall, explained by the version that
scored) and the counter-offer when refused.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import streamlit as st
import streamlit.components.v1 as components

from credit_ui.client import Answer, Services
from credit_ui.config import Settings
from credit_ui.i18n import LANGUAGES, number, percent, t


def _problem(answer: Answer, service: str, language: str) -> None:
    if answer.error in ("service_down", "service_error"):
        st.warning(t(answer.error, language, service=service))
    else:
        st.warning(f"{service}: {answer.error}")


def _gauge(probability: float, threshold: float, language: str) -> go.Figure:
    """Probability on a 0-100 gauge, the threshold marked (colour-blind-safe blue and orange)."""
    figure = go.Figure(
        go.Indicator(
            mode="gauge+number",
            value=probability * 100,
            number={"suffix": " %", "valueformat": ".1f"},
            gauge={
                "axis": {"range": [0, 100]},
                "bar": {"color": "#0072B2"},
                "steps": [{"range": [threshold * 100, 100], "color": "#FBE3C8"}],
                "threshold": {"line": {"color": "#D55E00", "width": 4}, "value": threshold * 100},
            },
            title={"text": t("probability", language)},
        )
    )
    figure.update_layout(height=260, margin={"t": 50, "b": 10, "l": 30, "r": 30})
    return figure


def _reason_text(reason: dict[str, Any], language: str) -> str:
    if language == "en":
        return str(reason["reason"])
    return t(
        "reason",
        language,
        label=reason["label"],
        value=reason["value_text"],
        typical=reason["median_text"] or "—",
        effect=t("raised" if reason["shap"] > 0 else "lowered", language),
    )


def _waterfall(explanation: dict[str, Any], language: str) -> go.Figure:
    reasons = explanation["towards_default"] + explanation["towards_repayment"]
    shown = sum(r["effect"] for r in reasons)
    other = explanation["probability"] - explanation["base_probability"] - shown
    labels = [t("average_applicant", language), *(r["group"] for r in reasons), t("other_reasons", language)]
    values = [explanation["base_probability"] * 100, *(r["effect"] * 100 for r in reasons), other * 100]
    figure = go.Figure(
        go.Waterfall(
            orientation="h",
            y=[*labels, t("this_applicant", language)],
            x=[*values, explanation["probability"] * 100],
            measure=["absolute", *["relative"] * (len(values) - 1), "total"],
            increasing={"marker": {"color": "#D55E00"}},
            decreasing={"marker": {"color": "#0072B2"}},
            totals={"marker": {"color": "#555555"}},
            text=[f"{v:+.1f}" for v in values] + [f"{explanation['probability'] * 100:.1f}"],
            textposition="outside",
        )
    )
    figure.update_layout(height=80 + 32 * len(labels), margin={"t": 10, "b": 10}, yaxis={"autorange": "reversed"})
    return figure


def _explanation(services: Services, applicant: int, version: str, language: str) -> None:
    answer = services.explainer.call(
        "GET", f"/v1/applicants/{applicant}/explanation", params={"top": 5, "model_version": version}
    )
    if not answer.ok:
        _problem(answer, "explainer", language)
        return
    explanation = answer.data
    up, down = st.columns(2)
    for column, side in ((up, "towards_default"), (down, "towards_repayment")):
        column.markdown(f"**{'▲' if side == 'towards_default' else '▼'} {t(side, language)}**")
        for reason in explanation[side]:
            points = number(abs(reason["effect"]) * 100, language, 1)
            column.write(f"- {_reason_text(reason, language)} ({t('points', language, points=points)})")
    st.caption(t("reasons_chart", language))
    st.plotly_chart(_waterfall(explanation, language), use_container_width=True)


def _counter_offer(services: Services, applicant: int, version: str, language: str) -> None:
    answer = services.explainer.call(
        "GET", f"/v1/applicants/{applicant}/counter-offer", params={"model_version": version}
    )
    if not answer.ok:
        _problem(answer, "explainer", language)
        return
    result = answer.data
    st.subheader(t("counter_offer", language))
    offer = result["offer"]
    if offer is None:
        st.info(t("no_offer", language))
    else:
        st.info(
            t(
                "offer",
                language,
                amount=number(offer["amount"], language),
                annuity=number(offer["annuity"], language),
                share=percent(offer["share_of_requested"], language, 0),
            )
        )
    for lever in result["levers"]:
        if lever["flips"]:
            st.write(
                t(
                    "lever",
                    language,
                    label=lever["label"],
                    needed=number(lever["needed"], language),
                    current=number(lever["current"], language),
                    note=lever["note"],
                )
            )


STATUS_ICONS = {"ok": "✅", "watch": "⚠️", "retrain recommended": "⛔"}


def applicant_page(services: Services, language: str) -> None:
    raw = st.text_input(t("applicant_number", language), key="applicant")
    if not st.button(t("look_up", language), key="look_up"):
        return
    if not raw.strip().isdigit():
        st.error(t("number_invalid", language))
        return
    score = services.scoring.call("GET", f"/v1/applicants/{int(raw)}/score")
    if not score.ok:
        _problem(score, "scoring", language)
        return
    result = score.data
    decision = result["decision"]
    icon = "✅" if decision == "granted" else "⛔"
    distance = abs(result["probability"] - result["threshold"]) * 100
    side = t("below" if result["probability"] < result["threshold"] else "above", language)
    left, right = st.columns(2)
    left.plotly_chart(_gauge(result["probability"], result["threshold"], language), use_container_width=True)
    right.subheader(f"{icon} {t(decision, language)}")
    right.metric(t("probability", language), percent(result["probability"], language))
    right.write(f"{t('threshold', language)}: {percent(result['threshold'], language)}")
    right.write(t("distance", language, distance=number(distance, language, 1), side=side))
    right.caption(t("model_version", language, version=result["model_version"]))
    applicant, version = int(raw), result["model_version"]
    _explanation(services, applicant, version, language)
    if decision == "refused":
        _counter_offer(services, applicant, version, language)


def model_page(services: Services, language: str) -> None:
    st.header(t("model_card", language))
    info = services.scoring.call("GET", "/v1/model")
    if not info.ok:
        _problem(info, "scoring", language)
    else:
        model = info.data
        holdout = model["metrics"].get("holdout", {})
        costs = model["metrics"].get("reference_costs", {})
        left, middle, right = st.columns(3)
        left.metric(t("model_version", language, version=model["version"]), model["candidate"])
        left.write(f"{t('trained_at', language)}: {model['trained_at']}")
        middle.metric(t("holdout_auc", language), number(holdout.get("auc"), language, 3))
        middle.write(f"{t('threshold', language)}: {percent(model['threshold'], language)}")
        right.metric(t("holdout_cost", language), number(holdout.get("cost_per_1000"), language))
        if costs:
            right.write(
                t(
                    "cost_everyone",
                    language,
                    accept=number(costs.get("accept_everyone_per_1000"), language),
                    refuse=number(costs.get("refuse_everyone_per_1000"), language),
                )
            )
    importance = services.explainer.call("GET", "/v1/explanations/global", params={"top": 15})
    if not importance.ok:
        _problem(importance, "explainer", language)
        return
    rows = importance.data["features"]
    st.subheader(t("importance", language))
    figure = go.Figure(
        go.Bar(
            x=[r["mean_abs_shap"] for r in rows],
            y=[r["label"] for r in rows],
            orientation="h",
            marker={"color": "#0072B2"},
            text=[number(r["mean_abs_shap"], language, 3) for r in rows],
            textposition="outside",
        )
    )
    figure.update_layout(height=60 + 26 * len(rows), margin={"t": 10, "b": 10}, yaxis={"autorange": "reversed"})
    st.plotly_chart(figure, use_container_width=True)


def monitoring_page(services: Services, language: str) -> None:
    st.header(t("drift_status", language))
    summary = services.monitor.call("GET", "/v1/drift/summary")
    if not summary.ok:
        _problem(summary, "monitor", language)
        return
    data = summary.data
    if data["latest"] is None:
        st.info(t("no_run", language))
        return
    status = data["status"]
    st.subheader(f"{STATUS_ICONS.get(status, '')} {t('status_' + status, language)}")
    for reason in data["reasons"]:
        st.write(f"- {reason}")
    trend = data["trend"]
    st.caption(t("drift_trend", language))
    st.plotly_chart(
        go.Figure(
            go.Scatter(
                x=[r["id"] for r in trend],
                y=[r["drifted_importance"] * 100 for r in trend],
                mode="lines+markers+text",
                text=[STATUS_ICONS.get(r["status"], "") for r in trend],
                textposition="top center",
                line={"color": "#0072B2"},
            )
        ).update_layout(height=260, margin={"t": 10, "b": 10}),
        use_container_width=True,
    )
    latest = services.monitor.call("GET", f"/v1/drift/runs/{data['latest']['id']}")
    if latest.ok:
        st.subheader(t("latest_columns", language))
        st.dataframe(latest.data["column_results"], hide_index=True)
    report = services.monitor.call("GET", f"/v1/drift/runs/{data['latest']['id']}/report")
    if report.ok:
        with st.expander(t("report", language)):
            components.html(report.data, height=700, scrolling=True)


PAGES = {"page_applicant": applicant_page, "page_model": model_page, "page_monitoring": monitoring_page}


def main() -> None:
    settings = Settings()
    st.set_page_config(page_title="bank-scoring", layout="wide")
    language = st.sidebar.radio(
        t("language", settings.language),
        list(LANGUAGES),
        format_func=LANGUAGES.get,
        index=list(LANGUAGES).index(settings.language),
        key="language",
    )
    page = st.sidebar.radio(t("page", language), list(PAGES), format_func=lambda p: t(p, language), key="page")
    st.title(t("title", language))
    PAGES[page](Services.from_settings(settings), language)


if __name__ == "__main__":
    main()
