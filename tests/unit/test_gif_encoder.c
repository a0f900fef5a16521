/* GIF encoder: what a viewer composites from the file equals the source within the change
 * threshold; identical frames merge with their delays summed; the total duration holds.
 * Decoded with giflib (DGifSlurp), composited here per the GIF89a disposal rules.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "gif/gifenc.h"

#include <gif_lib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

enum { W = 96, H = 64, NFRAMES = 12 };

/* Few colours (so the palette can be exact): a flat background, a moving block, a
 * counter-like patch that changes every frame, and frames 4-6 identical to frame 3. */
static void draw(gframe *f, int i)
{
    int k = i >= 4 && i <= 6 ? 3 : i;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            uint8_t *p = f->rgba + (size_t)y * f->stride + x * 4;
            uint8_t r = 30, g = 40, b = 90;
            if (x >= 5 + k * 6 && x < 17 + k * 6 && y >= 10 && y < 30) r = 250, g = 200, b = 20;
            if (x >= 70 && x < 80 && y >= 45 && y < 55 && ((x + y + k) & 1)) r = g = b = 255;
            p[0] = r, p[1] = g, p[2] = b, p[3] = 255;
        }
}

typedef struct composite {
    uint8_t rgb[W * H * 3];
    int delay;
} composite;

/* Plays the GIF into a list of full frames (what a viewer shows, frame by frame). */
static int play(const char *path, composite *out, int max)
{
    int err = 0;
    GifFileType *gif = DGifOpenFileName(path, &err);
    if (!gif || DGifSlurp(gif) != GIF_OK) {
        fprintf(stderr, "giflib cannot read %s (%d)\n", path, gif ? gif->Error : err);
        return -1;
    }
    static uint8_t canvas[W * H * 3];
    memset(canvas, 0, sizeof canvas);
    int n = gif->ImageCount < max ? gif->ImageCount : max;
    for (int i = 0; i < n; i++) {
        SavedImage *im = &gif->SavedImages[i];
        GraphicsControlBlock gcb = { .TransparentColor = NO_TRANSPARENT_COLOR };
        DGifSavedExtensionToGCB(gif, i, &gcb);
        ColorMapObject *cm = im->ImageDesc.ColorMap ? im->ImageDesc.ColorMap : gif->SColorMap;
        GifImageDesc *d = &im->ImageDesc;
        for (int y = 0; y < d->Height; y++)
            for (int x = 0; x < d->Width; x++) {
                int c = im->RasterBits[y * d->Width + x];
                if (c == gcb.TransparentColor) continue;
                uint8_t *p = canvas + ((d->Top + y) * W + d->Left + x) * 3;
                p[0] = cm->Colors[c].Red, p[1] = cm->Colors[c].Green, p[2] = cm->Colors[c].Blue;
            }
        memcpy(out[i].rgb, canvas, sizeof canvas);
        out[i].delay = gcb.DelayTime;
        if (gcb.DisposalMode == DISPOSE_BACKGROUND)
            for (int y = 0; y < d->Height; y++)
                memset(canvas + ((d->Top + y) * W + d->Left) * 3, 0, (size_t)d->Width * 3);
    }
    DGifCloseFile(gif, &err);
    return n;
}

/* Encodes draw()'s NFRAMES frames at 10 fps (10 cs a frame, 120 cs in all) with p into a
 * new temp file named in path (a mkstemp template); *dur: what the encoder reports. 0 when
 * the file could not be made (checks have then failed). */
static int encode_drawn(char *path, const gifenc_params *p, double *dur)
{
    int fd = mkstemp(path);
    FILE *fp = fd >= 0 ? fdopen(fd, "wb") : NULL;
    CHECK(fp, "cannot create a temp file");
    if (!fp) return 0;
    gifenc *g = NULL;
    gerr e = { 0 };
    CHECK(gifenc_open(&g, fp, p, &e) == GIFC_OK, "open: %s", e.msg);
    gframe f;
    gframe_alloc(&f, W, H);
    for (int i = 0; i < NFRAMES && g; i++) {
        draw(&f, i);
        f.pts = i * 0.1;
        f.duration = 0.1;
        CHECK(gifenc_push(g, &f, &e) == GIFC_OK, "push %d: %s", i, e.msg);
    }
    *dur = 0;
    CHECK(g && gifenc_finish(g, NULL, NULL, dur, &e) == GIFC_OK, "finish: %s", e.msg);
    gifenc_free(&g);
    gframe_free(&f);
    fclose(fp);
    return 1;
}

