/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "stream/edit.h"

#include "base/fcache.h"

#include <stdlib.h>

struct edit {
    source *src;
    edit_params p;
    edit_stop_fn stop;
    void *stop_user;
    /* frames_step / drop_duplicates: the last kept frame waits for the ones merged into it */
    gframe held, in;
    int have_held, src_done;
    int64_t in_index;      /* source frames read */
    /* reverse / bounce / smooth loop */
    fcache *clip;          /* the whole clip, reduced, in source order */
    int clip_read;
    int64_t n, m, head;    /* frames in the clip, after reordering, consumed by the loop */
    int64_t next;          /* next output frame */
    double pts;            /* where it starts */
    gframe mix;            /* the head frame blended into a smooth loop's tail */
};

gifc_error edit_new(edit **out, source *src, const edit_params *p, edit_stop_fn stop,
                    void *stop_user, gerr *e)
{
    *out = calloc(1, sizeof **out);
    if (!*out) return gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
    (*out)->src = src;
    (*out)->p = *p;
    (*out)->stop = stop;
    (*out)->stop_user = stop_user;
    return GIFC_OK;
}

void edit_free(edit **ped)
{
    if (!ped || !*ped) return;
    edit *ed = *ped;
    gframe_free(&ed->held);
    gframe_free(&ed->in);
    gframe_free(&ed->mix);
    fcache_free(&ed->clip);
    free(ed);
    *ped = NULL;
}

static void swap_frames(gframe *a, gframe *b)
{
    gframe t = *a;
    *a = *b;
    *b = t;
}

/* Whether source frame `i` starts a new output frame rather than extending the held one. */
static int keeps(const edit *ed, int64_t i)
{
    if (!ed->have_held) return 1;
    if (i % ed->p.frames_step) return 0;
    return !ed->p.drop_duplicates || !edit_frames_alike(&ed->held, &ed->in, EDIT_DUP_TOLERANCE);
}

/* frames_step and drop_duplicates: source frames merged into the kept one before them, so
 * the durations add up and the total stays the source's. Frames are swapped, not copied. */
static gifc_error reduce_next(edit *ed, gframe *f, int *got, gerr *e)
{
    *got = 0;
    if (ed->p.frames_step <= 1 && !ed->p.drop_duplicates) return source_next(ed->src, f, got, e);
    while (!ed->src_done) {
        int g = 0;
        if (source_next(ed->src, &ed->in, &g, e)) return e->code;
        if (!g) {
            ed->src_done = 1;
            break;
        }
        if (!keeps(ed, ed->in_index++)) {
            ed->held.duration += ed->in.duration;
            continue;
        }
        int had = ed->have_held;
        if (had) swap_frames(f, &ed->held);
        swap_frames(&ed->held, &ed->in);
        ed->have_held = 1;
        if (had) {
            *got = 1;
            return GIFC_OK;
        }
    }
    if (ed->have_held) {
        swap_frames(f, &ed->held);
        ed->have_held = 0;
        *got = 1;
    }
    return GIFC_OK;
}

/* The frames a smooth loop consumes: those starting within its seconds, at most half the
 * clip so that the blend never reaches into itself. */
static int64_t loop_head(const edit *ed)
{
    if (ed->p.smooth_loop <= 0) return 0;
    int64_t h = 0;
    double t = 0;
    while (h < ed->m / 2 && t < ed->p.smooth_loop - 1e-9)
        t += fcache_duration(ed->clip, edit_order_index(h++, ed->n, ed->p.reverse));
    return h;
}

/* Reads the whole (reduced) clip into the frame cache, `f` serving as scratch. */
static gifc_error read_clip(edit *ed, gframe *f, gerr *e)
{
    ed->clip_read = 1;
    for (;;) {
        if (ed->stop && ed->stop(ed->stop_user))
            return gerr_set(e, GIFC_ERR_ABORTED, "interrupted");
        int got = 0;
        if (reduce_next(ed, f, &got, e)) return e->code;
        if (!got) break;
        if (!ed->clip && fcache_open(&ed->clip, f->w, f->h, e)) return e->code;
        if (fcache_put(ed->clip, f, e)) return e->code;
    }
    ed->n = ed->clip ? fcache_count(ed->clip) : 0;
    ed->m = edit_order_count(ed->n, ed->p.bounce);
    ed->head = loop_head(ed);
    return GIFC_OK;
}

/* The next frame of the reordered, loop-blended clip; each keeps its own duration, and
 * times restart from 0 so that they follow the new order. */
static gifc_error clip_next(edit *ed, gframe *f, int *got, gerr *e)
{
    *got = 0;
    if (!ed->clip_read && read_clip(ed, f, e)) return e->code;
    if (ed->next >= ed->m - ed->head) return GIFC_OK;
    edit_pick pk;
    edit_loop_pick(ed->next++, ed->m, ed->head, &pk);
    if (fcache_get(ed->clip, edit_order_index(pk.a, ed->n, ed->p.reverse), f, e)) return e->code;
    if (pk.b >= 0) {
        if (fcache_get(ed->clip, edit_order_index(pk.b, ed->n, ed->p.reverse), &ed->mix, e))
            return e->code;
        edit_blend(f, &ed->mix, pk.wb);
    }
    f->pts = ed->pts;
    ed->pts += f->duration;
    *got = 1;
    return GIFC_OK;
}

gifc_error edit_next(edit *ed, gframe *f, int *got, gerr *e)
{
    return edit_needs_clip(&ed->p) ? clip_next(ed, f, got, e) : reduce_next(ed, f, got, e);
}
