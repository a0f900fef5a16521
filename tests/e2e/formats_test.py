#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Output formats beyond GIF and MP4 (animated WebP, APNG, WebM, AVIF), through the gifc
CLI, each output read back with an independent decoder: libwebp's demuxer and animation
decoder (tests/probe) for WebP, libavformat for APNG and WebM, libavif for AVIF. Frame count, size, per-frame delays, loop count, alpha, lossless / lossy frames,
SSIM and bytes against gifc's own GIF, --json, batch --to, bad input.

    python3 tests/e2e/formats_test.py --gifc build/gifc --probe build/tests/probe --fixtures fixtures

Python 3 standard library only (ffmpeg for SSIM and the made clips).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import gifc_testlib as lib

LANDSCAPE = 'h264_aac_320x180_25fps_2s.mp4'
VFR = 'h264_vfr_320x180_13frames.mp4'            # delays 4,4,4,4,4,12,12,12,100,4,4,4,4 cs
MOTION = 'vp8_320x180_25fps_2s.mkv'
WEBP_ALPHA = 'webp_anim_alpha_128x96_9frames.webp'  # 100,100,300,100,300,100,300,300,200 ms
GIF_FLAT = 'gif_transparent_localpal_160x90_24frames.gif'
VP9_ALPHA = 'vp9_alpha_320x180_25fps_2s.webm'
TEXT = 'gif_text_colour_320x180_24frames.gif'       # coloured letters 1-2 px wide

# Coloured text to MP4 (README "Coloured text in MP4"), SSIM over RGB at the source's size
# (ssim_rgb): doubled, as gifc chooses for it, measured 0.9898; kept at 320x180 (--width
# 320 turns the doubling off), 0.9827, where 4:2:0 halves the letters' colour resolution.
TEXT_SSIM_FLOOR = 0.987


class Base(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='gifc-formats-')
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)

    def fixture(self, name):
        return os.path.join(lib.FIXTURES, name)

    def out(self, name):
        return os.path.join(self.tmp, name)

    def convert(self, src, out, *args):
        p = lib.run_gifc([src, '-o', out, '-f', '-q'] + list(args))
        self.assertEqual(p.returncode, 0, p.stderr.decode(errors='replace'))
        return out

    def rgba_frames(self, path, fps, w, h):
        """The animation as composited RGBA canvases at a constant fps (probe --webp-rgba)."""
        p = subprocess.run([lib.PROBE, '--webp-rgba', '%g' % fps, path],
                           stdout=subprocess.PIPE, timeout=300)
        self.assertEqual(p.returncode, 0)
        n = w * h * 4
        self.assertEqual(len(p.stdout) % n, 0)
        return [p.stdout[i:i + n] for i in range(0, len(p.stdout), n)]


