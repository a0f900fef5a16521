/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "quantize.h"

#include <libimagequant.h>
#include <stdlib.h>
#include <string.h>

struct quantizer {
    liq_attr *attr;
    double dither;
    uint8_t *indices;
    uint8_t **index_rows;
    size_t cap, rows_cap;
};

gifc_error quantizer_new(quantizer **out, const quant_params *p, gerr *e)
{
    *out = NULL;
    quantizer *q = calloc(1, sizeof *q);
    if (!q || !(q->attr = liq_attr_create())) {
        free(q);
        return gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
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

static gifc_error ensure_buffers(quantizer *q, int w, int h, gerr *e)
{
    size_t n = (size_t)w * h;
    if (n > q->cap) {
        free(q->indices);
        q->indices = malloc(n);
        q->cap = q->indices ? n : 0;
        if (!q->cap) return gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
    }
    if ((size_t)h > q->rows_cap) {
        free(q->index_rows);
        q->index_rows = malloc((size_t)h * sizeof *q->index_rows);
        q->rows_cap = q->index_rows ? (size_t)h : 0;
        if (!q->rows_cap) return gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
    }
    for (int y = 0; y < h; y++) q->index_rows[y] = q->indices + (size_t)y * w;
    return GIFC_OK;
}

/* GIF has one fully transparent index and no partial alpha: fold every entry that is
 * mostly transparent into the first such entry. */
static void read_palette(quantizer *q, liq_result *res, int w, int h, quant_out *out)
{
    const liq_palette *pal = liq_get_palette(res);
    uint8_t remap[256];
    int t = -1;
    for (unsigned i = 0; i < pal->count; i++) {
        liq_color c = pal->entries[i];
        remap[i] = (uint8_t)i;
        if (c.a < 128) {
            if (t < 0) t = (int)i;
            remap[i] = (uint8_t)t;
        }
        out->palette[i * 3] = c.r;
        out->palette[i * 3 + 1] = c.g;
        out->palette[i * 3 + 2] = c.b;
    }
    out->ncolors = (int)pal->count;
    out->transparent = t;
    if (t >= 0) {
        memset(out->palette + t * 3, 0, 3);
        size_t n = (size_t)w * h;
        for (size_t i = 0; i < n; i++) q->indices[i] = remap[q->indices[i]];
    }
    out->indices = q->indices;
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

gifc_error quantizer_remap(quantizer *q, qpalette *pal, uint8_t *const *rows, int w, int h,
                           quant_out *out, gerr *e)
{
    if (ensure_buffers(q, w, h, e)) return e->code;
    liq_image *img = make_image(q, rows, w, h);
    if (!img) return gerr_set(e, GIFC_ERR_NOMEM, "cannot create the quantiser image");
    liq_set_dithering_level(pal->res, (float)q->dither);
    liq_error le = liq_write_remapped_image_rows(pal->res, img, q->index_rows);
    liq_image_destroy(img);
    if (le != LIQ_OK) return liq_failure(le, e);
    read_palette(q, pal->res, w, h, out);
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
    free(q->indices);
    free(q->index_rows);
    free(q);
    *pq = NULL;
}
