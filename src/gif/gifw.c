/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "gif/gifw.h"

#include "base/gbuf.h"
#include "gif/lzw.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The global colour table is the first frame's palette. A later frame whose colours are all
 * in it (a GIF input's frames mostly are) can drop its own table: up to 768 bytes a frame,
 * a tenth of a terminal recording made of small updates. */
#define GLOBAL_SLOTS 1024

/* The levels a frame under its SSIM floor steps down through, the same for every starting
 * level: a frame at a lower quality (higher start, lower floor) never ends up less lossy
 * than at a higher one, so bytes fall with quality frame by frame. */
static int lossy_below(int lossy)
{
    static const int ladder[] = { 160, 120, 80, 60, 40, 30, 20, 14, 10, 6, 0 };
    for (size_t i = 0; i < sizeof ladder / sizeof *ladder; i++)
        if (ladder[i] < lossy) return ladder[i];
    return 0;
}

/* SSIM of the frame as shown (indices `shown`, w apart) against the exact one, as the
 * yardstick measures it: Y, U and V (BT.601, full range) averaged, each the mean over 8x8
 * windows 4 px apart (one window the size of the frame when it is smaller), over the
 * opaque pixels only: the transparent ones show what is below, the same in both, and would
 * count as perfect. */
static double frame_ssim(const gifw_frame *f, const uint8_t *shown)
{
    float yuv[256][3];
    for (int i = 0; i < 256; i++) {
        const uint8_t *c = i < f->ncolors && i != f->transparent ? f->palette + 3 * i
                                                                 : (const uint8_t *)"\0\0\0";
        float r = c[0], g = c[1], b = c[2];
        yuv[i][0] = 0.299f * r + 0.587f * g + 0.114f * b;
        yuv[i][1] = -0.168736f * r - 0.331264f * g + 0.5f * b + 128;
        yuv[i][2] = 0.5f * r - 0.418688f * g - 0.081312f * b + 128;
    }
    const double c1 = 0.01 * 255 * 0.01 * 255, c2 = 0.03 * 255 * 0.03 * 255;
    int ww = f->w < 8 ? f->w : 8, wh = f->h < 8 ? f->h : 8;
    double total = 0;
    long windows = 0;
    for (int y0 = 0;; y0 += 4) {
        if (y0 + wh > f->h) y0 = f->h - wh;
        for (int x0 = 0;; x0 += 4) {
            if (x0 + ww > f->w) x0 = f->w - ww;
            double s[3][5] = { { 0 } };
            int opaque = 0;
            for (int y = y0; y < y0 + wh; y++)
                for (int x = x0; x < x0 + ww; x++) {
                    unsigned t = f->indices[(size_t)y * f->stride + x];
                    if ((int)t == f->transparent) continue;
                    opaque++;
                    const float *a = yuv[t];
                    const float *b = yuv[shown[(size_t)y * f->w + x]];
                    for (int k = 0; k < 3; k++) {
                        s[k][0] += a[k];
                        s[k][1] += b[k];
                        s[k][2] += a[k] * a[k];
                        s[k][3] += b[k] * b[k];
                        s[k][4] += a[k] * b[k];
                    }
                }
            if (!opaque) { /* what shows through is not this frame's to judge */
                if (x0 + ww >= f->w) break;
                continue;
            }
            double n = opaque, sum = 0;
            for (int k = 0; k < 3; k++) {
                double ma = s[k][0] / n, mb = s[k][1] / n;
                double va = s[k][2] / n - ma * ma, vb = s[k][3] / n - mb * mb;
                double cov = s[k][4] / n - ma * mb;
                sum += (2 * ma * mb + c1) * (2 * cov + c2) /
                       ((ma * ma + mb * mb + c1) * (va + vb + c2));
            }
            total += sum / 3;
            windows++;
            if (x0 + ww >= f->w) break;
        }
        if (y0 + wh >= f->h) break;
    }
    return windows ? total / (double)windows : 1;
}

struct gifw {
    FILE *fp;
    int w, h, loop, header_done;
    uint8_t global[256 * 3];
    int nglobal;                /* 0: none (no frame yet) */
    uint32_t gkey[GLOBAL_SLOTS];/* colour + 1 -> gidx: the first global entry of a colour */
    uint8_t gidx[GLOBAL_SLOTS];
    gbuf mapped;                /* a frame's indices into the global table */
    gbuf alt;                   /* the other encoding of the held frame, to keep the smaller */
    gbuf held;          /* image descriptor + palette + LZW of the held frame */
    int held_valid, held_delay, held_disposal, held_transparent;
    uint64_t bytes;
    int64_t frames;
    int write_failed;      /* errno of the first failed write (ENOSPC...), 0 when none */
    FILE *log;          /* gifw_set_log: every frame as written, for gifw_replay */
    gbuf held_raw;      /* the held frame's palette and indices, kept only when logging */
    int held_rect[5];   /* x, y, w, h, ncolors of the held frame */
    int log_failed;
};

/* A log record: these ints (native byte order: the log never leaves the process), then
 * ncolors * 3 palette bytes, then w * h indices. */
enum { LOG_X, LOG_Y, LOG_W, LOG_H, LOG_NCOLORS, LOG_TRANSPARENT, LOG_DISPOSAL, LOG_DELAY,
       LOG_BYTES, LOG_FIELDS };

static void put(gifw *g, const void *p, size_t n)
{
    if (g->write_failed) return;
    if (fwrite(p, 1, n, g->fp) != n) g->write_failed = errno ? errno : EIO;
    g->bytes += n;
}

static void put_u16(gifw *g, unsigned v)
{
    uint8_t le[2] = { (uint8_t)(v & 0xff), (uint8_t)(v >> 8) };
    put(g, le, 2);
}

static int palette_bits(int n)
{
    int bits = 1;
    while ((1 << bits) < n) bits++;
    return bits;
}

static void put_palette(gifw *g, const uint8_t *rgb, int n, int bits)
{
    put(g, rgb, (size_t)n * 3);
    for (int i = n; i < (1 << bits); i++) put(g, "\0\0\0", 3);
}

static void write_header(gifw *g, int w, int h, int loop)
{
    put(g, "GIF89a", 6);
    put_u16(g, (unsigned)w);
    put_u16(g, (unsigned)h);
    int bits = palette_bits(g->nglobal);
    const uint8_t lsd[3] = { g->nglobal ? (uint8_t)(0x80 | (bits - 1) << 4 | (bits - 1)) : 0,
                             0, 0 };
    put(g, lsd, 3);
    if (g->nglobal) put_palette(g, g->global, g->nglobal, bits);
    if (loop < 0) return;
    const uint8_t app[] = { 0x21, 0xFF, 0x0B, 'N', 'E', 'T', 'S', 'C', 'A', 'P', 'E',
                            '2', '.', '0', 0x03, 0x01 };
    put(g, app, sizeof app);
    put_u16(g, (unsigned)(loop > 65535 ? 65535 : loop));
    put(g, "", 1);
}

gifc_error gifw_open(gifw **out, FILE *fp, int w, int h, int loop, gerr *e)
{
    *out = NULL;
    if (w < 1 || h < 1 || w > GIFW_MAX_SIDE || h > GIFW_MAX_SIDE)
        return gerr_set(e, GIFC_ERR_INVALID_ARG, "GIF size %dx%d is out of range", w, h);
    gifw *g = calloc(1, sizeof *g);
    if (!g) return gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
    g->fp = fp;
    g->w = w, g->h = h, g->loop = loop; /* the header waits for the first frame's palette */
    *out = g;
    return GIFC_OK;
}

static void log_held(gifw *g)
{
    int32_t rec[LOG_FIELDS] = { g->held_rect[0], g->held_rect[1], g->held_rect[2],
                                g->held_rect[3], g->held_rect[4], g->held_transparent,
                                g->held_disposal, g->held_delay,
                                (int32_t)(g->held.len + 8) };
    if (fwrite(rec, sizeof rec, 1, g->log) != 1 ||
        fwrite(g->held_raw.data, 1, g->held_raw.len, g->log) != g->held_raw.len)
        g->log_failed = 1;
}

static void flush_held(gifw *g)
{
    if (!g->held_valid) return;
    if (g->log) log_held(g);
    int t = g->held_transparent;
    uint8_t gce[8] = { 0x21, 0xF9, 0x04,
                       (uint8_t)((g->held_disposal & 7) << 2 | (t >= 0 ? 1 : 0)),
                       (uint8_t)(g->held_delay & 0xff), (uint8_t)((g->held_delay >> 8) & 0xff),
                       (uint8_t)(t >= 0 ? t : 0), 0 };
    put(g, gce, sizeof gce);
    put(g, g->held.data, g->held.len);
    g->frames++;
    g->held_valid = 0;
}

/* f->min_ssim, raised for a busy frame: where nearly every neighbour differs (a dithered
 * photograph) lossy LZW turns the dither into runs, which SSIM over the whole picture
 * punishes more than the same loss on the edges of text or flat art. Measured share of
 * differing neighbours: terminal text about 0.5, a dithered cartoon 0.65, a dithered
 * photograph 0.8; the allowance shrinks from full at 0.66 to nothing at 0.76 (0.65..0.85
 * left the store aisle GIF at 0.9944: its lossy LZW saved 0.5% bytes for 0.0006 SSIM).
 * Lowered for a frame mostly transparent: the yardstick judges the whole canvas, where
 * what shows through is exact, so the allowance grows with canvas / opaque pixels, at most
 * twice (pigs, 2/3 transparent, at lossy 64: 0.9954 whole-GIF SSIM, 298 kB). */
static double ssim_floor(const gifw_frame *f, long canvas)
{
    long busy = 0, n = 0, opaque = 0;
    for (int y = 0; y < f->h; y++) {
        const uint8_t *row = f->indices + (size_t)y * f->stride;
        opaque += row[0] != f->transparent;
        for (int x = 1; x < f->w; x++) {
            opaque += row[x] != f->transparent;
            if (row[x] == f->transparent || row[x - 1] == f->transparent) continue;
            n++;
            busy += row[x] != row[x - 1];
        }
    }
    double share = n ? (double)busy / (double)n : 0;
    double allow = (0.76 - share) / 0.1;
    allow = allow > 1 ? 1 : allow < 0 ? 0 : allow;
    double spread = opaque ? (double)canvas / (double)opaque : 1;
    spread = spread > 2 ? 2 : spread < 1 ? 1 : spread;
    return 1 - (1 - f->min_ssim) * allow * spread;
}

/* The LZW minimum code size: enough bits for the highest index the frame uses, not for the
 * whole table. A small update drawn from a 256-colour global table often needs only a few
 * low entries, and every code it writes is then shorter (GIF89a allows any size 2..8 with
 * any table). */
static int code_bits(const gifw_frame *f)
{
    int top = 0;
    for (int y = 0; y < f->h; y++) {
        const uint8_t *row = f->indices + (size_t)y * f->stride;
        for (int x = 0; x < f->w; x++) top = row[x] > top ? row[x] : top;
    }
    int bits = palette_bits(top + 1);
    return bits < 2 ? 2 : bits;
}

/* An image descriptor, its local palette unless `global` (f's palette then is the global
 * table), and the LZW data. */
static int encode_image(gbuf *b, const gifw_frame *f, int global, long canvas)
{
    int bits = palette_bits(f->ncolors), cb = code_bits(f);
    gbuf_byte(b, 0x2C);
    gbuf_u16le(b, (unsigned)f->x);
    gbuf_u16le(b, (unsigned)f->y);
    gbuf_u16le(b, (unsigned)f->w);
    gbuf_u16le(b, (unsigned)f->h);
    if (global) {
        gbuf_byte(b, 0x00);
    } else {
        gbuf_byte(b, (uint8_t)(0x80 | (bits - 1))); /* local palette of 2^bits entries */
        gbuf_put(b, f->palette, (size_t)f->ncolors * 3);
        for (int i = f->ncolors; i < (1 << bits); i++) gbuf_put(b, "\0\0\0", 3);
    }
    unsigned long long err = 0;
    uint8_t *shown = f->lossy && f->min_ssim > 0 ? malloc((size_t)f->w * f->h + 1) : NULL;
    /* The lossy search may only substitute colours the code size can express. */
    lzw_params lp = { .min_code_size = cb, .palette = f->palette,
                      .ncolors = f->ncolors < 1 << cb ? f->ncolors : 1 << cb, .transparent = f->transparent, .lossy = f->lossy,
                      .err = &err, .shown = shown };
    size_t at = b->len;
    double floor = shown ? ssim_floor(f, canvas) : 0;
    if (floor >= 1) lp.lossy = 0; /* no loss allowed: straight to exact */
    for (;;) {
        if (lzw_encode(f->indices, f->w, f->h, f->stride, &lp, b)) {
            free(shown);
            return -1;
        }
        if (!lp.lossy || !shown || !err || frame_ssim(f, shown) >= floor) break;
        b->len = at; /* too far from the picture: again, a level down */
        lp.lossy = lossy_below(lp.lossy);
    }
    free(shown);
    return b->failed ? -1 : 0;
}

static int keep_raw(gifw *g, const gifw_frame *f)
{
    gbuf_reset(&g->held_raw);
    gbuf_put(&g->held_raw, f->palette, (size_t)f->ncolors * 3);
    for (int y = 0; y < f->h; y++)
        gbuf_put(&g->held_raw, f->indices + (size_t)y * f->stride, (size_t)f->w);
    int r[5] = { f->x, f->y, f->w, f->h, f->ncolors };
    memcpy(g->held_rect, r, sizeof r);
    return g->held_raw.failed ? -1 : 0;
}

void gifw_set_log(gifw *g, FILE *log) { g->log = log; }

/* An RGB colour as a set key: never 0, which marks an empty slot. */
static uint32_t colour_key(const uint8_t *c)
{
    return ((uint32_t)c[0] << 16 | (uint32_t)c[1] << 8 | c[2]) + 1;
}

static unsigned slot_of(uint32_t key)
{
    return (key * 2654435761u) >> 22 & (GLOBAL_SLOTS - 1);
}

void gifw_set_global(gifw *g, const uint8_t *rgb, int n)
{
    if (g->header_done || n < 1 || n > 256) return;
    memcpy(g->global, rgb, (size_t)n * 3);
    g->nglobal = n;
    memset(g->gkey, 0, sizeof g->gkey);
    for (int i = 0; i < n; i++) {
        uint32_t key = colour_key(rgb + i * 3);
        unsigned k = slot_of(key);
        while (g->gkey[k] && g->gkey[k] != key) k = (k + 1) & (GLOBAL_SLOTS - 1);
        if (g->gkey[k]) continue; /* a repeated colour: the first entry serves */
        g->gkey[k] = key;
        g->gidx[k] = (uint8_t)i;
    }
}

static int global_entry(const gifw *g, const uint8_t *c)
{
    uint32_t key = colour_key(c);
    for (unsigned k = slot_of(key); g->gkey[k]; k = (k + 1) & (GLOBAL_SLOTS - 1))
        if (g->gkey[k] == key) return g->gidx[k];
    return -1;
}

/* *gf: f with its indices mapped into the global table, an entry its pixels do not use
 * standing for transparency. 0 when a colour is missing or no entry is free. */
static int map_to_global(gifw *g, const gifw_frame *f, gifw_frame *gf)
{
    int map[256], used_local[256] = { 0 };
    uint8_t used[256] = { 0 };
    for (int y = 0; y < f->h; y++)
        for (int x = 0; x < f->w; x++) used_local[f->indices[(size_t)y * f->stride + x]] = 1;
    for (int i = 0; i < f->ncolors; i++) {
        map[i] = -1;
        if (!used_local[i] || i == f->transparent) continue;
        if ((map[i] = global_entry(g, f->palette + i * 3)) < 0) return 0;
        used[map[i]] = 1;
    }
    if (f->transparent >= 0) {
        int t = 0;
        while (t < g->nglobal && used[t]) t++;
        if (t == g->nglobal) return 0;
        map[f->transparent] = t;
    }
    gbuf_reset(&g->mapped);
    if (gbuf_reserve(&g->mapped, (size_t)f->w * f->h)) return 0;
    for (int y = 0; y < f->h; y++)
        for (int x = 0; x < f->w; x++)
            g->mapped.data[(size_t)y * f->w + x] = (uint8_t)map[f->indices[(size_t)y * f->stride + x]];
    *gf = *f;
    gf->indices = g->mapped.data;
    gf->stride = f->w;
    gf->palette = g->global;
    gf->ncolors = g->nglobal;
    gf->transparent = f->transparent >= 0 ? map[f->transparent] : -1;
    return 1;
}

/* Encodes f into g->held: with the global table when its colours allow, and with its own
 * table too when that could be smaller (fewer colours mean shorter LZW codes); keeps the
 * smaller. Sets g->held_transparent to the index the kept encoding uses. */
static int encode_held(gifw *g, const gifw_frame *f)
{
    gifw_frame gf;
    g->held_transparent = f->transparent;
    if (!g->header_done) { /* unless set, the first frame's palette is the global table */
        int first_global = !g->nglobal;
        if (first_global) gifw_set_global(g, f->palette, f->ncolors);
        write_header(g, g->w, g->h, g->loop);
        g->header_done = 1;
        if (first_global) return encode_image(&g->held, f, 1, (long)g->w * g->h);
    }
    if (!map_to_global(g, f, &gf)) return encode_image(&g->held, f, 0, (long)g->w * g->h);
    if (palette_bits(f->ncolors) < palette_bits(g->nglobal)) {
        /* Which table is smaller is decided by exact coding, several times cheaper than
         * the lossy search; only the winner is coded lossy. Measured on pigs (28 local
         * tables, --lossy 80): +1.2% bytes, 0.64x the time (medians of 3, load 12). */
        gifw_frame lf = *f, lg = gf;
        lf.lossy = lg.lossy = 0;
        if (encode_image(&g->held, &lf, 0, (long)g->w * g->h)) return -1;
        gbuf_reset(&g->alt);
        if (encode_image(&g->alt, &lg, 1, (long)g->w * g->h)) return -1;
        int local = g->alt.len >= g->held.len;
        if (f->lossy) {
            gbuf_reset(&g->held);
            if (encode_image(&g->held, local ? f : &gf, !local, (long)g->w * g->h)) return -1;
        } else if (!local) {
            gbuf t = g->held;
            g->held = g->alt;
            g->alt = t;
        }
        if (local) return 0;
    } else if (encode_image(&g->held, &gf, 1, (long)g->w * g->h)) {
        return -1;
    }
    g->held_transparent = gf.transparent;
    return 0;
}

gifc_error gifw_add(gifw *g, const gifw_frame *f, gerr *e)
{
    flush_held(g);
    gbuf_reset(&g->held);
    if (encode_held(g, f)) return gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
    if (g->log && keep_raw(g, f)) return gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
    g->held_valid = 1;
    g->held_delay = f->delay_cs;
    g->held_disposal = f->disposal;
    if (g->write_failed)
        return gerr_set(e, GIFC_ERR_OUTPUT, "write failed: %s", strerror(g->write_failed));
    return GIFC_OK;
}

int gifw_has_frame(const gifw *g) { return g->held_valid; }

void gifw_extend_last(gifw *g, int cs)
{
    int d = g->held_delay + cs;
    g->held_delay = d > 65535 ? 65535 : d;
}

void gifw_set_last_disposal(gifw *g, int disposal) { g->held_disposal = disposal; }

gifc_error gifw_finish(gifw *g, uint64_t *bytes, int64_t *frames, gerr *e)
{
    if (!g->header_done) { /* no frame: a header without a table keeps the file valid */
        write_header(g, g->w, g->h, g->loop);
        g->header_done = 1;
    }
    flush_held(g);
    put(g, ";", 1);
    if (fflush(g->fp) && !g->write_failed) g->write_failed = errno ? errno : EIO;
    if (bytes) *bytes = g->bytes;
    if (frames) *frames = g->frames;
    if (g->write_failed)
        return gerr_set(e, GIFC_ERR_OUTPUT, "write failed: %s", strerror(g->write_failed));
    if (g->log_failed) return gerr_set(e, GIFC_ERR_OUTPUT, "cannot write the frame log");
    return GIFC_OK;
}

int gifw_log_next(FILE *log, gif_log_frame *lf, gbuf *pixels)
{
    int32_t rec[LOG_FIELDS];
    size_t got = fread(rec, sizeof rec, 1, log);
    if (got != 1) return feof(log) ? 0 : -1;
    if (rec[LOG_W] < 1 || rec[LOG_H] < 1 || rec[LOG_NCOLORS] < 1 || rec[LOG_NCOLORS] > 256)
        return -1;
    size_t pal = (size_t)rec[LOG_NCOLORS] * 3, n = pal + (size_t)rec[LOG_W] * rec[LOG_H];
    gbuf_reset(pixels);
    if (gbuf_reserve(pixels, n) || fread(pixels->data, 1, n, log) != n) return -1;
    pixels->len = n;
    *lf = (gif_log_frame){
        .f = { .indices = pixels->data + pal, .stride = rec[LOG_W], .x = rec[LOG_X],
               .y = rec[LOG_Y], .w = rec[LOG_W], .h = rec[LOG_H], .palette = pixels->data,
               .ncolors = rec[LOG_NCOLORS], .transparent = rec[LOG_TRANSPARENT],
               .disposal = rec[LOG_DISPOSAL], .delay_cs = rec[LOG_DELAY] },
        .bytes = rec[LOG_BYTES] };
    return 1;
}

gifc_error gifw_replay(FILE *log, FILE *out, int w, int h, int loop, int lossy, uint64_t *bytes,
                      gerr *e)
{
    gifw *g = NULL;
    gbuf px = { 0 };
    gif_log_frame lf;
    int r;
    if (fseek(log, 0, SEEK_SET)) return gerr_set(e, GIFC_ERR_OUTPUT, "cannot read the frame log");
    if (gifw_open(&g, out, w, h, loop, e)) return e->code;
    while ((r = gifw_log_next(log, &lf, &px)) > 0) {
        lf.f.lossy = lossy;
        if (gifw_add(g, &lf.f, e)) break;
    }
    if (r < 0) gerr_set(e, GIFC_ERR_OUTPUT, "cannot read the frame log");
    if (!e->code) gifw_finish(g, bytes, NULL, e);
    gifw_free(&g);
    gbuf_free(&px);
    return e->code;
}

void gifw_free(gifw **g)
{
    if (!g || !*g) return;
    gbuf_free(&(*g)->held);
    gbuf_free(&(*g)->held_raw);
    gbuf_free(&(*g)->mapped);
    gbuf_free(&(*g)->alt);
    free(*g);
    *g = NULL;
}
