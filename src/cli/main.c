/* gifc command-line tool: turns the parsed preferences into a libgifc conversion and reports
 * the outcome (one error line, or a summary / JSON report).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdatomic.h>
#include <gifc.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/args.h"
#include "cli/batch.h"
#include "cli/flags.h"
#include "cli/progress.h"
#include "cli/serve.h"
#include "cli/stdio_files.h"

/* The only global: all a signal handler may safely touch. Holds the signal number (0 = none)
 * so the exit status can tell SIGINT from SIGTERM. A lock-free atomic rather than a
 * volatile sig_atomic_t: batch mode's worker threads read it too, and only an atomic makes
 * that free of a data race (ThreadSanitizer flagged the volatile one). */
static atomic_int g_signal;

static void on_signal(int sig) { g_signal = sig; }

/* Everything one run needs besides the user's preferences. */
typedef struct run_state {
    const cli_prefs *prefs;
    const char *in_path;  /* what the library reads: INPUT, or the stdin spool */
    const char *in_name;  /* how messages name the input: INPUT, or "stdin" */
    const char *out_name; /* how messages name the output: OUTPUT, or "stdout" */
    stdin_spool spool;
    progress_bar bar;
    gifc_options opts;
    gifc_context *ctx;
    gifc_result result;
    double t0; /* cli_clock() when the conversion started */
    char cut_warning[256]; /* --for cut the source to its duration cap; "" when not */
} run_state;

