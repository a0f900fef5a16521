/* MP4 (H.264 / libx264) writer: RGBA frames in, a finished .mp4 file out.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage:
 *   mp4w *m = NULL;
 *   if (mp4w_open(&m, path, &params, err)) goto fail;      // file created, header written
 *   for each frame: if (mp4w_push(m, &frame, err)) goto fail;
 *   (with an audio stream: mp4w_write_audio() for each audio packet, in between)
 *   if (mp4w_finish(m, err)) goto fail;                     // file complete
 *   mp4w_free(&m);
 * fail:
 *   mp4w_free(&m);  // the partial file stays on disk: the caller deletes it
 *
 * The output keeps the source timeline (variable frame rate): every pushed frame becomes
 * exactly one coded frame with its own pts and duration; holds are never padded with
 * duplicates. Colour: RGB is converted to limited-range yuv420p with the matrix a player
 * assumes for untagged video of that size (BT.601 below 720 lines, BT.709 from 720) and the
 * stream is tagged accordingly (SMPTE 170M or BT.709 primaries / transfer / matrix, limited
 * range). Alpha is composited over the background colour. An odd width or height is cropped down to even (the last column /
 * row is dropped); a size of 1 is padded to 2 by repeating the edge pixel.
 *
 * Audio (optional): when params.audio names an opened audio encoder, a second stream
 * (index 1, after the video) is created from it before the header is written; the caller
 * encodes the audio itself and hands each packet to mp4w_write_audio(). The muxer
 * interleaves the two streams; faststart applies to the whole file. Without params.audio
 * the file is exactly what it was before audio support existed.
 *
 * Rate control: CRF (params.bitrate == 0, the default) or average bitrate (params.bitrate >
 * 0, bits/s for the video stream). Average bitrate runs in one pass (params.pass == 0) or
 * in two (x264's two-pass mode), which lands much closer to the rate:
 *   p.bitrate = rate; p.stats_path = "/tmp/job/x264";   // a private, writable location
 *   p.pass = 1; write the whole clip to some path;      // analysis; the file is a throwaway
 *   p.pass = 2; write the same frames to the real path;
 *   (pass 2 may be repeated at another rate with the same statistics)
 *   mp4w_remove_stats(p.stats_path);
 * A single pass misses by more: measured 5-11% under the rate on camera clips, and 34-44%
 * over on a screen recording (mostly static, with bursts); two passes landed within 2.5% on
 * camera clips and 5% on that recording, so a size budget wants two passes and a check.
 * Both passes must see the same frames (size, count, timestamps) and the same params apart
 * from bitrate. Preset, colour, timeline, audio and faststart are as in CRF mode; pass 1
 * uses x264's fast first-pass settings, so its own output looks worse than pass 2's.
 *
 * Not thread-safe per writer; distinct writers are independent (no global state).
 */
#ifndef GIFC_MP4_WRITER_H
#define GIFC_MP4_WRITER_H
#include <stdint.h>
#include <libavutil/rational.h>
#include "base/gerr.h"
#include "base/gframe.h"

typedef struct mp4w mp4w;
struct AVCodecContext;
struct AVPacket;

/* Largest frame side the writer accepts (x264 and players' H.264 levels stop near it). */
#define MP4W_MAX_SIDE 16384

typedef struct mp4w_params {
    int width, height;     /* input frame size (RGBA frames pushed will have this size); may be odd */
    int crf;               /* x264 CRF 0..51 (0 is lossless, which needs a High 4:4:4
                              Predictive decoder; 1..51 produce High profile) */
    uint32_t background;   /* 0xRRGGBB: alpha is composited over this colour */
    int threads;           /* encoder threads, 0 = auto */
    double fps_hint;       /* nominal frame rate if known (for x264 rate control / lookahead,
                              level choice and the stream's avg_frame_rate), 0 if unknown;
                              values above 1000 count as unknown, negative is an error */
    int64_t bitrate;       /* 0: CRF mode. > 0: average-bitrate mode, bits/s for the video
                              stream (audio comes on top), crf is then ignored. x264 counts
                              whole kbit/s: the rate is truncated to a multiple of 1000;
                              1000 .. 1e9 */
    const struct AVCodecContext *audio; /* optional: an opened audio encoder (e.g. AAC, with
                              AV_CODEC_FLAG_GLOBAL_HEADER so that its extradata exists); its
                              parameters, extradata and sample rate are copied into a second
                              stream during mp4w_open and it is not used afterwards. NULL:
                              video only */
    int fast;              /* x264 preset veryfast instead of medium */
    int pass;              /* bitrate mode only: 0 = single pass; 1 = first pass (analysis:
                              writes the statistics; the file at path is still written and
                              valid, and meant to be thrown away); 2 = second pass (reads the
                              statistics of a finished first pass). 1 and 2 need bitrate > 0 */
    const char *stats_path; /* pass 1 and 2: base path of x264's statistics, only read during
                              mp4w_open. Pass 1 writes <stats_path>.temp and
                              <stats_path>.mbtree.temp, renamed to <stats_path> and
                              <stats_path>.mbtree by mp4w_finish (or by mp4w_free, then
                              incomplete); pass 2 reads those two.
                              mp4w_remove_stats() deletes them. Must be NULL for pass 0 */
    int yuv_matrix;        /* 0: the matrix goes by the height (see mp4w.c). AVCOL_SPC_BT709
                              or AVCOL_SPC_SMPTE170M: the matrix of yuv420 frames (gframe.h)
                              the caller will push, which the stream is then tagged with and
                              RGBA frames are converted into */
} mp4w_params;

