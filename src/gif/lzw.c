/* GIF LZW image-data encoder, exact and lossy.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Code stream layout (GIF89a, appendix F): a clear code first, then variable-width codes
 * packed LSB-first, an end-of-information code, all cut into sub-blocks of at most 255
 * bytes. The encoder mirrors the decoder's bookkeeping exactly: the decoder creates one
 * dictionary entry per code it reads (except the first after a clear) and widens its codes
 * once the next entry to create no longer fits, so the encoder counts entries the same way.
 *
 * Lossy mode ("lossy LZW"): the decoder only ever sees codes, so the encoder is free to
 * emit a dictionary string that is merely *close* to the true pixels. For each string it
 * runs a bounded depth-first search of the dictionary tree: at every node the child equal
 * to the true pixel is tried first, then any child whose colour is acceptable; subtrees
 * that cannot beat the best string found are skipped, and the best *score* wins: its length
 * less lambda times its distortion (summed distance of the shown to the true colours, in
 * units of T), so a long string that smears a detail loses to a shorter faithful one
 * (rate against distortion, as in Pigeon's lossy LZW and gifsicle 1.96). The search
 * starts below the true pixel and then, budget permitting, below the closest other
 * colours (a string may start approximated too). The error is carried along the run
 * (1-D error diffusion: each pixel's target is its true colour plus 3/4 of the previous
 * pixel's error) so approximations average out instead of drifting to one side.
 *
 * Threshold mapping (documented contract, the unit test relies on it):
 *   distance d(a, b) = 2*dR^2 + 4*dG^2 + 3*dB^2  (cheap perceptual weights, sum 9)
 *   delta = lossy / 4   "equivalent per-channel error" (lossy 80 -> 20 levels of 255)
 *   T     = 9 * lossy^2 / 16  (= d of an error of delta on all three channels)
 *   A candidate colour must be within T of the *target* (true colour + carried error)
 *   and within 4*T (twice delta) of the true colour. So every decoded opaque pixel is
 *   guaranteed to satisfy d(decoded, original) <= 4*T.
 * The transparent index is never produced for an opaque pixel and a transparent pixel is
 * always coded exactly.
 */
#include "gif/lzw.h"

#include "gif/colour.h"
#include <stdlib.h>
#include <string.h>

#define MAX_CODES 4096          /* 12-bit GIF codes */
#define MAX_WIDTH 12
#define NO_CODE 0xFFFFu
#define HASH_BITS 15            /* 32768 slots for at most 4096 entries: load <= 1/8, so
                                   a miss (the common case on noisy frames) ends fast */
#define HASH_SIZE (1u << HASH_BITS)
#define NO_SLOT 0xFFFFFFFFu
#define SEARCH_BUDGET 384       /* lossy: colour tests per string (exact steps are free);
                                   bounds the worst case, rarely reached on real frames */
#define NEAR_MAX 16             /* lossy: alternative first pixels tried per string */
#define LAMBDA4 16              /* lossy: 4 * lambda, the pixels of length one pixel at
                                   distortion T costs. Measured (bench, --lossy 40..200):
                                   4 * {0, 4, 8} gave pigs 0.99x / 0.87x / 0.85x of
                                   gifsicle's bytes at equal SSIM, thefuck 1.20 / 1.19 /
                                   1.21x, store aisle 0.87 / 0.86 / 0.87x */
#define DEFER_KEEP 4            /* clear a frozen table below DEFER_KEEP/4 of the fill's mean
                                   string length; 0: clear as soon as full. Measured at
                                   --lossy 80 (bytes, SSIM): 4 gave thefuck -0.1%, pigs
                                   -0.1%, store -0.2%, SSIM within 0.0002; 2 gave -0.5%,
                                   -2.8% but store +1.4% at lower SSIM */
#define DEFER_START 2           /* the frozen average starts at twice the fill's mean */
#define LOSSY_MAX 400           /* clamp: far beyond any useful setting, keeps ints small */

/* ---------- bit packing into sub-blocks ---------- */

