/* Progress bar, summary line and JSON report.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "cli/progress.h"
#include "cli/args.h"
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BAR_WIDTH 20
#define REDRAW_INTERVAL 0.125 /* seconds: ~8 redraws a second is smooth without flicker */

double cli_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void progress_init(progress_bar *b, int enabled)
{
    b->enabled = enabled;
    b->shown = 0;
    b->start = cli_clock();
    b->last_draw = -1;
}

/* "ETA 3s", "ETA 2m05s", "ETA 1h02m"; "ETA --" until there is enough to go on. */
static void format_eta(char *buf, size_t n, double elapsed, int64_t done, int64_t total)
{
    if (done <= 0 || elapsed < 0.5) {
        snprintf(buf, n, "ETA --");
        return;
    }
    /* Rounded up so it never reads 0s while work remains. */
    long s = (long)ceil(elapsed * (double)(total - done) / (double)done);
    if (s < 60) snprintf(buf, n, "ETA %lds", s);
    else if (s < 3600) snprintf(buf, n, "ETA %ldm%02lds", s / 60, s % 60);
    else snprintf(buf, n, "ETA %ldh%02ldm", s / 3600, s / 60 % 60);
}

static int format_known(char *line, size_t n, int64_t done, int64_t total, double elapsed)
{
    char bar[BAR_WIDTH + 1], eta[32];
    if (done < 0) done = 0;
    if (done > total) total = done; /* total is an estimate; never show more than 100% */
    int fill = (int)((double)done * BAR_WIDTH / (double)total);
    int pct = (int)((double)done * 100 / (double)total);
    memset(bar, '#', (size_t)fill);
    memset(bar + fill, '.', (size_t)(BAR_WIDTH - fill));
    bar[BAR_WIDTH] = '\0';
    format_eta(eta, sizeof eta, elapsed, done, total);
    return snprintf(line, n, "[%s] %3d%%  %" PRId64 "/%" PRId64 " frames  %s", bar, pct, done,
                    total, eta);
}

void progress_show(progress_bar *b, const char *line, int len, size_t cap)
{
    if (len < 0) return;
    if (len >= (int)cap) len = (int)cap - 1;
    /* Spaces over whatever the previous, longer line left: no terminal escapes needed. */
    int pad = b->shown > len ? b->shown - len : 0;
    fprintf(stderr, "\r%.*s%*s", len, line, pad, "");
    fflush(stderr);
    b->shown = len + pad;
}

static void draw(progress_bar *b, int64_t done, int64_t total, double now)
{
    char line[160];
    int len;
    if (total > 0) len = format_known(line, sizeof line, done, total, now - b->start);
    else len = snprintf(line, sizeof line, "%" PRId64 " frames  %.1f s", done, now - b->start);
    progress_show(b, line, len, sizeof line);
}

void progress_update(progress_bar *b, int64_t done, int64_t total)
{
    if (!b->enabled) return;
    double now = cli_clock();
    if (b->last_draw >= 0 && now - b->last_draw < REDRAW_INTERVAL) return;
    b->last_draw = now;
    draw(b, done, total, now);
}

void progress_clear(progress_bar *b)
{
    if (!b->shown) return;
    fprintf(stderr, "\r%*s\r", b->shown, "");
    fflush(stderr);
    b->shown = 0;
}

/* ---- end-of-run reports ---- */

void format_bytes(char *buf, size_t n, uint64_t bytes)
{
    static const char *const units[] = { "kB", "MB", "GB", "TB" };
    if (bytes < 1000) {
        snprintf(buf, n, "%" PRIu64 " B", bytes);
        return;
    }
    double v = (double)bytes / 1000;
    int u = 0;
    /* Step up before rounding to one decimal would print "1000.0 kB". */
    while (v >= 999.95 && u < 3) {
        v /= 1000;
        u++;
    }
    snprintf(buf, n, "%.1f %s", v, units[u]);
}

