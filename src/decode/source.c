/* The decode stage's front: one frame of look-ahead gives each frame its duration, the
 * timeline decides whether it shows, and only frames that show are scaled.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "decode/source.h"

#include "decode/avdec.h"
#include "decode/webpdec.h"
#include "picture/scale.h"
#include "time/timeline.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct source {
    avdec *av;
    webpdec *webp;
    source_info info;
    scaler *sc;
    geom geo;              /* the part of the display picture shown */
    timeline tl;
    int out_w, out_h, rotation;
    AVFrame *pending;      /* the frame waiting for its successor to learn its duration */
    double pending_pts, pending_hint;
    int have_pending, ended;
    source_limits lim;
    limits_usage used;     /* this pass, against lim */
    char name[256];        /* the input as errors name it */
};

/* The head read up front: enough to sniff WebP and to hold a GIF's global colour table. */
#define HEAD_MAX (13 + 256 * 3)

static gifc_error check_path(const char *path, uint8_t *head, size_t *n, gerr *e)
{
    struct stat st;
    if (stat(path, &st)) return gerr_set(e, GIFC_ERR_INPUT, "%s: %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode)) return gerr_set(e, GIFC_ERR_INPUT, "%s: is a directory", path);
    int fd = open(path, O_RDONLY);
    if (fd < 0) return gerr_set(e, GIFC_ERR_INPUT, "%s: %s", path, strerror(errno));
    ssize_t got = read(fd, head, HEAD_MAX);
    int err = errno;
    close(fd);
    if (got < 0) return gerr_set(e, GIFC_ERR_INPUT, "%s: %s", path, strerror(err));
    *n = (size_t)got;
    return GIFC_OK;
}

/* A GIF's global colour table, which the GIF encoder reuses for frames in those colours. */
static void gif_global_table(const uint8_t *head, size_t n, source_info *si)
{
    if (n < 13 || memcmp(head, "GIF", 3) || !(head[10] & 0x80)) return;
    size_t colors = 2u << (head[10] & 7);
    if (13 + colors * 3 > n) return;
    memcpy(si->gif_palette, head + 13, colors * 3);
    si->gif_palette_colors = (int)colors;
}

gifc_error source_open(source **out, const char *path, const uint8_t *mem, size_t mem_size,
                       int threads, const source_limits *lim, gerr *e)
{
    *out = NULL;
    uint8_t head[HEAD_MAX];
    size_t n = 0;
    if (path && check_path(path, head, &n, e)) return e->code;
    if (!path) {
        n = mem_size < HEAD_MAX ? mem_size : HEAD_MAX;
        if (n) memcpy(head, mem, n);
    }
    source *s = calloc(1, sizeof *s);
    if (!s) return gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
    gifc_error r = webpdec_sniff(head, n)
        ? webpdec_open(&s->webp, path, mem, mem_size, lim, &s->info, e)
        : avdec_open(&s->av, path, mem, mem_size, threads, lim, &s->info, e);
    if (!r) {
        s->sc = scaler_new();
        s->pending = av_frame_alloc();
        if (!s->sc || !s->pending) r = gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
    }
    if (r) {
        source_free(&s);
        return r;
    }
    if (s->info.format && !strcmp(s->info.format, "gif")) gif_global_table(head, n, &s->info);
    s->lim = *lim;
    s->info.full_width = s->info.width;
    s->info.full_height = s->info.height;
    s->geo = (geom){ s->info.width, s->info.height, 0, 0, s->info.width, s->info.height,
                     s->info.width, s->info.height, 0, 0, 0 };
    s->rotation = s->av ? avdec_rotation(s->av) : 0;
    snprintf(s->name, sizeof s->name, "%s", path ? path : "input");
    *out = s;
    return GIFC_OK;
}

const source_info *source_get_info(const source *s) { return &s->info; }

gifc_error source_set_geometry(source *s, const gifc_options *o, gerr *e)
{
    if (geom_resolve(o, s->info.full_width, s->info.full_height, &s->geo, e)) return e->code;
    s->info.width = s->geo.canvas_w;
    s->info.height = s->geo.canvas_h;
    if (s->geo.clear_pad) s->info.has_alpha = 1; /* the bars are transparent */
    return GIFC_OK;
}

void source_for_yuv(source *s, int on) { scaler_for_yuv(s->sc, on); }

int source_yuv_direct(source *s, int on, uint32_t background)
{
    int m = on ? s->info.yuv_matrix : 0;
    scaler_yuv_direct(s->sc, m, background);
    return m;
}

gifc_error source_start(source *s, int out_w, int out_h, const source_timing *t, gerr *e)
{
    if (out_w < 1 || out_h < 1) return gerr_set(e, GIFC_ERR_INVALID_ARG, "empty output size");
    /* What this pass will read, when the file says how long it is. */
    double left = s->info.duration > 0 ? s->info.duration - t->start : 0;
    double read = t->duration > 0 && (left <= 0 || t->duration < left) ? t->duration : left;
    if (limits_check_declared_duration(&s->lim, s->name, read, e)) return e->code;
    s->used = (limits_usage){ .first_pts = -1 };
    s->out_w = out_w;
    s->out_h = out_h;
    timeline_init(&s->tl, t->start, t->duration, t->speed, t->fps);
    if (s->av && t->start > 0) avdec_seek(s->av, t->start);
    return GIFC_OK;
}

static gifc_error backend_next(source *s, AVFrame **f, double *pts, double *hint, gerr *e)
{
    return s->av ? avdec_next(s->av, f, pts, hint, e) : webpdec_next(s->webp, f, pts, hint, e);
}

static double last_frame_duration(const source *s)
{
    if (s->pending_hint > 0) return s->pending_hint;
    return s->info.fps > 0 ? 1.0 / s->info.fps : 0.1;
}

/* Moves the backend's frame into `pending` (copying when the backend owns the memory). */
static gifc_error keep_pending(source *s, AVFrame *f, double pts, double hint, gerr *e)
{
    av_frame_unref(s->pending);
    int r = f->buf[0] ? (av_frame_move_ref(s->pending, f), 0) : av_frame_ref(s->pending, f);
    if (r < 0) return gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
    s->pending_pts = pts;
    s->pending_hint = hint;
    s->have_pending = 1;
    return GIFC_OK;
}

/* Asks the timeline about the pending frame now that its duration is known. */
static gifc_error emit_pending(source *s, double dur, int last, gframe *out, int *got,
                               gerr *e)
{
    double opts = 0, odur = 0;
    int m = timeline_map(&s->tl, s->pending_pts, dur, last, &opts, &odur);
    if (m == TL_END) s->ended = 1;
    if (m != TL_SHOW) return GIFC_OK;
    if (scaler_run(s->sc, s->pending, s->rotation, &s->geo, s->out_w, s->out_h, out, e))
        return e->code;
    out->pts = opts;
    out->duration = odur;
    *got = 1;
    return GIFC_OK;
}

gifc_error source_next(source *s, gframe *out, int *got, gerr *e)
{
    *got = 0;
    while (!*got && !s->ended) {
        AVFrame *f = NULL;
        double pts = 0, hint = 0;
        if (backend_next(s, &f, &pts, &hint, e)) return e->code;
        if (!f) {
            s->ended = 1;
            char why[160];
            if (s->av && avdec_truncated(s->av, why, sizeof why))
                return gerr_set(e, GIFC_ERR_CORRUPT, "%s: %s", s->name, why);
            if (s->have_pending && emit_pending(s, last_frame_duration(s), 1, out, got, e))
                return e->code;
            s->have_pending = 0;
            break;
        }
        if (limits_count_frame(&s->lim, &s->used, s->name, f->width, f->height, pts, e))
            return e->code;
        if (s->have_pending) {
            double dur = pts - s->pending_pts;
            if (dur <= 0) dur = 0; /* a repeated timestamp: the later frame wins */
            if (emit_pending(s, dur, 0, out, got, e)) return e->code;
        }
        if (keep_pending(s, f, pts, hint, e)) return e->code;
    }
    return GIFC_OK;
}

void source_free(source **ps)
{
    if (!ps || !*ps) return;
    source *s = *ps;
    avdec_free(&s->av);
    webpdec_free(&s->webp);
    scaler_free(&s->sc);
    av_frame_free(&s->pending);
    free(s);
    *ps = NULL;
}
