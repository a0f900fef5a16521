/* Command-line parsing for the gifc tool: the user's preferences, the CLI-only value parsers
 * (-j, --shard) and the exit-code table. Nothing here prints or exits; the library's option table (gifc_option_*)
 * owns every library option, its parser and its range: none is written here.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_CLI_ARGS_H
#define GIFC_CLI_ARGS_H
#include <gifc.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Process exit status, documented in --help. */
enum cli_exit {
    CLI_EXIT_OK = 0,
    CLI_EXIT_FAILURE = 1,     /* internal or encoder failure */
    CLI_EXIT_USAGE = 2,       /* bad option or argument */
    CLI_EXIT_INPUT = 3,       /* input cannot be read */
    CLI_EXIT_UNSUPPORTED = 4, /* input format not supported / no video */
    CLI_EXIT_CORRUPT = 5,     /* input corrupt or truncated */
    CLI_EXIT_OUTPUT = 6,      /* output cannot be written */
    CLI_EXIT_EXISTS = 7,      /* output exists, --force not given */
    CLI_EXIT_BUDGET = 8,      /* --max-size cannot be met */
    /* 9 is batch.h's BATCH_EXIT_FAILED */
    CLI_EXIT_LIMIT = 10,      /* input over --max-pixels/frames/duration/decoded */
    CLI_EXIT_SIGINT = 130,    /* 128 + SIGINT, the shell convention */
    CLI_EXIT_SIGTERM = 143    /* 128 + SIGTERM */
};

/* Maps a library result to an exit status. signo is the signal that interrupted the run (0 if
 * none): once the user asked to stop, any failure is reported as the interruption. */
int cli_exit_for(gifc_error e, int signo);

typedef enum cli_parse_status {
    CLI_PARSE_OK = 0,
    CLI_PARSE_SYNTAX, /* not a number / time / colour at all */
    CLI_PARSE_RANGE   /* well formed but outside the accepted range */
} cli_parse_status;

/* Decimal integer in [min, max]; no sign other than '-', no spaces, no trailing characters.
 * For the CLI's own options (-j, --shard); library options go through gifc_option_set. */
cli_parse_status cli_parse_long(const char *s, long min, long max, long *out);

/* Format from a path's extension (.gif, .mp4, .m4v, .webp, any case); AUTO when unknown. Mirrors
 * gifc_format_from_path() without linking the library. */
gifc_format cli_format_from_ext(const char *path);
/* Output path for when -o is omitted: input with its extension replaced by the format's, or
 * NAME.gifc.EXT when that would name the input itself. malloc'd; NULL when out of memory. */
char *cli_default_output(const char *input, gifc_format f);
/* "gif" / "mp4" / "webp" ("gif" for AUTO, like the library). */
const char *cli_format_name(gifc_format f);
/* ".gif" / ".mp4" / ".webp" ("gif" for AUTO). */
const char *cli_format_ext(gifc_format f);

/* What the user asked for. Library options are parsed straight into opts (started by
 * gifc_options_init, so the library's defaults stay in charge of what the user left alone);
 * the rest is the CLI's own. */
typedef struct cli_prefs {
    const char *input;      /* "-" = stdin */
    const char *output;     /* "-" = stdout; always set after a successful parse */
    char *output_alloc;     /* owns output when it was derived from the input */
    gifc_format format;     /* resolved: GIF or MP4 after a successful parse */
    gifc_options opts;      /* every library option given, the defaults for the rest */
    unsigned long long given; /* bit i: the option table's row i was given (the table has
                                 fewer than 64 rows; test_cli_args checks it) */
    double end;             /* --end; < 0: not given (turned into opts.duration) */
    const gifc_target_info *target; /* --for NAME (applied to opts by the parse), or NULL */
    double target_cut;      /* > 0: the duration the target's cap set (the user gave none) */
    int json, quiet, verbose;
    int estimate;           /* --estimate: predict the output, write nothing */

    /* ---- batch mode: gifc DIR... -o OUTDIR, or several files (see batch.h) ---- */
    int batch;              /* resolved by the parse: the run is a batch */
    char **inputs;          /* every INPUT, pointers into argv; input == inputs[0] */
    int n_inputs;
    int recursive;          /* -r: walk sub-folders and mirror them under OUTDIR */
    int jobs;               /* -j N: files at a time; 0: not given (one per core) */
    int shard_k, shard_n;   /* --shard K/N; 0/0: not given */
    int list;               /* --list: print the planned jobs, convert nothing */
    const char **includes, **excludes; /* --include / --exclude globs (arrays owned) */
    int n_includes, n_excludes;
    int batch_option;       /* one of -r -j --shard --list --include --exclude was given */
} cli_prefs;

typedef enum cli_action {
    CLI_ACTION_RUN,
    CLI_ACTION_HELP,
    CLI_ACTION_VERSION,
    CLI_ACTION_TARGETS, /* --for list: print the targets and their rules */
    CLI_ACTION_ERROR  /* usage error: one line (no "gifc: " prefix) in err */
} cli_action;

/* Parses argv with getopt_long (may permute argv). Can be called repeatedly (tests).
 * Call cli_prefs_free() afterwards whatever the result. */
cli_action cli_parse_args(int argc, char **argv, cli_prefs *p, char *err, size_t errlen);
void cli_prefs_free(cli_prefs *p);

/* Whether the library option `name` (its CLI name) was given on the command line. */
int cli_given(const cli_prefs *p, const char *name);

/* The parsed options (with the resolved format) into opts. */
void cli_apply_prefs(const cli_prefs *p, gifc_options *opts);

void cli_print_help(FILE *f);
/* gifc --for list: every target of the library's table with its rules, one line each. */
void cli_print_targets(FILE *f);

/* getopt_long's table: every option the CLI takes, ending in a zero entry (for the man page
 * generator, gifc_man.c). */
struct option;
const struct option *cli_long_options(void);

/* --shard K/N: 1 <= K <= N <= CLI_SHARD_MAX. */
#define CLI_SHARD_MAX 1000000
cli_parse_status cli_parse_shard(const char *s, int *k, int *n);
#endif
