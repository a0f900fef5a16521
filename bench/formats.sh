#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# bench/formats.sh [VIDEO...]: per output format (GIF, WebP, AVIF, WebM), bytes, SSIM,
# seconds and peak RSS of gifc at defaults (480 px box, 15 fps; WebM at its own defaults,
# 1280x720 box, source fps) on the corpus videos, against gifc's own GIF and, for WebP,
# ffmpeg's libwebp_anim (from the same scaled 15 fps frames) and libwebp's gif2webp -lossy
# (from gifc's GIF), for WebM ffmpeg's libvpx-vp9 in CRF mode (same size, cpu-used 4), all
# compared at gifc's SSIM: each anchor is run at a few qualities and its bytes interpolated
# (log bytes, linear in SSIM) at gifc's SSIM. FORMATS="gif webp avif webm" picks formats
# (gif is always run: the ratios are against it); ANCHORS=0 skips the anchors.
# SSIM as /work/shared/bench/quality.sh (tests/e2e/gifc_testlib.py's ssim, which also
# reads animated WebP through tests/probe).
#   GIFC=build/gifc PROBE=build/tests/probe DURATION=10 bash bench/formats.sh
# DURATION (seconds from the start, default 10; 0 = whole clip) keeps a run short.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
GIFC=${GIFC:-$here/build/gifc} PROBE=${PROBE:-$here/build/tests/probe}
CORPUS=${CORPUS:-/work/shared/corpus}
DURATION=${DURATION:-10}
export FORMATS=${FORMATS:-gif webp avif webm} ANCHORS=${ANCHORS:-1}
if [ $# -eq 0 ]; then set -- "$CORPUS"/video_*; fi
exec python3 - "$GIFC" "$PROBE" "$DURATION" "$@" <<'PY'
import math, os, re, subprocess, sys, tempfile, time
formats = ['gif'] + [f for f in os.environ['FORMATS'].split() if f != 'gif']
anchors = os.environ['ANCHORS'] != '0'
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(sys.argv[1]))), 'tests', 'e2e'))
import gifc_testlib as lib
gifc, probe, dur = sys.argv[1], sys.argv[2], float(sys.argv[3])
lib.configure(['--gifc', gifc, '--probe', probe], '')
tmp = tempfile.mkdtemp(prefix='gifc-formats-bench-')

def timed(cmd):
    """(seconds, peak RSS MB) of cmd, through /usr/bin/time."""
    t0 = time.monotonic()
    p = subprocess.run(['/usr/bin/time', '-f', 'RSS %M'] + cmd, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE)
    el = time.monotonic() - t0
    if p.returncode:
        raise SystemExit('failed: %s\n%s' % (' '.join(cmd), p.stderr.decode()[-400:]))
    rss = int(re.findall(rb'RSS (\d+)', p.stderr)[-1]) / 1024
    return el, rss

def at_ssim(points, target):
    """Bytes at SSIM target from (ssim, bytes) points: log-linear interpolation between the
    neighbours (extrapolated from the two nearest when outside)."""
    pts = sorted(points)
    for (s0, b0), (s1, b1) in zip(pts, pts[1:]):
        if s0 <= target <= s1 and s1 > s0:
            t = (target - s0) / (s1 - s0)
            return math.exp(math.log(b0) + t * (math.log(b1) - math.log(b0)))
    (s0, b0), (s1, b1) = (pts[:2] if target < pts[0][0] else pts[-2:])
    if s1 == s0:
        return float('nan')
    t = (target - s0) / (s1 - s0)
    return math.exp(math.log(b0) + t * (math.log(b1) - math.log(b0)))

cut = ['--duration', '%g' % dur] if dur > 0 else []
ffcut = ['-t', '%g' % dur] if dur > 0 else []
print('date %s, DURATION %g' % (time.strftime('%Y-%m-%d'), dur))
print('%-58s %-6s %9s %7s %6s %6s %s' % ('video', 'format', 'bytes', 'SSIM', 's', 'RSS', 'vs GIF / anchors at equal SSIM'))
def webp_anchors(src, res):
    """gifc WebP's bytes over libwebp_anim's and gif2webp -lossy's at gifc's SSIM."""
    info = lib.probe(os.path.join(tmp, 'o.webp'))
    w, h, ws = info['width'], info['height'], res['webp'][1]
    ffp, g2p = [], []
    for q in (60, 75, 90):
        o = os.path.join(tmp, 'ff.webp')
        subprocess.run(['ffmpeg', '-v', 'error', '-y', '-nostdin'] + ffcut + ['-i', src, '-vf',
                        'fps=15,scale=%d:%d:flags=lanczos' % (w, h), '-c:v', 'libwebp_anim',
                        '-quality', str(q), '-loop', '0', o], check=True)
        ffp.append((lib.ssim(src, o, 15, duration=dur or None), os.path.getsize(o)))
        o2 = os.path.join(tmp, 'g2w.webp')
        subprocess.run(['gif2webp', '-quiet', '-lossy', '-q', str(q), '-m', '4',
                        os.path.join(tmp, 'o.gif'), '-o', o2], check=True)
        g2p.append((lib.ssim(src, o2, 15, duration=dur or None), os.path.getsize(o2)))
    b = res['webp'][0]
    return '; %.3fx libwebp_anim, %.3fx gif2webp -lossy' % (b / at_ssim(ffp, ws),
                                                           b / at_ssim(g2p, ws))

def webm_anchor(src, res):
    """gifc WebM's bytes over ffmpeg libvpx-vp9 CRF's at gifc's SSIM (same size, source
    timing, the same cpu-used)."""
    out = os.path.join(tmp, 'o.webm')
    i = lib.ffprobe_json(out, '-select_streams', 'v:0', '-show_entries', 'stream=width,height')
    w, h = i['streams'][0]['width'], i['streams'][0]['height']
    pts = []
    for crf in (24, 31, 40):
        o = os.path.join(tmp, 'ff.webm')
        subprocess.run(['ffmpeg', '-v', 'error', '-y', '-nostdin'] + ffcut + ['-i', src, '-an',
                        '-vf', 'scale=%d:%d:flags=lanczos' % (w, h), '-c:v', 'libvpx-vp9',
                        '-crf', str(crf), '-b:v', '0', '-deadline', 'good', '-cpu-used', '4',
                        '-row-mt', '1', o], check=True)
        pts.append((lib.ssim(src, o, 15, duration=dur or None), os.path.getsize(o)))
    return '; %.3fx libvpx-vp9 CRF' % (res['webm'][0] / at_ssim(pts, res['webm'][1]))

for src in sys.argv[4:]:
    name = os.path.basename(src)
    res = {}
    for fmt in formats:
        out = os.path.join(tmp, 'o.' + fmt)
        el, rss = timed([gifc, src, '-o', out, '-f', '-q'] + cut)
        ssim = lib.ssim(src, out, 15, duration=dur or None)
        res[fmt] = (os.path.getsize(out), ssim, el, rss)
    gb, gs, gt = res['gif'][0], res['gif'][1], res['gif'][2]
    for fmt in formats:
        b, s, el, rss = res[fmt]
        extra = ''
        if fmt != 'gif':
            extra = '%.3fx GIF (SSIM %+.4f, %.2fx its time)' % (b / gb, s - gs, el / gt)
        if anchors and fmt == 'webp':
            extra += webp_anchors(src, res)
        if anchors and fmt == 'webm':
            extra += webm_anchor(src, res)
        print('%-58s %-6s %9d %7.4f %6.1f %6.1f %s' % (name[:58], fmt, b, s, el, rss, extra))
    sys.stdout.flush()
PY
