/* HDR to SDR tone mapping, run on the RGB pictures swscale makes at the output size.
 *
 * The curve is the BT.2390 EETF (ITU-R BT.2390-10, section 5.4.1): in the PQ domain, the
 * source range up to its peak is mapped onto the target range with a linear part up to the
 * knee KS = 1.5 * maxLum - 0.5 and a Hermite spline above it. The target is SDR white at
 * 203 nits (BT.2408), the level at which HDR productions and converters place SDR's 100 %.
 * The curve is applied to max(R,G,B) and every channel is scaled by the same gain, so hue
 * and saturation hold and no channel passes the peak. HLG is first taken to display light
 * with its OOTF for a 1000-nit display (BT.2100: system gamma 1.2). SDR code values come
 * from the BT.1886 display's inverse (gamma 1/2.4).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "picture/tonemap.h"

#include <libavutil/mastering_display_metadata.h>
#include <math.h>
#include <stdlib.h>

#define LUT 4096 /* tables indexed by sqrt(x) * (LUT - 1): fine steps near black */

struct tonemap {
    int kind;
    double peak;
    float lin[65536];   /* code -> light relative to SDR white (PQ) or scene light (HLG) */
    float ootf[LUT];    /* HLG: sqrt(Ys) -> Lw * Ys^(gamma - 1) / SDR white */
    float gain[LUT];    /* sqrt(max / peak) -> EETF(max) / max */
    uint8_t enc[LUT];   /* sqrt(v) -> 8-bit BT.709 code (BT.1886 display) */
    float peak_rel;     /* peak / SDR white */
};

int tonemap_kind(enum AVColorTransferCharacteristic trc)
{
    if (trc == AVCOL_TRC_SMPTE2084) return TM_PQ;
    if (trc == AVCOL_TRC_ARIB_STD_B67) return TM_HLG;
    return TM_NONE;
}

double tonemap_peak(const AVFrame *f, int kind)
{
    if (kind != TM_PQ) return 1000.0;
    const AVFrameSideData *sd = av_frame_get_side_data(f, AV_FRAME_DATA_CONTENT_LIGHT_LEVEL);
    if (sd && sd->size >= sizeof(AVContentLightMetadata)) {
        const AVContentLightMetadata *c = (const AVContentLightMetadata *)sd->data;
        if (c->MaxCLL >= 50 && c->MaxCLL <= 10000) return c->MaxCLL;
    }
    sd = av_frame_get_side_data(f, AV_FRAME_DATA_MASTERING_DISPLAY_METADATA);
    if (sd && sd->size >= sizeof(AVMasteringDisplayMetadata)) {
        const AVMasteringDisplayMetadata *m = (const AVMasteringDisplayMetadata *)sd->data;
        double p = m->has_luminance ? av_q2d(m->max_luminance) : 0;
        if (p >= 50 && p <= 10000) return p;
    }
    return 1000.0;
}

tonemap *tonemap_new(void) { return calloc(1, sizeof(tonemap)); }

void tonemap_free(tonemap **t)
{
    if (!t) return;
    free(*t);
    *t = NULL;
}

/* SMPTE ST 2084 */
#define PQ_M1 0.1593017578125
#define PQ_M2 78.84375
#define PQ_C1 0.8359375
#define PQ_C2 18.8515625
#define PQ_C3 18.6875

static double pq_eotf(double e) /* code 0..1 -> nits */
{
    double p = pow(e, 1.0 / PQ_M2);
    double n = p - PQ_C1 > 0 ? p - PQ_C1 : 0;
    return 10000.0 * pow(n / (PQ_C2 - PQ_C3 * p), 1.0 / PQ_M1);
}

static double pq_inv(double nits) /* nits -> code 0..1 */
{
    double y = pow(nits / 10000.0, PQ_M1);
    return pow((PQ_C1 + PQ_C2 * y) / (1 + PQ_C3 * y), PQ_M2);
}

static double hlg_inv_oetf(double e) /* code 0..1 -> scene light 0..1 */
{
    const double a = 0.17883277, b = 0.28466892, c = 0.55991073;
    return e <= 0.5 ? e * e / 3.0 : (exp((e - c) / a) + b) / 12.0;
}

/* BT.2390 EETF: nits in, nits out, from [0, peak] onto [0, target]. */
static double eetf(double nits, double peak, double target)
{
    if (peak <= target) return nits < target ? nits : target;
    double src = pq_inv(peak);
    double e1 = pq_inv(nits) / src, max_lum = pq_inv(target) / src;
    double ks = 1.5 * max_lum - 0.5, e2 = e1;
    if (e1 >= 1) e2 = max_lum;
    else if (e1 > ks) {
        double t = (e1 - ks) / (1 - ks), t2 = t * t, t3 = t2 * t;
        e2 = (2 * t3 - 3 * t2 + 1) * ks + (t3 - 2 * t2 + t) * (1 - ks) + (-2 * t3 + 3 * t2) * max_lum;
    }
    return pq_eotf(e2 * src);
}

/* SDR screens show BT.709 through the BT.1886 EOTF (gamma 2.4 on a zero-black display):
 * its inverse gives the code that displays this light, as zimg's display-referred
 * conversions do. */
static double bt1886_inv(double v) { return pow(v, 1 / 2.4); }

