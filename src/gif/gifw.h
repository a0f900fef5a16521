/* GIF89a container writer: header, loop extension, the first frame's palette as the global
 * table, a local one for frames whose colours it lacks, LZW data.
 * Holds the last frame back so its delay and disposal can still change.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_GIF_WRITER_H
#define GIFC_GIF_WRITER_H
#include "base/gbuf.h"
#include "base/gerr.h"
#include <stdint.h>
#include <stdio.h>

enum { GIF_DISPOSE_KEEP = 1, GIF_DISPOSE_BACKGROUND = 2 };

typedef struct gifw_frame {
    const uint8_t *indices; /* h rows of w indices, `stride` apart */
    int stride;
    int x, y, w, h;         /* place on the canvas */
    const uint8_t *palette; /* ncolors * RGB */
    int ncolors;            /* 1..256 */
    int transparent;        /* index or -1 */
    int disposal;
    int delay_cs;
    int lossy;              /* 0 exact LZW, else lzw.h's scale */
    double min_ssim;        /* > 0: the SSIM (Y, U, V averaged, 8x8 windows) lossy LZW must
                               keep against the exact frame; a frame under it is coded
                               again a level down, down to exact. 0: no limit */
} gifw_frame;

typedef struct gifw gifw;

/* A GIF stores its width and height in 16 bits. */
#define GIFW_MAX_SIDE 65535

/* fp: borrowed, stays open. w, h: 1..GIFW_MAX_SIDE. loop: 0 forever, N times, < 0 no loop extension. */
gifc_error gifw_open(gifw **out, FILE *fp, int w, int h, int loop, gerr *e);
/* Before the first frame: the global table to use instead of the first frame's palette
 * (a GIF input's own: its later frames draw from it). n: 1..256. */
void gifw_set_global(gifw *g, const uint8_t *rgb, int n);
gifc_error gifw_add(gifw *g, const gifw_frame *f, gerr *e);
int gifw_has_frame(const gifw *g);
void gifw_extend_last(gifw *g, int cs);       /* adds to the held frame's delay */
void gifw_set_last_disposal(gifw *g, int disposal);
/* Writes the held frame and the trailer. *bytes: total written. */
gifc_error gifw_finish(gifw *g, uint64_t *bytes, int64_t *frames, gerr *e);
void gifw_free(gifw **g);

/* Frame log, for the size budget: with a log set (before the first gifw_add), every frame is
 * also appended to it as written (palette, indices, placement, final delay and disposal),
 * so that gifw_replay() can write the same GIF again at another lossy level without
 * re-quantising. log: borrowed, opened for update. */
void gifw_set_log(gifw *g, FILE *log);

typedef struct gif_log_frame {
    gifw_frame f;   /* lossy 0; pointers into the caller's buffer */
    int bytes;      /* what the frame took in the GIF (delay block included) */
} gif_log_frame;

/* Reads the next record (from where log stands) into *lf, its palette and indices into
 * pixels. Returns 1, 0 at the end, -1 on a damaged log or out of memory. */
int gifw_log_next(FILE *log, gif_log_frame *lf, gbuf *pixels);

/* Writes to out (at its current position) the GIF the log holds, with LZW at `lossy` for
 * every frame. w, h, loop: as given to gifw_open. *bytes: the size written. */
gifc_error gifw_replay(FILE *log, FILE *out, int w, int h, int loop, int lossy, uint64_t *bytes,
                      gerr *e);
#endif
