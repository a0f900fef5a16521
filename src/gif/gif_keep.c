/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "gif/gif_keep.h"

#define MIN_DELAY 2      /* below this, players substitute ... */
#define SHOWN_DELAY 10   /* ... this */

/* End of the data sub-blocks starting at at (after the terminator); 0 past the end. */
static size_t sub_blocks_end(const uint8_t *buf, size_t n, size_t at)
{
    while (at < n && buf[at]) at += (size_t)buf[at] + 1;
    return at < n ? at + 1 : 0;
}

static size_t colour_table_bytes(uint8_t flags)
{
    return flags & 0x80 ? 3u * (2u << (flags & 7)) : 0;
}

static void put_gce(gbuf *out)
{
    const uint8_t gce[8] = { 0x21, 0xF9, 0x04, 0x00, SHOWN_DELAY, 0x00, 0x00, 0x00 };
    gbuf_put(out, gce, sizeof gce);
}

int gif_keep_normalize(const uint8_t *buf, size_t n, gbuf *out)
{
    if (n < 14 || buf[0] != 'G' || buf[1] != 'I' || buf[2] != 'F') return -1;
    size_t at = 13 + colour_table_bytes(buf[10]);
    if (at > n) return -1;
    gbuf_put(out, buf, at);
    int changed = 0, have_gce = 0;
    while (at < n) {
        uint8_t kind = buf[at];
        size_t end;
        if (kind == 0x3B) {                           /* trailer: a whole file */
            gbuf_byte(out, 0x3B);
            return out->failed ? -1 : changed;
        }
        if (kind == 0x21 && at + 2 < n) {             /* extension */
            end = sub_blocks_end(buf, n, at + 2);
            if (!end) return -1;
            size_t from = out->len;
            gbuf_put(out, buf + at, end - at);
            if (buf[at + 1] == 0xF9 && buf[at + 2] == 4 && end - at >= 8 && !out->failed) {
                have_gce = 1;
                uint8_t *d = out->data + from + 4;
                if ((d[0] | d[1] << 8) < MIN_DELAY) {
                    d[0] = SHOWN_DELAY;
                    d[1] = 0;
                    changed++;
                }
            }
        } else if (kind == 0x2C && at + 10 < n) {     /* image */
            end = sub_blocks_end(buf, n, at + 10 + colour_table_bytes(buf[at + 9]) + 1);
            if (!end) return -1;
            if (!have_gce) {
                put_gce(out);
                changed++;
            }
            gbuf_put(out, buf + at, end - at);
            have_gce = 0;
        } else {
            return -1;
        }
        at = end;
    }
    return -1; /* no trailer */
}
