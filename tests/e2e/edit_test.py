#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Editing tests: crop / aspect geometry, reverse, bounce, smooth loop, frames-step and
drop-duplicates, through the gifc CLI, checked with independent decoders (tests/probe,
ffmpeg / ffprobe), with --max-size, in batch mode and in --json.

    python3 tests/e2e/edit_test.py --gifc build/gifc --probe build/tests/probe --fixtures fixtures

Clips the fixtures do not cover (portrait, numbered grey frames, held frames) are made
with the ffmpeg CLI in a temporary folder. Python 3 standard library only.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

import gifc_testlib as lib

LANDSCAPE = 'h264_aac_320x180_25fps_2s.mp4'
ROTATED = 'h264_rot90cw_320x180_25fps_2s.mp4'   # coded 320x180, shown 180x320
VFR = 'h264_vfr_320x180_13frames.mp4'           # delays 4,4,4,4,4,12,12,12,100,4,4,4,4 cs
MOTION = 'vp8_320x180_25fps_2s.mkv'             # rotating gradient, bouncing square

# Output size for each aspect: (GIF, MP4). A GIF fits inside 480x480, an MP4 inside
# 1280x720 (720x1280 portrait) with even sides; neither is enlarged.
CUT_DIMS = {
    'landscape': {'1:1': ((180, 180), (180, 180)), '4:5': ((144, 180), (144, 180)),
                  '9:16': ((101, 180), (100, 180)), '16:9': ((320, 180), (320, 180))},
    'portrait': {'1:1': ((180, 180), (180, 180)), '4:5': ((180, 225), (180, 224)),
                 '9:16': ((180, 320), (180, 320)), '16:9': ((180, 101), (180, 100))},
}
# Padded: the whole picture on a W:H canvas (320x180 in 1:1 is 320x320; in 9:16, 320x569,
# which a GIF fits into 480 high as 270x480).
PAD_DIMS = {
    'landscape': {'1:1': ((320, 320), (320, 320)), '4:5': ((320, 400), (320, 400)),
                  '9:16': ((270, 480), (320, 568)), '16:9': ((320, 180), (320, 180))},
    'portrait': {'1:1': ((320, 320), (320, 320)), '4:5': ((256, 320), (256, 320)),
                 '9:16': ((180, 320), (180, 320)), '16:9': ((480, 270), (568, 320))},
}


