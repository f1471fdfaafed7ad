"""The batch page (a CSV of applications scored), the model page (the champion's card) and the
monitoring page (drift, realised performance, the recommendation)."""

from __future__ import annotations

import html
import io

import pandas as pd
import streamlit as st
import streamlit.components.v1 as components
from credit_core.contracts.decisions import OverrideSummary
from credit_core.contracts.drift import Estimate, Run, Summary
from credit_core.contracts.explanations import GlobalImportance
from credit_core.contracts.model_card import ModelCard, ModelInfo

from credit_ui import charts
from credit_ui.applicant import problem
from credit_ui.client import Services
from credit_ui.config import Settings
from credit_ui.i18n import number, percent, t
from credit_ui.labels import label, short

STATUS_ICONS = {"ok": "✔", "watch": "⚠", "retrain recommended": "✖"}  # in every font; the words say it too


def batch_page(services: Services, language: str) -> None:
    st.header(t("batch_title", language))
    st.caption(t("batch_help", language))
    upload = st.file_uploader(t("batch_file", language), type=["csv"], key="batch_file")
    if upload is None:
        return
    answer = services.scoring.text(
        "POST", "/v1/scores/batch.csv", files={"file": (upload.name, upload.getvalue(), "text/csv")}
    )
    if not answer.ok:
        problem(answer, "scoring", language)
        return
    scored = pd.read_csv(io.StringIO(answer.value))
    refused = int((scored["decision"] == "refused").sum())
    left, middle, right = st.columns(3)
    left.metric(t("batch_rows", language), number(len(scored), language))
    middle.metric(
        t("batch_refused", language), f"{number(refused, language)} ({percent(refused / len(scored), language)})"
    )
    right.metric(t("batch_mean", language), percent(float(scored["probability"].mean()), language))
    st.dataframe(scored[["SK_ID_CURR", "probability", "decision", "model_version"]], hide_index=True)
    st.download_button(
        t("batch_download", language), answer.value, file_name=f"scored-{upload.name}", mime="text/csv", key="batch_dl"
    )


def model_page(services: Services, language: str) -> None:
    st.header(t("model_card", language))
    info = services.scoring.call("GET", "/v1/model", ModelInfo)
    if not info.ok:
        problem(info, "scoring", language)
    else:
        model = info.value
        card, holdout, costs = model.card, model.card.holdout, model.card.reference_costs
        left, middle, right = st.columns(3)
        left.metric(t("model_version", language, version=model.version), card.candidate)
        left.write(f"{t('trained_at', language)}: {card.trained_at:%Y-%m-%d %H:%M} UTC")
        left.write(
            t(
                "trained_on",
                language,
                applicants=number(card.training_applicants, language),
                holdout=number(card.holdout_applicants, language),
                rate=percent(card.default_rate, language),
            )
        )
        middle.metric(t("holdout_auc", language), number(holdout.auc, language, 3))
        middle.write(f"{t('threshold', language)}: {percent(model.threshold, language)}")
        right.metric(t("holdout_cost", language), number(holdout.cost_per_1000, language))
        accept = number(costs.accept_everyone_per_1000, language)
        refuse = number(costs.refuse_everyone_per_1000, language)
        right.write(t("cost_everyone", language, accept=accept, refuse=refuse))
        curves = card.curves
        cost, roc = st.columns(2)
        cost.subheader(t("cost_curve", language))
        cost.altair_chart(charts.cost_curve(curves.cost, model.threshold, language), width="stretch")
        best = min(range(len(curves.cost.threshold)), key=lambda i: curves.cost.cost_per_1000[i])
        cost.caption(
            t(
                "cost_caption",
                language,
                threshold=percent(model.threshold, language),
                cost=number(holdout.cost_per_1000, language),
                best=percent(curves.cost.threshold[best], language, 0),
                best_cost=number(curves.cost.cost_per_1000[best], language),
            )
        )
        roc.subheader(t("roc_curve", language))
        roc.altair_chart(charts.roc(curves.roc, language), width="stretch")
        roc.caption(t("roc_caption", language, auc=number(holdout.auc, language, 3)))
        st.subheader(t("candidates", language))
        rows = [
            {
                t("candidate", language): ("✔ " if c.chosen else "") + c.candidate,
                t("cv_auc", language): round(c.cv_auc, 4),
                t("holdout_auc", language): round(c.holdout_auc, 4),
                t("holdout_cost", language): round(c.holdout_cost_per_1000, 1),
                t("threshold", language): round(c.threshold, 4),
                t("refusal_rate", language): round(c.holdout_refusal_rate, 4),
                t("auc_interval", language): _interval(c.holdout_auc_low, c.holdout_auc_high, 3),
                t("cost_interval", language): _interval(c.holdout_cost_per_1000_low, c.holdout_cost_per_1000_high, 0),
                t("parity_ratio", language): None
                if c.fairness_min_parity_ratio is None
                else round(c.fairness_min_parity_ratio, 3),
                t("fit_seconds", language): round(c.fit_seconds, 1),
            }
            for c in card.candidates
        ]
        st.dataframe(rows, hide_index=True)
        _model_risk(card, language)
        _documentation(services, model.version, language)
    importance = services.explainer.call("GET", "/v1/explanations/global", GlobalImportance, params={"top": 15})
    if not importance.ok:
        problem(importance, "explainer", language)
        return
    features = importance.value.features
    st.subheader(t("importance", language))
    st.altair_chart(
        charts.bars(
            [short(label(r.feature, language)) for r in features],
            [r.mean_abs_shap for r in features],
            [number(r.mean_abs_shap, language, 3) for r in features],
        ),
        width="stretch",
    )


