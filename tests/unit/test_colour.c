/* Colour through the decode stage (source.c + scale.c + tonemap.c), which every output
 * format reads: lossless BT.709 HD, BT.601 SD and untagged HD copies of an RGB picture come
 * back as that picture, and PQ and HLG versions of it come back as the SDR original after
 * tone mapping. The fixtures are made by fixtures/make-fixtures.sh (section 12-18).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "budget/ssim.h"
#include "decode/source.h"
#include "picture/tonemap.h"

#include <libavutil/mastering_display_metadata.h>
#include <math.h>
#include <stdlib.h>

#include "check.h"

static const char *dir = GIFC_FIXTURE_DIR;

/* The first picture of fixtures/name as RGBA at its own size; 0 when it could not be read. */
static int first_picture(const char *name, gframe *out)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    source_limits lim = { 1u << 26, 1 << 20, 1e6, 1ull << 40 };
    source *s = NULL;
    gerr e = { 0 };
    if (source_open(&s, path, NULL, 0, 1, &lim, &e)) {
        check_note("%s: %s", name, e.msg);
        return 0;
    }
    const source_info *si = source_get_info(s);
    source_timing t = { 0, 0, 1, 0 };
    int got = 0;
    int ok = !source_start(s, si->width, si->height, &t, &e) && !source_next(s, out, &got, &e) &&
             got;
    if (!ok) check_note("%s: %s", name, e.msg);
    source_free(&s);
    return ok;
}

/* Worst channel's PSNR (dB) of b against a. */
static double min_channel_psnr(const gframe *a, const gframe *b)
{
    double worst = 1e9;
    for (int c = 0; c < 3; c++) {
        double se = 0;
        for (int y = 0; y < a->h; y++)
            for (int x = 0; x < a->w; x++) {
                double d = a->rgba[(size_t)y * a->stride + 4 * x + c] -
                           b->rgba[(size_t)y * b->stride + 4 * x + c];
                se += d * d;
            }
        double mse = se / ((double)a->w * a->h);
        double p = mse > 0 ? 10 * log10(255.0 * 255.0 / mse) : 99;
        if (p < worst) worst = p;
    }
    return worst;
}

static double mean_luma(const gframe *f)
{
    double sum = 0;
    for (int y = 0; y < f->h; y++)
        for (int x = 0; x < f->w; x++) {
            const uint8_t *p = f->rgba + (size_t)y * f->stride + 4 * x;
            sum += 0.2126 * p[0] + 0.7152 * p[1] + 0.0722 * p[2];
        }
    return sum / ((double)f->w * f->h);
}

static void keeps_colours(const char *video, const char *ref)
{
    gframe a = { 0 }, b = { 0 };
    if (first_picture(ref, &a) && first_picture(video, &b)) {
        CHECK(a.w == b.w && a.h == b.h, "%s: %dx%d, reference %dx%d", video, b.w, b.h, a.w, a.h);
        if (a.w == b.w && a.h == b.h) {
            double p = min_channel_psnr(&a, &b);
            CHECK(p >= 40, "%s: worst channel PSNR %.2f dB, want >= 40", video, p);
            check_note("%s: worst channel PSNR %.2f dB", video, p);
        }
    } else
        CHECK(0, "%s or %s not decoded", video, ref);
    gframe_free(&a);
    gframe_free(&b);
}

static void tone_maps_to_sdr(const char *video, const char *ref)
{
    gframe a = { 0 }, b = { 0 };
    if (first_picture(ref, &a) && first_picture(video, &b) && a.w == b.w && a.h == b.h) {
        double s = ssim_rgba(a.rgba, a.stride, b.rgba, b.stride, a.w, a.h);
        double la = mean_luma(&a), lb = mean_luma(&b);
        check_note("%s: SSIM %.4f, mean luma %.1f (SDR source %.1f)", video, s, lb, la);
        CHECK(s >= 0.97, "%s: SSIM %.4f against the SDR source, want >= 0.97", video, s);
        CHECK(fabs(lb - la) <= 0.05 * la, "%s: mean luma %.1f, SDR source %.1f (want within 5%%)",
              video, lb, la);
    } else
        CHECK(0, "%s or %s not decoded at one size", video, ref);
    gframe_free(&a);
    gframe_free(&b);
}

/* The straight YUV path (source_yuv_direct): the first picture as a yuv420 frame in the
 * matrix promised, limited range; its luma must be the reference's Y' in that matrix. An
 * HDR video never goes straight (tone mapping needs RGB). want: AVColorSpace or 0. */