/* The second summary line with --max-size: what the search settled on. */
static void report_budget(FILE *f, const gifc_result *r)
{
    char budget[32], fps[32] = "source timing";
    format_bytes(budget, sizeof budget, r->budget);
    if (r->fps > 0) snprintf(fps, sizeof fps, "%.4g fps", r->fps);
    if (r->over_budget)
        fprintf(f, "  over the budget of %s (--best-effort): the smallest result reached\n",
                budget);
    else if (!r->searched)
        fprintf(f, "  fits the budget of %s as asked: no search needed\n", budget);
    else
        fprintf(f, "  %.1f%% of the budget of %s after %d attempts\n",
                100.0 * (double)r->bytes / (double)r->budget, budget, r->attempts);
    if (r->format == GIFC_FORMAT_APNG || r->format == GIFC_FORMAT_WEBM ||
        r->format == GIFC_FORMAT_AVIF) {
        fprintf(f, "  chosen: %dx%d, %s\n", r->width, r->height, fps);
        return;
    }
    if (r->format == GIFC_FORMAT_WEBP) {
        fprintf(f, "  chosen: %dx%d, %s, libwebp quality %d\n", r->width, r->height, fps,
                r->quality);
        return;
    }
    if (r->format == GIFC_FORMAT_MP4) {
        if (r->bitrate > 0)
            fprintf(f, "  chosen: %dx%d, H.264 two-pass at %.0f kbit/s\n", r->width, r->height,
                    r->bitrate / 1000.0);
        return;
    }
    fprintf(f, "  chosen: %dx%d, %s, %d colours, quality %d, dither %.2g, lossy %d",
            r->width, r->height, fps, r->colors, r->quality, r->dither, r->lossy);
    if (r->ssim >= 0) fprintf(f, "; SSIM %.4f against the source", r->ssim);
    fputc('\n', f);
}

void report_summary(FILE *f, const char *out_name, const gifc_result *r, double elapsed)
{
    char size[32];
    format_bytes(size, sizeof size, r->bytes);
    fprintf(f, "%s: %s, %dx%d, %" PRId64 " frame%s, %.1f s, converted in %.1f s%s\n", out_name,
            size, r->width, r->height, r->frames, r->frames == 1 ? "" : "s", r->duration,
            elapsed, r->kept_input ? " (the input GIF kept: re-encoding was not smaller)" : "");
    if (r->budget) report_budget(f, r);
}

/* Length of the well-formed UTF-8 sequence starting at s, 0 if it does not start one. */
static int utf8_len(const unsigned char *s)
{
    int n;
    if (s[0] < 0x80) return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf) n = 2;
    else if (s[0] >= 0xe0 && s[0] <= 0xef) n = 3;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4) n = 4;
    else return 0;
    uint32_t cp = s[0] & (0x3fu >> (n - 1));
    for (int i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0; /* also stops at the terminating NUL */
        cp = cp << 6 | (s[i] & 0x3fu);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0; /* overlong, beyond Unicode, or a surrogate */
    return n;
}

static void json_char(FILE *f, unsigned char c)
{
    switch (c) {
    case '"': fputs("\\\"", f); break;
    case '\\': fputs("\\\\", f); break;
    case '\n': fputs("\\n", f); break;
    case '\r': fputs("\\r", f); break;
    case '\t': fputs("\\t", f); break;
    case '\b': fputs("\\b", f); break;
    case '\f': fputs("\\f", f); break;
    default:
        if (c < 0x20) fprintf(f, "\\u%04x", c);
        else fputc(c, f);
    }
}

/* File names need not be UTF-8; bytes that are not become U+FFFD so the JSON stays valid. */
static void json_string(FILE *f, const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    if (!s) {
        fputs("null", f);
        return;
    }
    fputc('"', f);
    while (*s) {
        int n = utf8_len(s);
        if (n == 0) {
            fputs("\\ufffd", f);
            n = 1;
        } else if (n > 1) {
            fwrite(s, 1, (size_t)n, f);
        } else {
            json_char(f, *s);
        }
        s += n;
    }
    fputc('"', f);
}

