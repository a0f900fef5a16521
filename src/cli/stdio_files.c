/* Spooling stdin to a temporary file, and writing all of a buffer to stdout.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "cli/stdio_files.h"
#include <stdatomic.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* A descriptor opened non-blocking by someone else (a shell, a parent) returns EAGAIN: wait
 * for it instead of spinning or failing. EINTR from poll just goes back to the caller's loop. */
static void wait_ready(int fd, short events)
{
    struct pollfd p = { .fd = fd, .events = events, .revents = 0 };
    poll(&p, 1, -1);
}

int cli_write_all(int fd, const void *data, size_t size, const atomic_int *stop)
{
    const char *p = data;
    while (size > 0) {
        if (*stop) return EINTR;
        ssize_t n = write(fd, p, size);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            wait_ready(fd, POLLOUT);
            continue;
        }
        if (n < 0) return errno;
        if (n == 0) return EIO; /* no progress and no error: do not loop forever */
        p += n;
        size -= (size_t)n;
    }
    return 0;
}

static spool_status copy_stdin(int out, const atomic_int *stop, int *err)
{
    char buf[65536];
    for (;;) {
        if (*stop) return SPOOL_INTERRUPTED;
        ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
        if (n == 0) return SPOOL_OK;
        if (n < 0 && errno == EINTR) continue; /* the loop head checks *stop */
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            wait_ready(STDIN_FILENO, POLLIN);
            continue;
        }
        if (n < 0) {
            *err = errno;
            return SPOOL_READ_FAILED;
        }
        int e = cli_write_all(out, buf, (size_t)n, stop);
        if (e == EINTR) return SPOOL_INTERRUPTED;
        if (e) {
            *err = e;
            return SPOOL_TEMP_FAILED;
        }
    }
}

spool_status spool_stdin(stdin_spool *sp, const atomic_int *stop, int *err)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir) dir = "/tmp";
    sp->created = 0;
    int len = snprintf(sp->path, sizeof sp->path, "%s/gifc-stdin-XXXXXX", dir);
    if (len < 0 || (size_t)len >= sizeof sp->path) {
        *err = ENAMETOOLONG;
        return SPOOL_TEMP_FAILED;
    }
    int fd = mkstemp(sp->path);
    if (fd < 0) {
        *err = errno;
        snprintf(sp->path, sizeof sp->path, "%s", dir); /* the last random name means nothing */
        return SPOOL_TEMP_FAILED;
    }
    sp->created = 1;
    spool_status st = copy_stdin(fd, stop, err);
    /* close() is where a full disk may show up on some file systems. */
    if (close(fd) != 0 && st == SPOOL_OK) {
        *err = errno;
        st = SPOOL_TEMP_FAILED;
    }
    return st;
}

void spool_remove(stdin_spool *sp)
{
    if (sp->created) unlink(sp->path);
    sp->created = 0;
}
