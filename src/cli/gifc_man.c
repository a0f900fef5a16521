/* Writes gifc.1 (roff) on stdout, at build time: every option the CLI takes (its getopt
 * table), with the help, range and default of library options read from the library's
 * option table, so the man page cannot drift from --help or the library.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "cli/args.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

/* The CLI's own options (not in the library's table): placeholder and one line of help. */
static const struct {
    const char *name, *placeholder, *help;
} cli_only[] = {
    { "output", "PATH", "file to write, '-' = standard output (default: INPUT with the "
                        "format's extension; NAME.gifc.gif when that would be INPUT itself)" },
    { "end", "T", "stop T into INPUT; after --start, not with --duration" },
    { "json", "", "print a one-line JSON report on stdout (on stderr when OUTPUT is '-')" },
    { "quiet", "", "print errors only" },
    { "verbose", "", "log what is done; twice for debug detail" },
    { "version", "", "print the version and exit" },
    { "help", "", "print the help and exit" },
    { "recursive", "", "batch: walk sub-folders too, mirrored under OUTDIR" },
    { "jobs", "N", "batch: files converted at a time, 0 = one per core (default 0)" },
    { "to", "F", "batch: output format for every file, as --format (default gif)" },
    { "include", "GLOB", "batch: only files matching GLOB; repeatable" },
    { "exclude", "GLOB", "batch: leave out files matching GLOB; repeatable" },
    { "shard", "K/N", "batch: take share K of N (by a hash of each file's path)" },
    { "list", "", "batch: print the planned jobs and convert nothing" },
};

/* roff: a leading '.' or '\'' would be a request; '-' should be \-; '\' must be \e. */
static void roff(const char *s)
{
    for (; *s; s++) {
        if (*s == '-') fputs("\\-", stdout);
        else if (*s == '\\') fputs("\\e", stdout);
        else putchar(*s);
    }
}

int main(void)
{
    printf(".TH GIFC 1 \"\" \"gifc %s\" \"User Commands\"\n", GIFC_VERSION_STRING);
    puts(".SH NAME\ngifc \\- convert videos and animations to optimised GIF or small MP4");
    puts(".SH SYNOPSIS\n.B gifc\n[\\fIoptions\\fR] \\fIINPUT\\fR [\\fB\\-o\\fR \\fIOUTPUT\\fR]\n.br\n"
         ".B gifc\n[\\fIoptions\\fR] \\fIDIR\\fR|\\fIFILE\\fR... \\fB\\-o\\fR \\fIOUTDIR\\fR");
    puts(".SH DESCRIPTION\nConverts a video (anything FFmpeg reads) or an animation (GIF, APNG,"
         " animated WebP) into an optimised GIF, a small H.264 MP4, an animated WebP, APNG or"
         " AVIF, or a VP9 WebM. The format follows"
         " OUTPUT's extension, or \\fB\\-\\-format\\fR. Nothing is left behind on failure."
         " See \\fBgifc \\-\\-help\\fR for the options grouped and explained.");
    puts(".SH OPTIONS");
    for (const struct option *o = cli_long_options(); o->name; o++) {
        const gifc_option_info *i = gifc_option_find(o->name);
        const char *ph = "", *help = NULL;
        for (size_t k = 0; k < sizeof cli_only / sizeof cli_only[0]; k++)
            if (!strcmp(cli_only[k].name, o->name)) {
                ph = cli_only[k].placeholder;
                help = cli_only[k].help;
            }
        if (i) {
            ph = i->choices ? i->choices : i->placeholder;
            help = i->help;
        }
        puts(".TP");
        if (o->val > 0 && o->val < 128) printf("\\fB\\-%c\\fR, ", o->val);
        printf("\\fB");
        roff("--");
        roff(o->name);
        printf("\\fR");
        if (*ph) {
            printf(o->has_arg == optional_argument ? "[=\\fI" : " \\fI");
            roff(ph);
            printf(o->has_arg == optional_argument ? "\\fR]" : "\\fR");
        }
        putchar('\n');
        roff(help ? help : "");
        if (i && i->type != GIFC_OPT_BOOL && i->type != GIFC_OPT_STRING &&
            i->type != GIFC_OPT_CHOICE) {
            printf(": ");
            roff(i->range_text);
        }
        if (i) {
            printf(" (default ");
            roff(i->default_text);
            printf(")");
        }
        puts(".");
    }
    puts(".SH EXIT STATUS\n0 success; 1 internal or encoder failure; 2 usage error; 3 input"
         " cannot be read; 4 input not supported; 5 input corrupt; 6 output cannot be written;"
         " 7 output exists; 8 \\-\\-max\\-size cannot be met; 9 batch: some files failed;"
         " 10 input over a limit; 130 interrupted; 143 terminated.");
    puts(".SH SEE ALSO\n\\fBffmpeg\\fR(1), \\fBgifsicle\\fR(1)");
    return 0;
}
