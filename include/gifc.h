/* gifc: local GIF / MP4 converter and compressor.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The one public header of libgifc. Usage:
 *
 *   gifc_options o;
 *   gifc_options_init(&o);
 *   o.quality = 80;
 *   gifc_context *ctx = NULL;
 *   if (gifc_context_new(&o, &ctx) != GIFC_OK) ...;
 *   gifc_result r;
 *   gifc_error e = gifc_convert_file(ctx, "in.mp4", "out.gif", &r);
 *   if (e) fprintf(stderr, "%s\n", gifc_context_message(ctx));
 *   gifc_context_free(&ctx);
 *
 * The library never prints and never exits: errors come back as gifc_error codes with a
 * detail message owned by the context, log lines go to the log callback.
 */
#ifndef GIFC_H
#define GIFC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(GIFC_BUILDING) && defined(__GNUC__)
#define GIFC_API __attribute__((visibility("default")))
#else
#define GIFC_API
#endif

#define GIFC_VERSION_STRING "0.1.0"

/* Every function that can fail returns one of these. GIFC_OK is 0. */
typedef enum gifc_error {
    GIFC_OK = 0,
    GIFC_ERR_INVALID_ARG,  /* an option or argument is out of range */
    GIFC_ERR_NOMEM,        /* allocation failed */
    GIFC_ERR_INPUT,        /* input missing, unreadable, or a directory */
    GIFC_ERR_UNSUPPORTED,  /* not a media format gifc reads */
    GIFC_ERR_NO_VIDEO,     /* a media file without a video / image stream */
    GIFC_ERR_CORRUPT,      /* input damaged or truncated: nothing decodable */
    GIFC_ERR_OUTPUT,       /* output cannot be written (folder missing, disk full...) */
    GIFC_ERR_OUTPUT_EXISTS,/* output exists and overwrite is off */
    GIFC_ERR_ENCODE,       /* an encoder failed */
    GIFC_ERR_ABORTED,      /* the progress callback asked to stop */
    GIFC_ERR_SAME_FILE,    /* output path names the input */
    GIFC_ERR_OVER_BUDGET,  /* max_size: even the floor settings do not fit (see
                              gifc_options.max_size); nothing written */
    GIFC_ERR_LIMIT,        /* the input is over one of the max_pixels, max_frames,
                              max_duration or max_decoded_bytes limits; nothing written */
    GIFC_ERR__COUNT
} gifc_error;

/* Default limits on one input (gifc_options.max_*). Memory is already bounded by streaming
 * (a few frames in flight), except for the size of one frame; everything else an input can
 * cost is time. Each default sits far above real use, so that only a broken or hostile file
 * meets it:
 * - 50 Mpx a frame: 8K UHD (7680x4320, 33 Mpx) and DCI 8K (8192x4320, 35 Mpx) pass; one
 *   RGBA frame stays under 200 MB. A GIF header may declare 65535x65535 (4.3 Gpx, 17 GB a
 *   frame) in 13 bytes.
 * - 2,000,000 frames: 9 hours at 60 fps. A GIF holds a 1x1 frame in about 20 bytes, so a
 *   40 MB file could otherwise ask for 2 million encodes.
 * - 12 hours of source: longer than any film or stream recording one would convert;
 *   timestamps of a few frames may otherwise claim days.
 * - 32 TiB of decoded RGBA: 4 hours of 4K at 60 fps; hours of work at memory speed. */
#define GIFC_DEFAULT_MAX_PIXELS 50000000ULL
#define GIFC_DEFAULT_MAX_FRAMES 2000000LL
#define GIFC_DEFAULT_MAX_DURATION 43200.0
#define GIFC_DEFAULT_MAX_DECODED_BYTES (32ULL << 40)

typedef enum gifc_format {
    GIFC_FORMAT_AUTO = 0, /* from the output path's extension; GIF when none */
    GIFC_FORMAT_GIF,
    GIFC_FORMAT_MP4
} gifc_format;

typedef enum gifc_log_level { GIFC_LOG_ERROR, GIFC_LOG_WARNING, GIFC_LOG_INFO, GIFC_LOG_DEBUG } gifc_log_level;

/* Called after each output frame, and once more with done_frames == total_frames just
 * before the output is committed. done_frames counts frames written; total_frames is an
 * estimate (0 when unknown). Return non-zero to abort: the call then fails with
 * GIFC_ERR_ABORTED and nothing is written. */
typedef int (*gifc_progress_fn)(void *user, int64_t done_frames, int64_t total_frames);
typedef void (*gifc_log_fn)(void *user, gifc_log_level level, const char *message);

/* Options. Always start from gifc_options_init(): fields may be added at the end later.
 * A zero / negative value for a numeric field means "choose the default", which depends on
 * the input and output (see the comments). */