static void test_composite_and_merge(void)
{
    char path[] = "/tmp/gifc-test-encXXXXXX";
    gifenc_params p = { .width = W, .height = H, .colors = 256, .quality = 90, .dither = 1.0,
                        .loop = 0, .threads = 2 };
    double dur;
    if (!encode_drawn(path, &p, &dur)) return;
    gframe f;
    gframe_alloc(&f, W, H);

    composite *shown = calloc(NFRAMES, sizeof *shown);
    int n = play(path, shown, NFRAMES);
    CHECK(n == NFRAMES - 3, "%d frames in the GIF, want %d (frames 4-6 repeat frame 3)", n,
          NFRAMES - 3);
    CHECK(fabs(dur - 1.2) < 1e-9, "encoder reports %.2f s, want 1.2", dur);
    int total = 0, src_i = 0;
    for (int i = 0; i < n; i++) {
        total += shown[i].delay;
        /* The i-th GIF frame stands for source frame src_i; merged frames held it longer. */
        draw(&f, src_i);
        int worst = 0;
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++) {
                const uint8_t *s = f.rgba + (size_t)y * f.stride + x * 4;
                const uint8_t *c = shown[i].rgb + (y * W + x) * 3;
                for (int k = 0; k < 3; k++) {
                    int d = abs(s[k] - c[k]);
                    if (d > worst) worst = d;
                }
            }
        /* q90's change threshold is 5 (weighted RGB distance); few colours quantise exactly. */
        CHECK(worst <= 5, "GIF frame %d differs from source frame %d by %d", i, src_i, worst);
        int want = src_i == 3 ? 40 : 10;
        CHECK(shown[i].delay == want, "GIF frame %d delay %d cs, want %d", i, shown[i].delay, want);
        src_i += src_i == 3 ? 4 : 1;
    }
    CHECK(total == 120, "total %d cs, want 120", total);
    free(shown);
    gframe_free(&f);
    remove(path);
}

/* Noise (+-7 a channel, new every frame) over a still grey background, a block moving 6 px
 * a frame: the block must be where the source has it in every shown frame, while the
 * background barely flickers (the look-ahead denoise keeps it put). */
static uint32_t lcg(uint32_t *s) { return *s = *s * 1664525u + 1013904223u; }

static int in_block(int x, int y, int i)
{
    return x >= 4 + 6 * i && x < 16 + 6 * i && y >= 20 && y < 40;
}

static void draw_noisy(gframe *f, int i, uint32_t *seed)
{
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            uint8_t *p = f->rgba + (size_t)y * f->stride + x * 4;
            for (int k = 0; k < 3; k++) p[k] = (uint8_t)(120 + (int)(lcg(seed) >> 24) % 15 - 7);
            if (in_block(x, y, i)) p[0] = 220, p[1] = 60, p[2] = 40;
            p[3] = 255;
        }
}