class WebPTest(Base):
    def test_from_video_defaults(self):
        out = self.convert(self.fixture(LANDSCAPE), self.out('a.webp'))
        self.assertTrue(lib.is_webp(out))
        i = lib.probe(out)
        self.assertEqual((i['width'], i['height']), (320, 180))  # never enlarged
        self.assertEqual(i['frames'], 30)                        # 2 s at 15 fps
        self.assertTrue(all(d in (66, 67) for d in i['durations_ms']), i['durations_ms'])
        self.assertAlmostEqual(i['total_ms'], 2000, delta=2)
        self.assertEqual(i['loop'], 0)
        self.assertEqual(set(i['transparent_pixels']), {0})       # opaque source stays so
        self.assertIn('lossy', i['frame_kinds'])                  # camera-like: lossy

    def test_format_option_and_extension(self):
        out = self.convert(self.fixture(LANDSCAPE), self.out('a.bin'), '--format', 'webp',
                           '--duration', '0.5')
        self.assertTrue(lib.is_webp(out))
        p = lib.run_gifc([self.fixture(LANDSCAPE), '-o', self.out('b.WEBP'), '--json',
                          '--duration', '0.5'])
        self.assertEqual(p.returncode, 0, p.stderr)
        j = json.loads(p.stdout.decode())
        self.assertEqual(j['format'], 'webp')
        self.assertEqual(j['bytes'], os.path.getsize(self.out('b.WEBP')))
        self.assertEqual(j['frames'], lib.probe(self.out('b.WEBP'))['frames'])
        self.assertIsNone(j['settings']['colors'])  # a GIF-only setting

    def test_vfr_delays_kept(self):
        i = lib.probe(self.convert(self.fixture(VFR), self.out('v.webp')))
        self.assertEqual(i['durations_ms'], [40, 40, 40, 40, 40, 120, 120, 120, 1000,
                                             40, 40, 40, 40])

    def test_alpha_and_delays_from_animated_webp(self):
        src = self.fixture(WEBP_ALPHA)
        si = lib.probe(src)
        i = lib.probe(self.convert(src, self.out('a.webp')))
        self.assertEqual(i['frames'], si['frames'])
        self.assertEqual(i['durations_ms'], si['durations_ms'])
        self.assertTrue(i['has_alpha'])
        self.assertEqual(i['transparent_pixels'], si['transparent_pixels'])

    def test_alpha_from_vp9(self):
        i = lib.probe(self.convert(self.fixture(VP9_ALPHA), self.out('a.webp'),
                                   '--duration', '1'))
        self.assertTrue(i['has_alpha'])
        self.assertTrue(all(n > 0 for n in i['transparent_pixels']), i['transparent_pixels'])

    def test_lossless_is_exact(self):
        src = self.fixture(WEBP_ALPHA)
        out = self.convert(src, self.out('l.webp'), '--lossless')
        i = lib.probe(out)
        self.assertEqual(set(i['frame_kinds']), {'lossless'})
        a = self.rgba_frames(src, 10, 128, 96)
        b = self.rgba_frames(out, 10, 128, 96)
        self.assertEqual(len(a), len(b))
        for fa, fb in zip(a, b):  # every visible pixel the same; transparent ones may differ
            for p in range(0, len(fa), 4):
                if fa[p + 3] or fb[p + 3]:
                    self.assertEqual(fa[p:p + 4], fb[p:p + 4])

    def test_flat_art_goes_lossless_where_smaller(self):
        """Few-colour art: the default (lossy with the per-frame lossless trial) stores some
        frames lossless and is no bigger than forcing lossy-only (--fast skips the trial)."""
        src = self.fixture(GIF_FLAT)
        auto = self.convert(src, self.out('auto.webp'))
        self.assertIn('lossless', lib.probe(auto)['frame_kinds'])
        video = self.convert(self.fixture(MOTION), self.out('m.webp'), '--duration', '1')
        self.assertIn('lossy', lib.probe(video)['frame_kinds'])

    def test_loop_and_quality(self):
        src = self.fixture(MOTION)
        a = self.convert(src, self.out('q90.webp'), '--duration', '1')
        b = self.convert(src, self.out('q40.webp'), '--duration', '1', '--quality', '40',
                         '--loop', '3')
        self.assertLess(os.path.getsize(b), 0.8 * os.path.getsize(a))
        self.assertEqual(lib.probe(b)['loop'], 3)

    def test_smaller_than_gif_at_about_its_ssim(self):
        """At most half the GIF's bytes, and SSIM at most 0.005 under it (4:2:0 lossy WebP
        does not reach a 256-colour GIF's SSIM on detailed footage at half the bytes: see
        README's figures)."""
        if not lib.have_ffmpeg():
            self.skipTest('no ffmpeg')
        src = self.fixture(MOTION)
        g = self.convert(src, self.out('m.gif'))
        w = self.convert(src, self.out('m.webp'))
        sg, sw = lib.ssim(src, g, 15), lib.ssim(src, w, 15)
        self.assertLessEqual(os.path.getsize(w), 0.5 * os.path.getsize(g),
                             (os.path.getsize(w), os.path.getsize(g)))
        self.assertGreaterEqual(sw, sg - 0.005, (sw, sg))

    def test_caption_and_edits(self):
        out = self.convert(self.fixture(LANDSCAPE), self.out('c.webp'), '--caption', 'hi',
                           '--reverse', '--crop', '160:90:0:0', '--fps', '10')
        i = lib.probe(out)
        self.assertEqual((i['width'], i['height'], i['frames']), (160, 90, 20))

    def test_batch_to_webp(self):
        d = self.out('in')
        os.mkdir(d)
        for n in (LANDSCAPE, VFR):
            shutil.copy(self.fixture(n), d)
        od = self.out('outdir')
        p = lib.run_gifc([d, '-o', od, '--to', 'webp', '-q', '--duration', '0.5'])
        self.assertEqual(p.returncode, 0, p.stderr)
        names = sorted(os.listdir(od))
        self.assertEqual(names, sorted(os.path.splitext(n)[0] + '.webp' for n in (LANDSCAPE, VFR)))
        for n in names:
            self.assertTrue(lib.is_webp(os.path.join(od, n)))

    def test_max_size(self):
        src = self.fixture(MOTION)
        out = self.out('b.webp')
        p = lib.run_gifc([src, '-o', out, '--max-size', '30K', '--json'])
        self.assertEqual(p.returncode, 0, p.stderr)
        j = json.loads(p.stdout.decode())
        self.assertTrue(j['budget']['searched'])
        n = os.path.getsize(out)
        self.assertTrue(0.92 * 30000 <= n <= 30000, n)
        self.assertEqual(lib.probe(out)['frames'], 30)
        # tight: libwebp's bytes jump 24% between quality 4.6 and 4.7 here (88% before the
        # search traded picture size for the missed quality step)
        p = lib.run_gifc([src, '-o', out, '-f', '--max-size', '10K'])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(0.92 * 10000 <= os.path.getsize(out) <= 10000, os.path.getsize(out))
        # smaller pictures when even quality 0 is over (never over the budget)
        p = lib.run_gifc([src, '-o', out, '-f', '--max-size', '3K'])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(0.92 * 3000 <= os.path.getsize(out) <= 3000, os.path.getsize(out))
        self.assertLess(lib.probe(out)['width'], 320)
        # under the floors: exit 8, nothing written; --best-effort writes the smallest
        os.unlink(out)
        p = lib.run_gifc([src, '-o', out, '--max-size', '1K'])
        self.assertEqual(p.returncode, 8, p.stderr)
        self.assertIn('cannot fit', p.stderr.decode())
        self.assertFalse(os.path.exists(out))
        p = lib.run_gifc([src, '-o', out, '--max-size', '1K', '--best-effort', '--json'])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(json.loads(p.stdout.decode())['budget']['over_budget'])
        self.assertTrue(lib.is_webp(out))

    def test_bad_input_leaves_nothing(self):
        for name, code in (('bad_truncated.mp4', 5), ('bad_text.mp4', 4), ('bad_empty.mp4', 5)):
            out = self.out(name + '.webp')
            p = lib.run_gifc([self.fixture(name), '-o', out])
            self.assertEqual(p.returncode, code, (name, p.stderr))
            self.assertEqual(len(p.stderr.decode().strip().splitlines()), 1, p.stderr)
            self.assertFalse(os.path.exists(out))
        self.assertEqual(lib.gifc_temp_files(self.tmp), [])


