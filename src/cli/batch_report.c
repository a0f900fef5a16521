/* Batch mode's reports (see batch_report.h).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "cli/batch_report.h"
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <string.h>

#define BAR_WIDTH 20
#define REDRAW_INTERVAL 0.125 /* seconds, as for one file's bar */

static const char *state_name(batch_state s)
{
    switch (s) {
    case BATCH_CONVERTED: return "converted";
    case BATCH_SKIPPED: return "skipped";
    case BATCH_FAILED: return "failed";
    case BATCH_CANCELLED: return "cancelled";
    default: return "planned";
    }
}

void batch_report_init(batch_reporter *r, const cli_prefs *p, const gifc_options *opts,
                       int terminal)
{
    memset(r, 0, sizeof *r);
    r->prefs = p;
    r->opts = opts;
    r->json = p->json ? stdout : NULL;
    r->lines = !terminal && !p->json;
    progress_init(&r->bar, terminal && !p->json && !p->quiet);
    r->t0 = cli_clock();
}

static void count(batch_totals *t, const batch_item *it)
{
    t->files++;
    if (it->state == BATCH_SKIPPED) {
        t->skipped++;
        t->up_to_date += it->up_to_date;
        return;
    }
    if (it->state == BATCH_FAILED) t->failed++;
    if (it->state == BATCH_CANCELLED) t->cancelled++;
    if (it->state == BATCH_CONVERTED) {
        t->converted++;
        t->bytes_in += it->in_bytes;
        t->bytes_out += it->result.bytes;
    }
    if (it->planned) {
        t->finished++;
        t->done_bytes += it->in_bytes;
    }
}

/* One JSON line per file; a converted one carries the settings (edits and caption
 * included) and the budget, as the single-file --json does. */
static void json_item(FILE *f, const batch_item *it, const gifc_options *opts)
{
    fputs("{\"input\":", f);
    report_json_string(f, it->in_path);
    report_json_str_field(f, "path", it->rel);
    report_json_str_field(f, "output", it->out_path);
    report_json_str_field(f, "status", state_name(it->state));
    report_json_str_field(f, "reason", it->reason);
    fprintf(f, ",\"bytes_in\":%" PRIu64, it->in_bytes);
    if (it->state == BATCH_CONVERTED) {
        const gifc_result *r = &it->result;
        fprintf(f, ",\"bytes_out\":%" PRIu64 ",\"elapsed\":", r->bytes);
        report_json_number(f, round(it->elapsed * 1000) / 1000);
        fprintf(f, ",\"format\":\"%s\",\"width\":%d,\"height\":%d,\"frames\":%" PRId64,
                cli_format_name(r->format), r->width, r->height, r->frames);
        fputs(",\"duration\":", f);
        report_json_number(f, round(r->duration * 1000) / 1000); /* ms, as files are timed */
        fprintf(f, ",\"kept_input\":%s", r->kept_input ? "true" : "false");
        if (opts) report_json_settings(f, r, opts);
    }
    fputs("}\n", f);
    fflush(f);
}

static void text_item(batch_reporter *r, const batch_item *it)
{
    const cli_prefs *p = r->prefs;
    char in[32], out[32];
    if (it->state == BATCH_FAILED) {
        progress_clear(&r->bar);
        fprintf(stderr, "gifc: %s: failed: %s\n", it->in_path, it->reason);
        return;
    }
    if (!r->lines || p->quiet) return;
    if (it->state == BATCH_CONVERTED) {
        format_bytes(in, sizeof in, it->in_bytes);
        format_bytes(out, sizeof out, it->result.bytes);
        fprintf(stderr, "gifc: [%zu/%zu] %s -> %s: %s (from %s) in %.1f s\n", r->t.finished,
                r->t.to_convert, it->in_path, it->out_path, out, in, it->elapsed);
    } else if (it->state == BATCH_CANCELLED || p->verbose) {
        fprintf(stderr, "gifc: %s: %s: %s\n", it->in_path, state_name(it->state),
                it->reason ? it->reason : "");
    }
}

void batch_report_item(batch_reporter *r, const batch_item *it)
{
    count(&r->t, it);
    text_item(r, it);
    if (r->json) json_item(r->json, it, r->opts);
    batch_report_progress(r);
}

/* "ETA 3s", "ETA 2m05s", "ETA 1h02m"; "ETA --" until a conversion has finished. The rate
 * is input bytes converted per second so far; a quick early failure does not count. */
static void format_eta(char *buf, size_t n, double elapsed, uint64_t rate_bytes,
                       uint64_t remaining)
{
    if (rate_bytes == 0 || elapsed <= 0) {
        snprintf(buf, n, "ETA --");
        return;
    }
    long s = (long)ceil(elapsed * (double)remaining / (double)rate_bytes);
    if (s < 60) snprintf(buf, n, "ETA %lds", s);
    else if (s < 3600) snprintf(buf, n, "ETA %ldm%02lds", s / 60, s % 60);
    else snprintf(buf, n, "ETA %ldh%02ldm", s / 3600, s / 60 % 60);
}

