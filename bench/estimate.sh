#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# estimate.sh - how close gifc --estimate comes to the real size, and what it costs.
#
# Usage: bench/estimate.sh [CORPUS] [FORMATS]   (defaults: ../shared/corpus, "gif mp4")
#   GIFC=path/to/gifc overrides build/gifc.
#
# For every media file of CORPUS and every format: gifc --estimate --json, then the real
# conversion with the same options (the defaults), one after the other so that the load
# falls on both alike. Prints one line per file and format (estimated and real bytes, the
# error in percent, the estimate's time as a share of the conversion's), then the largest
# and the median error and time share per format, and the load average around the runs.
# The issue's figures: every error within 15%, median at most 8%, time at most 0.3x.
set -euo pipefail

CORPUS=${1:-../shared/corpus}
FORMATS=${2:-gif mp4}
GIFC=${GIFC:-build/gifc}
[ -x "$GIFC" ] || { echo "estimate.sh: $GIFC not found (build first, or set GIFC)" >&2; exit 1; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

now() { date +%s.%N; }
field() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }

echo "# $(date -u +%F) $(uname -m) $(nproc) cores; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-64s %-4s %10s %10s %7s %6s %6s\n' file fmt estimated real error est_s share
for f in "$CORPUS"/*; do
    case "$f" in *.tsv|*.txt|*.md) continue ;; esac
    for fmt in $FORMATS; do
        t0=$(now)
        est=$("$GIFC" "$f" --format "$fmt" --estimate --json -o "$TMP/out" | field estimated_bytes) ||
            { echo "$(basename "$f") $fmt: estimate failed"; continue; }
        t1=$(now)
        real=$("$GIFC" "$f" --format "$fmt" -o "$TMP/out.$fmt" -f -q --json | field bytes) ||
            { echo "$(basename "$f") $fmt: conversion failed"; continue; }
        t2=$(now)
        python3 - "$(basename "$f")" "$fmt" "$est" "$real" "$t0" "$t1" "$t2" <<'PY'
import sys
name, fmt, est, real, t0, t1, t2 = sys.argv[1], sys.argv[2], *map(float, sys.argv[3:])
err = 100.0 * (est - real) / real
print('%-64s %-4s %10d %10d %+6.1f%% %6.2f %6.2f' % (name[:64], fmt, est, real, err,
                                                    t1 - t0, (t1 - t0) / (t2 - t1)))
PY
    done
done | tee "$TMP/lines"
python3 - "$TMP/lines" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    p = line.split()
    if len(p) == 7 and p[4].endswith('%'):
        rows.setdefault(p[1], []).append((abs(float(p[4][:-1])), float(p[6])))
for fmt, r in rows.items():
    e = [x[0] for x in r]
    s = [x[1] for x in r]
    print('%s: %d files; error max %.1f%%, median %.1f%%; time share max %.2f, median %.2f'
          % (fmt, len(r), max(e), statistics.median(e), max(s), statistics.median(s)))
PY
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
