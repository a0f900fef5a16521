/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "cli/serve_parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JOBS_PREFIX "/api/jobs/"

serve_route serve_parse_route(const char *url, unsigned *id)
{
    if (strcmp(url, "/") == 0 || strcmp(url, "/index.html") == 0) return ROUTE_PAGE;
    if (strcmp(url, "/api/options") == 0) return ROUTE_OPTIONS;
    if (strcmp(url, "/api/jobs") == 0) return ROUTE_JOBS;
    if (strncmp(url, JOBS_PREFIX, strlen(JOBS_PREFIX)) != 0) return ROUTE_NONE;
    const char *p = url + strlen(JOBS_PREFIX);
    if (*p < '1' || *p > '9') return ROUTE_NONE;
    unsigned long long v = 0;
    while (*p >= '0' && *p <= '9') {
        v = v * 10 + (unsigned long long)(*p++ - '0');
        if (v > 0xFFFFFFFFull) return ROUTE_NONE;
    }
    *id = (unsigned)v;
    if (*p == '\0') return ROUTE_JOB;
    return strcmp(p, "/output") == 0 ? ROUTE_JOB_OUTPUT : ROUTE_NONE;
}

int serve_same_secret(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    unsigned char d = na != nb;
    for (size_t i = 0; i < na && i < nb; i++) d |= (unsigned char)(a[i] ^ b[i]);
    return d == 0;
}

/* host equal to PREFIX127.0.0.1:PORT or PREFIXlocalhost:PORT. */
static int is_local(unsigned port, const char *prefix, const char *host)
{
    char a[64], b[64];
    if (!host) return 0;
    snprintf(a, sizeof a, "%s127.0.0.1:%u", prefix, port);
    snprintf(b, sizeof b, "%slocalhost:%u", prefix, port);
    return strcmp(host, a) == 0 || strcmp(host, b) == 0;
}

int serve_host_ok(unsigned port, const char *host) { return is_local(port, "", host); }

int serve_origin_ok(unsigned port, const char *origin)
{
    /* Scripts send none; browsers always do on POST / DELETE. */
    return !origin || is_local(port, "http://", origin);
}

void serve_safe_name(char *dst, size_t n, const char *src, unsigned id)
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

int serve_web_option(const gifc_option_info *i)
{
    return !(i->flags & GIFC_OPTF_HIDDEN) && strcmp(i->name, "font") != 0 &&
           strcmp(i->name, "force") != 0 && strcmp(i->name, "threads") != 0;
}

int serve_apply_arg(serve_job_args *a, const char *key, const char *value, char *why,
                    size_t why_size)
{
    if (strcmp(key, "token") == 0) return 0;
    if (strcmp(key, "for") == 0) {
        a->target = gifc_target_find(value);
        if (a->target) return 0;
        snprintf(why, why_size, "for: no target '%.100s' (GET /api/options lists them)",
                 value ? value : "");
        return -1;
    }
    if (strcmp(key, "name") == 0) {
        serve_safe_name(a->name, a->name_size, value, a->id);
        return 0;
    }
    if (strcmp(key, "estimate") == 0) { /* a job that predicts the size: the live estimate */
        a->estimate_only = !value || !*value || strcmp(value, "0") != 0;
        return 0;
    }
    const gifc_option_info *i = gifc_option_find(key);
    /* Only CLI names (not field names), and only what the page may set. */
    if (!i || strcmp(i->name, key) != 0 || !serve_web_option(i)) {
        snprintf(why, why_size, "unknown option '%.100s'", key);
        return -1;
    }
    const char *text = value;
    if (i->type == GIFC_OPT_STRING) {
        free(a->caption);
        a->caption = strdup(value ? value : "");
        if (!a->caption) {
            snprintf(why, why_size, "out of memory");
            return -1;
        }
        text = a->caption;
    } else if (value && !*value && i->type == GIFC_OPT_BOOL) {
        text = NULL; /* ?reverse= is reverse on, like a bare --reverse */
    }
    char reason[300];
    if (gifc_option_set(a->opts, i->name, text, reason, sizeof reason) != GIFC_OK) {
        snprintf(why, why_size, "%s: %s", i->name, reason);
        return -1;
    }
    return 0;
}