/* Shortest of %.15g / %.17g that reads back exactly; null for what JSON cannot hold. */
static void json_number(FILE *f, double v)
{
    char buf[40];
    if (!isfinite(v)) {
        fputs("null", f);
        return;
    }
    snprintf(buf, sizeof buf, "%.15g", v);
    if (strtod(buf, NULL) != v) snprintf(buf, sizeof buf, "%.17g", v);
    fputs(buf, f);
}

static void json_key(FILE *f, const char *key)
{
    fprintf(f, ",\"%s\":", key);
}

/* A string option as a JSON string, null when unset or empty; escaped by json_string. */
static void json_option_text(FILE *f, const gifc_options *o, const char *name)
{
    char *buf = NULL;
    gifc_error e = GIFC_ERR_NOMEM;
    for (size_t n = 256; e == GIFC_ERR_NOMEM && n <= ((size_t)1 << 24); n *= 4) {
        char *grown = realloc(buf, n);
        if (!grown) break;
        buf = grown;
        e = gifc_option_get(o, name, 0, buf, n);
    }
    json_string(f, e == GIFC_OK && *buf ? buf : NULL);
    free(buf);
}

/* The options the table marks as reported (GIFC_OPTF_REPORT), keyed by their CLI name with
 * '_' for '-', valued by gifc_option_get's JSON. The caption's companions are null without a
 * caption (they do nothing then). */
static void json_options(FILE *f, const gifc_options *o)
{
    int captioned = o->caption && *o->caption;
    for (int k = 0; k < gifc_option_count(); k++) {
        const gifc_option_info *i = gifc_option_at(k);
        if (!(i->flags & GIFC_OPTF_REPORT)) continue;
        char key[64], value[512];
        size_t n = 0;
        for (; i->name[n] && n + 1 < sizeof key; n++) key[n] = i->name[n] == '-' ? '_' : i->name[n];
        key[n] = '\0';
        int companion = strcmp(i->name, "caption") &&
                        (!strncmp(i->name, "caption", 7) || !strcmp(i->name, "font"));
        json_key(f, key);
        if (companion && !captioned) fputs("null", f);
        else if (i->type == GIFC_OPT_STRING) json_option_text(f, o, i->name);
        else if (gifc_option_get(o, i->name, 1, value, sizeof value) == GIFC_OK) {
            fputs(value, f);
        } else {
            fputs("null", f);
        }
    }
}

/* Settings the conversion used: fps/colors/quality/dither as the library reports them (null
 * when not applicable: fps 0 means the source timing was kept), the rest from the options. */
static void json_settings(FILE *f, const gifc_result *r, const gifc_options *o)
{
    int gif = r->format == GIFC_FORMAT_GIF;
    fputs(",\"settings\":{\"fps\":", f);
    json_number(f, r->fps > 0 ? r->fps : NAN);
    json_key(f, "colors");
    json_number(f, gif && r->colors > 0 ? (double)r->colors : NAN);
    json_key(f, "quality");
    json_number(f, r->quality > 0 ? (double)r->quality : NAN);
    json_key(f, "dither");
    json_number(f, gif && r->dither >= 0 ? r->dither : NAN);
    json_key(f, "lossy");
    json_number(f, gif ? (double)r->lossy : NAN);
    json_options(f, o);
    fputc('}', f);
}

/* With --max-size: the budget and how the search went. */
static void json_budget(FILE *f, const gifc_result *r)
{
    fprintf(f, ",\"budget\":{\"max_size\":%" PRIu64 ",\"searched\":%s,\"attempts\":%d", r->budget,
            r->searched ? "true" : "false", r->attempts);
    fprintf(f, ",\"over_budget\":%s", r->over_budget ? "true" : "false");
    json_key(f, "ratio");
    json_number(f, (double)r->bytes / (double)r->budget);
    json_key(f, "ssim");
    json_number(f, r->ssim >= 0 ? r->ssim : NAN);
    json_key(f, "video_bitrate");
    json_number(f, r->bitrate > 0 ? (double)r->bitrate : NAN);
    fputc('}', f);
}