static void build(tonemap *t, int kind, double peak)
{
    t->kind = kind;
    t->peak = peak;
    t->peak_rel = (float)(peak / TM_SDR_WHITE);
    for (int i = 0; i < 65536; i++) {
        double e = i / 65535.0;
        t->lin[i] = (float)(kind == TM_PQ ? pq_eotf(e) / TM_SDR_WHITE : hlg_inv_oetf(e));
    }
    for (int i = 0; i < LUT; i++) {
        double s = (double)i / (LUT - 1), x = s * s;
        t->ootf[i] = (float)(1000.0 * pow(x > 1e-6 ? x : 1e-6, 0.2) / TM_SDR_WHITE);
        double nits = x * peak;
        t->gain[i] = (float)(nits > 1e-9 ? eetf(nits, peak, TM_SDR_WHITE) / nits : 1.0);
        double c = 255.0 * bt1886_inv(x) + 0.5;
        t->enc[i] = (uint8_t)(c > 255 ? 255 : c);
    }
}

static inline int lut_index(float x)
{
    if (!(x > 0)) return 0;
    float s = sqrtf(x) * (LUT - 1);
    return s >= LUT - 1 ? LUT - 1 : (int)(s + 0.5f);
}

static inline int code16(float v)
{
    if (!(v > 0)) return 0;
    return v >= 1 ? 65535 : (int)(v * 65535 + 0.5f);
}

static inline float maxf3(float a, float b, float c)
{
    float m = a > b ? a : b;
    return m > c ? m : c;
}

static inline float minf3(float a, float b, float c)
{
    float m = a < b ? a : b;
    return m < c ? m : c;
}

/* One pixel: Y'CbCr normalised (Y' 0..1, Cb Cr -0.5..0.5) to 8-bit SDR RGBA. */
static void pixel(const tonemap *t, float yy, float cb, float cr, uint8_t *d)
{
    /* BT.2020 non-constant-luminance matrix (Kr 0.2627, Kb 0.0593). */
    float rp = yy + 1.4746f * cr, gp = yy - 0.16455f * cb - 0.57135f * cr, bp = yy + 1.8814f * cb;
    float r = t->lin[code16(rp)], g = t->lin[code16(gp)], b = t->lin[code16(bp)];
    if (t->kind == TM_HLG) {
        float ys = 0.2627f * r + 0.6780f * g + 0.0593f * b;
        float k = t->ootf[lut_index(ys)];
        r *= k, g *= k, b *= k;
    }
    /* Tone map on the largest channel, relative to the peak. */
    float m = maxf3(r, g, b);
    if (m > 0) {
        float k = m >= t->peak_rel ? 1.0f / m : t->gain[lut_index(m / t->peak_rel)];
        r *= k, g *= k, b *= k;
    }
    /* BT.2020 to BT.709 primaries, in linear light. */
    float r7 = 1.660491f * r - 0.587641f * g - 0.072850f * b;
    float g7 = -0.124550f * r + 1.132900f * g - 0.008349f * b;
    float b7 = -0.018151f * r - 0.100579f * g + 1.118730f * b;
    float y = 0.2126f * r7 + 0.7152f * g7 + 0.0722f * b7;
    /* Outside BT.709: towards grey of the same luminance until it fits, keeping the hue. */
    float lo = minf3(r7, g7, b7);
    if (lo < 0) {
        float k = y > 0 ? y / (y - lo) : 0;
        r7 = y + k * (r7 - y), g7 = y + k * (g7 - y), b7 = y + k * (b7 - y);
    }
    float hi = maxf3(r7, g7, b7);
    if (hi > 1) {
        float k = y < 1 ? (1 - y) / (hi - y) : 0;
        if (y >= 1) y = 1;
        r7 = y + k * (r7 - y), g7 = y + k * (g7 - y), b7 = y + k * (b7 - y);
    }
    d[0] = t->enc[lut_index(r7)];
    d[1] = t->enc[lut_index(g7)];
    d[2] = t->enc[lut_index(b7)];
    d[3] = 255;
}

int tonemap_run(tonemap *t, int kind, double peak, int full_range, uint16_t *const plane[3],
                const ptrdiff_t stride[3], uint8_t *dst, ptrdiff_t dst_stride, int w, int h)
{
    if (!t) return -1;
    if (t->kind != kind || t->peak != peak) build(t, kind, peak);
    /* 16-bit codes as swscale scales 8..12-bit ones up (limited range: Y 16..235 << 8). */
    float y0 = full_range ? 0 : 4096, ys = full_range ? 65535 : 56064;
    float cs = full_range ? 65535 : 57344;
    for (int y = 0; y < h; y++) {
        const uint16_t *py = (const uint16_t *)((const uint8_t *)plane[0] + y * stride[0]);
        const uint16_t *pu = (const uint16_t *)((const uint8_t *)plane[1] + y * stride[1]);
        const uint16_t *pv = (const uint16_t *)((const uint8_t *)plane[2] + y * stride[2]);
        uint8_t *d = dst + y * dst_stride;
        for (int x = 0; x < w; x++)
            pixel(t, (py[x] - y0) / ys, (pu[x] - 32768.0f) / cs, (pv[x] - 32768.0f) / cs,
                  d + 4 * x);
    }
    return 0;
}
