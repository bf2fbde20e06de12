#!/usr/bin/env bash
# Builds the Debian package-description text corpus: fetches apt's Packages and
# Translation-en indexes into a private lists directory (the system's apt state is not
# touched), then runs io.streamdl.ingest.datasets.DebianTextPrep to join, clean, filter,
# dedupe and split them into JSONL, printing the documents per section and split.
#
# Usage: make-debian-text.sh OUT_FILE [--lists DIR]
#   --lists DIR  fetch into DIR and keep it (default: a temporary directory, removed after);
#                if DIR already holds the indexes, pass --no-update to reuse them offline.
#   --no-update  do not run apt-get update (needs --lists DIR with indexes in it)
#
# The indexes come from the sources configured for apt on this machine (/etc/apt/sources.list*),
# as they are on the day of the run: the corpus follows the archive. The script prints the
# Date of every Release file it used so a run can be traced.
#
# Classpath: the ingest module's classes (ingest/target/classes) and its dependencies. After
# `./pipeline --help` (or `mvn -B -DskipTests package`) has built the project, the dependencies
# are in ops/target/lib; without that directory the script asks Maven for the ingest module's
# classpath (offline first). Needs apt-get (run as root), java, and for the fallback mvn.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

usage() {
    echo "usage: $0 OUT_FILE [--lists DIR] [--no-update]" >&2
    exit 2
}

[ $# -ge 1 ] || usage
OUT="$1"
shift
LISTS=""
UPDATE=1
while [ $# -gt 0 ]; do
    case "$1" in
        --lists) LISTS="${2:?--lists needs a directory}"; shift 2 ;;
        --no-update) UPDATE=0; shift ;;
        -h | --help) usage ;;
        *) echo "error: unknown argument $1" >&2; usage ;;
    esac
done
[ "$UPDATE" = 1 ] || [ -n "$LISTS" ] || { echo "error: --no-update needs --lists DIR" >&2; exit 2; }
command -v java >/dev/null || { echo "error: java is needed (a JDK 17)" >&2; exit 1; }

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
[ -n "$LISTS" ] || LISTS="$TMP/lists"
mkdir -p "$LISTS/partial"
LISTS="$(cd "$LISTS" && pwd)"

if [ "$UPDATE" = 1 ]; then
    command -v apt-get >/dev/null || { echo "error: apt-get is needed (a Debian machine)" >&2; exit 1; }
    [ "$(id -u)" = 0 ] || { echo "error: apt-get update needs root (sudo $0 ...)" >&2; exit 1; }
    mkdir -p "$TMP/cache/archives/partial"
    # Images often switch translations off (Acquire::Languages "none") and keep indexes
    # compressed (Acquire::GzipIndexes, KeepCompressed): override both for this run only. The
    # private Dir::State::Lists and Dir::Cache keep /var/lib/apt/lists and the package cache
    # as they were; List-Cleanup=0 stops apt deleting files it does not know in that dir.
    echo "make-debian-text: fetching Packages and Translation-en into $LISTS" >&2
    apt-get update -q \
        -o Dir::State::Lists="$LISTS" \
        -o Dir::Cache="$TMP/cache" \
        -o Acquire::Languages=en \
        -o Acquire::GzipIndexes=false \
        -o Acquire::IndexTargets::deb::Packages::KeepCompressed=false \
        -o Acquire::IndexTargets::deb::Translations::KeepCompressed=false \
        -o APT::Get::List-Cleanup=0 >&2
fi

# Whatever apt still kept compressed (a compressor configured elsewhere, e.g. lz4), unpack
# beside it with apt's own helper, which reads every compression apt supports; the Java
# tool reads the plain file when both are there.
shopt -s nullglob
for f in "$LISTS"/*_Packages.* "$LISTS"/*_Translation-en.*; do
    case "$f" in
        *.gz | *.lz4 | *.xz | *.zst | *.bz2 | *.lzma)
            plain="${f%.*}"
            if [ ! -e "$plain" ] || [ "$f" -nt "$plain" ]; then
                /usr/lib/apt/apt-helper cat-file "$f" >"$plain.tmp"
                mv "$plain.tmp" "$plain"
            fi
            ;;
    esac
done
packages=("$LISTS"/*_Packages)
translations=("$LISTS"/*_Translation-en)
if [ ${#packages[@]} -eq 0 ]; then
    echo "error: no Packages index in $LISTS (did apt-get update fail?)" >&2
    exit 1
fi
if [ ${#translations[@]} -eq 0 ]; then
    echo "error: no Translation-en index in $LISTS: the configured mirror offers none," \
        "or apt did not fetch it (check Acquire::Languages)" >&2
    exit 1
fi
for r in "$LISTS"/*Release; do
    echo "make-debian-text: $(basename "$r"): $(grep -m1 '^Date:' "$r" || echo 'no Date')" >&2
done

CLASSES="$ROOT/ingest/target/classes"
if [ ! -f "$CLASSES/io/streamdl/ingest/datasets/DebianTextPrep.class" ]; then
    echo "error: $CLASSES has no DebianTextPrep; build the project first:" \
        "./pipeline --help (or mvn -B -DskipTests package) in $ROOT" >&2
    exit 1
fi
if [ -d "$ROOT/ops/target/lib" ]; then
    # ops depends on ingest, so its lib dir holds all of ingest's dependencies (plus an
    # ingest jar, which the fresher classes directory put first on the path shadows).
    CP="$CLASSES:$ROOT/ops/target/lib/*"
else
    command -v mvn >/dev/null || { echo "error: no ops/target/lib and no mvn to find the classpath" >&2; exit 1; }
    echo "make-debian-text: no ops/target/lib; asking Maven for the ingest classpath" >&2
    if ! (cd "$ROOT" && { mvn -B -q -o -pl ingest dependency:build-classpath -Dmdep.outputFile="$TMP/cp.txt" \
        || mvn -B -q -pl ingest dependency:build-classpath -Dmdep.outputFile="$TMP/cp.txt"; }) >&2; then
        echo "error: Maven could not resolve the ingest classpath; run mvn -B -DskipTests install first" >&2
        exit 1
    fi
    CP="$CLASSES:$(cat "$TMP/cp.txt")"
fi

JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
"$JAVA" -Xmx2g -cp "$CP" io.streamdl.ingest.datasets.DebianTextPrep "$LISTS" "$OUT"
