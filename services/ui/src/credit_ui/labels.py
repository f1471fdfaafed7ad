"""Feature and field names as a credit officer reads them, in English (from ``credit_core``'s
schema and feature catalogue) and in French (here), and values in their unit for each locale."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from credit_core.catalogue import YEAR_DAYS, feature_catalogue
from credit_core.contracts.explanations import FeatureContribution
from credit_core.schema import APPLICATION_TEST, Unit

from credit_ui.i18n import number

_BUILDING = {
    "APARTMENTS": "taille des appartements",
    "BASEMENTAREA": "surface du sous-sol",
    "YEARS_BEGINEXPLUATATION": "années d'exploitation",
    "YEARS_BUILD": "âge de l'immeuble",
    "COMMONAREA": "parties communes",
    "ELEVATORS": "nombre d'ascenseurs",
    "ENTRANCES": "nombre d'entrées",
    "FLOORSMAX": "étage le plus haut",
    "FLOORSMIN": "étage le plus bas",
    "LANDAREA": "surface du terrain",
    "LIVINGAPARTMENTS": "appartements habités",
    "LIVINGAREA": "surface habitable",
    "NONLIVINGAPARTMENTS": "locaux non habités",
    "NONLIVINGAREA": "surface non habitable",
}
_BUILDING_STAT = {"AVG": "moyenne", "MODE": "valeur la plus fréquente", "MEDI": "médiane"}
_ENQUIRY_WINDOW = {
    "HOUR": "dernière heure",
    "DAY": "dernier jour",
    "WEEK": "dernière semaine",
    "MON": "dernier mois",
    "QRT": "dernier trimestre",
    "YEAR": "dernière année",
}

FRENCH: dict[str, str] = {
    # application fields
    "SK_ID_CURR": "Numéro du demandeur",
    "NAME_CONTRACT_TYPE": "Type de contrat",
    "CODE_GENDER": "Sexe",
    "FLAG_OWN_CAR": "Possède une voiture",
    "FLAG_OWN_REALTY": "Propriétaire de son logement",
    "CNT_CHILDREN": "Nombre d'enfants",
    "AMT_INCOME_TOTAL": "Revenu annuel",
    "AMT_CREDIT": "Montant du crédit",
    "AMT_ANNUITY": "Mensualité du prêt",
    "AMT_GOODS_PRICE": "Prix du bien financé",
    "NAME_TYPE_SUITE": "Accompagné de",
    "NAME_INCOME_TYPE": "Type de revenu",
    "NAME_EDUCATION_TYPE": "Niveau d'études",
    "NAME_FAMILY_STATUS": "Situation familiale",
    "NAME_HOUSING_TYPE": "Logement",
    "REGION_POPULATION_RELATIVE": "Densité de population de la région",
    "DAYS_BIRTH": "Âge",
    "DAYS_EMPLOYED": "Ancienneté dans l'emploi actuel",
    "DAYS_REGISTRATION": "Temps depuis le changement d'adresse enregistrée",
    "DAYS_ID_PUBLISH": "Temps depuis le changement de pièce d'identité",
    "OWN_CAR_AGE": "Âge de la voiture",
    "FLAG_MOBIL": "A donné un portable",
    "FLAG_EMP_PHONE": "A donné le téléphone de l'employeur",
    "FLAG_WORK_PHONE": "A donné un téléphone professionnel",
    "FLAG_CONT_MOBILE": "Portable joignable",
    "FLAG_PHONE": "A donné un téléphone fixe",
    "FLAG_EMAIL": "A donné une adresse e-mail",
    "OCCUPATION_TYPE": "Profession",
    "CNT_FAM_MEMBERS": "Taille du foyer",
    "REGION_RATING_CLIENT": "Note de la région",
    "REGION_RATING_CLIENT_W_CITY": "Note de la région et de la ville",
    "WEEKDAY_APPR_PROCESS_START": "Jour de la demande",
    "HOUR_APPR_PROCESS_START": "Heure de la demande",
    "REG_REGION_NOT_LIVE_REGION": "Vit hors de la région enregistrée",
    "REG_REGION_NOT_WORK_REGION": "Travaille hors de la région enregistrée",
    "LIVE_REGION_NOT_WORK_REGION": "Travaille hors de sa région",
    "REG_CITY_NOT_LIVE_CITY": "Vit hors de la ville enregistrée",
    "REG_CITY_NOT_WORK_CITY": "Travaille hors de la ville enregistrée",
    "LIVE_CITY_NOT_WORK_CITY": "Travaille hors de sa ville",
    "ORGANIZATION_TYPE": "Secteur de l'employeur",
    "EXT_SOURCE_1": "Score externe 1",
    "EXT_SOURCE_2": "Score externe 2",
    "EXT_SOURCE_3": "Score externe 3",
    "FONDKAPREMONT_MODE": "Immeuble : fonds de travaux",
    "HOUSETYPE_MODE": "Immeuble : type",
    "TOTALAREA_MODE": "Immeuble : surface totale (valeur la plus fréquente)",
    "WALLSMATERIAL_MODE": "Immeuble : matériau des murs",
    "EMERGENCYSTATE_MODE": "Immeuble : en état d'urgence",
    "OBS_30_CNT_SOCIAL_CIRCLE": "Proches vus en retard de 30 jours et plus",
    "DEF_30_CNT_SOCIAL_CIRCLE": "Proches en défaut à 30 jours et plus",
    "OBS_60_CNT_SOCIAL_CIRCLE": "Proches vus en retard de 60 jours et plus",
    "DEF_60_CNT_SOCIAL_CIRCLE": "Proches en défaut à 60 jours et plus",
    "DAYS_LAST_PHONE_CHANGE": "Temps depuis le changement de téléphone",
    **{
        f"{field}_{stat}": f"Immeuble : {name} ({how})"
        for field, name in _BUILDING.items()
        for stat, how in _BUILDING_STAT.items()
    },
    **{f"FLAG_DOCUMENT_{n}": f"A fourni le document {n}" for n in range(2, 22)},
    **{f"AMT_REQ_CREDIT_BUREAU_{w}": f"Consultations du bureau de crédit, {fr}" for w, fr in _ENQUIRY_WINDOW.items()},
    # engineered features
    "CREDIT_INCOME_RATIO": "Montant du crédit / revenu annuel",
    "ANNUITY_INCOME_RATIO": "Mensualité / revenu annuel",
    "ANNUITY_CREDIT_RATIO": "Mensualité / montant du crédit (taux de remboursement)",
    "CREDIT_TERM": "Montant du crédit / mensualité (durée approximative en échéances)",
    "CREDIT_GOODS_RATIO": "Montant du crédit / prix du bien",
    "INCOME_PER_FAMILY_MEMBER": "Revenu annuel par membre du foyer",
    "EMPLOYED_AGE_RATIO": "Part de la vie passée dans l'emploi actuel",
    "AGE_YEARS": "Âge en années",
    "EMPLOYMENT_YEARS": "Années dans l'emploi actuel (vide si aucun)",
    "NO_EMPLOYMENT": "Pas d'emploi actuel enregistré (retraité, sans emploi)",
    "REGISTRATION_YEARS": "Années depuis le changement d'adresse enregistrée",
    "ID_PUBLISH_YEARS": "Années depuis le changement de pièce d'identité",
    "PHONE_CHANGE_YEARS": "Années depuis le changement de téléphone",
    "EXT_SOURCE_MEAN": "Moyenne des scores externes disponibles",
    "EXT_SOURCE_MIN": "Score externe le plus bas",
    "EXT_SOURCE_MAX": "Score externe le plus haut",
    "EXT_SOURCE_PROD": "Produit des trois scores externes",
    "EXT_SOURCE_STD": "Dispersion des scores externes disponibles",
    "EXT_SOURCE_COUNT": "Nombre de scores externes disponibles",
    "DOCUMENT_COUNT": "Nombre de documents fournis",
    "CONTACT_COUNT": "Nombre de moyens de contact donnés",
    "ADDRESS_MISMATCH_COUNT": "Adresses (domicile, enregistrée, travail) qui diffèrent",
    "BUREAU_ENQUIRIES_TOTAL": "Consultations du bureau de crédit sur l'année, toutes périodes",
    "SOCIAL_CIRCLE_DEFAULT_RATIO": "Part des proches connus en défaut",
    "BUREAU_COUNT": "Crédits déclarés au bureau",
    "BUREAU_ACTIVE_COUNT": "Crédits actifs au bureau",
    "BUREAU_CLOSED_COUNT": "Crédits clos au bureau",
    "BUREAU_ACTIVE_SHARE": "Part des crédits du bureau encore actifs",
    "BUREAU_BAD_DEBT_COUNT": "Crédits du bureau cédés ou passés en perte",
    "BUREAU_CARD_COUNT": "Cartes de crédit chez d'autres prêteurs",
    "BUREAU_MICROLOAN_COUNT": "Microcrédits chez d'autres prêteurs",
    "BUREAU_DAYS_CREDIT_MIN": "Jours depuis l'ouverture du plus ancien crédit du bureau (négatif)",
    "BUREAU_DAYS_CREDIT_MAX": "Jours depuis l'ouverture du plus récent crédit du bureau (négatif)",
    "BUREAU_DAYS_CREDIT_MEAN": "Date moyenne d'ouverture des crédits du bureau (négatif)",
    "BUREAU_ACTIVE_CREDIT_SUM": "Montant des crédits actifs au bureau",
    "BUREAU_ACTIVE_DEBT_SUM": "Dette restante sur les crédits actifs au bureau",
    "BUREAU_ACTIVE_DEBT_CREDIT_RATIO": "Dette / montant des crédits actifs au bureau",
    "BUREAU_OVERDUE_SUM": "Montant en retard aujourd'hui chez d'autres prêteurs",
    "BUREAU_OVERDUE_COUNT": "Crédits du bureau en retard aujourd'hui",
    "BUREAU_DAYS_OVERDUE_MAX": "Plus long retard actuel chez d'autres prêteurs, en jours",
    "BUREAU_MAX_OVERDUE_AMOUNT": "Plus grand montant jamais en retard chez d'autres prêteurs",
    "BUREAU_PROLONG_SUM": "Nombre de prolongations des crédits du bureau",
    "BUREAU_STATUS_MONTHS": "Statuts mensuels déclarés au bureau",
    "BUREAU_STATUS_DPD_SHARE": "Part des statuts mensuels connus avec retard",
    "BUREAU_STATUS_OK_SHARE": "Part des statuts mensuels payés à temps",
    "BUREAU_STATUS_UNKNOWN_SHARE": "Part des statuts mensuels inconnus (X)",
    "BUREAU_STATUS_CLOSED_SHARE": "Part des statuts mensuels clos (C)",
    "BUREAU_STATUS_WORST": "Pire statut mensuel, 0 = à temps .. 5 = plus de 120 jours de retard",
    "BUREAU_NO_HISTORY": "1 si le demandeur n'a aucune ligne au bureau",
    "PREV_COUNT": "Demandes précédentes ici",
    "PREV_APPROVED_COUNT": "Demandes précédentes acceptées",
    "PREV_REFUSED_COUNT": "Demandes précédentes refusées",
    "PREV_CANCELED_COUNT": "Demandes précédentes annulées",
    "PREV_APPROVED_SHARE": "Part des demandes précédentes acceptées",
    "PREV_REFUSED_SHARE": "Part des demandes précédentes refusées",
    "PREV_REFUSED_LAST_YEAR": "Demandes refusées sur les 12 derniers mois",
    "PREV_DAYS_DECISION_MAX": "Jours depuis la dernière décision précédente (négatif)",
    "PREV_AMT_APPLICATION_MEAN": "Montant moyen demandé auparavant",
    "PREV_APPROVED_CREDIT_MEAN": "Montant moyen accordé sur les demandes acceptées",
    "PREV_GRANTED_ASKED_RATIO": "Montant accordé / montant demandé sur les demandes acceptées",
    "PREV_REFUSED_ASKED_MEAN": "Montant moyen demandé sur les demandes refusées",
    "PREV_ANNUITY_MEAN": "Mensualité moyenne des demandes précédentes",
    "PREV_TERM_MEAN": "Durée moyenne des demandes précédentes, en mois",
    "PREV_DOWN_PAYMENT_RATE_MEAN": "Taux d'apport moyen",
    "PREV_RUNNING_COUNT": "Prêts accordés ici encore en cours",
    "PREV_NO_HISTORY": "1 si le demandeur n'a aucune demande précédente",
    "INST_COUNT": "Échéances enregistrées",
    "INST_DAYS_LATE_MEAN": "Retard moyen de paiement d'une échéance, en jours",
    "INST_DAYS_LATE_MAX": "Plus grand retard de paiement d'une échéance, en jours",
    "INST_LATE_SHARE": "Part des échéances payées en retard",
    "INST_LATE_30_COUNT": "Échéances payées avec plus de 30 jours de retard",
    "INST_LATE_SHARE_LAST_YEAR": "Part des échéances des 12 derniers mois payées en retard",
    "INST_DAYS_EARLY_MEAN": "Avance moyenne de paiement d'une échéance, en jours",
    "INST_PAID_OWED_RATIO": "Montant payé / montant dû sur toutes les échéances",
    "INST_UNDERPAID_SUM": "Total des impayés sur les échéances",
    "INST_NO_HISTORY": "1 si le demandeur n'a aucune échéance enregistrée",
    "POS_MONTHS": "Relevés mensuels des prêts en magasin et en espèces",
    "POS_LOANS": "Prêts en magasin et en espèces avec relevés mensuels",
    "POS_DPD_MAX": "Plus grand retard sur un prêt en magasin ou en espèces, en jours",
    "POS_DPD_MEAN": "Retard moyen sur les prêts en magasin et en espèces, en jours",
    "POS_DPD_DEF_MAX": "Plus grand retard, petites dettes ignorées, en jours",
    "POS_LATE_MONTHS_SHARE": "Part des mois avec retard",
    "POS_REMAINING_SHARE_MEAN": "Part moyenne des échéances restant à payer",
    "POS_NO_HISTORY": "1 si le demandeur n'a aucun prêt en magasin ou en espèces",
    "CC_MONTHS": "Relevés mensuels des cartes de crédit ici",
    "CC_LIMIT_MEAN": "Plafond moyen de la carte",
    "CC_BALANCE_MEAN": "Solde moyen de la carte",
    "CC_UTILISATION_MEAN": "Solde / plafond moyen de la carte",
    "CC_UTILISATION_MAX": "Solde / plafond le plus haut de la carte",
    "CC_UTILISATION_LAST": "Solde / plafond de la carte le dernier mois",
    "CC_DRAWINGS_MEAN": "Retraits mensuels moyens par carte",
    "CC_ATM_SHARE": "Part des retraits par carte en espèces",
    "CC_PAYMENT_MIN_RATIO": "Paiements par carte / paiements minimaux dus",
    "CC_DPD_MAX": "Plus grand retard sur une carte, en jours",
    "CC_LATE_MONTHS_SHARE": "Part des mois de carte avec retard",
    "CC_NO_HISTORY": "1 si le demandeur n'a aucune carte de crédit ici",
    "BUREAU_DEBT_INCOME_RATIO": "Dette chez d'autres prêteurs / revenu annuel",
    "PREV_ANNUITY_INCOME_RATIO": "Mensualité précédente moyenne / revenu annuel",
}

GROUPS_FR = {
    "Application field": "Champ de la demande",
    "Payment history": "Historique de paiement",
    "Bureau arrears": "Retards déclarés au bureau",
    "Previous applications": "Demandes précédentes",
    "External scores": "Scores externes",
    "Bureau credits": "Crédits au bureau",
    "Credit cards": "Cartes de crédit",
    "History available": "Historique disponible",
    "Affordability": "Capacité de remboursement",
    "Stability": "Stabilité",
    "Bureau debt": "Dette au bureau",
    "Previous refusals": "Refus précédents",
    "Loan terms": "Conditions du prêt",
    "Employment": "Emploi",
    "Credit history length": "Ancienneté de l'historique de crédit",
    "Loans here": "Prêts chez nous",
    "Card utilisation": "Utilisation des cartes",
    "Age": "Âge",
    "Documents": "Documents",
    "Contact details": "Coordonnées",
    "Bureau enquiries": "Consultations du bureau",
    "Social circle": "Entourage",
}

ENGLISH: dict[str, str] = {c.name: c.label for c in APPLICATION_TEST.columns} | {
    row["name"]: row["description"] for row in feature_catalogue() if row["group"] != "Application field"
}


def label(name: str, language: str) -> str:
    """A field's or feature's label in ``language`` (the column name when unknown)."""
    english = ENGLISH.get(name, name)
    return FRENCH.get(name, english) if language == "fr" else english


def short(text: str) -> str:
    """A label without its parenthetical detail, for sentences and chart axes."""
    return re.sub(r"\s*\([^)]*\)", "", text).strip()


def group_label(reason: FeatureContribution, language: str) -> str:
    """The topic a reason is reported under (a raw field's own label when it has no topic)."""
    if language != "fr":
        return reason.group
    return GROUPS_FR.get(reason.group) or short(label(reason.feature, language))


_WORDS = {
    "en": {"years": "years", "days": "days", "months": "months", "yes": "yes", "no": "no", "none": "not provided"},
    "fr": {"years": "ans", "days": "jours", "months": "mois", "yes": "oui", "no": "non", "none": "non renseigné"},
}


_FORMATS: dict[str, Callable[[float, str, dict[str, str]], str]] = {
    Unit.CURRENCY: lambda n, lang, w: number(n, lang),
    Unit.DAYS: lambda n, lang, w: f"{number(abs(n) / YEAR_DAYS, lang, 1)} {w['years']}",  # how long ago
    Unit.DURATION: lambda n, lang, w: f"{number(n, lang, 1)} {w['days']}",
    Unit.YEARS: lambda n, lang, w: f"{number(n, lang, 1)} {w['years']}",
    Unit.MONTHS: lambda n, lang, w: f"{number(n, lang)} {w['months']}",
    Unit.RATIO: lambda n, lang, w: f"{number(n * 100, lang, 1)}\u00a0%",
    Unit.MULTIPLE: lambda n, lang, w: f"{number(n, lang, 2)} x",
    Unit.FLAG: lambda n, lang, w: w["yes"] if n >= 0.5 else w["no"],
    Unit.SCORE: lambda n, lang, w: number(n, lang, 2),
    Unit.HOUR: lambda n, lang, w: f"{int(n)}:00" if lang == "en" else f"{int(n)} h",
}


def value_text(value: Any, unit: str | None, language: str) -> str:
    """One value in its unit, as the locale writes it: ``-438`` days -> ``1.2 years`` / ``1,2 ans``."""
    words = _WORDS[language]
    if value is None:
        return words["none"]
    if isinstance(value, str):
        return value
    n = float(value)
    if unit in _FORMATS:
        return _FORMATS[unit](n, language, words)
    return number(n, language, 0 if n.is_integer() else 2)
