/* Unit test of the gifc command line (src/cli/args.c) and of the value parsers it uses,
 * which live in the library's option table (gifc_option_set); linked with libgifc.
 * Exits 0 when every check passes, 1 after printing each failure.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "cli/args.h"
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

/* A library option's text parser (gifc_option_set) seen as the old CLI parsers were:
 * OK, SYNTAX (not a value of the type at all) or RANGE (well formed, out of range). On
 * failure the options must be left exactly as they were. */
static cli_parse_status lib_set(const char *name, const char *s, gifc_options *o)
{
    char why[256];
    gifc_options before;
    gifc_options_init(o);
    before = *o;
    if (gifc_option_set(o, name, s, why, sizeof why) == GIFC_OK) return CLI_PARSE_OK;
    if (memcmp(&before, o, sizeof before)) {
        fprintf(stderr, "%s: gifc_option_set(%s, \"%s\") failed but changed the options\n",
                __FILE__, name, s);
        failures++;
    }
    return strstr(why, "is out of range") ? CLI_PARSE_RANGE : CLI_PARSE_SYNTAX;
}

/* --start's parser (every time option's). */
static cli_parse_status parse_time(const char *s, double *v)
{
    gifc_options o;
    cli_parse_status st = lib_set("start", s, &o);
    if (!st) *v = o.start;
    return st;
}

static cli_parse_status parse_size(const char *s, uint64_t *v)
{
    gifc_options o;
    cli_parse_status st = lib_set("max-size", s, &o);
    if (!st) *v = o.max_size;
    return st;
}

/* --max-pixels: the limits' size syntax, from 1 up. */
static cli_parse_status parse_count(const char *s, uint64_t *v)
{
    gifc_options o;
    cli_parse_status st = lib_set("max-pixels", s, &o);
    if (!st) *v = o.max_pixels;
    return st;
}

/* A real-number option: dither (0..1), fps (above 0, up to 100), speed (0.25..4). */
static cli_parse_status parse_real(const char *name, const char *s, double *v)
{
    gifc_options o;
    cli_parse_status st = lib_set(name, s, &o);
    if (st) return st;
    *v = !strcmp(name, "dither") ? o.dither : !strcmp(name, "fps") ? o.fps : o.speed;
    return st;
}

static cli_parse_status parse_color(const char *s, uint32_t *v)
{
    gifc_options o;
    cli_parse_status st = lib_set("background", s, &o);
    if (!st) *v = o.background;
    return st;
}

static cli_parse_status parse_format(const char *s, gifc_format *v)
{
    gifc_options o;
    cli_parse_status st = lib_set("format", s, &o);
    if (!st) *v = o.format;
    return st;
}

static cli_parse_status parse_ratio(const char *s, int *w, int *h)
{
    gifc_options o;
    cli_parse_status st = lib_set("aspect", s, &o);
    if (!st) {
        *w = o.aspect_w;
        *h = o.aspect_h;
    }
    return st;
}

static cli_parse_status parse_crop(const char *s, int v[4])
{
    gifc_options o;
    cli_parse_status st = lib_set("crop", s, &o);
    if (!st) {
        v[0] = o.crop_w;
        v[1] = o.crop_h;
        v[2] = o.crop_x;
        v[3] = o.crop_y;
    }
    return st;
}

#define SMOOTH_LOOP_BARE (gifc_option_find("smooth-loop")->bare_value)

/* ---- time ---- */

static void time_ok(const char *s, double want, int line)
{
    double v = -1;
    cli_parse_status st = parse_time(s, &v);
    if (st != CLI_PARSE_OK || fabs(v - want) > 1e-9) {
        fprintf(stderr, "%s:%d: parse_time(\"%s\"): status %d value %g, want %g\n", __FILE__,
                line, s, (int)st, v, want);
        failures++;
    }
}

static void time_bad(const char *s, cli_parse_status want, int line)
{
    double v = 12345;
    cli_parse_status st = parse_time(s, &v);
    if (st != want || v != 12345) {
        fprintf(stderr, "%s:%d: parse_time(\"%s\"): status %d (want %d), value %g\n",
                __FILE__, line, s, (int)st, (int)want, v);
        failures++;
    }
}

static void test_time(void)
{
    time_ok("1:02:03.5", 3723.5, __LINE__);
    time_ok("01:02:03.5", 3723.5, __LINE__);
    time_ok("90", 90, __LINE__);
    time_ok("1:30", 90, __LINE__);
    time_ok("0", 0, __LINE__);
    time_ok("1.5", 1.5, __LINE__);
    time_ok(".5", 0.5, __LINE__);
    time_ok("0:00.25", 0.25, __LINE__);
    time_ok("90:00", 5400, __LINE__);      /* the leading field may exceed 59 */
    time_ok("100:00:00", 360000, __LINE__);
    time_ok("1:59:59.999", 7199.999, __LINE__);
    time_ok("1e3", 1000, __LINE__);
    time_bad("", CLI_PARSE_SYNTAX, __LINE__);
    time_bad("abc", CLI_PARSE_SYNTAX, __LINE__);
    time_bad("1:60", CLI_PARSE_SYNTAX, __LINE__);
    time_bad("1:60:00", CLI_PARSE_SYNTAX, __LINE__);
    time_bad("1:5", CLI_PARSE_SYNTAX, __LINE__); /* 1:05 or 1:50? refuse to guess */
    time_bad("1:", CLI_PARSE_SYNTAX, __LINE__);
    time_bad(":30", CLI_PARSE_SYNTAX, __LINE__);
    time_bad("1::30", CLI_PARSE_SYNTAX, __LINE__);
    time_bad("1:30:", CLI_PARSE_SYNTAX, __LINE__);
    time_bad("1:30.", CLI_PARSE_SYNTAX, __LINE__);
    time_bad("1:30.5.5", CLI_PARSE_SYNTAX, __LINE__);
    time_bad("1:00:00:00", CLI_PARSE_SYNTAX, __LINE__);
    time_bad("-1:30", CLI_PARSE_SYNTAX, __LINE__);
    time_bad("1:-30", CLI_PARSE_SYNTAX, __LINE__);
    time_bad("1:30s", CLI_PARSE_SYNTAX, __LINE__);
    time_bad("nan", CLI_PARSE_SYNTAX, __LINE__);
    time_bad("inf", CLI_PARSE_SYNTAX, __LINE__);
    time_bad("0x10", CLI_PARSE_SYNTAX, __LINE__);
    time_bad(" 5", CLI_PARSE_SYNTAX, __LINE__);
    time_bad("5 ", CLI_PARSE_SYNTAX, __LINE__);
    time_bad("5s", CLI_PARSE_SYNTAX, __LINE__);
    time_bad("-1", CLI_PARSE_RANGE, __LINE__);
    time_bad("1e400", CLI_PARSE_RANGE, __LINE__);
    time_bad("99999999", CLI_PARSE_RANGE, __LINE__);
    time_bad("99999999999999999999999:00:00", CLI_PARSE_RANGE, __LINE__);
}

