/* The option table: every option of gifc_options once (name, field, type, range, default,
 * unit, help, outputs, flags), and everything made from it: the defaults, the validator, the
 * query API and the text parsers (gifc_option_set / gifc_option_get).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "api/options.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* How a row's field is stored. */
typedef enum store { ST_INT, ST_DOUBLE, ST_U64, ST_I64, ST_U32, ST_STR } store;

typedef struct row {
    gifc_option_info info; /* first: a gifc_option_info pointer is a row pointer */
    size_t off;            /* offset of the (first) field */
    store st;
    int parts;             /* fields set: 1, 2 (RATIO) or 4 (RECT) */
    double same;           /* a second value that does the same as the default (NaN: none) */
} row;

#define OFF(f) offsetof(gifc_options, f)
#define NONE NAN
#define GIF GIFC_APPLIES_GIF
#define MP4 GIFC_APPLIES_MP4
#define WEBP GIFC_APPLIES_WEBP
#define APNG GIFC_APPLIES_APNG
#define WEBM GIFC_APPLIES_WEBM
#define AVIF GIFC_APPLIES_AVIF
#define BOTH (GIFC_APPLIES_GIF | GIFC_APPLIES_MP4 | GIFC_APPLIES_WEBP | APNG | WEBM | AVIF)
#define PIC GIFC_OPTF_PICTURE
#define ZERO GIFC_OPTF_ZERO_AUTO
#define NEG GIFC_OPTF_NEG_AUTO
#define OPEN GIFC_OPTF_MIN_OPEN
#define LIM GIFC_OPTF_LIMIT
#define REP GIFC_OPTF_REPORT

/* The largest time a user may give (about 115 days): keeps the conversions to integer
 * timestamps far from overflow. */
#define TIME_MAX 1e7

#define R(name_, field_, fields_, type_, min_, max_, def_, deftext_, unit_, ph_, choices_, \
          range_, help_, applies_, flags_, short_, st_, parts_, same_)                      \
    { { name_, #field_, fields_, type_, min_, max_, def_, deftext_, 0, unit_, ph_, choices_, \
        range_, help_, applies_, flags_, short_ },                                            \
      OFF(field_), st_, parts_, same_ }
