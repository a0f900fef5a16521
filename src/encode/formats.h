/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_ENCODE_FORMATS_H
#define GIFC_ENCODE_FORMATS_H

#include "gifc.h"

int formats_count(void);
const gifc_format_info *formats_at(int index); /* NULL out of range */
/* The row of format f; NULL for GIFC_FORMAT_AUTO or a value no format has. */
const gifc_format_info *formats_describe(gifc_format f);
/* As formats_describe, but AUTO and unknown values give GIF's row (what is written then). */
const gifc_format_info *formats_effective(gifc_format f);
/* The format an output path's extension names (case-insensitive); AUTO when none does. */
gifc_format formats_from_path(const char *path);

#endif