typedef struct bitsink {
    gbuf *out;
    uint32_t acc;   /* pending bits, LSB first */
    int nbits;
    int blen;       /* bytes in the current sub-block */
    uint8_t blk[256]; /* blk[0] is the length prefix, filled on flush */
} bitsink;

static void bits_flush(bitsink *s)
{
    if (!s->blen) return;
    s->blk[0] = (uint8_t)s->blen;
    gbuf_put(s->out, s->blk, (size_t)s->blen + 1); /* failure is sticky in out->failed */
    s->blen = 0;
}

static inline void bits_byte(bitsink *s, uint8_t b)
{
    s->blk[1 + s->blen++] = b;
    if (s->blen == 255) bits_flush(s);
}

static inline void bits_code(bitsink *s, unsigned code, int width)
{
    s->acc |= (uint32_t)code << s->nbits;
    s->nbits += width;
    while (s->nbits >= 8) {
        bits_byte(s, (uint8_t)s->acc);
        s->acc >>= 8;
        s->nbits -= 8;
    }
}

/* Pads the last partial byte with zero bits, then closes the block sequence. */
static void bits_finish(bitsink *s)
{
    if (s->nbits > 0) bits_byte(s, (uint8_t)s->acc);
    s->acc = 0;
    s->nbits = 0;
    bits_flush(s);
    gbuf_byte(s->out, 0);
}

/* ---------- dictionary ---------- */

/* Exact lookup (prefix, pixel) -> code is an open-addressing hash; each slot packs the
 * 20-bit key above the 12-bit code, and 0 means empty (codes in use are never 0 since the
 * first free code is at least 6). The tree links (children, lengths) exist only in lossy
 * mode, where the search must enumerate every child of a node. */
typedef struct dict {
    uint32_t *slot;        /* HASH_SIZE */
    uint16_t *slot_of;     /* MAX_CODES: where each code sits, so a reset clears only those */
    uint16_t *first_child; /* lossy only, MAX_CODES each */
    uint16_t *next_sib;
    uint16_t *parent;
    uint16_t *len;         /* pixels in the string of a code */
    uint16_t *maxlen;      /* longest string in the subtree of a code */
    uint8_t *suffix;       /* last pixel of the string */
} dict;

static inline uint32_t hash_of(uint32_t key)
{
    return (key * 0x9E3779B1u) >> (32 - HASH_BITS);
}

/* Returns the code for (prefix, pixel) or NO_CODE; *where gets the slot to insert into. */
static inline unsigned dict_find(const dict *d, unsigned prefix, unsigned pixel, uint32_t *where)
{
    uint32_t key = ((uint32_t)prefix << 8) | pixel;
    uint32_t i = hash_of(key);
    for (;;) {
        uint32_t e = d->slot[i];
        if (!e) break;
        if ((e >> 12) == key) return e & 0xFFFu;
        i = (i + 1) & (HASH_SIZE - 1);
    }
    if (where) *where = i;
    return NO_CODE;
}

/* Empties the table by clearing just the slots codes first..next-1 used: a reset happens
 * every few thousand pixels on noisy frames, and wiping the whole table each time would
 * cost more than the lookups. */
static void dict_reset(dict *d, unsigned nroots, unsigned first, unsigned next)
{
    for (unsigned k = first; k < next; k++)
        if (d->slot_of[k] != 0xFFFFu) d->slot[d->slot_of[k]] = 0;
    if (!d->first_child) return;
    for (unsigned r = 0; r < nroots; r++) {
        d->first_child[r] = NO_CODE;
        d->len[r] = 1;
        d->maxlen[r] = 1;
        d->parent[r] = NO_CODE;
        d->suffix[r] = (uint8_t)r;
    }
}

/* Links a new code into the tree and raises the subtree maxima of its ancestors; the walk
 * stops at the first ancestor already as long, so it costs O(pixels) over a whole image. */
