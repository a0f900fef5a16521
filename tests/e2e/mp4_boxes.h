/* Test helper: MP4 top-level box order, read from the file's bytes (no library code).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_TEST_MP4_BOXES_H
#define GIFC_TEST_MP4_BOXES_H

/* 1 when the top-level 'moov' box comes before 'mdat' (faststart), 0 when 'mdat' comes
 * first, -1 when the file cannot be read or holds neither. */
int mp4_moov_before_mdat(const char *path);
#endif
