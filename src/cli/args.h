/* Command-line parsing for the gifc tool: the user's preferences, the value parsers and the
 * exit-code table. Nothing here prints or exits; the only libgifc calls are to the option
 * table (gifc_option_find), which owns every range: no range is written here.
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

/* Largest time accepted by --start/--duration/--end, in seconds (about 115 days): keeps the
 * library's conversions to integer timestamps far from overflow. */
#define CLI_TIME_MAX (gifc_option_find("start")->max)

/* Decimal integer in [min, max]; no sign other than '-', no spaces, no trailing characters. */
cli_parse_status cli_parse_long(const char *s, long min, long max, long *out);
/* Finite decimal number in [min, max] (above min when min_open); rejects nan, inf, hex. */
cli_parse_status cli_parse_double(const char *s, double min, double max, int min_open,
                                  double *out);
/* Seconds ("90", "1.5") or [hh:]mm:ss[.frac] ("1:30", "01:02:03.5"); 0..CLI_TIME_MAX. */
cli_parse_status cli_parse_time(const char *s, double *seconds);
/* #RRGGBB, RRGGBB, #RGB or a name (white black red green blue gray grey) -> 0xRRGGBB. */
cli_parse_status cli_parse_color(const char *s, uint32_t *rgb);
/* Byte budget accepted by --max-size. */
#define CLI_SIZE_MIN (gifc_option_find("max-size")->min)
#define CLI_SIZE_MAX (gifc_option_find("max-size")->max)
/* "500K", "8MB", "10MiB", "1.5G", "2000" (bytes): SI units K/KB/M/MB/G/GB, binary
 * KiB/MiB/GiB, B or none for bytes, any case; CLI_SIZE_MIN..CLI_SIZE_MAX bytes. */
cli_parse_status cli_parse_size(const char *s, uint64_t *bytes);
/* The same syntax within [min, max]: --max-pixels, --max-frames ("2M" = 2000000) and
 * --max-decoded. */
cli_parse_status cli_parse_size_in(const char *s, double min, double max, uint64_t *out);
#define CLI_LIMIT_MAX (gifc_option_find("max-pixels")->max)
/* --aspect W:H: two whole numbers in the option table's range ("16:9", "4:5"), neither more than 100 times
 * the other. */
cli_parse_status cli_parse_ratio(const char *s, int *w, int *h);
/* --crop W:H:X:Y: size and offsets (from 0) up to the option table's max, whole numbers. */
cli_parse_status cli_parse_crop(const char *s, int v[4]);
/* --smooth-loop without a value. */
#define CLI_SMOOTH_LOOP_DEFAULT (gifc_option_find("smooth-loop")->bare_value)
/* "top" or "bottom" (any case) -> GIFC_CAPTION_TOP / BOTTOM. */
cli_parse_status cli_parse_position(const char *s, int *pos);
/* Percent of the frame height for --caption-size: "8", "12.5", "8%"; 2..50. */
cli_parse_status cli_parse_percent(const char *s, double *pct);
/* "gif" or "mp4" (any case). */
cli_parse_status cli_parse_format(const char *s, gifc_format *f);

/* Format from a path's extension (.gif, .mp4, .m4v, any case); AUTO when unknown. Mirrors
 * gifc_format_from_path() without linking the library. */
gifc_format cli_format_from_ext(const char *path);
/* Output path for when -o is omitted: input with its extension replaced by the format's, or
 * NAME.gifc.EXT when that would name the input itself. malloc'd; NULL when out of memory. */
char *cli_default_output(const char *input, gifc_format f);
/* "gif" / "mp4" ("gif" for AUTO, like the library). */
const char *cli_format_name(gifc_format f);

/* What the user asked for. "Not given" is a negative or zero sentinel so the library's own
 * defaults (from gifc_options_init) stay in charge of everything the user left alone. */
typedef struct cli_prefs {
    const char *input;      /* "-" = stdin */
    const char *output;     /* "-" = stdout; always set after a successful parse */
    char *output_alloc;     /* owns output when it was derived from the input */
    gifc_format format;     /* resolved: GIF or MP4 after a successful parse */
    double fps;             /* 0: not given */
    int width, height;      /* 0: not given */
    double start;           /* < 0: not given */
    double duration;        /* <= 0: not given (also set from --end) */
    double end;             /* < 0: not given */
    int colors, quality;    /* 0: not given */
    int lossy;              /* 0: not given (exact) */
    int fast;               /* --fast */
    double dither;          /* < 0: not given */
    int loop;               /* < 0: not given */
    uint32_t background;
    int has_background;
    double speed;           /* 0: not given */
    int threads;            /* < 0: not given */
    int audio, force, json, quiet, verbose;
    uint64_t max_size;      /* 0: not given */
    uint64_t max_pixels, max_frames, max_decoded; /* 0: not given */
    double max_duration;    /* 0: not given */
    int best_effort;
    /* editing: 0 when not given */
    int crop[4];            /* --crop W:H:X:Y; crop[0] 0: not given */
    int aspect_w, aspect_h; /* --aspect W:H */
    int aspect_pad;         /* --aspect-fit pad */
    int aspect_fit_given;
    int reverse, bounce, drop_duplicates;
    double smooth_loop;     /* --smooth-loop [S]; 0: not given */
    int frames_step;
    const char *caption;    /* NULL: not given; never "" after a successful parse */
    int caption_position;   /* < 0: not given; else GIFC_CAPTION_BOTTOM / TOP */
    double caption_size;    /* 0: not given; percent of the frame height */
    const char *font;       /* NULL: not given; a readable file after a successful parse */

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
    CLI_ACTION_ERROR  /* usage error: one line (no "gifc: " prefix) in err */
} cli_action;

/* Parses argv with getopt_long (may permute argv). Can be called repeatedly (tests).
 * Call cli_prefs_free() afterwards whatever the result. */
cli_action cli_parse_args(int argc, char **argv, cli_prefs *p, char *err, size_t errlen);
void cli_prefs_free(cli_prefs *p);

/* Copies the given preferences over opts (already filled by gifc_options_init). */
void cli_apply_prefs(const cli_prefs *p, gifc_options *opts);

void cli_print_help(FILE *f);

/* getopt_long's table: every option the CLI takes, ending in a zero entry (for the man page
 * generator, gifc_man.c). */
struct option;
const struct option *cli_long_options(void);

/* --shard K/N: 1 <= K <= N <= CLI_SHARD_MAX. */
#define CLI_SHARD_MAX 1000000
cli_parse_status cli_parse_shard(const char *s, int *k, int *n);
#endif
