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
    "principal_reasons": {"en": "Principal reasons for the refusal", "fr": "Principales raisons du refus"},
    "overrides": {"en": "Officers' overrides", "fr": "Décisions modifiées par les chargés de crédit"},
    "override_alert": {
        "en": "Officers changed {rate} of version {version}'s decisions (alert above {alert})",
        "fr": "Les chargés ont modifié {rate} des décisions de la version {version} (alerte au-delà de {alert})",
    },
    "override_window": {
        "en": "Decisions scored since {since}; alert above {alert}",
        "fr": "Décisions prises depuis le {since} ; alerte au-delà de {alert}",
    },
    "model_version_column": {"en": "Model version", "fr": "Version du modèle"},
    "decisions_column": {"en": "Decisions", "fr": "Décisions"},
    "overridden_column": {"en": "Overridden", "fr": "Modifiées"},
    "override_rate_column": {"en": "Override rate", "fr": "Taux de modification"},
    "refused_to_granted": {"en": "Refused → granted", "fr": "Refusé → accordé"},
    "granted_to_refused": {"en": "Granted → refused", "fr": "Accordé → refusé"},
    "override_reason_column": {"en": "Reason", "fr": "Motif"},
    "override_additional-information": {"en": "Additional information", "fr": "Informations complémentaires"},
    "override_verified-income": {"en": "Income or employment verified", "fr": "Revenus ou emploi vérifiés"},
    "override_existing-relationship": {"en": "Existing relationship", "fr": "Relation existante"},
    "override_policy-exception": {"en": "Documented policy exception", "fr": "Exception à la politique documentée"},
    "override_suspected-fraud": {"en": "Suspected fraud", "fr": "Suspicion de fraude"},
    "override_affordability-concern": {"en": "Affordability concern", "fr": "Doute sur la capacité de remboursement"},
    "override_data-error": {"en": "An input was wrong", "fr": "Une donnée était erronée"},
    "override_title": {"en": "Override this decision", "fr": "Modifier cette décision"},
    "override_to": {"en": "Change the decision to: {decision}", "fr": "Changer la décision en : {decision}"},
    "override_reason": {"en": "Reason", "fr": "Motif"},
    "override_comment": {
        "en": "Comment (what you saw, at least 10 characters)",
        "fr": "Commentaire (ce que vous avez constaté, 10 caractères au moins)",
    },
    "override_submit": {"en": "Record the override", "fr": "Enregistrer la modification"},
    "override_done": {"en": "Override recorded", "fr": "Modification enregistrée"},
    "record_title": {"en": "Decision record", "fr": "Dossier de la décision"},
    "record_model": {
        "en": "Model version {version} decided: {decision} ({when})",
        "fr": "La version {version} du modèle a décidé : {decision} ({when})",
    },
    "record_override": {
        "en": "{by} changed it from {before} to {after} ({when}): {reason} — “{comment}”",
        "fr": "{by} l'a changée de {before} en {after} ({when}) : {reason} — « {comment} »",
    },
    "record_final": {"en": "The decision that stands: {decision}", "fr": "La décision retenue : {decision}"},
    "notice_download": {"en": "Notice to the applicant ({name})", "fr": "Lettre au demandeur ({name})"},
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
    "auc_interval": {"en": "AUC, 95% interval", "fr": "AUC, intervalle à 95 %"},
    "cost_interval": {"en": "Cost per 1,000, 95% interval", "fr": "Coût pour 1 000, intervalle à 95 %"},
    "parity_ratio": {"en": "Lowest approval ratio", "fr": "Plus faible rapport d'acceptation"},
    "calibration": {"en": "Calibration", "fr": "Calibration"},
    "calibration_caption": {
        "en": "Method {method}, chosen on out-of-fold scores. Expected calibration error on the hold-out: {before} "
        "before calibration, {after} served. Mean predicted {predicted} against {observed} observed.",
        "fr": "Méthode {method}, choisie sur les scores hors pli. Erreur de calibration attendue sur le test : {before} "
        "avant calibration, {after} en service. Probabilité moyenne {predicted} contre {observed} observé.",
    },
    "perfect": {"en": "perfect", "fr": "parfait"},
    "predicted_axis": {"en": "Mean predicted probability", "fr": "Probabilité moyenne prédite"},
    "observed_axis": {"en": "Observed default rate", "fr": "Taux de défaut observé"},
    "fairness": {"en": "Fairness on the hold-out", "fr": "Équité sur l'échantillon de test"},
    "fairness_caption": {
        "en": "Approval-rate ratio: lowest group over highest (groups of 50 or more; 0.8 is the usual four-fifths "
        "line). Equalized-odds difference: the largest gap in refusal rates among good payers or among defaulters. "
        "Trained without: {excluded}.",
        "fr": "Rapport d'acceptation : groupe le plus bas sur le plus haut (groupes de 50 et plus ; 0,8 est la règle "
        "usuelle des quatre cinquièmes). Écart d'égalité des chances : le plus grand écart de taux de refus parmi les "
        "bons payeurs ou parmi les défaillants. Entraîné sans : {excluded}.",
    },
    "nothing": {"en": "nothing", "fr": "rien"},
    "attribute": {"en": "Attribute", "fr": "Attribut"},
    "group": {"en": "Group", "fr": "Groupe"},
    "applicants": {"en": "Applicants", "fr": "Demandeurs"},
    "approval_rate": {"en": "Approval rate", "fr": "Taux d'acceptation"},
    "default_rate_granted": {"en": "Defaults among granted", "fr": "Défauts parmi les acceptés"},
    "false_refusal_rate": {"en": "Good payers refused", "fr": "Bons payeurs refusés"},
    "missed_default_rate": {"en": "Defaulters granted", "fr": "Défaillants acceptés"},
    "eo_difference": {"en": "Equalized-odds difference", "fr": "Écart d'égalité des chances"},
    "monotone": {"en": "Monotone constraints", "fr": "Contraintes monotones"},
    "monotone_caption": {
        "en": "The risk may only rise with: {up}. It may only fall with: {down}.",
        "fr": "Le risque ne peut que monter avec : {up}. Il ne peut que baisser avec : {down}.",
    },
    "scorecard": {"en": "Scorecard (points)", "fr": "Grille de score (points)"},
    "scorecard_caption": {
        "en": "600 points at odds of 50 good payers to one defaulter; 20 more points double the odds.",
        "fr": "600 points pour 50 bons payeurs par défaillant ; 20 points de plus doublent la cote.",
    },
    "documentation": {"en": "Model documentation", "fr": "Documentation du modèle"},
    "documentation_download": {
        "en": "Download the model documentation (HTML)",
        "fr": "Télécharger la documentation du modèle (HTML)",
    },
    "importance": {"en": "What drives the model (mean |SHAP|)", "fr": "Ce qui pèse dans le modèle (|SHAP| moyen)"},
    "drift_status": {"en": "Drift status", "fr": "État de la dérive"},
    "open_evidently": {
        "en": "Open the runs in Evidently (dashboards over time, every snapshot)",
        "fr": "Ouvrir les analyses dans Evidently (tableaux de bord dans le temps, chaque instantané)",
    },
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
    "page_batch": {"en": "Batch", "fr": "Lot"},
    "find_or_new": {"en": "Applicant", "fr": "Demandeur"},
    "mode_lookup": {"en": "Look up an applicant", "fr": "Rechercher un demandeur"},
    "mode_new": {"en": "New application", "fr": "Nouvelle demande"},
    "no_match": {
        "en": "No applicant number starts with these digits.",
        "fr": "Aucun numéro ne commence par ces chiffres.",
    },
    "matches": {
        "en": "Applicants starting with these digits ({count})",
        "fr": "Demandeurs commençant par ces chiffres ({count})",
    },
    "form_help": {
        "en": "Fields are checked as you type. Amounts in the lender's currency, durations in years.",
        "fr": "Les champs sont vérifiés à la saisie. Montants dans la devise du prêteur, durées en années.",
    },
    "more_fields": {
        "en": "More fields (building, documents, contacts, enquiries)",
        "fr": "Autres champs (immeuble, documents, contacts, consultations)",
    },
    "years_ago": {"en": "years", "fr": "années"},
    "currency": {"en": "amount", "fr": "montant"},
    "yes": {"en": "Yes", "fr": "Oui"},
    "no": {"en": "No", "fr": "Non"},
    "field_problem": {"en": "{label}: {message}", "fr": "{label} : {message}"},
    "field_required": {"en": "required", "fr": "obligatoire"},
    "field_range": {"en": "must be between {low} and {high}", "fr": "doit être entre {low} et {high}"},
    "annuity_above_credit": {
        "en": "the annuity cannot exceed the credit amount",
        "fr": "la mensualité ne peut pas dépasser le montant du crédit",
    },
    "family_too_small": {
        "en": "the family counts at least the applicant and the children",
        "fr": "le foyer compte au moins le demandeur et ses enfants",
    },
    "form_fix": {
        "en": "{count} field(s) to correct before scoring.",
        "fr": "{count} champ(s) à corriger avant le calcul.",
    },
    "score_application": {"en": "Score this application", "fr": "Calculer le score"},
    "view": {"en": "View", "fr": "Affichage"},
    "monitor_words": {
        "en": "In the monitor's words:",
        "fr": "Détail donné par le service de surveillance (en anglais) :",
    },
    "run": {"en": "Drift run", "fr": "Analyse de dérive"},
    "drifted_importance_axis": {"en": "% of importance drifted", "fr": "% de l'importance en dérive"},
    "view_reasons": {"en": "Reasons", "fr": "Raisons"},
    "view_population": {"en": "Compared with others", "fr": "Comparé aux autres"},
    "view_what_if": {"en": "What if", "fr": "Et si"},
    "note_AMT_ANNUITY": {"en": "longer term", "fr": "durée plus longue"},
    "note_AMT_INCOME_TOTAL": {"en": "higher income", "fr": "revenu plus élevé"},
    "age_band": {"en": "aged {low}–{high}", "fr": "{low}–{high} ans"},
    "income_band": {"en": "income {low}–{high}", "fr": "revenu {low}–{high}"},
    "comparable": {
        "en": "Comparable group ({group}): {count} of the {total} reference applicants, default rate {rate} (everyone: {everyone}).",
        "fr": "Groupe comparable ({group}) : {count} des {total} demandeurs de référence, taux de défaut {rate} (tous : {everyone}).",
    },
    "no_numeric_reason": {"en": "No numeric reason to compare.", "fr": "Aucune raison chiffrée à comparer."},
    "position": {
        "en": "This applicant: {value} — above {everyone} of everyone and {group} of the comparable group.",
        "fr": "Ce demandeur : {value} — au-dessus de {everyone} de tous et de {group} du groupe comparable.",
    },
    "everyone": {"en": "Everyone", "fr": "Tous"},
    "share_axis": {"en": "% of the group", "fr": "% du groupe"},
    "comparable_group": {"en": "Comparable group", "fr": "Groupe comparable"},
    "repaid": {"en": "Repaid", "fr": "Remboursé"},
    "defaulted": {"en": "Defaulted", "fr": "En défaut"},
    "scatter_caption": {
        "en": "Reference applicants: repaid as blue circles, defaulted as vermilion crosses; the star is this applicant.",
        "fr": "Demandeurs de référence : remboursés en ronds bleus, en défaut en croix vermillon ; l'étoile est ce demandeur.",
    },
    "what_if_help": {
        "en": "Change a few fields and score again. What-if scores are not logged as predictions.",
        "fr": "Modifiez quelques champs et recalculez. Ces simulations ne sont pas enregistrées comme prédictions.",
    },
    "employment_years": {"en": "Years in the current job", "fr": "Années dans l'emploi actuel"},
    "what_if_score": {"en": "Score the change", "fr": "Calculer avec ces changements"},
    "points_short": {"en": "pts", "fr": "pts"},
    "points_axis": {"en": "Probability of default (points)", "fr": "Probabilité de défaut (points)"},
    "decision_changed": {
        "en": "The decision changes: {before} → {after}",
        "fr": "La décision change : {before} → {after}",
    },
    "reasons_after": {"en": "Main reasons after the change", "fr": "Principales raisons après le changement"},
    "decision_same": {"en": "The decision does not change.", "fr": "La décision ne change pas."},
    "batch_title": {"en": "Score a file of applications", "fr": "Scorer un fichier de demandes"},
    "batch_help": {
        "en": "A CSV in the application_test layout (one row per application, header line). The scored file comes back with the probability and the decision of each row.",
        "fr": "Un CSV au format application_test (une ligne par demande, avec en-tête). Le fichier revient avec la probabilité et la décision de chaque ligne.",
    },
    "batch_file": {"en": "CSV file of applications", "fr": "Fichier CSV de demandes"},
    "batch_rows": {"en": "Applications scored", "fr": "Demandes scorées"},
    "batch_refused": {"en": "Refused", "fr": "Refusées"},
    "batch_mean": {"en": "Mean probability of default", "fr": "Probabilité de défaut moyenne"},
    "batch_download": {"en": "Download the scored file", "fr": "Télécharger le fichier scoré"},
    "trained_on": {
        "en": "Trained on {applicants} applicants ({holdout} held out), default rate {rate}",
        "fr": "Entraîné sur {applicants} demandeurs ({holdout} mis de côté), taux de défaut {rate}",
    },
    "cost_curve": {"en": "Business cost vs threshold", "fr": "Coût métier selon le seuil"},
    "threshold_axis": {"en": "Threshold (%)", "fr": "Seuil (%)"},
    "cost_axis": {"en": "Cost per 1,000 applicants (10·FN + FP)", "fr": "Coût pour 1 000 demandeurs (10·FN + FP)"},
    "cost_caption": {
        "en": "At the threshold in service ({threshold}) the hold-out cost is {cost} per 1,000; the lowest on this grid is {best_cost} at {best}.",
        "fr": "Au seuil en service ({threshold}) le coût sur l'échantillon de test est {cost} pour 1 000 ; le plus bas de cette grille est {best_cost} à {best}.",
    },
    "roc_curve": {"en": "ROC curve (hold-out)", "fr": "Courbe ROC (échantillon de test)"},
    "roc_caption": {"en": "Hold-out AUC {auc}.", "fr": "AUC sur l'échantillon de test : {auc}."},
    "fpr_axis": {
        "en": "Good payers refused (false positive rate)",
        "fr": "Bons payeurs refusés (taux de faux positifs)",
    },
    "tpr_axis": {"en": "Defaults caught (true positive rate)", "fr": "Défauts détectés (taux de vrais positifs)"},
    "model": {"en": "Model", "fr": "Modèle"},
    "chance": {"en": "Chance", "fr": "Hasard"},
    "no_curves": {
        "en": "This version was trained before curves were kept with the model.",
        "fr": "Cette version a été entraînée avant que les courbes soient conservées avec le modèle.",
    },
    "candidates": {"en": "Candidates compared", "fr": "Candidats comparés"},
    "cv_auc": {"en": "CV AUC", "fr": "AUC validation croisée"},
    "refusal_rate": {"en": "Refusal rate", "fr": "Taux de refus"},
    "fit_seconds": {"en": "Fit time (s)", "fr": "Durée d'entraînement (s)"},
    "status_advice_ok": {"en": "Nothing to do.", "fr": "Rien à faire."},
    "status_advice_watch": {
        "en": "Look at the drifted columns below; check the data feed before anything else.",
        "fr": "Regardez les colonnes qui dérivent ci-dessous ; vérifiez d'abord l'alimentation des données.",
    },
    "status_advice_retrain recommended": {
        "en": "Retrain on recent data and promote only if the new model beats the champion.",
        "fr": "Réentraînez sur des données récentes et ne promouvez que si le nouveau modèle bat le champion.",
    },
    "latest_run": {
        "en": "Latest run #{id}: {rows} predictions, {drifted} of {columns} columns drifted, carrying {share} of the model's importance.",
        "fr": "Dernière analyse n° {id} : {rows} prédictions, {drifted} colonnes sur {columns} en dérive, portant {share} de l'importance du modèle.",
    },
    "expected": {"en": "Expected before outcomes", "fr": "Attendu avant les résultats"},
    "expected_cost": {"en": "Cost per 1,000 (expected)", "fr": "Coût pour 1 000 (attendu)"},
    "expected_default_rate": {"en": "Default rate (expected)", "fr": "Taux de défaut (attendu)"},
    "expected_auc": {"en": "AUC (expected)", "fr": "AUC (attendue)"},
    "expected_caption": {
        "en": "From the window's calibrated probabilities, before any repayment is known; if they are right, the realised figures fall in these ranges 95 times in 100: cost {cost}, default rate {rate}, AUC {auc}. The arrows compare with the hold-out. A change in how applicants repay for the same inputs (concept drift) shows only in realised performance.",
        "fr": "D'après les probabilités calibrées de la fenêtre, avant tout remboursement connu ; si elles sont justes, les chiffres constatés tomberont dans ces intervalles 95 fois sur 100 : coût {cost}, taux de défaut {rate}, AUC {auc}. Les flèches comparent à l'échantillon de test. Un changement de comportement à données égales (dérive de concept) ne se voit que sur la performance constatée.",
    },
    "segments": {"en": "Drift per segment", "fr": "Dérive par segment"},
    "segments_caption": {
        "en": "Segments with fewer than {rows} predictions or reference rows are not judged.",
        "fr": "Les segments de moins de {rows} prédictions ou lignes de référence ne sont pas évalués.",
    },
    "segment_column": {"en": "Segment", "fr": "Segment"},
    "segment_rows_column": {"en": "Predictions", "fr": "Prédictions"},
    "segment_drift_column": {"en": "Drift", "fr": "Dérive"},
    "segment_columns_column": {"en": "Drifted columns", "fr": "Colonnes en dérive"},
    "segment_cost_column": {"en": "Expected cost per 1,000", "fr": "Coût attendu pour 1 000"},
    "segment_refusals_column": {"en": "Refusal rate", "fr": "Taux de refus"},
    "not_judged": {"en": "too few rows", "fr": "trop peu de lignes"},
    "realised": {"en": "Realised performance", "fr": "Performance constatée"},
    "no_outcomes": {
        "en": "Not enough known outcomes yet ({count}) to measure the model on real repayments.",
        "fr": "Pas encore assez de résultats connus ({count}) pour mesurer le modèle sur les remboursements réels.",
    },
    "realised_auc": {"en": "AUC on known outcomes", "fr": "AUC sur les résultats connus"},
    "realised_cost": {"en": "Cost per 1,000 (realised)", "fr": "Coût pour 1 000 (constaté)"},
    "realised_caption": {
        "en": "{outcomes} outcomes; the arrows compare with the hold-out (AUC {auc}, cost {cost}).",
        "fr": "{outcomes} résultats ; les flèches comparent à l'échantillon de test (AUC {auc}, coût {cost}).",
    },
    # signing in, roles, why an applicant is looked at
    "sign_in": {"en": "Sign in", "fr": "Connexion"},
    "sign_in_oidc": {
        "en": "Sign in with your organisation's account",
        "fr": "Se connecter avec le compte de l'organisation",
    },
    "user_name": {"en": "User name", "fr": "Nom d'utilisateur"},
    "password": {"en": "Password", "fr": "Mot de passe"},
    "sign_in_failed": {"en": "Wrong user name or password.", "fr": "Nom d'utilisateur ou mot de passe incorrect."},
    "sign_out": {"en": "Sign out", "fr": "Se déconnecter"},
    "signed_in_as": {"en": "Signed in as {name} ({roles})", "fr": "Connecté : {name} ({roles})"},
    "no_role": {
        "en": "Your account has no role on this dashboard (officer, risk or ops): ask its administrator.",
        "fr": "Votre compte n'a aucun rôle sur ce tableau de bord (officer, risk ou ops) : demandez à son administrateur.",
    },
    "no_users": {
        "en": "No users are configured (UI_USERS_FILE or UI_USERS): nobody can sign in.",
        "fr": "Aucun utilisateur n'est configuré (UI_USERS_FILE ou UI_USERS) : personne ne peut se connecter.",
    },
    "access_reason": {"en": "Why you look this applicant up", "fr": "Motif de la consultation"},
    "reason_needed": {
        "en": "Choose why you look this applicant up: every look-up is recorded.",
        "fr": "Choisissez le motif de la consultation : chaque consultation est enregistrée.",
    },
    "reason_application-review": {"en": "Reviewing the application", "fr": "Examen de la demande"},
    "reason_customer-request": {"en": "The customer asked", "fr": "Demande du client"},
    "reason_complaint": {"en": "A complaint or dispute", "fr": "Réclamation ou litige"},
    "reason_fraud-check": {"en": "A fraud check", "fr": "Contrôle anti-fraude"},
    "reason_audit": {"en": "Audit or control", "fr": "Audit ou contrôle"},
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
