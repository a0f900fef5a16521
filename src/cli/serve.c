/* gifc serve: a local web page and JSON API over libgifc, on 127.0.0.1 only.
 *
 * Threads: libmicrohttpd's one polling thread runs every request handler (uploads are
 * written to disk there, chunk by chunk); -j worker threads run the conversions. One mutex
 * guards the job list. The main thread only waits for SIGINT / SIGTERM, then stops the
 * daemon (partial uploads are removed by the completion callback), cancels the running jobs
 * through their progress callbacks, joins the workers and removes every file and the folder.
 *
 * Security (issue 17): a 128-bit random token on every request; Host must be
 * 127.0.0.1:PORT or localhost:PORT (DNS rebinding); POST / DELETE refuse a foreign Origin;
 * an upload over --max-upload is refused from its Content-Length before any body is read
 * (and one without a length is cut off and discarded once past it); files live in a 0700
 * folder under names the server makes up (job-N.in, job-N.gif): nothing the client sends
 * is a path. Options come through gifc_option_set, so the option table's ranges rule; the
 * font option (a path) is refused.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <gifc.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/args.h"
#include "cli/progress.h"
#include "cli/serve.h"

extern const unsigned char serve_page_index_html[];
extern const size_t serve_page_index_html_len;

extern char **environ;

#define SERVE_DEFAULT_MAX_UPLOAD (2ULL * 1000 * 1000 * 1000) /* 2 GB */
#define SERVE_DEFAULT_MAX_QUEUE 32   /* unfinished jobs (uploading, queued, running) */
#define SERVE_MAX_KEPT 256           /* jobs held at all, finished ones included */
#define SERVE_MAX_WORKERS 64

typedef enum job_state { JOB_UPLOADING, JOB_QUEUED, JOB_RUNNING, JOB_DONE, JOB_FAILED } job_state;
static const char *const state_names[] = { "uploading", "queued", "running", "done", "failed" };

typedef struct job {
    unsigned id;
    job_state state;
    _Atomic double progress; /* written by the conversion's progress callback, read by GETs */
    atomic_int cancel;   /* DELETE or shutdown: the progress callback stops the conversion */
    int deleted;         /* DELETE came while running: the worker frees it when done */
    gifc_options opts;
    char *caption;       /* owned copy (opts.caption points here) */
    char name[96];       /* download name stem, from the client's name= made safe; header only */
    char in_path[4096], out_path[4096];
    int have_in, have_out;
    const gifc_target_info *target; /* for=NAME (--for), NULL when none */
    char target_why[300];           /* after the conversion: a rule it breaks, "" when none */
    char *result_json;   /* the --json report object (malloc'd) */
    char error[600];
    uint64_t bytes_in;
    struct job *next;
} job;

typedef struct server {
    char dir[3072]; /* shorter than a job's paths, which add "/job-N.ext" */
    char token[33];
    unsigned port;
    uint64_t max_upload;
    int max_queue;
    int workers;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    job *jobs;
    unsigned next_id;
    int stopping;
} server;

/* Per-request state of a POST /api/jobs while its body arrives. */
typedef struct upload {
    job *j;
    int fd;
    uint64_t got;
    int too_big;   /* over --max-upload with no (or a lying) Content-Length: discard the rest */
    int write_err;
} upload;

#ifdef MHD_HTTP_CONTENT_TOO_LARGE
#define HTTP_TOO_LARGE MHD_HTTP_CONTENT_TOO_LARGE
#else
#define HTTP_TOO_LARGE MHD_HTTP_PAYLOAD_TOO_LARGE
#endif

static const char HTML_TYPE[] = "text/html; charset=utf-8";
static const char JSON_TYPE[] = "application/json";

/* ---- small helpers ---- */

static void job_remove_files(job *j)
{
    if (j->have_in) unlink(j->in_path);
    if (j->have_out) unlink(j->out_path);
    j->have_in = j->have_out = 0;
}

static void job_free(job *j)
{
    if (!j) return;
    job_remove_files(j);
    free(j->caption);
    free(j->result_json);
    free(j);
}

/* Caller holds the lock. */
static job *find_job(server *s, unsigned id)
{
    for (job *j = s->jobs; j; j = j->next)
        if (j->id == id) return j;
    return NULL;
}

static void unlink_job(server *s, job *j)
{
    for (job **p = &s->jobs; *p; p = &(*p)->next)
        if (*p == j) {
            *p = j->next;
            return;
        }
}

static int count_jobs(server *s, int unfinished_only)
{
    int n = 0;
    for (job *j = s->jobs; j; j = j->next)
        if (!unfinished_only || j->state < JOB_DONE) n++;
    return n;
}

/* JSON text into a malloc'd string through a memstream; NULL when out of memory. */
typedef struct membuf {
    char *data;
    size_t size;
    FILE *f;
} membuf;

static int mb_open(membuf *m)
{
    m->data = NULL;
    m->size = 0;
    m->f = open_memstream(&m->data, &m->size);
    return m->f != NULL;
}