/* The common shapes. */
#define INT(n, f, lo, hi, def, dt, unit, range, help, app, fl) \
    R(n, f, #f, GIFC_OPT_INT, lo, hi, def, dt, unit, "N", NULL, range, help, app, fl, 0, ST_INT, 1, NONE)
#define DBL(n, f, type, ph, lo, hi, def, dt, unit, range, help, app, fl) \
    R(n, f, #f, type, lo, hi, def, dt, unit, ph, NULL, range, help, app, fl, 0, ST_DOUBLE, 1, NONE)
#define BOOL(n, f, help, app, fl, sh) \
    R(n, f, #f, GIFC_OPT_BOOL, 0, 1, 0, "off", "", "", NULL, "0 or 1", help, app, fl, sh, ST_INT, 1, NONE)

/* In --help's order. Ranges are what a user may give; ZERO_AUTO / NEG_AUTO add the
 * library's "default" sentinels on top. */
static const row rows[] = {
    R("format", format, "format", GIFC_OPT_CHOICE, GIFC_FORMAT_GIF, GIFC_FORMAT_AVIF, 0,
      "from OUTPUT's extension", "", "gif|mp4|webp|apng|webm|avif",
      "gif|mp4|webp|apng|webm|avif", "gif, mp4, webp, apng, webm, avif",
      "output format",
      BOTH, ZERO, 0, ST_INT, 1, NONE),
    INT("quality", quality, 1, 100, 90, "90", "", "1..100",
        "GIF colour fidelity, MP4, WebP, WebM and AVIF quality", BOTH, ZERO),
    BOOL("fast", fast, "quicker, somewhat bigger files", BOTH, 0, 0),
    BOOL("force", overwrite, "replace OUTPUT if it exists", BOTH, 0, 'f'),
    DBL("start", start, GIFC_OPT_TIME, "T", 0, TIME_MAX, 0, "0", "s", "0..10000000 s",
        "begin T into INPUT", BOTH, PIC | REP),
    DBL("duration", duration, GIFC_OPT_TIME, "T", 0, TIME_MAX, 0, "up to the end", "s",
        "above 0, up to 10000000 s", "convert T of INPUT", BOTH, PIC | OPEN | ZERO | NEG | REP),
    DBL("fps", fps, GIFC_OPT_DOUBLE, "N", 0, 100, 0, "source", "fps", "above 0, up to 100",
        "frames a second", BOTH, PIC | OPEN | ZERO),
    R("speed", speed, "speed", GIFC_OPT_DOUBLE, 0.25, 4, 1, "1", "x", "X", NULL, "0.25..4",
      "playback speed", BOTH, PIC | ZERO | REP, 0, ST_DOUBLE, 1, NONE),
    INT("width", width, 1, 16384, 0, "auto", "px", "1..16384", "box width to fit inside",
        BOTH, PIC | ZERO),
    INT("height", height, 1, 16384, 0, "auto", "px", "1..16384", "box height to fit inside",
        BOTH, PIC | ZERO),
    R("crop", crop_w, "crop_w crop_h crop_x crop_y", GIFC_OPT_RECT, 1, 65535, 0, "none", "px",
      "W:H:X:Y", NULL, "W, H 1..65535; X, Y 0..65535",
      "keep the W x H rectangle whose top-left corner is X,Y", BOTH, PIC | ZERO | REP, 0, ST_INT, 4,
      NONE),
    R("aspect", aspect_w, "aspect_w aspect_h", GIFC_OPT_RATIO, 1, 10000, 0, "none", "",
      "W:H", NULL, "1..10000 each, within 1:100..100:1",
      "cut the picture to W:H around its centre", BOTH, PIC | ZERO | REP, 0, ST_INT, 2, NONE),
    R("aspect-fit", aspect_pad, "aspect_pad", GIFC_OPT_CHOICE, 0, 1, 0, "crop", "",
      "crop|pad", "crop|pad", "crop, pad", "with aspect: cut (crop) or letterbox (pad)", BOTH,
      REP, 0, ST_INT, 1, NONE),
    R("fill", fill, "fill", GIFC_OPT_CHOICE, GIFC_FILL_NONE, GIFC_FILL_FIT, GIFC_FILL_NONE,
      "none", "", "HOW", "none|pad|crop|fit", "none, pad, crop, fit",
      "fill WxH exactly: pad (transparent) or crop; fit: upscale", BOTH, PIC | REP, 0,
      ST_INT, 1, NONE),
    BOOL("reverse", reverse, "play backwards", BOTH, PIC | REP, 0),
    BOOL("bounce", bounce, "forward then backward (ping-pong)", BOTH, PIC | REP, 0),
    { { "smooth-loop", "smooth_loop", "smooth_loop", GIFC_OPT_DOUBLE, 0, 3600, 0, "off", 1,
        "s", "S", NULL, "above 0, up to 3600", "crossfade the last S seconds into the first",
        BOTH, PIC | OPEN | ZERO | GIFC_OPTF_OPTIONAL_VALUE | REP, 0 },
      OFF(smooth_loop), ST_DOUBLE, 1, NONE },
    R("frames-step", frames_step, "frames_step", GIFC_OPT_INT, 1, 1000, 0, "1", "", "N", NULL,
      "1..1000", "keep every Nth frame", BOTH, PIC | ZERO | REP, 0, ST_INT, 1, 1),
    BOOL("drop-duplicates", drop_duplicates, "merge identical frames into the previous one",
         BOTH, PIC | REP, 0),
    R("caption", caption, "caption", GIFC_OPT_STRING, 0, 0, NONE, "none", "", "TEXT", NULL,
      "UTF-8 text", "text drawn on every frame", BOTH, PIC | REP, 0, ST_STR, 1, NONE),
    R("caption-position", caption_position, "caption_position", GIFC_OPT_CHOICE,
      GIFC_CAPTION_BOTTOM, GIFC_CAPTION_TOP, GIFC_CAPTION_BOTTOM, "bottom", "", "top|bottom",
      "bottom|top", "top, bottom", "where the caption goes", BOTH, REP, 0, ST_INT, 1, NONE),
    DBL("caption-size", caption_size, GIFC_OPT_DOUBLE, "PERCENT", 2, 50, 0, "8", "%",
        "2..50, of the frame height", "caption height, percent of the frame height", BOTH,
        ZERO | REP),
    R("font", font, "font", GIFC_OPT_STRING, 0, 0, NONE, "fontconfig's sans", "", "FILE", NULL,
      "a font file", "font file for the caption (TTF, OTF, TTC)", BOTH, REP, 0, ST_STR, 1, NONE),
    R("max-size", max_size, "max_size", GIFC_OPT_SIZE, 1000, 1e12, 0, "none", "B", "SIZE",
      NULL, "1 KB..1 TB", "never write more than SIZE bytes", BOTH, ZERO, 0, ST_U64, 1, NONE),
    BOOL("best-effort", best_effort, "with max-size: write the smallest result reached", BOTH,
         0, 0),
    R("colors", colors, "colors", GIFC_OPT_INT, 2, 256, 256, "256", "", "N", NULL, "2..256",
      "GIF palette size", GIF, PIC | ZERO, 0, ST_INT, 1, NONE),
    DBL("dither", dither, GIFC_OPT_DOUBLE, "X", 0, 1, -1, "1.0", "", "0..1",
        "GIF dithering strength", GIF, NEG),
    INT("lossy", lossy, 0, 200, 0, "0", "", "0..200", "GIF lossy LZW level, 0 = exact", GIF, 0),
    INT("loop", loop, 0, 65535, 0, "0", "", "0..65535",
        "GIF/WebP/APNG times to loop, 0 = forever (negative: play once)", GIF | WEBP | APNG,
        PIC | GIFC_OPTF_NEG_SPECIAL | REP),
    BOOL("lossless", lossless, "WebP: every frame lossless", WEBP, 0, 0),
    BOOL("audio", audio, "keep the audio track, as AAC", MP4, 0, 0),
    R("background", background, "background", GIFC_OPT_COLOR, 0, 0xFFFFFF, 0xFFFFFF, "white",
      "", "COLOR", NULL, "#RRGGBB, RRGGBB, #RGB, white, black, red, green, blue, gray",
      "what transparency and aspect-fit pad's bars become", BOTH, REP, 0, ST_U32, 1, NONE),
    INT("threads", threads, 0, 256, 0, "0", "", "0..256", "worker threads, 0 = one per core",
        BOTH, 0),
    R("max-pixels", max_pixels, "max_pixels", GIFC_OPT_SIZE, 1, 1e18,
      (double)GIFC_DEFAULT_MAX_PIXELS, "50M", "px", "N", NULL, "1..1e18",
      "pixels in one frame", BOTH, ZERO | LIM, 0, ST_U64, 1, NONE),
    R("max-frames", max_frames, "max_frames", GIFC_OPT_SIZE, 1, 1e18,
      (double)GIFC_DEFAULT_MAX_FRAMES, "2M", "", "N", NULL, "1..1e18",
      "frames decoded, or declared by the file", BOTH, ZERO | LIM, 0, ST_I64, 1, NONE),
    DBL("max-duration", max_duration, GIFC_OPT_TIME, "T", 0, TIME_MAX,
        GIFC_DEFAULT_MAX_DURATION, "12:00:00", "s", "above 0, up to 10000000 s",
        "time of INPUT read", BOTH, OPEN | ZERO | LIM),
    R("max-decoded", max_decoded_bytes, "max_decoded_bytes", GIFC_OPT_SIZE, 1, 1e18,
      (double)GIFC_DEFAULT_MAX_DECODED_BYTES, "32TiB", "B", "SIZE", NULL, "1..1e18",
      "decoded pictures, at width x height x 4 bytes a frame", BOTH, ZERO | LIM, 0, ST_U64, 1,
      NONE),
};
#define N_ROWS ((int)(sizeof rows / sizeof rows[0]))

GIFC_API int gifc_option_count(void) { return N_ROWS; }

GIFC_API const gifc_option_info *gifc_option_at(int i)
{
    return i >= 0 && i < N_ROWS ? &rows[i].info : NULL;
}

/* Whether word (len n) is one of the space-separated words of list. */
static int in_list(const char *list, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, " ");
        if (len == n && strncmp(p, word, n) == 0) return 1;
        p += len;
        while (*p == ' ') p++;
    }
    return 0;
}

static const row *find_row(const char *name)
{
    if (!name || !*name) return NULL;
    for (int i = 0; i < N_ROWS; i++)
        if (!strcmp(rows[i].info.name, name) || in_list(rows[i].info.fields, name))
            return &rows[i];
    return NULL;
}

GIFC_API const gifc_option_info *gifc_option_find(const char *name)
{
    const row *r = find_row(name);
    return r ? &r->info : NULL;
}

/* ---- field access ---- */

static void *field_at(const gifc_options *o, const row *r, int part)
{
    size_t size = r->st == ST_INT ? sizeof(int) : 0;
    return (char *)o + r->off + (size_t)part * size;
}

static size_t field_end(const row *r)
{
    switch (r->st) {
    case ST_INT: return r->off + (size_t)r->parts * sizeof(int);
    case ST_DOUBLE: return r->off + sizeof(double);
    case ST_U64: return r->off + sizeof(uint64_t);
    case ST_I64: return r->off + sizeof(int64_t);
    case ST_U32: return r->off + sizeof(uint32_t);
    default: return r->off + sizeof(const char *);
    }
}

static double get_num(const gifc_options *o, const row *r, int part)
{
    const void *p = field_at(o, r, part);
    switch (r->st) {
    case ST_INT: return *(const int *)p;
    case ST_DOUBLE: return *(const double *)p;
    case ST_U64: return (double)*(const uint64_t *)p;
    case ST_I64: return (double)*(const int64_t *)p;
    case ST_U32: return *(const uint32_t *)p;
    default: return *(const char *const *)p ? 1 : 0;
    }
}

/* v is already checked to be in range for the store. */
static void put_num(gifc_options *o, const row *r, int part, double v)
{
    void *p = field_at(o, r, part);
    switch (r->st) {
    case ST_INT: *(int *)p = (int)v; break;
    case ST_DOUBLE: *(double *)p = v; break;
    case ST_U64: *(uint64_t *)p = (uint64_t)v; break;
    case ST_I64: *(int64_t *)p = (int64_t)v; break;
    case ST_U32: *(uint32_t *)p = (uint32_t)v; break;
    default: break;
    }
}

/* ---- defaults, import ---- */

static void set_defaults(gifc_options *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 0; i < N_ROWS; i++)
        if (rows[i].st != ST_STR && rows[i].parts == 1)
            put_num(o, &rows[i], 0, rows[i].info.default_value);
    o->struct_size = sizeof *o;
}

