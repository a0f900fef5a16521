/* Audio track for MP4 output: demux + decode (own AVFormatContext) -> libswresample to the
 * AAC encoder's format -> trim on the output sample grid -> AVAudioFifo -> AAC frames of
 * exactly frame_size samples -> mp4w_write_audio.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Positions are counted in output samples (encoder sample rate) from output time 0:
 *   swr_pos: position of the next sample the resampler will give out,
 *   out_pos: position of the next sample written into the FIFO (samples before 0 and from
 *            end_pos on are discarded, so out_pos only moves within [0, end_pos]),
 *   enc_pos: position of the next sample sent to the encoder (its frame pts).
 * The resampler's output is contiguous: a decoded frame's timestamp only matters for the
 * first frame (which places the whole stream on the grid) and when it disagrees with the
 * running sample count by more than SYNC_TOL (a hole is filled with silence, an overlap
 * cut). Silence is fed through the resampler in chunks from the pump loop, so a long hole
 * never sits in memory at once and stops where the caller's `until` does.
 */
#include "mp4/audio.h"

#include "decode/avdec.h"
#include "decode/memio.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/channel_layout.h>
#include <libavutil/samplefmt.h>
#include <libswresample/swresample.h>

#define AUDIO_BITRATE 128000
#define AUDIO_FALLBACK_RATE 48000
/* Timestamp disagreement (seconds) tolerated before filling a hole or cutting an overlap:
 * container timestamps are often rounded to the millisecond; 40 ms is one video frame at
 * 25 fps, below what viewers notice as lip-sync error. */
#define SYNC_TOL 0.04
#define SILENCE_CHUNK 4096 /* input samples of silence fed to the resampler at a time */
#define MAX_CHANNELS 64    /* libswresample's limit (SWR_CH_MAX) */
#define FIFO_FRAMES 4      /* initial FIFO size in encoder frames (it grows as needed) */

struct audio_src {
    char *name;              /* path or "input", for messages */
    AVFormatContext *fmt;
    memio mem;               /* memory input, read independently of the video decoder */
    int stream;
    AVRational tb;           /* audio stream time base */
    double origin;           /* source seconds (stream clock) of time 0: the video's start */
    double start;            /* trim start, source seconds from origin */

    AVCodecContext *dec;
    AVPacket *pkt;
    AVFrame *in;             /* decoded frame */
    int in_pending;          /* in holds a frame not yet resampled */
    int in_skip;             /* its first samples to drop (overlap) */
    int flushing;            /* the demuxer is at its end, the decoder is draining */

    struct SwrContext *swr;
    int swr_rate;            /* resampler input: rate, format, layout (as the frames say) */
    enum AVSampleFormat swr_fmt;
    AVChannelLayout swr_layout;
    uint8_t *silence[MAX_CHANNELS]; /* SILENCE_CHUNK samples in the resampler input format */
    int64_t gap;             /* input samples of silence still to feed */
    uint8_t *conv[AV_NUM_DATA_POINTERS]; /* resampler output, fltp */
    int conv_cap;            /* samples */

    AVCodecContext *enc;
    AVAudioFifo *fifo;
    AVFrame *out;            /* frame for the encoder */
    int channels;            /* output channels */
    int rate;                /* output sample rate */

    int have_first;          /* the first frame has placed the stream on the grid */
    double next_in_t;        /* source seconds where the next decoded frame should start */
    int64_t swr_pos, out_pos, enc_pos, end_pos; /* output samples, see the top */
    int done;                /* no more samples will reach the FIFO */
    int finished, failed;
};

/* ---- opening ---- */

