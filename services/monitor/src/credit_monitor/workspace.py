"""Drift runs in Evidently's own UI: a project per model name, two snapshots per run, panels set
up by the monitor.

Each run adds to the project of its model (``credit-default``):
- its drift report (the snapshot the HTML report is drawn from: a ``ValueDrift`` per column),
  tagged ``drift`` and ``version N``, named ``drift run <id>``;
- its figures (``run <id> figures``, tagged ``figures`` and ``version N``): drift share, drifted
  importance, probability drift, refusal rate, expected and realised cost per 1,000, override
  rate, each a ``MeanValue`` over a one-row table, so that Evidently's own panels can plot them
  over time (a figure not known for a run, e.g. realised cost before outcomes, is left out).

The dashboard's panels (drift share and drifted importance, PSI of the top features, probability
drift, refusal rate, expected and realised cost, override rate) are added by the monitor when
missing, by title, so that a new monitor adds its new panels to an existing project.

``MONITOR_EVIDENTLY_WORKSPACE``: the URL of an ``evidently ui`` service (compose, Azure: the
monitor writes over HTTP with ``MONITOR_EVIDENTLY_SECRET``, the UI's ``--secret``) or a local
folder (``make demo``, read by ``evidently ui --workspace <folder>``); empty: none.
"""

from __future__ import annotations

import logging
from typing import Any

import pandas as pd
from evidently import Dataset, Report
from evidently.metrics import MeanValue
from evidently.sdk.models import PanelMetric
from evidently.sdk.panels import DashboardPanelPlot, bar_plot_panel, counter_panel, line_plot_panel
from evidently.ui.workspace import RemoteWorkspace, Workspace, WorkspaceBase

log = logging.getLogger(__name__)

# the figures of a run, as they are named in its figures snapshot and in the panels
FIGURES = {
    "drift_share": "Share of the monitored columns that drifted",
    "drifted_importance": "Share of the model's importance that drifted",
    "probability_psi": "PSI of the predicted probability",
    "refusal_rate": "Share of the window refused",
    "expected_cost_per_1000": "Cost per 1,000 expected from the probabilities",
    "realised_cost_per_1000": "Cost per 1,000 on known outcomes",
    "holdout_cost_per_1000": "Cost per 1,000 on the hold-out",
    "override_rate": "Share of the version's recent decisions officers changed",
}


def _figure(name: str, legend: str) -> PanelMetric:
    return PanelMetric(legend=legend, metric="MeanValue", metric_labels={"column": name})


def panels(top_features: list[str]) -> list[DashboardPanelPlot]:
    """The project's dashboard: what ops look at over the runs."""
    psi = [PanelMetric(legend=c, metric="ValueDrift", metric_labels={"column": c}) for c in top_features]
    return [
        counter_panel(
            "Drifted importance (latest run)",
            [_figure("drifted_importance", "share of the model's importance")],
            description="Share of the model's importance carried by drifted columns; the dataset flag rises at 10 %",
            size="half",
        ),
        counter_panel(
            "Expected cost per 1,000 (latest run)",
            [_figure("expected_cost_per_1000", "expected")],
            description="From the window's calibrated probabilities, before any outcome",
            size="half",
        ),
        line_plot_panel(
            "Drift share and drifted importance",
            [_figure("drift_share", "drift share"), _figure("drifted_importance", "drifted importance")],
            description="Per run: share of the monitored columns that drifted, and of the model's importance",
        ),
        line_plot_panel(
            "PSI of the top features",
            psi,
            description="Population stability index (Jensen-Shannon distance for categories) per run",
        ),
        line_plot_panel(
            "Probability drift",
            [_figure("probability_psi", "PSI of the predicted probability")],
            description="Drifted from 0.2",
            size="half",
        ),
        line_plot_panel(
            "Refusal rate", [_figure("refusal_rate", "share refused")], description="Per window", size="half"
        ),
        line_plot_panel(
            "Expected and realised cost per 1,000",
            [
                _figure("expected_cost_per_1000", "expected (before outcomes)"),
                _figure("realised_cost_per_1000", "realised (known outcomes)"),
                _figure("holdout_cost_per_1000", "hold-out"),
            ],
            description="Cost 10 per missed default, 1 per good payer refused; realised once outcomes arrive",
        ),
        bar_plot_panel(
            "Override rate",
            [_figure("override_rate", "officers' overrides")],
            description="Share of the version's decisions officers changed (the monitoring page has the reasons)",
        ),
    ]


def open_workspace(target: str, secret: str | None = None) -> WorkspaceBase:
    if target.startswith(("http://", "https://")):
        return RemoteWorkspace(target, secret=secret or None)
    return Workspace.create(target)


def figures_snapshot(figures: dict[str, float | None], tags: list[str], metadata: dict[str, str]) -> Any:
    """The run's figures as a snapshot: a ``MeanValue`` per known figure over a one-row table."""
    known = {name: float(value) for name, value in figures.items() if value is not None and name in FIGURES}
    frame = pd.DataFrame({name: [value] for name, value in known.items()})
    return Report([MeanValue(column=name) for name in known]).run(
        current_data=Dataset.from_pandas(frame), tags=[*tags, "figures"], metadata=metadata
    )


class RunWorkspace:
    """Where the monitor writes its runs for Evidently's UI, opened at the first run (a UI that is
    down when the monitor starts does not stop it; the next run tries again)."""

    def __init__(self, target: str, secret: str | None = None, top_features: int = 8):
        self.target, self.secret, self.top_features = target, secret, top_features
        self._workspace: WorkspaceBase | None = None
        self._projects: dict[str, Any] = {}

    @property
    def workspace(self) -> WorkspaceBase:
        if self._workspace is None:
            self._workspace = open_workspace(self.target, self.secret)
        return self._workspace

    def project(self, model_name: str, features: list[str]) -> Any:
        """The model's project, made when missing, with every panel of :func:`panels`."""
        if model_name in self._projects:
            return self._projects[model_name]
        found = [p for p in self.workspace.list_projects() if p.name == model_name]
        project = found[0] if found else self.workspace.create_project(model_name, f"Drift runs of {model_name}")
        present = {p.title for p in project.dashboard.model().panels}
        for panel in panels(features[: self.top_features]):
            if panel.title not in present:
                project.dashboard.add_panel(panel)
        self._projects[model_name] = project
        return project

    def add_run(
        self,
        run_id: int,
        model_name: str,
        model_version: str,
        drift_snapshot: Any,
        figures: dict[str, float | None],
        features: list[str],
    ) -> str:
        """Both snapshots of the run; the project's id."""
        project = self.project(model_name, features)
        tags, metadata = [f"version {model_version}"], {"run_id": str(run_id), "model_version": model_version}
        self.workspace.add_run(project.id, drift_snapshot, name=f"drift run {run_id}")
        self.workspace.add_run(project.id, figures_snapshot(figures, tags, metadata), name=f"run {run_id} figures")
        return str(project.id)
