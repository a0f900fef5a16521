/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "picture/scale.h"

#include "picture/tonemap.h"

#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct scaler {
    struct SwsContext *sws;
    gframe tmp;           /* scaled but not yet rotated or placed on a padded canvas */
    AVFrame *part;        /* a reference to the input, cut to the shown part */
    int for_yuv;          /* scaler_for_yuv() */
    int yuv_matrix;       /* scaler_yuv_direct(): AVColorSpace of the yuv420 frames, or 0 */
    uint32_t bg;          /* its background, 0xRRGGBB */
    uint8_t bg_yuv[3];    /* the same in that matrix, limited range */
    uint8_t *alpha;       /* a YUVA picture's alpha plane at the output size */
    size_t alpha_cap;
    struct SwsContext *to_yuv; /* RGBA to yuv420 for frames that cannot go direct */
    gframe rgb;           /* such a frame as RGBA */
    tonemap *tm;          /* HDR input: 16-bit Y'CbCr 4:4:4 from swscale, tone-mapped */
    uint16_t *hdr;
    size_t hdr_cap;
};

scaler *scaler_new(void) { return calloc(1, sizeof(scaler)); }

void scaler_for_yuv(scaler *s, int on) { s->for_yuv = on; }

/* An opaque RGB colour as limited-range Y'CbCr in the BT.709 or BT.601 matrix. */
static void rgb_to_yuv(uint32_t rgb, int matrix, uint8_t yuv[3])
{
    double kr = matrix == AVCOL_SPC_BT709 ? 0.2126 : 0.299;
    double kb = matrix == AVCOL_SPC_BT709 ? 0.0722 : 0.114;
    double r = (rgb >> 16 & 255) / 255.0, g = (rgb >> 8 & 255) / 255.0, b = (rgb & 255) / 255.0;
    double y = kr * r + (1 - kr - kb) * g + kb * b;
    yuv[0] = (uint8_t)lround(16 + 219 * y);
    yuv[1] = (uint8_t)lround(128 + 224 * (b - y) / (2 * (1 - kb)));
    yuv[2] = (uint8_t)lround(128 + 224 * (r - y) / (2 * (1 - kr)));
}

void scaler_yuv_direct(scaler *s, int matrix, uint32_t background)
{
    s->yuv_matrix = matrix;
    if (matrix) s->for_yuv = 1;
    s->bg = background;
    if (matrix) rgb_to_yuv(background, matrix, s->bg_yuv);
}

void scaler_free(scaler **s)
{
    if (!s || !*s) return;
    sws_freeContext((*s)->sws);
    sws_freeContext((*s)->to_yuv);
    gframe_free(&(*s)->tmp);
    gframe_free(&(*s)->rgb);
    av_frame_free(&(*s)->part);
    tonemap_free(&(*s)->tm);
    free((*s)->hdr);
    free((*s)->alpha);
    free(*s);
    *s = NULL;
}

void scale_fit(int src_w, int src_h, int box_w, int box_h, int *w, int *h)
{
    double k = 1.0;
    if (box_w > 0 && src_w > box_w) k = (double)box_w / src_w;
    if (box_h > 0 && src_h * k > box_h) k = (double)box_h / src_h;
    *w = (int)lround(src_w * k);
    *h = (int)lround(src_h * k);
    if (*w < 1) *w = 1;
    if (*h < 1) *h = 1;
}

/* Untagged video is BT.601 below 720 lines and BT.709 above, as players assume: `lines`
 * are the whole picture's, not a cropped part's. */
static int sws_colorspace(enum AVColorSpace spc, int lines)
{
    switch (spc) {
    case AVCOL_SPC_BT709: return SWS_CS_ITU709;
    case AVCOL_SPC_BT2020_NCL:
    case AVCOL_SPC_BT2020_CL: return SWS_CS_BT2020;
    case AVCOL_SPC_SMPTE240M: return SWS_CS_SMPTE240M;
    case AVCOL_SPC_FCC: return SWS_CS_FCC;
    case AVCOL_SPC_BT470BG:
    case AVCOL_SPC_SMPTE170M: return SWS_CS_ITU601;
    default: return lines >= 720 ? SWS_CS_ITU709 : SWS_CS_ITU601;
    }
}

