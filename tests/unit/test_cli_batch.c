/* Unit test of batch mode's pure helpers (src/cli/batch_paths.c): media names, globs, shard
 * hashing and OUTDIR paths. Exits 0 when every check passes, 1 after printing each failure.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "cli/batch_paths.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static void test_media_names(void)
{
    CHECK(batch_is_media_name("a.mp4") && batch_is_media_name("dir.x/CLIP.MOV"));
    CHECK(batch_is_media_name("a b/ü.webm") && batch_is_media_name("x.tar.gif"));
    CHECK(batch_is_media_name("x.apng") && batch_is_media_name("x.webp"));
    CHECK(!batch_is_media_name("readme.txt") && !batch_is_media_name("mp4"));
    CHECK(!batch_is_media_name(".mp4"));          /* a hidden name, not an extension */
    CHECK(!batch_is_media_name("clips.mp4/notes")); /* the folder's dot does not count */
    CHECK(!batch_is_media_name("a.mp4.part"));
}

static void test_fnv1a(void)
{
    /* Reference values of 64-bit FNV-1a. */
    CHECK(batch_fnv1a("") == 0xcbf29ce484222325ull);
    CHECK(batch_fnv1a("a") == 0xaf63dc4c8601ec8cull);
    CHECK(batch_fnv1a("foobar") == 0x85944171f73967e8ull);
}

static void test_shards(void)
{
    static const char *const names[] = { "a.mp4", "b.mp4", "sub/c.gif", "sub/d e.mov",
                                          "ü.webm", "x/y/z.mkv", "", "0", "1", "long/name.avi" };
    size_t n = sizeof names / sizeof names[0];
    for (int shards = 1; shards <= 7; shards++) {
        for (size_t i = 0; i < n; i++) { /* every name in exactly one share */
            int owners = 0;
            for (int k = 1; k <= shards; k++) owners += batch_in_shard(names[i], k, shards);
            CHECK(owners == 1);
        }
    }
    /* Depends on the name alone: the same answer however often asked. */
    CHECK(batch_in_shard("sub/c.gif", 2, 3) == batch_in_shard("sub/c.gif", 2, 3));
    CHECK(batch_in_shard("a", (int)(0xaf63dc4c8601ec8cull % 5) + 1, 5));
    CHECK(batch_in_shard("anything", 1, 1) && batch_in_shard("anything", 1, 0));
}

static void test_globs(void)
{
    static const char *const inc[] = { "*.mp4", "raw/*" };
    static const char *const exc[] = { "*draft*" };
    CHECK(batch_glob_match("*.mp4", "a.mp4") && batch_glob_match("*.mp4", "x/y/a.mp4"));
    CHECK(!batch_glob_match("*.mp4", "a.mov") && !batch_glob_match("*.MP4", "a.mp4"));
    CHECK(batch_glob_match("raw/*", "raw/a.mov") && batch_glob_match("raw/*", "raw/x/a.mov"));
    CHECK(!batch_glob_match("raw/*", "cooked/raw/a.mov"));
    CHECK(batch_glob_match("clip ?.gif", "d/clip 1.gif") && batch_glob_match("[ab].gif", "b.gif"));
    CHECK(batch_selected("a.mov", NULL, 0, NULL, 0) == BATCH_SELECTED);
    CHECK(batch_selected("a.mp4", inc, 2, exc, 1) == BATCH_SELECTED);
    CHECK(batch_selected("raw/b.mov", inc, 2, exc, 1) == BATCH_SELECTED);
    CHECK(batch_selected("b.mov", inc, 2, exc, 1) == BATCH_NOT_INCLUDED);
    CHECK(batch_selected("my draft.mp4", inc, 2, exc, 1) == BATCH_EXCLUDED);
    CHECK(batch_selected("my draft.mov", NULL, 0, exc, 1) == BATCH_EXCLUDED);
}

static void output_is(const char *outdir, const char *rel, gifc_format f, int keep,
                      const char *want, int line)
{
    char *got = batch_output_path(outdir, rel, f, keep);
    if (!got || strcmp(got, want) != 0) {
        fprintf(stderr, "%s:%d: output_path(%s, %s) = %s, want %s\n", __FILE__, line, outdir,
                rel, got ? got : "NULL", want);
        failures++;
    }
    free(got);
}

static void test_output_paths(void)
{
    output_is("out", "a.mp4", GIFC_FORMAT_GIF, 0, "out/a.gif", __LINE__);
    output_is("out/", "a.mp4", GIFC_FORMAT_GIF, 0, "out/a.gif", __LINE__);
    output_is("out", "sub/deep/a b.MOV", GIFC_FORMAT_MP4, 0, "out/sub/deep/a b.mp4", __LINE__);
    output_is("out", "x.gif", GIFC_FORMAT_GIF, 0, "out/x.gif", __LINE__);
    output_is("out", "x.gif", GIFC_FORMAT_AUTO, 0, "out/x.gif", __LINE__);
    output_is("out", "a.mp4", GIFC_FORMAT_GIF, 1, "out/a.mp4.gif", __LINE__);
    output_is("out", "v1.2/clip", GIFC_FORMAT_GIF, 0, "out/v1.2/clip.gif", __LINE__);
    output_is("out", "ü/é.webp", GIFC_FORMAT_MP4, 0, "out/ü/é.mp4", __LINE__);
    output_is("/", "a.mp4", GIFC_FORMAT_GIF, 0, "/a.gif", __LINE__);
    char *j = batch_join("", "a");
    CHECK(j && strcmp(j, "a") == 0);
    free(j);
}

int main(void)
{
    test_media_names();
    test_fnv1a();
    test_shards();
    test_globs();
    test_output_paths();
    if (failures) {
        fprintf(stderr, "test_cli_batch: %d check(s) failed\n", failures);
        return 1;
    }
    printf("test_cli_batch: all checks passed\n");
    return 0;
}