/* Container and audio stream. *found = 0 when there is nothing to take audio from. */
static gifc_error open_container(audio_src *a, const char *path, const uint8_t *mem,
                                 size_t size, const source_limits *lim, int *found, gerr *e)
{
    *found = 0;
    if (!path && memio_open(&a->mem, mem, size, &a->fmt, e)) return e->code;
    /* The video decoder has opened this input already and reports what is wrong with it;
     * an input FFmpeg cannot open (WebP is read by libwebp) simply has no audio here. */
    int r = avformat_open_input(&a->fmt, path ? path : "", NULL, NULL);
    if (r == AVERROR(ENOMEM)) return gerr_av(e, GIFC_ERR_NOMEM, r, "%s (audio)", a->name);
    if (r < 0) return GIFC_OK;
    r = lim ? avdec_find_stream_info(a->fmt, lim) : avformat_find_stream_info(a->fmt, NULL);
    if (r == AVERROR(ENOMEM)) return gerr_av(e, GIFC_ERR_NOMEM, r, "%s (audio)", a->name);
    if (r < 0) return GIFC_OK;
    r = av_find_best_stream(a->fmt, AVMEDIA_TYPE_AUDIO, -1, -1, NULL, 0);
    if (r < 0) return GIFC_OK;
    a->stream = r;
    for (unsigned i = 0; i < a->fmt->nb_streams; i++)
        if ((int)i != a->stream) a->fmt->streams[i]->discard = AVDISCARD_ALL;
    AVStream *st = a->fmt->streams[a->stream];
    a->tb = st->time_base;
    /* Time 0 as the video decoder counts it: the start of the best video stream. */
    int v = av_find_best_stream(a->fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    const AVStream *ref = v >= 0 ? a->fmt->streams[v] : st;
    a->origin = ref->start_time != AV_NOPTS_VALUE ? ref->start_time * av_q2d(ref->time_base) : 0;
    *found = 1;
    return GIFC_OK;
}

static gifc_error open_decoder(audio_src *a, gerr *e)
{
    AVStream *st = a->fmt->streams[a->stream];
    const AVCodec *codec = avcodec_find_decoder(st->codecpar->codec_id);
    if (!codec)
        return gerr_set(e, GIFC_ERR_UNSUPPORTED, "%s: no decoder for %s audio in this FFmpeg",
                        a->name, avcodec_get_name(st->codecpar->codec_id));
    a->dec = avcodec_alloc_context3(codec);
    if (!a->dec) return gerr_set(e, GIFC_ERR_NOMEM, "out of memory (audio decoder)");
    int r = avcodec_parameters_to_context(a->dec, st->codecpar);
    if (r < 0) return gerr_av(e, gerr_av_code(r, GIFC_ERR_CORRUPT), r, "%s: audio stream", a->name);
    a->dec->pkt_timebase = st->time_base;
    a->dec->thread_count = 1;
    r = avcodec_open2(a->dec, codec, NULL);
    if (r < 0)
        return gerr_av(e, gerr_av_code(r, GIFC_ERR_CORRUPT), r, "%s: cannot open the %s decoder",
                       a->name, codec->name);
    if (a->dec->sample_rate <= 0 || a->dec->ch_layout.nb_channels <= 0)
        return gerr_set(e, GIFC_ERR_CORRUPT, "%s: the audio stream has no sample rate or channels",
                        a->name);
    return GIFC_OK;
}

/* The source rate when the encoder takes it, else AUDIO_FALLBACK_RATE. */
static int pick_rate(const AVCodec *c, int src)
{
    if (!c->supported_samplerates) return src;
    for (const int *r = c->supported_samplerates; *r; r++)
        if (*r == src) return src;
    return AUDIO_FALLBACK_RATE;
}

static gifc_error open_encoder(audio_src *a, gerr *e)
{
    const AVCodec *codec = avcodec_find_encoder_by_name("aac");
    if (!codec) return gerr_set(e, GIFC_ERR_ENCODE, "this FFmpeg has no AAC encoder");
    AVCodecContext *c = avcodec_alloc_context3(codec);
    if (!c) return gerr_set(e, GIFC_ERR_NOMEM, "out of memory (AAC encoder)");
    a->enc = c;
    a->rate = pick_rate(codec, a->dec->sample_rate);
    a->channels = a->dec->ch_layout.nb_channels == 1 ? 1 : 2;
    AVChannelLayout layout = a->channels == 1 ? (AVChannelLayout)AV_CHANNEL_LAYOUT_MONO
                                              : (AVChannelLayout)AV_CHANNEL_LAYOUT_STEREO;
    int r = av_channel_layout_copy(&c->ch_layout, &layout);
    if (r < 0) return gerr_set(e, GIFC_ERR_NOMEM, "out of memory (AAC encoder)");
    c->sample_fmt = AV_SAMPLE_FMT_FLTP;
    c->sample_rate = a->rate;
    c->time_base = (AVRational){1, a->rate};
    /* AAC-LC carries at most 6144 bits per channel per 1024-sample frame */
    int64_t cap = 6LL * a->rate * a->channels;
    c->bit_rate = AUDIO_BITRATE < cap ? AUDIO_BITRATE : cap;
    c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER; /* MP4 keeps the config in the stream header */
    r = avcodec_open2(c, codec, NULL);
    if (r < 0)
        return gerr_av(e, gerr_av_code(r, GIFC_ERR_ENCODE), r,
                       "cannot open the AAC encoder (%d Hz, %d channel(s))", a->rate, a->channels);
    if (c->frame_size <= 0)
        return gerr_set(e, GIFC_ERR_ENCODE, "the AAC encoder has no frame size");

    a->fifo = av_audio_fifo_alloc(AV_SAMPLE_FMT_FLTP, a->channels, c->frame_size * FIFO_FRAMES);
    a->out = av_frame_alloc();
    if (!a->fifo || !a->out) return gerr_set(e, GIFC_ERR_NOMEM, "out of memory (audio)");
    a->out->format = AV_SAMPLE_FMT_FLTP;
    a->out->sample_rate = a->rate;
    a->out->nb_samples = c->frame_size;
    r = av_channel_layout_copy(&a->out->ch_layout, &c->ch_layout);
    if (r >= 0) r = av_frame_get_buffer(a->out, 0);
    if (r < 0) return gerr_av(e, gerr_av_code(r, GIFC_ERR_ENCODE), r, "cannot allocate an audio frame");
    return GIFC_OK;
}

gifc_error audio_open(audio_src **out, const char *path, const uint8_t *mem, size_t mem_size,
                      double start, double duration, double speed, const source_limits *lim,
                      int *has_audio, gerr *e)
{
    if (has_audio) *has_audio = 0;
    if (!out || !has_audio) return gerr_set(e, GIFC_ERR_INVALID_ARG, "audio: no result pointer");
    *out = NULL;
    if (!path && !mem) return gerr_set(e, GIFC_ERR_INVALID_ARG, "audio: no input");
    if (!isfinite(start) || start < 0 || !isfinite(duration) || !isfinite(speed))
        return gerr_set(e, GIFC_ERR_INVALID_ARG, "audio: bad time window");
    if (speed > 0 && fabs(speed - 1.0) > 1e-9) return GIFC_OK; /* no tempo change: no audio */

    audio_src *a = calloc(1, sizeof *a);
    if (!a) return gerr_set(e, GIFC_ERR_NOMEM, "out of memory (audio)");
    a->name = strdup(path ? path : "input");
    if (!a->name) {
        free(a);
        return gerr_set(e, GIFC_ERR_NOMEM, "out of memory (audio)");
    }
    int found = 0;
    gifc_error r = open_container(a, path, mem, mem_size, lim, &found, e);
    if (r || !found) goto fail;
    if ((r = open_decoder(a, e)) || (r = open_encoder(a, e))) goto fail;
    a->pkt = av_packet_alloc();
    a->in = av_frame_alloc();
    if (!a->pkt || !a->in) {
        r = gerr_set(e, GIFC_ERR_NOMEM, "out of memory (audio)");
        goto fail;
    }
    a->start = start;
    a->end_pos = duration > 0 ? llround(duration * a->rate) : INT64_MAX;
    /* Start decoding a little before the window (as the video decoder does); frames
     * before it are resampled and discarded. A failed seek just means reading from 0. */
    if (start > 0.5) {
        int64_t ts = (int64_t)((a->origin + start - 0.2) * AV_TIME_BASE);
        avformat_seek_file(a->fmt, -1, INT64_MIN, ts, ts, 0);
    }
    *has_audio = 1;
    *out = a;
    return GIFC_OK;
fail:
    audio_free(&a);
    return r;
}

const struct AVCodecContext *audio_encoder(const audio_src *a)
{
    return a ? a->enc : NULL;
}

void audio_describe(const audio_src *a, char *buf, size_t n)
{
    if (!buf || !n) return;
    if (!a) {
        snprintf(buf, n, "no audio");
        return;
    }
    char in_l[64], out_l[64];
    if (av_channel_layout_describe(&a->dec->ch_layout, in_l, sizeof in_l) < 0)
        snprintf(in_l, sizeof in_l, "%d ch", a->dec->ch_layout.nb_channels);
    if (av_channel_layout_describe(&a->enc->ch_layout, out_l, sizeof out_l) < 0)
        snprintf(out_l, sizeof out_l, "%d ch", a->channels);
    snprintf(buf, n, "%s %d Hz %s -> AAC %d Hz %s %lld kb/s", a->dec->codec->name,
             a->dec->sample_rate, in_l, a->rate, out_l, (long long)(a->enc->bit_rate / 1000));
}

/* ---- decoding ---- */

/* Sends the next audio packet to the decoder, or the drain signal at the end of the file
 * (a read error counts as the end: a truncated file keeps what was decoded). */
static gifc_error feed_packet(audio_src *a, gerr *e)
{
    for (;;) {
        int r = av_read_frame(a->fmt, a->pkt);
        if (r < 0) {
            a->flushing = 1;
            avcodec_send_packet(a->dec, NULL);
            return GIFC_OK;
        }
        if (a->pkt->stream_index != a->stream) {
            av_packet_unref(a->pkt);
            continue;
        }
        r = avcodec_send_packet(a->dec, a->pkt);
        av_packet_unref(a->pkt);
        /* a damaged packet is skipped */
        if (r < 0 && r != AVERROR(EAGAIN) && r != AVERROR_INVALIDDATA)
            return gerr_av(e, gerr_av_code(r, GIFC_ERR_CORRUPT), r, "%s: audio decoding failed", a->name);
        return GIFC_OK;
    }
}

/* Next decoded frame into a->in; *got = 0 at the end of the audio. */
static gifc_error next_frame(audio_src *a, int *got, gerr *e)
{
    *got = 0;
    for (;;) {
        int r = avcodec_receive_frame(a->dec, a->in);
        if (r == 0) {
            if (a->in->nb_samples > 0) {
                *got = 1;
                return GIFC_OK;
            }
            continue;
        }
        if (r == AVERROR_EOF) return GIFC_OK;
        if (r != AVERROR(EAGAIN) && r != AVERROR_INVALIDDATA)
            return gerr_av(e, gerr_av_code(r, GIFC_ERR_CORRUPT), r, "%s: audio decoding failed", a->name);
        if (a->flushing) return GIFC_OK;
        gifc_error x = feed_packet(a, e);
        if (x) return x;
    }
}

/* ---- resampling and placing ---- */

/* Writes converted samples (the first at swr_pos) into the FIFO, keeping only the part in
 * [out_pos, end_pos). The resampler's output is contiguous and holes are filled before
 * resampling, so the samples never start after out_pos (before the trim end). */
static gifc_error place(audio_src *a, uint8_t **data, int n, gerr *e)
{
    int64_t base = a->swr_pos;
    a->swr_pos += n;
    int64_t from = base > a->out_pos ? base : a->out_pos;
    int64_t to = base + n < a->end_pos ? base + n : a->end_pos;
    if (to > from) {
        int cnt = (int)(to - from);
        void *p[2];
        for (int c = 0; c < a->channels; c++) p[c] = data[c] + (size_t)(from - base) * sizeof(float);
        if (av_audio_fifo_write(a->fifo, p, cnt) < cnt)
            return gerr_set(e, GIFC_ERR_NOMEM, "out of memory (audio buffer)");
        a->out_pos += cnt;
    }
    if (a->out_pos >= a->end_pos) a->done = 1;
    return GIFC_OK;
}

static gifc_error conv_reserve(audio_src *a, int n, gerr *e)
{
    if (n <= a->conv_cap) return GIFC_OK;
    av_freep(&a->conv[0]);
    a->conv_cap = 0;
    if (av_samples_alloc(a->conv, NULL, a->channels, n, AV_SAMPLE_FMT_FLTP, 0) < 0)
        return gerr_set(e, GIFC_ERR_NOMEM, "out of memory (audio)");
    a->conv_cap = n;
    return GIFC_OK;
}

/* Resamples n input samples (in: planes as the resampler input format wants them; NULL
 * flushes the resampler) and places the output. */
static gifc_error convert(audio_src *a, const uint8_t **in, int n, gerr *e)
{
    for (;;) {
        int cap = swr_get_out_samples(a->swr, in ? n : 0);
        if (cap < 0) return gerr_av(e, GIFC_ERR_ENCODE, cap, "audio resampling failed");
        if (cap < 256) cap = 256;
        gifc_error x = conv_reserve(a, cap, e);
        if (x) return x;
        int got = swr_convert(a->swr, a->conv, a->conv_cap, in, in ? n : 0);
        if (got < 0) return gerr_av(e, gerr_av_code(got, GIFC_ERR_ENCODE), got, "audio resampling failed");
        if (got > 0 && (x = place(a, a->conv, got, e))) return x;
        /* with input, one call takes it all (the output had room); a flush repeats until
         * the resampler is empty */
        if (in || got == 0) return GIFC_OK;
    }
}

static void free_silence(audio_src *a)
{
    av_freep(&a->silence[0]); /* one block for every plane */
    memset(a->silence, 0, sizeof a->silence);
}

/* (Re)creates the resampler for frames like f, flushing the previous one first. */
static gifc_error resampler_setup(audio_src *a, const AVFrame *f, gerr *e)
{
    if (a->swr) {
        gifc_error x = convert(a, NULL, 0, e);
        if (x) return x;
        swr_free(&a->swr);
    }
    free_silence(a);
    av_channel_layout_uninit(&a->swr_layout);
    int nch = f->ch_layout.nb_channels;
    if (nch <= 0 || nch > MAX_CHANNELS || f->sample_rate <= 0)
        return gerr_set(e, GIFC_ERR_CORRUPT, "%s: audio frame with %d channels at %d Hz", a->name,
                        nch, f->sample_rate);
    AVChannelLayout in_l = {0};
    int r;
    if (f->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC) { /* only a count: assume the usual */
        av_channel_layout_default(&in_l, nch);
        r = 0;
    } else {
        r = av_channel_layout_copy(&in_l, &f->ch_layout);
    }
    if (r >= 0)
        r = swr_alloc_set_opts2(&a->swr, &a->enc->ch_layout, AV_SAMPLE_FMT_FLTP, a->rate, &in_l,
                                (enum AVSampleFormat)f->format, f->sample_rate, 0, NULL);
    if (r >= 0) r = swr_init(a->swr);
    av_channel_layout_uninit(&in_l);
    if (r < 0)
        return gerr_av(e, gerr_av_code(r, GIFC_ERR_ENCODE), r,
                       "cannot convert %s audio (%d channels, %d Hz) to AAC input", a->name, nch,
                       f->sample_rate);
    a->swr_rate = f->sample_rate;
    a->swr_fmt = (enum AVSampleFormat)f->format;
    if ((r = av_channel_layout_copy(&a->swr_layout, &f->ch_layout)) < 0)
        return gerr_set(e, GIFC_ERR_NOMEM, "out of memory (audio)");
    return GIFC_OK;
}

/* Feeds up to SILENCE_CHUNK samples of a pending hole. */
static gifc_error feed_silence(audio_src *a, gerr *e)
{
    int nch = a->swr_layout.nb_channels;
    if (!a->silence[0]) {
        if (av_samples_alloc(a->silence, NULL, nch, SILENCE_CHUNK, a->swr_fmt, 0) < 0)
            return gerr_set(e, GIFC_ERR_NOMEM, "out of memory (audio)");
        av_samples_set_silence(a->silence, 0, SILENCE_CHUNK, nch, a->swr_fmt);
    }
    int n = a->gap < SILENCE_CHUNK ? (int)a->gap : SILENCE_CHUNK;
    a->gap -= n;
    return convert(a, (const uint8_t **)a->silence, n, e);
}

/* Feeds the pending decoded frame, from its first sample not cut as an overlap. */
static gifc_error feed_frame(audio_src *a, gerr *e)
{
    const AVFrame *f = a->in;
    int nch = f->ch_layout.nb_channels;
    int planar = av_sample_fmt_is_planar((enum AVSampleFormat)f->format);
    size_t step = (size_t)av_get_bytes_per_sample((enum AVSampleFormat)f->format) *
                  (size_t)(planar ? 1 : nch) * (size_t)a->in_skip;
    const uint8_t *p[MAX_CHANNELS];
    for (int c = 0; c < (planar ? nch : 1); c++) p[c] = f->extended_data[c] + step;
    a->in_pending = 0;
    gifc_error x = convert(a, p, f->nb_samples - a->in_skip, e);
    av_frame_unref(a->in);
    return x;
}

/* Takes a decoded frame: resampler for its format, its place on the timeline (first frame,
 * hole, overlap); leaves it pending for feed_frame (unless it is wholly an overlap). */
static gifc_error take_frame(audio_src *a, gerr *e)
{
    AVFrame *f = a->in;
    if (!a->swr || f->sample_rate != a->swr_rate || f->format != a->swr_fmt ||
        av_channel_layout_compare(&f->ch_layout, &a->swr_layout)) {
        gifc_error x = resampler_setup(a, f, e);
        if (x) return x;
    }
    double rate = f->sample_rate, dur = f->nb_samples / rate;
    int64_t ts = f->pts != AV_NOPTS_VALUE ? f->pts : f->best_effort_timestamp;
    double t0 = ts != AV_NOPTS_VALUE ? ts * av_q2d(a->tb) - a->origin
              : a->have_first ? a->next_in_t : a->start;
    a->in_skip = 0;
    if (!a->have_first) {
        a->have_first = 1;
        if (t0 > a->start) { /* audio begins inside the window: silence before it */
            a->swr_pos = 0;
            a->gap = llround((t0 - a->start) * rate);
        } else {
            a->swr_pos = llround((t0 - a->start) * a->rate);
        }
        a->next_in_t = t0 + dur;
    } else {
        double d = t0 - a->next_in_t;
        if (d > SYNC_TOL) {
            a->gap = llround(d * rate);
            a->next_in_t = t0 + dur;
        } else if (d < -SYNC_TOL) {
            int64_t skip = llround(-d * rate);
            if (skip >= f->nb_samples) { /* all of it was played already */
                av_frame_unref(f);
                return GIFC_OK;
            }
            a->in_skip = (int)skip;
            a->next_in_t = t0 + dur;
        } else {
            a->next_in_t += dur;
        }
    }
    a->in_pending = 1;
    return GIFC_OK;
}

/* ---- encoding ---- */

static gifc_error write_packets(audio_src *a, mp4w *m, gerr *e)
{
    for (;;) {
        int r = avcodec_receive_packet(a->enc, a->pkt);
        if (r == AVERROR(EAGAIN) || r == AVERROR_EOF) return GIFC_OK;
        if (r < 0) return gerr_av(e, gerr_av_code(r, GIFC_ERR_ENCODE), r, "AAC encoding failed");
        gifc_error x = mp4w_write_audio(m, a->pkt, a->enc->time_base, e);
        if (x) return x;
    }
}

/* Sends n (1..frame_size) samples from the FIFO as one frame; a short frame is padded with
 * silence unless the encoder accepts a short last frame. */
static gifc_error send_samples(audio_src *a, int n, mp4w *m, gerr *e)
{
    AVFrame *f = a->out;
    int fs = a->enc->frame_size;
    int len = n < fs && !(a->enc->codec->capabilities & AV_CODEC_CAP_SMALL_LAST_FRAME) ? fs : n;
    f->nb_samples = fs;
    int r = av_frame_make_writable(f); /* the encoder may still hold the previous buffer */
    if (r < 0) return gerr_av(e, gerr_av_code(r, GIFC_ERR_ENCODE), r, "cannot prepare an audio frame");
    if (av_audio_fifo_read(a->fifo, (void **)f->data, n) < n)
        return gerr_set(e, GIFC_ERR_ENCODE, "audio buffer underrun");
    if (len > n) av_samples_set_silence(f->data, n, len - n, a->channels, AV_SAMPLE_FMT_FLTP);
    f->nb_samples = len;
    f->pts = a->enc_pos;
    a->enc_pos += len;
    r = avcodec_send_frame(a->enc, f);
    if (r < 0) return gerr_av(e, gerr_av_code(r, GIFC_ERR_ENCODE), r, "AAC encoding failed");
    return write_packets(a, m, e);
}

/* Encodes every whole frame in the FIFO; final: also the rest (up to end_pos) and drains
 * the encoder. */
static gifc_error encode_ready(audio_src *a, mp4w *m, int final, gerr *e)
{
    int fs = a->enc->frame_size;
    int64_t avail = av_audio_fifo_size(a->fifo);
    if (final && a->end_pos != INT64_MAX && a->enc_pos + avail > a->end_pos)
        avail = a->end_pos > a->enc_pos ? a->end_pos - a->enc_pos : 0;
    gifc_error x = GIFC_OK;
    while (!x && avail >= fs) {
        x = send_samples(a, fs, m, e);
        avail -= fs;
    }
    if (x || !final) return x;
    if (avail > 0 && (x = send_samples(a, (int)avail, m, e))) return x;
    av_audio_fifo_reset(a->fifo);
    int r = avcodec_send_frame(a->enc, NULL);
    if (r < 0 && r != AVERROR_EOF) return gerr_av(e, gerr_av_code(r, GIFC_ERR_ENCODE), r, "AAC encoding failed");
    return write_packets(a, m, e);
}

/* Fills the FIFO up to output position target (or until there is no more audio),
 * encoding whole frames as they become ready. */
static gifc_error run(audio_src *a, int64_t target, mp4w *m, gerr *e)
{
    gifc_error x = GIFC_OK;
    while (!x && !a->done && a->out_pos < target) {
        if (a->gap > 0) {
            x = feed_silence(a, e);
        } else if (a->in_pending) {
            x = feed_frame(a, e);
        } else {
            int got = 0;
            x = next_frame(a, &got, e);
            if (!x && got) {
                x = take_frame(a, e);
            } else if (!x) { /* end of the audio: what the resampler still holds */
                if (a->swr) x = convert(a, NULL, 0, e);
                a->done = 1;
            }
        }
        if (!x) x = encode_ready(a, m, 0, e);
    }
    return x;
}

static gifc_error misuse(const audio_src *a, gerr *e)
{
    if (!a) return gerr_set(e, GIFC_ERR_INVALID_ARG, "audio: no reader");
    return gerr_set(e, GIFC_ERR_INVALID_ARG, a->finished ? "audio: already finished"
                                                         : "audio: used after a failure");
}

gifc_error audio_pump(audio_src *a, double until, mp4w *m, gerr *e)
{
    if (!a || a->failed || a->finished) return misuse(a, e);
    if (!m || isnan(until)) return gerr_set(e, GIFC_ERR_INVALID_ARG, "audio: bad pump arguments");
    if (until <= 0) return GIFC_OK;
    int64_t target = until * a->rate >= (double)INT64_MAX / 2 ? INT64_MAX : llround(until * a->rate);
    gifc_error x = run(a, target, m, e);
    if (x) a->failed = 1;
    return x;
}

gifc_error audio_finish(audio_src *a, double end, mp4w *m, gerr *e)
{
    if (!a || a->failed || a->finished) return misuse(a, e);
    if (!m || isnan(end)) return gerr_set(e, GIFC_ERR_INVALID_ARG, "audio: bad finish arguments");
    if (end > 0 && end * a->rate < (double)INT64_MAX / 2) {
        int64_t p = llround(end * a->rate);
        if (p < a->end_pos) a->end_pos = p;
        if (a->out_pos >= a->end_pos) a->done = 1;
    }
    gifc_error x = run(a, INT64_MAX, m, e);
    if (!x) x = encode_ready(a, m, 1, e);
    if (x) a->failed = 1;
    else a->finished = 1;
    return x;
}

void audio_free(audio_src **pa)
{
    if (!pa || !*pa) return;
    audio_src *a = *pa;
    avcodec_free_context(&a->dec);
    avcodec_free_context(&a->enc);
    avformat_close_input(&a->fmt);
    memio_close(&a->mem);
    swr_free(&a->swr);
    free_silence(a);
    av_freep(&a->conv[0]);
    av_channel_layout_uninit(&a->swr_layout);
    av_audio_fifo_free(a->fifo);
    av_frame_free(&a->in);
    av_frame_free(&a->out);
    av_packet_free(&a->pkt);
    free(a->name);
    free(a);
    *pa = NULL;
}
