/* Batch mode: gifc DIR... -o OUTDIR (and several files with -o OUTDIR). Finds the media
 * files, plans one output each under OUTDIR (skipping the ones already up to date, taking
 * only this machine's --shard), converts them on -j worker threads, each with its own
 * libgifc context, and reports every file and a summary. Uses only the public gifc.h.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_CLI_BATCH_H
#define GIFC_CLI_BATCH_H
#include <stdatomic.h>
#include <signal.h>
#include "cli/args.h"

/* Exit status of a batch in which some files failed (the others were converted). */
#define BATCH_EXIT_FAILED 9

/* Runs the batch p describes (p->batch set by the parse). stop is the signal flag main's
 * handler sets: running conversions are then cancelled (nothing partial is left), no new
 * one starts, and the summary still prints. Returns the exit status: 0 when nothing failed,
 * BATCH_EXIT_FAILED, 130 / 143 when interrupted, or a usage / output error code when the
 * batch could not start. */
int batch_run(const cli_prefs *p, atomic_int *stop);
#endif
