/* Command-line parsing for gifc: the getopt_long table (built from the library's option
 * table plus the CLI's own options), the loop, output-path rules (the help text is in
 * args_help.c). Library options are parsed, checked and worded by gifc_option_set; only
 * the CLI-only ones (--jobs, --shard, --end) are parsed here.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "cli/args.h"
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

int cli_exit_for(gifc_error e, int signo)
{
    if (e == GIFC_OK) return CLI_EXIT_OK;
    if (signo == SIGINT) return CLI_EXIT_SIGINT;
    if (signo == SIGTERM) return CLI_EXIT_SIGTERM;
    switch (e) {
    case GIFC_ERR_INVALID_ARG: return CLI_EXIT_USAGE;
    case GIFC_ERR_INPUT: return CLI_EXIT_INPUT;
    case GIFC_ERR_UNSUPPORTED:
    case GIFC_ERR_NO_VIDEO: return CLI_EXIT_UNSUPPORTED;
    case GIFC_ERR_CORRUPT: return CLI_EXIT_CORRUPT;
    case GIFC_ERR_OUTPUT:
    case GIFC_ERR_SAME_FILE: return CLI_EXIT_OUTPUT;
    case GIFC_ERR_OUTPUT_EXISTS: return CLI_EXIT_EXISTS;
    case GIFC_ERR_OVER_BUDGET: return CLI_EXIT_BUDGET;
    case GIFC_ERR_LIMIT: return CLI_EXIT_LIMIT;
    default: return CLI_EXIT_FAILURE; /* NOMEM, ENCODE, ABORTED without a signal, unknown */
    }
}

/* ---- value parsers (the CLI's own options only: -j, --shard) ---- */

cli_parse_status cli_parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    const char *d = s + (*s == '+' || *s == '-');
    if (!*d || strspn(d, "0123456789") != strlen(d)) return CLI_PARSE_SYNTAX;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (*end) return CLI_PARSE_SYNTAX;
    if (errno == ERANGE || v < min || v > max) return CLI_PARSE_RANGE;
    *out = v;
    return CLI_PARSE_OK;
}

/* ---- paths ---- */

/* The ".ext" of the last path component, or NULL. A leading dot (".hidden") is a name, not an
 * extension. */
static const char *path_ext(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    return dot && dot != base ? dot : NULL;
}

gifc_format cli_format_from_ext(const char *path)
{
    const char *ext = path_ext(path);
    if (!ext) return GIFC_FORMAT_AUTO;
    if (strcasecmp(ext, ".gif") == 0) return GIFC_FORMAT_GIF;
    if (strcasecmp(ext, ".mp4") == 0 || strcasecmp(ext, ".m4v") == 0) return GIFC_FORMAT_MP4;
    if (strcasecmp(ext, ".webp") == 0) return GIFC_FORMAT_WEBP;
    if (strcasecmp(ext, ".apng") == 0) return GIFC_FORMAT_APNG;
    if (strcasecmp(ext, ".webm") == 0) return GIFC_FORMAT_WEBM;
    if (strcasecmp(ext, ".avif") == 0) return GIFC_FORMAT_AVIF;
    return GIFC_FORMAT_AUTO;
}

const char *cli_format_name(gifc_format f)
{
    const gifc_format_info *i = gifc_format_describe(f);
    return i ? i->name : "gif";
}

const char *cli_format_ext(gifc_format f)
{
    const gifc_format_info *i = gifc_format_describe(f);
    return i ? i->ext : ".gif";
}

char *cli_default_output(const char *input, gifc_format f)
{
    const char *ext = cli_format_ext(f);
    const char *old = path_ext(input);
    size_t stem = old ? (size_t)(old - input) : strlen(input);
    /* Compared without case: "a.GIF" -> "a.gif" is the same file on case-folding file systems. */
    const char *mid = old && strcasecmp(old, ext) == 0 ? ".gifc" : "";
    size_t len = stem + strlen(mid) + strlen(ext);
    char *out = malloc(len + 1);
    if (!out) return NULL;
    memcpy(out, input, stem);
    strcpy(out + stem, mid);
    strcat(out + stem, ext);
    return out;
}

/* ---- options ---- */

/* The CLI's own options (getopt values). Library options get OPT_TABLE + their index in
 * the option table (gifc_option_at). */
