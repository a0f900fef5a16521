/* The GIF branch. Per frame, once the next few frames are in (look-ahead denoise, in order,
 * see denoise.h), in two phases:
 *  1. on a worker thread: a palette for the pixels that changed since the previous source
 *     frame (libimagequant's expensive part; needs nothing from the frames before it);
 *  2. in order, on the caller's thread: the exact change against what is on screen, crop,
 *     remap onto that palette, update the screen, write.
 * A ring of up to LOOKAHEAD frames keeps the workers busy while memory stays bounded.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "gif/gifenc.h"

#include "gif/colour.h"
#include "gif/denoise.h"
#include "gif/gifw.h"
#include "base/pool.h"
#include "gif/quantizer.h"
#include "time/timeline.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LOOKAHEAD 6
/* Frames in flight cost a copy and an importance map each: big canvases get fewer of them
 * (a 1917x1533 GIF held 300 MB with 6). */
#define LOOKAHEAD_BYTES (48u << 20)
#define MAX_WORKERS 16
/* Look-ahead denoise: frames after the one being cleaned, and how far (in change thresholds)
 * a sample may be from a pixel to count as its noise. Range 2 against 2.5: on the handheld
 * GoPro clip SSIM 0.9668 against 0.9641 for 4% more bytes; the webcam, water and sign
 * language clips stay far under their targets either way. */
#define DENOISE_AHEAD 2
#define DENOISE_RANGE 2.0

typedef struct rect { int x, y, w, h; } rect;

enum { JOB_FRAME, JOB_EXTEND };

typedef struct job {
    int kind, delay, first, alpha;
    gframe frame;          /* owned copy of the source frame */
    rect hint;             /* where it differs from the previous source frame */
    uint8_t *imp;          /* importance over `hint` (0: ignore for the palette) */
    size_t imp_cap;
    uint8_t **rows;
    int rows_cap;
    qpalette *pal;         /* phase 1's result, NULL when none was made */
    gerr err;
    pool_task task;
    int submitted;
    struct gifenc *owner;
} job;

struct gifenc {
    gifenc_params p;
    gifw *w;
    pool *workers;
    quantizer *wq[MAX_WORKERS]; /* one per worker: libimagequant attrs are not shared */
    quantizer *q;               /* the in-order phase's own */
    job ring[LOOKAHEAD];
    int depth;                  /* ring slots in use: 2..LOOKAHEAD, by frame size */
    int head, count;
    int prepped;                /* jobs from head on that are prepared */
    int ahead;                  /* frames the denoise looks ahead; 0: no denoise */
    int denoise_range_sq;
    uint8_t *prev_src;          /* previous cleaned source frame: phase 1's hint, denoise */
    int have_prev;
    uint8_t *screen;      /* RGBA as a viewer shows it now; alpha 0 where nothing is drawn */
    uint8_t *work;        /* cropped RGBA handed to the remap */
    uint8_t *importance;
    uint8_t *changed;     /* 1 where the pixel differs visibly from the screen */
    uint8_t **rows;
    int have_screen, alpha_mode, frames_in;
    int threshold_sq;     /* squared weighted RGB distance that counts as a visible change */
    int64_t cs_total;     /* centiseconds handed out so far */
    int keep_margin;      /* dist_sq the screen may lose to the palette colour and stay */
    int lossy;            /* LZW level every frame starts from */
    double min_ssim;      /* gifw_frame.min_ssim */
};

/* Quality 90 (the default) aims at visually lossless: frames start at lossy Q90_LOSSY and
 * every frame keeps an SSIM of at least 0.99 over its opaque pixels against its exact coding
 * (adjusted for busy and for mostly transparent frames: gifw.c). With the score-based
 * search, start levels 40 / 56 / 64 / 70 gave (bytes, whole-GIF SSIM): pigs 375 / 317 /
 * 298 / 289 kB at 0.9979 / 0.9962 / 0.9954 / 0.9951, thefuck 636 / 596 / 581 / 568 kB at
 * 0.9990 / 0.9973 / 0.9966 / 0.9943; 64 is the highest keeping 0.995 on both. Lower
 * qualities start from a higher level and allow 8% more loss a step, so bytes and fidelity
 * fall together. */
