/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "gif/gif_read.h"

#include <gif_lib.h>
#include <stdlib.h>
#include <string.h>

static int read_fp(GifFileType *gif, GifByteType *buf, int n)
{
    return (int)fread(buf, 1, (size_t)n, (FILE *)gif->UserData);
}

typedef struct play {
    GifFileType *gif;
    uint8_t *canvas, *line;
    int w, h;
    GraphicsControlBlock gcb;
} play;

/* Draws the image whose descriptor was just read; returns -1 on a decode error. */
static int draw_image(play *p)
{
    const GifImageDesc *d = &p->gif->Image;
    const ColorMapObject *cm = d->ColorMap ? d->ColorMap : p->gif->SColorMap;
    for (int y = 0; y < d->Height; y++) {
        if (DGifGetLine(p->gif, p->line, d->Width) != GIF_OK) return -1;
        int cy = d->Top + y;
        for (int x = 0; x < d->Width && cm; x++) {
            int cx = d->Left + x, i = p->line[x];
            if (cy >= p->h || cx >= p->w || i == p->gcb.TransparentColor || i >= cm->ColorCount)
                continue;
            uint8_t *px = p->canvas + ((size_t)cy * p->w + cx) * 4;
            px[0] = cm->Colors[i].Red;
            px[1] = cm->Colors[i].Green;
            px[2] = cm->Colors[i].Blue;
            px[3] = 255;
        }
    }
    return 0;
}

static void clear_rect(play *p)
{
    const GifImageDesc *d = &p->gif->Image;
    for (int y = d->Top; y < d->Top + d->Height && y < p->h; y++)
        for (int x = d->Left; x < d->Left + d->Width && x < p->w; x++)
            memset(p->canvas + ((size_t)y * p->w + x) * 4, 0, 4);
}

static gifc_error play_all(play *p, gif_read_fn fn, void *user, gerr *e)
{
    GifRecordType t;
    do {
        if (DGifGetRecordType(p->gif, &t) != GIF_OK)
            return gerr_set(e, GIFC_ERR_CORRUPT, "cannot read back the GIF written");
        if (t == EXTENSION_RECORD_TYPE) {
            int code;
            GifByteType *ext;
            if (DGifGetExtension(p->gif, &code, &ext) != GIF_OK) goto bad;
            if (code == GRAPHICS_EXT_FUNC_CODE && ext && ext[0] >= 4)
                DGifExtensionToGCB(ext[0], ext + 1, &p->gcb);
            while (ext)
                if (DGifGetExtensionNext(p->gif, &ext) != GIF_OK) goto bad;
        } else if (t == IMAGE_DESC_RECORD_TYPE) {
            if (DGifGetImageDesc(p->gif) != GIF_OK || draw_image(p)) goto bad;
            if (fn(user, p->canvas, p->w, p->h, p->gcb.DelayTime)) return GIFC_OK;
            if (p->gcb.DisposalMode == DISPOSE_BACKGROUND) clear_rect(p);
            p->gcb = (GraphicsControlBlock){ .TransparentColor = NO_TRANSPARENT_COLOR };
        }
    } while (t != TERMINATE_RECORD_TYPE);
    return GIFC_OK;
bad:
    return gerr_set(e, GIFC_ERR_CORRUPT, "cannot read back the GIF written");
}

gifc_error gif_read_frames(FILE *fp, gif_read_fn fn, void *user, gerr *e)
{
    int err = 0;
    if (fflush(fp) || fseek(fp, 0, SEEK_SET))
        return gerr_set(e, GIFC_ERR_OUTPUT, "cannot read back the GIF written");
    play p = { .gcb = { .TransparentColor = NO_TRANSPARENT_COLOR } };
    p.gif = DGifOpen(fp, read_fp, &err);
    if (!p.gif) return gerr_set(e, GIFC_ERR_CORRUPT, "cannot read back the GIF written");
    p.w = p.gif->SWidth;
    p.h = p.gif->SHeight;
    p.canvas = calloc((size_t)p.w * p.h, 4);
    p.line = malloc(65536); /* an image may claim to be wider than the screen */
    gifc_error r = p.canvas && p.line ? play_all(&p, fn, user, e)
                                      : gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
    free(p.canvas);
    free(p.line);
    DGifCloseFile(p.gif, &err);
    return r;
}