/* "1.2 MB saved" or, when the outputs are larger, "300.0 kB more". */
static void format_saved(char *buf, size_t n, uint64_t in, uint64_t out)
{
    char size[32];
    format_bytes(size, sizeof size, in >= out ? in - out : out - in);
    snprintf(buf, n, "%s %s", size, in >= out ? "saved" : "more");
}

void batch_report_progress(batch_reporter *r)
{
    progress_bar *b = &r->bar;
    const batch_totals *t = &r->t;
    char line[160], bar[BAR_WIDTH + 1], eta[32], saved[48];
    if (!b->enabled) return;
    double now = cli_clock();
    if (b->last_draw >= 0 && now - b->last_draw < REDRAW_INTERVAL) return;
    b->last_draw = now;
    size_t total = t->to_convert ? t->to_convert : 1;
    int fill = (int)(t->finished * BAR_WIDTH / total);
    memset(bar, '#', (size_t)fill);
    memset(bar + fill, '.', (size_t)(BAR_WIDTH - fill));
    bar[BAR_WIDTH] = '\0';
    format_saved(saved, sizeof saved, t->bytes_in, t->bytes_out);
    format_eta(eta, sizeof eta, now - r->t0, t->bytes_in, t->plan_bytes - t->done_bytes);
    int len = snprintf(line, sizeof line, "[%s] %zu/%zu files  %s  %s", bar, t->finished,
                       t->to_convert, saved, eta);
    progress_show(b, line, len, sizeof line);
}

void batch_report_log(batch_reporter *r, const batch_item *it, const char *level,
                      const char *msg, size_t len)
{
    progress_clear(&r->bar);
    fprintf(stderr, "gifc: %s: %s: %.*s\n", level, it->in_path, (int)len, msg);
}

void batch_report_planned(FILE *f, const batch_item *it, int json)
{
    if (json) json_item(f, it, NULL);
    else if (it->state == BATCH_TODO)
        fprintf(f, "convert %s -> %s%s\n", it->in_path, it->out_path,
                it->replace ? " (replacing an older output)" : "");
    else
        fprintf(f, "%s %s: %s\n", it->state == BATCH_SKIPPED ? "skip" : "fail", it->in_path,
                it->reason);
}

static const char *signal_name(int signo)
{
    return signo == SIGINT ? "SIGINT" : signo == SIGTERM ? "SIGTERM" : NULL;
}

static void json_summary(FILE *f, const batch_reporter *r, int signo, int exit_code)
{
    const batch_totals *t = &r->t;
    fprintf(f, "{\"summary\":true,\"files\":%zu,\"converted\":%zu,\"skipped\":%zu,"
               "\"up_to_date\":%zu,\"failed\":%zu,\"cancelled\":%zu",
            t->files, t->converted, t->skipped, t->up_to_date, t->failed, t->cancelled);
    fprintf(f, ",\"bytes_in\":%" PRIu64 ",\"bytes_out\":%" PRIu64 ",\"elapsed\":", t->bytes_in,
            t->bytes_out);
    report_json_number(f, round((cli_clock() - r->t0) * 1000) / 1000);
    fputs(",\"interrupted\":", f);
    report_json_string(f, signal_name(signo));
    fprintf(f, ",\"exit_code\":%d}\n", exit_code);
    fflush(f);
}

void batch_report_summary(batch_reporter *r, const batch_list *l, int signo, int exit_code)
{
    const batch_totals *t = &r->t;
    char in[32], out[32], saved[48];
    progress_clear(&r->bar);
    if (r->json) json_summary(r->json, r, signo, exit_code);
    if (r->prefs->quiet || r->json) return;
    if (signo) fprintf(stderr, "gifc: interrupted (%s): running conversions cancelled\n",
                       signal_name(signo) ? signal_name(signo) : "signal");
    fprintf(stderr, "gifc: %zu converted, %zu skipped (%zu up to date), %zu failed", t->converted,
            t->skipped, t->up_to_date, t->failed);
    if (t->cancelled) fprintf(stderr, ", %zu cancelled", t->cancelled);
    fprintf(stderr, " in %.1f s\n", cli_clock() - r->t0);
    if (t->converted) {
        format_bytes(in, sizeof in, t->bytes_in);
        format_bytes(out, sizeof out, t->bytes_out);
        format_saved(saved, sizeof saved, t->bytes_in, t->bytes_out);
        fprintf(stderr, "gifc: %s in, %s out: %s (outputs %.0f%% of the inputs)\n", in, out,
                saved, 100.0 * (double)t->bytes_out / (double)(t->bytes_in ? t->bytes_in : 1));
    }
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i].state == BATCH_FAILED)
            fprintf(stderr, "gifc: failed: %s: %s\n", l->v[i].in_path, l->v[i].reason);
}