def _interval(low: float | None, high: float | None, decimals: int) -> str:
    return "" if low is None or high is None else f"{low:.{decimals}f} – {high:.{decimals}f}"


def _model_risk(card: ModelCard, language: str) -> None:
    """What a model-risk reviewer reads: calibration, fairness, constraints, the scorecard."""
    if card.calibration is not None:
        c = card.calibration
        st.subheader(t("calibration", language))
        st.altair_chart(charts.reliability(c.reliability_predicted, c.reliability_observed, language), width="stretch")
        st.caption(
            t(
                "calibration_caption",
                language,
                method=c.method,
                before=number(c.holdout_ece_uncalibrated, language, 4),
                after=number(c.holdout_ece, language, 4),
                predicted=percent(c.mean_predicted, language),
                observed=percent(c.observed_rate, language),
            )
        )
    if card.fairness is not None:
        st.subheader(t("fairness", language))
        excluded = ", ".join(card.fairness.excluded_attributes) or t("nothing", language)
        st.caption(t("fairness_caption", language, excluded=excluded))
        st.table(
            [
                {
                    t("attribute", language): s.attribute,
                    t("parity_ratio", language): ""
                    if s.demographic_parity_ratio is None
                    else f"{s.demographic_parity_ratio:.3f}",
                    t("eo_difference", language): ""
                    if s.equalized_odds_difference is None
                    else f"{s.equalized_odds_difference:.3f}",
                }
                for s in card.fairness.summary
            ]
        )
        st.dataframe(
            [
                {
                    t("attribute", language): g.attribute,
                    t("group", language): g.group,
                    t("applicants", language): g.applicants,
                    t("approval_rate", language): percent(g.approval_rate, language),
                    t("default_rate_granted", language): percent(g.default_rate_granted, language),
                    t("false_refusal_rate", language): percent(g.false_refusal_rate, language),
                    t("missed_default_rate", language): percent(g.missed_default_rate, language),
                    t("holdout_cost", language): number(g.cost_per_1000, language),
                }
                for g in card.fairness.groups
            ],
            hide_index=True,
        )
    if card.monotone_constraints:
        st.subheader(t("monotone", language))
        up = [n for n, d in card.monotone_constraints.items() if d == "up"]
        down = [n for n, d in card.monotone_constraints.items() if d == "down"]
        st.caption(
            t(
                "monotone_caption",
                language,
                up=", ".join(short(label(n, language)) for n in up),
                down=", ".join(short(label(n, language)) for n in down),
            )
        )
    if card.scorecard:
        st.subheader(t("scorecard", language))
        st.caption(t("scorecard_caption", language))
        st.dataframe([row.model_dump() for row in card.scorecard], hide_index=True)