static char *mb_close(membuf *m)
{
    if (fclose(m->f) != 0) {
        free(m->data);
        return NULL;
    }
    return m->data;
}

static enum MHD_Result send_buffer(struct MHD_Connection *c, unsigned status, const char *type,
                                   const void *data, size_t len, enum MHD_ResponseMemoryMode mode)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)data, mode);
    if (!r) {
        if (mode == MHD_RESPMEM_MUST_FREE) free((void *)data);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Content-Security-Policy",
                            "default-src 'self'; img-src 'self' blob:; media-src 'self' blob:; "
                            "style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
                            "connect-src 'self'; frame-ancestors 'none'");
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

/* {"error": MSG} with the status. */
static enum MHD_Result send_error(struct MHD_Connection *c, unsigned status, const char *msg)
{
    membuf m;
    if (!mb_open(&m)) return MHD_NO;
    fputs("{\"error\":", m.f);
    report_json_string(m.f, msg);
    fputs("}\n", m.f);
    char *text = mb_close(&m);
    if (!text) return MHD_NO;
    return send_buffer(c, status, JSON_TYPE, text, strlen(text), MHD_RESPMEM_MUST_FREE);
}

static enum MHD_Result send_json(struct MHD_Connection *c, unsigned status, char *text)
{
    if (!text) return send_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
    return send_buffer(c, status, JSON_TYPE, text, strlen(text), MHD_RESPMEM_MUST_FREE);
}

/* Constant-time comparison: the token's bytes are not leaked through timing. */
static int same_secret(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    unsigned char d = na != nb;
    for (size_t i = 0; i < na && i < nb; i++) d |= (unsigned char)(a[i] ^ b[i]);
    return d == 0;
}

static int host_ok(const server *s, const char *host)
{
    char a[64], b[64];
    if (!host) return 0;
    snprintf(a, sizeof a, "127.0.0.1:%u", s->port);
    snprintf(b, sizeof b, "localhost:%u", s->port);
    return strcmp(host, a) == 0 || strcmp(host, b) == 0;
}

static int origin_ok(const server *s, const char *origin)
{
    char a[64], b[64];
    if (!origin) return 1; /* scripts send none; browsers always do on POST / DELETE */
    snprintf(a, sizeof a, "http://127.0.0.1:%u", s->port);
    snprintf(b, sizeof b, "http://localhost:%u", s->port);
    return strcmp(origin, a) == 0 || strcmp(origin, b) == 0;
}

/* The client's name= made into a safe download stem: letters, digits, '-', '_', '.', no
 * leading dot, its extension dropped; "gifc-N" when nothing is left. Only ever a header. */
static void safe_name(char *dst, size_t n, const char *src, unsigned id)
{
    size_t k = 0;
    const char *dot = src ? strrchr(src, '.') : NULL;
    for (const char *p = src; p && *p && p != dot && k + 1 < n; p++) {
        unsigned char ch = (unsigned char)*p;
        int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                 ch == '-' || ch == '_' || (ch == '.' && k > 0);
        dst[k++] = ok ? (char)ch : '_';
    }
    dst[k] = '\0';
    if (k == 0) snprintf(dst, n, "gifc-%u", id);
}

/* Every output format's file extension and media type (WebP, APNG, WebM and AVIF had been
 * served as image/gif named .gif). */
static const char *format_ext(gifc_format f)
{
    static const char *const ext[] = { "gif", "gif", "mp4", "webp", "apng", "webm", "avif" };
    return f >= 0 && f <= GIFC_FORMAT_AVIF ? ext[f] : "gif";
}

static const char *format_mime(gifc_format f)
{
    static const char *const mime[] = { "image/gif", "image/gif", "video/mp4", "image/webp",
                                        "image/apng", "video/webm", "image/avif" };
    return f >= 0 && f <= GIFC_FORMAT_AVIF ? mime[f] : "image/gif";
}

/* ---- conversions ---- */

typedef struct worker_arg {
    server *s;
} worker_arg;

static int on_progress(void *user, int64_t done, int64_t total)
{
    job *j = user;
    if (atomic_load(&j->cancel)) return 1;
    if (total > 0) {
        double p = (double)done / (double)total;
        atomic_store(&j->progress, p > 1 ? 1 : p);
    }
    return 0;
}

