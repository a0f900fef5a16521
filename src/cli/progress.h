/* What the user sees during and after a conversion: the progress bar on stderr, the summary
 * line and the JSON report.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_CLI_PROGRESS_H
#define GIFC_CLI_PROGRESS_H
#include <gifc.h>
#include <stdint.h>
#include <stdio.h>

/* Monotonic clock in seconds: durations stay right if the wall clock is changed meanwhile. */
double cli_clock(void);

/* A single status line on stderr, redrawn in place. */
typedef struct progress_bar {
    int enabled;      /* draw at all (stderr is a terminal, not -q, not --json) */
    int shown;        /* columns currently drawn; 0 when the line is clear */
    double start;     /* cli_clock() when the bar was set up, for the ETA */
    double last_draw; /* cli_clock() of the last redraw; < 0 before the first */
} progress_bar;

void progress_init(progress_bar *b, int enabled);
/* Redraws at most about 8 times a second. total 0 = unknown. */
/* Draws line (snprintf's result len, buffer size cap) over the bar's previous line. */
void progress_show(progress_bar *b, const char *line, int len, size_t cap);
void progress_update(progress_bar *b, int64_t done, int64_t total);
/* Wipes the line, e.g. before another message or at the end. */
void progress_clear(progress_bar *b);

/* What a successful run reports. */
typedef struct run_report {
    const char *input, *output;   /* as the user gave them ('-' for stdin / stdout) */
    const gifc_result *result;
    const gifc_options *opts;     /* the options the conversion ran with */
    double elapsed;               /* wall-clock seconds */
    const char *target;           /* --for NAME, or NULL */
    const char *warning;          /* e.g. the target's duration cap cut the source; or NULL */
} run_report;

/* "clip.gif: 2.4 MB, 480x270, 150 frames, 10.0 s, converted in 3.2 s" */
void report_summary(FILE *f, const char *out_name, const gifc_result *r, double elapsed);
/* One JSON object on one line. */
void report_json(FILE *f, const run_report *r);
void report_json_error(FILE *f, const char *input, const char *output, const char *error,
                       int exit_code);
/* JSON values for other reports (batch mode's JSON lines): a string (bytes that are not
 * UTF-8 become U+FFFD; NULL prints null) and a number (null when not finite). */
void report_json_string(FILE *f, const char *s);
/* --estimate: one line "OUTPUT: about N bytes ..." or, with json, one JSON object with
 * estimated_bytes (and estimated_ssim for GIF). */
void report_estimate(FILE *f, int json, const char *input, const char *output,
                     const gifc_estimate *e, double elapsed);
void report_json_number(FILE *f, double v);
/* The "settings" member (and "budget" with --max-size) of a result, as report_json writes
 * them: each starts with a comma, for inside an object. */
void report_json_settings(FILE *f, const gifc_result *r, const gifc_options *o);
/* "512 B", "12.3 kB", "2.4 MB" (powers of 1000). */
void format_bytes(char *buf, size_t n, uint64_t bytes);
#endif
