/* The targets table: where a file goes (gifc --for NAME) and that platform's rules, per
 * output format, as data; applying a target to gifc_options and checking a result against
 * it. The source and date of every figure are in README ("Targets").
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <gifc.h>

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define KB 1000ULL
#define MB 1000000ULL

/* Byte limits are taken in decimal units (10 MB = 10,000,000 B): the smaller reading of a
 * platform's "10 MB", so a file fits whichever one the platform means. */
static const gifc_target_rules discord[] = {
    { GIFC_FORMAT_GIF, 0, 0, 0, 0, 0, 0, 10 * MB, 0 },
    { GIFC_FORMAT_MP4, 0, 0, 0, 0, 0, 0, 10 * MB, 1 },
};
static const gifc_target_rules discord_emoji[] = {
    { GIFC_FORMAT_GIF, 128, 128, 0, 0, 0, 0, 256 * KB, 0 },
};
static const gifc_target_rules slack_emoji[] = {
    { GIFC_FORMAT_GIF, 128, 128, 0, 0, 0, 50, 128 * KB, 0 },
};
static const gifc_target_rules github[] = {
    { GIFC_FORMAT_GIF, 0, 0, 0, 0, 0, 0, 10 * MB, 0 },
    { GIFC_FORMAT_MP4, 0, 0, 0, 0, 0, 0, 10 * MB, 1 },
};
static const gifc_target_rules github_readme[] = {
    { GIFC_FORMAT_GIF, 0, 0, 0, 0, 0, 0, 5 * MB, 0 },
};
static const gifc_target_rules x_twitter[] = {
    { GIFC_FORMAT_GIF, 1280, 1080, 0, 0, 0, 0, 15 * MB, 0 },
    { GIFC_FORMAT_MP4, 1920, 1200, 0, 40, 140, 0, 512 * MB, 1 },
};

/* Stickers: an exact size (exact 1: the box; 2: one side on it), short, light. */
static const gifc_target_rules discord_sticker[] = {
    { GIFC_FORMAT_APNG, 320, 320, 1, 0, 0, 0, 512 * KB, 0 },
};
static const gifc_target_rules telegram_sticker[] = {
    { GIFC_FORMAT_WEBM, 512, 512, 2, 30, 3, 0, 256 * KB, 0 },
};
static const gifc_target_rules whatsapp_sticker[] = {
    { GIFC_FORMAT_WEBP, 512, 512, 1, 0, 10, 0, 500 * KB, 0 },
};

#define N(a) ((int)(sizeof a / sizeof a[0]))
#define CHECKED "2026-12-02"

static const gifc_target_info targets[] = {
    { "discord", "Discord upload (free account)", N(discord), discord,
      "Discord upload limit, cut to 10 MB in 2024", CHECKED },
    { "discord-emoji", "Discord custom emoji", N(discord_emoji), discord_emoji,
      "Discord emoji guides: 128x128, 256 KB", CHECKED },
    { "slack-emoji", "Slack custom emoji", N(slack_emoji), slack_emoji,
      "Slack custom emoji: 128x128, 128 KB, 50 frames", CHECKED },
    { "github", "GitHub issue / PR / comment attachment", N(github), github,
      "GitHub docs: images and videos up to 10 MB (free plan)", CHECKED },
    { "github-readme", "GitHub README image (through the Camo proxy)", N(github_readme),
      github_readme, "Camo refuses images above about 5 MB", CHECKED },
    { "x", "X / Twitter post", N(x_twitter), x_twitter,
      "docs.x.com media best practices: GIF 15 MB, 1280x1080; video 512 MB, 140 s", CHECKED },
    { "discord-sticker", "Discord sticker (animated)", N(discord_sticker), discord_sticker,
      "Discord sticker guides: APNG, 320x320, 512 KB", CHECKED },
    { "telegram-sticker", "Telegram video sticker", N(telegram_sticker), telegram_sticker,
      "core.telegram.org/stickers: WebM VP9, one side 512 px, 3 s, 30 fps, 256 KB, no audio",
      CHECKED },
    { "whatsapp-sticker", "WhatsApp animated sticker", N(whatsapp_sticker), whatsapp_sticker,
      "WhatsApp/stickers README: WebP, 512x512, 500 KB, 10 s", CHECKED },
};

int gifc_target_count(void) { return N(targets); }

const gifc_target_info *gifc_target_at(int index)
{
    return index >= 0 && index < N(targets) ? &targets[index] : NULL;
}

const gifc_target_info *gifc_target_find(const char *name)
{
    if (!name) return NULL;
    for (int i = 0; i < N(targets); i++)
        if (!strcasecmp(targets[i].name, name)) return &targets[i];
    return NULL;
}