def ffmpeg(*args):
    p = subprocess.run(['ffmpeg', '-v', 'error', '-nostdin', '-y'] + list(args),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    if p.returncode != 0:
        raise AssertionError('ffmpeg %s: %s' % (' '.join(args), p.stderr.decode()[-400:]))
    return p.stdout


def frames_gray(path):
    """Every frame the file stores, in order (no frame rate conversion), as grey bytes."""
    info = lib.ffprobe_json(path, '-select_streams', 'v:0', '-show_entries',
                            'stream=width,height')['streams'][0]
    raw = ffmpeg('-i', str(path), '-fps_mode', 'passthrough', '-f', 'rawvideo',
                 '-pix_fmt', 'gray', '-')
    n = info['width'] * info['height']
    return [raw[i:i + n] for i in range(0, len(raw), n)]


def mean(b):
    return sum(b) / len(b)


def frame_numbers(path, source):
    """For each frame of path, the number of the source frame it shows: the one whose mean
    grey level is nearest (the generated clips are flat grey, one level per picture)."""
    ref = [mean(f) for f in frames_gray(source)]
    return [min(range(len(ref)), key=lambda i: abs(ref[i] - mean(f))) for f in frames_gray(path)]


def stream_info(path):
    """(frames, duration in seconds) of an MP4's video stream, counted by ffprobe."""
    s = lib.ffprobe_json(path, '-count_frames', '-select_streams', 'v:0', '-show_entries',
                         'stream=nb_read_frames,duration')['streams'][0]
    return int(s['nb_read_frames']), float(s['duration'])


def dims(path):
    s = lib.ffprobe_json(path, '-select_streams', 'v:0', '-show_entries',
                         'stream=width,height')['streams'][0]
    return s['width'], s['height']


def frame_ssim(a, b, w, h, tmp):
    """ffmpeg's SSIM (All) between two rgb24 pictures."""
    pa, pb = os.path.join(tmp, 'a.rgb'), os.path.join(tmp, 'b.rgb')
    for path, data in ((pa, a), (pb, b)):
        with open(path, 'wb') as f:
            f.write(data)
    raw = ['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-video_size', '%dx%d' % (w, h)]
    p = subprocess.run(['ffmpeg', '-hide_banner', '-nostdin'] + raw + ['-i', pa] + raw +
                       ['-i', pb, '-lavfi', 'ssim', '-f', 'null', '-'],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    found = re.findall(r'All:([0-9.]+)', p.stderr.decode())
    if not found:
        raise AssertionError('no SSIM: %s' % p.stderr.decode()[-300:])
    return float(found[-1])


def first_last_rgb(path):
    w, h = dims(path)
    raw = ffmpeg('-i', str(path), '-fps_mode', 'passthrough', '-f', 'rawvideo',
                 '-pix_fmt', 'rgb24', '-')
    n = w * h * 3
    return raw[:n], raw[len(raw) - n:], w, h


@unittest.skipUnless(lib.have_ffmpeg(), 'needs the ffmpeg and ffprobe CLIs')
class EditTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix='gifc-edit-')
        cls.clips = {}
        fx = lambda name: os.path.join(lib.FIXTURES, name)
        cls.clips['landscape'] = fx(LANDSCAPE)
        cls.clips['rotated'] = fx(ROTATED)
        # Portrait as coded (no display matrix): the landscape clip turned.
        cls.clips['portrait'] = cls.make('portrait.mp4', '-i', fx(LANDSCAPE), '-vf',
                                         'transpose=1', '-an', '-c:v', 'libx264', '-crf', '18',
                                         '-pix_fmt', 'yuv420p')
        # 20 frames at 10 fps, frame N grey level 20 + 10 N (inside video range, so none
        # clips to black): a frame says its own number.
        cls.clips['numbered'] = cls.make('numbered.mp4', '-f', 'lavfi', '-i',
                                         'color=c=black:s=64x48:r=10:d=2', '-vf',
                                         "geq=lum='20+10*N':cb=128:cr=128", '-c:v', 'libx264',
                                         '-qp', '0', '-pix_fmt', 'yuv420p')
        # 20 frames at 10 fps showing 4 pictures held 5 frames each.
        cls.clips['held'] = cls.make('held.mp4', '-f', 'lavfi', '-i',
                                     'color=c=black:s=64x48:r=10:d=2', '-vf',
                                     "geq=lum='40+40*floor(N/5)':cb=128:cr=128", '-c:v',
                                     'libx264', '-qp', '0', '-pix_fmt', 'yuv420p')

    @classmethod
    def make(cls, name, *args):
        path = os.path.join(cls.tmp, name)
        ffmpeg(*args, path)
        return path

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def convert(self, src, out_name, *args, ok=True):
        out = os.path.join(self.tmp, out_name)
        p = lib.run_gifc([src, '-o', out, '-f', '--json'] + list(args))
        if ok:
            self.assertEqual(p.returncode, 0, p.stderr.decode())
            return out, json.loads(p.stdout.decode())
        return p, out

    # ---- geometry ----

    def test_aspect_cut_and_pad_sizes(self):
        for kind, table in (('cut', CUT_DIMS), ('pad', PAD_DIMS)):
            for clip in ('landscape', 'portrait', 'rotated'):
                for aspect, (gif, mp4) in table['landscape' if clip == 'landscape'
                                                else 'portrait'].items():
                    for ext, want in (('gif', gif), ('mp4', mp4)):
                        with self.subTest(kind=kind, clip=clip, aspect=aspect, fmt=ext):
                            out, rep = self.convert(self.clips[clip], 'a.' + ext, '--aspect',
                                                    aspect, '--aspect-fit',
                                                    'pad' if kind == 'pad' else 'crop')
                            self.assertEqual(dims(out), want)
                            self.assertEqual((rep['width'], rep['height']), want)

    def test_crop_shows_that_rectangle(self):
        """The crop's pixels are the source's, for plain and rotated input (ffmpeg applies
        the display matrix itself, so its crop is of the picture as shown)."""
        for clip, rect in (('landscape', (100, 80, 10, 20)), ('rotated', (100, 60, 20, 30)),
                           ('portrait', (64, 64, 100, 200))):
            with self.subTest(clip=clip):
                out, rep = self.convert(self.clips[clip], 'c.gif', '--crop',
                                        '%d:%d:%d:%d' % rect)
                self.assertEqual((rep['width'], rep['height']), rect[:2])
                want = ffmpeg('-i', self.clips[clip], '-vf', 'crop=%d:%d:%d:%d' % rect,
                              '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-')
                got = ffmpeg('-i', out, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt',
                             'rgb24', '-')
                self.assertEqual(len(got), len(want))
                mad = sum(abs(a - b) for a, b in zip(got, want)) / len(got)
                self.assertLess(mad, 6.0)   # a shifted crop measures 40+ on this picture

    def test_pad_bars_are_background(self):
        out, rep = self.convert(self.clips['landscape'], 'p.gif', '--aspect', '1:1',
                                '--aspect-fit', 'pad', '--background', '#ff0000')
        w, h = rep['width'], rep['height']
        rgb = ffmpeg('-i', out, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-')
        px = lambda x, y: tuple(rgb[(y * w + x) * 3:(y * w + x) * 3 + 3])
        for y in (0, 60, h - 1):          # bars: 70 rows above and below the picture
            self.assertEqual(px(w // 2, y), (255, 0, 0), 'row %d' % y)
        self.assertNotEqual(px(w // 2, h // 2), (255, 0, 0))

    def test_crop_outside_the_picture_is_a_usage_error(self):
        p, out = self.convert(self.clips['rotated'], 'x.gif', '--crop', '200:100:0:0', ok=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn(b'outside the 180x320 picture', p.stderr)
        self.assertFalse(os.path.exists(out))

    # ---- time ----

    def test_reverse_frame_order_and_delays(self):
        rev, rep = self.convert(self.clips['numbered'], 'r.gif', '--reverse')
        self.assertEqual(frame_numbers(rev, self.clips['numbered']), list(range(19, -1, -1)))
        self.assertTrue(rep['settings']['reverse'])
        # variable delays come out reversed
        vf, _ = self.convert(os.path.join(lib.FIXTURES, VFR), 'vf.gif')
        vr, _ = self.convert(os.path.join(lib.FIXTURES, VFR), 'vr.gif', '--reverse')
        d_fwd, d_rev = lib.probe(vf)['delays_cs'], lib.probe(vr)['delays_cs']
        self.assertEqual(d_rev, d_fwd[::-1])
        self.assertNotEqual(d_fwd, d_fwd[::-1])

    def test_bounce_order_and_total(self):
        src = self.clips['numbered']
        out, rep = self.convert(src, 'b.gif', '--bounce')
        self.assertEqual(frame_numbers(out, src), list(range(20)) + list(range(18, 0, -1)))
        self.assertEqual(lib.probe(out)['total_cs'], 380)   # 20 + 18 frames of 10 cs
        self.assertAlmostEqual(rep['duration'], 3.8, places=2)
        out, rep = self.convert(src, 'b.mp4', '--bounce', '--reverse')
        self.assertEqual(frame_numbers(out, src), list(range(19, -1, -1)) + list(range(1, 19)))
        frames, dur = stream_info(out)
        self.assertEqual(frames, 38)
        self.assertAlmostEqual(dur, 3.8, delta=0.011)

    def test_smooth_loop_last_frame_leads_into_first(self):
        """The jump from the last frame back to the first is no bigger than an ordinary
        step from one frame to the next, where without the option it is much bigger."""
        src = os.path.join(lib.FIXTURES, MOTION)
        plain, _ = self.convert(src, 'plain.gif')
        smooth, rep = self.convert(src, 'smooth.gif', '--smooth-loop', '0.6')
        first, last, w, h = first_last_rgb(plain)
        s_plain = frame_ssim(first, last, w, h, self.tmp)
        raw = ffmpeg('-i', smooth, '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt',
                     'rgb24', '-')
        n = w * h * 3
        fr = [raw[i:i + n] for i in range(0, len(raw), n)]
        s_loop = frame_ssim(fr[-1], fr[0], w, h, self.tmp)
        steps = [frame_ssim(fr[k], fr[k + 1], w, h, self.tmp) for k in (0, 6, 12, 18)]
        print('\nlast vs first frame SSIM: plain %.4f, --smooth-loop 0.6 %.4f; '
              'consecutive frames %s' % (s_plain, s_loop, ' '.join('%.4f' % s for s in steps)),
              file=sys.stderr)
        self.assertGreater(s_loop, min(steps) - 0.02)
        self.assertGreater(s_loop, s_plain + 0.1)
        # 15 fps: the 9 frames starting within 0.6 s are consumed; each keeps its delay
        self.assertEqual(lib.probe(smooth)['total_cs'], 200 - 60)
        self.assertAlmostEqual(rep['duration'], 1.4, places=2)
        self.assertEqual(rep['settings']['smooth_loop'], 0.6)
        # at most half the clip: 5 s asked of 2 s
        out, rep = self.convert(src, 'half.mp4', '--smooth-loop=5')
        self.assertAlmostEqual(stream_info(out)[1], 1.0, delta=0.011)

    def test_frames_step_keeps_duration(self):
        src = self.clips['landscape']
        out, rep = self.convert(src, 's.mp4', '--frames-step', '3')
        frames, dur = stream_info(out)
        self.assertEqual(frames, 17)              # 50 frames: 0, 3, ... 48
        self.assertAlmostEqual(dur, 2.0, delta=0.011)
        out, rep = self.convert(src, 's.gif', '--frames-step', '3')
        info = lib.probe(out)
        self.assertEqual(info['frames'], 10)      # 30 at 15 fps
        self.assertEqual(info['total_cs'], 200)
        self.assertEqual(info['delays_cs'][0], 20)
        self.assertEqual(rep['settings']['frames_step'], 3)

    def test_drop_duplicates_merges_held_frames(self):
        out, rep = self.convert(self.clips['held'], 'd.mp4', '--drop-duplicates')
        frames, dur = stream_info(out)
        self.assertEqual(frames, 4)
        self.assertAlmostEqual(dur, 2.0, delta=0.011)
        self.assertEqual(frame_numbers(out, self.clips['held']), [0, 5, 10, 15])
        out, _ = self.convert(self.clips['held'], 'nd.mp4')
        self.assertEqual(stream_info(out)[0], 20)  # without it every frame stays
        self.assertTrue(rep['settings']['drop_duplicates'])

    # ---- with the rest ----

    def test_bounce_under_max_size(self):
        src = self.clips['landscape']
        for ext, budget in (('gif', 150000), ('mp4', 40000)):
            with self.subTest(fmt=ext):
                out, rep = self.convert(src, 'm.' + ext, '--bounce', '--max-size',
                                        str(budget))
                self.assertLessEqual(os.path.getsize(out), budget)
                self.assertTrue(rep['budget']['searched'])
                self.assertGreater(rep['duration'], 3.8)   # the bounce survived the search
                self.assertTrue(rep['settings']['bounce'])

    def test_batch_applies_edits(self):
        folder = os.path.join(self.tmp, 'in')
        outdir = os.path.join(self.tmp, 'outdir')
        os.makedirs(folder, exist_ok=True)
        for name in (LANDSCAPE, ROTATED):
            shutil.copy(os.path.join(lib.FIXTURES, name), folder)
        p = lib.run_gifc([folder, '-o', outdir, '--aspect', '1:1', '--bounce', '-j', '1',
                          '--json'])
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        for name in (LANDSCAPE, ROTATED):
            out = os.path.join(outdir, os.path.splitext(name)[0] + '.gif')
            self.assertEqual(dims(out), (180, 180))
            self.assertEqual(lib.probe(out)['frames'], 58)   # 30 at 15 fps, bounced

    def test_json_lists_edits(self):
        _, rep = self.convert(self.clips['landscape'], 'j.gif', '--crop', '200:100:10:10',
                              '--aspect', '4:5', '--reverse', '--drop-duplicates')
        s = rep['settings']
        self.assertEqual(s['crop'], '200:100:10:10')
        self.assertEqual(s['aspect'], '4:5')
        self.assertEqual(s['aspect_fit'], 'crop')
        self.assertEqual((s['reverse'], s['bounce'], s['drop_duplicates']), (True, False, True))
        self.assertIsNone(s['smooth_loop'])
        self.assertEqual(s['frames_step'], 1)
        self.assertEqual((rep['width'], rep['height']), (80, 100))


def main():
    rest = lib.configure(sys.argv[1:], __doc__.splitlines()[0])
    if lib.FIXTURES is None:
        sys.exit('edit_test.py: --fixtures is required')
    prog = unittest.main(argv=[sys.argv[0]] + rest, exit=False, verbosity=2)
    sys.exit(0 if prog.result.wasSuccessful() else 1)


if __name__ == '__main__':
    main()
