"""The compose files against the code (run by `make lint` and `make test`): every image can be
built, every setting a service reads is one it knows and every required one is given, services
call each other by their compose names on the ports their images expose, host ports do not clash,
long-running services have a healthcheck, and no secret is written in the files."""

from __future__ import annotations

import importlib.util
import io
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from credit_core.auth import ApiClient, authorise
from credit_explainer.config import Settings as ExplainerSettings
from credit_monitor.config import Settings as MonitorSettings
from credit_scoring_api.config import Settings as ScoringSettings
from credit_trainer.config import Settings as TrainerSettings
from credit_ui.config import Settings as UiSettings
from dotenv import dotenv_values
from fastapi import HTTPException
from pydantic import TypeAdapter
from pydantic_settings import BaseSettings

ROOT = Path(__file__).parents[1]
BASE, OVERRIDE, CI = ROOT / "docker-compose.yml", ROOT / "compose.override.yml", ROOT / "compose.ci.yml"
SETTINGS: dict[str, type[BaseSettings]] = {
    "SCORING_": ScoringSettings,
    "EXPLAINER_": ExplainerSettings,
    "MONITOR_": MonitorSettings,
    "UI_": UiSettings,
    "TRAINER_": TrainerSettings,
}
ONE_SHOT = {"createbuckets", "mlflow-database", "mlflow-users", "trainer", "ingest", "monitor-migrate"}
INTERPOLATION = re.compile(r"\$\{([A-Z0-9_]+)(:?[-?][^}]*)?\}")


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text())
    return data


@pytest.fixture(scope="module")
def services() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = _load(BASE)["services"]
    return found


def _environment(service: dict[str, Any]) -> dict[str, str]:
    environment = service.get("environment", {})
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    return {key: str(value) for key, value in environment.items()}


def _dockerfile(service: dict[str, Any]) -> Path | None:
    """The Dockerfile of the service's image (a service running another's image: that one's)."""
    build = service.get("build")
    if build is None:
        image = service.get("image")
        built = [s["build"] for s in _load(BASE)["services"].values() if "build" in s and s.get("image") == image]
        if not built:
            return None
        build = built[0]
    return ROOT / build.get("context", ".") / build.get("dockerfile", "Dockerfile")


def test_every_build_context_and_dockerfile_exists(services: dict[str, dict[str, Any]]) -> None:
    built = [name for name, service in services.items() if "build" in service]
    assert {"mlflow", "trainer", "scoring-api", "explainer", "monitor", "ui"} <= set(built)
    for name in built:
        dockerfile = _dockerfile(services[name])
        assert dockerfile is not None and dockerfile.is_file(), f"{name}: no {dockerfile}"
        assert (ROOT / services[name]["build"]["context"]).is_dir()
        assert "# syntax=" not in dockerfile.read_text(), f"{name}: BuildKit frontends cannot be fetched here"


def test_every_setting_given_is_known_and_every_required_one_is_given(services: dict[str, dict[str, Any]]) -> None:
    checked = set()
    for name, service in services.items():
        environment = _environment(service)
        for prefix, settings in SETTINGS.items():
            given = {key[len(prefix) :].lower() for key in environment if key.startswith(prefix)}
            if not given:
                continue
            checked.add(prefix)
            fields = settings.model_fields
            assert given <= set(fields), f"{name}: unknown settings {sorted(given - set(fields))} for {prefix}*"
            required = {field for field, info in fields.items() if info.is_required()}
            assert required <= given, f"{name}: required {prefix}* settings missing: {sorted(required - given)}"
    assert checked == set(SETTINGS)


def _exposed(dockerfile: Path) -> set[int]:
    lines = re.findall(r"^EXPOSE ([\d ]+)$", dockerfile.read_text(), re.MULTILINE)
    return {int(port) for line in lines for port in line.split()}


def test_services_call_each_other_by_name_on_the_ports_their_images_expose(
    services: dict[str, dict[str, Any]],
) -> None:
    ports = {name: _exposed(path) for name, service in services.items() if (path := _dockerfile(service))}
    ports |= {"postgres": {5432}, "minio": {9000}}
    calls = 0
    for name, service in services.items():
        for key, value in _environment(service).items():
            for host, port in re.findall(r"(?:https?|postgresql\+psycopg)://(?:[^@/]*@)?([a-z-]+):(\d+)", value):
                calls += 1
                assert host in services, f"{name}.{key}: {host} is not a compose service"
                assert int(port) in ports[host], f"{name}.{key}: {host} does not listen on {port}"
                assert host in _depends_on(services, name), f"{name} calls {host} without depending on it"
    assert calls >= 10


