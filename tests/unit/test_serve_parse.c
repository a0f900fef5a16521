/* gifc serve's request parsing (src/cli/serve_parse.c): routes and job ids, the local Host
 * and Origin spellings, the token comparison, safe download names, and query arguments
 * applied to a job's options (web options only, bare booleans, targets).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "cli/serve_parse.h"

#include <stdlib.h>

#include "check.h"

static void test_routes(void)
{
    unsigned id = 0;
    CHECK(serve_parse_route("/", &id) == ROUTE_PAGE);
    CHECK(serve_parse_route("/index.html", &id) == ROUTE_PAGE);
    CHECK(serve_parse_route("/api/options", &id) == ROUTE_OPTIONS);
    CHECK(serve_parse_route("/api/jobs", &id) == ROUTE_JOBS);
    CHECK(serve_parse_route("/api/jobs/12", &id) == ROUTE_JOB && id == 12);
    CHECK(serve_parse_route("/api/jobs/4294967295/output", &id) == ROUTE_JOB_OUTPUT &&
          id == 4294967295u);
    const char *none[] = { "/api/jobs/", "/api/jobs/0", "/api/jobs/012", "/api/jobs/4294967296",
                           "/api/jobs/12/", "/api/jobs/12/outputs", "/api/jobs/x", "/api/jobs12",
                           "/api/options/", "", "/index.htm" };
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++)
        CHECK(serve_parse_route(none[i], &id) == ROUTE_NONE, "%s", none[i]);
}

static void test_checks(void)
{
    CHECK(serve_host_ok(8080, "127.0.0.1:8080") && serve_host_ok(8080, "localhost:8080"));
    CHECK(!serve_host_ok(8080, "127.0.0.1:808") && !serve_host_ok(8080, "evil:8080") &&
          !serve_host_ok(8080, "localhost:8080.evil") && !serve_host_ok(8080, NULL));
    CHECK(serve_origin_ok(80, NULL) && serve_origin_ok(80, "http://localhost:80"));
    CHECK(!serve_origin_ok(80, "localhost:80") && !serve_origin_ok(80, "https://localhost:80"));
    CHECK(serve_same_secret("abc", "abc") && !serve_same_secret("abc", "abd") &&
          !serve_same_secret("abc", "abcd") && !serve_same_secret("", "a"));
}

static void test_names(void)
{
    char n[16];
    serve_safe_name(n, sizeof n, "my clip.final.mp4", 3);
    CHECK(strcmp(n, "my_clip.final") == 0, "%s", n);
    serve_safe_name(n, sizeof n, ".hidden", 3);
    CHECK(strcmp(n, "gifc-3") == 0, "%s", n);
    serve_safe_name(n, sizeof n, "../../etc/passwd", 3); /* up to the last dot */
    CHECK(strcmp(n, "_._.") == 0, "%s", n);
    serve_safe_name(n, sizeof n, "a/b\\c:d e?f<g>h|i.gif", 3); /* cut to the buffer */
    CHECK(strcmp(n, "a_b_c_d_e_f_g_h") == 0, "%s", n);
    serve_safe_name(n, sizeof n, NULL, 7);
    CHECK(strcmp(n, "gifc-7") == 0, "%s", n);
}

static void test_args(void)
{
    gifc_options o;
    gifc_options_init(&o);
    char name[96] = "gifc-1", why[400];
    serve_job_args a = { &o, NULL, NULL, name, sizeof name, 1, 0 };
    CHECK(serve_apply_arg(&a, "token", "x", why, sizeof why) == 0);
    CHECK(serve_apply_arg(&a, "width", "320", why, sizeof why) == 0 && o.width == 320);
    CHECK(serve_apply_arg(&a, "reverse", "", why, sizeof why) == 0 && o.reverse);
    CHECK(serve_apply_arg(&a, "estimate", "1", why, sizeof why) == 0 && a.estimate_only);
    CHECK(serve_apply_arg(&a, "estimate", "0", why, sizeof why) == 0 && !a.estimate_only);
    CHECK(serve_apply_arg(&a, "caption", "Hi", why, sizeof why) == 0 && a.caption &&
          strcmp(a.caption, "Hi") == 0 && o.caption == a.caption);
    CHECK(serve_apply_arg(&a, "name", "a b.gif", why, sizeof why) == 0 && !strcmp(name, "a_b"));
    CHECK(serve_apply_arg(&a, "for", "discord", why, sizeof why) == 0 && a.target);
    CHECK(serve_apply_arg(&a, "for", "nothing", why, sizeof why) != 0 && strstr(why, "nothing"));
    const char *refused[] = { "font", "force", "threads", "max_size", "nosuch" };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        CHECK(serve_apply_arg(&a, refused[i], "1", why, sizeof why) != 0 &&
              strstr(why, "unknown option"), "%s: %s", refused[i], why);
    CHECK(serve_apply_arg(&a, "width", "-5", why, sizeof why) != 0 && strstr(why, "width: "),
          "%s", why);
    free(a.caption);
}

int main(void)
{
    test_routes();
    test_checks();
    test_names();
    test_args();
    return check_finish("serve_parse");
}
