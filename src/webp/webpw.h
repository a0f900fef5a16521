/* Animated WebP writer (libwebpmux's WebPAnimEncoder): RGBA frames in, a .webp file out.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage:
 *   webpw *w = NULL;
 *   if (webpw_open(&w, &params, err)) goto fail;
 *   for each frame: if (webpw_push(w, &frame, err)) goto fail;
 *   if (webpw_finish(w, fp, &bytes, err)) goto fail;   // the whole file written to fp
 *   webpw_free(&w);
 *
 * Timing: every frame keeps its own duration, rounded to the millisecond on the running
 * timeline (so rounding never drifts; variable frame rate kept). A frame shorter than 1 ms
 * after rounding still gets 1 ms. Alpha is kept (a frame without alpha is imported opaque).
 * Lossy (quality maps to libwebp's 0..100 scale), lossless, or mixed: libwebp encodes each
 * frame both ways and keeps the smaller (flat art and screen captures then come out lossless
 * where that is smaller). The encoder holds only the compressed frames in memory.
 * Not thread-safe per writer; distinct writers are independent.
 */
#ifndef GIFC_WEBPW_H
#define GIFC_WEBPW_H
#include <stdint.h>
#include <stdio.h>
#include "base/gerr.h"
#include "base/gframe.h"

/* libwebp's limit on a side. */
#define WEBPW_MAX_SIDE 16383

typedef struct webpw_params {
    int width, height;   /* every pushed frame has this size; 1..WEBPW_MAX_SIDE */
    double quality;      /* libwebp quality 0..100 (lossy: picture quality; lossless: effort) */
    int lossless;        /* 1: every frame lossless */
    int mixed;           /* lossless 0: try lossless per frame too, keep the smaller */
    int loop;            /* 0 = forever, N = N times; < 0: once (stored as 1) */
    int fast;            /* a quicker method (2 instead of 4), no mixed trial */
    int threads;         /* 0 / 1: one thread; more: libwebp's own multithreading */
} webpw_params;

typedef struct webpw webpw;

/* Errors: GIFC_ERR_INVALID_ARG (bad params), GIFC_ERR_ENCODE, GIFC_ERR_NOMEM. */
gifc_error webpw_open(webpw **out, const webpw_params *p, gerr *err);
/* f borrowed; frames in presentation order, f->pts increasing, size as opened. */
gifc_error webpw_push(webpw *w, const gframe *f, gerr *err);
/* Assembles the file and writes it to fp (borrowed); *bytes its size. At least one frame. */
gifc_error webpw_finish(webpw *w, FILE *fp, uint64_t *bytes, gerr *err);
void webpw_free(webpw **w);
#endif
