/* probe: an independent inspection tool for gifc's end-to-end tests.
 *
 *   probe FILE
 *
 * Prints ONE JSON object on stdout describing FILE, read with decoders that share no code
 * with gifc: giflib (DGifSlurp) for GIF, libavformat / libavcodec for everything else
 * (MP4 and whatever FFmpeg opens). Exit status 0 on success; 1 with {"error": "..."} on
 * stdout when the file cannot be read; 2 on a usage error.
 *
 * GIF:  format, width, height, frames, delays_cs, total_cs, min_delay_cs, loop (NETSCAPE2.0
 *       loop count, null when absent), transparent_frames, local_palettes,
 *       global_palette_size (0 when none), max_palette_size (largest colour map, global or
 *       local), max_local_palette_size, max_used_colors (most distinct non-transparent
 *       indices one frame uses), frames_within_canvas, disposals.
 * Else: format (demuxer name), codec, pix_fmt, width, height, sar, rotation (display
 *       matrix, degrees, 0 if none), frames (decoded), pts_ms (per decoded frame, sorted =
 *       presentation order), duration (container, seconds), stream_duration, faststart
 *       (top-level 'moov' box before 'mdat', scanned from the file's bytes), audio_streams,
 *       video_streams, color_space, color_range.
 * WebP: format, width, height, frames, durations_ms, total_ms, loop, has_alpha,
 *       transparent_pixels (per composited frame), frame_kinds ("lossy" / "lossless" per
 *       stored frame).
 * AVIF: libavif (probe_avif.h): format, width, height, frames, durations_ms, total_ms,
 *       has_alpha, transparent_pixels, depth, yuv_format, keyframes.
 *   probe --webp-rgba FPS FILE   (WebP or AVIF) raw RGBA frames at FPS on stdout
 *
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "mp4_boxes.h"
#include "probe_avif.h"
#include <gif_lib.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <libavutil/display.h>
#include <libavutil/pixdesc.h>
#include <webp/decode.h>
#include <webp/demux.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- JSON helpers ---- */

static void json_string(const char *s)
{
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '"' || *p == '\\') printf("\\%c", *p);
        else if (*p == '\n') fputs("\\n", stdout);
        else if (*p < 0x20) printf("\\u%04x", *p);
        else putchar(*p);
    }
    putchar('"');
}

static int fail_json(const char *path, const char *what, const char *detail)
{
    fputs("{\"error\":", stdout);
    json_string(what);
    fputs(",\"detail\":", stdout);
    json_string(detail);
    fputs(",\"file\":", stdout);
    json_string(path);
    fputs("}\n", stdout);
    return 1;
}

static const char *json_bool(int b) { return b ? "true" : "false"; }

/* ---- GIF (giflib) ---- */

static int is_gif(const char *path)
{
    unsigned char magic[6] = { 0 };
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    size_t n = fread(magic, 1, sizeof magic, f);
    fclose(f);
    return n == 6 && (memcmp(magic, "GIF87a", 6) == 0 || memcmp(magic, "GIF89a", 6) == 0);
}

/* Loop count from a NETSCAPE2.0 / ANIMEXTS1.0 application extension in a block list: the
 * APPLICATION_EXT_FUNC_CODE block holds the 11-byte identifier, the next (continuation)
 * sub-block holds {1, lo, hi}. Returns -1 when there is none. */
static long find_loop(const ExtensionBlock *b, int count)
{
    for (int i = 0; i < count; i++) {
        if (b[i].Function != APPLICATION_EXT_FUNC_CODE || b[i].ByteCount != 11) continue;
        if (memcmp(b[i].Bytes, "NETSCAPE2.0", 11) != 0 &&
            memcmp(b[i].Bytes, "ANIMEXTS1.0", 11) != 0)
            continue;
        if (i + 1 < count && b[i + 1].Function == CONTINUE_EXT_FUNC_CODE &&
            b[i + 1].ByteCount >= 3 && b[i + 1].Bytes[0] == 1)
            return b[i + 1].Bytes[1] | (b[i + 1].Bytes[2] << 8);
    }
    return -1;
}

