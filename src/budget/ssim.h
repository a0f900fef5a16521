/* SSIM between two RGBA pictures of one size, on luma, the measure the size-budget search
 * trades bytes against (the same yardstick as bench/quality.sh, computed in process).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_SSIM_H
#define GIFC_SSIM_H
#include <stdint.h>

/* Mean SSIM over 8x8 windows 4 pixels apart (1.0 = identical). Transparent pixels count as
 * white, as players show them on a page. Pictures smaller than 8x8 compare as one window. */
double ssim_rgba(const uint8_t *a, int a_stride, const uint8_t *b, int b_stride, int w, int h);
#endif
