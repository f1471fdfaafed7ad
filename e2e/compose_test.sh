#!/usr/bin/env bash
# `make compose-test`: the compose stack for real, then the end-to-end scenario against it.
#  1. a Docker engine: Debian's docker.io, started here when none answers (needs root);
#  2. where no image registry is reachable (COMPOSE_TEST_STAND_INS=1, the default): a Debian base
#     made by debootstrap, and on it local stand-ins for python:3.11-slim, postgres and minio
#     (docker/ci/, swapped in by compose.ci.yml); COMPOSE_TEST_STAND_INS=0 uses the real images;
#  3. the project's images from their own Dockerfiles; `up`, and every healthcheck waited for;
#  4. e2e/test_stack.py against the published ports; logs shown on failure; everything torn down.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=${BIN:-$ROOT/.venv/bin}
OUT=$ROOT/build/compose
STAND_INS=${COMPOSE_TEST_STAND_INS:-1}
mkdir -p "$OUT"
rm -f "$OUT/e2e.log"
log() { echo "compose-test: $*"; }
elapsed() { echo $(( $(date +%s) - $1 )); }
started=$(date +%s)

# ---- 1. the engine ---------------------------------------------------------------------------
if ! docker info >/dev/null 2>&1; then
    if ! command -v dockerd >/dev/null 2>&1; then
        log "installing Debian's docker.io"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
    fi
    log "starting dockerd"
    nohup dockerd >"$OUT/dockerd.log" 2>&1 &
    for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
    docker info >/dev/null 2>&1 || { tail -30 "$OUT/dockerd.log"; exit 1; }
fi
COMPOSE=("$BIN/docker-compose" --env-file "$OUT/.env" -p bank-scoring-ci -f docker-compose.yml -f compose.override.yml)

# ---- 2. stand-ins ----------------------------------------------------------------------------
if [ "$STAND_INS" = "1" ]; then
    COMPOSE+=(-f compose.ci.yml)
    if ! docker image inspect bank-scoring-ci/debian:bookworm >/dev/null 2>&1; then
        command -v debootstrap >/dev/null 2>&1 || apt-get install -y -qq debootstrap >/dev/null
        log "debootstrap: a minimal Debian bookworm base"
        rootfs=$(mktemp -d)
        debootstrap --variant=minbase bookworm "$rootfs" >"$OUT/debootstrap.log" 2>&1 \
            || { tail -30 "$OUT/debootstrap.log"; exit 1; }
        # slim like Debian's own -slim images: no package lists or caches, dpkg told to leave out
        # documentation, manual pages and translations, apt told to keep no cache (docker-clean)
        rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/* "$rootfs"/var/log/*.log \
            "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/locale/*
        cp docker/ci/dpkg-slim.cfg "$rootfs/etc/dpkg/dpkg.cfg.d/slim"
        cp docker/ci/apt-docker-clean "$rootfs/etc/apt/apt.conf.d/docker-clean"
        tar -C "$rootfs" -c . | docker import - bank-scoring-ci/debian:bookworm >/dev/null
        rm -rf "$rootfs"
    fi
    # the host's CA: HTTPS from inside the containers goes through the same proxy as the host's
    rm -rf docker/ci/python/ca && mkdir -p docker/ci/python/ca
    cp /usr/local/share/ca-certificates/*.crt docker/ci/python/ca/ 2>/dev/null || true
    log "building the stand-ins"
    docker build -q -t python:3.11-slim docker/ci/python >/dev/null
    docker build -q -t bank-scoring-ci/postgres:15 docker/ci/postgres >/dev/null
    docker build -q -t bank-scoring-ci/s3:latest -f docker/ci/s3/Dockerfile . >/dev/null
fi

# ---- 3. the project's images, then the stack -------------------------------------------------
"$BIN/python" scripts/new_env.py --force --output "$OUT/.env"  # what `make env` writes: every secret new
sed -i -e 's/^TRAINER_APPLICANTS=.*/TRAINER_APPLICANTS=6000/' -e 's/^TRAINER_MAX_APPLICANTS=.*/TRAINER_MAX_APPLICANTS=4000/' \
    -e 's/^INGEST_LIMIT=.*/INGEST_LIMIT=500/' -e 's/^IMAGE_TAG=.*/IMAGE_TAG=ci/' "$OUT/.env"
