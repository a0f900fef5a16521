/* Runs the decode stage (source_next, through the edit stage) on its own thread, a few
 * frames ahead of the encoder, through a small ring of reusable frames: memory stays
 * bounded whatever the clip length.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_READER_H
#define GIFC_READER_H
#include "stream/edit.h"
#include "caption/caption.h"
#include "decode/source.h"

typedef struct reader reader;

/* src (started) and cap stay owned by the caller and must outlive the reader. src's
 * frames go through the time edits ed asks for (copied), then get cap drawn on them on the
 * decode thread (NULL: no caption; no other thread may use cap meanwhile). */
gifc_error reader_start(reader **out, source *src, const edit_params *ed, caption *cap,
                        gerr *e);
/* *f: the next frame, owned by the reader until reader_release(); NULL at the end. */
gifc_error reader_next(reader *r, gframe **f, gerr *e);
void reader_release(reader *r);
/* Stops the thread (also mid-stream) and frees everything; accepts NULL. */
void reader_free(reader **r);

/* The one frame-reading loop every driver uses. take() gets each frame (borrowed until it
 * returns), then tick() the count so far (NULL: none); either's failure stops the loop. */
typedef struct reader_loop {
    gifc_error (*take)(void *user, gframe *f, gerr *e);
    gifc_error (*tick)(void *user, int64_t done, gerr *e);
    void *user;
} reader_loop;
/* Runs a reader over src (started) as reader_start does, through l. No frame at all is a
 * failure: with start > 0 (the timing's start, seconds) the start is past the input's end,
 * else nothing could be decoded. *done (may be NULL): the frames taken. */
gifc_error reader_run(source *src, const edit_params *ed, caption *cap, double start,
                      const reader_loop *l, int64_t *done, gerr *e);
#endif
