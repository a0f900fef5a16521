/* Context lifetime, error texts (the options and their table are in options.c).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "base/ctx.h"
#include "caption/caption.h"
#include "api/options.h"
#include "encode/formats.h"
#include "encode/plan.h"

#include <libavutil/error.h>
#include <libavutil/log.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The caption's text, checked before any conversion (caption_new says at which byte); the
 * option table (options.c) checks the other fields. NULL when fine. */
const char *options_caption_why(const gifc_options *o);
const char *options_caption_why(const gifc_options *o)
{
    uint32_t cp;
    if (o->caption && caption_text_check(o->caption, &cp) >= 0)
        return cp ? "caption has a control character (only line breaks and tabs are allowed)"
                  : "caption is not valid UTF-8";
    return NULL;
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
    /* The caller's struct may be older (smaller) than this library's: only its struct_size
     * bytes are read, the rest are defaults. */
    gifc_options full;
    if (options_import(opts, &full, NULL) || gifc_options_validate(&full, NULL))
        return GIFC_ERR_INVALID_ARG;
    opts = &full;
    gifc_context *c = calloc(1, sizeof *c);
    if (!c) return GIFC_ERR_NOMEM;
    c->opts = full;
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

GIFC_API int gifc_version_number(void) { return GIFC_VERSION_NUMBER; }

GIFC_API gifc_format gifc_format_from_path(const char *path)
{
    return formats_from_path(path);
}

GIFC_API int gifc_format_count(void) { return formats_count(); }

GIFC_API const gifc_format_info *gifc_format_at(int index) { return formats_at(index); }

GIFC_API const gifc_format_info *gifc_format_describe(gifc_format f)
{
    return formats_describe(f);
}
