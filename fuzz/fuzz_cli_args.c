/* libFuzzer target over the gifc command line (src/cli/args.c): cli_parse_args() on an argv
 * made from the input, and each word through every library option's parser (gifc_option_set),
 * the CLI's own (shards, numbers) and the default-output rule.
 *
 * Input: words separated by newlines (or NUL bytes, which no real argv can hold). Each word
 * gets its own exact-size allocation, so reading past a word's end is an ASan report.
 * Besides crashes, the target aborts when a parser breaks its header's promises: a value
 * accepted outside its range, an error that is not one line, a parse the library would then
 * reject (main.c and batch.c turn that into a late, worse-worded error).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "cli/args.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WORDS 64

static void fail(const char *what, const char *word)
{
    fprintf(stderr, "fuzz_cli_args: %s (word \"%s\")\n", what, word ? word : "");
    abort();
}

/* Every library option's text parser (gifc_option_set, the CLI's only way in): a value it
 * accepts must pass the validator (strings aside: their text is checked there, on purpose),
 * a refusal leaves the options as they were and says why in one line. */
static void check_options(const char *w)
{
    /* gifc_options_init walks the whole table: once, not once per option and word (that
     * made a run cost some 60 x 64 table walks, 40 runs a second under ASan). */
    static gifc_options defaults;
    static int have_defaults;
    if (!have_defaults) {
        gifc_options_init(&defaults);
        have_defaults = 1;
    }
    for (int i = 0; i < gifc_option_count(); i++) {
        const gifc_option_info *in = gifc_option_at(i);
        gifc_options o = defaults, before = defaults;
        char why[256];
        const char *vwhy = NULL;
        if (gifc_option_set(&o, in->name, w, why, sizeof why) != GIFC_OK) {
            if (memcmp(&o, &before, sizeof o)) fail("options changed by a refused value", w);
            if (!why[0] || strchr(why, '\n')) fail("refusal is not one line", why);
            continue;
        }
        if (in->type != GIFC_OPT_STRING && gifc_options_validate(&o, &vwhy) != GIFC_OK)
            fail("value accepted by gifc_option_set, refused by the validator", vwhy);
    }
}

static void check_words(const char *w)
{
    check_options(w);
    long l = 0;
    if (cli_parse_long(w, -5, 5, &l) == CLI_PARSE_OK && (l < -5 || l > 5))
        fail("integer accepted outside its range", w);
    int k = 0, n = 0;
    if (cli_parse_shard(w, &k, &n) == CLI_PARSE_OK && (k < 1 || k > n || n > CLI_SHARD_MAX))
        fail("shard accepted outside its range", w);
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