static int is_full_range(const AVFrame *in)
{
    enum AVPixelFormat f = in->format;
    return in->color_range == AVCOL_RANGE_JPEG || f == AV_PIX_FMT_YUVJ420P ||
           f == AV_PIX_FMT_YUVJ422P || f == AV_PIX_FMT_YUVJ444P;
}

static gifc_error ensure_sws(scaler *s, const AVFrame *in, int lines, int w, int h, int hdr,
                             gerr *e)
{
    /* Area averaging for big reductions keeps detail without ringing; bicubic otherwise. */
    int flags = in->width >= 2 * w ? SWS_AREA : SWS_BICUBIC;
    /* An exact doubling is text art for 4:2:0 (plan_double): pixel copies keep its edges,
     * which bicubic would blur into more bytes at lower SSIM (README). */
    if (w == 2 * in->width && h == 2 * in->height) flags = SWS_POINT;
    /* For a GIF the RGB is the end product: exact rounding, chroma interpolated to every
     * pixel. For a YUV 4:2:0 encoder both are spent in vain (it subsamples the chroma again)
     * and they keep swscale off its SIMD paths: measured 19% of a 640x480 MP4 encode's CPU
     * with them, 8% without, SSIM against the source unchanged (0.9926 / 0.9931). */
    if (!s->for_yuv) flags |= SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT;
    s->sws = sws_getCachedContext(s->sws, in->width, in->height, in->format, w, h,
                                  hdr ? AV_PIX_FMT_YUV444P16 : AV_PIX_FMT_RGBA, flags, NULL, NULL,
                                  NULL);
    if (!s->sws)
        return gerr_set(e, GIFC_ERR_UNSUPPORTED, "cannot convert %s %dx%d pictures",
                        av_get_pix_fmt_name(in->format), in->width, in->height);
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(in->format);
    if (d && !(d->flags & AV_PIX_FMT_FLAG_RGB) && !hdr) {
        const int *coef = sws_getCoefficients(sws_colorspace(in->colorspace, lines));
        sws_setColorspaceDetails(s->sws, coef, is_full_range(in), sws_getCoefficients(SWS_CS_DEFAULT),
                                 1, 0, 1 << 16, 1 << 16);
    }
    return GIFC_OK;
}

/* src onto dst with its top-left corner at (ox, oy) of dst, turned `rotation` degrees
 * clockwise (0: copied). */
static void place_into(const gframe *src, gframe *dst, int rotation, int ox, int oy)
{
    const uint32_t *sp = (const uint32_t *)src->rgba;
    int sw = src->w, sh = src->h, ss = src->stride / 4, ds = dst->stride / 4;
    uint32_t *dp = (uint32_t *)dst->rgba + (size_t)oy * ds + ox;
    if (!rotation) {
        for (int y = 0; y < sh; y++)
            memcpy(dp + (size_t)y * ds, sp + (size_t)y * ss, (size_t)sw * 4);
        return;
    }
    for (int y = 0; y < sh; y++)
        for (int x = 0; x < sw; x++) {
            uint32_t p = sp[(size_t)y * ss + x];
            if (rotation == 90) dp[(size_t)x * ds + (sh - 1 - y)] = p;
            else if (rotation == 180) dp[(size_t)(sh - 1 - y) * ds + (sw - 1 - x)] = p;
            else dp[(size_t)(sw - 1 - x) * ds + y] = p;
        }
}

