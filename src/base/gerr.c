/* The error record every module fills: the first failure wins, later ones are its
 * consequences. A leaf: it depends on gifc.h's codes and FFmpeg's error text only.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "base/gerr.h"

#include <libavutil/error.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static gifc_error gerr_vset(gerr *e, gifc_error code, const char *option, const char *suffix,
                            const char *fmt, va_list ap)
{
    if (!e || e->code != GIFC_OK) return e ? e->code : code;
    e->code = code;
    e->option = option;
    char detail[sizeof e->msg];
    vsnprintf(detail, sizeof detail, fmt, ap);
    int n;
    if (code == GIFC_ERR_OUTPUT && e->out_name && !strstr(detail, e->out_name))
        n = snprintf(e->msg, sizeof e->msg, "%s: %s", e->out_name, detail);
    else
        n = snprintf(e->msg, sizeof e->msg, "%s", detail);
    if (suffix && n >= 0 && (size_t)n < sizeof e->msg)
        snprintf(e->msg + n, sizeof e->msg - (size_t)n, ": %s", suffix);
    return code;
}

gifc_error gerr_set(gerr *e, gifc_error code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    gifc_error r = gerr_vset(e, code, NULL, NULL, fmt, ap);
    va_end(ap);
    return r;
}

gifc_error gerr_set_opt(gerr *e, gifc_error code, const char *option, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    gifc_error r = gerr_vset(e, code, option, NULL, fmt, ap);
    va_end(ap);
    return r;
}

gifc_error gerr_av_code(int averr, gifc_error fallback)
{
    return averr == AVERROR(ENOMEM) ? GIFC_ERR_NOMEM : fallback;
}

gifc_error gerr_av(gerr *e, gifc_error code, int averr, const char *fmt, ...)
{
    char buf[AV_ERROR_MAX_STRING_SIZE] = "";
    av_strerror(averr, buf, sizeof buf);
    va_list ap;
    va_start(ap, fmt);
    gifc_error r = gerr_vset(e, code, NULL, buf, fmt, ap);
    va_end(ap);
    return r;
}