static void run_job(server *s, job *j)
{
    gifc_context *ctx = NULL;
    gifc_result res;
    memset(&res, 0, sizeof res);
    gifc_options o = j->opts; /* read only by this thread from now on */
    o.progress = on_progress;
    o.progress_user = j;
    o.overwrite = 1;
    double t0 = cli_clock();
    gifc_error e = gifc_context_new(&o, &ctx);
    if (e == GIFC_OK) e = gifc_convert_file(ctx, j->in_path, j->out_path, &res);
    char msg[600] = "";
    char twhy[300] = "";
    char *json = NULL;
    if (e == GIFC_OK && j->target) { /* the result against the target's rules, for the page */
        if (gifc_target_check(j->target, &res, twhy, sizeof twhy) == GIFC_OK) twhy[0] = '\0';
        else if (!twhy[0]) snprintf(twhy, sizeof twhy, "breaks %s's rules", j->target->name);
    }
    if (e != GIFC_OK) {
        const char *why = ctx ? gifc_context_message(ctx) : "";
        if (!why || !*why) why = gifc_strerror(e);
        if (e == GIFC_ERR_ABORTED) why = "cancelled";
        /* The library names the file by its path in the private folder: the user knows it
         * as "input". */
        const char *hit = strstr(why, j->in_path);
        if (hit)
            snprintf(msg, sizeof msg, "%.*sinput%s", (int)(hit - why), why,
                     hit + strlen(j->in_path));
        else
            snprintf(msg, sizeof msg, "%s", why);
    } else {
        char out_name[128];
        snprintf(out_name, sizeof out_name, "%s.%s", j->name, format_ext(res.format));
        membuf m;
        if (mb_open(&m)) {
            run_report rep = { j->name, out_name, &res, &o, cli_clock() - t0, NULL, NULL };
            report_json(m.f, &rep);
            json = mb_close(&m);
            if (json) {
                size_t n = strlen(json);
                while (n && json[n - 1] == '\n') json[--n] = '\0';
            }
        }
    }
    gifc_context_free(&ctx);

    pthread_mutex_lock(&s->lock);
    unlink(j->in_path); /* the input is no longer needed */
    j->have_in = 0;
    if (e == GIFC_OK && json) {
        j->state = JOB_DONE;
        atomic_store(&j->progress, 1.0);
        j->have_out = 1;
        j->result_json = json;
        snprintf(j->target_why, sizeof j->target_why, "%s", twhy);
    } else {
        if (e == GIFC_OK) {
            unlink(j->out_path);
            snprintf(msg, sizeof msg, "out of memory");
        }
        j->state = JOB_FAILED;
        snprintf(j->error, sizeof j->error, "%s", msg);
        free(json);
    }
    if (j->deleted) job_free(j); /* already out of the list */
    pthread_mutex_unlock(&s->lock);
}

