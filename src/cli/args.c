/* Command-line parsing for gifc: getopt_long loop, value parsers, output-path rules (the
 * help text is in args_help.c). Every range comes from the library's option table
 * (gifc_option_find); the CLI-only ones (--jobs, --shard) are the CLI's own.
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

/* ---- value parsers ---- */

/* Digits with at most one '.', at least one digit, in the first n characters of s. */
static int is_decimal_text_prefix(const char *s, size_t n)
{
    int digits = 0, dots = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.') dots++;
        else digits++;
    }
    return digits > 0 && dots <= 1;
}

/* strtol/strtod also accept leading blanks, hex, "inf" and "nan"; none of those is what a
 * user means on a command line, so only plain decimal characters get that far. */
static int is_decimal_text(const char *s, int real)
{
    int digits = 0;
    if (*s == '+' || *s == '-') s++;
    for (; *s; s++) {
        if (isdigit((unsigned char)*s)) digits++;
        else if (!real || !strchr(".eE+-", *s)) return 0;
    }
    return digits > 0;
}

cli_parse_status cli_parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    if (!is_decimal_text(s, 0)) return CLI_PARSE_SYNTAX;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (*end) return CLI_PARSE_SYNTAX;
    if (errno == ERANGE || v < min || v > max) return CLI_PARSE_RANGE;
    *out = v;
    return CLI_PARSE_OK;
}

cli_parse_status cli_parse_double(const char *s, double min, double max, int min_open,
                                  double *out)
{
    char *end;
    if (!is_decimal_text(s, 1)) return CLI_PARSE_SYNTAX;
    errno = 0; /* the C locale is never changed, so '.' is the decimal point */
    double v = strtod(s, &end);
    if (end == s || *end) return CLI_PARSE_SYNTAX;
    if (errno == ERANGE || !isfinite(v)) return CLI_PARSE_RANGE;
    if (v < min || v > max || (min_open && v <= min)) return CLI_PARSE_RANGE;
    *out = v + 0.0; /* turns "-0" into +0, so it never prints as -0 later */
    return CLI_PARSE_OK;
}

/* One clock field: digits only; exactly two of them after a ':' so "1:5" is not guessed. */
static int clock_field(const char **p, int two_digits, double *v)
{
    const char *s = *p;
    double acc = 0;
    size_t n = 0;
    for (; isdigit((unsigned char)s[n]); n++) acc = acc * 10 + (s[n] - '0');
    if (n == 0 || (two_digits && n != 2)) return -1;
    *p = s + n;
    *v = acc;
    return 0;
}

/* [hh:]mm:ss[.frac]; the leading field may exceed 59 ("90:00" is 90 minutes). */
static cli_parse_status parse_clock(const char *s, double *seconds)
{
    double f[3], v = 0, frac = 0;
    int n = 0;
    for (;;) {
        if (n == 3 || clock_field(&s, n > 0, &f[n])) return CLI_PARSE_SYNTAX;
        n++;
        if (*s != ':') break;
        s++;
    }
    if (*s == '.') {
        size_t digits = strspn(s + 1, "0123456789");
        if (digits == 0 || s[1 + digits]) return CLI_PARSE_SYNTAX;
        frac = strtod(s, NULL);
    } else if (*s) {
        return CLI_PARSE_SYNTAX;
    }
    if (n < 2) return CLI_PARSE_SYNTAX;
    for (int i = 0; i < n; i++) {
        if (i > 0 && f[i] >= 60) return CLI_PARSE_SYNTAX;
        v = v * 60 + f[i];
    }
    v += frac;
    if (!isfinite(v) || v > CLI_TIME_MAX) return CLI_PARSE_RANGE;
    *seconds = v;
    return CLI_PARSE_OK;
}

/* Unit multipliers for --max-size: SI for K/M/G (what file managers and chat apps show),
 * binary only when spelt KiB/MiB/GiB. Read-only data. */
