/* The conversion: source -> (GIF encoder | MP4 writer) -> atomic output, with defaults
 * chosen from what the input is and what the output will be.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "api/options.h"
#include "budget/budget.h"
#include "base/ctx.h"
#include "caption/caption.h"
#include "gif/gif_keep.h"
#include "gif/gifw.h"
#include "mp4/mp4w.h"
#include "webp/webpw.h"
#include "avif/avifw.h"
#include "anim/avw.h"
#include "base/outfile.h"
#include "encode/plan.h"
#include "base/pool.h"
#include "encode/sink.h"
#include "decode/source.h"
#include "api/estimate.h"
#include "picture/textart.h"

#include <libavutil/pixfmt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Options that change what a GIF shows: with none of them, a GIF's own bytes are an
 * acceptable answer. Quality does not count: on a GIF input it only sets how lossy the
 * re-encoding may be, and the input itself is the lossless end of that scale. */
static int changes_picture(const gifc_options *o)
{
    gifc_options plain = *o;
    plain.quality = 0; /* its "default" value */
    return options_change_picture(&plain);
}

/* The caption's text is checked and its fonts found once per context, before the output is
 * begun: a bad font fails fast and leaves nothing behind. */
static gifc_error prepare_caption(gifc_context *ctx, gerr *e)
{
    const gifc_options *o = &ctx->opts;
    if (!o->caption || ctx->cap) return GIFC_OK;
    caption_params cp = { .text = o->caption, .position = o->caption_position,
                          .size = o->caption_size, .font = o->font };
    if (caption_new(&cp, &ctx->cap, e)) return e->code;
    ctx_log(ctx, GIFC_LOG_INFO, "caption: font %s", caption_fonts(ctx->cap));
    if (caption_missing(ctx->cap))
        ctx_log(ctx, GIFC_LOG_WARNING,
                "caption: %d character(s) have no glyph in any font found (drawn as boxes); "
                "install a font that covers them or choose one that does",
                caption_missing(ctx->cap));
    return GIFC_OK;
}

/* Reads the whole input (a GIF: the same size as the output being replaced). */
static uint8_t *read_input(const job *j, size_t *n)
{
    if (!j->in_path) {
        uint8_t *b = malloc(j->in_size ? j->in_size : 1);
        if (b) memcpy(b, j->in_mem, j->in_size);
        *n = j->in_size;
        return b;
    }
    FILE *f = fopen(j->in_path, "rb");
    if (!f) return NULL;
    uint8_t *b = NULL;
    long len = fseek(f, 0, SEEK_END) ? -1 : ftell(f);
    if (len > 0 && !fseek(f, 0, SEEK_SET) && (b = malloc((size_t)len)) &&
        fread(b, 1, (size_t)len, f) != (size_t)len) {
        free(b);
        b = NULL;
    }
    fclose(f);
    *n = len > 0 ? (size_t)len : 0;
    return b;
}

/* GIF from a GIF is not written bigger than it came: when re-encoding did not shrink it,
 * the output becomes the input's bytes, with the timing players show made explicit (0-1 cs
 * delays as 10 cs, an 8-byte delay block for an image that had none: see gif_keep.h), and
 * the result says so. */
static gifc_error keep_input_if_smaller(const job *j, const plan *p, const source_info *si,
                                        const gifc_options *o, sink *k, outfile *of,
                                        int *kept, gerr *e)
{
    *kept = 0;
    if (p->format != GIFC_FORMAT_GIF || !si->format || strcmp(si->format, "gif") ||
        changes_picture(o) || !of->fp)
        return GIFC_OK;
    size_t n = 0;
    uint8_t *in = read_input(j, &n);
    gbuf kept_gif = { 0 };
    int ok = in && n && k->bytes >= n && gif_keep_normalize(in, n, &kept_gif) >= 0 &&
             kept_gif.len <= k->bytes;
    free(in);
    if (!ok) {
        gbuf_free(&kept_gif);
        return GIFC_OK;
    }
    int bad = fflush(of->fp) || ftruncate(fileno(of->fp), 0) || fseek(of->fp, 0, SEEK_SET) ||
              fwrite(kept_gif.data, 1, kept_gif.len, of->fp) != kept_gif.len;
    k->bytes = kept_gif.len;
    gbuf_free(&kept_gif);
    if (bad) return gerr_set(e, GIFC_ERR_OUTPUT, "cannot write the output");
    k->frames = k->pushed; /* the input's frames, as decoded */
    *kept = 1;
    return GIFC_OK;
}

