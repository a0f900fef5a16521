#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Size-budget tests (--max-size): every result under its budget and read back by an
independent decoder (tests/probe), the search tight when it has room, a source that already
fits left alone, an unreachable budget failing with exit 8 and nothing written, and an
interrupted search leaving nothing behind.

    python3 tests/e2e/budget_test.py --gifc build/gifc --probe build/tests/probe --fixtures fixtures
        [unittest options]
"""
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.dont_write_bytecode = True  # keep tests/ free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gifc_testlib as lib  # noqa: E402

CLIP = 'h264_aac_320x180_25fps_2s.mp4'       # 2 s, textured: about 250 KB as a plain GIF
ANIM = 'gif_transparent_localpal_160x90_24frames.gif'
EXIT_BUDGET = 8


def fixture(name):
    return os.path.join(lib.FIXTURES, name)


class Budget(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='gifc-budget-test-')
        self.spool = tempfile.mkdtemp(prefix='gifc-budget-tmpdir-')
        self.env = dict(os.environ, TMPDIR=self.spool)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)
        shutil.rmtree(self.spool, ignore_errors=True)

    def convert(self, src, budget, out_name='out.gif', extra=()):
        out = os.path.join(self.tmp, out_name)
        p = lib.run_gifc([fixture(src), '-o', out, '--max-size', budget, '--json', '-f']
                         + list(extra), env=self.env)
        report = None
        if p.stdout.strip():
            report = json.loads(p.stdout.decode().strip().splitlines()[-1])
        return p, out, report

    def assert_clean(self):
        """No temporary file beside the output or in TMPDIR."""
        self.assertEqual(lib.hidden_files(self.tmp), [])
        self.assertEqual(os.listdir(self.spool), [])

    def assert_fits(self, src, budget_bytes, p, out, report, tight=None):
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        size = os.path.getsize(out)
        self.assertLessEqual(size, budget_bytes)
        self.assertEqual(report['bytes'], size)
        self.assertEqual(report['budget']['max_size'], budget_bytes)
        self.assertFalse(report['budget']['over_budget'])
        info = lib.probe(out)
        self.assertEqual(info['format'], 'gif')
        self.assertGreater(info['frames'], 0)
        self.assertEqual(info['frames'], report['frames'])
        self.assertEqual((info['width'], info['height']), (report['width'], report['height']))
        # Timing is kept whatever the fps chosen: the clip still lasts its 2 s (+- 1 cs a frame).
        if src == CLIP:
            self.assertAlmostEqual(info['total_cs'], 200, delta=2)
        if tight is not None:
            self.assertGreaterEqual(size, tight * budget_bytes,
                                    'only %d of %d bytes used' % (size, budget_bytes))
        self.assert_clean()
        return info

    def test_tight_budgets_fit(self):
        # The plain GIF is about 250 KB: every budget here needs a search.
        for budget, n in (('100K', 100000), ('40KiB', 40960), ('12000B', 12000)):
            with self.subTest(budget=budget):
                p, out, rep = self.convert(CLIP, budget)
                self.assert_fits(CLIP, n, p, out, rep, tight=0.80)
                self.assertTrue(rep['budget']['searched'])
                self.assertGreater(rep['budget']['ssim'], 0.5)

    def test_quality_falls_with_the_budget(self):
        _, _, big = self.convert(CLIP, '150K', 'big.gif')
        _, _, small = self.convert(CLIP, '20K', 'small.gif')
        self.assertGreater(big['budget']['ssim'], small['budget']['ssim'])
        self.assertGreater(big['bytes'], small['bytes'])

    def test_source_that_fits_is_not_searched(self):
        # The GIF fixture re-encodes to about 60 KB: 5 MB needs no search, and the result
        # is the plain conversion.
        p, out, rep = self.convert(ANIM, '5MB')
        info = self.assert_fits(ANIM, 5000000, p, out, rep)
        self.assertFalse(rep['budget']['searched'])
        self.assertEqual((info['width'], info['height']), (160, 90))
        self.assertEqual(info['frames'], 24)
        self.assertIn(b'fits the budget', lib.run_gifc(
            [fixture(ANIM), '-o', os.path.join(self.tmp, 'b.gif'), '--max-size', '5MB'],
            env=self.env).stderr)

    def test_random_budgets_always_under(self):
        # Property: whatever the budget, the file is never over it.
        rng = random.Random(20261121)
        for i in range(5):
            budget = rng.randint(4000, 300000)
            src = CLIP if i % 2 == 0 else ANIM
            with self.subTest(src=src, budget=budget):
                p, out, rep = self.convert(src, str(budget), 'r%d.gif' % i)
                self.assert_fits(src, budget, p, out, rep)

    def test_unreachable_budget_exit_8_nothing_written(self):
        p, out, rep = self.convert(CLIP, '1K')
        self.assertEqual(p.returncode, EXIT_BUDGET, p.stderr.decode())
        self.assertFalse(os.path.exists(out))
        err = p.stderr.decode().strip().splitlines()
        self.assertEqual(len(err), 1, err)
        self.assertIn(CLIP, err[0])
        self.assertIn('smallest', err[0])
        self.assertEqual(rep['exit_code'], EXIT_BUDGET)
        self.assert_clean()

    def test_best_effort_writes_the_smallest(self):
        p, out, rep = self.convert(CLIP, '1K', extra=['--best-effort'])
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertTrue(rep['budget']['over_budget'])
        self.assertGreater(os.path.getsize(out), 1000)
        self.assertLess(os.path.getsize(out), 4000)
        info = lib.probe(out)
        self.assertLessEqual(max(info['width'], info['height']), 40)
        self.assert_clean()

    def test_interrupted_search_leaves_nothing(self):
        out = os.path.join(self.tmp, 'int.gif')
        proc = subprocess.Popen(lib.gifc_cmd() + [fixture(CLIP), '-o', out, '--max-size', '30K'],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                env=self.env, preexec_fn=lambda: signal.signal(
                                    signal.SIGINT, signal.SIG_DFL))
        time.sleep(0.3)
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=60)
        if proc.returncode == 0:
            self.skipTest('the search finished before the signal (machine too fast)')
        self.assertEqual(proc.returncode, 130)
        self.assertFalse(os.path.exists(out))
        self.assert_clean()

    def test_mp4_budget_two_pass(self):
        # The plain MP4 of the clip is about 75 KB: 40 KB needs the two-pass search.
        p, out, rep = self.convert(CLIP, '40K', 'out.mp4')
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        size = os.path.getsize(out)
        self.assertLessEqual(size, 40000)
        self.assertGreaterEqual(size, 0.80 * 40000)
        self.assertTrue(rep['budget']['searched'])
        # the CRF try, pass 1, then at most one corrected pass 2 (each a whole encode)
        self.assertLessEqual(rep['budget']['attempts'], 4)
        info = lib.probe(out)
        self.assertIn('mp4', info['format'])
        self.assertEqual(info['frames'], 50)          # every frame kept, timing too
        self.assertAlmostEqual(info['duration'], 2.0, delta=0.05)
        self.assert_clean()                            # x264's statistics files too

    def test_mp4_that_fits_is_not_searched(self):
        p, out, rep = self.convert(CLIP, '5MB', 'out.mp4')
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertFalse(rep['budget']['searched'])
        self.assertLessEqual(os.path.getsize(out), 5000000)
        self.assert_clean()

    def test_mp4_unreachable_exit_8(self):
        p, out, rep = self.convert(CLIP, '2K', 'out.mp4')
        self.assertEqual(p.returncode, EXIT_BUDGET, p.stderr.decode())
        self.assertFalse(os.path.exists(out))
        self.assert_clean()

    def test_bad_sizes_are_usage_errors(self):
        for bad in ('0', '12XB', '-5M', '500'):
            with self.subTest(size=bad):
                p = lib.run_gifc([fixture(CLIP), '-o', os.path.join(self.tmp, 'x.gif'),
                                  '--max-size', bad], env=self.env)
                self.assertEqual(p.returncode, 2)
                self.assertIn(b'--max-size', p.stderr)


def main():
    rest = lib.configure(sys.argv[1:], __doc__.splitlines()[0])
    if lib.FIXTURES is None:
        sys.exit('budget_test.py: --fixtures is required')
    prog = unittest.main(argv=[sys.argv[0]] + rest, exit=False, verbosity=2)
    sys.exit(0 if prog.result.wasSuccessful() else 1)


if __name__ == '__main__':
    main()
