/* Regression tests for what the fuzz targets (fuzz/) found: each case builds an input of the
 * kind that made a target fail, runs it through gifc_convert_memory() with the options the
 * target used, and checks for the clean answer. Inputs are generated here, not stored.
 * Uses only <gifc.h>; argument: the fixtures folder. Exits 0 when every check passes.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <gifc.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* ---- a minimal PNG writer: 8-bit grey, stored (uncompressed) deflate ---- */

typedef struct bytes {
    uint8_t *p;
    size_t n, cap;
} bytes;

static void put(bytes *b, const void *d, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2;
        b->p = realloc(b->p, b->cap);
        if (!b->p) abort();
    }
    memcpy(b->p + b->n, d, n);
    b->n += n;
}

static void put_be32(bytes *b, uint32_t v)
{
    const uint8_t d[4] = { v >> 24, v >> 16 & 255, v >> 8 & 255, v & 255 };
    put(b, d, 4);
}

static uint32_t crc32_of(const uint8_t *d, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= d[i];
        for (int k = 0; k < 8; k++) c = c >> 1 ^ (0xEDB88320u & -(c & 1));
    }
    return ~c;
}

static void put_chunk(bytes *png, const char *type, const bytes *data)
{
    bytes c = { 0 };
    put(&c, type, 4);
    if (data->n) put(&c, data->p, data->n);
    put_be32(png, (uint32_t)data->n);
    put(png, c.p, c.n);
    put_be32(png, crc32_of(c.p, c.n));
    free(c.p);
}

/* zlib stream of stored blocks (RFC 1950/1951), so no compressor is needed. */
static void put_zlib_stored(bytes *z, const uint8_t *raw, size_t n)
{
    put(z, "\x78\x01", 2);
    uint32_t a = 1, b = 0;
    for (size_t i = 0; i < n; i++) {
        a = (a + raw[i]) % 65521;
        b = (b + a) % 65521;
    }
    size_t at = 0;
    do {
        size_t len = n - at > 65535 ? 65535 : n - at;
        const uint8_t hdr[5] = { at + len == n, len & 255, len >> 8, ~len & 255, ~len >> 8 & 255 };
        put(z, hdr, 5);
        if (len) put(z, raw + at, len);
        at += len;
    } while (at < n);
    put_be32(z, b << 16 | a);
}

/* A w x h grey PNG (a gradient); pixel aspect x:y from a pHYs chunk when x > 0. */
static bytes make_png(uint32_t w, uint32_t h, uint32_t aspect_x, uint32_t aspect_y)
{
    bytes png = { 0 }, chunk = { 0 };
    put(&png, "\x89PNG\r\n\x1a\n", 8);
    put_be32(&chunk, w);
    put_be32(&chunk, h);
    put(&chunk, "\x08\x00\x00\x00\x00", 5); /* 8 bits, grey, deflate, filter 0, progressive */
    put_chunk(&png, "IHDR", &chunk);
    if (aspect_x) {
        chunk.n = 0;
        put_be32(&chunk, aspect_x);
        put_be32(&chunk, aspect_y);
        put(&chunk, "", 1); /* unit 0: an aspect ratio only */
        put_chunk(&png, "pHYs", &chunk);
    }
    size_t row = (size_t)w + 1, n = row * h;
    uint8_t *raw = malloc(n);
    if (!raw) abort();
    for (size_t i = 0; i < n; i++) raw[i] = i % row ? (uint8_t)(i * 7) : 0; /* filter 0 */
    chunk.n = 0;
    put_zlib_stored(&chunk, raw, n);
    free(raw);
    put_chunk(&png, "IDAT", &chunk);
    chunk.n = 0;
    put_chunk(&png, "IEND", &chunk);
    free(chunk.p);
    return png;
}

/* ---- cases ---- */

static gifc_error convert(const bytes *in, gifc_format f, int width, gifc_result *r,
                          char *msg, size_t msglen)
{
    gifc_options o;
    gifc_options_init(&o);
    o.format = f;
    o.width = width;
    o.threads = 1;
    gifc_context *ctx = NULL;
    if (gifc_context_new(&o, &ctx)) return GIFC_ERR__COUNT;
    uint8_t *out = NULL;
    size_t n = 0;
    memset(r, 0, sizeof *r);
    gifc_error e = gifc_convert_memory(ctx, in->p, in->n, &out, &n, r);
    snprintf(msg, msglen, "%s", gifc_context_message(ctx));
    gifc_free(out);
    gifc_context_free(&ctx);
    return e;
}

