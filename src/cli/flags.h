/* The CLI's names for the gifc_options fields the library's messages name.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_CLI_FLAGS_H
#define GIFC_CLI_FLAGS_H
#include <stddef.h>

#include "gifc.h"

/* The long flag ("--start") for a gifc_options field ("start"), from the option table,
 * written into buf (n bytes); NULL when the table has no such field. */
const char *cli_flag_for_field(const char *field, char *buf, size_t n);
/* Rewrites the library's message in msg (n bytes) for a user of the command line: the field
 * the failure concerns (gifc_context_option, may be NULL) is named by its flag, and an
 * existing output gets the hint to --force. */
void cli_name_flag(char *msg, size_t n, gifc_error e, const char *field);
#endif