static void fill_result(gifc_result *res, const plan *p, const source_info *si, const sink *k)
{
    if (!res) return;
    memset(res, 0, sizeof *res);
    res->ssim = -1;
    res->format = p->format;
    res->width = p->w;
    res->height = p->h;
    if (k->mp4) mp4w_size(k->mp4, &res->width, &res->height);
    if (k->av) avw_size(k->av, &res->width, &res->height);
    res->frames = k->frames;
    res->duration = k->duration;
    res->bytes = k->bytes;
    res->fps = p->timing.fps;
    res->colors = p->format == GIFC_FORMAT_GIF ? p->colors : 0;
    res->quality = p->format == GIFC_FORMAT_WEBP ? (int)lround(p->webp_quality) : p->quality;
    res->dither = p->format == GIFC_FORMAT_GIF ? p->dither : 0;
    res->lossy = p->format == GIFC_FORMAT_GIF ? p->lossy : 0;
    res->src_width = si->full_width;
    res->src_height = si->full_height;
    res->src_duration = si->duration;
}

static gifc_error convert_limited(const job *j, gifc_result *res);

/* Frames read to decide on doubling: a terminal recording's first seconds show its colours,
 * and a GIF's frames decode in about a millisecond each. */
#define TEXTART_PROBE_FRAMES 48

/* An MP4 of text or flat art is doubled when 4:2:0 would smear its colours (plan_double).
 * The first frames are read at the source's size from a second reader (a source is read
 * once per pass, and this pass must not count against the conversion's). */
static gifc_error maybe_double(const job *j, const source_info *si, plan *p, gerr *e)
{
    gifc_context *ctx = j->ctx;
    if (!plan_may_double(&ctx->opts, si, p)) return GIFC_OK;
    source_limits lim;
    limits_from_options(&lim, &ctx->opts);
    source *s = NULL;
    gframe f = { 0 };
    textart_stats st = { 0 };
    int got = 1;
    if (!source_open(&s, j->in_path, j->in_mem, j->in_size, ctx->opts.threads, &lim, e) &&
        !source_set_geometry(s, &ctx->opts, e) &&
        !source_start(s, si->width, si->height, &p->timing, e))
        for (int n = 0; got && n < TEXTART_PROBE_FRAMES; n++)
            if (!source_next(s, &f, &got, e) && got) textart_add(&st, &f);
    gframe_free(&f);
    source_free(&s);
    if (e->code) return e->code;
    int flat, split;
    textart_shares(&st, &flat, &split);
    int pays = textart_pays(&st);
    if (pays) plan_double(p, si);
    ctx_log(ctx, GIFC_LOG_INFO, "chroma: %d/1000 flat pixels, %d/1000 blocks 4:2:0 would "
            "blur: %s", flat, split, pays ? "text art, drawn at twice its size" : "kept as is");
    return GIFC_OK;
}

/* The encoders' final flush (x264's look-ahead: seconds at large sizes) calls no progress;
 * an abort asked meanwhile must still win over the commit. */
static gifc_error last_progress(const gifc_context *ctx, const gifc_result *res, gerr *e)
{
    int64_t n = res ? res->frames : 0;
    if (ctx->opts.progress && ctx->opts.progress(ctx->opts.progress_user, n, n))
        return gerr_set(e, GIFC_ERR_ABORTED, "interrupted");
    return GIFC_OK;
}

/* The output formats' size limits. The width and height options stop at 16384, so only a
 * source goes past them (found by fuzzing: an APNG 100000 px wide kept at its size, a strip
 * 64 px wide and 10^6 tall): that is a fact about the input, reported before any decoding,
 * not the writers' "invalid argument". */
static gifc_error check_output_size(const plan *p, const source_info *si, gerr *e)
{
    int max = p->format == GIFC_FORMAT_GIF    ? GIFW_MAX_SIDE
              : p->format == GIFC_FORMAT_WEBP ? WEBPW_MAX_SIDE
              : p->format == GIFC_FORMAT_MP4  ? MP4W_MAX_SIDE
              : p->format == GIFC_FORMAT_AVIF ? AVIFW_MAX_SIDE
                                              : AVW_MAX_SIDE;
    if (p->w <= max && p->h <= max) return GIFC_OK;
    return gerr_set(e, GIFC_ERR_UNSUPPORTED,
                    "input: a %dx%d picture makes a %dx%d %s, larger than the format allows "
                    "(%d px a side): ask for a smaller width or height", si->width, si->height,
                    p->w, p->h, plan_format_label(p->format), max);
}

