/* gifc --help: the text, in parts (C11 guarantees string literals of 4095 characters).
 * Ranges and defaults of library options are never written here: {NAME.range},
 * {NAME.default} and {NAME.bare} are filled in from the library's option table.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "cli/args.h"

#include <string.h>

static const char help_intro[] =
    "Usage: gifc [options] INPUT [-o OUTPUT]\n"
    "\n"
    "Converts a video (anything FFmpeg reads: MP4, MOV, MKV, WebM...) or an\n"
    "animation (GIF, APNG, animated WebP) into an optimised GIF, a small H.264\n"
    "MP4, an animated WebP, APNG or AVIF, or a VP9 WebM. The format follows OUTPUT's\n"
    "extension, or --format. Without -o, OUTPUT is INPUT with its extension\n"
    "replaced. INPUT '-' reads standard input, OUTPUT '-' writes standard output.\n"
    "Nothing is left behind on failure, and an existing OUTPUT is kept unless\n"
    "--force is given.\n"
    "\n"
    "Examples:\n"
    "  gifc clip.mp4 -o clip.gif    video to GIF (fits 480x480, 15 fps)\n"
    "  gifc big.gif -o small.mp4    GIF to a much smaller MP4, same size and timing\n"
    "\n"
    "Defaults: a GIF made from a video fits inside 480x480 at 15 fps (the source's\n"
    "fps if lower), quality {quality.default}, {colors.default} colours, dither {dither.default}, looping forever. A GIF\n"
    "made from an animation keeps the source's size and timing. An MP4 is H.264\n"
    "yuv420p fitted inside 1280x720 (720x1280 if portrait), keeps the source's\n"
    "timing, has no audio unless --audio, and shows transparency over --background.\n"
    "\n";

static const char help_options[] =
    "Output:\n"
    "  -o, --output PATH     file to write, '-' = standard output (default: INPUT\n"
    "                        with the format's extension; NAME.gifc.gif when that\n"
    "                        would be INPUT itself)\n"
    "      --format F        output format: {format.range}\n"
    "                        (default: from OUTPUT's extension; gif for stdout)\n"
    "      --quality N       {quality.range}: GIF colour fidelity, MP4 quality (default {quality.default})\n"
    "      --fast            quicker, somewhat bigger files (default off)\n"
    "      --for NAME        made for where the file goes: the target's format, size\n"
    "                        box, fps and duration caps and byte budget (options\n"
    "                        given keep to its rules or exit 2); --for list shows\n"
    "                        the targets and their rules\n"
    "  -f, --force           replace OUTPUT if it exists (default: refuse, exit 7)\n"
    "\n"
    "Timing (T = seconds like 90 or 1.5, or [hh:]mm:ss[.ms] like 1:30, 01:02:03.5):\n"
    "      --start T         begin T into INPUT (default 0)\n"
    "      --duration T      convert T of INPUT (default: up to the end)\n"
    "      --end T           stop T into INPUT; after --start, not with --duration\n"
    "      --fps N           frames a second, {fps.range} (default: GIF from\n"
    "                        video 15 or the source's if lower, else source timing)\n"
    "      --speed X         playback speed {speed.range} (default {speed.default})\n"
    "\n"
    "Size (a box to fit inside, aspect ratio kept, never enlarged):\n"
    "      --width N         {width.range} pixels (default: GIF from video 480, MP4 1280\n"
    "                        or 720 if portrait, GIF from an animation: source's)\n"
    "      --height N        {height.range} pixels (default: GIF from video 480, MP4 720\n"
    "                        or 1280 if portrait, GIF from an animation: source's)\n"
    "\n";

static const char help_edit[] =
    "Editing (geometry on the picture as shown, rotation applied, before scaling):\n"
    "      --crop W:H:X:Y    keep the W x H rectangle whose top-left corner is X,Y\n"
    "      --aspect W:H      cut the picture (after --crop) to W:H around its\n"
    "                        centre: 1:1, 4:5, 9:16, 16:9...\n"
    "      --aspect-fit crop|pad\n"
    "                        pad: letterbox the whole picture into W:H on\n"
    "                        --background instead of cutting (default crop)\n"
    "      --fill none|pad|crop|fit\n"
    "                        with --width and --height: pad or crop to exactly\n"
    "                        that size (pad's bars transparent), or fit: scale\n"
    "                        up until one side touches the box (default none)\n"
    "\n"
    "Editing time (after --start/--duration/--fps/--speed):\n"
    "      --reverse         play backwards\n"
    "      --bounce          forward then backward (ping-pong); the turning frames\n"
    "                        are not doubled. Output about twice as long\n"
    "      --smooth-loop[=S] crossfade the last S seconds (default {smooth-loop.bare}, at most half\n"
    "                        the clip) with the first S, which are consumed into the\n"
    "                        blend: the end flows into the start without a jump and\n"
    "                        the output is S shorter. A number right after the\n"
    "                        option is its value. Not with --bounce\n"
    "      --frames-step N   keep every Nth frame, each lasting as long as the N it\n"
    "                        replaces (same total duration)\n"
    "      --drop-duplicates merge frames identical (within 4/255 a channel) to the\n"
    "                        previous kept one into its delay\n"
    "  Reverse, bounce and smooth loop read the whole clip first, into a temporary\n"
    "  file (not memory); output starts after that.\n"
    "\n";

static const char help_budget[] =
    "Size budget:\n"
    "      --max-size SIZE   never write more than SIZE: 500K, 8MB, 10MiB (B,\n"
    "                        K/KB = 1000, KiB = 1024, M/MB, MiB, G/GB, GiB). When\n"
    "                        the plain result is bigger, gifc searches for the\n"
    "                        settings that lose least (GIF: size, fps, change\n"
    "                        threshold, colours, lossy LZW; MP4: two-pass bitrate,\n"
    "                        then size) and lands at 0.92-1.0x of SIZE (MP4\n"
    "                        0.95-1.0x). Floors: GIF 32 px, 5 fps, 16 colours,\n"
    "                        lossy 200; MP4 96 px. Below them: exit 8.\n"
    "                        SIZE is {max-size.range}\n"
    "      --best-effort     with --max-size: write the smallest result reached\n"
    "                        instead of failing when SIZE cannot be met\n"
    "\n"
    "GIF:\n"
    "      --colors N        palette size {colors.range} (default {colors.default})\n"
    "      --dither X        dithering strength {dither.range} (default {dither.default})\n"
    "      --lossy N         lossy LZW {lossy.range}: fewer bytes, some streaks; about 20\n"
    "                        is mild, 80 strong (default 0, exact)\n"
    "      --loop N          times to loop {loop.range}, 0 = forever (default {loop.default});\n"
    "                        WebP and APNG too\n"
    "\n"
    "WebP (animated, alpha kept, every frame's delay kept to the ms):\n"
    "      --lossless        every frame lossless (default: lossy, each frame also\n"
    "                        tried lossless and kept so where smaller)\n"
    "\n"
    "APNG (RGBA, delays kept), WebM (VP9, alpha kept, no audio) and AVIF (AV1\n"
    "through libavif and libaom, alpha and every frame's delay kept, loops\n"
    "forever): --quality and --max-size as above; APNG also takes --loop.\n"
    "\n"
    "MP4 (H.264, yuv420p):\n"
    "      --audio           keep the audio track, as AAC (default: no audio)\n"
    "      --background COLOR\n"
    "                        what transparency becomes (and --aspect-fit pad's\n"
    "                        bars, in GIF too): #RRGGBB, RRGGBB, #RGB, white,\n"
    "                        black, red, green, blue, gray (default white)\n"
    "\n"
    "Misc:\n"
    "      --json            print a one-line JSON report on stdout (on stderr when\n"
    "                        OUTPUT is '-') instead of the summary line\n"
    "      --estimate        predict the output's bytes (GIF: and SSIM) from encoded\n"
    "                        samples, in about a quarter of the time; write nothing\n"
    "  -q, --quiet           print errors only\n"
    "  -v, --verbose         log what is done; twice for debug detail\n"
    "      --threads N       worker threads {threads.range}, 0 = one per core (default {threads.default})\n"
    "      --version         print the version and exit\n"
    "  -h, --help            print this help and exit\n"
    "\n";

/* GIFC_CAPTION_MAX_LINES, GIFC_CAPTION_MIN_PIXELS and GIFC_CAPTION_DEFAULT_SIZE. */
static const char help_caption[] =
    "Caption (drawn on every frame before quantisation; white, dark outline):\n"
    "      --caption TEXT    UTF-8 text, centred; wraps at 90% of the width, at most\n"
    "                        3 lines (the rest ends in '...'); a newline in TEXT\n"
    "                        breaks the line (in a shell: $'one\\ntwo')\n"
    "      --caption-position top|bottom\n"
    "                        where it goes (default bottom)\n"
    "      --caption-size PERCENT\n"
    "                        text height in percent, {caption-size.range}, at\n"
    "                        least 10 px (default {caption-size.default})\n"
    "      --font FILE       font file (TTF, OTF, TTC) (default: fontconfig's sans\n"
    "                        font, others for characters it lacks, such as CJK)\n"
    "\n";

