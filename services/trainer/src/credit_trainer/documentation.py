"""The model documentation of a registered version, generated from its run: Markdown and HTML with
the same sections, following the headings of the technical documentation the EU AI Act asks for
high-risk systems (Annex IV), so that a lender can start its own file from it. Every section is
filled from the model card and the trainer's settings; what only the lender can write (harmonised
standards applied, the declaration of conformity) is left to the lender and said so.

The version number is not known before registration: the text holds ``${model_version}``, which
the scoring API fills in when it serves the file (``GET /v1/model/documentation``).
"""

from __future__ import annotations

import base64
import html
import io
import math
from dataclasses import dataclass, field

import pandas as pd
from credit_core.catalogue import feature_catalogue
from credit_core.contracts.decisions import OVERRIDE_REASONS
from credit_core.contracts.model_card import ModelCard
from credit_core.costs import FN_COST, FP_COST
from matplotlib import pyplot as plt
from matplotlib.figure import Figure

from credit_trainer import plots
from credit_trainer.config import Settings
from credit_trainer.scorecard import BASE_ODDS, BASE_SCORE, PDO

VERSION = "${model_version}"


@dataclass
class Section:
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[tuple[str, list[str], list[list[str]]]] = field(default_factory=list)  # caption, headers, rows
    figures: list[tuple[str, str]] = field(default_factory=list)  # caption, PNG as base64


def _png(figure: Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode()


def _f(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value:.{digits}f}"


def _pct(value: float | None) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value:.1%}"


