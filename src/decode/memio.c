/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "decode/memio.h"

#include <string.h>

#define MEMIO_BUFFER 65536

static int mem_read(void *opaque, uint8_t *buf, int n)
{
    memio *m = opaque;
    size_t left = m->size - m->pos;
    if (!left) return AVERROR_EOF;
    if ((size_t)n > left) n = (int)left;
    memcpy(buf, m->data + m->pos, (size_t)n);
    m->pos += (size_t)n;
    return n;
}

static int64_t mem_seek(void *opaque, int64_t off, int whence)
{
    memio *m = opaque;
    if (whence == AVSEEK_SIZE) return (int64_t)m->size;
    whence &= ~AVSEEK_FORCE;
    int64_t base = whence == SEEK_CUR ? (int64_t)m->pos : whence == SEEK_END ? (int64_t)m->size : 0;
    int64_t p = base + off;
    if (p < 0 || p > (int64_t)m->size) return AVERROR(EINVAL);
    m->pos = (size_t)p;
    return p;
}

gifc_error memio_open(memio *m, const uint8_t *data, size_t size, AVFormatContext **fmt,
                      gerr *e)
{
    *m = (memio){ data, size, 0, NULL };
    uint8_t *buf = av_malloc(MEMIO_BUFFER);
    if (!buf) return gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
    m->io = avio_alloc_context(buf, MEMIO_BUFFER, 0, m, mem_read, NULL, mem_seek);
    if (!m->io) {
        av_free(buf);
        return gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
    }
    *fmt = avformat_alloc_context();
    if (!*fmt) return gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
    (*fmt)->pb = m->io;
    return GIFC_OK;
}

void memio_close(memio *m)
{
    if (m->io) {
        av_freep(&m->io->buffer);
        avio_context_free(&m->io);
    }
}
