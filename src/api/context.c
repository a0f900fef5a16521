/* Options, context lifetime, error texts.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "base/ctx.h"
#include "caption/caption.h"
#include "encode/plan.h"

#include <libavutil/error.h>
#include <libavutil/log.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

GIFC_API void gifc_options_init(gifc_options *o)
{
    memset(o, 0, sizeof *o);
    o->format = GIFC_FORMAT_AUTO;
    o->colors = 256;
    o->quality = 90;
    o->dither = -1.0;
    o->loop = 0;
    o->background = 0xFFFFFF;
    o->speed = 1.0;
    o->max_pixels = GIFC_DEFAULT_MAX_PIXELS;
    o->max_frames = GIFC_DEFAULT_MAX_FRAMES;
    o->max_duration = GIFC_DEFAULT_MAX_DURATION;
    o->max_decoded_bytes = GIFC_DEFAULT_MAX_DECODED_BYTES;
}

/* The editing fields (crop, aspect, time edits); NULL when they are fine. */
static const char *edit_options_why(const gifc_options *o)
{
    if (o->crop_w < 0 || o->crop_h < 0 || o->crop_x < 0 || o->crop_y < 0 ||
        o->crop_w > 65535 || o->crop_h > 65535 || o->crop_x > 65535 || o->crop_y > 65535)
        return "crop sizes and offsets must be 0..65535";
    if (!o->crop_w != !o->crop_h) return "crop needs both a width and a height";
    if (!o->crop_w && (o->crop_x || o->crop_y)) return "crop offsets need a crop size";
    if (o->aspect_w < 0 || o->aspect_h < 0 || o->aspect_w > 10000 || o->aspect_h > 10000 ||
        !o->aspect_w != !o->aspect_h)
        return "aspect must be W:H with both 1..10000, or 0:0 for none";
    if (o->aspect_w && ((double)o->aspect_w / o->aspect_h > 100 ||
                        (double)o->aspect_h / o->aspect_w > 100))
        return "aspect must be within 1:100 and 100:1";
    if (!(o->smooth_loop >= 0 && o->smooth_loop <= 3600))
        return "smooth_loop must be 0..3600 seconds";
    if (o->smooth_loop > 0 && o->bounce)
        return "smooth_loop and bounce: a bounce already loops without a jump";
    if (o->frames_step < 0 || o->frames_step > 1000) return "frames_step must be 0..1000";
    return NULL;
}

/* The caption options; the text itself is checked here too, so that a bad one is refused
 * before any conversion (caption_new says at which byte). */
static const char *caption_why(const gifc_options *o)
{
    uint32_t cp;
    if (o->caption_position != GIFC_CAPTION_BOTTOM && o->caption_position != GIFC_CAPTION_TOP)
        return "caption_position must be GIFC_CAPTION_BOTTOM or GIFC_CAPTION_TOP";
    if (o->caption_size && (!(o->caption_size >= 2) || o->caption_size > 50))
        return "caption_size must be 2..50 (percent of the frame height)";
    if (o->font && !*o->font) return "font is an empty path";
    if (o->caption && caption_text_check(o->caption, &cp) >= 0)
        return cp ? "caption has a control character (only line breaks and tabs are allowed)"
                  : "caption is not valid UTF-8";
    return NULL;
}

GIFC_API gifc_error gifc_options_validate(const gifc_options *o, const char **why)
{
    const char *w = NULL;
    if (o->format < GIFC_FORMAT_AUTO || o->format > GIFC_FORMAT_MP4) w = "format is not gif or mp4";
    else if (o->fps < 0 || o->fps > 100) w = "fps must be 0 (source) or up to 100";
    else if (o->width < 0 || o->width > 16384 || o->height < 0 || o->height > 16384)
        w = "width and height must be 0..16384";
    else if (o->start < 0) w = "start must not be negative";
    else if (o->colors && (o->colors < 2 || o->colors > 256)) w = "colors must be 2..256";
    else if (o->quality && (o->quality < 1 || o->quality > 100)) w = "quality must be 1..100";
    else if (o->dither > 1.0) w = "dither must be 0..1";
    else if (o->speed && (o->speed < 0.25 || o->speed > 4.0)) w = "speed must be 0.25..4";
    else if (o->background > 0xFFFFFF) w = "background must be 0xRRGGBB";
    else if (o->threads < 0 || o->threads > 256) w = "threads must be 0..256";
    else if (o->lossy < 0 || o->lossy > 200) w = "lossy must be 0..200";
    else if (isnan(o->max_duration)) w = "max_duration is not a number";
    else if ((w = edit_options_why(o)) == NULL) w = caption_why(o);
    if (why) *why = w;
    return w ? GIFC_ERR_INVALID_ARG : GIFC_OK;
}

