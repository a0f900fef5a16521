/* The colour distance the whole GIF encoder uses.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_GIF_COLOUR_H
#define GIFC_GIF_COLOUR_H

/* Squared perceptual distance of an RGB difference: green weighs most, as in luma, and the
 * weights stay integers so that for channel differences within +-255 it fits an int (at most
 * 9 * 255^2). Denoising, frame differencing, remapping and lossy LZW all measure with it, so
 * their thresholds share one scale. */
static inline int colour_dist_sq(int dr, int dg, int db)
{
    return 2 * dr * dr + 4 * dg * dg + 3 * db * db;
}
#endif
