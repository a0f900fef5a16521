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

static gifc_error convert(const job *j, gifc_result *res)
{
    int old = pool_omp_limit(1);
    gifc_error r = convert_limited(j, res);
    pool_omp_limit(old);
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
    source_for_yuv(src, p.format == GIFC_FORMAT_MP4);
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
