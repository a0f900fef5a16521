/* The public API as a library user meets it: memory in, memory out, the progress callback
 * aborting, bad arguments, error texts. Uses only <gifc.h>.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <gifc.h>

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static uint8_t *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    rewind(f);
    uint8_t *b = malloc((size_t)len);
    *n = b ? fread(b, 1, (size_t)len, f) : 0;
    fclose(f);
    return b;
}

static int stop_after_3(void *user, int64_t done, int64_t total)
{
    (void)total;
    *(int64_t *)user = done;
    return done >= 3;
}

static void test_memory(const char *fixtures)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/h264_aac_320x180_25fps_2s.mp4", fixtures);
    size_t n = 0;
    uint8_t *in = slurp(path, &n);
    CHECK(in && n > 1000, "cannot read %s", path);
    if (!in) return;
    gifc_options o;
    gifc_options_init(&o);
    o.width = 160;
    gifc_context *ctx = NULL;
    CHECK(gifc_context_new(&o, &ctx) == GIFC_OK, "context");
    uint8_t *out = NULL;
    size_t out_n = 0;
    gifc_result r;
    gifc_result_init(&r);
    gifc_error e = gifc_convert_memory(ctx, in, n, &out, &out_n, &r);
    CHECK(e == GIFC_OK, "memory to GIF: %s", gifc_context_message(ctx));
    CHECK(out && out_n > 6 && !memcmp(out, "GIF89a", 6), "not a GIF");
    CHECK(r.width == 160 && r.height == 90, "size %dx%d", r.width, r.height);
    CHECK(r.bytes == out_n, "result bytes %llu vs %zu", (unsigned long long)r.bytes, out_n);
    CHECK(r.duration > 1.99 && r.duration < 2.01, "duration %f", r.duration);
    gifc_free(out);
    gifc_context_free(&ctx);
    CHECK(ctx == NULL, "free did not clear the pointer");

    o.format = GIFC_FORMAT_MP4;
    gifc_context_new(&o, &ctx);
    out = NULL;
    e = gifc_convert_memory(ctx, in, n, &out, &out_n, &r);
    CHECK(e == GIFC_OK && out_n > 8 && !memcmp(out + 4, "ftyp", 4), "memory to MP4: %s",
          gifc_context_message(ctx));
    CHECK(r.format == GIFC_FORMAT_MP4 && r.frames == 50, "mp4 frames %lld", (long long)r.frames);
    gifc_free(out);
    gifc_context_free(&ctx);

    /* Garbage in memory: a clear code and message, no output buffer. */
    static const uint8_t junk[64] = "this is not a video, just some text in a buffer";
    gifc_options_init(&o);
    gifc_context_new(&o, &ctx);
    out = NULL;
    e = gifc_convert_memory(ctx, junk, sizeof junk, &out, &out_n, &r);
    CHECK(e == GIFC_ERR_UNSUPPORTED, "junk gave %d (%s)", e, gifc_context_message(ctx));
    CHECK(out == NULL, "junk produced output");
    CHECK(strlen(gifc_context_message(ctx)) > 0, "no message");
    gifc_context_free(&ctx);
    free(in);
}

static void test_abort_and_paths(const char *fixtures)
{
    char in[4096], out[4096];
    snprintf(in, sizeof in, "%s/vp8_320x180_25fps_2s.mkv", fixtures);
    snprintf(out, sizeof out, "/tmp/gifc-api-test-%d.gif", (int)getpid());
    remove(out);
    gifc_options o;
    gifc_options_init(&o);
    int64_t seen = 0;
    o.progress = stop_after_3;
    o.progress_user = &seen;
    gifc_context *ctx = NULL;
    gifc_context_new(&o, &ctx);
    gifc_error e = gifc_convert_file(ctx, in, out, NULL);
    struct stat st;
    CHECK(e == GIFC_ERR_ABORTED, "abort gave %d", e);
    CHECK(seen == 3, "progress saw %lld frames", (long long)seen);
    CHECK(stat(out, &st) != 0, "an aborted conversion left %s", out);
    gifc_context_free(&ctx);

    gifc_options_init(&o);
    gifc_context_new(&o, &ctx);
    e = gifc_convert_file(ctx, in, "/nonexistent-gifc-dir/x.gif", NULL);
    CHECK(e == GIFC_ERR_OUTPUT && strstr(gifc_context_message(ctx), "nonexistent-gifc-dir"),
          "missing folder gave %d: %s", e, gifc_context_message(ctx));
    e = gifc_convert_file(ctx, "/nonexistent-gifc-input.mp4", out, NULL);
    CHECK(e == GIFC_ERR_INPUT, "missing input gave %d", e);
    CHECK(gifc_convert_file(NULL, in, out, NULL) == GIFC_ERR_INVALID_ARG, "NULL context");
    gifc_context_free(&ctx);
    gifc_context_free(NULL);
}