static void catch_signal(int sig)
{
    struct sigaction sa;
    /* A shell starts background jobs with SIGINT ignored; that choice is kept. */
    if (sigaction(sig, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN) return;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_signal;
    /* No SA_RESTART: a read of stdin blocked on a pipe or terminal must return EINTR so the
     * spool loop sees the flag. SA_RESETHAND: a second Ctrl-C kills at once if the library
     * is stuck between two progress callbacks (at the cost of skipping the cleanup). */
    sa.sa_flags = SA_RESETHAND;
    sigaction(sig, &sa, NULL);
}

static void install_signals(void)
{
    struct sigaction sa;
    catch_signal(SIGINT);
    catch_signal(SIGTERM);
    /* A closed stdout pipe must come back as EPIPE (reported, exit 6), not kill us silently. */
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
}

/* The JSON report goes to stdout, unless stdout carries the converted file itself. */
static FILE *json_stream(const cli_prefs *p)
{
    return strcmp(p->output, "-") == 0 ? stderr : stdout;
}

/* Reports a failure: exactly one line on stderr, plus the JSON error object with --json. */
static int fail(run_state *st, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(run_state *st, int code, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    progress_clear(&st->bar);
    fprintf(stderr, "gifc: %s\n", msg);
    if (st->prefs->json)
        report_json_error(json_stream(st->prefs), st->prefs->input, st->prefs->output, msg,
                          code);
    return code;
}

static int interrupted(run_state *st)
{
    return fail(st, cli_exit_for(GIFC_ERR_ABORTED, g_signal), "interrupted");
}

/* ---- library callbacks ---- */

static int on_progress(void *user, int64_t done, int64_t total)
{
    run_state *st = user;
    if (g_signal) return 1; /* the library then stops and removes its temporary file */
    progress_update(&st->bar, done, total);
    return 0;
}

static int log_wanted(const cli_prefs *p, gifc_log_level level)
{
    if (p->quiet) return 0;
    if (level == GIFC_LOG_WARNING) return 1;
    /* Error-level lines are detail: the failure itself is reported once, from its code. */
    if (level == GIFC_LOG_INFO || level == GIFC_LOG_ERROR) return p->verbose >= 1;
    return p->verbose >= 2;
}

static void on_log(void *user, gifc_log_level level, const char *msg)
{
    static const char *const names[] = { "error", "warning", "info", "debug" };
    run_state *st = user;
    if ((unsigned)level > GIFC_LOG_DEBUG || !log_wanted(st->prefs, level)) return;
    size_t n = strlen(msg);
    while (n > 0 && msg[n - 1] == '\n') n--;
    progress_clear(&st->bar); /* the bar shares stderr: take it down first, it comes back */
    fprintf(stderr, "gifc: %s: %.*s\n", names[level], (int)n, msg);
}

/* ---- error messages ---- */

/* Whether msg already names path: at its start, or quoted anywhere. */
static int names_path(const char *msg, const char *path)
{
    size_t n = strlen(path);
    if (strncmp(msg, path, n) == 0 && (msg[n] == ':' || msg[n] == ' ' || !msg[n])) return 1;
    for (const char *q = "'\""; *q; q++) {
        for (const char *hit = strchr(msg, *q); hit; hit = strchr(hit + 1, *q))
            if (strncmp(hit + 1, path, n) == 0 && hit[1 + n] == *q) return 1;
    }
    return 0;
}

/* The library names the stdin spool file; the user knows it as "stdin". */
static void replace_first(char *dst, size_t n, const char *msg, const char *from,
                          const char *to)
{
    const char *hit = strstr(msg, from);
    if (!hit) snprintf(dst, n, "%s", msg);
    else snprintf(dst, n, "%.*s%s%s", (int)(hit - msg), msg, to, hit + strlen(from));
}

/* The library names a limit by its gifc_options field, at the end of the message in
 * parentheses; the user raises it with the option of the same name. */
static void name_limit_option(char *msg, size_t n)
{
    static const char *const fields[][2] = {
        { "(max_pixels)", "--max-pixels" }, { "(max_frames)", "--max-frames" },
        { "(max_duration)", "--max-duration" }, { "(max_decoded_bytes)", "--max-decoded" },
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        char *hit = strstr(msg, fields[i][0]);
        if (!hit) continue;
        snprintf(hit, n - (size_t)(hit - msg), "(raise it with %s)", fields[i][1]);
        return;
    }
}

static int output_side(gifc_error e)
{
    return e == GIFC_ERR_OUTPUT || e == GIFC_ERR_OUTPUT_EXISTS || e == GIFC_ERR_SAME_FILE ||
           e == GIFC_ERR_ENCODE;
}

static int library_failure(run_state *st, gifc_error e)
{
    char msg[768];
    if (g_signal) return interrupted(st);
    const char *cause = st->ctx ? gifc_context_message(st->ctx) : "";
    if (!cause || !*cause) cause = gifc_strerror(e);
    if (st->in_path != st->in_name)
        replace_first(msg, sizeof msg, cause, st->in_path, st->in_name);
    else
        snprintf(msg, sizeof msg, "%s", cause);
    name_limit_option(msg, sizeof msg); /* also a decoder's refusal, reported as damage */
    cli_name_flag(msg, sizeof msg, e, st->ctx ? gifc_context_option(st->ctx) : NULL);
    int code = cli_exit_for(e, 0);
    if (names_path(msg, st->in_name) || names_path(msg, st->out_name))
        return fail(st, code, "%s", msg);
    return fail(st, code, "%s: %s", output_side(e) ? st->out_name : st->in_name, msg);
}

/* ---- the run ---- */

static int prepare_input(run_state *st)
{
    int e = 0;
    if (strcmp(st->prefs->input, "-") != 0) return CLI_EXIT_OK;
    st->in_name = "stdin";
    if (isatty(STDIN_FILENO))
        return fail(st, CLI_EXIT_USAGE, "stdin is a terminal; pipe the input in "
                                        "(gifc - -o out.gif < clip.mp4)");
    switch (spool_stdin(&st->spool, &g_signal, &e)) {
    case SPOOL_OK: st->in_path = st->spool.path; return CLI_EXIT_OK;
    case SPOOL_INTERRUPTED: return interrupted(st);
    case SPOOL_READ_FAILED: return fail(st, CLI_EXIT_INPUT, "stdin: %s", strerror(e));
    default:
        return fail(st, CLI_EXIT_FAILURE, "%s: cannot store stdin: %s", st->spool.path,
                    strerror(e));
    }
}

static void warn(const char *what)
{
    fprintf(stderr, "gifc: warning: %s\n", what);
}

/* Options that cannot affect the chosen format: say so rather than ignore them silently. */
static void warn_inapplicable(const cli_prefs *p)
{
    int mp4 = p->format == GIFC_FORMAT_MP4, webp = p->format == GIFC_FORMAT_WEBP;
    if (p->quiet) return;
    int apng = p->format == GIFC_FORMAT_APNG, webm = p->format == GIFC_FORMAT_WEBM;
    int avif = p->format == GIFC_FORMAT_AVIF;
    if (!mp4 && cli_given(p, "audio")) warn("--audio only applies to MP4 output");
    if (!mp4 && cli_given(p, "background")) warn("--background only applies to MP4 output");
    if (mp4 && (cli_given(p, "colors") || cli_given(p, "dither") || cli_given(p, "loop")))
        warn("--colors, --dither and --loop only apply to GIF output");
    if ((apng || webm || avif) && (cli_given(p, "colors") || cli_given(p, "dither") || cli_given(p, "lossy")))
        warn("--colors, --dither and --lossy only apply to GIF output");
    if (webm && cli_given(p, "loop")) warn("--loop does not apply to WebM output");
    if (avif && cli_given(p, "loop"))
        warn("--loop does not apply to AVIF output (libavif 0.11 writes no loop count)");
    if (webp && (cli_given(p, "colors") || cli_given(p, "dither") || cli_given(p, "lossy")))
        warn("--colors, --dither and --lossy only apply to GIF output");
    if (!webp && cli_given(p, "lossless")) warn("--lossless only applies to WebP output");
}

static int setup_context(run_state *st)
{
    const char *why = NULL;
    gifc_options_init(&st->opts);
    cli_apply_prefs(st->prefs, &st->opts);
    st->opts.progress = on_progress; /* always: it is also how an interrupt reaches the library */
    st->opts.progress_user = st;
    st->opts.log = st->prefs->quiet ? NULL : on_log;
    st->opts.log_user = st;
    /* --for writes through a temporary checked against the rules first (convert_target);
     * whether OUTPUT may be replaced is decided there. */
    if (st->prefs->target && strcmp(st->prefs->output, "-") != 0) st->opts.overwrite = 1;
    if (gifc_options_validate(&st->opts, &why) != GIFC_OK)
        return fail(st, CLI_EXIT_USAGE, "invalid options: %s", why ? why : "out of range");
    gifc_error e = gifc_context_new(&st->opts, &st->ctx);
    if (e != GIFC_OK) return fail(st, cli_exit_for(e, 0), "%s", gifc_strerror(e));
    warn_inapplicable(st->prefs);
    return CLI_EXIT_OK;
}

static int check_target(run_state *st);

static int convert_to_stdout(run_state *st)
{
    uint8_t *data = NULL;
    size_t size = 0;
    gifc_error e = gifc_convert_file_to_memory(st->ctx, st->in_path, &data, &size, &st->result);
    if (e != GIFC_OK) return library_failure(st, e);
    if (st->result.bytes == 0) st->result.bytes = size;
    if (st->prefs->target && check_target(st) != CLI_EXIT_OK) {
        gifc_free(data);
        return cli_exit_for(gifc_target_check(st->prefs->target, &st->result, NULL, 0), 0);
    }
    progress_clear(&st->bar);
    int w = cli_write_all(STDOUT_FILENO, data, size, &g_signal);
    gifc_free(data);
    if (w == EINTR) return interrupted(st);
    if (w) return fail(st, CLI_EXIT_OUTPUT, "stdout: %s", strerror(w));
    if (st->result.bytes == 0) st->result.bytes = size;
    return CLI_EXIT_OK;
}

/* --for: the rules are checked before the output appears. */
static int check_target(run_state *st)
{
    char why[256];
    gifc_error e = gifc_target_check(st->prefs->target, &st->result, why, sizeof why);
    if (e == GIFC_OK) return CLI_EXIT_OK;
    return fail(st, cli_exit_for(e, 0), "%s: %s", st->out_name, why);
}

static int same_file(const char *a, const char *b)
{
    struct stat x, y;
    return stat(a, &x) == 0 && stat(b, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

/* --for with a file OUTPUT: the library writes a temporary beside OUTPUT (its own writes
 * are atomic too), the result is checked against the target's rules, and only then is it
 * moved to OUTPUT: without --force by link(), which refuses an OUTPUT that appeared
 * meanwhile. */
static int convert_target(run_state *st)
{
    const cli_prefs *p = st->prefs;
    char tmp[4096];
    struct stat sb;
    if (!p->opts.overwrite && lstat(p->output, &sb) == 0)
        return fail(st, CLI_EXIT_EXISTS, "'%s' exists (use --force to replace it)", p->output);
    if (same_file(st->in_path, p->output))
        return fail(st, CLI_EXIT_OUTPUT, "%s: output would overwrite the input", p->output);
    if (snprintf(tmp, sizeof tmp, "%s.gifc-for-XXXXXX", p->output) >= (int)sizeof tmp)
        return fail(st, CLI_EXIT_OUTPUT, "%s: path too long", p->output);
    int fd = mkstemp(tmp);
    if (fd < 0) return fail(st, CLI_EXIT_OUTPUT, "%s: %s", p->output, strerror(errno));
    close(fd);
    gifc_error e = gifc_convert_file(st->ctx, st->in_path, tmp, &st->result);
    int code = e == GIFC_OK ? check_target(st) : library_failure(st, e);
    if (code == CLI_EXIT_OK) {
        int r = p->opts.overwrite ? rename(tmp, p->output) : link(tmp, p->output);
        if (r != 0) {
            int err = errno;
            code = err == EEXIST
                       ? fail(st, CLI_EXIT_EXISTS, "'%s' exists (use --force to replace it)", p->output)
                       : fail(st, CLI_EXIT_OUTPUT, "%s: %s", p->output, strerror(err));
        }
    }
    unlink(tmp); /* after rename it is gone already; after link it is the second name */
    return code;
}

/* A target's duration cap shorter than the source: said once, and in --json. */
static void note_cut(run_state *st)
{
    const cli_prefs *p = st->prefs;
    double start = p->opts.start > 0 ? p->opts.start : 0;
    if (!(p->target_cut > 0) || !(st->result.src_duration > start + p->target_cut + 0.01))
        return;
    snprintf(st->cut_warning, sizeof st->cut_warning,
             "%s takes at most %g s: cut %g s of %g s, from %g s", p->target->name,
             p->target_cut, p->target_cut, st->result.src_duration, start);
    if (!p->quiet) {
        progress_clear(&st->bar);
        warn(st->cut_warning);
    }
}

static int convert(run_state *st)
{
    if (g_signal) return interrupted(st);
    st->t0 = cli_clock();
    if (st->prefs->target) {
        int code;
        if (strcmp(st->prefs->output, "-") == 0) {
            code = convert_to_stdout(st);
        } else {
            code = convert_target(st);
        }
        if (code == CLI_EXIT_OK) note_cut(st);
        return code;
    }
    if (strcmp(st->prefs->output, "-") == 0) return convert_to_stdout(st);
    gifc_error e = gifc_convert_file(st->ctx, st->in_path, st->prefs->output, &st->result);
    return e == GIFC_OK ? CLI_EXIT_OK : library_failure(st, e);
}

static int report_success(run_state *st)
{
    const cli_prefs *p = st->prefs;
    double elapsed = round((cli_clock() - st->t0) * 1000) / 1000; /* ms is plenty */
    progress_clear(&st->bar);
    if (!p->json) {
        if (!p->quiet) report_summary(stderr, st->out_name, &st->result, elapsed);
        return CLI_EXIT_OK;
    }
    run_report r = { p->input, p->output, &st->result, &st->opts, elapsed,
                     p->target ? p->target->name : NULL,
                     st->cut_warning[0] ? st->cut_warning : NULL };
    FILE *f = json_stream(p);
    report_json(f, &r);
    if (fflush(f) != 0 || ferror(f)) {
        fprintf(stderr, "gifc: cannot write the JSON report: %s\n", strerror(errno));
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}

/* --estimate: the library's prediction of this conversion, nothing written. */
static int estimate(run_state *st)
{
    gifc_estimate est = { .struct_size = sizeof est };
    st->t0 = cli_clock();
    const char *out = strcmp(st->prefs->output, "-") == 0 ? NULL : st->prefs->output;
    gifc_error e = gifc_estimate_file(st->ctx, st->in_path, out, &est);
    if (e != GIFC_OK) return library_failure(st, e);
    double elapsed = round((cli_clock() - st->t0) * 1000) / 1000;
    progress_clear(&st->bar);
    const cli_prefs *p = st->prefs;
    FILE *f = p->json ? json_stream(p) : stdout;
    report_estimate(f, p->json, p->input, st->out_name, &est, elapsed);
    if (fflush(f) != 0 || ferror(f)) {
        fprintf(stderr, "gifc: cannot write the estimate: %s\n", strerror(errno));
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}

static void init_state(run_state *st, const cli_prefs *p)
{
    memset(st, 0, sizeof *st);
    st->prefs = p;
    st->in_path = p->input;
    st->in_name = p->input;
    st->out_name = strcmp(p->output, "-") == 0 ? "stdout" : p->output;
    progress_init(&st->bar, !p->quiet && !p->json && isatty(STDERR_FILENO));
    gifc_result_init(&st->result);
}

static int run(const cli_prefs *p)
{
    run_state st;
    init_state(&st, p);
    install_signals();
    int code = prepare_input(&st);
    if (code == CLI_EXIT_OK) code = setup_context(&st);
    if (code == CLI_EXIT_OK && p->estimate) {
        code = estimate(&st);
    } else {
        if (code == CLI_EXIT_OK) code = convert(&st);
        if (code == CLI_EXIT_OK) code = report_success(&st);
    }
    gifc_context_free(&st.ctx);
    spool_remove(&st.spool);
    return code;
}

/* gifc DIR... -o OUTDIR: the batch runs with the same signal flag (see batch.h). */
static int run_batch(const cli_prefs *p)
{
    install_signals();
    warn_inapplicable(p);
    return batch_run(p, &g_signal);
}

static int usage_error(const cli_prefs *p, const char *err)
{
    fprintf(stderr, "gifc: %s\n", err);
    /* --json is only known if getopt reached it before the error. */
    if (p->json)
        report_json_error(p->output && strcmp(p->output, "-") == 0 ? stderr : stdout,
                          p->input, p->output, err, CLI_EXIT_USAGE);
    return CLI_EXIT_USAGE;
}

static void print_version(void)
{
    printf("gifc %s (libgifc %s)\n", GIFC_VERSION_STRING, gifc_version());
    puts("License GPL-3.0-or-later <https://gnu.org/licenses/gpl.html>; no warranty.");
}

int main(int argc, char **argv)
{
    cli_prefs prefs;
    char err[512];
    int code = CLI_EXIT_OK;
#ifdef GIFC_HAVE_SERVE
    if (argc >= 2 && strcmp(argv[1], "serve") == 0) return serve_main(argc - 1, argv + 1);
#endif
    switch (cli_parse_args(argc, argv, &prefs, err, sizeof err)) {
    case CLI_ACTION_HELP: cli_print_help(stdout); break;
    case CLI_ACTION_VERSION: print_version(); break;
    case CLI_ACTION_TARGETS: cli_print_targets(stdout); break;
    case CLI_ACTION_ERROR: code = usage_error(&prefs, err); break;
    case CLI_ACTION_RUN: code = prefs.batch ? run_batch(&prefs) : run(&prefs); break;
    }
    cli_prefs_free(&prefs);
    return code;
}
