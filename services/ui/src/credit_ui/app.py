"""The dashboard: ``streamlit run services/ui/src/credit_ui/app.py`` (settings from ``UI_*``).

Pages: applicant (look-up or new application; score, reasons, counter-offer, population, what-if),
batch (a CSV scored), model (the champion's card), monitoring (drift and realised performance).
It talks to the scoring API, the explainer and the monitor over HTTP only.
"""

from __future__ import annotations

import streamlit as st

from credit_ui.applicant import applicant_page
from credit_ui.client import Services
from credit_ui.config import Settings
from credit_ui.i18n import LANGUAGES, t
from credit_ui.overview import batch_page, model_page, monitoring_page

PAGES = {
    "page_applicant": applicant_page,
    "page_batch": batch_page,
    "page_model": model_page,
    "page_monitoring": monitoring_page,
}


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
