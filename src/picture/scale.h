/* Scaling, colour conversion and rotation of decoded pictures into RGBA frames (swscale).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_SCALE_H
#define GIFC_SCALE_H
#include "base/gerr.h"
#include "base/gframe.h"
#include "picture/geom.h"
#include <libavutil/frame.h>

typedef struct scaler scaler;

scaler *scaler_new(void);
/* Converts in (any pixel format FFmpeg knows) to RGBA at out_w x out_h in display
 * orientation, turning it `rotation` degrees clockwise (0/90/180/270). Tells swscale the
 * source matrix and range. Sets out->has_alpha when some pixel is not opaque. g (NULL: the
 * whole picture) names the part of the display picture shown and the canvas it fills
 * (geometry.h): only that part is scaled, and a padded canvas gets its background. */
gifc_error scaler_run(scaler *s, const AVFrame *in, int rotation, const geom *g, int out_w,
                      int out_h, gframe *out, gerr *e);
void scaler_free(scaler **s);
/* on: the RGBA is only a step towards a YUV 4:2:0 encoder (MP4), so scaler_run converts
 * with swscale's fast paths instead of exact rounding and full-resolution chroma. */
void scaler_for_yuv(scaler *s, int on);
/* matrix (AVCOL_SPC_BT709 or AVCOL_SPC_SMPTE170M; 0: off): scaler_run makes yuv420 frames
 * (gframe.h), limited range in that matrix, for a YUV 4:2:0 encoder that gets them with no
 * stage in between: 8-bit YUV pictures in that matrix go straight through one swscale pass
 * (with alpha: composited over background, 0xRRGGBB, after it), any other through RGBA
 * (alpha dropped). Output sizes must be even. */
void scaler_yuv_direct(scaler *s, int matrix, uint32_t background);
/* The matrix (AVColorSpace) of a picture of that pixel format, tagged matrix and transfer,
 * and `lines` lines, when it can be scaled straight into yuv420 (see scaler_yuv_direct):
 * 8-bit YUV with or without alpha, SDR, BT.709 or BT.601 once untagged pictures are given the
 * matrix players assume. 0 otherwise (swscale changes the range between two YUV formats,
 * not the matrix). */
int scale_direct_matrix(int format, int colorspace, int trc, int lines);
/* Resizes an RGBA frame (alpha included) to out_w x out_h into *out (allocated as needed);
 * timing is copied. A scaler used for this should not also serve scaler_run. */
gifc_error scale_rgba(scaler *s, const gframe *in, int out_w, int out_h, gframe *out, gerr *e);

/* Size that fits src inside box_w x box_h (0 = no limit on that side) keeping aspect, never
 * larger than the source. */
void scale_fit(int src_w, int src_h, int box_w, int box_h, int *w, int *h);
#endif
