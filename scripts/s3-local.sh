#!/usr/bin/env bash
# A real S3-compatible object store on this machine, for the remote cache (`serx push` / `serx pull`,
# `serx run --pull`) and its integration tests: SeaweedFS (`weed mini`, Apache-2.0), built from its
# Go module once and kept in ~/.cache/serx/s3/, listening on 127.0.0.1 only.
#
#   bash scripts/s3-local.sh up       # build weed if missing (~10+ min once), start it, create the bucket
#   bash scripts/s3-local.sh down     # stop it (data and binary stay)
#   bash scripts/s3-local.sh status
#   bash scripts/s3-local.sh env      # the variables a shell (or a test) needs to reach it
#
# Idempotent: `up` on a running store only checks that it answers. Settings (environment):
# SERX_S3_PORT (18333), SERX_S3_DIR (data, /tmp/serx-s3), SERX_S3_BUCKET (serx-test).
set -euo pipefail

# SeaweedFS as a Go module version (go.mod has `replace` lines, so `go install` refuses it: the
# module is downloaded and built in a writable copy instead).
SEAWEEDFS_VERSION=v0.0.0-20261109003541-7506e5f91cd6
PORT=${SERX_S3_PORT:-18333}
DATA=${SERX_S3_DIR:-/tmp/serx-s3}
BUCKET=${SERX_S3_BUCKET:-serx-test}
ACCESS_KEY=serx-local
SECRET_KEY=serx-local-secret
CACHE_HOME=${SERX_CACHE_HOME:-$HOME/.cache/serx}
BIN=$CACHE_HOME/s3/weed-$SEAWEEDFS_VERSION
PIDFILE=$DATA/weed.pid
# the other ports weed mini opens, all on 127.0.0.1 (its gRPC ports are these + 10000)
MASTER_PORT=$((PORT + 1000))
VOLUME_PORT=$((PORT + 1007))
FILER_PORT=$((PORT + 555))

say() { echo "[s3-local] $*"; }

running() { [ -s "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

build() {
  [ -x "$BIN" ] && return 0
  command -v go >/dev/null || {
    echo "[s3-local] Go is needed to build SeaweedFS once (then cached in $BIN)" >&2
    exit 1
  }
  local work log started dir
  work=$(mktemp -d)
  log="${TMPDIR:-/tmp}/serx-s3-build.log"
  started=$(date +%s)
  say "building SeaweedFS $SEAWEEDFS_VERSION (once; log: $log)"
  dir=$(go mod download -json "github.com/seaweedfs/seaweedfs@$SEAWEEDFS_VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -d "$dir" ] || {
    echo "[s3-local] go mod download of seaweedfs@$SEAWEEDFS_VERSION failed" >&2
    exit 1
  }
  cp -r "$dir" "$work/src"
  chmod -R u+w "$work/src"
  mkdir -p "$(dirname "$BIN")"
  if ! (cd "$work/src" && GOFLAGS=-mod=mod nice -n 10 go build -trimpath -ldflags "-s -w" -o "$BIN.tmp.$$" ./weed) \
    >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    rm -rf "$work" "$BIN.tmp.$$"
    echo "[s3-local] building weed failed (full log: $log)" >&2
    exit 1
  fi
  mv "$BIN.tmp.$$" "$BIN"
  rm -rf "$work"
  say "built $BIN in $(($(date +%s) - started)) s"
}

answers() {
  curl -sf -o /dev/null --max-time 5 --aws-sigv4 "aws:amz:us-east-1:s3" --user "$ACCESS_KEY:$SECRET_KEY" \
    "http://127.0.0.1:$PORT/$BUCKET?list-type=2&max-keys=1"
}

up() {
  build
  if running && answers; then
    say "up: http://127.0.0.1:$PORT bucket $BUCKET (pid $(cat "$PIDFILE"))"
    return 0
  fi
  running && down
  mkdir -p "$DATA"
  cat >"$DATA/s3.json" <<EOF
{"identities": [{"name": "serx", "credentials": [{"accessKey": "$ACCESS_KEY", "secretKey": "$SECRET_KEY"}],
  "actions": ["Admin", "Read", "List", "Tagging", "Write"]}]}
EOF
  say "starting weed mini on 127.0.0.1:$PORT (data: $DATA)"
  # telemetry off: nothing leaves this machine
  setsid "$BIN" mini -dir="$DATA" -ip=127.0.0.1 -ip.bind=127.0.0.1 \
    -master.port="$MASTER_PORT" -volume.port="$VOLUME_PORT" -filer.port="$FILER_PORT" -s3.port="$PORT" \
    -s3.port.iceberg=0 -s3.port.lance=0 -webdav=false -admin.ui=false -master.telemetry=false \
    -s3.config="$DATA/s3.json" -bucket="$BUCKET" </dev/null >"$DATA/weed.log" 2>&1 &
  echo $! >"$PIDFILE"
  local i
  for i in $(seq 1 240); do
    if answers; then
      say "up: http://127.0.0.1:$PORT bucket $BUCKET (pid $(cat "$PIDFILE"), ${i}x0.5 s to start)"
      return 0
    fi
    running || break
    sleep 0.5
  done
  tail -n 30 "$DATA/weed.log" >&2
  echo "[s3-local] weed did not answer on 127.0.0.1:$PORT (log: $DATA/weed.log)" >&2
  exit 1
}

# Stops weed by the pid in its pid file (never by name), its whole process group.
down() {
  running || return 0
  local pid i
  pid=$(cat "$PIDFILE")
  kill -- "-$pid" 2>/dev/null || kill "$pid" || true
  for i in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$pid" 2>/dev/null && { kill -9 -- "-$pid" 2>/dev/null || kill -9 "$pid" || true; }
  rm -f "$PIDFILE"
  say "stopped"
}

case "${1:-}" in
up) up ;;
down) down ;;
status)
  if running && answers; then say "running: http://127.0.0.1:$PORT bucket $BUCKET (pid $(cat "$PIDFILE"))"; else say "stopped"; fi
  ;;
env)
  echo "export SERX_TEST_S3_ENDPOINT=http://127.0.0.1:$PORT SERX_TEST_S3_BUCKET=$BUCKET"
  echo "export AWS_ACCESS_KEY_ID=$ACCESS_KEY AWS_SECRET_ACCESS_KEY=$SECRET_KEY AWS_REGION=us-east-1"
  ;;
*)
  echo "usage: bash scripts/s3-local.sh up|down|status|env" >&2
  exit 2
  ;;
esac
