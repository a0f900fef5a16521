/* Segment sampling for gifc_estimate_file (see estimate.h).
 *
 * A piece of L seconds costs H + rate * L bytes: H is what every file pays once (headers,
 * the first key frame, an index), rate the steady cost of the picture. Encoding each piece
 * at two lengths from the same start gives both, so the first key frame is not
 * extrapolated over the clip. Three places spread over the clip follow its content.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "api/estimate.h"

#include "base/ctx.h"
#include "budget/budget.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SEG_PLACES 3
#define SEG_SHORT 0.025  /* of the clip: the short piece; the long one is SEG_RATIO times it */
#define SEG_RATIO 2.5
#define SEG_MIN 0.3      /* seconds: pieces shorter than this measure the encoder's start */
#define SEG_MAX_SHARE 0.5 /* above this share of the clip, encode it whole instead */

/* One conversion to memory with ctx's options, the time window replaced. */
static gifc_error encode_piece(gifc_context *ctx, const char *in_path, gifc_format fmt,
                               double start, double duration, double *bytes)
{
    gifc_options o = ctx->opts;
    o.format = fmt;
    o.start = start;
    o.duration = duration;
    o.max_size = 0;
    o.progress = NULL;
    gifc_context *c = NULL;
    uint8_t *out = NULL;
    size_t n = 0;
    gifc_error e = gifc_context_new(&o, &c);
    if (!e) e = gifc_convert_file_to_memory(c, in_path, &out, &n, NULL);
    if (e && c) gerr_set(&ctx->err, e, "%s", gifc_context_message(c));
    gifc_free(out);
    gifc_context_free(&c);
    *bytes = (double)n;
    return e;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

gifc_error estimate_by_segments(gifc_context *ctx, const char *in_path, const plan *p,
                                double *bytes, int *sampled)
{
    double speed = p->timing.speed > 0 ? p->timing.speed : 1;
    double span = p->seconds * speed; /* source seconds converted */
    double start = ctx->opts.start > 0 ? ctx->opts.start : 0;
    double l1 = fmax(SEG_SHORT * span, SEG_MIN), l2 = l1 * SEG_RATIO;
    int edited = p->edit.reverse || p->edit.bounce || p->edit.smooth_loop > 0;
    *sampled = 0;
    if (edited || !(span > 0) || SEG_PLACES * (l1 + l2) > SEG_MAX_SHARE * span ||
        p->frames_estimate <= ESTIMATE_WHOLE_FRAMES)
        return encode_piece(ctx, in_path, p->format, start, ctx->opts.duration, bytes);
    double fixed[SEG_PLACES], rate = 0;
    for (int k = 0; k < SEG_PLACES; k++) {
        double at = start + (k + 0.5) * span / SEG_PLACES - l2 / 2, b1, b2;
        if (encode_piece(ctx, in_path, p->format, at, l1, &b1) ||
            encode_piece(ctx, in_path, p->format, at, l2, &b2))
            return ctx->err.code;
        double r = (b2 - b1) / (l2 - l1);
        if (!(r > 0)) r = b2 / l2; /* a still piece: no steady cost seen */
        rate += r / SEG_PLACES;
        fixed[k] = b2 - r * l2;
    }
    /* The median fixed cost: one place may open on a scene cut. */
    qsort(fixed, SEG_PLACES, sizeof fixed[0], by_value);
    double h = fixed[SEG_PLACES / 2] > 0 ? fixed[SEG_PLACES / 2] : 0;
    *bytes = h + rate * span;
    *sampled = 1;
    return GIFC_OK;
}
