/* The source's audio track for MP4 output: decoded, trimmed like the video, resampled and
 * encoded as AAC, and handed to the MP4 writer packet by packet.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage (the audio encoder must exist before the writer, whose header lists both streams):
 *   audio_src *a = NULL;
 *   int has = 0;
 *   if (audio_open(&a, path, mem, size, start, duration, speed, &has, err)) goto fail;
 *   params.audio = has ? audio_encoder(a) : NULL;       // mp4w_params
 *   if (mp4w_open(&m, out, &params, err)) goto fail;
 *   for each video frame f: mp4w_push(m, f, err), then audio_pump(a, f->pts, m, err);
 *   if (audio_finish(a, video_end, m, err)) goto fail;   // before mp4w_finish
 *   if (mp4w_finish(m, err)) goto fail;
 *   audio_free(&a);
 *
 * Timing: the audio reader opens its own demuxer on the input (independent of the video
 * decoder) and measures time the way the video decoder does, from the start time of the
 * input's best video stream (its own start when there is none), so the two stay in sync.
 * Samples in [start, start + duration) of that source time are kept and moved to output
 * time 0. Audio that starts later than the window, or has holes longer than 40 ms in its
 * timestamps, is filled with silence; overlapping timestamps drop the repeated samples.
 *
 * Encoding: FFmpeg's native "aac" encoder (AAC-LC, fltp), the source sample rate when AAC
 * allows it (else 48 kHz), mono for a mono source and stereo otherwise (downmixed by
 * libswresample), 128 kb/s (less at low sample rates, where AAC cannot carry that much).
 *
 * Speed: a playback speed other than 1 would need a tempo change, which is not
 * implemented: audio_open() then reports *has_audio = 0 and the caller should say that the
 * audio was dropped.
 *
 * Not thread-safe per reader; distinct readers are independent (no global state).
 */
#ifndef GIFC_AUDIO_H
#define GIFC_AUDIO_H
#include <stddef.h>
#include <stdint.h>
#include "base/gerr.h"
#include "decode/limits.h"
#include "mp4/mp4w.h"

typedef struct audio_src audio_src;
struct AVCodecContext;

/* Opens the input (path, or mem / mem_size when path is NULL; mem is borrowed until
 * audio_free) and finds its best audio stream. start / duration: the source window in
 * seconds (duration <= 0: to the end), as given to the video; speed: the playback speed
 * (<= 0 counts as 1). lim (borrowed; NULL: FFmpeg's own limits): the input's limits, so
 * that probing the streams for audio decodes no picture the video decoder would refuse.
 * *has_audio = 1 and *out set: the audio decoder and the AAC encoder are open.
 * *has_audio = 0 and *out = NULL, returning GIFC_OK: nothing to add, because the input has
 * no audio stream, FFmpeg cannot open it as a container (e.g. inputs read by libwebp), or
 * speed != 1 (see above).
 * Errors: GIFC_ERR_INVALID_ARG, GIFC_ERR_NOMEM, GIFC_ERR_UNSUPPORTED (no decoder for the
 * audio codec), GIFC_ERR_CORRUPT (audio stream unusable), GIFC_ERR_ENCODE (no AAC encoder
 * or it refuses the settings). */
gifc_error audio_open(audio_src **out, const char *path, const uint8_t *mem, size_t mem_size,
                      double start, double duration, double speed, const source_limits *lim,
                      int *has_audio, gerr *e);

/* The opened AAC encoder, for mp4w_params.audio (owned by a, valid until audio_free). */
const struct AVCodecContext *audio_encoder(const audio_src *a);

/* One line for the log, e.g. "aac 44100 Hz mono -> AAC 44100 Hz mono 128 kb/s". */
void audio_describe(const audio_src *a, char *buf, size_t n);

/* Decodes and encodes audio until it covers `until` seconds of output time (or the trim
 * end, or the end of the audio), writing every packet the encoder gives to m with
 * mp4w_write_audio. Call after each video frame with that frame's output pts, so that the
 * audio never runs far ahead of the video. until may go backwards (no-op).
 * Errors: GIFC_ERR_INVALID_ARG (reader failed earlier or finished), GIFC_ERR_CORRUPT (audio
 * unreadable), GIFC_ERR_ENCODE, GIFC_ERR_OUTPUT / GIFC_ERR_NOMEM (from the writer). A damaged
 * audio packet is skipped, like the video decoder does; a truncated file ends the audio. */
gifc_error audio_pump(audio_src *a, double until, mp4w *m, gerr *e);

/* Encodes the rest: to the end of the audio, the trim end, or `end` seconds of output time
 * when end > 0 (pass the end of the last video frame, so that the audio does not outlast
 * the picture), then flushes the resampler and the encoder (a short last frame is given
 * to the encoder as it is, or padded with silence for an encoder that needs full frames).
 * Call once, before mp4w_finish. Same errors as audio_pump. */
gifc_error audio_finish(audio_src *a, double end, mp4w *m, gerr *e);

/* Frees everything and sets *a to NULL; accepts NULL and a NULL *a. */
void audio_free(audio_src **a);

#endif
