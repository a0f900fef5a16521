/* The option table's internal side: what the pipeline asks of the options.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_API_OPTIONS_H
#define GIFC_API_OPTIONS_H
#include <gifc.h>

/* Copies the caller's options into *full (the library's own size): the first
 * in->struct_size bytes from *in, the rest from the defaults; full->struct_size becomes
 * sizeof *full. GIFC_ERR_INVALID_ARG (with *why) when in->struct_size is too small to be a
 * struct filled by gifc_options_init. */
gifc_error options_import(const gifc_options *in, gifc_options *full, const char **why);
/* Non-zero when an option flagged GIFC_OPTF_PICTURE is away from its default: a GIF input
 * is then re-encoded, not kept. */
int options_change_picture(const gifc_options *o);
#endif
