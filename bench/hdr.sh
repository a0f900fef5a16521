#!/usr/bin/env bash
# hdr.sh [RUNS]: gifc's own HDR to SDR (src/picture/tonemap.c) against libavfilter's
# zscale (libzimg) + tonemap, for fidelity and speed.
#
# Fidelity, on the PQ and HLG fixtures (fixtures/hevc_{pq,hlg}_bt2020_640x360_10bit.mkv,
# made from fixtures/ref_mandelbrot_640x360.png by the fixture generator): the first
# picture as RGB (gifc: a lossless APNG; ffmpeg: PNG) against the SDR reference, SSIM over
# R, G, B and the mean luma (BT.601 Y of both). ffmpeg's chains, each from linear light
# with SDR white at 203 nits (BT.2408) as gifc assumes:
#   clip    zscale to BT.709, highlights clipped (what bench/quality.sh uses)
#   mobius  tonemap=mobius (linear below 0.3 of white, then a soft shoulder to the peak)
#   hable   tonemap=hable (filmic: compresses the whole range)
# Speed, on a made 1280x720 50-frame 10-bit HEVC clip (mandelbrot, x265): the same stream
# tagged PQ and tagged SDR BT.709, so that decoding costs the same; the HDR path's cost per
# frame is the difference. gifc: the whole conversion to MP4 (720p, so no scaling); ffmpeg:
# decode + chain to RGB (rgb24) into the null muxer, against decode + swscale to RGB.
# Wall and CPU seconds (user + sys), medians of RUNS (3) interleaved runs, and the load.
#
# GIFC=build/gifc bash bench/hdr.sh [RUNS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
gifc=${GIFC:-$here/../build/gifc}
fx=${FIXTURES:-$here/../fixtures}
runs=${1:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ff=(ffmpeg -hide_banner -nostdin -loglevel error -y)

lin="zscale=t=linear:npl=203,format=gbrpf32le,zscale=p=bt709"
out709="zscale=t=bt709:m=bt709:r=full,format=gbrp"
chain_clip="$lin,$out709"
chain_mobius="$lin,tonemap=tonemap=mobius:desat=0,$out709"
chain_hable="$lin,tonemap=tonemap=hable:desat=0,$out709"

# first_ssim REF OUT: SSIM (All, over R G B) and mean luma of both, first pictures.
first_ssim() {
    local log
    log=$(ffmpeg -hide_banner -nostats -i "$1" -i "$2" -lavfi \
        "[1:v]trim=end_frame=1,format=gbrp,split[d][dl];[0:v]format=gbrp,split[r][rl];
         [d][r]ssim;[dl]format=yuv444p,signalstats,metadata=print:key=lavfi.signalstats.YAVG:file=$tmp/d.txt[x];
         [rl]format=yuv444p,signalstats,metadata=print:key=lavfi.signalstats.YAVG:file=$tmp/r.txt[y];
         [x]nullsink;[y]nullsink" -f null - 2>&1 || true)
    local s dl rl
    s=$(grep -o 'All:[0-9.]*' <<<"$log" | tail -1 | cut -d: -f2)
    dl=$(grep -o 'YAVG=[0-9.]*' "$tmp/d.txt" | head -1 | cut -d= -f2)
    rl=$(grep -o 'YAVG=[0-9.]*' "$tmp/r.txt" | head -1 | cut -d= -f2)
    printf 'ssim=%s luma=%.1f (reference %.1f)\n' "$s" "$dl" "$rl"
}

ref=$fx/ref_mandelbrot_640x360.png
echo "== fidelity: first picture against $(basename "$ref")"
for kind in pq hlg; do
    src=$fx/hevc_${kind}_bt2020_640x360_10bit.mkv
    "$gifc" -q -f "$src" -o "$tmp/g.apng" --width 640
    echo "$kind gifc:   $(first_ssim "$ref" "$tmp/g.apng")"
    for c in clip mobius hable; do
        v=chain_$c
        "${ff[@]}" -i "$src" -frames:v 1 -vf "${!v}" "$tmp/f.png"
        echo "$kind $c: $(first_ssim "$ref" "$tmp/f.png")"
    done
done

echo "== speed: 1280x720, 50 frames, 10-bit HEVC tagged PQ vs tagged SDR (same pictures)"
mk() { # OUT TRC X265-TRANSFER COLORPRIM MATRIX
    "${ff[@]}" -f lavfi -i "mandelbrot=size=1280x720:rate=25,format=yuv420p10le" -frames:v 50 \
        -c:v libx265 -preset ultrafast -crf 18 -pix_fmt yuv420p10le \
        -x265-params "log-level=error:colorprim=$4:transfer=$3:colormatrix=$5" \
        -color_primaries "$4" -color_trc "$2" -colorspace "$5" -color_range tv "$1"
}
mk "$tmp/pq.mkv" smpte2084 smpte2084 bt2020 bt2020nc
mk "$tmp/sdr.mkv" bt709 bt709 bt709 bt709
# t CMD...: "wall cpu" seconds of one run (cpu: user + sys; under load only cpu compares).
t() {
    /usr/bin/time -f '%e %U %S' -o "$tmp/t" "$@" >/dev/null 2>&1
    awk '{printf "%s:%.2f", $1, $2 + $3}' "$tmp/t"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
declare -A T
for ((i = 0; i < runs; i++)); do
    T[gifc_hdr]+="$(t "$gifc" -q -f "$tmp/pq.mkv" -o "$tmp/a.mp4") "
    T[gifc_sdr]+="$(t "$gifc" -q -f "$tmp/sdr.mkv" -o "$tmp/b.mp4") "
    T[ff_hdr]+="$(t "${ff[@]}" -i "$tmp/pq.mkv" -vf "$chain_mobius,format=rgb24" -f null -) "
    T[ff_sdr]+="$(t "${ff[@]}" -i "$tmp/sdr.mkv" -vf "format=rgb24" -f null -) "
done
# med KEY FIELD(1 wall, 2 cpu)
med() { tr ' ' '\n' <<<"${T[$1]}" | grep . | cut -d: -f"$2" | median; }
for k in gifc_hdr gifc_sdr ff_hdr ff_sdr; do
    printf '%-9s median wall %6.2f s, cpu %6.2f s  (wall:cpu runs: %s)\n' "$k" "$(med $k 1)" \
        "$(med $k 2)" "${T[$k]}"
done
for p in gifc ff; do
    printf '%-4s HDR path: %+.1f ms wall, %+.1f ms cpu a 720p frame\n' "$p" \
        "$(echo "($(med ${p}_hdr 1) - $(med ${p}_sdr 1)) * 1000 / 50" | bc -l)" \
        "$(echo "($(med ${p}_hdr 2) - $(med ${p}_sdr 2)) * 1000 / 50" | bc -l)"
done
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