static void *worker_main(void *arg)
{
    server *s = arg;
    pthread_mutex_lock(&s->lock);
    for (;;) {
        job *next = NULL;
        /* Oldest first: the list is newest-first, so take the last queued one. */
        for (job *j = s->jobs; j; j = j->next)
            if (j->state == JOB_QUEUED) next = j;
        if (s->stopping) break;
        if (!next) {
            pthread_cond_wait(&s->wake, &s->lock);
            continue;
        }
        next->state = JOB_RUNNING;
        pthread_mutex_unlock(&s->lock);
        run_job(s, next);
        pthread_mutex_lock(&s->lock);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

/* ---- GET /api/options ---- */

static const char *type_name(gifc_option_type t)
{
    static const char *const names[] = { "bool", "int", "double", "time", "size",
                                         "color", "choice", "string", "ratio", "rect" };
    return (unsigned)t < sizeof names / sizeof names[0] ? names[t] : "unknown";
}

/* Options a client may set: every end-user option but the font (a path on this machine),
 * force (the server owns its files) and threads (the server's -j and the machine decide). */
static int web_option(const gifc_option_info *i)
{
    return !(i->flags & GIFC_OPTF_HIDDEN) && strcmp(i->name, "font") != 0 &&
           strcmp(i->name, "force") != 0 && strcmp(i->name, "threads") != 0;
}

static char *options_json(const server *s)
{
    membuf m;
    if (!mb_open(&m)) return NULL;
    FILE *f = m.f;
    fputs("{\"version\":", f);
    report_json_string(f, gifc_version());
    fprintf(f, ",\"max_upload\":%" PRIu64 ",\"max_queue\":%d,\"options\":[", s->max_upload,
            s->max_queue);
    int first = 1;
    for (int k = 0; k < gifc_option_count(); k++) {
        const gifc_option_info *i = gifc_option_at(k);
        if (!web_option(i)) continue;
        fputs(first ? "{\"name\":" : ",{\"name\":", f);
        first = 0;
        report_json_string(f, i->name);
        fprintf(f, ",\"type\":\"%s\",\"min\":", type_name(i->type));
        report_json_number(f, i->min);
        fputs(",\"max\":", f);
        report_json_number(f, i->max);
        fputs(",\"default\":", f);
        report_json_number(f, i->default_value);
        fputs(",\"default_text\":", f);
        report_json_string(f, i->default_text);
        fputs(",\"unit\":", f);
        report_json_string(f, i->unit);
        fputs(",\"placeholder\":", f);
        report_json_string(f, i->placeholder);
        fputs(",\"choices\":", f);
        report_json_string(f, i->choices);
        fputs(",\"range\":", f);
        report_json_string(f, i->range_text);
        fputs(",\"help\":", f);
        report_json_string(f, i->help);
        fprintf(f, ",\"gif\":%s,\"mp4\":%s,\"zero_auto\":%s,\"limit\":%s}",
                i->applies & GIFC_APPLIES_GIF ? "true" : "false",
                i->applies & GIFC_APPLIES_MP4 ? "true" : "false",
                i->flags & GIFC_OPTF_ZERO_AUTO ? "true" : "false",
                i->flags & GIFC_OPTF_LIMIT ? "true" : "false");
    }
    /* Platform targets (--for), from the library's table. */
    fputs("],\"targets\":[", f);
    for (int k = 0; k < gifc_target_count(); k++) {
        const gifc_target_info *t = gifc_target_at(k);
        fputs(k ? ",{\"name\":" : "{\"name\":", f);
        report_json_string(f, t->name);
        fputs(",\"title\":", f);
        report_json_string(f, t->title);
        fputs(",\"source\":", f);
        report_json_string(f, t->source);
        fputs(",\"checked\":", f);
        report_json_string(f, t->checked);
        fputs(",\"formats\":[", f);
        for (int i = 0; i < t->n_formats; i++) {
            const gifc_target_rules *r = &t->formats[i];
            fprintf(f, "%s{\"format\":\"%s\",\"width\":%d,\"height\":%d,\"exact\":%s,"
                       "\"max_fps\":", i ? "," : "", format_ext(r->format), r->width, r->height,
                    r->exact ? "true" : "false");
            report_json_number(f, r->max_fps);
            fputs(",\"max_duration\":", f);
            report_json_number(f, r->max_duration);
            fprintf(f, ",\"max_frames\":%" PRId64 ",\"max_bytes\":%" PRIu64 ",\"audio\":%s}",
                    r->max_frames, r->max_bytes, r->audio ? "true" : "false");
        }
        fputs("]}", f);
    }
    fputs("]}\n", f);
    return mb_close(&m);
}

/* ---- GET /api/jobs/ID ---- */

static char *job_json(const job *j)
{
    membuf m;
    if (!mb_open(&m)) return NULL;
    fprintf(m.f, "{\"id\":%u,\"state\":\"%s\",\"progress\":", j->id, state_names[j->state]);
    report_json_number(m.f, j->state == JOB_DONE ? 1.0 : atomic_load(&j->progress));
    fputs(",\"name\":", m.f);
    report_json_string(m.f, j->name);
    fprintf(m.f, ",\"bytes_in\":%" PRIu64 ",\"result\":%s,\"target\":", j->bytes_in,
            j->result_json ? j->result_json : "null");
    if (!j->target) {
        fputs("null", m.f);
    } else {
        fputs("{\"name\":", m.f);
        report_json_string(m.f, j->target->name);
        fputs(",\"met\":", m.f);
        if (j->state != JOB_DONE) fputs("null", m.f);
        else fputs(j->target_why[0] ? "false" : "true", m.f);
        fputs(",\"why\":", m.f);
        report_json_string(m.f, j->target_why[0] ? j->target_why : NULL);
        fputc('}', m.f);
    }
    fputs(",\"error\":", m.f);
    report_json_string(m.f, j->state == JOB_FAILED ? j->error : NULL);
    fputs("}\n", m.f);
    return mb_close(&m);
}

/* "/api/jobs/12" or "/api/jobs/12/output": the id and what follows it. */
static int parse_job_url(const char *url, unsigned *id, const char **rest)
{
    const char *p = url + strlen("/api/jobs/");
    if (*p < '1' || *p > '9') return 0;
    unsigned long v = 0;
    while (*p >= '0' && *p <= '9') {
        v = v * 10 + (unsigned long)(*p++ - '0');
        if (v > 0xFFFFFFFFul) return 0;
    }
    *id = (unsigned)v;
    *rest = p;
    return 1;
}

static enum MHD_Result get_output(server *s, struct MHD_Connection *c, unsigned id)
{
    pthread_mutex_lock(&s->lock);
    job *j = find_job(s, id);
    if (!j) {
        pthread_mutex_unlock(&s->lock);
        return send_error(c, MHD_HTTP_NOT_FOUND, "no such job");
    }
    if (j->state != JOB_DONE) {
        pthread_mutex_unlock(&s->lock);
        return send_error(c, MHD_HTTP_CONFLICT, "the job has no output (not done)");
    }
    /* Opened under the lock: a DELETE meanwhile unlinks the name, the open file stays. */
    int fd = open(j->out_path, O_RDONLY | O_CLOEXEC);
    gifc_format fmt = j->opts.format;
    char disp[200];
    snprintf(disp, sizeof disp, "attachment; filename=\"%s.%s\"", j->name, format_ext(fmt));
    pthread_mutex_unlock(&s->lock);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        if (fd >= 0) close(fd);
        return send_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "the output cannot be read");
    }
    struct MHD_Response *r = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
    if (!r) {
        close(fd);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, format_mime(fmt));
    MHD_add_response_header(r, "Content-Disposition", disp);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result delete_job(server *s, struct MHD_Connection *c, unsigned id)
{
    pthread_mutex_lock(&s->lock);
    job *j = find_job(s, id);
    if (!j || j->state == JOB_UPLOADING) {
        pthread_mutex_unlock(&s->lock);
        return send_error(c, MHD_HTTP_NOT_FOUND, "no such job");
    }
    unlink_job(s, j);
    if (j->state == JOB_RUNNING) {
        atomic_store(&j->cancel, 1);
        j->deleted = 1; /* its worker frees it */
    } else {
        job_free(j);
    }
    pthread_mutex_unlock(&s->lock);
    char *ok = strdup("{\"deleted\":true}\n");
    return send_json(c, MHD_HTTP_OK, ok);
}

/* ---- POST /api/jobs ---- */

typedef struct option_scan {
    job *j;
    char why[400];
    int bad;
} option_scan;

static enum MHD_Result scan_option(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    option_scan *sc = cls;
    (void)kind;
    if (sc->bad) return MHD_NO;
    if (strcmp(key, "token") == 0) return MHD_YES;
    if (strcmp(key, "for") == 0) {
        sc->j->target = gifc_target_find(value);
        if (!sc->j->target) {
            snprintf(sc->why, sizeof sc->why, "for: no target '%.100s' (GET /api/options lists them)",
                     value ? value : "");
            sc->bad = 1;
            return MHD_NO;
        }
        return MHD_YES;
    }
    if (strcmp(key, "name") == 0) {
        safe_name(sc->j->name, sizeof sc->j->name, value, sc->j->id);
        return MHD_YES;
    }
    const gifc_option_info *i = gifc_option_find(key);
    /* Only CLI names (not field names), and only what the page may set. */
    if (!i || strcmp(i->name, key) != 0 || !web_option(i)) {
        snprintf(sc->why, sizeof sc->why, "unknown option '%.100s'", key);
        sc->bad = 1;
        return MHD_NO;
    }
    const char *text = value;
    if (i->type == GIFC_OPT_STRING) {
        free(sc->j->caption);
        sc->j->caption = strdup(value ? value : "");
        if (!sc->j->caption) {
            snprintf(sc->why, sizeof sc->why, "out of memory");
            sc->bad = 1;
            return MHD_NO;
        }
        text = sc->j->caption;
    } else if (value && !*value && i->type == GIFC_OPT_BOOL) {
        text = NULL; /* ?reverse= is reverse on, like a bare --reverse */
    }
    char why[300];
    if (gifc_option_set(&sc->j->opts, i->name, text, why, sizeof why) != GIFC_OK) {
        snprintf(sc->why, sizeof sc->why, "%s: %s", i->name, why);
        sc->bad = 1;
        return MHD_NO;
    }
    return MHD_YES;
}

static enum MHD_Result start_upload(server *s, struct MHD_Connection *c, void **con_cls)
{
    const char *len_text = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                       MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (len_text) {
        char *end;
        errno = 0;
        unsigned long long n = strtoull(len_text, &end, 10);
        if (errno || *end || n > s->max_upload) {
            char msg[128];
            snprintf(msg, sizeof msg, "the upload is over the server's limit of %" PRIu64
                     " bytes (--max-upload)", s->max_upload);
            return send_error(c, HTTP_TOO_LARGE, msg);
        }
    }
    job *j = calloc(1, sizeof *j);
    if (!j) return send_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
    gifc_options_init(&j->opts);
    pthread_mutex_lock(&s->lock);
    j->id = ++s->next_id;
    pthread_mutex_unlock(&s->lock);
    snprintf(j->name, sizeof j->name, "gifc-%u", j->id);
    option_scan sc = { j, "", 0 };
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, scan_option, &sc);
    const char *why = NULL;
    if (!sc.bad && j->target) {
        char twhy[300];
        if (gifc_target_apply(j->target, &j->opts, twhy, sizeof twhy) != GIFC_OK) {
            snprintf(sc.why, sizeof sc.why, "for: %s", twhy);
            sc.bad = 1;
        }
    }
    if (!sc.bad) {
        j->opts.caption = j->caption;
        if (gifc_options_validate(&j->opts, &why) != GIFC_OK) {
            snprintf(sc.why, sizeof sc.why, "%s", why ? why : "invalid options");
            sc.bad = 1;
        }
    }
    if (sc.bad) {
        job_free(j);
        return send_error(c, MHD_HTTP_BAD_REQUEST, sc.why);
    }
    if (j->opts.format == GIFC_FORMAT_AUTO) j->opts.format = GIFC_FORMAT_GIF;
    snprintf(j->in_path, sizeof j->in_path, "%s/job-%u.in", s->dir, j->id);
    snprintf(j->out_path, sizeof j->out_path, "%s/job-%u.%s", s->dir, j->id,
             format_ext(j->opts.format));

    pthread_mutex_lock(&s->lock);
    const char *refusal = NULL;
    if (s->stopping) refusal = "the server is stopping";
    else if (count_jobs(s, 1) >= s->max_queue)
        refusal = "too many jobs waiting; try again when some are done";
    else if (count_jobs(s, 0) >= SERVE_MAX_KEPT)
        refusal = "too many jobs kept; delete finished ones (DELETE /api/jobs/ID)";
    int fd = -1;
    if (!refusal) {
        fd = open(j->in_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0) refusal = "cannot store the upload";
        else {
            j->have_in = 1;
            j->state = JOB_UPLOADING;
            j->next = s->jobs;
            s->jobs = j;
        }
    }
    pthread_mutex_unlock(&s->lock);
    if (refusal) {
        unsigned status = fd < 0 && strcmp(refusal, "cannot store the upload") == 0
                              ? MHD_HTTP_INTERNAL_SERVER_ERROR : MHD_HTTP_TOO_MANY_REQUESTS;
        job_free(j);
        return send_error(c, status, refusal);
    }
    upload *u = calloc(1, sizeof *u);
    if (!u) {
        close(fd);
        pthread_mutex_lock(&s->lock);
        unlink_job(s, j);
        job_free(j);
        pthread_mutex_unlock(&s->lock);
        return send_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
    }
    u->j = j;
    u->fd = fd;
    *con_cls = u;
    return MHD_YES;
}

