#!/usr/bin/env bash
# Makes Debian's Podman serve the Docker API for Testcontainers (run as root): installs Podman and
# what it needs when missing, sets the runtime and ulimits in containers.conf, and starts the API
# service on /run/podman/podman.sock unless it already answers. Idempotent.
#
#   ops/scripts/podman-setup.sh          # then, in the shell that runs the tests:
#   eval "$(ops/scripts/podman-setup.sh --print-env)"
#
# Exits non-zero with a message on the first step that fails; the tests then skip the container
# cases with their own message.
set -euo pipefail
SOCKET=/run/podman/podman.sock
CONF=/etc/containers/containers.conf
LOG=/var/log/streamdl-podman-service.log

print_env() {
  echo "export DOCKER_HOST=unix://$SOCKET"
  # Ryuk, Testcontainers' reaper, is an image pulled from Docker Hub: no registry is reachable.
  echo "export TESTCONTAINERS_RYUK_DISABLED=true"
  echo "export TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1"
}

if [ "${1:-}" = "--print-env" ]; then
  print_env
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "podman-setup: must run as root (rootful Podman serves $SOCKET)" >&2
  exit 1
fi

answers() {
  [ -S "$SOCKET" ] && [ "$(curl -s --max-time 3 --unix-socket "$SOCKET" http://d/_ping 2>/dev/null)" = "OK" ]
}

missing=()
command -v podman >/dev/null || missing+=(podman)
command -v runc >/dev/null || missing+=(runc)
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v curl >/dev/null || missing+=(curl)
command -v newuidmap >/dev/null || missing+=(uidmap)
command -v fuse-overlayfs >/dev/null || missing+=(fuse-overlayfs)
command -v slirp4netns >/dev/null || missing+=(slirp4netns)
[ -x /usr/lib/podman/netavark ] || missing+=(netavark aardvark-dns)
command -v catatonit >/dev/null || [ -x /usr/libexec/podman/catatonit ] || missing+=(catatonit)
if [ ${#missing[@]} -gt 0 ]; then
  echo "podman-setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# crun, Podman's default, cannot set up containers on this kind of machine; runc can. The default
# nofile/nproc limits of a nested container are too low for a broker.
if ! grep -qs '^runtime = "runc"' "$CONF"; then
  mkdir -p "$(dirname "$CONF")"
  [ -f "$CONF" ] && cp "$CONF" "$CONF.before-streamdl"
  cat >"$CONF" <<'EOF'
# written by streamdl's ops/scripts/podman-setup.sh
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
runtime = "runc"
EOF
  echo "podman-setup: wrote $CONF"
fi

# A service left running by an earlier run whose working directory has since been deleted (a
# checkout removed after its CI run) still answers, but every container it starts fails ("conmon:
# Failed to get working directory", "write child: broken pipe"): such a service is replaced.
for pid in $(pgrep -f "podman system service" || true); do
  cwd="$(readlink "/proc/$pid/cwd" 2>/dev/null || true)"
  if [ -n "$cwd" ] && { [[ "$cwd" == *" (deleted)" ]] || [ ! -d "$cwd" ]; }; then
    echo "podman-setup: the running Podman API service (pid $pid) works in a deleted folder ($cwd); restarting it"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
  fi
done

if ! answers; then
  mkdir -p "$(dirname "$SOCKET")"
  rm -f "$SOCKET"
  # the service outlives this script: it must not keep a descriptor it inherited open (a build
  # lock taken with flock around .ci/run stayed held until the service was killed), nor the
  # caller's working directory (a checkout that is deleted later; see above)
  (cd / && nohup podman system service --time=0 "unix://$SOCKET" >"$LOG" 2>&1 </dev/null 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &)
  for _ in $(seq 1 60); do
    answers && break
    sleep 0.5
  done
  if ! answers; then
    echo "podman-setup: the Podman API service did not answer on $SOCKET; its log ($LOG):" >&2
    tail -20 "$LOG" >&2
    exit 1
  fi
  echo "podman-setup: Podman API service started on $SOCKET (log: $LOG)"
fi

echo "podman-setup: ready, $(podman --version), DOCKER_HOST=unix://$SOCKET"