/* The defaults come from the option table ({name.default}). */
static const char help_limits[] =
    "Limits (an input over one is refused: exit 10, nothing written):\n"
    "      --max-pixels N    pixels in one frame; N takes K/M/G like --max-size\n"
    "                        (default {max-pixels.default}: 8K video passes)\n"
    "      --max-frames N    frames decoded, or declared by the file (default {max-frames.default})\n"
    "      --max-duration T  time of INPUT read (default {max-duration.default})\n"
    "      --max-decoded SIZE\n"
    "                        decoded pictures, at width x height x 4 bytes a\n"
    "                        frame (default {max-decoded.default})\n"
    "\n";

static const char help_batch[] =
    "Batch (gifc [options] DIR|FILE... -o OUTDIR):\n"
    "  Converts every media file found (by extension) into OUTDIR; other files are\n"
    "  skipped and counted. Every option above applies to each file. An output newer\n"
    "  than its input is skipped (so a re-run resumes); -f redoes it.\n"
    "  -r, --recursive       walk sub-folders too, mirrored under OUTDIR\n"
    "      --to F            output format for every file, as --format (default gif)\n"
    "      --include GLOB    only files matching GLOB (without '/' it matches the\n"
    "                        file name, with '/' the relative path); repeatable\n"
    "      --exclude GLOB    leave out files matching GLOB; repeatable\n"
    "  -j, --jobs N          files converted at a time, 0 = one per core (default\n"
    "                        0); each gets cores/N threads unless --threads is given\n"
    "      --shard K/N       take share K of N (by a hash of each file's path below\n"
    "                        its INPUT): N machines split one tree, no overlap\n"
    "      --list            print the planned jobs and convert nothing\n"
    "  With --json: one JSON line per file, then a summary line.\n"
    "  Exit status: 0 nothing failed, 9 some files failed (see the summary).\n"
    "\n";

