"""What a service loads from the registry is data it verifies, never code it runs: no module of the
services or of ``credit_core`` unpickles anything (``pickle``, ``joblib``, ``cloudpickle``, ``dill``,
pandas' and numpy's pickle readers) or loads an MLflow flavour (which unpickles its model)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT / "packages" / "credit-core" / "src", *sorted((ROOT / "services").glob("*/src"))]
UNPICKLERS = {"pickle", "_pickle", "cPickle", "joblib", "cloudpickle", "dill", "shelve", "marshal"}
FLAVOURS = {"pyfunc", "sklearn", "lightgbm", "xgboost", "pytorch", "keras", "tensorflow"}


def code_loads(source: str) -> list[str]:
    """What in ``source`` can run code from a file: the imports and calls, with their lines."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            found += [f"{node.lineno}: import {n}" for n in names if n.split(".")[0] in UNPICKLERS]
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("mlflow."):
                flavour = (node.module or "").split(".")[1]
                if flavour in FLAVOURS and any(a.name == "load_model" for a in node.names):
                    found.append(f"{node.lineno}: from mlflow.{flavour} import load_model")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            call, owner = node.func.attr, ast.unparse(node.func.value)
            if call == "load_model" and owner.startswith("mlflow."):
                found.append(f"{node.lineno}: {owner}.load_model")
            elif call in {"read_pickle", "from_pickle"}:
                found.append(f"{node.lineno}: {owner}.{call}")
            elif call == "load" and any(k.arg == "allow_pickle" for k in node.keywords):
                found.append(f"{node.lineno}: {owner}.load(allow_pickle=...)")
    return sorted(found, key=lambda hit: int(hit.split(":")[0]))


def test_the_scan_finds_each_way_of_running_code_from_a_file() -> None:
    sample = (
        "import pickle\nimport joblib as jl\nfrom cloudpickle import loads\nimport mlflow.pyfunc\n"
        "m = mlflow.pyfunc.load_model('models:/x@champion')\nf = pd.read_pickle('x')\n"
        "a = np.load('x.npy', allow_pickle=True)\nfrom mlflow.sklearn import load_model\n"
    )
    assert [line.split(":")[0] for line in code_loads(sample)] == ["1", "2", "3", "5", "6", "7", "8"]
    assert code_loads("booster.load_model(bytearray(text))\nimport json\njson.loads('{}')\n") == []


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.parent.name)
def test_no_service_can_run_code_from_what_it_downloads(source: Path) -> None:
    found = {
        str(path.relative_to(ROOT)): hits
        for path in sorted(source.rglob("*.py"))
        if (hits := code_loads(path.read_text()))
    }
    assert not found, found
