/* probe's AVIF part (see probe_avif.h).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "probe_avif.h"

#include <avif/avif.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int probe_is_avif(const char *path)
{
    unsigned char b[64] = { 0 };
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    size_t n = fread(b, 1, sizeof b, f);
    fclose(f);
    if (n < 16 || memcmp(b + 4, "ftyp", 4)) return 0;
    size_t box = (size_t)b[0] << 24 | (size_t)b[1] << 16 | (size_t)b[2] << 8 | b[3];
    if (box > n) box = n;
    for (size_t i = 8; i + 4 <= box; i += 4) /* major brand, version, compatible brands */
        if (!memcmp(b + i, "avif", 4) || !memcmp(b + i, "avis", 4)) return 1;
    return 0;
}

static avifDecoder *open_decoder(const char *path, const char **why)
{
    avifDecoder *d = avifDecoderCreate();
    if (!d) { *why = "out of memory"; return NULL; }
    d->strictFlags = AVIF_STRICT_ENABLED;
    avifResult r = avifDecoderSetIOFile(d, path);
    if (r == AVIF_RESULT_OK) r = avifDecoderParse(d);
    if (r != AVIF_RESULT_OK) {
        *why = avifResultToString(r);
        avifDecoderDestroy(d);
        return NULL;
    }
    return d;
}

static int to_rgba(avifDecoder *d, avifRGBImage *rgb)
{
    avifRGBImageSetDefaults(rgb, d->image);
    rgb->format = AVIF_RGB_FORMAT_RGBA;
    rgb->depth = 8;
    avifRGBImageAllocatePixels(rgb); /* void in libavif 0.11 */
    return rgb->pixels && avifImageYUVToRGB(d->image, rgb) == AVIF_RESULT_OK;
}

int probe_avif(const char *path)
{
    const char *why = NULL;
    avifDecoder *d = open_decoder(path, &why);
    if (!d) {
        printf("{\"error\":\"libavif cannot read the file: %s\"}\n", why);
        return 1;
    }
    int n = d->imageCount > 0 ? d->imageCount : 1, got = 0, keys = 0;
    long *ms = calloc((size_t)n, sizeof *ms);
    long *clear = calloc((size_t)n, sizeof *clear);
    int ok = ms && clear, has_alpha = 0;
    double total = 0;
    avifRGBImage rgb;
    memset(&rgb, 0, sizeof rgb);
    while (ok && got < n && avifDecoderNextImage(d) == AVIF_RESULT_OK) {
        if (d->image->alphaPlane) has_alpha = 1;
        if (avifDecoderIsKeyframe(d, (uint32_t)got)) keys++;
        double end = total + d->imageTiming.duration;
        ms[got] = lround(end * 1000) - lround(total * 1000);
        total = end;
        if (!rgb.pixels && !to_rgba(d, &rgb)) { ok = 0; break; }
        if (got && avifImageYUVToRGB(d->image, &rgb) != AVIF_RESULT_OK) { ok = 0; break; }
        long c = 0;
        for (uint32_t y = 0; y < rgb.height; y++)
            for (uint32_t x = 0; x < rgb.width; x++)
                c += rgb.pixels[y * rgb.rowBytes + x * 4 + 3] == 0;
        clear[got++] = c;
    }
    if (!ok || got != n) {
        printf("{\"error\":\"libavif cannot decode the file: frame %d of %d\"}\n", got, n);
    } else {
        printf("{\"format\":\"avif\",\"width\":%u,\"height\":%u,\"frames\":%d,"
               "\"durations_ms\":[", d->image->width, d->image->height, n);
        for (int i = 0; i < n; i++) printf("%s%ld", i ? "," : "", ms[i]);
        printf("],\"total_ms\":%ld,\"has_alpha\":%s,\"depth\":%u,\"yuv_format\":\"%s\","
               "\"keyframes\":%d,\"transparent_pixels\":[", lround(total * 1000),
               has_alpha ? "true" : "false", d->image->depth,
               avifPixelFormatToString(d->image->yuvFormat), keys);
        for (int i = 0; i < n; i++) printf("%s%ld", i ? "," : "", clear[i]);
        fputs("]}\n", stdout);
    }
    avifRGBImageFreePixels(&rgb);
    free(ms);
    free(clear);
    avifDecoderDestroy(d);
    return ok && got == n ? 0 : 1;
}

int probe_avif_rgba(const char *path, double fps)
{
    const char *why = NULL;
    avifDecoder *d = open_decoder(path, &why);
    if (!d) {
        fprintf(stderr, "probe: %s: %s\n", path, why);
        return 1;
    }
    avifRGBImage rgb;
    memset(&rgb, 0, sizeof rgb);
    double start = 0;
    long k = 0;
    int rc = 0;
    while (!rc && avifDecoderNextImage(d) == AVIF_RESULT_OK) {
        double end = start + d->imageTiming.duration;
        if (!rgb.pixels ? !to_rgba(d, &rgb)
                        : avifImageYUVToRGB(d->image, &rgb) != AVIF_RESULT_OK) {
            rc = 1;
            break;
        }
        size_t row = (size_t)rgb.width * 4;
        /* every output instant k / fps in [start, end) shows this frame */
        for (; !rc && k / fps < end - 1e-9; k++)
            for (uint32_t y = 0; !rc && k / fps >= start - 1e-9 && y < rgb.height; y++)
                rc = fwrite(rgb.pixels + (size_t)y * rgb.rowBytes, 1, row, stdout) != row;
        start = end;
    }
    avifRGBImageFreePixels(&rgb);
    avifDecoderDestroy(d);
    return rc || fflush(stdout) ? 1 : 0;
}
