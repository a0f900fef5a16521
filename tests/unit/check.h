/* The unit tests' one assertion: CHECK(cond) or CHECK(cond, "format", ...). A failed check
 * prints the file, line, condition and message, counts in `failures`, and the test goes on
 * (so one run reports every broken check); main returns failures != 0.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_TESTS_CHECK_H
#define GIFC_TESTS_CHECK_H
#include <stdarg.h>
#include <stdio.h>

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
#endif
