/* MP4 (H.264 / libx264) writer.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Pipeline per frame: RGBA (composited over the background when it has alpha, padded when
 * the size is 1) -> swscale BT.709 limited-range yuv420p -> libx264 -> mp4 muxer. A yuv420
 * frame (gframe.h: the decode stage scaled the video's own YUV straight to the output size,
 * as FFmpeg's scale filter does) is copied to the encoder as it is; the stream is then
 * tagged with the video's matrix whatever the height, as FFmpeg does too.
 *
 * Timing: the encoder works in milliseconds (time_base 1/1000) and keeps the caller's
 * timeline, so the file is variable-frame-rate. libavcodec 59 does not carry a frame's
 * duration through the encoder, and x264 reorders frames (B-frames), so the writer keeps a
 * small FIFO of (pts, duration) for the frames inside the encoder and gives every packet
 * the duration of the frame with the same pts. The muxer needs that for the last frame
 * (which sets the end of the file) and for the edit list. The newest packet is held back
 * until the next one arrives so that the last one can be adjusted at the end (see
 * write_last_packet).
 *
 * Setup is split so that an audio stream can be added later: output_create() makes the
 * muxer context and opens the file, video_encoder_open() / video_stream_add() add the video
 * stream, audio_stream_add() the optional audio stream (from the caller's audio encoder),
 * output_start() writes the header once every stream exists. Audio packets arrive already
 * encoded (mp4w_write_audio) and go straight to the interleaving muxer.
 *
 * Rate control is CRF or x264's average bitrate (ABR), in one pass or two. For two passes
 * the wrapper's "stats" option names x264's statistics file (x264's own default is
 * x264_2pass.log in the current directory, which the writer must never create); pass 1
 * writes <stats>.temp and <stats>.mbtree.temp, which x264 renames when the encoder is
 * closed, so mp4w_finish closes it as soon as the last packet is out.
 */
#include "mp4/mp4w.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/dict.h>
#include <libavutil/frame.h>
#include <libavutil/imgutils.h>
#include <libavutil/rational.h>
#include <libswscale/swscale.h>

/* x264 preset: "medium" is x264's own default and the usual reference point for CRF
 * values; it is fast enough for gifc's inputs (clips, at most 1280x720 by default), where
 * decoding and scaling cost about as much as encoding. */
#define MP4W_PRESET "medium"
#define MP4W_PRESET_FAST "veryfast" /* --fast: ~2x the speed of medium on 2 cores */
/* Frame rate told to x264 when the caller does not know one. With timestamps x264 rate
 * control follows the real frame durations (VFR input); the nominal rate only feeds the
 * level choice and VBV, and the encoder time base (1000 "fps") would push the level far
 * past what players accept. */
#define MP4W_NOMINAL_FPS 25
#define MP4W_TIME_BASE 1000 /* ticks a second */
/* Average bitrate range, bits/s: x264 counts whole kbit/s, and a Gbit/s is far past any
 * H.264 level. */
#define MP4W_BITRATE_MIN 1000
#define MP4W_BITRATE_MAX 1000000000
/* The files x264's two-pass mode makes from the stats base path (ratecontrol.c): the
 * statistics, the macroblock-tree data, and both while being written. */
static const char *const stats_suffixes[] = {"", ".mbtree", ".temp", ".mbtree.temp"};

typedef struct ts_entry {
    int64_t pts; /* encoder ticks */
    int64_t dur; /* encoder ticks; -1 once taken */
} ts_entry;

enum mp4w_state { MP4W_OPEN, MP4W_FAILED, MP4W_DONE };

struct mp4w {
    char *path;         /* as given, for messages */
    char *url;          /* "file:" + path, so that a ':' in a name never selects a protocol */
    AVFormatContext *fmt;
    AVCodecContext *enc;
    AVStream *vst;
    AVStream *ast;      /* audio stream, NULL without audio */
    struct SwsContext *sws;
    AVFrame *yuv;
    AVPacket *pkt;
    AVPacket *held;     /* the newest packet, written when the next one arrives (see
                           write_last_packet) */
    int have_held;
    int64_t written_dts; /* encoder ticks of the last packet sent to the muxer */
    int64_t first_dts;   /* encoder ticks of the first packet sent to the muxer */

    int in_w, in_h;   /* pushed frame size */
    int enc_w, enc_h; /* encoded size (even) */
    int hd;           /* 720 lines or more: BT.709, else BT.601 (see colour_of) */
    uint8_t bg[3];
    uint8_t *stage;   /* enc_w x enc_h RGBA, for compositing / padding */
    size_t stage_stride;

    /* frames inside the encoder, in push order */
    ts_entry *ts;
    size_t ts_head, ts_end, ts_cap;