def transparent_counts(path, decoder=None, frames=1):
    """Pixels with alpha 0 in each of the first frames, decoded by ffmpeg (libvpx for VP9
    alpha)."""
    cmd = ['ffmpeg', '-v', 'error', '-nostdin'] + (['-c:v', decoder] if decoder else []) + \
        ['-i', path, '-frames:v', str(frames), '-f', 'rawvideo', '-pix_fmt', 'rgba', '-']
    raw = subprocess.run(cmd, stdout=subprocess.PIPE, check=True, timeout=300).stdout
    info = lib.probe(path)
    n = info['width'] * info['height'] * 4
    return [raw[i + 3:i + n:4].count(0) for i in range(0, len(raw), n)]


class AvFormatsTest(Base):
    """APNG and WebM, read back with libavformat / libavcodec (tests/probe, ffmpeg)."""

    def test_vfr_delays_kept(self):
        want = [0, 40, 80, 120, 160, 200, 320, 440, 560, 1560, 1600, 1640, 1680]
        for ext in ('apng', 'webm'):
            i = lib.probe(self.convert(self.fixture(VFR), self.out('v.' + ext)))
            self.assertEqual(i['codec'], {'apng': 'apng', 'webm': 'vp9'}[ext])
            self.assertEqual([round(t) for t in i['pts_ms']], want, ext)
            self.assertEqual((i['width'], i['height']), (320, 180))

    def test_apng_alpha_and_delays(self):
        src = self.fixture(WEBP_ALPHA)
        si = lib.probe(src)
        out = self.convert(src, self.out('a.apng'))
        i = lib.probe(out)
        self.assertEqual(i['pix_fmt'], 'rgba')
        self.assertEqual(i['frames'], si['frames'])
        starts = [sum(si['durations_ms'][:k]) for k in range(si['frames'])]
        self.assertEqual([round(t) for t in i['pts_ms']], starts)
        self.assertEqual(transparent_counts(out), si['transparent_pixels'][:1])
        self.assertEqual(lib.probe(self.convert(src, self.out('l.apng'), '--loop', '2'))['frames'], 9)

    def test_webm_alpha(self):
        src = self.fixture(VP9_ALPHA)
        out = self.convert(src, self.out('a.webm'))
        self.assertEqual(lib.alpha_decoder(out), "libvpx-vp9")
        got = transparent_counts(out, 'libvpx-vp9', 3)
        want = transparent_counts(src, 'libvpx-vp9', 3)
        for g, w in zip(got, want):
            self.assertLess(abs(g - w), 0.05 * w + 50, (got, want))
        i = lib.probe(self.convert(self.fixture(LANDSCAPE), self.out('o.webm'), '--audio'))
        self.assertEqual(i['audio_streams'], 0)  # no audio in WebM
        self.assertIsNone(lib.alpha_decoder(self.out('o.webm')))

    def test_webm_odd_size_made_even(self):
        i = lib.probe(self.convert(self.fixture('vp9_odd_175x97_25fps_2s.webm'),
                                   self.out('o.webm')))
        self.assertEqual((i['width'], i['height']), (174, 96))

    def test_max_size(self):
        src = self.fixture(MOTION)
        for ext, budget in (('webm', 5000), ('apng', 200000)):
            out = self.out('b.' + ext)
            p = lib.run_gifc([src, '-o', out, '--max-size', str(budget), '--json'])
            self.assertEqual(p.returncode, 0, p.stderr)
            n = os.path.getsize(out)
            self.assertLessEqual(n, budget, ext)
            self.assertGreaterEqual(n, 0.85 * budget, ext)
            self.assertEqual(json.loads(p.stdout.decode())['format'], ext)
            os.unlink(out)
            p = lib.run_gifc([src, '-o', out, '--max-size', '1K'])
            self.assertEqual(p.returncode, 8, p.stderr)
            self.assertFalse(os.path.exists(out))
        self.assertEqual([n for n in os.listdir(self.tmp)], [])

    def test_bad_input_and_batch(self):
        for ext in ('apng', 'webm'):
            out = self.out('bad.' + ext)
            p = lib.run_gifc([self.fixture('bad_truncated.mp4'), '-o', out])
            self.assertEqual(p.returncode, 5, p.stderr)
            self.assertFalse(os.path.exists(out))
        d = self.out('in')
        os.mkdir(d)
        shutil.copy(self.fixture(VFR), d)
        p = lib.run_gifc([d, '-o', self.out('od'), '--to', 'webm', '-q'])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(os.listdir(self.out('od')), ['h264_vfr_320x180_13frames.webm'])