/* The padded canvas's background: opaque, or transparent black for a sticker's box. */
static void fill_rgb(gframe *f, uint32_t rgb, int clear)
{
    uint8_t px[4] = { (uint8_t)(rgb >> 16), (uint8_t)(rgb >> 8), (uint8_t)rgb, 255 };
    if (clear) memset(px, 0, sizeof px);
    for (int y = 0; y < f->h; y++)
        for (int x = 0; x < f->w; x++) memcpy(f->rgba + (size_t)y * f->stride + x * 4, px, 4);
}

/* A reference to `in` cut to g's shown part (no pixel copied), or `in` itself when g shows
 * it whole. Unaligned: a cut at an odd column shifts subsampled chroma by half a pixel,
 * which scaling hides; alignment would move the cut itself. */
static gifc_error cut_part(scaler *s, const AVFrame *in, int rotation, const geom *g,
                           const AVFrame **part, gerr *e)
{
    *part = in;
    int m[4] = { 0, 0, 0, 0 };
    if (g) geom_coded_margins(g, rotation, in->width, in->height, m);
    if (!m[0] && !m[1] && !m[2] && !m[3]) return GIFC_OK;
    if (!s->part && !(s->part = av_frame_alloc()))
        return gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
    av_frame_unref(s->part);
    if (av_frame_ref(s->part, in) < 0) return gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
    s->part->crop_left = (size_t)m[0];
    s->part->crop_top = (size_t)m[1];
    s->part->crop_right = (size_t)m[2];
    s->part->crop_bottom = (size_t)m[3];
    int r = av_frame_apply_cropping(s->part, AV_FRAME_CROP_UNALIGNED);
    if (r < 0)
        return gerr_av(e, GIFC_ERR_UNSUPPORTED, r, "cannot crop %dx%d pictures", in->width,
                       in->height);
    *part = s->part;
    return GIFC_OK;
}

static int scan_alpha(const gframe *f)
{
    for (int y = 0; y < f->h; y++) {
        const uint8_t *row = f->rgba + (size_t)y * f->stride;
        for (int x = 0; x < f->w; x++)
            if (row[x * 4 + 3] != 255) return 1;
    }
    return 0;
}

static gifc_error ensure_frame(gframe *f, int w, int h, gerr *e)
{
    if (f->rgba && f->w == w && f->h == h && !f->yuv420) return GIFC_OK;
    gframe_free(f);
    if (gframe_alloc(f, w, h)) return gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
    return GIFC_OK;
}

/* The 16-bit planes an HDR frame is scaled into before tone mapping. */
static gifc_error ensure_hdr(scaler *s, int w, int h, gerr *e)
{
    size_t need = (size_t)w * h * 3;
    if (!s->tm && !(s->tm = tonemap_new())) return gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
    if (need > s->hdr_cap) {
        free(s->hdr);
        s->hdr_cap = 0;
        if (!(s->hdr = malloc(need * sizeof *s->hdr)))
            return gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
        s->hdr_cap = need;
    }
    return GIFC_OK;
}

