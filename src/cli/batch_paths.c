/* Batch mode's pure helpers (see batch_paths.h).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "cli/batch_paths.h"
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Read-only table. Static PNG and WebP are in because APNG and animated WebP often carry
 * those extensions; a still image converts to a one-frame output. */
static const char *const media_exts[] = {
    "mp4", "m4v", "mov", "qt", "avi", "webm", "mkv", "mpg", "mpeg", "ts", "mts", "m2ts",
    "flv", "wmv", "3gp", "ogv", "gif", "apng", "png", "webp",
};

/* The extension of the last path component without its dot, or NULL (".hidden" has none). */
static const char *name_ext(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    return dot && dot != base ? dot + 1 : NULL;
}

int batch_is_media_name(const char *path)
{
    const char *ext = name_ext(path);
    if (!ext) return 0;
    for (size_t i = 0; i < sizeof media_exts / sizeof media_exts[0]; i++)
        if (strcasecmp(ext, media_exts[i]) == 0) return 1;
    return 0;
}

uint64_t batch_fnv1a(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a 64-bit offset basis and prime */
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ull;
    }
    return h;
}

int batch_in_shard(const char *rel, int k, int n)
{
    if (n <= 1) return 1;
    return batch_fnv1a(rel) % (uint64_t)n == (uint64_t)(k - 1);
}

int batch_glob_match(const char *pattern, const char *rel)
{
    const char *subject = rel;
    if (!strchr(pattern, '/')) {
        const char *slash = strrchr(rel, '/');
        if (slash) subject = slash + 1;
    }
    return fnmatch(pattern, subject, 0) == 0;
}

batch_select batch_selected(const char *rel, const char *const *includes, int n_includes,
                            const char *const *excludes, int n_excludes)
{
    int in = n_includes == 0;
    for (int i = 0; i < n_includes && !in; i++) in = batch_glob_match(includes[i], rel);
    if (!in) return BATCH_NOT_INCLUDED;
    for (int i = 0; i < n_excludes; i++)
        if (batch_glob_match(excludes[i], rel)) return BATCH_EXCLUDED;
    return BATCH_SELECTED;
}

char *batch_join(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    int slash = a > 0 && dir[a - 1] != '/';
    char *s = malloc(a + (size_t)slash + b + 1);
    if (!s) return NULL;
    memcpy(s, dir, a);
    if (slash) s[a] = '/';
    memcpy(s + a + (size_t)slash, name, b + 1);
    return s;
}

char *batch_output_path(const char *outdir, const char *rel, gifc_format f, int keep_ext)
{
    static const char *const exts[] = { ".gif", ".gif", ".mp4", ".webp", ".apng", ".webm", ".avif" };
    const char *ext = f >= 0 && f <= GIFC_FORMAT_AVIF ? exts[f] : ".gif";
    const char *old = name_ext(rel);
    size_t stem = old && !keep_ext ? (size_t)(old - 1 - rel) : strlen(rel);
    size_t len = stem + strlen(ext);
    char *name = malloc(len + 1);
    if (!name) return NULL;
    memcpy(name, rel, stem);
    strcpy(name + stem, ext);
    char *out = batch_join(outdir, name);
    free(name);
    return out;
}
