#!/usr/bin/env bash
# curve.sh VIDEO...   gifc --quality against gifski -Q, 50..100, at 480 px / 15 fps.
# Prints per quality the (bytes, SSIM) of both tools (SSIM by quality.sh, as bench.sh), then
# whether each gifc point lies on or below gifski's curve: gifc's bytes against gifski's
# bytes interpolated (log-linearly) at gifc's SSIM. A gifc point above gifski's best SSIM
# or below its worst cannot be placed and is reported as such.
#   GIFC=build/gifc (default)  GIFSKI=/opt/anchors/node_modules/gifski/bin/debian/gifski
#   QUALITIES="50 60 70 80 90 100"
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
GIFC=${GIFC:-$here/../build/gifc}
GIFSKI=${GIFSKI:-/opt/anchors/node_modules/gifski/bin/debian/gifski}
QUALITIES=${QUALITIES:-50 60 70 80 90 100}
FPS=15 WIDTH=480
[ -x "$GIFSKI" ] || { echo "curve.sh: gifski not found ($GIFSKI); see ../shared/bench/setup-anchors.sh" >&2; exit 2; }
work=$(mktemp -d /tmp/gifc-curve.XXXXXX); trap 'rm -rf "$work"' EXIT

ssim_of() { "$here/quality.sh" "$1" "$2" $FPS | sed -n 's/^ssim=\([0-9.]*\).*/\1/p'; }

for in in "$@"; do
  echo "## $(basename "$in")"
  mkdir -p "$work/png" && rm -f "$work"/png/*.png "$work"/pts
  ffmpeg -y -v error -i "$in" -vf "fps=$FPS,scale=$WIDTH:-2:flags=lanczos" "$work/png/%05d.png"
  printf '  %-4s %12s %8s %12s %8s\n' q gifc-bytes ssim gifski-bytes ssim
  for q in $QUALITIES; do
    "$GIFC" -q -f "$in" -o "$work/c.gif" --fps $FPS --width $WIDTH --quality "$q" || continue
    "$GIFSKI" -q --fps $FPS -Q "$q" -o "$work/s.gif" "$work"/png/*.png || continue
    cb=$(stat -c %s "$work/c.gif"); cs=$(ssim_of "$in" "$work/c.gif")
    sb=$(stat -c %s "$work/s.gif"); ss=$(ssim_of "$in" "$work/s.gif")
    printf '  %-4s %12s %8s %12s %8s\n' "$q" "$cb" "$cs" "$sb" "$ss"
    echo "gifc $cb $cs" >> "$work/pts"; echo "gifski $sb $ss" >> "$work/pts"
  done
  # gifski's curve sorted by SSIM; each gifc point compared at its own SSIM.
  awk '$1=="gifski"{n++; b[n]=$2; s[n]=$3} $1=="gifc"{m++; cb[m]=$2; cs[m]=$3}
    END{
      for(i=1;i<=n;i++) for(j=i+1;j<=n;j++) if(s[j]<s[i]){t=s[i];s[i]=s[j];s[j]=t;t=b[i];b[i]=b[j];b[j]=t}
      below=0; placed=0
      for(k=1;k<=m;k++){
        if(cs[k]<s[1]||cs[k]>s[n]){printf "  gifc %d B at SSIM %.4f: outside gifski'\''s SSIM range\n",cb[k],cs[k]; continue}
        for(i=1;i<n&&s[i+1]<cs[k];i++);
        f=(s[i+1]>s[i])?(cs[k]-s[i])/(s[i+1]-s[i]):0
        ref=exp(log(b[i])+f*(log(b[i+1])-log(b[i])))
        placed++; if(cb[k]<=ref) below++
        printf "  gifc %d B at SSIM %.4f: gifski would need %d B (%.3fx)\n",cb[k],cs[k],ref,cb[k]/ref
      }
      printf "  on or below gifski'\''s curve: %d of %d placed points\n",below,placed
    }' "$work/pts"
done
