#!/bin/sh
# Performs the steps of docker/Dockerfile without a Docker engine, so CI can check them:
#   build stage:   ./mvnw -B -q -DskipTests -pl edge-server -am package in a copy of the source tree
#   runtime stage: install the executable as /usr/local/bin/outpost under a temporary root, a data directory
#                  for the volume, the image's ENV, a non-root user (nobody, when started as root), then the
#                  ENTRYPOINT + CMD ('outpost serve'), the Dockerfile's HEALTHCHECK command (read from it), and
#                  'docker stop' (SIGTERM, expecting exit status 0, then the health check failing).
# Differences from the image, on purpose: it binds 127.0.0.1 and a free port (the image binds 0.0.0.0:9090) and
# uses the JDK found here instead of the image's JRE.
#
# Usage: docker/build-and-start-without-docker.sh            full build (needs Maven Central or a warm ~/.m2)
#        OUTPOST_PREBUILT=edge-server/target/outpost docker/build-and-start-without-docker.sh
#                                                            reuse a built executable (what the test run does)
# Prints "build-and-start-without-docker: OK" and exits 0 on success.
set -eu

REPO=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/outpost-image.XXXXXX")
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then kill -9 "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
step() { printf "build-and-start-without-docker: %s\n" "$*"; }

# ---- build stage ----
if [ -n "${OUTPOST_PREBUILT:-}" ]; then
  step "build stage: using prebuilt $OUTPOST_PREBUILT"
  cp "$OUTPOST_PREBUILT" "$WORK/outpost"
else
  step "build stage: ./mvnw package in a copy of $REPO"
  mkdir "$WORK/src"
  (cd "$REPO" && tar --exclude=./.git --exclude='./*/target' --exclude='./*/target-*' --exclude=./data -cf - .) \
    | (cd "$WORK/src" && tar -xf -)
  (cd "$WORK/src" && ./mvnw -B -q -DskipTests -pl edge-server -am package)
  cp "$WORK/src/edge-server/target/outpost" "$WORK/outpost"
  rm -rf "$WORK/src"
fi

# ---- runtime stage ----
ROOT="$WORK/root"
mkdir -p "$ROOT/usr/local/bin" "$ROOT/var/lib/outpost"
cp "$WORK/outpost" "$ROOT/usr/local/bin/outpost"
chmod 755 "$ROOT/usr/local/bin/outpost"
chmod 755 "$WORK" "$ROOT" "$ROOT/usr" "$ROOT/usr/local" "$ROOT/usr/local/bin" "$ROOT/var" "$ROOT/var/lib"
LOG="$WORK/server.log"

# ENV of the image (host and port: see above)
OUTPOST_HOST=127.0.0.1
OUTPOST_PORT=0
OUTPOST_DATA_DIR="$ROOT/var/lib/outpost"
OUTPOST_APP_ID="${OUTPOST_APP_ID:-outpost}"
JAVA_OPTS="${JAVA_OPTS:--XX:MaxRAMPercentage=75}"
export OUTPOST_HOST OUTPOST_PORT OUTPOST_DATA_DIR OUTPOST_APP_ID JAVA_OPTS
if [ -z "${JAVA_HOME:-}" ]; then JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")"); fi
export JAVA_HOME

# USER: non-root where possible
RUN_AS=""
if [ "$(id -u)" = "0" ] && command -v setpriv >/dev/null 2>&1 && id nobody >/dev/null 2>&1; then
  chown "$(id -u nobody):$(id -g nobody)" "$ROOT/var/lib/outpost"
  RUN_AS="setpriv --reuid=$(id -u nobody) --regid=$(id -g nobody) --clear-groups --"
  step "runtime stage: running as user nobody"
else
  step "runtime stage: running as $(id -un)"
fi

# ENTRYPOINT ["/usr/local/bin/outpost"] + CMD ["serve"]
# shellcheck disable=SC2086
$RUN_AS "$ROOT/usr/local/bin/outpost" serve >"$LOG" 2>&1 &
SERVER_PID=$!

# Wait for the port, then the HEALTHCHECK command
PORT=""
i=0
while [ $i -lt 600 ]; do
  PORT=$(sed -n 's/^Outpost listening on https\{0,1\}:\/\/[^ ]*:\([0-9][0-9]*\) .*/\1/p' "$LOG" | head -n 1)
  if [ -n "$PORT" ]; then break; fi
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then cat "$LOG"; step "FAILED: server exited during start"; exit 1; fi
  sleep 0.1; i=$((i + 1))
done
if [ -z "$PORT" ]; then cat "$LOG"; step "FAILED: no listening line within 60 s"; exit 1; fi
step "server up on port $PORT"
# HEALTHCHECK: the command of the Dockerfile itself (continuation lines joined, the part after CMD), run the way
# Docker runs a shell-form command, with the image's OUTPOST_PORT set to the port actually bound.
HEALTHCHECK_CMD=$(awk '/^HEALTHCHECK/ { hc = 1 }
  hc { line = line $0; if ($0 !~ /\\$/) { print line; exit } sub(/\\$/, "", line) }' "$REPO/docker/Dockerfile" \
  | sed 's/^.* CMD //')
[ -n "$HEALTHCHECK_CMD" ] || { step "FAILED: no HEALTHCHECK CMD in $REPO/docker/Dockerfile"; exit 1; }
healthcheck() { OUTPOST_PORT=$PORT /bin/sh -c "$HEALTHCHECK_CMD" >/dev/null 2>&1; }
healthcheck || { cat "$LOG"; step "FAILED: healthcheck: $HEALTHCHECK_CMD (port $PORT)"; exit 1; }
step "healthcheck passed: $HEALTHCHECK_CMD (port $PORT)"
if [ "$(id -u)" = "0" ] && [ -n "$RUN_AS" ]; then
  OWNER=$(stat -c %U "$ROOT/var/lib/outpost/auth.log")
  [ "$OWNER" = "nobody" ] || { step "FAILED: data written by $OWNER, not nobody"; exit 1; }
  step "data volume written by $OWNER"
fi

# docker stop: SIGTERM, then the exit status
kill -TERM "$SERVER_PID"
STATUS=0
wait "$SERVER_PID" || STATUS=$?
SERVER_PID=""
cat "$LOG"
if [ "$STATUS" != "0" ]; then step "FAILED: exit status $STATUS after SIGTERM"; exit 1; fi
grep -q "Outpost stopped" "$LOG" || { step "FAILED: no 'Outpost stopped' line"; exit 1; }
if healthcheck; then step "FAILED: the healthcheck still passes after the server stopped"; exit 1; fi
step "healthcheck fails once the server is gone"
step "OK"