set -a; . "$OUT/.env"; set +a
teardown() {
    status=$?
    if [ "$status" != 0 ]; then
        log "failed: the services' last lines"
        "${COMPOSE[@]}" ps -a || true
        "${COMPOSE[@]}" logs --no-color --tail 60 || true
        if [ -s "$OUT/e2e.log" ]; then  # last, where a truncated CI output still shows it
            log "failed: the scenario's failures"
            sed -n '/= FAILURES =/,$p' "$OUT/e2e.log" | tail -n 150
        fi
    fi
    "${COMPOSE[@]}" down -v --remove-orphans >/dev/null 2>&1 || true
    exit "$status"
}
trap teardown EXIT
build_started=$(date +%s)
log "building the project's images"
"${COMPOSE[@]}" build >"$OUT/build.log" 2>&1 || { tail -60 "$OUT/build.log"; exit 1; }
log "images built in $(elapsed "$build_started") s"
docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' 'bank-scoring/*' | tee "$OUT/image-sizes.txt"

up_started=$(date +%s)
"${COMPOSE[@]}" up -d
long_running=(postgres minio mlflow scoring-api explainer monitor evidently-ui ui)
for _ in $(seq 180); do
    unhealthy=()
    for service in "${long_running[@]}"; do
        id=$("${COMPOSE[@]}" ps -q "$service")
        health=$( [ -n "$id" ] && docker inspect -f '{{.State.Health.Status}}' "$id" 2>/dev/null || echo starting)
        [ "$health" = healthy ] || unhealthy+=("$service:$health")
    done
    [ ${#unhealthy[@]} -eq 0 ] && break
    for job in trainer ingest monitor-migrate; do
        id=$("${COMPOSE[@]}" ps -aq "$job")
        code=$( [ -n "$id" ] && docker inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$id" || echo "")
        case "$code" in exited\ 0|"") ;; exited*) log "$job failed: $code"; exit 1 ;; esac
    done
    sleep 5
done
[ ${#unhealthy[@]} -eq 0 ] || { log "not healthy after 15 min: ${unhealthy[*]}"; exit 1; }
log "all services healthy $(elapsed "$up_started") s after up" | tee "$OUT/up-to-healthy.txt"

# ---- 3b. hardened: our containers cannot write their root filesystem, hold no capability and
# gain no privilege; the monitor's database login cannot delete a decision, the scoring API's neither
for service in mlflow scoring-api explainer monitor evidently-ui ui; do
    id=$("${COMPOSE[@]}" ps -q "$service")
    seen=$(docker inspect -f '{{.HostConfig.ReadonlyRootfs}} {{.HostConfig.CapDrop}} {{.HostConfig.SecurityOpt}}' "$id")
    [ "$seen" = "true [ALL] [no-new-privileges:true]" ] || { log "$service is not hardened: $seen"; exit 1; }
    if "${COMPOSE[@]}" exec -T "$service" sh -c ': >/opt/written' 2>/dev/null; then
        log "$service could write to its root filesystem"; exit 1
    fi
done
for login in monitor:$MONITOR_DB_PASSWORD scoring:$SCORING_DB_PASSWORD; do
    refused=$("${COMPOSE[@]}" exec -T -e PGPASSWORD="${login#*:}" postgres \
        psql -h 127.0.0.1 -U "${login%%:*}" -d "$POSTGRES_DB" -c "DELETE FROM predictions" 2>&1 || true)
    case "$refused" in *"permission denied"*) ;; *) log "${login%%:*} may delete decisions: $refused"; exit 1 ;; esac
done
log "containers hardened; the services' database logins cannot delete a decision"

# ---- 4. the scenario -------------------------------------------------------------------------
E2E_SCORING_URL=http://127.0.0.1:8000 E2E_EXPLAINER_URL=http://127.0.0.1:8001 \
E2E_MONITOR_URL=http://127.0.0.1:8002 E2E_UI_URL=http://127.0.0.1:8501 E2E_MLFLOW_URL=http://127.0.0.1:5000 \
E2E_EVIDENTLY_URL=http://127.0.0.1:8003 \
E2E_RETRAIN_COMMAND="${COMPOSE[*]} run --rm -T retrainer credit-trainer retrain --once --data /data --models dummy,lightgbm --max-applicants 4000" \
E2E_SCORING_API_KEY=$UI_SCORING_API_KEY E2E_EXPLAINER_API_KEY=$UI_EXPLAINER_API_KEY E2E_OPS_API_KEY=$OPS_API_KEY \
E2E_MLFLOW_SERVICES_PASSWORD=$MLFLOW_SERVICES_PASSWORD \
E2E_DASHBOARD_OFFICER_PASSWORD=$DASHBOARD_OFFICER_PASSWORD E2E_DASHBOARD_OPS_PASSWORD=$DASHBOARD_OPS_PASSWORD \
E2E_DASHBOARD_RISK_PASSWORD=$DASHBOARD_RISK_PASSWORD \
E2E_ARTEFACTS=$OUT \
    "$BIN/python" -m pytest -v --no-cov -p no:cacheprovider e2e 2>&1 | tee "$OUT/e2e.log"

# ---- 5. start-up: each service restarted, seconds until it is ready -----------------------------
: >"$OUT/start-to-ready.txt"
for pair in scoring-api:8000/ready explainer:8001/ready monitor:8002/ready ui:8501/_stcore/health; do
    service=${pair%%:*}; url="http://127.0.0.1:${pair#*:}"
    "${COMPOSE[@]}" stop "$service" >/dev/null 2>&1
    began=$(date +%s%N)
    "${COMPOSE[@]}" start "$service" >/dev/null 2>&1
    for _ in $(seq 1500); do curl -fsS -o /dev/null "$url" 2>/dev/null && break; sleep 0.2; done
    curl -fsS -o /dev/null "$url" || { log "$service not ready 300 s after start"; exit 1; }
    awk -v s="$service" -v t="$(( $(date +%s%N) - began ))" 'BEGIN { printf "%s: %.1f s from start to ready\n", s, t / 1e9 }' \
        | tee -a "$OUT/start-to-ready.txt"
done
log "passed in $(elapsed "$started") s in all"
