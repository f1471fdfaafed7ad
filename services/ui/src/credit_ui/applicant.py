"""The applicant page: find an applicant in the store (as you type) or fill in a new application;
then the score and decision with its principal reasons, the decision record (where an officer
overrides it and downloads the notice to a refused applicant), the reasons both ways, the
counter-offer when refused, the applicant against the reference population, and what-if changes
scored without being logged."""

from __future__ import annotations

import bisect
import math
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

import streamlit as st
from credit_core.catalogue import YEAR_DAYS
from credit_core.contracts.access import ACCESS_REASONS
from credit_core.contracts.applicants import ApplicantIds, StoredApplicant
from credit_core.contracts.decisions import OVERRIDE_REASONS, DecisionWithOverrides, Score
from credit_core.contracts.explanations import CounterOffer, Explanation, Population, Reason
from credit_core.reason_codes import reason_catalogue

from credit_ui import charts
from credit_ui.client import Answer, Services
from credit_ui.form import application_form
from credit_ui.i18n import LANGUAGES, number, percent, t
from credit_ui.labels import group_label, label, short, value_text

M = TypeVar("M")
DECISION_ICONS = {"granted": "✔", "refused": "✖"}  # in every font; the words say it too
WHAT_IF_FIELDS = ("AMT_CREDIT", "AMT_ANNUITY", "AMT_INCOME_TOTAL", "DAYS_EMPLOYED")
MIN_GROUP = 30  # a comparable group smaller than this is widened (income band first, then age band)


def problem(answer: Answer[Any], service: str, language: str) -> None:
    if answer.error in ("service_down", "service_error"):
        st.warning(t(answer.error, language, service=service))
    else:
        st.warning(f"{service}: {answer.error}")


def _once(case: dict[str, Any], key: str, call: Callable[[], Answer[M]]) -> Answer[M]:
    """A service answer kept with the case, so that reruns (what-if edits, views) do not call again."""
    if key not in case:
        case[key] = call()
    answer: Answer[M] = case[key]
    return answer


# ---- finding the applicant ------------------------------------------------------------------------


def _open_stored(services: Services, applicant: int, reason: str, language: str) -> None:
    why = {"X-Access-Reason": reason}  # recorded in the scoring API's access log, with who asked
    score = services.scoring.call("GET", f"/v1/applicants/{applicant}/score", Score, headers=why)
    if not score.ok:
        st.session_state.pop("case", None)
        problem(score, "scoring", language)
        return
    stored = services.scoring.call("GET", f"/v1/applicants/{applicant}", StoredApplicant, headers=why)
    if not stored.ok:
        st.session_state.pop("case", None)
        problem(stored, "scoring", language)
        return
    body = {"application": stored.value.application, **stored.value.history}
    st.session_state["case"] = {
        "key": f"store-{applicant}",
        "applicant": applicant,
        "body": body,
        "score": score.value,
        "why": why,  # the explainer's look-ups of this applicant give the same reason
    }


def _lookup(services: Services, language: str) -> None:
    raw = st.text_input(t("applicant_number", language), key="applicant", placeholder="100001").strip()
    reason = st.selectbox(
        t("access_reason", language),
        ACCESS_REASONS,
        index=None,
        format_func=lambda r: t(f"reason_{r}", language),
        key="access_reason",
    )
    clicked = st.button(t("look_up", language), key="look_up")
    if raw and not raw.isdigit():
        st.error(t("number_invalid", language))
        return
    chosen = int(raw) if clicked and raw else None
    if raw and not clicked:  # as you type: the applicants of the store whose number starts so
        matches = services.scoring.call("GET", "/v1/applicants", ApplicantIds, params={"prefix": raw, "limit": 20})
        ids = matches.value.applicant_ids if matches.ok else []
        if matches.ok and not ids:
            st.info(t("no_match", language))
        elif ids and ids != [int(raw)]:
            picked = st.selectbox(t("matches", language, count=len(ids)), ids, index=None, key=f"match-{raw}")
            chosen = picked
    if clicked and not raw:
        st.error(t("number_invalid", language))
    elif chosen is not None and reason is None:
        st.warning(t("reason_needed", language))
    elif chosen is not None and st.session_state.get("case", {}).get("key") != f"store-{chosen}":
        _open_stored(services, chosen, str(reason), language)