/* Composites the frames' coverage (which canvas pixels hold an opaque colour) and prints,
 * per frame, how many canvas pixels are still transparent once it is drawn. Disposal 2
 * ("restore to background") clears the frame's rectangle to transparent, as browsers do;
 * disposal 3 restores the canvas from before the frame. */
static void print_gif_coverage(GifFileType *gif)
{
    size_t area = (size_t)gif->SWidth * gif->SHeight;
    unsigned char *canvas = calloc(area ? area : 1, 1), *saved = malloc(area ? area : 1);
    if (!canvas || !saved) {
        free(canvas);
        free(saved);
        return;
    }
    for (int i = 0; i < gif->ImageCount; i++) {
        SavedImage *im = &gif->SavedImages[i];
        const GifImageDesc *d = &im->ImageDesc;
        GraphicsControlBlock gcb = { 0, false, 0, NO_TRANSPARENT_COLOR };
        DGifSavedExtensionToGCB(gif, i, &gcb);
        if (gcb.DisposalMode == DISPOSE_PREVIOUS) memcpy(saved, canvas, area);
        for (int y = 0; y < d->Height && im->RasterBits; y++) {
            long cy = (long)d->Top + y;
            if (cy < 0 || cy >= gif->SHeight) continue;
            for (int x = 0; x < d->Width; x++) {
                long cx = (long)d->Left + x;
                if (cx < 0 || cx >= gif->SWidth) continue;
                if (im->RasterBits[(size_t)y * d->Width + x] != gcb.TransparentColor)
                    canvas[(size_t)cy * gif->SWidth + cx] = 1;
            }
        }
        size_t clear = 0;
        for (size_t p = 0; p < area; p++) clear += !canvas[p];
        printf("%s%zu", i ? "," : "", clear);
        if (gcb.DisposalMode == DISPOSE_BACKGROUND) {
            for (int y = 0; y < d->Height; y++) {
                long cy = (long)d->Top + y;
                if (cy < 0 || cy >= gif->SHeight) continue;
                for (int x = 0; x < d->Width; x++) {
                    long cx = (long)d->Left + x;
                    if (cx >= 0 && cx < gif->SWidth) canvas[(size_t)cy * gif->SWidth + cx] = 0;
                }
            }
        } else if (gcb.DisposalMode == DISPOSE_PREVIOUS) {
            memcpy(canvas, saved, area);
        }
    }
    free(canvas);
    free(saved);
}

