/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "picture/geom.h"

#include <math.h>

static int clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

/* The largest aw:ah rectangle inside g's shown part, centred on it. */
static void cut_to_aspect(geom *g, int aw, int ah)
{
    double want = (double)aw / ah;
    int w = g->w, h = g->h;
    if ((double)w / h > want) w = clampi((int)lround(h * want), 1, g->w);
    else h = clampi((int)lround(w / want), 1, g->h);
    g->x += (g->w - w) / 2;
    g->y += (g->h - h) / 2;
    g->w = w;
    g->h = h;
}

/* The smallest aw:ah canvas holding g's shown part whole. */
static void pad_to_aspect(geom *g, int aw, int ah)
{
    double want = (double)aw / ah;
    g->canvas_w = g->w;
    g->canvas_h = g->h;
    if ((double)g->w / g->h > want) g->canvas_h = (int)lround(g->w / want);
    else g->canvas_w = (int)lround(g->h * want);
    if (g->canvas_w < g->w) g->canvas_w = g->w;
    if (g->canvas_h < g->h) g->canvas_h = g->h;
    g->pad = g->canvas_w != g->w || g->canvas_h != g->h;
}

gifc_error geom_resolve(const gifc_options *o, int disp_w, int disp_h, geom *g, gerr *e)
{
    *g = (geom){ disp_w, disp_h, 0, 0, disp_w, disp_h, disp_w, disp_h, 0, o->background, 0 };
    if (o->crop_w > 0) {
        /* 64-bit sums: offsets up to 65535 plus sizes up to 65535 cannot overflow. */
        if ((long)o->crop_x + o->crop_w > disp_w || (long)o->crop_y + o->crop_h > disp_h)
            return gerr_set(e, GIFC_ERR_INVALID_ARG,
                            "crop %d:%d:%d:%d is outside the %dx%d picture (display size, "
                            "rotation applied)",
                            o->crop_w, o->crop_h, o->crop_x, o->crop_y, disp_w, disp_h);
        g->x = o->crop_x;
        g->y = o->crop_y;
        g->w = o->crop_w;
        g->h = o->crop_h;
    }
    if (o->aspect_w > 0 && o->aspect_h > 0) {
        if (o->aspect_pad) pad_to_aspect(g, o->aspect_w, o->aspect_h);
        else cut_to_aspect(g, o->aspect_w, o->aspect_h);
    }
    /* An exact box: the shown part padded (transparent) or cut to the box's aspect. Its
     * pad replaces an aspect-fit pad, whose bars would only be a second colour. */
    if (o->fill == GIFC_FILL_PAD && o->width > 0 && o->height > 0) {
        pad_to_aspect(g, o->width, o->height);
        g->clear_pad = g->pad;
    } else if (o->fill == GIFC_FILL_CROP && o->width > 0 && o->height > 0) {
        g->pad = 0; /* the cut decides what is shown; bars around it would be cut too */
        cut_to_aspect(g, o->width, o->height);
    }
    if (!g->pad) {
        g->canvas_w = g->w;
        g->canvas_h = g->h;
    }
    return GIFC_OK;
}

int geom_is_edit(const geom *g)
{
    return g->pad || g->x || g->y || g->w != g->disp_w || g->h != g->disp_h;
}

/* The shown part in the unrotated display picture (rotation undone, sample aspect kept).
 * Inverts scale.c's place_into: 90 puts source (x, y) at (H-1-y, x), 270 at (y, W-1-x). */
static void unrotate(const geom *g, int rotation, double r[4])
{
    double x = g->x, y = g->y, w = g->w, h = g->h, dw = g->disp_w, dh = g->disp_h;
    if (rotation == 90) {
        r[0] = y, r[1] = dw - x - w, r[2] = h, r[3] = w;
    } else if (rotation == 180) {
        r[0] = dw - x - w, r[1] = dh - y - h, r[2] = w, r[3] = h;
    } else if (rotation == 270) {
        r[0] = dh - y - h, r[1] = x, r[2] = h, r[3] = w;
    } else {
        r[0] = x, r[1] = y, r[2] = w, r[3] = h;
    }
}

void geom_coded_margins(const geom *g, int rotation, int coded_w, int coded_h, int m[4])
{
    double r[4];
    unrotate(g, rotation, r);
    int sideways = rotation == 90 || rotation == 270;
    double uw = sideways ? g->disp_h : g->disp_w, uh = sideways ? g->disp_w : g->disp_h;
    /* Edges scaled to the coded grid (this undoes the sample aspect too), at least 1 px. */
    int x0 = clampi((int)lround(r[0] * coded_w / uw), 0, coded_w - 1);
    int y0 = clampi((int)lround(r[1] * coded_h / uh), 0, coded_h - 1);
    int x1 = clampi((int)lround((r[0] + r[2]) * coded_w / uw), x0 + 1, coded_w);
    int y1 = clampi((int)lround((r[1] + r[3]) * coded_h / uh), y0 + 1, coded_h);
    m[0] = x0;
    m[1] = y0;
    m[2] = coded_w - x1;
    m[3] = coded_h - y1;
}

void geom_inner(const geom *g, int out_w, int out_h, int *x, int *y, int *w, int *h)
{
    *w = out_w;
    *h = out_h;
    if (g->pad) {
        *w = clampi((int)lround((double)g->w * out_w / g->canvas_w), 1, out_w);
        *h = clampi((int)lround((double)g->h * out_h / g->canvas_h), 1, out_h);
    }
    *x = (out_w - *w) / 2;
    *y = (out_h - *h) / 2;
}
