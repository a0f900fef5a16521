#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Targets tests (gifc --for NAME): every target's result meets every rule of that target
(format, dimensions, bytes, duration, fps, frames), read back with the independent decoder
(tests/probe), on clips short and long, landscape and portrait, with and without alpha;
explicit options inside a rule are kept, outside it refused (exit 2) naming the rule; a
source over a duration cap is cut with a warning (also in --json); OUTPUT without an
extension gets the format's; --for list prints every target.

    python3 tests/e2e/targets_test.py --gifc build/gifc --probe build/tests/probe --fixtures fixtures

The rules are written here from the platforms' published limits (README, "Targets"), not
read from gifc, so a wrong figure in the library's table fails. Long clips are made with
the ffmpeg CLI in a temporary folder. Python 3 standard library only.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import gifc_testlib as lib

KB, MB = 1000, 1000 * 1000
# target: {format: rules}; box (w, h), bytes, fps, seconds, frames; the first format is the
# default one.
RULES = {
    'discord': {'gif': {'bytes': 10 * MB}, 'mp4': {'bytes': 10 * MB}},
    'discord-emoji': {'gif': {'box': (128, 128), 'bytes': 256 * KB}},
    'slack-emoji': {'gif': {'box': (128, 128), 'bytes': 128 * KB, 'frames': 50}},
    'github': {'gif': {'bytes': 10 * MB}, 'mp4': {'bytes': 10 * MB}},
    'github-readme': {'gif': {'bytes': 5 * MB}},
    'x': {'gif': {'box': (1280, 1080), 'bytes': 15 * MB},
          'mp4': {'box': (1920, 1200), 'bytes': 512 * MB, 'fps': 40, 'seconds': 140}},
    # stickers: 'exact' fills the box, 'side' puts one side exactly on it
    'discord-sticker': {'apng': {'box': (320, 320), 'exact': True, 'bytes': 512 * KB}},
    'telegram-sticker': {'webm': {'box': (512, 512), 'side': True, 'bytes': 256 * KB,
                                  'fps': 30, 'seconds': 3, 'audio': False}},
    'whatsapp-sticker': {'webp': {'box': (512, 512), 'exact': True, 'bytes': 500 * KB,
                                  'seconds': 10}},
}
PROBE_FORMAT = {'gif': 'gif', 'mp4': 'mov,mp4,m4a,3gp,3g2,mj2', 'apng': 'apng',
                'webp': 'webp', 'webm': 'matroska,webm'}

SHORT = {
    'short-landscape': 'h264_aac_320x180_25fps_2s.mp4',
    'short-portrait': 'h264_rot90cw_320x180_25fps_2s.mp4',
    'short-alpha': 'webp_anim_alpha_128x96_9frames.webp',
    'short-alpha-gif': 'gif_transparent_localpal_160x90_24frames.gif',
}
TMP = None


