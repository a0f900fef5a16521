/* Plays a GIF back as full RGBA canvases, the way a browser composes it (disposal,
 * transparency), through giflib: the budget search measures what it wrote, with a decoder
 * that is not its own encoder.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_GIF_READ_H
#define GIFC_GIF_READ_H
#include "base/gerr.h"
#include <stdint.h>
#include <stdio.h>

/* canvas: w x h RGBA (stride w * 4), valid during the call. Return non-zero to stop. */
typedef int (*gif_read_fn)(void *user, const uint8_t *canvas, int w, int h, int delay_cs);

/* Reads the GIF in fp from its start; fp is left open. Interlaced images are not expected
 * (gifc never writes them) and come out in stored row order. */
gifc_error gif_read_frames(FILE *fp, gif_read_fn fn, void *user, gerr *e);
#endif
