/* Atomic output: temp file beside the target, rename on success, unlink on failure.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE
#include "base/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    if (!a || !b || stat(a, &sa) || stat(b, &sb)) return 0;
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static gifc_error check_target(const char *path, const char *in_path, int overwrite, gerr *e)
{
    if (same_file(path, in_path))
        return gerr_set(e, GIFC_ERR_SAME_FILE, "'%s' is the input; choose another output", path);
    struct stat st;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return gerr_set(e, GIFC_ERR_OUTPUT, "'%s' is a directory", path);
        /* The rename that makes the output appear would replace a device or a pipe (as
         * root, /dev/full or /dev/null itself) with a plain file. */
        if (!S_ISREG(st.st_mode))
            return gerr_set(e, GIFC_ERR_OUTPUT, "'%s' is not a regular file (a device or a "
                            "pipe); to write into it, use -o - and redirect", path);
        if (!overwrite)
            return gerr_set_opt(e, GIFC_ERR_OUTPUT_EXISTS, "overwrite",
                                "'%s' exists (overwrite is off)", path);
    }
    return GIFC_OK;
}

/* "<dir>/.<name>.XXXXXX" beside the target so rename() stays on one filesystem. */
static char *temp_template(const char *final_path)
{
    char *d = strdup(final_path), *b = strdup(final_path), *t = NULL;
    if (d && b) {
        const char *dir = dirname(d), *base = basename(b);
        size_t n = strlen(dir) + strlen(base) + 16;
        t = malloc(n);
        if (t) snprintf(t, n, "%s/.%s.XXXXXX", dir, base);
    }
    free(d);
    free(b);
    return t;
}

static char *tmpdir_template(void)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir) dir = "/tmp";
    size_t n = strlen(dir) + 24;
    char *t = malloc(n);
    if (t) snprintf(t, n, "%s/gifc-out.XXXXXX", dir);
    return t;
}

static gifc_error open_temp(outfile *o, int open_stdio, gerr *e)
{
    int fd = mkstemp(o->tmp_path);
    if (fd < 0) {
        int err = errno;
        char *d = strdup(o->final_path ? o->final_path : o->tmp_path);
        const char *dir = d ? dirname(d) : "?";
        if (err == ENOENT)
            gerr_set(e, GIFC_ERR_OUTPUT, "output folder '%s' does not exist", dir);
        else if (err == ENOTDIR)
            gerr_set(e, GIFC_ERR_OUTPUT, "'%s' is not a folder", dir);
        else
            gerr_set(e, GIFC_ERR_OUTPUT, "cannot create a file in '%s': %s", dir, strerror(err));
        free(d);
        free(o->tmp_path);
        o->tmp_path = NULL;
        return e->code;
    }
    mode_t mask = umask(0);
    umask(mask);
    (void)fchmod(fd, 0666 & ~mask); /* mkstemp makes 0600; outputs get the usual mode */
    if (open_stdio) {
        o->fp = fdopen(fd, "wb");
        if (!o->fp) {
            close(fd);
            return gerr_set(e, GIFC_ERR_NOMEM, "cannot open a stream on the output");
        }
    } else {
        close(fd);
    }
    return GIFC_OK;
}

gifc_error outfile_begin(outfile *o, const char *final_path, const char *in_path, int overwrite,
                         int open_stdio, gerr *e)
{
    memset(o, 0, sizeof *o);
    if (final_path) {
        if (check_target(final_path, in_path, overwrite, e)) return e->code;
        o->final_path = strdup(final_path);
        o->tmp_path = temp_template(final_path);
    } else {
        o->tmp_path = tmpdir_template();
    }
    if (!o->tmp_path || (final_path && !o->final_path)) {
        outfile_abort(o);
        return gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
    }
    if (open_temp(o, open_stdio, e)) {
        outfile_abort(o);
        return e->code;
    }
    return GIFC_OK;
}

static gifc_error close_stream(outfile *o, gerr *e)
{
    if (!o->fp) return GIFC_OK;
    int bad = ferror(o->fp) | fflush(o->fp);
    int err = errno;
    bad |= fclose(o->fp);
    o->fp = NULL;
    if (bad)
        return gerr_set(e, GIFC_ERR_OUTPUT, "cannot write '%s': %s",
                        o->final_path ? o->final_path : o->tmp_path, strerror(err ? err : EIO));
    return GIFC_OK;
}

gifc_error outfile_commit(outfile *o, gerr *e)
{
    if (close_stream(o, e)) return e->code;
    if (!o->final_path) return GIFC_OK;
    if (rename(o->tmp_path, o->final_path))
        return gerr_set(e, GIFC_ERR_OUTPUT, "cannot write '%s': %s", o->final_path,
                        strerror(errno));
    free(o->tmp_path);
    o->tmp_path = NULL;
    outfile_abort(o); /* nothing left to remove: frees the names */
    return GIFC_OK;
}

gifc_error outfile_take_memory(outfile *o, uint8_t **data, size_t *size, gerr *e)
{
    *data = NULL;
    *size = 0;
    if (close_stream(o, e)) return e->code;
    FILE *f = fopen(o->tmp_path, "rb");
    struct stat st;
    if (!f || fstat(fileno(f), &st)) {
        if (f) fclose(f);
        return gerr_set(e, GIFC_ERR_OUTPUT, "cannot read back the result: %s", strerror(errno));
    }
    uint8_t *buf = malloc(st.st_size ? (size_t)st.st_size : 1);
    size_t got = buf ? fread(buf, 1, (size_t)st.st_size, f) : 0;
    fclose(f);
    if (!buf || got != (size_t)st.st_size) {
        free(buf);
        return gerr_set(e, buf ? GIFC_ERR_OUTPUT : GIFC_ERR_NOMEM, "cannot read back the result");
    }
    *data = buf;
    *size = got;
    outfile_abort(o);
    return GIFC_OK;
}

void outfile_abort(outfile *o)
{
    if (o->fp) fclose(o->fp);
    if (o->tmp_path) unlink(o->tmp_path);
    free(o->tmp_path);
    free(o->final_path);
    memset(o, 0, sizeof *o);
}
