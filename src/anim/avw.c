/* APNG and WebM writer over libavcodec.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "anim/avw.h"

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct avw {
    avw_kind kind;
    AVFormatContext *fmt;
    AVCodecContext *enc;
    AVStream *st;
    AVFrame *frame;
    AVPacket *pkt;
    struct SwsContext *sws;
    int w, h, alpha;
    int64_t last_ms, end_ms;
    int64_t *dur;      /* duration of each frame by pts ms, looked up for packets: a FIFO */
    int64_t *dur_pts;
    size_t dur_n, dur_cap, dur_head;
    uint64_t bytes;
    int header, failed, finished;
};

static gifc_error av_fail(gerr *err, gifc_error code, const char *what, int r)
{
    char b[AV_ERROR_MAX_STRING_SIZE] = { 0 };
    av_strerror(r, b, sizeof b);
    return gerr_set(err, code, "%s (%s)", what, b);
}

gifc_error avw_open(avw **out, const char *path, const avw_params *p, gerr *err)
{
    *out = NULL;
    int webm = p->kind == AVW_WEBM;
    int w = webm ? p->width & ~1 : p->width, h = webm ? p->height & ~1 : p->height;
    if (w < 1 || h < 1 || p->width > AVW_MAX_SIDE || p->height > AVW_MAX_SIDE ||
        (webm && (p->crf < 0 || p->crf > 63)))
        return gerr_set(err, GIFC_ERR_INVALID_ARG, "%s: bad writer settings (%dx%d)",
                        webm ? "webm" : "apng", p->width, p->height);
    avw *m = calloc(1, sizeof *m);
    if (!m) return gerr_set(err, GIFC_ERR_NOMEM, "out of memory");
    *out = m;
    m->kind = p->kind;
    m->w = w;
    m->h = h;
    m->alpha = p->alpha;
    m->last_ms = -1;
    const char *codec = webm ? "libvpx-vp9" : "apng";
    const AVCodec *c = avcodec_find_encoder_by_name(codec);
    if (!c) return gerr_set(err, GIFC_ERR_ENCODE, "%s: this FFmpeg has no %s encoder",
                            webm ? "webm" : "apng", codec);
    int r = avformat_alloc_output_context2(&m->fmt, NULL, webm ? "webm" : "apng", path);
    if (r < 0 || !m->fmt) return av_fail(err, GIFC_ERR_ENCODE, "cannot set up the muxer", r);
    m->enc = avcodec_alloc_context3(c);
    m->frame = av_frame_alloc();
    m->pkt = av_packet_alloc();
    if (!m->enc || !m->frame || !m->pkt) return gerr_set(err, GIFC_ERR_NOMEM, "out of memory");
    enum AVPixelFormat pf = webm ? (p->alpha ? AV_PIX_FMT_YUVA420P : AV_PIX_FMT_YUV420P)
                                 : (p->alpha ? AV_PIX_FMT_RGBA : AV_PIX_FMT_RGB24);
    m->enc->width = w;
    m->enc->height = h;
    m->enc->pix_fmt = pf;
    m->enc->time_base = (AVRational){ 1, 1000 };
    m->enc->thread_count = p->threads;
    if (m->fmt->oformat->flags & AVFMT_GLOBALHEADER) m->enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    AVDictionary *o = NULL;
    if (webm) {
        m->enc->bit_rate = 0;
        m->enc->color_range = AVCOL_RANGE_MPEG;
        m->enc->colorspace = AVCOL_SPC_SMPTE170M;
        m->enc->color_primaries = AVCOL_PRI_SMPTE170M;
        m->enc->color_trc = AVCOL_TRC_SMPTE170M;
        char crf[8];
        snprintf(crf, sizeof crf, "%d", p->crf);
        av_dict_set(&o, "crf", crf, 0);
        av_dict_set(&o, "deadline", "good", 0);
        av_dict_set(&o, "cpu-used", p->fast ? "8" : "4", 0);
        av_dict_set(&o, "row-mt", "1", 0);
        av_dict_set(&o, "auto-alt-ref", p->alpha ? "0" : "1", 0);
    } else {
        av_dict_set(&o, "pred", p->fast ? "paeth" : "mixed", 0);
    }
    r = avcodec_open2(m->enc, c, &o);
    av_dict_free(&o);
    if (r < 0) return av_fail(err, GIFC_ERR_ENCODE, "the encoder refused the settings", r);
    m->st = avformat_new_stream(m->fmt, NULL);
    if (!m->st) return gerr_set(err, GIFC_ERR_NOMEM, "out of memory");
    m->st->time_base = (AVRational){ 1, 1000 };
    if ((r = avcodec_parameters_from_context(m->st->codecpar, m->enc)) < 0)
        return av_fail(err, GIFC_ERR_ENCODE, "cannot set up the stream", r);
    if (webm && p->alpha) av_dict_set(&m->st->metadata, "alpha_mode", "1", 0);
    if ((r = avio_open(&m->fmt->pb, path, AVIO_FLAG_WRITE)) < 0)
        return av_fail(err, GIFC_ERR_OUTPUT, "cannot create the output", r);
    AVDictionary *mo = NULL;
    if (!webm) {
        char plays[16];
        snprintf(plays, sizeof plays, "%d", p->loop < 0 ? 1 : p->loop);
        av_dict_set(&mo, "plays", plays, 0);
    }
    r = avformat_write_header(m->fmt, &mo);
    av_dict_free(&mo);
    if (r < 0) return av_fail(err, GIFC_ERR_OUTPUT, "cannot write the output", r);
    m->header = 1;
    m->frame->format = pf;
    m->frame->width = w;
    m->frame->height = h;
    if ((r = av_frame_get_buffer(m->frame, 0)) < 0)
        return gerr_set(err, GIFC_ERR_NOMEM, "out of memory");
    m->sws = sws_getContext(w, h, AV_PIX_FMT_RGBA, w, h, pf, SWS_BICUBIC, NULL, NULL, NULL);
    if (!m->sws) return gerr_set(err, GIFC_ERR_ENCODE, "cannot set up the colour conversion");
    if (webm) {
        const int *coef = sws_getCoefficients(SWS_CS_ITU601);
        sws_setColorspaceDetails(m->sws, coef, 1, coef, 0, 0, 1 << 16, 1 << 16);
    }
    return GIFC_OK;
}

