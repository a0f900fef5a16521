/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "caption/overlay.h"

#include FT_GLYPH_H
#include FT_STROKER_H
#include <stdlib.h>
#include <string.h>

/* Two coverage planes: the letters, and the outline around them. */
typedef struct planes {
    uint8_t *fill, *edge;
    int w, h;
} planes;

static long ceil26(long v) { return (v + 63) >> 6; }

/* Max-combines a rendered glyph into plane p at pen (x, baseline y). */
static void blit(uint8_t *p, int pw, int ph, FT_BitmapGlyph g, int x, int y)
{
    const FT_Bitmap *b = &g->bitmap;
    if (b->pixel_mode != FT_PIXEL_MODE_GRAY) return;
    for (unsigned r = 0; r < b->rows; r++) {
        int py = y - g->top + (int)r;
        if (py < 0 || py >= ph) continue;
        const uint8_t *src = b->buffer + (long)r * b->pitch;
        for (unsigned c = 0; c < b->width; c++) {
            int px = x + g->left + (int)c;
            if (px < 0 || px >= pw) continue;
            uint8_t *d = p + (size_t)py * pw + px;
            if (src[c] > *d) *d = src[c];
        }
    }
}

/* Renders glyph g (consumed) into plane at the pen position. */
static void draw_glyph(FT_Glyph g, uint8_t *plane, const planes *pl, int x, int y)
{
    if (!FT_Glyph_To_Bitmap(&g, FT_RENDER_MODE_NORMAL, NULL, 1))
        blit(plane, pl->w, pl->h, (FT_BitmapGlyph)g, x, y);
    FT_Done_Glyph(g);
}

/* One character: its outline band (stroked copy) then its fill. */
static void draw_char(cfont *f, FT_Stroker st, uint32_t cp, planes *pl, int x, int y)
{
    FT_UInt idx;
    FT_Face face = cfont_glyph(f, cp, &idx);
    FT_Glyph g, s;
    if (!face || FT_Load_Glyph(face, idx, FT_LOAD_DEFAULT | FT_LOAD_NO_BITMAP) ||
        FT_Get_Glyph(face->glyph, &g))
        return;
    if (g->format == FT_GLYPH_FORMAT_OUTLINE && !FT_Glyph_Copy(g, &s)) {
        if (FT_Glyph_Stroke(&s, st, 1)) s = NULL; /* destroyed on failure too */
        if (s) draw_glyph(s, pl->edge, pl, x, y);
    }
    draw_glyph(g, pl->fill, pl, x, y);
}

/* White fill over a near-black outline, composited into straight RGBA. */
static void compose(const planes *pl, uint8_t *rgba)
{
    for (size_t i = 0; i < (size_t)pl->w * pl->h; i++) {
        unsigned f = pl->fill[i], s = pl->edge[i];
        unsigned a = f + s * (255 - f) / 255; /* fill over outline */
        uint8_t *o = rgba + i * 4;
        unsigned v = a ? (255 * f + 16 * (a - f)) / a : 0;
        o[0] = o[1] = o[2] = (uint8_t)v;
        o[3] = (uint8_t)a;
    }
}

static void draw_lines(cfont *f, FT_Stroker st, const caption_layout *l, long ascender,
                       long line_h, int outline, planes *pl)
{
    for (int k = 0; k < l->lines; k++) {
        const lay_line *ln = &l->line[k];
        long left = ((long)(pl->w - 2 * outline) * 64 - ln->width) / 2 + outline * 64;
        int y = outline + (int)ceil26(ascender + k * line_h);
        for (size_t i = ln->first; i < ln->first + ln->count; i++)
            draw_char(f, st, l->cps[i], pl, (int)((left + l->x[i] + 32) >> 6), y);
    }
}

gifc_error overlay_render(cfont *f, const caption_layout *l, long ascender, long line_h,
                          int outline, cap_overlay *out, gerr *e)
{
    memset(out, 0, sizeof *out);
    long widest = 0;
    for (int k = 0; k < l->lines; k++)
        if (l->line[k].width > widest) widest = l->line[k].width;
    planes pl = { .w = (int)ceil26(widest) + 2 * outline + 2,
                  .h = (int)ceil26(line_h * l->lines) + 2 * outline };
    FT_Stroker st = NULL;
    pl.fill = calloc((size_t)pl.w * pl.h, 1);
    pl.edge = calloc((size_t)pl.w * pl.h, 1);
    out->rgba = malloc((size_t)pl.w * pl.h * 4);
    if (!pl.fill || !pl.edge || !out->rgba || FT_Stroker_New(f->lib, &st)) {
        free(pl.fill);
        free(pl.edge);
        overlay_free(out);
        return gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
    }
    FT_Stroker_Set(st, outline * 64, FT_STROKER_LINECAP_ROUND, FT_STROKER_LINEJOIN_ROUND, 0);
    draw_lines(f, st, l, ascender, line_h, outline, &pl);
    compose(&pl, out->rgba);
    out->w = pl.w;
    out->h = pl.h;
    FT_Stroker_Done(st);
    free(pl.fill);
    free(pl.edge);
    return GIFC_OK;
}

void overlay_free(cap_overlay *o)
{
    free(o->rgba);
    memset(o, 0, sizeof *o);
}
