/* HDR to SDR: PQ (SMPTE ST 2084) and HLG (ARIB STD-B67) BT.2020 pictures to BT.709 SDR.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_TONEMAP_H
#define GIFC_TONEMAP_H
#include <libavutil/frame.h>
#include <stddef.h>
#include <stdint.h>

enum { TM_NONE = 0, TM_PQ = 1, TM_HLG = 2 };

/* SDR reference white in nits (BT.2408): where an SDR picture's white sits in HDR. */
#define TM_SDR_WHITE 203.0

/* Which HDR transfer the frame is tagged with (TM_NONE for SDR and untagged). */
int tonemap_kind(enum AVColorTransferCharacteristic trc);

/* The peak luminance in nits a PQ stream's pictures reach: content light level (MaxCLL),
 * else the mastering display's peak, else 1000. HLG: 1000 (its nominal display). */
double tonemap_peak(const AVFrame *f, int kind);

typedef struct tonemap tonemap;
tonemap *tonemap_new(void);
void tonemap_free(tonemap **t);
/* Converts w x h pixels of 16-bit Y'CbCr 4:4:4 planes (BT.2020 non-constant-luminance
 * matrix, limited or full range as swscale scales 10-bit codes to 16 bits, coded with
 * `kind`'s transfer) into 8-bit opaque RGBA, BT.709 primaries, for a BT.1886 display:
 * linearise; BT.2390 EETF on max(R,G,B) from `peak` nits down to SDR white; BT.2020 to
 * BT.709 primaries; colours outside BT.709 are desaturated towards their own luminance
 * (never clipped channel by channel, which would turn their hue). The matrix is applied
 * here, not by swscale, whose 16-bit RGB output ignores the matrix it is told in FFmpeg 5.
 * Tables are rebuilt when kind or peak change. Returns -1 when t is NULL. */
int tonemap_run(tonemap *t, int kind, double peak, int full_range, uint16_t *const plane[3],
                const ptrdiff_t stride[3], uint8_t *dst, ptrdiff_t dst_stride, int w, int h);
#endif
