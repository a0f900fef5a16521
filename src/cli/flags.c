/* The library names gifc_options fields; the user types flags. This maps one to the other for
 * any field, through the library's option table.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "cli/flags.h"

#include <stdio.h>
#include <string.h>

const char *cli_flag_for_field(const char *field, char *buf, size_t n)
{
    const gifc_option_info *o = field ? gifc_option_find(field) : NULL;
    if (!o) return NULL;
    snprintf(buf, n, "--%s", o->name);
    return buf;
}

static int word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-';
}

/* The last whole-word occurrence of word in s: the field comes after any path. */
static char *last_word(char *s, const char *word)
{
    size_t n = strlen(word);
    char *found = NULL;
    for (char *hit = strstr(s, word); hit; hit = strstr(hit + 1, word))
        if ((hit == s || !word_char(hit[-1])) && !word_char(hit[n])) found = hit;
    return found;
}

static void replace_at(char *msg, size_t n, char *at, size_t len, const char *with)
{
    char tail[1024];
    snprintf(tail, sizeof tail, "%s", at + len);
    snprintf(at, n - (size_t)(at - msg), "%s%s", with, tail);
}

void cli_name_flag(char *msg, size_t n, gifc_error e, const char *field)
{
    char flagbuf[64];
    const char *flag = cli_flag_for_field(field, flagbuf, sizeof flagbuf);
    if (e == GIFC_ERR_OUTPUT_EXISTS) {
        const char *off = " (overwrite is off)";
        char *hit = strstr(msg, off);
        if (hit) *hit = '\0';
        if (!strstr(msg, "--force")) {
            size_t len = strlen(msg);
            snprintf(msg + len, n - len, " (use --force to replace it)");
        }
        return;
    }
    if (!flag || strncmp(field, "max_", 4) == 0) return; /* limits: "(raise it with ...)" */
    char *hit = last_word(msg, field);
    if (hit) replace_at(msg, n, hit, strlen(field), flag);
}
