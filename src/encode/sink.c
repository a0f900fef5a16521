/* One encoder of several (GIF, MP4 with optional audio, WebP, APNG, WebM, AVIF) behind one open / push / finish,
 * and the loop that feeds it from the source.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "encode/sink.h"

#include "base/ctx.h"
#include "stream/reader.h"

#include <libavutil/pixfmt.h>
#include <stdio.h>
#include <string.h>

/* --audio: a warning, not a failure, when there is nothing to keep. */
static gifc_error open_audio(sink *k, const gifc_context *ctx, const job *j, const plan *p,
                             gerr *e)
{
    int has_audio = 0;
    if (edit_needs_clip(&p->edit)) { /* the pictures no longer follow the sound's order */
        ctx_log(ctx, GIFC_LOG_WARNING,
                "audio dropped: reversed, bounced or smooth-looped time has no matching sound");
        return GIFC_OK;
    }
    source_limits lim; /* the input's limits, as for the pictures */
    limits_from_options(&lim, &ctx->opts);
    if (audio_open(&k->audio, j->in_path, j->in_mem, j->in_size, p->timing.start,
                   p->timing.duration, p->timing.speed, &lim, &has_audio, e))
        return e->code;
    if (has_audio) {
        char d[160];
        audio_describe(k->audio, d, sizeof d);
        ctx_log(ctx, GIFC_LOG_INFO, "audio: %s", d);
    } else if (p->timing.speed != 1.0) {
        ctx_log(ctx, GIFC_LOG_WARNING, "audio dropped: played at %g times its speed",
                p->timing.speed);
    } else {
        ctx_log(ctx, GIFC_LOG_WARNING, "audio asked for, but the input has no audio track");
    }
    return GIFC_OK;
}

gifenc_params sink_gif_params(const gifc_options *o, const plan *p, const source_info *si)
{
    gifenc_params gp = { .width = p->w, .height = p->h, .colors = p->colors,
                         .quality = p->quality, .dither = p->dither, .loop = o->loop,
                         .threads = o->threads, .lossy = p->lossy, .fast = o->fast,
                         .palette_source = si->format && !strcmp(si->format, "gif"),
                         .animation = si->is_animation,
                         .global_palette = si->gif_palette_colors ? si->gif_palette : NULL,
                         .global_colors = si->gif_palette_colors };
    return gp;
}

void sink_choose_pictures(const gifc_context *ctx, source *src, plan *p)
{
    int mp4 = p->format == GIFC_FORMAT_MP4;
    source_for_yuv(src, mp4);
    p->yuv_matrix = source_yuv_direct(src, mp4 && !ctx->cap && !edit_reads_pixels(&p->edit),
                                      ctx->opts.background);
}

gifc_error sink_open(sink *k, const gifc_context *ctx, const job *j, const plan *p,
                     const source_info *si, FILE *gif_fp, const char *mp4_path, gerr *e)
{
    const gifc_options *o = &ctx->opts;
    if (p->format == GIFC_FORMAT_GIF) {
        gifenc_params gp = sink_gif_params(o, p, si);
        return gifenc_open(&k->gif, gif_fp, &gp, e);
    }
    if (p->format == GIFC_FORMAT_WEBP) {
        webpw_params wp = { .width = p->w, .height = p->h, .quality = p->webp_quality,
                            .lossless = p->lossless, .mixed = 1, .loop = o->loop,
                            .fast = o->fast, .threads = o->threads };
        k->webp_fp = gif_fp;
        return webpw_open(&k->webp, &wp, e);
    }
    if (p->format == GIFC_FORMAT_AVIF) {
        avifw_params vp = { .width = p->w, .height = p->h, .quantizer = p->avif_q,
                            .alpha = si->has_alpha, .fast = o->fast, .threads = o->threads };
        k->webp_fp = gif_fp;
        return avifw_open(&k->avif, &vp, e);
    }
    if (p->format == GIFC_FORMAT_APNG || p->format == GIFC_FORMAT_WEBM) {
        int webm = p->format == GIFC_FORMAT_WEBM;
        if (webm && o->audio)
            ctx_log(ctx, GIFC_LOG_WARNING, "audio: not written to WebM (MP4 only)");
        avw_params ap = { .kind = webm ? AVW_WEBM : AVW_APNG, .width = p->w, .height = p->h,
                          .alpha = si->has_alpha, .crf = p->vp9_crf, .loop = o->loop,
                          .threads = o->threads, .fast = o->fast };
        return avw_open(&k->av, mp4_path, &ap, e);
    }
    if (o->audio && open_audio(k, ctx, j, p, e)) return e->code;
    mp4w_params mp = { .width = p->w, .height = p->h, .crf = p->crf,
                       .background = o->background, .threads = o->threads,
                       .fps_hint = p->timing.fps > 0 ? p->timing.fps : si->fps,
                       .fast = o->fast, .bitrate = p->bitrate, .pass = p->pass,
                       .stats_path = p->stats_path,
                       /* tone-mapped HDR is BT.709 SDR at every size (RGBA converted into
                        * it and tagged so), not the by-height rule of untagged video */
                       .yuv_matrix = p->yuv_matrix ? p->yuv_matrix : si->hdr ? AVCOL_SPC_BT709 : 0,
                       .audio = k->audio ? audio_encoder(k->audio) : NULL };
    return mp4w_open(&k->mp4, mp4_path, &mp, e);
}