/* `gifc serve --help`; also the last part of `gifc --help` and a section of gifc.1. */
const char cli_serve_usage[] =
    "gifc serve [--port N] [--open] [--max-upload SIZE] [-j N] [--max-queue N]\n"
    "Starts the gifc web page on 127.0.0.1 and prints its address (with the access\n"
    "token) as the first line on stdout: drop files on it, pick a target or a\n"
    "format, trim, crop, convert, download. Nothing leaves this computer. Ctrl-C\n"
    "stops it and removes every file. The page's JSON API is in README.\n"
    "  --port N          port to listen on; 0 (the default) picks a free one\n"
    "  --open            open the page with xdg-open\n"
    "  --max-upload SIZE largest file accepted (413 past it); 2G by default\n"
    "  -j, --jobs N      conversions at a time; 1 by default\n"
    "  --max-queue N     unfinished jobs held at once (429 past it); 32 by default\n";

static const char help_exit[] =
    "Exit status:\n"
    "  0    success\n"
    "  1    internal or encoder failure\n"
    "  2    usage error: bad option or value\n"
    "  3    input cannot be read: missing, unreadable, a directory\n"
    "  4    input not supported: unknown format, no video stream\n"
    "  5    input corrupt or truncated\n"
    "  6    output cannot be written: folder missing, disk full, same file as INPUT\n"
    "  7    output exists: use --force to replace it\n"
    "  8    --max-size cannot be met, even at the floor settings (nothing written)\n"
    "  9    batch: at least one file failed (the others were converted)\n"
    "  10   input over a limit: --max-pixels, --max-frames, --max-duration or\n"
    "       --max-decoded (raise the one the message names)\n"
    "  130  interrupted (SIGINT, Ctrl-C); 143 terminated (SIGTERM)\n";

