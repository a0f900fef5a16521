/* Animated (and still) WebP through libwebp's demux API: FFmpeg 5.1 cannot decode
 * animated WebP. Private to source.c.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_DECODE_WEBP_H
#define GIFC_DECODE_WEBP_H
#include "base/gerr.h"
#include "decode/source.h"
#include <libavutil/frame.h>

typedef struct webpdec webpdec;

int webpdec_sniff(const uint8_t *head, size_t n); /* 1 when the bytes start a WebP file */
gifc_error webpdec_open(webpdec **out, const char *path, const uint8_t *mem, size_t mem_size,
                        const source_limits *lim, source_info *info, gerr *e);
/* Same contract as avdec_next: an RGBA canvas frame owned by the decoder, NULL at the end. */
gifc_error webpdec_next(webpdec *d, AVFrame **frame, double *pts, double *dur_hint, gerr *e);
void webpdec_free(webpdec **d);
#endif