static void upload_chunk(server *s, upload *u, const char *data, size_t n)
{
    if (u->too_big || u->write_err) return;
    if (u->got + n > s->max_upload) {
        u->too_big = 1;
        if (ftruncate(u->fd, 0) != 0) u->write_err = errno; /* nothing over the limit is kept */
        return;
    }
    while (n > 0) {
        ssize_t w = write(u->fd, data, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            u->write_err = errno ? errno : EIO;
            return;
        }
        data += w;
        n -= (size_t)w;
        u->got += (uint64_t)w;
    }
}

/* The body is in: queue the job, or refuse it. Frees u; the job then belongs to the list. */
static enum MHD_Result finish_upload(server *s, struct MHD_Connection *c, upload *u)
{
    job *j = u->j;
    int failed = u->too_big || u->write_err || close(u->fd) != 0;
    if (u->too_big || u->write_err) close(u->fd);
    u->fd = -1;
    pthread_mutex_lock(&s->lock);
    if (failed || s->stopping) {
        unlink_job(s, j);
        job_free(j);
        u->j = NULL;
    } else {
        j->bytes_in = u->got;
        j->state = JOB_QUEUED;
        pthread_cond_signal(&s->wake);
    }
    pthread_mutex_unlock(&s->lock);
    if (u->too_big) {
        char msg[128];
        snprintf(msg, sizeof msg, "the upload is over the server's limit of %" PRIu64
                 " bytes (--max-upload)", s->max_upload);
        return send_error(c, HTTP_TOO_LARGE, msg);
    }
    if (failed) return send_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot store the upload");
    char *text = malloc(48);
    if (text) snprintf(text, 48, "{\"id\":%u}\n", j->id);
    u->j = NULL; /* queued: the completion callback leaves it alone */
    return send_json(c, MHD_HTTP_CREATED, text);
}