GIFC_API void gifc_options_init_sized(gifc_options *o, size_t size)
{
    if (!o || size < offsetof(gifc_options, format)) return;
    gifc_options d;
    set_defaults(&d);
    d.struct_size = size;
    memcpy(o, &d, size < sizeof d ? size : sizeof d);
}

gifc_error options_import(const gifc_options *in, gifc_options *full, const char **why)
{
    set_defaults(full);
    if (!in) return GIFC_OK;
    size_t size = in->struct_size;
    if (size < offsetof(gifc_options, format) + sizeof(in->format)) {
        if (why) *why = "options not set up by gifc_options_init (struct_size is 0 or too small)";
        return GIFC_ERR_INVALID_ARG;
    }
    memcpy(full, in, size < sizeof *full ? size : sizeof *full);
    full->struct_size = sizeof *full;
    return GIFC_OK;
}

static int at_default(const gifc_options *o, const row *r)
{
    if (r->st == ST_STR) {
        const char *s = *(const char *const *)field_at(o, r, 0);
        return !s || !*s;
    }
    double v = get_num(o, r, 0);
    unsigned fl = r->info.flags;
    return v == r->info.default_value || ((fl & GIFC_OPTF_ZERO_AUTO) && v == 0) ||
           ((fl & GIFC_OPTF_NEG_AUTO) && v < 0) || v == r->same;
}

