/* --estimate for the formats encoded by segments (MP4, WebP, APNG, WebM): short pieces of
 * the clip encoded in memory through the public conversion, extrapolated to the whole.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_API_ESTIMATE_H
#define GIFC_API_ESTIMATE_H
#include "encode/plan.h"
#include "decode/source.h"
#include <gifc.h>

/* Predicted bytes of converting in_path with ctx's options as plan p says (p from
 * plan_make on the opened source); *sampled 0 when the clip was encoded whole. */
gifc_error estimate_by_segments(gifc_context *ctx, const char *in_path, const plan *p,
                                double *bytes, int *sampled);
#endif
