/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "caption/caption.h"

#include "caption/cfont.h"
#include "caption/layout.h"
#include "caption/overlay.h"
#include "caption/utf8.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_SIZES 4        /* the budget search meets a few sizes; each renders once */
#define MARGIN_SHARE 0.04    /* of the frame height, between the text and the edge */
#define OUTLINE_SHARE 0.07   /* outline radius, of the text size: about a stem's width */
#define WIDTH_SHARE 0.9      /* of the frame width a line may take before it wraps */

typedef struct rendered {
    int fw, fh;              /* the frame size it was made for; 0: empty slot */
    int x, y;                /* where the overlay goes in such a frame */
    cap_overlay ov;
    unsigned long used;      /* for replacing the least recently used */
} rendered;

struct caption {
    cfont *font;
    uint32_t *text;
    size_t n;
    int position;
    double size;
    rendered cache[CACHE_SIZES];
    unsigned long tick;
};

/* C0 and C1 controls and DEL draw nothing sensible; line breaks and tabs are layout. */
static int is_control(uint32_t cp)
{
    if (cp == '\n' || cp == '\r' || cp == '\t') return 0;
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

long caption_text_check(const char *text, uint32_t *bad_cp)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t len = strlen(text);
    *bad_cp = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        int n = utf8_next(s + i, len - i, &cp);
        if (!n) return (long)i;
        if (is_control(cp)) {
            *bad_cp = cp;
            return (long)i;
        }
        i += (size_t)n;
    }
    return -1;
}

static gifc_error check_text(const char *text, gerr *e)
{
    uint32_t cp;
    long at = caption_text_check(text, &cp);
    if (at < 0) return GIFC_OK;
    if (cp)
        return gerr_set(e, GIFC_ERR_INVALID_ARG,
                        "caption: control character U+%04X at byte %ld (only line breaks "
                        "and tabs are allowed)", (unsigned)cp, at);
    return gerr_set(e, GIFC_ERR_INVALID_ARG, "caption: invalid UTF-8 at byte %ld", at);
}

gifc_error caption_new(const caption_params *p, caption **out, gerr *e)
{
    *out = NULL;
    if (!p->text || check_text(p->text, e)) return p->text ? e->code : GIFC_ERR_INVALID_ARG;
    size_t len = strlen(p->text);
    caption *c = calloc(1, sizeof *c);
    if (c) c->text = malloc((len + 1) * sizeof *c->text);
    if (!c || !c->text) {
        caption_free(&c);
        return gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
    }
    utf8_decode(p->text, len, c->text, &c->n);
    c->position = p->position;
    c->size = p->size > 0 ? p->size : GIFC_CAPTION_DEFAULT_SIZE;
    if (cfont_open(&c->font, p->font, c->text, c->n, e)) {
        caption_free(&c);
        return e->code;
    }
    *out = c;
    return GIFC_OK;
}

const char *caption_fonts(const caption *c) { return c->font->names; }
int caption_missing(const caption *c) { return c->font->missing; }

/* Lays out and renders the caption for frames of fw x fh into r. */
static gifc_error render(caption *c, int fw, int fh, rendered *r, gerr *e)
{
    int px = (int)lround(c->size / 100.0 * fh);
    if (px < GIFC_CAPTION_MIN_PIXELS) px = GIFC_CAPTION_MIN_PIXELS;
    if (cfont_set_size(c->font, px, e)) return e->code;
    int outline = (int)lround(px * OUTLINE_SHARE);
    if (outline < 1) outline = 1;
    long asc, desc;
    cfont_extent(c->font, &asc, &desc);
    long max_w = (long)(fw * WIDTH_SHARE * 64) - 2 * outline * 64;
    lay_measure m = { c->font, cfont_advance };
    caption_layout l;
    if (layout_text(c->text, c->n, max_w > 64 ? max_w : 64, GIFC_CAPTION_MAX_LINES, &m, &l))
        return gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
    gifc_error err = overlay_render(c->font, &l, asc, asc + desc, outline, &r->ov, e);
    layout_free(&l);
    if (err) return err;
    int margin = (int)lround(fh * MARGIN_SHARE);
    if (margin < 2) margin = 2;
    r->fw = fw;
    r->fh = fh;
    r->x = (fw - r->ov.w) / 2;
    r->y = c->position == GIFC_CAPTION_TOP ? margin : fh - margin - r->ov.h;
    return GIFC_OK;
}

/* The render for this frame size: cached, or made in the least recently used slot. */
static rendered *render_for(caption *c, int fw, int fh, gerr *e)
{
    rendered *oldest = &c->cache[0];
    for (int i = 0; i < CACHE_SIZES; i++) {
        rendered *r = &c->cache[i];
        if (r->fw == fw && r->fh == fh) {
            r->used = ++c->tick;
            return r;
        }
        if (r->used < oldest->used) oldest = r;
    }
    overlay_free(&oldest->ov);
    oldest->fw = oldest->fh = 0;
    oldest->used = ++c->tick;
    return render(c, fw, fh, oldest, e) ? NULL : oldest;
}

/* Straight-alpha "over": the text's pixels end opaque whatever the frame's alpha was. */
static void blend(uint8_t *d, const uint8_t *s)
{
    unsigned a = s[3], da = d[3];
    if (!a) return;
    if (da == 255) {
        for (int k = 0; k < 3; k++) d[k] = (uint8_t)((s[k] * a + d[k] * (255 - a) + 127) / 255);
        return;
    }
    unsigned oa = a * 255 + da * (255 - a); /* output alpha, times 255 */
    for (int k = 0; k < 3; k++)
        d[k] = (uint8_t)((s[k] * a * 255 + d[k] * da * (255 - a) + oa / 2) / oa);
    d[3] = (uint8_t)((oa + 127) / 255);
}

gifc_error caption_draw(caption *c, gframe *f, gerr *e)
{
    if (!c) return GIFC_OK;
    rendered *r = render_for(c, f->w, f->h, e);
    if (!r) return e->code;
    for (int y = 0; y < r->ov.h; y++) {
        int fy = r->y + y;
        if (fy < 0 || fy >= f->h) continue;
        uint8_t *row = f->rgba + (size_t)fy * f->stride;
        const uint8_t *src = r->ov.rgba + (size_t)y * r->ov.w * 4;
        for (int x = 0; x < r->ov.w; x++) {
            int fx = r->x + x;
            if (fx >= 0 && fx < f->w) blend(row + (size_t)fx * 4, src + (size_t)x * 4);
        }
    }
    return GIFC_OK;
}

void caption_free(caption **pc)
{
    if (!pc || !*pc) return;
    caption *c = *pc;
    for (int i = 0; i < CACHE_SIZES; i++) overlay_free(&c->cache[i].ov);
    cfont_free(&c->font);
    free(c->text);
    free(c);
    *pc = NULL;
}