static int probe_gif(const char *path)
{
    int err = 0;
    GifFileType *gif = DGifOpenFileName(path, &err);
    if (!gif) return fail_json(path, "giflib cannot open the file", GifErrorString(err));
    if (DGifSlurp(gif) != GIF_OK) {
        const char *msg = GifErrorString(gif->Error);
        char detail[256];
        snprintf(detail, sizeof detail, "%s", msg ? msg : "unknown error");
        DGifCloseFile(gif, &err);
        return fail_json(path, "giflib cannot read the file", detail);
    }
    int n = gif->ImageCount;
    long loop = find_loop(gif->ExtensionBlocks, gif->ExtensionBlockCount);
    long total = 0, min_delay = -1;
    int transparent = 0, local = 0, within = 1, max_pal = 0, max_local = 0, max_used = 0;
    int gsize = gif->SColorMap ? gif->SColorMap->ColorCount : 0;
    max_pal = gsize;

    printf("{\"format\":\"gif\",\"width\":%d,\"height\":%d,\"frames\":%d,\"delays_cs\":[",
           gif->SWidth, gif->SHeight, n);
    for (int i = 0; i < n; i++) {
        SavedImage *im = &gif->SavedImages[i];
        GraphicsControlBlock gcb = { 0, false, 0, NO_TRANSPARENT_COLOR };
        if (DGifSavedExtensionToGCB(gif, i, &gcb) != GIF_OK) {
            gcb.DelayTime = 0;
            gcb.TransparentColor = NO_TRANSPARENT_COLOR;
        }
        printf("%s%d", i ? "," : "", gcb.DelayTime);
        total += gcb.DelayTime;
        if (min_delay < 0 || gcb.DelayTime < min_delay) min_delay = gcb.DelayTime;
        if (gcb.TransparentColor != NO_TRANSPARENT_COLOR) transparent++;
        if (im->ImageDesc.ColorMap) {
            local++;
            if (im->ImageDesc.ColorMap->ColorCount > max_local)
                max_local = im->ImageDesc.ColorMap->ColorCount;
        }
        const GifImageDesc *d = &im->ImageDesc;
        if (d->Left < 0 || d->Top < 0 || d->Width <= 0 || d->Height <= 0 ||
            (long)d->Left + d->Width > gif->SWidth || (long)d->Top + d->Height > gif->SHeight)
            within = 0;
        if (loop < 0) loop = find_loop(im->ExtensionBlocks, im->ExtensionBlockCount);
        /* distinct non-transparent indices this frame's raster uses */
        if (im->RasterBits) {
            unsigned char seen[256] = { 0 };
            int used = 0;
            long pixels = (long)d->Width * d->Height;
            for (long p = 0; p < pixels; p++) {
                int c = im->RasterBits[p];
                if (c == gcb.TransparentColor || seen[c]) continue;
                seen[c] = 1;
                used++;
            }
            if (used > max_used) max_used = used;
        }
    }
    if (max_local > max_pal) max_pal = max_local;
    printf("],\"total_cs\":%ld,\"min_delay_cs\":%ld,\"loop\":", total, min_delay < 0 ? 0 : min_delay);
    if (loop < 0) fputs("null", stdout);
    else printf("%ld", loop);
    printf(",\"transparent_frames\":%d,\"local_palettes\":%d,\"global_palette_size\":%d,"
           "\"max_palette_size\":%d,\"max_local_palette_size\":%d,\"max_used_colors\":%d,"
           "\"frames_within_canvas\":%s,\"disposals\":[",
           transparent, local, gsize, max_pal, max_local, max_used, json_bool(within));
    for (int i = 0; i < n; i++) {
        GraphicsControlBlock gcb = { 0, false, 0, NO_TRANSPARENT_COLOR };
        DGifSavedExtensionToGCB(gif, i, &gcb);
        printf("%s%d", i ? "," : "", gcb.DisposalMode);
    }
    fputs("],\"transparent_pixels\":[", stdout);
    print_gif_coverage(gif);
    fputs("]}\n", stdout);
    DGifCloseFile(gif, &err);
    return 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

typedef struct decoded {
    int64_t *pts;
    size_t n, cap;
} decoded;

static int push_pts(decoded *d, int64_t pts)
{
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 256;
        int64_t *p = realloc(d->pts, cap * sizeof *p);
        if (!p) return -1;
        d->pts = p;
        d->cap = cap;
    }
    d->pts[d->n++] = pts;
    return 0;
}

/* Receives every frame the decoder has ready; -1 on a decode error. */
static int drain(AVCodecContext *dec, AVFrame *fr, decoded *d)
{
    for (;;) {
        int r = avcodec_receive_frame(dec, fr);
        if (r == AVERROR(EAGAIN) || r == AVERROR_EOF) return 0;
        if (r < 0) return -1;
        int64_t pts = fr->best_effort_timestamp;
        if (pts == AV_NOPTS_VALUE) pts = fr->pts;
        if (push_pts(d, pts) < 0) return -1;
        av_frame_unref(fr);
    }
}

