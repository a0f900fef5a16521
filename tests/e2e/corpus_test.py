#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Opt-in corpus test: converts every media file in $GIFC_CORPUS (by extension: mp4 mov avi
webm mkv gif apng png webp) to GIF and to MP4 with default settings and checks the outputs
with independent decoders (tests/probe, ffprobe) and SSIM against the source (ffmpeg, as
/work/shared/bench/quality.sh measures it).

    GIFC_CORPUS=/work/shared/corpus python3 tests/e2e/corpus_test.py \\
        --gifc build/gifc --probe build/tests/probe [unittest options]

Without GIFC_CORPUS it prints why and exits 77 (meson's "skipped"). Needs the ffmpeg and
ffprobe CLIs. At most two conversions (or SSIM measurements) run at a time; each gets
600 s. The corpus files are only read, never copied.
"""
import json
import os
import subprocess
import sys
import tempfile
import shutil
import time
import unittest

sys.dont_write_bytecode = True  # keep tests/ free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gifc_testlib as lib  # noqa: E402

EXTENSIONS = ('mp4', 'mov', 'avi', 'webm', 'mkv', 'gif', 'apng', 'png', 'webp')
CONVERT_TIMEOUT = 600
SSIM_FLOOR = 0.85
# (GIF from video: 480x480 box; MP4: 1280x720 box, 720x1280 for portrait.)
GIF_BOX = (480, 480)
SKIP = 77

CORPUS = os.environ.get('GIFC_CORPUS')


def ffprobe_video(path, entries):
    return lib.ffprobe_json(path, '-select_streams', 'v:0', '-show_entries', entries)


class Source:
    """What ffprobe (or, for WebP, which ffprobe 5.1 cannot decode, probe's libwebp) says
    about a corpus file: display size, kind, frames, duration, alpha."""

    def __init__(self, path):
        self.path = path
        self.name = os.path.basename(path)
        self.webp = lib.is_webp(path)
        if self.webp:
            info = lib.probe(path)
            self.width, self.height = info['width'], info['height']
            self.animation = True
            self.frames = info['frames']
            self.duration = info['total_ms'] / 1000
            self.alpha = bool(info['has_alpha'])
            self.fps = 25
            return
        info = ffprobe_video(path, 'stream=codec_name,width,height,sample_aspect_ratio,'
                                   'pix_fmt,avg_frame_rate:stream_side_data=rotation:'
                                   'stream_tags=alpha_mode:format=format_name')
        st = info['streams'][0]
        fmt = info['format']['format_name']
        self.animation = fmt in ('gif', 'apng') or st['codec_name'] in ('gif', 'apng')
        w, h = st['width'], st['height']
        sar = st.get('sample_aspect_ratio', '1:1')
        try:
            num, den = (int(x) for x in sar.split(':'))
        except ValueError:
            num = den = 1
        if num > 0 and den > 0 and num != den:
            w = w * num / den  # display width; gifc keeps the height (cf. the AVI fixture)
        rotation = 0
        for sd in st.get('side_data_list', []):
            rotation = int(float(sd.get('rotation', 0) or 0))
        if abs(rotation) % 180 == 90:
            w, h = h, w
        self.width, self.height = w, h
        pix = st.get('pix_fmt', '')
        if st['codec_name'] == 'gif':      # a transparent index that leaves holes
            self.alpha = max(lib.probe(path)['transparent_pixels'] or [0]) > 0
        else:
            self.alpha = (st.get('tags', {}).get('alpha_mode') == '1'
                          or pix.startswith(('yuva', 'rgba', 'bgra', 'argb', 'abgr', 'gbrap',
                                             'ya')))
        # duration: end of the last video packet minus the start of the first (pts, or
        # dts where the container has no pts, as AVI)
        p = subprocess.run(['ffprobe', '-v', 'error', '-select_streams', 'v:0', '-show_entries',
                            'packet=pts_time,dts_time,duration_time', '-of', 'csv=p=0', path],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
        starts, ends = [], []
        for line in p.stdout.decode().split():
            fields = [float(x) if x not in ('', 'N/A') else None for x in line.split(',')[:3]]
            if len(fields) < 3:
                continue
            t = fields[0] if fields[0] is not None else fields[1]
            if t is None:
                continue
            starts.append(t)
            ends.append(t + (fields[2] or 0))
        self.duration = max(ends) - min(starts) if starts else 0
        self.frames = None
        if self.animation:
            p = subprocess.run(['ffprobe', '-v', 'error', '-select_streams', 'v:0',
                                '-count_frames', '-show_entries', 'stream=nb_read_frames',
                                '-of', 'csv=p=0', path], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=600)
            self.frames = int(p.stdout.decode().strip().split(',')[0])
        rate = st.get('avg_frame_rate', '0/1').split('/')
        self.fps = float(rate[0]) / float(rate[1]) if len(rate) == 2 and float(rate[1]) else 25

    def expected(self, fmt):
        """(width, height, tolerance) of the output with default settings."""
        w, h = self.width, self.height
        if fmt == 'gif':
            if self.animation:
                return w, h, 0
            s = min(1.0, GIF_BOX[0] / w, GIF_BOX[1] / h)
            return w * s, h * s, 1
        box = (720, 1280) if h > w else (1280, 720)
        s = min(1.0, box[0] / w, box[1] / h)
        return w * s, h * s, 2


class Job:
    """One conversion of a corpus file, then its probe and SSIM."""

    def __init__(self, src, fmt, root):
        self.src, self.fmt = src, fmt
        self.dir = os.path.join(root, fmt, src.name)
        os.makedirs(self.dir)
        self.out = os.path.join(self.dir, 'out.' + fmt)
        self.proc = self.report = self.info = None
        self.ssim = self.ssim_white = None
        self.ssim_error = None
        self.seconds = 0.0
        self.timed_out = False

    def run(self):
        t0 = time.monotonic()
        try:
            self.proc = lib.run_gifc([self.src.path, '-o', self.out, '--json'],
                                     timeout=CONVERT_TIMEOUT)
        except subprocess.TimeoutExpired as e:
            self.timed_out = True
            self.proc = subprocess.CompletedProcess(e.cmd, -9, b'', b'timed out')
        self.seconds = time.monotonic() - t0
        if self.proc.returncode == 0:
            try:
                self.report = json.loads(self.proc.stdout.decode())
            except ValueError:
                self.report = {}
            try:
                self.info = lib.probe(self.out)
            except AssertionError as e:
                self.info = {'error': str(e)}
            self.measure()
        return self

    def ssim_fps(self):
        if self.fmt == 'gif' and not self.src.animation:
            fps = (self.report or {}).get('settings', {}).get('fps') or 15
            return min(fps, 25)
        return 25

    def measure(self):
        if not self.info or 'error' in self.info:
            return
        try:
            self.ssim = lib.ssim(self.src.path, self.out, self.ssim_fps())
            if self.src.alpha:
                self.ssim_white = lib.ssim(self.src.path, self.out, self.ssim_fps(),
                                           background='white')
        except (AssertionError, subprocess.TimeoutExpired) as e:
            self.ssim_error = str(e)


@unittest.skipIf(not CORPUS, 'GIFC_CORPUS is not set')
class Corpus(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        names = sorted(n for n in os.listdir(CORPUS)
                       if n.rsplit('.', 1)[-1].lower() in EXTENSIONS
                       and os.path.isfile(os.path.join(CORPUS, n)))
        cls.tmp = tempfile.mkdtemp(prefix='gifc-corpus-')
        cls.sources, cls.unreadable = {}, {}
        for n in names:
            try:
                cls.sources[n] = Source(os.path.join(CORPUS, n))
            except (AssertionError, KeyError, IndexError, ValueError) as e:
                cls.unreadable[n] = str(e)   # ffprobe / probe cannot describe the source
        names = sorted(cls.sources)
        cls.hash_before = {n: lib.sha256(s.path) for n, s in cls.sources.items()}
        cls.jobs = {}
        # Largest first, so the two workers finish close together.
        order = sorted(names, key=lambda n: -os.path.getsize(os.path.join(CORPUS, n)))
        for n in order:
            for fmt in ('gif', 'mp4'):
                cls.jobs[fmt, n] = Job(cls.sources[n], fmt, cls.tmp)
        t0 = time.monotonic()
        lib.parallel([j.run for j in cls.jobs.values()], workers=2)
        cls.wall = time.monotonic() - t0
        cls.hash_after = {n: lib.sha256(s.path) for n, s in cls.sources.items()}
        cls.print_table()

    @classmethod
    def print_table(cls):
        rows = ['%-62s %-4s %10s %7s %7s %7s' % ('file', 'fmt', 'bytes', 'sec', 'ssim',
                                                'ssim/w')]
        for (fmt, n), j in sorted(cls.jobs.items(), key=lambda kv: (kv[0][1], kv[0][0])):
            size = os.path.getsize(j.out) if os.path.exists(j.out) else 0
            rows.append('%-62s %-4s %10d %7.2f %7s %7s' % (
                n, fmt, size, j.seconds, '%.4f' % j.ssim if j.ssim is not None else '-',
                '%.4f' % j.ssim_white if j.ssim_white is not None else ''))
        rows.append('(ssim/w: alpha sources, both sides composited over white; the floor '
                    'applies to it for them)')
        rows.append('%d conversions in %.1f s wall' % (len(cls.jobs), cls.wall))
        sys.stderr.write('\n' + '\n'.join(rows) + '\n')

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def each(self, fmt, check):
        for n in sorted(self.sources):
            j = self.jobs[fmt, n]
            with self.subTest(file=n, fmt=fmt):
                if j.proc.returncode != 0 or not j.info or 'error' in j.info:
                    self.fail('no readable output (exit %d%s): %s %s' % (
                        j.proc.returncode, ', timed out' if j.timed_out else '',
                        j.proc.stderr.decode(errors='replace').strip()[-300:], j.info))
                check(self.sources[n], j)

    # ---- both ----

    def test_corpus_not_empty(self):
        self.assertGreater(len(self.sources), 0, 'no media files in %s' % CORPUS)

    def test_sources_readable_by_reference_tools(self):
        self.assertEqual(self.unreadable, {})

    def test_inputs_untouched(self):
        for n in self.sources:
            with self.subTest(file=n):
                self.assertEqual(self.hash_before[n], self.hash_after[n])

    def test_converts(self):
        for (fmt, n), j in sorted(self.jobs.items()):
            with self.subTest(file=n, fmt=fmt):
                self.assertFalse(j.timed_out, 'over %d s' % CONVERT_TIMEOUT)
                self.assertEqual(j.proc.returncode, 0, j.proc.stderr.decode(errors='replace'))
                self.assertNotIn('error', j.info or {'error': 'not probed'})
                self.assertEqual(sorted(os.listdir(j.dir)), [os.path.basename(j.out)])

    def test_dimensions(self):
        for fmt in ('gif', 'mp4'):
            def check(src, j):
                ew, eh, tol = src.expected(j.fmt)
                w, h = j.info['width'], j.info['height']
                # An MP4 of coloured text art at its own size is doubled (README, Colour):
                # thefuck and the beach ball are (gifc -v says which and why).
                if (j.fmt == 'mp4' and src.animation and (w, h) == (2 * src.width, 2 * src.height)
                        and abs(ew - src.width) <= tol and abs(eh - src.height) <= tol):
                    ew, eh = w, h
                self.assertLessEqual(abs(w - ew), tol, '%dx%d, expected %.1fx%.1f' % (w, h, ew, eh))
                self.assertLessEqual(abs(h - eh), tol, '%dx%d, expected %.1fx%.1f' % (w, h, ew, eh))
            self.each(fmt, check)

    def test_ssim(self):
        for fmt in ('gif', 'mp4'):
            def check(src, j):
                self.assertIsNone(j.ssim_error)
                value = j.ssim_white if src.alpha else j.ssim
                self.assertIsNotNone(value)
                self.assertGreaterEqual(value, SSIM_FLOOR)
            self.each(fmt, check)

    # ---- GIF ----

    def test_gif(self):
        def check(src, j):
            info = j.info
            self.assertEqual(info['format'], 'gif')
            self.assertEqual(info['loop'], 0)
            self.assertGreater(info['frames'], 0)
            self.assertTrue(info['frames_within_canvas'])
            self.assertGreaterEqual(info['min_delay_cs'], 2)
            if src.frames:
                self.assertLessEqual(info['frames'], src.frames)
        self.each('gif', check)

    def test_gif_total_duration(self):
        def check(src, j):
            want = src.duration * 100
            self.assertLessEqual(abs(j.info['total_cs'] - want), 2 + 0.01 * want,
                                 'GIF %d cs, source %.2f cs' % (j.info['total_cs'], want))
        self.each('gif', check)

    # ---- MP4 ----

    def test_mp4(self):
        def check(src, j):
            info = j.info
            self.assertEqual(info['codec'], 'h264')
            self.assertEqual(info['pix_fmt'], 'yuv420p')
            self.assertEqual((info['width'] % 2, info['height'] % 2), (0, 0))
            self.assertTrue(info['faststart'])
            self.assertEqual(info['audio_streams'], 0)
            self.assertGreater(info['frames'], 0)
        self.each('mp4', check)

    def test_mp4_frame_count(self):
        # An animation's frames are kept one for one (no padded holds, none dropped);
        # ffprobe 5.1 cannot decode animated WebP, so for WebP only > 0 (test_mp4).
        def check(src, j):
            if src.animation and not src.webp:
                self.assertEqual(j.info['frames'], src.frames)
        self.each('mp4', check)

    def test_mp4_duration(self):
        def check(src, j):
            self.assertIsNotNone(j.info['duration'])
            self.assertLessEqual(abs(j.info['duration'] - src.duration),
                                 0.05 + 0.01 * src.duration,
                                 'MP4 %.3f s, source %.3f s' % (j.info['duration'], src.duration))
        self.each('mp4', check)


def main():
    rest = lib.configure(sys.argv[1:], __doc__.splitlines()[0])
    if not CORPUS:
        print('corpus_test.py: GIFC_CORPUS is not set; skipping (set it to a folder of media '
              'files, e.g. /work/shared/corpus)')
        sys.exit(SKIP)
    if not os.path.isdir(CORPUS):
        sys.exit('corpus_test.py: GIFC_CORPUS=%s is not a directory' % CORPUS)
    if not lib.have_ffmpeg():
        print('corpus_test.py: the ffmpeg / ffprobe CLIs are needed; skipping')
        sys.exit(SKIP)
    lib.run_tests(rest)


if __name__ == '__main__':
    main()