static gifc_error run_rgba(scaler *s, const AVFrame *in, int rotation, const geom *g,
                           int out_w, int out_h, gframe *out, gerr *e)
{
    const AVFrame *part = NULL;
    int ix = 0, iy = 0, iw = out_w, ih = out_h;
    if (g) geom_inner(g, out_w, out_h, &ix, &iy, &iw, &ih);
    int sideways = rotation == 90 || rotation == 270;
    int w = sideways ? ih : iw, h = sideways ? iw : ih;
    /* Scaled straight into out unless it must be turned or placed on a canvas. */
    int direct = !rotation && iw == out_w && ih == out_h;
    gframe *dst = direct ? out : &s->tmp;
    int hdr = tonemap_kind(in->color_trc);
    if (cut_part(s, in, rotation, g, &part, e) ||
        ensure_sws(s, part, in->height, w, h, hdr, e) || ensure_frame(dst, w, h, e) ||
        ensure_frame(out, out_w, out_h, e) || (hdr && ensure_hdr(s, w, h, e)))
        return e->code;
    /* s->hdr is NULL for SDR input: the planes are computed only when they exist (an offset
     * from NULL is undefined, UBSan says so). */
    uint16_t *planes[3] = { NULL, NULL, NULL };
    uint8_t *data[4] = { dst->rgba, NULL, NULL, NULL };
    int lines[4] = { dst->stride, 0, 0, 0 };
    if (hdr)
        for (int i = 0; i < 3; i++) {
            planes[i] = s->hdr + (size_t)w * h * (size_t)i;
            data[i] = (uint8_t *)planes[i];
            lines[i] = w * 2;
        }
    sws_scale(s->sws, (const uint8_t *const *)part->data, part->linesize, 0, part->height, data,
              lines);
    if (hdr) {
        const ptrdiff_t st[3] = { (ptrdiff_t)w * 2, (ptrdiff_t)w * 2, (ptrdiff_t)w * 2 };
        tonemap_run(s->tm, hdr, tonemap_peak(in, hdr), is_full_range(in), planes, st,
                    dst->rgba, dst->stride, w, h);
    }
    if (part == s->part) av_frame_unref(s->part);
    int bars = !direct && (iw != out_w || ih != out_h);
    if (bars) fill_rgb(out, g->background, g->clear_pad);
    if (!direct) place_into(dst, out, rotation, ix, iy);
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(in->format);
    /* Formats without alpha come out opaque: only scan the ones that can carry it. */
    int may_alpha = d && (d->flags & (AV_PIX_FMT_FLAG_ALPHA | AV_PIX_FMT_FLAG_PAL));
    out->has_alpha = (bars && g->clear_pad) || (may_alpha ? scan_alpha(out) : 0);
    return GIFC_OK;
}

int scale_direct_matrix(int format, int colorspace, int trc, int lines)
{
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(format);
    int alpha = d && (d->flags & AV_PIX_FMT_FLAG_ALPHA);
    if (!d || d->nb_components != 3 + alpha || d->comp[0].depth != 8 ||
        (d->flags & (AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_PAL | AV_PIX_FMT_FLAG_HWACCEL)) ||
        tonemap_kind(trc))
        return 0;
    int cs = sws_colorspace(colorspace, lines);
    return cs == SWS_CS_ITU709 ? AVCOL_SPC_BT709 : cs == SWS_CS_ITU601 ? AVCOL_SPC_SMPTE170M : 0;
}

static gifc_error yuv_frame(gframe *f, int w, int h, gerr *e)
{
    if (f->rgba && f->w == w && f->h == h && f->yuv420) return GIFC_OK;
    gframe_free(f);
    if (gframe_alloc_yuv420(f, w, h)) return gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
    return GIFC_OK;
}

/* round(x / 255) for x in 0..255*255 */
static inline uint8_t div255(unsigned x)
{
    x += 128;
    return (uint8_t)((x + (x >> 8)) >> 8);
}

static inline void over(uint8_t *p, unsigned a, unsigned bg)
{
    if (a != 255) *p = div255(a * *p + (255 - a) * bg);
}

/* An RGBA frame with alpha made opaque over the background, in place. */
static void composite_rgba(gframe *f, uint32_t bg)
{
    const unsigned c[3] = { bg >> 16 & 255, bg >> 8 & 255, bg & 255 };
    for (int y = 0; y < f->h; y++) {
        uint8_t *p = f->rgba + (size_t)y * f->stride;
        for (int x = 0; x < f->w; x++, p += 4) {
            for (int i = 0; i < 3; i++) over(p + i, p[3], c[i]);
            p[3] = 255;
        }
    }
    f->has_alpha = 0;
}