/* ---- numbers ---- */

/* ---- sizes (--max-size) ---- */

static void size_is(const char *s, cli_parse_status want, uint64_t bytes, int line)
{
    uint64_t v = 7;
    cli_parse_status st = parse_size(s, &v);
    if (st != want || (want == CLI_PARSE_OK && v != bytes) || (want != CLI_PARSE_OK && v != 7)) {
        fprintf(stderr, "%s:%d: parse_size(\"%s\"): status %d (want %d), value %llu\n",
                __FILE__, line, s, (int)st, (int)want, (unsigned long long)v);
        failures++;
    }
}

static void test_size(void)
{
    size_is("500K", CLI_PARSE_OK, 500000, __LINE__);
    size_is("500kb", CLI_PARSE_OK, 500000, __LINE__);
    size_is("8MB", CLI_PARSE_OK, 8000000, __LINE__);
    size_is("10MiB", CLI_PARSE_OK, 10485760, __LINE__);
    size_is("1.5M", CLI_PARSE_OK, 1500000, __LINE__);
    size_is("2KiB", CLI_PARSE_OK, 2048, __LINE__);
    size_is("1G", CLI_PARSE_OK, 1000000000, __LINE__);
    size_is("1GiB", CLI_PARSE_OK, 1073741824, __LINE__);
    size_is("4096", CLI_PARSE_OK, 4096, __LINE__);
    size_is("4096B", CLI_PARSE_OK, 4096, __LINE__);
    size_is("", CLI_PARSE_SYNTAX, 0, __LINE__);
    size_is("MB", CLI_PARSE_SYNTAX, 0, __LINE__);
    size_is("-5M", CLI_PARSE_SYNTAX, 0, __LINE__);
    size_is("5 MB", CLI_PARSE_SYNTAX, 0, __LINE__);
    size_is("5TB", CLI_PARSE_RANGE, 0, __LINE__);    /* a unit, over --max-size's 1 TB */
    size_is("5PB", CLI_PARSE_SYNTAX, 0, __LINE__);
    size_is("1.2.3M", CLI_PARSE_SYNTAX, 0, __LINE__);
    size_is("0x10K", CLI_PARSE_SYNTAX, 0, __LINE__);
    size_is("999", CLI_PARSE_RANGE, 0, __LINE__);   /* under 1 KB: not a GIF budget */
    size_is("0", CLI_PARSE_RANGE, 0, __LINE__);
    size_is("2000G", CLI_PARSE_RANGE, 0, __LINE__);
}

/* The --max-pixels / --max-frames / --max-decoded syntax: sizes from 1 up. */
static void test_size_in(void)
{
    uint64_t v = 0;
    CHECK(parse_count("50M", &v) == CLI_PARSE_OK && v == 50000000);
    CHECK(parse_count("1", &v) == CLI_PARSE_OK && v == 1);
    CHECK(parse_count("32TiB", &v) == CLI_PARSE_OK &&
          v == 32ULL << 40);
    CHECK(parse_count("0", &v) == CLI_PARSE_RANGE);
    CHECK(parse_count("many", &v) == CLI_PARSE_SYNTAX);
}

static void test_long(void)
{
    long v = 0;
    CHECK(cli_parse_long("256", 2, 256, &v) == CLI_PARSE_OK && v == 256);
    CHECK(cli_parse_long("2", 2, 256, &v) == CLI_PARSE_OK && v == 2);
    CHECK(cli_parse_long("007", 0, 100, &v) == CLI_PARSE_OK && v == 7); /* decimal, not octal */
    CHECK(cli_parse_long("+5", 0, 100, &v) == CLI_PARSE_OK && v == 5);
    v = 42;
    CHECK(cli_parse_long("257", 2, 256, &v) == CLI_PARSE_RANGE && v == 42);
    CHECK(cli_parse_long("1", 2, 256, &v) == CLI_PARSE_RANGE);
    CHECK(cli_parse_long("-3", 2, 256, &v) == CLI_PARSE_RANGE);
    CHECK(cli_parse_long("99999999999999999999999", 0, 100, &v) == CLI_PARSE_RANGE);
    CHECK(cli_parse_long("-99999999999999999999999", 0, 100, &v) == CLI_PARSE_RANGE);
    CHECK(cli_parse_long("", 0, 100, &v) == CLI_PARSE_SYNTAX);
    CHECK(cli_parse_long("-", 0, 100, &v) == CLI_PARSE_SYNTAX);
    CHECK(cli_parse_long("12x", 0, 100, &v) == CLI_PARSE_SYNTAX);
    CHECK(cli_parse_long("5.0", 0, 100, &v) == CLI_PARSE_SYNTAX);
    CHECK(cli_parse_long(" 5", 0, 100, &v) == CLI_PARSE_SYNTAX);
    CHECK(cli_parse_long("5 ", 0, 100, &v) == CLI_PARSE_SYNTAX);
    CHECK(cli_parse_long("0x10", 0, 100, &v) == CLI_PARSE_SYNTAX);
    CHECK(cli_parse_long("1e2", 0, 1000, &v) == CLI_PARSE_SYNTAX);
    CHECK(v == 42);
}

static void test_double(void)
{
    double v = 0;
    CHECK(parse_real("dither", "0.5", &v) == CLI_PARSE_OK && v == 0.5);
    CHECK(parse_real("dither", "1", &v) == CLI_PARSE_OK && v == 1);
    CHECK(parse_real("dither", "0", &v) == CLI_PARSE_OK && v == 0);
    CHECK(parse_real("dither", "-0", &v) == CLI_PARSE_OK && v == 0 && !signbit(v));
    CHECK(parse_real("dither", "1e-3", &v) == CLI_PARSE_OK && v == 1e-3);
    CHECK(parse_real("fps", "29.97", &v) == CLI_PARSE_OK && v == 29.97);
    CHECK(parse_real("speed", ".25", &v) == CLI_PARSE_OK && v == 0.25);
    v = 7;
    CHECK(parse_real("fps", "0", &v) == CLI_PARSE_RANGE); /* fps must be above 0 */
    CHECK(parse_real("dither", "1.0001", &v) == CLI_PARSE_RANGE);
    CHECK(parse_real("dither", "-0.1", &v) == CLI_PARSE_RANGE);
    CHECK(parse_real("speed", "0.24", &v) == CLI_PARSE_RANGE);
    CHECK(parse_real("fps", "1e400", &v) == CLI_PARSE_RANGE);
    CHECK(parse_real("fps", "-1e400", &v) == CLI_PARSE_RANGE);
    CHECK(parse_real("dither", "1e-400", &v) == CLI_PARSE_RANGE);
    CHECK(parse_real("dither", "nan", &v) == CLI_PARSE_SYNTAX);
    CHECK(parse_real("dither", "NaN", &v) == CLI_PARSE_SYNTAX);
    CHECK(parse_real("dither", "inf", &v) == CLI_PARSE_SYNTAX);
    CHECK(parse_real("dither", "-infinity", &v) == CLI_PARSE_SYNTAX);
    CHECK(parse_real("dither", "0x1p-1", &v) == CLI_PARSE_SYNTAX);
    CHECK(parse_real("dither", "", &v) == CLI_PARSE_SYNTAX);
    CHECK(parse_real("dither", ".", &v) == CLI_PARSE_SYNTAX);
    CHECK(parse_real("dither", "0.5.", &v) == CLI_PARSE_SYNTAX);
    CHECK(parse_real("dither", "1e", &v) == CLI_PARSE_SYNTAX);
    CHECK(parse_real("dither", "0.5x", &v) == CLI_PARSE_SYNTAX);
    CHECK(parse_real("dither", " 0.5", &v) == CLI_PARSE_SYNTAX);
    CHECK(parse_real("dither", "0,5", &v) == CLI_PARSE_SYNTAX);
    CHECK(v == 7);
}

