/* Batch mode: plan and run (see batch.h).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE /* sched_getaffinity */
#include "cli/batch.h"
#include <stdatomic.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/batch_paths.h"
#include "cli/batch_report.h"
#include "cli/batch_walk.h"
#include "cli/flags.h"
#include "cli/progress.h"

/* One batch: the plan, the shared queue and the reporter. */
typedef struct batch_run_state {
    const cli_prefs *p;
    atomic_int *stop;
    gifc_options base;      /* every file's options, validated; per job: threads, overwrite */
    int job_threads;        /* gifc_options.threads for each job */
    batch_list list;
    size_t next;            /* the queue: next index of list to look at */
    pthread_mutex_t lock;   /* guards next, and the reporter (stdout, stderr, totals) */
    batch_reporter rep;
} batch_run_state;

/* One conversion under way, the user pointer of its callbacks. */
typedef struct batch_job {
    batch_run_state *run;
    batch_item *item;
} batch_job;

/* A batch that cannot start: one "gifc: ..." line on stderr and, with --json, the error
 * record single-file runs print. Returns code. */
static int complain(const cli_prefs *p, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int complain(const cli_prefs *p, int code, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "gifc: %s\n", msg);
    if (p->json) report_json_error(stdout, p->input, p->output, msg, code);
    return code;
}

/* Cores this process may run on. */
static int cores(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

/* ---- OUTDIR ---- */

/* mkdir -p of path's parent folders (all of path when whole). 0 or an errno value. */
static int make_dirs(const char *path, int whole)
{
    char *buf = strdup(path);
    int e = 0;
    if (!buf) return ENOMEM;
    size_t n = strlen(buf);
    if (!whole) {
        char *slash = strrchr(buf, '/');
        n = slash ? (size_t)(slash - buf) : 0;
    }
    for (size_t i = 1; i <= n && !e; i++) {
        if (i < n && buf[i] != '/') continue;
        char c = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST) e = errno;
        buf[i] = c;
    }
    free(buf);
    return e;
}

/* OUTDIR must be a folder (created unless --list) and not one of the INPUT folders. */
static int prepare_outdir(const cli_prefs *p, batch_walk_opts *wo)
{
    struct stat st, in;
    if (stat(p->output, &st) != 0) {
        if (errno != ENOENT)
            return complain(p, CLI_EXIT_OUTPUT, "%s: cannot use as OUTDIR: %s", p->output,
                            strerror(errno));
        if (p->list) return CLI_EXIT_OK; /* nothing will be written */
        int e = make_dirs(p->output, 1);
        if (e || stat(p->output, &st) != 0)
            return complain(p, CLI_EXIT_OUTPUT, "%s: cannot create OUTDIR: %s", p->output,
                            strerror(e ? e : errno));
    }
    if (!S_ISDIR(st.st_mode))
        return complain(p, CLI_EXIT_OUTPUT, "%s: OUTDIR exists and is not a folder", p->output);
    for (int i = 0; i < p->n_inputs; i++)
        if (stat(p->inputs[i], &in) == 0 && in.st_dev == st.st_dev && in.st_ino == st.st_ino)
            return complain(p, CLI_EXIT_USAGE,
                            "%s: OUTDIR is an INPUT folder; write somewhere else", p->output);
    wo->have_outdir = 1;
    wo->outdir_dev = st.st_dev;
    wo->outdir_ino = st.st_ino;
    return CLI_EXIT_OK;
}

/* ---- the plan ---- */

/* Keeps only this machine's --shard of the items, in order. */
static void take_shard(batch_list *l, int k, int n)
{
    size_t kept = 0;
    for (size_t i = 0; i < l->n; i++) {
        batch_item *it = &l->v[i];
        if (batch_in_shard(it->rel, k, n)) {
            l->v[kept++] = *it;
            continue;
        }
        free(it->in_path);
        free(it->rel);
        free(it->out_path);
        free(it->reason);
    }
    l->n = kept;
}