static const struct {
    const char *unit;
    uint64_t factor;
} size_units[] = {
    { "", 1 }, { "b", 1 }, { "k", 1000 }, { "kb", 1000 }, { "kib", 1024 },
    { "m", 1000000 }, { "mb", 1000000 }, { "mib", 1048576 },
    { "g", 1000000000 }, { "gb", 1000000000 }, { "gib", 1073741824 },
    { "t", 1000000000000 }, { "tb", 1000000000000 }, { "tib", 1099511627776 },
};

cli_parse_status cli_parse_size(const char *s, uint64_t *bytes)
{
    return cli_parse_size_in(s, CLI_SIZE_MIN, CLI_SIZE_MAX, bytes);
}

cli_parse_status cli_parse_size_in(const char *s, double min, double max, uint64_t *bytes)
{
    const char *p = s;
    while ((*p >= '0' && *p <= '9') || *p == '.') p++;
    if (p == s || !is_decimal_text_prefix(s, (size_t)(p - s))) return CLI_PARSE_SYNTAX;
    double v = strtod(s, NULL);
    for (size_t i = 0; i < sizeof size_units / sizeof size_units[0]; i++) {
        if (strcasecmp(p, size_units[i].unit)) continue;
        double b = v * (double)size_units[i].factor;
        if (!isfinite(b) || b < min || b > max) return CLI_PARSE_RANGE;
        *bytes = (uint64_t)floor(b);
        return CLI_PARSE_OK;
    }
    return CLI_PARSE_SYNTAX;
}

cli_parse_status cli_parse_time(const char *s, double *seconds)
{
    if (strchr(s, ':')) return parse_clock(s, seconds);
    return cli_parse_double(s, 0, CLI_TIME_MAX, 0, seconds);
}

/* CSS values, so "green" means what it does on the web. Read-only data, not state. */
static const struct {
    const char *name;
    uint32_t rgb;
} color_names[] = {
    { "white", 0xffffff }, { "black", 0x000000 }, { "red", 0xff0000 }, { "green", 0x008000 },
    { "blue", 0x0000ff },  { "gray", 0x808080 },  { "grey", 0x808080 },
};

cli_parse_status cli_parse_color(const char *s, uint32_t *rgb)
{
    for (size_t i = 0; i < sizeof color_names / sizeof color_names[0]; i++) {
        if (strcasecmp(s, color_names[i].name) == 0) {
            *rgb = color_names[i].rgb;
            return CLI_PARSE_OK;
        }
    }
    const char *hex = s[0] == '#' ? s + 1 : s;
    size_t n = strlen(hex);
    if (n == 0 || strspn(hex, "0123456789abcdefABCDEF") != n) return CLI_PARSE_SYNTAX;
    unsigned long v = strtoul(hex, NULL, 16);
    if (n == 6) {
        *rgb = (uint32_t)v;
    } else if (n == 3 && hex != s) { /* #RGB: each digit doubled, as in CSS */
        *rgb = (uint32_t)(((v >> 8) & 0xf) * 0x110000 + ((v >> 4) & 0xf) * 0x1100 +
                          (v & 0xf) * 0x11);
    } else {
        return CLI_PARSE_SYNTAX;
    }
    return CLI_PARSE_OK;
}

/* n whole numbers separated by ':', each in [min[i], max]. */
static cli_parse_status parse_fields(const char *s, int n, const long *min, long max, int *v)
{
    char field[24];
    for (int i = 0; i < n; i++) {
        size_t len = strcspn(s, ":");
        if (len >= sizeof field || (i < n - 1) != (s[len] == ':')) return CLI_PARSE_SYNTAX;
        memcpy(field, s, len);
        field[len] = '\0';
        long x;
        cli_parse_status st = cli_parse_long(field, -max, max, &x);
        if (st) return st;
        if (x < min[i]) return CLI_PARSE_RANGE;
        v[i] = (int)x;
        s += len + (i < n - 1);
    }
    return CLI_PARSE_OK;
}