def ffmpeg(*args):
    p = subprocess.run(['ffmpeg', '-v', 'error', '-nostdin', '-y'] + list(args),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
    if p.returncode != 0:
        raise AssertionError('ffmpeg %s: %s' % (' '.join(args), p.stderr.decode()[-400:]))


def long_clips():
    """12 s at 60 fps, landscape 320x180, portrait 180x320, and 6 s of VP9 with alpha."""
    clips = {}
    for name, size in (('long-landscape', '320x180'), ('long-portrait', '180x320')):
        path = os.path.join(TMP, name + '.mp4')
        ffmpeg('-f', 'lavfi', '-i', 'testsrc2=size=%s:rate=60:duration=12' % size,
               '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', path)
        clips[name] = path
    path = os.path.join(TMP, 'long-alpha.webm')
    ffmpeg('-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=30:duration=6,format=yuva420p,'
           'geq=lum=lum(X\\,Y):cb=cb(X\\,Y):cr=cr(X\\,Y):a=if(gt(X\\,80)\\,255\\,0)',
           '-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '300k',
           '-auto-alt-ref', '0', path)
    clips['long-alpha'] = path
    return clips


def duration_of(info):
    if info['format'] == 'gif':
        return info['total_cs'] / 100.0
    if info['format'] == 'webp':
        return info['total_ms'] / 1000.0
    if info.get('duration') is not None:
        return info['duration']
    pts = info.get('pts_ms') or [0]  # APNG: no container duration; the last frame as the one before
    last = pts[-1] - pts[-2] if len(pts) > 1 else 0
    return (pts[-1] + last) / 1000.0


def fps_of(info):
    """The highest frame rate the file shows: 1 / its shortest frame."""
    if info['format'] == 'gif':
        return 100.0 / info['min_delay_cs'] if info.get('min_delay_cs') else 0.0
    if info['format'] == 'webp':
        d = [x for x in info['durations_ms'] if x > 0]
        return 1000.0 / min(d) if d else 0.0
    pts = info.get('pts_ms') or []
    deltas = [b - a for a, b in zip(pts, pts[1:]) if b > a]
    # timestamps in whole milliseconds: 30 fps is 33, 34, 33 ms, so half a millisecond
    # of rounding is allowed on the shortest frame
    return 1000.0 / (min(deltas) + 0.5) if deltas else 0.0


class Targets(unittest.TestCase):
    clips = {}

    @classmethod
    def setUpClass(cls):
        cls.clips = {k: os.path.join(lib.FIXTURES, v) for k, v in SHORT.items()}
        if lib.have_ffmpeg():
            cls.clips.update(long_clips())

    def convert(self, target, fmt, src, out, *extra):
        args = [src, '--for', target, '-o', out, '--json', '-q'] + list(extra)
        if fmt:
            args += ['--format', fmt]
        return lib.run_gifc(args)

    def meets_rules(self, target, fmt, rules, clip, p, out):
        what = '%s %s on %s' % (target, fmt, clip)
        self.assertEqual(p.returncode, 0, '%s: %s' % (what, p.stderr.decode()[-300:]))
        rep = json.loads(p.stdout.decode())
        self.assertEqual(rep['target'], target)
        self.assertEqual(rep['format'], fmt, what)
        info = lib.probe(out)
        self.assertEqual(info['format'], PROBE_FORMAT[fmt], what)
        size = os.path.getsize(out)
        self.assertLessEqual(size, rules['bytes'], what)
        self.assertEqual(size, rep['bytes'], what)
        if 'box' in rules:
            self.assertLessEqual(info['width'], rules['box'][0], what)
            self.assertLessEqual(info['height'], rules['box'][1], what)
        if rules.get('exact'):
            self.assertEqual((info['width'], info['height']), rules['box'], what)
        if rules.get('side'):
            self.assertTrue(info['width'] == rules['box'][0] or
                            info['height'] == rules['box'][1], what)
        if rules.get('audio') is False and 'audio_streams' in info:
            self.assertEqual(info['audio_streams'], 0, what)
        if 'fps' in rules:
            self.assertLessEqual(fps_of(info), rules['fps'] * 1.01, what)
        if 'seconds' in rules:
            self.assertLessEqual(duration_of(info), rules['seconds'] + 0.011, what)
        if 'frames' in rules:
            self.assertLessEqual(info['frames'], rules['frames'], what)
        return rep, info

    def test_every_target_meets_its_rules(self):
        """Each target and format, on every clip: the file read back keeps every rule."""
        jobs = []
        folder = tempfile.mkdtemp(prefix='targets-', dir=TMP)
        for target, formats in RULES.items():
            for k, (fmt, rules) in enumerate(formats.items()):
                for clip, src in self.clips.items():
                    out = os.path.join(folder, '%s-%s-%s.%s' % (target, fmt, clip, fmt))
                    # the default format is asked for by --for alone; the others by --format
                    jobs.append((target, fmt, rules, clip, out,
                                 (lambda t=target, f=None if k == 0 else fmt, s=src, o=out:
                                  self.convert(t, f, s, o))))
        results = lib.parallel([j[5] for j in jobs])
        for (target, fmt, rules, clip, out, _), p in zip(jobs, results):
            with self.subTest(target=target, format=fmt, clip=clip):
                if target == 'discord-sticker' and clip.startswith('long-'):
                    self.over_budget_refused(p, out)
                    continue
                self.meets_rules(target, fmt, rules, clip, p, out)

    def over_budget_refused(self, p, out):
        """Discord stickers have no duration cap, and APNG is true colour here: 12 s of
        testsrc2 at 320x320 stays over 512 KB even at 5 fps. The rule is kept by refusing
        (exit 8, one line, nothing written), never by a smaller picture."""
        err = p.stderr.decode()
        self.assertEqual(p.returncode, 8, err)
        self.assertEqual(len(err.strip().splitlines()), 1, err)
        self.assertIn('320x320', err)
        self.assertFalse(os.path.exists(out))

    def test_slack_emoji_long_source_is_cut_with_a_warning(self):
        if 'long-landscape' not in self.clips:
            self.skipTest('no ffmpeg to make a long clip')
        out = os.path.join(TMP, 'slack-cut.gif')
        p = self.convert('slack-emoji', None, self.clips['long-landscape'], out)
        rep, info = self.meets_rules('slack-emoji', 'gif', RULES['slack-emoji']['gif'],
                                     'long-landscape', p, out)
        self.assertTrue(any('cut' in w and 'slack-emoji' in w for w in rep['warnings']), rep)
        self.assertGreater(duration_of(info), 2.5)  # cut to the cap, not to nothing
        p = lib.run_gifc([self.clips['long-landscape'], '--for', 'slack-emoji', '-o',
                          os.path.join(TMP, 'slack-cut2.gif')])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn('warning: slack-emoji takes at most', p.stderr.decode())

    def test_cut_starts_at_start(self):
        if 'long-landscape' not in self.clips:
            self.skipTest('no ffmpeg to make a long clip')
        out = os.path.join(TMP, 'slack-start.gif')
        p = self.convert('slack-emoji', None, self.clips['long-landscape'], out, '--start', '2')
        rep, info = self.meets_rules('slack-emoji', 'gif', RULES['slack-emoji']['gif'],
                                     'long-landscape', p, out)
        self.assertEqual(rep['settings']['start'], 2)
        self.assertTrue(any('from 2 s' in w for w in rep['warnings']), rep)
        self.assertGreater(duration_of(info), 3.0)

    def test_x_mp4_duration_cap(self):
        if not lib.have_ffmpeg():
            self.skipTest('no ffmpeg')
        src = os.path.join(TMP, 'long-145s.mp4')
        ffmpeg('-f', 'lavfi', '-i', 'testsrc2=size=96x54:rate=50:duration=145',
               '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', src)
        out = os.path.join(TMP, 'x-long.mp4')
        p = self.convert('x', 'mp4', src, out)
        rep, info = self.meets_rules('x', 'mp4', RULES['x']['mp4'], 'long-145s', p, out)
        self.assertGreater(duration_of(info), 139)
        self.assertTrue(rep.get('warnings'), rep)

    def test_sticker_bars_are_transparent(self):
        """A 16:9 clip in a square sticker: padded with transparency (read back by the
        independent decoder), or cut with --aspect-fit crop (no transparent pixel)."""
        src = self.clips['short-landscape']
        out = os.path.join(TMP, 'wa.webp')
        p = self.convert('whatsapp-sticker', None, src, out)
        self.meets_rules('whatsapp-sticker', 'webp', RULES['whatsapp-sticker']['webp'],
                         'short-landscape', p, out)
        info = lib.probe(out)
        # 320x180 fitted into 512x512 is 512x288: two bars of 112 rows
        self.assertEqual(info['transparent_pixels'][0], 512 * (512 - 288))
        out = os.path.join(TMP, 'wa-crop.webp')
        p = self.convert('whatsapp-sticker', None, src, out, '--aspect-fit', 'crop')
        self.meets_rules('whatsapp-sticker', 'webp', RULES['whatsapp-sticker']['webp'],
                         'short-landscape', p, out)
        self.assertEqual(lib.probe(out)['transparent_pixels'][0], 0)
        out = os.path.join(TMP, 'ds.apng')
        p = self.convert('discord-sticker', None, self.clips['short-portrait'], out)
        self.meets_rules('discord-sticker', 'apng', RULES['discord-sticker']['apng'],
                         'short-portrait', p, out)
        self.assertEqual(lib.probe(out)['pix_fmt'], 'rgba')

    def test_sticker_long_source_is_cut(self):
        if 'long-landscape' not in self.clips:
            self.skipTest('no ffmpeg to make a long clip')
        for target, fmt, cap in (('telegram-sticker', 'webm', 3),
                                 ('whatsapp-sticker', 'webp', 10)):
            with self.subTest(target=target):
                out = os.path.join(TMP, 'long-%s.%s' % (target, fmt))
                p = self.convert(target, None, self.clips['long-landscape'], out)
                rep, info = self.meets_rules(target, fmt, RULES[target][fmt],
                                             'long-landscape', p, out)
                self.assertGreater(duration_of(info), cap - 0.2)
                self.assertTrue(any('cut' in w and target in w for w in rep['warnings']), rep)

    def test_sticker_options_breaking_a_rule(self):
        src = self.clips['short-landscape']
        cases = [
            (['--for', 'whatsapp-sticker', '--width', '256'], 'width 256', 'exactly 512x512'),
            (['--for', 'telegram-sticker', '--height', '300'], 'height 300',
             'one side exactly'),
            (['--for', 'telegram-sticker', '--fps', '60'], 'fps 60', '30 fps'),
            (['--for', 'telegram-sticker', '--duration', '4'], 'duration 4', '3 s'),
            (['--for', 'discord-sticker', '--format', 'gif'], 'format gif', 'apng only'),
            (['--for', 'whatsapp-sticker', '--fill', 'fit'], 'fill fit', 'exactly'),
        ]
        for extra, rule, limit in cases:
            with self.subTest(extra=extra):
                out = os.path.join(TMP, 'never-sticker')
                p = lib.run_gifc([src, '-o', out] + extra)
                err = p.stderr.decode()
                self.assertEqual(p.returncode, 2, err)
                self.assertEqual(len(err.strip().splitlines()), 1, err)
                self.assertIn(rule, err)
                self.assertIn(limit, err)
                self.assertEqual([n for n in os.listdir(TMP) if n.startswith('never-')], [])

    def test_batch_with_a_sticker_target(self):
        folder = tempfile.mkdtemp(prefix='batch-', dir=TMP)
        outdir = os.path.join(folder, 'out')
        for name in ('h264_aac_320x180_25fps_2s.mp4', 'h264_rot90cw_320x180_25fps_2s.mp4'):
            shutil.copy(os.path.join(lib.FIXTURES, name), folder)
        p = lib.run_gifc([folder, '--for', 'whatsapp-sticker', '-o', outdir, '-q'])
        self.assertEqual(p.returncode, 0, p.stderr)
        made = sorted(os.listdir(outdir))
        self.assertEqual(len(made), 2, made)
        for name in made:
            self.assertTrue(name.endswith('.webp'), made)
            info = lib.probe(os.path.join(outdir, name))
            self.assertEqual((info['width'], info['height']), (512, 512), name)
            self.assertLessEqual(os.path.getsize(os.path.join(outdir, name)), 500 * KB)

    def test_explicit_options_inside_rules_are_kept(self):
        out = os.path.join(TMP, 'emoji-64.gif')
        p = self.convert('discord-emoji', None, self.clips['short-landscape'], out,
                         '--width', '64', '--max-size', '100K')
        rep, info = self.meets_rules('discord-emoji', 'gif', RULES['discord-emoji']['gif'],
                                     'short-landscape', p, out)
        self.assertLessEqual(info['width'], 64)
        self.assertLessEqual(os.path.getsize(out), 100 * KB)
        self.assertEqual(rep['budget']['max_size'], 100 * KB)

    def test_options_breaking_a_rule_are_usage_errors(self):
        src = self.clips['short-landscape']
        cases = [
            (['--for', 'discord-emoji', '--width', '200'], 'width 200', '128x128'),
            (['--for', 'discord-emoji', '--max-size', '1M'], 'max_size', '256 KB'),
            (['--for', 'discord-emoji', '--format', 'mp4'], 'format mp4', 'gif only'),
            (['--for', 'slack-emoji', '--audio'], 'audio', 'no audio'),
            (['--for', 'x', '--format', 'mp4', '--fps', '60'], 'fps 60', '40 fps'),
            (['--for', 'x', '--format', 'mp4', '--duration', '150'], 'duration 150', '140 s'),
            (['--for', 'slack-emoji', '--fps', '10', '--duration', '6'], 'duration 6', '5 s'),
        ]
        for extra, rule, limit in cases:
            with self.subTest(extra=extra):
                out = os.path.join(TMP, 'never.gif')
                p = lib.run_gifc([src, '-o', out] + extra)
                err = p.stderr.decode()
                self.assertEqual(p.returncode, 2, err)
                self.assertEqual(len(err.strip().splitlines()), 1, err)
                self.assertIn(extra[1], err)
                self.assertIn(rule, err)
                self.assertIn(limit, err)
                self.assertFalse(os.path.exists(out))
        p = lib.run_gifc([src, '--for', 'myspace', '-o', os.path.join(TMP, 'n.gif')])
        self.assertEqual(p.returncode, 2)
        self.assertIn('discord-emoji', p.stderr.decode())  # the targets there are

    def test_output_without_extension(self):
        folder = tempfile.mkdtemp(prefix='bare-', dir=TMP)
        src = self.clips['short-landscape']
        for extra, name in ((['--for', 'discord-emoji'], 'clip.gif'),
                            (['--for', 'discord', '-q'], 'disc.gif'), ([], 'plaingif.gif')):
            with self.subTest(extra=extra):
                stem = os.path.join(folder, name.split('.')[0])
                p = lib.run_gifc([src, '-o', stem, '--json'] + extra)
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertEqual(json.loads(p.stdout.decode())['output'], stem + name[-4:])
                self.assertTrue(os.path.exists(os.path.join(folder, name)))
                self.assertFalse(os.path.exists(stem))
        # with --format the path is taken as it is (an explicit path and format)
        p = lib.run_gifc([src, '-o', os.path.join(folder, 'asis'), '--format', 'mp4', '-q'])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(sorted(os.listdir(folder)),
                         ['asis', 'clip.gif', 'disc.gif', 'plaingif.gif'])  # no temporaries

    def test_existing_output_kept_without_force(self):
        out = os.path.join(TMP, 'exists.gif')
        with open(out, 'wb') as f:
            f.write(b'keep')
        p = lib.run_gifc([self.clips['short-landscape'], '--for', 'discord', '-o', out])
        self.assertEqual(p.returncode, 7, p.stderr)
        with open(out, 'rb') as f:
            self.assertEqual(f.read(), b'keep')
        p = lib.run_gifc([self.clips['short-landscape'], '--for', 'discord', '-o', out, '-f'])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(lib.probe(out)['format'], 'gif')
        self.assertEqual([n for n in os.listdir(TMP) if 'gifc-for' in n], [])

    def test_for_list(self):
        p = lib.run_gifc(['--for', 'list'])
        self.assertEqual(p.returncode, 0)
        text = p.stdout.decode()
        for target in RULES:
            self.assertIn('\n' + target + ' ', '\n' + text)
        self.assertIn('at most 128x128 px, 256 KB', text)
        self.assertIn('512 MB, 40 fps, 140 s', text)
        self.assertIn('exactly 320x320 px, 512 KB', text)
        self.assertIn('one side exactly 512 px', text)


def main():
    global TMP
    rest = lib.configure(sys.argv[1:], __doc__.splitlines()[0])
    if lib.FIXTURES is None:
        sys.exit('targets_test.py: --fixtures is required')
    TMP = tempfile.mkdtemp(prefix='gifc-targets-')
    lib.run_tests(rest, cleanup=lambda: shutil.rmtree(TMP, ignore_errors=True))


if __name__ == '__main__':
    main()