void report_json(FILE *f, const run_report *rep)
{
    const gifc_result *r = rep->result;
    fputs("{\"input\":", f);
    json_string(f, rep->input);
    json_key(f, "output");
    json_string(f, rep->output);
    fprintf(f, ",\"format\":\"%s\",\"width\":%d,\"height\":%d,\"frames\":%" PRId64,
            cli_format_name(r->format), r->width, r->height, r->frames);
    json_key(f, "duration");
    json_number(f, round(r->duration * 1000) / 1000); /* ms: no float noise from summed frames */
    fprintf(f, ",\"bytes\":%" PRIu64, r->bytes);
    json_key(f, "elapsed");
    json_number(f, rep->elapsed);
    fprintf(f, ",\"kept_input\":%s", r->kept_input ? "true" : "false");
    if (rep->target) {
        json_key(f, "target");
        json_string(f, rep->target);
    }
    if (rep->warning) {
        json_key(f, "warnings");
        fputc('[', f);
        json_string(f, rep->warning);
        fputc(']', f);
    }
    report_json_settings(f, r, rep->opts);
    fputs("}\n", f);
}

void report_json_error(FILE *f, const char *input, const char *output, const char *error,
                       int exit_code)
{
    fputs("{\"input\":", f);
    json_string(f, input);
    json_key(f, "output");
    json_string(f, output);
    json_key(f, "error");
    json_string(f, error);
    fprintf(f, ",\"exit_code\":%d}\n", exit_code);
}

void report_json_settings(FILE *f, const gifc_result *r, const gifc_options *o)
{
    json_settings(f, r, o);
    if (r->budget) json_budget(f, r);
}

void report_json_string(FILE *f, const char *s) { json_string(f, s); }
void report_json_number(FILE *f, double v) { json_number(f, v); }

void report_json_str_field(FILE *f, const char *key, const char *s)
{
    fprintf(f, ",\"%s\":", key);
    json_string(f, s);
}

void report_json_num_field(FILE *f, const char *key, double v)
{
    fprintf(f, ",\"%s\":", key);
    json_number(f, v);
}

void report_estimate(FILE *f, int json, const char *input, const char *output,
                     const gifc_estimate *e, double elapsed)
{
    if (!json) {
        fprintf(f, "%s: about %llu bytes, %s %dx%d, %.2f s", output,
                (unsigned long long)e->bytes, cli_format_name(e->format), e->width, e->height,
                e->seconds);
        if (e->ssim >= 0) fprintf(f, ", SSIM %.3f", e->ssim);
        if (e->over_budget)
            fprintf(f, " (the asked settings make about %llu: the budget search would run)",
                    (unsigned long long)e->plain_bytes);
        fputs(" (estimate; nothing written)\n", f);
        return;
    }
    fputs("{\"input\":", f);
    json_string(f, input);
    fputs(",\"output\":", f);
    json_string(f, output);
    fprintf(f, ",\"format\":\"%s\",\"width\":%d,\"height\":%d,\"duration\":",
            cli_format_name(e->format), e->width, e->height);
    json_number(f, e->seconds);
    fprintf(f, ",\"estimated_bytes\":%llu,\"plain_bytes\":%llu,\"estimated_ssim\":",
            (unsigned long long)e->bytes, (unsigned long long)e->plain_bytes);
    if (e->ssim >= 0) json_number(f, e->ssim);
    else fputs("null", f);
    fprintf(f, ",\"sampled\":%s,\"over_budget\":%s,\"elapsed\":",
            e->sampled ? "true" : "false", e->over_budget ? "true" : "false");
    json_number(f, elapsed);
    fputs("}\n", f);
}
