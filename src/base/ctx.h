/* The library context as the pipeline sees it: options, the error record, the opened
 * caption. Data only, so that the stages below the public API (sink, budget) can read it
 * without depending on context.c, which implements the public functions.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_CTX_H
#define GIFC_CTX_H
#include "base/gerr.h"
#include "gifc.h"

struct caption;

struct gifc_context {
    gifc_options opts;     /* caption and font point to the context's own copies */
    gerr err;
    struct caption *cap;   /* opts.caption checked and its fonts opened, at the first
                              conversion (kept for the next ones); NULL when none */
};

/* Sends a formatted line to the log callback, if any. */
void ctx_log(const gifc_context *ctx, gifc_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#endif
