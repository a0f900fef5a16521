/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "base/pool.h"

#include <pthread.h>
#include <stdlib.h>

#define MAX_WORKERS 64

#ifdef GIFC_HAVE_GOMP
/* libgomp's own API (omp.h would need -fopenmp). */
int omp_get_max_threads(void);
void omp_set_num_threads(int n);
#endif

int pool_omp_limit(int n)
{
#ifdef GIFC_HAVE_GOMP
    int old = omp_get_max_threads();
    omp_set_num_threads(n);
    return old;
#else
    return n;
#endif
}

typedef struct worker_arg {
    pool *p;
    int index;
} worker_arg;

struct pool {
    pthread_mutex_t lock;
    pthread_cond_t work, finished;
    pool_task *head, *tail;
    int quit, n;
    pthread_t threads[MAX_WORKERS];
    worker_arg args[MAX_WORKERS];
};

static void *worker_main(void *arg)
{
    worker_arg *wa = arg;
    pool *p = wa->p;
    pool_omp_limit(1);
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!p->head && !p->quit) pthread_cond_wait(&p->work, &p->lock);
        pool_task *t = p->head;
        if (!t) break; /* quit with nothing left */
        p->head = t->next;
        if (!p->head) p->tail = NULL;
        pthread_mutex_unlock(&p->lock);
        t->fn(t->arg, wa->index);
        pthread_mutex_lock(&p->lock);
        t->done = 1;
        pthread_cond_broadcast(&p->finished);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

gifc_error pool_new(pool **out, int workers, gerr *e)
{
    *out = NULL;
    if (workers < 1) workers = 1;
    if (workers > MAX_WORKERS) workers = MAX_WORKERS;
    pool *p = calloc(1, sizeof *p);
    if (!p) return gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->finished, NULL);
    for (int i = 0; i < workers; i++) {
        p->args[i] = (worker_arg){ p, i };
        if (pthread_create(&p->threads[i], NULL, worker_main, &p->args[i])) break;
        p->n++;
    }
    if (!p->n) {
        pool_free(&p);
        return gerr_set(e, GIFC_ERR_NOMEM, "cannot start worker threads");
    }
    *out = p;
    return GIFC_OK;
}

int pool_size(const pool *p) { return p->n; }

void pool_submit(pool *p, pool_task *t, pool_fn fn, void *arg)
{
    t->fn = fn;
    t->arg = arg;
    t->done = 0;
    t->next = NULL;
    pthread_mutex_lock(&p->lock);
    if (p->tail) p->tail->next = t;
    else p->head = t;
    p->tail = t;
    pthread_cond_signal(&p->work);
    pthread_mutex_unlock(&p->lock);
}

void pool_wait(pool *p, pool_task *t)
{
    pthread_mutex_lock(&p->lock);
    while (!t->done) pthread_cond_wait(&p->finished, &p->lock);
    pthread_mutex_unlock(&p->lock);
}

void pool_free(pool **pp)
{
    if (!pp || !*pp) return;
    pool *p = *pp;
    pthread_mutex_lock(&p->lock);
    p->quit = 1;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < p->n; i++) pthread_join(p->threads[i], NULL);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->work);
    pthread_cond_destroy(&p->finished);
    free(p);
    *pp = NULL;
}