static int by_output(const void *a, const void *b)
{
    const batch_item *x = *(batch_item *const *)a, *y = *(batch_item *const *)b;
    int c = strcmp(x->out_path, y->out_path);
    return c ? c : (x < y ? -1 : x > y);
}

/* Items to convert, sorted by output path then plan order. NULL when out of memory. */
static batch_item **sorted_outputs(batch_list *l, size_t *n)
{
    batch_item **v = malloc((l->n ? l->n : 1) * sizeof *v);
    *n = 0;
    if (!v) return NULL;
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i].state == BATCH_TODO) v[(*n)++] = &l->v[i];
    qsort(v, *n, sizeof *v, by_output);
    return v;
}

static int set_reason(batch_item *it, batch_state state, const char *why)
{
    free(it->reason);
    it->reason = strdup(why);
    it->state = state;
    return it->reason ? 0 : ENOMEM;
}

/* Two inputs mapping to one output (a.mov and a.mp4 -> a.gif): the first in plan order keeps
 * the name, the others keep their extension too (a.mp4.gif); what still collides (the same
 * relative path under two INPUTs) fails. */
static int resolve_collisions(const cli_prefs *p, batch_list *l)
{
    char why[600];
    for (int pass = 0; pass < 2; pass++) {
        size_t n;
        batch_item **v = sorted_outputs(l, &n);
        if (!v) return ENOMEM;
        for (size_t i = 0, j; i < n; i = j) {
            for (j = i + 1; j < n && strcmp(v[j]->out_path, v[i]->out_path) == 0;) j++;
            for (size_t k = i + 1; k < j; k++) {
                batch_item *it = v[k];
                if (pass == 0) {
                    free(it->out_path);
                    it->out_path = batch_output_path(p->output, it->rel, p->format, 1);
                    if (!it->out_path) return free(v), ENOMEM;
                    continue;
                }
                snprintf(why, sizeof why, "same output as %s", v[i]->in_path);
                if (set_reason(it, BATCH_FAILED, why)) return free(v), ENOMEM;
            }
        }
        free(v);
    }
    return 0;
}

static int newer(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec > b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec > b->tv_nsec);
}

/* Output paths, collisions, and what is already done: an output newer than its input is
 * skipped (unless --force), an older one is replaced. */
static int plan(const cli_prefs *p, batch_list *l)
{
    struct stat st;
    for (size_t i = 0; i < l->n; i++) {
        batch_item *it = &l->v[i];
        if (it->state != BATCH_TODO) continue;
        it->out_path = batch_output_path(p->output, it->rel, p->format, 0);
        if (!it->out_path) return ENOMEM;
    }
    if (resolve_collisions(p, l)) return ENOMEM;
    for (size_t i = 0; i < l->n; i++) {
        batch_item *it = &l->v[i];
        if (it->state != BATCH_TODO || stat(it->out_path, &st) != 0) continue;
        if (p->opts.overwrite || !S_ISREG(st.st_mode) || !newer(&st.st_mtim, &it->in_mtime)) {
            it->replace = 1;
            continue;
        }
        it->up_to_date = 1;
        if (set_reason(it, BATCH_SKIPPED, "up to date")) return ENOMEM;
    }
    return 0;
}

/* ---- conversions ---- */

static int on_progress(void *user, int64_t done, int64_t total)
{
    batch_job *job = user;
    batch_run_state *r = job->run;
    (void)done;
    (void)total;
    if (*r->stop) return 1; /* the library then stops and leaves nothing behind */
    if (r->rep.bar.enabled && pthread_mutex_trylock(&r->lock) == 0) {
        batch_report_progress(&r->rep);
        pthread_mutex_unlock(&r->lock);
    }
    return 0;
}