const gifc_target_rules *gifc_target_rules_for(const gifc_target_info *t, gifc_format f)
{
    if (!t || t->n_formats < 1) return NULL;
    if (f == GIFC_FORMAT_AUTO) return &t->formats[0];
    for (int i = 0; i < t->n_formats; i++)
        if (t->formats[i].format == f) return &t->formats[i];
    return NULL;
}

/* A format's name from the option table's choices ("gif|mp4"), so new formats need no
 * list here. */
static void format_name(gifc_format f, char *buf, size_t n)
{
    const gifc_option_info *in = gifc_option_find("format");
    const char *c = in && in->choices ? in->choices : "";
    int k = (int)f - (in ? (int)in->min : 1);
    for (; k > 0 && c; k--) {
        c = strchr(c, '|');
        if (c) c++;
    }
    size_t len = c ? strcspn(c, "|") : 0;
    if (k < 0 || !len) snprintf(buf, n, "format %d", (int)f);
    else snprintf(buf, n, "%.*s", (int)len, c);
}

static void formats_list(const gifc_target_info *t, char *buf, size_t n)
{
    size_t at = 0;
    buf[0] = '\0';
    for (int i = 0; i < t->n_formats && at < n; i++) {
        char name[32];
        format_name(t->formats[i].format, name, sizeof name);
        at += (size_t)snprintf(buf + at, n - at, "%s%s", i ? ", " : "", name);
    }
}

static gifc_error say(char *why, size_t n, gifc_error e, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static gifc_error say(char *why, size_t n, gifc_error e, const char *fmt, ...)
{
    if (why && n) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, n, fmt, ap);
        va_end(ap);
    }
    return e;
}

static void bytes_text(uint64_t b, char *buf, size_t n)
{
    if (b >= MB && b % (MB / 10) == 0) snprintf(buf, n, "%g MB", (double)b / MB);
    else if (b >= KB && b % KB == 0) snprintf(buf, n, "%g KB", (double)b / KB);
    else snprintf(buf, n, "%llu B", (unsigned long long)b);
}

static const char *box_rule(const gifc_target_rules *r)
{
    return r->exact == 2 ? "one side exactly" : r->exact ? "exactly" : "at most";
}

/* The size box: a smaller one asked is kept unless the size is exact. An exact target
 * fills its box (pad unless crop was asked); "one side exactly" scales up to touch it. */
static gifc_error apply_box(const gifc_target_info *t, const gifc_target_rules *r,
                            gifc_options *o, char *why, size_t n)
{
    int bad_w = o->width > r->width || (r->exact && o->width && o->width != r->width);
    int bad_h = o->height > r->height || (r->exact && o->height && o->height != r->height);
    if (bad_w || bad_h)
        return say(why, n, GIFC_ERR_INVALID_ARG, "%s %d breaks %s's rule: %s %dx%d px",
                   bad_w ? "width" : "height", bad_w ? o->width : o->height, t->name,
                   box_rule(r), r->width, r->height);
    if (r->exact == 1 && (o->fill == GIFC_FILL_NONE || o->fill == GIFC_FILL_FIT)) {
        if (o->fill == GIFC_FILL_FIT)
            return say(why, n, GIFC_ERR_INVALID_ARG, "fill fit breaks %s's rule: exactly "
                       "%dx%d px (fill pad or crop)", t->name, r->width, r->height);
        o->fill = GIFC_FILL_PAD;
    }
    if (r->exact == 2 && o->fill == GIFC_FILL_NONE) o->fill = GIFC_FILL_FIT;
    if (!o->width) o->width = r->width;
    if (!o->height) o->height = r->height;
    return GIFC_OK;
}

