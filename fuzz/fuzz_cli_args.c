/* libFuzzer target over the gifc command line (src/cli/args.c): cli_parse_args() on an argv
 * made from the input, and each word through the value parsers (--max-size, times, colours,
 * shards, numbers) and the default-output rule.
 *
 * Input: words separated by newlines (or NUL bytes, which no real argv can hold). Each word
 * gets its own exact-size allocation, so reading past a word's end is an ASan report.
 * Besides crashes, the target aborts when a parser breaks its header's promises: a value
 * accepted outside its range, an error that is not one line, a parse the library would then
 * reject (main.c and batch.c turn that into a late, worse-worded error).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "cli/args.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WORDS 64

static void fail(const char *what, const char *word)
{
    fprintf(stderr, "fuzz_cli_args: %s (word \"%s\")\n", what, word ? word : "");
    abort();
}

static void check_numbers(const char *w)
{
    uint64_t bytes = 7;
    cli_parse_status st = cli_parse_size(w, &bytes);
    if (st == CLI_PARSE_OK && (bytes < CLI_SIZE_MIN || bytes > CLI_SIZE_MAX))
        fail("size accepted outside its range", w);
    if (st != CLI_PARSE_OK && bytes != 7) fail("size written on failure", w);
    double t = -1;
    if (cli_parse_time(w, &t) == CLI_PARSE_OK && !(t >= 0 && t <= CLI_TIME_MAX))
        fail("time accepted outside its range", w);
    double d = -1;
    if (cli_parse_double(w, 0, 100, 1, &d) == CLI_PARSE_OK && !(d > 0 && d <= 100))
        fail("number accepted outside its range", w);
    long l = 0;
    if (cli_parse_long(w, -5, 5, &l) == CLI_PARSE_OK && (l < -5 || l > 5))
        fail("integer accepted outside its range", w);
}

static void check_words(const char *w)
{
    check_numbers(w);
    uint32_t rgb = 0;
    if (cli_parse_color(w, &rgb) == CLI_PARSE_OK && rgb > 0xFFFFFF) fail("colour > 24 bits", w);
    int k = 0, n = 0;
    if (cli_parse_shard(w, &k, &n) == CLI_PARSE_OK && (k < 1 || k > n || n > CLI_SHARD_MAX))
        fail("shard accepted outside its range", w);
    gifc_format f = GIFC_FORMAT_AUTO;
    if (cli_parse_format(w, &f) == CLI_PARSE_OK && f == GIFC_FORMAT_AUTO)
        fail("format parsed to AUTO", w);
    char *out = cli_default_output(w, GIFC_FORMAT_MP4);
    if (!out) fail("default output: out of memory", w);
    size_t len = strlen(out);
    if (len < 4 || strcmp(out + len - 4, ".mp4") || !strcmp(out, w))
        fail("default output is not a new .mp4 name", out);
    free(out);
}

static void check_parse(int argc, char **argv)
{
    cli_prefs p;
    char err[256];
    cli_action act = cli_parse_args(argc, argv, &p, err, sizeof err);
    if (act == CLI_ACTION_ERROR && (!err[0] || strchr(err, '\n')))
        fail("usage error is not one line", err);
    if (act == CLI_ACTION_RUN) {
        if (!p.output || (p.format != GIFC_FORMAT_GIF && p.format != GIFC_FORMAT_MP4))
            fail("run without an output or format", p.output);
        if (p.batch && (p.n_inputs < 1 || !p.inputs)) fail("batch without inputs", NULL);
        gifc_options o;
        const char *why = NULL;
        gifc_options_init(&o);
        cli_apply_prefs(&p, &o);
        if (gifc_options_validate(&o, &why) != GIFC_OK)
            fail("parse accepted, library refuses", why);
    }
    cli_prefs_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *words[MAX_WORDS + 2];
    int argc = 0;
    words[argc++] = strdup("gifc");
    size_t at = 0;
    while (at <= size && argc <= MAX_WORDS) {
        size_t end = at;
        while (end < size && data[end] != '\n' && data[end] != '\0') end++;
        char *w = malloc(end - at + 1);
        if (!w) abort();
        memcpy(w, data + at, end - at);
        w[end - at] = '\0';
        words[argc++] = w;
        at = end + 1;
    }
    words[argc] = NULL;
    for (int i = 1; i < argc; i++) check_words(words[i]);
    /* getopt_long permutes argv: parse a copy of the pointers, free the originals. */
    char *argv[MAX_WORDS + 2];
    memcpy(argv, words, sizeof argv);
    check_parse(argc, argv);
    for (int i = 0; i < argc; i++) free(words[i]);
    return 0;
}