static void tree_link(dict *d, unsigned code, unsigned prefix, unsigned pixel)
{
    uint16_t l = (uint16_t)(d->len[prefix] + 1);
    d->first_child[code] = NO_CODE;
    d->next_sib[code] = d->first_child[prefix];
    d->first_child[prefix] = (uint16_t)code;
    d->parent[code] = (uint16_t)prefix;
    d->suffix[code] = (uint8_t)pixel;
    d->len[code] = l;
    d->maxlen[code] = l;
    for (unsigned a = prefix; a != NO_CODE && d->maxlen[a] < l; a = d->parent[a])
        d->maxlen[a] = l;
}

/* ---------- code stream state shared by both modes ---------- */

typedef struct coder {
    bitsink s;
    dict d;
    unsigned clear, eoi, first; /* special codes and first free code */
    unsigned next;              /* next code the decoder will create */
    int min, width;
    int frozen;                 /* the table is full: codes go on, no entries are added */
    unsigned long fill_px, fill_codes; /* pixels and codes from the last clear to the fill */
    unsigned long avg16;        /* frozen: moving average of pixels per code, times 16 */
} coder;

static void coder_clear(coder *c)
{
    bits_code(&c->s, c->clear, c->width);
    dict_reset(&c->d, c->clear, c->first, c->next);
    c->next = c->first;
    c->width = c->min + 1;
    c->frozen = 0;
    c->fill_px = c->fill_codes = 0;
}

/* Deferred clear: a full table is kept while its strings stay as long as a fresh table's
 * averaged over its fill (start-up included), and cleared once a moving average (weight
 * 1/16) of the frozen strings falls below that: on repetitive content (text, flat art) the
 * frozen table goes on matching long strings, which a cleared one must first relearn.
 * GIF89a allows codes after a full table; every decoder handles it. */
static void coder_frozen_step(coder *c, unsigned len)
{
    c->avg16 = c->avg16 - c->avg16 / 16 + len;
    if (c->avg16 * c->fill_codes < 16 * c->fill_px * DEFER_KEEP / 4) coder_clear(c);
}

/* Called after a code was written and its follower pixel is known: the decoder creates the
 * entry (previous string + first pixel of the next one) when it reads the next code, and
 * widens as soon as the following entry number needs more bits; counting here the same way
 * keeps both sides in lock-step. On a full table the dictionary is frozen (coder_frozen_step
 * decides when to clear). */
static int coder_add(coder *c, unsigned prefix, unsigned pixel, uint32_t where, unsigned len)
{
    if (c->frozen) {
        coder_frozen_step(c, len);
        return 0;
    }
    c->fill_px += len;
    c->fill_codes++;
    unsigned code = c->next++;
    c->d.slot_of[code] = where == NO_SLOT ? 0xFFFFu : (uint16_t)where;
    if (where != NO_SLOT) c->d.slot[where] = ((((uint32_t)prefix << 8) | pixel) << 12) | code;
    if (c->d.first_child) tree_link(&c->d, code, prefix, pixel);
    if (c->next == MAX_CODES) {
        if (DEFER_KEEP) {
            c->frozen = 1;
            c->avg16 = 16 * c->fill_px * DEFER_START / c->fill_codes;
        } else {
            coder_clear(c);
        }
        return 1;
    }
    if (c->next > (1u << c->width) && c->width < MAX_WIDTH) c->width++;
    return 1;
}

/* Writes the last code, then the end code. The decoder still counts an entry for that
 * last code (it will never be completed) and may widen before reading the end code. */
static void coder_end(coder *c, unsigned last)
{
    bits_code(&c->s, last, c->width);
    c->next++;
    if (c->next > (1u << c->width) && c->width < MAX_WIDTH) c->width++;
    bits_code(&c->s, c->eoi, c->width);
    bits_finish(&c->s);
}

/* ---------- exact mode ---------- */

/* Greedy longest-match LZW. Returns -1 on an index outside the code size. */
static int encode_exact(coder *c, const uint8_t *px, int w, int h, int stride)
{
    unsigned cur = px[0], run = 1;
    if (cur >= c->clear) return -1;
    int x = 1;
    for (int y = 0; y < h; y++) {
        const uint8_t *row = px + (size_t)y * (size_t)stride;
        for (; x < w; x++) {
            unsigned p = row[x];
            if (p >= c->clear) return -1;
            uint32_t where;
            unsigned code = dict_find(&c->d, cur, p, &where);
            if (code != NO_CODE) {
                cur = code;
                run++;
                continue;
            }
            bits_code(&c->s, cur, c->width);
            coder_add(c, cur, p, where, run);
            cur = p;
            run = 1;
        }
        x = 0;
    }
    coder_end(c, cur);
    return 0;
}

