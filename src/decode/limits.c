/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "decode/limits.h"

#include <inttypes.h>
#include <string.h>

void limits_from_options(source_limits *l, const gifc_options *o)
{
    l->max_pixels = o->max_pixels ? o->max_pixels : GIFC_DEFAULT_MAX_PIXELS;
    l->max_frames = o->max_frames > 0 ? o->max_frames : GIFC_DEFAULT_MAX_FRAMES;
    l->max_duration = o->max_duration > 0 ? o->max_duration : GIFC_DEFAULT_MAX_DURATION;
    l->max_decoded_bytes = o->max_decoded_bytes ? o->max_decoded_bytes
                                                : GIFC_DEFAULT_MAX_DECODED_BYTES;
}

/* Each message ends with the option's name in parentheses: the CLI turns it into the flag
 * that raises the limit. */
gifc_error limits_check_size(const source_limits *l, const char *name, int64_t w, int64_t h,
                             gerr *e)
{
    if (w <= 0 || h <= 0 || (uint64_t)w * (uint64_t)h <= l->max_pixels) return GIFC_OK;
    return gerr_set_opt(e, GIFC_ERR_LIMIT, "max_pixels",
                    "%s: frames of %" PRId64 "x%" PRId64 " pixels are over the limit of %"
                    PRIu64 " pixels a frame (max_pixels)", name, w, h, l->max_pixels);
}

gifc_error limits_check_declared_frames(const source_limits *l, const char *name,
                                        int64_t frames, gerr *e)
{
    if (frames <= l->max_frames) return GIFC_OK;
    return gerr_set_opt(e, GIFC_ERR_LIMIT, "max_frames",
                    "%s: declares %" PRId64 " frames, over the limit of %" PRId64
                    " (max_frames)", name, frames, l->max_frames);
}

gifc_error limits_check_declared_duration(const source_limits *l, const char *name,
                                          double seconds, gerr *e)
{
    if (!(seconds > l->max_duration)) return GIFC_OK;
    return gerr_set_opt(e, GIFC_ERR_LIMIT, "max_duration",
                    "%s: %.0f s to read, over the limit of %.0f s (max_duration)", name,
                    seconds, l->max_duration);
}

gifc_error limits_count_frame(const source_limits *l, limits_usage *u, const char *name,
                              int w, int h, double pts, gerr *e)
{
    if (limits_check_size(l, name, w, h, e)) return e->code;
    if (++u->frames > l->max_frames)
        return gerr_set_opt(e, GIFC_ERR_LIMIT, "max_frames",
                        "%s: more than %" PRId64 " frames decoded (max_frames)", name,
                        l->max_frames);
    u->bytes += (uint64_t)w * (uint64_t)h * 4;
    if (u->bytes > l->max_decoded_bytes)
        return gerr_set_opt(e, GIFC_ERR_LIMIT, "max_decoded_bytes",
                        "%s: more than %" PRIu64 " bytes of pictures decoded "
                        "(max_decoded_bytes)", name, l->max_decoded_bytes);
    if (u->first_pts < 0) u->first_pts = pts;
    /* Timestamps, not frame counts: a few frames may claim to span days. */
    if (pts - u->first_pts > l->max_duration)
        return gerr_set_opt(e, GIFC_ERR_LIMIT, "max_duration",
                        "%s: more than %.0f s of source read (max_duration)", name,
                        l->max_duration);
    return GIFC_OK;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int64_t limits_apng_declared_frames(const uint8_t *head, size_t n)
{
    static const uint8_t sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
    if (n < 8 || memcmp(head, sig, 8)) return -1;
    /* acTL must come before the first IDAT; chunks are length, type, data, CRC. */
    for (size_t at = 8; at + 8 <= n;) {
        uint32_t len = be32(head + at);
        const uint8_t *type = head + at + 4;
        if (!memcmp(type, "acTL", 4)) return at + 12 <= n ? (int64_t)be32(head + at + 8) : -1;
        if (!memcmp(type, "IDAT", 4) || len > n) return -1;
        at += 12 + (size_t)len;
    }
    return -1;
}