/* A request ends (sent, or the client went away): a body never completed is dropped. */
static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    server *s = cls;
    upload *u = *con_cls;
    (void)c;
    (void)toe;
    if (!u) return;
    if (u->fd >= 0) close(u->fd);
    if (u->j) {
        pthread_mutex_lock(&s->lock);
        unlink_job(s, u->j);
        job_free(u->j);
        pthread_mutex_unlock(&s->lock);
    }
    free(u);
    *con_cls = NULL;
}

/* ---- the request handler ---- */

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload_data,
                              size_t *upload_data_size, void **con_cls)
{
    server *s = cls;
    (void)version;
    if (*con_cls) { /* the body of an accepted POST /api/jobs */
        upload *u = *con_cls;
        if (*upload_data_size) {
            upload_chunk(s, u, upload_data, *upload_data_size);
            *upload_data_size = 0;
            return MHD_YES;
        }
        enum MHD_Result r = finish_upload(s, c, u);
        return r;
    }
    /* First call: only the headers are in. Every refusal is answered now, before a byte of
     * any body is read. */
    if (!host_ok(s, MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST)))
        return send_error(c, MHD_HTTP_FORBIDDEN, "wrong Host header");
    const char *tok = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Gifc-Token");
    if (!tok) tok = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "token");
    if (!tok || !same_secret(tok, s->token))
        return send_error(c, MHD_HTTP_FORBIDDEN, "missing or wrong token");
    int get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    if (!get && !origin_ok(s, MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin")))
        return send_error(c, MHD_HTTP_FORBIDDEN, "foreign Origin");

    if (strcmp(url, "/") == 0 || strcmp(url, "/index.html") == 0) {
        if (!get) return send_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "GET only");
        return send_buffer(c, MHD_HTTP_OK, HTML_TYPE, serve_page_index_html,
                           serve_page_index_html_len, MHD_RESPMEM_PERSISTENT);
    }
    if (strcmp(url, "/api/options") == 0) {
        if (!get) return send_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "GET only");
        return send_json(c, MHD_HTTP_OK, options_json(s));
    }
    if (strcmp(url, "/api/jobs") == 0) {
        if (strcmp(method, "POST") != 0)
            return send_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "POST the file as the body");
        return start_upload(s, c, con_cls);
    }
    unsigned id;
    const char *rest;
    if (strncmp(url, "/api/jobs/", 10) == 0 && parse_job_url(url, &id, &rest)) {
        if (strcmp(rest, "/output") == 0) {
            if (!get) return send_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "GET only");
            return get_output(s, c, id);
        }
        if (*rest) return send_error(c, MHD_HTTP_NOT_FOUND, "not found");
        if (strcmp(method, "DELETE") == 0) return delete_job(s, c, id);
        if (!get) return send_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "GET or DELETE");
        pthread_mutex_lock(&s->lock);
        job *j = find_job(s, id);
        char *text = j && j->state != JOB_UPLOADING ? job_json(j) : NULL;
        int found = j && j->state != JOB_UPLOADING;
        pthread_mutex_unlock(&s->lock);
        if (!found) return send_error(c, MHD_HTTP_NOT_FOUND, "no such job");
        return send_json(c, MHD_HTTP_OK, text);
    }
    return send_error(c, MHD_HTTP_NOT_FOUND, "not found");
}

