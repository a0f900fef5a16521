/* Standalone test of the audio track for MP4 output (audio.c + mp4_writer.c): converts
 * fixtures and a generated input with holes, a late start and overlapping timestamps,
 * reads the results back with libavformat / libavcodec and checks streams, durations,
 * faststart, the video timeline, pitch, and where sounds land in time. Exit status 0 = pass.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Links the library's internal build (gerr_set / gerr_av come from context.c). The
 * fixtures directory: argv[1]
 * (unless it is --keep), else $GIFC_FIXTURES, else GIFC_FIXTURE_DIR given at build time,
 * else fixtures, ../fixtures or ../../fixtures from the working directory.
 */
#include "../e2e/mp4_boxes.h"
#include "mp4/audio.h"
#include "mp4/mp4w.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/error.h>
#include <libavutil/log.h>

#include "check.h"

static char fixtures[4096];

static const char *fixture(const char *name)
{
    static char path[8192];
    snprintf(path, sizeof path, "%s/%s", fixtures, name);
    return path;
}

/* ---- converting ---- */

typedef struct job {
    const char *in;            /* path, or NULL for mem */
    const uint8_t *mem;
    size_t mem_size;
    double start, duration, speed;
    int frames;                /* video frames pushed, 1 / fps apart */
    double fps;
    double finish_end;         /* audio_finish end: <= 0 to the end of the audio */
} job;

/* Writes out: `frames` synthetic RGBA frames with audio pumped after each. *has_audio says
 * what audio_open said; without audio the file is video only. */
static gifc_error convert(const char *out, const job *j, int *has_audio, gerr *err)
{
    audio_src *a = NULL;
    mp4w *m = NULL;
    gframe f = {0};
    gifc_error e = audio_open(&a, j->in, j->mem, j->mem_size, j->start, j->duration, j->speed,
                              NULL, has_audio, err);
    if (e) return e;
    CHECK(!*has_audio == !a, "has_audio %d but reader %p", *has_audio, (void *)a);
    if (gframe_alloc(&f, 64, 48)) {
        audio_free(&a);
        return GIFC_ERR_NOMEM;
    }
    mp4w_params p = {.width = 64, .height = 48, .crf = 23, .background = 0xFFFFFF,
                     .fps_hint = j->fps, .audio = audio_encoder(a)};
    if ((e = mp4w_open(&m, out, &p, err))) goto done;
    for (int i = 0; i < j->frames; i++) {
        for (int y = 0; y < f.h; y++)
            for (int x = 0; x < f.w; x++) {
                uint8_t *px = f.rgba + (size_t)y * f.stride + (size_t)x * 4;
                px[0] = (uint8_t)(x * 4 + i * 5), px[1] = (uint8_t)(y * 5), px[2] = (uint8_t)(i * 9);
                px[3] = 255;
            }
        f.pts = i / j->fps;
        f.duration = 1 / j->fps;
        if ((e = mp4w_push(m, &f, err))) goto done;
        if (a && (e = audio_pump(a, f.pts, m, err))) goto done;
    }
    if (a && (e = audio_finish(a, j->finish_end, m, err))) goto done;
    e = mp4w_finish(m, err);
done:
    mp4w_free(&m);
    audio_free(&a);
    gframe_free(&f);
    return e;
}

/* ---- reading back ---- */

typedef struct probe {
    int streams, video, audio; /* stream indexes, -1 when missing */
    int v_h264, a_aac;
    int v_frames;
    double v_pts[512];
    int a_rate, a_channels;
    double a_stream_dur;       /* from the container */
    double a_first_pts;        /* seconds, first decoded audio frame */
    float *pcm[2];             /* decoded audio, per channel */
    int64_t a_samples;
    int faststart;
} probe;

static void probe_free(probe *pr)
{
    free(pr->pcm[0]);
    free(pr->pcm[1]);
    memset(pr, 0, sizeof *pr);
}

static int append_pcm(probe *pr, const AVFrame *fr, int64_t *cap)
{
    if (pr->a_samples + fr->nb_samples > *cap) {
        int64_t c = (*cap ? *cap * 2 : 65536) + fr->nb_samples;
        for (int ch = 0; ch < 2; ch++) {
            float *p = realloc(pr->pcm[ch], (size_t)c * sizeof *p);
            if (!p) return -1;
            pr->pcm[ch] = p;
        }
        *cap = c;
    }
    int nch = fr->ch_layout.nb_channels;
    for (int i = 0; i < fr->nb_samples; i++)
        for (int ch = 0; ch < 2; ch++) {
            int src = ch < nch ? ch : nch - 1;
            float v;
            if (fr->format == AV_SAMPLE_FMT_FLTP) v = ((const float *)fr->extended_data[src])[i];
            else if (fr->format == AV_SAMPLE_FMT_S16) v = ((const int16_t *)fr->data[0])[i * nch + src] / 32768.0f;
            else if (fr->format == AV_SAMPLE_FMT_FLT) v = ((const float *)fr->data[0])[i * nch + src];
            else return -1;
            pr->pcm[ch][pr->a_samples + i] = v;
        }
    pr->a_samples += fr->nb_samples;
    return 0;
}