/* ---- colours and formats ---- */

static void color_ok(const char *s, uint32_t want, int line)
{
    uint32_t v = 0x12345678;
    if (parse_color(s, &v) != CLI_PARSE_OK || v != want) {
        fprintf(stderr, "%s:%d: parse_color(\"%s\") = %06x, want %06x\n", __FILE__, line, s,
                (unsigned)v, (unsigned)want);
        failures++;
    }
}

static void test_color(void)
{
    uint32_t v = 0;
    color_ok("#ff8000", 0xff8000, __LINE__);
    color_ok("FF8000", 0xff8000, __LINE__);
    color_ok("#F80", 0xff8800, __LINE__);
    color_ok("#000", 0x000000, __LINE__);
    color_ok("white", 0xffffff, __LINE__);
    color_ok("Black", 0x000000, __LINE__);
    color_ok("RED", 0xff0000, __LINE__);
    color_ok("green", 0x008000, __LINE__);
    color_ok("blue", 0x0000ff, __LINE__);
    color_ok("gray", 0x808080, __LINE__);
    color_ok("grey", 0x808080, __LINE__);
    CHECK(parse_color("f80", &v) == CLI_PARSE_SYNTAX); /* #RGB needs its '#' */
    CHECK(parse_color("#ff80", &v) == CLI_PARSE_SYNTAX);
    CHECK(parse_color("#ff800000", &v) == CLI_PARSE_SYNTAX);
    CHECK(parse_color("#gg0000", &v) == CLI_PARSE_SYNTAX);
    CHECK(parse_color("#", &v) == CLI_PARSE_SYNTAX);
    CHECK(parse_color("", &v) == CLI_PARSE_SYNTAX);
    CHECK(parse_color("transparent", &v) == CLI_PARSE_SYNTAX);
    CHECK(parse_color("##ff8000", &v) == CLI_PARSE_SYNTAX);
    CHECK(parse_color(" #ff8000", &v) == CLI_PARSE_SYNTAX);
    CHECK(parse_color("#-f8000", &v) == CLI_PARSE_SYNTAX);
}

static void test_format(void)
{
    gifc_format f = GIFC_FORMAT_AUTO;
    CHECK(parse_format("gif", &f) == CLI_PARSE_OK && f == GIFC_FORMAT_GIF);
    CHECK(parse_format("MP4", &f) == CLI_PARSE_OK && f == GIFC_FORMAT_MP4);
    CHECK(parse_format("mkv", &f) == CLI_PARSE_SYNTAX && f == GIFC_FORMAT_MP4);
    CHECK(parse_format("", &f) == CLI_PARSE_SYNTAX);
    CHECK(cli_format_from_ext("a.gif") == GIFC_FORMAT_GIF);
    CHECK(cli_format_from_ext("dir/A.GIF") == GIFC_FORMAT_GIF);
    CHECK(cli_format_from_ext("a.mp4") == GIFC_FORMAT_MP4);
    CHECK(cli_format_from_ext("x.y/a.m4v") == GIFC_FORMAT_MP4);
    CHECK(cli_format_from_ext("a.mkv") == GIFC_FORMAT_AUTO);
    CHECK(cli_format_from_ext("a.webm") == GIFC_FORMAT_WEBM);
    CHECK(cli_format_from_ext("a.APNG") == GIFC_FORMAT_APNG);
    CHECK(cli_format_from_ext("a.avif") == GIFC_FORMAT_AVIF);
    CHECK(strcmp(cli_format_name(GIFC_FORMAT_AVIF), "avif") == 0);
    CHECK(strcmp(cli_format_ext(GIFC_FORMAT_AVIF), ".avif") == 0);
    CHECK(strcmp(cli_format_name(GIFC_FORMAT_APNG), "apng") == 0);
    CHECK(cli_format_from_ext("a.WebP") == GIFC_FORMAT_WEBP);
    CHECK(parse_format("webp", &f) == CLI_PARSE_OK && f == GIFC_FORMAT_WEBP);
    CHECK(strcmp(cli_format_name(GIFC_FORMAT_WEBP), "webp") == 0);
    CHECK(cli_format_from_ext("a") == GIFC_FORMAT_AUTO);
    CHECK(cli_format_from_ext("dir.gif/a") == GIFC_FORMAT_AUTO);
    CHECK(cli_format_from_ext(".gif") == GIFC_FORMAT_AUTO); /* a hidden file, no extension */
    CHECK(cli_format_from_ext("a.gif.") == GIFC_FORMAT_AUTO);
    CHECK(strcmp(cli_format_name(GIFC_FORMAT_MP4), "mp4") == 0);
    CHECK(strcmp(cli_format_name(GIFC_FORMAT_GIF), "gif") == 0);
}

static void output_is(const char *in, gifc_format f, const char *want, int line)
{
    char *got = cli_default_output(in, f);
    if (!got || strcmp(got, want) != 0) {
        fprintf(stderr, "%s:%d: default_output(\"%s\") = \"%s\", want \"%s\"\n", __FILE__,
                line, in, got ? got : "(null)", want);
        failures++;
    }
    free(got);
}

