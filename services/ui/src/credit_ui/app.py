"""The dashboard: ``streamlit run services/ui/src/credit_ui/app.py`` (settings from ``UI_*``).

Applicant page so far: look an applicant up in the scoring API's store, see the score against
the threshold, the decision in words and icon, and the distance to the threshold.
"""

from __future__ import annotations

import streamlit as st

from credit_ui.client import Answer, Services
from credit_ui.config import Settings
from credit_ui.i18n import LANGUAGES, number, percent, t


def _problem(answer: Answer, service: str, language: str) -> None:
    if answer.error in ("service_down", "service_error"):
        st.warning(t(answer.error, language, service=service))
    else:
        st.warning(f"{service}: {answer.error}")


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
    services = Services.from_settings(settings)
    st.title(t("title", language))
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
    left.metric(t("probability", language), percent(result["probability"], language))
    left.caption(f"{t('threshold', language)}: {percent(result['threshold'], language)}")
    right.subheader(f"{icon} {t(decision, language)}")
    right.write(t("distance", language, distance=number(distance, language, 1), side=side))
    st.caption(t("model_version", language, version=result["model_version"]))


if __name__ == "__main__":
    main()
