/* Batch mode: walking the INPUT folders (see batch_walk.h).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "cli/batch_walk.h"
#include "cli/batch_paths.h"
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Folders entered so far, by device and inode: a symlink back up the tree (or two links to
 * one folder) is reported once and not walked again. */
typedef struct dir_id {
    dev_t dev;
    ino_t ino;
} dir_id;

typedef struct walker {
    const batch_walk_opts *o;
    batch_list *list;
    dir_id *seen;
    size_t n_seen, cap_seen;
} walker;

int batch_list_add(batch_list *list, const char *in_path, const char *rel, batch_state state,
                   const char *reason)
{
    if (list->n == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 64;
        batch_item *v = realloc(list->v, cap * sizeof *v);
        if (!v) return ENOMEM;
        list->v = v;
        list->cap = cap;
    }
    batch_item *it = &list->v[list->n];
    memset(it, 0, sizeof *it);
    it->in_path = strdup(in_path);
    it->rel = strdup(rel);
    it->reason = reason ? strdup(reason) : NULL;
    it->state = state;
    if (!it->in_path || !it->rel || (reason && !it->reason)) {
        free(it->in_path);
        free(it->rel);
        free(it->reason);
        return ENOMEM;
    }
    list->n++;
    return 0;
}

void batch_list_free(batch_list *list)
{
    for (size_t i = 0; i < list->n; i++) {
        free(list->v[i].in_path);
        free(list->v[i].rel);
        free(list->v[i].out_path);
        free(list->v[i].reason);
    }
    free(list->v);
    memset(list, 0, sizeof *list);
}

/* Returns 1 when the folder was entered before, else records it and returns 0 (-1: ENOMEM). */
static int seen_before(walker *w, const struct stat *st)
{
    for (size_t i = 0; i < w->n_seen; i++)
        if (w->seen[i].dev == st->st_dev && w->seen[i].ino == st->st_ino) return 1;
    if (w->n_seen == w->cap_seen) {
        size_t cap = w->cap_seen ? w->cap_seen * 2 : 32;
        dir_id *v = realloc(w->seen, cap * sizeof *v);
        if (!v) return -1;
        w->seen = v;
        w->cap_seen = cap;
    }
    w->seen[w->n_seen++] = (dir_id){ st->st_dev, st->st_ino };
    return 0;
}

static int is_outdir(const walker *w, const struct stat *st)
{
    return w->o->have_outdir && st->st_dev == w->o->outdir_dev && st->st_ino == w->o->outdir_ino;
}

/* Why a name is not taken ("not a media file", a glob), or NULL when it is. */
static const char *name_skipped(const walker *w, const char *rel)
{
    const batch_walk_opts *o = w->o;
    if (!batch_is_media_name(rel)) return "not a media file";
    switch (batch_selected(rel, o->includes, o->n_includes, o->excludes, o->n_excludes)) {
    case BATCH_NOT_INCLUDED: return "not matched by --include";
    case BATCH_EXCLUDED: return "excluded by --exclude";
    default: return NULL;
    }
}

/* A regular file: to convert, or skipped with the reason. */
static int take_file(walker *w, const char *path, const char *rel, const struct stat *st)
{
    const char *skip = name_skipped(w, rel);
    if (skip) return batch_list_add(w->list, path, rel, BATCH_SKIPPED, skip);
    int e = batch_list_add(w->list, path, rel, BATCH_TODO, NULL);
    if (e) return e;
    batch_item *it = &w->list->v[w->list->n - 1];
    it->in_bytes = (uint64_t)st->st_size;
    it->in_mtime = st->st_mtim;
    return 0;
}

static int walk_dir(walker *w, const char *path, const char *rel);

/* One directory entry: followed through symlinks; folders only with -r. */
static int take_entry(walker *w, const char *path, const char *rel)
{
    struct stat st;
    char why[300];
    if (stat(path, &st) != 0) {
        /* A dangling link or a link to itself: a failure only when it would be taken. */
        const char *skip = name_skipped(w, rel);
        if (skip) return batch_list_add(w->list, path, rel, BATCH_SKIPPED, skip);
        snprintf(why, sizeof why, "cannot read: %s", strerror(errno));
        return batch_list_add(w->list, path, rel, BATCH_FAILED, why);
    }
    if (S_ISDIR(st.st_mode)) {
        if (!w->o->recursive || is_outdir(w, &st)) return 0;
        int seen = seen_before(w, &st);
        if (seen < 0) return ENOMEM;
        if (seen)
            return batch_list_add(w->list, path, rel, BATCH_SKIPPED,
                                  "folder already visited (symlink loop)");
        return walk_dir(w, path, rel);
    }
    if (!S_ISREG(st.st_mode))
        return batch_list_add(w->list, path, rel, BATCH_SKIPPED, "not a regular file");
    return take_file(w, path, rel, &st);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in a folder, sorted, so every run (and every shard) sees one order. */
static int read_names(DIR *d, char ***names, size_t *n)
{
    size_t cap = 0;
    struct dirent *de;
    *names = NULL;
    *n = 0;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 32;
            char **v = realloc(*names, cap * sizeof *v);
            if (!v) return ENOMEM;
            *names = v;
        }
        if (!((*names)[*n] = strdup(de->d_name))) return ENOMEM;
        (*n)++;
    }
    if (*n) qsort(*names, *n, sizeof **names, by_name);
    return 0;
}

static int walk_dir(walker *w, const char *path, const char *rel)
{
    char **names;
    size_t n;
    char why[300];
    DIR *d = opendir(path);
    if (!d) {
        snprintf(why, sizeof why, "cannot open the folder: %s", strerror(errno));
        return batch_list_add(w->list, path, rel, BATCH_FAILED, why);
    }
    int e = read_names(d, &names, &n);
    closedir(d);
    for (size_t i = 0; i < n && !e && !*w->o->stop; i++) {
        char *child = batch_join(path, names[i]);
        char *child_rel = batch_join(rel, names[i]);
        e = child && child_rel ? take_entry(w, child, child_rel) : ENOMEM;
        free(child);
        free(child_rel);
    }
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    return e;
}

/* The base name of a root given as a file: "a/b/c.mp4" -> "c.mp4". */
static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static int walk_root(walker *w, const char *root)
{
    struct stat st;
    char why[300];
    if (stat(root, &st) != 0) {
        snprintf(why, sizeof why, "cannot read: %s", strerror(errno));
        return batch_list_add(w->list, root, base_name(root), BATCH_FAILED, why);
    }
    if (S_ISDIR(st.st_mode)) {
        int seen = seen_before(w, &st);
        if (seen) return seen < 0 ? ENOMEM : 0; /* the same folder given twice */
        return walk_dir(w, root, "");
    }
    if (!S_ISREG(st.st_mode))
        return batch_list_add(w->list, root, base_name(root), BATCH_SKIPPED, "not a regular file");
    return take_file(w, root, base_name(root), &st);
}

int batch_walk(const batch_walk_opts *o, char *const *roots, int n_roots, batch_list *list)
{
    walker w = { o, list, NULL, 0, 0 };
    int e = 0;
    for (int i = 0; i < n_roots && !e && !*o->stop; i++) e = walk_root(&w, roots[i]);
    free(w.seen);
    return e;
}