/* A frame that cannot go direct: through RGBA, then into yuv420 in the promised matrix. */
static gifc_error yuv_via_rgba(scaler *s, const AVFrame *in, int rotation, const geom *g,
                               int out_w, int out_h, gframe *out, gerr *e)
{
    if (run_rgba(s, in, rotation, g, out_w, out_h, &s->rgb, e)) return e->code;
    if (s->rgb.has_alpha) composite_rgba(&s->rgb, s->bg);
    s->to_yuv = sws_getCachedContext(s->to_yuv, out_w, out_h, AV_PIX_FMT_RGBA, out_w, out_h,
                                     AV_PIX_FMT_YUV420P, SWS_BICUBIC, NULL, NULL, NULL);
    if (!s->to_yuv) return gerr_set(e, GIFC_ERR_NOMEM, "cannot set up the RGB to YUV conversion");
    const int *coef = sws_getCoefficients(s->yuv_matrix == AVCOL_SPC_BT709 ? SWS_CS_ITU709
                                                                           : SWS_CS_ITU601);
    sws_setColorspaceDetails(s->to_yuv, coef, 1, coef, 0, 0, 1 << 16, 1 << 16);
    uint8_t *planes[4] = { NULL }; /* swscale reads four of each */
    int strides[4] = { 0 };
    gframe_planes(out, planes, strides);
    const uint8_t *src[4] = { s->rgb.rgba, NULL, NULL, NULL };
    const int src_stride[4] = { s->rgb.stride, 0, 0, 0 };
    sws_scale(s->to_yuv, src, src_stride, 0, out_h, planes, strides);
    return GIFC_OK;
}

static gifc_error ensure_alpha(scaler *s, int w, int h, gerr *e)
{
    size_t need = (size_t)((w + 63) & ~63) * h + 64; /* rows as swscale likes them */
    if (need <= s->alpha_cap) return GIFC_OK;
    free(s->alpha);
    s->alpha_cap = 0;
    if (!(s->alpha = calloc(need, 1))) return gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
    s->alpha_cap = need;
    return GIFC_OK;
}

/* Composites f over the background with the alpha plane a (stride as): Y'CbCr is an affine
 * function of R'G'B', so mixing here is mixing the R'G'B' the RGBA path composites; each
 * chroma sample takes the mean alpha of its four pixels. */
/* Whether n alpha values are all 255: most rows of most clips with alpha are opaque. */
static int opaque(const uint8_t *a, int n)
{
    uint64_t all = ~(uint64_t)0, w;
    int x = 0;
    for (; x + 8 <= n; x += 8) {
        memcpy(&w, a + x, 8);
        if (w != all) return 0;
    }
    for (; x < n; x++)
        if (a[x] != 255) return 0;
    return 1;
}

static void composite_yuv(gframe *f, const uint8_t *a, int as, const uint8_t bg[3])
{
    uint8_t *pl[3];
    int st[3];
    gframe_planes(f, pl, st);
    for (int y = 0; y < f->h; y++) {
        uint8_t *p = pl[0] + (size_t)y * st[0];
        const uint8_t *r = a + (size_t)y * as;
        if (opaque(r, f->w)) continue;
        for (int x = 0; x < f->w; x++) p[x] = div255(r[x] * p[x] + (255u - r[x]) * bg[0]);
    }
    for (int y = 0; y < f->h / 2; y++) {
        uint8_t *u = pl[1] + (size_t)y * st[1], *v = pl[2] + (size_t)y * st[2];
        const uint8_t *r0 = a + (size_t)(2 * y) * as, *r1 = r0 + as;
        if (opaque(r0, f->w) && opaque(r1, f->w)) continue;
        for (int x = 0; x < f->w / 2; x++) {
            unsigned m = (r0[2 * x] + r0[2 * x + 1] + r1[2 * x] + r1[2 * x + 1] + 2u) / 4;
            u[x] = div255(m * u[x] + (255u - m) * bg[1]);
            v[x] = div255(m * v[x] + (255u - m) * bg[2]);
        }
    }
}

