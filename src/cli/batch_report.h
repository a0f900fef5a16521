/* Batch mode: what the user sees. Per file a plain line (or nothing on a terminal, where an
 * overall bar runs instead) and with --json one JSON line; at the end the summary.
 * Not thread-safe: callers hold the batch lock.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_CLI_BATCH_REPORT_H
#define GIFC_CLI_BATCH_REPORT_H
#include <stdio.h>
#include "cli/args.h"
#include "cli/batch_walk.h"
#include "cli/progress.h"

typedef struct batch_totals {
    size_t files;       /* items reported: converted + skipped + failed + cancelled */
    size_t to_convert;  /* items planned for conversion at the start */
    size_t finished;    /* of those, ended (converted, failed or cancelled) */
    size_t converted, skipped, up_to_date, failed, cancelled;
    uint64_t bytes_in, bytes_out; /* converted files: inputs and outputs */
    uint64_t plan_bytes, done_bytes; /* input bytes planned / finished, for the ETA */
} batch_totals;

typedef struct batch_reporter {
    const cli_prefs *prefs;
    const gifc_options *opts; /* every conversion's options, for the JSON settings */
    FILE *json;         /* stdout with --json, else NULL */
    int lines;          /* plain per-file lines (stderr is not a terminal, not --json) */
    progress_bar bar;   /* on a terminal */
    batch_totals t;
    double t0;          /* cli_clock() at the start */
} batch_reporter;

void batch_report_init(batch_reporter *r, const cli_prefs *p, const gifc_options *opts,
                       int terminal);
/* An item that has reached its final state: counted, then reported. */
void batch_report_item(batch_reporter *r, const batch_item *it);
/* Redraws the bar (at most a few times a second); no-op when there is none. */
void batch_report_progress(batch_reporter *r);
/* A warning from a conversion, naming its file; takes the bar down first. */
void batch_report_log(batch_reporter *r, const batch_item *it, const char *level,
                      const char *msg, size_t len);
/* --list: one planned item, "convert IN -> OUT" or "skip IN: reason" (or a JSON line). */
void batch_report_planned(FILE *f, const batch_item *it, int json);
/* The end: the text summary on stderr (unless -q) listing every failure, or with --json the
 * summary record. signo: the interrupting signal, 0 if none. */
void batch_report_summary(batch_reporter *r, const batch_list *l, int signo, int exit_code);
#endif
