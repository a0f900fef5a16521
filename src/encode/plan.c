/* Defaults: what a conversion produces when the user leaves a setting alone.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "encode/plan.h"
#include "encode/formats.h"

#include "picture/scale.h"

#include <math.h>
#include <string.h>
#include <strings.h>

/* Defaults that make a short clip a shareable GIF of a few MB (README has measured sizes). */
#define GIF_VIDEO_BOX 480
#define GIF_VIDEO_FPS 15.0
#define MP4_LONG_SIDE 1280
#define MP4_SHORT_SIDE 720

gifc_format plan_format_from_path(const char *path) { return formats_from_path(path); }

const char *plan_format_label(gifc_format f) { return formats_effective(f)->label; }

static gifc_format choose_format(const gifc_options *o, const char *out_path)
{
    if (o->format != GIFC_FORMAT_AUTO) return o->format;
    gifc_format f = plan_format_from_path(out_path);
    return f == GIFC_FORMAT_AUTO ? GIFC_FORMAT_GIF : f;
}

/* Formats made for video: the source's timing and a large picture by default. */
static int is_video(gifc_format f) { return f == GIFC_FORMAT_MP4 || f == GIFC_FORMAT_WEBM; }

/* gifc_options.fill: the picture (already padded or cut to the box's aspect by the
 * geometry, so the box itself for PAD and CROP) scaled to touch the box, up if need be. */
static void fill_box(int fill, const source_info *si, int bw, int bh, int *w, int *h)
{
    if (fill != GIFC_FILL_FIT) {
        *w = bw;
        *h = bh;
        return;
    }
    double k = fmin((double)bw / si->width, (double)bh / si->height);
    *w = (int)lround(si->width * k);
    *h = (int)lround(si->height * k);
    if (*w < 1) *w = 1;
    if (*h < 1) *h = 1;
}

static void choose_size(const gifc_options *o, const source_info *si, gifc_format fmt,
                        int *w, int *h)
{
    int bw = o->width, bh = o->height;
    if (!bw && !bh) {
        if (is_video(fmt)) {
            int portrait = si->height > si->width;
            bw = portrait ? MP4_SHORT_SIDE : MP4_LONG_SIDE;
            bh = portrait ? MP4_LONG_SIDE : MP4_SHORT_SIDE;
        } else if (!si->is_animation) {
            bw = bh = GIF_VIDEO_BOX;
        }
    }
    scale_fit(si->width, si->height, bw, bh, w, h);
    if (o->fill && bw > 0 && bh > 0) fill_box(o->fill, si, bw, bh, w, h);
    if (is_video(fmt)) { /* yuv420p needs even sizes */
        *w = *w < 2 ? 2 : *w & ~1;
        *h = *h < 2 ? 2 : *h & ~1;
    }
}

static double choose_fps(const gifc_options *o, const source_info *si, gifc_format fmt)
{
    if (o->fps > 0) return o->fps;
    if (is_video(fmt) || si->is_animation) return 0;
    /* A source at or under the default rate keeps its own (possibly variable) timing. */
    if (si->fps > 0 && si->fps * (o->speed > 0 ? o->speed : 1) <= GIF_VIDEO_FPS + 0.01) return 0;
    return GIF_VIDEO_FPS;
}


/* x264 CRF: 23 at quality 90. An animation (GIF, APNG, WebP) is already quantised and
 * dithered, and CRF 23 spends its bits copying that noise: 5 more halve such MP4s at an
 * SSIM cost of 0.003-0.01 (corpus GIFs: 0.19 -> 0.11 of the input, SSIM >= 0.98). */
static int crf_for(int quality, int animation)
{
    int crf = (int)lround(18 + (100 - quality) * 0.5) + (animation ? 5 : 0);
    return crf > 51 ? 51 : crf;
}

/* CRF added when an MP4 is doubled (plan_double). Measured on the corpus terminal GIF
 * (thefuck, 686x379, 646 kB; README "Coloured text in MP4"): CRF 28 at 2x makes 1.2x the
 * input's bytes, 36 0.66x at SSIM 0.975 against the input (over RGB, at its size), where
 * the plain 4:2:0 MP4 reaches 0.950 at 0.53x. */
#define DOUBLED_CRF_ADD 8

int plan_may_double(const gifc_options *o, const source_info *si, const plan *p)
{
    return p->format == GIFC_FORMAT_MP4 && si->is_animation && !o->width && !o->height &&
           !o->max_size && p->w >= (si->width & ~1) && p->h >= (si->height & ~1);
}

void plan_double(plan *p, const source_info *si)
{
    p->w = 2 * si->width;
    p->h = 2 * si->height;
    p->crf = p->crf + DOUBLED_CRF_ADD > 51 ? 51 : p->crf + DOUBLED_CRF_ADD;
    p->doubled = 1;
}

/* libwebp quality from --quality: 90 gives 80. Measured against gifc's GIF at defaults
 * (SSIM as bench/formats.sh): libwebp's own default 75 lost 0.007 SSIM on the motion
 * fixture; 80 is within 0.002 there at 0.09x the bytes, and 0.47x the bytes (SSIM 0.974 vs
 * 0.982) on a detailed water clip, where even 85 (0.56x) stays below the GIF's SSIM. */
static int webp_quality_for(int quality)
{
    int q = quality - 10;
    return q < 0 ? 0 : q > 100 ? 100 : q;
}

/* libvpx-vp9 CRF: 31 at quality 90 (libvpx's own suggestion for 720p is 31-32). */
static int vp9_crf_for(int quality)
{
    int crf = (int)lround(18 + (100 - quality) * 1.3);
    return crf < 0 ? 0 : crf > 63 ? 63 : crf;
}

/* AV1 quantizer (0..63): 24 at quality 90 (measured on the corpus, README). */
static int avif_q_for(int quality)
{
    int q = (int)lround(4 + (100 - quality) * 2.0);
    return q < 0 ? 0 : q > 63 ? 63 : q;
}

void plan_make(const gifc_options *o, const source_info *si, const char *out_path, plan *p)
{
    memset(p, 0, sizeof *p);
    p->format = choose_format(o, out_path);
    choose_size(o, si, p->format, &p->w, &p->h);
    p->fixed_size = o->fill != GIFC_FILL_NONE && o->width > 0 && o->height > 0;
    p->timing.start = o->start;
    p->timing.duration = o->duration;
    p->timing.speed = o->speed > 0 ? o->speed : 1.0;
    p->timing.fps = choose_fps(o, si, p->format);
    p->dither = o->dither >= 0 ? o->dither : 1.0;
    p->colors = o->colors;
    p->quality = o->quality;
    p->lossy = o->lossy;
    p->crf = crf_for(o->quality, si->is_animation);
    p->webp_quality = webp_quality_for(o->quality);
    p->lossless = o->lossless;
    p->vp9_crf = vp9_crf_for(o->quality);
    p->avif_q = avif_q_for(o->quality);
    double span = si->duration > 0 ? si->duration - o->start : 0;
    if (o->duration > 0 && (span <= 0 || o->duration < span)) span = o->duration;
    if (span < 0) span = 0;
    p->seconds = span / p->timing.speed;
    if (p->timing.fps > 0) p->frames_estimate = (int64_t)(span / p->timing.speed * p->timing.fps);
    else if (si->duration > 0) p->frames_estimate = (int64_t)(si->frames * span / si->duration);
    else p->frames_estimate = si->frames;
    edit_params_from(o, &p->edit);
    edit_estimate(&p->edit, &p->seconds, &p->frames_estimate);
}