static int probe_av(const char *path)
{
    AVFormatContext *fmt = NULL;
    AVCodecContext *dec = NULL;
    AVPacket *pkt = NULL;
    AVFrame *fr = NULL;
    decoded d = { 0 };
    char err[AV_ERROR_MAX_STRING_SIZE];
    int code = 1;

    av_log_set_level(AV_LOG_QUIET);
    int r = avformat_open_input(&fmt, path, NULL, NULL);
    if (r < 0) {
        av_strerror(r, err, sizeof err);
        return fail_json(path, "libavformat cannot open the file", err);
    }
    if ((r = avformat_find_stream_info(fmt, NULL)) < 0) {
        av_strerror(r, err, sizeof err);
        fail_json(path, "libavformat cannot read stream info", err);
        goto done;
    }
    int vi = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if (vi < 0) {
        fail_json(path, "no video stream", "");
        goto done;
    }
    int audio = 0, video = 0;
    for (unsigned i = 0; i < fmt->nb_streams; i++) {
        enum AVMediaType t = fmt->streams[i]->codecpar->codec_type;
        audio += t == AVMEDIA_TYPE_AUDIO;
        video += t == AVMEDIA_TYPE_VIDEO;
    }
    AVStream *st = fmt->streams[vi];
    const AVCodec *codec = avcodec_find_decoder(st->codecpar->codec_id);
    if (!codec) {
        fail_json(path, "no decoder", avcodec_get_name(st->codecpar->codec_id));
        goto done;
    }
    dec = avcodec_alloc_context3(codec);
    pkt = av_packet_alloc();
    fr = av_frame_alloc();
    if (!dec || !pkt || !fr) {
        fail_json(path, "out of memory", "");
        goto done;
    }
    avcodec_parameters_to_context(dec, st->codecpar);
    dec->pkt_timebase = st->time_base;
    dec->thread_count = 1;
    if ((r = avcodec_open2(dec, codec, NULL)) < 0) {
        av_strerror(r, err, sizeof err);
        fail_json(path, "cannot open the decoder", err);
        goto done;
    }
    int decode_errors = 0;
    while ((r = av_read_frame(fmt, pkt)) >= 0) {
        if (pkt->stream_index == vi) {
            if (avcodec_send_packet(dec, pkt) < 0) decode_errors++;
            if (drain(dec, fr, &d) < 0) decode_errors++;
        }
        av_packet_unref(pkt);
    }
    avcodec_send_packet(dec, NULL);
    if (drain(dec, fr, &d) < 0) decode_errors++;
    qsort(d.pts, d.n, sizeof *d.pts, cmp_i64);

    double rotation = 0;
    const uint8_t *matrix = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, NULL);
    if (matrix) {
        rotation = av_display_rotation_get((const int32_t *)matrix);
        if (isnan(rotation)) rotation = 0;
        if (rotation == 0) rotation = 0; /* no "-0" */
    }
    const char *pixfmt = av_get_pix_fmt_name(st->codecpar->format);
    AVRational sar = st->codecpar->sample_aspect_ratio;

    printf("{\"format\":");
    json_string(fmt->iformat->name);
    printf(",\"codec\":");
    json_string(avcodec_get_name(st->codecpar->codec_id));
    printf(",\"pix_fmt\":");
    json_string(pixfmt ? pixfmt : "none");
    printf(",\"width\":%d,\"height\":%d,\"sar\":\"%d:%d\",\"rotation\":%g,\"frames\":%zu,"
           "\"decode_errors\":%d,\"pts_ms\":[",
           st->codecpar->width, st->codecpar->height, sar.num, sar.den, rotation, d.n,
           decode_errors);
    for (size_t i = 0; i < d.n; i++) {
        double ms = d.pts[i] == AV_NOPTS_VALUE ? NAN : d.pts[i] * av_q2d(st->time_base) * 1000;
        if (isnan(ms)) printf("%snull", i ? "," : "");
        else printf("%s%.3f", i ? "," : "", ms);
    }
    printf("],\"duration\":");
    if (fmt->duration == AV_NOPTS_VALUE) fputs("null", stdout);
    else printf("%.6f", fmt->duration / (double)AV_TIME_BASE);
    printf(",\"stream_duration\":");
    if (st->duration == AV_NOPTS_VALUE) fputs("null", stdout);
    else printf("%.6f", st->duration * av_q2d(st->time_base));
    printf(",\"faststart\":%s,\"audio_streams\":%d,\"video_streams\":%d,\"color_space\":",
           json_bool(mp4_moov_before_mdat(path) == 1), audio, video);
    json_string(av_color_space_name(st->codecpar->color_space));
    printf(",\"color_range\":");
    json_string(av_color_range_name(st->codecpar->color_range));
    fputs("}\n", stdout);
    code = 0;

