#!/usr/bin/env bash
# Synthesises the spoken-keyword data set: 20 English words spoken by espeak-ng in many
# voices, speeds and pitches, made into 1 s, 16 kHz mono 16-bit PCM WAV clips by sox,
# with low-level noise mixed in. The same seed gives byte-identical files.
#
# Usage: make-keywords.sh OUT_DIR [--seed N] [--per-word K] [--jobs J]
#
# Layout written (train/, test/ and manifest.jsonl in OUT_DIR are replaced):
#   OUT_DIR/<split>/<word>/<word>_<NNN>_<accent>_<variant>.wav
#   OUT_DIR/manifest.jsonl   one JSON object a line, in generation order:
#     {"path":"train/yes/yes_003_en-gb_m2.wav","label":"yes","split":"train",
#      "voice":"en-gb+m2","speed":162,"pitch":41,"noise":"pink","noiseVol":0.008,"shift":-310}
#
# Split: by voice variant (the speaker timbre). Clips spoken with a held-out variant
# (TEST_VARIANTS below) are "test", all others "train", so no test speaker is ever heard in
# training. Variants are dealt round-robin within each word, so the test share is
# |TEST_VARIANTS| / |VARIANTS| (20 %) of every word.
#
# Alignment: centred. Leading and trailing silence is trimmed, the speech is normalised to
# -3 dBFS peak and placed in the middle of the 1 s window, moved by a seeded shift of up to
# +-80 ms (clamped so nothing is cut); speech longer than 1 s keeps its centre second.
#
# Noise: sox -R makes three 20 s banks (white, pink, brown) that are identical on every run;
# each clip takes a seeded 1 s slice of one bank at a seeded level (0.002..0.020 of full
# scale, i.e. roughly 30-50 dB below the speech peak) and mixes it in with sox -m.
#
# Determinism: every clip's parameters come from a per-word LCG seeded by (seed, word), so
# clip i of a word is the same for any --per-word K >= i+1. Every sox call runs with -R
# (repeatable dither and noise). Needs espeak-ng and sox (Debian: apt-get install espeak-ng sox).
set -euo pipefail

usage() {
    echo "usage: $0 OUT_DIR [--seed N] [--per-word K] [--jobs J]" >&2
    exit 2
}

# the keyword label set, written once for the readers and the model catalogue
mapfile -t WORDS < "$(dirname "${BASH_SOURCE[0]}")/../../schemas/src/main/resources/io/streamdl/schemas/labels/keywords.txt"
ACCENTS=(en-us en-gb en-gb-scotland en-gb-x-rp en-gb-x-gbclan en-gb-x-gbcwmd en-029 en-us-nyc)
VARIANTS=(m1 m2 m3 m4 m5 m6 m7 m8 f1 f2 f3 f4 f5 klatt klatt2 klatt3 klatt4 klatt5 klatt6 grandma)
TEST_VARIANTS=(m3 m7 f2 klatt4)
SR=16000

[ $# -ge 1 ] || usage
OUT="$1"
shift
SEED=1
PER_WORD=80
JOBS="$(nproc 2>/dev/null || echo 2)"
while [ $# -gt 0 ]; do
    case "$1" in
        --seed) SEED="${2:?--seed needs a value}"; shift 2 ;;
        --per-word) PER_WORD="${2:?--per-word needs a value}"; shift 2 ;;
        --jobs) JOBS="${2:?--jobs needs a value}"; shift 2 ;;
        -h | --help) usage ;;
        *) echo "error: unknown argument $1" >&2; usage ;;
    esac
done
[[ "$SEED" =~ ^[0-9]+$ ]] || { echo "error: --seed must be a non-negative integer" >&2; exit 2; }
[[ "$PER_WORD" =~ ^[1-9][0-9]*$ ]] && [ "$PER_WORD" -le 999 ] \
    || { echo "error: --per-word must be 1..999" >&2; exit 2; }
[[ "$JOBS" =~ ^[1-9][0-9]*$ ]] || { echo "error: --jobs must be a positive integer" >&2; exit 2; }

