/* The conversion session's log helper.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "base/ctx.h"

#include <stdarg.h>
#include <stdio.h>

void ctx_log(const gifc_context *ctx, gifc_log_level level, const char *fmt, ...)
{
    if (!ctx->opts.log) return;
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    ctx->opts.log(ctx->opts.log_user, level, line);
}
