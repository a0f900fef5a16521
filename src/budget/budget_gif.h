/* Private to the GIF size-budget search: candidate settings ("recipes") and how one is
 * encoded from the frame cache and measured.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_BUDGET_GIF_H
#define GIFC_BUDGET_GIF_H
#include "budget/budget.h"
#include "base/fcache.h"
#include "picture/scale.h"

#define BUDGET_CHUNKS 4         /* sample chunks spread over the clip */
#define BUDGET_CHUNK_FRAMES 12  /* output frames a chunk */
#define BUDGET_WARMUP 2         /* first frames of a chunk: full pictures, not counted */

/* One candidate: the knobs, relative to the base plan. */
typedef struct recipe {
    double scale;       /* of the base size, (0, 1] */
    int fps_div;        /* keep every fps_div-th cached frame, delays summed */
    int colors, quality, lossy;
    double dither;
} recipe;

typedef struct measure {
    double bytes;       /* predicted for the whole clip */
    double ssim;        /* on the sampled frames, at the base size and timeline */
} measure;

typedef struct gsearch {
    gifc_context *ctx;
    const source_info *si;
    plan base;
    fcache *cache;
    int64_t n;
    int64_t chunk_first[BUDGET_CHUNKS];
    int nchunks;            /* 0: the clip is short, every measure encodes all of it */
    scaler *sc;
    gframe in, small, ref, up;
    gframe prev;            /* the last frame put in the cache, while filling it */
    double *weight;         /* per cached frame: pixels changed from the one before, plus a
                               share of the picture every frame costs (the rate model) */
    int64_t weight_cap;
    double weight_all;      /* their sum over the clip */
    int attempts;
    int64_t progress_total; /* frames: cache fill + full encodes */
    int64_t progress_done;
} gsearch;

/* Output size of a recipe. */
void recipe_size(const gsearch *g, const recipe *r, int *w, int *h);
/* Encodes cached frames [first, first + out_frames * fps_div) (out_frames < 0: to the end)
 * to gif (and the frame log when log is not NULL); *bytes: the GIF's size. */
gifc_error recipe_encode(gsearch *g, const recipe *r, int64_t first, int64_t out_frames,
                         int report, FILE *gif, FILE *log, uint64_t *bytes);
/* Encodes the sample chunks and predicts the whole clip's bytes and SSIM. */
gifc_error recipe_measure(gsearch *g, const recipe *r, measure *m);
/* SSIM of a whole GIF (in fp, made from every cached frame) against the cache, on at most
 * about 120 frames spread over the clip; *frames: the GIF's frame count. */
gifc_error recipe_ssim_full(gsearch *g, FILE *fp, double *ssim, int64_t *frames);
/* A temporary file in $TMPDIR, already unlinked. */
FILE *budget_tmpfile(gerr *e);
/* Lets the progress callback abort a long search. */
gifc_error gsearch_tick(gsearch *g, int64_t advance);
#endif