static void on_log(void *user, gifc_log_level level, const char *msg)
{
    static const char *const names[] = { "error", "warning", "info", "debug" };
    batch_job *job = user;
    const cli_prefs *p = job->run->p;
    if ((unsigned)level > GIFC_LOG_DEBUG) return;
    /* As for one file: warnings always, error-level detail and info with -v, debug -vv. */
    if (level != GIFC_LOG_WARNING && p->verbose < (level == GIFC_LOG_DEBUG ? 2 : 1)) return;
    size_t n = strlen(msg);
    while (n > 0 && msg[n - 1] == '\n') n--;
    pthread_mutex_lock(&job->run->lock);
    batch_report_log(&job->run->rep, job->item, names[level], msg, n);
    pthread_mutex_unlock(&job->run->lock);
}

/* The library's message, without a leading "INPUT: " since the record names the input. */
static void failure_reason(char *buf, size_t n, const gifc_context *ctx, gifc_error e,
                           const char *in_path)
{
    const char *msg = ctx ? gifc_context_message(ctx) : "";
    if (!msg || !*msg) msg = gifc_strerror(e);
    size_t len = strlen(in_path);
    if (strncmp(msg, in_path, len) == 0 && msg[len] == ':' && msg[len + 1] == ' ')
        msg += len + 2;
    snprintf(buf, n, "%s", msg);
    cli_name_flag(buf, n, e, ctx ? gifc_context_option(ctx) : NULL);
}

static void convert_item(batch_run_state *r, batch_item *it)
{
    batch_job job = { r, it };
    gifc_options o = r->base;
    gifc_context *ctx = NULL;
    char why[1024];
    o.progress = on_progress; /* always: it is also how an interrupt reaches the library */
    o.progress_user = &job;
    o.log = r->p->quiet ? NULL : on_log;
    o.log_user = &job;
    o.threads = r->job_threads;
    o.overwrite = r->p->opts.overwrite || it->replace;
    int e = make_dirs(it->out_path, 0);
    if (e) {
        snprintf(why, sizeof why, "cannot create the output folder: %s", strerror(e));
        set_reason(it, BATCH_FAILED, why);
        return;
    }
    double t0 = cli_clock();
    gifc_result_init(&it->result);
    gifc_error ge = gifc_context_new(&o, &ctx);
    if (ge == GIFC_OK) ge = gifc_convert_file(ctx, it->in_path, it->out_path, &it->result);
    it->elapsed = cli_clock() - t0;
    if (ge == GIFC_OK) {
        it->state = BATCH_CONVERTED;
    } else if (*r->stop) {
        set_reason(it, BATCH_CANCELLED, "interrupted");
    } else {
        failure_reason(why, sizeof why, ctx, ge, it->in_path);
        set_reason(it, BATCH_FAILED, why);
    }
    gifc_context_free(&ctx);
}

/* The next item to convert, or NULL when there is none or the run was interrupted. */
static batch_item *take_next(batch_run_state *r)
{
    batch_item *it = NULL;
    pthread_mutex_lock(&r->lock);
    while (!it && !*r->stop && r->next < r->list.n) {
        batch_item *c = &r->list.v[r->next++];
        if (c->state == BATCH_TODO) it = c;
    }
    pthread_mutex_unlock(&r->lock);
    return it;
}

static void *worker(void *arg)
{
    batch_run_state *r = arg;
    batch_item *it;
    while ((it = take_next(r)) != NULL) {
        convert_item(r, it);
        pthread_mutex_lock(&r->lock);
        batch_report_item(&r->rep, it);
        pthread_mutex_unlock(&r->lock);
    }
    return NULL;
}

/* Runs the planned conversions on `jobs` threads (the calling one among them). */
static void run_jobs(batch_run_state *r, int jobs)
{
    pthread_t *tids = calloc((size_t)jobs, sizeof *tids);
    int started = 0;
    for (int i = 1; tids && i < jobs; i++, started++)
        if (pthread_create(&tids[started], NULL, worker, r) != 0) break;
    worker(r);
    for (int i = 0; i < started; i++) pthread_join(tids[i], NULL);
    free(tids);
}

/* ---- the batch ---- */