/* FFmpeg's log is process-wide and prints to stderr; a library must not print, so it is
 * turned off once. GIFC_FFMPEG_LOG=1 in the environment keeps it for debugging. */
static void quiet_ffmpeg(void)
{
    const char *keep = getenv("GIFC_FFMPEG_LOG");
    if (!keep || !*keep || *keep == '0') av_log_set_level(AV_LOG_QUIET);
}

GIFC_API gifc_error gifc_context_new(const gifc_options *opts, gifc_context **out)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, quiet_ffmpeg);
    *out = NULL;
    gifc_options defaults;
    if (!opts) {
        gifc_options_init(&defaults);
        opts = &defaults;
    }
    if (gifc_options_validate(opts, NULL)) return GIFC_ERR_INVALID_ARG;
    gifc_context *c = calloc(1, sizeof *c);
    if (!c) return GIFC_ERR_NOMEM;
    c->opts = *opts;
    /* The caller's strings need not outlive this call. An empty caption is no caption. */
    c->opts.caption = opts->caption && *opts->caption ? strdup(opts->caption) : NULL;
    c->opts.font = opts->font ? strdup(opts->font) : NULL;
    if ((opts->caption && *opts->caption && !c->opts.caption) || (opts->font && !c->opts.font)) {
        gifc_context_free(&c);
        return GIFC_ERR_NOMEM;
    }
    *out = c;
    return GIFC_OK;
}

GIFC_API void gifc_context_free(gifc_context **ctx)
{
    if (!ctx || !*ctx) return;
    caption_free(&(*ctx)->cap);
    free((char *)(*ctx)->opts.caption);
    free((char *)(*ctx)->opts.font);
    free(*ctx);
    *ctx = NULL;
}

GIFC_API const char *gifc_context_message(const gifc_context *ctx)
{
    return ctx ? ctx->err.msg : "";
}

GIFC_API const char *gifc_context_option(const gifc_context *ctx)
{
    return ctx && ctx->err.code != GIFC_OK ? ctx->err.option : NULL;
}

GIFC_API const char *gifc_strerror(gifc_error e)
{
    static const char *const text[GIFC_ERR__COUNT] = {
        [GIFC_OK] = "success",
        [GIFC_ERR_INVALID_ARG] = "invalid argument",
        [GIFC_ERR_NOMEM] = "out of memory",
        [GIFC_ERR_INPUT] = "cannot read input",
        [GIFC_ERR_UNSUPPORTED] = "unsupported input format",
        [GIFC_ERR_NO_VIDEO] = "no video stream",
        [GIFC_ERR_CORRUPT] = "input is corrupt or truncated",
        [GIFC_ERR_OUTPUT] = "cannot write output",
        [GIFC_ERR_OUTPUT_EXISTS] = "output exists (overwrite is off)",
        [GIFC_ERR_ENCODE] = "encoder failure",
        [GIFC_ERR_ABORTED] = "aborted",
        [GIFC_ERR_SAME_FILE] = "output would overwrite the input",
        [GIFC_ERR_OVER_BUDGET] = "cannot fit the size budget",
        [GIFC_ERR_LIMIT] = "input exceeds a limit",
    };
    if ((int)e < 0 || e >= GIFC_ERR__COUNT) return "unknown error";
    return text[e];
}

GIFC_API void gifc_free(void *p) { free(p); }

GIFC_API const char *gifc_version(void) { return GIFC_VERSION_STRING; }

GIFC_API gifc_format gifc_format_from_path(const char *path)
{
    return plan_format_from_path(path);
}