/* Writes text with each {NAME.what} replaced from the option table. */
static void put_filled(FILE *f, const char *s)
{
    while (*s) {
        const char *open = strchr(s, '{');
        const char *close = open ? strchr(open, '}') : NULL;
        const char *dot = close ? memchr(open, '.', (size_t)(close - open)) : NULL;
        if (!dot) {
            fputs(s, f);
            return;
        }
        fwrite(s, 1, (size_t)(open - s), f);
        char name[48];
        snprintf(name, sizeof name, "%.*s", (int)(dot - open - 1), open + 1);
        const gifc_option_info *i = gifc_option_find(name);
        size_t wlen = (size_t)(close - dot - 1);
        if (!i) fprintf(f, "%.*s", (int)(close - open + 1), open);
        else if (!strncmp(dot + 1, "range", wlen)) fputs(i->range_text, f);
        else if (!strncmp(dot + 1, "default", wlen)) fputs(i->default_text, f);
        else fprintf(f, "%g", i->bare_value);
        s = close + 1;
    }
}

static void put_bytes(FILE *f, uint64_t b)
{
    if (b >= 1000000 && b % 100000 == 0) fprintf(f, "%g MB", (double)b / 1e6);
    else if (b >= 1000 && b % 1000 == 0) fprintf(f, "%g KB", (double)b / 1e3);
    else fprintf(f, "%llu B", (unsigned long long)b);
}

/* One line per target and format: "discord-emoji  gif  at most 128x128 px, 256 KB". */
void cli_print_targets(FILE *f)
{
    for (int i = 0; i < gifc_target_count(); i++) {
        const gifc_target_info *t = gifc_target_at(i);
        fprintf(f, "%-16s %s (checked %s)\n", t->name, t->title, t->checked);
        for (int k = 0; k < t->n_formats; k++) {
            const gifc_target_rules *r = &t->formats[k];
            fprintf(f, "  %-4s%s", cli_format_name(r->format), k ? "" : " (default)");
            const char *sep = k ? "           " : " ";
            if (r->width && r->exact == 2)
                fprintf(f, "%sone side exactly %d px, within %dx%d", sep, r->width, r->width,
                        r->height), sep = ", ";
            else if (r->width)
                fprintf(f, "%s%s %dx%d px", sep, r->exact ? "exactly" : "at most", r->width,
                        r->height), sep = ", ";
            if (r->max_bytes) fprintf(f, "%s", sep), put_bytes(f, r->max_bytes), sep = ", ";
            if (r->max_fps > 0) fprintf(f, "%s%g fps", sep, r->max_fps), sep = ", ";
            if (r->max_duration > 0) fprintf(f, "%s%g s", sep, r->max_duration), sep = ", ";
            if (r->max_frames > 0) fprintf(f, "%s%lld frames", sep, (long long)r->max_frames), sep = ", ";
            fprintf(f, "%s%s\n", sep, r->audio ? "audio allowed" : "no audio");
        }
    }
}

void cli_print_help(FILE *f)
{
    put_filled(f, help_intro);
    put_filled(f, help_options);
    put_filled(f, help_edit);
    put_filled(f, help_caption);
    put_filled(f, help_budget);
    put_filled(f, help_limits);
    put_filled(f, help_batch);
#ifdef GIFC_HAVE_SERVE
    fputs("Web page:\n  ", f);
    for (const char *c = cli_serve_usage; *c; c++) {
        fputc(*c, f);
        if (*c == '\n' && c[1]) fputs("  ", f);
    }
    fputc('\n', f);
#endif
    fputs(help_exit, f);
}