/* Straight from the decoder's YUV to yuv420 at the output size: one swscale pass, no RGB. */
static gifc_error run_yuv(scaler *s, const AVFrame *in, int rotation, const geom *g, int out_w,
                          int out_h, gframe *out, gerr *e)
{
    if (yuv_frame(out, out_w, out_h, e)) return e->code;
    out->has_alpha = 0;
    int ix = 0, iy = 0, iw = out_w, ih = out_h;
    if (g) geom_inner(g, out_w, out_h, &ix, &iy, &iw, &ih);
    int m = scale_direct_matrix(in->format, in->colorspace, in->color_trc, in->height);
    if (rotation || iw != out_w || ih != out_h || m != s->yuv_matrix)
        return yuv_via_rgba(s, in, rotation, g, out_w, out_h, out, e);
    const AVFrame *part = NULL;
    if (cut_part(s, in, 0, g, &part, e)) return e->code;
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(part->format);
    int alpha = d && (d->flags & AV_PIX_FMT_FLAG_ALPHA);
    if (alpha && ensure_alpha(s, out_w, out_h, e)) return e->code;
    int flags = part->width >= 2 * out_w ? SWS_AREA : SWS_BICUBIC; /* as ensure_sws */
    s->sws = sws_getCachedContext(s->sws, part->width, part->height, part->format, out_w, out_h,
                                  alpha ? AV_PIX_FMT_YUVA420P : AV_PIX_FMT_YUV420P, flags, NULL,
                                  NULL, NULL);
    if (!s->sws)
        return gerr_set(e, GIFC_ERR_UNSUPPORTED, "cannot convert %s %dx%d pictures",
                        av_get_pix_fmt_name(part->format), part->width, part->height);
    const int *coef = sws_getCoefficients(sws_colorspace(in->colorspace, in->height));
    sws_setColorspaceDetails(s->sws, coef, is_full_range(in), coef, 0, 0, 1 << 16, 1 << 16);
    uint8_t *planes[4] = { NULL }; /* swscale reads four of each */
    int strides[4] = { 0 };
    gframe_planes(out, planes, strides);
    if (alpha) {
        planes[3] = s->alpha;
        strides[3] = (out_w + 63) & ~63;
    }
    sws_scale(s->sws, (const uint8_t *const *)part->data, part->linesize, 0, part->height,
              planes, strides);
    if (part == s->part) av_frame_unref(s->part);
    if (alpha) composite_yuv(out, s->alpha, strides[3], s->bg_yuv);
    return GIFC_OK;
}

gifc_error scaler_run(scaler *s, const AVFrame *in, int rotation, const geom *g, int out_w,
                      int out_h, gframe *out, gerr *e)
{
    if (s->yuv_matrix) return run_yuv(s, in, rotation, g, out_w, out_h, out, e);
    return run_rgba(s, in, rotation, g, out_w, out_h, out, e);
}

gifc_error scale_rgba(scaler *s, const gframe *in, int out_w, int out_h, gframe *out, gerr *e)
{
    if ((out->w != out_w || out->h != out_h || !out->rgba) &&
        (gframe_free(out), gframe_alloc(out, out_w, out_h)))
        return gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
    /* As scaler_run: area averaging for big reductions, bicubic otherwise. */
    int flags = (in->w >= 2 * out_w ? SWS_AREA : SWS_BICUBIC) | SWS_ACCURATE_RND;
    s->sws = sws_getCachedContext(s->sws, in->w, in->h, AV_PIX_FMT_RGBA, out_w, out_h,
                                  AV_PIX_FMT_RGBA, flags, NULL, NULL, NULL);
    if (!s->sws) return gerr_set(e, GIFC_ERR_NOMEM, "cannot set up scaling");
    const uint8_t *src[4] = { in->rgba };
    int src_stride[4] = { in->stride };
    uint8_t *dst[4] = { out->rgba };
    int dst_stride[4] = { out->stride };
    sws_scale(s->sws, src, src_stride, 0, in->h, dst, dst_stride);
    out->pts = in->pts;
    out->duration = in->duration;
    out->has_alpha = in->has_alpha;
    return GIFC_OK;
}
