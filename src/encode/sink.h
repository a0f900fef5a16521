/* One encoder or the other behind one open / push / finish: the GIF encoder, or the MP4
 * writer with the optional audio track; and the loop that feeds it from a source.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_SINK_H
#define GIFC_SINK_H
#include "mp4/audio.h"
#include "gif/gifenc.h"
#include "mp4/mp4w.h"
#include "webp/webpw.h"
#include "avif/avifw.h"
#include "anim/avw.h"
#include "base/outfile.h"
#include "encode/plan.h"

typedef struct sink {
    gifenc *gif;
    mp4w *mp4;
    webpw *webp;
    avw *av;              /* APNG, WebM */
    avifw *avif;
    FILE *webp_fp;        /* borrowed: where webpw_finish / avifw_finish write the file */
    audio_src *audio;     /* --audio: the source's track, re-encoded as AAC */
    uint64_t bytes;
    int64_t frames;       /* in the output (GIF: after merging identical frames) */
    int64_t pushed;       /* frames handed to the encoder */
    double duration, mp4_end;
    uint64_t abort_above; /* MP4: stop with GIFC_ERR_ABORTED once the packets pass this many
                             bytes (0: never); the budget search's early exit */
    int over_budget;      /* the run stopped because of abort_above */
} sink;

/* The GIF encoder's settings for a plan. */
gifenc_params sink_gif_params(const gifc_options *o, const plan *p, const source_info *si);
/* GIF, WebP and AVIF: written to gif_fp (borrowed). MP4, APNG, WebM: the writer creates
 * mp4_path. */
gifc_error sink_open(sink *k, const gifc_context *ctx, const job *j, const plan *p,
                     const source_info *si, FILE *gif_fp, const char *mp4_path, gerr *e);
gifc_error sink_push(sink *k, gframe *f, gerr *e);
/* Completes the file; k->bytes, frames and duration are then final. */
/* mp4_path: the file sink_open was given (read for its size). */
gifc_error sink_finish(sink *k, const char *mp4_path, gerr *e);
void sink_close(sink *k);

/* Progress of a run that is one pass of several: frames reported as base + done of total. */
typedef struct sink_progress {
    int64_t base, total;
} sink_progress;

/* Before source_start: tells src what the encoder takes. MP4 gets the video's YUV scaled
 * straight into yuv420 frames (p->yuv_matrix set, see source_yuv_direct) when nothing
 * between the decoder and the encoder reads pixels (no caption, no pixel edit), else RGBA
 * made for a YUV encoder; every other format RGBA. */
void sink_choose_pictures(const gifc_context *ctx, source *src, plan *p);
/* Pushes every frame of a started source into k, reporting progress (which may abort);
 * pr NULL: done of p->frames_estimate. */
gifc_error sink_run(gifc_context *ctx, source *src, sink *k, const plan *p,
                    const sink_progress *pr);
#endif