/* ---------- lossy mode ---------- */

/* One node on the search path: the code reached, and what the pixel after it must match. */
typedef struct frame {
    uint16_t code;
    uint16_t cursor;  /* next sibling to test */
    uint16_t exact;   /* child equal to the true pixel, tested first */
    uint8_t pix;      /* true pixel after this string */
    uint8_t opaque;   /* pix has a palette colour and is not transparent */
    uint8_t started;  /* exact child looked up, cursor set */
    uint8_t has_t;    /* t computed (only needed once a colour is compared) */
    long long dacc;   /* distortion of the string of code against the true colours */
    int e[3];         /* error carried into pix */
    int t[3];         /* target colour: true colour + carried error, clamped */
} frame;

typedef struct lossy {
    const uint8_t *px; /* contiguous w*h indices */
    size_t n;
    size_t w;
    int trans;
    int ncolors;
    long T, Tmax;
    long long unit;    /* score of one pixel of length: 4 * T (at least 4) */
    long long lam;     /* score lost per unit of distortion (4 * lambda) */
    int rgb[256][3];
    frame *stack;      /* MAX_CODES + 1 frames: deeper than any string */
    uint8_t *near;     /* 256 x NEAR_MAX: per colour, the closest others within Tmax */
    uint16_t near_n[256]; /* list lengths, NEAR_UNKNOWN until first needed */
    uint64_t within[256][4]; /* per colour, bit set of all colours within Tmax of it */
    unsigned long long err;  /* sum of colour_dist_sq(decoded - true) so far */
    uint8_t *shown;          /* lzw_params.shown */
} lossy;

#define NEAR_UNKNOWN 0xFFFFu

/* State of one search for the next string. */
typedef struct hunt {
    size_t start, limit;   /* first pixel, pixels left */
    unsigned excluded;     /* code the search must not use, or NO_CODE */
    long budget;
    unsigned best, best_len, best_root;
    long long best_score;  /* unit * len - lam * distortion of the best string */
    int best_e[3];         /* error carried past the best string */
} hunt;

static inline long dist3(const int a[3], const int b[3])
{
    return colour_dist_sq(a[0] - b[0], a[1] - b[1], a[2] - b[2]); /* all within 0..255 */
}

static inline int clamp255(int v) { return v < 0 ? 0 : v > 255 ? 255 : v; }

static inline int is_zero(const int e[3]) { return (e[0] | e[1] | e[2]) == 0; }

/* Rate against distortion: a string of len pixels whose shown colours are D away from the
 * true ones (summed). Longer is better, but each pixel at the full radius T costs lambda
 * pixels of length, so a long string that smears a detail loses to a shorter faithful one. */
static inline long long score_of(const lossy *L, unsigned len, long long D)
{
    return (long long)len * L->unit - L->lam * D;
}

/* Prepares f for matching the pixel at pos. The carried error is dropped at pixels without
 * a colour (they are coded exactly) and at a row start (the previous pixel is not a
 * neighbour); the row test divides, so it is skipped when there is no error to drop. */
static inline void frame_init(const lossy *L, frame *f, unsigned code, size_t pos, const int e[3])
{
    unsigned p = L->px[pos];
    f->code = (uint16_t)code;
    f->pix = (uint8_t)p;
    f->opaque = (int)p != L->trans && (int)p < L->ncolors;
    f->started = 0;
    f->has_t = 0;
    if (!f->opaque || is_zero(e) || pos % L->w == 0) {
        f->e[0] = f->e[1] = f->e[2] = 0;
    } else {
        f->e[0] = e[0];
        f->e[1] = e[1];
        f->e[2] = e[2];
    }
}

