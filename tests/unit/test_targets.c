/* The targets table through the public API: every listed target is found by name, has a
 * default format, applies to default options without error and leaves options that keep
 * to every rule; explicit options inside a rule are kept, outside it refused naming the
 * rule; results are checked rule by rule. Iterates the table, so a new target is covered.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <gifc.h>

#include <stdio.h>
#include <string.h>

#include "check.h"

static void each_target(void)
{
    CHECK(gifc_target_count() >= 5);
    CHECK(gifc_target_at(-1) == NULL && gifc_target_at(gifc_target_count()) == NULL);
    CHECK(gifc_target_find(NULL) == NULL && gifc_target_find("myspace") == NULL);
    for (int i = 0; i < gifc_target_count(); i++) {
        const gifc_target_info *t = gifc_target_at(i);
        char why[256] = "";
        CHECK(t && t->name && t->title && t->source && t->checked && t->n_formats >= 1);
        CHECK(gifc_target_find(t->name) == t, "%s", t->name);
        const gifc_target_rules *def = gifc_target_rules_for(t, GIFC_FORMAT_AUTO);
        CHECK(def == &t->formats[0], "%s", t->name);
        for (int k = 0; k < t->n_formats; k++) {
            const gifc_target_rules *r = &t->formats[k];
            gifc_options o;
            gifc_options_init(&o);
            o.format = r->format;
            CHECK(gifc_target_apply(t, &o, why, sizeof why) == GIFC_OK, "%s: %s", t->name, why);
            CHECK(o.format == r->format);
            CHECK(gifc_options_validate(&o, NULL) == GIFC_OK, "%s", t->name);
            if (r->width) CHECK(o.width == r->width && o.height == r->height, "%s", t->name);
            if (r->max_bytes) CHECK(o.max_size == r->max_bytes, "%s", t->name);
            if (r->max_duration > 0) CHECK(o.duration > 0 && o.duration <= r->max_duration);
            if (r->max_fps > 0) CHECK(o.fps > 0 && o.fps <= r->max_fps, "%s", t->name);
            if (r->max_frames > 0) CHECK(o.fps * o.duration <= r->max_frames + 1e-6);

            /* A result meeting every rule passes; each rule broken alone fails. */
            gifc_result res;
            memset(&res, 0, sizeof res);
            res.format = r->format;
            res.width = r->width ? r->width : 320;
            res.height = r->height ? r->height : 240;
            res.bytes = r->max_bytes ? r->max_bytes : 1000;
            res.duration = 2;
            res.fps = 10;
            res.frames = 20;
            CHECK(gifc_target_check(t, &res, why, sizeof why) == GIFC_OK, "%s: %s", t->name, why);
            gifc_result bad = res;
            if (r->max_bytes) {
                bad.bytes = r->max_bytes + 1;
                CHECK(gifc_target_check(t, &bad, why, sizeof why) == GIFC_ERR_OVER_BUDGET);
                CHECK(strstr(why, t->name) != NULL, "%s", why);
            }
            if (r->width) {
                bad = res;
                bad.width = r->width + 1;
                CHECK(gifc_target_check(t, &bad, why, sizeof why) == GIFC_ERR_ENCODE);
                bad = res;
                bad.height = r->height + 2;
                CHECK(gifc_target_check(t, &bad, why, sizeof why) == GIFC_ERR_ENCODE);
            }
            if (r->max_duration > 0) {
                bad = res;
                bad.duration = r->max_duration + 0.1;
                CHECK(gifc_target_check(t, &bad, why, sizeof why) == GIFC_ERR_ENCODE);
            }
            if (r->max_fps > 0) {
                bad = res;
                bad.fps = r->max_fps + 1;
                CHECK(gifc_target_check(t, &bad, why, sizeof why) == GIFC_ERR_ENCODE);
            }
            if (r->max_frames > 0) {
                bad = res;
                bad.frames = r->max_frames + 1;
                CHECK(gifc_target_check(t, &bad, why, sizeof why) == GIFC_ERR_ENCODE);
            }
        }
    }
}

