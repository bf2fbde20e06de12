#!/usr/bin/env bash
# Cuts the small samples bundled in ingest/src/main/resources/samples/ from full data sets
# made by make-keywords.sh and make-debian-text.sh:
#   keywords/  the first TRAIN_PER_WORD train and TEST_PER_WORD test clips of every word, in
#              manifest order, with their manifest lines (same relative paths)
#   text/debian-descriptions.jsonl  up to TRAIN_PER_CLASS train and TEST_PER_CLASS test
#              documents of every section, spread evenly over the (name-sorted) corpus
#
# Usage: make-dataset-samples.sh KEYWORDS_DIR DEBIAN_JSONL [SAMPLES_DIR]
#   SAMPLES_DIR defaults to ingest/src/main/resources/samples in this repository; its
#   keywords/ and text/ are replaced.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TRAIN_PER_WORD=3
TEST_PER_WORD=1
TRAIN_PER_CLASS=80
TEST_PER_CLASS=20

[ $# -ge 2 ] || { echo "usage: $0 KEYWORDS_DIR DEBIAN_JSONL [SAMPLES_DIR]" >&2; exit 2; }
KW="$1"
TEXT="$2"
SAMPLES="${3:-$ROOT/ingest/src/main/resources/samples}"
[ -f "$KW/manifest.jsonl" ] || { echo "error: $KW/manifest.jsonl not found (run make-keywords.sh)" >&2; exit 1; }
[ -f "$TEXT" ] || { echo "error: $TEXT not found (run make-debian-text.sh)" >&2; exit 1; }

# Both inputs are written one object a line with the fields in a fixed order by this
# project's own tools, so plain text matching on "label" and "split" is exact.
field() { # field NAME -> awk snippet setting v to the string value of NAME in $0
    echo "v = \$0; sub(/.*\"$1\":\"/, \"\", v); sub(/\".*/, \"\", v)"
}

rm -rf "$SAMPLES/keywords"
mkdir -p "$SAMPLES/keywords"
awk -v tr="$TRAIN_PER_WORD" -v te="$TEST_PER_WORD" "{
    $(field label); label = v
    $(field split); split_ = v
    want = split_ == \"train\" ? tr : te
    if (n[label, split_]++ < want) print
}" "$KW/manifest.jsonl" >"$SAMPLES/keywords/manifest.jsonl"
awk "{ $(field path); print v }" "$SAMPLES/keywords/manifest.jsonl" | while read -r path; do
    mkdir -p "$SAMPLES/keywords/$(dirname "$path")"
    cp "$KW/$path" "$SAMPLES/keywords/$path"
done

mkdir -p "$SAMPLES/text"
# Two passes: count each (label, split), then keep the documents where floor(i * want / count)
# steps, which spreads the picks evenly over the alphabet of package names.
awk -v tr="$TRAIN_PER_CLASS" -v te="$TEST_PER_CLASS" "
    NR == FNR { $(field label); label = v; $(field split); total[label, v]++; next }
    {
        $(field label); label = v
        $(field split); split_ = v
        want = split_ == \"train\" ? tr : te
        i = seen[label, split_]++
        if (total[label, split_] <= want || int((i + 1) * want / total[label, split_]) > int(i * want / total[label, split_])) print
    }" "$TEXT" "$TEXT" >"$SAMPLES/text/debian-descriptions.jsonl"

echo "samples in $SAMPLES:" >&2
echo "  keywords: $(wc -l <"$SAMPLES/keywords/manifest.jsonl") clips" \
    "($(grep -c '"split":"train"' "$SAMPLES/keywords/manifest.jsonl") train," \
    "$(grep -c '"split":"test"' "$SAMPLES/keywords/manifest.jsonl") test), $(du -sh "$SAMPLES/keywords" | cut -f1)" >&2
echo "  text: $(wc -l <"$SAMPLES/text/debian-descriptions.jsonl") documents" \
    "($(grep -c '"split":"train"' "$SAMPLES/text/debian-descriptions.jsonl") train," \
    "$(grep -c '"split":"test"' "$SAMPLES/text/debian-descriptions.jsonl") test)," \
    "$(du -h "$SAMPLES/text/debian-descriptions.jsonl" | cut -f1)" >&2