static void test_noise_stays_put(void)
{
    enum { N = 10 };
    char path[] = "/tmp/gifc-test-noiseXXXXXX";
    int fd = mkstemp(path);
    FILE *fp = fd >= 0 ? fdopen(fd, "wb") : NULL;
    CHECK(fp, "cannot create a temp file");
    if (!fp) return;
    gifenc_params p = { .width = W, .height = H, .colors = 256, .quality = 90, .dither = 1.0,
                        .threads = 2 };
    gifenc *g = NULL;
    gerr e = { 0 };
    CHECK(gifenc_open(&g, fp, &p, &e) == GIFC_OK, "open: %s", e.msg);
    gframe f;
    gframe_alloc(&f, W, H);
    uint32_t seed = 7;
    for (int i = 0; i < N && g; i++) {
        draw_noisy(&f, i, &seed);
        f.pts = i * 0.1;
        f.duration = 0.1;
        CHECK(gifenc_push(g, &f, &e) == GIFC_OK, "push %d: %s", i, e.msg);
    }
    CHECK(g && gifenc_finish(g, NULL, NULL, NULL, &e) == GIFC_OK, "finish: %s", e.msg);
    gifenc_free(&g);
    fclose(fp);
    composite *shown = calloc(N, sizeof *shown);
    int n = play(path, shown, N);
    CHECK(n == N, "%d frames, want %d", n, N);
    long flicker = 0, background = 0, block_off = 0;
    for (int i = 0; i < n; i++)
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++) {
                const uint8_t *c = shown[i].rgb + (y * W + x) * 3;
                if (in_block(x, y, i)) {
                    block_off += abs(c[0] - 220) + abs(c[1] - 60) + abs(c[2] - 40) > 12;
                    continue;
                }
                if (i == 0 || in_block(x, y, i - 1)) continue;
                background++;
                flicker += memcmp(c, shown[i - 1].rgb + (y * W + x) * 3, 3) != 0;
            }
    CHECK(block_off == 0, "%ld block pixels not where the source has them", block_off);
    CHECK(flicker * 100 < background * 3, "%ld of %ld background pixels flickered", flicker,
          background);
    free(shown);
    gframe_free(&f);
    remove(path);
}

/* A GIF input's frames drawn from its global table: the output keeps that table and no
 * frame needs its own; every colour comes back exactly. */
static void test_global_table_reused(void)
{
    static const uint8_t table[8 * 3] = { 30, 40, 90, 250, 200, 20, 255, 255, 255, 0, 0, 0,
                                          1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
    char path[] = "/tmp/gifc-test-globalXXXXXX";
    gifenc_params p = { .width = W, .height = H, .colors = 256, .quality = 90, .dither = 1.0,
                        .threads = 2, .palette_source = 1, .global_palette = table,
                        .global_colors = 8 };
    double dur;
    if (!encode_drawn(path, &p, &dur)) return;
    gframe f;
    gframe_alloc(&f, W, H);

    int err = 0;
    GifFileType *gif = DGifOpenFileName(path, &err);
    CHECK(gif && DGifSlurp(gif) == GIF_OK, "giflib cannot read %s", path);
    if (gif && gif->ImageCount > 0) {
        CHECK(gif->SColorMap && gif->SColorMap->ColorCount == 8 &&
                  !memcmp(gif->SColorMap->Colors, table, sizeof table),
              "the global table is not the input's");
        for (int i = 0; i < gif->ImageCount; i++)
            CHECK(!gif->SavedImages[i].ImageDesc.ColorMap, "image %d has its own table", i);
    }
    if (gif) DGifCloseFile(gif, &err);
    composite *shown = calloc(NFRAMES, sizeof *shown);
    int n = play(path, shown, NFRAMES), src_i = 0;
    for (int i = 0; i < n; i++, src_i += src_i == 3 ? 4 : 1) {
        draw(&f, src_i);
        long wrong = 0;
        for (int k = 0; k < W * H; k++)
            wrong += memcmp(f.rgba + (size_t)(k / W) * f.stride + (k % W) * 4,
                            shown[i].rgb + k * 3, 3) != 0;
        CHECK(wrong == 0, "GIF frame %d: %ld pixels differ from source frame %d", i, wrong, src_i);
    }
    CHECK(n == NFRAMES - 3, "%d frames, want %d", n, NFRAMES - 3);
    free(shown);
    gframe_free(&f);
    remove(path);
}

int main(void)
{
    test_composite_and_merge();
    test_global_table_reused();
    test_noise_stays_put();
    if (failures) fprintf(stderr, "%d failure(s)\n", failures);
    else printf("gif_encoder: all checks passed\n");
    return failures ? 1 : 0;
}
