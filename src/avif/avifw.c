/* Animated AVIF writer.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "avif/avifw.h"

#include <avif/avif.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* libavif speeds for libaom (0 slowest .. 10). Measured on the corpus water clip (480x360,
 * 3 s, README): speed 6 (aom's "good" mode) makes 28% smaller files than 7 or 8 at equal
 * SSIM but takes 3.3x gifc's GIF time and 98 MB; 7 and above run aom's real-time mode,
 * 0.4-0.6x the GIF time at 57 MB. 8 is the default, 10 --fast. */
#define AVIFW_SPEED 8
#define AVIFW_SPEED_FAST 10

struct avifw {
    avifEncoder *enc;
    avifImage *img;
    int width, height, alpha;
    int64_t end_ms;    /* where the previous frame ended on the ms timeline */
    int64_t frames;
    int failed;
};

static gifc_error avif_fail(avifw *w, gerr *err, const char *what, avifResult r)
{
    w->failed = 1;
    const char *detail = w->enc && w->enc->diag.error[0] ? w->enc->diag.error : "";
    return gerr_set(err, r == AVIF_RESULT_OUT_OF_MEMORY ? GIFC_ERR_NOMEM : GIFC_ERR_ENCODE,
                    "avif: %s failed (%s%s%s)", what, avifResultToString(r),
                    *detail ? ": " : "", detail);
}

static void set_colour(avifImage *img)
{
    img->colorPrimaries = AVIF_COLOR_PRIMARIES_BT709;
    img->transferCharacteristics = AVIF_TRANSFER_CHARACTERISTICS_SRGB;
    img->matrixCoefficients = AVIF_MATRIX_COEFFICIENTS_BT601;
    img->yuvRange = AVIF_RANGE_FULL;
    img->alphaPremultiplied = AVIF_FALSE;
}

gifc_error avifw_open(avifw **out, const avifw_params *p, gerr *err)
{
    *out = NULL;
    if (p->width < 1 || p->height < 1 || p->width > AVIFW_MAX_SIDE ||
        p->height > AVIFW_MAX_SIDE || p->quantizer < 0 || p->quantizer > AVIFW_MAX_Q)
        return gerr_set(err, GIFC_ERR_INVALID_ARG, "avif: bad writer settings (%dx%d q %d)",
                        p->width, p->height, p->quantizer);
    if (!avifCodecName(AVIF_CODEC_CHOICE_AUTO, AVIF_CODEC_FLAG_CAN_ENCODE))
        return gerr_set(err, GIFC_ERR_ENCODE, "avif: this libavif has no AV1 encoder");
    avifw *w = calloc(1, sizeof *w);
    if (!w) return gerr_set(err, GIFC_ERR_NOMEM, "out of memory");
    *out = w;
    w->width = p->width;
    w->height = p->height;
    w->alpha = p->alpha;
    w->enc = avifEncoderCreate();
    w->img = avifImageCreate((uint32_t)p->width, (uint32_t)p->height, 8,
                             AVIF_PIXEL_FORMAT_YUV420);
    if (!w->enc || !w->img) return gerr_set(err, GIFC_ERR_NOMEM, "out of memory");
    set_colour(w->img);
    /* aom when there: SVT-AV1 (via libavif 0.11) logs to the terminal and peaks above
     * 100 MB, rav1e took 8x as long on the same clip (README) */
    w->enc->codecChoice = avifCodecName(AVIF_CODEC_CHOICE_AOM, AVIF_CODEC_FLAG_CAN_ENCODE)
                              ? AVIF_CODEC_CHOICE_AOM : AVIF_CODEC_CHOICE_AUTO;
    w->enc->maxThreads = p->threads > 0 ? p->threads : 2;
    w->enc->speed = p->fast ? AVIFW_SPEED_FAST : AVIFW_SPEED;
    w->enc->timescale = 1000;
    w->enc->keyframeInterval = 0; /* as WebP: no forced keyframes, smallest files */
    w->enc->minQuantizer = w->enc->maxQuantizer = p->quantizer;
    /* alpha edges show every error: half the colour quantizer */
    w->enc->minQuantizerAlpha = w->enc->maxQuantizerAlpha = p->quantizer / 2;
    w->enc->autoTiling = AVIF_TRUE;
    return GIFC_OK;
}

gifc_error avifw_push(avifw *w, const gframe *f, gerr *err)
{
    if (w->failed) return gerr_set(err, GIFC_ERR_INVALID_ARG, "avif: writer already failed");
    if (f->w != w->width || f->h != w->height)
        return gerr_set(err, GIFC_ERR_INVALID_ARG, "avif: frame is %dx%d, writer %dx%d", f->w,
                        f->h, w->width, w->height);
    int64_t start = w->frames ? w->end_ms : (int64_t)llround(f->pts * 1000.0);
    int64_t end = (int64_t)llround((f->pts + (f->duration > 0 ? f->duration : 0)) * 1000.0);
    if (end <= start) end = start + 1;
    avifRGBImage rgb;
    avifRGBImageSetDefaults(&rgb, w->img);
    rgb.format = AVIF_RGB_FORMAT_RGBA;
    rgb.depth = 8;
    rgb.pixels = f->rgba;
    rgb.rowBytes = (uint32_t)f->stride;
    rgb.ignoreAlpha = w->alpha ? AVIF_FALSE : AVIF_TRUE;
    avifResult r = avifImageRGBToYUV(w->img, &rgb);
    if (r != AVIF_RESULT_OK) return avif_fail(w, err, "colour conversion", r);
    r = avifEncoderAddImage(w->enc, w->img, (uint64_t)(end - start), AVIF_ADD_IMAGE_FLAG_NONE);
    if (r != AVIF_RESULT_OK) return avif_fail(w, err, "encoding a frame", r);
    w->end_ms = end;
    w->frames++;
    return GIFC_OK;
}

gifc_error avifw_finish(avifw *w, FILE *fp, uint64_t *bytes, gerr *err)
{
    if (w->failed || !w->frames)
        return gerr_set(err, GIFC_ERR_INVALID_ARG, "avif: no frame to write");
    avifRWData data = AVIF_DATA_EMPTY;
    avifResult r = avifEncoderFinish(w->enc, &data);
    if (r != AVIF_RESULT_OK) return avif_fail(w, err, "assembling", r);
    int bad = fwrite(data.data, 1, data.size, fp) != data.size || fflush(fp);
    *bytes = data.size;
    avifRWDataFree(&data);
    if (bad) return gerr_set(err, GIFC_ERR_OUTPUT, "cannot write the output");
    return GIFC_OK;
}

void avifw_free(avifw **w)
{
    if (!w || !*w) return;
    if ((*w)->enc) avifEncoderDestroy((*w)->enc);
    if ((*w)->img) avifImageDestroy((*w)->img);
    free(*w);
    *w = NULL;
}
