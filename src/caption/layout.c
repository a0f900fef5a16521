/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "caption/layout.h"

#include <stdlib.h>
#include <string.h>

static int is_space(uint32_t c) { return c == ' ' || c == '\t' || c == 0x3000; }
static int is_newline(uint32_t c) { return c == '\n' || c == '\r'; }

/* Scripts written without spaces (CJK ideographs, kana, hangul, full-width forms) may break
 * between any two characters. Kinsoku rules (no line starting with "。") are left out. */
static int is_wide(uint32_t c)
{
    return (c >= 0x2E80 && c <= 0x9FFF) || (c >= 0xAC00 && c <= 0xD7AF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFF00 && c <= 0xFFEF) ||
           (c >= 0x20000 && c <= 0x3FFFF);
}

static int can_break_before(const uint32_t *t, size_t j)
{
    return (is_space(t[j - 1]) && !is_space(t[j])) || is_wide(t[j]) || is_wide(t[j - 1]);
}

/* Where the line starting at s ends (*end, exclusive) and the next starts (*next). Returns
 * 1 when it ended at a newline or the end of the text, 0 when it was wrapped. */
static int fit_line(const uint32_t *t, size_t n, size_t s, long max_w, const lay_measure *m,
                    size_t *end, size_t *next)
{
    long w = 0;
    uint32_t prev = 0;
    size_t brk = s, j;
    for (j = s; j < n && !is_newline(t[j]); j++) {
        if (j > s && can_break_before(t, j)) brk = j;
        /* Measured as drawn: emit_line draws a tab as a space. */
        uint32_t c = t[j] == '\t' ? ' ' : t[j];
        long nw = w + m->advance(m->user, prev, c);
        /* Spaces may hang past the edge: they are trimmed, and the break goes after them. */
        if (nw > max_w && j > s && !is_space(t[j])) break;
        w = nw;
        prev = c;
    }
    if (j == n || is_newline(t[j])) {
        *end = j;
        *next = j == n ? n : j + 1 + (t[j] == '\r' && j + 1 < n && t[j + 1] == '\n');
        return 1;
    }
    *end = brk > s ? brk : j;
    *next = *end;
    while (*next < n && is_space(t[*next])) (*next)++;
    return 0;
}

/* Places t[s, end) as the next line, trailing spaces dropped. */
static void emit_line(caption_layout *l, size_t *used, const uint32_t *t, size_t s, size_t end,
                      const lay_measure *m)
{
    while (end > s && is_space(t[end - 1])) end--;
    lay_line *ln = &l->line[l->lines++];
    ln->first = *used;
    ln->count = end - s;
    long x = 0;
    uint32_t prev = 0;
    for (size_t j = s; j < end; j++) {
        uint32_t c = t[j] == '\t' ? ' ' : t[j];
        x += m->advance(m->user, prev, c) - m->advance(m->user, 0, c);
        l->cps[*used] = c;
        l->x[(*used)++] = x;
        x += m->advance(m->user, 0, c);
        prev = c;
    }
    ln->width = x;
}

/* Cuts the last line until an ellipsis fits after it, and appends one. */
static void add_ellipsis(caption_layout *l, size_t *used, long max_w, const lay_measure *m)
{
    lay_line *ln = &l->line[l->lines - 1];
    long dots = m->advance(m->user, 0, LAYOUT_ELLIPSIS);
    while (ln->count && (ln->width + dots > max_w || is_space(l->cps[ln->first + ln->count - 1]))) {
        ln->count--;
        *used = ln->first + ln->count;
        ln->width = l->x[*used];
    }
    l->cps[*used] = LAYOUT_ELLIPSIS;
    l->x[(*used)++] = ln->width;
    ln->count++;
    ln->width += dots;
    l->truncated = 1;
}

int layout_text(const uint32_t *t, size_t n, long max_w, int max_lines, const lay_measure *m,
                caption_layout *l)
{
    memset(l, 0, sizeof *l);
    if (max_lines < 1) max_lines = 1;
    if (max_lines > LAYOUT_MAX_LINES) max_lines = LAYOUT_MAX_LINES;
    l->cps = malloc((n + 1) * sizeof *l->cps);
    l->x = malloc((n + 1) * sizeof *l->x);
    if (!l->cps || !l->x) {
        layout_free(l);
        return -1;
    }
    size_t i = 0, used = 0;
    while (l->lines < max_lines && (i < n || !l->lines)) {
        size_t end, next;
        fit_line(t, n, i, max_w, m, &end, &next);
        emit_line(l, &used, t, i, end, m);
        i = next;
    }
    size_t rest = i;
    while (rest < n && (is_space(t[rest]) || is_newline(t[rest]))) rest++;
    if (rest < n) add_ellipsis(l, &used, max_w, m);
    return 0;
}

void layout_free(caption_layout *l)
{
    free(l->cps);
    free(l->x);
    memset(l, 0, sizeof *l);
}