static void test_default_output(void)
{
    output_is("clip.mp4", GIFC_FORMAT_GIF, "clip.gif", __LINE__);
    output_is("clip.mp4", GIFC_FORMAT_MP4, "clip.gifc.mp4", __LINE__);
    output_is("clip.gif", GIFC_FORMAT_GIF, "clip.gifc.gif", __LINE__);
    output_is("clip.GIF", GIFC_FORMAT_GIF, "clip.gifc.gif", __LINE__);
    output_is("big.gif", GIFC_FORMAT_MP4, "big.mp4", __LINE__);
    output_is("clip.m4v", GIFC_FORMAT_MP4, "clip.mp4", __LINE__);
    output_is("clip", GIFC_FORMAT_GIF, "clip.gif", __LINE__);
    output_is("v1.0/clip", GIFC_FORMAT_GIF, "v1.0/clip.gif", __LINE__);
    output_is("/tmp/a.b.webm", GIFC_FORMAT_GIF, "/tmp/a.b.gif", __LINE__);
    output_is(".hidden", GIFC_FORMAT_GIF, ".hidden.gif", __LINE__);
}

static void test_exit_codes(void)
{
    CHECK(cli_exit_for(GIFC_OK, 0) == 0);
    CHECK(cli_exit_for(GIFC_OK, SIGINT) == 0);
    CHECK(cli_exit_for(GIFC_ERR_ENCODE, 0) == 1);
    CHECK(cli_exit_for(GIFC_ERR_NOMEM, 0) == 1);
    CHECK(cli_exit_for(GIFC_ERR__COUNT, 0) == 1);
    CHECK(cli_exit_for(GIFC_ERR_INVALID_ARG, 0) == 2);
    CHECK(cli_exit_for(GIFC_ERR_INPUT, 0) == 3);
    CHECK(cli_exit_for(GIFC_ERR_UNSUPPORTED, 0) == 4);
    CHECK(cli_exit_for(GIFC_ERR_NO_VIDEO, 0) == 4);
    CHECK(cli_exit_for(GIFC_ERR_CORRUPT, 0) == 5);
    CHECK(cli_exit_for(GIFC_ERR_OUTPUT, 0) == 6);
    CHECK(cli_exit_for(GIFC_ERR_SAME_FILE, 0) == 6);
    CHECK(cli_exit_for(GIFC_ERR_OUTPUT_EXISTS, 0) == 7);
    CHECK(cli_exit_for(GIFC_ERR_OVER_BUDGET, 0) == 8);
    CHECK(cli_exit_for(GIFC_ERR_LIMIT, 0) == 10);
    CHECK(cli_exit_for(GIFC_ERR_ABORTED, SIGINT) == 130);
    CHECK(cli_exit_for(GIFC_ERR_ABORTED, SIGTERM) == 143);
    CHECK(cli_exit_for(GIFC_ERR_OUTPUT, SIGTERM) == 143); /* a failure caused by the stop */
    CHECK(cli_exit_for(GIFC_ERR_ABORTED, 0) == 1);
}

/* ---- the whole command line ---- */

static cli_prefs prefs;
static char err[512];

/* Parses "gifc" followed by the given words (NULL-terminated). */
static cli_action parse(const char *first, ...)
{
    static char *argv[40]; /* cli_prefs.inputs points into it after the call */
    int argc = 0;
    va_list ap;
    argv[argc++] = (char *)"gifc";
    va_start(ap, first);
    for (const char *a = first; a && argc < 39; a = va_arg(ap, const char *))
        argv[argc++] = (char *)a;
    va_end(ap);
    argv[argc] = NULL;
    cli_prefs_free(&prefs);
    return cli_parse_args(argc, argv, &prefs, err, sizeof err);
}

static void error_is(cli_action act, const char *want, int line)
{
    if (act != CLI_ACTION_ERROR || !strstr(err, want)) {
        fprintf(stderr, "%s:%d: want error containing \"%s\", got action %d, \"%s\"\n",
                __FILE__, line, want, (int)act, err);
        failures++;
    }
}

static void test_args_ok(void)
{
    CHECK(parse("clip.mp4", NULL) == CLI_ACTION_RUN);
    CHECK(strcmp(prefs.input, "clip.mp4") == 0 && strcmp(prefs.output, "clip.gif") == 0);
    CHECK(prefs.format == GIFC_FORMAT_GIF && prefs.opts.fps == 0 && prefs.opts.colors == 256 &&
          !cli_given(&prefs, "colors"));
    CHECK(gifc_option_count() <= 64); /* cli_prefs.given has a bit per row */
    /* nothing given: the library's defaults, untouched */
    CHECK(!cli_given(&prefs, "start") && !cli_given(&prefs, "dither") && !cli_given(&prefs, "loop"));
    CHECK(prefs.opts.start == 0 && prefs.opts.duration <= 0 && prefs.opts.dither < 0 &&
          prefs.opts.loop == 0);
    CHECK(!cli_given(&prefs, "threads") && prefs.opts.threads == 0);
    CHECK(!cli_given(&prefs, "background") && !prefs.opts.overwrite && !prefs.verbose);

    CHECK(parse("clip.mp4", "--format", "mp4", NULL) == CLI_ACTION_RUN);
    CHECK(strcmp(prefs.output, "clip.gifc.mp4") == 0 && prefs.format == GIFC_FORMAT_MP4);

    CHECK(parse("-o", "out.M4V", "in.gif", "--fps", "12.5", "--width=320", "--height", "200",
                "--colors", "64", "--quality", "70", "--dither", "0.5", "--loop", "3",
                "--background", "#abc", "--speed", "2", "--audio", "-f", "-qvv", "--json",
                "--threads", "4", "--start", "1:30", "--duration", "2.5", NULL) ==
          CLI_ACTION_RUN);
    CHECK(strcmp(prefs.input, "in.gif") == 0 && strcmp(prefs.output, "out.M4V") == 0);
    CHECK(prefs.format == GIFC_FORMAT_MP4 && prefs.opts.fps == 12.5);
    CHECK(prefs.opts.width == 320 && prefs.opts.height == 200 && prefs.opts.colors == 64);
    CHECK(prefs.opts.quality == 70 && prefs.opts.dither == 0.5 && prefs.opts.loop == 3);
    CHECK(cli_given(&prefs, "background") && prefs.opts.background == 0xaabbcc && prefs.opts.speed == 2);
    CHECK(prefs.opts.audio && prefs.opts.overwrite && prefs.quiet && prefs.verbose == 2 && prefs.json);
    CHECK(prefs.opts.threads == 4 && prefs.opts.start == 90 && prefs.opts.duration == 2.5);

    /* --end before --start on the command line still measures from --start */
    CHECK(parse("a.mp4", "--end", "1:30", "--start", "30", NULL) == CLI_ACTION_RUN);
    CHECK(prefs.opts.start == 30 && prefs.opts.duration == 60);
    CHECK(parse("a.mp4", "--end", "2.5", NULL) == CLI_ACTION_RUN && prefs.opts.duration == 2.5);

    CHECK(parse("a.mp4", "-o", "weird.webm", "--format", "GIF", NULL) == CLI_ACTION_RUN);
    CHECK(prefs.format == GIFC_FORMAT_GIF);
    CHECK(parse("-", "-o", "-", NULL) == CLI_ACTION_RUN && prefs.format == GIFC_FORMAT_GIF);
    CHECK(strcmp(prefs.input, "-") == 0 && strcmp(prefs.output, "-") == 0);
    CHECK(parse("a.mp4", "-o", "-", "--format", "mp4", NULL) == CLI_ACTION_RUN);
    CHECK(prefs.format == GIFC_FORMAT_MP4);
    CHECK(parse("--loop", "0", "--", "-weird.mp4", NULL) == CLI_ACTION_RUN);
    CHECK(prefs.opts.loop == 0 && strcmp(prefs.input, "-weird.mp4") == 0);
    CHECK(strcmp(prefs.output, "-weird.gif") == 0);
    CHECK(parse("a.mp4", "--col", "8", NULL) == CLI_ACTION_RUN && prefs.opts.colors == 8);
    CHECK(parse("a.mp4", "--background", "Black", NULL) == CLI_ACTION_RUN);
    CHECK(cli_given(&prefs, "background") && prefs.opts.background == 0);

    CHECK(parse("--help", NULL) == CLI_ACTION_HELP);
    CHECK(parse("a.mp4", "-h", "--colors", "999", NULL) == CLI_ACTION_HELP);
    CHECK(parse("--version", NULL) == CLI_ACTION_VERSION);
}