typedef struct gifc_options {
    gifc_format format;    /* GIFC_FORMAT_AUTO */
    double fps;            /* 0: GIF from video 15 (or the source's if lower); GIF from an
                              animation and MP4: the source timeline (VFR kept) */
    int width, height;     /* box to fit inside, aspect kept, never upscaled by default.
                              0: GIF from video 480x480; MP4 1280x720 (720x1280 portrait);
                              GIF from an animation: source size */
    double start;          /* seconds into the source; 0 */
    double duration;       /* seconds of source to convert; <= 0: to the end */
    int colors;            /* GIF palette size 2..256; 256 */
    int quality;           /* 1..100: GIF quantiser target and change threshold,
                              MP4 CRF; 90 */
    double dither;         /* GIF dithering 0..1; < 0 means default 1.0 */
    int loop;              /* GIF loop count, 0 = forever; < 0: play once (no extension) */
    uint32_t background;   /* 0xRRGGBB: what transparency becomes in MP4; white */
    double speed;          /* playback speed factor, 0.25..4; 1 */
    int audio;             /* MP4: keep the audio track as AAC; 0 */
    int overwrite;         /* replace an existing output; 0 refuses with GIFC_ERR_OUTPUT_EXISTS */
    int threads;           /* worker threads; 0 = number of cores */
    gifc_progress_fn progress;
    void *progress_user;
    gifc_log_fn log;
    void *log_user;
    int lossy;             /* GIF: lossy LZW level 0..200, 0 = exact (gifsicle-like scale:
                              about 20 mild, 80 strong); 0 */
    int fast;              /* GIF: quicker palettes (libimagequant's fastest search) for
                              somewhat bigger files; MP4: x264 preset veryfast; 0 */
    uint64_t max_size;     /* byte budget for the output, 0 = none. The output is never
                              larger. When the plain conversion does not fit, gifc searches
                              (GIF: size, fps, change threshold and dither, colours, lossy
                              LZW; MP4: two-pass bitrate, then size) and lands between 0.92x
                              (MP4 0.95x) and 1.0x of it. Floors: GIF 32 px on the long side,
                              5 fps (or the source's), 16 colours, lossy 200; MP4 96 px,
                              16 kbit/s. Below them: GIFC_ERR_OVER_BUDGET */
    int best_effort;       /* with max_size: when even the floors do not fit, write the
                              smallest result found instead of failing; 0 */
    /* Limits on the input (defaults and why above). Over one: GIFC_ERR_LIMIT, nothing
     * written. Sizes and counts a file declares are checked before anything is allocated
     * for them; the rest is counted while decoding, per reading pass (max_size may read
     * the input several times). 0: the default. */
    uint64_t max_pixels;   /* pixels in one frame (width x height as decoded) */
    int64_t max_frames;    /* frames decoded, or declared by the file (APNG, WebP, MP4) */
    double max_duration;   /* seconds of source read (after start; a declared duration over
                              it is refused up front unless duration cuts it short) */
    uint64_t max_decoded_bytes; /* decoded pictures, counted as width x height x 4 bytes */
    /* Editing. Geometry acts on the display picture (rotation and sample aspect applied)
     * before scaling: crop first, then aspect. Time edits act on the frames after trim,
     * speed and fps, in this order: frames_step, drop_duplicates, reverse or bounce,
     * smooth_loop. Reverse, bounce and smooth_loop hold the whole clip in an unlinked
     * temporary file (not in memory) and so start output only after reading it all. */
    int crop_w, crop_h;    /* keep only this rectangle of the picture, 0: no crop; */
    int crop_x, crop_y;    /* its top-left corner. Outside the picture: INVALID_ARG */
    int aspect_w, aspect_h;/* 0: keep the aspect; else the picture (cropped first) is cut to
                              aspect_w:aspect_h around its centre (1:1, 4:5, 9:16, 16:9...) */
    int aspect_pad;        /* with aspect: letterbox the whole picture into the aspect on
                              background instead of cutting; 0 */
    int reverse;           /* play backwards, each frame keeping its own duration; 0 */
    int bounce;            /* forward then backward; the turning frames (last and first) are
                              not shown twice, so a loop never holds on them; 0 */
    double smooth_loop;    /* seconds, 0 = off: the last SECONDS are crossfaded into the
                              first ones, which are consumed into that blend, so the end leads
                              into the start without a jump. The output is SECONDS shorter
                              (at most half of the clip is used); every frame keeps its
                              duration. Not with bounce (already seamless) */
    int frames_step;       /* keep every Nth frame, the dropped ones' durations added to the
                              kept one (total duration unchanged); 0 or 1: every frame */
    int drop_duplicates;   /* merge a frame into the previous kept one when no channel of
                              any pixel differs by more than 4/255, durations summed; 0 */
    /* Caption: text drawn on every frame after scaling and before quantisation (so the
     * palette keeps it crisp), white with a dark outline so it reads on any background,
     * centred, wrapped to 90% of the frame width, at most GIFC_CAPTION_MAX_LINES lines
     * (what does not fit ends in an ellipsis). A GIF input is then always re-encoded. */
    const char *caption;   /* UTF-8 text, '\n' breaks a line; NULL or "": none. Copied by
                              gifc_context_new. Invalid UTF-8 or a control character other
                              than '\n', '\r', '\t': GIFC_ERR_INVALID_ARG */
    int caption_position;  /* GIFC_CAPTION_BOTTOM (the default) or GIFC_CAPTION_TOP */
    double caption_size;   /* text height in percent of the frame height, 2..50 (never
                              under GIFC_CAPTION_MIN_PIXELS); 0: 8 */
    const char *font;      /* font file for the caption (copied); NULL: fontconfig's sans
                              font, with per-character fallback to fonts that cover the
                              text (CJK needs one installed). Characters the file lacks
                              fall back the same way. Missing or not a font:
                              GIFC_ERR_INVALID_ARG */
} gifc_options;

