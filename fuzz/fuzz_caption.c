/* libFuzzer target over caption text: the strict UTF-8 decoder (src/caption/utf8.c) and the
 * line breaker (src/caption/layout.c), measured through a fake font whose advances come
 * from the input, so that no font file is needed and every width is reachable.
 *
 * Input: max width (2 bytes, 26.6 px), max lines (1 byte), 8 advances (one per code point
 * class, 0..255 px), then the text. Checks: utf8_next agrees with utf8_decode; the layout
 * keeps to its line count, its glyphs in range, each line no wider than max_width unless
 * it holds one glyph (a glyph wider than a line), pen positions non-decreasing.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "caption/layout.h"
#include "caption/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fail(const char *what, long a, long b)
{
    fprintf(stderr, "fuzz_caption: %s (%ld, %ld)\n", what, a, b);
    abort();
}

static long advance(void *user, uint32_t prev, uint32_t cp)
{
    const uint8_t *adv = user;
    (void)prev;
    return (long)adv[(cp ^ (cp >> 7)) & 7] * 64;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 11) return 0;
    long max_width = (long)(data[0] | data[1] << 8);
    int max_lines = data[2] % LAYOUT_MAX_LINES + 1;
    uint8_t adv[8];
    memcpy(adv, data + 3, 8);
    const char *text = (const char *)data + 11;
    size_t len = size - 11;
    uint32_t *cps = malloc((len + 1) * sizeof *cps);
    if (!cps) abort();
    size_t count = 0;
    long bad = utf8_decode(text, len, cps, &count);
    /* utf8_next, step by step, must find the same characters and the same first fault. */
    size_t at = 0, k = 0;
    while (at < len) {
        uint32_t cp;
        int used = utf8_next((const unsigned char *)text + at, len - at, &cp);
        if (used == 0) break;
        if (used < 0 || used > 4) fail("utf8_next used a strange length", used, (long)at);
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) fail("invalid code point", cp, 0);
        if (bad < 0 && (k >= count || cps[k] != cp)) fail("utf8_next and utf8_decode disagree", (long)k, cp);
        k++;
        at += (size_t)used;
    }
    if (bad < 0 ? at != len || k != count : (long)at != bad)
        fail("utf8_next and utf8_decode stop at different bytes", (long)at, bad);
    if (bad < 0) {
        lay_measure m = { adv, advance };
        caption_layout l;
        memset(&l, 0, sizeof l);
        if (layout_text(cps, count, max_width, max_lines, &m, &l) != 0) fail("layout_text failed", 0, 0);
        if (l.lines < 0 || l.lines > max_lines) fail("too many lines", l.lines, max_lines);
        size_t end = 0;
        for (int i = 0; i < l.lines; i++) {
            const lay_line *ln = &l.line[i];
            if (ln->first < end) fail("lines overlap", i, (long)ln->first);
            end = ln->first + ln->count;
            if (ln->width < 0) fail("negative line width", i, ln->width);
            if (ln->width > max_width && ln->count > 1 && !(l.truncated && i == l.lines - 1))
                fail("line wider than the box", ln->width, max_width);
            for (size_t g = ln->first; g < end; g++) {
                if (l.cps[g] > 0x10FFFF) fail("glyph out of range", (long)g, l.cps[g]);
                if (g > ln->first && l.x[g] < l.x[g - 1]) fail("pen went back", (long)g, l.x[g]);
            }
        }
        layout_free(&l);
    }
    free(cps);
    return 0;
}