#define Q90_LOSSY 64
void gifenc_lossy_for_quality(int quality, int *lossy, double *min_ssim)
{
    if (quality >= 100) {
        *lossy = 0;
        *min_ssim = 0;
        return;
    }
    int l = quality >= 90 ? Q90_LOSSY + (90 - quality) * 4 : Q90_LOSSY + (90 - quality) * 2;
    *lossy = l > 200 ? 200 : l < 6 ? 6 : l;
    double loss = 0.01 * pow(1.08, 90 - quality);
    *min_ssim = 1 - loss;
}

/* Higher quality notices smaller changes; 100 re-sends almost everything that moved. */
static int threshold_for_quality(int quality)
{
    double t = 2.0 + (100 - quality) * 0.25;
    return (int)(t * t);
}

static int worker_count(int threads)
{
    long n = threads > 0 ? threads : sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > MAX_WORKERS ? MAX_WORKERS : (int)n;
}

gifc_error gifenc_open(gifenc **out, FILE *fp, const gifenc_params *p, gerr *e)
{
    *out = NULL;
    gifenc *g = calloc(1, sizeof *g);
    if (!g) return gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
    g->p = *p;
    size_t n = (size_t)p->width * p->height;
    g->screen = calloc(n, 4);
    g->prev_src = malloc(n * 4);
    g->work = malloc(n * 4);
    g->importance = malloc(n);
    g->changed = malloc(n);
    g->rows = malloc((size_t)p->height * sizeof *g->rows);
    if (!g->screen || !g->prev_src || !g->work || !g->importance || !g->changed || !g->rows) {
        gifenc_free(&g);
        return gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
    }
    /* A source that is already a palette image (GIF) has at most 256 colours a frame:
     * libimagequant aiming at 100 keeps them exactly instead of trading some away and
     * dithering, which made every later frame re-send the whole picture. */
    int target = p->palette_source ? 100 : p->quality;
    quant_params qp = { .colors = p->colors, .quality = target, .dither = p->dither,
                        .speed = p->fast ? 10 : target >= 95 ? 3 : 5 };
    if (quantizer_new(&g->q, &qp, e) || pool_new(&g->workers, worker_count(p->threads), e))
        goto fail;
    for (int i = 0; i < pool_size(g->workers); i++)
        if (quantizer_new(&g->wq[i], &qp, e)) goto fail;
    if (gifw_open(&g->w, fp, p->width, p->height, p->loop, e)) goto fail;
    if (p->log) gifw_set_log(g->w, p->log);
    if (p->global_palette) gifw_set_global(g->w, p->global_palette, p->global_colors);
    size_t per_frame = n * 5; /* RGBA copy + importance */
    g->depth = (int)(LOOKAHEAD_BYTES / (per_frame ? per_frame : 1));
    g->depth = g->depth < 2 ? 2 : g->depth > LOOKAHEAD ? LOOKAHEAD : g->depth;
    g->threshold_sq = threshold_for_quality(p->quality);
    g->lossy = p->lossy;
    if (!p->lossy && p->animation) gifenc_lossy_for_quality(p->quality, &g->lossy, &g->min_ssim);
    g->keep_margin = 9 * g->threshold_sq;
    /* A GIF source is exact palette art: nothing to denoise. The look-ahead must leave the
     * workers a frame or two of lead within the ring. */
    g->ahead = g->depth - 3 < DENOISE_AHEAD ? g->depth - 3 : DENOISE_AHEAD;
    if (g->ahead < 0 || p->palette_source) g->ahead = 0;
    g->denoise_range_sq = (int)(9 * DENOISE_RANGE * DENOISE_RANGE * g->threshold_sq);
    *out = g;
    return GIFC_OK;
fail:
    gifenc_free(&g);
    return e->code;
}

/* GIF transparency is all or nothing. */
static void snap_alpha(gframe *f)
{
    for (int y = 0; y < f->h; y++) {
        uint8_t *px = f->rgba + (size_t)y * f->stride;
        for (int x = 0; x < f->w; x++, px += 4) {
            if (px[3] < 128) memset(px, 0, 4);
            else px[3] = 255;
        }
    }
}

static inline int visibly_different(const uint8_t *a, const uint8_t *b, int thr_sq)
{
    if (a[3] != b[3]) return 1;
    /* The weights add up to 9: 9 * thr_sq keeps the scale of a plain RGB distance. */
    return colour_dist_sq(a[0] - b[0], a[1] - b[1], a[2] - b[2]) > 9 * thr_sq;
}