done:
    free(d.pts);
    av_frame_free(&fr);
    av_packet_free(&pkt);
    avcodec_free_context(&dec);
    avformat_close_input(&fmt);
    return code;
}

/* ---- WebP (libwebpdemux) ---- */

static int is_webp(const char *path)
{
    unsigned char magic[12] = { 0 };
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    size_t n = fread(magic, 1, sizeof magic, f);
    fclose(f);
    return n == 12 && memcmp(magic, "RIFF", 4) == 0 && memcmp(magic + 8, "WEBP", 4) == 0;
}

static unsigned char *read_all(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    unsigned char *data = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 1 << 16;
            unsigned char *p = realloc(data, cap);
            if (!p) { free(data); fclose(f); return NULL; }
            data = p;
        }
        size_t r = fread(data + n, 1, cap - n, f);
        n += r;
        if (r == 0) break;
    }
    fclose(f);
    *size = n;
    return data;
}

typedef struct webp_anim {
    unsigned char *data;
    WebPData wd;
    WebPAnimDecoder *dec;
    WebPAnimInfo info;
} webp_anim;

static void webp_close(webp_anim *a)
{
    WebPAnimDecoderDelete(a->dec);
    free(a->data);
    memset(a, 0, sizeof *a);
}

static const char *webp_open(webp_anim *a, const char *path)
{
    WebPAnimDecoderOptions opt;
    size_t size = 0;
    memset(a, 0, sizeof *a);
    if (!(a->data = read_all(path, &size))) return "cannot read the file";
    a->wd.bytes = a->data;
    a->wd.size = size;
    if (!WebPAnimDecoderOptionsInit(&opt)) return "libwebpdemux version mismatch";
    opt.color_mode = MODE_RGBA;
    opt.use_threads = 0;
    if (!(a->dec = WebPAnimDecoderNew(&a->wd, &opt))) return "WebPAnimDecoderNew failed";
    if (!WebPAnimDecoderGetInfo(a->dec, &a->info)) return "WebPAnimDecoderGetInfo failed";
    return NULL;
}

