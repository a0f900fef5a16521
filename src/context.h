/* The library context: options, last error, log helper. Private.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_CONTEXT_H
#define GIFC_CONTEXT_H
#include "caption.h"
#include "err.h"
#include "gifc.h"

struct gifc_context {
    gifc_options opts;     /* caption and font point to the context's own copies */
    gerr err;
    caption *cap;          /* opts.caption checked and its fonts opened, at the first
                              conversion (kept for the next ones); NULL when none */
};

/* Sends a formatted line to the log callback, if any. */
void ctx_log(const gifc_context *ctx, gifc_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#endif
