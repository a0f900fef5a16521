/* A small fixed thread pool: tasks run in submission order on any free worker; the
 * submitter waits for a task by its done flag. Each task learns which worker runs it, so
 * workers can own per-thread state (a libimagequant attr is not shareable).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_POOL_H
#define GIFC_POOL_H
#include "base/gerr.h"

typedef struct pool pool;
typedef void (*pool_fn)(void *arg, int worker);

typedef struct pool_task {
    pool_fn fn;
    void *arg;
    int done;               /* set by the pool under its lock */
    struct pool_task *next;
} pool_task;

gifc_error pool_new(pool **out, int workers, gerr *e);
int pool_size(const pool *p);
/* t must stay alive until pool_wait(t) returned. */
void pool_submit(pool *p, pool_task *t, pool_fn fn, void *arg);
void pool_wait(pool *p, pool_task *t);
/* Sets the OpenMP team size for regions the calling thread starts (libimagequant's) and
 * returns the previous value. Idle OpenMP workers spin while they wait: next to gifc's own
 * threads that spinning tripled wall time on a 640x480 clip, so gifc runs libimagequant
 * single-threaded on each of its threads. The setting is per thread. */
int pool_omp_limit(int n);

/* Finishes queued tasks, joins the workers; accepts NULL. */
void pool_free(pool **p);
#endif
