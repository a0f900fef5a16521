/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "gif/denoise.h"

#include "gif/colour.h"

#include <stddef.h>

/* The previous cleaned frame already averages several samples: it weighs double, which
 * makes the filter recursive (a still, noisy pixel settles instead of dancing). A gate on
 * each pixel alone kept more SSIM on a handheld clip than one on 3x3 neighbourhoods. */
#define PREV_WEIGHT 2

static inline int close_enough(const uint8_t *a, const uint8_t *b, int range_sq)
{
    if (b[3] != 255) return 0;
    return colour_dist_sq(a[0] - b[0], a[1] - b[1], a[2] - b[2]) <= range_sq;
}

static void denoise_row(const denoise_frames *d, int y)
{
    uint8_t *c = d->cur + (size_t)y * d->cur_stride;
    const uint8_t *p = d->prev ? d->prev + (size_t)y * d->w * 4 : NULL;
    const uint8_t *nx[DENOISE_MAX_AHEAD];
    for (int k = 0; k < d->nnext; k++) nx[k] = d->next[k] + (size_t)y * d->next_stride[k];
    for (int x = 0; x < d->w; x++, c += 4) {
        if (c[3] != 255) continue;
        int n = 1, sr = c[0], sg = c[1], sb = c[2];
        if (p && close_enough(c, p + x * 4, d->range_sq)) {
            const uint8_t *s = p + x * 4;
            sr += PREV_WEIGHT * s[0], sg += PREV_WEIGHT * s[1], sb += PREV_WEIGHT * s[2];
            n += PREV_WEIGHT;
        }
        for (int k = 0; k < d->nnext; k++) {
            const uint8_t *s = nx[k] + x * 4;
            if (!close_enough(c, s, d->range_sq)) continue;
            sr += s[0], sg += s[1], sb += s[2];
            n++;
        }
        if (n == 1) continue;
        c[0] = (uint8_t)((sr + n / 2) / n);
        c[1] = (uint8_t)((sg + n / 2) / n);
        c[2] = (uint8_t)((sb + n / 2) / n);
    }
}

void denoise_frame(const denoise_frames *d)
{
    for (int y = 0; y < d->h; y++) denoise_row(d, y);
}