    int64_t last_pts;   /* encoder ticks of the previous frame */
    int64_t end_pts;    /* encoder ticks: end of the last frame (end of the file) */
    int64_t first_pts;  /* encoder ticks of the first frame */
    double last_pts_s;  /* caller's pts of the previous frame */
    int64_t frames;     /* frames pushed */
    uint64_t bytes;     /* encoded video + audio packet bytes so far (mp4w_bytes) */
    int pass;           /* params.pass */
    char *stats;        /* params.stats_path (pass 1 and 2), NULL otherwise */
    enum mp4w_state state;
};

/* The caller's frame rate hint as a fraction; 0/1 when unknown or unusable (the timeline
 * has millisecond resolution, so a rate above 1000 cannot be real). */
static AVRational fps_hint_q(double fps)
{
    AVRational q = {0, 1};
    if (fps > 0 && fps <= MP4W_TIME_BASE) q = av_d2q(fps, 100000);
    if (q.num <= 0 || q.den <= 0) q = (AVRational){0, 1};
    return q;
}

/* Encoded size for one input dimension: rounded down to even, 1 padded to 2. */
static int even_size(int n)
{
    return n == 1 ? 2 : n & ~1;
}

/* ---- (pts, duration) FIFO ---- */

static int ts_add(mp4w *m, int64_t pts, int64_t dur)
{
    if (m->ts_end == m->ts_cap) {
        if (m->ts_head >= m->ts_cap / 2 && m->ts_head > 0) {
            memmove(m->ts, m->ts + m->ts_head, (m->ts_end - m->ts_head) * sizeof *m->ts);
            m->ts_end -= m->ts_head;
            m->ts_head = 0;
        } else {
            size_t cap = m->ts_cap ? m->ts_cap * 2 : 64;
            ts_entry *t = realloc(m->ts, cap * sizeof *t);
            if (!t) return -1;
            m->ts = t;
            m->ts_cap = cap;
        }
    }
    m->ts[m->ts_end].pts = pts;
    m->ts[m->ts_end].dur = dur;
    m->ts_end++;
    return 0;
}

/* Finds and removes the entry for pts; 0 when there is none. */
static int ts_take(mp4w *m, int64_t pts, int64_t *dur)
{
    for (size_t i = m->ts_head; i < m->ts_end; i++) {
        if (m->ts[i].dur >= 0 && m->ts[i].pts == pts) {
            *dur = m->ts[i].dur;
            m->ts[i].dur = -1;
            while (m->ts_head < m->ts_end && m->ts[m->ts_head].dur < 0) m->ts_head++;
            if (m->ts_head == m->ts_end) m->ts_head = m->ts_end = 0;
            return 1;
        }
    }
    return 0;
}

/* ---- setup ---- */

/* Muxer context and the output file. */
static gifc_error output_create(mp4w *m, gerr *err)
{
    /* the muxer reopens its url to move moov to the front (faststart) */
    int r = avformat_alloc_output_context2(&m->fmt, NULL, "mp4", m->url);
    if (r < 0 || !m->fmt)
        return gerr_av(err, gerr_av_code(r, GIFC_ERR_OUTPUT), r, "cannot set up the MP4 muxer");
    if (!(m->fmt->oformat->flags & AVFMT_NOFILE)) {
        r = avio_open(&m->fmt->pb, m->url, AVIO_FLAG_WRITE);
        if (r < 0) return gerr_av(err, gerr_av_code(r, GIFC_ERR_OUTPUT), r, "cannot write '%s'", m->path);
    }
    return GIFC_OK;
}


/* The matrix a player assumes for untagged video of this size: BT.601 below 720 lines,
 * BT.709 from there. Using it (and saying so in the tags) gives the right colours both in
 * players that read the tags and in those that ignore them. */
static void tag_colour(const mp4w *m, enum AVColorPrimaries *prim,
                       enum AVColorTransferCharacteristic *trc, enum AVColorSpace *spc)
{
    *prim = m->hd ? AVCOL_PRI_BT709 : AVCOL_PRI_SMPTE170M;
    *trc = m->hd ? AVCOL_TRC_BT709 : AVCOL_TRC_SMPTE170M;
    *spc = m->hd ? AVCOL_SPC_BT709 : AVCOL_SPC_SMPTE170M;
}

/* FFmpeg leaves the options a component did not take in the dictionary: a leftover means
 * a setting silently lost, so it fails with code, naming the option (who: "libx264").
 * Frees opts either way. */
static gifc_error options_all_taken(AVDictionary **opts, gifc_error code, const char *who,
                                    gerr *err)
{
    const AVDictionaryEntry *left = av_dict_get(*opts, "", NULL, AV_DICT_IGNORE_SUFFIX);
    gifc_error e = left ? gerr_set(err, code, "%s did not accept the option '%s'", who,
                                   left->key)
                        : GIFC_OK;
    av_dict_free(opts);
    return e;
}