/* Marks in `mask` the pixels of f that differ from ref (rows of W RGBA pixels) and returns
 * their bounding box (w == 0 when nothing changed). */
static rect diff_frames(const gifenc *g, const gframe *f, const uint8_t *ref, uint8_t *mask)
{
    int W = g->p.width, H = g->p.height, x1 = -1, y1 = -1;
    rect r = { W, H, 0, 0 };
    for (int y = 0; y < H; y++) {
        const uint8_t *s = f->rgba + (size_t)y * f->stride, *o = ref + (size_t)y * W * 4;
        uint8_t *c = mask + (size_t)y * W;
        for (int x = 0; x < W; x++) {
            c[x] = (uint8_t)visibly_different(s + x * 4, o + x * 4, g->threshold_sq);
            if (!c[x]) continue;
            if (x < r.x) r.x = x;
            if (x > x1) x1 = x;
            if (y < r.y) r.y = y;
            y1 = y;
        }
    }
    if (x1 < 0) return (rect){ 0, 0, 0, 0 };
    r.w = x1 - r.x + 1;
    r.h = y1 - r.y + 1;
    return r;
}

/* ---------- phase 1: palettes on the workers ---------- */

/* The palette is searched on a subsample of large regions: one pixel in 2 (every row, the
 * offset alternating every two rows), above 128x128 one in 4 (every other row, one pixel of
 * each 2x2 block in a quincunx), above 256x256 one in 16 (every other row, one pixel in 8
 * with the offset cycling 0,4,2,6,1,5,3,7 so that every column is visited). Libimagequant's
 * histogram and k-means work shrink with it: on the flower clip half took 4.3 s -> 2.9 s; a
 * quarter, then an eighth, then a sixteenth cut the whole encode's CPU time by 24%, 10%,
 * then 22% more. Each halving cost 0.0001-0.0002 SSIM on six clips, bytes within 0.3%. A
 * one-pixel line or a dither pattern still reaches the palette, which plain row and column
 * decimation lost; the remap still sees every pixel. */
#define QUARTER_SAMPLE_MIN (128 * 128)
#define SPARSE_SAMPLE_MIN (256 * 256)

/* Steps between sampled pixels (x) and rows (y) for a region. */
static void sample_steps(const job *j, rect r, int *xstep, int *ystep)
{
    int area = r.w * r.h;
    *xstep = *ystep = 1;
    if (area < 64 * 64 || r.w < 8) return;
    *xstep = 2;
    /* A GIF source's rare colours must all reach the palette to be kept exactly. */
    if (area < QUARTER_SAMPLE_MIN || j->owner->p.palette_source) return;
    *ystep = 2;
    if (area >= SPARSE_SAMPLE_MIN) *xstep = r.w >= 64 ? 8 : 4;
}

static void palette_task(void *arg, int worker)
{
    job *j = arg;
    rect r = j->hint;
    int xstep, ystep;
    sample_steps(j, r, &xstep, &ystep);
    int sub_needed = xstep > 1, sw = r.w / xstep, sh = (r.h + ystep - 1) / ystep;
    uint8_t *sub = sub_needed ? malloc((size_t)sw * sh * 4) : NULL;
    if (sub_needed && !sub) {
        gerr_set(&j->err, GIFC_ERR_NOMEM, "out of memory");
        return;
    }
    static const int offs4[4] = { 0, 2, 1, 3 }, offs8[8] = { 0, 4, 2, 6, 1, 5, 3, 7 };
    for (int y = 0; y < r.h; y += ystep) {
        uint8_t *row = j->frame.rgba + (size_t)(r.y + y) * j->frame.stride + (size_t)r.x * 4;
        if (!sub_needed) {
            j->rows[y] = row;
            continue;
        }
        /* (y >> 1), not y: with every row sampled, y & 1 picks one checkerboard parity. */
        int off = xstep == 8   ? offs8[(y >> 1) & 7]
                  : xstep == 4 ? offs4[(y >> 1) & 3]
                               : (y >> 1) & 1;
        int yd = y / ystep;
        j->rows[yd] = sub + (size_t)yd * sw * 4;
        uint8_t *imp = j->imp + (size_t)yd * sw;
        const uint8_t *full_imp = j->imp + (size_t)y * r.w;
        for (int x = 0; x < sw; x++) {
            memcpy(j->rows[yd] + x * 4, row + (size_t)(xstep * x + off) * 4, 4);
            imp[x] = full_imp[xstep * x + off]; /* in place: yd*sw+x <= y*r.w+xstep*x */
        }
    }
    /* Later frames keep unchanged pixels transparent: reserve the entry. */
    int with_transparent = j->alpha || !j->first;
    const uint8_t *imp = j->first || j->alpha ? NULL : j->imp;
    quantizer_palette(j->owner->wq[worker], j->rows, sw, sh, imp, with_transparent, &j->pal,
                      &j->err);
    free(sub);
}