static void test_options(void)
{
    gifc_options o;
    gifc_options_init(&o);
    const char *why = NULL;
    CHECK(gifc_options_validate(&o, &why) == GIFC_OK, "defaults invalid: %s", why);
    o.colors = 300;
    CHECK(gifc_options_validate(&o, &why) == GIFC_ERR_INVALID_ARG && why && strstr(why, "colors"),
          "colors 300 accepted");
    gifc_context *ctx = (gifc_context *)&o; /* must be overwritten with NULL on failure */
    CHECK(gifc_context_new(&o, &ctx) == GIFC_ERR_INVALID_ARG && ctx == NULL, "bad options");
    for (int i = 0; i < GIFC_ERR__COUNT; i++)
        CHECK(gifc_strerror((gifc_error)i)[0] != '\0', "no text for %d", i);
    CHECK(strcmp(gifc_strerror((gifc_error)999), "unknown error") == 0, "out of range code");
    CHECK(gifc_format_from_path("a/b.GIF") == GIFC_FORMAT_GIF, "format .GIF");
    CHECK(gifc_format_from_path("a.m4v") == GIFC_FORMAT_MP4, "format .m4v");
    CHECK(gifc_format_from_path("a.WEBP") == GIFC_FORMAT_WEBP, "format .WEBP");
    CHECK(gifc_format_from_path("a.apng") == GIFC_FORMAT_APNG, "format .apng");
    CHECK(gifc_format_from_path("a.webm") == GIFC_FORMAT_WEBM, "format .webm");
    CHECK(gifc_format_from_path("a.AVIF") == GIFC_FORMAT_AVIF, "format .avif");
    CHECK(gifc_format_from_path("a.gif/b") == GIFC_FORMAT_AUTO, "format in a folder name");
}

/* Through the public API: a limit refuses with its own code and a message naming it; the
 * edits and the caption come out as asked (a square, a bounce's frame count). */
static void test_limits_and_edits(const char *fixtures)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/h264_aac_320x180_25fps_2s.mp4", fixtures);
    size_t n = 0;
    uint8_t *in = slurp(path, &n);
    CHECK(in, "cannot read %s", path);
    if (!in) return;
    gifc_options o;
    gifc_options_init(&o);
    o.max_frames = 5; /* the clip has 50 */
    gifc_context *ctx = NULL;
    uint8_t *out = NULL;
    size_t out_n = 0;
    gifc_result r;
    gifc_result_init(&r);
    CHECK(gifc_context_new(&o, &ctx) == GIFC_OK, "context");
    gifc_error e = gifc_convert_memory(ctx, in, n, &out, &out_n, &r);
    CHECK(e == GIFC_ERR_LIMIT && out == NULL, "max_frames 5 gave %d", e);
    CHECK(strstr(gifc_context_message(ctx), "max_frames") != NULL, "message: %s",
          gifc_context_message(ctx));
    gifc_context_free(&ctx);

    gifc_options_init(&o);
    o.width = 160;
    o.fps = 10;
    o.aspect_w = o.aspect_h = 1;
    o.bounce = 1;
    o.caption = "api";
    CHECK(gifc_context_new(&o, &ctx) == GIFC_OK, "context with edits");
    e = gifc_convert_memory(ctx, in, n, &out, &out_n, &r);
    CHECK(e == GIFC_OK, "edits: %s", gifc_context_message(ctx));
    CHECK(r.width == r.height, "aspect 1:1 gave %dx%d", r.width, r.height);
    /* 2 s at 10 fps: 20 frames, bounced without repeating the turns: 38 */
    CHECK(r.frames >= 36 && r.frames <= 38, "bounce gave %lld frames", (long long)r.frames);
    gifc_free(out);
    /* A caller built against an older, shorter gifc_result: nothing past its struct_size is
     * written (the guard bytes stay as they were). */
    struct { gifc_result r; unsigned char guard[16]; } old;
    memset(&old, 0x5a, sizeof old);
    size_t short_size = offsetof(gifc_result, duration);
    old.r.struct_size = short_size;
    e = gifc_convert_memory(ctx, in, n, &out, &out_n, &old.r);
    CHECK(e == GIFC_OK && old.r.width == r.width && old.r.frames == r.frames,
          "short result: %d %dx%d", e, old.r.width, old.r.height);
    const unsigned char *tail = (const unsigned char *)&old.r + short_size;
    size_t untouched = 0;
    while (short_size + untouched < sizeof old && tail[untouched] == 0x5a) untouched++;
    CHECK(short_size + untouched == sizeof old, "written past struct_size at +%zu", untouched);
    CHECK(old.r.struct_size == short_size, "struct_size became %zu", old.r.struct_size);
    gifc_free(out);
    gifc_context_free(&ctx);
    o.smooth_loop = 0.5; /* with bounce still set */
    const char *why = NULL;
    CHECK(gifc_options_validate(&o, &why) == GIFC_ERR_INVALID_ARG && why, "loop with bounce");
    free(in);
}

int main(int argc, char **argv)
{
    const char *fixtures = argc > 1 ? argv[1] : "fixtures";
    test_options();
    test_memory(fixtures);
    test_abort_and_paths(fixtures);
    test_limits_and_edits(fixtures);
    if (failures) fprintf(stderr, "%d failure(s)\n", failures);
    else printf("api: all checks passed\n");
    return failures ? 1 : 0;
}
