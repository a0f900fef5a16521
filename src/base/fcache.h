/* The size-budget search's frame store: every frame decoded and scaled once, kept in an
 * unlinked temporary file (the OS page cache keeps it in RAM while there is room, but it
 * never counts against the process's memory), read back by index as often as needed.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_FRAME_CACHE_H
#define GIFC_FRAME_CACHE_H
#include "base/gerr.h"
#include "base/gframe.h"
#include <stdint.h>

typedef struct fcache fcache;

/* Frames of w x h; the file goes in $TMPDIR (or /tmp). */
gifc_error fcache_open(fcache **out, int w, int h, gerr *e);
gifc_error fcache_put(fcache *c, const gframe *f, gerr *e);
int64_t fcache_count(const fcache *c);
/* Frame i into *f (allocated to the cache's size when needed), with its timing. */
gifc_error fcache_get(fcache *c, int64_t i, gframe *f, gerr *e);
double fcache_pts(const fcache *c, int64_t i);
double fcache_duration(const fcache *c, int64_t i);
/* End of the last frame: the clip's duration on the output timeline. */
double fcache_end(const fcache *c);
void fcache_free(fcache **c);
#endif