static int setup(batch_run_state *r, const cli_prefs *p, atomic_int *stop)
{
    const char *why = NULL;
    memset(r, 0, sizeof *r);
    r->p = p;
    r->stop = stop;
    gifc_options_init(&r->base);
    cli_apply_prefs(p, &r->base);
    if (gifc_options_validate(&r->base, &why) != GIFC_OK)
        return complain(p, CLI_EXIT_USAGE, "invalid options: %s", why ? why : "out of range");
    return CLI_EXIT_OK;
}

static int find_files(batch_run_state *r)
{
    const cli_prefs *p = r->p;
    batch_walk_opts wo = { .stop = r->stop, .recursive = p->recursive, .includes = p->includes,
                           .n_includes = p->n_includes, .excludes = p->excludes,
                           .n_excludes = p->n_excludes };
    int code = prepare_outdir(p, &wo);
    if (code) return code;
    if (batch_walk(&wo, p->inputs, p->n_inputs, &r->list))
        return complain(p, CLI_EXIT_FAILURE, "out of memory");
    if (p->shard_n > 1) take_shard(&r->list, p->shard_k, p->shard_n);
    if (plan(p, &r->list)) return complain(p, CLI_EXIT_FAILURE, "out of memory");
    return CLI_EXIT_OK;
}

static int list_plan(const batch_run_state *r)
{
    for (size_t i = 0; i < r->list.n; i++)
        batch_report_planned(stdout, &r->list.v[i], r->p->json);
    if (fflush(stdout) != 0 || ferror(stdout))
        return complain(r->p, CLI_EXIT_FAILURE, "cannot write the list: %s", strerror(errno));
    return CLI_EXIT_OK;
}

static int convert_all(batch_run_state *r)
{
    const cli_prefs *p = r->p;
    batch_totals *t = &r->rep.t;
    batch_report_init(&r->rep, p, &r->base, isatty(STDERR_FILENO));
    /* What the walk and the plan settled is reported first, then the conversions. */
    for (size_t i = 0; i < r->list.n; i++) {
        batch_item *it = &r->list.v[i];
        if (it->state != BATCH_TODO) continue;
        it->planned = 1;
        t->to_convert++;
        t->plan_bytes += it->in_bytes;
    }
    for (size_t i = 0; i < r->list.n; i++)
        if (r->list.v[i].state != BATCH_TODO) batch_report_item(&r->rep, &r->list.v[i]);
    int n_cores = cores();
    int jobs = p->jobs > 0 ? p->jobs : n_cores;
    if ((size_t)jobs > t->to_convert) jobs = t->to_convert ? (int)t->to_convert : 1;
    r->job_threads = n_cores / jobs > 1 ? n_cores / jobs : 1;
    if (cli_given(p, "threads")) r->job_threads = p->opts.threads; /* the user's choice wins */
    run_jobs(r, jobs);
    for (size_t i = 0; i < r->list.n; i++) { /* never started: interrupted first */
        batch_item *it = &r->list.v[i];
        if (it->state != BATCH_TODO) continue;
        set_reason(it, BATCH_CANCELLED, "not started: interrupted");
        batch_report_item(&r->rep, it);
    }
    int signo = *r->stop;
    int code = signo ? cli_exit_for(GIFC_ERR_ABORTED, signo)
                     : t->failed ? BATCH_EXIT_FAILED : CLI_EXIT_OK;
    batch_report_summary(&r->rep, &r->list, signo, code);
    return code;
}

int batch_run(const cli_prefs *p, atomic_int *stop)
{
    batch_run_state r;
    int code = setup(&r, p, stop);
    if (code) return code;
    if (pthread_mutex_init(&r.lock, NULL) != 0)
        return complain(p, CLI_EXIT_FAILURE, "cannot create a lock");
    code = find_files(&r);
    if (code == CLI_EXIT_OK) code = p->list ? list_plan(&r) : convert_all(&r);
    pthread_mutex_destroy(&r.lock);
    batch_list_free(&r.list);
    return code;
}