static gifc_error job_buffers(job *j, size_t npix, int h, gerr *e)
{
    if (npix > j->imp_cap) {
        free(j->imp);
        j->imp = malloc(npix);
        j->imp_cap = j->imp ? npix : 0;
    }
    if (h > j->rows_cap) {
        free(j->rows);
        j->rows = malloc((size_t)h * sizeof *j->rows);
        j->rows_cap = j->rows ? h : 0;
    }
    if (!j->imp || !j->rows) return gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
    return GIFC_OK;
}

/* Pixels that stayed since the previous source frame still weigh half: phase 2 re-sends
 * what drifted from the screen over several frames, and a palette fitted only to this
 * frame's motion lacked those colours (flower clip: SSIM 0.942 at 0, 0.957 at 128). */
#define UNCHANGED_IMPORTANCE 128

/* The palette's input: the whole frame, weighted towards what moved since the previous
 * source frame; empty when nothing moved (phase 2 then quantises what it sends itself). */
static gifc_error make_hint(gifenc *g, job *j, gerr *e)
{
    int W = g->p.width, H = g->p.height;
    j->hint = (rect){ 0, 0, W, H };
    if (!j->first && !j->alpha) {
        rect d = diff_frames(g, &j->frame, g->prev_src, g->changed);
        if (d.w == 0) j->hint = d;
    }
    if (job_buffers(j, (size_t)W * H, H, e)) return e->code;
    rect r = j->hint;
    if (!j->first && !j->alpha)
        for (int y = 0; y < r.h; y++) {
            const uint8_t *c = g->changed + (size_t)(r.y + y) * W + r.x;
            uint8_t *imp = j->imp + (size_t)y * r.w;
            for (int x = 0; x < r.w; x++) imp[x] = c[x] ? 255 : UNCHANGED_IMPORTANCE;
        }
    return GIFC_OK;
}

/* ---------- phase 2: in order ---------- */

/* Copies the crop into `work`. With a mask, unchanged pixels become transparent there (the
 * remap gives them the transparent index at once) and the result is 1 when any pixel is
 * unchanged; without one every pixel counts fully. Only 11-40% of a crop changed on
 * natural clips: the remap's dithering no longer spills error into pixels that stay, so
 * flower, sign language, webcam and Big Buck Bunny got both smaller and closer to the
 * source (GoPro, water: -1.2% bytes, SSIM -0.0004), and the encode's CPU time fell 20%. */
static int build_crop(gifenc *g, const gframe *f, rect r, int use_mask)
{
    int W = g->p.width, any_kept = 0;
    for (int y = 0; y < r.h; y++) {
        const uint8_t *s = f->rgba + (size_t)(r.y + y) * f->stride + (size_t)r.x * 4;
        const uint8_t *c = g->changed + (size_t)(r.y + y) * W + r.x;
        uint8_t *d = g->work + (size_t)y * r.w * 4, *imp = g->importance + (size_t)y * r.w;
        g->rows[y] = d;
        memcpy(d, s, (size_t)r.w * 4);
        for (int x = 0; x < r.w; x++) {
            int keep = use_mask && !c[x];
            any_kept |= keep;
            imp[x] = keep ? UNCHANGED_IMPORTANCE : 255;
            if (keep) memset(d + x * 4, 0, 4);
        }
    }
    return any_kept;
}