int options_change_picture(const gifc_options *o)
{
    for (int i = 0; i < N_ROWS; i++)
        if ((rows[i].info.flags & GIFC_OPTF_PICTURE) && !at_default(o, &rows[i])) return 1;
    return 0;
}

/* ---- validation ---- */

static _Thread_local char why_buf[256];

static const char *say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why_buf, sizeof why_buf, fmt, ap);
    va_end(ap);
    return why_buf;
}

/* v inside [min, max] (above min with MIN_OPEN). */
static int in_range(const row *r, double v)
{
    const gifc_option_info *i = &r->info;
    if (!(v >= i->min && v <= i->max)) return 0;
    return !((i->flags & GIFC_OPTF_MIN_OPEN) && v <= i->min);
}

/* One numeric field: finite, and in range or one of the flagged sentinels. */
static const char *number_why(const gifc_options *o, const row *r)
{
    const gifc_option_info *i = &r->info;
    double v = get_num(o, r, 0);
    if (!isfinite(v)) return say("%s is not a finite number", i->field);
    /* 64-bit counts compare as integers: a double cannot tell 1e18 + 1 from 1e18. */
    if (r->st == ST_U64 && *(const uint64_t *)field_at(o, r, 0) > (uint64_t)i->max) v = INFINITY;
    if (r->st == ST_I64 && *(const int64_t *)field_at(o, r, 0) > (int64_t)i->max) v = INFINITY;
    if (in_range(r, v) || ((i->flags & GIFC_OPTF_ZERO_AUTO) && v == 0) ||
        ((i->flags & (GIFC_OPTF_NEG_AUTO | GIFC_OPTF_NEG_SPECIAL)) && v < 0))
        return NULL;
    if (i->type == GIFC_OPT_CHOICE) return say("%s must be one of %s", i->field, i->range_text);
    if (i->flags & GIFC_OPTF_ZERO_AUTO)
        return say("%s must be 0 (%s) or %s", i->field, i->default_text, i->range_text);
    return say("%s must be %s", i->field, i->range_text);
}

/* Crop and aspect: each part 0..max, then how the parts go together. */
static const char *geometry_why(const gifc_options *o)
{
    const row *crop = find_row("crop"), *aspect = find_row("aspect");
    for (int k = 0; k < 4; k++) {
        int v = *(const int *)field_at(o, crop, k);
        if (v < 0 || v > crop->info.max)
            return say("crop sizes and offsets must be 0..%.0f", crop->info.max);
    }
    if (!o->crop_w != !o->crop_h) return "crop needs both a width and a height";
    if (!o->crop_w && (o->crop_x || o->crop_y)) return "crop offsets need a crop size";
    if (o->aspect_w < 0 || o->aspect_h < 0 || o->aspect_w > aspect->info.max ||
        o->aspect_h > aspect->info.max || !o->aspect_w != !o->aspect_h)
        return say("aspect must be W:H with both %.0f..%.0f, or 0:0 for none",
                   aspect->info.min, aspect->info.max);
    if (o->aspect_w && ((double)o->aspect_w / o->aspect_h > 100 ||
                        (double)o->aspect_h / o->aspect_w > 100))
        return "aspect must be within 1:100 and 100:1";
    if (o->fill && (o->width <= 0 || o->height <= 0))
        return "fill needs both a width and a height (the box to fill)";
    return NULL;
}