def _documentation(services: Services, version: str, language: str) -> None:
    """The version's generated documentation: to download (it opens in a browser) and to read here."""
    st.subheader(t("documentation", language))
    document = services.scoring.text("GET", "/v1/model/documentation")
    if not document.ok:
        problem(document, "scoring", language)
        return
    st.download_button(
        t("documentation_download", language),
        document.value,
        file_name=f"model-documentation-v{version}.html",
        mime="text/html",
        key="documentation",
        on_click="ignore",
    )
    with st.expander(t("documentation", language)):
        components.html(sandboxed(document.value), height=700)


def _range(estimate: Estimate, language: str, digits: int = 0, share: bool = False) -> str:
    def shown(value: float | None) -> str:
        return percent(value, language) if share else number(value, language, digits)

    return f"{shown(estimate.low)}-{shown(estimate.high)}"


def _expected(run: Run, language: str) -> None:
    """What the window's probabilities imply before outcomes, beside the hold-out."""
    estimated = run.estimated
    if estimated is None or estimated.cost_per_1000.value is None:
        return
    st.subheader(t("expected", language))
    cost, rate, auc = st.columns(3)
    reference_cost, reference_auc = estimated.holdout_cost_per_1000, estimated.holdout_auc
    value = estimated.cost_per_1000.value
    cost.metric(
        t("expected_cost", language),
        number(value, language),
        delta=None if reference_cost is None else number(value - reference_cost, language),
        delta_color="inverse",
    )
    rate.metric(t("expected_default_rate", language), percent(estimated.default_rate.value, language))
    expected_auc = estimated.auc.value
    auc.metric(
        t("expected_auc", language),
        number(expected_auc, language, 3),
        delta=None
        if expected_auc is None or reference_auc is None
        else number(expected_auc - reference_auc, language, 3),
    )
    st.caption(
        t(
            "expected_caption",
            language,
            cost=_range(estimated.cost_per_1000, language),
            rate=_range(estimated.default_rate, language, share=True),
            auc=_range(estimated.auc, language, 3),
        )
    )


def _segments(run: Run, language: str) -> None:
    """Drift and expected cost per segment, drifting ones first."""
    if not run.segments:
        return
    st.subheader(t("segments", language))
    rows = [
        {
            t("segment_column", language): f"{s.segmentation}: {s.segment}",
            t("segment_rows_column", language): s.current_rows,
            t("segment_drift_column", language): (
                ("⚠️" if s.dataset_drift else "✅") if s.judged else t("not_judged", language)
            ),
            t("segment_columns_column", language): ", ".join(s.drifted_columns[:5]),
            t("segment_refusals_column", language): percent(s.refusal_rate, language) if s.judged else "",
            t("segment_cost_column", language): (
                number(s.estimated.cost_per_1000.value, language) if s.estimated else ""
            ),
        }
        for s in sorted(run.segments, key=lambda s: (not s.dataset_drift, not s.judged))
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True)
    st.caption(t("segments_caption", language, rows=number(run.settings.get("segment_min_rows"), language)))


def _performance(run: Run, language: str) -> None:
    performance = run.performance
    st.subheader(t("realised", language))
    outcomes = performance.outcomes
    if not outcomes or performance.auc is None:
        st.info(t("no_outcomes", language, count=number(outcomes, language)))
        return
    left, right = st.columns(2)
    auc, reference_auc = performance.auc, performance.holdout_auc
    left.metric(
        t("realised_auc", language),
        number(auc, language, 3),
        delta=None if reference_auc is None else number(auc - reference_auc, language, 3),
    )
    cost, reference_cost = performance.cost_per_1000, performance.holdout_cost_per_1000
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
    evidently = Settings().evidently_url
    if evidently:  # the runs over time, in the tool ops know
        st.link_button(t("open_evidently", language), evidently)
    if _drift(services, language):  # the monitor answered
        _overrides(services, language)