static int dur_put(avw *m, int64_t pts, int64_t dur)
{
    if (m->dur_n == m->dur_cap) {
        size_t cap = m->dur_cap ? m->dur_cap * 2 : 64;
        int64_t *a = realloc(m->dur, cap * sizeof *a), *b;
        if (!a) return -1;
        m->dur = a;
        if (!(b = realloc(m->dur_pts, cap * sizeof *b))) return -1;
        m->dur_pts = b;
        m->dur_cap = cap;
    }
    m->dur[m->dur_n] = dur;
    m->dur_pts[m->dur_n++] = pts;
    return 0;
}

static int64_t dur_get(avw *m, int64_t pts)
{
    for (size_t i = m->dur_head; i < m->dur_n; i++)
        if (m->dur_pts[i] == pts) {
            if (i == m->dur_head) m->dur_head++;
            return m->dur[i];
        }
    return 0;
}

static gifc_error drain(avw *m, gerr *err)
{
    for (;;) {
        int r = avcodec_receive_packet(m->enc, m->pkt);
        if (r == AVERROR(EAGAIN) || r == AVERROR_EOF) return GIFC_OK;
        if (r < 0) {
            m->failed = 1;
            return av_fail(err, GIFC_ERR_ENCODE, "encoding failed", r);
        }
        m->pkt->duration = dur_get(m, m->pkt->pts);
        m->pkt->stream_index = 0;
        av_packet_rescale_ts(m->pkt, m->enc->time_base, m->st->time_base);
        m->bytes += (uint64_t)m->pkt->size;
        r = av_interleaved_write_frame(m->fmt, m->pkt);
        av_packet_unref(m->pkt);
        if (r < 0) {
            m->failed = 1;
            return av_fail(err, GIFC_ERR_OUTPUT, "cannot write the output", r);
        }
    }
}

gifc_error avw_push(avw *m, const gframe *f, gerr *err)
{
    if (m->failed || m->finished)
        return gerr_set(err, GIFC_ERR_INVALID_ARG, "writer failed or finished");
    if (f->w < m->w || f->h < m->h)
        return gerr_set(err, GIFC_ERR_INVALID_ARG, "frame %dx%d, writer %dx%d", f->w, f->h,
                        m->w, m->h);
    int64_t ms = (int64_t)llround(f->pts * 1000.0);
    if (ms <= m->last_ms) ms = m->last_ms + 1;
    int64_t end = (int64_t)llround((f->pts + (f->duration > 0 ? f->duration : 0)) * 1000.0);
    if (end <= ms) end = ms + 1;
    if (av_frame_make_writable(m->frame) < 0) return gerr_set(err, GIFC_ERR_NOMEM, "out of memory");
    const uint8_t *src[4] = { f->rgba };
    int stride[4] = { f->stride };
    sws_scale(m->sws, src, stride, 0, m->h, m->frame->data, m->frame->linesize);
    m->frame->pts = ms;
    if (dur_put(m, ms, end - ms)) return gerr_set(err, GIFC_ERR_NOMEM, "out of memory");
    m->last_ms = ms;
    m->end_ms = end;
    int r = avcodec_send_frame(m->enc, m->frame);
    if (r < 0) {
        m->failed = 1;
        return av_fail(err, GIFC_ERR_ENCODE, "encoding failed", r);
    }
    return drain(m, err);
}

uint64_t avw_bytes(const avw *m) { return m ? m->bytes : 0; }

void avw_size(const avw *m, int *w, int *h)
{
    if (w) *w = m ? m->w : 0;
    if (h) *h = m ? m->h : 0;
}

gifc_error avw_finish(avw *m, gerr *err)
{
    if (m->failed || m->finished || m->last_ms < 0)
        return gerr_set(err, GIFC_ERR_INVALID_ARG, "no frame to write");
    int r = avcodec_send_frame(m->enc, NULL);
    if (r < 0) return av_fail(err, GIFC_ERR_ENCODE, "encoding failed", r);
    if (drain(m, err)) return err->code;
    m->finished = 1;
    if ((r = av_write_trailer(m->fmt)) < 0)
        return av_fail(err, GIFC_ERR_OUTPUT, "cannot write the output", r);
    if ((r = avio_closep(&m->fmt->pb)) < 0)
        return av_fail(err, GIFC_ERR_OUTPUT, "cannot write the output", r);
    return GIFC_OK;
}

void avw_free(avw **pm)
{
    avw *m = pm ? *pm : NULL;
    if (!m) return;
    if (m->fmt && m->fmt->pb) avio_closep(&m->fmt->pb);
    avformat_free_context(m->fmt);
    avcodec_free_context(&m->enc);
    av_frame_free(&m->frame);
    av_packet_free(&m->pkt);
    sws_freeContext(m->sws);
    free(m->dur);
    free(m->dur_pts);
    free(m);
    *pm = NULL;
}
