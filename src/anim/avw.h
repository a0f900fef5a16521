/* APNG and WebM (VP9) writer over libavcodec / libavformat: RGBA frames in, a finished file
 * out, alpha kept.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage:
 *   avw *w = NULL;
 *   if (avw_open(&w, path, &params, err)) goto fail;   // file created, header written
 *   for each frame: if (avw_push(w, &frame, err)) goto fail;
 *   if (avw_finish(w, err)) goto fail;                 // file complete
 *   avw_free(&w);   // also on failure; a partial file is left for the caller to delete
 *
 * Timing: milliseconds (time base 1/1000), every frame its own pts and duration, so the
 * file keeps the caller's variable frame rate; the last frame's duration sets the end.
 * APNG: libavcodec's apng encoder (RGBA, or RGB when alpha is off; it crops each frame to
 * what changed and picks the blend itself), the apng muxer with the loop count.
 * WebM: libvpx-vp9 in constant-quality mode (CRF), yuva420p with alpha (the muxer tags
 * alpha_mode) else yuv420p, BT.601 limited range.
 */
#ifndef GIFC_AVW_H
#define GIFC_AVW_H
#include <stdint.h>
#include "base/gerr.h"
#include "base/gframe.h"

typedef enum avw_kind { AVW_APNG, AVW_WEBM } avw_kind;

#define AVW_MAX_SIDE 16384

typedef struct avw_params {
    avw_kind kind;
    int width, height;    /* WebM: rounded down to even (size 1 is refused) */
    int alpha;            /* keep transparency */
    int crf;              /* WebM: libvpx-vp9 CRF 0..63 */
    int loop;             /* APNG: 0 = forever, N times; < 0: once */
    int threads;          /* 0: auto */
    int fast;             /* WebM: cpu-used 8 instead of 4; APNG: the paeth filter only */
} avw_params;

typedef struct avw avw;

/* Errors: GIFC_ERR_INVALID_ARG, GIFC_ERR_OUTPUT (names path), GIFC_ERR_ENCODE (codec
 * missing or refusing), GIFC_ERR_NOMEM. */
gifc_error avw_open(avw **out, const char *path, const avw_params *p, gerr *err);
/* f borrowed; presentation order, pts increasing. */
gifc_error avw_push(avw *w, const gframe *f, gerr *err);
/* Bytes of packets written so far. */
uint64_t avw_bytes(const avw *w);
/* The size encoded (WebM: even). */
void avw_size(const avw *w, int *width, int *height);
gifc_error avw_finish(avw *w, gerr *err);
void avw_free(avw **w);
#endif