def _overrides(services: Services, language: str) -> None:
    """How often officers change the model's decisions, per version and per reason."""
    st.header(t("overrides", language))
    summary = services.monitor.call("GET", "/v1/overrides/summary", OverrideSummary)
    if not summary.ok:
        problem(summary, "monitor", language)
        return
    data = summary.value
    rate = percent(data.alert_rate, language)
    for version in data.versions:
        if version.above_alert:
            st.warning(
                t(
                    "override_alert",
                    language,
                    version=version.model_version,
                    rate=percent(version.rate, language),
                    alert=rate,
                )
            )
    st.caption(t("override_window", language, since=f"{data.since:%Y-%m-%d}", alert=rate))
    # tables, not data frames: a few rows, to read (and printed as text)
    columns = ("model_version_column", "decisions_column", "overridden_column", "override_rate_column")
    headers = [t(c, language) for c in (*columns, "refused_to_granted", "granted_to_refused")]
    rows = [
        [
            v.model_version,
            v.decisions,
            v.overridden,
            percent(v.rate, language),
            v.refused_to_granted,
            v.granted_to_refused,
        ]
        for v in data.versions
    ]
    st.table(pd.DataFrame(rows, columns=headers).set_index(headers[0]))
    reason_column = t("override_reason_column", language)
    st.table(
        pd.DataFrame(
            {reason_column: [t(f"override_{r}", language) for r in data.reasons], "n": list(data.reasons.values())}
        ).set_index(reason_column)
    )


def _drift(services: Services, language: str) -> bool:
    """The drift status, trend and latest run; False when the monitor did not answer."""
    st.header(t("drift_status", language))
    summary = services.monitor.call("GET", "/v1/drift/summary", Summary)
    if not summary.ok:
        problem(summary, "monitor", language)
        return False
    data = summary.value
    latest = data.latest
    if latest is None:
        st.info(t("no_run", language))
        return True
    st.subheader(f"{STATUS_ICONS.get(data.status, '')} {t('status_' + data.status, language)}")
    st.write(t("status_advice_" + data.status, language))
    if language != "en" and data.reasons:
        st.caption(t("monitor_words", language))
    for reason in data.reasons:
        st.write(f"- {reason}")
    st.caption(t("drift_trend", language))
    st.altair_chart(
        charts.trend(
            [f"#{r.id}" for r in data.trend],
            [r.drifted_importance * 100 for r in data.trend],
            [STATUS_ICONS.get(r.status, "") for r in data.trend],
            t("drifted_importance_axis", language),
            t("run", language),
        ),
        width="stretch",
    )
    st.write(
        t(
            "latest_run",
            language,
            id=latest.id,
            rows=number(latest.current_rows, language),
            drifted=latest.drifted_columns,
            columns=latest.columns,
            share=percent(latest.drifted_importance, language),
        )
    )
    _expected(latest, language)
    _performance(latest, language)
    _segments(latest, language)
    run = services.monitor.call("GET", f"/v1/drift/runs/{latest.id}", Run)
    if run.ok:
        st.subheader(t("latest_columns", language))
        st.dataframe([c.model_dump() for c in run.value.column_results or []], hide_index=True)
    report = services.monitor.text("GET", f"/v1/drift/runs/{latest.id}/report")
    if report.ok:
        with st.expander(t("report", language)):
            components.html(sandboxed(report.value), height=700)
    return True


def sandboxed(page: str) -> str:
    """A page of another service framed so that its scripts run in an origin of their own: they
    draw the report but cannot reach the dashboard (its session, its cookies, its calls)."""
    return (
        '<iframe sandbox="allow-scripts" referrerpolicy="no-referrer" title="report"'
        f' style="width:100%;height:680px;border:0" srcdoc="{html.escape(page, quote=True)}"></iframe>'
    )