def _new_application(services: Services, language: str) -> None:
    application = application_form(language)
    if application is None:
        return
    body = {"application": application}
    score = services.scoring.call("POST", "/v1/scores", Score, json=body)
    if not score.ok:
        problem(score, "scoring", language)
        return
    key = f"new-{score.value.request_id}"
    st.session_state["case"] = {"key": key, "applicant": None, "body": body, "score": score.value}


# ---- the case ---------------------------------------------------------------------------------------


def _decision(result: Score, language: str) -> None:
    probability, threshold = result.probability, result.threshold
    side = t("below" if probability < threshold else "above", language)
    left, right = st.columns(2)
    left.altair_chart(charts.gauge(probability, threshold, language), width="stretch")
    right.subheader(f"{DECISION_ICONS[result.decision]} {t(result.decision, language)}")
    right.metric(t("probability", language), percent(probability, language))
    right.write(f"{t('threshold', language)}: {percent(threshold, language)}")
    distance = number(abs(probability - threshold) * 100, language, 1)
    right.write(t("distance", language, distance=distance, side=side))
    right.caption(t("model_version", language, version=result.model_version))
    if result.reasons:  # what the applicant is told: the codes against applicants granted near the cut-off
        catalogue = reason_catalogue()
        right.markdown(f"**{t('principal_reasons', language)}**")
        right.markdown(
            "\n".join(
                f"{i}. {catalogue.get(r.code).text(language)} ({r.code})" for i, r in enumerate(result.reasons, 1)
            )
        )


def reason_text(reason: Reason, language: str) -> str:
    """``Time in current job: 0.2 years (typical 4.4 years) raised the risk``, from the structured
    fields of the explanation, in either language."""
    typical = value_text(reason.median, reason.unit, language) if reason.median is not None else "—"
    return t(
        "reason",
        language,
        label=short(label(reason.feature, language)),
        value=value_text(reason.value, reason.unit, language),
        typical=typical,
        effect=t("raised" if reason.shap > 0 else "lowered", language),
    )


def _reasons(explanation: Explanation, language: str) -> None:
    up, down = st.columns(2)
    for column, side, reasons in (
        (up, "towards_default", explanation.towards_default),
        (down, "towards_repayment", explanation.towards_repayment),
    ):
        column.markdown(f"**{'▲' if side == 'towards_default' else '▼'} {t(side, language)}**")
        for reason in reasons:
            points = number(abs(reason.effect) * 100, language, 1)
            topic, sentence = group_label(reason, language), reason_text(reason, language)
            lead = "" if sentence.startswith(short(topic)) else f"**{topic}** — "
            column.write(f"- {lead}{sentence} ({t('points', language, points=points)})")
    reasons = explanation.towards_default + explanation.towards_repayment
    steps = [(group_label(r, language), r.effect) for r in reasons]
    other = explanation.probability - explanation.base_probability - sum(value for _, value in steps)
    st.caption(t("reasons_chart", language))
    st.altair_chart(
        charts.waterfall(
            explanation.base_probability,
            [*steps, (t("other_reasons", language), other)],
            explanation.probability,
            language,
        ),
        width="stretch",
    )


def _counter_offer(services: Services, case: dict[str, Any], version: str, language: str) -> None:
    params = {"model_version": version}
    answer = _once(
        case,
        "offer",
        lambda: (
            services.explainer.call(
                "GET",
                f"/v1/applicants/{case['applicant']}/counter-offer",
                CounterOffer,
                params=params,
                headers=case["why"],
            )
            if case["applicant"] is not None
            else services.explainer.call("POST", "/v1/counter-offers", CounterOffer, params=params, json=case["body"])
        ),
    )
    if not answer.ok:
        problem(answer, "explainer", language)
        return
    st.subheader(t("counter_offer", language))
    offer = answer.value.offer
    if offer is None:
        st.info(t("no_offer", language))
    else:
        share = percent(offer.share_of_requested, language, 0)
        annuity = number(offer.annuity, language)
        st.info(t("offer", language, amount=number(offer.amount, language), annuity=annuity, share=share))
    for lever in answer.value.levers:
        if lever.flips:
            needed, current = number(lever.needed, language), number(lever.current, language)
            note = t(f"note_{lever.field}", language) if language == "fr" else lever.note
            st.write(
                t("lever", language, label=label(lever.field, language), needed=needed, current=current, note=note)
            )


