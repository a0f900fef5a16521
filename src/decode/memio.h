/* An FFmpeg demuxer reading from a caller's buffer (gifc_convert_memory), for the video
 * decoder and the audio track alike, each with its own read position.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_MEMIO_H
#define GIFC_MEMIO_H
#include "base/gerr.h"
#include <libavformat/avformat.h>

typedef struct memio {
    const uint8_t *data;   /* borrowed */
    size_t size, pos;
    AVIOContext *io;
} memio;

/* Makes *fmt a fresh format context reading from data; pass it to avformat_open_input. */
gifc_error memio_open(memio *m, const uint8_t *data, size_t size, AVFormatContext **fmt,
                      gerr *e);
/* Frees the I/O context (after avformat_close_input); accepts a zeroed struct. */
void memio_close(memio *m);
#endif