/* Checks the caption's text (defined in context.c, which knows the caption module). */
const char *options_caption_why(const gifc_options *o);

static const char *options_why(const gifc_options *o)
{
    const char *w;
    for (int i = 0; i < N_ROWS; i++) {
        const row *r = &rows[i];
        if (r->st == ST_STR || r->parts > 1) continue;
        if ((w = number_why(o, r))) return w;
    }
    if ((w = geometry_why(o))) return w;
    if (o->smooth_loop > 0 && o->bounce)
        return "smooth_loop and bounce: a bounce already loops without a jump";
    if (o->font && !*o->font) return "font is an empty path";
    return options_caption_why(o);
}

GIFC_API gifc_error gifc_options_validate(const gifc_options *opts, const char **why)
{
    gifc_options full;
    const char *w = NULL;
    if (!opts) w = "options are NULL";
    else if (options_import(opts, &full, &w) == GIFC_OK) w = options_why(&full);
    if (why) *why = w;
    return w ? GIFC_ERR_INVALID_ARG : GIFC_OK;
}

/* ---- parsing a value as a user writes it ---- */

typedef enum { P_OK, P_SYNTAX, P_RANGE } pstat;

/* strtol/strtod also accept leading blanks, hex, "inf" and "nan"; none of those is what a
 * user means, so only plain decimal characters get that far. */
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

static pstat parse_long(const char *s, double min, double max, long *out)
{
    char *end;
    if (!is_decimal_text(s, 0)) return P_SYNTAX;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (*end) return P_SYNTAX;
    if (errno == ERANGE || v < min || v > max) return P_RANGE;
    *out = v;
    return P_OK;
}

