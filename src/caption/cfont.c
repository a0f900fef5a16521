/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "caption/cfont.h"

#include <errno.h>
#include <fontconfig/fontconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void add_name(cfont *f, const char *name)
{
    size_t n = strlen(f->names);
    snprintf(f->names + n, sizeof f->names - n, "%s%s", n ? ", " : "", name ? name : "?");
}

/* Scalable faces only: a bitmap font has no size to scale to the frame height. */
static int add_face(cfont *f, const char *path, int index, const char *family)
{
    FT_Face face;
    if (f->faces == CFONT_MAX_FACES || FT_New_Face(f->lib, path, index, &face)) return -1;
    if (!FT_IS_SCALABLE(face)) {
        FT_Done_Face(face);
        return -1;
    }
    f->face[f->faces++] = face;
    add_name(f, family ? family : face->family_name);
    return 0;
}

static gifc_error open_file(cfont *f, const char *path, gerr *e)
{
    struct stat st;
    if (stat(path, &st)) return gerr_set(e, GIFC_ERR_INVALID_ARG, "font %s: %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode)) return gerr_set(e, GIFC_ERR_INVALID_ARG, "font %s: is a directory", path);
    FILE *probe = fopen(path, "rb");
    if (!probe) return gerr_set(e, GIFC_ERR_INVALID_ARG, "font %s: %s", path, strerror(errno));
    fclose(probe);
    if (add_face(f, path, 0, NULL))
        return gerr_set(e, GIFC_ERR_INVALID_ARG, "font %s: not a scalable font FreeType can read",
                        path);
    return GIFC_OK;
}

/* The characters that need a glyph and that no open face has. */
static FcCharSet *uncovered(const cfont *f, const uint32_t *text, size_t n)
{
    FcCharSet *need = FcCharSetCreate();
    for (size_t i = 0; need && i <= n; i++) {
        /* The ellipsis ends a caption that is cut short: it needs a glyph too. */
        uint32_t cp = i < n ? text[i] : 0x2026;
        FT_UInt idx;
        if (cp <= ' ') continue;
        if (f->faces && cfont_glyph(f, cp, &idx) && idx) continue;
        FcCharSetAddChar(need, cp);
    }
    return need;
}

/* Takes a font from fontconfig's list when it draws characters still uncovered (or, when
 * nothing needs drawing, the best match alone). Returns 1 when taken. */
static int take_font(cfont *f, FcPattern *font, FcCharSet **need)
{
    FcChar8 *file = NULL, *family = NULL;
    FcCharSet *cs = NULL;
    int index = 0;
    FcBool scalable = FcTrue;
    if (FcPatternGetString(font, FC_FILE, 0, &file) != FcResultMatch) return 0;
    FcPatternGetInteger(font, FC_INDEX, 0, &index);
    FcPatternGetBool(font, FC_SCALABLE, 0, &scalable);
    FcPatternGetString(font, FC_FAMILY, 0, &family);
    int wanted = f->faces == 0 && FcCharSetCount(*need) == 0;
    if (!wanted && FcPatternGetCharSet(font, FC_CHARSET, 0, &cs) == FcResultMatch)
        wanted = FcCharSetIntersectCount(*need, cs) > 0;
    if (!scalable || !wanted || add_face(f, (const char *)file, index, (const char *)family))
        return 0;
    if (cs) {
        FcCharSet *rest = FcCharSetSubtract(*need, cs);
        if (rest) {
            FcCharSetDestroy(*need);
            *need = rest;
        }
    }
    return 1;
}

/* fontconfig's sans-serif list, best first, walked for coverage of what is still needed. */
static gifc_error fontconfig_faces(cfont *f, const uint32_t *text, size_t n, gerr *e)
{
    FcCharSet *need = uncovered(f, text, n);
    FcPattern *pat = FcNameParse((const FcChar8 *)"sans-serif");
    if (!need || !pat) goto nomem;
    if (f->faces && !FcCharSetCount(need)) goto done; /* the user's font has it all */
    FcConfigSubstitute(NULL, pat, FcMatchPattern);
    FcDefaultSubstitute(pat);
    FcResult res;
    FcFontSet *set = FcFontSort(NULL, pat, FcTrue, NULL, &res);
    for (int i = 0; set && i < set->nfont && f->faces < CFONT_MAX_FACES; i++) {
        if (f->faces && !FcCharSetCount(need)) break;
        take_font(f, set->fonts[i], &need);
    }
    /* Nothing covers the text: the best match still draws it, as boxes. */
    for (int i = 0; set && !f->faces && i < set->nfont; i++) {
        FcCharSet *none = FcCharSetCreate();
        if (none) take_font(f, set->fonts[i], &none);
        if (none) FcCharSetDestroy(none);
    }
    if (set) FcFontSetDestroy(set);
done:
    f->missing = (int)FcCharSetCount(need);
    FcCharSetDestroy(need);
    FcPatternDestroy(pat);
    if (!f->faces)
        return gerr_set(e, GIFC_ERR_INVALID_ARG, "caption: fontconfig found no scalable font "
                        "(install one, e.g. fonts-dejavu-core, or give a font file)");
    return GIFC_OK;
nomem:
    if (need) FcCharSetDestroy(need);
    if (pat) FcPatternDestroy(pat);
    return gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
}

gifc_error cfont_open(cfont **out, const char *path, const uint32_t *text, size_t n, gerr *e)
{
    *out = NULL;
    cfont *f = calloc(1, sizeof *f);
    if (!f) return gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
    if (FT_Init_FreeType(&f->lib)) {
        free(f);
        return gerr_set(e, GIFC_ERR_NOMEM, "caption: cannot start FreeType");
    }
    if ((path && open_file(f, path, e)) || fontconfig_faces(f, text, n, e)) {
        cfont_free(&f);
        return e->code;
    }
    *out = f;
    return GIFC_OK;
}

gifc_error cfont_set_size(cfont *f, int px, gerr *e)
{
    for (int i = 0; i < f->faces; i++)
        if (FT_Set_Pixel_Sizes(f->face[i], 0, (FT_UInt)px))
            return gerr_set(e, GIFC_ERR_ENCODE, "caption: cannot size the font to %d px", px);
    return GIFC_OK;
}

FT_Face cfont_glyph(const cfont *f, uint32_t cp, FT_UInt *index)
{
    for (int i = 0; i < f->faces; i++) {
        *index = FT_Get_Char_Index(f->face[i], cp);
        if (*index) return f->face[i];
    }
    *index = 0;
    return f->faces ? f->face[0] : NULL;
}

long cfont_advance(void *user, uint32_t prev, uint32_t cp)
{
    const cfont *f = user;
    FT_UInt idx, pidx = 0;
    FT_Face face = cfont_glyph(f, cp, &idx);
    if (!face || FT_Load_Glyph(face, idx, FT_LOAD_DEFAULT)) return 0;
    long adv = face->glyph->advance.x;
    FT_Vector k;
    if (prev && FT_HAS_KERNING(face) && cfont_glyph(f, prev, &pidx) == face &&
        !FT_Get_Kerning(face, pidx, idx, FT_KERNING_DEFAULT, &k))
        adv += k.x;
    return adv;
}

void cfont_extent(const cfont *f, long *ascender, long *descender)
{
    *ascender = *descender = 0;
    for (int i = 0; i < f->faces; i++) {
        const FT_Size_Metrics *m = &f->face[i]->size->metrics;
        if (m->ascender > *ascender) *ascender = m->ascender;
        if (-m->descender > *descender) *descender = -m->descender;
    }
}

void cfont_free(cfont **pf)
{
    if (!pf || !*pf) return;
    cfont *f = *pf;
    for (int i = 0; i < f->faces; i++) FT_Done_Face(f->face[i]);
    FT_Done_FreeType(f->lib);
    free(f);
    *pf = NULL;
}