enum { OPT_TO = 256, OPT_INCLUDE, OPT_EXCLUDE, OPT_SHARD, OPT_LIST, OPT_JSON, OPT_VERSION,
       OPT_END, OPT_FOR, OPT_ESTIMATE, OPT_TABLE = 1024 };

static const struct option cli_opts[] = {
    { "output", required_argument, NULL, 'o' },
    /* batch mode */
    { "recursive", no_argument, NULL, 'r' },
    { "jobs", required_argument, NULL, 'j' },
    { "to", required_argument, NULL, OPT_TO },
    { "include", required_argument, NULL, OPT_INCLUDE },
    { "exclude", required_argument, NULL, OPT_EXCLUDE },
    { "shard", required_argument, NULL, OPT_SHARD },
    { "list", no_argument, NULL, OPT_LIST },
    /* one file */
    { "end", required_argument, NULL, OPT_END },
    { "for", required_argument, NULL, OPT_FOR },
    { "json", no_argument, NULL, OPT_JSON },
    { "estimate", no_argument, NULL, OPT_ESTIMATE },
    { "quiet", no_argument, NULL, 'q' },
    { "verbose", no_argument, NULL, 'v' },
    { "version", no_argument, NULL, OPT_VERSION },
    { "help", no_argument, NULL, 'h' },
};
#define N_CLI_OPTS ((int)(sizeof cli_opts / sizeof cli_opts[0]))
#define MAX_TABLE_OPTS 128

/* getopt_long's table and short-option string, built once from cli_opts and the option
 * table. Written only by the first call of build_tables (before any thread starts). */
static struct option long_opts[N_CLI_OPTS + MAX_TABLE_OPTS + 1];
/* Leading ':' makes getopt return ':' for a missing value, so we can word that error. */
static char short_opts[32 + 2 * MAX_TABLE_OPTS];

static void build_tables(void)
{
    if (long_opts[0].name) return;
    int n = 0;
    size_t k = 0;
    memcpy(short_opts, ":o:qvhrj:", 10);
    k = strlen(short_opts);
    for (int i = 0; i < N_CLI_OPTS; i++) long_opts[n++] = cli_opts[i];
    for (int i = 0; i < gifc_option_count() && i < MAX_TABLE_OPTS; i++) {
        const gifc_option_info *in = gifc_option_at(i);
        if (in->flags & GIFC_OPTF_HIDDEN) continue;
        int has = in->type == GIFC_OPT_BOOL ? no_argument
                  : (in->flags & GIFC_OPTF_OPTIONAL_VALUE) ? optional_argument
                                                            : required_argument;
        long_opts[n++] = (struct option){ in->name, has, NULL,
                                          in->short_name ? in->short_name : OPT_TABLE + i };
        if (in->short_name) {
            short_opts[k++] = (char)in->short_name;
            if (has == required_argument) short_opts[k++] = ':';
        }
    }
    short_opts[k] = '\0';
    long_opts[n] = (struct option){ NULL, 0, NULL, 0 };
}

const struct option *cli_long_options(void)
{
    build_tables();
    return long_opts;
}

/* The option table's index of a getopt value, or -1 for the CLI's own options. */
static int table_index(int val)
{
    if (val >= OPT_TABLE) return val - OPT_TABLE;
    for (int i = 0; i < gifc_option_count(); i++)
        if (val && gifc_option_at(i)->short_name == val) return i;
    return -1;
}

int cli_given(const cli_prefs *p, const char *name)
{
    for (int i = 0; i < gifc_option_count() && i < 64; i++)
        if (!strcmp(gifc_option_at(i)->name, name)) return (int)((p->given >> i) & 1);
    return 0;
}

/* Where the current parse writes its result and its error. */
typedef struct parser {
    cli_prefs *p;
    char *err;
    size_t errlen;
} parser;