static inline const int *frame_target(const lossy *L, frame *f)
{
    if (!f->has_t) {
        for (int k = 0; k < 3; k++) f->t[k] = clamp255(L->rgb[f->pix][k] + f->e[k]);
        f->has_t = 1;
    }
    return f->t;
}

/* Error to carry after showing colour index q for f's pixel. Only 3/4 of it is kept so an
 * old error fades over an exact stretch instead of surfacing much later. */
static inline void carry(const lossy *L, frame *f, unsigned q, int e[3])
{
    if (!f->opaque || (q == f->pix && is_zero(f->e))) {
        e[0] = e[1] = e[2] = 0;
        return;
    }
    const int *t = frame_target(L, f);
    for (int k = 0; k < 3; k++) e[k] = (t[k] - L->rgb[q][k]) * 3 / 4;
}

/* Works out, the first time colour p needs it, which colours may stand in for it at all:
 * the set of opaque colours within Tmax (a bit test then rejects most candidates without
 * arithmetic), and the NEAR_MAX closest of them, closest first, to try as a string's first
 * pixel. Lazy because most frames use a fraction of the palette. The list is capped since
 * far alternatives rarely win and each costs a subtree walk. */
static void near_prepare(lossy *L, unsigned p)
{
    uint8_t *list = L->near + NEAR_MAX * p;
    long dl[NEAR_MAX];
    unsigned k = 0;
    memset(L->within[p], 0, sizeof L->within[p]);
    for (int q = 0; q < L->ncolors; q++) {
        long dq = dist3(L->rgb[q], L->rgb[p]);
        if ((unsigned)q == p || q == L->trans || dq > L->Tmax) continue;
        L->within[p][q >> 6] |= 1ull << (q & 63);
        if (k == NEAR_MAX && dq >= dl[k - 1]) continue;
        unsigned i = k < NEAR_MAX ? k++ : k - 1; /* insertion into the sorted list */
        for (; i > 0 && dl[i - 1] > dq; i--) {
            dl[i] = dl[i - 1];
            list[i] = list[i - 1];
        }
        dl[i] = dq;
        list[i] = (uint8_t)q;
    }
    L->near_n[p] = (uint16_t)k;
}

static const uint8_t *near_list(lossy *L, unsigned p, unsigned *n)
{
    if (L->near_n[p] == NEAR_UNKNOWN) near_prepare(L, p);
    *n = L->near_n[p];
    return L->near + NEAR_MAX * p;
}

/* May colour q stand in for f's pixel? Never to or from transparent or colourless (those
 * are absent from the `within` sets). */
static inline int acceptable(lossy *L, frame *f, unsigned q)
{
    if (!f->opaque) return 0;
    if (L->near_n[f->pix] == NEAR_UNKNOWN) near_prepare(L, f->pix);
    if (!((L->within[f->pix][q >> 6] >> (q & 63)) & 1)) return 0;
    return dist3(L->rgb[q], frame_target(L, f)) <= L->T;
}

/* Next child of f worth descending into, or NO_CODE. The exact child comes first (it costs
 * no quality); then any child whose colour is acceptable and whose subtree could still
 * beat the best length found. h->budget bounds colour tests: the search is a heuristic. */
static unsigned next_child(lossy *L, const coder *c, frame *f, hunt *h, int e[3], long long *dq)
{
    const dict *d = &c->d;
    if (!f->started) {
        f->started = 1;
        f->exact = (uint16_t)dict_find(d, f->code, f->pix, NULL);
        f->cursor = d->first_child[f->code];
        if (f->exact != NO_CODE && f->exact != h->excluded &&
            score_of(L, d->maxlen[f->exact], f->dacc) > h->best_score) {
            carry(L, f, f->pix, e);
            *dq = 0;
            return f->exact;
        }
    }
    while (f->cursor != NO_CODE && h->budget > 0) {
        unsigned k = f->cursor;
        f->cursor = d->next_sib[k];
        if (k == f->exact || k == h->excluded ||
            score_of(L, d->maxlen[k], f->dacc) <= h->best_score)
            continue;
        h->budget--;
        unsigned q = d->suffix[k];
        if (!acceptable(L, f, q)) continue;
        *dq = dist3(L->rgb[q], L->rgb[f->pix]);
        if (score_of(L, d->maxlen[k], f->dacc + *dq) <= h->best_score) continue;
        carry(L, f, q, e);
        return k;
    }
    return NO_CODE;
}