/* ---- command line ---- */

static void serve_usage(FILE *f)
{
    fputs("Usage: gifc serve [--port N] [--open] [--max-upload SIZE] [-j N] [--max-queue N]\n"
          "Starts the gifc web page on 127.0.0.1 and prints its address (with the access\n"
          "token) as the first line on stdout. Ctrl-C stops it and removes every file.\n"
          "  --port N          port to listen on; 0 (the default) picks a free one\n"
          "  --open            open the page with xdg-open\n"
          "  --max-upload SIZE largest file accepted (413 past it); 2G by default\n"
          "  -j, --jobs N      conversions at a time; 1 by default\n"
          "  --max-queue N     unfinished jobs held at once (429 past it); 32 by default\n",
          f);
}

/* SIZE: a whole number of bytes with an optional K/M/G/T (1000^n) or KiB/MiB/GiB/TiB
 * (1024^n) and an optional B. */
static int parse_bytes(const char *s, uint64_t *out)
{
    char *end;
    if (!s || *s < '0' || *s > '9') return 0;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno) return 0;
    static const char *const units[] = { "", "K", "M", "G", "T" };
    uint64_t mul = 1;
    int found = !*end || !strcmp(end, "B");
    for (int k = 1; k < 5 && !found; k++) {
        char a[8], b[8], c[8];
        snprintf(a, sizeof a, "%s", units[k]);
        snprintf(b, sizeof b, "%sB", units[k]);
        snprintf(c, sizeof c, "%siB", units[k]);
        uint64_t dec = 1, bin = 1;
        for (int i = 0; i < k; i++) dec *= 1000, bin *= 1024;
        if (!strcmp(end, a) || !strcmp(end, b)) mul = dec, found = 1;
        else if (!strcmp(end, c)) mul = bin, found = 1;
    }
    if (!found || (v && mul > UINT64_MAX / v)) return 0;
    *out = v * mul;
    return *out > 0;
}

static void open_browser(const char *url)
{
    pid_t pid;
    char *argv[] = { "xdg-open", (char *)url, NULL };
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    if (posix_spawnp(&pid, "xdg-open", &fa, NULL, argv, environ) != 0)
        fprintf(stderr, "gifc: --open: no xdg-open; open the address above yourself\n");
    posix_spawn_file_actions_destroy(&fa);
}

