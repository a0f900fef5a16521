#!/usr/bin/env bash
# speed.sh [RUNS] VIDEO...: wall time of gifc against ffmpeg's two-pass palettegen /
# paletteuse at 480 px / 15 fps (the anchors' settings), runs interleaved so that machine
# noise hits both alike; prints each median and their ratio, then the geometric mean.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
GIFC=${GIFC:-$here/../build/gifc}
runs=3; [[ "${1:-}" =~ ^[0-9]+$ ]] && { runs=$1; shift; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
wall() { /usr/bin/time -f %e -o "$tmp/t" "$@" >/dev/null 2>&1; cat "$tmp/t"; }
median() { sort -n | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
printf '%-60s %8s %8s %6s\n' video gifc-s ffmpeg-s ratio
for v in "$@"; do
  : > "$tmp/g"; : > "$tmp/f"
  for _ in $(seq "$runs"); do
    wall "$GIFC" -q -f "$v" -o "$tmp/o.gif" --fps 15 --width 480 >> "$tmp/g"
    wall ffmpeg -y -v error -i "$v" -vf "fps=15,scale=480:-2:flags=lanczos,split[a][b];[a]palettegen[p];[b][p]paletteuse" "$tmp/f.gif" >> "$tmp/f"
  done
  g=$(median < "$tmp/g"); f=$(median < "$tmp/f")
  r=$(awk -v g="$g" -v f="$f" 'BEGIN{printf "%.3f", g/f}')
  echo "$r" >> "$tmp/ratios"
  printf '%-60s %8s %8s %6s\n' "$(basename "$v")" "$g" "$f" "$r"
done
awk '{s+=log($1); n++} END{printf "geometric mean of gifc/ffmpeg: %.3f (n=%d)\n", exp(s/n), n}' "$tmp/ratios"
