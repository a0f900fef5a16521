#!/usr/bin/env bash
# quality.sh SOURCE OUTPUT FPS [SIZE] -> "ssim=<All> psnr=<avg>"
# Both sides resampled to one constant-fps timeline at the output's size (lanczos; SIZE
# "src" compares at the source's size instead, WxH at that size: an MP4 that was enlarged
# before 4:2:0 is judged at the picture it stands for) and
# compared frame by frame with ffmpeg's ssim/psnr filters, in RGB (All = mean of R, G, B).
# Matrix-correct: each side goes to RGB through its OWN tagged matrix and range (untagged:
# BT.709 from 720 lines up, BT.601 below, as players and gifc assume). A PQ or HLG side is
# taken to BT.709 SDR first with zimg (SDR white at 203 nits, BT.2408; highlights above it
# clip), so an HDR source is compared as the SDR picture it stands for.
# The shared yardstick (../shared/bench/quality.sh) compares in yuv444p after swscale's
# default BT.601 conversion whatever the tags: an RGB copy of a BT.709 HD clip scores
# 0.996 there; here it scores >= 0.999.
set -euo pipefail
src=$1 out=$2 fps=$3 size=${4:-}
at=$out
[ "$size" = src ] && at=$src
read -r w h < <(ffprobe -v error -select_streams v:0 -show_entries stream=width,height \
  -of csv=p=0 "$at" | tr ',' ' ')
[[ $size == *x* ]] && { w=${size%x*}; h=${size#*x}; }

# to_rgb FILE: the filter chain that takes FILE's pictures to full-range RGB (gbrp).
to_rgb() {
    local pix= spc= rng= trc= lines=0 k v
    while IFS='=' read -r k v; do
        case "$k" in
        pix_fmt) pix=$v ;; color_space) spc=$v ;; color_range) rng=$v ;;
        color_transfer) trc=$v ;; height) lines=$v ;;
        esac
    done < <(ffprobe -v error -select_streams v:0 \
        -show_entries stream=pix_fmt,color_space,color_range,color_transfer,height \
        -of default=nw=1 "$1")
    case "$pix" in
    rgb*|bgr*|gbr*|argb|abgr|pal8|gray*|ya*) echo "format=gbrp"; return ;;
    esac
    if [[ $trc == smpte2084 || $trc == arib-std-b67 ]]; then
        echo "zscale=t=linear:npl=203,format=gbrpf32le,zscale=p=bt709:t=bt709:m=bt709:r=full,format=gbrp"
        return
    fi
    local m r
    case "$spc" in
    bt709) m=bt709 ;;
    smpte170m|bt470bg) m=bt601 ;;
    bt2020nc|bt2020c) m=bt2020 ;;
    smpte240m) m=smpte240m ;;
    fcc) m=fcc ;;
    *) if [ "${lines:-0}" -ge 720 ]; then m=bt709; else m=bt601; fi ;;
    esac
    case "$rng" in pc) r=pc ;; *) r=tv ;; esac
    [[ $pix == yuvj* ]] && r=pc
    echo "scale=in_color_matrix=$m:in_range=$r:flags=accurate_rnd+full_chroma_int,format=gbrp"
}

ra=$(to_rgb "$src") rb=$(to_rgb "$out")
prep="fps=$fps,scale=$w:$h:flags=lanczos,format=gbrp,setpts=N/($fps*TB)"
log=$(ffmpeg -hide_banner -nostats -i "$src" -i "$out" -lavfi \
  "[0:v]$ra,$prep[r];[1:v]$rb,$prep[d];[d]split[d1][d2];[r]split[r1][r2];[d1][r1]ssim=shortest=1;[d2][r2]psnr=shortest=1" \
  -f null - 2>&1 || true)
ssim=$(grep -o 'All:[0-9.]*' <<<"$log" | tail -1 | cut -d: -f2)
psnr=$(grep -o 'average:[0-9.inf]*' <<<"$log" | tail -1 | cut -d: -f2)
echo "ssim=${ssim:-?} psnr=${psnr:-?}"
