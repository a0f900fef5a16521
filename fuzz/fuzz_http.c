/* libFuzzer target over gifc serve's request parsing (src/cli/serve_parse.c): the URL path's
 * route and job id, the Host / Origin / token checks, the download name made safe, and a
 * query's arguments applied to a job's options as POST /api/jobs does.
 *
 * Input: the port (2 bytes), then NUL-separated fields: the URL path, Host, Origin, token,
 * name size (its first byte), then query arguments, each "key" or "key=value" (a bare key
 * has no value, like ?reverse). Each field gets its own exact-size allocation, so reading
 * past its end is an ASan report. Checks: a job route's id prints back as the URL's digits;
 * a Host / Origin accepted is one of the two local spellings; the secret comparison agrees
 * with strcmp; a safe name fits, is not empty and holds only its allowed characters; a
 * refused argument says why in one line and leaves the options as they were.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "cli/serve_parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FIELDS 40

static void fail(const char *what, const char *field)
{
    fprintf(stderr, "fuzz_http: %s (\"%s\")\n", what, field ? field : "");
    abort();
}

static void check_route(const char *url)
{
    unsigned id = 0;
    serve_route r = serve_parse_route(url, &id);
    if (r != ROUTE_JOB && r != ROUTE_JOB_OUTPUT) return;
    char want[64];
    snprintf(want, sizeof want, "/api/jobs/%u%s", id, r == ROUTE_JOB_OUTPUT ? "/output" : "");
    if (id == 0 || strcmp(url, want) != 0) fail("job route does not print back", url);
}

static void check_local(unsigned port, const char *host, const char *origin)
{
    char a[64], b[64], c[64], d[64];
    snprintf(a, sizeof a, "127.0.0.1:%u", port);
    snprintf(b, sizeof b, "localhost:%u", port);
    snprintf(c, sizeof c, "http://%s", a);
    snprintf(d, sizeof d, "http://%s", b);
    if (serve_host_ok(port, host) != (!strcmp(host, a) || !strcmp(host, b)))
        fail("Host check disagrees", host);
    if (serve_origin_ok(port, origin) != (!strcmp(origin, c) || !strcmp(origin, d)))
        fail("Origin check disagrees", origin);
    if (serve_host_ok(port, NULL) || !serve_origin_ok(port, NULL))
        fail("missing Host accepted or missing Origin refused", "");
}

static void check_name(const char *src, size_t n, unsigned id)
{
    char *dst = malloc(n);
    if (!dst) abort();
    serve_safe_name(dst, n, src, id);
    size_t k = strlen(dst);
    if (k >= n || (n > 1 && k == 0)) fail("safe name does not fit or is empty", src);
    if (dst[0] == '.') fail("safe name starts with a dot", dst);
    for (size_t i = 0; i < k; i++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.", dst[i]))
            fail("safe name holds a character it may not", dst);
    free(dst);
}

/* One "key[=value]" field through serve_apply_arg; -1 when refused (the server then
 * answers 400 and reads no further argument). */
static int apply(serve_job_args *a, char *field)
{
    char *eq = strchr(field, '=');
    if (eq) *eq = '\0';
    gifc_options before = *a->opts;
    char why[400] = "";
    if (serve_apply_arg(a, field, eq ? eq + 1 : NULL, why, sizeof why) == 0) return 0;
    /* The reason quotes the client's key or value (JSON-escaped when sent): a line break
     * in it can only be theirs. */
    int theirs = strchr(field, '\n') || (eq && strchr(eq + 1, '\n'));
    if (!why[0] || (strchr(why, '\n') && !theirs)) fail("refusal without a one-line reason", field);
    if (memcmp(&before, a->opts, sizeof before)) fail("refused argument changed options", field);
    return -1;
}

static void check_query(char **fields, int n, unsigned id)
{
    static gifc_options defaults;
    static int have_defaults;
    if (!have_defaults) {
        gifc_options_init(&defaults);
        have_defaults = 1;
    }
    gifc_options o = defaults;
    char name[96];
    snprintf(name, sizeof name, "gifc-%u", id);
    serve_job_args a = { &o, NULL, NULL, name, sizeof name, id, 0 };
    int refused = 0;
    for (int i = 0; i < n && !refused; i++) refused = apply(&a, fields[i]) != 0;
    o.caption = a.caption;
    char why[300];
    if (!refused && a.target) gifc_target_apply(a.target, &o, why, sizeof why);
    const char *vwhy = NULL;
    if (!refused) gifc_options_validate(&o, &vwhy);
    free(a.caption);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || size > 4096) return 0;
    unsigned port = (unsigned)data[0] << 8 | data[1];
    char *fields[MAX_FIELDS];
    int n = 0;
    for (size_t at = 2; at <= size && n < MAX_FIELDS;) {
        const uint8_t *end = memchr(data + at, 0, size - at);
        size_t len = end ? (size_t)(end - (data + at)) : size - at;
        fields[n] = malloc(len + 1);
        if (!fields[n]) abort();
        memcpy(fields[n], data + at, len);
        fields[n++][len] = '\0';
        at += len + 1;
    }
    while (n < 5) fields[n++] = strdup("");
    check_route(fields[0]);
    check_local(port, fields[1], fields[2]);
    if (serve_same_secret(fields[3], fields[0]) != (strcmp(fields[3], fields[0]) == 0))
        fail("secret comparison disagrees with strcmp", fields[3]);
    unsigned id = port * 65599u + 1;
    check_name(fields[3], (unsigned char)fields[4][0] % 100 + 1, id);
    check_query(fields + 5, n - 5, id);
    for (int i = 0; i < n; i++) free(fields[i]);
    return 0;
}