typedef enum gifc_caption_position { GIFC_CAPTION_BOTTOM = 0, GIFC_CAPTION_TOP = 1 } gifc_caption_position;
#define GIFC_CAPTION_DEFAULT_SIZE 8.0
#define GIFC_CAPTION_MIN_PIXELS 10  /* tiny GIFs stay legible */
#define GIFC_CAPTION_MAX_LINES 3

/* What a conversion produced. */
typedef struct gifc_result {
    gifc_format format;
    int width, height;
    int64_t frames;        /* frames in the output (after merging identical ones) */
    double duration;       /* seconds, from the output's own timing */
    uint64_t bytes;        /* size of the output */
    double fps;            /* the fps used (0 when the source timeline was kept) */
    int colors;            /* GIF palette size used */
    int quality;
    double dither;
    double src_width, src_height; /* display size of the source (rotation applied) */
    double src_duration;   /* seconds of the source (0 when unknown) */
    int lossy;             /* GIF lossy LZW level used */
    int kept_input;        /* GIF from a GIF: re-encoding was not smaller, so the output is
                              a copy of the input */
    /* With max_size: */
    uint64_t budget;       /* the budget asked (0: none) */
    int searched;          /* 0: the plain conversion fitted, no search was needed */
    int attempts;          /* encodes measured: samples, full encodes and LZW re-runs */
    int over_budget;       /* best_effort: the result does not fit the budget */
    double ssim;           /* SSIM of the result against the source at the asked size and
                              fps, measured on sampled frames (GIF); < 0 when not measured */
    int64_t bitrate;       /* MP4 video bits/s of a two-pass budget encode; 0 = CRF */
} gifc_result;

typedef struct gifc_context gifc_context;

GIFC_API void gifc_options_init(gifc_options *opts);
/* Checks ranges; on error names the bad field in *why (static string). */
GIFC_API gifc_error gifc_options_validate(const gifc_options *opts, const char **why);

/* Creates a context holding a copy of *opts. *out is NULL on failure. */
GIFC_API gifc_error gifc_context_new(const gifc_options *opts, gifc_context **out);
/* Frees and sets *ctx to NULL; accepts NULL and a NULL *ctx. */
GIFC_API void gifc_context_free(gifc_context **ctx);
/* Detail of the last failure on this context ("" when none). Owned by the context, valid until
 * the next call on it. */
GIFC_API const char *gifc_context_message(const gifc_context *ctx);
/* The gifc_options field the last failure concerns ("overwrite", "start", "max_pixels"...),
 * so that a client can name its own control for it; NULL when none or no failure. Static. */
GIFC_API const char *gifc_context_option(const gifc_context *ctx);
/* Short text for a code (static). */
GIFC_API const char *gifc_strerror(gifc_error e);

/* Converts a file. The output appears atomically: written to a temporary file beside it and
 * renamed on success; on any failure nothing is left. The input is never modified. result may
 * be NULL. */
GIFC_API gifc_error gifc_convert_file(gifc_context *ctx, const char *in_path,
                                      const char *out_path, gifc_result *result);

/* Converts from memory to memory. in: borrowed for the call. *out receives a buffer the
 * caller frees with gifc_free(); the output format is opts.format (GIF when AUTO). */
GIFC_API gifc_error gifc_convert_memory(gifc_context *ctx, const uint8_t *in, size_t in_size,
                                        uint8_t **out, size_t *out_size, gifc_result *result);

/* Converts from a file to memory (same ownership as gifc_convert_memory). */
GIFC_API gifc_error gifc_convert_file_to_memory(gifc_context *ctx, const char *in_path,
                                                uint8_t **out, size_t *out_size,
                                                gifc_result *result);

GIFC_API void gifc_free(void *p);

/* Format from a path's extension (.gif, .mp4, .m4v); AUTO when unknown. */
GIFC_API gifc_format gifc_format_from_path(const char *path);

GIFC_API const char *gifc_version(void);

#ifdef __cplusplus
}
#endif
#endif
