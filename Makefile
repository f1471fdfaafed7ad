# bank-scoring task runner: what people, the README and CI all call.
# A newcomer types `make demo` or `make test`; both create the environment first when needed.

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# checkov in an environment of its own: its pins conflict with the project's (constraints-checkov.txt)
CHECKOV_VENV := .venv-checkov
CHECKOV := $(CHECKOV_VENV)/bin/checkov
DEMO_DATA := data/demo
DOCKERFILES := $(wildcard services/*/Dockerfile) docker/mlflow/Dockerfile $(wildcard docker/ci/*/Dockerfile)
export PIP_CONSTRAINT := $(CURDIR)/constraints.txt
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: setup env test coverage test-fast lint format demo e2e compose-test bench wheels mlflow-ui clean

setup: $(STAMP)

$(STAMP): constraints.txt requirements-dev.txt packages/*/pyproject.toml services/*/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet \
		-e packages/credit-core \
		-e packages/credit-synthetic \
		-e services/trainer \
		-e services/scoring-api \
		-e services/explainer \
		-e services/monitor \
		-e services/ui \
		-r requirements-dev.txt
	touch $(STAMP)

$(CHECKOV): constraints-checkov.txt
	$(PYTHON) -m venv $(CHECKOV_VENV)
	PIP_CONSTRAINT=$(CURDIR)/constraints-checkov.txt $(CHECKOV_VENV)/bin/python -m pip install --quiet checkov
	touch $@

env: setup  ## write .env for docker compose with every secret generated (passwords, API keys, the services' clients)
	$(BIN)/python scripts/new_env.py

test: setup  ## every test, slow ones included (what CI runs), the 25 slowest listed
	$(BIN)/python -m pytest --durations=25

coverage: setup  ## the same tests with a coverage report over every package and service (slower: tracing)
	$(BIN)/python -m pytest --cov --cov-report=term --durations=25

test-fast: setup  ## skip the tests marked slow
	$(BIN)/python -m pytest -m "not slow"

lint: setup $(CHECKOV)  ## code (ruff with its security rules, mypy), compose files (schema, consistency, hardening), workflows (schema, zizmor, checkov), Dockerfiles (hadolint, checkov), Bicep (checkov), alert rules (promtool)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml compose.override.yml compose.ci.yml
	mkdir -p build && $(BIN)/python scripts/new_env.py --force --output build/lint.env >/dev/null
	$(BIN)/docker-compose --env-file build/lint.env -f docker-compose.yml -f compose.override.yml -f compose.ci.yml config -q
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
	$(BIN)/zizmor --offline .github/workflows/
	$(BIN)/hadolint $(DOCKERFILES)
	$(CHECKOV) --quiet --compact --skip-download --framework bicep -d deploy/azure
	$(CHECKOV) --quiet --compact --skip-download --framework github_actions -d .github/workflows
	$(CHECKOV) --quiet --compact --skip-download --framework dockerfile $(addprefix -f ,$(DOCKERFILES))
	promtool check rules deploy/prometheus/alerts.yml
	$(BIN)/python -m pytest --no-cov -q -p no:cacheprovider tests/test_compose.py

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

demo: setup  ## the whole system on this machine, no Docker: data, model, applicants, the services and Evidently's UI (Ctrl-C stops)
	$(BIN)/credit-trainer bootstrap --data $(DEMO_DATA) --max-applicants 8000
	$(BIN)/credit-scoring-api migrate
	$(BIN)/credit-scoring-api ingest --data $(DEMO_DATA) --limit 2000
	$(BIN)/python -m credit_ui.users demo $(DEMO_DATA)/users.json --logins $(DEMO_DATA)/dashboard-logins.txt
	# on one machine for one person: the services ask no key (nowhere else is authentication off);
	# the dashboard asks its users to sign in (welcome prints their passwords)
	SCORING_AUTH_DISABLED=true EXPLAINER_AUTH_DISABLED=true MONITOR_AUTH_DISABLED=true \
	    MONITOR_EVIDENTLY_WORKSPACE=http://127.0.0.1:8003 UI_EVIDENTLY_URL=http://127.0.0.1:8003 \
	    UI_USERS_FILE=$(DEMO_DATA)/users.json $(BIN)/honcho start

e2e: setup  ## the stack on real parts without Docker (Postgres, mlflow server, S3 endpoint, services), then the scenario
	$(BIN)/python e2e/stack.py

compose-test: setup  ## the compose stack for real (Docker engine started, local base images when no registry), then the scenario
	bash e2e/compose_test.sh

wheels:  ## the wheels a Spark cluster installs to run score-portfolio (dist/; docs/portfolio.md)
	$(PYTHON) -m pip wheel --quiet --no-deps --wheel-dir dist packages/credit-core packages/credit-synthetic services/trainer

mlflow-ui: setup  ## browse the embedded MLflow store (runs, plots, registered models)
	$(BIN)/mlflow ui --backend-store-uri sqlite:///$(CURDIR)/mlruns/mlflow.db --host 127.0.0.1 --port 5000

bench: setup  ## full-size features and training, portfolio scoring at 1x and 10x (polars, Spark), model risk on 50,000, hot path, API load with wrk, /health under load, faults, retention, explainer latency (data generated once)
	$(BIN)/python bench/features_scale.py
	$(BIN)/python bench/train_scale.py
	$(BIN)/python bench/model_risk.py --synthetic 50000
	$(BIN)/python bench/api_load.py
	$(BIN)/python bench/health_under_load.py
	$(BIN)/python bench/decision_durability.py
	$(BIN)/python bench/retention.py
	$(BIN)/python bench/explain_latency.py
	$(BIN)/python bench/drift_scale.py
	$(BIN)/python bench/drift_windows.py
	$(BIN)/python bench/portfolio_scale.py

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) data build dist .pytest_cache .mypy_cache .ruff_cache .coverage