static void explicit_options(void)
{
    const gifc_target_info *t = gifc_target_find("Discord-Emoji");
    char why[256] = "";
    gifc_options o;
    CHECK(t != NULL);
    if (!t) return;
    gifc_options_init(&o);
    o.width = 64;
    o.max_size = 100000;
    CHECK(gifc_target_apply(t, &o, why, sizeof why) == GIFC_OK, "%s", why);
    CHECK(o.width == 64 && o.height == 128 && o.max_size == 100000);

    gifc_options_init(&o);
    o.width = 200;
    CHECK(gifc_target_apply(t, &o, why, sizeof why) == GIFC_ERR_INVALID_ARG);
    CHECK(strstr(why, "width") && strstr(why, "discord-emoji") && strstr(why, "128x128"), "%s", why);
    CHECK(o.width == 200 && o.max_size == 0, "options changed on failure");

    gifc_options_init(&o);
    o.max_size = 300000;
    CHECK(gifc_target_apply(t, &o, why, sizeof why) == GIFC_ERR_INVALID_ARG);
    CHECK(strstr(why, "max_size") && strstr(why, "256 KB"), "%s", why);

    gifc_options_init(&o);
    o.format = GIFC_FORMAT_MP4;
    CHECK(gifc_target_apply(t, &o, why, sizeof why) == GIFC_ERR_INVALID_ARG);
    CHECK(strstr(why, "mp4") && strstr(why, "gif only"), "%s", why);

    const gifc_target_info *x = gifc_target_find("x");
    CHECK(x != NULL);
    if (!x) return;
    gifc_options_init(&o);
    o.format = GIFC_FORMAT_MP4;
    o.fps = 60;
    CHECK(gifc_target_apply(x, &o, why, sizeof why) == GIFC_ERR_INVALID_ARG);
    CHECK(strstr(why, "fps") && strstr(why, "40"), "%s", why);
    gifc_options_init(&o);
    o.format = GIFC_FORMAT_MP4;
    o.duration = 200;
    CHECK(gifc_target_apply(x, &o, why, sizeof why) == GIFC_ERR_INVALID_ARG);
    CHECK(strstr(why, "duration") && strstr(why, "140"), "%s", why);

    const gifc_target_info *s = gifc_target_find("slack-emoji");
    CHECK(s != NULL);
    if (!s) return;
    gifc_options_init(&o);
    o.audio = 1;
    CHECK(gifc_target_apply(s, &o, why, sizeof why) == GIFC_ERR_INVALID_ARG);
    CHECK(strstr(why, "audio"), "%s", why);
    gifc_options_init(&o);
    o.fps = 10;
    CHECK(gifc_target_apply(s, &o, why, sizeof why) == GIFC_OK, "%s", why);
    CHECK(o.duration > 4.99 && o.duration < 5.01, "50 frames at 10 fps: %g s", o.duration);
}

/* Stickers: exact sizes come with a fill mode; a result off the exact size fails. */
static void stickers(void)
{
    char why[256] = "";
    gifc_options o;
    const gifc_target_info *w = gifc_target_find("whatsapp-sticker");
    const gifc_target_info *t = gifc_target_find("telegram-sticker");
    CHECK(w && t && gifc_target_find("discord-sticker"));
    if (!w || !t) return;
    gifc_options_init(&o);
    CHECK(gifc_target_apply(w, &o, why, sizeof why) == GIFC_OK, "%s", why);
    CHECK(o.format == GIFC_FORMAT_WEBP && o.width == 512 && o.height == 512 &&
          o.fill == GIFC_FILL_PAD && o.max_size == 500000 && o.duration == 10);
    gifc_options_init(&o);
    o.fill = GIFC_FILL_CROP; /* --aspect-fit crop */
    CHECK(gifc_target_apply(w, &o, why, sizeof why) == GIFC_OK && o.fill == GIFC_FILL_CROP);
    gifc_options_init(&o);
    o.fill = GIFC_FILL_FIT;
    CHECK(gifc_target_apply(w, &o, why, sizeof why) == GIFC_ERR_INVALID_ARG);
    CHECK(strstr(why, "fill") && strstr(why, "exactly 512x512"), "%s", why);
    gifc_options_init(&o);
    o.width = 256;
    CHECK(gifc_target_apply(w, &o, why, sizeof why) == GIFC_ERR_INVALID_ARG);
    CHECK(strstr(why, "width 256") && strstr(why, "exactly"), "%s", why);

    gifc_options_init(&o);
    CHECK(gifc_target_apply(t, &o, why, sizeof why) == GIFC_OK, "%s", why);
    CHECK(o.format == GIFC_FORMAT_WEBM && o.fill == GIFC_FILL_FIT && o.fps == 30 &&
          o.duration == 3 && o.max_size == 256000);
    gifc_result res;
    memset(&res, 0, sizeof res);
    res.format = GIFC_FORMAT_WEBM;
    res.width = 288, res.height = 512, res.bytes = 1000, res.duration = 3, res.fps = 30;
    CHECK(gifc_target_check(t, &res, why, sizeof why) == GIFC_OK, "%s", why);
    res.height = 510; /* neither side on 512 */
    CHECK(gifc_target_check(t, &res, why, sizeof why) == GIFC_ERR_ENCODE);
    CHECK(strstr(why, "one side exactly"), "%s", why);
    res.format = GIFC_FORMAT_WEBP, res.width = 512, res.height = 288;
    CHECK(gifc_target_check(w, &res, why, sizeof why) == GIFC_ERR_ENCODE);
}

int main(void)
{
    each_target();
    explicit_options();
    stickers();
    return check_finish("targets");
}
