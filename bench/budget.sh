#!/usr/bin/env bash
# budget.sh PATH...   (files or directories of videos / GIF / APNG / WebP)
# --max-size benchmark. For every input and budget (BUDGETS, default "100K 500K 2M 8M") and
# format (FORMATS, default "gif"; add mp4): gifc --max-size, then one plain gifc encode at
# the settings the search chose. Prints per run: bytes, share of the budget, wall seconds,
# time ratio to the plain encode, SSIM against the source (quality.sh, at the output's size
# and fps); for GIF, next to it a hand search with gifsicle the way people do it today
# (gifsicle on ffmpeg's palette GIF at 480 px / 15 fps, first fitting step of a --scale x
# --colors x --lossy ladder). Summary: share of results within the budget, share within
# 0.92-1.0x (MP4 0.95-1.0x) among the runs that needed a search (a source that fits as
# asked is written as is), median time ratio, median SSIM difference to the hand search.
#   GIFC=build/gifc (default)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
GIFC=${GIFC:-$here/../build/gifc}
BUDGETS=${BUDGETS:-100K 500K 2M 8M}
FORMATS=${FORMATS:-gif}
work=$(mktemp -d /tmp/gifc-budget-bench.XXXXXX); trap 'rm -rf "$work"' EXIT
: > "$work/rows"

inputs=()
for p in "$@"; do
  if [ -d "$p" ]; then
    while IFS= read -r f; do inputs+=("$f"); done < <(find -L "$p" -maxdepth 1 -type f \
      \( -iname '*.mp4' -o -iname '*.mov' -o -iname '*.mkv' -o -iname '*.webm' -o -iname '*.avi' \
         -o -iname '*.gif' -o -iname '*.apng' -o -iname '*.webp' \) | sort)
  else inputs+=("$p"); fi
done

bytes_of() { case $1 in *K) echo $(( ${1%K} * 1000 ));; *M) echo $(( ${1%M} * 1000000 ));; *) echo "$1";; esac; }
wall() { /usr/bin/time -f '%e' -o "$work/t" "$@" >"$work/json" 2>"$work/err"; local r=$?; T=$(tail -1 "$work/t"); return $r; }
fps_of() { ffprobe -v error -select_streams v:0 -show_entries stream=avg_frame_rate -of csv=p=0 "$1" | awk -F/ '{ if ($2 > 0) printf "%.3f", $1 / $2; else print 15 }'; }

# gifsicle ladder: the first step that fits wins (what a person tries by hand).
hand_search() { # src budget -> prints "bytes ssim step" or nothing
  local src=$1 budget=$2 base=$work/hand-base.gif
  case $src in
    *.gif) cp "$src" "$base" ;;
    *) ffmpeg -y -v error -i "$src" -vf "fps=15,scale='min(480,iw)':-2:flags=lanczos,split[a][b];[a]palettegen[p];[b][p]paletteuse" "$base" || return ;;
  esac
  for scale in 1 0.8 0.65 0.5 0.4 0.3 0.2 0.15 0.1; do
    for cl in "256 30" "256 80" "128 80" "64 120" "32 200"; do
      set -- $cl
      gifsicle -O3 --lossy="$2" --colors "$1" --scale "$scale" "$base" -o "$work/hand.gif" 2>/dev/null || continue
      local b; b=$(stat -c %s "$work/hand.gif")
      if [ "$b" -le "$budget" ]; then
        echo "$b $("$here/quality.sh" "$src" "$work/hand.gif" 15 | cut -d' ' -f1 | cut -d= -f2) scale=$scale,colors=$1,lossy=$2"
        return
      fi
    done
  done
}

printf '%-44s %-4s %6s %10s %6s %7s %6s %8s %s\n' input fmt budget bytes share wall-s x-plain ssim hand-search
for in in "${inputs[@]}"; do
  name=$(basename "$in")
  for fmt in $FORMATS; do
    for b in $BUDGETS; do
      budget=$(bytes_of "$b"); out=$work/out.$fmt
      rm -f "$out"
      if ! wall "$GIFC" -q -f --json "$in" --max-size "$b" -o "$out"; then
        printf '%-44s %-4s %6s %10s  (no fit: %s)\n' "${name:0:44}" "$fmt" "$b" - "$(head -c 120 "$work/err")"
        echo "$fmt nofit" >> "$work/rows"
        continue
      fi
      cp "$work/json" "$work/budget.json"
      size=$(stat -c %s "$out")
      w=$(grep -o '"width":[0-9]*' "$work/budget.json" | head -1 | cut -d: -f2)
      fps=$(grep -o '"fps":[0-9.]*' "$work/budget.json" | head -1 | cut -d: -f2)
      plain_args=(--width "$w")
      if [ "$fmt" = gif ]; then
        for k in colors quality dither lossy; do
          v=$(grep -o "\"$k\":[0-9.]*" "$work/budget.json" | head -1 | cut -d: -f2); [ -n "$v" ] && plain_args+=(--$k "$v")
        done
      fi
      [ -n "$fps" ] && plain_args+=(--fps "$fps")
      T_budget=$T
      wall "$GIFC" -q -f "$in" "${plain_args[@]}" -o "$work/plain.$fmt"; T_plain=$T
      qfps=${fps:-$(fps_of "$out")}
      ssim=$("$here/quality.sh" "$in" "$out" "$qfps" | cut -d' ' -f1 | cut -d= -f2)
      hand=""; [ "$fmt" = gif ] && command -v gifsicle >/dev/null && hand=$(hand_search "$in" "$size")
      share=$(awk -v a="$size" -v b="$budget" 'BEGIN{printf "%.3f", a/b}')
      xp=$(awk -v a="$T_budget" -v b="$T_plain" 'BEGIN{ if (b > 0) printf "%.2f", a/b; else print "-" }')
      printf '%-44s %-4s %6s %10s %6s %7s %6s %8s %s\n' "${name:0:44}" "$fmt" "$b" "$size" "$share" "$T_budget" "$xp" "$ssim" "${hand:-}"
      searched=$(grep -o '"searched":[a-z]*' "$work/budget.json" | cut -d: -f2)
      echo "$fmt fit $share $xp $ssim $searched $(echo "$hand" | cut -d' ' -f2)" >> "$work/rows"
    done
  done
done

echo
awk '
  function median(a, n,   i, j, t) { for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
                                      return n ? (n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2) : 0 }
  { runs++ }
  $2 == "fit" { fit++; lo = ($1 == "mp4") ? 0.95 : 0.92; if ($3 <= 1.0) under++
                if ($6 == "true") { searched++; if ($3 >= lo && $3 <= 1.0) tight++ }
                nx++; xs[nx] = $4; if ($7 != "") { nd++; ds[nd] = $5 - $7 } }
  END {
    printf "runs %d, fitted %d, nothing fits %d\n", runs, fit, runs - fit
    if (fit) printf "within the budget: %.0f%%; fitted as asked (no search): %d\n", 100*under/fit, fit - searched
    if (searched) printf "searched results within 0.92-1.0x (MP4 0.95-1.0x): %.0f%% (%d of %d)\n", 100*tight/searched, tight, searched
    if (nx) printf "median time / plain encode at the chosen settings: %.2fx\n", median(xs, nx)
    if (nd) printf "median SSIM difference to the gifsicle hand search at the same size: %+.4f\n", median(ds, nd)
  }' "$work/rows"
