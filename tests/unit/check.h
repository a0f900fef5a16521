/* The unit tests' one assertion: CHECK(cond) or CHECK(cond, "format", ...). A failed check
 * prints the file, line, condition and message, counts in `failures`, and the test goes on
 * (so one run reports every broken check); main returns failures != 0.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_TESTS_CHECK_H
#define GIFC_TESTS_CHECK_H
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int failures;

__attribute__((format(printf, 1, 2), unused)) static void check_note(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* " " pastes onto the format when one is given, and stands alone when not. */
#define CHECK(cond, ...)                                                                    \
    do {                                                                                    \
        if (!(cond)) {                                                                      \
            failures++;                                                                     \
            fprintf(stderr, "FAIL %s:%d: %s:", __FILE__, __LINE__, #cond);                  \
            check_note(" " __VA_ARGS__);                                                    \
        }                                                                                   \
    } while (0)

/* The end of a test's main: "NAME: all passed" or "NAME: N failure(s)"; main's status. */
__attribute__((unused)) static int check_finish(const char *name)
{
    if (failures) {
        fprintf(stderr, "%s: %d failure(s)\n", name, failures);
        return 1;
    }
    printf("%s: all passed\n", name);
    return 0;
}

/* Removes the n files `names` from the test's temporary folder dir, then the folder; with
 * --keep among the arguments, keeps them and says where they are. */
__attribute__((unused)) static void check_remove_dir(const char *dir, const char *const *names,
                                                     size_t n, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--keep")) {
            printf("outputs kept in %s\n", dir);
            return;
        }
    }
    char path[4096];
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    if (chdir("/") == 0) rmdir(dir);
}
#endif
