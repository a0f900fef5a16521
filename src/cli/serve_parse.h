/* gifc serve's request parsing, apart from the server so that it can be fuzzed on its own
 * (fuzz/fuzz_http.c): URL path to route and job id, the Host / Origin / token checks, the
 * client's name= made safe, and one query argument applied to a job's options. Pure: no
 * I/O, no libmicrohttpd.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_CLI_SERVE_PARSE_H
#define GIFC_CLI_SERVE_PARSE_H
#include <gifc.h>
#include <stddef.h>

typedef enum serve_route {
    ROUTE_NONE,       /* 404 */
    ROUTE_PAGE,       /* "/" or "/index.html" */
    ROUTE_OPTIONS,    /* "/api/options" */
    ROUTE_JOBS,       /* "/api/jobs" */
    ROUTE_JOB,        /* "/api/jobs/ID" */
    ROUTE_JOB_OUTPUT  /* "/api/jobs/ID/output" */
} serve_route;

/* The route of a URL path; *id is set for ROUTE_JOB and ROUTE_JOB_OUTPUT (1..2^32-1, no
 * leading zero). */
serve_route serve_parse_route(const char *url, unsigned *id);

/* Constant-time comparison: the token's bytes are not leaked through timing. */
int serve_same_secret(const char *a, const char *b);
/* Host must be 127.0.0.1:PORT or localhost:PORT (DNS rebinding); NULL is refused. */
int serve_host_ok(unsigned port, const char *host);
/* Origin, when sent, must be http://127.0.0.1:PORT or http://localhost:PORT. */
int serve_origin_ok(unsigned port, const char *origin);

/* The client's name= made into a safe download stem: letters, digits, '-', '_', '.', no
 * leading dot, its extension dropped; "gifc-ID" when nothing is left. n >= 1. */
void serve_safe_name(char *dst, size_t n, const char *src, unsigned id);

/* Options a client may set: every end-user option but the font (a path on this machine),
 * force (the server owns its files) and threads (the server's -j and the machine decide). */
int serve_web_option(const gifc_option_info *i);

/* What the query's arguments build for one job. */
typedef struct serve_job_args {
    gifc_options *opts;
    char *caption;                  /* owned copy of the string option's value */
    const gifc_target_info *target; /* for=NAME, NULL when none */
    char *name;                     /* download stem (name=), name_size bytes */
    size_t name_size;
    unsigned id;
    int estimate_only;              /* estimate=1: predict the size, write nothing */
} serve_job_args;

/* Applies one query argument (key, value: value NULL for a bare key); "token" is skipped.
 * 0, or -1 with the reason in why (why_size >= 1). */
int serve_apply_arg(serve_job_args *a, const char *key, const char *value, char *why,
                    size_t why_size);
#endif
