#!/bin/sh
# The image's entrypoint: one role per container (deploy/Dockerfile, deploy/compose.yaml, deploy/kubernetes/).
#
#   web      gunicorn on 0.0.0.0:$PORT (8000), $WEB_WORKERS uvicorn worker processes; /healthz, /metrics
#   worker   a queue worker (procrastinate) on $WORKER_QUEUES (default: every queue: ingestion,audit,maintenance)
#   embed    a queue worker on the ingestion queue alone (parse, inspect, embed, store): the part that embeds,
#            scaled on that queue's depth and, with the CUDA image, run on GPU nodes
#   migrate  the database migrations, then exits (run it before a new version's web and workers start)
#   bake     what the image build runs once: collect the static files, export the embedding model to ONNX
#   manage   any manage.py command: `manage add_user ...`, `manage verify_audit`
#
# Everything comes from environment variables (deploy/env.example); nothing is fetched from the network.
# Each role `exec`s its process, which then receives the container's SIGTERM itself (gunicorn finishes the
# requests it serves; a worker finishes its jobs, and a job cut short is retried, docs/deployment.md).
set -eu

APP_DIR=$(CDPATH="" cd -- "$(dirname -- "$0")/.." && pwd)
cd "$APP_DIR"

usage() {
    echo "usage: $0 web|worker|embed|migrate|bake|manage ARGS..." >&2
    exit 64
}

[ $# -ge 1 ] || usage
role=$1
shift

# Only web's processes are scraped; prometheus-client in any other would fail on a folder it did not make.
[ "$role" = web ] || unset PROMETHEUS_MULTIPROC_DIR

case "$role" in
web)
    # gunicorn's workers are processes: prometheus-client adds their figures up from files in this folder,
    # which must start empty (figures of a previous container's processes would be counted again).
    PROMETHEUS_MULTIPROC_DIR=${PROMETHEUS_MULTIPROC_DIR:-/tmp/sluice-prometheus}
    rm -rf "$PROMETHEUS_MULTIPROC_DIR"
    mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
    export PROMETHEUS_MULTIPROC_DIR
    exec python -m gunicorn config.asgi \
        --config python:config.gunicorn_conf \
        --bind "${HOST:-0.0.0.0}:${PORT:-8000}" \
        --workers "${WEB_WORKERS:-2}" \
        --access-logfile - \
        "$@"
    ;;
worker)
    exec python manage.py procrastinate worker --queues "${WORKER_QUEUES:-ingestion,audit,maintenance}" "$@"
    ;;
embed)
    exec python manage.py procrastinate worker --queues ingestion "$@"
    ;;
migrate)
    exec python manage.py migrate --no-input "$@"
    ;;
bake)
    python manage.py collectstatic --no-input --verbosity 0
    exec python manage.py export_embedder
    ;;
manage)
    exec python manage.py "$@"
    ;;
*)
    echo "unknown role: $role" >&2
    usage
    ;;
esac
