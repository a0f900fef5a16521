/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "base/fcache.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct slot_time {
    double pts, duration;
    int has_alpha;
} slot_time;

struct fcache {
    int fd;
    int w, h;
    size_t frame_bytes;
    slot_time *t;
    int64_t n, cap;
};

gifc_error fcache_open(fcache **out, int w, int h, gerr *e)
{
    *out = NULL;
    const char *dir = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/gifc-frames-XXXXXX", dir && *dir ? dir : "/tmp");
    fcache *c = calloc(1, sizeof *c);
    if (!c) return gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
    c->fd = mkstemp(path);
    if (c->fd < 0) {
        free(c);
        return gerr_set(e, GIFC_ERR_OUTPUT, "cannot create a temporary file in %s",
                        dir && *dir ? dir : "/tmp");
    }
    unlink(path); /* gone when closed, whatever happens to the process */
    c->w = w;
    c->h = h;
    c->frame_bytes = (size_t)w * h * 4;
    *out = c;
    return GIFC_OK;
}

static int write_all(int fd, const uint8_t *p, size_t n, off_t at)
{
    while (n) {
        ssize_t k = pwrite(fd, p, n, at);
        if (k <= 0) return -1;
        p += k;
        n -= (size_t)k;
        at += k;
    }
    return 0;
}

gifc_error fcache_put(fcache *c, const gframe *f, gerr *e)
{
    if (f->w != c->w || f->h != c->h)
        return gerr_set(e, GIFC_ERR_INVALID_ARG, "frame size changed in the cache");
    if (c->n == c->cap) {
        int64_t cap = c->cap ? c->cap * 2 : 256;
        slot_time *t = realloc(c->t, (size_t)cap * sizeof *t);
        if (!t) return gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
        c->t = t;
        c->cap = cap;
    }
    off_t at = (off_t)c->n * (off_t)c->frame_bytes;
    for (int y = 0; y < f->h; y++) {
        size_t row = (size_t)f->w * 4;
        if (write_all(c->fd, f->rgba + (size_t)y * f->stride, row, at + (off_t)(y * row)))
            return gerr_set(e, GIFC_ERR_OUTPUT, "cannot write the frame cache (disk full?)");
    }
    c->t[c->n++] = (slot_time){ f->pts, f->duration, f->has_alpha };
    return GIFC_OK;
}

int64_t fcache_count(const fcache *c) { return c->n; }
double fcache_pts(const fcache *c, int64_t i) { return c->t[i].pts; }
double fcache_duration(const fcache *c, int64_t i) { return c->t[i].duration; }

double fcache_end(const fcache *c)
{
    return c->n ? c->t[c->n - 1].pts + c->t[c->n - 1].duration : 0;
}

gifc_error fcache_get(fcache *c, int64_t i, gframe *f, gerr *e)
{
    if (i < 0 || i >= c->n) return gerr_set(e, GIFC_ERR_INVALID_ARG, "no frame %lld", (long long)i);
    if ((f->w != c->w || f->h != c->h || f->stride != c->w * 4 || !f->rgba) &&
        (gframe_free(f), gframe_alloc(f, c->w, c->h)))
        return gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
    uint8_t *p = f->rgba; /* gframe_alloc makes stride == w * 4 */
    size_t n = c->frame_bytes;
    off_t at = (off_t)i * (off_t)c->frame_bytes;
    while (n) {
        ssize_t k = pread(c->fd, p, n, at);
        if (k <= 0) return gerr_set(e, GIFC_ERR_OUTPUT, "cannot read the frame cache");
        p += k;
        n -= (size_t)k;
        at += k;
    }
    f->pts = c->t[i].pts;
    f->duration = c->t[i].duration;
    f->has_alpha = c->t[i].has_alpha;
    return GIFC_OK;
}

void fcache_free(fcache **c)
{
    if (!c || !*c) return;
    close((*c)->fd);
    free((*c)->t);
    free(*c);
    *c = NULL;
}
