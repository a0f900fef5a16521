/* The library context: options, last error, log helper. Private.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_CONTEXT_H
#define GIFC_CONTEXT_H
#include "err.h"
#include "gifc.h"

struct gifc_context {
    gifc_options opts;
    gerr err;
};

/* Sends a formatted line to the log callback, if any. */
void ctx_log(const gifc_context *ctx, gifc_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#endif