static gifc_error video_encoder_open(mp4w *m, const mp4w_params *p, gerr *err)
{
    const AVCodec *codec = avcodec_find_encoder_by_name("libx264");
    if (!codec)
        return gerr_set(err, GIFC_ERR_ENCODE, "this FFmpeg has no libx264 encoder");
    AVCodecContext *c = avcodec_alloc_context3(codec);
    if (!c) return gerr_set(err, GIFC_ERR_NOMEM, "out of memory (H.264 encoder)");
    m->enc = c;

    c->width = m->enc_w;
    c->height = m->enc_h;
    c->pix_fmt = AV_PIX_FMT_YUV420P;
    c->sample_aspect_ratio = (AVRational){1, 1};
    c->time_base = (AVRational){1, MP4W_TIME_BASE};
    c->framerate = fps_hint_q(p->fps_hint);
    if (!c->framerate.num) c->framerate = (AVRational){MP4W_NOMINAL_FPS, 1};
    c->thread_count = p->threads;
    /* Must match the matrix and range given to swscale in converter_open(). */
    tag_colour(m, &c->color_primaries, &c->color_trc, &c->colorspace);
    c->color_range = AVCOL_RANGE_MPEG;
    if (m->fmt->oformat->flags & AVFMT_GLOBALHEADER) c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;

    AVDictionary *opts = NULL;
    int r = av_dict_set(&opts, "preset", p->fast ? MP4W_PRESET_FAST : MP4W_PRESET, 0);
    if (p->bitrate > 0) {
        /* No VBV (rc_max_rate / rc_buffer_size): measured with maxrate 1.5-3x and buffers of
         * 2-4 s on three camera clips and the synthetic test clip it changed neither the
         * two-pass size (all within 2.5% anyway) nor the quality; on a screen recording it
         * moved pass 2 from +4.6% to -5.2% of the target and cost 0.5-0.8 dB PSNR. */
        c->bit_rate = p->bitrate;
        if (p->pass == 1) c->flags |= AV_CODEC_FLAG_PASS1;
        if (p->pass == 2) c->flags |= AV_CODEC_FLAG_PASS2;
        /* the wrapper hands it to x264 as its "stats" parameter (input and output) */
        if (r >= 0 && p->pass) r = av_dict_set(&opts, "stats", p->stats_path, 0);
    } else {
        char crf[16];
        snprintf(crf, sizeof crf, "%d", p->crf);
        if (r >= 0) r = av_dict_set(&opts, "crf", crf, 0);
    }
    /* CRF 0 is lossless, which High profile forbids: x264 then picks High 4:4:4 Predictive. */
    if (r >= 0 && (p->bitrate > 0 || p->crf > 0)) r = av_dict_set(&opts, "profile", "high", 0);
    if (r < 0) {
        av_dict_free(&opts);
        return gerr_set(err, GIFC_ERR_NOMEM, "out of memory (encoder options)");
    }
    r = avcodec_open2(c, codec, &opts);
    if (r < 0) {
        av_dict_free(&opts);
        if (p->bitrate > 0 && p->pass)
            return gerr_av(err, gerr_av_code(r, GIFC_ERR_ENCODE), r,
                           "cannot open the H.264 encoder (%dx%d, %lld bit/s, pass %d, "
                           "statistics '%s')", m->enc_w, m->enc_h, (long long)p->bitrate,
                           p->pass, p->stats_path);
        if (p->bitrate > 0)
            return gerr_av(err, gerr_av_code(r, GIFC_ERR_ENCODE), r,
                           "cannot open the H.264 encoder (%dx%d, %lld bit/s)", m->enc_w,
                           m->enc_h, (long long)p->bitrate);
        return gerr_av(err, gerr_av_code(r, GIFC_ERR_ENCODE), r,
                       "cannot open the H.264 encoder (%dx%d, crf %d)", m->enc_w, m->enc_h, p->crf);
    }
    return options_all_taken(&opts, GIFC_ERR_ENCODE, "libx264", err);
}

static gifc_error video_stream_add(mp4w *m, const mp4w_params *p, gerr *err)
{
    AVStream *st = avformat_new_stream(m->fmt, NULL);
    if (!st) return gerr_set(err, GIFC_ERR_NOMEM, "out of memory (MP4 stream)");
    m->vst = st;
    st->time_base = m->enc->time_base; /* a wish: the muxer may pick a finer one */
    AVRational fps = fps_hint_q(p->fps_hint);
    if (fps.num) st->avg_frame_rate = fps;
    int r = avcodec_parameters_from_context(st->codecpar, m->enc);
    if (r < 0) return gerr_av(err, gerr_av_code(r, GIFC_ERR_ENCODE), r, "cannot set up the video stream");
    return GIFC_OK;
}

