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
#endif
