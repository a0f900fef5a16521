/* The library names gifc_options fields; the user types flags. This maps one to the other for
 * the fields that appear in the library's messages.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "cli/flags.h"

#include <stdio.h>
#include <string.h>

const char *cli_flag_for_field(const char *field)
{
    /* TODO(option table): use gifc_option_find(field)->name instead of this table. */
    static const char *const table[][2] = {
        { "overwrite", "--force" },        { "start", "--start" },
        { "duration", "--duration" },      { "audio", "--audio" },
        { "font", "--font" },              { "max_pixels", "--max-pixels" },
        { "max_frames", "--max-frames" },  { "max_duration", "--max-duration" },
        { "max_decoded_bytes", "--max-decoded" },
    };
    if (!field) return NULL;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcmp(table[i][0], field) == 0) return table[i][1];
    return NULL;
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
    const char *flag = cli_flag_for_field(field);
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
