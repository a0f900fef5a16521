/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "budget/ssim.h"

#include <stdlib.h>

/* BT.601 luma in 8.8 fixed point, alpha composited over white. */
static inline int luma(const uint8_t *p)
{
    int y = (77 * p[0] + 150 * p[1] + 29 * p[2]) >> 8;
    return (y * p[3] + 255 * (255 - p[3]) + 127) / 255;
}

static uint8_t *luma_plane(const uint8_t *rgba, int stride, int w, int h)
{
    uint8_t *y = malloc((size_t)w * h);
    if (!y) return NULL;
    for (int r = 0; r < h; r++)
        for (int c = 0; c < w; c++) y[(size_t)r * w + c] = (uint8_t)luma(rgba + (size_t)r * stride + c * 4);
    return y;
}

static double window_ssim(const uint8_t *a, const uint8_t *b, int w, int x0, int y0, int ww, int wh)
{
    const double c1 = 6.5025, c2 = 58.5225; /* (0.01*255)^2, (0.03*255)^2 */
    double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
    for (int y = y0; y < y0 + wh; y++)
        for (int x = x0; x < x0 + ww; x++) {
            double va = a[(size_t)y * w + x], vb = b[(size_t)y * w + x];
            sa += va;
            sb += vb;
            saa += va * va;
            sbb += vb * vb;
            sab += va * vb;
        }
    double n = (double)ww * wh;
    double ma = sa / n, mb = sb / n;
    double va = saa / n - ma * ma, vb = sbb / n - mb * mb, cov = sab / n - ma * mb;
    return ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
}

double ssim_rgba(const uint8_t *a, int a_stride, const uint8_t *b, int b_stride, int w, int h)
{
    if (w <= 0 || h <= 0) return 1.0;
    uint8_t *ya = luma_plane(a, a_stride, w, h), *yb = luma_plane(b, b_stride, w, h);
    double sum = 0;
    int n = 0;
    if (ya && yb) {
        int ww = w < 8 ? w : 8, wh = h < 8 ? h : 8;
        for (int y = 0; y + wh <= h; y += 4)
            for (int x = 0; x + ww <= w; x += 4, n++) sum += window_ssim(ya, yb, w, x, y, ww, wh);
    }
    free(ya);
    free(yb);
    return n ? sum / n : 0.0;
}