/* fuzz_apng: a pHYs chunk claiming 990000:1 pixels made a 128 px picture 1933440 px wide
 * and the GIF writer failed with "invalid argument". Junk aspect ratios are ignored now. */
static void test_junk_aspect(void)
{
    bytes png = make_png(8, 8, 0x3b010000, 1);
    gifc_result r;
    gifc_result_init(&r);
    char msg[512];
    gifc_error e = convert(&png, GIFC_FORMAT_GIF, 0, &r, msg, sizeof msg);
    CHECK(e == GIFC_OK, "junk aspect: error %d (%s)", (int)e, msg);
    CHECK(r.width == 8 && r.height == 8, "junk aspect: %dx%d, want 8x8", r.width, r.height);
    free(png.p);

    /* A real anamorphic aspect (2:1) still widens the picture. */
    png = make_png(8, 8, 2, 1);
    e = convert(&png, GIFC_FORMAT_GIF, 0, &r, msg, sizeof msg);
    CHECK(e == GIFC_OK && r.width == 16 && r.height == 8, "2:1 aspect: error %d, %dx%d",
          (int)e, r.width, r.height);
    free(png.p);
}

/* A source past the output format's size limit: a clean "unsupported" naming the limit,
 * not the writers' "invalid argument" (which blames the caller's options). */
static void test_too_large(void)
{
    gifc_result r;
    gifc_result_init(&r);
    char msg[512];
    bytes png = make_png(70000, 1, 0, 0); /* GIF at its own size: 70000 > 65535 */
    gifc_error e = convert(&png, GIFC_FORMAT_GIF, 0, &r, msg, sizeof msg);
    CHECK(e == GIFC_ERR_UNSUPPORTED && strstr(msg, "65535"), "70000 px GIF: error %d (%s)",
          (int)e, msg);
    free(png.p);

    png = make_png(4, 20000, 0, 0); /* MP4 64 px wide, not upscaled: 20000 > 16384 tall */
    e = convert(&png, GIFC_FORMAT_MP4, 64, &r, msg, sizeof msg);
    CHECK(e == GIFC_ERR_UNSUPPORTED && strstr(msg, "16384"), "20000 px MP4: error %d (%s)",
          (int)e, msg);
    free(png.p);
}

/* fuzz_webp: an animated WebP whose VP8X header claims a 13107328x96 canvas made
 * libwebp's animation decoder ask for 5 GB. The fixture with that header: refused before
 * the decoder is made. */
static void test_webp_huge_canvas(const char *fixtures)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/webp_anim_alpha_128x96_9frames.webp", fixtures);
    FILE *f = fopen(path, "rb");
    bytes webp = { 0 };
    uint8_t buf[4096];
    size_t got;
    while (f && (got = fread(buf, 1, sizeof buf, f)) > 0) put(&webp, buf, got);
    if (f) fclose(f);
    CHECK(webp.n > 30 && !memcmp(webp.p + 12, "VP8X", 4), "%s: not a VP8X WebP", path);
    if (webp.n <= 30) return;
    memcpy(webp.p + 24, "\x7f\x00\xc8", 3); /* canvas width - 1, 24 bits little-endian */
    gifc_result r;
    gifc_result_init(&r);
    char msg[512];
    gifc_error e = convert(&webp, GIFC_FORMAT_GIF, 64, &r, msg, sizeof msg);
    CHECK(e == GIFC_ERR_UNSUPPORTED && strstr(msg, "13107328x96"),
          "huge WebP canvas: error %d (%s)", (int)e, msg);
    free(webp.p);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_regress FIXTURES_DIR\n");
        return 2;
    }
    test_junk_aspect();
    test_too_large();
    test_webp_huge_canvas(argv[1]);
    if (failures) fprintf(stderr, "%d check(s) failed\n", failures);
    return failures ? 1 : 0;
}