static pstat parse_real(const char *s, double *out)
{
    char *end;
    if (!is_decimal_text(s, 1)) return P_SYNTAX;
    errno = 0; /* the C locale is never changed, so '.' is the decimal point */
    double v = strtod(s, &end);
    if (end == s || *end) return P_SYNTAX;
    if (errno == ERANGE || !isfinite(v)) return P_RANGE;
    *out = v + 0.0; /* turns "-0" into +0, so it never prints as -0 later */
    return P_OK;
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
static pstat parse_clock(const char *s, double *seconds)
{
    double f[3], v = 0, frac = 0;
    int n = 0;
    for (;;) {
        if (n == 3 || clock_field(&s, n > 0, &f[n])) return P_SYNTAX;
        n++;
        if (*s != ':') break;
        s++;
    }
    if (*s == '.') {
        size_t digits = strspn(s + 1, "0123456789");
        if (digits == 0 || s[1 + digits]) return P_SYNTAX;
        frac = strtod(s, NULL);
    } else if (*s) {
        return P_SYNTAX;
    }
    if (n < 2) return P_SYNTAX;
    for (int i = 0; i < n; i++) {
        if (i > 0 && f[i] >= 60) return P_SYNTAX;
        v = v * 60 + f[i];
    }
    v += frac;
    if (!isfinite(v)) return P_RANGE;
    *seconds = v;
    return P_OK;
}

static pstat parse_time(const char *s, double *seconds)
{
    return strchr(s, ':') ? parse_clock(s, seconds) : parse_real(s, seconds);
}

/* SI for K/M/G/T (what file managers and chat apps show), binary only when spelt KiB... */
static const struct {
    const char *unit;
    uint64_t factor;
} size_units[] = {
    { "", 1 }, { "b", 1 }, { "k", 1000 }, { "kb", 1000 }, { "kib", 1024 },
    { "m", 1000000 }, { "mb", 1000000 }, { "mib", 1048576 },
    { "g", 1000000000 }, { "gb", 1000000000 }, { "gib", 1073741824 },
    { "t", 1000000000000 }, { "tb", 1000000000000 }, { "tib", 1099511627776 },
};

static pstat parse_size(const char *s, double *out)
{
    const char *p = s;
    int digits = 0, dots = 0;
    for (; (*p >= '0' && *p <= '9') || *p == '.'; p++) {
        if (*p == '.') dots++;
        else digits++;
    }
    if (!digits || dots > 1) return P_SYNTAX;
    double v = strtod(s, NULL);
    for (size_t i = 0; i < sizeof size_units / sizeof size_units[0]; i++) {
        if (strcasecmp(p, size_units[i].unit)) continue;
        double b = v * (double)size_units[i].factor;
        if (!isfinite(b)) return P_RANGE;
        *out = floor(b);
        return P_OK;
    }
    return P_SYNTAX;
}

/* CSS values, so "green" means what it does on the web. */
static const struct {
    const char *name;
    uint32_t rgb;
} color_names[] = {
    { "white", 0xffffff }, { "black", 0x000000 }, { "red", 0xff0000 }, { "green", 0x008000 },
    { "blue", 0x0000ff },  { "gray", 0x808080 },  { "grey", 0x808080 },
};

static pstat parse_color(const char *s, double *out)
{
    for (size_t i = 0; i < sizeof color_names / sizeof color_names[0]; i++) {
        if (strcasecmp(s, color_names[i].name) == 0) {
            *out = color_names[i].rgb;
            return P_OK;
        }
    }
    const char *hex = s[0] == '#' ? s + 1 : s;
    size_t n = strlen(hex);
    if (n == 0 || strspn(hex, "0123456789abcdefABCDEF") != n) return P_SYNTAX;
    unsigned long v = strtoul(hex, NULL, 16);
    if (n == 6) *out = (double)v;
    else if (n == 3 && hex != s) /* #RGB: each digit doubled, as in CSS */
        *out = (double)(((v >> 8) & 0xf) * 0x110000 + ((v >> 4) & 0xf) * 0x1100 +
                        (v & 0xf) * 0x11);
    else return P_SYNTAX;
    return P_OK;
}

/* n whole numbers separated by ':', each in [min[i], max]. */
static pstat parse_fields(const char *s, int n, const double *min, double max, int *v)
{
    char field[24];
    for (int i = 0; i < n; i++) {
        size_t len = strcspn(s, ":");
        if (len >= sizeof field || (i < n - 1) != (s[len] == ':')) return P_SYNTAX;
        memcpy(field, s, len);
        field[len] = '\0';
        long x;
        pstat st = parse_long(field, -max, max, &x);
        if (st) return st;
        if (x < min[i]) return P_RANGE;
        v[i] = (int)x;
        s += len + (i < n - 1);
    }
    return P_OK;
}

/* The index of text among the '|'-separated words (any case), or -1. */
static int choice_index(const char *choices, const char *text)
{
    size_t n = strlen(text);
    int i = 0;
    for (const char *p = choices; *p; i++) {
        size_t len = strcspn(p, "|");
        if (len == n && strncasecmp(p, text, n) == 0) return i;
        p += len + (p[len] == '|');
    }
    return -1;
}

/* range_text "top, bottom" as "top or bottom" (the last ", " becomes " or "). */
static const char *choice_phrase(const gifc_option_info *i, char *buf, size_t n)
{
    const char *last = NULL;
    for (const char *p = strstr(i->range_text, ", "); p; p = strstr(p + 1, ", ")) last = p;
    if (!last) snprintf(buf, n, "%s", i->range_text);
    else snprintf(buf, n, "%.*s or %s", (int)(last - i->range_text), i->range_text, last + 2);
    return buf;
}

static int parse_bool(const char *s)
{
    static const char *const yes[] = { "1", "true", "yes", "on" }, *const no[] = { "0", "false", "no", "off" };
    for (int i = 0; i < 4; i++) {
        if (!strcasecmp(s, yes[i])) return 1;
        if (!strcasecmp(s, no[i])) return 0;
    }
    return -1;
}

/* What a value of each type looks like, for "'x' is not a number (...)". */
static const char *type_noun(const gifc_option_info *i)
{
    if (!strcmp(i->unit, "%")) return "a percentage";
    if (i->type == GIFC_OPT_SIZE && (i->flags & GIFC_OPTF_LIMIT)) return "a number"; /* a count */
    switch (i->type) {
    case GIFC_OPT_INT: return "a whole number";
    case GIFC_OPT_TIME: return "a time";
    case GIFC_OPT_SIZE: return "a size";
    case GIFC_OPT_COLOR: return "a colour";
    case GIFC_OPT_RATIO: return "an aspect ratio";
    case GIFC_OPT_RECT: return "a rectangle";
    case GIFC_OPT_BOOL: return "on or off";
    default: return "a number";
    }
}

/* The forms a value may take, for a text that is not one at all. */
static const char *type_forms(const gifc_option_info *i)
{
    switch (i->type) {
    case GIFC_OPT_TIME: return "seconds like 90 or 1.5, or [hh:]mm:ss[.ms] like 1:30 or 01:02:03.5";
    case GIFC_OPT_SIZE:
        if (!(i->flags & GIFC_OPTF_LIMIT))
            return "a number with B, K/KB, KiB, M/MB, MiB, G/GB or GiB, like 500K or 8MB";
        return !strcmp(i->unit, "B") ? "bytes like 500G, 2TB or 4TiB"
                                     : "a count like 5000, 20M or 1.5G";
    case GIFC_OPT_RATIO: return "W:H like 1:1, 4:5, 9:16, 16:9";
    case GIFC_OPT_RECT: return "W:H:X:Y in pixels of the picture as shown, like 320:240:0:60";
    default: return i->range_text;
    }
}

static gifc_error reason(char *why, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static gifc_error reason(char *why, size_t n, const char *fmt, ...)
{
    if (why && n) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, n, fmt, ap);
        va_end(ap);
    }
    return GIFC_ERR_INVALID_ARG;
}

