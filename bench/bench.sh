#!/usr/bin/env bash
# bench.sh [--quick] PATH...   (files or directories of videos / GIF / APNG / WebP)
# Runs gifc and, when installed, the anchors (ffmpeg palettegen/paletteuse, gifski 1.7.1
# from PNG frames, gifsicle) on every input and prints per file: bytes, wall seconds, peak
# RSS (KB), SSIM against the source; then gifc's ratios to each anchor and their geometric
# means. Videos: 480 px wide, 15 fps for every tool (as ../shared/bench/anchor-bench.sh).
# Animations: gifc GIF and MP4 at defaults vs gifsicle -O3 --lossy=80 and ffmpeg CRF 23.
#   GIFC=build/gifc (default)  GIFSKI=/opt/anchors/node_modules/gifski/bin/debian/gifski
#   --quick: only the first 3 inputs.  Install anchors: ../shared/bench/setup-anchors.sh
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
GIFC=${GIFC:-$here/../build/gifc}
GIFSKI=${GIFSKI:-/opt/anchors/node_modules/gifski/bin/debian/gifski}
FPS=15 WIDTH=480
quick=0; [ "${1:-}" = --quick ] && { quick=1; shift; }
work=$(mktemp -d /tmp/gifc-bench.XXXXXX); trap 'rm -rf "$work"' EXIT
ratios=$work/ratios; : > "$ratios"

inputs=()
for p in "$@"; do
  if [ -d "$p" ]; then
    while IFS= read -r f; do inputs+=("$f"); done < <(find "$p" -maxdepth 1 -type f \
      \( -iname '*.mp4' -o -iname '*.mov' -o -iname '*.mkv' -o -iname '*.webm' -o -iname '*.avi' \
         -o -iname '*.gif' -o -iname '*.apng' -o -iname '*.webp' \) | sort)
  else inputs+=("$p"); fi
done
[ $quick = 1 ] && inputs=("${inputs[@]:0:3}")

timed() { # runs "$@", sets T (wall s) and M (peak KB); 1 on failure
  /usr/bin/time -f '%e %M' -o "$work/t" "$@" >/dev/null 2>"$work/err" || return 1
  read -r T M < "$work/t"
}
row() { # tool out src fps [size: quality.sh's, "src" for an animation's MP4]
  local b q; b=$(stat -c %s "$2"); q=$("$here/quality.sh" "$3" "$2" "$4" ${5:-})
  printf '  %-22s %10s %7s %8s %s\n' "$1" "$b" "$T" "$M" "$q"
  echo "$1 $b $T $M ${q%% *}" >> "$work/rows"
}
get() { awk -v t="$1" -v c="$2" '$1==t{print $c}' "$work/rows"; }
ratio() { # name gifc-tool anchor-tool column
  local a b; a=$(get "$2" "$4"); b=$(get "$3" "$4")
  [ -n "$a" ] && [ -n "$b" ] && awk -v n="$1" -v a="$a" -v b="$b" 'BEGIN{if(b>0)printf "%s %.4f\n",n,a/b}' >> "$ratios"
}