/* Decodes every stream of path: video frames counted with their times, audio kept as PCM. */
static int probe_file(const char *path, probe *pr)
{
    memset(pr, 0, sizeof *pr);
    pr->video = pr->audio = -1;
    AVFormatContext *fc = NULL;
    AVCodecContext *dc[2] = {NULL, NULL};
    AVPacket *pkt = av_packet_alloc();
    AVFrame *fr = av_frame_alloc();
    int ret = -1;
    int64_t cap = 0;
    int first_audio = 1;
    char url[4200];
    snprintf(url, sizeof url, "file:%s", path);
    pr->faststart = mp4_moov_before_mdat(path) == 1;
    if (!pkt || !fr || avformat_open_input(&fc, url, NULL, NULL) < 0) goto out;
    if (avformat_find_stream_info(fc, NULL) < 0) goto out;
    pr->streams = (int)fc->nb_streams;
    for (unsigned i = 0; i < fc->nb_streams; i++) {
        AVStream *st = fc->streams[i];
        int k = st->codecpar->codec_type == AVMEDIA_TYPE_VIDEO   ? 0
              : st->codecpar->codec_type == AVMEDIA_TYPE_AUDIO ? 1 : -1;
        if (k < 0 || dc[k]) continue;
        if (k == 0) {
            pr->video = (int)i;
            pr->v_h264 = st->codecpar->codec_id == AV_CODEC_ID_H264;
        } else {
            pr->audio = (int)i;
            pr->a_aac = st->codecpar->codec_id == AV_CODEC_ID_AAC;
            pr->a_rate = st->codecpar->sample_rate;
            pr->a_channels = st->codecpar->ch_layout.nb_channels;
            pr->a_stream_dur = st->duration > 0 ? st->duration * av_q2d(st->time_base) : 0;
        }
        const AVCodec *dec = avcodec_find_decoder(st->codecpar->codec_id);
        if (!dec || !(dc[k] = avcodec_alloc_context3(dec))) goto out;
        if (avcodec_parameters_to_context(dc[k], st->codecpar) < 0) goto out;
        dc[k]->pkt_timebase = st->time_base;
        dc[k]->thread_count = 1;
        if (avcodec_open2(dc[k], dec, NULL) < 0) goto out;
    }
    int eof = 0;
    while (!eof) {
        int r = av_read_frame(fc, pkt);
        int which[2] = {0, 0};
        if (r < 0) {
            eof = 1;
            for (int k = 0; k < 2; k++)
                if (dc[k]) avcodec_send_packet(dc[k], NULL), which[k] = 1;
        } else {
            int k = pkt->stream_index == pr->video ? 0 : pkt->stream_index == pr->audio ? 1 : -1;
            if (k >= 0) {
                r = avcodec_send_packet(dc[k], pkt);
                which[k] = 1;
            }
            av_packet_unref(pkt);
            if (r < 0) goto out;
        }
        for (int k = 0; k < 2; k++) {
            if (!which[k]) continue;
            double tb = av_q2d(fc->streams[k == 0 ? pr->video : pr->audio]->time_base);
            while ((r = avcodec_receive_frame(dc[k], fr)) >= 0) {
                if (k == 0) {
                    if (pr->v_frames < 512) pr->v_pts[pr->v_frames] = fr->pts * tb;
                    pr->v_frames++;
                } else {
                    if (first_audio) pr->a_first_pts = fr->pts * tb, first_audio = 0;
                    if (append_pcm(pr, fr, &cap)) goto out;
                }
            }
            if (r != AVERROR(EAGAIN) && r != AVERROR_EOF) goto out;
        }
    }
    ret = 0;
out:
    avcodec_free_context(&dc[0]);
    avcodec_free_context(&dc[1]);
    avformat_close_input(&fc);
    av_packet_free(&pkt);
    av_frame_free(&fr);
    return ret;
}

/* ---- signal measures on channel ch of the decoded audio ---- */

static double rms(const probe *pr, int ch, double t0, double t1)
{
    int64_t a = (int64_t)(t0 * pr->a_rate), b = (int64_t)(t1 * pr->a_rate);
    if (a < 0) a = 0;
    if (b > pr->a_samples) b = pr->a_samples;
    if (b <= a) return 0;
    double s = 0;
    for (int64_t i = a; i < b; i++) s += (double)pr->pcm[ch][i] * pr->pcm[ch][i];
    return sqrt(s / (double)(b - a));
}

