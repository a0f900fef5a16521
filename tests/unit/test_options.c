/* The option table through the public API (shared libgifc): every floating-point option
 * refuses NaN, infinities and 1e300; every integer option the values just past its bounds;
 * gifc_option_set / gifc_option_get round trips; and the ABI rule that the library never
 * reads or writes past the struct_size a caller was built with. Iterates the table, so a
 * new option is covered without touching this file. Uses only <gifc.h>.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <gifc.h>

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* The field's address in o, by the option's type (the table's own storage). */
static void *field(gifc_options *o, const gifc_option_info *i)
{
#define F(name) if (!strcmp(i->field, #name)) return &o->name
    F(fps); F(start); F(duration); F(dither); F(speed); F(smooth_loop); F(caption_size);
    F(max_duration); F(width); F(height); F(colors); F(quality); F(loop); F(threads);
    F(lossy); F(frames_step); F(max_size); F(max_pixels); F(max_frames);
    F(max_decoded_bytes); F(background); F(format); F(caption_position); F(aspect_pad);
    F(audio); F(overwrite); F(fast); F(best_effort); F(lossless); F(fill); F(reverse); F(bounce);
    F(drop_duplicates); F(crop_w); F(aspect_w); F(caption); F(font);
#undef F
    return NULL;
}

static int is_double(const gifc_option_info *i)
{
    return i->type == GIFC_OPT_DOUBLE || i->type == GIFC_OPT_TIME;
}

/* Refused with INVALID_ARG and a message naming the field. */
static void expect_refused(const gifc_options *o, const gifc_option_info *i, const char *what)
{
    const char *why = NULL;
    gifc_error e = gifc_options_validate(o, &why);
    CHECK(e == GIFC_ERR_INVALID_ARG, "%s = %s accepted", i->field, what);
    CHECK(why && strstr(why, i->field), "%s = %s: message '%s' does not name it", i->field,
          what, why ? why : "(null)");
    gifc_context *ctx = NULL;
    CHECK(gifc_context_new(o, &ctx) == GIFC_ERR_INVALID_ARG && !ctx, "%s = %s: context made",
          i->field, what);
    gifc_context_free(&ctx);
}

static void test_non_finite(void)
{
    const double bad[] = { NAN, INFINITY, -INFINITY, 1e300 };
    const char *names[] = { "NaN", "+inf", "-inf", "1e300" };
    int doubles = 0;
    for (int k = 0; k < gifc_option_count(); k++) {
        const gifc_option_info *i = gifc_option_at(k);
        if (!is_double(i)) continue;
        doubles++;
        for (int b = 0; b < 4; b++) {
            gifc_options o;
            gifc_options_init(&o);
            double *f = field(&o, i);
            CHECK(f != NULL, "test does not know field %s", i->field);
            if (!f) break;
            *f = bad[b];
            expect_refused(&o, i, names[b]);
        }
    }
    CHECK(doubles >= 8, "only %d floating-point options in the table", doubles);
}

/* Integer options: the value just below min (unless 0 / negatives mean something) and just
 * above max are refused; min and max themselves pass. */
static void test_integer_bounds(void)
{
    for (int k = 0; k < gifc_option_count(); k++) {
        const gifc_option_info *i = gifc_option_at(k);
        if (i->type != GIFC_OPT_INT && i->type != GIFC_OPT_SIZE && i->type != GIFC_OPT_CHOICE &&
            i->type != GIFC_OPT_BOOL && i->type != GIFC_OPT_COLOR)
            continue;
        gifc_options o;
        char text[64];
        for (int side = 0; side < 2; side++) {
            double v = side ? i->max + 1 : i->min - 1;
            if (!side && (v == 0 && (i->flags & GIFC_OPTF_ZERO_AUTO))) continue;
            if (!side && v < 0 && (i->flags & (GIFC_OPTF_NEG_AUTO | GIFC_OPTF_NEG_SPECIAL)))
                continue;
            if (!side && v < 0 && i->type == GIFC_OPT_SIZE) continue; /* unsigned fields */
            gifc_options_init(&o);
            snprintf(text, sizeof text, "%.0f", v);
            void *f = field(&o, i);
            CHECK(f != NULL, "test does not know field %s", i->field);
            if (!f) continue;
            if (!strcmp(i->field, "max_size") || !strcmp(i->field, "max_pixels") ||
                !strcmp(i->field, "max_decoded_bytes"))
                *(uint64_t *)f = side ? (uint64_t)i->max + 1 : (uint64_t)v;
            else if (!strcmp(i->field, "max_frames"))
                *(int64_t *)f = side ? (int64_t)i->max + 1 : (int64_t)v;
            else if (!strcmp(i->field, "background")) *(uint32_t *)f = (uint32_t)v;
            else *(int *)f = (int)v;
            expect_refused(&o, i, text);
        }
        /* The bounds themselves are fine, through gifc_option_set too. */
        if (i->type == GIFC_OPT_INT) {
            for (int side = 0; side < 2; side++) {
                gifc_options_init(&o);
                char why[128];
                snprintf(text, sizeof text, "%.0f", side ? i->max : i->min);
                CHECK(gifc_option_set(&o, i->name, text, why, sizeof why) == GIFC_OK,
                      "%s %s: %s", i->name, text, why);
                CHECK(gifc_options_validate(&o, NULL) == GIFC_OK, "%s %s invalid", i->name, text);
                snprintf(text, sizeof text, "%.0f", side ? i->max + 1 : i->min - 1);
                CHECK(gifc_option_set(&o, i->name, text, why, sizeof why) == GIFC_ERR_INVALID_ARG &&
                      strstr(why, "out of range"), "%s %s: %s", i->name, text, why);
            }
        }
    }
}

