/* The edit stage: time edits (frames_step, drop_duplicates, reverse, bounce, smooth loop)
 * between the source and its consumers. The reader pulls frames through it, so the normal
 * path and the size-budget search both see edited frames.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_EDIT_H
#define GIFC_EDIT_H
#include "time/edit_order.h"
#include "decode/source.h"

typedef struct edit edit;

/* Asked between frames while a whole clip is read: non-zero stops with GIFC_ERR_ABORTED. */
typedef int (*edit_stop_fn)(void *user);

/* src: started, owned by the caller, outliving the stage. p is copied; stop may be NULL. */
gifc_error edit_new(edit **out, source *src, const edit_params *p, edit_stop_fn stop,
                    void *stop_user, gerr *e);
/* As source_next: the next edited frame into *f, *got = 0 at the end. Reverse, bounce and
 * smooth loop first read the whole clip into an unlinked temporary file (frame_cache.h),
 * so memory stays a few frames whatever the clip's length. */
gifc_error edit_next(edit *ed, gframe *f, int *got, gerr *e);
void edit_free(edit **ed);
#endif