cli_parse_status cli_parse_ratio(const char *s, int *w, int *h)
{
    const gifc_option_info *i = gifc_option_find("aspect");
    const long min[2] = { (long)i->min, (long)i->min };
    int v[2];
    cli_parse_status st = parse_fields(s, 2, min, (long)i->max, v);
    if (st) return st;
    if (v[0] > 100 * v[1] || v[1] > 100 * v[0]) return CLI_PARSE_RANGE;
    *w = v[0];
    *h = v[1];
    return CLI_PARSE_OK;
}

cli_parse_status cli_parse_crop(const char *s, int v[4])
{
    const gifc_option_info *i = gifc_option_find("crop");
    const long min[4] = { (long)i->min, (long)i->min, 0, 0 }; /* offsets from the corner */
    return parse_fields(s, 4, min, (long)i->max, v);
}

cli_parse_status cli_parse_position(const char *s, int *pos)
{
    if (strcasecmp(s, "top") == 0) *pos = GIFC_CAPTION_TOP;
    else if (strcasecmp(s, "bottom") == 0) *pos = GIFC_CAPTION_BOTTOM;
    else return CLI_PARSE_SYNTAX;
    return CLI_PARSE_OK;
}

cli_parse_status cli_parse_percent(const char *s, double *pct)
{
    char num[32];
    size_t n = strlen(s);
    if (n && s[n - 1] == '%') n--; /* "8%" reads as what it says */
    if (n == 0 || n >= sizeof num) return CLI_PARSE_SYNTAX;
    memcpy(num, s, n);
    num[n] = '\0';
    const gifc_option_info *i = gifc_option_find("caption-size");
    return cli_parse_double(num, i->min, i->max, 0, pct);
}

cli_parse_status cli_parse_format(const char *s, gifc_format *f)
{
    if (strcasecmp(s, "gif") == 0) *f = GIFC_FORMAT_GIF;
    else if (strcasecmp(s, "mp4") == 0) *f = GIFC_FORMAT_MP4;
    else return CLI_PARSE_SYNTAX;
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
    return GIFC_FORMAT_AUTO;
}

const char *cli_format_name(gifc_format f) { return f == GIFC_FORMAT_MP4 ? "mp4" : "gif"; }