/* Follows exact children from code as far as they go: used after the bounded search so the
 * chosen string is never one pixel short of an existing entry (which would also make the
 * next dictionary entry a duplicate). */
static void extend_exact(const lossy *L, const coder *c, hunt *h)
{
    frame f = { 0 };
    while (h->best_len < h->limit) {
        frame_init(L, &f, h->best, h->start + h->best_len, h->best_e);
        unsigned k = dict_find(&c->d, h->best, f.pix, NULL);
        if (k == NO_CODE || k == h->excluded) break;
        carry(L, &f, f.pix, h->best_e);
        h->best = k;
        h->best_len++;
    }
}

/* Depth-first search of the dictionary below root (already matched to the pixel at
 * h->start, leaving error e) for a string longer than h->best_len within the colour
 * tolerance. Subtrees whose longest string cannot beat the best found are skipped, so the
 * common exact path costs about one lookup per pixel. */
static void dfs(lossy *L, const coder *c, hunt *h, unsigned root, const int e[3],
                long long root_d)
{
    const dict *d = &c->d;
    frame *stk = L->stack;
    int ne[3];
    long long dq = 0;
    if (h->limit < 2) return;
    frame_init(L, &stk[0], root, h->start + 1, e);
    stk[0].dacc = root_d;
    int sp = 1;
    while (sp > 0 && h->best_len < h->limit && h->budget > 0) {
        frame *f = &stk[sp - 1];
        /* Even an exact run to the deepest string below cannot beat the best: backtrack. */
        if (score_of(L, d->maxlen[f->code], f->dacc) <= h->best_score) { sp--; continue; }
        unsigned k = next_child(L, c, f, h, ne, &dq);
        if (k == NO_CODE) { sp--; continue; }
        unsigned l = d->len[k];
        long long D = f->dacc + dq, s = score_of(L, l, D);
        if (s > h->best_score) {
            h->best = k;
            h->best_len = l;
            h->best_root = root;
            h->best_score = s;
            memcpy(h->best_e, ne, sizeof ne);
        }
        if (l >= h->limit) break;
        frame_init(L, &stk[sp], k, h->start + l, ne);
        stk[sp].dacc = D;
        sp++;
    }
}

/* Finds the next string from pixel start. First below the true pixel, then, budget
 * permitting, below other roots close to it: a string may start with an approximated
 * pixel too. The entry `pending` (previous string + true pixel) was added before the
 * search so the exact path can use it, as plain LZW does; if another root wins the
 * decoder will define that entry with the other root instead, so those searches must not
 * use it. On entry e is the error carried into start; on return the error past the string.
 * Returns the string's code, its length in *len and its first pixel in *root. */
static unsigned search(lossy *L, const coder *c, size_t start, unsigned pending,
                       unsigned *len, unsigned *root, int e[3])
{
    const dict *d = &c->d;
    unsigned p = L->px[start];
    hunt h = { start, L->n - start, NO_CODE, SEARCH_BUDGET, p, 1, p, L->unit, { 0, 0, 0 } };
    frame f = { 0 };
    frame_init(L, &f, p, start, e);
    carry(L, &f, p, h.best_e);
    dfs(L, c, &h, p, h.best_e, 0);

    if (f.opaque && h.best_len < h.limit && h.budget > 0) {
        unsigned nn;
        const uint8_t *list = near_list(L, p, &nn);
        h.excluded = pending;
        for (unsigned i = 0; i < nn && h.budget > 0 && h.best_len < h.limit; i++) {
            unsigned r = list[i];
            int er[3];
            long long dr = dist3(L->rgb[r], L->rgb[p]);
            if (score_of(L, d->maxlen[r], dr) <= h.best_score) continue;
            h.budget--;
            if (!acceptable(L, &f, r)) continue;
            carry(L, &f, r, er);
            dfs(L, c, &h, r, er, dr);
        }
    }
    h.excluded = h.best_root == p ? NO_CODE : pending;
    extend_exact(L, c, &h);
    memcpy(e, h.best_e, sizeof h.best_e);
    *len = h.best_len;
    *root = h.best_root;
    return h.best;
}