def sections(card: ModelCard, settings: Settings) -> list[Section]:
    h = card.holdout
    general = Section(
        "1. General description of the AI system",
        [
            f"Model `{card.name}` version {VERSION}: the probability that a consumer-credit applicant has payment "
            "difficulties (the Home Credit TARGET), and a decision (granted / refused) at the threshold that "
            f"minimises the business cost {FN_COST:.0f}·FN + {FP_COST:.0f}·FP.",
            "Intended use: decisions on consumer-credit applications, made or prepared for a credit officer, who "
            "sees the probability, the decision, the principal reasons of a refusal and can override it. "
            "Intended users: credit officers (decisions, overrides, notices), credit-risk data scientists and "
            "model-risk reviewers (this file, the registry), ops engineers (monitoring).",
            "Not intended for: applicants outside consumer credit, or any decision without the human oversight "
            "described in section 3.",
            f"Trained at {card.trained_at:%Y-%m-%d %H:%M} UTC from commit `{card.git_commit}`; "
            f"feature catalogue `{card.feature_catalogue_hash}`.",
        ],
    )

    data = Section(
        "2(a). Data",
        [
            f"Data fingerprint `{card.data_fingerprint}`: {card.training_applicants:,} applicants for tuning and "
            f"{card.holdout_applicants:,} held out of all tuning (stratified), default rate {card.default_rate:.2%}.",
            "Period: not recorded in the Home Credit layout (its DAYS_* fields are relative to the application); "
            "the lender records the extraction dates with the data fingerprint.",
            "Sentinels (365243 in DAYS_*, XNA/XAP codes) are read as missing; the EDA report of the run lists them.",
        ],
    )
    excluded = card.fairness.excluded_attributes if card.fairness else []
    catalogue = feature_catalogue()
    groups = pd.DataFrame(catalogue).groupby("group").size().sort_values(ascending=False)
    features = Section(
        "2(b). Features, excluded attributes and monotone constraints",
        [
            f"{len(catalogue)} model inputs: the application fields and aggregates of the six history tables, "
            "one feature code shared by training, the API and portfolio scoring.",
            "Excluded from the model: " + (", ".join(f"`{a}`" for a in excluded) or "no attribute") + ".",
            "Never given as a principal reason of a refusal: gender, family status, age, day and hour of application, "
            "region, social circle (the reason-code catalogue's withheld codes).",
            (
                "Monotone constraints (the risk may only move the declared way): "
                + "; ".join(f"`{n}` {d}" for n, d in card.monotone_constraints.items())
                if card.monotone_constraints
                else "Monotone constraints: none in this model (the constrained candidates are in 2(c))."
            ),
        ],
        tables=[("Model inputs per topic", ["topic", "inputs"], [[g, str(n)] for g, n in groups.items()])],
    )
    candidates = Section(
        "2(c). Candidates compared",
        [
            "Every candidate tuned by grid search with the business cost as the score, its threshold found on "
            "out-of-fold probabilities, then measured once on the hold-out; intervals: 95 % bootstrap."
        ],
        tables=[
            (
                "Hold-out comparison (lowest cost first)",
                ["candidate", "AUC", "AUC 95 %", "cost / 1,000", "cost 95 %", "lowest approval ratio", "chosen"],
                [
                    [
                        c.candidate,
                        _f(c.holdout_auc),
                        f"{_f(c.holdout_auc_low)} – {_f(c.holdout_auc_high)}",
                        _f(c.holdout_cost_per_1000, 0),
                        f"{_f(c.holdout_cost_per_1000_low, 0)} – {_f(c.holdout_cost_per_1000_high, 0)}",
                        _f(c.fairness_min_parity_ratio),
                        "yes" if c.chosen else "",
                    ]
                    for c in card.candidates
                ],
            )
        ],
    )
    curve = card.curves.cost
    figure, ax = plt.subplots(figsize=(6, 3.5), dpi=100)
    ax.plot(curve.threshold, curve.cost_per_1000, color=plots.BLUE)
    ax.axvline(card.threshold, color=plots.ORANGE, linestyle="--", label=f"threshold {card.threshold:.3f}")
    ax.set(xlabel="Threshold (refused at or above)", ylabel="Hold-out cost per 1,000", title="Cost against threshold")
    ax.legend()
    chosen = Section(
        "2(d). The chosen model and its threshold",
        [
            f"Chosen: `{card.candidate}` ({card.family}), parameters `{card.params}`.",
            *card.reasons,
            f"Threshold {card.threshold:.4f}: the lowest business cost on the out-of-fold probabilities of the "
            "tuning applicants (never on the hold-out); refused when the probability is at or above it.",
        ],
        figures=[("Business cost per 1,000 hold-out applicants against the threshold", _png(figure))],
    )
    if card.scorecard:
        chosen.paragraphs.append(
            f"Scorecard scaling: {BASE_SCORE:.0f} points at odds of {BASE_ODDS:.0f} good payers to one defaulter, "
            f"{PDO:.0f} more points double the odds."
        )
        chosen.tables.append(
            (
                "Scorecard",
                ["characteristic", "bin", "count", "WoE", "points"],
                [
                    [r.characteristic, r.bin, str(r.count or ""), _f(r.woe, 4), f"{r.points:.1f}"]
                    for r in card.scorecard
                ],
            )
        )
    intervals = card.intervals
    performance = Section(
        "2(e). Performance on the hold-out, with intervals",
        [
            f"AUC {h.auc:.3f}"
            + (f" (95 % interval {intervals.auc.low:.3f} – {intervals.auc.high:.3f})" if intervals else "")
            + f"; cost {h.cost_per_1000:.0f} per 1,000 applicants"
            + (f" ({intervals.cost_per_1000.low:.0f} – {intervals.cost_per_1000.high:.0f})" if intervals else "")
            + f", against {card.reference_costs.accept_everyone_per_1000:.0f} granting everyone and "
            f"{card.reference_costs.refuse_everyone_per_1000:.0f} refusing everyone.",
            f"Refusal rate {h.refusal_rate:.1%}; recall of defaulters {h.recall:.1%}; precision {h.precision:.1%}; "
            f"Brier score {h.brier:.4f}; cross-validated AUC {card.cv.cv_auc:.3f} ± {card.cv.cv_auc_std:.3f}.",
        ],
        tables=[
            (
                "Confusion at the threshold",
                ["", "granted", "refused"],
                [["repaid", f"{h.tn:.0f}", f"{h.fp:.0f}"], ["defaulted", f"{h.fn:.0f}", f"{h.tp:.0f}"]],
            )
        ],
    )
    calibration = Section("2(f). Calibration")
    if card.calibration is not None:
        c = card.calibration
        calibration.paragraphs += [
            f"Method: {c.method}, chosen by the lowest cross-validated Brier score on out-of-fold probabilities ("
            + ", ".join(f"{m} {b:.5f}" for m, b in c.oof_brier.items())
            + ").",
            f"Expected calibration error on the hold-out (ten bins of equal size): {c.holdout_ece:.4f} served, "
            f"{c.holdout_ece_uncalibrated:.4f} before calibration. Calibration-in-the-large: mean predicted "
            f"{c.mean_predicted:.2%} against {c.observed_rate:.2%} observed ({c.in_the_large:+.2%}).",
        ]
        calibration.figures.append(
            (
                "Reliability",
                _png(plots.calibration_bins(c.reliability_predicted, c.reliability_observed, c.holdout_ece)),
            )
        )
    else:
        calibration.paragraphs.append("Not measured for this version (trained before calibration was reported).")
    fairness = Section("2(g). Fairness")
    if card.fairness is not None:
        fairness.paragraphs.append(
            "On the hold-out at the threshold, by gender, age band and family status (fairlearn MetricFrame). "
            "Ratios over groups of 50 applicants or more: approval-rate ratio (lowest / highest; 0.8 is the usual "
            "four-fifths line) and equalized-odds difference (largest gap in refusal rates among good payers or "
            "among defaulters)."
        )
        fairness.tables += [
            (
                "Per attribute",
                ["attribute", "groups compared", "approval ratio", "lowest", "highest", "equalized-odds difference"],
                [
                    [
                        s.attribute,
                        str(s.groups_compared),
                        _f(s.demographic_parity_ratio),
                        s.lowest_approval_group or "",
                        s.highest_approval_group or "",
                        _f(s.equalized_odds_difference),
                    ]
                    for s in card.fairness.summary
                ],
            ),
            (
                "Per group",
                [
                    "attribute",
                    "group",
                    "applicants",
                    "approval",
                    "defaults among granted",
                    "good payers refused",
                    "defaulters granted",
                    "cost / 1,000",
                ],
                [
                    [
                        g.attribute,
                        g.group,
                        f"{g.applicants:,}",
                        _pct(g.approval_rate),
                        _pct(g.default_rate_granted),
                        _pct(g.false_refusal_rate),
                        _pct(g.missed_default_rate),
                        _f(g.cost_per_1000, 0),
                    ]
                    for g in card.fairness.groups
                ],
            ),
        ]
    else:
        fairness.paragraphs.append("Not measured for this version (trained before fairness was reported).")

    oversight = Section(
        "3. Monitoring, functioning and control: limits and human oversight",
        [
            f"Known limits: measured on {card.holdout_applicants:,} held-out applicants, so the intervals of 2(e) "
            "are what the figures can be trusted to; groups under 50 applicants are shown but not compared; the "
            "model has only the fields of the Home Credit layout and knows nothing the application does not say; "
            "its probabilities hold for the population it was trained on (see the monitoring plan, section 9).",
            "Human oversight: every decision is recorded before it is answered (inputs, features, probability, "
            "threshold, version, principal reasons, the client that asked) and can be replayed by the version that "
            "made it. Officers holding the `decisions:override` scope change a decision on the dashboard with a "
            "mandatory reason (" + ", ".join(OVERRIDE_REASONS) + ") and a comment; the override is kept beside the "
            "decision, never replacing it. A refused applicant receives a notice (English or French) with up to "
            "four principal reasons.",
        ],
    )
    metrics = Section(
        "4. Appropriateness of the performance metrics",
        [
            f"The decision is judged by its business cost: a defaulter granted costs {FN_COST:.0f}, a good payer "
            f"refused costs {FP_COST:.0f}; the threshold minimises it. AUC measures the ranking apart from any "
            "threshold; the Brier score and the expected calibration error measure whether the probabilities can be "
            "read as probabilities (they feed provisions and the monitor's estimates).",
        ],
    )
    gate = settings.fairness_min_parity_ratio
    risk = Section(
        "5. Risk management",
        [
            f"Promotion: a new version becomes champion only when it costs less than the champion on the same "
            f"hold-out applicants with {settings.promotion_confidence:.0%} confidence (paired bootstrap, "
            f"{settings.bootstrap_resamples:,} resamples); the interval is recorded in the version's tags.",
            (
                f"Fairness gate: every attribute's approval ratio must be at least {gate}; an override is recorded."
                if gate is not None
                else "Fairness gate: off in this deployment (TRAINER_FAIRNESS_MIN_PARITY_RATIO); the ratios are "
                "reported above and in the registry."
            ),
            "Monotone constraints are available to every tree candidate (section 2(b)); artifacts are data "
            "(native boosters, arrays, JSON) checked against their SHA-256 before any service uses them.",
        ],
    )
    changes = Section(
        "6. Changes through the life cycle",
        [
            f"This file describes version {VERSION} as trained; its promotion decision and reason "
            "(`promotion_decision`, `promotion_reason`, `promotion_interval`) are tags of the version in the "
            "registry, and every earlier version keeps its own file.",
            "Harmonised standards applied and the EU declaration of conformity (Annex IV, points 7 and 8) are the "
            "lender's own documents.",
        ],
    )
    monitoring = Section(
        "9. Post-market monitoring plan",
        [
            "The monitor compares production inputs and probabilities with this version's reference sample "
            "(population stability index for numbers and the probability, Jensen-Shannon distance for categories; "
            "settings MONITOR_NUMERIC_THRESHOLD, MONITOR_CATEGORICAL_THRESHOLD, MONITOR_PROBABILITY_THRESHOLD, "
            "MONITOR_DRIFT_SHARE), and realised performance with the outcomes as they arrive.",
            f"Figures to compare with: hold-out AUC {h.auc:.3f}, cost {h.cost_per_1000:.0f} per 1,000, refusal "
            f"rate {h.refusal_rate:.1%}, default rate {card.default_rate:.2%}.",
            "Retrain triggers: drift of the inputs or of the probability, a fall of the realised AUC or a rise of "
            "the realised cost (MONITOR_AUC_DROP, MONITOR_COST_RISE), an officers' override rate above "
            "MONITOR_OVERRIDE_ALERT_RATE; the monitor then recommends retraining, and a retrained version is "
            "promoted only by the rules of section 5.",
        ],
    )
    return [
        general,
        data,
        features,
        candidates,
        chosen,
        performance,
        calibration,
        fairness,
        oversight,
        metrics,
        risk,
        changes,
        monitoring,
    ]