/* ---- batch mode ---- */

static void shard_is(const char *s, cli_parse_status want, int k, int n, int line)
{
    int gk = -1, gn = -1;
    cli_parse_status st = cli_parse_shard(s, &gk, &gn);
    if (st != want || (st == CLI_PARSE_OK && (gk != k || gn != n))) {
        fprintf(stderr, "%s:%d: parse_shard(\"%s\"): status %d %d/%d, want %d %d/%d\n",
                __FILE__, line, s, (int)st, gk, gn, (int)want, k, n);
        failures++;
    }
}

static void test_batch_args(void)
{
    shard_is("1/1", CLI_PARSE_OK, 1, 1, __LINE__);
    shard_is("2/3", CLI_PARSE_OK, 2, 3, __LINE__);
    shard_is("1000000/1000000", CLI_PARSE_OK, 1000000, 1000000, __LINE__);
    shard_is("0/3", CLI_PARSE_RANGE, 0, 0, __LINE__);
    shard_is("4/3", CLI_PARSE_RANGE, 0, 0, __LINE__);
    shard_is("1/0", CLI_PARSE_RANGE, 0, 0, __LINE__);
    shard_is("-1/3", CLI_PARSE_RANGE, 0, 0, __LINE__);
    shard_is("1/2000000", CLI_PARSE_RANGE, 0, 0, __LINE__);
    shard_is("2", CLI_PARSE_SYNTAX, 0, 0, __LINE__);
    shard_is("a/b", CLI_PARSE_SYNTAX, 0, 0, __LINE__);
    shard_is("1/2/3", CLI_PARSE_SYNTAX, 0, 0, __LINE__);
    shard_is(" 1/2", CLI_PARSE_SYNTAX, 0, 0, __LINE__);
    shard_is("1/", CLI_PARSE_SYNTAX, 0, 0, __LINE__);

    /* Several files with -o: a batch into OUTDIR; GIF unless --to says otherwise. */
    CHECK(parse("a.mp4", "b.mov", "-o", "out", NULL) == CLI_ACTION_RUN);
    CHECK(prefs.batch && prefs.n_inputs == 2 && strcmp(prefs.inputs[1], "b.mov") == 0);
    CHECK(strcmp(prefs.input, "a.mp4") == 0 && strcmp(prefs.output, "out") == 0);
    CHECK(prefs.format == GIFC_FORMAT_GIF && !prefs.recursive && prefs.jobs == 0);
    CHECK(parse("-r", "clips", "-o", "out", "--to", "MP4", "-j", "3", "--shard", "2/3",
                "--include", "*.mov", "--include", "raw/*", "--exclude", "*draft*", "--list",
                "--fps", "10", NULL) == CLI_ACTION_RUN);
    CHECK(prefs.batch && prefs.recursive && prefs.jobs == 3 && prefs.list && prefs.opts.fps == 10);
    CHECK(prefs.format == GIFC_FORMAT_MP4 && prefs.shard_k == 2 && prefs.shard_n == 3);
    CHECK(prefs.n_includes == 2 && strcmp(prefs.includes[1], "raw/*") == 0);
    CHECK(prefs.n_excludes == 1 && strcmp(prefs.excludes[0], "*draft*") == 0);
    CHECK(parse("--recursive", "--jobs=0", "a", "-o", "o", NULL) == CLI_ACTION_RUN);
    CHECK(prefs.batch && prefs.recursive && prefs.jobs == 0);
    /* A folder INPUT is a batch, unless -o names a file (the one-file error stays). */
    CHECK(parse(".", "-o", "out", NULL) == CLI_ACTION_RUN && prefs.batch);
    CHECK(parse(".", "-o", "x.gif", NULL) == CLI_ACTION_RUN && !prefs.batch);
    CHECK(parse(".", "-o", "..", NULL) == CLI_ACTION_RUN && prefs.batch);
    CHECK(parse("a.mp4", "b.mp4", "-o", "x.mp4", "-r", NULL) == CLI_ACTION_RUN && prefs.batch);
    /* --to alone is the format of one file. */
    CHECK(parse("a.mp4", "--to", "mp4", NULL) == CLI_ACTION_RUN && !prefs.batch);
    CHECK(strcmp(prefs.output, "a.gifc.mp4") == 0);

    error_is(parse("a.mp4", "b.mp4", NULL), "unexpected argument 'b.mp4'", __LINE__);
    error_is(parse(".", NULL), "needs -o OUTDIR", __LINE__);
    error_is(parse("-r", "a", NULL), "needs -o OUTDIR", __LINE__);
    error_is(parse("-r", "a", "-o", "-", NULL), "standard output takes one file", __LINE__);
    error_is(parse("a", "-", "-o", "o", NULL), "cannot be part of a batch", __LINE__);
    error_is(parse("-r", "-o", "o", NULL), "missing INPUT", __LINE__);
    error_is(parse("a", "b", "-o", "o", "--shard", "3/2", NULL),
             "--shard: '3/2' is out of range", __LINE__);
    error_is(parse("a", "b", "-o", "o", "--shard", "x", NULL), "--shard: 'x' is not a share",
             __LINE__);
    error_is(parse("a", "b", "-o", "o", "-j", "-1", NULL), "--jobs: '-1' is out of range",
             __LINE__);
    error_is(parse("a", "b", "-o", "o", "--to", "mkv", NULL), "--to: 'mkv' is not supported",
             __LINE__);
    error_is(parse("a", "b", "-o", "o", "--include", NULL), "needs a value", __LINE__);
}