/* The pending entry (prefix + true pixel) gets another last pixel: the decoder builds it
 * from the first pixel of the string that follows, which an approximated root changed.
 * It is the latest hash insert, so emptying its slot cannot break a probe sequence. */
static void relabel(coder *c, unsigned code, unsigned prefix, unsigned pixel)
{
    dict *d = &c->d;
    uint32_t where = NO_SLOT;
    if (d->slot_of[code] != 0xFFFFu) d->slot[d->slot_of[code]] = 0;
    d->slot_of[code] = 0xFFFFu;
    d->suffix[code] = (uint8_t)pixel;
    if (dict_find(d, prefix, pixel, &where) == NO_CODE) {
        d->slot[where] = ((((uint32_t)prefix << 8) | pixel) << 12) | code;
        d->slot_of[code] = (uint16_t)where;
    }
}

/* Adds to L->err how far the string of code, shown at pixels pos..pos+len-1, is from their
 * true colours (walking the tree from the last pixel back to the root), and records what
 * is shown there. Transparent or colourless pixels are coded exactly and add nothing. */
static void string_error(lossy *L, const dict *d, unsigned code, size_t pos, unsigned len)
{
    for (unsigned i = len, k = code; i-- > 0 && k != NO_CODE; k = d->parent[k]) {
        unsigned shown = d->suffix[k], truth = L->px[pos + i];
        if (L->shown) L->shown[pos + i] = (uint8_t)shown;
        if (shown != truth && (int)shown < L->ncolors && (int)truth < L->ncolors)
            L->err += (unsigned long long)dist3(L->rgb[shown], L->rgb[truth]);
    }
}

static int encode_lossy(coder *c, lossy *L)
{
    int e[3] = { 0, 0, 0 };
    size_t pos = 0;
    unsigned pending = NO_CODE, prev = NO_CODE;
    for (;;) {
        unsigned len, root;
        unsigned code = search(L, c, pos, pending, &len, &root, e);
        string_error(L, &c->d, code, pos, len);
        if (pending != NO_CODE && root != L->px[pos]) relabel(c, pending, prev, root);
        pos += len;
        if (pos >= L->n) {
            coder_end(c, code);
            return 0;
        }
        /* Add (this string + true next pixel) now, so the next search may use it. */
        uint32_t where = NO_SLOT;
        unsigned p = L->px[pos];
        bits_code(&c->s, code, c->width);
        /* extend_exact() makes a duplicate rare; were there one, the decoder would still
         * number it, so only the hash insert is skipped. */
        dict_find(&c->d, code, p, &where);
        int added = coder_add(c, code, p, where, len);
        /* After a clear, or with a frozen table, there is no pending entry. */
        pending = added && c->next > c->first ? c->next - 1 : NO_CODE;
        prev = code;
    }
}

/* Copies the rows into one run (the search indexes pixels linearly) and rejects indices the
 * code size cannot express. Returns NULL on failure with *bad set for bad input. */
static uint8_t *gather(const uint8_t *idx, int w, int h, int stride, unsigned clear, int *bad)
{
    uint8_t *px = malloc((size_t)w * (size_t)h);
    if (!px) return NULL;
    for (int y = 0; y < h; y++) {
        const uint8_t *row = idx + (size_t)y * (size_t)stride;
        uint8_t *dst = px + (size_t)y * (size_t)w;
        for (int x = 0; x < w; x++) {
            if (row[x] >= clear) { *bad = 1; free(px); return NULL; }
            dst[x] = row[x];
        }
    }
    return px;
}

