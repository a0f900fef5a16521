/* Growable byte buffer used by the writers and the LZW encoder.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_BUF_H
#define GIFC_BUF_H
#include <stddef.h>
#include <stdint.h>

typedef struct gbuf {
    uint8_t *data;
    size_t len, cap;
    int failed; /* sticky: an allocation failed, len no longer grows */
} gbuf;

/* All return 0 on success, -1 when memory ran out (and set failed). */
int gbuf_reserve(gbuf *b, size_t extra);
int gbuf_put(gbuf *b, const void *p, size_t n);
int gbuf_byte(gbuf *b, uint8_t v);
int gbuf_u16le(gbuf *b, unsigned v);
void gbuf_reset(gbuf *b);   /* len = 0, keeps memory */
void gbuf_free(gbuf *b);    /* releases memory, zeroes the struct */
#endif
