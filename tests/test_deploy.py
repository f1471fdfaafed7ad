"""The Azure deployment against itself and against `make env`, where no Azure is reachable: every
secret an app or a job refers to is one it may read, every Key Vault secret the Bicep reads is one
`new_env.py --key-vault` writes (or one the docs say to write), and `--key-vault` hands the Azure
CLI each value in a file, never on its command line (a stand-in `az` on PATH records what it got)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]
MAIN = (ROOT / "deploy/azure/main.bicep").read_text()
BY_HAND = {"ui-auth-secrets-toml", "ui-entra-client-secret"}  # the dashboard's Entra ID settings (docs/deploy-azure.md)
BY_BICEP = {"files-account-key"}  # the shares' account key, written by the deployment itself
sys.path.insert(0, str(ROOT / "scripts"))
from new_env import KEY_VAULT  # noqa: E402


def _blocks() -> dict[str, str]:
    """Each app and job module of main.bicep: its name and its text."""
    starts = list(re.finditer(r"^module (\w+) 'modules/(?:app|job)\.bicep'", MAIN, re.M))
    ends = [m.start() for m in starts[1:]] + [len(MAIN)]
    return {m.group(1): MAIN[m.start() : end] for m, end in zip(starts, ends, strict=True)}


def _names(text: str) -> set[str]:
    return set(re.findall(r"'([a-z0-9-]+)'", text))


def test_every_secret_an_app_or_a_job_uses_is_one_its_identity_may_read() -> None:
    blocks = _blocks()
    assert {"mlflow", "scoring", "explainer", "monitor", "ui", "migrate", "mlflowUsers", "trainer", "ingest"} <= set(
        blocks
    )
    for name, block in blocks.items():
        allowed = re.search(r"keyVaultSecrets: \[([^\]]*)\]", block)
        used = set(re.findall(r"(?:secretRef|clientSecretSettingName): '([a-z0-9-]+)'", block))  # env, sign-in
        assert allowed and used, f"{name}: no secrets"
        assert used == _names(allowed.group(1)), f"{name} reads {sorted(_names(allowed.group(1)) - used)} unused"


def test_every_key_vault_secret_the_bicep_reads_is_written_by_make_env_or_the_docs() -> None:
    read = set(re.findall(r"getSecret\('([a-z0-9-]+)'\)", MAIN))
    for block in _blocks().values():
        read |= _names(re.search(r"keyVaultSecrets: \[([^\]]*)\]", block).group(1))  # type: ignore[union-attr]
    assert read == set(KEY_VAULT.values()) | BY_HAND, sorted(read ^ (set(KEY_VAULT.values()) | BY_HAND))
    docs = (ROOT / "docs/deploy-azure.md").read_text()
    assert all(f"`{name}`" in docs for name in read | BY_BICEP), "docs/deploy-azure.md lists every vault secret"


def test_key_vault_gets_each_value_from_a_file_never_on_the_command_line(tmp_path: Path) -> None:
    calls = tmp_path / "calls"
    az = tmp_path / "bin" / "az"
    az.parent.mkdir()
    # the stand-in: one line per call, its arguments, then the value it was given
    az.write_text(
        f'#!/bin/sh\nprintf "%s " "$@" >>{calls}\nwhile [ "$1" != --file ]; do shift; done\ncat "$2" >>{calls}\necho >>{calls}\n'
    )
    az.chmod(0o755)
    output = tmp_path / "env"
    env = os.environ | {"PATH": f"{az.parent}:{os.environ['PATH']}"}
    done = subprocess.run(
        [sys.executable, "scripts/new_env.py", "--key-vault", "kv-staging", "--output", str(output)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    stored = {}
    for line in calls.read_text().splitlines():
        arguments, value = line.rsplit(" ", 1)
        name = arguments.split("--name ")[1].split()[0]
        assert "--vault-name kv-staging" in arguments and "--file" in arguments
        assert value not in arguments  # never on the command line
        stored[name] = value
    assert set(stored) == set(KEY_VAULT.values())
    written = output.read_text()
    for variable, name in KEY_VAULT.items():
        assert stored[name] and stored[name] not in written, f"{variable} left in the file"
    assert re.search(r"^SCORING_API_CLIENTS='\[", written, re.M)  # what GitHub's variables take


def test_the_databricks_job_runs_the_command_it_names_with_the_wheels_the_workflow_builds() -> None:
    """deploy/databricks/score-portfolio.job.json: the wheels it installs are the ones `make wheels`
    builds (names and versions of the packages), its entry point is the trainer's script, every
    option it passes is one `score-portfolio` takes, and no secret is written in it."""
    import json
    import tomllib

    import typer.main
    from credit_trainer.cli import app

    job = json.loads((ROOT / "deploy/databricks/score-portfolio.job.json").read_text())
    (task,) = job["tasks"]
    wheels = {Path(library["whl"]).name for library in task["libraries"]}
    expected = set()
    for folder in ("packages/credit-core", "packages/credit-synthetic", "services/trainer"):
        project = tomllib.loads((ROOT / folder / "pyproject.toml").read_text())["project"]
        expected.add(f"{project['name'].replace('-', '_')}-{project['version']}-py3-none-any.whl")
        if folder == "services/trainer":
            assert task["python_wheel_task"]["entry_point"] in project["scripts"]
    assert wheels == expected
    command, *arguments = task["python_wheel_task"]["parameters"]
    click = typer.main.get_command(app).commands[command]  # type: ignore[attr-defined]
    options = {name for parameter in click.params for name in parameter.opts}
    assert {a for a in arguments if a.startswith("--")} <= options
    assert arguments[arguments.index("--engine") + 1] == "spark"
    for cluster in job["job_clusters"]:
        for key, value in cluster["new_cluster"]["spark_env_vars"].items():
            if "PASSWORD" in key:
                assert value.startswith("{{secrets/"), f"{key} is written in the job file"