static void test_args_errors(void)
{
    error_is(parse("a.mp4", "--colors", "300", NULL),
             "--colors: '300' is out of range (2..256)", __LINE__);
    CHECK(strcmp(err, "--colors: '300' is out of range (2..256)") == 0);
    error_is(parse("a.mp4", "--colors=abc", NULL), "--colors: 'abc' is not a whole number (2..256)",
             __LINE__);
    error_is(parse("a.mp4", "--quality", "0", NULL), "--quality: '0' is out of range (1..100)",
             __LINE__);
    error_is(parse("a.mp4", "--width", "16385", NULL), "(1..16384)", __LINE__);
    error_is(parse("a.mp4", "--height", "0", NULL), "--height: '0' is out of range", __LINE__);
    error_is(parse("a.mp4", "--fps", "0", NULL), "--fps: '0' is out of range (above 0, up to 100)",
             __LINE__);
    error_is(parse("a.mp4", "--fps", "nan", NULL), "--fps: 'nan' is not a number", __LINE__);
    error_is(parse("a.mp4", "--fps", "101", NULL), "out of range", __LINE__);
    error_is(parse("a.mp4", "--dither", "1.5", NULL), "--dither: '1.5' is out of range (0..1)",
             __LINE__);
    error_is(parse("a.mp4", "--speed", "5", NULL), "--speed: '5' is out of range (0.25..4)",
             __LINE__);
    error_is(parse("a.mp4", "--loop", "-1", NULL), "--loop: '-1' is out of range (0..65535)",
             __LINE__);
    error_is(parse("a.mp4", "--threads", "x", NULL), "--threads: 'x' is not a whole number",
             __LINE__);
    error_is(parse("a.mp4", "--threads", "257", NULL), "--threads: '257' is out of range (0..256)",
             __LINE__);
    error_is(parse("a.mp4", "--start", "1:60", NULL), "--start: '1:60' is not a time", __LINE__);
    error_is(parse("a.mp4", "--start", "-5", NULL), "--start: '-5' is out of range", __LINE__);
    error_is(parse("a.mp4", "--duration", "0", NULL), "--duration: '0' is out of range (above 0",
             __LINE__);
    error_is(parse("a.mp4", "--end", "5", "--duration", "2", NULL), "cannot be used together",
             __LINE__);
    error_is(parse("a.mp4", "--start", "10", "--end", "5", NULL), "must be after --start",
             __LINE__);
    error_is(parse("a.mp4", "--start", "5", "--end", "5", NULL), "must be after --start",
             __LINE__);
    error_is(parse("a.mp4", "--background", "transparent", NULL), "no transparency", __LINE__);
    error_is(parse("a.mp4", "--background", "pink", NULL), "--background: 'pink' is not a colour",
             __LINE__);
    error_is(parse("a.mp4", "--format", "mkv", NULL), "--format: 'mkv' is not supported",
             __LINE__);
    error_is(parse("a.mp4", "-o", "out.mkv", NULL), "out.mkv: unknown output format", __LINE__);
    CHECK(strstr(err, ".gif, .mp4, .m4v, .webp, .apng, .webm or .avif") && strstr(err, "--format"));
    /* OUTPUT without an extension gets the format's (issue 15) */
    CHECK(parse("a.mp4", "-o", "out", NULL) == CLI_ACTION_RUN, "%s", err);
    CHECK(prefs.output && !strcmp(prefs.output, "out.gif") && prefs.format == GIFC_FORMAT_GIF);
    /* ... but a path and --format both given are taken as they are */
    CHECK(parse("a.mp4", "-o", "dir/out", "--format", "mp4", NULL) == CLI_ACTION_RUN, "%s", err);
    CHECK(prefs.output && !strcmp(prefs.output, "dir/out"));
    CHECK(parse("a.mp4", "-o", "out", "--for", "discord", "--format", "mp4", NULL) ==
          CLI_ACTION_RUN, "%s", err);
    CHECK(prefs.output && !strcmp(prefs.output, "out"));
    CHECK(parse("a.mp4", "-o", "out", "--for", "discord-emoji", NULL) == CLI_ACTION_RUN, "%s", err);
    CHECK(prefs.output && !strcmp(prefs.output, "out.gif") && prefs.opts.width == 128 &&
          prefs.opts.max_size == 256000);
    error_is(parse("a.mp4", "-o", "out.mp4", "--for", "discord-emoji", NULL),
             "--for discord-emoji: format mp4 breaks discord-emoji's rule", __LINE__);
    error_is(parse("a.mp4", "--for", "nope", NULL), "--for: 'nope' is not a target", __LINE__);
    CHECK(parse("--for", "list", NULL) == CLI_ACTION_TARGETS);
    error_is(parse("a.mp4", "out.gif", NULL), "unexpected argument 'out.gif'", __LINE__);
    CHECK(strstr(err, "-o out.gif") != NULL);
    error_is(parse("a.mp4", "b.mp4", "-o", "c.gif", NULL), "unexpected argument 'b.mp4'",
             __LINE__);
    error_is(parse(NULL), "missing INPUT", __LINE__);
    error_is(parse("-o", "x.gif", NULL), "missing INPUT", __LINE__);
    error_is(parse("", NULL), "INPUT is an empty string", __LINE__);
    error_is(parse("a.mp4", "-o", "", NULL), "empty", __LINE__);
    error_is(parse("-", NULL), "stdin needs -o", __LINE__);
    error_is(parse("a.mp4", "--bogus", NULL), "unknown or ambiguous option '--bogus'", __LINE__);
    error_is(parse("a.mp4", "--d", "1", NULL), "ambiguous option '--d'", __LINE__);
    error_is(parse("a.mp4", "-x", NULL), "unknown option '-x'", __LINE__);
    error_is(parse("--json", "-qz", "a.mp4", NULL), "unknown option '-z'", __LINE__);
    CHECK(prefs.json); /* known at the time of the error, for the JSON error report */
    error_is(parse("a.mp4", "--fps", NULL), "option --fps needs a value", __LINE__);
    error_is(parse("a.mp4", "-o", NULL), "option -o/--output needs a value", __LINE__);
    error_is(parse("a.mp4", "--json=1", NULL), "option --json takes no value", __LINE__);
    error_is(parse("a.mp4", "--force=yes", NULL), "option -f/--force takes no value", __LINE__);
}

