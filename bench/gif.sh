#!/usr/bin/env bash
# bench/gif.sh DIR [GIFC]: GIF -> GIF compression against both gifsicles.
# For each DIR/*.gif: gifc at --quality points and gifsicle 1.93 (`gifsicle`) and 1.96
# (/opt/anchors/gifsicle-1.96, see ../shared/bench/setup-anchors.sh), both -O3 at --lossy
# 0..200; bytes, SSIM against the input (../shared/bench/quality.sh: a 25 fps timeline at
# the input's size, as gif-bench.sh measures) and wall time. Then one summary line a file:
#   default   gifc at defaults: bytes/input, SSIM
#   vs995     gifc default / the smallest gifsicle file (either version, any level) at SSIM >= 0.995
#   at80      gifc at gifsicle-1.93 --lossy=80's SSIM (its curve interpolated) / the gifsicles'
#             joint front there (smallest gifsicle file at that SSIM or above)
#   time      gifc default's seconds / gifsicle 1.93 -O3 --lossy=80's
# Env: QUALITIES (default "100 95 90 85 80 70 60"), LEVELS (default "0 20 40 60 80 100 140 200"),
#      OUT (work folder, default /tmp/gifbench).
set -uo pipefail
dir=${1:?usage: bench/gif.sh DIR [GIFC]}
here=$(cd "$(dirname "$0")" && pwd)
gifc=${2:-$here/../build/gifc}
quality=${QUALITY_SH:-$here/../../shared/bench/quality.sh}
[ -x "$quality" ] || quality=/work/shared/bench/quality.sh
g196=${GIFSICLE196:-/opt/anchors/gifsicle-1.96}
QUALITIES=${QUALITIES:-100 95 90 85 80 70 60}
LEVELS=${LEVELS:-0 20 40 60 80 100 140 200}
out=${OUT:-/tmp/gifbench}
mkdir -p "$out"
echo "# bench/gif.sh $(date -u +%Y-%m-%dT%H:%MZ) on $(uname -n), $(nproc) cores; gifc $("$gifc" --version 2>/dev/null | head -1)"
summary=()
for in in "$dir"/*.gif; do
  name=$(basename "${in%.gif}")
  w=$out/$name; mkdir -p "$w"
  insize=$(stat -L -c %s "$in")
  iw=$(ffprobe -v error -select_streams v:0 -show_entries stream=width -of csv=p=0 "$in")
  rows=$w/rows.tsv; : > "$rows"
  point() { # tool label file seconds
    local q; q=$("$quality" "$in" "$3" 25 "$iw" | sed -n 's/.*ssim=\([0-9.]*\).*/\1/p')
    printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$(stat -c %s "$3")" "${q:-0}" "$4" >> "$rows"
  }
  run() { # file command...: wall seconds into T
    local f=$1; shift
    /usr/bin/time -f %e -o "$w/time" "$@" >/dev/null 2>"$w/err" || { echo "FAILED: $*" >&2; T=0; return 1; }
    T=$(cat "$w/time")
  }
  run "$w/gifc-default.gif" "$gifc" "$in" -o "$w/gifc-default.gif" -f && point gifc default "$w/gifc-default.gif" "$T"
  for q in $QUALITIES; do
    run "$w/gifc-q$q.gif" "$gifc" "$in" -o "$w/gifc-q$q.gif" -f --quality "$q" && point gifc "q$q" "$w/gifc-q$q.gif" "$T"
  done
  for l in $LEVELS; do
    run "$w/g193-$l.gif" gifsicle -O3 --lossy="$l" "$in" -o "$w/g193-$l.gif" && point gifsicle-1.93 "l$l" "$w/g193-$l.gif" "$T"
    run "$w/g196-$l.gif" "$g196" -O3 --lossy="$l" "$in" -o "$w/g196-$l.gif" && point gifsicle-1.96 "l$l" "$w/g196-$l.gif" "$T"
  done
  echo "## $name: input $insize bytes"
  awk -F'\t' -v insize="$insize" '{ printf "%-14s %-8s %10d %6.3fx ssim %.6f %7.2f s\n", $1, $2, $3, $3 / insize, $4, $5 }' "$rows"
  summary+=("$(awk -F'\t' -v name="$name" -v insize="$insize" '
    $1 == "gifc" && $2 == "default" { db = $3; ds = $4; dt = $5 }
    $1 == "gifsicle-1.93" && $2 == "l80" { s80 = $4; t80 = $5 }
    $1 == "gifc" { n++; gb[n] = $3; gs[n] = $4 }
    $1 ~ /^gifsicle/ { m++; sb[m] = $3; ss[m] = $4 }
    END {
      best = 0
      for (i = 1; i <= m; i++) if (ss[i] >= 0.995 && (!best || sb[i] < best)) best = sb[i]
      front = 0
      for (i = 1; i <= m; i++) if (ss[i] >= s80 && (!front || sb[i] < front)) front = sb[i]
      # gifc at SSIM s80: the smallest point at or above it, or the line from it to the
      # nearest point below it (a smaller file) when there is one
      hi = 0; lo = 0
      for (i = 1; i <= n; i++) {
        if (gs[i] >= s80 && (!hi || gb[i] < gb[hi])) hi = i
        if (gs[i] < s80 && (!lo || gs[i] > gs[lo])) lo = i
      }
      at = hi ? gb[hi] : 0
      if (hi && lo && gb[lo] < gb[hi] && gs[hi] > gs[lo])
        at = gb[lo] + (gb[hi] - gb[lo]) * (s80 - gs[lo]) / (gs[hi] - gs[lo])
      v995 = "n/a"; v80 = "n/a"; vt = "n/a"
      if (best) v995 = sprintf("%.3fx", db / best)
      if (at && front) v80 = sprintf("%.3fx", at / front)
      if (t80 > 0) vt = sprintf("%.2fx", dt / t80)
      printf "%-52s default %.3fx (%.4f)  vs995 %s  at80 %s (ssim %.4f)  time %s\n", name,
             db / insize, ds, v995, v80, s80, vt
    }' "$rows")")
done
echo "## summary"
printf '%s\n' "${summary[@]}"
printf '%s\n' "${summary[@]}" | awk '{ for (i = 1; i <= NF; i++) if ($i == "at80") { v = $(i + 1); sub(/x/, "", v); if (v + 0 > 0) { s += log(v); n++ } } }
  END { if (n) printf "geometric mean at80: %.3fx over %d files\n", exp(s / n), n }'