static int probe_webp(const char *path)
{
    webp_anim a;
    const char *why = webp_open(&a, path);
    if (why) {
        webp_close(&a);
        return fail_json(path, "libwebp cannot read the file", why);
    }
    size_t area = (size_t)a.info.canvas_width * a.info.canvas_height;
    size_t cap = a.info.frame_count ? a.info.frame_count : 1, n = 0;
    int *ts = calloc(cap, sizeof *ts);
    size_t *clear = calloc(cap, sizeof *clear);
    int ok = ts && clear;
    while (ok && WebPAnimDecoderHasMoreFrames(a.dec) && n < cap) {
        uint8_t *buf;
        int t;
        if (!WebPAnimDecoderGetNext(a.dec, &buf, &t)) { ok = 0; break; }
        size_t c = 0;
        for (size_t p = 0; p < area; p++) c += buf[p * 4 + 3] == 0;
        ts[n] = t;
        clear[n++] = c;
    }
    if (!ok || n != a.info.frame_count) {
        free(ts);
        free(clear);
        webp_close(&a);
        return fail_json(path, "libwebp cannot decode the file", "frame decode failed");
    }
    const WebPDemuxer *dmx = WebPAnimDecoderGetDemuxer(a.dec);
    uint32_t flags = WebPDemuxGetI(dmx, WEBP_FF_FORMAT_FLAGS);
    printf("{\"format\":\"webp\",\"width\":%u,\"height\":%u,\"frames\":%zu,\"durations_ms\":[",
           a.info.canvas_width, a.info.canvas_height, n);
    for (size_t i = 0; i < n; i++) printf("%s%d", i ? "," : "", ts[i] - (i ? ts[i - 1] : 0));
    printf("],\"total_ms\":%d,\"loop\":%u,\"has_alpha\":%s,\"transparent_pixels\":[",
           n ? ts[n - 1] : 0, a.info.loop_count, json_bool(flags & ALPHA_FLAG));
    for (size_t i = 0; i < n; i++) printf("%s%zu", i ? "," : "", clear[i]);
    /* each stored frame's bitstream: "lossy" (VP8) or "lossless" (VP8L) */
    fputs("],\"frame_kinds\":[", stdout);
    WebPIterator it;
    if (WebPDemuxGetFrame(dmx, 1, &it)) {
        int first = 1;
        do {
            WebPBitstreamFeatures ft;
            const char *kind = "unknown";
            if (WebPGetFeatures(it.fragment.bytes, it.fragment.size, &ft) == VP8_STATUS_OK)
                kind = ft.format == 2 ? "lossless" : ft.format == 1 ? "lossy" : "mixed";
            printf("%s\"%s\"", first ? "" : ",", kind);
            first = 0;
        } while (WebPDemuxNextFrame(&it));
        WebPDemuxReleaseIterator(&it);
    }
    fputs("]}\n", stdout);
    free(ts);
    free(clear);
    webp_close(&a);
    return 0;
}

/* Writes the animation as raw RGBA canvas frames at a constant fps: output frame k shows
 * the source frame on screen at time k / fps (a frame covers [its start, its end)). */
static int dump_webp_rgba(const char *path, double fps)
{
    webp_anim a;
    const char *why = webp_open(&a, path);
    if (why) {
        fprintf(stderr, "probe: %s: %s\n", path, why);
        webp_close(&a);
        return 1;
    }
    size_t bytes = (size_t)a.info.canvas_width * a.info.canvas_height * 4;
    long k = 0;
    int start = 0;
    while (WebPAnimDecoderHasMoreFrames(a.dec)) {
        uint8_t *buf;
        int end;
        if (!WebPAnimDecoderGetNext(a.dec, &buf, &end)) {
            fprintf(stderr, "probe: %s: frame decode failed\n", path);
            webp_close(&a);
            return 1;
        }
        /* every output instant k / fps in [start, end) ms shows this frame */
        while (k * 1000.0 / fps < end - 1e-9) {
            if (k * 1000.0 / fps >= start - 1e-9 && fwrite(buf, 1, bytes, stdout) != bytes) {
                webp_close(&a);
                return 1; /* reader went away */
            }
            k++;
        }
        start = end;
    }
    webp_close(&a);
    return fflush(stdout) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "--webp-rgba") == 0) {
        char *end;
        double fps = strtod(argv[2], &end);
        if (*end || !(fps > 0 && fps <= 1000)) {
            fprintf(stderr, "probe: bad fps '%s'\n", argv[2]);
            return 2;
        }
        return probe_is_avif(argv[3]) ? probe_avif_rgba(argv[3], fps)
                                      : dump_webp_rgba(argv[3], fps);
    }
    if (argc != 2) {
        fprintf(stderr, "usage: probe FILE | probe --webp-rgba FPS FILE\n");
        return 2;
    }
    if (is_gif(argv[1])) return probe_gif(argv[1]);
    if (is_webp(argv[1])) return probe_webp(argv[1]);
    if (probe_is_avif(argv[1])) return probe_avif(argv[1]);
    return probe_av(argv[1]);
}
