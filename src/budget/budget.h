/* The size budget (gifc_options.max_size): conversions that search for the settings that
 * fit, then write only a result measured under the budget.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GIF (budget_gif.c): every frame is decoded and scaled once into a frame cache. A few
 * chunks of consecutive frames are encoded per candidate setting; their bytes (minus each
 * chunk's warm-up frames) predict the whole file, and their SSIM against the cached frames
 * (decoded back, upscaled to the asked size, on the asked timeline) says what the setting
 * costs. Candidates spend the cut on different knobs (size alone; half the fps; a higher
 * change threshold with less dither; lossy LZW; fewer colours), each solved for the size
 * scale that meets the budget; the one with the best SSIM there is encoded in full, with a
 * frame log, and the last few percent come from re-running only the LZW stage at other
 * lossy levels. MP4 (budget_mp4.c): one CRF encode that stops as soon as it passes the
 * budget, else two-pass x264 at the bitrate the budget allows, verified and re-run.
 */
#ifndef GIFC_BUDGET_H
#define GIFC_BUDGET_H
#include "base/outfile.h"
#include "encode/plan.h"
#include "encode/sink.h"
#include "decode/source.h"

typedef struct budget_outcome {
    plan chosen;          /* the settings of the written result */
    uint64_t bytes;
    int64_t frames;
    double duration;
    int searched, attempts, over_budget;
    double ssim;          /* < 0: not measured */
} budget_outcome;

/* src: opened, not started. Writes the result to of->fp (GIF). On GIFC_ERR_OVER_BUDGET the
 * message says the smallest size reached. */
gifc_error budget_gif(gifc_context *ctx, source *src, const source_info *si, const plan *base,
                      outfile *of, budget_outcome *out);

/* Up to this many output frames, --estimate encodes the whole clip in memory (exact
 * bytes; no SSIM for GIF then). */
#define ESTIMATE_WHOLE_FRAMES 150

/* --estimate for GIF: the budget's own prediction of the asked settings (the frames
 * decoded and scaled once, sample chunks encoded), nothing written. *sampled is 0 when the
 * clip was short enough to be encoded whole. */
gifc_error budget_gif_estimate(gifc_context *ctx, source *src, const source_info *si,
                               const plan *base, double *bytes, double *ssim, int *sampled);

/* Writes the result to of->tmp_path (MP4). src is used for the first pass; later passes
 * reopen the input from j. */
gifc_error budget_mp4(gifc_context *ctx, const job *j, source *src, const source_info *si,
                      const plan *base, outfile *of, budget_outcome *out);
/* WebP and AVIF (to of->fp), APNG and WebM (to of->tmp_path): the format's quality knob
 * bisected (libwebp quality, VP9 CRF, AV1 quantizer; APNG none), then the picture made
 * smaller, every candidate a whole encode (kept in memory) measured exactly. src is used
 * for the first encode; later ones reopen the input from j. */
gifc_error budget_webp(gifc_context *ctx, const job *j, source *src, const source_info *si,
                       const plan *base, outfile *of, budget_outcome *out);
#endif