/* Zero crossings a second over [t0, t1). */
static double crossings(const probe *pr, int ch, double t0, double t1)
{
    int64_t a = (int64_t)(t0 * pr->a_rate), b = (int64_t)(t1 * pr->a_rate);
    if (a < 1) a = 1;
    if (b > pr->a_samples) b = pr->a_samples;
    if (b <= a) return 0;
    int64_t n = 0;
    for (int64_t i = a; i < b; i++) n += (pr->pcm[ch][i - 1] < 0) != (pr->pcm[ch][i] < 0);
    return n / ((double)(b - a) / pr->a_rate);
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* Median of the crossing rate over 100 ms windows (robust to short beeps). */
static double median_crossings(const probe *pr)
{
    double r[512];
    int n = 0;
    for (double t = 0; t + 0.1 <= (double)pr->a_samples / pr->a_rate && n < 512; t += 0.1)
        r[n++] = crossings(pr, 0, t, t + 0.1);
    if (!n) return 0;
    qsort(r, (size_t)n, sizeof *r, cmp_double);
    return r[n / 2];
}

/* Power of frequency hz over [a, b) samples (Goertzel). */
static double goertzel(const float *x, int64_t a, int64_t b, double hz, int rate)
{
    double w = 2 * M_PI * hz / rate, c = 2 * cos(w), s1 = 0, s2 = 0;
    for (int64_t i = a; i < b; i++) {
        double s = x[i] + c * s1 - s2;
        s2 = s1;
        s1 = s;
    }
    return s1 * s1 + s2 * s2 - c * s1 * s2;
}

/* The strongest frequency of the whole signal, 100..4000 Hz in 5 Hz steps. */
static double dominant_hz(const probe *pr)
{
    double best = 0, best_p = -1;
    for (double hz = 100; hz <= 4000; hz += 5) {
        double p = goertzel(pr->pcm[0], 0, pr->a_samples, hz, pr->a_rate);
        if (p > best_p) best_p = p, best = hz;
    }
    return best;
}

/* Onsets (seconds) of the sine fixture's 1760 Hz beeps: 10 ms windows every 2 ms where the
 * beep outweighs the 440 Hz carrier; an onset is the first window of a run. */
static int beeps(const probe *pr, double *at, int max)
{
    int n = 0, in = 0;
    int64_t win = pr->a_rate / 100, hop = pr->a_rate / 500;
    for (int64_t i = 0; i + win <= pr->a_samples; i += hop) {
        double b = goertzel(pr->pcm[0], i, i + win, 1760, pr->a_rate);
        double c = goertzel(pr->pcm[0], i, i + win, 440, pr->a_rate);
        int on = b > c;
        if (on && !in && n < max) at[n++] = (double)i / pr->a_rate;
        in = on;
    }
    return n;
}

/* First time from t0 on where the 5 ms RMS crosses `level` going up (up = 1) or down. */
static double edge(const probe *pr, int ch, double t0, double t1, double level, int up)
{
    for (double t = t0; t + 0.005 <= t1; t += 0.001) {
        double v = rms(pr, ch, t, t + 0.005);
        if (up ? v >= level : v < level) return t + (up ? 0.005 : 0); /* window end / start */
    }
    return -1;
}

static void check_video(const char *name, const probe *pr, int frames, double fps)
{
    CHECK(pr->video >= 0 && pr->v_h264, "%s: no H.264 video stream", name);
    CHECK(pr->v_frames == frames, "%s: %d video frames, expected %d", name, pr->v_frames, frames);
    int bad = 0;
    for (int i = 0; i < pr->v_frames && i < 512; i++)
        if (fabs(pr->v_pts[i] - i / fps) > 0.0015) bad++;
    CHECK(!bad, "%s: %d video frames off the 1/%g s grid", name, bad, fps);
    CHECK(pr->faststart == 1, "%s: moov is not before mdat (%d)", name, pr->faststart);
}

static void check_audio_stream(const char *name, const probe *pr, int rate, int channels,
                               double dur)
{
    CHECK(pr->streams == 2 && pr->audio >= 0 && pr->a_aac, "%s: %d streams, AAC audio %d", name,
          pr->streams, pr->audio >= 0 && pr->a_aac);
    CHECK(pr->a_rate == rate && pr->a_channels == channels, "%s: audio %d Hz %d ch, expected %d Hz %d ch",
          name, pr->a_rate, pr->a_channels, rate, channels);
    double decoded = pr->a_rate ? (double)pr->a_samples / pr->a_rate : 0;
    CHECK(fabs(pr->a_stream_dur - dur) < 0.1, "%s: audio stream lasts %.4f s, expected %.3f", name,
          pr->a_stream_dur, dur);
    CHECK(fabs(decoded - dur) < 0.03, "%s: %.4f s of audio decoded, expected %.3f", name, decoded,
          dur);
    CHECK(fabs(pr->a_first_pts) < 0.001, "%s: audio starts at %.4f s", name, pr->a_first_pts);
    printf("%s: audio %d Hz %d ch, stream %.4f s, decoded %.4f s\n", name, pr->a_rate,
           pr->a_channels, pr->a_stream_dur, decoded);
}

/* ---- the fixture with AAC audio ---- */

static void test_fixture(void)
{
    const char *in = fixture("h264_aac_320x180_25fps_2s.mp4");
    probe src;
    if (probe_file(in, &src)) {
        CHECK(0, "cannot read the fixture %s", in);
        return;
    }
    double src_beeps[8];
    int n_src = beeps(&src, src_beeps, 8);
    CHECK(n_src == 2, "fixture: %d beeps found, expected 2", n_src);

    gerr err = {0};
    int has = -1;
    job j = {.in = in, .speed = 1, .frames = 50, .fps = 25, .finish_end = 2.0};
    gifc_error e = convert("full.mp4", &j, &has, &err);
    CHECK(e == GIFC_OK && has == 1, "full: %d has_audio %d '%s'", e, has, err.msg);
    probe pr;
    if (!e && !probe_file("full.mp4", &pr)) {
        check_video("full", &pr, 50, 25);
        check_audio_stream("full", &pr, 44100, 1, 2.0);
        double zc = median_crossings(&pr), hz = dominant_hz(&pr);
        CHECK(fabs(zc - 880) < 880 * 0.05, "full: %.1f zero crossings a second, expected ~880", zc);
        CHECK(fabs(hz - 440) < 440 * 0.05, "full: dominant frequency %.1f Hz, expected 440", hz);
        double b[8];
        int nb = beeps(&pr, b, 8);
        CHECK(nb == n_src, "full: %d beeps, expected %d", nb, n_src);
        for (int i = 0; i < nb && i < n_src; i++)
            CHECK(fabs(b[i] - src_beeps[i]) < 0.005, "full: beep %d at %.4f s, source %.4f s", i,
                  b[i], src_beeps[i]);
        printf("full: %.1f crossings/s, peak %.0f Hz, beeps at %.3f %.3f s (source %.3f %.3f)\n",
               zc, hz, nb > 0 ? b[0] : -1, nb > 1 ? b[1] : -1, src_beeps[0], src_beeps[1]);
        probe_free(&pr);
    } else {
        CHECK(0, "full: cannot read the output back");
    }

    /* trim 0.5 .. 1.5: the beep at 1.0 lands at 0.5; the trim alone ends the audio */
    memset(&err, 0, sizeof err);
    j = (job){.in = in, .start = 0.5, .duration = 1.0, .speed = 1, .frames = 25, .fps = 25};
    e = convert("trim.mp4", &j, &has, &err);
    CHECK(e == GIFC_OK && has == 1, "trim: %d has_audio %d '%s'", e, has, err.msg);
    if (!e && !probe_file("trim.mp4", &pr)) {
        check_video("trim", &pr, 25, 25);
        check_audio_stream("trim", &pr, 44100, 1, 1.0);
        double b[8];
        int nb = beeps(&pr, b, 8);
        CHECK(nb == 1 && n_src == 2 && fabs(b[0] - (src_beeps[1] - 0.5)) < 0.005,
              "trim: %d beeps, first at %.4f s, expected one at %.4f s", nb, nb ? b[0] : -1,
              n_src == 2 ? src_beeps[1] - 0.5 : -1);
        probe_free(&pr);
    } else {
        CHECK(0, "trim: cannot read the output back");
    }

    /* start 0.9 seeks in the MP4 (the video does the same): the second beep lands at ~0.1 */
    memset(&err, 0, sizeof err);
    j = (job){.in = in, .start = 0.9, .duration = 0.5, .speed = 1, .frames = 13, .fps = 25,
              .finish_end = 0.52};
    e = convert("seek.mp4", &j, &has, &err);
    CHECK(e == GIFC_OK && has == 1, "seek: %d '%s'", e, err.msg);
    if (!e && !probe_file("seek.mp4", &pr)) {
        check_video("seek", &pr, 13, 25);
        check_audio_stream("seek", &pr, 44100, 1, 0.5);
        double b[8];
        int nb = beeps(&pr, b, 8);
        CHECK(nb == 1 && n_src == 2 && fabs(b[0] - (src_beeps[1] - 0.9)) < 0.005,
              "seek: %d beeps, first at %.4f s, expected one at %.4f s", nb, nb ? b[0] : -1,
              n_src == 2 ? src_beeps[1] - 0.9 : -1);
        probe_free(&pr);
    }

    /* audio_finish's end cuts the audio at the end of the video */
    memset(&err, 0, sizeof err);
    j = (job){.in = in, .speed = 1, .frames = 30, .fps = 25, .finish_end = 1.2};
    e = convert("short.mp4", &j, &has, &err);
    CHECK(e == GIFC_OK && has == 1, "short: %d '%s'", e, err.msg);
    if (!e && !probe_file("short.mp4", &pr)) {
        check_video("short", &pr, 30, 25);
        check_audio_stream("short", &pr, 44100, 1, 1.2);
        probe_free(&pr);
    }

    /* the same input from memory */
    FILE *fp = fopen(in, "rb");
    uint8_t *buf = NULL;
    long size = 0;
    if (fp && !fseek(fp, 0, SEEK_END) && (size = ftell(fp)) > 0 && !fseek(fp, 0, SEEK_SET) &&
        (buf = malloc((size_t)size)) && fread(buf, 1, (size_t)size, fp) == (size_t)size) {
        memset(&err, 0, sizeof err);
        j = (job){.mem = buf, .mem_size = (size_t)size, .speed = 1, .frames = 50, .fps = 25,
                  .finish_end = 2.0};
        e = convert("mem.mp4", &j, &has, &err);
        CHECK(e == GIFC_OK && has == 1, "memory: %d has_audio %d '%s'", e, has, err.msg);
        if (!e && !probe_file("mem.mp4", &pr)) {
            check_audio_stream("memory", &pr, 44100, 1, 2.0);
            probe_free(&pr);
        }
    } else {
        CHECK(0, "cannot read %s into memory", in);
    }
    free(buf);
    if (fp) fclose(fp);

    /* audio_describe */
    audio_src *a = NULL;
    memset(&err, 0, sizeof err);
    e = audio_open(&a, in, NULL, 0, 0, 0, 1, NULL, &has, &err);
    char line[256];
    audio_describe(a, line, sizeof line);
    CHECK(e == GIFC_OK && strstr(line, "44100 Hz") && strstr(line, "AAC"), "describe: '%s'", line);
    printf("describe: %s\n", line);
    audio_free(&a);
    audio_free(&a); /* NULL again: fine */
    probe_free(&src);
}

/* ---- inputs without audio, speed ---- */

static void test_no_audio(void)
{
    static const char *names[] = {"hevc_320x180_25fps_2s.mov", "gif_transparent_localpal_160x90_24frames.gif",
                                  "webp_anim_alpha_128x96_9frames.webp", "vp9_alpha_320x180_25fps_2s.webm"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        audio_src *a = (audio_src *)&failures; /* must be reset */
        int has = -1;
        gerr err = {0};
        gifc_error e = audio_open(&a, fixture(names[i]), NULL, 0, 0, 0, 1, NULL, &has, &err);
        CHECK(e == GIFC_OK && has == 0 && a == NULL, "%s: %d has_audio %d reader %p '%s'",
              names[i], e, has, (void *)a, err.msg);
        if (e == GIFC_OK && a != (audio_src *)&failures) audio_free(&a);
    }
    /* the whole path without audio: video only, as before */
    gerr err = {0};
    int has = -1;
    job j = {.in = fixture("hevc_320x180_25fps_2s.mov"), .speed = 1, .frames = 10, .fps = 25};
    gifc_error e = convert("noaudio.mp4", &j, &has, &err);
    probe pr;
    CHECK(e == GIFC_OK && has == 0, "no audio: %d '%s'", e, err.msg);
    if (!e && !probe_file("noaudio.mp4", &pr)) {
        CHECK(pr.streams == 1 && pr.audio < 0, "no audio: %d streams", pr.streams);
        check_video("no audio", &pr, 10, 25);
        probe_free(&pr);
    }

    /* a speed change drops the audio */
    for (int k = 0; k < 2; k++) {
        double speed = k ? 0.5 : 2.0;
        audio_src *a = NULL;
        memset(&err, 0, sizeof err);
        has = -1;
        e = audio_open(&a, fixture("h264_aac_320x180_25fps_2s.mp4"), NULL, 0, 0, 0, speed, NULL, &has, &err);
        CHECK(e == GIFC_OK && has == 0 && !a, "speed %g: %d has_audio %d", speed, e, has);
        audio_free(&a);
    }
    /* speed <= 0 counts as 1 */
    audio_src *a = NULL;
    memset(&err, 0, sizeof err);
    e = audio_open(&a, fixture("h264_aac_320x180_25fps_2s.mp4"), NULL, 0, 0, 0, 0, NULL, &has, &err);
    CHECK(e == GIFC_OK && has == 1 && a, "speed 0: %d has_audio %d", e, has);
    audio_free(&a);
}

/* ---- a generated input: late start, a hole, overlapping timestamps, 37.8 kHz stereo ---- */

#define SYN_RATE 37800

typedef struct seg {
    double t0, t1, hz, pkt; /* seconds, tone, packet length in seconds */
} seg;

/* NUT file: rawvideo 16x16 gray at 10 fps from 0 to 2.6 s, and pcm_s16le stereo audio,
 * each segment a tone in packets of its own length (left at 0.5, right at 0.25 amplitude).
 * Packet starts must increase (muxers insist), but a long packet may end after the next
 * one starts: that is how overlapping audio is made here. */
static int make_synth(const char *path, const seg *segs, int nseg)
{
    AVFormatContext *oc = NULL;
    AVPacket *pkt = av_packet_alloc();
    int ret = -1;
    if (!pkt || avformat_alloc_output_context2(&oc, NULL, "nut", path) < 0) goto out;
    AVStream *vs = avformat_new_stream(oc, NULL), *as = avformat_new_stream(oc, NULL);
    if (!vs || !as) goto out;
    vs->codecpar->codec_type = AVMEDIA_TYPE_VIDEO;
    vs->codecpar->codec_id = AV_CODEC_ID_RAWVIDEO;
    vs->codecpar->format = AV_PIX_FMT_GRAY8;
    vs->codecpar->width = vs->codecpar->height = 16;
    vs->time_base = (AVRational){1, 10};
    as->codecpar->codec_type = AVMEDIA_TYPE_AUDIO;
    as->codecpar->codec_id = AV_CODEC_ID_PCM_S16LE;
    as->codecpar->format = AV_SAMPLE_FMT_S16;
    as->codecpar->sample_rate = SYN_RATE;
    av_channel_layout_default(&as->codecpar->ch_layout, 2);
    as->codecpar->block_align = 4;
    as->codecpar->bits_per_coded_sample = 16;
    as->time_base = (AVRational){1, SYN_RATE};
    if (avio_open(&oc->pb, path, AVIO_FLAG_WRITE) < 0) goto out;
    if (avformat_write_header(oc, NULL) < 0) goto out;
    for (int k = 0; k <= 26; k++) {
        if (av_new_packet(pkt, 256) < 0) goto out;
        memset(pkt->data, k * 9, 256);
        pkt->stream_index = vs->index;
        pkt->pts = pkt->dts = k;
        pkt->duration = 1;
        pkt->flags |= AV_PKT_FLAG_KEY;
        av_packet_rescale_ts(pkt, (AVRational){1, 10}, vs->time_base);
        if (av_interleaved_write_frame(oc, pkt) < 0) goto out;
    }
    for (int s = 0; s < nseg; s++) {
        int64_t a = llround(segs[s].t0 * SYN_RATE), b = llround(segs[s].t1 * SYN_RATE);
        int len = (int)lrint(segs[s].pkt * SYN_RATE);
        for (int64_t p = a; p < b; p += len) {
            if (av_new_packet(pkt, len * 4) < 0) goto out;
            int16_t *d = (int16_t *)pkt->data;
            for (int i = 0; i < len; i++) {
                double v = sin(2 * M_PI * segs[s].hz * (double)(p + i) / SYN_RATE);
                d[2 * i] = (int16_t)lrint(v * 0.5 * 32767);
                d[2 * i + 1] = (int16_t)lrint(v * 0.25 * 32767);
            }
            pkt->stream_index = as->index;
            pkt->pts = pkt->dts = p;
            pkt->duration = len;
            pkt->flags |= AV_PKT_FLAG_KEY;
            av_packet_rescale_ts(pkt, (AVRational){1, SYN_RATE}, as->time_base);
            if (av_interleaved_write_frame(oc, pkt) < 0) goto out;
        }
    }
    if (av_write_trailer(oc) < 0) goto out;
    ret = 0;
out:
    if (oc && oc->pb) avio_closep(&oc->pb);
    avformat_free_context(oc);
    av_packet_free(&pkt);
    return ret;
}

static void test_synth(void)
{
    /* audio from 0.3 (video from 0), a hole 0.8 .. 1.2, 1000 Hz to 2.0 (its last packet
     * 1.9 .. 2.0), then 2500 Hz packets overlapping it: 1.91 .. 1.96 (wholly overlapped,
     * dropped) and 1.95 .. 2.55 (the first 50 ms cut: it plays from 2.0 to 2.55) */
    const seg segs[] = {{0.3, 0.8, 1000, 0.02}, {1.2, 2.0, 1000, 0.1}, {1.91, 1.96, 2500, 0.05},
                        {1.95, 2.55, 2500, 0.1}};
    if (make_synth("synth.nut", segs, 4)) {
        CHECK(0, "cannot write synth.nut");
        return;
    }
    gerr err = {0};
    int has = -1;
    job j = {.in = "synth.nut", .speed = 1, .frames = 26, .fps = 10};
    gifc_error e = convert("synth.mp4", &j, &has, &err);
    CHECK(e == GIFC_OK && has == 1, "synth: %d has_audio %d '%s'", e, has, err.msg);
    probe pr;
    if (!e && !probe_file("synth.mp4", &pr)) {
        check_video("synth", &pr, 26, 10);
        check_audio_stream("synth", &pr, 48000, 2, 2.55); /* 37.8 kHz is not an AAC rate */
        double l = 0.5 / sqrt(2), r = 0.25 / sqrt(2);
        CHECK(rms(&pr, 0, 0.0, 0.28) < 0.01, "synth: lead-in not silent (%.3f)", rms(&pr, 0, 0, 0.28));
        CHECK(fabs(rms(&pr, 0, 0.35, 0.75) - l) < 0.03 && fabs(rms(&pr, 1, 0.35, 0.75) - r) < 0.03,
              "synth: segment 1 levels %.3f / %.3f, expected %.3f / %.3f", rms(&pr, 0, 0.35, 0.75),
              rms(&pr, 1, 0.35, 0.75), l, r);
        CHECK(rms(&pr, 0, 0.83, 1.17) < 0.01, "synth: hole not silent (%.3f)", rms(&pr, 0, 0.83, 1.17));
        double on1 = edge(&pr, 0, 0.1, 0.6, l / 2, 1), off1 = edge(&pr, 0, 0.5, 1.1, l / 2, 0);
        double on2 = edge(&pr, 0, 1.0, 1.5, l / 2, 1);
        CHECK(fabs(on1 - 0.3) < 0.01 && fabs(off1 - 0.8) < 0.01 && fabs(on2 - 1.2) < 0.01,
              "synth: edges at %.4f %.4f %.4f s, expected 0.3 0.8 1.2", on1, off1, on2);
        double z1 = crossings(&pr, 0, 1.25, 1.98), z2 = crossings(&pr, 0, 2.02, 2.53);
        CHECK(fabs(z1 - 2000) < 100 && fabs(z2 - 5000) < 250,
              "synth: %.0f / %.0f crossings a second before / after 2.0 s, expected 2000 / 5000",
              z1, z2);
        printf("synth: edges %.4f %.4f %.4f s, crossings %.0f / %.0f a second\n", on1, off1, on2,
               z1, z2);
        probe_free(&pr);
    } else {
        CHECK(0, "synth: cannot read the output back");
    }

    /* trim 1.0 .. 2.0 (seeks): 0.2 s of silence, then the 1000 Hz segment */
    memset(&err, 0, sizeof err);
    j = (job){.in = "synth.nut", .start = 1.0, .duration = 1.0, .speed = 1, .frames = 10, .fps = 10};
    e = convert("synth_trim.mp4", &j, &has, &err);
    CHECK(e == GIFC_OK && has == 1, "synth trim: %d '%s'", e, err.msg);
    if (!e && !probe_file("synth_trim.mp4", &pr)) {
        check_video("synth trim", &pr, 10, 10);
        check_audio_stream("synth trim", &pr, 48000, 2, 1.0);
        double on = edge(&pr, 0, 0.0, 0.5, 0.5 / sqrt(2) / 2, 1);
        CHECK(fabs(on - 0.2) < 0.01, "synth trim: sound starts at %.4f s, expected 0.2", on);
        probe_free(&pr);
    }

    /* a window with no audio in it (after the audio's end): the file is still valid */
    memset(&err, 0, sizeof err);
    j = (job){.in = "synth.nut", .start = 2.58, .speed = 1, .frames = 2, .fps = 10, .finish_end = 0.2};
    e = convert("synth_none.mp4", &j, &has, &err);
    CHECK(e == GIFC_OK && has == 1, "synth past the audio: %d '%s'", e, err.msg);
    if (!e && !probe_file("synth_none.mp4", &pr)) {
        check_video("synth past the audio", &pr, 2, 10);
        printf("synth past the audio: %d stream(s), %lld audio samples\n", pr.streams,
               (long long)pr.a_samples);
        probe_free(&pr);
    } else {
        CHECK(0, "synth past the audio: cannot read the output back");
    }
}

/* ---- misuse ---- */

static void test_misuse(void)
{
    gerr err = {0};
    int has = -1;
    audio_src *a = NULL;
    CHECK(audio_open(&a, NULL, NULL, 0, 0, 0, 1, NULL, &has, &err) == GIFC_ERR_INVALID_ARG && !a,
          "no input accepted");
    memset(&err, 0, sizeof err);
    CHECK(audio_open(&a, "x", NULL, 0, -1, 0, 1, NULL, &has, &err) == GIFC_ERR_INVALID_ARG,
          "negative start accepted");
    memset(&err, 0, sizeof err);
    CHECK(audio_open(&a, "/nonexistent/x.mp4", NULL, 0, 0, 0, 1, NULL, &has, &err) == GIFC_OK && !has && !a,
          "missing file: has_audio %d", has);
    memset(&err, 0, sizeof err);
    CHECK(audio_pump(NULL, 1, NULL, &err) == GIFC_ERR_INVALID_ARG, "pump on NULL");

    /* a writer without audio refuses audio packets; a video encoder is no audio */
    mp4w *m = NULL;
    mp4w_params p = {.width = 16, .height = 16, .crf = 23};
    memset(&err, 0, sizeof err);
    if (mp4w_open(&m, "misuse.mp4", &p, &err) == GIFC_OK) {
        AVPacket *pkt = av_packet_alloc();
        if (pkt && av_new_packet(pkt, 8) == 0) {
            gifc_error e = mp4w_write_audio(m, pkt, (AVRational){1, 48000}, &err);
            CHECK(e == GIFC_ERR_INVALID_ARG && pkt->size == 0, "audio packet to a video-only writer: %d",
                  e);
        }
        av_packet_free(&pkt);
    } else {
        CHECK(0, "misuse: cannot open a writer: %s", err.msg);
    }
    mp4w_free(&m);
    const AVCodec *c = avcodec_find_encoder_by_name("libx264");
    AVCodecContext *vc = c ? avcodec_alloc_context3(c) : NULL;
    if (vc) {
        p.audio = vc;
        memset(&err, 0, sizeof err);
        CHECK(mp4w_open(&m, "misuse.mp4", &p, &err) == GIFC_ERR_INVALID_ARG && !m,
              "a video encoder taken as audio");
        mp4w_free(&m);
        avcodec_free_context(&vc);
    }

    /* after audio_finish the reader refuses more work */
    memset(&err, 0, sizeof err);
    if (audio_open(&a, fixture("h264_aac_320x180_25fps_2s.mp4"), NULL, 0, 0, 0, 1, NULL, &has, &err) ==
            GIFC_OK && a) {
        p.audio = audio_encoder(a);
        gframe f = {0};
        if (!gframe_alloc(&f, 16, 16) && mp4w_open(&m, "misuse.mp4", &p, &err) == GIFC_OK) {
            f.duration = 0.5;
            CHECK(mp4w_push(m, &f, &err) == GIFC_OK && audio_pump(a, 0, m, &err) == GIFC_OK &&
                      audio_finish(a, 0.5, m, &err) == GIFC_OK && mp4w_finish(m, &err) == GIFC_OK,
                  "short file: '%s'", err.msg);
            memset(&err, 0, sizeof err);
            CHECK(audio_pump(a, 1, m, &err) == GIFC_ERR_INVALID_ARG && strstr(err.msg, "finished"),
                  "pump after finish: '%s'", err.msg);
            memset(&err, 0, sizeof err);
            AVPacket *pkt = av_packet_alloc();
            CHECK(mp4w_write_audio(m, pkt, (AVRational){1, 44100}, &err) == GIFC_ERR_INVALID_ARG,
                  "audio packet after mp4w_finish");
            av_packet_free(&pkt);
        }
        mp4w_free(&m);
        gframe_free(&f);
    }
    audio_free(&a);
}

int main(int argc, char **argv)
{
    av_log_set_level(AV_LOG_ERROR); /* the test owns the log level, the library never sets it */
    const char *fx = getenv("GIFC_FIXTURES");
    static const char *guesses[] = {
#ifdef GIFC_FIXTURE_DIR
        GIFC_FIXTURE_DIR,
#endif
        "fixtures", "../fixtures", "../../fixtures"};
    if (argc > 1 && strcmp(argv[1], "--keep")) snprintf(fixtures, sizeof fixtures, "%s", argv[1]);
    else if (fx && *fx) snprintf(fixtures, sizeof fixtures, "%s", fx);
    else {
        snprintf(fixtures, sizeof fixtures, "%s", guesses[0]);
        for (size_t i = 0; i < sizeof guesses / sizeof guesses[0]; i++) {
            snprintf(fixtures, sizeof fixtures, "%s", guesses[i]);
            if (!access(fixture("h264_aac_320x180_25fps_2s.mp4"), R_OK)) break;
        }
    }
    if (fixtures[0] != '/') { /* made absolute before leaving for the work directory */
        char cwd[2048];
        if (!getcwd(cwd, sizeof cwd)) return 2;
        char t[sizeof fixtures + sizeof cwd + 2];
        snprintf(t, sizeof t, "%s/%s", cwd, fixtures);
        if (strlen(t) >= sizeof fixtures) return 2;
        memcpy(fixtures, t, strlen(t) + 1);
    }
    if (access(fixture("h264_aac_320x180_25fps_2s.mp4"), R_OK)) {
        printf("fixtures not found in %s (set GIFC_FIXTURES)\n", fixtures);
        return 2;
    }
    char dir[] = "/tmp/gifc-audio-XXXXXX";
    if (!mkdtemp(dir) || chdir(dir)) {
        perror(dir);
        return 2;
    }
    test_fixture();
    test_no_audio();
    test_synth();
    test_misuse();

    static const char *const names[] = {"full.mp4", "trim.mp4", "seek.mp4", "short.mp4", "mem.mp4", "noaudio.mp4",
                                      "synth.nut", "synth.mp4", "synth_trim.mp4", "synth_none.mp4",
                                      "misuse.mp4"};
    check_remove_dir(dir, names, sizeof names / sizeof names[0], argc, argv);
    return check_finish("test_audio");
}
