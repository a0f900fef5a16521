/* The conversion: source -> (GIF encoder | MP4 writer) -> atomic output, with defaults
 * chosen from what the input is and what the output will be.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "audio.h"
#include "context.h"
#include "gif_encoder.h"
#include "gif_keep.h"
#include "mp4_writer.h"
#include "output.h"
#include "pool.h"
#include "reader.h"
#include "scale.h"
#include "source.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Defaults that make a short clip a shareable GIF of a few MB (README has measured sizes). */
#define GIF_VIDEO_BOX 480
#define GIF_VIDEO_FPS 15.0
#define MP4_LONG_SIDE 1280
#define MP4_SHORT_SIDE 720

typedef struct plan {
    gifc_format format;
    int w, h;
    source_timing timing;
    double dither;
    int64_t frames_estimate;
} plan;

typedef struct job {
    gifc_context *ctx;
    const char *in_path;       /* NULL for memory input */
    const uint8_t *in_mem;
    size_t in_size;
    const char *out_path;      /* NULL for memory output */
    uint8_t **out_mem;
    size_t *out_size;
} job;

static gifc_format choose_format(const gifc_options *o, const char *out_path)
{
    if (o->format != GIFC_FORMAT_AUTO) return o->format;
    gifc_format f = gifc_format_from_path(out_path);
    return f == GIFC_FORMAT_AUTO ? GIFC_FORMAT_GIF : f;
}

static void choose_size(const gifc_options *o, const source_info *si, gifc_format fmt,
                        int *w, int *h)
{
    int bw = o->width, bh = o->height;
    if (!bw && !bh) {
        if (fmt == GIFC_FORMAT_MP4) {
            int portrait = si->height > si->width;
            bw = portrait ? MP4_SHORT_SIDE : MP4_LONG_SIDE;
            bh = portrait ? MP4_LONG_SIDE : MP4_SHORT_SIDE;
        } else if (!si->is_animation) {
            bw = bh = GIF_VIDEO_BOX;
        }
    }
    scale_fit(si->width, si->height, bw, bh, w, h);
    if (fmt == GIFC_FORMAT_MP4) { /* yuv420p needs even sizes */
        *w = *w < 2 ? 2 : *w & ~1;
        *h = *h < 2 ? 2 : *h & ~1;
    }
}

static double choose_fps(const gifc_options *o, const source_info *si, gifc_format fmt)
{
    if (o->fps > 0) return o->fps;
    if (fmt == GIFC_FORMAT_MP4 || si->is_animation) return 0;
    /* A source at or under the default rate keeps its own (possibly variable) timing. */
    if (si->fps > 0 && si->fps * (o->speed > 0 ? o->speed : 1) <= GIF_VIDEO_FPS + 0.01) return 0;
    return GIF_VIDEO_FPS;
}

static void make_plan(const gifc_options *o, const source_info *si, const char *out_path,
                      plan *p)
{
    memset(p, 0, sizeof *p);
    p->format = choose_format(o, out_path);
    choose_size(o, si, p->format, &p->w, &p->h);
    p->timing.start = o->start;
    p->timing.duration = o->duration;
    p->timing.speed = o->speed > 0 ? o->speed : 1.0;
    p->timing.fps = choose_fps(o, si, p->format);
    p->dither = o->dither >= 0 ? o->dither : 1.0;
    double span = si->duration > 0 ? si->duration - o->start : 0;
    if (o->duration > 0 && (span <= 0 || o->duration < span)) span = o->duration;
    if (span < 0) span = 0;
    if (p->timing.fps > 0) p->frames_estimate = (int64_t)(span / p->timing.speed * p->timing.fps);
    else if (si->duration > 0) p->frames_estimate = (int64_t)(si->frames * span / si->duration);
    else p->frames_estimate = si->frames;
}

/* x264 CRF: 23 at quality 90. An animation (GIF, APNG, WebP) is already quantised and
 * dithered, and CRF 23 spends its bits copying that noise: 5 more halve such MP4s at an
 * SSIM cost of 0.003-0.01 (corpus GIFs: 0.19 -> 0.11 of the input, SSIM >= 0.98). */
static int crf_for(int quality, int animation)
{
    int crf = (int)lround(18 + (100 - quality) * 0.5) + (animation ? 5 : 0);
    return crf > 51 ? 51 : crf;
}

