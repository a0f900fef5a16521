#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""End-to-end tests: drive the gifc CLI on the fixtures and check what it wrote with
independent decoders (tests/probe: giflib, libavformat/libavcodec, libwebpdemux) and the
ffmpeg CLI (SSIM), never with gifc's own code.

    python3 tests/e2e/e2e_test.py --gifc build/gifc --probe build/tests/probe \
        --fixtures fixtures [unittest options, e.g. -v, -k Options]

The helpers every suite shares are in gifc_testlib.py; this file keeps its own tests and
expectations. Python 3 standard library only; needs the ffmpeg / ffprobe CLIs for the SSIM checks (those
tests are skipped, with a reason, when ffmpeg is missing).
"""
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import unittest

import gifc_testlib as lib
from gifc_testlib import (configure, gifc_temp_files, have_ffmpeg, hidden_files, parallel,
                          probe, run_gifc, sha256, ssim)

# ---------------------------------------------------------------------------------------
# Expectations that fixtures.tsv does not hold.

# GIF output size per fixture with default options: a GIF from video fits inside 480x480
# and is never enlarged; rotation and sample aspect are applied; a GIF from an animation
# keeps the source's size.
GIF_DIMS = {
    'h264_aac_320x180_25fps_2s.mp4': (320, 180),
    'hevc_320x180_25fps_2s.mov': (320, 180),
    'vp9_alpha_320x180_25fps_2s.webm': (320, 180),
    'mpeg4_320x180_25fps_2s.avi': (313, 180),       # SAR 45:46: 320 * 45 / 46 = 313.04
    'vp8_320x180_25fps_2s.mkv': (320, 180),
    'h264_vfr_320x180_13frames.mp4': (320, 180),
    'h264_rot90cw_320x180_25fps_2s.mp4': (180, 320),  # display matrix -90: portrait
    'vp9_odd_175x97_25fps_2s.webm': (175, 97),
    'gif_transparent_localpal_160x90_24frames.gif': (160, 90),
    'apng_alpha_128x96_15frames.apng': (128, 96),
    'webp_anim_alpha_128x96_9frames.webp': (128, 96),
}

# MP4s drawn at twice the source's size (plan_double): flat art whose colours 4:2:0 would
# smear. The GIF's 48 px test pattern has sharp coloured bars (gifc -v: 201/1000 blocks).
MP4_DOUBLED = {'gif_transparent_localpal_160x90_24frames.gif'}

# SSIM floors (ffmpeg ssim 'All', computed as /work/shared/bench/quality.sh does: both sides
# on one constant fps timeline at the output's size, yuv444p, alpha dropped): the measured
# value minus 0.02, rounded to 0.01 (gifc at commit 64652f4, ffmpeg 5.1; the value is
# in the comment, and the test prints the values it measures). A GIF from video is compared
# on its own 15 fps timeline, everything else on a 25 fps one.
# The alpha fixtures score low here because quality.sh drops alpha, so the colour that a
# transparent pixel happens to carry is compared; ALPHA_SSIM_FLOOR compares them
# composited over white, which is what a viewer sees.
GIF_SSIM_FLOOR = {
    'h264_aac_320x180_25fps_2s.mp4': 0.96,                   # measured 0.9765
    'hevc_320x180_25fps_2s.mov': 0.97,                       # measured 0.9887
    'vp9_alpha_320x180_25fps_2s.webm': 0.65,                 # measured 0.6684
    'mpeg4_320x180_25fps_2s.avi': 0.95,                      # measured 0.9732
    'vp8_320x180_25fps_2s.mkv': 0.96,                        # measured 0.9773
    'h264_vfr_320x180_13frames.mp4': 0.96,                   # measured 0.9789
    'h264_rot90cw_320x180_25fps_2s.mp4': 0.96,               # measured 0.9800
    'vp9_odd_175x97_25fps_2s.webm': 0.95,                    # measured 0.9686
    'gif_transparent_localpal_160x90_24frames.gif': 0.98,    # measured 0.9996
    'apng_alpha_128x96_15frames.apng': 0.73,                 # measured 0.7549
    'webp_anim_alpha_128x96_9frames.webp': 0.64,             # measured 0.6628
}
# GIF bytes at default settings, measured 2026-11-20; an output more than 10% larger fails,
# so the encoder cannot lose compression silently (lower it when a change wins bytes).
GIF_BYTES_CEILING = {
    'h264_aac_320x180_25fps_2s.mp4': 275495,
    'h264_rot90cw_320x180_25fps_2s.mp4': 178943,
    'h264_vfr_320x180_13frames.mp4': 121632,
    'hevc_320x180_25fps_2s.mov': 38367,
    'vp9_alpha_320x180_25fps_2s.webm': 137040,
    'vp9_odd_175x97_25fps_2s.webm': 156323,
    'mpeg4_320x180_25fps_2s.avi': 535337,
    'vp8_320x180_25fps_2s.mkv': 457573,
    'gif_transparent_localpal_160x90_24frames.gif': 22211,
    'apng_alpha_128x96_15frames.apng': 3887,
    'webp_anim_alpha_128x96_9frames.webp': 20871,
}
MP4_SSIM_FLOOR = {
    'h264_aac_320x180_25fps_2s.mp4': 0.94,                   # measured 0.9570
    'hevc_320x180_25fps_2s.mov': 0.96,                       # measured 0.9766
    'vp9_alpha_320x180_25fps_2s.webm': 0.68,                 # measured 0.6967
    'mpeg4_320x180_25fps_2s.avi': 0.93,                      # measured 0.9494
    'vp8_320x180_25fps_2s.mkv': 0.97,                        # measured 0.9906
    'h264_vfr_320x180_13frames.mp4': 0.94,                   # measured 0.9579
    'h264_rot90cw_320x180_25fps_2s.mp4': 0.94,               # measured 0.9641
    'vp9_odd_175x97_25fps_2s.webm': 0.90,                    # measured 0.9236
    'gif_transparent_localpal_160x90_24frames.gif': 0.95,    # measured 0.9689
    'apng_alpha_128x96_15frames.apng': 0.72,                 # measured 0.7391
    'webp_anim_alpha_128x96_9frames.webp': 0.68,             # measured 0.6990
}
# Alpha fixtures, both sides composited over white (the MP4's default --background) before
# the comparison. A GIF has no partial transparency (the VP9 and WebP clips' 50% alpha bars
# become transparent), so their GIF values sit lower.
ALPHA_SSIM_FLOOR = {
    ('gif', 'vp9_alpha_320x180_25fps_2s.webm'): 0.90,        # measured 0.9237
    ('gif', 'apng_alpha_128x96_15frames.apng'): 0.97,        # measured 0.9876
    ('gif', 'webp_anim_alpha_128x96_9frames.webp'): 0.91,    # measured 0.9279
    ('gif', 'gif_transparent_localpal_160x90_24frames.gif'): 0.98, # measured 0.9996
    ('mp4', 'vp9_alpha_320x180_25fps_2s.webm'): 0.97,        # measured 0.9931
    ('mp4', 'apng_alpha_128x96_15frames.apng'): 0.97,        # measured 0.9902
    ('mp4', 'webp_anim_alpha_128x96_9frames.webp'): 0.97,    # measured 0.9908
    ('mp4', 'gif_transparent_localpal_160x90_24frames.gif'): 0.95, # measured 0.9723
}

# Colour fidelity: mean absolute difference (0..255 per RGB channel) between the first frame
# of the source and of the output, both converted to RGB by ffmpeg from their own tags
# (matrix, range) at the output's size. Measured 1.4..2.9 on the opaque video fixtures;
# re-tagging a correct output as BT.601 gives 8.5, as full range 16: so a wrong matrix or
# range fails. The game-of-life AVI's MP4 (sharp red / green cells, resized 320 -> 312 and
# re-subsampled to 4:2:0) measures 8.1, ffmpeg's own libx264 CRF 18 of it 5.6.
COLOUR_MAD_MAX = 5.0
COLOUR_MAD_EXCEPTIONS = {('mp4', 'mpeg4_320x180_25fps_2s.avi'): 10.0}

ANIMATION_FORMATS = ('gif', 'apng', 'webp_pipe')

# ---------------------------------------------------------------------------------------
# Helpers of this suite (the shared ones are in gifc_testlib.py).


def load_fixtures(folder):
    """fixtures.tsv as a dict file -> row (numbers converted; '-' for bad inputs)."""
    rows = {}
    with open(os.path.join(folder, 'fixtures.tsv'), encoding='utf-8') as f:
        header = f.readline().rstrip('\n').split('\t')
        for line in f:
            if not line.strip():
                continue
            row = dict(zip(header, line.rstrip('\n').split('\t')))
            if row['format'] != '-':
                for k in ('width', 'height', 'rotation_deg', 'frames', 'has_alpha'):
                    row[k] = int(row[k])
                row['duration_s'] = float(row['duration_s'])
                row['animation'] = row['format'] in ANIMATION_FORMATS
            rows[row['file']] = row
    return rows


def source_timeline_ms(path, row):
    """Start times (ms, from 0, presentation order) of the source's frames plus its end,
    read with probe (giflib delays, libwebp durations, libav pts)."""
    info = probe(path)
    if info['format'] == 'gif':
        steps = [d * 10 for d in info['delays_cs']]
    elif info['format'] == 'webp':
        steps = info['durations_ms']
    else:
        pts = info['pts_ms']
        return [t - pts[0] for t in pts], row['duration_s'] * 1000
    starts, t = [], 0
    for d in steps:
        starts.append(t)
        t += d
    return starts, t


def first_frame_rgb(path, width, height):
    """The first frame as rgb24 at width x height (ffmpeg: converted by its own colour tags,
    rotation applied)."""
    p = subprocess.run(['ffmpeg', '-v', 'error', '-nostdin', '-i', str(path), '-vf',
                        'scale=%d:%d:flags=lanczos,format=rgb24' % (width, height),
                        '-frames:v', '1', '-f', 'rawvideo', '-'],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    if p.returncode != 0 or len(p.stdout) != width * height * 3:
        raise AssertionError('ffmpeg cannot give the first frame of %s: %s'
                             % (path, p.stderr.decode(errors='replace')[-300:]))
    return p.stdout


def tiny_gif(width, height, frames, loop=0):
    """A GIF89a built by hand (4-colour global palette, NETSCAPE loop): frames is a list of
    (delay_cs, [palette index per pixel]). The LZW stream sends a clear code before every
    pixel, so the code table stays empty and the codes stay 3 bits wide."""
    def lzw(indices):
        codes = []
        for i in indices:
            codes += [4, i]          # clear, pixel
        codes.append(5)              # end of information
        acc = n = 0
        data = bytearray()
        for c in codes:
            acc |= c << n
            n += 3
            while n >= 8:
                data.append(acc & 0xFF)
                acc >>= 8
                n -= 8
        if n:
            data.append(acc & 0xFF)
        blocks = bytearray([2])      # LZW minimum code size
        for i in range(0, len(data), 255):
            blocks += bytes([len(data[i:i + 255])]) + data[i:i + 255]
        return bytes(blocks) + b'\0'
    d = bytearray(b'GIF89a' + struct.pack('<HHBBB', width, height, 0x81, 0, 0))
    d += bytes([0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 0, 255])
    d += b'\x21\xff\x0bNETSCAPE2.0\x03\x01' + struct.pack('<H', loop) + b'\0'
    for delay, pixels in frames:
        d += b'\x21\xf9\x04' + struct.pack('<BHB', 1 << 2, delay, 0) + b'\0'
        d += b'\x2c' + struct.pack('<HHHHB', 0, 0, width, height, 0) + lzw(pixels)
    return bytes(d) + b'\x3b'


# ---------------------------------------------------------------------------------------
# Conversions of every good fixture with default settings, done once for all tests.

class Converted:
    """One conversion: fixture -> format, in its own empty folder."""

    def __init__(self, name, fmt, root):
        self.name, self.fmt = name, fmt
        self.src = os.path.join(lib.FIXTURES, name)
        self.dir = os.path.join(root, fmt, name)
        os.makedirs(self.dir)
        self.out = os.path.join(self.dir, 'out.' + fmt)
        self.proc = self.info = self.ssim = None
        self.seconds = 0.0

    def run(self):
        t0 = time.monotonic()
        self.proc = run_gifc([self.src, '-o', self.out])
        self.seconds = time.monotonic() - t0
        if self.proc.returncode == 0 and os.path.exists(self.out):
            try:
                self.info = probe(self.out)
            except AssertionError as e:
                self.info = {'error': str(e)}
        return self


class FixtureConversions(unittest.TestCase):
    """Every good fixture converted to GIF and to MP4 with default settings."""

    @classmethod
    def setUpClass(cls):
        # The colour fixtures are checked by tests/unit/test_colour.c against RGB references:
        # the generic checks here compare with FFmpeg's own decode, which neither tone-maps
        # HDR nor takes untagged HD as BT.709.
        cls.fixtures = {k: v for k, v in load_fixtures(lib.FIXTURES).items()
                        if v['format'] != '-' and not v['notes'].startswith('colour test:')}
        cls.tmp = tempfile.mkdtemp(prefix='gifc-e2e-')
        cls.hash_before = {n: sha256(os.path.join(lib.FIXTURES, n)) for n in cls.fixtures}
        cls.runs = {}
        for fmt in ('gif', 'mp4'):
            for name in sorted(cls.fixtures):
                cls.runs[fmt, name] = Converted(name, fmt, cls.tmp)
        parallel([c.run for c in cls.runs.values()])
        cls.hash_after = {n: sha256(os.path.join(lib.FIXTURES, n)) for n in cls.fixtures}
        cls.timelines = {n: source_timeline_ms(os.path.join(lib.FIXTURES, n), r)
                         for n, r in cls.fixtures.items()}

    @classmethod
    def tearDownClass(cls):
        rows = ['%-46s %-4s %9s %6s %7s' % ('fixture', 'fmt', 'bytes', 'sec', 'ssim')]
        for (fmt, name), c in sorted(cls.runs.items()):
            size = os.path.getsize(c.out) if os.path.exists(c.out) else 0
            rows.append('%-46s %-4s %9d %6.2f %7s' % (name, fmt, size, c.seconds,
                                                      '%.4f' % c.ssim if c.ssim else '-'))
        sys.stderr.write('\n' + '\n'.join(rows) + '\n')
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def each(self, fmt, check):
        """Calls check(name, fixture row, conversion) for every fixture's fmt output, each
        in a subTest; a conversion without a readable output fails its subTest."""
        for name in sorted(self.fixtures):
            c = self.runs[fmt, name]
            with self.subTest(fixture=name, fmt=fmt):
                if c.proc.returncode != 0 or not c.info or 'error' in c.info:
                    self.fail('no readable output (exit %d): %s %s' % (
                        c.proc.returncode, c.proc.stderr.decode(errors='replace').strip(),
                        c.info))
                check(name, self.fixtures[name], c)

    # ---- both formats ----

    def test_exit_status_and_output(self):
        for c in self.runs.values():
            with self.subTest(fixture=c.name, fmt=c.fmt):
                self.assertEqual(c.proc.returncode, 0, c.proc.stderr.decode(errors='replace'))
                self.assertTrue(os.path.isfile(c.out))
                self.assertGreater(os.path.getsize(c.out), 0)
                self.assertIsNotNone(c.info, 'probe did not run')
                self.assertNotIn('error', c.info)

    def test_inputs_untouched(self):
        for name in self.fixtures:
            with self.subTest(fixture=name):
                self.assertEqual(self.hash_before[name], self.hash_after[name])

    def test_only_the_output_is_left(self):
        for c in self.runs.values():
            with self.subTest(fixture=c.name, fmt=c.fmt):
                self.assertEqual(sorted(os.listdir(c.dir)), [os.path.basename(c.out)])

    # ---- GIF ----

    def test_gif_is_gif(self):
        def check(name, row, c):
            self.assertEqual(c.info['format'], 'gif')
            self.assertTrue(c.info['frames_within_canvas'])
        self.each('gif', check)

    def test_gif_dimensions(self):
        def check(name, row, c):
            self.assertEqual((c.info['width'], c.info['height']), GIF_DIMS[name])
            if not row['animation']:
                self.assertLessEqual(max(c.info['width'], c.info['height']), 480)
        self.each('gif', check)

    def test_gif_loops_forever(self):
        def check(name, row, c):
            self.assertEqual(c.info['loop'], 0)
        self.each('gif', check)

    def test_gif_frame_count(self):
        def check(name, row, c):
            self.assertGreater(c.info['frames'], 0)
            self.assertLessEqual(c.info['frames'], row['frames'])
            self.assertEqual(len(c.info['delays_cs']), c.info['frames'])
        self.each('gif', check)

    def test_gif_no_delay_under_2cs(self):
        def check(name, row, c):
            self.assertGreaterEqual(c.info['min_delay_cs'], 2, c.info['delays_cs'])
        self.each('gif', check)

    def test_gif_total_duration(self):
        # Within 1 cs plus one frame's rounding to cs; a GIF from video (15 fps by default)
        # must still add up to the source's duration within 2 cs (no drift).
        def check(name, row, c):
            expected = row['duration_s'] * 100
            self.assertLessEqual(abs(c.info['total_cs'] - expected), 2,
                                 'total %d cs, source %.1f cs; delays %s'
                                 % (c.info['total_cs'], expected, c.info['delays_cs']))
        self.each('gif', check)

    def test_gif_animation_keeps_source_timing(self):
        # A GIF from an animation keeps the source's timing: every output frame starts
        # where a source frame starts (identical frames may be merged, summing delays).
        def check(name, row, c):
            if not row['animation']:
                return
            starts_ms, end_ms = self.timelines[name]
            t, out_starts = 0, []
            for d in c.info['delays_cs']:
                out_starts.append(t)
                t += d
            src_cs = [round(s / 10) for s in starts_ms]
            for s in out_starts:
                self.assertTrue(any(abs(s - x) <= 1 for x in src_cs),
                                'output frame at %d cs matches no source frame start %s'
                                % (s, src_cs))
            self.assertLessEqual(abs(t - end_ms / 10), 1)
        self.each('gif', check)

    def test_gif_transparency(self):
        # Alpha sources: the first frame leaves canvas pixels transparent. Opaque sources:
        # every composited frame covers the whole canvas (the transparent index may only
        # serve to keep unchanged pixels).
        def check(name, row, c):
            tp = c.info['transparent_pixels']
            if row['has_alpha']:
                self.assertGreater(c.info['transparent_frames'], 0)
                self.assertGreater(tp[0], 0, 'alpha source, first frame fully opaque')
            else:
                self.assertEqual(max(tp), 0, 'opaque source, holes in frames: %s' % tp)
        self.each('gif', check)

    def test_gif_transparency_matches_source(self):
        # Binary transparency (GIF, and WebP pixels with alpha 0) must stay transparent;
        # a GIF source's transparent pixels must be exactly the output's.
        def check(name, row, c):
            src = os.path.join(lib.FIXTURES, name)
            if row['format'] not in ('gif', 'webp_pipe'):
                return
            src_tp = probe(src)['transparent_pixels']
            out_tp = c.info['transparent_pixels']
            self.assertEqual(len(out_tp), len(src_tp), 'frames merged: cannot compare')
            for i, (a, b) in enumerate(zip(src_tp, out_tp)):
                if row['format'] == 'gif':
                    self.assertEqual(b, a, 'frame %d' % i)
                else:
                    self.assertGreaterEqual(b, a, 'frame %d' % i)
        self.each('gif', check)

    @unittest.skipUnless(have_ffmpeg(), 'ffmpeg / ffprobe CLI not found')
    def test_gif_ssim(self):
        self.check_ssim('gif', GIF_SSIM_FLOOR)

    def test_gif_bytes_within_recorded_bound(self):
        def check(name, row, c):
            size = os.path.getsize(c.out)
            print('  bytes %-48s %8d (recorded %d)' % (name, size, GIF_BYTES_CEILING[name]))
            self.assertLessEqual(size, GIF_BYTES_CEILING[name] * 1.10,
                                 '%s grew to %d bytes' % (name, size))
        self.each('gif', check)

    # ---- MP4 ----

    def test_mp4_stream(self):
        def check(name, row, c):
            self.assertIn('mp4', c.info['format'].split(','))
            self.assertEqual(c.info['codec'], 'h264')
            self.assertEqual(c.info['pix_fmt'], 'yuv420p')
            self.assertEqual(c.info['video_streams'], 1)
            self.assertEqual(c.info['decode_errors'], 0)
        self.each('mp4', check)

    def test_mp4_faststart(self):
        def check(name, row, c):
            self.assertTrue(c.info['faststart'], 'moov is not before mdat')
        self.each('mp4', check)

    def test_mp4_no_audio_by_default(self):
        def check(name, row, c):
            self.assertEqual(c.info['audio_streams'], 0)
        self.each('mp4', check)

    def test_mp4_dimensions(self):
        # Even (yuv420p), at most 1 px from the GIF's display size (no box: all fixtures
        # fit in 1280x720 / 720x1280), aspect kept; twice that for flat art with colour
        # detail (MP4_DOUBLED).
        def check(name, row, c):
            w, h = c.info['width'], c.info['height']
            gw, gh = GIF_DIMS[name]
            if name in MP4_DOUBLED:
                gw, gh = 2 * gw, 2 * gh
            self.assertEqual((w % 2, h % 2), (0, 0), '%dx%d' % (w, h))
            self.assertLessEqual(abs(w - gw), 1, '%dx%d vs %dx%d' % (w, h, gw, gh))
            self.assertLessEqual(abs(h - gh), 1, '%dx%d vs %dx%d' % (w, h, gw, gh))
            self.assertEqual(c.info['rotation'], 0, 'rotation must be applied to pixels')
            self.assertIn(c.info['sar'], ('1:1', '0:1'))
        self.each('mp4', check)

    def test_mp4_frame_count(self):
        # Keeps the source's frames: no duplicated holds (VFR, GIF, APNG, WebP), none lost.
        def check(name, row, c):
            self.assertEqual(c.info['frames'], row['frames'])
        self.each('mp4', check)

    def test_mp4_timestamps(self):
        def check(name, row, c):
            starts_ms, end_ms = self.timelines[name]
            pts = [t - c.info['pts_ms'][0] for t in c.info['pts_ms']]
            self.assertEqual(len(pts), len(starts_ms))
            for i, (a, b) in enumerate(zip(starts_ms, pts)):
                self.assertLessEqual(abs(a - b), 2, 'frame %d: source %g ms, mp4 %g ms'
                                     % (i, a, b))
        self.each('mp4', check)

    def test_mp4_duration(self):
        def check(name, row, c):
            self.assertIsNotNone(c.info['duration'])
            self.assertLessEqual(abs(c.info['duration'] - row['duration_s']), 0.05,
                                 'mp4 %.3f s, source %.3f s'
                                 % (c.info['duration'], row['duration_s']))
        self.each('mp4', check)

    @unittest.skipUnless(have_ffmpeg(), 'ffmpeg / ffprobe CLI not found')
    def test_mp4_ssim(self):
        self.check_ssim('mp4', MP4_SSIM_FLOOR)

    @unittest.skipUnless(have_ffmpeg(), 'ffmpeg / ffprobe CLI not found')
    def test_colours(self):
        # Opaque video fixtures: the first frame's colours survive (right matrix / range).
        lines = []
        for fmt in ('gif', 'mp4'):
            def check(name, row, c):
                if row['animation'] or row['has_alpha']:
                    return
                w, h = c.info['width'], c.info['height']
                a, b = first_frame_rgb(c.src, w, h), first_frame_rgb(c.out, w, h)
                mad = sum(abs(x - y) for x, y in zip(a, b)) / len(a)
                limit = COLOUR_MAD_EXCEPTIONS.get((fmt, name), COLOUR_MAD_MAX)
                lines.append('  %-4s %-46s %.2f (max %.1f)' % (fmt, name, mad, limit))
                self.assertLessEqual(mad, limit)
            self.each(fmt, check)
        sys.stderr.write('\nfirst-frame RGB mean abs difference:\n' + '\n'.join(lines) + '\n')

    @unittest.skipUnless(have_ffmpeg(), 'ffmpeg / ffprobe CLI not found')
    def test_alpha_ssim_over_white(self):
        self.check_ssim(None, ALPHA_SSIM_FLOOR, background='white')

    def check_ssim(self, fmt, floors, background=None):
        """Measures SSIM for fmt's outputs (or, with fmt None, for the (fmt, name) keys of
        floors), prints the values, and asserts each is at least its floor."""
        if fmt:
            keys = [(fmt, n) for n in sorted(self.fixtures)]
        else:
            keys = sorted(floors)
        todo = [(k, self.runs[k]) for k in keys]

        def measure(key, c):
            # A GIF from video has 15 fps by default: compare on that timeline, as the
            # bench does; everything else on a 25 fps one.
            row = self.fixtures[c.name]
            fps = 15 if key[0] == 'gif' and not row['animation'] else 25
            try:
                value = ssim(c.src, c.out, fps, background=background)
                if not background:
                    c.ssim = value
                return value, None
            except AssertionError as e:
                return None, str(e)
        results = parallel([lambda k=k, c=c: measure(k, c) for k, c in todo
                            if c.info and 'error' not in c.info])
        results = dict(zip([k for k, c in todo if c.info and 'error' not in c.info], results))
        sys.stderr.write('\nSSIM %s%s:\n' % (fmt or 'alpha fixtures',
                                             ' over ' + background if background else ''))
        for k, c in todo:
            value = results.get(k, (None, None))[0]
            floor = floors[c.name if fmt else k]
            sys.stderr.write('  %-4s %-46s %s (floor %.2f)\n' % (
                k[0], c.name, '%.4f' % value if value is not None else '?', floor))
        for k, c in todo:
            with self.subTest(fixture=c.name, fmt=k[0]):
                value, err = results.get(k, (None, 'no readable output'))
                self.assertIsNotNone(value, err)
                self.assertGreaterEqual(value, floors[c.name if fmt else k])


# ---------------------------------------------------------------------------------------
# Options, on the plain 2 s 25 fps 320x180 H.264 clip.

CLIP = 'h264_aac_320x180_25fps_2s.mp4'


class Options(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='gifc-opt-')
        self.src = os.path.join(lib.FIXTURES, CLIP)
        self.src_hash = sha256(self.src)
        self.env = dict(os.environ, TMPDIR=self.tmp)

    def tearDown(self):
        self.assertEqual(sha256(self.src), self.src_hash, 'input modified')
        shutil.rmtree(self.tmp, ignore_errors=True)

    def convert(self, *opts, out='out.gif', src=None, ok=True):
        path = os.path.join(self.tmp, out)
        p = run_gifc([src or self.src, '-o', path] + list(opts), env=self.env)
        if ok:
            self.assertEqual(p.returncode, 0, p.stderr.decode(errors='replace'))
            self.assertEqual(hidden_files(self.tmp), [])
            self.assertEqual(gifc_temp_files(self.tmp), [])
            return probe(path), p
        return None, p

    STRAIGHT = 'scaled straight to the encoder'

    def mp4_straight(self, src, *opts, out='straight.mp4'):
        """Converts src to MP4 with -v; returns (ffprobe stream, first-frame RGB mean abs
        difference against src, whether the log says the YUV went straight through)."""
        info, p = self.convert('-v', *opts, src=src, out=out)
        path = os.path.join(self.tmp, out)
        st = lib.ffprobe_json(path, '-select_streams', 'v:0', '-show_entries',
                              'stream=width,height,color_space,color_range')['streams'][0]
        a = first_frame_rgb(src, st['width'], st['height'])
        b = first_frame_rgb(path, st['width'], st['height'])
        mad = sum(abs(x - y) for x, y in zip(a, b)) / len(a)
        return st, mad, self.STRAIGHT in p.stderr.decode(errors='replace')

    def test_mp4_yuv_straight(self):
        # A plain MP4 from YUV video skips RGB: the decoder's YUV is scaled straight into
        # yuv420p (as ffmpeg's scale filter does), tagged with the source's matrix whatever
        # the output height, and full range becomes limited range. Colours must survive
        # (first-frame RGB, each side converted by its own tags) and the picture too.
        if not have_ffmpeg():
            self.skipTest('ffmpeg / ffprobe CLI not found')
        full = os.path.join(self.tmp, 'full.mp4')  # yuvj420p, BT.709 tags, 480 lines
        subprocess.run(['ffmpeg', '-v', 'error', '-f', 'lavfi', '-i',
                        'testsrc2=size=640x480:rate=25:duration=1', '-vf',
                        'scale=out_color_matrix=bt709:out_range=full', '-c:v', 'libx264',
                        '-pix_fmt', 'yuvj420p', '-colorspace', 'bt709', '-color_range', 'pc',
                        full], check=True)
        cases = [  # source, options, matrix tagged
            (os.path.join(lib.FIXTURES, 'h264_bt709_1280x720_lossless.mkv'),
             ('--width', '640'), 'bt709'),
            (os.path.join(lib.FIXTURES, 'h264_bt601_640x360_lossless.mkv'),
             ('--width', '320'), 'smpte170m'),
            (full, (), 'bt709'),
        ]
        for i, (src, opts, matrix) in enumerate(cases):
            with self.subTest(src=os.path.basename(src)):
                out = 'straight%d.mp4' % i
                st, mad, straight = self.mp4_straight(src, *opts, out=out)
                self.assertTrue(straight, 'the RGB step was not skipped')
                self.assertEqual((st['color_space'], st['color_range']), (matrix, 'tv'))
                self.assertLessEqual(mad, COLOUR_MAD_MAX)
                self.assertGreaterEqual(ssim(src, os.path.join(self.tmp, out), 25), 0.97)

    def test_mp4_from_hdr_is_tagged_bt709_sdr(self):
        # A tone-mapped HDR source is BT.709 SDR at every output size, not the BT.601 of
        # untagged video under 720 lines; nor does any PQ / HLG tag survive.
        if not have_ffmpeg():
            self.skipTest('ffmpeg / ffprobe CLI not found')
        for name in ('hevc_pq_bt2020_640x360_10bit.mkv', 'hevc_hlg_bt2020_640x360_10bit.mkv'):
            with self.subTest(src=name):
                out = name.replace('.mkv', '.mp4')
                self.convert(src=os.path.join(lib.FIXTURES, name), out=out)
                st = lib.ffprobe_json(os.path.join(self.tmp, out), '-select_streams', 'v:0',
                                      '-show_entries',
                                      'stream=color_space,color_transfer,color_primaries')
                st = st['streams'][0]
                self.assertEqual((st['color_space'], st['color_transfer'],
                                  st['color_primaries']), ('bt709', 'bt709', 'bt709'))

    def test_mp4_yuv_straight_alpha(self):
        # VP9 with alpha goes straight too, composited over the background in Y'CbCr
        # (measured SSIM over #336699 0.9971; 0.9955 through RGBA before).
        if not have_ffmpeg():
            self.skipTest('ffmpeg / ffprobe CLI not found')
        src = os.path.join(lib.FIXTURES, 'vp9_alpha_320x180_25fps_2s.webm')
        _, p = self.convert('-v', '--background', '#336699', src=src, out='alpha.mp4')
        self.assertIn(self.STRAIGHT, p.stderr.decode(errors='replace'))
        value = ssim(src, os.path.join(self.tmp, 'alpha.mp4'), 25, background='0x336699')
        self.assertGreaterEqual(value, 0.98)

    def test_mp4_yuv_straight_only_when_nothing_reads_pixels(self):
        # A caption, --drop-duplicates and the clip edits need RGB pictures.
        src = os.path.join(lib.FIXTURES, 'h264_bt601_640x360_lossless.mkv')
        for opts in (('--caption', 'hi'), ('--drop-duplicates',), ('--reverse',)):
            with self.subTest(opts=opts):
                _, p = self.convert('-v', *opts, src=src, out='rgb-%s.mp4' % opts[0].strip('-'))
                self.assertNotIn(self.STRAIGHT, p.stderr.decode(errors='replace'))

    def test_width(self):
        info, _ = self.convert('--width', '100')
        self.assertEqual(info['width'], 100)
        self.assertLessEqual(abs(info['height'] - 100 * 180 / 320), 1, info['height'])

    def test_height(self):
        info, _ = self.convert('--height', '90')
        self.assertEqual((info['width'], info['height']), (160, 90))

    def test_width_never_enlarges(self):
        info, _ = self.convert('--width', '1000')
        self.assertEqual((info['width'], info['height']), (320, 180))

    def test_fps_5(self):
        info, _ = self.convert('--fps', '5')
        self.assertEqual(info['frames'], 10)
        self.assertEqual(info['delays_cs'], [20] * 10)

    def test_fps_timeline_matches_ffmpeg(self):
        # gifc samples each fps tick as ffmpeg's fps filter does; on the game-of-life AVI
        # (every cell changes every frame) any disagreement about which source frame a tick
        # shows costs a lot of SSIM. Measured 0.976 at 10, 15, 20 and 50 fps.
        if not have_ffmpeg():
            self.skipTest('ffmpeg / ffprobe CLI not found')
        src = os.path.join(lib.FIXTURES, 'mpeg4_320x180_25fps_2s.avi')
        values = {}
        for fps in (10, 20, 30, 50):
            with self.subTest(fps=fps):
                info, _ = self.convert('--fps', str(fps), src=src, out='fps%d.gif' % fps)
                values[fps] = ssim(src, os.path.join(self.tmp, 'fps%d.gif' % fps), fps)
                self.assertGreaterEqual(values[fps], 0.95, 'delays %s' % info['delays_cs'][:10])
        sys.stderr.write('\n  AVI --fps N, ssim on an N fps timeline: %s\n'
                         % ', '.join('%d: %.4f' % kv for kv in sorted(values.items())))

    def test_high_fps_source(self):
        # A 60 fps H.264 source with B-frames into 15 fps (4 source frames a tick): every
        # tick, the exact total, and the frames ffmpeg's fps filter picks. Skipping the
        # non-reference frames' decoding (20% faster on the 100 fps lazygit recording)
        # failed this: shown frames lagged up to 50 ms, SSIM 0.955 against 0.978.
        if not have_ffmpeg():
            self.skipTest('ffmpeg / ffprobe CLI not found')
        src = os.path.join(self.tmp, 'src60.mp4')
        subprocess.run(['ffmpeg', '-v', 'error', '-f', 'lavfi', '-i',
                        'testsrc2=size=320x180:rate=60:duration=2', '-c:v', 'libx264',
                        '-bf', '3', '-pix_fmt', 'yuv420p', src], check=True)
        info, _ = self.convert('--fps', '15', src=src, out='hi.gif')
        self.assertEqual(info['frames'], 30, info['delays_cs'])
        self.assertEqual(info['total_cs'], 200, info['delays_cs'])
        value = ssim(src, os.path.join(self.tmp, 'hi.gif'), 15)
        sys.stderr.write('\n  60 fps H.264 to 15 fps GIF: ssim %.4f\n' % value)
        self.assertGreaterEqual(value, 0.97)

    def test_start_duration(self):
        info, _ = self.convert('--start', '0.5', '--duration', '1')
        self.assertEqual(info['total_cs'], 100, info['delays_cs'])
        self.assertLessEqual(info['frames'], 15)

    def test_start_end(self):
        info, _ = self.convert('--start', '0.5', '--end', '1.5')
        self.assertEqual(info['total_cs'], 100, info['delays_cs'])

    def test_start_end_timestamp_syntax(self):
        info, _ = self.convert('--start', '00:00.5', '--end', '0:01.5')
        self.assertEqual(info['total_cs'], 100, info['delays_cs'])

    def test_duration_between_frame_times(self):
        # 0.75 s is not a multiple of 1/15 s: the last frame is cut short, the total is
        # still the requested 75 cs (a GIF from an animation does this already).
        for i, opts in enumerate((['--duration', '0.75'], ['--start', '0.5', '--end', '1.25'])):
            with self.subTest(opts=opts):
                info, _ = self.convert(*opts, out='dur%d.gif' % i)
                self.assertLessEqual(abs(info['total_cs'] - 75), 1, info['delays_cs'])
        info, _ = self.convert('--duration', '0.75', out='d.mp4')
        self.assertLessEqual(abs(info['duration'] - 0.75), 0.02, info['duration'])
        info, _ = self.convert('--start', '0.25', '--duration', '0.75',
                               src=os.path.join(lib.FIXTURES, 'gif_transparent_localpal_160x90_24frames.gif'),
                               out='anim.gif')
        self.assertEqual(info['total_cs'], 75, info['delays_cs'])

    def test_start_picks_the_right_frames(self):
        # The trimmed GIF must show the source from 0.5 s on, not from 0.
        if not have_ffmpeg():
            self.skipTest('ffmpeg / ffprobe CLI not found')
        self.convert('--start', '0.5', '--duration', '1')
        out = os.path.join(self.tmp, 'out.gif')
        right = ssim(self.src, out, 15, start=0.5, duration=1)
        wrong = ssim(self.src, out, 15, start=0, duration=1)
        sys.stderr.write('\n  --start 0.5: ssim %.4f vs source from 0.5 s, %.4f from 0 s\n'
                         % (right, wrong))
        self.assertGreaterEqual(right, 0.93)   # measured 0.9493
        self.assertGreater(right, wrong + 0.05)

    def test_start_past_a_keyframe_then_to_the_end(self):
        # --start seeks to the keyframe before it; the frames before that keyframe were
        # counted as missing ("truncated: 220 of 720 frames present", exit 5) whenever the
        # clip had a keyframe after 0, as any 60 fps clip does. A cut file must still fail.
        if not have_ffmpeg():
            self.skipTest('ffmpeg / ffprobe CLI not found')
        clip = os.path.join(self.tmp, 'sixty.mp4')
        subprocess.run(['ffmpeg', '-v', 'error', '-y', '-f', 'lavfi', '-i',
                        'testsrc2=size=160x90:rate=60', '-t', '6', '-c:v', 'libx264',
                        '-g', '60', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', clip],
                       check=True)
        for start in ('2.5', '5.5'):
            out = os.path.join(self.tmp, 'start%s.gif' % start)
            r = run_gifc([clip, '--start', start, '-o', out], env=self.env)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertAlmostEqual(probe(out)['total_cs'] / 100, 6 - float(start), delta=0.1)
        cut = os.path.join(self.tmp, 'cut.mp4')
        with open(clip, 'rb') as f, open(cut, 'wb') as g:
            g.write(f.read()[:os.path.getsize(clip) * 2 // 3])
        r = run_gifc([cut, '--start', '1.5', '-o', os.path.join(self.tmp, 'cut.gif')],
                     env=self.env)
        self.assertEqual(r.returncode, 5, r.stderr)
        self.assertIn(b'truncated', r.stderr)

    def test_speed_2(self):
        base, _ = self.convert(out='base.gif')
        info, _ = self.convert('--speed', '2')
        self.assertLessEqual(abs(info['total_cs'] - base['total_cs'] / 2), 1,
                             (info['total_cs'], base['total_cs']))
        self.assertEqual(info['total_cs'], 100)
        self.assertGreaterEqual(info['min_delay_cs'], 2)

    def test_speed_half_mp4(self):
        info, _ = self.convert('--speed', '0.5', out='slow.mp4')
        self.assertLessEqual(abs(info['duration'] - 4.0), 0.05, info['duration'])

    def test_colors_16(self):
        info, _ = self.convert('--colors', '16')
        self.assertLessEqual(info['max_palette_size'], 16)
        self.assertLessEqual(info['max_used_colors'], 16)
        self.assertGreater(info['max_used_colors'], 2)

    def test_gif_to_gif_never_bigger(self):
        # A GIF re-encoded with default settings is never larger than it was; when it
        # could not shrink, the output is the input's bytes and --json says kept_input.
        # The second pass over gifc's own output is the likely "cannot shrink" case.
        gif = os.path.join(lib.FIXTURES, 'gif_transparent_localpal_160x90_24frames.gif')
        once = os.path.join(self.tmp, 'once.gif')
        self.assertEqual(run_gifc([gif, '-o', once], env=self.env).returncode, 0)
        for src in (gif, once):
            with self.subTest(src=os.path.basename(src)):
                out = os.path.join(self.tmp, 'again.gif')
                p = run_gifc([src, '-o', out, '-f', '--json'], env=self.env)
                self.assertEqual(p.returncode, 0, p.stderr.decode(errors='replace'))
                rep = json.loads(p.stdout.decode())
                self.assertLessEqual(os.path.getsize(out), os.path.getsize(src))
                self.assertEqual(rep['bytes'], os.path.getsize(out))
                if rep['kept_input']:
                    self.assertEqual(sha256(out), sha256(src))
                probe(out)

    def test_lossy_gives_fewer_bytes(self):
        exact, _ = self.convert(out='exact.gif')
        lossy, _ = self.convert('--lossy', '80', out='lossy.gif')
        self.assertLess(os.path.getsize(os.path.join(self.tmp, 'lossy.gif')),
                        os.path.getsize(os.path.join(self.tmp, 'exact.gif')))
        self.assertEqual(lossy['frames'], exact['frames'])
        self.assertEqual(lossy['total_cs'], exact['total_cs'])

    def test_fast_same_frames_and_timing(self):
        # --fast trades bytes for time (measured in bench/, never timed here): the picture
        # and timing must not change.
        normal, _ = self.convert(out='normal.gif')
        fast, _ = self.convert('--fast', out='fast.gif')
        self.assertEqual(fast['total_cs'], normal['total_cs'])
        self.assertEqual((fast['width'], fast['height']), (normal['width'], normal['height']))
        mp4, _ = self.convert('--fast', out='fast.mp4')
        self.assertEqual(mp4['codec'], 'h264')
        value = ssim(self.src, os.path.join(self.tmp, "fast.gif"), 15)
        self.assertGreater(value, 0.9, "fast GIF SSIM %.4f" % value)

    def test_loop_3(self):
        info, _ = self.convert('--loop', '3')
        self.assertEqual(info['loop'], 3)

    def test_format_mp4_with_other_names(self):
        for out in ('clip.bin', 'clip'):
            with self.subTest(out=out):
                info, _ = self.convert('--format', 'mp4', out=out)
                self.assertIn('mp4', info['format'].split(','))
                self.assertEqual(info['codec'], 'h264')

    def test_format_from_extension(self):
        info, _ = self.convert(out='x.m4v')
        self.assertEqual(info['codec'], 'h264')
        info, _ = self.convert(out='x.gif')
        self.assertEqual(info['format'], 'gif')

    def test_default_output_name(self):
        # Without -o: INPUT with the format's extension; NAME.gifc.gif for a .gif input.
        src = os.path.join(self.tmp, 'clip.mp4')
        shutil.copyfile(self.src, src)
        p = run_gifc([src], env=self.env)
        self.assertEqual(p.returncode, 0, p.stderr.decode(errors='replace'))
        self.assertEqual(probe(os.path.join(self.tmp, 'clip.gif'))['format'], 'gif')
        gif_src = os.path.join(self.tmp, 'anim.gif')
        shutil.copyfile(os.path.join(lib.FIXTURES, 'gif_transparent_localpal_160x90_24frames.gif'),
                        gif_src)
        before = sha256(gif_src)
        p = run_gifc([gif_src], env=self.env)
        self.assertEqual(p.returncode, 0, p.stderr.decode(errors='replace'))
        self.assertEqual(sha256(gif_src), before)
        self.assertEqual(probe(os.path.join(self.tmp, 'anim.gifc.gif'))['frames'], 24)
        self.assertEqual(hidden_files(self.tmp), [])

    def test_audio(self):
        info, _ = self.convert('--audio', out='a.mp4')
        self.assertEqual(info['audio_streams'], 1)
        self.assertTrue(info['faststart'])
        self.assertEqual(info['frames'], 50)

    def test_background(self):
        # The VP9 alpha clip's top-left pixel is transparent: it shows the background.
        if not have_ffmpeg():
            self.skipTest('ffmpeg / ffprobe CLI not found')
        src = os.path.join(lib.FIXTURES, 'vp9_alpha_320x180_25fps_2s.webm')
        for bg, want in ((None, (255, 255, 255)), ('black', (0, 0, 0)),
                         ('#ff0000', (255, 0, 0))):
            with self.subTest(background=bg):
                out = 'bg-%s.mp4' % (bg or 'default').strip('#')
                self.convert(*(['--background', bg] if bg else []), out=out, src=src)
                px = subprocess.run(
                    ['ffmpeg', '-v', 'error', '-nostdin', '-i', os.path.join(self.tmp, out),
                     '-vf', 'crop=8:8:0:0,scale=1:1:flags=area', '-frames:v', '1',
                     '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
                    stdout=subprocess.PIPE, check=True, timeout=60).stdout
                self.assertEqual(len(px), 3)
                for got, exp in zip(px, want):
                    self.assertLessEqual(abs(got - exp), 24, (tuple(px), want))

    def test_json(self):
        for out in ('j.gif', 'j.mp4'):
            with self.subTest(out=out):
                info, p = self.convert('--json', out=out)
                text = p.stdout.decode()
                self.assertEqual(len(text.strip().splitlines()), 1, text)
                report = json.loads(text)
                self.assertIsInstance(report, dict)
                self.assertEqual(report['width'], info['width'])
                self.assertEqual(report['height'], info['height'])
                self.assertEqual(report['frames'], info['frames'])
                self.assertEqual(report['bytes'], os.path.getsize(os.path.join(self.tmp, out)))
                self.assertEqual(report['format'], out[-3:])

    def test_quiet(self):
        _, p = self.convert('-q')
        self.assertEqual(p.stderr, b'')
        self.assertEqual(p.stdout, b'')

    def test_summary_by_default(self):
        _, p = self.convert()
        lines = p.stderr.decode().strip().splitlines()
        self.assertEqual(len(lines), 1, lines)
        self.assertEqual(p.stdout, b'')

    def test_stdout(self):
        p = run_gifc([self.src, '-o', '-', '-q'], cwd=self.tmp, env=self.env)
        self.assertEqual(p.returncode, 0, p.stderr.decode(errors='replace'))
        self.assertEqual(p.stderr, b'')
        self.assertIn(p.stdout[:6], (b'GIF89a', b'GIF87a'))
        self.assertEqual(os.listdir(self.tmp), [], 'files left in cwd / TMPDIR')
        path = os.path.join(self.tmp, 'piped.gif')
        with open(path, 'wb') as f:
            f.write(p.stdout)
        info = probe(path)
        self.assertEqual((info['width'], info['height'], info['loop']), (320, 180, 0))
        self.assertLessEqual(abs(info['total_cs'] - 200), 2)

    def test_stdout_json_goes_to_stderr(self):
        p = run_gifc([self.src, '-o', '-', '--json'], cwd=self.tmp, env=self.env)
        self.assertEqual(p.returncode, 0, p.stderr.decode(errors='replace'))
        self.assertEqual(p.stdout[:3], b'GIF')
        report = json.loads(p.stderr.decode())
        self.assertEqual(report['bytes'], len(p.stdout))

    def test_stdout_mp4(self):
        p = run_gifc([self.src, '-o', '-', '--format', 'mp4', '-q'], cwd=self.tmp,
                     env=self.env)
        self.assertEqual(p.returncode, 0, p.stderr.decode(errors='replace'))
        path = os.path.join(self.tmp, 'piped.mp4')
        with open(path, 'wb') as f:
            f.write(p.stdout)
        info = probe(path)
        self.assertEqual((info['codec'], info['frames']), ('h264', 50))
        self.assertTrue(info['faststart'])

    def test_stdin(self):
        for src in (self.src, os.path.join(lib.FIXTURES, 'webp_anim_alpha_128x96_9frames.webp')):
            with self.subTest(src=os.path.basename(src)):
                out = os.path.join(self.tmp, 'stdin.gif')
                if os.path.exists(out):
                    os.unlink(out)
                with open(src, 'rb') as f:
                    p = run_gifc(['-', '-o', out, '-q'], stdin=f, env=self.env)
                self.assertEqual(p.returncode, 0, p.stderr.decode(errors='replace'))
                via_file, _ = self.convert(src=src, out='file-%s.gif' % os.path.basename(src))
                info = probe(out)
                for k in ('width', 'height', 'frames', 'total_cs', 'loop'):
                    self.assertEqual(info[k], via_file[k], k)
                self.assertEqual(gifc_temp_files(self.tmp), [], 'stdin spool left')

    def test_stdin_to_stdout(self):
        with open(self.src, 'rb') as f:
            p = run_gifc(['-', '-o', '-', '-q'], stdin=f, cwd=self.tmp, env=self.env)
        self.assertEqual(p.returncode, 0, p.stderr.decode(errors='replace'))
        self.assertEqual(p.stdout[:3], b'GIF')
        self.assertEqual(os.listdir(self.tmp), [])

    def test_gif_short_delays_play_as_browsers_do(self):
        # Browsers play a GIF delay of 0 or 1 cs as 10 cs; gifc must keep that timing and
        # never write a delay under 2 cs, in a GIF and in an MP4.
        src = os.path.join(self.tmp, 'short.gif')
        w, h = 8, 6
        frames = [(delay, [(x + y + k) % 4 for y in range(h) for x in range(w)])
                  for k, delay in enumerate([0, 1, 5, 10, 2])]
        with open(src, 'wb') as f:
            f.write(tiny_gif(w, h, frames))
        self.assertEqual(probe(src)['delays_cs'], [0, 1, 5, 10, 2])
        info, _ = self.convert(src=src, out='short-out.gif')
        self.assertEqual(info['delays_cs'], [10, 10, 5, 10, 2])
        info, _ = self.convert(src=src, out='short-out.mp4')
        self.assertEqual(info['frames'], 5)
        pts = [round(t - info['pts_ms'][0]) for t in info['pts_ms']]
        self.assertEqual(pts, [0, 100, 200, 250, 350])
        self.assertLessEqual(abs(info['duration'] - 0.37), 0.005)

    def test_version(self):
        p = run_gifc(['--version'])
        self.assertEqual(p.returncode, 0)
        self.assertRegex(p.stdout.decode(), r'^gifc \d+\.\d+\.\d+')

    def test_help(self):
        p = run_gifc(['--help'])
        self.assertEqual(p.returncode, 0)
        self.assertIn('Usage:', p.stdout.decode())

    def test_failure_leaves_nothing(self):
        # A failing conversion (corrupt input) leaves no output and no temporary file.
        _, p = self.convert(src=os.path.join(lib.FIXTURES, 'bad_truncated.gif'), ok=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertEqual(os.listdir(self.tmp), [])


def main():
    rest = configure(sys.argv[1:], __doc__.splitlines()[0])
    if lib.FIXTURES is None:
        sys.exit('e2e_test.py: --fixtures is required')
    lib.run_tests(rest)


if __name__ == '__main__':
    main()
