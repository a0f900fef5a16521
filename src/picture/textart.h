/* Text and flat art that 4:2:0 chroma would smear: coloured letters a pixel or two wide keep
 * their shape in luma but lose their colour when four pixels share one chroma sample. Used
 * to decide whether an MP4 of an animation is doubled (pixel copies) before 4:2:0.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_TEXTART_H
#define GIFC_TEXTART_H
#include "base/gframe.h"
#include <stdint.h>

/* Counts over the frames seen so far; zero it to start. */
typedef struct textart_stats {
    int64_t pixels, flat;   /* pixels compared with their left neighbour; equal to it */
    int64_t blocks, split;  /* opaque 2x2 blocks; whose pixels' chroma differ widely */
} textart_stats;

void textart_add(textart_stats *st, const gframe *f);
/* 1 when the frames are flat art whose chroma 4:2:0 would visibly lose. */
int textart_pays(const textart_stats *st);
/* Shares in per mille, for the log: flat pixels, split blocks. */
void textart_shares(const textart_stats *st, int *flat_pm, int *split_pm);
#endif
