/* Crop and aspect: which part of the display picture is shown, and on what canvas. Pure
 * arithmetic (no pictures), so that tests can check every case.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_GEOMETRY_H
#define GIFC_GEOMETRY_H
#include "base/gerr.h"
#include "gifc.h"

/* All in display pixels (rotation and sample aspect applied) of a disp_w x disp_h picture. */
typedef struct geom {
    int disp_w, disp_h;       /* the whole picture */
    int x, y, w, h;           /* the part shown */
    int canvas_w, canvas_h;   /* what the output shows it on: w x h, or larger when padded */
    int pad;                  /* letterboxed: the rest of the canvas is background */
    uint32_t background;      /* 0xRRGGBB, for the pad */
    int clear_pad;            /* the pad is transparent instead (gifc_options.fill pad) */
} geom;

/* The geometry the options ask for on a disp_w x disp_h picture; the whole picture when
 * they ask for none. GIFC_ERR_INVALID_ARG, naming the picture's size, for a crop outside it. */
gifc_error geom_resolve(const gifc_options *o, int disp_w, int disp_h, geom *g, gerr *e);
/* Whether g shows anything but the whole picture as it is. */
int geom_is_edit(const geom *g);

/* Where g's shown part lies in a picture of coded_w x coded_h pixels turned `rotation`
 * degrees clockwise for display (the decoder's frame, before rotation and sample aspect):
 * left, top, right and bottom margins to cut, each >= 0, leaving at least 1 pixel. */
void geom_coded_margins(const geom *g, int rotation, int coded_w, int coded_h, int m[4]);
/* The rectangle of an out_w x out_h output the shown part fills (all of it unless padded),
 * centred. */
void geom_inner(const geom *g, int out_w, int out_h, int *x, int *y, int *w, int *h);
#endif
