/* FFmpeg demux + decode: finds the video stream, picks a decoder that keeps alpha,
 * reads the display matrix, and yields decoded frames with timestamps in seconds.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "decode/avdec.h"

#include "decode/memio.h"
#include "picture/scale.h"
#include "picture/tonemap.h"

#include <errno.h>
#include <limits.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/display.h>
#include <libavutil/pixdesc.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

struct avdec {
    AVFormatContext *fmt;
    AVCodecContext *dec;
    memio mem;            /* gifc_convert_memory's input */
    AVPacket *pkt;
    AVFrame *frame;
    int stream;
    AVRational tb;
    int64_t start_ts;     /* stream start in tb units, subtracted from every pts */
    int rotation;
    int flushing, done;
    int64_t frames_out;
    int64_t packets;      /* video packets read */
    int64_t skipped;      /* after a seek: frames before the first packet read (estimated
                             from its timestamp), so the truncation check counts them;
                             -1 when unknown (the check is then not made) */
    int gif_unterminated; /* a GIF whose last byte is not the trailer ';' */
    int seeked;           /* --start seeked: the first frame is not the stream's first */
    int64_t apng_frames;  /* frames an APNG's acTL declares; -1 when not an APNG */
    double last_pts, fps;
};

/* avformat says INVALIDDATA both for "unknown format" and "known but broken": probing the
 * first bytes tells the two apart, so the user hears which one it is. */
static gifc_error classify_open_failure(const char *name, const uint8_t *head, size_t n,
                                        int averr, gerr *e)
{
    if (averr == AVERROR(ENOENT) || averr == AVERROR(EACCES) || averr == AVERROR(EISDIR))
        return gerr_av(e, GIFC_ERR_INPUT, averr, "%s", name);
    uint8_t buf[4096 + AVPROBE_PADDING_SIZE] = { 0 };
    if (n > 4096) n = 4096;
    if (head) memcpy(buf, head, n);
    AVProbeData pd = { .filename = "", .buf = buf, .buf_size = (int)n };
    int score = 0;
    const AVInputFormat *f = n ? av_probe_input_format3(&pd, 1, &score) : NULL;
    if (!f || score < AVPROBE_SCORE_EXTENSION)
        return gerr_set(e, GIFC_ERR_UNSUPPORTED,
                        "%s: not a format gifc reads (supported: MP4, MOV, M4V, MKV, WebM, AVI, "
                        "GIF, APNG, WebP and other video FFmpeg decodes)", name);
    return gerr_av(e, GIFC_ERR_CORRUPT, averr, "%s: damaged or truncated %s file", name, f->name);
}

static int last_byte(const char *path, const uint8_t *mem, size_t size)
{
    if (!path) return size ? mem[size - 1] : -1;
    FILE *f = fopen(path, "rb");
    int c = -1;
    if (f && fseek(f, -1, SEEK_END) == 0) c = fgetc(f);
    if (f) fclose(f);
    return c;
}

static size_t read_head(const char *path, uint8_t *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

/* VP8/VP9 alpha lives in side data only libvpx's decoders read; FFmpeg's own drop it. */
static const AVCodec *pick_decoder(const AVStream *st)
{
    const AVDictionaryEntry *a = av_dict_get(st->metadata, "alpha_mode", NULL, 0);
    if (a && !strcmp(a->value, "1")) {
        const char *name = st->codecpar->codec_id == AV_CODEC_ID_VP9 ? "libvpx-vp9"
                         : st->codecpar->codec_id == AV_CODEC_ID_VP8 ? "libvpx" : NULL;
        const AVCodec *c = name ? avcodec_find_decoder_by_name(name) : NULL;
        if (c) return c;
    }
    return avcodec_find_decoder(st->codecpar->codec_id);
}

static int read_rotation(const AVStream *st)
{
    const uint8_t *m = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, NULL);
    if (!m) return 0;
    double ccw = av_display_rotation_get((const int32_t *)m);
    if (isnan(ccw)) return 0;
    int cw = (int)lround(-ccw);
    cw = ((cw % 360) + 360) % 360;
    return (cw + 45) / 90 * 90 % 360;
}

static int is_animation_format(const char *name)
{
    return !strcmp(name, "gif") || !strcmp(name, "apng") || !strncmp(name, "webp", 4) ||
           !strcmp(name, "image2") || strstr(name, "_pipe");
}