def _depends_on(services: dict[str, dict[str, Any]], name: str) -> set[str]:
    """Every service ``name`` waits for, directly or not."""
    found: set[str] = set()
    todo = [name]
    while todo:
        for dependency in services[todo.pop()].get("depends_on", {}):
            if dependency not in found:
                found.add(dependency)
                todo.append(dependency)
    return found


def test_host_ports_do_not_clash() -> None:
    published: list[str] = []
    for path in (BASE, OVERRIDE):
        for service in _load(path)["services"].values():
            published += [str(mapping).rsplit(":", 1)[0] for mapping in service.get("ports", [])]
    assert len(published) == len(set(published)), published
    assert "5432" not in published, "the host's own Postgres listens on 5432"


def test_long_running_services_have_a_healthcheck_and_one_shots_are_waited_for(
    services: dict[str, dict[str, Any]],
) -> None:
    for name, service in services.items():
        if name in ONE_SHOT or service.get("profiles"):
            continue
        dockerfile = _dockerfile(service)
        in_image = dockerfile is not None and "HEALTHCHECK" in dockerfile.read_text()
        assert "healthcheck" in service or in_image, f"{name} has no healthcheck"
        for dependency, condition in service.get("depends_on", {}).items():
            expected = "service_completed_successfully" if dependency in ONE_SHOT else "service_healthy"
            assert condition["condition"] == expected, f"{name} -> {dependency}"


