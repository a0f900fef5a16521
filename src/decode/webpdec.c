/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "decode/webpdec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <webp/demux.h>

struct webpdec {
    uint8_t *owned;        /* file contents when opened from a path */
    WebPData data;
    WebPAnimDecoder *dec;
    AVFrame *frame;        /* wraps the decoder's canvas; no copy */
    int w, h;
    int prev_ms;           /* end time of the previous frame */
};

int webpdec_sniff(const uint8_t *h, size_t n)
{
    return n >= 12 && !memcmp(h, "RIFF", 4) && !memcmp(h + 8, "WEBP", 4);
}

static gifc_error slurp(const char *path, uint8_t **buf, size_t *size, gerr *e)
{
    FILE *f = fopen(path, "rb");
    if (!f) return gerr_set(e, GIFC_ERR_INPUT, "%s: %s", path, strerror(errno));
    uint8_t *b = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 1 << 16;
            uint8_t *nb = realloc(b, cap);
            if (!nb) {
                free(b);
                fclose(f);
                return gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
            }
            b = nb;
        }
        size_t got = fread(b + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(b);
        return gerr_set(e, GIFC_ERR_INPUT, "%s: read error", path);
    }
    *buf = b;
    *size = n;
    return GIFC_OK;
}

/* The canvas and frame count the file declares, read by the demuxer alone: libwebp's
 * animation decoder allocates two RGBA canvases of the declared size before it looks at
 * any frame (found by fuzzing: a header claiming 13107328x96 asked for 5 GB). WebP frames
 * are at most 16383 px a side, so a bigger canvas is damage, whatever the limits; the
 * limits then bound the pixels and frames. */
#define WEBP_MAX_SIDE 16383

static gifc_error check_declared(const WebPData *data, const char *name,
                                 const source_limits *lim, gerr *e)
{
    WebPDemuxer *dmx = WebPDemux(data);
    if (!dmx) return GIFC_OK; /* WebPAnimDecoderNew says what is wrong */
    uint32_t w = WebPDemuxGetI(dmx, WEBP_FF_CANVAS_WIDTH);
    uint32_t h = WebPDemuxGetI(dmx, WEBP_FF_CANVAS_HEIGHT);
    uint32_t n = WebPDemuxGetI(dmx, WEBP_FF_FRAME_COUNT);
    WebPDemuxDelete(dmx);
    if (w > WEBP_MAX_SIDE || h > WEBP_MAX_SIDE)
        return gerr_set(e, GIFC_ERR_UNSUPPORTED,
                        "%s: WebP canvas %ux%u is too large (at most %d px a side)", name, w, h,
                        WEBP_MAX_SIDE);
    if (limits_check_size(lim, name, w, h, e)) return e->code;
    return limits_check_declared_frames(lim, name, n, e);
}

gifc_error webpdec_open(webpdec **out, const char *path, const uint8_t *mem, size_t mem_size,
                        const source_limits *lim, source_info *info, gerr *e)
{
    *out = NULL;
    const char *name = path ? path : "input";
    webpdec *d = calloc(1, sizeof *d);
    if (!d) return gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
    if (path) {
        if (slurp(path, &d->owned, &mem_size, e)) goto fail;
        mem = d->owned;
    }
    d->data.bytes = mem;
    d->data.size = mem_size;
    if (check_declared(&d->data, name, lim, e)) goto fail;
    WebPAnimDecoderOptions opt;
    WebPAnimDecoderOptionsInit(&opt);
    opt.color_mode = MODE_RGBA;
    opt.use_threads = 0;
    d->dec = WebPAnimDecoderNew(&d->data, &opt);
    if (!d->dec) {
        gerr_set(e, GIFC_ERR_CORRUPT, "%s: damaged or truncated WebP file", name);
        goto fail;
    }
    WebPAnimInfo ai;
    if (!WebPAnimDecoderGetInfo(d->dec, &ai) || !ai.canvas_width || !ai.canvas_height) {
        gerr_set(e, GIFC_ERR_CORRUPT, "%s: WebP without a picture", name);
        goto fail;
    }
    d->w = (int)ai.canvas_width;
    d->h = (int)ai.canvas_height;
    d->frame = av_frame_alloc();
    if (!d->frame) {
        gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
        goto fail;
    }
    memset(info, 0, sizeof *info);
    info->width = d->w;
    info->height = d->h;
    info->frames = ai.frame_count;
    info->is_animation = 1;
    info->has_alpha = 1; /* canvas starts transparent; per-frame scan decides */
    info->format = "webp";
    *out = d;
    return GIFC_OK;
fail:
    webpdec_free(&d);
    return e->code;
}

gifc_error webpdec_next(webpdec *d, AVFrame **frame, double *pts, double *dur_hint, gerr *e)
{
    *frame = NULL;
    if (!WebPAnimDecoderHasMoreFrames(d->dec)) return GIFC_OK;
    uint8_t *buf = NULL;
    int end_ms = 0;
    if (!WebPAnimDecoderGetNext(d->dec, &buf, &end_ms))
        return gerr_set(e, GIFC_ERR_CORRUPT, "WebP frame cannot be decoded");
    AVFrame *f = d->frame;
    f->format = AV_PIX_FMT_RGBA;
    f->width = d->w;
    f->height = d->h;
    f->data[0] = buf;
    f->linesize[0] = d->w * 4;
    *pts = d->prev_ms / 1000.0;
    /* WebP players show 0 ms frames for 100 ms, like browsers do for GIF. */
    *dur_hint = end_ms > d->prev_ms ? (end_ms - d->prev_ms) / 1000.0 : 0.1;
    d->prev_ms = end_ms > d->prev_ms ? end_ms : d->prev_ms + 100;
    *frame = f;
    return GIFC_OK;
}

void webpdec_free(webpdec **pd)
{
    if (!pd || !*pd) return;
    webpdec *d = *pd;
    if (d->dec) WebPAnimDecoderDelete(d->dec);
    av_frame_free(&d->frame);
    free(d->owned);
    free(d);
    *pd = NULL;
}