static void lossy_setup(lossy *L, const lzw_params *p)
{
    long q = p->lossy > LOSSY_MAX ? LOSSY_MAX : p->lossy;
    L->T = 9 * q * q / 16;
    L->Tmax = 4 * L->T;
    L->unit = 4 * (L->T > 0 ? L->T : 1);
    L->lam = LAMBDA4;
    L->trans = p->transparent;
    L->ncolors = p->ncolors > 256 ? 256 : p->ncolors;
    for (int i = 0; i < L->ncolors; i++)
        for (int k = 0; k < 3; k++) L->rgb[i][k] = p->palette[3 * i + k];
}

/* Allocates the tree arrays and runs the lossy encoder. Returns -1 on failure (*bad set for
 * invalid input, otherwise memory). */
static int run_lossy(coder *c, const uint8_t *idx, int w, int h, int stride,
                     const lzw_params *p, int *bad)
{
    lossy *L = calloc(1, sizeof *L);
    uint16_t *links = malloc(5 * MAX_CODES * sizeof *links);
    uint8_t *suffix = malloc(MAX_CODES);
    int rc = -1;
    if (!L || !links || !suffix) goto done;
    L->stack = malloc((MAX_CODES + 1) * sizeof *L->stack);
    L->near = malloc(256 * NEAR_MAX);
    L->px = gather(idx, w, h, stride, c->clear, bad);
    if (!L->stack || !L->near || !L->px) goto done;
    for (int i = 0; i < 256; i++) L->near_n[i] = NEAR_UNKNOWN;
    L->n = (size_t)w * (size_t)h;
    L->w = (size_t)w;
    lossy_setup(L, p);
    L->shown = p->shown;
    c->d.first_child = links;
    c->d.next_sib = links + MAX_CODES;
    c->d.parent = links + 2 * MAX_CODES;
    c->d.len = links + 3 * MAX_CODES;
    c->d.maxlen = links + 4 * MAX_CODES;
    c->d.suffix = suffix;
    coder_clear(c);
    rc = encode_lossy(c, L);
    if (p->err) *p->err = L->err;
done:
    if (L) {
        free((void *)L->px);
        free(L->stack);
        free(L->near);
    }
    free(L);
    free(links);
    free(suffix);
    c->d.first_child = NULL;
    return rc;
}

int lzw_encode(const uint8_t *indices, int w, int h, int stride, const lzw_params *p, gbuf *out)
{
    if (!p || !out || w < 0 || h < 0 || p->min_code_size < 2 || p->min_code_size > 8)
        return -1;
    if (w > 0 && h > 0 && (!indices || stride < w)) return -1;
    if (out->failed) return -1;

    size_t start_len = out->len;
    coder c;
    memset(&c, 0, sizeof c);
    c.s.out = out;
    c.min = p->min_code_size;
    c.clear = 1u << c.min;
    c.eoi = c.clear + 1;
    c.first = c.clear + 2;
    c.width = c.min + 1;
    c.next = c.first; /* nothing to clear in the fresh table */
    c.d.slot = calloc(HASH_SIZE, sizeof *c.d.slot);
    c.d.slot_of = malloc(MAX_CODES * sizeof *c.d.slot_of);
    if (!c.d.slot || !c.d.slot_of) {
        free(c.d.slot);
        free(c.d.slot_of);
        out->failed = 1;
        return -1;
    }

    int rc = 0, bad = 0;
    if (p->err) *p->err = 0;
    gbuf_byte(out, (uint8_t)c.min);
    if (w == 0 || h == 0) {
        /* No pixels: a stream of just clear + end is still well formed. */
        coder_clear(&c);
        bits_code(&c.s, c.eoi, c.width);
        bits_finish(&c.s);
    } else if (p->lossy > 0 && p->palette && p->ncolors > 0) {
        rc = run_lossy(&c, indices, w, h, stride, p, &bad);
    } else {
        coder_clear(&c);
        rc = encode_exact(&c, indices, w, h, stride);
        bad = rc != 0;
    }
    free(c.d.slot);
    free(c.d.slot_of);
    if (rc == 0 && !out->failed) return 0;
    if (!bad) out->failed = 1;   /* our own allocation failed, or gbuf's */
    else out->len = start_len;   /* invalid input: leave the buffer as it was */
    return -1;
}
