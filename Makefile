# bank-scoring task runner: what people, the README and CI all call.
# A newcomer types `make demo` or `make test`; both create the environment first when needed.

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO_DATA := data/demo
export PIP_CONSTRAINT := $(CURDIR)/constraints.txt
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: setup test test-fast lint format demo bench mlflow-ui clean

setup: $(STAMP)

$(STAMP): constraints.txt requirements-dev.txt packages/credit-core/pyproject.toml services/*/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet \
		-e packages/credit-core \
		-e services/trainer \
		-e services/scoring-api \
		-e services/explainer \
		-e services/monitor \
		-e services/ui \
		-r requirements-dev.txt
	touch $(STAMP)

test: setup  ## every test, slow ones included (what CI runs)
	$(BIN)/python -m pytest --cov --cov-report=term

test-fast: setup  ## skip the tests marked slow
	$(BIN)/python -m pytest -m "not slow"

lint: setup
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

demo: setup  ## synthetic data -> validation -> features -> EDA -> trained, registered, promoted model
	$(BIN)/credit-trainer synth --out $(DEMO_DATA) --applicants 20000 --test-applicants 2000 --format parquet
	$(BIN)/credit-trainer validate --data $(DEMO_DATA) --strict-keys
	$(BIN)/credit-trainer features --data $(DEMO_DATA) --out $(DEMO_DATA)/features.parquet
	$(BIN)/credit-trainer eda --data $(DEMO_DATA) --out $(DEMO_DATA)/eda.html
	$(BIN)/credit-trainer train --data $(DEMO_DATA) --grid small --max-applicants 6000 --promote
	@echo "MLflow UI: make mlflow-ui, then open http://127.0.0.1:5000"

mlflow-ui: setup  ## browse the embedded MLflow store (runs, plots, registered models)
	$(BIN)/mlflow ui --backend-store-uri sqlite:///$(CURDIR)/mlruns/mlflow.db --host 127.0.0.1 --port 5000

bench: setup  ## full-size features and training, hot path, API load with wrk, explainer latency (data generated once)
	$(BIN)/python bench/features_scale.py
	$(BIN)/python bench/train_scale.py
	$(BIN)/python bench/api_load.py
	$(BIN)/python bench/explain_latency.py
	$(BIN)/python bench/drift_scale.py

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache .coverage