/* A sample text a user could write, per option, and what gifc_option_get gives back. */
static const struct {
    const char *name, *text, *back;
} samples[] = {
    { "format", "MP4", "mp4" },          { "quality", "80", "80" },
    { "fast", NULL, "1" },               { "force", "yes", "1" },
    { "start", "1:30", "90" },           { "duration", "2.5", "2.5" },
    { "fps", "12.5", "12.5" },           { "speed", "0.25", "0.25" },
    { "width", "320", "320" },           { "height", "16384", "16384" },
    { "crop", "320:240:0:60", "320:240:0:60" }, { "aspect", "16:9", "16:9" },
    { "aspect-fit", "pad", "pad" },      { "reverse", "on", "1" },
    { "bounce", "1", "1" },              { "smooth-loop", NULL, "1" },
    { "frames-step", "3", "3" },         { "drop-duplicates", "true", "1" },
    { "caption", "hello", "hello" },     { "caption-position", "top", "top" },
    { "caption-size", "12.5", "12.5" },  { "font", "/x.ttf", "/x.ttf" },
    { "max-size", "500K", "500000" },    { "best-effort", NULL, "1" },
    { "lossless", NULL, "1" },           { "fill", "pad", "pad" },
    { "colors", "16", "16" },            { "dither", "0.5", "0.5" },
    { "lossy", "80", "80" },             { "loop", "65535", "65535" },
    { "audio", NULL, "1" },              { "background", "#fff", "#ffffff" },
    { "threads", "4", "4" },             { "max-pixels", "20M", "20000000" },
    { "max-frames", "1.5K", "1500" },    { "max-duration", "01:00:00", "3600" },
    { "max-decoded", "10MiB", "10485760" },
};

static void test_round_trip(void)
{
    int n = (int)(sizeof samples / sizeof samples[0]);
    for (int k = 0; k < gifc_option_count(); k++) {
        const gifc_option_info *i = gifc_option_at(k);
        int found = -1;
        for (int s = 0; s < n; s++)
            if (!strcmp(samples[s].name, i->name)) found = s;
        CHECK(found >= 0, "no round-trip sample for option %s", i->name);
        if (found < 0) continue;
        gifc_options o;
        gifc_options_init(&o);
        char why[128], buf[64], again[64];
        CHECK(gifc_option_set(&o, i->name, samples[found].text, why, sizeof why) == GIFC_OK,
              "set %s %s: %s", i->name, samples[found].text, why);
        CHECK(gifc_option_get(&o, i->field, 0, buf, sizeof buf) == GIFC_OK &&
              !strcmp(buf, samples[found].back), "get %s: '%s', want '%s'", i->name, buf,
              samples[found].back);
        /* What get says, set takes back unchanged. */
        gifc_options o2;
        gifc_options_init(&o2);
        CHECK(gifc_option_set(&o2, i->name, buf, why, sizeof why) == GIFC_OK &&
              gifc_option_get(&o2, i->name, 0, again, sizeof again) == GIFC_OK &&
              !strcmp(buf, again), "%s: '%s' gives back '%s' (%s)", i->name, buf, again, why);
        CHECK(gifc_option_get(&o, i->name, 1, buf, sizeof buf) == GIFC_OK && buf[0],
              "json %s", i->name);
        CHECK(gifc_option_find(i->name) == i && gifc_option_find(i->field) == i,
              "find %s / %s", i->name, i->field);
        CHECK(i->help && *i->help && i->range_text && i->default_text && i->placeholder &&
              i->unit, "%s: a text is missing", i->name);
        CHECK(i->applies != 0, "%s applies to nothing", i->name);
    }
    gifc_options o;
    gifc_options_init(&o);
    char why[128];
    const struct { const char *name, *text, *says; } bad[] = {
        { "fps", "x", "not a number" },       { "fps", "0", "out of range (above 0, up to 100)" },
        { "fps", "nan", "not a number" },     { "fps", "inf", "not a number" },
        { "start", "1e300", "out of range" }, { "start", "1:5", "not a time" },
        { "max-size", "5", "out of range" },  { "max-size", "8XB", "not a size" },
        { "background", "#ff", "not a colour" }, { "format", "png", "is not supported (gif, mp4, webp, apng, webm, avif)" },
        { "caption-position", "left", "is not top or bottom" }, { "caption-size", "5 %", "is not a percentage" },
        { "crop", "0:1:0:0", "out of range" }, { "aspect", "1:101", "out of range" },
        { "loop", "65536", "out of range" },  { "caption", "", "empty" },
        { "quality", NULL, "needs a value" }, { "no-such-option", "1", "unknown option" },
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        gifc_options before = o;
        CHECK(gifc_option_set(&o, bad[k].name, bad[k].text, why, sizeof why) ==
                  GIFC_ERR_INVALID_ARG && strstr(why, bad[k].says),
              "%s '%s': '%s'", bad[k].name, bad[k].text ? bad[k].text : "(none)", why);
        CHECK(!memcmp(&before, &o, sizeof o), "%s: failed set changed the options", bad[k].name);
    }
    CHECK(gifc_option_find("max_pixels") == gifc_option_find("max-pixels") &&
          gifc_option_find("crop_x") == gifc_option_find("crop") && !gifc_option_find("nope") &&
          !gifc_option_find(NULL) && !gifc_option_at(-1) && !gifc_option_at(gifc_option_count()),
          "lookups");
}