/* What a viewer shows after this frame: drawn pixels take their palette colour. */
static void update_screen(gifenc *g, rect r, const quant_out *qo, int clear_first)
{
    int W = g->p.width;
    if (clear_first) memset(g->screen, 0, (size_t)W * g->p.height * 4);
    for (int y = 0; y < r.h; y++) {
        const uint8_t *idx = qo->indices + (size_t)y * r.w;
        uint8_t *s = g->screen + ((size_t)(r.y + y) * W + r.x) * 4;
        for (int x = 0; x < r.w; x++, s += 4) {
            if (idx[x] == qo->transparent) continue;
            memcpy(s, qo->palette + idx[x] * 3, 3);
            s[3] = 255;
        }
    }
}

static inline int dist_sq(const uint8_t *a, const uint8_t *b)
{
    return colour_dist_sq(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}

/* Per pixel, up to two codes show an acceptable picture: the transparent index (the screen
 * stays) when the pixel did not change or the screen is about as close to the source as the
 * palette colour (within the change threshold), and the palette colour when the pixel
 * changed or that colour is within the threshold of the screen. Where both are acceptable
 * the previous pixel's choice is repeated: long runs of one index are what LZW compresses
 * (flower clip at q90: 3.23 MB -> 2.0 MB at equal SSIM; flat terminal GIFs gain most).
 * Unchanged pixels arrive transparent from the remap (see build_crop) and stay so. */
static void choose_indices(gifenc *g, const gframe *f, rect r, quant_out *qo)
{
    int W = g->p.width, T = qo->transparent;
    for (int y = 0; y < r.h; y++) {
        const uint8_t *c = g->changed + (size_t)(r.y + y) * W + r.x;
        const uint8_t *src = f->rgba + (size_t)(r.y + y) * f->stride + (size_t)r.x * 4;
        const uint8_t *scr = g->screen + ((size_t)(r.y + y) * W + r.x) * 4;
        uint8_t *idx = qo->indices + (size_t)y * r.w;
        int prev = -1;
        for (int x = 0; x < r.w; x++) {
            const uint8_t *pal = qo->palette + idx[x] * 3;
            int drawn_ok = idx[x] != T &&
                (c[x] || (scr[x * 4 + 3] == 255 && dist_sq(pal, scr + x * 4) <= g->keep_margin));
            int keep_ok = !c[x] ||
                (scr[x * 4 + 3] == 255 && idx[x] != T &&
                 dist_sq(scr + x * 4, src + x * 4) <= dist_sq(pal, src + x * 4) + g->keep_margin);
            if (drawn_ok && keep_ok) idx[x] = (uint8_t)(prev == idx[x] ? idx[x] : T);
            else if (keep_ok) idx[x] = (uint8_t)T;
            prev = idx[x];
        }
    }
}

/* Drops palette entries no pixel uses: a frame that redraws a few glyphs needs a handful
 * of colours, and a 256-entry local palette would cost it 768 bytes. */
static void compact_palette(rect r, quant_out *qo)
{
    size_t n = (size_t)r.w * r.h;
    uint8_t used[256] = { 0 }, remap[256], pal[256 * 3];
    for (size_t i = 0; i < n; i++) used[qo->indices[i]] = 1;
    int k = 0;
    for (int i = 0; i < qo->ncolors; i++) {
        if (!used[i]) continue;
        remap[i] = (uint8_t)k;
        memcpy(pal + k * 3, qo->palette + i * 3, 3);
        k++;
    }
    if (k == qo->ncolors) return;
    for (size_t i = 0; i < n; i++) qo->indices[i] = remap[qo->indices[i]];
    memcpy(qo->palette, pal, (size_t)k * 3);
    qo->transparent = qo->transparent >= 0 && used[qo->transparent] ? remap[qo->transparent] : -1;
    qo->ncolors = k;
}

static gifc_error write_frame(gifenc *g, rect r, quant_out *qo, int disposal, int delay,
                              gerr *e)
{
    compact_palette(r, qo);
    gifw_frame wf = { .indices = qo->indices, .stride = r.w, .x = r.x, .y = r.y, .w = r.w,
                      .h = r.h, .palette = qo->palette, .ncolors = qo->ncolors,
                      .transparent = qo->transparent, .disposal = disposal, .delay_cs = delay,
                      .lossy = g->lossy, .min_ssim = g->min_ssim };
    return gifw_add(g->w, &wf, e);
}

/* Remaps the crop in `work` onto phase 1's palette; quantises it afresh when phase 1 had
 * nothing to offer or its palette lacks the transparent entry this crop needs. */
static gifc_error remap_crop(gifenc *g, job *j, rect r, int need_transparent, quant_out *qo,
                             gerr *e)
{
    if (g->p.palette_source) { /* a GIF's own colours, exactly, whenever they fit */
        int done;
        if (quantizer_exact(g->q, g->rows, r.w, r.h, need_transparent, qo, &done, e))
            return e->code;
        if (done) return GIFC_OK;
    }
    if (j->pal) {
        if (quantizer_remap(g->q, j->pal, g->rows, r.w, r.h, qo, e)) return e->code;
        if (!need_transparent || qo->transparent >= 0) return GIFC_OK;
    }
    return quantizer_run(g->q, g->rows, r.w, r.h, need_transparent ? g->importance : NULL,
                         need_transparent, qo, e);
}

/* Frames with transparency: each one whole, cleared after showing, so that pixels can turn
 * transparent again. */
static gifc_error emit_alpha(gifenc *g, job *j, gerr *e)
{
    rect full = { 0, 0, g->p.width, g->p.height };
    if (!g->alpha_mode && gifw_has_frame(g->w)) gifw_set_last_disposal(g->w, GIF_DISPOSE_BACKGROUND);
    g->alpha_mode = 1;
    build_crop(g, &j->frame, full, 0);
    quant_out qo;
    if (remap_crop(g, j, full, 1, &qo, e)) return e->code;
    update_screen(g, full, &qo, 1);
    return write_frame(g, full, &qo, GIF_DISPOSE_BACKGROUND, j->delay, e);
}

static gifc_error emit_opaque(gifenc *g, job *j, rect r, gerr *e)
{
    int any_kept = build_crop(g, &j->frame, r, !j->first);
    quant_out qo;
    if (remap_crop(g, j, r, any_kept, &qo, e)) return e->code;
    if (qo.transparent >= 0 && !j->first) choose_indices(g, &j->frame, r, &qo);
    update_screen(g, r, &qo, 0);
    return write_frame(g, r, &qo, GIF_DISPOSE_KEEP, j->delay, e);
}

static gifc_error retire_frame(gifenc *g, job *j, gerr *e)
{
    rect box = { 0, 0, g->p.width, g->p.height };
    if (!j->first) box = diff_frames(g, &j->frame, g->screen, g->changed);
    if (box.w == 0) { /* nothing visible changed: the previous frame stays longer */
        gifw_extend_last(g->w, j->delay);
        return GIFC_OK;
    }
    g->have_screen = 1;
    return j->alpha || g->alpha_mode ? emit_alpha(g, j, e) : emit_opaque(g, j, box, e);
}

/* ---------- in order, ahead of phase 1: denoise, hint, submit ---------- */

static job *ring_at(gifenc *g, int offset)
{
    return &g->ring[(g->head + offset) % g->depth];
}

/* Cleans the frame at `offset` against the previous cleaned frame and the raw frames after
 * it in the ring (at most g->ahead of them). */
static void denoise_job(gifenc *g, job *j, int offset)
{
    if (!g->ahead || j->alpha) return;
    denoise_frames d = { .cur = j->frame.rgba, .cur_stride = j->frame.stride,
                         .prev = j->first ? NULL : g->prev_src, .w = g->p.width,
                         .h = g->p.height, .range_sq = g->denoise_range_sq };
    for (int i = offset + 1; i < g->count && d.nnext < g->ahead; i++) {
        job *n = ring_at(g, i);
        if (n->kind != JOB_FRAME || n->alpha) continue;
        d.next[d.nnext] = n->frame.rgba;
        d.next_stride[d.nnext++] = n->frame.stride;
    }
    denoise_frame(&d);
}

static int frames_after(gifenc *g, int offset)
{
    int n = 0;
    for (int i = offset + 1; i < g->count; i++) n += ring_at(g, i)->kind == JOB_FRAME;
    return n;
}

static gifc_error prepare_job(gifenc *g, int offset, gerr *e)
{
    job *j = ring_at(g, offset);
    if (j->kind != JOB_FRAME) return GIFC_OK;
    denoise_job(g, j, offset);
    if (make_hint(g, j, e)) return e->code;
    size_t row = (size_t)g->p.width * 4;
    for (int y = 0; y < g->p.height; y++)
        memcpy(g->prev_src + y * row, j->frame.rgba + (size_t)y * j->frame.stride, row);
    if (j->hint.w > 0) {
        j->submitted = 1;
        pool_submit(g->workers, &j->task, palette_task, j);
    }
    return GIFC_OK;
}

/* Prepares jobs in order: each frame once the denoise has its look-ahead, and at least
 * `min` jobs from the head whatever they have (the ring is full, or the stream ended). */
static gifc_error prepare_ready(gifenc *g, int min, gerr *e)
{
    while (g->prepped < g->count) {
        job *j = ring_at(g, g->prepped);
        if (g->prepped >= min && j->kind == JOB_FRAME && frames_after(g, g->prepped) < g->ahead)
            break;
        if (prepare_job(g, g->prepped, e)) return e->code;
        g->prepped++;
    }
    return GIFC_OK;
}

/* Finishes the oldest job: waits for its palette, then does phase 2. */
static gifc_error retire_oldest(gifenc *g, gerr *e)
{
    if (!g->prepped && prepare_ready(g, 1, e)) return e->code;
    job *j = &g->ring[g->head];
    if (j->submitted) pool_wait(g->workers, &j->task);
    j->submitted = 0;
    gifc_error r = GIFC_OK;
    if (j->err.code) {
        *e = j->err;
        r = e->code;
    } else if (j->kind == JOB_EXTEND) {
        gifw_extend_last(g->w, j->delay);
    } else {
        r = retire_frame(g, j, e);
    }
    qpalette_free(&j->pal);
    g->head = (g->head + 1) % g->depth;
    g->count--;
    g->prepped--;
    return r;
}

static job *claim_slot(gifenc *g, gerr *e, gifc_error *r)
{
    *r = GIFC_OK;
    if (g->count == g->depth && (*r = retire_oldest(g, e))) return NULL;
    job *j = &g->ring[(g->head + g->count) % g->depth];
    memset(&j->err, 0, sizeof j->err);
    j->owner = g;
    return j;
}

gifc_error gifenc_push(gifenc *g, gframe *f, gerr *e)
{
    if (f->w != g->p.width || f->h != g->p.height)
        return gerr_set(e, GIFC_ERR_INVALID_ARG, "frame size changed");
    int delay = timeline_cs_delay(f->pts + f->duration, g->cs_total);
    int first = g->frames_in == 0;
    if (first && delay < 2) delay = 2;
    gifc_error r;
    job *j = claim_slot(g, e, &r);
    if (!j) return r;
    j->delay = delay;
    g->cs_total += delay;
    if (!first && delay < 2) { /* too short to show (browsers turn <2 cs into 10 cs) */
        j->kind = JOB_EXTEND;
        g->count++;
        return prepare_ready(g, 0, e);
    }
    j->kind = JOB_FRAME;
    j->first = first;
    if (f->has_alpha) snap_alpha(f);
    j->alpha = f->has_alpha;
    if (gframe_copy(&j->frame, f)) return gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
    g->frames_in++;
    g->count++;
    return prepare_ready(g, 0, e);
}

gifc_error gifenc_finish(gifenc *g, uint64_t *bytes, int64_t *frames, double *duration, gerr *e)
{
    while (g->count)
        if (retire_oldest(g, e)) return e->code;
    if (!gifw_has_frame(g->w)) return gerr_set(e, GIFC_ERR_CORRUPT, "no frame to write");
    if (duration) *duration = g->cs_total / 100.0;
    return gifw_finish(g->w, bytes, frames, e);
}

void gifenc_free(gifenc **pg)
{
    if (!pg || !*pg) return;
    gifenc *g = *pg;
    pool_free(&g->workers); /* runs what was queued, so every job is idle after this */
    for (int i = 0; i < LOOKAHEAD; i++) {
        job *j = &g->ring[i];
        qpalette_free(&j->pal);
        gframe_free(&j->frame);
        free(j->imp);
        free(j->rows);
    }
    for (int i = 0; i < MAX_WORKERS; i++) quantizer_free(&g->wq[i]);
    gifw_free(&g->w);
    quantizer_free(&g->q);
    free(g->screen);
    free(g->prev_src);
    free(g->work);
    free(g->importance);
    free(g->changed);
    free(g->rows);
    free(g);
    *pg = NULL;
}
