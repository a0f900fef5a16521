/* Batch mode's pure helpers: which names are media, --include / --exclude globs, --shard
 * hashing and the OUTDIR path of an input. No I/O and no libgifc calls (only its types), so
 * tests/test_cli_batch.c links this file alone.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_CLI_BATCH_PATHS_H
#define GIFC_CLI_BATCH_PATHS_H
#include <gifc.h>
#include <stdint.h>

/* Whether the name's extension (any case) is one gifc is meant to read: video containers
 * (.mp4 .mov .m4v .avi .webm .mkv ...) and animations (.gif .apng .png .webp). Finding files
 * only: a media name that fails to decode is a failure, not a skip. */
int batch_is_media_name(const char *path);

/* 64-bit FNV-1a of the bytes of s. */
uint64_t batch_fnv1a(const char *s);
/* Whether rel (a path relative to its input root) belongs to share k of n (1 <= k <= n):
 * FNV-1a(rel) mod n == k - 1. Depends on rel alone, so a share stays the same when files
 * are added elsewhere. */
int batch_in_shard(const char *rel, int k, int n);

/* fnmatch(3) on a relative path: a pattern without '/' matches the base name at any depth
 * ("*.mp4"), one with '/' the whole relative path ("raw/x*"; '*' also crosses '/'). */
int batch_glob_match(const char *pattern, const char *rel);

typedef enum batch_select {
    BATCH_SELECTED = 0,
    BATCH_NOT_INCLUDED, /* --include given and no pattern matches */
    BATCH_EXCLUDED      /* an --exclude pattern matches */
} batch_select;
batch_select batch_selected(const char *rel, const char *const *includes, int n_includes,
                            const char *const *excludes, int n_excludes);

/* "a/b" from "a/" + "b", "a" + "b"; "b" when dir is "" . malloc'd; NULL when out of memory. */
char *batch_join(const char *dir, const char *name);
/* OUTDIR/rel with the extension replaced by the format's (.gif / .mp4): "clips/a.mov" ->
 * "OUT/clips/a.gif". keep_ext keeps the source extension before the new one ("a.mov.gif"),
 * for names that would otherwise collide. malloc'd; NULL when out of memory. */
char *batch_output_path(const char *outdir, const char *rel, gifc_format f, int keep_ext);
#endif