missing=()
command -v espeak-ng >/dev/null || missing+=(espeak-ng)
{ command -v sox && command -v soxi; } >/dev/null || missing+=(sox)
if [ ${#missing[@]} -gt 0 ]; then
    echo "error: $0 needs ${missing[*]} on the PATH (Debian: apt-get install espeak-ng sox)" >&2
    exit 1
fi

# espeak-ng silently falls back to its default voice for an unknown name, so check the
# names against its own lists; a missing one would change the data set, so say so.
known_langs=" $(espeak-ng --voices=en | awk 'NR > 1 { print $2 }' | tr '\n' ' ') "
known_variants=" $(espeak-ng --voices=variant | awk 'NR > 1 { sub(/^!v\//, "", $NF); print $NF }' \
    | tr '\n' ' ') "
accents=()
for a in "${ACCENTS[@]}"; do
    if [[ "$known_langs" == *" $a "* ]]; then accents+=("$a"); else
        echo "warning: espeak-ng has no voice $a; skipping it (the data set differs)" >&2
    fi
done
variants=()
for v in "${VARIANTS[@]}"; do
    if [[ "$known_variants" == *" $v "* ]]; then variants+=("$v"); else
        echo "warning: espeak-ng has no variant $v; skipping it (the data set differs)" >&2
    fi
done
[ ${#accents[@]} -gt 0 ] && [ ${#variants[@]} -gt 0 ] \
    || { echo "error: espeak-ng offers none of the English voices or variants needed" >&2; exit 1; }

mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
rm -rf "$OUT/train" "$OUT/test" "$OUT/manifest.jsonl" "$OUT/.work"
WORK="$OUT/.work"
mkdir -p "$WORK/tmp"
trap 'rm -rf "$WORK"' EXIT

# Noise banks: fixed by sox -R, independent of the seed (the seed picks slices and levels).
NOISE_SECONDS=20
for colour in white pink brown; do
    sox -R -n -r "$SR" -c 1 -b 16 "$WORK/noise-$colour.wav" synth "$NOISE_SECONDS" "${colour}noise"
done

# A 31-bit LCG (glibc's constants); the high bits are the usable ones.
rng=0
next() { # next BOUND -> sets r in 0..BOUND-1
    rng=$(((rng * 1103515245 + 12345) & 0x7fffffff))
    r=$(((rng >> 8) % $1))
}

is_test() {
    local t
    for t in "${TEST_VARIANTS[@]}"; do [ "$1" = "$t" ] && return 0; done
    return 1
}

plan="$WORK/plan.tsv"
: >"$plan"
nv=${#variants[@]}
for w in "${!WORDS[@]}"; do
    word="${WORDS[$w]}"
    rng=$(((SEED * 7919 + w * 104729 + 1) & 0x7fffffff))
    next 1000 # discard: the first draw of an LCG is too close to its seed
    next "$nv"
    rot=$r
    for ((i = 0; i < PER_WORD; i++)); do
        variant="${variants[$(((i + rot) % nv))]}"
        next ${#accents[@]}
        accent="${accents[$r]}"
        next 81
        speed=$((130 + r))
        next 61
        pitch=$((20 + r))
        next 3
        colours=(white pink brown)
        colour="${colours[$r]}"
        next 19
        vol=$(printf '0.%03d' $((2 + r)))
        next $(((NOISE_SECONDS - 1) * SR))
        noise_at=$r
        next 2561
        shift_by=$((r - 1280))
        if is_test "$variant"; then split=test; else split=train; fi
        name=$(printf '%s_%03d_%s_%s.wav' "$word" "$i" "$accent" "$variant")
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
            "$split/$word/$name" "$word" "$split" "$accent+$variant" "$speed" "$pitch" \
            "$colour" "$vol" "$noise_at" "$shift_by" "$i" >>"$plan"
    done
    mkdir -p "$OUT/train/$word" "$OUT/test/$word"
done

# render PATH WORD SPLIT VOICE SPEED PITCH COLOUR VOL NOISE_AT SHIFT INDEX
render() {
    set -euo pipefail
    local path="$1" word="$2" voice="$4" speed="$5" pitch="$6" colour="$7" vol="$8"
    local noise_at="$9" shift_by="${10}" tmp="$WORK/tmp/${2}_${11}"
    mkdir -p "$tmp"
    espeak-ng -v "$voice" -s "$speed" -p "$pitch" -w "$tmp/raw.wav" "$word"
    sox -R "$tmp/raw.wav" -r "$SR" -c 1 -b 16 "$tmp/speech.wav" \
        silence 1 0.005 0.1% reverse silence 1 0.005 0.1% reverse gain -n -3
    local n pad left
    n=$(soxi -s "$tmp/speech.wav")
    [ "$n" -gt 0 ] || { echo "error: espeak-ng said nothing for $path" >&2; return 1; }
    if [ "$n" -le "$SR" ]; then
        pad=$((SR - n))
        left=$((pad / 2 + shift_by))
        ((left < 0)) && left=0
        ((left > pad)) && left=$pad
        sox -R "$tmp/speech.wav" "$tmp/fit.wav" pad "${left}s" "$((pad - left))s"
    else
        sox -R "$tmp/speech.wav" "$tmp/fit.wav" trim "$(((n - SR) / 2))s" "${SR}s"
    fi
    sox -R "$WORK/noise-$colour.wav" "$tmp/noise.wav" trim "${noise_at}s" "${SR}s"
    sox -R -m -v 1 "$tmp/fit.wav" -v "$vol" "$tmp/noise.wav" -b 16 "$OUT/$path"
    n=$(soxi -s "$OUT/$path")
    [ "$n" -eq "$SR" ] || { echo "error: $path has $n samples, not $SR" >&2; return 1; }
    rm -rf "$tmp"
}
export -f render
export OUT WORK SR

total=$(wc -l <"$plan")
echo "make-keywords: ${#WORDS[@]} words x $PER_WORD clips = $total clips," \
    "${#accents[@]} accents x $nv variants, seed $SEED, $JOBS jobs" >&2
if ! tr '\t' '\n' <"$plan" | xargs -d '\n' -n 11 -P "$JOBS" bash -c 'render "$@"' render; then
    echo "error: rendering failed (see the messages above)" >&2
    exit 1
fi

# The manifest comes from the plan, not from the workers, so its order is fixed.
awk -F '\t' '{
    printf "{\"path\":\"%s\",\"label\":\"%s\",\"split\":\"%s\",\"voice\":\"%s\",", $1, $2, $3, $4
    printf "\"speed\":%d,\"pitch\":%d,\"noise\":\"%s\",\"noiseVol\":%s,\"shift\":%d}\n", $5, $6, $7, $8, $10
}' "$plan" >"$OUT/manifest.jsonl"
rmdir "$OUT"/train/* "$OUT"/test/* 2>/dev/null || true

echo "make-keywords: wrote $total clips and manifest.jsonl to $OUT" >&2
for split in train test; do
    printf '  %-5s %5d clips:' "$split" "$(awk -F '\t' -v s="$split" '$3 == s' "$plan" | wc -l)" >&2
    for word in "${WORDS[@]}"; do
        printf ' %s=%d' "$word" "$(awk -F '\t' -v s="$split" -v w="$word" '$3 == s && $2 == w' "$plan" | wc -l)" >&2
    done
    echo >&2
done
