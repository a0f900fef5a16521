#!/usr/bin/env bash
# quality.sh SOURCE OUTPUT FPS WIDTH -> "ssim=<All> psnr=<avg>"
# Same yardstick as the anchors: both sides resampled to one constant-fps timeline at the
# output's size (lanczos), yuv444p, compared frame by frame with ffmpeg's ssim/psnr filters.
set -euo pipefail
src=$1 out=$2 fps=$3
read -r w h < <(ffprobe -v error -select_streams v:0 -show_entries stream=width,height \
  -of csv=p=0 "$out" | tr ',' ' ')
prep="fps=$fps,scale=$w:$h:flags=lanczos,format=yuv444p,setpts=N/($fps*TB)"
log=$(ffmpeg -hide_banner -nostats -i "$src" -i "$out" -lavfi \
  "[0:v]$prep[r];[1:v]$prep[d];[d]split[d1][d2];[r]split[r1][r2];[d1][r1]ssim=shortest=1;[d2][r2]psnr=shortest=1" \
  -f null - 2>&1 || true)
ssim=$(grep -o 'All:[0-9.]*' <<<"$log" | tail -1 | cut -d: -f2)
psnr=$(grep -o 'average:[0-9.inf]*' <<<"$log" | tail -1 | cut -d: -f2)
echo "ssim=${ssim:-?} psnr=${psnr:-?}"
