/* Internal error record: a gifc_error code plus a one-line detail.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_GERR_H
#define GIFC_GERR_H
#include "gifc.h"

typedef struct gerr {
    gifc_error code;
    char msg[512];
    /* The gifc_options field the failure concerns ("overwrite", "start"...), a static
     * string, or NULL. Messages name fields, never a client's flags: a client maps them. */
    const char *option;
    /* The output's name (borrowed, may be NULL), set by the conversion before it writes:
     * an output failure (GIFC_ERR_OUTPUT) is recorded as "NAME: detail", so the stages
     * that write through a temporary file need not know what it will be called. */
    const char *out_name;
} gerr;

/* Records the first failure only (later ones are consequences); returns code so callers can
 * write `return gerr_set(e, GIFC_ERR_X, "...")`. e may be NULL. */
gifc_error gerr_set(gerr *e, gifc_error code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Same, naming the gifc_options field the failure concerns (a static string). */
gifc_error gerr_set_opt(gerr *e, gifc_error code, const char *option, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The code for an FFmpeg failure: GIFC_ERR_NOMEM for AVERROR(ENOMEM), else fallback. */
gifc_error gerr_av_code(int averr, gifc_error fallback);
/* Same, appending FFmpeg's text for an AVERROR value. */
gifc_error gerr_av(gerr *e, gifc_error code, int averr, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
#endif