/* One encoder or the other behind one push/finish pair. */
typedef struct sink {
    gifenc *gif;
    mp4w *mp4;
    audio_src *audio;     /* --audio: the source's track, re-encoded as AAC */
    uint64_t bytes;
    int64_t frames;       /* in the output (GIF: after merging identical frames) */
    int64_t pushed;       /* frames handed to the encoder */
    double duration, mp4_end;
} sink;

/* --audio: a warning, not a failure, when there is nothing to keep. */
static gifc_error open_audio(sink *k, const gifc_context *ctx, const job *j, const plan *p,
                             gerr *e)
{
    int has_audio = 0;
    if (audio_open(&k->audio, j->in_path, j->in_mem, j->in_size, p->timing.start,
                   p->timing.duration, p->timing.speed, &has_audio, e))
        return e->code;
    if (has_audio) {
        char d[160];
        audio_describe(k->audio, d, sizeof d);
        ctx_log(ctx, GIFC_LOG_INFO, "audio: %s", d);
    } else if (p->timing.speed != 1.0) {
        ctx_log(ctx, GIFC_LOG_WARNING, "--audio: audio dropped (speed %g is not 1)",
                p->timing.speed);
    } else {
        ctx_log(ctx, GIFC_LOG_WARNING, "--audio: the input has no audio track");
    }
    return GIFC_OK;
}

static gifc_error sink_open(sink *k, const gifc_context *ctx, const job *j, const plan *p,
                            const source_info *si, outfile *of, gerr *e)
{
    const gifc_options *o = &ctx->opts;
    if (p->format == GIFC_FORMAT_GIF) {
        gifenc_params gp = { .width = p->w, .height = p->h, .colors = o->colors,
                             .quality = o->quality, .dither = p->dither, .loop = o->loop,
                             .threads = o->threads, .lossy = o->lossy, .fast = o->fast,
                             .palette_source = si->format && !strcmp(si->format, "gif") };
        return gifenc_open(&k->gif, of->fp, &gp, e);
    }
    if (o->audio && open_audio(k, ctx, j, p, e)) return e->code;
    mp4w_params mp = { .width = p->w, .height = p->h, .crf = crf_for(o->quality, si->is_animation),
                       .background = o->background, .threads = o->threads,
                       .fps_hint = p->timing.fps > 0 ? p->timing.fps : si->fps,
                       .fast = o->fast,
                       .audio = k->audio ? audio_encoder(k->audio) : NULL };
    return mp4w_open(&k->mp4, of->tmp_path, &mp, e);
}

static gifc_error sink_push(sink *k, gframe *f, gerr *e)
{
    k->pushed++;
    if (k->gif) return gifenc_push(k->gif, f, e);
    k->mp4_end = f->pts + f->duration;
    if (mp4w_push(k->mp4, f, e)) return e->code;
    return k->audio ? audio_pump(k->audio, f->pts, k->mp4, e) : GIFC_OK;
}

static gifc_error sink_finish(sink *k, const outfile *of, gerr *e)
{
    if (k->gif) return gifenc_finish(k->gif, &k->bytes, &k->frames, &k->duration, e);
    if (!k->pushed) return gerr_set(e, GIFC_ERR_CORRUPT, "no frame to write");
    k->frames = k->pushed; /* MP4 keeps every frame */
    if (k->audio && audio_finish(k->audio, k->mp4_end, k->mp4, e)) return e->code;
    if (mp4w_finish(k->mp4, e)) return e->code;
    FILE *f = fopen(of->tmp_path, "rb");
    if (f) {
        fseek(f, 0, SEEK_END);
        long n = ftell(f);
        k->bytes = n > 0 ? (uint64_t)n : 0;
        fclose(f);
    }
    k->duration = k->mp4_end;
    return GIFC_OK;
}

static void sink_close(sink *k)
{
    gifenc_free(&k->gif);
    mp4w_free(&k->mp4);
    audio_free(&k->audio);
}

static gifc_error run_frames(gifc_context *ctx, source *src, sink *k, const plan *p)
{
    gerr *e = &ctx->err;
    reader *rd = NULL;
    if (reader_start(&rd, src, e)) return e->code;
    int64_t done = 0;
    gifc_error r = GIFC_OK;
    for (;;) {
        gframe *f = NULL;
        if ((r = reader_next(rd, &f, e)) || !f) break;
        r = sink_push(k, f, e);
        reader_release(rd);
        if (r) break;
        done++;
        if (ctx->opts.progress &&
            ctx->opts.progress(ctx->opts.progress_user, done, p->frames_estimate)) {
            r = gerr_set(e, GIFC_ERR_ABORTED, "interrupted");
            break;
        }
    }
    reader_free(&rd);
    if (!r && !done && p->timing.start > 0)
        r = gerr_set(e, GIFC_ERR_INVALID_ARG, "--start %g s is at or past the end of the input",
                     p->timing.start);
    else if (!r && !done)
        r = gerr_set(e, GIFC_ERR_CORRUPT, "no picture could be decoded");
    return r;
}