def _band(value: float, edges: list[float]) -> int:
    return bisect.bisect_right(edges, value)


def _comparable(population: Population, application: dict[str, Any], language: str) -> tuple[list[bool], str]:
    """Rows of the reference population like this applicant: same contract type, ten-year age
    band, income quartile; widened (income, then age) while fewer than MIN_GROUP."""
    segments = population.segments
    incomes = sorted(v for v in segments.income if v is not None)
    edges = [incomes[len(incomes) * q // 4] for q in (1, 2, 3)] if incomes else []
    age = abs(application["DAYS_BIRTH"]) / YEAR_DAYS
    income = application.get("AMT_INCOME_TOTAL")
    contract = application.get("NAME_CONTRACT_TYPE")

    def same(row: int, with_income: bool, with_age: bool) -> bool:
        if segments.contract_type[row] != contract:
            return False
        other_age = segments.age_years[row]
        if with_age and (other_age is None or other_age // 10 != age // 10):
            return False
        other_income = segments.income[row]
        return not (
            with_income
            and income is not None
            and (other_income is None or _band(other_income, edges) != _band(income, edges))
        )

    for with_income, with_age in ((True, True), (False, True), (False, False)):
        keep = [same(row, with_income, with_age) for row in range(population.rows)]
        if sum(keep) >= MIN_GROUP:
            break
    parts = [str(contract)]
    if with_age:
        decade = int(age // 10) * 10
        parts.append(t("age_band", language, low=decade, high=decade + 9))
    if with_income and income is not None and edges:
        band = _band(income, edges)
        low = number(edges[band - 1], language) if band > 0 else "0"
        high = number(edges[band], language) if band < len(edges) else "∞"
        parts.append(t("income_band", language, low=low, high=high))
    return keep, ", ".join(parts)


def _shown(values: list[Any], unit: str) -> list[Any]:
    """Values as the officer reads them on a chart: days ago in years, ratios in per cent."""
    if unit == "days":
        return [None if v is None else abs(v) / YEAR_DAYS for v in values]
    if unit == "ratio":
        return [None if v is None else v * 100 for v in values]
    return values


def _axis_title(reason: Reason, language: str) -> str:
    suffix = {"days": f" ({t('years_ago', language)})", "ratio": " (%)"}.get(reason.unit, "")
    return short(label(reason.feature, language)) + suffix


def _share_below(values: list[float], value: float | None) -> float | None:
    if value is None:
        return None
    known = sorted(v for v in values if v is not None and not math.isnan(v))
    return bisect.bisect_left(known, value) / len(known) if known else None


def _population(services: Services, case: dict[str, Any], explanation: Explanation, language: str) -> None:
    reasons = sorted(explanation.towards_default + explanation.towards_repayment, key=lambda r: -abs(r.shap))
    top = [r for r in reasons if isinstance(r.value, int | float)][:3]
    if not top:
        st.info(t("no_numeric_reason", language))
        return
    params = {"features": [r.feature for r in top], "model_version": explanation.model_version}
    answer = _once(
        case, "population", lambda: services.explainer.call("GET", "/v1/population", Population, params=params)
    )
    if not answer.ok:
        problem(answer, "explainer", language)
        return
    population = answer.value
    keep, description = _comparable(population, case["body"]["application"], language)
    outcome = population.outcome
    group_rate = sum(o for o, k in zip(outcome, keep, strict=True) if k) / max(sum(keep), 1)
    st.write(
        t(
            "comparable",
            language,
            group=description,
            count=number(sum(keep), language),
            rate=percent(group_rate, language),
            everyone=percent(sum(outcome) / len(outcome), language),
            total=number(population.rows, language),
        )
    )
    for reason in top:
        values = _shown(population.features[reason.feature], reason.unit)
        group = [v for v, k in zip(values, keep, strict=True) if k]
        value = _shown([reason.value], reason.unit)[0]
        chart = charts.distribution(values, group, value, _axis_title(reason, language), language)
        st.altair_chart(chart, width="stretch")
        st.caption(
            t(
                "position",
                language,
                value=value_text(reason.value, reason.unit, language),
                everyone=percent(_share_below(values, value), language, 0),
                group=percent(_share_below(group, value), language, 0),
            )
        )
    if len(top) >= 2:
        x, y = top[0], top[1]
        points = {
            "x": _shown(population.features[x.feature], x.unit),
            "y": _shown(population.features[y.feature], y.unit),
            "outcome": outcome,
        }
        applicant = (_shown([x.value], x.unit)[0], _shown([y.value], y.unit)[0])
        chart = charts.scatter(points, _axis_title(x, language), _axis_title(y, language), applicant, language)
        st.altair_chart(chart, width="stretch")
        st.caption(t("scatter_caption", language))


def _what_if(services: Services, case: dict[str, Any], version: str, language: str) -> None:
    application = case["body"]["application"]
    st.caption(t("what_if_help", language))
    with st.form(f"what_if_{case['key']}"):
        columns = st.columns(len(WHAT_IF_FIELDS))
        changed: dict[str, Any] = {}
        for column, field in zip(columns, WHAT_IF_FIELDS, strict=True):
            current = application.get(field)
            if field == "DAYS_EMPLOYED":  # years in the job; empty = no current job
                years = None if current is None or current > 0 else round(abs(current) / YEAR_DAYS, 1)
                value = column.number_input(
                    t("employment_years", language), value=years, min_value=0.0, max_value=80.0, step=0.5,
                    key=f"wi_{field}_{case['key']}",
                )  # fmt: skip
                changed[field] = None if value is None else -round(value * YEAR_DAYS)
                if years is not None and value is not None and round(value, 1) == years:
                    changed[field] = current  # untouched: keep the exact day count
            else:
                value = column.number_input(
                    label(field, language), value=None if current is None else float(current), min_value=0.0,
                    step=1000.0, format="%.0f", key=f"wi_{field}_{case['key']}",
                )  # fmt: skip
                changed[field] = value
        submitted = st.form_submit_button(t("what_if_score", language))
    if submitted:
        body = case["body"] | {"application": application | changed}
        case["what_if"] = {
            "answer": services.explainer.call(
                "POST", "/v1/explanations", Explanation, params={"top": 3, "model_version": version}, json=body
            ),
            "changes": {f: (application.get(f), v) for f, v in changed.items() if v != application.get(f)},
        }
    if "what_if" not in case:
        return
    answer, changes = case["what_if"]["answer"], case["what_if"]["changes"]
    if not answer.ok:
        problem(answer, "explainer", language)
        return
    result, before = answer.value, case["score"]
    delta = (result.probability - before.probability) * 100
    left, right = st.columns(2)
    left.metric(
        t("probability", language),
        percent(result.probability, language),
        delta=f"{number(delta, language, 1)} {t('points_short', language)}",
        delta_color="inverse",
    )
    left.subheader(f"{DECISION_ICONS[result.decision]} {t(result.decision, language)}")
    if result.decision != before.decision:
        left.success(
            t("decision_changed", language, before=t(before.decision, language), after=t(result.decision, language))
        )
    else:
        left.write(t("decision_same", language))
    for field, (old, new) in changes.items():
        unit = "days" if field == "DAYS_EMPLOYED" else "currency"
        right.write(
            f"- {label(field, language)}: {value_text(old, unit, language)} → {value_text(new, unit, language)}"
        )
    right.caption(t("reasons_after", language))
    for arrow, reasons in (("▲", result.towards_default), ("▼", result.towards_repayment)):
        for reason in reasons:
            right.write(f"{arrow} {reason_text(reason, language)}")


def _when(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def _record(services: Services, case: dict[str, Any], language: str) -> None:
    """The decision record (the model's decision and the officers' overrides), an override form,
    and the notice to the applicant while the decision that stands is a refusal."""
    result: Score = case["score"]
    path = f"/v1/decisions/{result.request_id}"

    def fetch() -> Answer[DecisionWithOverrides]:
        answer = services.scoring.call("GET", path, DecisionWithOverrides)
        for _ in range(10):  # a decision answered a moment ago may still be on its way to the database
            if answer.status != 404:
                break
            time.sleep(0.2)
            answer = services.scoring.call("GET", path, DecisionWithOverrides)
        return answer

    record = _once(case, "record", fetch)
    with st.expander(t("record_title", language), expanded=bool(record.ok and record.value.overrides)):
        if not record.ok:
            case.pop("record")
            problem(record, "scoring", language)
            return
        decided = record.value
        st.write(
            t(
                "record_model",
                language,
                version=decided.model_version,
                decision=t(decided.decision, language),
                when=_when(decided.scored_at),
            )
        )
        for change in decided.overrides:
            st.write(
                t(
                    "record_override",
                    language,
                    by=change.by,
                    before=t(change.from_decision, language),
                    after=t(change.to_decision, language),
                    when=_when(change.overridden_at),
                    reason=t(f"override_{change.reason}", language),
                    comment=change.comment or "—",
                )
            )
        st.markdown(f"**{t('record_final', language, decision=t(decided.final_decision, language))}**")
        other = "granted" if decided.final_decision == "refused" else "refused"
        with st.form("override", clear_on_submit=True):
            st.markdown(
                f"**{t('override_title', language)}**: {t('override_to', language, decision=t(other, language))}"
            )
            reason = st.selectbox(
                t("override_reason", language), OVERRIDE_REASONS, format_func=lambda r: t(f"override_{r}", language)
            )
            comment = st.text_area(t("override_comment", language), max_chars=1000)
            if st.form_submit_button(t("override_submit", language)):
                body = {"decision": other, "reason": reason, "comment": comment.strip()}
                made = services.scoring.call("POST", f"{path}/overrides", DecisionWithOverrides, json=body)
                if made.ok:
                    case["record"] = made
                    st.success(t("override_done", language))
                    st.rerun()
                problem(made, "scoring", language)
        if decided.final_decision == "refused":
            for code, name in LANGUAGES.items():
                notice = _once(case, f"notice-{code}", _notice(services, path, code))
                if notice.ok:
                    st.download_button(
                        t("notice_download", language, name=name),
                        notice.value,
                        file_name=f"notice-{result.request_id}-{code}.html",
                        mime="text/html",
                        key=f"notice-{code}",
                        on_click="ignore",  # a download changes nothing on the page: no rerun
                    )


def _notice(services: Services, path: str, language: str) -> Callable[[], Answer[str]]:
    return lambda: services.scoring.text("GET", f"{path}/notice", params={"language": language})


def show_case(services: Services, case: dict[str, Any], language: str) -> None:
    result: Score = case["score"]
    _decision(result, language)
    _record(services, case, language)
    version = result.model_version
    params = {"top": 5, "model_version": version}
    explanation = _once(
        case,
        "explanation",
        lambda: (
            services.explainer.call(
                "GET",
                f"/v1/applicants/{case['applicant']}/explanation",
                Explanation,
                params=params,
                headers=case["why"],
            )
            if case["applicant"] is not None
            else services.explainer.call("POST", "/v1/explanations", Explanation, params=params, json=case["body"])
        ),
    )
    # one view at a time: only what is looked at is computed and drawn
    view = st.radio(
        t("view", language),
        ["reasons", "population", "what_if"],
        format_func=lambda v: t(f"view_{v}", language),
        horizontal=True,
        key="case_view",
    )
    if view == "what_if":
        _what_if(services, case, version, language)
    elif not explanation.ok:
        problem(explanation, "explainer", language)
    elif view == "population":
        _population(services, case, explanation.value, language)
    else:
        _reasons(explanation.value, language)
        if result.decision == "refused":
            _counter_offer(services, case, version, language)


def applicant_page(services: Services, language: str) -> None:
    mode = st.radio(
        t("find_or_new", language),
        ["lookup", "new"],
        format_func=lambda m: t(f"mode_{m}", language),
        horizontal=True,
        key="mode",
    )
    if mode == "lookup":
        _lookup(services, language)
    else:
        _new_application(services, language)
    case = st.session_state.get("case")
    if case is not None and case["key"].startswith("store-" if mode == "lookup" else "new-"):
        show_case(services, case, language)