static void test_apply(void)
{
    gifc_options o;
    memset(&o, 0, sizeof o);
    o.quality = 90; /* stand-ins for gifc_options_init()'s defaults, which must survive */
    o.dither = -1;
    o.loop = 0;
    o.background = 0xffffff;
    o.speed = 1;
    CHECK(parse("a.mp4", "--fps", "10", "--colors", "16", "-f", NULL) == CLI_ACTION_RUN);
    cli_apply_prefs(&prefs, &o);
    CHECK(o.format == GIFC_FORMAT_GIF && o.fps == 10 && o.colors == 16 && o.overwrite == 1);
    CHECK(o.quality == 90 && o.dither == -1 && o.loop == 0 && o.background == 0xffffff);
    CHECK(o.speed == 1 && o.width == 0 && o.start == 0 && o.duration == 0 && o.audio == 0);

    CHECK(parse("a.mp4", "-o", "b.mp4", "--background", "red", "--audio", "--loop", "0",
                "--start", "2", "--end", "3", "--threads", "0", NULL) == CLI_ACTION_RUN);
    o.threads = 8;
    cli_apply_prefs(&prefs, &o);
    CHECK(o.format == GIFC_FORMAT_MP4 && o.background == 0xff0000 && o.audio == 1);
    CHECK(o.start == 2 && o.duration == 1 && o.threads == 0 && o.loop == 0);
}

/* --caption and its companions; the font must be a readable file (a temporary one here). */
static void test_caption_args(void)
{
    char font[] = "/tmp/gifc-test-font-XXXXXX";
    int fd = mkstemp(font);
    CHECK(fd >= 0);
    if (fd < 0) return;
    close(fd);
    CHECK(parse("a.mp4", NULL) == CLI_ACTION_RUN);
    CHECK(!prefs.opts.caption && !cli_given(&prefs, "caption-position") && prefs.opts.caption_size == 0 &&
          !prefs.opts.font);
    CHECK(parse("a.mp4", "--caption", "Hi\n\xe6\x97\xa5", "--caption-position", "TOP",
                "--caption-size", "12.5%", "--font", font, NULL) == CLI_ACTION_RUN);
    CHECK(!strcmp(prefs.opts.caption, "Hi\n\xe6\x97\xa5") && prefs.opts.caption_position == GIFC_CAPTION_TOP);
    CHECK(prefs.opts.caption_size == 12.5 && !strcmp(prefs.opts.font, font));
    gifc_options o;
    memset(&o, 0, sizeof o);
    cli_apply_prefs(&prefs, &o);
    CHECK(o.caption == prefs.opts.caption && o.caption_position == GIFC_CAPTION_TOP);
    CHECK(o.caption_size == 12.5 && o.font == prefs.opts.font);
    CHECK(parse("a.mp4", "--caption", "x", "--caption-position", "bottom", "--caption-size",
                "8", NULL) == CLI_ACTION_RUN);
    CHECK(prefs.opts.caption_position == GIFC_CAPTION_BOTTOM && prefs.opts.caption_size == 8);

    error_is(parse("a.mp4", "--caption", "", NULL), "--caption: the text is empty", __LINE__);
    error_is(parse("a.mp4", "--caption", "x", "--caption-position", "middle", NULL),
             "--caption-position: 'middle' is not top or bottom", __LINE__);
    error_is(parse("a.mp4", "--caption", "x", "--caption-size", "1", NULL),
             "--caption-size: '1' is out of range (2..50", __LINE__);
    error_is(parse("a.mp4", "--caption", "x", "--caption-size", "8%%", NULL),
             "--caption-size: '8%%' is not a percentage", __LINE__);
    error_is(parse("a.mp4", "--caption", "x", "--caption-size", "%", NULL),
             "is not a percentage", __LINE__);
    error_is(parse("a.mp4", "--caption", "x", "--font", "/nonexistent/f.ttf", NULL),
             "--font /nonexistent/f.ttf: No such file", __LINE__);
    error_is(parse("a.mp4", "--caption", "x", "--font", "/", NULL), "is a directory", __LINE__);
    error_is(parse("a.mp4", "--caption", "x", "--font", "", NULL), "--font: the path is empty",
             __LINE__);
    error_is(parse("a.mp4", "--font", font, NULL), "need --caption TEXT", __LINE__);
    error_is(parse("a.mp4", "--caption-size", "10", NULL), "need --caption TEXT", __LINE__);
    error_is(parse("d/", "-o", "out/", "-r", "--caption-position", "top", NULL),
             "need --caption TEXT", __LINE__);

    double pct;
    int pos;
    gifc_options o2;
    CHECK(lib_set("caption-size", "50", &o2) == CLI_PARSE_OK && (pct = o2.caption_size) == 50);
    CHECK(lib_set("caption-size", "50.1", &o2) == CLI_PARSE_RANGE);
    CHECK(lib_set("caption-size", "", &o2) == CLI_PARSE_SYNTAX);
    CHECK(lib_set("caption-size", "5 %", &o2) == CLI_PARSE_SYNTAX);
    CHECK(lib_set("caption-position", "Bottom", &o2) == CLI_PARSE_OK &&
          (pos = o2.caption_position) == GIFC_CAPTION_BOTTOM);
    CHECK(lib_set("caption-position", "left", &o2) == CLI_PARSE_SYNTAX);
    unlink(font);
}

static void test_help(void)
{
    static const char *const words[] = {
        "--output", "--format", "--fps", "--width", "--height", "--start", "--duration",
        "--end", "--colors", "--quality", "--dither", "--loop", "--background", "--speed",
        "--audio", "--force", "--json", "--quiet", "--verbose", "--threads", "--version",
        "--help", "gifc clip.mp4 -o clip.gif", "gifc big.gif -o small.mp4", "Exit status",
        "130", "143", "default 256", "default 90", "480x480", "1280", "default white",
        "--recursive", "--jobs", "--to", "--include", "--exclude", "--shard", "--list",
        "OUTDIR", "--caption", "--caption-position", "--caption-size", "--font",
    };
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    CHECK(f != NULL);
    if (!f) return;
    cli_print_help(f);
    fclose(f);
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        if (!strstr(text, words[i])) {
            fprintf(stderr, "%s: --help does not mention \"%s\"\n", __FILE__, words[i]);
            failures++;
        }
    }
    for (const char *line = text; *line;) { /* fits an 80-column terminal */
        size_t n = strcspn(line, "\n");
        if (n > 79) {
            fprintf(stderr, "%s: --help line longer than 79: %.*s\n", __FILE__, (int)n, line);
            failures++;
        }
        line += n + (line[n] == '\n');
    }
#ifdef GIFC_HAVE_SERVE
    /* The web page is reachable from the main help, with serve's own options. */
    CHECK(strstr(text, "gifc serve [--port N]") != NULL);
    CHECK(strstr(text, "--max-upload SIZE") != NULL);
#endif
    free(text);
}