/* RATIO and RECT. */
static gifc_error set_parts(gifc_options *o, const row *r, const char *text, char *why,
                            size_t n)
{
    const gifc_option_info *i = &r->info;
    double min[4] = { i->min, i->min, 0, 0 };
    int v[4];
    pstat st = parse_fields(text, r->parts, min, i->max, v);
    if (st == P_OK && r->parts == 2 && (v[0] > 100 * v[1] || v[1] > 100 * v[0])) st = P_RANGE;
    if (st == P_SYNTAX)
        return reason(why, n, "'%s' is not %s (%s)", text, type_noun(i), type_forms(i));
    if (st) return reason(why, n, "'%s' is out of range (%s)", text, i->range_text);
    for (int k = 0; k < r->parts; k++) put_num(o, r, k, v[k]);
    return GIFC_OK;
}

GIFC_API gifc_error gifc_option_set(gifc_options *o, const char *name, const char *text,
                                    char *why, size_t n)
{
    const row *r = find_row(name);
    if (why && n) why[0] = '\0';
    if (!r) return reason(why, n, "unknown option '%s'", name ? name : "(null)");
    if (!o || o->struct_size < field_end(r))
        return reason(why, n, "%s is not in this gifc_options (an older struct_size)",
                      r->info.field);
    const gifc_option_info *i = &r->info;
    if (!text) {
        if (i->type == GIFC_OPT_BOOL) text = "1";
        else if (i->flags & GIFC_OPTF_OPTIONAL_VALUE) {
            put_num(o, r, 0, i->bare_value);
            return GIFC_OK;
        } else return reason(why, n, "needs a value (%s)", i->placeholder);
    }
    double v = 0;
    pstat st = P_OK;
    int k;
    char tmp[96];
    switch (i->type) {
    case GIFC_OPT_STRING:
        if (!*text)
            return reason(why, n, "the %s is empty", !strcmp(i->placeholder, "FILE") ? "path" : "text");
        *(const char **)field_at(o, r, 0) = text;
        return GIFC_OK;
    case GIFC_OPT_RATIO:
    case GIFC_OPT_RECT: return set_parts(o, r, text, why, n);
    case GIFC_OPT_CHOICE:
        k = choice_index(i->choices, text);
        if (k < 0 && r->off == OFF(format)) /* the formats this build writes */
            return reason(why, n, "'%s' is not supported (%s)", text, i->range_text);
        if (k < 0) return reason(why, n, "'%s' is not %s", text, choice_phrase(i, tmp, sizeof tmp));
        put_num(o, r, 0, i->min + k);
        return GIFC_OK;
    case GIFC_OPT_BOOL:
        k = parse_bool(text);
        if (k < 0) return reason(why, n, "'%s' is not on or off (1, 0, yes, no...)", text);
        put_num(o, r, 0, k);
        return GIFC_OK;
    case GIFC_OPT_INT: {
        long l = 0;
        st = parse_long(text, i->min, i->max, &l);
        v = (double)l;
        break;
    }
    case GIFC_OPT_TIME: st = parse_time(text, &v); break;
    case GIFC_OPT_SIZE: st = parse_size(text, &v); break;
    case GIFC_OPT_COLOR:
        if (strcasecmp(text, "transparent") == 0)
            return reason(why, n, "MP4 has no transparency; give an opaque colour");
        st = parse_color(text, &v);
        break;
    default: {
        size_t len = strlen(text);
        /* "8%" reads as what it says */
        if (!strcmp(i->unit, "%") && len && text[len - 1] == '%' && len < sizeof tmp) {
            memcpy(tmp, text, len - 1);
            tmp[len - 1] = '\0';
            st = parse_real(tmp, &v);
        } else st = parse_real(text, &v);
        break;
    }
    }
    if (st == P_OK && !in_range(r, v)) st = P_RANGE;
    if (st == P_SYNTAX)
        return reason(why, n, "'%s' is not %s (%s)", text, type_noun(i), type_forms(i));
    if (st) return reason(why, n, "'%s' is out of range (%s)", text, i->range_text);
    put_num(o, r, 0, v);
    return GIFC_OK;
}

/* ---- formatting a value ---- */

