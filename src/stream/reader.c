/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "stream/reader.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Enough to smooth out decode jitter (keyframes, B-frame bursts) without holding much. */
#define RING 4

struct reader {
    edit *ed;
    caption *cap;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    gframe ring[RING];
    int head, count;       /* frames ready, starting at head */
    int finished, stop;
    gerr err;              /* the decode thread's failure, handed over at the end */
};

static void *decode_loop(void *arg)
{
    reader *r = arg;
    for (;;) {
        pthread_mutex_lock(&r->lock);
        while (r->count == RING && !r->stop) pthread_cond_wait(&r->changed, &r->lock);
        int slot = (r->head + r->count) % RING, stop = r->stop;
        pthread_mutex_unlock(&r->lock);
        if (stop) break;
        int got = 0;
        /* Only this thread touches ring[slot] until it is counted in. */
        gifc_error e = edit_next(r->ed, &r->ring[slot], &got, &r->err);
        /* The caption goes on last, on the frame as it will be encoded. */
        if (!e && got) e = caption_draw(r->cap, &r->ring[slot], &r->err);
        pthread_mutex_lock(&r->lock);
        if (e || !got) r->finished = 1;
        else r->count++;
        pthread_cond_broadcast(&r->changed);
        int done = r->finished;
        pthread_mutex_unlock(&r->lock);
        if (done) break;
    }
    return NULL;
}

/* The edit stage asks this while it reads a whole clip, so that a stop is not held up
 * until the end of the input. */
static int stop_asked(void *arg)
{
    reader *r = arg;
    pthread_mutex_lock(&r->lock);
    int stop = r->stop;
    pthread_mutex_unlock(&r->lock);
    return stop;
}

gifc_error reader_start(reader **out, source *src, const edit_params *ed, caption *cap,
                        gerr *e)
{
    *out = NULL;
    reader *r = calloc(1, sizeof *r);
    if (!r) return gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
    if (edit_new(&r->ed, src, ed, stop_asked, r, e)) {
        free(r);
        return e->code;
    }
    r->cap = cap;
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->changed, NULL);
    if (pthread_create(&r->thread, NULL, decode_loop, r)) {
        edit_free(&r->ed);
        pthread_mutex_destroy(&r->lock);
        pthread_cond_destroy(&r->changed);
        free(r);
        return gerr_set(e, GIFC_ERR_NOMEM, "cannot start the decode thread");
    }
    *out = r;
    return GIFC_OK;
}

gifc_error reader_next(reader *r, gframe **f, gerr *e)
{
    *f = NULL;
    pthread_mutex_lock(&r->lock);
    while (!r->count && !r->finished) pthread_cond_wait(&r->changed, &r->lock);
    if (r->count) *f = &r->ring[r->head];
    pthread_mutex_unlock(&r->lock);
    if (*f || !r->err.code) return GIFC_OK;
    /* The end, and the decode thread failed: its error becomes the caller's. */
    if (e && !e->code) *e = r->err;
    return r->err.code;
}

void reader_release(reader *r)
{
    pthread_mutex_lock(&r->lock);
    if (r->count) {
        r->head = (r->head + 1) % RING;
        r->count--;
        pthread_cond_broadcast(&r->changed);
    }
    pthread_mutex_unlock(&r->lock);
}

void reader_free(reader **pr)
{
    if (!pr || !*pr) return;
    reader *r = *pr;
    pthread_mutex_lock(&r->lock);
    r->stop = 1;
    pthread_cond_broadcast(&r->changed);
    pthread_mutex_unlock(&r->lock);
    pthread_join(r->thread, NULL);
    for (int i = 0; i < RING; i++) gframe_free(&r->ring[i]);
    edit_free(&r->ed);
    pthread_mutex_destroy(&r->lock);
    pthread_cond_destroy(&r->changed);
    free(r);
    *pr = NULL;
}

gifc_error reader_run(source *src, const edit_params *ed, caption *cap, double start,
                      const reader_loop *l, int64_t *done, gerr *e)
{
    reader *rd = NULL;
    int64_t n = 0;
    if (done) *done = 0;
    if (reader_start(&rd, src, ed, cap, e)) return e->code;
    gifc_error r = GIFC_OK;
    for (;;) {
        gframe *f = NULL;
        if ((r = reader_next(rd, &f, e)) || !f) break;
        r = l->take(l->user, f, e);
        reader_release(rd);
        if (r) break;
        n++;
        if (l->tick && (r = l->tick(l->user, n, e))) break;
    }
    reader_free(&rd);
    if (done) *done = n;
    if (!r && !n && start > 0)
        r = gerr_set_opt(e, GIFC_ERR_INVALID_ARG, "start",
                         "start %g s is at or past the end of the input", start);
    else if (!r && !n)
        r = gerr_set(e, GIFC_ERR_CORRUPT, "no picture could be decoded");
    return r;
}