/* Non-square pixels as encoders write them (anamorphic DVD and HDV go to 4:3 or 2:1). A
 * header outside 1/16..16 is damaged or junk: found by fuzzing, an APNG pHYs chunk claiming
 * a 990000:1 aspect made a 128 px picture 1933440 px wide, and a bigger one would overflow
 * the int width. Such pixels are taken as square. */
static int plausible_sar(AVRational sar)
{
    return sar.num > 0 && sar.den > 0 && sar.num != sar.den &&
           (int64_t)sar.num <= 16LL * sar.den && (int64_t)sar.den <= 16LL * sar.num;
}

static const char *tag_name(const char *name) { return name ? name : "?"; }

/* What the stream says about its colours, and what scale.c will do with it. */
static void describe_colour(const AVStream *st, const AVCodecContext *dec, source_info *info)
{
    const AVCodecParameters *par = st->codecpar;
    const AVPixFmtDescriptor *pd = av_pix_fmt_desc_get(dec->pix_fmt);
    if (!pd || (pd->flags & (AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_PAL))) return;
    int kind = tonemap_kind(par->color_trc);
    info->hdr = kind != TM_NONE;
    const char *done =
        kind == TM_PQ ? "HDR10 (PQ): tone-mapped to BT.709 SDR, BT.2390 EETF from the peak in "
                        "the stream's light-level metadata (1000 nits when absent)"
        : kind == TM_HLG ? "HLG: tone-mapped to BT.709 SDR, BT.2390 EETF from a 1000-nit peak"
        : par->color_space == AVCOL_SPC_UNSPECIFIED
            ? (par->height >= 720 ? "SDR, matrix untagged: BT.709 (720 lines or more)"
                                  : "SDR, matrix untagged: BT.601 (under 720 lines)")
            : "SDR";
    snprintf(info->colour, sizeof info->colour, "transfer %s, primaries %s, matrix %s, range %s; %s",
             tag_name(av_color_transfer_name(par->color_trc)),
             tag_name(av_color_primaries_name(par->color_primaries)),
             tag_name(av_color_space_name(par->color_space)),
             tag_name(av_color_range_name(par->color_range)), done);
}

static void fill_info(avdec *d, source_info *info)
{
    AVStream *st = d->fmt->streams[d->stream];
    AVCodecParameters *par = st->codecpar;
    AVRational sar = par->sample_aspect_ratio;
    double dw = par->width, dh = par->height;
    if (plausible_sar(sar)) dw = dw * sar.num / sar.den;
    if (d->rotation == 90 || d->rotation == 270) {
        double t = dw;
        dw = dh;
        dh = t;
    }
    info->width = (int)lround(dw);
    info->height = (int)lround(dh);
    if (st->duration != AV_NOPTS_VALUE && st->duration > 0)
        info->duration = st->duration * av_q2d(st->time_base);
    else if (d->fmt->duration != AV_NOPTS_VALUE && d->fmt->duration > 0)
        info->duration = d->fmt->duration / (double)AV_TIME_BASE;
    AVRational fr = st->avg_frame_rate.num ? st->avg_frame_rate : st->r_frame_rate;
    info->fps = fr.num && fr.den ? av_q2d(fr) : 0;
    if (info->fps > 1000) info->fps = 0;
    d->fps = info->fps;
    info->frames = st->nb_frames > 0 ? st->nb_frames
                 : (int64_t)(info->duration * info->fps + 0.5);
    info->format = d->fmt->iformat->name;
    info->is_animation = is_animation_format(info->format);
    /* Whether pictures may carry alpha (a per-frame scan decides what is really
     * transparent): libvpx reports yuv420p until its first frame, so VP8/VP9 go by the
     * container's alpha tag; FFmpeg's GIF decoder always outputs a format with alpha. */
    const AVPixFmtDescriptor *pd = av_pix_fmt_desc_get(d->dec->pix_fmt);
    int vpx = par->codec_id == AV_CODEC_ID_VP8 || par->codec_id == AV_CODEC_ID_VP9;
    info->has_alpha = vpx ? av_dict_get(st->metadata, "alpha_mode", NULL, 0) != NULL
                          : (pd && (pd->flags & AV_PIX_FMT_FLAG_ALPHA)) ||
                                par->codec_id == AV_CODEC_ID_GIF;
    describe_colour(st, d->dec, info);
    info->yuv_matrix = scale_direct_matrix(d->dec->pix_fmt, par->color_space, par->color_trc,
                                           par->height);
}

