#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Caption tests: --caption drawn where asked, and nowhere else. Each captioned output is
decoded with the ffmpeg CLI and compared, row by row, with the same conversion without a
caption; errors (bad UTF-8, missing font) are checked like errors_test.py's.

    python3 tests/e2e/caption_test.py --gifc build/gifc --probe build/tests/probe --fixtures fixtures
        [unittest options]

The CJK test is skipped, with the reason, when fontconfig knows no font covering 日本語
(scripts/setup.sh installs fonts-wqy-microhei for it). Needs ffmpeg and fontconfig's fc-list.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True  # keep tests/ free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gifc_testlib as lib  # noqa: E402  (helpers: configure, run_gifc, probe...)

CLIP = 'h264_aac_320x180_25fps_2s.mp4'     # colour bars: no white in the lower half
ALPHA = 'apng_alpha_128x96_15frames.apng'  # transparent background
FRAME = 5                                  # the frame compared (any would do)
EXIT_USAGE = 2


def frame_rgb(path, index=FRAME, fmt='rgb24'):
    """Frame `index` of path as raw bytes (ffmpeg, full canvas); (bytes, width, height)."""
    info = lib.probe(path)
    w, h = info['width'], info['height']
    p = subprocess.run(['ffmpeg', '-v', 'error', '-nostdin', '-i', str(path), '-vf',
                        'select=eq(n\\,%d),format=%s' % (index, fmt), '-frames:v', '1',
                        '-f', 'rawvideo', '-'],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    bpp = 4 if fmt == 'rgba' else 3
    if p.returncode or len(p.stdout) != w * h * bpp:
        raise AssertionError('ffmpeg cannot decode frame %d of %s: %s'
                             % (index, path, p.stderr.decode(errors='replace')[-300:]))
    return p.stdout, w, h


def row_diffs(a, b, w, h, bpp=3):
    """Per row, the pixels that changed visibly (some channel by more than 60) between two
    frames of w x h: text is strong edges, GIF dithering or H.264 noise are not."""
    out = []
    for r in range(h):
        ra, rb = a[r * w * bpp:(r + 1) * w * bpp], b[r * w * bpp:(r + 1) * w * bpp]
        out.append(sum(1 for i in range(0, w * bpp, bpp)
                       if max(abs(ra[i + k] - rb[i + k]) for k in range(3)) > 60))
    return out


def white_rows(rgb, w, h):
    """Per row, the pixels that are near white (the caption's fill)."""
    out = []
    for r in range(h):
        row = rgb[r * w * 3:(r + 1) * w * 3]
        out.append(sum(1 for i in range(0, len(row), 3)
                       if row[i] > 220 and row[i + 1] > 220 and row[i + 2] > 220))
    return out


def changed_rows(diffs, threshold=2):
    return [r for r, d in enumerate(diffs) if d > threshold]


def cjk_font():
    """A font file fontconfig has for 日本語, or None (and why)."""
    if not shutil.which('fc-list'):
        return None, 'fc-list (fontconfig) is not installed'
    p = subprocess.run(['fc-list', ':charset=65e5 672c 8a9e', 'file'], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, timeout=60)
    files = p.stdout.decode(errors='replace').split()
    if not files:
        return None, ('no installed font covers 日本語 (install fonts-wqy-microhei or '
                      'fonts-noto-cjk)')
    return files[0].rstrip(':'), None


class CaptionCase(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='gifc-cap-')

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def convert(self, out, *opts, src=CLIP, ok=True):
        dest = os.path.join(self.tmp, out)
        p = lib.run_gifc([os.path.join(lib.FIXTURES, src), '-o', dest, '-f'] + list(opts))
        if ok:
            self.assertEqual(p.returncode, 0, p.stderr.decode(errors='replace'))
        return dest, p

    def band(self, *opts, out='cap.gif', src=CLIP):
        """Rows that differ between the conversion with opts and the one without."""
        plain, _ = self.convert('plain' + os.path.splitext(out)[1], src=src)
        cap, _ = self.convert(out, *opts, src=src)
        a, w, h = frame_rgb(plain)
        b, w2, h2 = frame_rgb(cap)
        self.assertEqual((w, h), (w2, h2))
        return row_diffs(a, b, w, h), h

    def assert_band(self, diffs, h, lo, hi):
        """Rows [lo, hi) hold the caption: strong changes there, hardly any elsewhere."""
        rows = changed_rows(diffs)
        self.assertTrue(rows, 'no row changed: no caption drawn')
        self.assertGreaterEqual(min(rows), lo, 'changed rows %s' % rows)
        self.assertLess(max(rows), hi, 'changed rows %s' % rows)
        outside = sum(d for r, d in enumerate(diffs) if r < lo or r >= hi)
        self.assertLess(outside, 20, 'pixels changed outside the caption band')
        self.assertGreater(max(diffs), 15, 'too faint for text: %s' % diffs)

    # ---- where it goes ----

    def test_bottom_by_default(self):
        diffs, h = self.band('--caption', 'Hello, caption')
        self.assert_band(diffs, h, h // 2, h)

    def test_top(self):
        diffs, h = self.band('--caption', 'Hello, caption', '--caption-position', 'top')
        self.assert_band(diffs, h, 0, h // 2)

    def test_size_grows_the_band(self):
        small, h = self.band('--caption', 'Size', out='s.gif')
        big, _ = self.band('--caption', 'Size', '--caption-size', '25%', out='b.gif')
        n_small, n_big = len(changed_rows(small)), len(changed_rows(big))
        self.assertGreater(n_big, 2 * n_small, 'rows changed: %d vs %d' % (n_big, n_small))
        # 8% of 180 px is about 14 px of text: the band stays under a quarter of the height.
        self.assertLess(n_small, h // 4)

    def test_mp4(self):
        diffs, h = self.band('--caption', 'MP4 text', out='cap.mp4')
        rows = changed_rows(diffs)
        self.assertTrue(rows and min(rows) >= h // 2, rows)

    def test_line_break_and_long_text_are_bounded(self):
        one, h = self.band('--caption', 'one line', out='one.gif')
        two, _ = self.band('--caption', 'one\nline', out='two.gif')
        self.assertGreater(len(changed_rows(two)), 1.5 * len(changed_rows(one)))
        # 2000 characters wrap into GIFC_CAPTION_MAX_LINES (3) lines, then an ellipsis.
        long_diffs, _ = self.band('--caption', 'word ' * 400, out='long.gif')
        rows = changed_rows(long_diffs)
        self.assertTrue(rows)
        self.assertLess(max(rows) - min(rows), h * 0.4, 'more than 3 lines: %s' % rows)

    def test_transparent_input_gets_opaque_text(self):
        plain, _ = self.convert('plain.gif', src=ALPHA)
        cap, _ = self.convert('cap.gif', '--caption', 'Alpha', src=ALPHA)
        a, w, h = frame_rgb(plain, 3, 'rgba')
        b, _, _ = frame_rgb(cap, 3, 'rgba')
        was_clear = [i for i in range(0, len(a), 4) if a[i + 3] == 0]
        now_opaque = [i for i in was_clear if b[i + 3] == 255]
        self.assertTrue(was_clear, 'fixture has no transparent pixel')
        self.assertGreater(len(now_opaque), 50, 'caption not opaque over transparency')
        self.assertTrue(all(i // 4 // w >= h // 2 for i in now_opaque))

    # ---- with the other modes ----

    def test_max_size_keeps_the_caption(self):
        dest, p = self.convert('budget.gif', '--caption', 'Budget', '--max-size', '60K',
                               '--json')
        report = json.loads(p.stdout.decode())
        self.assertLessEqual(os.path.getsize(dest), 60000)
        self.assertTrue(report['budget']['searched'], 'the budget did not force a search')
        rgb, w, h = frame_rgb(dest)
        whites = white_rows(rgb, w, h)
        self.assertGreater(sum(whites[h // 2:]), 20, 'no white text in the lower half')
        self.assertEqual(sum(whites[:h // 2]), 0)

    def test_batch(self):
        src = os.path.join(self.tmp, 'in')
        os.mkdir(src)
        for name in (CLIP, 'vp8_320x180_25fps_2s.mkv'):
            shutil.copy(os.path.join(lib.FIXTURES, name), src)
        outdir = os.path.join(self.tmp, 'out')
        p = lib.run_gifc([src, '-o', outdir, '--caption', 'Batch', '-j', '1'])
        self.assertEqual(p.returncode, 0, p.stderr.decode(errors='replace'))
        outs = sorted(os.listdir(outdir))
        self.assertEqual(len(outs), 2, outs)
        for name in outs:
            rgb, w, h = frame_rgb(os.path.join(outdir, name))
            self.assertGreater(sum(white_rows(rgb, w, h)[h // 2:]), 20, name)

    def test_json_settings(self):
        text = 'Quote " backslash \\ tab\tand 日本'
        _, p = self.convert('j.gif', '--caption', text, '--caption-position', 'top',
                            '--caption-size', '12', '--json')
        s = json.loads(p.stdout.decode())['settings']
        self.assertEqual(s['caption'], text)
        self.assertEqual(s['caption_position'], 'top')
        self.assertEqual(s['caption_size'], 12)
        self.assertIsNone(s['font'])
        _, p = self.convert('n.gif', '--json')
        s = json.loads(p.stdout.decode())['settings']
        self.assertIsNone(s['caption'])

    def test_font_file(self):
        p = subprocess.run(['fc-match', '--format=%{file}', 'DejaVu Sans'],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        font = p.stdout.decode()
        if p.returncode or not os.path.isfile(font):
            self.skipTest('fc-match found no font file')
        diffs, h = self.band('--caption', 'Own font', '--font', font)
        self.assert_band(diffs, h, h // 2, h)

    # ---- CJK ----

    def test_cjk(self):
        font, why = cjk_font()
        if not font:
            self.skipTest(why)
        plain, _ = self.convert('plain.gif')
        cap, p = self.convert('cjk.gif', '--caption', '日本語のテキスト', '-v')
        err = p.stderr.decode(errors='replace')
        self.assertNotIn('no glyph', err)
        a, w, h = frame_rgb(plain)
        b, _, _ = frame_rgb(cap)
        self.assert_band(row_diffs(a, b, w, h), h, h // 2, h)

    # ---- errors: exit code, one line naming the cause, no output ----

    def assert_refused(self, args, names):
        dest = os.path.join(self.tmp, 'never.gif')
        cmd = lib.gifc_cmd() + [os.path.join(lib.FIXTURES, CLIP), '-o', dest] + args
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
        err = p.stderr.decode(errors='replace')
        self.assertEqual(p.returncode, EXIT_USAGE, err)
        lines = err.splitlines()
        self.assertEqual(len(lines), 1, err)
        for n in names:
            self.assertIn(n, lines[0])
        self.assertEqual(os.listdir(self.tmp), [])

    def test_invalid_utf8(self):
        for bad in (b'caf\xe9', b'\xc0\xaf', b'\xed\xa0\x80', b'ok \xf0\x9f\x98'):
            self.assert_refused([b'--caption', bad], ['UTF-8'])

    def test_control_character(self):
        self.assert_refused(['--caption', 'bell\x07'], ['control character'])

    def test_empty_caption(self):
        self.assert_refused(['--caption', ''], ['--caption'])

    def test_missing_font(self):
        path = os.path.join(tempfile.gettempdir(), 'gifc-no-such-font.ttf')
        self.assert_refused(['--caption', 'x', '--font', path], [path])

    def test_not_a_font(self):
        path = os.path.join(lib.FIXTURES, 'fixtures.tsv')
        self.assert_refused(['--caption', 'x', '--font', path], [path, 'font'])

    def test_options_need_a_caption(self):
        self.assert_refused(['--caption-position', 'top'], ['--caption'])


def main():
    rest = lib.configure(sys.argv[1:], __doc__.splitlines()[0])
    if lib.FIXTURES is None:
        sys.exit('caption_test.py: --fixtures is required')
    if not lib.have_ffmpeg():
        print('caption_test.py: skipped: the ffmpeg CLI is not installed')
        sys.exit(77)
    lib.run_tests(rest)


if __name__ == '__main__':
    main()
