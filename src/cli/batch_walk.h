/* Batch mode: finding the files. Walks the INPUT folders (recursing with -r) into a list of
 * items in a stable order (sorted by name), each either to convert or already settled as
 * skipped (not media, excluded, a symlink loop) or failed (cannot be looked at).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_CLI_BATCH_WALK_H
#define GIFC_CLI_BATCH_WALK_H
#include <stdatomic.h>
#include <gifc.h>
#include <signal.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

typedef enum batch_state {
    BATCH_TODO,      /* to convert */
    BATCH_CONVERTED,
    BATCH_SKIPPED,   /* reason says why: up to date, not media, excluded... */
    BATCH_FAILED,    /* reason says why */
    BATCH_CANCELLED  /* interrupted, or never started because of the interrupt */
} batch_state;

typedef struct batch_item {
    char *in_path;          /* the path to open (INPUT root joined with rel) */
    char *rel;              /* relative to its INPUT root: the shard key, mirrored in OUTDIR */
    char *out_path;         /* NULL until planned, and for items that have no output */
    uint64_t in_bytes;
    struct timespec in_mtime;
    batch_state state;
    char *reason;           /* skipped / failed / cancelled: why (malloc'd) */
    int replace;            /* an output older than the input exists: overwrite it */
    int planned;            /* was to convert when the run started */
    int up_to_date;         /* skipped: its output is newer than it */
    gifc_result result;     /* converted */
    double elapsed;         /* seconds spent converting */
} batch_item;

typedef struct batch_list {
    batch_item *v;
    size_t n, cap;
} batch_list;

typedef struct batch_walk_opts {
    const atomic_int *stop; /* set by a signal: stop walking (the list ends early) */
    int recursive;
    const char *const *includes, *const *excludes;
    int n_includes, n_excludes;
    int have_outdir;        /* OUTDIR exists: never walk into it */
    dev_t outdir_dev;
    ino_t outdir_ino;
} batch_walk_opts;

/* Appends the items found under each root (a folder, or a file taken as it is) to list.
 * Returns 0, or ENOMEM (list then holds what was found so far). */
int batch_walk(const batch_walk_opts *o, char *const *roots, int n_roots, batch_list *list);
/* Appends a settled item; reason is copied. Returns 0 or ENOMEM. */
int batch_list_add(batch_list *list, const char *in_path, const char *rel, batch_state state,
                   const char *reason);
void batch_list_free(batch_list *list);
#endif