/* A caller built with an older, smaller gifc_options: the library reads only its bytes and
 * writes none past them (guard bytes after the struct stay untouched). */
static void test_abi(void)
{
    size_t old = offsetof(gifc_options, caption); /* as if the caption fields came later */
    unsigned char *mem = malloc(sizeof(gifc_options) + 64);
    memset(mem, 0xA5, sizeof(gifc_options) + 64);
    gifc_options *o = (gifc_options *)mem;
    gifc_options_init_sized(o, old);
    int intact = 1;
    for (size_t k = old; k < sizeof(gifc_options) + 64; k++) intact &= mem[k] == 0xA5;
    CHECK(intact, "gifc_options_init_sized wrote past %zu bytes", old);
    CHECK(o->struct_size == old && o->quality == 90, "older struct not initialised");
    const char *why = NULL;
    /* Past old the memory is 0xA5 garbage: a library reading it would refuse the options. */
    CHECK(gifc_options_validate(o, &why) == GIFC_OK, "older struct refused: %s", why);
    gifc_context *ctx = NULL;
    CHECK(gifc_context_new(o, &ctx) == GIFC_OK && ctx, "older struct: no context");
    gifc_context_free(&ctx);
    char w[128];
    CHECK(gifc_option_set(o, "caption", "hi", w, sizeof w) == GIFC_ERR_INVALID_ARG,
          "set wrote a field past struct_size");
    CHECK(gifc_option_set(o, "quality", "50", w, sizeof w) == GIFC_OK && o->quality == 50,
          "set inside struct_size: %s", w);
    intact = 1;
    for (size_t k = old; k < sizeof(gifc_options) + 64; k++) intact &= mem[k] == 0xA5;
    CHECK(intact, "the library wrote past the caller's %zu bytes", old);
    free(mem);
    gifc_options z;
    memset(&z, 0, sizeof z);
    CHECK(gifc_options_validate(&z, &why) == GIFC_ERR_INVALID_ARG, "struct_size 0 accepted");
    CHECK(gifc_version_number() == GIFC_VERSION_NUMBER &&
          GIFC_VERSION_NUMBER == GIFC_VERSION_MAJOR * 10000 + GIFC_VERSION_MINOR * 100 +
                                     GIFC_VERSION_PATCH &&
          !strcmp(gifc_version(), GIFC_VERSION_STRING), "version");
}

/* The defaults gifc_options_init sets are the table's. */
static void test_defaults(void)
{
    gifc_options o;
    gifc_options_init(&o);
    CHECK(o.struct_size == sizeof o, "struct_size");
    const char *why = NULL;
    CHECK(gifc_options_validate(&o, &why) == GIFC_OK, "defaults invalid: %s", why);
    for (int k = 0; k < gifc_option_count(); k++) {
        const gifc_option_info *i = gifc_option_at(k);
        if (i->type == GIFC_OPT_STRING || i->type == GIFC_OPT_RATIO || i->type == GIFC_OPT_RECT)
            continue;
        char buf[64];
        CHECK(gifc_option_get(&o, i->name, 0, buf, sizeof buf) == GIFC_OK, "%s", i->name);
        if (i->type == GIFC_OPT_INT || i->type == GIFC_OPT_DOUBLE || i->type == GIFC_OPT_TIME)
            CHECK(strtod(buf, NULL) == i->default_value, "%s default %s, table %g", i->name,
                  buf, i->default_value);
    }
}

int main(void)
{
    test_defaults();
    test_non_finite();
    test_integer_bounds();
    test_round_trip();
    test_abi();
    if (!failures) printf("options: all checks passed\n");
    return failures != 0;
}
