/* probe's AVIF part: libavif (decoding through dav1d or libaom, whichever libavif picks),
 * sharing no code with gifc.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef PROBE_AVIF_H
#define PROBE_AVIF_H

/* An ISO BMFF file whose major or compatible brands name AVIF ("avif", "avis"). */
int probe_is_avif(const char *path);
/* One JSON object on stdout: format "avif", width, height, frames, durations_ms,
 * total_ms, has_alpha (an alpha plane is stored), transparent_pixels (per frame: alpha 0),
 * depth, yuv_format, keyframes. 0, or 1 with {"error": ...}. */
int probe_avif(const char *path);
/* The frames as raw RGBA at a constant fps, as probe --webp-rgba does for WebP. */
int probe_avif_rgba(const char *path, double fps);
#endif
