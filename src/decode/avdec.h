/* FFmpeg demux + decode of the best video stream. Private to source.c.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_DECODE_AV_H
#define GIFC_DECODE_AV_H
#include "base/gerr.h"
#include "decode/source.h"
#include <libavutil/frame.h>

typedef struct avdec avdec;

struct AVFormatContext;
/* avformat_find_stream_info under lim's max_pixels: the decoders it runs to probe each
 * stream refuse a larger picture, as the video decoder does. Every opener of an input uses
 * it (the video decoder and the audio track). Returns FFmpeg's code. */
int avdec_find_stream_info(struct AVFormatContext *fmt, const source_limits *lim);

gifc_error avdec_open(avdec **out, const char *path, const uint8_t *mem, size_t mem_size,
                      int threads, const source_limits *lim, source_info *info, gerr *e);
/* Clockwise degrees (0, 90, 180, 270) the decoded picture must turn to display upright. */
int avdec_rotation(const avdec *d);
/* Best-effort seek so that decoding starts at or before t seconds. */
void avdec_seek(avdec *d, double t);
/* Next decoded frame (owned by the decoder until the next call). *pts in seconds from the
 * stream start, *dur_hint the container's duration for it (0 when unknown). NULL at the end. */
gifc_error avdec_next(avdec *d, AVFrame **frame, double *pts, double *dur_hint, gerr *e);
/* After the end: 1 when the file ended before what its header promised (why filled). */
int avdec_truncated(const avdec *d, char *why, size_t n);
void avdec_free(avdec **d);
#endif