gifc_error gifc_target_apply(const gifc_target_info *t, gifc_options *opts, char *why,
                             size_t n)
{
    char tmp[96];
    if (!t || !opts || !opts->struct_size)
        return say(why, n, GIFC_ERR_INVALID_ARG, "no target or no options");
    if (opts->struct_size < sizeof *opts)
        return say(why, n, GIFC_ERR_INVALID_ARG, "options struct older than the targets API");
    const gifc_target_rules *r = gifc_target_rules_for(t, opts->format);
    if (!r) {
        char name[32];
        format_name(opts->format, name, sizeof name);
        formats_list(t, tmp, sizeof tmp);
        return say(why, n, GIFC_ERR_INVALID_ARG, "format %s breaks %s's rule: %s only", name,
                   t->name, tmp);
    }
    gifc_options o = *opts;
    o.format = r->format;
    if (r->width && r->height && apply_box(t, r, &o, why, n)) return GIFC_ERR_INVALID_ARG;
    if (r->max_fps > 0) {
        if (o.fps > r->max_fps)
            return say(why, n, GIFC_ERR_INVALID_ARG, "fps %g breaks %s's rule: at most %g fps",
                       o.fps, t->name, r->max_fps);
        /* GIF's own default (15, or the source's when lower) is under every cap; other
         * formats keep the source timeline unless told. */
        if (o.fps <= 0 && r->format != GIFC_FORMAT_GIF) o.fps = r->max_fps;
    }
    /* The caps are on the output's timeline; duration is source seconds, played at speed. */
    double speed = o.speed > 0 ? o.speed : 1;
    double cap = r->max_duration;
    if (r->max_frames > 0) {
        double fps = o.fps > 0 ? o.fps : 15; /* GIF's default frame rate at most */
        double by_frames = (double)r->max_frames / fps;
        if (cap <= 0 || by_frames < cap) cap = by_frames;
        if (o.fps <= 0) o.fps = fps;
    }
    if (cap > 0) {
        cap *= speed;
        if (o.duration > cap + 1e-9)
            return say(why, n, GIFC_ERR_INVALID_ARG,
                       "duration %g s breaks %s's rule: at most %g s%s", o.duration, t->name,
                       cap / speed, r->max_frames > 0 ? " (its frame limit at this fps)" : "");
        if (o.duration <= 0) o.duration = cap;
    }
    if (r->max_bytes) {
        if (o.max_size > r->max_bytes) {
            bytes_text(r->max_bytes, tmp, sizeof tmp);
            return say(why, n, GIFC_ERR_INVALID_ARG,
                       "max_size %llu B breaks %s's rule: at most %s",
                       (unsigned long long)o.max_size, t->name, tmp);
        }
        if (!o.max_size) o.max_size = r->max_bytes;
    }
    if (o.audio && !r->audio)
        return say(why, n, GIFC_ERR_INVALID_ARG, "audio breaks %s's rule: no audio track",
                   t->name);
    *opts = o;
    return GIFC_OK;
}

gifc_error gifc_target_check(const gifc_target_info *t, const gifc_result *res, char *why,
                             size_t n)
{
    char tmp[64];
    if (!t || !res) return say(why, n, GIFC_ERR_INVALID_ARG, "no target or no result");
    const gifc_target_rules *r = gifc_target_rules_for(t, res->format);
    if (!r || res->format == GIFC_FORMAT_AUTO) {
        formats_list(t, tmp, sizeof tmp);
        return say(why, n, GIFC_ERR_ENCODE, "the result's format breaks %s's rule: %s only",
                   t->name, tmp);
    }
    int touches = res->width == r->width || res->height == r->height;
    if (r->width && r->height &&
        (res->width > r->width || res->height > r->height ||
         (r->exact == 1 && (res->width != r->width || res->height != r->height)) ||
         (r->exact == 2 && !touches)))
        return say(why, n, GIFC_ERR_ENCODE, "the result's %dx%d px breaks %s's rule: %s %dx%d",
                   res->width, res->height, t->name, box_rule(r), r->width, r->height);
    if (r->max_bytes && res->bytes > r->max_bytes) {
        bytes_text(r->max_bytes, tmp, sizeof tmp);
        return say(why, n, GIFC_ERR_OVER_BUDGET, "the result's %llu B breaks %s's rule: at most %s",
                   (unsigned long long)res->bytes, t->name, tmp);
    }
    /* Durations come from the output's own timing: a cut lands on a frame boundary, which
     * may end up to a few milliseconds past the cap (timestamps in 1/100 s for GIF). */
    if (r->max_duration > 0 && res->duration > r->max_duration + 0.011)
        return say(why, n, GIFC_ERR_ENCODE, "the result's %.3f s breaks %s's rule: at most %g s",
                   res->duration, t->name, r->max_duration);
    if (r->max_frames > 0 && res->frames > r->max_frames)
        return say(why, n, GIFC_ERR_ENCODE, "the result's %lld frames break %s's rule: at most %lld",
                   (long long)res->frames, t->name, (long long)r->max_frames);
    if (r->max_fps > 0) {
        double fps = res->fps > 0 ? res->fps
                     : res->duration > 0 ? (double)res->frames / res->duration : 0;
        if (fps > r->max_fps * 1.001)
            return say(why, n, GIFC_ERR_ENCODE, "the result's %.2f fps breaks %s's rule: at most %g fps",
                       fps, t->name, r->max_fps);
    }
    return GIFC_OK;
}