static int fail(parser *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(parser *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->err, a->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static const char *opt_name(int val)
{
    for (const struct option *o = long_opts; o->name; o++)
        if (o->val == val) return o->name;
    return "?";
}

/* "-o/--output" or "--fps": how an option is named in errors. */
static void opt_label(char *buf, size_t n, int val)
{
    if (val < 256) snprintf(buf, n, "-%c/--%s", val, opt_name(val));
    else snprintf(buf, n, "--%s", opt_name(val));
}

/* `what` is what the value should have been ("a number"), `accepted` the range or forms. */
static int bad_value(parser *a, int val, const char *arg, cli_parse_status st,
                     const char *what, const char *accepted)
{
    if (st == CLI_PARSE_RANGE)
        return fail(a, "--%s: '%s' is out of range (%s)", opt_name(val), arg, accepted);
    return fail(a, "--%s: '%s' is not %s (%s)", opt_name(val), arg, what, accepted);
}

static int get_int(parser *a, int val, const char *arg, long min, long max, int *dst)
{
    long v;
    cli_parse_status st = cli_parse_long(arg, min, max, &v);
    if (st) {
        char range[64];
        snprintf(range, sizeof range, "%ld..%ld", min, max);
        return bad_value(a, val, arg, st, "a whole number", range);
    }
    *dst = (int)v;
    return 0;
}

/* A library option: the library parses it, checks it and words what is wrong. */
static int set_table(parser *a, int index, const char *arg)
{
    char why[256];
    const gifc_option_info *in = gifc_option_at(index);
    if (gifc_option_set(&a->p->opts, in->name, arg, why, sizeof why) != GIFC_OK)
        return fail(a, "--%s: %s", in->name, why);
    if (index < 64) a->p->given |= 1ULL << index;
    return 0;
}

/* --end T: a time like --start's, kept by the CLI until --start is known. */
static int get_end(parser *a, const char *arg)
{
    char why[256];
    gifc_options scratch;
    gifc_options_init(&scratch);
    if (gifc_option_set(&scratch, "start", arg, why, sizeof why) != GIFC_OK)
        return fail(a, "--end: %s", why);
    a->p->end = scratch.start;
    return 0;
}

/* Whether an argument reads as a number at all (in range or not): --smooth-loop S. */
static int looks_numeric(const char *s)
{
    char *end;
    const char *d = s + (*s == '+' || *s == '-');
    if (!*d || !strchr("0123456789.", *d)) return 0;
    errno = 0;
    strtod(s, &end);
    return end != s && !*end && !strpbrk(s, "xXnNiI");
}

static int take_batch_option(parser *a, int val, const char *arg);
static int is_dir(const char *path);

/* --for NAME: looked up now, applied once every option is known (apply_target). "list"
 * is taken by the parse loop before this. */
static int get_target(parser *a, const char *arg)
{
    a->p->target = gifc_target_find(arg);
    if (a->p->target) return 0;
    char names[512];
    size_t at = 0;
    names[0] = '\0';
    for (int i = 0; i < gifc_target_count() && at < sizeof names; i++)
        at += (size_t)snprintf(names + at, sizeof names - at, "%s%s", i ? ", " : "",
                               gifc_target_at(i)->name);
    return fail(a, "--for: '%s' is not a target (%s; gifc --for list shows their rules)", arg,
                names);
}

/* The target's rules into opts, once the format (from --format or OUTPUT's extension) and
 * every explicit option are known: what the user left at its default takes the target's
 * value, what breaks a rule is a usage error naming it. */
static int apply_target(parser *a)
{
    cli_prefs *p = a->p;
    char why[256];
    if (!p->target) return 0;
    double asked = p->opts.duration;
    p->opts.format = p->format;
    if (cli_given(p, "aspect-fit") && !p->opts.aspect_w && !cli_given(p, "fill"))
        p->opts.fill = p->opts.aspect_pad ? GIFC_FILL_PAD : GIFC_FILL_CROP;
    if (gifc_target_apply(p->target, &p->opts, why, sizeof why) != GIFC_OK)
        return fail(a, "--for %s: %s", p->target->name, why);
    p->format = p->opts.format;
    if (asked <= 0 && p->opts.duration > 0) p->target_cut = p->opts.duration;
    return 0;
}

static int take_option(parser *a, int val, const char *arg)
{
    cli_prefs *p = a->p;
    switch (val) {
    case 'o': p->output = arg; return 0;
    case 'q': p->quiet = 1; return 0;
    case 'v': p->verbose++; return 0;
    case OPT_JSON: p->json = 1; return 0;
    case OPT_ESTIMATE: p->estimate = 1; return 0;
    case OPT_END: return get_end(a, arg);
    case OPT_FOR: return get_target(a, arg);
    default: break;
    }
    int i = table_index(val);
    return i >= 0 ? set_table(a, i, arg) : take_batch_option(a, val, arg);
}

static int known_option(int val)
{
    for (const struct option *o = long_opts; o->name; o++)
        if (o->val == val) return 1;
    return 0;
}

/* Words getopt's complaint ourselves (opterr = 0) so it fits the one-line error format. */
static int getopt_error(parser *a, int c, char **argv)
{
    char label[64];
    if (c == ':') {
        opt_label(label, sizeof label, optopt);
        return fail(a, "option %s needs a value (see gifc --help)", label);
    }
    if (optopt && known_option(optopt)) { /* "--json=1": a value given to a flag */
        opt_label(label, sizeof label, optopt);
        return fail(a, "option %s takes no value", label);
    }
    if (optopt) return fail(a, "unknown option '-%c' (see gifc --help)", optopt);
    /* optopt 0: an unknown or ambiguous long option, which getopt has already stepped over */
    return fail(a, "unknown or ambiguous option '%s' (see gifc --help)", argv[optind - 1]);
}

static int take_positionals(parser *a, int n, char **args)
{
    if (n == 0) return fail(a, "missing INPUT (usage: gifc [options] INPUT -o OUTPUT)");
    if (n > 1 && !a->p->output)
        return fail(a, "unexpected argument '%s' (the output goes after -o: -o %s)", args[1],
                    args[1]);
    if (n > 1) return fail(a, "unexpected argument '%s' (gifc takes one INPUT)", args[1]);
    if (!args[0][0]) return fail(a, "INPUT is an empty string");
    a->p->input = args[0];
    return 0;
}

/* Edits that only make sense together, checked once all options are known. */
static int resolve_edits(parser *a)
{
    cli_prefs *p = a->p;
    /* With --for a sticker, --aspect-fit alone says how the picture fills the exact size. */
    if (cli_given(p, "aspect-fit") && !p->opts.aspect_w && !p->target)
        return fail(a, "--aspect-fit needs --aspect W:H (the aspect to fit)");
    if (p->opts.smooth_loop > 0 && p->opts.bounce)
        return fail(a, "--smooth-loop and --bounce: a bounce already loops without a jump");
    return 0;
}

/* --end is turned into a duration here, once --start is known whatever the argument order. */
static int resolve_timing(parser *a)
{
    cli_prefs *p = a->p;
    if (p->end < 0) return 0;
    if (p->opts.duration > 0) return fail(a, "--end and --duration cannot be used together");
    double start = p->opts.start > 0 ? p->opts.start : 0;
    if (p->end <= start)
        return fail(a, "--end (%g s) must be after --start (%g s)", p->end, start);
    p->opts.duration = p->end - start;
    return 0;
}

static int resolve_output(parser *a)
{
    cli_prefs *p = a->p;
    if (p->output && !p->output[0]) return fail(a, "-o/--output: the path is empty");
    if (!p->output && strcmp(p->input, "-") == 0)
        return fail(a, "reading stdin needs -o OUTPUT (-o - writes stdout)");
    /* OUTPUT without an extension ("-o clip") gets the format's own, unless it names
     * something that exists (a folder, a device like /dev/full) or --format was given: a
     * path and a format both spelled out are taken as they are. */
    struct stat sb;
    int bare = p->output && strcmp(p->output, "-") != 0 && !path_ext(p->output) &&
               p->format == GIFC_FORMAT_AUTO && stat(p->output, &sb) != 0;
    if (p->format == GIFC_FORMAT_AUTO && p->output && !bare) {
        /* Standard output has no extension: GIF, as the library does for memory output. */
        p->format = strcmp(p->output, "-") == 0 ? GIFC_FORMAT_GIF : cli_format_from_ext(p->output);
        if (p->format == GIFC_FORMAT_AUTO)
            return fail(a, "%s: unknown output format (name it .gif, .mp4, .m4v, .webp, .apng, "
                           ".webm or .avif, or use --format gif|mp4|webp|apng|webm|avif)", p->output);
    }
    if (apply_target(a)) return -1;
    if (p->format == GIFC_FORMAT_AUTO) p->format = GIFC_FORMAT_GIF;
    if (p->output && !bare) return 0;
    if (bare) {
        const char *ext = cli_format_name(p->format);
        p->output_alloc = malloc(strlen(p->output) + strlen(ext) + 2);
        if (p->output_alloc) sprintf(p->output_alloc, "%s.%s", p->output, ext);
    } else {
        p->output_alloc = cli_default_output(p->input, p->format);
    }
    if (!p->output_alloc) return fail(a, "out of memory");
    p->output = p->output_alloc;
    return 0;
}

/* ---- batch mode: gifc DIR... -o OUTDIR ---- */

cli_parse_status cli_parse_shard(const char *s, int *k, int *n)
{
    char first[24];
    long kv, nv;
    const char *slash = strchr(s, '/');
    if (!slash || (size_t)(slash - s) >= sizeof first) return CLI_PARSE_SYNTAX;
    memcpy(first, s, (size_t)(slash - s));
    first[slash - s] = '\0';
    cli_parse_status st = cli_parse_long(first, -CLI_SHARD_MAX, CLI_SHARD_MAX, &kv);
    if (st == CLI_PARSE_OK) st = cli_parse_long(slash + 1, -CLI_SHARD_MAX, CLI_SHARD_MAX, &nv);
    if (st) return st;
    if (nv < 1 || kv < 1 || kv > nv) return CLI_PARSE_RANGE;
    *k = (int)kv;
    *n = (int)nv;
    return CLI_PARSE_OK;
}

static int push_glob(parser *a, const char ***v, int *n, const char *arg)
{
    const char **grown = realloc(*v, (size_t)(*n + 1) * sizeof *grown);
    if (!grown) return fail(a, "out of memory");
    grown[(*n)++] = arg;
    *v = grown;
    return 0;
}

static int get_shard(parser *a, const char *arg)
{
    cli_parse_status st = cli_parse_shard(arg, &a->p->shard_k, &a->p->shard_n);
    if (st == CLI_PARSE_SYNTAX)
        return bad_value(a, OPT_SHARD, arg, st, "a share", "K/N like 2/3: share K of N");
    if (st) return bad_value(a, OPT_SHARD, arg, st, "a share", "1 <= K <= N <= 1000000");
    return 0;
}

static int take_batch_option(parser *a, int val, const char *arg)
{
    cli_prefs *p = a->p;
    if (val == OPT_TO) { /* the format for every file; also fine for one file */
        char why[256];
        if (gifc_option_set(&p->opts, "format", arg, why, sizeof why) != GIFC_OK)
            return fail(a, "--to: %s", why);
        p->format = p->opts.format;
        return 0;
    }
    p->batch_option = 1;
    switch (val) {
    case 'r': p->recursive = 1; return 0;
    case 'j': return get_int(a, val, arg, 0, 1024, &p->jobs);
    case OPT_LIST: p->list = 1; return 0;
    case OPT_SHARD: return get_shard(a, arg);
    case OPT_INCLUDE: return push_glob(a, &p->includes, &p->n_includes, arg);
    case OPT_EXCLUDE: return push_glob(a, &p->excludes, &p->n_excludes, arg);
    default: return fail(a, "internal error: option %d not handled", val);
    }
}

/* The parse's one look at the file system: whether a path is a folder decides batch mode. */
static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* -o names a folder: an existing one, or a name without a .gif/.mp4/.m4v extension. */
static int output_is_folder(const cli_prefs *p)
{
    return p->output && (cli_format_from_ext(p->output) == GIFC_FORMAT_AUTO || is_dir(p->output));
}

/* The caption's companions mean nothing without it; a font that cannot be opened is said
 * now, once, rather than by every file of a batch. */
static int resolve_caption(parser *a)
{
    const cli_prefs *p = a->p;
    const char *font = p->opts.font;
    if (!p->opts.caption &&
        (cli_given(p, "caption-position") || cli_given(p, "caption-size") || font))
        return fail(a, "--caption-position, --caption-size and --font need --caption TEXT");
    FILE *f = font ? fopen(font, "rb") : NULL;
    if (font && !f) return fail(a, "--font %s: %s", font, strerror(errno));
    if (f) fclose(f);
    if (font && is_dir(font)) return fail(a, "--font %s: is a directory", font);
    return 0;
}

/* A batch when a batch option is given, or for several INPUTs or a folder INPUT with -o
 * naming a folder. gifc DIR -o x.gif and gifc a b -o x.gif stay the one-file errors they
 * always were; a folder without -o is a batch that asks for -o OUTDIR. */
static int wants_batch(const cli_prefs *p, int n, char **args)
{
    if (p->batch_option) return 1;
    if (n > 1) return output_is_folder(p);
    if (n == 0 || !is_dir(args[0])) return 0;
    return !p->output || output_is_folder(p);
}

static int resolve_batch(parser *a, int n, char **args)
{
    cli_prefs *p = a->p;
    if (n == 0) return fail(a, "missing INPUT (usage: gifc [options] DIR|FILE... -o OUTDIR)");
    if (!p->output) return fail(a, "converting a folder or several files needs -o OUTDIR");
    if (!p->output[0]) return fail(a, "-o/--output: the path is empty");
    if (p->estimate) return fail(a, "--estimate takes one INPUT, not a batch");
    if (strcmp(p->output, "-") == 0)
        return fail(a, "-o -: standard output takes one file, not a batch");
    for (int i = 0; i < n; i++) {
        if (!args[i][0]) return fail(a, "INPUT is an empty string");
        if (strcmp(args[i], "-") == 0)
            return fail(a, "INPUT '-' (standard input) cannot be part of a batch");
    }
    /* --for decides the format itself (apply_target, next) */
    if (p->format == GIFC_FORMAT_AUTO && !p->target) p->format = GIFC_FORMAT_GIF;
    p->batch = 1;
    p->inputs = args;
    p->n_inputs = n;
    p->input = args[0];
    return 0;
}

static void prefs_defaults(cli_prefs *p)
{
    memset(p, 0, sizeof *p);
    gifc_options_init(&p->opts);
    p->format = GIFC_FORMAT_AUTO;
    p->end = -1;
}

cli_action cli_parse_args(int argc, char **argv, cli_prefs *p, char *err, size_t errlen)
{
    parser a = { p, err, errlen };
    int c;
    prefs_defaults(p);
    if (errlen) err[0] = '\0';
    build_tables();
    optind = 0; /* glibc: 0 fully re-initialises getopt, so a second parse starts clean */
    opterr = 0; /* errors are worded by getopt_error() */
    while ((c = getopt_long(argc, argv, short_opts, long_opts, NULL)) != -1) {
        if (c == 'h') return CLI_ACTION_HELP;
        if (c == OPT_VERSION) return CLI_ACTION_VERSION;
        if (c == OPT_FOR && optarg && !strcmp(optarg, "list")) return CLI_ACTION_TARGETS;
        if (c == '?' || c == ':') {
            getopt_error(&a, c, argv);
            return CLI_ACTION_ERROR;
        }
        /* --smooth-loop[=S] or --smooth-loop S: getopt only hands over the '=' form, so a
         * number in the next argument is taken as the value too (a file named like a
         * number would need ./ in front). */
        const char *arg = optarg;
        int i = table_index(c);
        if (i >= 0 && (gifc_option_at(i)->flags & GIFC_OPTF_OPTIONAL_VALUE) && !arg &&
            optind < argc && looks_numeric(argv[optind]))
            arg = argv[optind++];
        if (take_option(&a, c, arg)) return CLI_ACTION_ERROR;
    }
    p->format = p->opts.format; /* --format or --to; AUTO is resolved below */
    if (resolve_edits(&a)) return CLI_ACTION_ERROR;
    if (wants_batch(p, argc - optind, argv + optind)) {
        if (resolve_batch(&a, argc - optind, argv + optind) || resolve_timing(&a) ||
            resolve_caption(&a) || apply_target(&a))
            return CLI_ACTION_ERROR;
        return CLI_ACTION_RUN;
    }
    if (take_positionals(&a, argc - optind, argv + optind) || resolve_timing(&a) ||
        resolve_caption(&a) || resolve_output(&a))
        return CLI_ACTION_ERROR;
    return CLI_ACTION_RUN;
}

void cli_prefs_free(cli_prefs *p)
{
    free(p->output_alloc);
    p->output_alloc = NULL;
    free(p->includes);
    free(p->excludes);
    p->includes = p->excludes = NULL;
    p->n_includes = p->n_excludes = 0;
}

void cli_apply_prefs(const cli_prefs *p, gifc_options *o)
{
    *o = p->opts;
    o->format = p->format;
}
