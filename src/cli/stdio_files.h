/* Standard input and output as conversion endpoints.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_CLI_STDIO_FILES_H
#define GIFC_CLI_STDIO_FILES_H
#include <stdatomic.h>
#include <signal.h>
#include <stddef.h>

/* A temporary copy of stdin. The library reads files (it seeks, and FFmpeg probes), so a pipe
 * is spooled to disk rather than to memory, which keeps memory bounded for long videos. */
typedef struct stdin_spool {
    char path[4096]; /* the temporary file; its directory when it could not be created */
    int created;     /* path exists and spool_remove() must unlink it */
} stdin_spool;

typedef enum spool_status {
    SPOOL_OK,
    SPOOL_READ_FAILED, /* reading stdin failed: *err holds errno */
    SPOOL_TEMP_FAILED, /* creating or writing the temporary file failed: *err holds errno */
    SPOOL_INTERRUPTED  /* *stop became non-zero while waiting for data */
} spool_status;

/* Copies all of stdin into a new file (mode 0600) in $TMPDIR, or /tmp. Call spool_remove()
 * afterwards whatever the result. */
spool_status spool_stdin(stdin_spool *sp, const atomic_int *stop, int *err);
void spool_remove(stdin_spool *sp);

/* Writes all of data to fd, resuming after short writes and EINTR / EAGAIN. Returns 0 or an
 * errno value (EPIPE when the reader went away, with SIGPIPE ignored); EINTR only when *stop
 * is set. */
int cli_write_all(int fd, const void *data, size_t size, const atomic_int *stop);
#endif