/* Options that change what a GIF shows: with none of them, a GIF's own bytes are an
 * acceptable answer. */
static int reencode_only(const gifc_options *o)
{
    return !o->width && !o->height && !o->fps && !o->start && o->duration <= 0 &&
           (!o->speed || o->speed == 1.0) && (!o->colors || o->colors == 256) && !o->loop;
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
        !reencode_only(o) || !of->fp)
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
    int bad = ftruncate(fileno(of->fp), 0) || fseek(of->fp, 0, SEEK_SET) ||
              fwrite(kept_gif.data, 1, kept_gif.len, of->fp) != kept_gif.len;
    k->bytes = kept_gif.len;
    gbuf_free(&kept_gif);
    if (bad) return gerr_set(e, GIFC_ERR_OUTPUT, "cannot write the output");
    k->frames = k->pushed; /* the input's frames, as decoded */
    *kept = 1;
    return GIFC_OK;
}

static void fill_result(gifc_result *res, const gifc_options *o, const plan *p,
                        const source_info *si, const sink *k)
{
    if (!res) return;
    memset(res, 0, sizeof *res);
    res->format = p->format;
    res->width = p->w;
    res->height = p->h;
    if (k->mp4) mp4w_size(k->mp4, &res->width, &res->height);
    res->frames = k->frames;
    res->duration = k->duration;
    res->bytes = k->bytes;
    res->fps = p->timing.fps;
    res->colors = p->format == GIFC_FORMAT_GIF ? o->colors : 0;
    res->quality = o->quality;
    res->dither = p->format == GIFC_FORMAT_GIF ? p->dither : 0;
    res->lossy = p->format == GIFC_FORMAT_GIF ? o->lossy : 0;
    res->src_width = si->width;
    res->src_height = si->height;
    res->src_duration = si->duration;
}

static gifc_error convert_limited(const job *j, gifc_result *res);

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
    source *src = NULL;
    outfile of = { 0 };
    sink k = { 0 };
    plan p;
    int threads = ctx->opts.threads;
    if (source_open(&src, j->in_path, j->in_mem, j->in_size, threads, e)) goto fail;
    const source_info *si = source_get_info(src);
    make_plan(&ctx->opts, si, j->out_path, &p);
    ctx_log(ctx, GIFC_LOG_INFO, "input %s %dx%d %.2f s %.3f fps; output %s %dx%d fps %g",
            si->format, si->width, si->height, si->duration, si->fps,
            p.format == GIFC_FORMAT_GIF ? "gif" : "mp4", p.w, p.h, p.timing.fps);
    if (outfile_begin(&of, j->out_path, j->in_path, ctx->opts.overwrite,
                      p.format == GIFC_FORMAT_GIF, e) ||
        source_start(src, p.w, p.h, &p.timing, e) || sink_open(&k, ctx, j, &p, si, &of, e) ||
        run_frames(ctx, src, &k, &p) || sink_finish(&k, &of, e))
        goto fail;
    int kept = 0;
    if (keep_input_if_smaller(j, &p, si, &ctx->opts, &k, &of, &kept, e)) goto fail;
    if (kept)
        ctx_log(ctx, GIFC_LOG_INFO, "re-encoding was not smaller than the input: output is a copy");
    fill_result(res, &ctx->opts, &p, si, &k);
    if (res) res->kept_input = kept;
    sink_close(&k);
    source_free(&src);
    if (j->out_path ? outfile_commit(&of, e) : outfile_take_memory(&of, j->out_mem, j->out_size, e))
        goto fail;
    return GIFC_OK;
fail:
    if (e->code == GIFC_ERR_OUTPUT && j->out_path && !strstr(e->msg, j->out_path)) {
        char m[sizeof e->msg + 256];
        snprintf(m, sizeof m, "%s: %s", j->out_path, e->msg);
        snprintf(e->msg, sizeof e->msg, "%.*s", (int)sizeof e->msg - 1, m);
    }
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