/* The audio stream, described by the caller's opened encoder (copied, not kept). */
static gifc_error audio_stream_add(mp4w *m, const AVCodecContext *a, gerr *err)
{
    AVStream *st = avformat_new_stream(m->fmt, NULL);
    if (!st) return gerr_set(err, GIFC_ERR_NOMEM, "out of memory (MP4 stream)");
    m->ast = st;
    st->time_base = (AVRational){1, a->sample_rate}; /* a wish, as for video */
    int r = avcodec_parameters_from_context(st->codecpar, a);
    if (r < 0) return gerr_av(err, gerr_av_code(r, GIFC_ERR_ENCODE), r, "cannot set up the audio stream");
    return GIFC_OK;
}

/* Writes the header; every stream must exist by now. */
static gifc_error output_start(mp4w *m, gerr *err)
{
    AVDictionary *opts = NULL;
    /* moov before mdat, so players can start before the whole file has arrived */
    if (av_dict_set(&opts, "movflags", "+faststart", 0) < 0)
        return gerr_set(err, GIFC_ERR_NOMEM, "out of memory (muxer options)");
    int r = avformat_write_header(m->fmt, &opts);
    if (r < 0) {
        av_dict_free(&opts);
        return gerr_av(err, gerr_av_code(r, GIFC_ERR_OUTPUT), r, "cannot write '%s'", m->path);
    }
    return options_all_taken(&opts, GIFC_ERR_OUTPUT, "the MP4 muxer", err);
}

static gifc_error converter_open(mp4w *m, gerr *err)
{
    /* Same size in and out: only the colour conversion and the chroma subsampling happen
     * (an odd size is cropped by converting only the even part of the frame). */
    m->sws = sws_getContext(m->enc_w, m->enc_h, AV_PIX_FMT_RGBA, m->enc_w, m->enc_h,
                            AV_PIX_FMT_YUV420P,
                            /* swscale's fast path; exact rounding and full-resolution
                               chroma input cost 7% of a 640x480 encode for no SSIM */
                            SWS_BICUBIC, NULL, NULL, NULL);
    if (!m->sws) return gerr_set(err, GIFC_ERR_ENCODE, "cannot set up the RGB to YUV conversion");
    const int *coef = sws_getCoefficients(m->hd ? SWS_CS_ITU709 : SWS_CS_ITU601);
    /* source RGB full range, destination limited (MPEG) range in the matrix the tags set in
     * video_encoder_open() name */
    if (sws_setColorspaceDetails(m->sws, coef, 1, coef, 0, 0, 1 << 16, 1 << 16) < 0)
        return gerr_set(err, GIFC_ERR_ENCODE, "cannot set the RGB to YUV matrix");

    m->yuv = av_frame_alloc();
    m->pkt = av_packet_alloc();
    m->held = av_packet_alloc();
    if (!m->yuv || !m->pkt || !m->held) return gerr_set(err, GIFC_ERR_NOMEM, "out of memory (frame)");
    m->yuv->format = AV_PIX_FMT_YUV420P;
    m->yuv->width = m->enc_w;
    m->yuv->height = m->enc_h;
    tag_colour(m, &m->yuv->color_primaries, &m->yuv->color_trc, &m->yuv->colorspace);
    m->yuv->color_range = AVCOL_RANGE_MPEG;
    int r = av_frame_get_buffer(m->yuv, 0);
    if (r < 0) return gerr_av(err, gerr_av_code(r, GIFC_ERR_ENCODE), r, "cannot allocate a video frame");

    /* swscale's SIMD loads read up to a vector past a row's end: rows aligned to 64 bytes
     * and 64 spare bytes after the last keep those reads inside the buffer, zeroed so that
     * nothing undefined reaches the encoder (valgrind saw both). */
    m->stage_stride = ((size_t)m->enc_w * 4 + 63) & ~(size_t)63;
    m->stage = calloc(1, m->stage_stride * (size_t)m->enc_h + 64);
    if (!m->stage) return gerr_set(err, GIFC_ERR_NOMEM, "out of memory (%dx%d frame)", m->enc_w, m->enc_h);
    return GIFC_OK;
}

/* Pass 1: whether the folder of the statistics accepts new files. x264 would fail too, but
 * with a log line, a generic error and its partial allocations leaked (libx264 164). */
static gifc_error check_stats_folder(const char *stats, gerr *err)
{
    const char *slash = strrchr(stats, '/');
    char *dir = slash ? strndup(stats, slash == stats ? 1 : (size_t)(slash - stats)) : strdup(".");
    if (!dir) return gerr_set(err, GIFC_ERR_NOMEM, "out of memory (MP4 writer)");
    int ok = access(dir, W_OK | X_OK) == 0;
    free(dir);
    if (!ok)
        return gerr_set(err, GIFC_ERR_OUTPUT, "cannot write the x264 statistics '%s': %s", stats,
                        strerror(errno));
    return GIFC_OK;
}