gifc_error sink_push(sink *k, gframe *f, gerr *e)
{
    k->pushed++;
    if (k->gif) return gifenc_push(k->gif, f, e);
    if (k->webp || k->avif || k->av) {
        k->mp4_end = f->pts + f->duration;
        if (k->webp) return webpw_push(k->webp, f, e);
        if (k->avif) return avifw_push(k->avif, f, e);
        if (avw_push(k->av, f, e)) return e->code;
        if (k->abort_above && avw_bytes(k->av) > k->abort_above) {
            k->over_budget = 1;
            return gerr_set(e, GIFC_ERR_ABORTED, "over the size budget");
        }
        return GIFC_OK;
    }
    k->mp4_end = f->pts + f->duration;
    if (mp4w_push(k->mp4, f, e)) return e->code;
    if (k->abort_above && mp4w_bytes(k->mp4) > k->abort_above) {
        k->over_budget = 1;
        return gerr_set(e, GIFC_ERR_ABORTED, "over the size budget");
    }
    return k->audio ? audio_pump(k->audio, f->pts, k->mp4, e) : GIFC_OK;
}

gifc_error sink_finish(sink *k, const char *mp4_path, gerr *e)
{
    if (k->gif) return gifenc_finish(k->gif, &k->bytes, &k->frames, &k->duration, e);
    if (!k->pushed) return gerr_set(e, GIFC_ERR_CORRUPT, "no frame to write");
    if (k->webp) {
        k->frames = k->pushed;
        k->duration = k->mp4_end;
        return webpw_finish(k->webp, k->webp_fp, &k->bytes, e);
    }
    if (k->avif) {
        k->frames = k->pushed;
        k->duration = k->mp4_end;
        return avifw_finish(k->avif, k->webp_fp, &k->bytes, e);
    }
    k->frames = k->pushed; /* MP4 keeps every frame */
    if (k->audio && audio_finish(k->audio, k->mp4_end, k->mp4, e)) return e->code;
    if (k->av ? avw_finish(k->av, e) : mp4w_finish(k->mp4, e)) return e->code;
    FILE *f = fopen(mp4_path, "rb");
    if (f) {
        fseek(f, 0, SEEK_END);
        long n = ftell(f);
        k->bytes = n > 0 ? (uint64_t)n : 0;
        fclose(f);
    }
    k->duration = k->mp4_end;
    return GIFC_OK;
}

void sink_close(sink *k)
{
    gifenc_free(&k->gif);
    mp4w_free(&k->mp4);
    webpw_free(&k->webp);
    avifw_free(&k->avif);
    avw_free(&k->av);
    audio_free(&k->audio);
}

typedef struct run_state {
    gifc_context *ctx;
    sink *k;
    const plan *p;
    const sink_progress *pr;
} run_state;

static gifc_error run_take(void *user, gframe *f, gerr *e)
{
    return sink_push(((run_state *)user)->k, f, e);
}

static gifc_error run_tick(void *user, int64_t done, gerr *e)
{
    const run_state *s = user;
    const gifc_options *o = &s->ctx->opts;
    if (o->progress && o->progress(o->progress_user, s->pr ? s->pr->base + done : done,
                                   s->pr ? s->pr->total : s->p->frames_estimate))
        return gerr_set(e, GIFC_ERR_ABORTED, "interrupted");
    return GIFC_OK;
}

gifc_error sink_run(gifc_context *ctx, source *src, sink *k, const plan *p,
                    const sink_progress *pr)
{
    run_state s = { ctx, k, p, pr };
    reader_loop l = { run_take, run_tick, &s };
    return reader_run(src, &p->edit, ctx->cap, p->timing.start, &l, NULL, &ctx->err);
}