def _md_table(caption: str, headers: list[str], rows: list[list[str]]) -> str:
    def cell(value: str) -> str:
        return value.replace("|", "\\|").replace("\n", " ")

    lines = [f"*{caption}*", "", "| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def markdown(card: ModelCard, parts: list[Section]) -> str:
    out = [f"# Model documentation: {card.name} version {VERSION}", ""]
    for s in parts:
        out += [f"## {s.title}", ""]
        out += [p + "\n" for p in s.paragraphs]
        out += [_md_table(*t) + "\n" for t in s.tables]
        out += [f"*Figure: {caption}* (in the HTML edition)\n" for caption, _ in s.figures]
    return "\n".join(out)


def _inline(text: str) -> str:
    """Markdown's `code` as HTML <code>, everything else escaped."""
    pieces = html.escape(text).split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(pieces))


def page(card: ModelCard, parts: list[Section]) -> str:
    body = []
    for s in parts:
        body.append(f"<section><h2>{html.escape(s.title)}</h2>")
        body += [f"<p>{_inline(p)}</p>" for p in s.paragraphs]
        for caption, headers, rows in s.tables:
            head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
            cells = "".join("<tr>" + "".join(f"<td>{_inline(v)}</td>" for v in row) + "</tr>" for row in rows)
            body.append(f"<table><caption>{html.escape(caption)}</caption><tr>{head}</tr>{cells}</table>")
        body += [
            f'<figure><img alt="{html.escape(c)}" src="data:image/png;base64,{b}"><figcaption>{html.escape(c)}'
            "</figcaption></figure>"
            for c, b in s.figures
        ]
        body.append("</section>")
    title = f"Model documentation: {html.escape(card.name)} version {VERSION}"
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;color:#1a1a1a;line-height:1.4}}
table{{border-collapse:collapse;font-size:13px;margin:.8em 0}}td,th{{border:1px solid #bbb;padding:3px 7px;text-align:left}}
caption{{text-align:left;font-style:italic}}img{{max-width:100%}}section{{margin-bottom:1.8em;break-inside:avoid}}
@media print{{body{{margin:0}}}}</style></head><body><h1>{title}</h1>{"".join(body)}</body></html>"""


def documentation(card: ModelCard, settings: Settings) -> tuple[str, str]:
    """The Markdown and the HTML edition of the version's documentation."""
    parts = sections(card, settings)
    empty = [s.title for s in parts if not (s.paragraphs or s.tables or s.figures)]
    if empty:
        raise ValueError(f"documentation sections left empty: {', '.join(empty)}")
    return markdown(card, parts), page(card, parts)
