#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# batch.sh - batch mode throughput and memory: gifc DIR -o OUT with -j 1 against -j 2.
#
# Usage: bench/batch.sh [RUNS] [CORPUS]     (defaults: 5 runs, ../shared/corpus)
#   GIFC=path/to/gifc overrides build/gifc.
#
# Links a few short corpus clips into a temporary folder (never copies them), then runs the
# batch with -j 1 and -j 2 alternately (the order flips every run, so load from other work
# on the machine falls on both), RUNS times each, and prints the median wall time of each,
# the throughput ratio (-j 1 time / -j 2 time) and peak RSS (/usr/bin/time %M) of the
# batches against the largest peak of converting each clip alone, plus the CPU seconds
# (user + sys) each batch used and the load average around the runs: on a machine shared
# with other work the wall-time ratio says little, since both batches then get the same
# share of the cores.
set -euo pipefail

RUNS=${1:-5}
CORPUS=${2:-../shared/corpus}
GIFC=${GIFC:-build/gifc}
CLIPS=(
    video_camera_nature_water_stream_480x360_vp8.webm
    video_camera_person_sign_language_640x480_h264.mkv
    video_phone_fireplace_dog_rot180_vfr_whippan_1280x720.mp4
    video_phone_portrait_9x16_gopher_plush_270x480_vfr.mp4
    video_webcam_chrome_mediarecorder_h264_in_webm_vfr_640x480.webm
)

[ -x "$GIFC" ] || { echo "batch.sh: $GIFC not found (build first, or set GIFC)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "batch.sh: /usr/bin/time not found (apt install time)" >&2; exit 1; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir "$TMP/in"
for c in "${CLIPS[@]}"; do
    [ -f "$CORPUS/$c" ] || { echo "batch.sh: $CORPUS/$c missing" >&2; exit 1; }
    ln -s "$(cd "$CORPUS" && pwd)/$c" "$TMP/in/$c"
done

median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# One timed batch: appends "seconds kB cpu-seconds" to $TMP/j$1.
batch() {
    rm -rf "$TMP/out"
    /usr/bin/time -f '%e %M %U %S' -o "$TMP/time" "$GIFC" -q "$TMP/in" -o "$TMP/out" -j "$1"
    awk '{print $1, $2, $3 + $4}' "$TMP/time" >> "$TMP/j$1"
    echo "  run $2 -j $1: $(awk '{printf "%.2f s, %.1f MB, %.1f CPU s", $1, $2 / 1024, $3 + $4}' \
        "$TMP/time"), load $(cut -d' ' -f1 /proc/loadavg)" >&2
}

# Peak RSS of each clip converted alone (as -j 1 runs it: all cores for the one file).
for c in "${CLIPS[@]}"; do
    /usr/bin/time -f '%M' -o "$TMP/time" "$GIFC" -q -f "$TMP/in/$c" -o "$TMP/one.gif"
    cat "$TMP/time" >> "$TMP/single"
done

for r in $(seq 1 "$RUNS"); do
    if [ $((r % 2)) -eq 1 ]; then batch 1 "$r"; batch 2 "$r"; else batch 2 "$r"; batch 1 "$r"; fi
done

t1=$(awk '{print $1}' "$TMP/j1" | median)
t2=$(awk '{print $1}' "$TMP/j2" | median)
m1=$(awk '{print $2}' "$TMP/j1" | median)
m2=$(awk '{print $2}' "$TMP/j2" | median)
c1=$(awk '{print $3}' "$TMP/j1" | median)
c2=$(awk '{print $3}' "$TMP/j2" | median)
single=$(sort -g "$TMP/single" | tail -1)
echo "clips: ${#CLIPS[@]} from $CORPUS; runs: $RUNS each, interleaved; cores: $(nproc)"
echo "median wall time: -j 1 $t1 s, -j 2 $t2 s"
awk -v a="$t1" -v b="$t2" 'BEGIN {printf "throughput -j 2 / -j 1: %.2fx\n", a / b}'
echo "median CPU seconds (user + sys): -j 1 $c1, -j 2 $c2; load average now $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v a="$m1" -v b="$m2" -v s="$single" 'BEGIN {
    printf "peak RSS (median): -j 1 %.1f MB, -j 2 %.1f MB; one conversion (largest) %.1f MB; -j 2 / one: %.2fx\n",
        a / 1024, b / 1024, s / 1024, b / s }'