class TextArtMp4Test(Base):
    """MP4 of text art: drawn at twice its size so that 4:2:0 keeps its colours."""

    def test_coloured_text_doubled(self):
        src = self.fixture(TEXT)
        p = lib.run_gifc([src, '-o', self.out('t.mp4'), '-f', '-q', '--json'])
        self.assertEqual(p.returncode, 0, p.stderr.decode(errors='replace'))
        r = json.loads(p.stdout)
        self.assertEqual((r['width'], r['height']), (640, 360))
        i = lib.probe(self.out('t.mp4'))
        self.assertEqual((i['width'], i['height'], i['frames']), (640, 360, 24))
        self.assertGreaterEqual(lib.ssim_rgb(src, self.out('t.mp4'), 10, (320, 180)),
                                TEXT_SSIM_FLOOR)

    def test_coloured_text_at_own_size_misses_the_floor(self):
        # The same conversion without the doubling: the floor above must fail it.
        out = self.convert(self.fixture(TEXT), self.out('p.mp4'), '--width', '320')
        self.assertEqual(lib.probe(out)['width'], 320)
        self.assertLess(lib.ssim_rgb(self.fixture(TEXT), out, 10, (320, 180)),
                        TEXT_SSIM_FLOOR)

    def test_video_not_doubled(self):
        out = self.convert(self.fixture(LANDSCAPE), self.out('v.mp4'))
        i = lib.probe(out)
        self.assertEqual((i['width'], i['height']), (320, 180))


