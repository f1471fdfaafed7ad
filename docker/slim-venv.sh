#!/bin/sh
# Slim a service's virtual environment for its runtime image: what the service runs, nothing else.
#   sh docker/slim-venv.sh /opt/venv "import credit_scoring_api.main"
# - the installers (pip, setuptools) are not needed at run time;
# - the test suites that libraries ship inside their packages are never run (Evidently's are kept:
#   its metrics import evidently.legacy.tests at run time);
# - shared libraries lose their debug symbols (strip --strip-unneeded keeps what the loader needs),
#   except the ones wheels vendor in <package>.libs/: auditwheel patched them, strip breaks them;
# - bytecode is written only for the modules the service imports at start-up (the second argument),
#   so start-up stays fast without compiling code that never runs.
set -eu
venv=$1
imports=$2
site="$venv/lib/python3.11/site-packages"
"$venv/bin/python" -m pip uninstall --quiet --yes pip setuptools
find "$site" -mindepth 2 -depth -type d \( -name tests -o -name testing_data \) -not -path '*/evidently/*' \
    -exec rm -rf {} +
find "$site" -type f \( -name '*.so' -o -name '*.so.*' \) -not -path '*.libs/*' -exec strip --strip-unneeded {} +
find "$site" -depth -type d -name __pycache__ -exec rm -rf {} +
PYTHONDONTWRITEBYTECODE='' "$venv/bin/python" -c "$imports"