static gifc_error check_params(const char *path, const mp4w_params *p, gerr *err)
{
    if (!path || !*path) return gerr_set(err, GIFC_ERR_INVALID_ARG, "MP4 output: no path");
    if (!p) return gerr_set(err, GIFC_ERR_INVALID_ARG, "MP4 output: no parameters");
    if (p->width < 1 || p->height < 1 || p->width > MP4W_MAX_SIDE || p->height > MP4W_MAX_SIDE)
        return gerr_set(err, GIFC_ERR_INVALID_ARG, "MP4 output: bad frame size %dx%d",
                        p->width, p->height);
    if (p->bitrate < 0 || (p->bitrate > 0 && (p->bitrate < MP4W_BITRATE_MIN ||
                                              p->bitrate > MP4W_BITRATE_MAX)))
        return gerr_set(err, GIFC_ERR_INVALID_ARG, "MP4 output: bitrate %lld bit/s not in %d..%d",
                        (long long)p->bitrate, MP4W_BITRATE_MIN, MP4W_BITRATE_MAX);
    if (p->bitrate == 0 && (p->crf < 0 || p->crf > 51))
        return gerr_set(err, GIFC_ERR_INVALID_ARG, "MP4 output: CRF %d not in 0..51", p->crf);
    if (p->pass < 0 || p->pass > 2)
        return gerr_set(err, GIFC_ERR_INVALID_ARG, "MP4 output: pass %d not in 0..2", p->pass);
    if (p->pass && p->bitrate == 0)
        return gerr_set(err, GIFC_ERR_INVALID_ARG, "MP4 output: pass %d without a bitrate", p->pass);
    if (p->pass && (!p->stats_path || !*p->stats_path))
        return gerr_set(err, GIFC_ERR_INVALID_ARG, "MP4 output: pass %d without a statistics path",
                        p->pass);
    if (!p->pass && p->stats_path)
        return gerr_set(err, GIFC_ERR_INVALID_ARG, "MP4 output: statistics path without a pass");
    /* x264's own message for this is a log line and a generic failure */
    if (p->pass == 2 && access(p->stats_path, R_OK) != 0)
        return gerr_set(err, GIFC_ERR_INVALID_ARG,
                        "MP4 output: no first-pass statistics at '%s'", p->stats_path);
    if (p->threads < 0)
        return gerr_set(err, GIFC_ERR_INVALID_ARG, "MP4 output: negative thread count");
    if (p->yuv_matrix && p->yuv_matrix != AVCOL_SPC_BT709 && p->yuv_matrix != AVCOL_SPC_SMPTE170M)
        return gerr_set(err, GIFC_ERR_INVALID_ARG, "MP4 output: YUV matrix %d is not BT.709 or BT.601",
                        p->yuv_matrix);
    if (!(p->fps_hint >= 0) || !isfinite(p->fps_hint))
        return gerr_set(err, GIFC_ERR_INVALID_ARG, "MP4 output: bad frame rate hint");
    if (p->audio && (p->audio->codec_type != AVMEDIA_TYPE_AUDIO || p->audio->sample_rate <= 0 ||
                     p->audio->ch_layout.nb_channels <= 0))
        return gerr_set(err, GIFC_ERR_INVALID_ARG, "MP4 output: the audio encoder is not set up");
    return GIFC_OK;
}

gifc_error mp4w_open(mp4w **out, const char *path, const mp4w_params *p, gerr *err)
{
    if (!out) return gerr_set(err, GIFC_ERR_INVALID_ARG, "MP4 output: no result pointer");
    *out = NULL;
    gifc_error e = check_params(path, p, err);
    if (!e && p->pass == 1) e = check_stats_folder(p->stats_path, err);
    if (e) return e;

    mp4w *m = calloc(1, sizeof *m);
    if (!m) return gerr_set(err, GIFC_ERR_NOMEM, "out of memory (MP4 writer)");
    m->in_w = p->width;
    m->in_h = p->height;
    m->enc_w = even_size(p->width);
    m->enc_h = even_size(p->height);
    m->hd = p->yuv_matrix ? p->yuv_matrix == AVCOL_SPC_BT709 : m->enc_h >= 720;
    m->bg[0] = (uint8_t)(p->background >> 16);
    m->bg[1] = (uint8_t)(p->background >> 8);
    m->bg[2] = (uint8_t)p->background;
    m->last_pts = INT64_MIN;
    m->written_dts = INT64_MIN;
    m->state = MP4W_OPEN;
    m->pass = p->pass;
    m->path = strdup(path);
    if (p->pass) m->stats = strdup(p->stats_path);
    m->url = malloc(strlen(path) + sizeof "file:");
    if (m->url) {
        memcpy(m->url, "file:", 5);
        memcpy(m->url + 5, path, strlen(path) + 1);
    }
    if (!m->path || !m->url || (p->pass && !m->stats)) {
        e = gerr_set(err, GIFC_ERR_NOMEM, "out of memory (MP4 writer)");
        goto fail;
    }

    if ((e = output_create(m, err))) goto fail;
    if ((e = video_encoder_open(m, p, err))) goto fail;
    if ((e = video_stream_add(m, p, err))) goto fail;
    if (p->audio && (e = audio_stream_add(m, p->audio, err))) goto fail;
    if ((e = output_start(m, err))) goto fail;
    if ((e = converter_open(m, err))) goto fail;
    *out = m;
    return GIFC_OK;
fail:
    mp4w_free(&m);
    return e;
}