int serve_main(int argc, char **argv)
{
    server s;
    memset(&s, 0, sizeof s);
    s.max_upload = SERVE_DEFAULT_MAX_UPLOAD;
    s.max_queue = SERVE_DEFAULT_MAX_QUEUE;
    s.workers = 1;
    long port = 0;
    int want_open = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        long n;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            serve_usage(stdout);
            return CLI_EXIT_OK;
        } else if (!strcmp(a, "--open")) {
            want_open = 1;
        } else if (!strcmp(a, "--port")) {
            if (!v || cli_parse_long(v, 0, 65535, &port) != CLI_PARSE_OK) {
                fprintf(stderr, "gifc: serve: --port needs a number 0..65535\n");
                return CLI_EXIT_USAGE;
            }
            i++;
        } else if (!strcmp(a, "--max-upload")) {
            if (!parse_bytes(v, &s.max_upload)) {
                fprintf(stderr, "gifc: serve: --max-upload needs a size above 0 (500M, 2G)\n");
                return CLI_EXIT_USAGE;
            }
            i++;
        } else if (!strcmp(a, "-j") || !strcmp(a, "--jobs")) {
            if (!v || cli_parse_long(v, 1, SERVE_MAX_WORKERS, &n) != CLI_PARSE_OK) {
                fprintf(stderr, "gifc: serve: -j needs a number 1..%d\n", SERVE_MAX_WORKERS);
                return CLI_EXIT_USAGE;
            }
            s.workers = (int)n;
            i++;
        } else if (!strcmp(a, "--max-queue")) {
            if (!v || cli_parse_long(v, 1, SERVE_MAX_KEPT, &n) != CLI_PARSE_OK) {
                fprintf(stderr, "gifc: serve: --max-queue needs a number 1..%d\n",
                        SERVE_MAX_KEPT);
                return CLI_EXIT_USAGE;
            }
            s.max_queue = (int)n;
            i++;
        } else {
            fprintf(stderr, "gifc: serve: unknown argument '%s' (gifc serve --help)\n", a);
            return CLI_EXIT_USAGE;
        }
    }

    unsigned char rnd[16];
    if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd) {
        fprintf(stderr, "gifc: serve: no random numbers for the token: %s\n", strerror(errno));
        return CLI_EXIT_FAILURE;
    }
    for (int i = 0; i < 16; i++) snprintf(s.token + 2 * i, 3, "%02x", rnd[i]);

    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp) tmp = "/tmp";
    snprintf(s.dir, sizeof s.dir, "%s/gifc-serve-XXXXXX", tmp);
    if (!mkdtemp(s.dir)) { /* mkdtemp makes it 0700 */
        fprintf(stderr, "gifc: serve: cannot make a temporary folder in %s: %s\n", tmp,
                strerror(errno));
        return CLI_EXIT_OUTPUT;
    }

    /* Signals are taken by sigwait in this thread only: block them before any thread. */
    sigset_t stop_set;
    sigemptyset(&stop_set);
    sigaddset(&stop_set, SIGINT);
    sigaddset(&stop_set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_set, NULL);
    signal(SIGPIPE, SIG_IGN);

    pthread_mutex_init(&s.lock, NULL);
    pthread_cond_init(&s.wake, NULL);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    /* poll(), not epoll: with libmicrohttpd 0.9.75's edge-triggered epoll, a client that
     * sends part of a body and its FIN in one go left the connection in CLOSE_WAIT until
     * the timeout, its upload file with it (serve_test's disconnect test sends that). */
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_POLL_INTERNAL_THREAD, (uint16_t)port, NULL, NULL, handle, &s,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, &s,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)128,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)0,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
        MHD_OPTION_END);
    int code = CLI_EXIT_OK;
    pthread_t threads[SERVE_MAX_WORKERS];
    int started = 0;
    if (!d) {
        fprintf(stderr, "gifc: serve: cannot listen on 127.0.0.1:%ld: %s\n", port,
                errno ? strerror(errno) : "port in use?");
        code = CLI_EXIT_FAILURE;
        goto out;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    s.port = info ? info->port : (unsigned)port;
    for (; started < s.workers; started++)
        if (pthread_create(&threads[started], NULL, worker_main, &s) != 0) break;
    if (started == 0) {
        fprintf(stderr, "gifc: serve: cannot start a worker thread\n");
        code = CLI_EXIT_FAILURE;
        goto out;
    }
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/?token=%s", s.port, s.token);
    printf("%s\n", url);
    fflush(stdout);
    fprintf(stderr, "gifc: serving on 127.0.0.1:%u (files in %s); Ctrl-C stops\n", s.port,
            s.dir);
    if (want_open) open_browser(url);

    int sig = 0;
    while (sigwait(&stop_set, &sig) != 0) {
    }
    fprintf(stderr, "gifc: stopping\n");

out:
    pthread_mutex_lock(&s.lock);
    s.stopping = 1;
    for (job *j = s.jobs; j; j = j->next) atomic_store(&j->cancel, 1);
    pthread_cond_broadcast(&s.wake);
    pthread_mutex_unlock(&s.lock);
    if (d) MHD_stop_daemon(d); /* closes connections: on_completed drops partial uploads */
    for (int i = 0; i < started; i++) pthread_join(threads[i], NULL);
    while (s.jobs) {
        job *j = s.jobs;
        s.jobs = j->next;
        job_free(j);
    }
    /* Anything else (a library temporary the conversion left when cancelled mid-rename). */
    if (rmdir(s.dir) != 0) {
        fprintf(stderr, "gifc: serve: %s: %s\n", s.dir, strerror(errno));
        if (code == CLI_EXIT_OK) code = CLI_EXIT_FAILURE;
    }
    pthread_cond_destroy(&s.wake);
    pthread_mutex_destroy(&s.lock);
    return code;
}
