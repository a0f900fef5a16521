#!/usr/bin/env bash
# mp4speed.sh [RUNS] VIDEO...: wall time of a plain gifc MP4 encode against
# `ffmpeg -c:v libx264 -preset medium -crf N` at the same size and CRF (both read back from
# gifc's output: its size and the CRF in x264's SEI), no audio on either side. Runs are
# interleaved so that machine noise hits both alike; prints each median, their ratio, the
# two sizes, then the median and worst ratio.
#   GIFC=build/gifc (default); GIFC_ARGS="..." extra gifc options (e.g. --width 480)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
GIFC=${GIFC:-$here/../build/gifc}
read -r -a extra <<< "${GIFC_ARGS:-}"
runs=3; [[ "${1:-}" =~ ^[0-9]+$ ]] && { runs=$1; shift; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
wall() { /usr/bin/time -f %e -o "$tmp/t" "$@" >/dev/null 2>"$tmp/err" || { cat "$tmp/err" >&2; echo 0; return; }; cat "$tmp/t"; }
median() { sort -n | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
printf '%-60s %9s %4s %8s %8s %6s %9s %9s\n' video size-px crf gifc-s ffmpeg-s ratio gifc-B ffmpeg-B
: > "$tmp/ratios"
for v in "$@"; do
  : > "$tmp/g"; : > "$tmp/f"
  "$GIFC" -q -f "$v" "${extra[@]}" -o "$tmp/o.mp4" || continue
  wh=$(ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of csv=p=0:s=x "$tmp/o.mp4")
  crf=$(strings "$tmp/o.mp4" | grep -o 'crf=[0-9]*' | head -1 | cut -d= -f2)
  for _ in $(seq "$runs"); do
    wall "$GIFC" -q -f "$v" "${extra[@]}" -o "$tmp/o.mp4" >> "$tmp/g"
    wall ffmpeg -y -v error -i "$v" -an -vf "scale=${wh%x*}:${wh#*x}" -c:v libx264 -preset medium \
      -crf "$crf" -pix_fmt yuv420p "$tmp/f.mp4" >> "$tmp/f"
  done
  g=$(median < "$tmp/g"); f=$(median < "$tmp/f")
  r=$(awk -v g="$g" -v f="$f" 'BEGIN{printf "%.3f", g/f}')
  echo "$r" >> "$tmp/ratios"
  printf '%-60s %9s %4s %8s %8s %6s %9s %9s\n' "$(basename "$v" | cut -c1-60)" "$wh" "$crf" "$g" "$f" "$r" \
    "$(stat -c %s "$tmp/o.mp4")" "$(stat -c %s "$tmp/f.mp4")"
done
sort -n "$tmp/ratios" | awk '{a[NR]=$1} END{ if (NR) printf "gifc/ffmpeg wall time: median %.3f, worst %.3f (n=%d)\n", (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2), a[NR], NR }'