bench_video() {
  local in=$1 vf="fps=$FPS,scale=$WIDTH:-2:flags=lanczos"
  timed "$GIFC" -q -f "$in" -o "$work/gifc.gif" --fps $FPS --width $WIDTH && row gifc "$work/gifc.gif" "$in" $FPS
  if command -v ffmpeg >/dev/null; then
    timed ffmpeg -y -v error -i "$in" -vf "$vf,split[a][b];[a]palettegen[p];[b][p]paletteuse" "$work/ff.gif" &&
      row ffmpeg-palette "$work/ff.gif" "$in" $FPS
    ratio "time/ffmpeg-palette" gifc ffmpeg-palette 3
    ratio "bytes/ffmpeg-palette" gifc ffmpeg-palette 2
  fi
  if [ -x "$GIFSKI" ]; then
    mkdir -p "$work/png" && rm -f "$work"/png/*.png
    ffmpeg -y -v error -i "$in" -vf "$vf" "$work/png/%05d.png" &&
      timed "$GIFSKI" -q --fps $FPS -o "$work/gifski.gif" "$work"/png/*.png &&
      row gifski-q90-encodeonly "$work/gifski.gif" "$in" $FPS
    ratio "bytes/gifski" gifc gifski-q90-encodeonly 2
    ratio "time/gifski-encode" gifc gifski-q90-encodeonly 3
    awk -v a="$(get gifc 5 | cut -d= -f2)" -v b="$(get gifski-q90-encodeonly 5 | cut -d= -f2)" \
      'BEGIN{if(a!=""&&b!="")printf "ssim-delta/gifski %.4f\n", a-b+1}' >> "$ratios"
  fi
  if command -v gifsicle >/dev/null && [ -f "$work/ff.gif" ]; then
    timed gifsicle -O3 --lossy=80 "$work/ff.gif" -o "$work/gs.gif" && row gifsicle-O3-lossy80 "$work/gs.gif" "$in" $FPS
  fi
}

bench_animation() {
  local in=$1
  timed "$GIFC" -q -f "$in" -o "$work/gifc.gif" && row gifc-gif "$work/gifc.gif" "$in" 25
  # an MP4 gifc doubled (coloured text art, README) is judged at the animation's size
  local at=
  rm -f "$work/gifc.mp4"
  timed "$GIFC" -q -f "$in" -o "$work/gifc.mp4" &&
    [ "$(ffprobe -v error -show_entries stream=width -of csv=p=0 "$work/gifc.mp4")" = \
      "$(( 2 * $(ffprobe -v error -show_entries stream=width -of csv=p=0 "$in" | head -1) ))" ] &&
    at=src
  [ -f "$work/gifc.mp4" ] && row gifc-mp4 "$work/gifc.mp4" "$in" 25 $at
  echo "mp4-size/input $(awk -v a="$(get gifc-mp4 2)" -v b="$(stat -c %s "$in")" 'BEGIN{printf "%.4f", a/b}')" >> "$ratios"
  case "$in" in *.gif|*.GIF)
    if command -v gifsicle >/dev/null; then
      timed gifsicle -O3 --lossy=80 "$in" -o "$work/gs.gif" && row gifsicle-O3-lossy80 "$work/gs.gif" "$in" 25
      ratio "bytes/gifsicle-lossy80" gifc-gif gifsicle-O3-lossy80 2
    fi;;
  esac
  if command -v ffmpeg >/dev/null && [[ "$in" != *.webp ]]; then
    timed ffmpeg -y -v error -i "$in" -movflags +faststart -pix_fmt yuv420p \
      -vf "scale=trunc(iw/2)*2:trunc(ih/2)*2" -c:v libx264 -crf 23 "$work/ff.mp4" &&
      row ffmpeg-mp4-crf23 "$work/ff.mp4" "$in" 25
    ratio "bytes-mp4/ffmpeg-crf23" gifc-mp4 ffmpeg-mp4-crf23 2
  fi
}

echo "# gifc benchmark $(date -u +%Y-%m-%d) on $(nproc) cores, $("$GIFC" --version 2>&1 | head -1)"
echo "#   tool                       bytes   wall-s  peak-KB  quality-vs-source"
for in in "${inputs[@]}"; do
  : > "$work/rows"
  echo "## $(basename "$in")  ($(stat -c %s "$in") bytes)"
  case "${in,,}" in
    *.gif|*.apng|*.webp) bench_animation "$in" ;;
    *) bench_video "$in" ;;
  esac
done
echo "# geometric means of gifc's ratios (n = inputs measured)"
awk '{s[$1]+=log($2); n[$1]++} END{for(k in s) printf "  %-26s %.3f  (n=%d)\n", k, exp(s[k]/n[k]), n[k]}' "$ratios" | sort
