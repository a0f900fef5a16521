/* The GIF branch: frame differencing against what is on screen, crop to the changed
 * rectangle, per-frame palettes, delays rounded against the running total, identical frames
 * merged. Feeds gif_writer.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_GIF_ENCODER_H
#define GIFC_GIF_ENCODER_H
#include "base/gerr.h"
#include "base/gframe.h"
#include <stdio.h>

typedef struct gifenc_params {
    int width, height;
    int colors, quality;
    double dither;
    int loop;
    int lossy;          /* LZW lossiness, 0 = exact */
    int threads;        /* palette workers; 0 = one per core */
    int palette_source; /* the input is a GIF: keep its colours exactly */
    int animation;      /* the input is an animation (GIF, APNG, WebP): with lossy 0 and
                           quality under 100, quality sets a lossy level and an error limit
                           per frame (gifenc_lossy_for_quality) */
    int fast;           /* libimagequant's fastest search */
    const uint8_t *global_palette; /* optional: the GIF's global table (the input's own, for
                                      a GIF input); NULL: the first frame's palette */
    int global_colors;
    FILE *log;          /* optional: gif_writer's frame log (gifw_set_log), for re-running
                           only the LZW stage at another lossy level */
} gifenc_params;

typedef struct gifenc gifenc;

gifc_error gifenc_open(gifenc **out, FILE *fp, const gifenc_params *p, gerr *e);
/* f: RGBA at the encoder's size; its pixels may be modified (alpha snapped to 0/255). */
gifc_error gifenc_push(gifenc *g, gframe *f, gerr *e);
gifc_error gifenc_finish(gifenc *g, uint64_t *bytes, int64_t *frames, double *duration,
                         gerr *e);
void gifenc_free(gifenc **g);

/* The lossy LZW an animation input gets at quality 1..100: *lossy, the level every frame
 * starts from (0 at 100), and *min_ssim, the floor it steps down to meet
 * (gifw_frame.min_ssim). */
void gifenc_lossy_for_quality(int quality, int *lossy, double *min_ssim);
#endif