/* FFmpeg counts the pixels of a frame with its rows padded to the SIMD alignment; twice the
 * limit leaves room for that padding and still bounds memory, and frames in between are
 * refused by the exact count in source.c. */
static int64_t decoder_max_pixels(const source_limits *lim)
{
    /* FFmpeg's own max_pixels option takes at most INT_MAX (a larger value set through the
     * options dictionary is refused, not clamped). */
    return lim->max_pixels > INT_MAX / 2 ? INT_MAX : (int64_t)lim->max_pixels * 2;
}

static gifc_error open_decoder(avdec *d, const char *name, int threads,
                               const source_limits *lim, gerr *e)
{
    AVStream *st = d->fmt->streams[d->stream];
    const AVCodec *codec = pick_decoder(st);
    if (!codec)
        return gerr_set(e, GIFC_ERR_UNSUPPORTED, "%s: no decoder for %s video in this FFmpeg",
                        name, avcodec_get_name(st->codecpar->codec_id));
    d->dec = avcodec_alloc_context3(codec);
    if (!d->dec) return gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
    int r = avcodec_parameters_to_context(d->dec, st->codecpar);
    if (r < 0) return gerr_av(e, GIFC_ERR_CORRUPT, r, "%s", name);
    d->dec->thread_count = threads;
    d->dec->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
    d->dec->pkt_timebase = st->time_base;
    /* The decoder refuses bigger pictures itself, before allocating them, when a stream
     * changes size midway past what its header said. */
    d->dec->max_pixels = decoder_max_pixels(lim);
    r = avcodec_open2(d->dec, codec, NULL);
    if (r < 0) return gerr_av(e, GIFC_ERR_CORRUPT, r, "%s: cannot open the %s decoder", name,
                              codec->name);
    return GIFC_OK;
}

/* Sizes the container declares, before avformat_find_stream_info decodes a first frame of
 * each stream: a GIF's screen, an MP4's sample entry, an APNG's IHDR. A cover picture
 * (attached_pic) over the limit is skipped rather than refused. */
static gifc_error check_declared(AVFormatContext *fmt, const char *name,
                                 const source_limits *lim, gerr *e)
{
    for (unsigned i = 0; i < fmt->nb_streams; i++) {
        AVStream *st = fmt->streams[i];
        AVCodecParameters *par = st->codecpar;
        if (par->codec_type != AVMEDIA_TYPE_VIDEO) continue;
        gerr tmp = { 0 };
        if (!limits_check_size(lim, name, par->width, par->height, &tmp)) continue;
        if (!(st->disposition & AV_DISPOSITION_ATTACHED_PIC))
            return gerr_set(e, tmp.code, "%s", tmp.msg);
        st->discard = AVDISCARD_ALL;
    }
    return GIFC_OK;
}

/* avformat_find_stream_info decodes a frame of each stream to learn its parameters; the
 * same pixel limit applies to those decoders (one dictionary per stream). */
int avdec_find_stream_info(AVFormatContext *fmt, const source_limits *lim)
{
    unsigned n = fmt->nb_streams;
    AVDictionary **opts = n ? av_calloc(n, sizeof *opts) : NULL;
    if (n && !opts) return AVERROR(ENOMEM);
    char px[32];
    snprintf(px, sizeof px, "%lld", (long long)decoder_max_pixels(lim));
    for (unsigned i = 0; i < n; i++) av_dict_set(&opts[i], "max_pixels", px, 0);
    int r = avformat_find_stream_info(fmt, opts);
    for (unsigned i = 0; i < n; i++) av_dict_free(&opts[i]);
    av_free(opts);
    return r;
}

/* An APNG's acTL declares its frame count; FFmpeg does not keep it, so it is kept here for
 * the limit and for the truncation check at the end. */
static gifc_error check_apng(avdec *d, const char *name, const uint8_t *head, size_t n,
                             const source_limits *lim, gerr *e)
{
    d->apng_frames = -1;
    if (strcmp(d->fmt->iformat->name, "apng")) return GIFC_OK;
    d->apng_frames = limits_apng_declared_frames(head, n);
    return limits_check_declared_frames(lim, name, d->apng_frames, e);
}

