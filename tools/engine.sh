# Sourced by ./dev: make sure a Docker engine answers on the local socket; stop it at exit if we
# started it.

ENGINE_SOCKET=/var/run/docker.sock
ENGINE_LOG="${ENGINE_LOG:-$PWD/.ci/dockerd.log}"
STARTED_DOCKERD=""

engine_ping() { curl -sf --max-time 2 --unix-socket "$ENGINE_SOCKET" http://docker/_ping >/dev/null 2>&1; }

engine_start() {
  [ -n "${DOCKER_HOST:-}" ] && return 0  # the user points elsewhere: leave it to them
  engine_ping && return 0
  if ! command -v dockerd >/dev/null; then
    echo "dev: no Docker engine and no dockerd to start" >&2
    return 0
  fi
  echo "dev: starting dockerd (log: $ENGINE_LOG)"
  mkdir -p "$(dirname "$ENGINE_LOG")"
  local pidfile=/var/run/docker.pid
  as_root rm -f "$pidfile"
  as_root setsid dockerd --pidfile "$pidfile" >"$ENGINE_LOG" 2>&1 </dev/null &
  trap engine_stop EXIT
  for _ in $(seq 1 20); do [ -s "$pidfile" ] && break; sleep 0.5; done
  STARTED_DOCKERD=$(cat "$pidfile" 2>/dev/null || echo "$!")
  for _ in $(seq 1 60); do
    engine_ping && { echo "dev: engine is up"; return 0; }
    sleep 1
  done
  echo "dev: dockerd did not answer /_ping within 60s; last log lines:" >&2
  tail -n 20 "$ENGINE_LOG" >&2
}

engine_stop() {
  [ -n "$STARTED_DOCKERD" ] || return 0
  echo "dev: stopping the dockerd it started"
  as_root kill "$STARTED_DOCKERD" 2>/dev/null || true
  for _ in $(seq 1 30); do
    as_root kill -0 "$STARTED_DOCKERD" 2>/dev/null || break
    sleep 0.5
  done
  STARTED_DOCKERD=""
}
