/* Keeping a GIF input as the output: its bytes, with the timing players actually show made
 * explicit. A delay of 0 or 1 cs, or an image with no Graphic Control Extension at all, is
 * shown for 10 cs by browsers and FFmpeg; gifc never writes delays under 2 cs.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_GIF_KEEP_H
#define GIFC_GIF_KEEP_H
#include "base/gbuf.h"

/* Copies the GIF in buf to out with every delay under 2 cs written as 10 cs, and a
 * 10 cs Graphic Control Extension (8 bytes) added before each image that has none. Returns
 * the number of frames changed, or -1 when buf is not a whole, well-formed GIF or memory
 * ran out (out is then incomplete). */
int gif_keep_normalize(const uint8_t *buf, size_t n, gbuf *out);
#endif
