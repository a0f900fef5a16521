/* libFuzzer target over gifc_convert_memory(), the library's whole path from bytes in memory
 * to a GIF or MP4 in memory: format sniffing, FFmpeg / libwebp decoding, scaling, timeline,
 * GIF encoder or MP4 writer, GIF keep-input, the size budget search.
 *
 * Input: one option byte, then the file. The option byte lets the fuzzer reach option
 * combinations without a second corpus; scripts/fuzz.sh makes seeds by prefixing fixtures
 * with a few option bytes. The same source builds one target per input family (fuzz_gif,
 * fuzz_mp4...): they differ by their seed corpus and dictionary only, since the library
 * sniffs the format from the content.
 *
 * Options are capped so that one run costs about a millisecond (issue 19: 500 runs a second
 * under ASan + UBSan): output at most 32 px, one thread, at most FUZZ_MAX_FRAMES frames
 * decoded and FUZZ_MAX_PIXELS pixels a frame (over either: GIFC_ERR_LIMIT, checked before
 * the pictures are allocated), so hostile sizes and lengths reach the parsers and the
 * limit checks but never a long decode. The seeds (scripts/fuzz.sh) are the fixtures made
 * small to fit. The budget search runs only when the option byte asks for it.
 * Besides crashes, the target aborts when a result breaks the API's promises (see
 * check_result), so a silent wrong answer is a finding too.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <gifc.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Option byte, bit by bit. */
#define OPT_MP4 0x01      /* output MP4 instead of GIF */
#define OPT_FAST 0x02     /* fast palettes / x264 veryfast */
#define OPT_COLORS 0x0C   /* two bits: 256, 16, 2 or 64 colours */
#define OPT_LOSSY 0x10    /* lossy LZW level 60 */
#define OPT_TIMING 0x60   /* two bits: see set_timing() */
#define OPT_BUDGET 0x80   /* a small max_size: runs the budget search */

#define FUZZ_WIDTH 32
#define FUZZ_MAX_FRAMES 8
#define FUZZ_MAX_PIXELS (64 * 64)

static void set_timing(gifc_options *o, int variant)
{
    o->width = FUZZ_WIDTH;
    o->duration = 1.0;
    switch (variant) {
    case 0: o->fps = 5; break;                    /* resampled to a fixed rate */
    case 1: break;                                /* the source's own timeline */
    case 2: o->start = 0.6; o->speed = 2.0; break; /* seek, then play fast */
    default:
        /* No option that changes the pictures: a GIF from a GIF may come back as the input's
         * own bytes (gif_keep.c). Full source size, kept small by max_pixels. */
        if (o->format == GIFC_FORMAT_GIF) {
            o->width = 0;
            o->duration = 0;
        } else {
            o->fps = 3;
        }
        break;
    }
}

static void set_options(gifc_options *o, unsigned knob)
{
    static const int colors[4] = { 256, 16, 2, 64 };
    gifc_options_init(o);
    o->threads = 1;
    o->max_frames = FUZZ_MAX_FRAMES;
    o->max_pixels = FUZZ_MAX_PIXELS;
    o->max_decoded_bytes = (uint64_t)FUZZ_MAX_FRAMES * FUZZ_MAX_PIXELS * 4 * 4;
    o->format = knob & OPT_MP4 ? GIFC_FORMAT_MP4 : GIFC_FORMAT_GIF;
    o->fast = !!(knob & OPT_FAST);
    o->colors = colors[(knob & OPT_COLORS) >> 2];
    o->lossy = knob & OPT_LOSSY ? 60 : 0;
    set_timing(o, (int)(knob & OPT_TIMING) >> 5);
    if (knob & OPT_BUDGET) {
        o->max_size = 1500;
        o->best_effort = 1; /* also write when even the floors miss: more code runs */
    }
}

static void fail(const char *what, gifc_error e, const gifc_context *ctx)
{
    fprintf(stderr, "fuzz_convert: %s (error %d: %s; %s)\n", what, (int)e, gifc_strerror(e),
            gifc_context_message(ctx));
    abort();
}

/* What gifc.h promises about a finished call. */
static void check_result(gifc_error e, const gifc_context *ctx, const gifc_options *o,
                         const uint8_t *out, size_t n, const gifc_result *r)
{
    if ((int)e < 0 || e >= GIFC_ERR__COUNT) fail("error code out of range", e, ctx);
    if (e) {
        if (!gifc_context_message(ctx)[0]) fail("failure without a message", e, ctx);
        /* INVALID_ARG blames the options: fair only for a start past a short input's end. */
        if ((e == GIFC_ERR_INVALID_ARG && !o->start) || e == GIFC_ERR_OUTPUT_EXISTS ||
            e == GIFC_ERR_SAME_FILE)
            fail("error that input bytes cannot cause", e, ctx);
        return;
    }
    if (!out || !n) fail("success without output", e, ctx);
    if (r->bytes != n) fail("result.bytes differs from the output size", e, ctx);
    if (r->width < 1 || r->height < 1 || r->frames < 1) fail("empty picture", e, ctx);
    if (o->width && r->width > o->width) fail("wider than asked", e, ctx);
    if (r->format == GIFC_FORMAT_GIF ? n < 6 || memcmp(out, "GIF8", 4) != 0
                                     : n < 8 || memcmp(out + 4, "ftyp", 4) != 0)
        fail("output does not start like its format", e, ctx);
    if (o->max_size && !r->over_budget && n > o->max_size) fail("over the budget", e, ctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    gifc_options o;
    set_options(&o, data[0]);
    gifc_context *ctx = NULL;
    gifc_error e = gifc_context_new(&o, &ctx);
    if (e) fail("options rejected", e, ctx);
    uint8_t *out = NULL;
    size_t n = 0;
    gifc_result r;
    gifc_result_init(&r);
    e = gifc_convert_memory(ctx, data + 1, size - 1, &out, &n, &r);
    check_result(e, ctx, &o, out, n, &r);
    gifc_free(out);
    gifc_context_free(&ctx);
    return 0;
}