def test_no_secret_is_written_in_the_files_and_every_variable_is_documented() -> None:
    documented = set(re.findall(r"^([A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    for path in (BASE, OVERRIDE):
        text = path.read_text()
        used = {name for name, _ in INTERPOLATION.findall(text)}
        assert used <= documented, f"{path.name}: not in .env.example: {sorted(used - documented)}"
        for service in _load(path)["services"].values():
            for key, value in _environment(service).items():
                if re.search(r"PASSWORD|SECRET|TOKEN|_KEY\b|_CLIENTS\b|ACCESS_KEY", key):
                    assert "${" in value, f"{path.name}: {key} is written in the file"
    required = {name for name, default in INTERPOLATION.findall(BASE.read_text()) if default.startswith(":?")}
    assert {"POSTGRES_PASSWORD", "MINIO_ROOT_PASSWORD", "SCORING_API_CLIENTS", "UI_SCORING_API_KEY"} <= required


def test_the_env_file_keeps_what_compose_runs_by_default() -> None:
    """A value set in .env.example wins over compose's default once copied to .env (`make env`):
    where both say something, they say the same (a `false` there turned compose's retrain loop off)."""
    example = dotenv_values(ROOT / ".env.example")
    for path in (BASE, OVERRIDE):
        for name, default in INTERPOLATION.findall(path.read_text()):
            if default.startswith(":-") and example.get(name):
                assert example[name] == default[2:], (
                    f"{path.name}: {name} is {default[2:]!r}, .env.example {example[name]!r}"
                )


def test_make_env_gives_every_required_secret_and_keys_that_open_what_each_client_needs() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    from new_env import env_text, generated

    text = env_text((ROOT / ".env.example").read_text(), generated())
    values = dotenv_values(stream=io.StringIO(text))  # as compose reads it
    required = {name for name, default in INTERPOLATION.findall(BASE.read_text()) if default.startswith(":?")}
    assert all(values.get(name) for name in required), sorted(n for n in required if not values.get(n))
    clients = {
        prefix: ScoringSettings(api_clients=TypeAdapter(list[ApiClient]).validate_json(values[f"{prefix}_API_CLIENTS"]))
        for prefix in ("SCORING", "EXPLAINER", "MONITOR")
    }
    ui = {
        "SCORING": ("score", "applicants:read", "model:read"),
        "EXPLAINER": ("explain", "model:read"),
        "MONITOR": ("drift:read",),
    }
    for prefix, scopes in ui.items():
        key = values[f"UI_{prefix}_API_KEY"]
        assert all(authorise(clients[prefix], key, scope) == "ui" for scope in scopes)
    explainer = values["EXPLAINER_SCORING_API_KEY"]
    assert authorise(clients["SCORING"], explainer, "applicants:read") == "explainer"
    with pytest.raises(HTTPException) as refused:
        authorise(clients["SCORING"], explainer, "score")
    assert refused.value.status_code == 403
    assert text.count(values["OPS_API_KEY"]) == 1 and generated()["OPS_API_KEY"] != values["OPS_API_KEY"]
    # sourced by a shell as well (`set -a; . .env`: compose-test, ops scripts): the same values
    sourced = subprocess.run(
        ["bash", "-c", "set -euo pipefail; set -a; . /dev/stdin; set +a; env -0"],
        input=text,
        check=False,
        capture_output=True,
        text=True,
    )
    assert sourced.returncode == 0, sourced.stderr
    shell = dict(line.split("=", 1) for line in sourced.stdout.split("\0") if "=" in line)
    assert {k: shell.get(k) for k in values} == values


def test_the_ci_override_only_swaps_in_stand_ins() -> None:
    if not CI.exists():
        pytest.skip("no compose.ci.yml")
    base = _load(BASE)["services"]
    for name, service in _load(CI)["services"].items():
        assert name in base, f"compose.ci.yml adds {name}"
        assert set(service) <= {"image", "build", "healthcheck", "entrypoint", "command"}, f"{name}: {set(service)}"
        assert name not in {"mlflow", "trainer", "ingest", "scoring-api", "explainer", "monitor", "ui"}


# checkov has no compose framework: these are the compose files' security checks (make lint)
PUBLIC = {"scoring-api": ["8000:8000"], "ui": ["8501:8501"]}  # what lenders and officers reach


def test_our_containers_are_hardened_and_none_is_privileged(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        options = service.get("security_opt", [])
        assert "no-new-privileges:true" in options, f"{name} may gain privileges"
        assert not service.get("privileged") and not service.get("cap_add"), f"{name} is given privileges"
        assert service.get("network_mode") != "host" and service.get("pid") != "host", name
        ours = str(service.get("image", "")).startswith("bank-scoring/")
        if ours:  # their images run as uid 10001 and write only their volumes and /tmp
            assert service.get("read_only") is True, f"{name} can write its root filesystem"
            assert service.get("cap_drop") == ["ALL"], f"{name} keeps capabilities"
            assert "/tmp" in service.get("tmpfs", []), f"{name} has no /tmp"  # noqa: S108 (the mount, not a file)


def test_only_the_public_apps_listen_beyond_this_machine() -> None:
    for path in (BASE, OVERRIDE):
        for name, service in _load(path)["services"].items():
            wide = [str(p) for p in service.get("ports", []) if not str(p).startswith("127.0.0.1:")]
            assert wide == PUBLIC.get(name, []), f"{path.name}: {name} publishes {wide} on every interface"


def test_the_e2e_stack_keeps_logins_whose_password_starts_with_digits() -> None:
    """e2e/stack.py turns compose's ``//service:port`` into this machine's ports; a password
    such as ``1234abc`` after ``//monitor:`` is not a port (it once became ``//127.0.0.1:1234``)."""
    spec = importlib.util.spec_from_file_location("e2e_stack", ROOT / "e2e" / "stack.py")
    assert spec is not None and spec.loader is not None
    stack = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(stack)
    ports = {"postgres": 6543, "mlflow": 5111, "scoring-api": 8111, "explainer": 8112, "monitor": 8113, "minio": 9111}
    variables = dict(stack.SECRETS) | {"MONITOR_DB_PASSWORD": "1234abc", "SCORING_DB_PASSWORD": "987"}
    monitor = stack.compose_environment("monitor", ports, variables)
    assert monitor["MONITOR_DATABASE_URL"] == "postgresql+psycopg://monitor:1234abc@127.0.0.1:6543/e2e_bank_scoring"
    assert monitor["MONITOR_MLFLOW_TRACKING_URI"] == "http://127.0.0.1:5111"
    scoring = stack.compose_environment("scoring-api", ports, variables)
    assert scoring["SCORING_DATABASE_URL"] == "postgresql+psycopg://scoring:987@127.0.0.1:6543/e2e_bank_scoring"