/* --max-size: the budget search chooses the settings and writes the output. */
static gifc_error convert_to_budget(const job *j, source *src, const source_info *si,
                                    const plan *p, outfile *of, gifc_result *res)
{
    budget_outcome bo;
    gifc_error r = p->format == GIFC_FORMAT_GIF    ? budget_gif(j->ctx, src, si, p, of, &bo)
                   : p->format == GIFC_FORMAT_MP4  ? budget_mp4(j->ctx, j, src, si, p, of, &bo)
                                                   : budget_webp(j->ctx, j, src, si, p, of, &bo);
    if (r) return r;
    sink k = { .bytes = bo.bytes, .frames = bo.frames, .pushed = bo.frames,
               .duration = bo.duration };
    /* A GIF input that fits is an answer too, when re-encoding made it no smaller. */
    int kept = 0;
    if (!bo.over_budget &&
        keep_input_if_smaller(j, p, si, &j->ctx->opts, &k, of, &kept, &j->ctx->err))
        return j->ctx->err.code;
    if (kept) bo.chosen = *p;
    fill_result(res, &bo.chosen, si, &k);
    if (!res) return GIFC_OK;
    res->kept_input = kept;
    res->budget = j->ctx->opts.max_size;
    res->searched = bo.searched;
    res->attempts = bo.attempts;
    res->over_budget = bo.over_budget;
    res->ssim = bo.ssim;
    res->bitrate = bo.chosen.bitrate;
    return GIFC_OK;
}

/* The result is built whole, then the caller gets the struct_size bytes it knows of. */
static gifc_error convert(const job *j, gifc_result *res)
{
    gifc_result full;
    gifc_result_init(&full);
    int old = pool_omp_limit(1);
    gifc_error r = convert_limited(j, &full);
    pool_omp_limit(old);
    if (res) {
        size_t n = res->struct_size;
        if (n == 0 || n > sizeof full) n = sizeof full;
        if (n >= sizeof full.struct_size) {
            full.struct_size = n;
            memcpy(res, &full, n);
        }
    }
    return r;
}

static gifc_error convert_limited(const job *j, gifc_result *res)
{
    gifc_context *ctx = j->ctx;
    gerr *e = &ctx->err;
    memset(e, 0, sizeof *e);
    e->out_name = j->out_path; /* output failures are recorded as "NAME: detail" */
    source *src = NULL;
    outfile of = { 0 };
    sink k = { 0 };
    plan p;
    int threads = ctx->opts.threads;
    source_limits lim;
    limits_from_options(&lim, &ctx->opts);
    if (prepare_caption(ctx, e) ||
        source_open(&src, j->in_path, j->in_mem, j->in_size, threads, &lim, e) ||
        source_set_geometry(src, &ctx->opts, e))
        goto fail;
    const source_info *si = source_get_info(src);
    plan_make(&ctx->opts, si, j->out_path, &p);
    if (maybe_double(j, si, &p, e)) goto fail;
    ctx_log(ctx, GIFC_LOG_INFO, "input %s %dx%d %.2f s %.3f fps; output %s %dx%d fps %g",
            si->format, si->width, si->height, si->duration, si->fps,
            plan_format_label(p.format), p.w, p.h, p.timing.fps);
    if (si->colour[0]) ctx_log(ctx, GIFC_LOG_INFO, "colour: %s", si->colour);
    if (check_output_size(&p, si, e)) goto fail;
    if (outfile_begin(&of, j->out_path, j->in_path, ctx->opts.overwrite,
                      p.format == GIFC_FORMAT_GIF || p.format == GIFC_FORMAT_WEBP ||
                          p.format == GIFC_FORMAT_AVIF, e))
        goto fail;
    if (ctx->opts.max_size) {
        if (convert_to_budget(j, src, si, &p, &of, res)) goto fail;
        source_free(&src);
        goto commit;
    }
    sink_choose_pictures(ctx, src, &p);
    if (p.yuv_matrix)
        ctx_log(ctx, GIFC_LOG_INFO, "pictures: the video's YUV scaled straight to the encoder "
                "(%s), no RGB step", p.yuv_matrix == AVCOL_SPC_BT709 ? "BT.709" : "BT.601");
    if (source_start(src, p.w, p.h, &p.timing, e) ||
        sink_open(&k, ctx, j, &p, si, of.fp, of.tmp_path, e) ||
        sink_run(ctx, src, &k, &p, NULL) || sink_finish(&k, of.tmp_path, e))
        goto fail;
    int kept = 0;
    if (keep_input_if_smaller(j, &p, si, &ctx->opts, &k, &of, &kept, e)) goto fail;
    if (kept)
        ctx_log(ctx, GIFC_LOG_INFO, "re-encoding was not smaller than the input: output is a copy");
    fill_result(res, &p, si, &k);
    if (res) res->kept_input = kept;
    sink_close(&k);
    source_free(&src);
commit:
    if (last_progress(ctx, res, e)) goto fail;
    if (j->out_path ? outfile_commit(&of, e) : outfile_take_memory(&of, j->out_mem, j->out_size, e))
        goto fail;
    return GIFC_OK;
fail:
    sink_close(&k);
    source_free(&src);
    outfile_abort(&of);
    return e->code ? e->code : GIFC_ERR_ENCODE;
}

