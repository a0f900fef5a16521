#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""--estimate tests: the predicted bytes are near the real conversion's (within 15%) for
GIF, MP4, WebP and WebM, on a clip long enough to be sampled and on a short one encoded
whole; GIF also predicts an SSIM when sampled; nothing is written (no OUTPUT, no temporary); --json has
estimated_bytes; with --max-size below the prediction the estimate says a search would run;
bad input fails in one line with the input's exit code; a batch is refused.

    python3 tests/e2e/estimate_test.py --gifc build/gifc --probe build/tests/probe --fixtures fixtures

The long clip is made with the ffmpeg CLI in a temporary folder. Python 3 standard library
only.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import gifc_testlib as lib

TMP = None
SHORT = 'h264_aac_320x180_25fps_2s.mp4'


def make_long():
    """20 s at 30 fps: testsrc2's moving pattern, then a still part, then noise-like
    motion, so that the pieces sampled differ from one another."""
    path = os.path.join(TMP, 'long.mp4')
    p = subprocess.run(['ffmpeg', '-v', 'error', '-nostdin', '-y', '-f', 'lavfi', '-i',
                        'testsrc2=size=320x180:rate=30:duration=20', '-vf',
                        "hue=s='if(lt(t,7),1,0)',eq=contrast='if(between(t,7,13),0.5,1)'",
                        '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p',
                        path], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    if p.returncode != 0:
        raise AssertionError(p.stderr.decode()[-300:])
    return path


class Estimate(unittest.TestCase):
    long_clip = None

    @classmethod
    def setUpClass(cls):
        if lib.have_ffmpeg():
            cls.long_clip = make_long()

    def estimate(self, src, *extra):
        folder = tempfile.mkdtemp(prefix='est-', dir=TMP)
        out = os.path.join(folder, 'out')
        p = lib.run_gifc([src, '--estimate', '--json', '-o', out] + list(extra))
        self.assertEqual(p.returncode, 0, p.stderr.decode()[-300:])
        self.assertEqual(os.listdir(folder), [], 'an estimate wrote something')
        return json.loads(p.stdout.decode())

    def real(self, src, fmt, *extra):
        out = os.path.join(TMP, 'real.' + fmt)
        p = lib.run_gifc([src, '-o', out, '-f', '-q', '--json'] + list(extra))
        self.assertEqual(p.returncode, 0, p.stderr.decode()[-300:])
        rep = json.loads(p.stdout.decode())
        self.assertEqual(rep['bytes'], os.path.getsize(out))
        return rep

    def close_to_real(self, src, fmt, sampled, tolerance=0.15):
        est = self.estimate(src, '--format', fmt)
        real = self.real(src, fmt, '--format', fmt)
        what = '%s on %s: estimated %d, real %d' % (fmt, src, est['estimated_bytes'],
                                                     real['bytes'])
        self.assertEqual(est['format'], fmt)
        self.assertEqual((est['width'], est['height']), (real['width'], real['height']), what)
        self.assertEqual(est['sampled'], sampled, what)
        self.assertLessEqual(abs(est['estimated_bytes'] - real['bytes']),
                             tolerance * real['bytes'], what)
        if fmt == 'gif' and sampled:  # the budget's predictor; a clip encoded whole has none
            self.assertGreater(est['estimated_ssim'], 0.5, what)
            self.assertLessEqual(est['estimated_ssim'], 1.0, what)
        else:
            self.assertIsNone(est['estimated_ssim'], what)
        return est, real

    def test_long_clip_is_sampled_and_close(self):
        if not self.long_clip:
            self.skipTest('no ffmpeg to make a long clip')
        for fmt in ('gif', 'mp4', 'webp', 'webm'):
            with self.subTest(format=fmt):
                self.close_to_real(self.long_clip, fmt, True)

    def test_short_clip_is_encoded_whole(self):
        src = os.path.join(lib.FIXTURES, SHORT)
        for fmt in ('gif', 'mp4', 'webp'):
            with self.subTest(format=fmt):
                self.close_to_real(src, fmt, False, tolerance=0.02)

    def test_budget_below_the_prediction(self):
        src = os.path.join(lib.FIXTURES, SHORT)
        est = self.estimate(src, '--format', 'gif', '--max-size', '50K')
        self.assertTrue(est['over_budget'], est)
        self.assertEqual(est['estimated_bytes'], 50000)
        self.assertGreater(est['plain_bytes'], 50000)
        est = self.estimate(src, '--format', 'gif', '--max-size', '5M')
        self.assertFalse(est['over_budget'], est)
        self.assertEqual(est['estimated_bytes'], est['plain_bytes'])

    def test_plain_text_line(self):
        if not self.long_clip:
            self.skipTest('no ffmpeg to make a long clip')
        out = os.path.join(TMP, 'plain-out.gif')
        p = lib.run_gifc([self.long_clip, '--estimate', '-o', out])
        self.assertEqual(p.returncode, 0, p.stderr)
        line = p.stdout.decode()
        self.assertIn('about', line)
        self.assertIn('SSIM', line)
        self.assertIn('nothing written', line)
        self.assertFalse(os.path.exists(out))

    def test_bad_input_and_batch(self):
        p = lib.run_gifc([os.path.join(lib.FIXTURES, 'bad_text.mp4'), '--estimate', '-o',
                          os.path.join(TMP, 'bad.gif')])
        err = p.stderr.decode()
        self.assertNotEqual(p.returncode, 0)
        self.assertEqual(len(err.strip().splitlines()), 1, err)
        self.assertIn('bad_text.mp4', err)
        p = lib.run_gifc([lib.FIXTURES, '--estimate', '-o', os.path.join(TMP, 'outdir')])
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn('--estimate', p.stderr.decode())


def main():
    global TMP
    rest = lib.configure(sys.argv[1:], __doc__.splitlines()[0])
    if lib.FIXTURES is None:
        sys.exit('estimate_test.py: --fixtures is required')
    TMP = tempfile.mkdtemp(prefix='gifc-estimate-')
    lib.run_tests(rest, cleanup=lambda: shutil.rmtree(TMP, ignore_errors=True))


if __name__ == '__main__':
    main()