static void goes_straight(const char *video, const char *ref, int want)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, video);
    source_limits lim = { 1u << 26, 1 << 20, 1e6, 1ull << 40 };
    source *s = NULL;
    gerr e = { 0 };
    gframe a = { 0 }, f = { 0 };
    int got = 0;
    if (source_open(&s, path, NULL, 0, 1, &lim, &e)) {
        CHECK(0, "%s: %s", video, e.msg);
        return;
    }
    int m = source_yuv_direct(s, 1, 0xffffff);
    CHECK(m == want, "%s: matrix %d, want %d", video, m, want);
    const source_info *si = source_get_info(s);
    source_timing t = { 0, 0, 1, 0 };
    if (want && first_picture(ref, &a) && !source_start(s, si->width, si->height, &t, &e) &&
        !source_next(s, &f, &got, &e) && got) {
        CHECK(f.yuv420 && f.w == a.w && f.h == a.h, "%s: a %dx%d yuv420 frame", video, f.w, f.h);
        double kr = want == AVCOL_SPC_BT709 ? 0.2126 : 0.299;
        double kb = want == AVCOL_SPC_BT709 ? 0.0722 : 0.114, se = 0;
        uint8_t *pl[3];
        int st[3];
        gframe_planes(&f, pl, st);
        for (int y = 0; f.yuv420 && y < a.h; y++)
            for (int x = 0; x < a.w; x++) {
                const uint8_t *p = a.rgba + (size_t)y * a.stride + 4 * x;
                double l = 16 + 219 * (kr * p[0] + (1 - kr - kb) * p[1] + kb * p[2]) / 255;
                double d = pl[0][(size_t)y * st[0] + x] - l;
                se += d * d;
            }
        double psnr = 10 * log10(255.0 * 255.0 / (se / ((double)a.w * a.h) + 1e-9));
        check_note("%s straight: luma PSNR %.2f dB", video, psnr);
        CHECK(psnr >= 40, "%s: luma PSNR %.2f dB against the reference's Y', want >= 40", video,
              psnr);
    } else if (want)
        CHECK(0, "%s or %s not decoded", video, ref);
    gframe_free(&a);
    gframe_free(&f);
    source_free(&s);
}

/* The tone curve's own properties, without any file. */
static void curve(void)
{
    CHECK(tonemap_kind(AVCOL_TRC_SMPTE2084) == TM_PQ);
    CHECK(tonemap_kind(AVCOL_TRC_ARIB_STD_B67) == TM_HLG);
    CHECK(tonemap_kind(AVCOL_TRC_BT709) == TM_NONE && tonemap_kind(AVCOL_TRC_UNSPECIFIED) == TM_NONE);
    AVFrame *f = av_frame_alloc();
    CHECK(f && tonemap_peak(f, TM_PQ) == 1000.0, "no metadata: 1000 nits");
    AVContentLightMetadata *c = f ? av_content_light_metadata_create_side_data(f) : NULL;
    if (c) c->MaxCLL = 4000;
    CHECK(f && tonemap_peak(f, TM_PQ) == 4000.0, "MaxCLL read");
    av_frame_free(&f);

    /* PQ greys: dark ones pass unchanged, brighter ones stay in order, the peak is white. */
    tonemap *t = tonemap_new();
    uint16_t py[6], pu[6], pv[6];
    uint16_t *planes[3] = { py, pu, pv };
    const ptrdiff_t st[3] = { sizeof py, sizeof pu, sizeof pv };
    uint8_t dst[4 * 6];
    const double nits[6] = { 0, 5, 20, 100, 400, 1000 };
    for (int i = 0; i < 6; i++) {
        double y = pow(nits[i] / 10000.0, 0.1593017578125);
        double e = pow((0.8359375 + 18.8515625 * y) / (1 + 18.6875 * y), 78.84375);
        py[i] = (uint16_t)lround(e * 65535); /* full range grey */
        pu[i] = pv[i] = 32768;
    }
    CHECK(t && !tonemap_run(t, TM_PQ, 1000, 1, planes, st, dst, sizeof dst, 6, 1));
    for (int i = 1; i < 6; i++) CHECK(dst[4 * i] > dst[4 * (i - 1)], "grey %d in order", i);
    double want20 = 255 * pow(20 / TM_SDR_WHITE, 1 / 2.4);
    CHECK(fabs(dst[8] - want20) <= 1, "20 nits: %d, want %.1f (below the knee)", dst[8], want20);
    CHECK(dst[20] == 255 && dst[21] == 255 && dst[22] == 255 && dst[23] == 255, "peak: white");
    tonemap_free(&t);
}

int main(void)
{
    curve();
    keeps_colours("h264_bt709_1280x720_lossless.mkv", "ref_testsrc2_1280x720.png");
    keeps_colours("h264_bt601_640x360_lossless.mkv", "ref_mandelbrot_640x360.png");
    keeps_colours("h264_untagged_1280x720_lossless.mkv", "ref_testsrc2_1280x720.png");
    tone_maps_to_sdr("hevc_pq_bt2020_640x360_10bit.mkv", "ref_mandelbrot_640x360.png");
    tone_maps_to_sdr("hevc_hlg_bt2020_640x360_10bit.mkv", "ref_mandelbrot_640x360.png");
    goes_straight("h264_bt709_1280x720_lossless.mkv", "ref_testsrc2_1280x720.png", AVCOL_SPC_BT709);
    goes_straight("h264_bt601_640x360_lossless.mkv", "ref_mandelbrot_640x360.png",
                  AVCOL_SPC_SMPTE170M);
    goes_straight("h264_untagged_1280x720_lossless.mkv", "ref_testsrc2_1280x720.png",
                  AVCOL_SPC_BT709);
    goes_straight("hevc_pq_bt2020_640x360_10bit.mkv", NULL, 0);
    return failures != 0;
}
