"""Each service installs only what it imports, and declares everything it imports.

For every service, the modules it runs are its own and the ``credit_core`` modules they import
(transitively). Every third-party import among them must come from a distribution the service
declares, directly or through a ``credit-core[extra]`` it requires; every declared distribution
must be imported by one of them, unless it is listed below with why it is needed at run time.
Services never import each other, and no service ships the synthetic data generator.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
LIBRARIES = {
    "credit-core": ROOT / "packages" / "credit-core",
    "credit-synthetic": ROOT / "packages" / "credit-synthetic",
}
SERVICES = {
    "trainer": "credit_trainer",
    "scoring-api": "credit_scoring_api",
    "explainer": "credit_explainer",
    "monitor": "credit_monitor",
    "ui": "credit_ui",
}
# declared although no module imports them, and why
RUNTIME_ONLY = {
    "psycopg": "the Postgres driver SQLAlchemy loads from the database URL",
    "python-multipart": "FastAPI's parser of the CSV upload form",
    "sqlalchemy": "MLflow's embedded SQLite store (the trainer's default registry)",
    "alembic": "MLflow's embedded SQLite store (the trainer's default registry)",
    "authlib": "the OpenID Connect client of Streamlit's st.login (the dashboard's sign-in)",
}
OWN = {"credit_core", "credit_synthetic", *SERVICES.values()}
REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9_.-]+)\s*(?:\[([^\]]*)\])?")


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _project(folder: Path) -> dict[str, object]:
    project: dict[str, object] = tomllib.loads((folder / "pyproject.toml").read_text())["project"]
    return project


def _requirements_of() -> Any:
    """``docker/requirements.py``'s resolution of a package's requirements (what its image installs)."""
    spec = importlib.util.spec_from_file_location("image_requirements", ROOT / "docker" / "requirements.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.requirements


def declared(service: str) -> set[str]:
    """The distributions a service's image installs, our libraries' requirements folded in."""
    resolved = _requirements_of()(ROOT / "services" / service)
    return {_normal(REQUIREMENT.match(r).group(1)) for r in resolved}  # type: ignore[union-attr]


def optional(service: str) -> set[str]:
    """The distributions of a service's own extras (the trainer's ``spark``): declared, not in its
    image (a Spark cluster brings its own)."""
    extras: dict[str, list[str]] = _project(ROOT / "services" / service).get("optional-dependencies", {})  # type: ignore[assignment]
    return {_normal(REQUIREMENT.match(r).group(1)) for names in extras.values() for r in names}  # type: ignore[union-attr]


def _imports(path: Path) -> set[str]:
    """The modules one file imports, at module level or inside functions (``from a import b``
    gives ``a`` and ``a.b``: b may be a module)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found |= {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}
    return found


def _module_file(module: str) -> Path | None:
    top, *rest = module.split(".")
    base = {"credit_core": LIBRARIES["credit-core"] / "src", "credit_synthetic": LIBRARIES["credit-synthetic"] / "src"}
    if top not in base:
        return None
    path = base[top].joinpath(top, *rest)
    for candidate in (path.with_suffix(".py"), path / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def closure(service: str) -> tuple[set[Path], set[str]]:
    """The files a service runs (its own and the library modules they reach) and what they import."""
    files = set((ROOT / "services" / service / "src").rglob("*.py"))
    todo, imports = list(files), set()
    while todo:
        found = _imports(todo.pop())
        imports |= found
        for module in found:
            path = _module_file(module)
            if path is not None and path not in files:
                files.add(path)
                todo.append(path)
    return files, imports


@functools.cache
def _installed() -> dict[str, list[str]]:
    return packages_distributions()


def _distributions(module: str) -> set[str]:
    return {_normal(d) for d in _installed().get(module.split(".", maxsplit=1)[0], [])}


@pytest.mark.parametrize("service", SERVICES)
def test_every_third_party_import_is_declared_and_every_declaration_is_used(service: str) -> None:
    wanted = declared(service)
    files, imports = closure(service)
    third_party = {m.split(".")[0] for m in imports} - OWN - set(sys.stdlib_module_names)

    undeclared = {module for module in third_party if not _distributions(module) & (wanted | optional(service))}
    imported = set().union(*(_distributions(module) for module in third_party))
    unused = {name for name in wanted - imported if name not in RUNTIME_ONLY}

    assert not undeclared, f"{service} imports {sorted(undeclared)} without declaring them"
    assert not unused, f"{service} declares {sorted(unused)} but none of its {len(files)} modules imports them"


@pytest.mark.parametrize("service", SERVICES)
def test_services_never_import_each_other(service: str) -> None:
    _, imports = closure(service)
    others = {package for name, package in SERVICES.items() if name != service}
    assert not {m.split(".")[0] for m in imports} & others


@pytest.mark.parametrize("service", [s for s in SERVICES if s != "trainer"])
def test_no_service_image_ships_the_generator(service: str) -> None:
    requirements = _project(ROOT / "services" / service)["dependencies"]
    assert isinstance(requirements, list)
    assert "credit-synthetic" not in {_normal(r.split("[")[0]) for r in requirements}
    files, _ = closure(service)
    assert not any("credit_synthetic" in path.parts for path in files)


def test_the_dashboard_runs_without_the_data_stack() -> None:
    """The UI image is small because it needs neither polars nor the models."""
    _, imports = closure("ui")
    assert not {m.split(".")[0] for m in imports} & {"polars", "lightgbm", "xgboost", "sklearn", "mlflow", "shap"}