char *cli_default_output(const char *input, gifc_format f)
{
    const char *ext = f == GIFC_FORMAT_MP4 ? ".mp4" : ".gif";
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

enum {
    OPT_FORMAT = 256, /* long-only options: values outside the char range */
    OPT_FPS, OPT_WIDTH, OPT_HEIGHT, OPT_START, OPT_DURATION, OPT_END, OPT_COLORS, OPT_LOSSY, OPT_FAST, OPT_QUALITY,
    OPT_DITHER, OPT_LOOP, OPT_BACKGROUND, OPT_SPEED, OPT_AUDIO, OPT_JSON, OPT_THREADS, OPT_VERSION,
    OPT_MAX_SIZE, OPT_BEST_EFFORT, OPT_MAX_PIXELS, OPT_MAX_FRAMES, OPT_MAX_DURATION,
    OPT_MAX_DECODED
};

/* Editing's long-only options. */
enum { OPT_CROP = 768, OPT_ASPECT, OPT_ASPECT_FIT, OPT_REVERSE, OPT_BOUNCE, OPT_SMOOTH_LOOP,
       OPT_FRAMES_STEP, OPT_DROP_DUPLICATES };
/* Caption options, apart so that other editing options can follow the lists above. */
enum { OPT_CAPTION = OPT_DROP_DUPLICATES + 1, OPT_CAPTION_POSITION, OPT_CAPTION_SIZE, OPT_FONT };

/* Batch mode's long-only options, apart so the two lists grow independently. */
enum { OPT_TO = 512, OPT_INCLUDE, OPT_EXCLUDE, OPT_SHARD, OPT_LIST };

/* Read-only table, as getopt_long wants it. */
static const struct option long_opts[] = {
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
    { "format", required_argument, NULL, OPT_FORMAT },
    { "fps", required_argument, NULL, OPT_FPS },
    { "width", required_argument, NULL, OPT_WIDTH },
    { "height", required_argument, NULL, OPT_HEIGHT },
    { "start", required_argument, NULL, OPT_START },
    { "duration", required_argument, NULL, OPT_DURATION },
    { "end", required_argument, NULL, OPT_END },
    { "colors", required_argument, NULL, OPT_COLORS },
    { "lossy", required_argument, NULL, OPT_LOSSY },
    { "fast", no_argument, NULL, OPT_FAST },
    { "quality", required_argument, NULL, OPT_QUALITY },
    { "dither", required_argument, NULL, OPT_DITHER },
    { "loop", required_argument, NULL, OPT_LOOP },
    { "background", required_argument, NULL, OPT_BACKGROUND },
    { "speed", required_argument, NULL, OPT_SPEED },
    { "audio", no_argument, NULL, OPT_AUDIO },
    { "force", no_argument, NULL, 'f' },
    { "json", no_argument, NULL, OPT_JSON },
    { "quiet", no_argument, NULL, 'q' },
    { "verbose", no_argument, NULL, 'v' },
    { "threads", required_argument, NULL, OPT_THREADS },
    { "version", no_argument, NULL, OPT_VERSION },
    { "max-size", required_argument, NULL, OPT_MAX_SIZE },
    { "best-effort", no_argument, NULL, OPT_BEST_EFFORT },
    { "max-pixels", required_argument, NULL, OPT_MAX_PIXELS },
    { "max-frames", required_argument, NULL, OPT_MAX_FRAMES },
    { "max-duration", required_argument, NULL, OPT_MAX_DURATION },
    { "max-decoded", required_argument, NULL, OPT_MAX_DECODED },
    /* editing */
    { "crop", required_argument, NULL, OPT_CROP },
    { "aspect", required_argument, NULL, OPT_ASPECT },
    { "aspect-fit", required_argument, NULL, OPT_ASPECT_FIT },
    { "reverse", no_argument, NULL, OPT_REVERSE },
    { "bounce", no_argument, NULL, OPT_BOUNCE },
    { "smooth-loop", optional_argument, NULL, OPT_SMOOTH_LOOP },
    { "frames-step", required_argument, NULL, OPT_FRAMES_STEP },
    { "drop-duplicates", no_argument, NULL, OPT_DROP_DUPLICATES },
    { "caption", required_argument, NULL, OPT_CAPTION },
    { "caption-position", required_argument, NULL, OPT_CAPTION_POSITION },
    { "caption-size", required_argument, NULL, OPT_CAPTION_SIZE },
    { "font", required_argument, NULL, OPT_FONT },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

const struct option *cli_long_options(void) { return long_opts; }

/* Leading ':' makes getopt return ':' for a missing value, so we can word that error. */
static const char short_opts[] = ":o:fqvhrj:";

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

/* The table's row for a library option, by its CLI name. */
static const gifc_option_info *info_of(int val) { return gifc_option_find(opt_name(val)); }

/* A whole-number library option, in the table's range. */
static int get_table_int(parser *a, int val, const char *arg, int *dst)
{
    const gifc_option_info *i = info_of(val);
    long v;
    cli_parse_status st = cli_parse_long(arg, (long)i->min, (long)i->max, &v);
    if (st) return bad_value(a, val, arg, st, "a whole number", i->range_text);
    *dst = (int)v;
    return 0;
}

/* A real-number library option, in the table's range. */
static int get_table_real(parser *a, int val, const char *arg, double *dst)
{
    const gifc_option_info *i = info_of(val);
    cli_parse_status st = cli_parse_double(arg, i->min, i->max,
                                           (i->flags & GIFC_OPTF_MIN_OPEN) != 0, dst);
    return st ? bad_value(a, val, arg, st, "a number", i->range_text) : 0;
}

/* A time: the table's range for a library option, --start's for --end. */
static int get_time(parser *a, int val, const char *arg, double *dst)
{
    const gifc_option_info *i = val == OPT_END ? gifc_option_find("start") : info_of(val);
    double v;
    cli_parse_status st = cli_parse_time(arg, &v);
    if (st == CLI_PARSE_SYNTAX)
        return bad_value(a, val, arg, st, "a time",
                         "seconds like 90 or 1.5, or [hh:]mm:ss[.ms] like 1:30 or 01:02:03.5");
    if (st == CLI_PARSE_OK && (v > i->max || ((i->flags & GIFC_OPTF_MIN_OPEN) && v <= i->min)))
        st = CLI_PARSE_RANGE;
    if (st) return bad_value(a, val, arg, st, "a time", i->range_text);
    *dst = v;
    return 0;
}

static int get_color(parser *a, const char *arg)
{
    if (strcasecmp(arg, "transparent") == 0)
        return fail(a, "--background: MP4 has no transparency; give an opaque colour");
    cli_parse_status st = cli_parse_color(arg, &a->p->background);
    if (st)
        return bad_value(a, OPT_BACKGROUND, arg, st, "a colour",
                         "#RRGGBB, RRGGBB, #RGB, white, black, red, green, blue, gray");
    a->p->has_background = 1;
    return 0;
}

static int get_format(parser *a, const char *arg)
{
    if (cli_parse_format(arg, &a->p->format))
        return fail(a, "--format: '%s' is not supported (gif, mp4)", arg);
    return 0;
}

static int get_size(parser *a, const char *arg)
{
    cli_parse_status st = cli_parse_size(arg, &a->p->max_size);
    if (st == CLI_PARSE_SYNTAX)
        return bad_value(a, OPT_MAX_SIZE, arg, st, "a size",
                         "a number with B, K/KB, KiB, M/MB, MiB, G/GB or GiB, like 500K or 8MB");
    if (st) return bad_value(a, OPT_MAX_SIZE, arg, st, "a size", info_of(OPT_MAX_SIZE)->range_text);
    return 0;
}

static int get_count(parser *a, int val, const char *arg, uint64_t *dst)
{
    const gifc_option_info *i = info_of(val);
    cli_parse_status st = cli_parse_size_in(arg, i->min, i->max, dst);
    const char *forms = val == OPT_MAX_DECODED ? "bytes like 500G, 2TB or 4TiB"
                                               : "a count like 5000, 20M or 1.5G";
    if (st == CLI_PARSE_SYNTAX) return bad_value(a, val, arg, st, "a number", forms);
    if (st) return bad_value(a, val, arg, st, "a number", i->range_text);
    return 0;
}

/* The input limits (--max-pixels and co): a value >= 1 each, checked by the library. */
static int take_limit_option(parser *a, int val, const char *arg)
{
    cli_prefs *p = a->p;
    switch (val) {
    case OPT_MAX_PIXELS: return get_count(a, val, arg, &p->max_pixels);
    case OPT_MAX_FRAMES: return get_count(a, val, arg, &p->max_frames);
    case OPT_MAX_DECODED: return get_count(a, val, arg, &p->max_decoded);
    default: return get_time(a, val, arg, &p->max_duration);
    }
}

static int take_batch_option(parser *a, int val, const char *arg);

static int get_crop(parser *a, const char *arg)
{
    cli_parse_status st = cli_parse_crop(arg, a->p->crop);
    if (st == CLI_PARSE_SYNTAX)
        return bad_value(a, OPT_CROP, arg, st, "a rectangle",
                         "W:H:X:Y in pixels of the picture as shown, like 320:240:0:60");
    if (st)
        return bad_value(a, OPT_CROP, arg, st, "a rectangle", info_of(OPT_CROP)->range_text);
    return 0;
}

static int get_ratio(parser *a, const char *arg)
{
    cli_parse_status st = cli_parse_ratio(arg, &a->p->aspect_w, &a->p->aspect_h);
    if (st == CLI_PARSE_SYNTAX)
        return bad_value(a, OPT_ASPECT, arg, st, "an aspect ratio",
                         "W:H like 1:1, 4:5, 9:16, 16:9");
    if (st)
        return bad_value(a, OPT_ASPECT, arg, st, "an aspect ratio",
                         info_of(OPT_ASPECT)->range_text);
    return 0;
}

static int get_fit(parser *a, const char *arg)
{
    if (strcasecmp(arg, "crop") && strcasecmp(arg, "pad"))
        return fail(a, "--aspect-fit: '%s' is not crop or pad", arg);
    a->p->aspect_pad = strcasecmp(arg, "pad") == 0;
    a->p->aspect_fit_given = 1;
    return 0;
}

/* --smooth-loop[=S] or --smooth-loop S: getopt only hands over the '=' form, so a number
 * in the next argument is taken as the value too (a file named like a number would need
 * ./ in front). */
static int get_smooth_loop(parser *a, int argc, char **argv, const char *arg)
{
    double v;
    if (!arg && optind < argc &&
            cli_parse_double(argv[optind], 0, info_of(OPT_SMOOTH_LOOP)->max, 0, &v) != CLI_PARSE_SYNTAX)
        arg = argv[optind++];
    if (!arg) {
        a->p->smooth_loop = CLI_SMOOTH_LOOP_DEFAULT;
        return 0;
    }
    return get_table_real(a, OPT_SMOOTH_LOOP, arg, &a->p->smooth_loop);
}

/* Crop, aspect and the time edits. */
static int take_edit_option(parser *a, int val, const char *arg)
{
    cli_prefs *p = a->p;
    switch (val) {
    case OPT_CROP: return get_crop(a, arg);
    case OPT_ASPECT: return get_ratio(a, arg);
    case OPT_ASPECT_FIT: return get_fit(a, arg);
    case OPT_REVERSE: p->reverse = 1; return 0;
    case OPT_BOUNCE: p->bounce = 1; return 0;
    case OPT_FRAMES_STEP: return get_table_int(a, val, arg, &p->frames_step);
    case OPT_DROP_DUPLICATES: p->drop_duplicates = 1; return 0;
    default: return take_batch_option(a, val, arg);
    }
}

static int take_caption_option(parser *a, int val, const char *arg)
{
    cli_prefs *p = a->p;
    cli_parse_status st;
    switch (val) {
    case OPT_CAPTION:
        if (!*arg) return fail(a, "--caption: the text is empty");
        p->caption = arg;
        return 0;
    case OPT_CAPTION_POSITION:
        if (cli_parse_position(arg, &p->caption_position))
            return fail(a, "--caption-position: '%s' is not top or bottom", arg);
        return 0;
    case OPT_CAPTION_SIZE:
        st = cli_parse_percent(arg, &p->caption_size);
        return st ? bad_value(a, val, arg, st, "a percentage", info_of(val)->range_text) : 0;
    default:
        if (!*arg) return fail(a, "--font: the path is empty");
        p->font = arg;
        return 0;
    }
}

static int take_option(parser *a, int val, const char *arg)
{
    cli_prefs *p = a->p;
    switch (val) {
    case 'o': p->output = arg; return 0;
    case 'f': p->force = 1; return 0;
    case 'q': p->quiet = 1; return 0;
    case 'v': p->verbose++; return 0;
    case OPT_AUDIO: p->audio = 1; return 0;
    case OPT_JSON: p->json = 1; return 0;
    case OPT_FORMAT: return get_format(a, arg);
    case OPT_FPS: return get_table_real(a, val, arg, &p->fps);
    case OPT_WIDTH: return get_table_int(a, val, arg, &p->width);
    case OPT_HEIGHT: return get_table_int(a, val, arg, &p->height);
    case OPT_START: return get_time(a, val, arg, &p->start);
    case OPT_DURATION: return get_time(a, val, arg, &p->duration);
    case OPT_END: return get_time(a, val, arg, &p->end);
    case OPT_COLORS: return get_table_int(a, val, arg, &p->colors);
    case OPT_LOSSY: return get_table_int(a, val, arg, &p->lossy);
    case OPT_FAST: p->fast = 1; return 0;
    case OPT_QUALITY: return get_table_int(a, val, arg, &p->quality);
    case OPT_DITHER: return get_table_real(a, val, arg, &p->dither);
    case OPT_LOOP: return get_table_int(a, val, arg, &p->loop);
    case OPT_BACKGROUND: return get_color(a, arg);
    case OPT_SPEED: return get_table_real(a, val, arg, &p->speed);
    case OPT_THREADS: return get_table_int(a, val, arg, &p->threads);
    case OPT_MAX_SIZE: return get_size(a, arg);
    case OPT_BEST_EFFORT: p->best_effort = 1; return 0;
    case OPT_MAX_PIXELS:
    case OPT_MAX_FRAMES:
    case OPT_MAX_DURATION:
    case OPT_MAX_DECODED: return take_limit_option(a, val, arg);
    case OPT_CAPTION:
    case OPT_CAPTION_POSITION:
    case OPT_CAPTION_SIZE:
    case OPT_FONT: return take_caption_option(a, val, arg);
    default: return take_edit_option(a, val, arg);
    }
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
    if (p->aspect_fit_given && !p->aspect_w)
        return fail(a, "--aspect-fit needs --aspect W:H (the aspect to fit)");
    if (p->smooth_loop > 0 && p->bounce)
        return fail(a, "--smooth-loop and --bounce: a bounce already loops without a jump");
    return 0;
}

/* --end is turned into a duration here, once --start is known whatever the argument order. */
static int resolve_timing(parser *a)
{
    cli_prefs *p = a->p;
    if (p->end < 0) return 0;
    if (p->duration > 0) return fail(a, "--end and --duration cannot be used together");
    double start = p->start > 0 ? p->start : 0;
    if (p->end <= start)
        return fail(a, "--end (%g s) must be after --start (%g s)", p->end, start);
    p->duration = p->end - start;
    return 0;
}

static int resolve_output(parser *a)
{
    cli_prefs *p = a->p;
    if (p->output && !p->output[0]) return fail(a, "-o/--output: the path is empty");
    if (!p->output && strcmp(p->input, "-") == 0)
        return fail(a, "reading stdin needs -o OUTPUT (-o - writes stdout)");
    if (p->format == GIFC_FORMAT_AUTO && p->output) {
        /* Standard output has no extension: GIF, as the library does for memory output. */
        p->format = strcmp(p->output, "-") == 0 ? GIFC_FORMAT_GIF : cli_format_from_ext(p->output);
        if (p->format == GIFC_FORMAT_AUTO)
            return fail(a, "%s: unknown output format (name it .gif, .mp4 or .m4v, "
                           "or use --format gif|mp4)", p->output);
    }
    if (p->format == GIFC_FORMAT_AUTO) p->format = GIFC_FORMAT_GIF;
    if (p->output) return 0;
    p->output_alloc = cli_default_output(p->input, p->format);
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
        if (cli_parse_format(arg, &p->format))
            return fail(a, "--to: '%s' is not supported (gif, mp4)", arg);
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
    if (!p->caption && (p->caption_position >= 0 || p->caption_size > 0 || p->font))
        return fail(a, "--caption-position, --caption-size and --font need --caption TEXT");
    FILE *f = p->font ? fopen(p->font, "rb") : NULL;
    if (p->font && !f) return fail(a, "--font %s: %s", p->font, strerror(errno));
    if (f) fclose(f);
    if (p->font && is_dir(p->font)) return fail(a, "--font %s: is a directory", p->font);
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
    if (strcmp(p->output, "-") == 0)
        return fail(a, "-o -: standard output takes one file, not a batch");
    for (int i = 0; i < n; i++) {
        if (!args[i][0]) return fail(a, "INPUT is an empty string");
        if (strcmp(args[i], "-") == 0)
            return fail(a, "INPUT '-' (standard input) cannot be part of a batch");
    }
    if (p->format == GIFC_FORMAT_AUTO) p->format = GIFC_FORMAT_GIF;
    p->batch = 1;
    p->inputs = args;
    p->n_inputs = n;
    p->input = args[0];
    return 0;
}

static void prefs_defaults(cli_prefs *p)
{
    memset(p, 0, sizeof *p);
    p->format = GIFC_FORMAT_AUTO;
    p->start = -1;
    p->end = -1;
    p->dither = -1;
    p->loop = -1;
    p->threads = -1;
    p->caption_position = -1;
}

cli_action cli_parse_args(int argc, char **argv, cli_prefs *p, char *err, size_t errlen)
{
    parser a = { p, err, errlen };
    int c;
    prefs_defaults(p);
    if (errlen) err[0] = '\0';
    optind = 0; /* glibc: 0 fully re-initialises getopt, so a second parse starts clean */
    opterr = 0; /* errors are worded by getopt_error() */
    while ((c = getopt_long(argc, argv, short_opts, long_opts, NULL)) != -1) {
        if (c == 'h') return CLI_ACTION_HELP;
        if (c == OPT_VERSION) return CLI_ACTION_VERSION;
        if (c == '?' || c == ':') {
            getopt_error(&a, c, argv);
            return CLI_ACTION_ERROR;
        }
        if (c == OPT_SMOOTH_LOOP ? get_smooth_loop(&a, argc, argv, optarg)
                                 : take_option(&a, c, optarg))
            return CLI_ACTION_ERROR;
    }
    if (resolve_edits(&a)) return CLI_ACTION_ERROR;
    if (wants_batch(p, argc - optind, argv + optind)) {
        if (resolve_batch(&a, argc - optind, argv + optind) || resolve_timing(&a) ||
            resolve_caption(&a))
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
    o->format = p->format;
    if (p->fps > 0) o->fps = p->fps;
    if (p->width > 0) o->width = p->width;
    if (p->height > 0) o->height = p->height;
    if (p->start >= 0) o->start = p->start;
    if (p->duration > 0) o->duration = p->duration;
    if (p->colors > 0) o->colors = p->colors;
    if (p->lossy > 0) o->lossy = p->lossy;
    o->fast = p->fast;
    if (p->quality > 0) o->quality = p->quality;
    if (p->dither >= 0) o->dither = p->dither;
    if (p->loop >= 0) o->loop = p->loop;
    if (p->has_background) o->background = p->background;
    if (p->speed > 0) o->speed = p->speed;
    if (p->threads >= 0) o->threads = p->threads;
    if (p->audio) o->audio = 1;
    if (p->force) o->overwrite = 1;
    o->max_size = p->max_size;
    o->best_effort = p->best_effort;
    if (p->max_pixels) o->max_pixels = p->max_pixels;
    if (p->max_frames) o->max_frames = (int64_t)p->max_frames;
    if (p->max_duration > 0) o->max_duration = p->max_duration;
    if (p->max_decoded) o->max_decoded_bytes = p->max_decoded;
    if (p->crop[0]) {
        o->crop_w = p->crop[0];
        o->crop_h = p->crop[1];
        o->crop_x = p->crop[2];
        o->crop_y = p->crop[3];
    }
    o->aspect_w = p->aspect_w;
    o->aspect_h = p->aspect_h;
    o->aspect_pad = p->aspect_pad;
    o->reverse = p->reverse;
    o->bounce = p->bounce;
    o->smooth_loop = p->smooth_loop;
    o->frames_step = p->frames_step;
    o->drop_duplicates = p->drop_duplicates;
    if (p->caption) o->caption = p->caption;
    if (p->caption_position >= 0) o->caption_position = p->caption_position;
    if (p->caption_size > 0) o->caption_size = p->caption_size;
    if (p->font) o->font = p->font;
}
