/* Animated WebP writer.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "webp/webpw.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <webp/encode.h>
#include <webp/mux.h>

struct webpw {
    WebPAnimEncoder *enc;
    WebPConfig config;
    WebPPicture pic;
    int width, height;
    int64_t last_ms;   /* timestamp given to the previous frame; -1 before the first */
    double end;        /* end of the last frame pushed, seconds */
    int64_t frames;
    int failed;
};

gifc_error webpw_open(webpw **out, const webpw_params *p, gerr *err)
{
    *out = NULL;
    if (p->width < 1 || p->height < 1 || p->width > WEBPW_MAX_SIDE ||
        p->height > WEBPW_MAX_SIDE || !(p->quality >= 0 && p->quality <= 100))
        return gerr_set(err, GIFC_ERR_INVALID_ARG, "webp: bad writer settings (%dx%d q %g)",
                        p->width, p->height, p->quality);
    webpw *w = calloc(1, sizeof *w);
    if (!w) return gerr_set(err, GIFC_ERR_NOMEM, "out of memory");
    w->width = p->width;
    w->height = p->height;
    w->last_ms = -1;
    WebPAnimEncoderOptions ao;
    if (!WebPAnimEncoderOptionsInit(&ao) || !WebPConfigInit(&w->config) ||
        !WebPPictureInit(&w->pic)) {
        free(w);
        return gerr_set(err, GIFC_ERR_ENCODE, "webp: libwebp version mismatch");
    }
    ao.anim_params.loop_count = p->loop < 0 ? 1 : p->loop;
    ao.anim_params.bgcolor = 0x00000000; /* transparent: players clear to it between loops */
    ao.allow_mixed = !p->lossless && p->mixed && !p->fast;
    ao.minimize_size = 0;
    ao.kmax = 0; /* no forced keyframes: the smallest files; seeking is rare in animations */
    ao.kmin = 0;
    w->config.lossless = p->lossless ? 1 : 0;
    w->config.quality = (float)p->quality;
    w->config.method = p->fast ? 2 : 4;
    w->config.thread_level = p->threads > 1 ? 1 : 0;
    /* Keep colours exactly under fully transparent pixels off: smaller files. */
    w->config.exact = 0;
    if (!WebPValidateConfig(&w->config)) {
        free(w);
        return gerr_set(err, GIFC_ERR_INVALID_ARG, "webp: libwebp refused the settings");
    }
    w->enc = WebPAnimEncoderNew(p->width, p->height, &ao);
    if (!w->enc) {
        free(w);
        return gerr_set(err, GIFC_ERR_NOMEM, "webp: cannot create the animation encoder");
    }
    w->pic.use_argb = 1;
    w->pic.width = p->width;
    w->pic.height = p->height;
    *out = w;
    return GIFC_OK;
}

static gifc_error encoder_failed(webpw *w, gerr *err, const char *what)
{
    w->failed = 1;
    const char *why = WebPAnimEncoderGetError(w->enc);
    return gerr_set(err, GIFC_ERR_ENCODE, "webp: %s failed (%s)", what,
                    why && *why ? why : "libwebp gave no reason");
}

gifc_error webpw_push(webpw *w, const gframe *f, gerr *err)
{
    if (w->failed) return gerr_set(err, GIFC_ERR_INVALID_ARG, "webp: writer already failed");
    if (f->w != w->width || f->h != w->height)
        return gerr_set(err, GIFC_ERR_INVALID_ARG, "webp: frame is %dx%d, writer %dx%d", f->w,
                        f->h, w->width, w->height);
    int64_t ms = (int64_t)llround(f->pts * 1000.0);
    if (ms <= w->last_ms) ms = w->last_ms + 1;
    int ok = f->has_alpha ? WebPPictureImportRGBA(&w->pic, f->rgba, f->stride)
                          : WebPPictureImportRGBX(&w->pic, f->rgba, f->stride);
    if (!ok) {
        w->failed = 1;
        return gerr_set(err, GIFC_ERR_NOMEM, "webp: cannot import a frame");
    }
    if (!WebPAnimEncoderAdd(w->enc, &w->pic, (int)ms, &w->config))
        return encoder_failed(w, err, "encoding a frame");
    w->last_ms = ms;
    double end = f->pts + (f->duration > 0 ? f->duration : 0);
    if (end > w->end) w->end = end;
    w->frames++;
    return GIFC_OK;
}

gifc_error webpw_finish(webpw *w, FILE *fp, uint64_t *bytes, gerr *err)
{
    if (w->failed || !w->frames)
        return gerr_set(err, GIFC_ERR_INVALID_ARG, "webp: no frame to write");
    int64_t end = (int64_t)llround(w->end * 1000.0);
    if (end <= w->last_ms) end = w->last_ms + 1;
    if (!WebPAnimEncoderAdd(w->enc, NULL, (int)end, NULL))
        return encoder_failed(w, err, "flushing");
    WebPData data;
    WebPDataInit(&data);
    if (!WebPAnimEncoderAssemble(w->enc, &data)) return encoder_failed(w, err, "assembling");
    int bad = fwrite(data.bytes, 1, data.size, fp) != data.size || fflush(fp);
    *bytes = data.size;
    WebPDataClear(&data);
    if (bad) return gerr_set(err, GIFC_ERR_OUTPUT, "cannot write the output");
    return GIFC_OK;
}

void webpw_free(webpw **w)
{
    if (!w || !*w) return;
    WebPAnimEncoderDelete((*w)->enc);
    WebPPictureFree(&(*w)->pic);
    free(*w);
    *w = NULL;
}