static void test_edit_values(void)
{
    int w = 0, h = 0, v[4] = { 0 };
    CHECK(parse_ratio("16:9", &w, &h) == CLI_PARSE_OK && w == 16 && h == 9);
    CHECK(parse_ratio("1:1", &w, &h) == CLI_PARSE_OK && w == 1 && h == 1);
    CHECK(parse_ratio("0:1", &w, &h) == CLI_PARSE_RANGE);
    CHECK(parse_ratio("1:101", &w, &h) == CLI_PARSE_RANGE);
    CHECK(parse_ratio("16/9", &w, &h) == CLI_PARSE_SYNTAX);
    CHECK(parse_ratio("16:9:1", &w, &h) == CLI_PARSE_SYNTAX);
    CHECK(parse_ratio("16:", &w, &h) == CLI_PARSE_SYNTAX);
    CHECK(parse_ratio("1.5:1", &w, &h) == CLI_PARSE_SYNTAX);
    CHECK(parse_crop("100:80:10:20", v) == CLI_PARSE_OK && v[0] == 100 && v[1] == 80 &&
          v[2] == 10 && v[3] == 20);
    CHECK(parse_crop("1:1:0:0", v) == CLI_PARSE_OK);
    CHECK(parse_crop("0:80:10:20", v) == CLI_PARSE_RANGE);
    CHECK(parse_crop("10:80:-1:20", v) == CLI_PARSE_RANGE);
    CHECK(parse_crop("10:80:0:70000", v) == CLI_PARSE_RANGE);
    CHECK(parse_crop("100:80", v) == CLI_PARSE_SYNTAX);
    CHECK(parse_crop("100:80:10:20:5", v) == CLI_PARSE_SYNTAX);
    CHECK(parse_crop("100x80+10+20", v) == CLI_PARSE_SYNTAX);
}

/* The edit options, --smooth-loop's optional value in its three spellings above all. */
static void test_edit_args(void)
{
    CHECK(parse("a.mp4", "--crop", "100:80:10:20", "--aspect", "9:16", "--aspect-fit", "pad",
                "--reverse", "--frames-step", "3", "--drop-duplicates", NULL) == CLI_ACTION_RUN &&
          prefs.opts.crop_w == 100 && prefs.opts.crop_y == 20 && prefs.opts.aspect_w == 9 &&
          prefs.opts.aspect_h == 16 && prefs.opts.aspect_pad && prefs.opts.reverse && prefs.opts.frames_step == 3 &&
          prefs.opts.drop_duplicates && !prefs.opts.bounce && prefs.opts.smooth_loop == 0);
    CHECK(parse("a.mp4", "--aspect", "1:1", "--aspect-fit", "crop", NULL) == CLI_ACTION_RUN &&
          !prefs.opts.aspect_pad);
    CHECK(parse("a.mp4", "--bounce", NULL) == CLI_ACTION_RUN && prefs.opts.bounce);
    CHECK(parse("a.mp4", "--smooth-loop", NULL) == CLI_ACTION_RUN &&
          prefs.opts.smooth_loop == SMOOTH_LOOP_BARE && strcmp(prefs.input, "a.mp4") == 0);
    CHECK(parse("--smooth-loop", "a.mp4", NULL) == CLI_ACTION_RUN &&
          prefs.opts.smooth_loop == SMOOTH_LOOP_BARE && strcmp(prefs.input, "a.mp4") == 0);
    CHECK(parse("a.mp4", "--smooth-loop=0.5", NULL) == CLI_ACTION_RUN && prefs.opts.smooth_loop == 0.5);
    CHECK(parse("--smooth-loop", "2", "a.mp4", "-o", "b.gif", NULL) == CLI_ACTION_RUN &&
          prefs.opts.smooth_loop == 2 && strcmp(prefs.input, "a.mp4") == 0 &&
          strcmp(prefs.output, "b.gif") == 0);
    CHECK(parse("a.mp4", "--smooth-loop", "1.5", "-o", "b.gif", NULL) == CLI_ACTION_RUN &&
          prefs.opts.smooth_loop == 1.5 && strcmp(prefs.input, "a.mp4") == 0);
    error_is(parse("a.mp4", "--smooth-loop", "0", NULL), "--smooth-loop: '0' is out of range",
             __LINE__);
    error_is(parse("a.mp4", "--smooth-loop=x", NULL), "--smooth-loop: 'x' is not a number",
             __LINE__);
    error_is(parse("a.mp4", "--smooth-loop", "--bounce", NULL), "a bounce already loops",
             __LINE__);
    error_is(parse("a.mp4", "--aspect-fit", "pad", NULL), "--aspect-fit needs --aspect",
             __LINE__);
    error_is(parse("a.mp4", "--aspect-fit", "stretch", NULL), "is not crop or pad", __LINE__);
    error_is(parse("a.mp4", "--aspect", "wide", NULL), "--aspect: 'wide' is not an aspect ratio",
             __LINE__);
    error_is(parse("a.mp4", "--crop", "10:10", NULL), "--crop: '10:10' is not a rectangle",
             __LINE__);
    error_is(parse("a.mp4", "--frames-step", "0", NULL), "--frames-step: '0' is out of range",
             __LINE__);
    error_is(parse("a.mp4", "--reverse=1", NULL), "takes no value", __LINE__);
}

/* The edits reach gifc_options; nothing asked leaves them off. */
static void test_apply_edits(void)
{
    gifc_options o;
    memset(&o, 0, sizeof o);
    CHECK(parse("a.mp4", "--crop", "8:6:4:2", "--aspect", "4:5", "--bounce", "--frames-step",
                "2", NULL) == CLI_ACTION_RUN);
    cli_apply_prefs(&prefs, &o);
    CHECK(o.crop_w == 8 && o.crop_h == 6 && o.crop_x == 4 && o.crop_y == 2);
    CHECK(o.aspect_w == 4 && o.aspect_h == 5 && !o.aspect_pad && o.bounce && !o.reverse);
    CHECK(o.frames_step == 2 && !o.drop_duplicates && o.smooth_loop == 0);
    memset(&o, 0, sizeof o);
    CHECK(parse("a.mp4", "--smooth-loop", NULL) == CLI_ACTION_RUN);
    cli_apply_prefs(&prefs, &o);
    CHECK(o.smooth_loop == SMOOTH_LOOP_BARE && !o.crop_w && !o.aspect_w && !o.bounce);
}

int main(void)
{
    test_edit_values();
    test_edit_args();
    test_apply_edits();
    test_time();
    test_size();
    test_size_in();
    test_long();
    test_double();
    test_color();
    test_format();
    test_default_output();
    test_exit_codes();
    test_args_ok();
    test_args_errors();
    test_batch_args();
    test_apply();
    test_caption_args();
    test_help();
    cli_prefs_free(&prefs);
    if (failures) {
        fprintf(stderr, "test_cli_args: %d check(s) failed\n", failures);
        return 1;
    }
    printf("test_cli_args: all checks passed\n");
    return 0;
}
