/* SPDX-License-Identifier: GPL-3.0-or-later */
#define _FILE_OFFSET_BITS 64
#include "mp4_boxes.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

static uint64_t big_endian(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++) v = v << 8 | p[i];
    return v;
}

int mp4_moov_before_mdat(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    int result = -1;
    off_t size = fseeko(f, 0, SEEK_END) == 0 ? ftello(f) : 0, pos = 0;
    while (pos + 8 <= size) {
        unsigned char h[16];
        if (fseeko(f, pos, SEEK_SET) != 0 || fread(h, 1, 8, f) != 8) break;
        uint64_t len = big_endian(h, 4);
        int hdr = 8;
        if (len == 1) { /* 64-bit size follows */
            if (fread(h + 8, 1, 8, f) != 8) break;
            len = big_endian(h + 8, 8);
            hdr = 16;
        } else if (len == 0) { /* to the end of the file */
            len = (uint64_t)(size - pos);
        }
        if (len < (uint64_t)hdr) break; /* malformed */
        if (memcmp(h + 4, "moov", 4) == 0) { result = 1; break; }
        if (memcmp(h + 4, "mdat", 4) == 0) { result = 0; break; }
        pos += (off_t)len;
    }
    fclose(f);
    return result;
}
