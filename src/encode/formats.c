/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The output formats, once: the word --format takes, the extensions that pick the format,
 * the MIME type a server sends, the label messages use and the option table's applies bit.
 * The CLI, the planner, the targets and `gifc serve` all read this table. */
#include "encode/formats.h"

#include <string.h>
#include <strings.h>

static const gifc_format_info formats[] = {
    { GIFC_FORMAT_GIF, "gif", ".gif", "image/gif", "GIF", GIFC_APPLIES_GIF, NULL },
    { GIFC_FORMAT_MP4, "mp4", ".mp4", "video/mp4", "MP4", GIFC_APPLIES_MP4, ".m4v" },
    { GIFC_FORMAT_WEBP, "webp", ".webp", "image/webp", "WebP", GIFC_APPLIES_WEBP, NULL },
    { GIFC_FORMAT_APNG, "apng", ".apng", "image/apng", "APNG", GIFC_APPLIES_APNG, NULL },
    { GIFC_FORMAT_WEBM, "webm", ".webm", "video/webm", "WebM", GIFC_APPLIES_WEBM, NULL },
    { GIFC_FORMAT_AVIF, "avif", ".avif", "image/avif", "AVIF", GIFC_APPLIES_AVIF, NULL },
};

#define N_FORMATS ((int)(sizeof formats / sizeof formats[0]))

int formats_count(void) { return N_FORMATS; }

const gifc_format_info *formats_at(int index)
{
    return index >= 0 && index < N_FORMATS ? &formats[index] : NULL;
}

const gifc_format_info *formats_describe(gifc_format f)
{
    for (int k = 0; k < N_FORMATS; k++)
        if (formats[k].format == f) return &formats[k];
    return NULL;
}

gifc_format formats_from_path(const char *path)
{
    const char *dot = path ? strrchr(path, '.') : NULL;
    if (!dot || strchr(dot, '/')) return GIFC_FORMAT_AUTO;
    for (int k = 0; k < N_FORMATS; k++) {
        const gifc_format_info *i = &formats[k];
        if (!strcasecmp(dot, i->ext) || (i->alt_ext && !strcasecmp(dot, i->alt_ext)))
            return i->format;
    }
    return GIFC_FORMAT_AUTO;
}

const gifc_format_info *formats_effective(gifc_format f)
{
    const gifc_format_info *i = formats_describe(f);
    return i ? i : &formats[0]; /* AUTO and unknown values write GIF */
}
