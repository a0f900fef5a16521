#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers shared by the end-to-end suites (tests/e2e/*_test.py): the command line every
suite takes (--gifc, --probe, --fixtures), running gifc, reading its outputs with the
independent decoders (tests/e2e/probe.c, the ffmpeg / ffprobe CLIs) and SSIM.

    import gifc_testlib as lib
    rest = lib.configure(sys.argv[1:], 'what the suite checks')

Python 3 standard library only. Holds no expectations: each suite keeps its own.
"""
import argparse
import concurrent.futures
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import unittest


# Set by configure() from the command line.
GIFC = PROBE = FIXTURES = None
# A command put in front of every gifc run: the valgrind test setup passes
# GIFC_WRAP="valgrind --error-exitcode=99 ..." (meson's exe_wrapper would only wrap python).
WRAP = shlex.split(os.environ.get('GIFC_WRAP', ''))
# Under valgrind or the sanitizers: timings and memory figures say nothing about gifc.
SLOW = bool(WRAP or os.environ.get('GIFC_SLOW'))

TIMEOUT = 300  # seconds for one gifc run on a fixture


def configure(argv, description):
    """Parses --gifc/--probe/--fixtures; returns the arguments left for unittest."""
    global GIFC, PROBE, FIXTURES
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument('--gifc', required=True, help='the gifc binary')
    ap.add_argument('--probe', required=True, help='the tests/probe binary')
    ap.add_argument('--fixtures', required=False, default=None, help='fixtures folder')
    args, rest = ap.parse_known_args(argv)
    GIFC = os.path.abspath(args.gifc)
    PROBE = os.path.abspath(args.probe)
    FIXTURES = os.path.abspath(args.fixtures) if args.fixtures else None
    for what, path in (('gifc', GIFC), ('probe', PROBE)):
        if not os.access(path, os.X_OK):
            ap.error('%s binary %s is not executable' % (what, path))
    return rest


def gifc_cmd():
    """The argv prefix that runs gifc: the binary, behind GIFC_WRAP when set."""
    return WRAP + [GIFC]


def run_gifc(args, timeout=TIMEOUT, **kw):
    """Runs gifc with args; returns a CompletedProcess with bytes stdout / stderr."""
    kw.setdefault('stdin', subprocess.DEVNULL)
    return subprocess.run(gifc_cmd() + [str(a) for a in args], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=timeout * (10 if SLOW else 1), **kw)


def probe(path):
    """probe's JSON for path; raises AssertionError when probe cannot read it."""
    p = subprocess.run([PROBE, str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=600)
    try:
        info = json.loads(p.stdout.decode())
    except ValueError:
        raise AssertionError('probe printed no JSON for %s (exit %d): %r %r'
                             % (path, p.returncode, p.stdout[:200], p.stderr[:200]))
    if p.returncode != 0 or 'error' in info:
        raise AssertionError('probe cannot read %s: %s' % (path, info))
    return info


def sha256(path):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            h.update(block)
    return h.hexdigest()


def hidden_files(folder):
    """Names in folder starting with '.' (gifc's temporary files are '.NAME.XXXXXX')."""
    return sorted(n for n in os.listdir(folder) if n.startswith('.'))


def gifc_temp_files(folder):
    """gifc's spool / temp names in a TMPDIR: gifc-stdin-*, gifc-out.*."""
    return sorted(n for n in os.listdir(folder) if n.startswith('gifc-'))


def have_ffmpeg():
    return shutil.which('ffmpeg') is not None and shutil.which('ffprobe') is not None


def is_webp(path):
    with open(path, 'rb') as f:
        head = f.read(12)
    return head[:4] == b'RIFF' and head[8:12] == b'WEBP'


def is_avif(path):
    """An ISO BMFF file branded AVIF (still or sequence)."""
    with open(path, 'rb') as f:
        head = f.read(64)
    if head[4:8] != b'ftyp':
        return False
    box = min(int.from_bytes(head[:4], 'big'), len(head))
    brands = [head[i:i + 4] for i in range(8, box - 3, 4)]
    return b'avif' in brands or b'avis' in brands


def probe_decodes(path):
    """Formats read through probe's own decoders (libwebp, libavif), not ffmpeg: ffmpeg 5.1
    cannot decode animated WebP, nor an AVIF's alpha or its sequence timing reliably."""
    return is_webp(path) or is_avif(path)


def ffprobe_json(path, *args):
    p = subprocess.run(['ffprobe', '-v', 'error', '-of', 'json'] + list(args) + [str(path)],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
    if p.returncode != 0:
        raise AssertionError('ffprobe cannot read %s: %s' % (path, p.stderr.decode()[-300:]))
    return json.loads(p.stdout.decode())


def alpha_decoder(path):
    """The libvpx decoder for a VP8 / VP9 stream tagged alpha_mode=1 (ffmpeg's native
    decoders ignore the alpha plane), else None."""
    try:
        st = ffprobe_json(path, '-select_streams', 'v:0', '-show_entries',
                          'stream=codec_name:stream_tags=alpha_mode')['streams'][0]
    except (AssertionError, IndexError, KeyError):
        return None
    tags = {k.lower(): v for k, v in st.get('tags', {}).items()}  # ALPHA_MODE from our muxer
    if tags.get('alpha_mode') != '1':
        return None
    return {'vp9': 'libvpx-vp9', 'vp8': 'libvpx'}.get(st.get('codec_name'))


def ssim(src, out, fps, start=0.0, duration=None, background=None, size=None):
    """SSIM 'All' of out against src the way /work/shared/bench/quality.sh measures it: both
    resampled to one constant fps timeline at out's size (lanczos), yuv444p, ffmpeg's ssim
    filter. An animated WebP or AVIF source or output (which ffmpeg 5.1 cannot decode, or
    not with alpha) is fed as raw RGBA frames from probe --webp-rgba at the same fps.
    background (an ffmpeg colour, e.g. 'white'): composite both sides over it first, so
    transparent pixels compare as what a viewer sees (quality.sh drops alpha instead, which
    compares whatever colour transparent pixels happen to carry); VP8 / VP9 alpha sources
    are then decoded with libvpx to get their alpha plane.
    size (w, h): compare at that size instead of out's (an MP4 gifc doubled for its chroma
    is judged at the source's size, as the picture it stands for)."""
    if probe_decodes(out):
        o = probe(out)
        ow, oh = o['width'], o['height']
    else:
        s = ffprobe_json(out, '-select_streams', 'v:0', '-show_entries', 'stream=width,height')
        ow, oh = s['streams'][0]['width'], s['streams'][0]['height']
    fw, fh = ow, oh  # out's own frame size (raw WebP frames come at it)
    if size:
        ow, oh = size
    feeder = out_feeder = None
    cmd = ['ffmpeg', '-hide_banner', '-nostats']
    if start:
        cmd += ['-ss', '%g' % start]
    if duration:
        cmd += ['-t', '%g' % duration]
    if probe_decodes(src):
        info = probe(src)
        feeder = subprocess.Popen([PROBE, '--webp-rgba', '%g' % fps, str(src)],
                                  stdout=subprocess.PIPE)
        cmd += ['-f', 'rawvideo', '-pix_fmt', 'rgba', '-video_size',
                '%dx%d' % (info['width'], info['height']), '-framerate', '%g' % fps,
                '-i', 'pipe:0']
    else:
        dec = alpha_decoder(src) if background else None
        cmd += ['-nostdin'] + (['-c:v', dec] if dec else []) + ['-i', str(src)]
    f = '%g' % fps
    graph = []
    for i, label in ((0, 'ref'), (1, 'dis')):
        chain = '[%d:v]fps=%s,scale=%d:%d:flags=lanczos' % (i, f, ow, oh)
        if background:
            graph.append('color=c=%s:s=%dx%d:r=%s[bg%d]' % (background, ow, oh, f, i))
            graph.append(chain + ',format=rgba[fg%d]' % i)
            chain = '[bg%d][fg%d]overlay=shortest=1:format=rgb' % (i, i)
        graph.append(chain + ',format=yuv444p,setpts=N/(%s*TB)[%s]' % (f, label))
    graph.append('[dis][ref]ssim=shortest=1')
    if probe_decodes(out):  # ffmpeg 5.1 cannot decode animated WebP: raw frames, a pipe
        out_feeder = subprocess.Popen([PROBE, '--webp-rgba', '%g' % fps, str(out)],
                                      stdout=subprocess.PIPE, pass_fds=())
        cmd += ['-f', 'rawvideo', '-pix_fmt', 'rgba', '-video_size', '%dx%d' % (fw, fh),
                '-framerate', '%g' % fps, '-i', '/dev/fd/%d' % out_feeder.stdout.fileno()]
    else:
        cmd += ['-i', str(out)]
    cmd += ['-lavfi', ';'.join(graph), '-f', 'null', '-']
    try:
        p = subprocess.run(cmd, stdin=feeder.stdout if feeder else subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=1800,
                           pass_fds=(out_feeder.stdout.fileno(),) if out_feeder else ())
    finally:
        for fd in (feeder, out_feeder):
            if fd:
                fd.stdout.close()
                fd.wait()
    found = re.findall(r'SSIM Y:.* All:([0-9.]+)', p.stderr.decode(errors='replace'))
    if not found:
        raise AssertionError('no SSIM for %s vs %s: %s'
                             % (out, src, p.stderr.decode(errors='replace')[-500:]))
    return float(found[-1])


def _rgb_chain(path):
    """ffmpeg filters taking path's pictures to RGB (gbrp) through its own tagged matrix and
    range (untagged: BT.709 from 720 lines up, else BT.601), as bench/quality.sh does."""
    s = ffprobe_json(path, '-select_streams', 'v:0', '-show_entries',
                     'stream=pix_fmt,color_space,color_range,height')['streams'][0]
    pix = s.get('pix_fmt', '')
    if pix.startswith(('rgb', 'bgr', 'gbr', 'argb', 'abgr', 'pal8', 'gray', 'ya')):
        return 'format=gbrp'
    spc = s.get('color_space', '')
    m = {'bt709': 'bt709', 'smpte170m': 'bt601', 'bt470bg': 'bt601',
         'bt2020nc': 'bt2020'}.get(spc, 'bt709' if s.get('height', 0) >= 720 else 'bt601')
    r = 'pc' if s.get('color_range') == 'pc' or pix.startswith('yuvj') else 'tv'
    return ('scale=in_color_matrix=%s:in_range=%s:flags=accurate_rnd+full_chroma_int,'
            'format=gbrp' % (m, r))


def ssim_rgb(src, out, fps, size):
    """SSIM 'All' over R, G, B of out against src at size (w, h), each side converted to RGB
    from its own tags first (bench/quality.sh's yardstick; ssim() compares in BT.601 YUV
    whatever the tags, which misjudges an MP4 tagged BT.709). Sources ffmpeg decodes."""
    f = '%g' % fps
    prep = 'fps=%s,scale=%d:%d:flags=lanczos,format=gbrp,setpts=N/(%s*TB)' % (f, size[0],
                                                                             size[1], f)
    graph = '[0:v]%s,%s[r];[1:v]%s,%s[d];[d][r]ssim=shortest=1' % (
        _rgb_chain(src), prep, _rgb_chain(out), prep)
    p = subprocess.run(['ffmpeg', '-hide_banner', '-nostats', '-nostdin', '-i', str(src),
                        '-i', str(out), '-lavfi', graph, '-f', 'null', '-'],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=1800)
    found = re.findall(r'All:([0-9.]+)', p.stderr.decode(errors='replace'))
    if not found:
        raise AssertionError('no SSIM for %s vs %s: %s'
                             % (out, src, p.stderr.decode(errors='replace')[-500:]))
    return float(found[-1])


def parallel(jobs, workers=2):
    """Runs callables, at most `workers` at a time; returns their results in order."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda job: job(), jobs))


# setpriv's argv prefix that runs a command as 'nobody' (uid / gid 65534, no groups).
NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups']


def nobody_gifc_cmd(test):
    """The argv prefix that runs gifc as 'nobody', for a test running as root that needs an
    input gifc cannot read (root reads a mode 000 file). When nobody cannot run the build's
    gifc (a clone under a mode 700 /root: exit 127, 'cannot open shared object file'),
    gifc and its libgifc.so* are copied into a fresh world-readable folder, removed when
    the test ends. Skips the test, saying why, when there is no setpriv or nobody cannot
    run either."""
    if not shutil.which('setpriv'):
        test.skipTest('running as root without setpriv: root reads a mode 000 file, so an '
                      'unreadable input cannot be made')

    def runs(cmd):
        p = subprocess.run(cmd + ['--version'], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, timeout=60)
        return p.returncode == 0, p.stderr.decode(errors='replace').strip()

    ok, why = runs(NOBODY + gifc_cmd())
    if ok:
        return NOBODY + gifc_cmd()
    folder = tempfile.mkdtemp(prefix='gifc-nobody-')
    test.addCleanup(shutil.rmtree, folder, ignore_errors=True)
    os.chmod(folder, 0o755)
    p = subprocess.run(['ldd', GIFC], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    libs = re.findall(r'=>\s*(\S*/libgifc\.so[^\s]*)', p.stdout.decode(errors='replace'))
    for path in [GIFC] + libs:
        copy = os.path.join(folder, os.path.basename(path))
        shutil.copyfile(path, copy)
        os.chmod(copy, 0o755)
    cmd = NOBODY + ['env', 'LD_LIBRARY_PATH=' + folder] + WRAP + \
        [os.path.join(folder, os.path.basename(GIFC))]
    ok, why_copy = runs(cmd)
    if not ok:
        test.skipTest('nobody cannot run %s (%s) nor a copy in %s (%s)'
                      % (GIFC, why, folder, why_copy))
    return cmd


def run_tests(rest, cleanup=None):
    """Runs the calling suite's unittest tests with the arguments configure() left, prints
    its time and exits: 0 when all passed, else 1. cleanup (a callable) runs afterwards,
    whatever happened (a suite's scratch folder)."""
    t0 = time.monotonic()
    try:
        prog = unittest.main(module='__main__', argv=[sys.argv[0]] + rest, exit=False,
                             verbosity=2)
    finally:
        if cleanup:
            cleanup()
    sys.stderr.write('%s: %.1f s\n' % (os.path.basename(sys.argv[0]), time.monotonic() - t0))
    sys.exit(0 if prog.result.wasSuccessful() else 1)