void mp4w_size(const mp4w *m, int *w, int *h)
{
    if (w) *w = m ? m->enc_w : 0;
    if (h) *h = m ? m->enc_h : 0;
}

/* ---- encoding ---- */

/* Hands a packet (encoder time base, duration set) to the muxer; pkt comes back blank. */
static gifc_error write_packet(mp4w *m, AVPacket *pkt, gerr *err)
{
    if (m->written_dts == INT64_MIN) m->first_dts = pkt->dts;
    m->written_dts = pkt->dts;
    pkt->stream_index = m->vst->index;
    av_packet_rescale_ts(pkt, m->enc->time_base, m->vst->time_base);
    int r = av_interleaved_write_frame(m->fmt, pkt);
    av_packet_unref(pkt); /* already blank on success */
    if (r < 0) return gerr_av(err, gerr_av_code(r, GIFC_ERR_OUTPUT), r, "cannot write '%s'", m->path);
    return GIFC_OK;
}

/* Sends every packet the encoder has ready to the muxer, keeping the newest one back. */
static gifc_error drain_packets(mp4w *m, gerr *err)
{
    for (;;) {
        int r = avcodec_receive_packet(m->enc, m->pkt);
        if (r == AVERROR(EAGAIN) || r == AVERROR_EOF) return GIFC_OK;
        if (r < 0) return gerr_av(err, gerr_av_code(r, GIFC_ERR_ENCODE), r, "H.264 encoding failed");
        m->bytes += (uint64_t)m->pkt->size;
        int64_t dur;
        if (!ts_take(m, m->pkt->pts, &dur)) {
            av_packet_unref(m->pkt);
            return gerr_set(err, GIFC_ERR_ENCODE, "H.264 encoder returned an unknown timestamp");
        }
        m->pkt->duration = dur;
        if (m->have_held) {
            m->have_held = 0;
            gifc_error e = write_packet(m, m->held, err);
            if (e) {
                av_packet_unref(m->pkt);
                return e;
            }
        }
        av_packet_move_ref(m->held, m->pkt);
        m->have_held = 1;
    }
}

/* The last packet in decode order. An mp4 sample's duration (stts) is the difference of
 * decode times, and x264 sets a packet's dts to the pts of the frame `delay` frames earlier
 * in presentation order (minus a constant pre-roll D = first pts - first dts). With variable
 * frame durations the decode timeline then ends short of the presentation timeline by the
 * durations of the last few frames, and the sum of the sample durations, which FFmpeg's
 * demuxer takes as the stream duration (when shorter than mdhd) and divides into the frame
 * count for the average frame rate, comes out too short: by seconds when the last frames
 * are long holds. Moving the last packet's dts (within what decoding order allows) and
 * choosing its duration so that the decode timeline ends at end_pts - D gives the layout
 * of a constant-rate file: sample durations add up to the presentation duration. No frame
 * is shown at a different time or for a different time: pts are untouched and the edit
 * list still ends at the end of the last frame. */
static gifc_error write_last_packet(mp4w *m, gerr *err)
{
    if (!m->have_held) return GIFC_OK;
    m->have_held = 0;
    AVPacket *p = m->held;
    if (p->pts != AV_NOPTS_VALUE && p->dts != AV_NOPTS_VALUE && p->dts <= p->pts &&
        m->end_pts > p->pts) {
        int64_t d0 = m->written_dts == INT64_MIN ? p->dts : m->first_dts;
        int64_t pre = m->first_pts - d0 > 0 ? m->first_pts - d0 : 0;
        /* dts >= pts - pre keeps pts + duration <= end_pts */
        int64_t dts = p->dts > p->pts - pre ? p->dts : p->pts - pre;
        int64_t dur = m->end_pts - pre - dts;
        /* the last frame shown must still end exactly at end_pts */
        if (dur <= 0 || (p->pts == m->last_pts && p->pts + dur != m->end_pts))
            dur = m->end_pts - p->pts;
        p->dts = dts;
        p->duration = dur;
    }
    return write_packet(m, p, err);
}

/* round(x / 255) for x in 0..255*255 */
static inline uint8_t div255(unsigned x)
{
    x += 128;
    return (uint8_t)((x + (x >> 8)) >> 8);
}

/* The RGBA picture handed to swscale: the frame itself when it can be used as it is,
 * otherwise the stage buffer holding the frame composited over the background (alpha) and /
 * or padded by edge repetition (size 1). */