class AvifTest(Base):
    """AVIF, read back with libavif (tests/probe: frame count, size, delays, alpha)."""

    def test_from_video_defaults_and_vfr(self):
        out = self.convert(self.fixture(LANDSCAPE), self.out('a.avif'))
        self.assertTrue(lib.is_avif(out))
        i = lib.probe(out)
        self.assertEqual((i['format'], i['width'], i['height']), ('avif', 320, 180))
        self.assertEqual(i['frames'], 30)                        # 2 s at 15 fps
        self.assertTrue(all(d in (66, 67) for d in i['durations_ms']), i['durations_ms'])
        self.assertAlmostEqual(i['total_ms'], 2000, delta=2)
        self.assertFalse(i['has_alpha'])                          # opaque source stays so
        self.assertEqual((i['depth'], i['yuv_format']), (8, 'YUV420'))
        v = lib.probe(self.convert(self.fixture(VFR), self.out('v.avif')))
        self.assertEqual(v['durations_ms'], [40, 40, 40, 40, 40, 120, 120, 120, 1000, 40, 40,
                                             40, 40])

    def test_alpha_and_delays_from_animated_webp(self):
        src = self.fixture(WEBP_ALPHA)
        si = lib.probe(src)
        i = lib.probe(self.convert(src, self.out('a.avif')))
        self.assertTrue(i['has_alpha'])
        self.assertEqual((i['width'], i['height']), (si['width'], si['height']))
        self.assertEqual(i['durations_ms'], si['durations_ms'])
        # lossy alpha: each frame's fully transparent area within 10% of the source's
        for got, want in zip(i['transparent_pixels'], si['transparent_pixels']):
            self.assertLess(abs(got - want), 0.1 * want, (i['transparent_pixels'],
                                                          si['transparent_pixels']))

    def test_smaller_than_gif_and_quality_mapped(self):
        """At most 0.3x the GIF's bytes at defaults; --quality moves bytes and SSIM."""
        if not lib.have_ffmpeg():
            self.skipTest('no ffmpeg')
        src = self.fixture(MOTION)
        g = self.convert(src, self.out('m.gif'))
        a = self.convert(src, self.out('m.avif'))
        lo = self.convert(src, self.out('lo.avif'), '--quality', '50')
        sg, sa, sl = lib.ssim(src, g, 15), lib.ssim(src, a, 15), lib.ssim(src, lo, 15)
        self.assertLessEqual(os.path.getsize(a), 0.3 * os.path.getsize(g),
                             (os.path.getsize(a), os.path.getsize(g)))
        self.assertGreaterEqual(sa, sg - 0.005, (sa, sg))
        self.assertLess(os.path.getsize(lo), 0.7 * os.path.getsize(a))
        self.assertLess(sl, sa)

    def test_edits_json_and_batch(self):
        out = self.out('c.avif')
        p = lib.run_gifc([self.fixture(LANDSCAPE), '-o', out, '--caption', 'hi', '--reverse',
                          '--crop', '160:90:0:0', '--fps', '10', '--json'])
        self.assertEqual(p.returncode, 0, p.stderr)
        j = json.loads(p.stdout.decode())
        i = lib.probe(out)
        self.assertEqual((i['width'], i['height'], i['frames']), (160, 90, 20))
        self.assertEqual((j['format'], j['bytes'], j['frames']),
                         ('avif', os.path.getsize(out), 20))
        d = self.out('in')
        os.mkdir(d)
        shutil.copy(self.fixture(VFR), d)
        p = lib.run_gifc([d, '-o', self.out('od'), '--to', 'avif', '-q'])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(os.listdir(self.out('od')), ['h264_vfr_320x180_13frames.avif'])
        self.assertTrue(lib.is_avif(os.path.join(self.out('od'), os.listdir(self.out('od'))[0])))

    def test_max_size(self):
        src = self.fixture(MOTION)
        out = self.out('b.avif')
        p = lib.run_gifc([src, '-o', out, '--max-size', '6K', '--json'])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(json.loads(p.stdout.decode())['budget']['searched'])
        n = os.path.getsize(out)
        self.assertTrue(0.92 * 6000 <= n <= 6000, n)
        self.assertEqual(lib.probe(out)['frames'], 30)
        os.unlink(out)
        p = lib.run_gifc([src, '-o', out, '--max-size', '1K'])
        self.assertEqual(p.returncode, 8, p.stderr)
        self.assertIn('cannot fit', p.stderr.decode())
        self.assertFalse(os.path.exists(out))
        self.assertEqual(lib.gifc_temp_files(self.tmp), [])

    def test_bad_input_leaves_nothing(self):
        for name, code in (('bad_truncated.mp4', 5), ('bad_text.mp4', 4), ('bad_empty.mp4', 5)):
            out = self.out(name + '.avif')
            p = lib.run_gifc([self.fixture(name), '-o', out])
            self.assertEqual(p.returncode, code, (name, p.stderr))
            self.assertEqual(len(p.stderr.decode().strip().splitlines()), 1, p.stderr)
            self.assertFalse(os.path.exists(out))
        self.assertEqual(lib.gifc_temp_files(self.tmp), [])


if __name__ == '__main__':
    lib.run_tests(lib.configure(sys.argv[1:], __doc__))
