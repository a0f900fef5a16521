/* The edit stage's arithmetic, apart from pictures and files so tests can check it: which
 * frame comes when after reverse / bounce, what a smooth loop blends, what counts as a
 * duplicate, and how the edits change a plan's estimates.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_EDIT_ORDER_H
#define GIFC_EDIT_ORDER_H
#include "base/gframe.h"
#include "gifc.h"
#include <stdint.h>

typedef struct edit_params {
    int reverse, bounce;
    double smooth_loop;   /* seconds of crossfade; 0: off */
    int frames_step;      /* keep every Nth frame; <= 1: all */
    int drop_duplicates;
} edit_params;

void edit_params_from(const gifc_options *o, edit_params *p);
/* Any time edit at all. */
int edit_active(const edit_params *p);
/* An edit that needs the whole clip before its first frame (reverse, bounce, smooth loop). */
int edit_needs_clip(const edit_params *p);
/* An edit that looks at or changes the pictures (all but frames_step). */
int edit_reads_pixels(const edit_params *p);

/* Frames shown after reverse / bounce of n frames: a bounce plays 0..n-1 then n-2..1, so
 * neither turning frame is doubled when it loops. */
int64_t edit_order_count(int64_t n, int bounce);
/* The frame (0..n-1) shown k-th (0..edit_order_count-1; from n on, a bounce's way back). */
int64_t edit_order_index(int64_t k, int64_t n, int reverse);

/* Smooth loop over m frames of which the first h (the head) are consumed: output k
 * (0..m-h-1) shows frame a = h + k, blended over the last h frames with head frame b at
 * weight wb (b = -1, wb = 0: not blended). The last output frame is head frame h-1 at
 * weight h/(h+1), so the loop runs on into frame h, the first one shown. */
typedef struct edit_pick {
    int64_t a, b;
    double wb;
} edit_pick;
void edit_loop_pick(int64_t k, int64_t m, int64_t h, edit_pick *p);

/* Channel difference up to which two frames count as the same for drop_duplicates: under
 * what compression noise leaves on a still picture, far under any visible change. */
#define EDIT_DUP_TOLERANCE 4
/* Same size and no channel of any pixel differs by more than tol. */
int edit_frames_alike(const gframe *a, const gframe *b, int tol);
/* Mixes b into a at weight wb (0..1), channel by channel, alpha included. */
void edit_blend(gframe *a, const gframe *b, double wb);

/* Output seconds and frame count after the edits, from the unedited estimates (0:
 * unknown stays 0). Duplicates cannot be foreseen: they are not counted. */
void edit_estimate(const edit_params *p, double *seconds, int64_t *frames);
#endif
