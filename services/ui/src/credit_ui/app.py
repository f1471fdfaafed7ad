"""The dashboard: ``streamlit run services/ui/src/credit_ui/app.py`` (settings from ``UI_*``).

Pages: applicant (look-up or new application; score, reasons, counter-offer, population, what-if),
batch (a CSV scored), model (the champion's card), monitoring (drift and realised performance),
each for a role (``credit_ui.access``): nothing is shown before signing in. It talks to the scoring
API, the explainer and the monitor over HTTP only, naming the user in each call.
"""

from __future__ import annotations

import streamlit as st

from credit_ui.access import sign_out_button, signed_in
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
    st.title(t("title", language))
    user = signed_in(settings, language)
    if user is None:
        return
    sign_out_button(settings, user, language)
    pages = [page for page in PAGES if user.may_open(page)]
    if not pages:
        st.warning(t("no_role", language))
        return
    page = st.sidebar.radio(t("page", language), pages, format_func=lambda p: t(p, language), key="page")
    if user.may_open(page):  # the list holds no other; checked again where the page is drawn
        PAGES[page](Services.from_settings(settings, user.name), language)


if __name__ == "__main__":
    main()