static void json_string(char *buf, size_t n, const char *s)
{
    size_t j = 0;
    if (j + 1 < n) buf[j++] = '"';
    for (; *s && j + 7 < n; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            buf[j++] = '\\';
            buf[j++] = (char)c;
        } else if (c < 0x20) {
            j += (size_t)snprintf(buf + j, n - j, "\\u%04x", c);
        } else {
            buf[j++] = (char)c;
        }
    }
    if (j + 1 < n) buf[j++] = '"';
    if (n) buf[j < n ? j : n - 1] = '\0';
}

/* The shortest of %.15g / %.17g that reads back exactly. */
static const char *shortest(char *buf, size_t n, double v)
{
    snprintf(buf, n, "%.15g", v);
    if (strtod(buf, NULL) != v) snprintf(buf, n, "%.17g", v);
    return buf;
}

/* The index-th '|'-separated word of choices into buf. */
static void choice_word(const char *choices, int index, char *buf, size_t n)
{
    const char *p = choices;
    for (int i = 0; i < index && *p; i++) p += strcspn(p, "|") + (p[strcspn(p, "|")] == '|');
    size_t len = strcspn(p, "|");
    snprintf(buf, n, "%.*s", (int)len, p);
}

GIFC_API gifc_error gifc_option_get(const gifc_options *o, const char *name, int json,
                                    char *buf, size_t n)
{
    const row *r = find_row(name);
    if (!buf || !n) return GIFC_ERR_NOMEM;
    buf[0] = '\0';
    if (!r || !o || o->struct_size < field_end(r)) return GIFC_ERR_INVALID_ARG;
    const gifc_option_info *i = &r->info;
    char tmp[64];
    int len = 0;
    double v = get_num(o, r, 0);
    if (json && i->type != GIFC_OPT_STRING &&
        (((i->flags & GIFC_OPTF_ZERO_AUTO) && v == 0) || ((i->flags & GIFC_OPTF_NEG_AUTO) && v < 0))) {
        /* The default in effect: a number when the table says one, else null ("none"). */
        char *end;
        double d = strtod(i->default_text, &end);
        if (*end || end == i->default_text) len = snprintf(buf, n, "null");
        else len = snprintf(buf, n, "%s", shortest(tmp, sizeof tmp, d));
        return len < 0 || (size_t)len >= n ? GIFC_ERR_NOMEM : GIFC_OK;
    }
    switch (i->type) {
    case GIFC_OPT_STRING: {
        const char *s = *(const char *const *)field_at(o, r, 0);
        if (json) {
            if (s) json_string(buf, n, s);
            else len = snprintf(buf, n, "null");
            return s && strlen(s) + 2 >= n ? GIFC_ERR_NOMEM : GIFC_OK;
        }
        len = snprintf(buf, n, "%s", s ? s : "");
        break;
    }
    case GIFC_OPT_BOOL:
        len = snprintf(buf, n, "%s", json ? (v ? "true" : "false") : (v ? "1" : "0"));
        break;
    case GIFC_OPT_CHOICE:
        if (v >= i->min && v <= i->max) choice_word(i->choices, (int)(v - i->min), tmp, sizeof tmp);
        else snprintf(tmp, sizeof tmp, "auto");
        if (json) {
            json_string(buf, n, tmp);
            len = (int)strlen(tmp) + 2;
        } else len = snprintf(buf, n, "%s", tmp);
        break;
    case GIFC_OPT_COLOR:
        len = snprintf(buf, n, json ? "\"#%06x\"" : "#%06x", (unsigned)v);
        break;
    case GIFC_OPT_RATIO:
        len = snprintf(buf, n, json ? "\"%d:%d\"" : "%d:%d", *(const int *)field_at(o, r, 0),
                       *(const int *)field_at(o, r, 1));
        break;
    case GIFC_OPT_RECT:
        len = snprintf(buf, n, json ? "\"%d:%d:%d:%d\"" : "%d:%d:%d:%d",
                       *(const int *)field_at(o, r, 0), *(const int *)field_at(o, r, 1),
                       *(const int *)field_at(o, r, 2), *(const int *)field_at(o, r, 3));
        break;
    default:
        if (r->st == ST_U64) len = snprintf(buf, n, "%llu", (unsigned long long)*(const uint64_t *)field_at(o, r, 0));
        else if (r->st == ST_I64) len = snprintf(buf, n, "%lld", (long long)*(const int64_t *)field_at(o, r, 0));
        else if (r->st == ST_INT) len = snprintf(buf, n, "%d", *(const int *)field_at(o, r, 0));
        else if (json && !isfinite(v)) len = snprintf(buf, n, "null");
        else len = snprintf(buf, n, "%s", shortest(tmp, sizeof tmp, v));
        break;
    }
    return len < 0 || (size_t)len >= n ? GIFC_ERR_NOMEM : GIFC_OK;
}