static const uint8_t *source_rgba(mp4w *m, const gframe *f, int *stride)
{
    int pad = m->enc_w > m->in_w || m->enc_h > m->in_h;
    if (!f->has_alpha && !pad) {
        *stride = f->stride;
        return f->rgba;
    }
    const unsigned br = m->bg[0], bgc = m->bg[1], bb = m->bg[2];
    for (int y = 0; y < m->enc_h; y++) {
        const uint8_t *row = f->rgba + (size_t)(y < m->in_h ? y : m->in_h - 1) * (size_t)f->stride;
        uint8_t *d = m->stage + (size_t)y * m->stage_stride;
        for (int x = 0; x < m->enc_w; x++, d += 4) {
            const uint8_t *s = row + (size_t)(x < m->in_w ? x : m->in_w - 1) * 4;
            unsigned a = f->has_alpha ? s[3] : 255;
            if (a == 255) {
                d[0] = s[0];
                d[1] = s[1];
                d[2] = s[2];
            } else {
                unsigned na = 255 - a;
                d[0] = div255(a * s[0] + na * br);
                d[1] = div255(a * s[1] + na * bgc);
                d[2] = div255(a * s[2] + na * bb);
            }
            d[3] = 255;
        }
    }
    *stride = (int)m->stage_stride;
    return m->stage;
}

static gifc_error misuse(const mp4w *m, gerr *err)
{
    if (!m) return gerr_set(err, GIFC_ERR_INVALID_ARG, "MP4 output: no writer");
    return gerr_set(err, GIFC_ERR_INVALID_ARG,
                    m->state == MP4W_DONE ? "MP4 output: writer already finished"
                                          : "MP4 output: writer used after a failure");
}

/* Checks a frame against the writer and the timeline; the writer is not touched. */
static gifc_error check_frame(const mp4w *m, const gframe *f, gerr *err)
{
    if (f && f->yuv420 && (f->w != m->enc_w || f->h != m->enc_h))
        return gerr_set(err, GIFC_ERR_INVALID_ARG, "MP4 output: YUV frame is %dx%d, expected %dx%d",
                        f->w, f->h, m->enc_w, m->enc_h);
    if (!f || !f->rgba || f->w != m->in_w || f->h != m->in_h ||
        (!f->yuv420 && f->stride < f->w * 4))
        return gerr_set(err, GIFC_ERR_INVALID_ARG, "MP4 output: frame is %dx%d, expected %dx%d",
                        f ? f->w : 0, f ? f->h : 0, m->in_w, m->in_h);
    if (!isfinite(f->pts) || !isfinite(f->duration) || f->pts < 0 || f->duration < 0 ||
        f->pts + f->duration > 1e9)
        return gerr_set(err, GIFC_ERR_INVALID_ARG, "MP4 output: bad frame time %g + %g s",
                        f->pts, f->duration);
    if (m->frames > 0 && !(f->pts > m->last_pts_s))
        return gerr_set(err, GIFC_ERR_INVALID_ARG,
                        "MP4 output: frame time %.6f s does not follow %.6f s", f->pts,
                        m->last_pts_s);
    return GIFC_OK;
}

static gifc_error encode_frame(mp4w *m, const gframe *f, gerr *err)
{
    int64_t pts = llround(f->pts * MP4W_TIME_BASE);
    if (pts <= m->last_pts) pts = m->last_pts + 1; /* two frames in the same tick */
    int64_t end = llround((f->pts + f->duration) * MP4W_TIME_BASE);
    int64_t dur = end > pts ? end - pts : 1;

    int r = av_frame_make_writable(m->yuv);
    if (r < 0) return gerr_av(err, gerr_av_code(r, GIFC_ERR_ENCODE), r, "cannot prepare a video frame");
    if (f->yuv420) {
        uint8_t *planes[4] = { NULL };
        int strides[4] = { 0 };
        gframe_planes(f, planes, strides);
        av_image_copy(m->yuv->data, m->yuv->linesize, (const uint8_t **)planes, strides,
                      AV_PIX_FMT_YUV420P, m->enc_w, m->enc_h);
    } else {
        int stride;
        const uint8_t *src = source_rgba(m, f, &stride);
        const uint8_t *const planes[1] = {src};
        const int strides[1] = {stride};
        r = sws_scale(m->sws, planes, strides, 0, m->enc_h, m->yuv->data, m->yuv->linesize);
        if (r <= 0) return gerr_set(err, GIFC_ERR_ENCODE, "RGB to YUV conversion failed");
    }

    if (ts_add(m, pts, dur)) return gerr_set(err, GIFC_ERR_NOMEM, "out of memory (timestamps)");
    m->yuv->pts = pts;
    m->yuv->pict_type = AV_PICTURE_TYPE_NONE;
    r = avcodec_send_frame(m->enc, m->yuv);
    if (r < 0) return gerr_av(err, gerr_av_code(r, GIFC_ERR_ENCODE), r, "H.264 encoding failed");
    if (m->frames == 0) m->first_pts = pts;
    m->last_pts = pts;
    m->last_pts_s = f->pts;
    if (pts + dur > m->end_pts) m->end_pts = pts + dur;
    m->frames++;
    return drain_packets(m, err);
}

