/* Atomic output files: written to a temporary file beside the target, renamed on success.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_OUTPUT_H
#define GIFC_OUTPUT_H
#include "base/gerr.h"
#include <stdint.h>
#include <stdio.h>

typedef struct outfile {
    char *final_path;   /* where the result goes (NULL: a memory result, temp in $TMPDIR) */
    char *tmp_path;     /* the file being written */
    FILE *fp;           /* open on tmp_path for the GIF writer; NULL for writers that open
                           tmp_path themselves (MP4) */
} outfile;

/* Checks the target (folder exists, not the input, not existing unless overwrite) and
 * creates an empty temp file. final_path NULL: a temp file in $TMPDIR for memory output.
 * open_stdio: keep a FILE* open on it. */
gifc_error outfile_begin(outfile *o, const char *final_path, const char *in_path,
                         int overwrite, int open_stdio, gerr *e);
/* Closes (checking write errors) and renames into place. Afterwards nothing to clean. */
gifc_error outfile_commit(outfile *o, gerr *e);
/* Reads the finished temp file into memory (for memory output) and removes it. */
gifc_error outfile_take_memory(outfile *o, uint8_t **data, size_t *size, gerr *e);
/* Removes the temp file and frees everything; safe after commit and on a zeroed struct. */
void outfile_abort(outfile *o);
#endif
