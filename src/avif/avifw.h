/* Animated AVIF writer (libavif): RGBA frames in, a .avif image sequence out.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage:
 *   avifw *w = NULL;
 *   if (avifw_open(&w, &params, err)) goto fail;
 *   for each frame: if (avifw_push(w, &frame, err)) goto fail;
 *   if (avifw_finish(w, fp, &bytes, err)) goto fail;   // the whole file written to fp
 *   avifw_free(&w);
 *
 * Encoder: libaom when libavif has it, else libavif's own choice (Debian 12's libavif 0.11
 * encodes with aom, rav1e and SVT-AV1; README has the comparison).
 * Timing: every frame keeps its own duration, rounded to the millisecond on the running
 * timeline (timescale 1000), so rounding never drifts and a variable frame rate is kept.
 * Alpha: when opened with alpha, every frame carries an alpha plane (libavif needs all
 * frames of a sequence alike); without it alpha is ignored. 8-bit 4:2:0, BT.601 full range.
 * Loop count: libavif 0.11 writes no edit list, so players loop forever.
 * The encoder holds the compressed frames (and the AV1 encoder its look-ahead) in memory.
 * Not thread-safe per writer; distinct writers are independent.
 */
#ifndef GIFC_AVIFW_H
#define GIFC_AVIFW_H
#include <stdint.h>
#include <stdio.h>
#include "base/gerr.h"
#include "base/gframe.h"

/* AV1's limit on a side through libavif (its default dimension limit). */
#define AVIFW_MAX_SIDE 16384
#define AVIFW_MAX_Q 63

typedef struct avifw_params {
    int width, height;   /* every pushed frame has this size; 1..AVIFW_MAX_SIDE */
    int quantizer;       /* AV1 quantizer 0 (best) .. AVIFW_MAX_Q */
    int alpha;           /* keep transparency */
    int fast;            /* a quicker encoder speed */
    int threads;         /* 0: one per core */
} avifw_params;

typedef struct avifw avifw;

/* Errors: GIFC_ERR_INVALID_ARG (bad params), GIFC_ERR_ENCODE (no AV1 encoder), NOMEM. */
gifc_error avifw_open(avifw **out, const avifw_params *p, gerr *err);
/* f borrowed; frames in presentation order, f->pts increasing, size as opened. */
gifc_error avifw_push(avifw *w, const gframe *f, gerr *err);
/* Assembles the file and writes it to fp (borrowed); *bytes its size. At least one frame. */
gifc_error avifw_finish(avifw *w, FILE *fp, uint64_t *bytes, gerr *err);
void avifw_free(avifw **w);
#endif
