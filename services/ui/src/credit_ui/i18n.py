"""English and French: the dashboard's words, and numbers, amounts and dates as each locale writes
them (1,234.5 / 1 234,5)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

LANGUAGES = {"en": "English", "fr": "Français"}

TEXT: dict[str, dict[str, str]] = {
    "title": {"en": "Credit scoring", "fr": "Scoring crédit"},
    "language": {"en": "Language", "fr": "Langue"},
    "applicant_number": {"en": "Applicant number", "fr": "Numéro du demandeur"},
    "look_up": {"en": "Look up", "fr": "Rechercher"},
    "number_invalid": {
        "en": "An applicant number is a whole number, e.g. 100001.",
        "fr": "Un numéro de demandeur est un nombre entier, par exemple 100001.",
    },
    "probability": {"en": "Probability of default", "fr": "Probabilité de défaut"},
    "threshold": {"en": "Threshold", "fr": "Seuil"},
    "granted": {"en": "Granted", "fr": "Accordé"},
    "refused": {"en": "Refused", "fr": "Refusé"},
    "distance": {
        "en": "{distance} points {side} the threshold",
        "fr": "{distance} points {side} du seuil",
    },
    "below": {"en": "below", "fr": "en dessous"},
    "above": {"en": "above", "fr": "au-dessus"},
    "service_down": {
        "en": "The {service} service is not answering. The rest of the page still works; try again in a moment.",
        "fr": "Le service {service} ne répond pas. Le reste de la page fonctionne ; réessayez dans un instant.",
    },
    "service_error": {
        "en": "The {service} service refused the request.",
        "fr": "Le service {service} a refusé la demande.",
    },
    "model_version": {"en": "Model version {version}", "fr": "Version du modèle {version}"},
    "towards_default": {"en": "Raises the risk", "fr": "Augmente le risque"},
    "towards_repayment": {"en": "Lowers the risk", "fr": "Diminue le risque"},
    "reason": {
        "en": "{label}: {value} (typical {typical}) {effect} the risk",
        "fr": "{label} : {value} (habituel {typical}) {effect} le risque",
    },
    "raised": {"en": "raised", "fr": "a augmenté"},
    "lowered": {"en": "lowered", "fr": "a diminué"},
    "points": {"en": "{points} points", "fr": "{points} points"},
    "reasons_chart": {
        "en": "From the average applicant to this one, in probability points (approximate)",
        "fr": "Du demandeur moyen à celui-ci, en points de probabilité (approximatif)",
    },
    "average_applicant": {"en": "Average applicant", "fr": "Demandeur moyen"},
    "other_reasons": {"en": "Other reasons", "fr": "Autres raisons"},
    "this_applicant": {"en": "This applicant", "fr": "Ce demandeur"},
    "counter_offer": {"en": "Counter-offer", "fr": "Contre-proposition"},
    "offer": {
        "en": "A loan of {amount} (annuity {annuity}) would be granted: {share} of the amount asked.",
        "fr": "Un prêt de {amount} (mensualité {annuity}) serait accordé : {share} du montant demandé.",
    },
    "no_offer": {
        "en": "No amount between 10% and 100% of the request would be granted.",
        "fr": "Aucun montant entre 10 % et 100 % de la demande ne serait accordé.",
    },
    "page": {"en": "Page", "fr": "Page"},
    "page_applicant": {"en": "Applicant", "fr": "Demandeur"},
    "page_model": {"en": "Model", "fr": "Modèle"},
    "page_monitoring": {"en": "Monitoring", "fr": "Surveillance"},
    "model_card": {"en": "Model card", "fr": "Fiche du modèle"},
    "candidate": {"en": "Model family", "fr": "Famille de modèle"},
    "trained_at": {"en": "Trained at", "fr": "Entraîné le"},
    "holdout_auc": {"en": "Hold-out AUC", "fr": "AUC sur l'échantillon de test"},
    "holdout_cost": {"en": "Hold-out cost per 1,000 applicants", "fr": "Coût pour 1 000 demandeurs (test)"},
    "cost_everyone": {
        "en": "Accept everyone: {accept}; refuse everyone: {refuse}",
        "fr": "Tout accepter : {accept} ; tout refuser : {refuse}",
    },
    "importance": {"en": "What drives the model (mean |SHAP|)", "fr": "Ce qui pèse dans le modèle (|SHAP| moyen)"},
    "drift_status": {"en": "Drift status", "fr": "État de la dérive"},
    "status_ok": {"en": "OK", "fr": "OK"},
    "status_watch": {"en": "Watch", "fr": "À surveiller"},
    "status_retrain recommended": {"en": "Retrain recommended", "fr": "Réentraînement recommandé"},
    "no_run": {"en": "No drift run yet.", "fr": "Aucune analyse de dérive pour l'instant."},
    "drift_trend": {
        "en": "Share of the model's importance that drifted, run by run",
        "fr": "Part de l'importance du modèle qui a dérivé, analyse par analyse",
    },
    "latest_columns": {"en": "Columns of the latest run", "fr": "Colonnes de la dernière analyse"},
    "report": {"en": "Evidently report of the latest run", "fr": "Rapport Evidently de la dernière analyse"},
    "lever": {
        "en": "{label} of {needed} instead of {current} would grant it on its own ({note}).",
        "fr": "{label} de {needed} au lieu de {current} suffirait à l'accorder ({note}).",
    },
}


def t(key: str, language: str, **values: Any) -> str:
    """The text of ``key`` in ``language`` (English if missing), with ``values`` filled in."""
    entry = TEXT.get(key)
    if entry is None:
        return key.format(**values) if values else key
    return entry.get(language, entry["en"]).format(**values)


def number(value: float | None, language: str, decimals: int = 0) -> str:
    if value is None:
        return "—"
    text = f"{value:,.{decimals}f}"
    if language == "fr":  # narrow no-break space between thousands, comma for decimals
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


def percent(value: float | None, language: str, decimals: int = 1) -> str:
    if value is None:
        return "—"
    return f"{number(value * 100, language, decimals)}\u00a0%" if language == "fr" else f"{value * 100:.{decimals}f}%"


def date(value: datetime, language: str) -> str:
    return value.strftime("%d/%m/%Y %H:%M") if language == "fr" else value.strftime("%Y-%m-%d %H:%M")