/* Creates the writer and the file at path (replacing an existing file), opens the encoder
 * and writes the container header. path and *p are only read during the call (the writer
 * keeps its own copy of path). On success *out owns the writer; on failure *out is NULL, err
 * is set and a file may have been created at path (the caller deletes it).
 * Errors: GIFC_ERR_INVALID_ARG (bad params, including pass 2 with no readable statistics
 * at stats_path), GIFC_ERR_OUTPUT (file cannot be created / written, or in pass 1 the
 * folder of stats_path is not writable; message names the path), GIFC_ERR_ENCODE (libx264
 * missing or refusing the settings or its statistics; the message names stats_path in
 * pass 1 and 2), GIFC_ERR_NOMEM. */
gifc_error mp4w_open(mp4w **out, const char *path, const mp4w_params *p, gerr *err);

/* The size actually encoded (even numbers, see above). Either pointer may be NULL. */
void mp4w_size(const mp4w *m, int *w, int *h);

/* Encodes one frame. f is borrowed for the call only. Frames come in presentation order:
 * f->w/h must equal params width/height; f->pts (seconds, >= 0) strictly increasing;
 * f->duration (seconds, >= 0) is how long the frame stays on screen (the last frame's
 * duration sets the end of the file). Timestamps are kept to the millisecond; two frames
 * closer than 1 ms are spread 1 ms apart. f->has_alpha == 0 means alpha is ignored.
 * After any failure the writer refuses further pushes; call mp4w_free. */
gifc_error mp4w_push(mp4w *m, const gframe *f, gerr *err);

/* Writes one encoded audio packet (pts / dts / duration in tb, e.g. the audio encoder's
 * time base) to the audio stream. Takes the packet's reference: pkt comes back blank, on
 * failure too. Packets come in decode order; they may be written at any point between
 * mp4w_open and mp4w_finish, interleaved with mp4w_push calls in any way (the muxer
 * buffers and interleaves by time), but every audio packet must have been written before
 * mp4w_finish. Errors: GIFC_ERR_INVALID_ARG (no audio stream, bad time base, writer
 * finished or failed), GIFC_ERR_OUTPUT (write failed; the writer then refuses everything). */
gifc_error mp4w_write_audio(mp4w *m, struct AVPacket *pkt, AVRational tb, gerr *err);

/* Flushes the encoder, writes the trailer (moov moved to the front: faststart) and closes
 * the file; the file is complete after a successful return. At least one frame must have
 * been pushed. Call once; mp4w_free is still needed afterwards. */
gifc_error mp4w_finish(mp4w *m, gerr *err);

/* Bytes of encoded video and audio packets produced so far: the size of the file to come
 * without its index (moov, about 1% at usual rates) and a few hundred bytes of headers.
 * Only ever grows. It trails the pushed frames by the frames inside the encoder (x264's
 * lookahead plus one per encoder thread: the first packet comes out after 48 frames with
 * preset medium on 2 cores, later with more threads, sooner with params.fast), so a caller
 * watching it against a budget sees an overrun that late. Complete after mp4w_finish (the
 * encoder's tail is flushed there). 0 for NULL. */
uint64_t mp4w_bytes(const mp4w *m);

/* Frees everything and sets *m to NULL; accepts NULL and a NULL *m. Without a successful
 * mp4w_finish the file is closed as it is (incomplete) and left for the caller to delete. */
void mp4w_free(mp4w **m);

/* Deletes every file x264's two-pass mode may have created for this base path (see
 * mp4w_params.stats_path: the statistics, the macroblock-tree data and their .temp
 * versions). Missing files are ignored; NULL does nothing. Call after the last pass (or
 * after a failure), once the writers using the path are freed. */
void mp4w_remove_stats(const char *stats_path);

#endif
