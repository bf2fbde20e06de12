#!/usr/bin/env bash
# Builds the container images the Testcontainers cases run, with no registry (run as root, with
# Podman; see ops/scripts/podman-setup.sh):
#   localhost/streamdl-debian:bookworm    a Debian bookworm minbase made with debootstrap
#   localhost/streamdl-kafka:<version>    that base, Debian's openjdk-17-jre-headless and the Kafka
#                                         broker's runtime class path from the Maven build, at the
#                                         project's Kafka version (pom.xml's kafka.version)
# Idempotent: an image that exists is kept (--rebuild builds both again).
#   ops/scripts/build-images.sh [--rebuild]
# Environment: DEBIAN_MIRROR (default: the first Debian mirror in /etc/apt/sources.list*),
# MAVEN_ARGS (extra arguments for the one Maven call, e.g. -o -Dmaven.repo.local=...).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SUITE=bookworm
BASE_IMAGE="localhost/streamdl-debian:$SUITE"
KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$ROOT/pom.xml" | head -1)"
KAFKA_IMAGE="localhost/streamdl-kafka:$KAFKA_VERSION"
WORK="$ROOT/ops/docker/kafka/target"
rebuild=false
[ "${1:-}" = "--rebuild" ] && rebuild=true

command -v podman >/dev/null || { echo "build-images: podman is missing; run ops/scripts/podman-setup.sh" >&2; exit 1; }
[ -n "$KAFKA_VERSION" ] || { echo "build-images: no kafka.version in $ROOT/pom.xml" >&2; exit 1; }

exists() { podman image exists "$1"; }

mirror() {
  if [ -n "${DEBIAN_MIRROR:-}" ]; then echo "$DEBIAN_MIRROR"; return; fi
  local m
  m="$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | sed -n 's/^URIs: *\(\S*\/debian\)\/\?$/\1/p' | head -1)"
  [ -n "$m" ] || m="$(sed -n 's/^deb \(\[[^]]*\] \)\?\(\S*\/debian\)\/\? .*/\2/p' /etc/apt/sources.list 2>/dev/null | head -1)"
  echo "${m:-http://deb.debian.org/debian}"
}

if $rebuild || ! exists "$BASE_IMAGE"; then
  command -v debootstrap >/dev/null || { echo "build-images: debootstrap is missing (apt-get install debootstrap)" >&2; exit 1; }
  MIRROR="$(mirror)"
  start=$SECONDS
  rootfs="$(mktemp -d /var/tmp/streamdl-rootfs.XXXXXX)"
  trap 'rm -rf "$rootfs"' EXIT
  echo "build-images: debootstrap $SUITE (minbase) from $MIRROR"
  debootstrap --variant=minbase "$SUITE" "$rootfs" "$MIRROR" >"$WORK.debootstrap.log" 2>&1 \
    || { echo "build-images: debootstrap failed; the end of $WORK.debootstrap.log:" >&2; tail -20 "$WORK.debootstrap.log" >&2; exit 1; }
  security="${MIRROR%/debian}/debian-security"
  cat >"$rootfs/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb $security $SUITE-security main
EOF
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | podman import -q --change 'CMD ["/bin/bash"]' - "$BASE_IMAGE" >/dev/null
  rm -rf "$rootfs"
  trap - EXIT
  echo "build-images: $BASE_IMAGE built in $((SECONDS - start)) s"
else
  echo "build-images: $BASE_IMAGE exists"
fi

if $rebuild || ! exists "$KAFKA_IMAGE"; then
  start=$SECONDS
  ctx="$WORK/context"
  rm -rf "$ctx"
  mkdir -p "$ctx"
  cp -r "$ROOT/ops/docker/kafka/bin" "$ROOT/ops/docker/kafka/config" "$ctx/"
  # shellcheck disable=SC2086 # MAVEN_ARGS is a list of arguments
  mvn -B -q -ntp -Dstyle.color=never ${MAVEN_ARGS:-} -f "$ROOT/ops/docker/kafka/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$ctx/libs"
  echo "build-images: $(ls "$ctx/libs" | wc -l) jars of Kafka $KAFKA_VERSION's broker class path"
  # host network: the build's apt-get needs no bridge network set up
  podman build -q --network host --build-arg "BASE=$BASE_IMAGE" -t "$KAFKA_IMAGE" \
    -f "$ROOT/ops/docker/kafka/Containerfile" "$ctx" >/dev/null
  echo "build-images: $KAFKA_IMAGE built in $((SECONDS - start)) s"
else
  echo "build-images: $KAFKA_IMAGE exists"
fi
podman images --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E '^localhost/streamdl-' || true
