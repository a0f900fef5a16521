/* Unit test of the caption's text handling: the strict UTF-8 decoder (src/utf8.c) and line
 * breaking (src/caption_layout.c), with a fixed-width measure so that no font is needed.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "caption/caption.h"
#include "caption/layout.h"
#include "caption/utf8.h"

#include <stdio.h>
#include <string.h>

#include "check.h"

static long decode(const char *s, uint32_t *cps, size_t *n)
{
    return utf8_decode(s, strlen(s), cps, n);
}

static void test_utf8(void)
{
    uint32_t cp[16];
    size_t n;
    CHECK(decode("a\xc3\xa9\xe6\x97\xa5\xf0\x9f\x98\x80", cp, &n) == -1 && n == 4);
    CHECK(cp[0] == 'a' && cp[1] == 0xE9 && cp[2] == 0x65E5 && cp[3] == 0x1F600);
    CHECK(decode("\xf4\x8f\xbf\xbf", cp, &n) == -1 && cp[0] == 0x10FFFF);
    CHECK(decode("ab\xc0\xaf", cp, &n) == 2 && n == 2); /* overlong '/' */
    CHECK(decode("\xe0\x80\xaf", cp, &n) == 0);         /* overlong, 3 bytes */
    CHECK(decode("\xed\xa0\x80", cp, &n) == 0);         /* a surrogate */
    CHECK(decode("\xf4\x90\x80\x80", cp, &n) == 0);     /* above U+10FFFF */
    CHECK(decode("x\x80", cp, &n) == 1);                /* stray continuation */
    CHECK(decode("\xe6\x97", cp, &n) == 0);             /* cut short */
    CHECK(decode("\xe6\x97z", cp, &n) == 0);            /* continuation missing */
    CHECK(decode("\xff", cp, &n) == 0);
    uint32_t bad;
    CHECK(caption_text_check("two\nlines\tand\r\n", &bad) == -1);
    CHECK(caption_text_check("bell\a", &bad) == 4 && bad == 7);
    CHECK(caption_text_check("c1 \xc2\x85", &bad) == 3 && bad == 0x85);
    CHECK(caption_text_check("bad \xc3", &bad) == 4 && bad == 0);
}

/* Every character 10 px wide (640 in 26.6); "AV" kerns by -2 px. */
static long fixed(void *user, uint32_t prev, uint32_t cp)
{
    (void)user;
    return 640 - (prev == 'A' && cp == 'V' ? 128 : 0);
}

static const lay_measure M = { NULL, fixed };

/* Lays out text (UTF-8) at max_w pixels; line k's text into got[k] as UTF-8-free ASCII
 * ('#' for anything else, '~' for the ellipsis). */
static int lay(const char *text, int max_px, int lines, char got[][64], caption_layout *l)
{
    uint32_t cps[512];
    size_t n;
    if (utf8_decode(text, strlen(text), cps, &n) != -1) return -1;
    if (layout_text(cps, n, max_px * 64L, lines, &M, l)) return -1;
    for (int k = 0; k < l->lines; k++) {
        size_t c = 0;
        for (; c < l->line[k].count && c < 63; c++) {
            uint32_t cp = l->cps[l->line[k].first + c];
            got[k][c] = cp == LAYOUT_ELLIPSIS ? '~' : cp < 128 ? (char)cp : '#';
        }
        got[k][c] = '\0';
    }
    return l->lines;
}

static void test_layout(void)
{
    char g[LAYOUT_MAX_LINES][64];
    caption_layout l;
    /* 10 characters a line of 100 px: wrapped at spaces, trailing spaces dropped. */
    CHECK(lay("the quick brown fox jumps", 100, 3, g, &l) == 3);
    CHECK(!strcmp(g[0], "the quick") && !strcmp(g[1], "brown fox") && !strcmp(g[2], "jumps"));
    CHECK(l.line[0].width == 9 * 640 && !l.truncated);
    layout_free(&l);
    /* Explicit breaks, "\r\n" as one, an empty line kept, a final newline ignored. */
    CHECK(lay("a\r\n\nb\n", 100, 3, g, &l) == 3);
    CHECK(!strcmp(g[0], "a") && !strcmp(g[1], "") && !strcmp(g[2], "b"));
    layout_free(&l);
    /* A word wider than a line is cut between characters. */
    CHECK(lay("abcdefghijklmno", 100, 3, g, &l) == 2);
    CHECK(!strcmp(g[0], "abcdefghij") && !strcmp(g[1], "klmno"));
    layout_free(&l);
    /* CJK breaks between characters, without spaces. */
    CHECK(lay("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe6\x97\xa5\xe6\x9c\xac", 30, 3, g, &l) == 2);
    CHECK(l.line[0].count == 3 && l.line[1].count == 2);
    layout_free(&l);
    /* Too long: max_lines lines, the last ends in an ellipsis that fits the width. */
    CHECK(lay("aaaa bbbb cccc dddd eeee", 50, 2, g, &l) == 2);
    CHECK(!strcmp(g[0], "aaaa") && !strcmp(g[1], "bbbb~") && l.truncated);
    CHECK(l.line[1].width <= 50 * 64);
    layout_free(&l);
    CHECK(lay("aaaaaaaaaa bbbbbbbbbb cccc", 100, 2, g, &l) == 2);
    CHECK(!strcmp(g[1], "bbbbbbbbb~") && l.line[1].width <= 100 * 64);
    layout_free(&l);
    /* Kerning moves the pen: V starts 2 px early. */
    CHECK(lay("AV", 100, 1, g, &l) == 1);
    CHECK(l.x[1] == 640 - 128 && l.line[0].width == 2 * 640 - 128);
    layout_free(&l);
    /* Empty and blank text: one empty line. */
    CHECK(lay("", 100, 3, g, &l) == 1 && l.line[0].count == 0);
    layout_free(&l);
    CHECK(lay("   ", 100, 3, g, &l) == 1 && l.line[0].count == 0);
    layout_free(&l);
}

/* 10 px a character, but a tab glyph 0 px wide (fonts rarely give '\t' a space's advance). */
static long tab_zero(void *user, uint32_t prev, uint32_t cp)
{
    (void)user;
    (void)prev;
    return cp == '\t' ? 0 : 640;
}

/* Found by fuzz_caption: a tab was measured as its own glyph but drawn as a space, so a line
 * that fitted when measured came out a space wider than the box. */
static void test_layout_tab(void)
{
    static const uint32_t text[] = { 'a', 'b', '\t', 'c', 'd' };
    const lay_measure m = { NULL, tab_zero };
    caption_layout l;
    CHECK(layout_text(text, 5, 40 * 64, 3, &m, &l) == 0);
    CHECK(l.lines == 2, "tab measured as drawn: \"ab\" / \"cd\", got %d line(s)", l.lines);
    for (int k = 0; k < l.lines; k++)
        CHECK(l.line[k].width <= 40 * 64, "line %d is %ld/64 px, box 40 px", k, l.line[k].width);
    layout_free(&l);
}

int main(void)
{
    test_utf8();
    test_layout();
    test_layout_tab();
    if (failures) fprintf(stderr, "%d check(s) failed\n", failures);
    return failures ? 1 : 0;
}
