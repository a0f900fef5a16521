#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""GIF input under --quality: bytes fall and SSIM stays above a floor as quality falls, on a
generated flat-art GIF (ffmpeg's life filter: two colours, hard edges, like text) and a
generated photographic one (testsrc2, palettegen + dithered paletteuse); never bigger than
the input; a transparent GIF's transparency kept pixel for pixel.

    python3 tests/e2e/gif_lossy_test.py --gifc build/gifc --probe build/tests/probe --fixtures fixtures

Python 3 standard library; needs the ffmpeg CLI (skipped without it).
"""
import os
import subprocess
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gifc_testlib as lib  # noqa: E402

QUALITIES = (100, 90, 70, 50)
# SSIM floors against the input (gifc_testlib.ssim, as quality.sh): the default is meant to
# be visually lossless; lower qualities may trade more away but not collapse.
FLOOR = {100: 0.999, 90: 0.99, 70: 0.97, 50: 0.92}


def ffmpeg_gif(path, source, dither='sierra2_4a'):
    subprocess.run(['ffmpeg', '-v', 'error', '-nostdin', '-y', '-f', 'lavfi', '-i', source,
                    '-vf', 'split[a][b];[a]palettegen=stats_mode=full[p];[b][p]paletteuse=dither=%s'
                    % dither, str(path)], check=True, timeout=120)


def alpha_frames(path):
    """The alpha plane of every frame, as ffmpeg decodes it (one byte a pixel)."""
    p = subprocess.run(['ffmpeg', '-v', 'error', '-nostdin', '-i', str(path), '-f', 'rawvideo',
                        '-pix_fmt', 'rgba', '-'], stdout=subprocess.PIPE, check=True, timeout=120)
    return p.stdout[3::4]


@unittest.skipUnless(lib.have_ffmpeg(), 'ffmpeg / ffprobe CLI not found')
class GifQuality(unittest.TestCase):
    def sweep(self, source, dither):
        with tempfile.TemporaryDirectory() as d:
            src = os.path.join(d, 'in.gif')
            ffmpeg_gif(src, source, dither)
            insize = os.path.getsize(src)
            sizes = []
            for q in QUALITIES:
                out = os.path.join(d, 'q%d.gif' % q)
                p = lib.run_gifc([src, '-o', out, '--quality', q])
                self.assertEqual(p.returncode, 0, p.stderr.decode(errors='replace'))
                size = os.path.getsize(out)
                s = lib.ssim(src, out, 25)
                sys.stderr.write('  quality %3d: %8d bytes (%.3fx) ssim %.4f\n'
                                 % (q, size, size / insize, s))
                self.assertLessEqual(size, insize + 64, 'quality %d: bigger than the input' % q)
                self.assertGreaterEqual(s, FLOOR[q], 'quality %d: SSIM %.4f' % (q, s))
                sizes.append(size)
            for a, b, qa, qb in zip(sizes, sizes[1:], QUALITIES, QUALITIES[1:]):
                self.assertLessEqual(b, a, 'quality %d (%d bytes) bigger than %d (%d)'
                                     % (qb, b, qa, a))
            self.assertLess(sizes[-1], sizes[0] * 0.9, 'quality does not reduce the bytes')

    def test_flat_art(self):
        self.sweep('life=s=240x160:mold=10:r=10:ratio=0.3:death_color=#203040:'
                   'life_color=#e0e0c0,trim=duration=3', 'none')

    def test_photographic(self):
        self.sweep('testsrc2=s=200x150:r=10:d=2', 'sierra2_4a')

    def test_transparency_kept(self):
        src = os.path.join(lib.FIXTURES, 'gif_transparent_localpal_160x90_24frames.gif')
        with tempfile.TemporaryDirectory() as d:
            for q in (90, 50):
                out = os.path.join(d, 'q%d.gif' % q)
                p = lib.run_gifc([src, '-o', out, '--quality', q])
                self.assertEqual(p.returncode, 0, p.stderr.decode(errors='replace'))
                a, b = alpha_frames(src), alpha_frames(out)
                self.assertEqual(len(a), len(b), 'quality %d: frame count changed' % q)
                holes = [i for i in range(len(a)) if a[i] == 0]
                self.assertTrue(holes, 'fixture has no transparent pixel')
                lost = sum(1 for i in holes if b[i] != 0)
                gained = sum(1 for i in range(len(a)) if a[i] != 0 and b[i] == 0)
                self.assertEqual((lost, gained), (0, 0), 'quality %d: transparency moved' % q)


def main():
    rest = lib.configure(sys.argv[1:], __doc__.splitlines()[0])
    if lib.FIXTURES is None:
        sys.exit('gif_lossy_test.py: --fixtures is required')
    lib.run_tests(rest)


if __name__ == '__main__':
    main()
