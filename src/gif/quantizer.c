/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "gif/quantizer.h"

#include "gif/remap.h"

#include <libimagequant.h>
#include <stdlib.h>
#include <string.h>

struct quantizer {
    liq_attr *attr;
    remapper *remap;
    double dither;
};

gifc_error quantizer_new(quantizer **out, const quant_params *p, gerr *e)
{
    *out = NULL;
    quantizer *q = calloc(1, sizeof *q);
    if (!q || !(q->attr = liq_attr_create())) {
        free(q);
        return gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
    }
    if (remapper_new(&q->remap, e)) {
        quantizer_free(&q);
        return e->code;
    }
    if (liq_set_max_colors(q->attr, p->colors) != LIQ_OK ||
        liq_set_quality(q->attr, 0, p->quality) != LIQ_OK ||
        liq_set_speed(q->attr, p->speed) != LIQ_OK) {
        quantizer_free(&q);
        return gerr_set(e, GIFC_ERR_INVALID_ARG, "quantiser settings out of range");
    }
    q->dither = p->dither;
    *out = q;
    return GIFC_OK;
}

struct qpalette {
    liq_result *res;
};

static liq_image *make_image(quantizer *q, uint8_t *const *rows, int w, int h)
{
    return liq_image_create_rgba_rows(q->attr, (void *const *)rows, w, h, 0);
}

static gifc_error liq_failure(liq_error le, gerr *e)
{
    return gerr_set(e, le == LIQ_OUT_OF_MEMORY ? GIFC_ERR_NOMEM : GIFC_ERR_ENCODE,
                    "quantisation failed (libimagequant error %d)", (int)le);
}

gifc_error quantizer_palette(quantizer *q, uint8_t *const *rows, int w, int h,
                             const uint8_t *importance, int with_transparent, qpalette **out,
                             gerr *e)
{
    *out = NULL;
    liq_image *img = make_image(q, rows, w, h);
    if (!img) return gerr_set(e, GIFC_ERR_NOMEM, "cannot create the quantiser image");
    if (importance) /* LIQ_COPY_PIXELS: libimagequant copies, so the cast never writes */
        liq_image_set_importance_map(img, (unsigned char *)importance, (size_t)w * h,
                                     LIQ_COPY_PIXELS);
    if (with_transparent) liq_image_add_fixed_color(img, (liq_color){ 0, 0, 0, 0 });
    liq_result *res = NULL;
    liq_error le = liq_image_quantize(img, q->attr, &res);
    liq_image_destroy(img);
    if (le != LIQ_OK) return liq_failure(le, e);
    qpalette *p = malloc(sizeof *p);
    if (!p) {
        liq_result_destroy(res);
        return gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
    }
    p->res = res;
    *out = p;
    return GIFC_OK;
}

/* GIF has one fully transparent index and no partial alpha: the first mostly transparent
 * entry is the transparent one, and any other is never drawn. */
static void palette_for_remap(const liq_palette *lp, remap_palette *rp)
{
    rp->ncolors = (int)lp->count;
    rp->transparent = -1;
    for (unsigned i = 0; i < lp->count; i++) {
        liq_color c = lp->entries[i];
        int clear = c.a < 128;
        if (clear && rp->transparent < 0) rp->transparent = (int)i;
        rp->usable[i] = !clear;
        rp->rgb[i * 3] = clear ? 0 : c.r;
        rp->rgb[i * 3 + 1] = clear ? 0 : c.g;
        rp->rgb[i * 3 + 2] = clear ? 0 : c.b;
    }
}

/* The palette the remap ended with (its k-means step may have moved entries). */
static void take_palette(quant_out *out, const remap_palette *rp)
{
    memcpy(out->palette, rp->rgb, (size_t)rp->ncolors * 3);
    out->ncolors = rp->ncolors;
    out->transparent = rp->transparent;
}

gifc_error quantizer_remap(quantizer *q, qpalette *pal, uint8_t *const *rows, int w, int h,
                           quant_out *out, gerr *e)
{
    remap_palette rp;
    palette_for_remap(liq_get_palette(pal->res), &rp);
    if (remap_rows(q->remap, rows, w, h, &rp, q->dither, &out->indices, e)) return e->code;
    take_palette(out, &rp);
    return GIFC_OK;
}

gifc_error quantizer_exact(quantizer *q, uint8_t *const *rows, int w, int h,
                           int with_transparent, quant_out *out, int *done, gerr *e)
{
    remap_palette rp;
    *done = remap_exact_palette(rows, w, h, with_transparent ? 255 : 256, &rp);
    if (!*done) return GIFC_OK;
    if (with_transparent || rp.ncolors == 0) { /* a last entry for see-through pixels */
        rp.transparent = rp.ncolors;
        rp.usable[rp.ncolors] = 0;
        memset(rp.rgb + rp.ncolors * 3, 0, 3);
        rp.ncolors++;
    }
    if (remap_rows(q->remap, rows, w, h, &rp, 0, &out->indices, e)) return e->code;
    take_palette(out, &rp);
    return GIFC_OK;
}

void qpalette_free(qpalette **pal)
{
    if (!pal || !*pal) return;
    liq_result_destroy((*pal)->res);
    free(*pal);
    *pal = NULL;
}

gifc_error quantizer_run(quantizer *q, uint8_t *const *rows, int w, int h,
                         const uint8_t *importance, int with_transparent, quant_out *out,
                         gerr *e)
{
    qpalette *pal = NULL;
    if (quantizer_palette(q, rows, w, h, importance, with_transparent, &pal, e)) return e->code;
    gifc_error r = quantizer_remap(q, pal, rows, w, h, out, e);
    qpalette_free(&pal);
    return r;
}

void quantizer_free(quantizer **pq)
{
    if (!pq || !*pq) return;
    quantizer *q = *pq;
    if (q->attr) liq_attr_destroy(q->attr);
    remapper_free(&q->remap);
    free(q);
    *pq = NULL;
}