GIFC_API gifc_error gifc_convert_file(gifc_context *ctx, const char *in_path,
                                      const char *out_path, gifc_result *result)
{
    if (!ctx || !in_path || !out_path) return GIFC_ERR_INVALID_ARG;
    job j = { .ctx = ctx, .in_path = in_path, .out_path = out_path };
    return convert(&j, result);
}

GIFC_API gifc_error gifc_convert_memory(gifc_context *ctx, const uint8_t *in, size_t in_size,
                                        uint8_t **out, size_t *out_size, gifc_result *result)
{
    if (!ctx || !in || !out || !out_size) return GIFC_ERR_INVALID_ARG;
    job j = { .ctx = ctx, .in_mem = in, .in_size = in_size, .out_mem = out, .out_size = out_size };
    return convert(&j, result);
}

GIFC_API gifc_error gifc_convert_file_to_memory(gifc_context *ctx, const char *in_path,
                                                uint8_t **out, size_t *out_size,
                                                gifc_result *result)
{
    if (!ctx || !in_path || !out || !out_size) return GIFC_ERR_INVALID_ARG;
    job j = { .ctx = ctx, .in_path = in_path, .out_mem = out, .out_size = out_size };
    return convert(&j, result);
}

/* The estimate itself, on an opened source with its plan. */
static gifc_error estimate_run(gifc_context *ctx, const char *in_path, source *src,
                               const source_info *si, const plan *p, gifc_estimate *est)
{
    double bytes = 0, ssim = -1;
    int sampled = 0;
    /* Few frames (slides, short loops): samples would weigh a handful of pictures for the
     * whole (GIF chunks were 4x off on a 118-frame terminal demo), and the plain
     * conversion in memory is as quick as the budget's predictor there. */
    int gif = p->format == GIFC_FORMAT_GIF && p->frames_estimate > ESTIMATE_WHOLE_FRAMES;
    gifc_error r = gif ? budget_gif_estimate(ctx, src, si, p, &bytes, &ssim, &sampled)
                       : estimate_by_segments(ctx, in_path, p, &bytes, &sampled);
    if (r) return r;
    /* GIF from a GIF is never written larger than the input (keep_input_if_smaller) */
    if (p->format == GIFC_FORMAT_GIF && si->format && !strcmp(si->format, "gif") &&
        !changes_picture(&ctx->opts)) {
        job j = { .ctx = ctx, .in_path = in_path };
        size_t n = 0;
        uint8_t *b = read_input(&j, &n);
        free(b);
        if (n && bytes > (double)n) bytes = (double)n;
    }
    uint64_t budget = ctx->opts.max_size;
    est->format = p->format;
    est->width = p->w;
    est->height = p->h;
    est->seconds = p->seconds;
    est->plain_bytes = (uint64_t)llround(bytes);
    est->over_budget = budget && est->plain_bytes > budget;
    est->bytes = est->over_budget ? budget : est->plain_bytes;
    est->ssim = est->over_budget ? -1 : ssim; /* a search would change the picture */
    est->sampled = sampled;
    return GIFC_OK;
}

GIFC_API gifc_error gifc_estimate_file(gifc_context *ctx, const char *in_path,
                                       const char *out_path, gifc_estimate *est)
{
    if (!ctx || !in_path || !est || est->struct_size < sizeof(size_t)) return GIFC_ERR_INVALID_ARG;
    gifc_estimate full = { .struct_size = est->struct_size };
    gerr *e = &ctx->err;
    memset(e, 0, sizeof *e);
    source *src = NULL;
    source_limits lim;
    limits_from_options(&lim, &ctx->opts);
    int old = pool_omp_limit(1);
    gifc_error r = GIFC_OK;
    if (prepare_caption(ctx, e) ||
        source_open(&src, in_path, NULL, 0, ctx->opts.threads, &lim, e) ||
        source_set_geometry(src, &ctx->opts, e)) {
        r = e->code ? e->code : GIFC_ERR_INPUT;
    } else {
        const source_info *si = source_get_info(src);
        plan p;
        plan_make(&ctx->opts, si, out_path, &p);
        r = check_output_size(&p, si, e);
        if (!r) r = estimate_run(ctx, in_path, src, si, &p, &full);
    }
    source_free(&src);
    pool_omp_limit(old);
    if (!r) {
        size_t n = est->struct_size < sizeof full ? est->struct_size : sizeof full;
        memcpy(est, &full, n);
    }
    return r;
}