static gifc_error open_container(avdec *d, const char *path, const uint8_t *mem, size_t size,
                                 const source_limits *lim, gerr *e)
{
    const char *name = path ? path : "input";
    uint8_t head[4096];
    size_t n = path ? read_head(path, head, sizeof head) : (size < 4096 ? size : 4096);
    const uint8_t *h = path ? head : mem;
    if (n == 0 && (path ? 1 : size == 0))
        return gerr_set(e, GIFC_ERR_CORRUPT, "%s: file is empty", name);
    if (!path && memio_open(&d->mem, mem, size, &d->fmt, e)) return e->code;
    int r = avformat_open_input(&d->fmt, path ? path : "", NULL, NULL);
    if (r < 0) return classify_open_failure(name, h, n, r, e);
    if (check_declared(d->fmt, name, lim, e) || check_apng(d, name, h, n, lim, e))
        return e->code;
    r = avdec_find_stream_info(d->fmt, lim);
    if (r < 0) return gerr_av(e, GIFC_ERR_CORRUPT, r, "%s: cannot read stream info", name);
    r = av_find_best_stream(d->fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if (r < 0)
        return gerr_set(e, GIFC_ERR_NO_VIDEO, "%s: no video stream (is it an audio file?)", name);
    d->stream = r;
    AVStream *st = d->fmt->streams[r];
    if (limits_check_size(lim, name, st->codecpar->width, st->codecpar->height, e) ||
        limits_check_declared_frames(lim, name, st->nb_frames, e))
        return e->code;
    for (unsigned i = 0; i < d->fmt->nb_streams; i++)
        if ((int)i != d->stream) d->fmt->streams[i]->discard = AVDISCARD_ALL;
    return GIFC_OK;
}

gifc_error avdec_open(avdec **out, const char *path, const uint8_t *mem, size_t mem_size,
                      int threads, const source_limits *lim, source_info *info, gerr *e)
{
    *out = NULL;
    avdec *d = av_mallocz(sizeof *d);
    if (!d) return gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
    const char *name = path ? path : "input";
    if (open_container(d, path, mem, mem_size, lim, e) ||
        open_decoder(d, name, threads, lim, e)) {
        avdec_free(&d);
        return e->code;
    }
    AVStream *st = d->fmt->streams[d->stream];
    d->tb = st->time_base;
    d->start_ts = st->start_time != AV_NOPTS_VALUE ? st->start_time : 0;
    d->rotation = read_rotation(st);
    d->pkt = av_packet_alloc();
    d->frame = av_frame_alloc();
    if (!d->pkt || !d->frame) {
        avdec_free(&d);
        return gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
    }
    memset(info, 0, sizeof *info);
    fill_info(d, info);
    if (info->width <= 0 || info->height <= 0) {
        avdec_free(&d);
        return gerr_set(e, GIFC_ERR_CORRUPT, "%s: video stream has no picture size", name);
    }
    d->last_pts = -1;
    if (!strcmp(d->fmt->iformat->name, "gif"))
        d->gif_unterminated = last_byte(path, mem, mem_size) != ';';
    *out = d;
    return GIFC_OK;
}

int avdec_rotation(const avdec *d) { return d->rotation; }

int avdec_truncated(const avdec *d, char *why, size_t n)
{
    int64_t declared = d->fmt->streams[d->stream]->nb_frames;
    if (declared <= 0) declared = d->apng_frames;
    /* A few frames of slack: some muxers count frames the decoder never returns. */
    if (d->skipped < 0) declared = 0;
    if (declared > 0 && d->packets + d->skipped < declared - 2 - declared / 50) {
        snprintf(why, n, "truncated: %lld of %lld frames present", (long long)d->packets,
                 (long long)declared);
        return 1;
    }
    if (d->gif_unterminated) {
        snprintf(why, n, "truncated GIF: the file ends inside frame %lld",
                 (long long)d->packets + 1);
        return 1;
    }
    return 0;
}

void avdec_seek(avdec *d, double t)
{
    /* Seek a little early: the keyframe before t, then frames before t are dropped. */
    if (t <= 0.5) return;
    int64_t ts = (int64_t)((t - 0.1) * AV_TIME_BASE);
    if (d->fmt->start_time != AV_NOPTS_VALUE) ts += d->fmt->start_time;
    if (avformat_seek_file(d->fmt, -1, INT64_MIN, ts, ts, 0) >= 0) {
        avcodec_flush_buffers(d->dec);
        d->seeked = 1;
    }
}

/* A seek (--start) jumps past frames the truncation check must not miss: they are counted
 * from the first packet's timestamp and the stream's frame rate. */
static void count_skipped(avdec *d)
{
    AVStream *st = d->fmt->streams[d->stream];
    int64_t ts = d->pkt->dts != AV_NOPTS_VALUE ? d->pkt->dts : d->pkt->pts;
    double fps = av_q2d(st->avg_frame_rate);
    if (ts == AV_NOPTS_VALUE || !(fps > 0) || !isfinite(fps)) {
        d->skipped = -1;
        return;
    }
    double t = (double)(ts - d->start_ts) * av_q2d(d->tb);
    d->skipped = t > 0 ? llround(t * fps) : 0;
}

/* Feeds one packet (or the drain signal at the end of the file). Returns 0, or an AVERROR
 * for a read error that is not the end of the file. */
static int feed_packet(avdec *d)
{
    for (;;) {
        int r = av_read_frame(d->fmt, d->pkt);
        if (r < 0) {
            /* End of file or a truncated file: either way, drain what was decoded. */
            d->flushing = 1;
            avcodec_send_packet(d->dec, NULL);
            return 0;
        }
        if (d->pkt->stream_index != d->stream) {
            av_packet_unref(d->pkt);
            continue;
        }
        if (d->seeked && d->packets == 0) count_skipped(d);
        d->packets++;
        r = avcodec_send_packet(d->dec, d->pkt);
        av_packet_unref(d->pkt);
        /* A damaged packet is skipped, like players do; the frame count tells if it mattered. */
        if (r < 0 && r != AVERROR(EAGAIN) && r != AVERROR_INVALIDDATA) return r;
        return 0;
    }
}

static void frame_times(avdec *d, double *pts, double *dur_hint)
{
    int64_t ts = d->frame->best_effort_timestamp;
    double t;
    if (ts == AV_NOPTS_VALUE)
        t = d->last_pts < 0 ? 0 : d->last_pts + (d->fps > 0 ? 1.0 / d->fps : 0.04);
    else {
        /* Time 0 is the first picture, as in FFmpeg's own outputs: an AVI has no
         * presentation times, and decode times start late by the reorder delay (0.2 s
         * on an H.264 AVI with B-frames), which would otherwise shift the whole clip. */
        if (!d->frames_out && !d->seeked && ts > d->start_ts) d->start_ts = ts;
        t = (ts - d->start_ts) * av_q2d(d->tb);
    }
    if (t < 0) t = 0;
    *pts = t;
    d->last_pts = t;
    *dur_hint = d->frame->pkt_duration > 0 ? d->frame->pkt_duration * av_q2d(d->tb) : 0;
}

/* A decoder refuses a picture over max_pixels (the frame's own header can say more than the
 * container did) with EINVAL, and forgets the size it was asked for: the message names
 * both causes it may be. */
static gifc_error decode_error(avdec *d, int averr, const char *what, gerr *e)
{
    const char *name = d->fmt->url && *d->fmt->url ? d->fmt->url : "input";
    if (averr == AVERROR(EINVAL))
        return gerr_set_opt(e, GIFC_ERR_CORRUPT, "max_pixels", "%s: %s: a frame is damaged, or larger than "
                        "allowed (max_pixels)", name, what);
    return gerr_av(e, GIFC_ERR_CORRUPT, averr, "%s: %s", name, what);
}

gifc_error avdec_next(avdec *d, AVFrame **frame, double *pts, double *dur_hint, gerr *e)
{
    *frame = NULL;
    while (!d->done) {
        int r = avcodec_receive_frame(d->dec, d->frame);
        if (r == 0) {
            frame_times(d, pts, dur_hint);
            d->frames_out++;
            *frame = d->frame;
            return GIFC_OK;
        }
        if (r == AVERROR_EOF) {
            d->done = 1;
            break;
        }
        if (r != AVERROR(EAGAIN) && r != AVERROR_INVALIDDATA)
            return decode_error(d, r, "decoding failed", e);
        if (r == AVERROR(EAGAIN) && d->flushing) {
            d->done = 1;
            break;
        }
        if (!d->flushing && (r = feed_packet(d)) < 0)
            return decode_error(d, r, "reading failed", e);
    }
    return GIFC_OK;
}

void avdec_free(avdec **pd)
{
    if (!pd || !*pd) return;
    avdec *d = *pd;
    avcodec_free_context(&d->dec);
    avformat_close_input(&d->fmt);
    memio_close(&d->mem);
    av_packet_free(&d->pkt);
    av_frame_free(&d->frame);
    av_freep(pd);
}