gifc_error mp4w_push(mp4w *m, const gframe *f, gerr *err)
{
    if (!m || m->state != MP4W_OPEN) return misuse(m, err);
    /* A bad frame leaves the writer usable; a failure while encoding is the end of it. */
    gifc_error e = check_frame(m, f, err);
    if (e) return e;
    e = encode_frame(m, f, err);
    if (e) m->state = MP4W_FAILED;
    return e;
}

gifc_error mp4w_write_audio(mp4w *m, AVPacket *pkt, AVRational tb, gerr *err)
{
    gifc_error e = GIFC_OK;
    if (!m || m->state != MP4W_OPEN) e = misuse(m, err);
    else if (!m->ast) e = gerr_set(err, GIFC_ERR_INVALID_ARG, "MP4 output: no audio stream");
    else if (!pkt || tb.num <= 0 || tb.den <= 0)
        e = gerr_set(err, GIFC_ERR_INVALID_ARG, "MP4 output: bad audio packet");
    if (e) {
        if (pkt) av_packet_unref(pkt);
        return e;
    }
    m->bytes += (uint64_t)pkt->size;
    pkt->stream_index = m->ast->index;
    av_packet_rescale_ts(pkt, tb, m->ast->time_base);
    int r = av_interleaved_write_frame(m->fmt, pkt);
    av_packet_unref(pkt); /* already blank on success */
    if (r < 0) {
        m->state = MP4W_FAILED;
        return gerr_av(err, gerr_av_code(r, GIFC_ERR_OUTPUT), r, "cannot write '%s'", m->path);
    }
    return GIFC_OK;
}

gifc_error mp4w_finish(mp4w *m, gerr *err)
{
    if (!m || m->state != MP4W_OPEN) return misuse(m, err);
    if (m->frames == 0)
        return gerr_set(err, GIFC_ERR_INVALID_ARG, "MP4 output: no frames to write");
    m->state = MP4W_FAILED; /* until everything below has worked */

    int r = avcodec_send_frame(m->enc, NULL); /* enter draining mode */
    if (r < 0 && r != AVERROR_EOF)
        return gerr_av(err, gerr_av_code(r, GIFC_ERR_ENCODE), r, "H.264 encoding failed");
    gifc_error e = drain_packets(m, err);
    if (!e) e = write_last_packet(m, err);
    if (e) return e;
    /* Every packet is out: closing the encoder now makes x264 write the end of its
     * first-pass statistics and rename them to their final names. */
    avcodec_free_context(&m->enc);
    if (m->pass == 1 && access(m->stats, F_OK) != 0)
        return gerr_set(err, GIFC_ERR_OUTPUT, "x264 could not write its statistics '%s'", m->stats);

    /* The trailer writes moov and, for faststart, moves it in front of mdat by rewriting
     * the file: any write error shows up here. */
    r = av_write_trailer(m->fmt);
    if (r >= 0 && m->fmt->pb && m->fmt->pb->error < 0) r = m->fmt->pb->error;
    if (!(m->fmt->oformat->flags & AVFMT_NOFILE)) {
        int rc = avio_closep(&m->fmt->pb);
        if (r >= 0 && rc < 0) r = rc;
    }
    if (r < 0) return gerr_av(err, gerr_av_code(r, GIFC_ERR_OUTPUT), r, "cannot write '%s'", m->path);
    m->state = MP4W_DONE;
    return GIFC_OK;
}

void mp4w_free(mp4w **pm)
{
    if (!pm || !*pm) return;
    mp4w *m = *pm;
    if (m->fmt) {
        /* Without a trailer the file is left as it is (incomplete). */
        if (m->fmt->pb && !(m->fmt->oformat->flags & AVFMT_NOFILE)) avio_closep(&m->fmt->pb);
        avformat_free_context(m->fmt);
    }
    avcodec_free_context(&m->enc);
    sws_freeContext(m->sws);
    av_frame_free(&m->yuv);
    av_packet_free(&m->pkt);
    av_packet_free(&m->held);
    free(m->stage);
    free(m->ts);
    free(m->path);
    free(m->url);
    free(m->stats);
    free(m);
    *pm = NULL;
}

uint64_t mp4w_bytes(const mp4w *m)
{
    return m ? m->bytes : 0;
}

void mp4w_remove_stats(const char *stats_path)
{
    if (!stats_path || !*stats_path) return;
    size_t n = strlen(stats_path);
    char *name = malloc(n + sizeof ".mbtree.temp");
    if (!name) return;
    for (size_t i = 0; i < sizeof stats_suffixes / sizeof stats_suffixes[0]; i++) {
        memcpy(name, stats_path, n);
        strcpy(name + n, stats_suffixes[i]);
        unlink(name); /* ENOENT is fine */
    }
    free(name);
}
