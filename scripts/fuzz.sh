#!/usr/bin/env bash
# Builds gifc's libFuzzer targets (fuzz/, clang, ASan + UBSan) into ./build-fuzz, makes their
# seed corpora from fixtures/, and runs each target in turn for a given time: the smoke run
# in CI (6 s each), and the campaign (`scripts/fuzz.sh SECONDS`, README "Fuzzing").
#   bash scripts/fuzz.sh                   every target, 60 s each
#   bash scripts/fuzz.sh 600 fuzz_mp4      one target for 10 minutes
#   FUZZ_SEED=1 ...                        fixed libFuzzer -seed (repeatable runs)
#   FUZZ_BUILD_DIR=build-fuzz2 ...         another build directory
#   FUZZ_FRESH=1 ...                       start from the seeds alone, not the corpus kept
#                                          from earlier runs nor fuzz/corpus/, and merge
#                                          nothing back (CI: a grown corpus would make a
#                                          short run's first pass longer every time)
#   FUZZ_MAX_LEN=N ...                     libFuzzer -max_len (default: the largest seed)
#   FUZZ_KEEP_SEEDS=1 ...                  use the seeds already made (a second campaign
#                                          beside a running one)
# After each target, its new inputs that add coverage are merged into fuzz/corpus/TARGET
# (kept in git, a few MB at most), which later runs read.
# Installs what is missing (clang, libFuzzer's runtime, llvm-symbolizer, and what
# scripts/setup.sh installs) as root or through sudo. One line per target: seconds run,
# executions (and a second), edges, crashes, peak RSS; then meson-style "Ok: N" / "Fail: N"
# lines that .ci/run adds to its test summary. Exits 1 when any target found a crash, leak, timeout or OOM;
# the reproducer's path is in the message (replay: build-fuzz/fuzz/TARGET FILE).
set -euo pipefail
cd "$(dirname "$0")/.."

secs=${1:-60}
[ $# -gt 0 ] && shift
all=(fuzz_gif fuzz_apng fuzz_webp fuzz_mp4 fuzz_mkv fuzz_cli_args fuzz_lzw fuzz_remap
     fuzz_caption fuzz_timeline fuzz_gif_read fuzz_webpdec fuzz_fcache fuzz_http fuzz_gif_write
     fuzz_webp_write)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all[@]}")
build=${FUZZ_BUILD_DIR:-build-fuzz}

# Debian 12: libFuzzer is in libclang-rt-14-dev; llvm-14 has the symbolizer for reports.
# A release build with assertions and debug info: findings need readable stacks.
CC=clang EXTRA_PACKAGES="clang libclang-rt-14-dev llvm-14" BUILD_DIR="$build" \
  MESON_ARGS="-Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false
              -Dbuildtype=debugoptimized" bash scripts/setup.sh

# Seeds: each family's fixtures made small (32 px wide, 6 frames, the same codec and
# container, by ffmpeg, which scripts/setup.sh installs) so that they fit the media targets'
# caps (fuzz/fuzz_convert.c: 64x64 pixels, 8 frames), plus the fixtures under 1 KB as they
# are (the damaged ones); each prefixed by option bytes: GIF, MP4, GIF at the source's own
# timeline, GIF with the input kept as is, the budget search.
fixture_family() {
  case "$1" in
    *.gif) echo gif ;; *.apng) echo apng ;; *.webp) echo webp ;;
    *.mp4|*.mov|*.avi) echo mp4 ;; *.mkv|*.webm) echo mkv ;;
  esac
}
# The encoder that writes a fixture's video codec again (FFmpeg 5.1 cannot decode animated
# WebP, so the WebP seeds are made from the APNG and GIF fixtures).
same_encoder() {
  case "$(ffprobe -v error -select_streams v:0 -show_entries stream=codec_name -of default=nw=1:nk=1 "$1" | head -1)" in
    h264) echo "libx264 -preset ultrafast" ;; hevc) echo "libx265 -x265-params log-level=none" ;;
    mpeg4) echo mpeg4 ;; vp8) echo libvpx ;; vp9) echo libvpx-vp9 ;; *) echo "" ;;
  esac
}
small_seed() { # small_seed FIXTURE OUT: 0 when written
  local f=$1 out=$2 enc
  local ff=(ffmpeg -nostdin -v error -y -i "$f" -frames:v 6 -t 0.5 -vf "scale=32:-2:flags=area")
  case "$out" in
    *.gif) "${ff[@]}" "$out" ;;
    *.apng) "${ff[@]}" -f apng -plays 0 "$out" ;;
    *.webp) "${ff[@]}" -c:v libwebp_anim -loop 0 -an "$out" ;;
    *) enc=$(same_encoder "$f"); [ -n "$enc" ] || return 1
       # shellcheck disable=SC2086
       "${ff[@]}" -c:v $enc -c:a aac -b:a 16k "$out" ;;
  esac
}
make_seeds() {
  rm -rf "$build/seeds" "$build/small"
  [ -n "${FUZZ_FRESH:-}" ] && rm -rf "$build/corpus"
  for t in "${all[@]}"; do mkdir -p "$build/seeds/$t" "$build/corpus/$t"; done
  mkdir -p "$build/small"
  local f fam
  for f in fixtures/*; do
    fam=$(fixture_family "$f")
    [ -n "$fam" ] || continue
    # Kept as they are: the damaged fixtures under 1 KB, and the animated WebP, which
    # FFmpeg cannot decode (its frames reach the parser; its size, over the cap, the limit).
    if [ "$(stat -c %s "$f")" -lt 1024 ] || [ "$fam" = webp ]; then
      cp "$f" "$build/small/"
      continue
    fi
    small_seed "$f" "$build/small/$(basename "$f")" 2>/dev/null ||
      echo "fuzz: no small seed from $f" >&2
    case "$fam" in
      gif|apng) small_seed "$f" "$build/small/$(basename "$f").webp" 2>/dev/null || true ;;
    esac
  done
  for f in "$build"/small/*; do
    fam=$(fixture_family "$f")
    [ -n "$fam" ] || continue
    for knob in 00 01 20 60 82; do
      { printf "\\x$knob"; cat "$f"; } > "$build/seeds/fuzz_$fam/${knob}_$(basename "$f")"
    done
  done
  local i=0
  while IFS= read -r line; do   # command lines, one word per line
    printf '%b' "$line" > "$build/seeds/fuzz_cli_args/$((i++))"
  done < fuzz/cli_seeds.txt
  make_stage_seeds
}

# The per-stage targets' seeds (their input layouts are in each fuzz/fuzz_*.c header).
make_stage_seeds() {
  local d=$build/seeds i=0 f
  # LZW: size, colours, lossy level, transparent index, then a fixture's bytes as palette
  # and indices (GIF fixtures: the real palette and LZW-coded noise; others: plain noise).
  for f in fixtures/*.gif fixtures/*.apng fixtures/*.mp4; do
    for hdr in '\x1f\x11\xff\x00\xff' '\x3f\x3f\x0f\x3c\x00' '\x07\x05\x01\xc8\x01' \
               '\x3f\x01\xff\x50\x10'; do
      { printf '%b' "$hdr"; head -c 5000 "$f"; } > "$d/fuzz_lzw/$((i++))"
    done
  done
  # Remap: size, colours, transparent index, dither, then a fixture's bytes as palette and
  # RGBA pixels (a GIF's colour table is a real palette).
  i=0
  for f in fixtures/*.gif fixtures/*.apng; do
    for hdr in '\x1f\x11\xff\xff\xff' '\x0f\x0f\x0f\x03\x00' '\x07\x07\x01\x00\x80' \
               '\x1f\x1f\x3f\xff\x40'; do
      { printf '%b' "$hdr"; head -c 5000 "$f"; } > "$d/fuzz_remap/$((i++))"
    done
  done
  # Caption: width, lines, eight advances, then text (Latin, CJK, emoji, breaks, a bad byte).
  i=0
  for text in 'Hello world' 'A long caption that has to wrap over several lines at spaces' \
              '\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe5\xad\x97\xe5\xb9\x95' \
              'two\nlines\r\nthree\rfour\tfive' '\xf0\x9f\x98\x80 smile \xc3\xa9t\xc3\xa9' \
              'Supercalifragilisticexpialidocious' 'bad \xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80'; do
    for hdr in '\x00\x28\x03' '\x80\x02\x07' '\x00\x01\x00'; do
      { printf '%b' "$hdr"; printf '\x08\x0a\x0c\x06\x10\x09\x0b\x07'; printf '%b' "$text"; } \
        > "$d/fuzz_caption/$((i++))"
    done
  done
  # Timeline: start, duration, speed, fps, then frame durations in ms: a fixture's own
  # (ffprobe, the VFR one among them) and a few made ones.
  i=0
  for f in fixtures/*.mp4 fixtures/*.gif fixtures/*.webm; do
    for hdr in '\x00\x00\x3b\x00' '\x05\x0f\x3b\x0f' '\x02\x14\xa0\x5d' '\x00\x00\x10\x0a'; do
      { printf '%b' "$hdr"
        ffprobe -v error -select_streams v:0 -show_entries packet=duration_time -of csv=p=0 "$f" |
          awk '{ms = int($1 * 1000 + 0.5); if (ms > 255) ms = 255; if (ms >= 0) printf "%c", ms}'
      } > "$d/fuzz_timeline/$((i++))" 2>/dev/null || true
    done
  done
  printf '\x00\x00\x3b\x1d\x21\x21\x22\x00\x21\x64\x01\x21' > "$d/fuzz_timeline/$((i++))"
  make_file_seeds
  make_writer_seeds
}

# The GIF reader and the WebP decoder take files as they are: the fixtures (all under the
# targets' 64K-pixel caps) and their small versions, the damaged ones among them.
make_file_seeds() {
  local d=$build/seeds f
  for f in fixtures/*.gif "$build"/small/*.gif; do [ -f "$f" ] || continue; cp "$f" "$d/fuzz_gif_read/"; done
  for f in fixtures/*.webp "$build"/small/*.webp; do [ -f "$f" ] || continue; cp "$f" "$d/fuzz_webpdec/"; done
  # HTTP: port, path, Host, Origin, token, name size, query arguments (NUL-separated).
  local i=0 line
  while IFS= read -r line; do
    printf '%b' "$line" > "$d/fuzz_http/$((i++))"
  done < fuzz/http_seeds.txt
}

# The frame cache and the writers: a few header bytes, then a fixture's bytes as the
# operations and pixels (fcache), or as the frames' fields, palettes and indices (a GIF's
# colour table is a real palette; its LZW data, noise).
make_writer_seeds() {
  local d=$build/seeds i=0 f hdr
  for f in fixtures/*.gif fixtures/*.apng fixtures/*.webp; do
    for hdr in '\x1f\x0f' '\x00\x00' '\x3f\x1f'; do
      { printf '%b' "$hdr"; head -c 3000 "$f"; } > "$d/fuzz_fcache/$((i++))"
    done
  done
  printf '\x07\x03\x00\x00\x04\x02\x05\x02\x03\x01\x02\x09\x02\x00' > "$d/fuzz_fcache/$((i++))"
  i=0
  for f in fixtures/*.gif fixtures/*.apng; do
    for hdr in '\x1f\x1f\x00\x03' '\x0f\x07\xff\x07' '\x1f\x11\x02\x00'; do
      { printf '%b' "$hdr"; head -c 8000 "$f"; } > "$d/fuzz_gif_write/$((i++))"
    done
  done
  # WebP writer: 16x16, 4 frames, lossless / lossy / mixed and fast, each frame a duration
  # byte and a fixture's picture in RGBA (ffmpeg), 1024 bytes.
  i=0
  local rgba=$build/small/frames.rgba k mode
  for f in fixtures/*.gif fixtures/*.apng fixtures/*.mp4 fixtures/*.webm; do
    ffmpeg -nostdin -v error -y -i "$f" -frames:v 4 -vf scale=16:16 -f rawvideo -pix_fmt rgba \
      "$rgba" 2>/dev/null || continue
    for mode in '\x01' '\x50' '\x06'; do
      { printf '\x0f\x0f\x03%b' "$mode"
        for k in 0 1 2 3; do printf '\x04'; tail -c +$((k * 1024 + 1)) "$rgba" | head -c 1024; done
      } > "$d/fuzz_webp_write/$((i++))"
    done
  done
}

# A target's dictionary: its own, or its family's (the GIF reader and WebP decoder share the
# whole-pipeline targets'); fuzz_http's gets every option name of `gifc --help` as "NAME=".
dict_of() {
  case "$1" in
    fuzz_gif_read) echo fuzz/fuzz_gif.dict ;;
    fuzz_webpdec) echo fuzz/fuzz_webp.dict ;;
    fuzz_http)
      { cat fuzz/fuzz_http.dict
        "$build/gifc" --help 2>/dev/null | grep -o -- '--[a-z][a-z-]*' | sort -u |
          sed 's/^--\(.*\)/"\1="/'
      } > "$build/fuzz_http.dict"
      echo "$build/fuzz_http.dict" ;;
    *) [ -f "fuzz/$1.dict" ] && echo "fuzz/$1.dict" ;;
  esac
  return 0
}

# Runs one target; prints its line and returns non-zero on a finding.
run_target() {
  local t=$1 log="$build/logs/$1.log" dict=() df
  df=$(dict_of "$t")
  [ -n "$df" ] && dict=(-dict="$df")
  local tmp=$build/tmp/$t # per target: two campaigns may run side by side
  rm -rf "$tmp" && mkdir -p "$tmp" "$build/logs" "$build/artifacts"
  local rc=0 started=$SECONDS kept=()
  # The corpus kept in git (fuzz/corpus/TARGET, minimised) is read too, unless FUZZ_FRESH.
  [ -z "${FUZZ_FRESH:-}" ] && [ -d "fuzz/corpus/$t" ] && kept=("fuzz/corpus/$t")
  # TMPDIR: gifc_convert_memory's temporary output files stay in the build dir.
  TMPDIR="$tmp" LSAN_OPTIONS="suppressions=$PWD/fuzz/lsan.supp:print_suppressions=0" \
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-14/bin/llvm-symbolizer \
    "$build/fuzz/$t" -max_total_time="$secs" -timeout=25 -rss_limit_mb=2560 ${FUZZ_MAX_LEN:+-max_len=$FUZZ_MAX_LEN} \
    -print_final_stats=1 -artifact_prefix="$build/artifacts/$t-" ${FUZZ_SEED:+-seed=$FUZZ_SEED} \
    "${dict[@]}" "$build/corpus/$t" "$build/seeds/$t" "${kept[@]}" > "$log" 2>&1 || rc=$?
  # libFuzzer prints its final stats on a finding too, but no "Done N runs" line.
  local execs rss cov took=$((SECONDS - started)) crashes=0
  execs=$(awk '/^stat::number_of_executed_units/{print $NF}' "$log")
  rss=$(awk '/^stat::peak_rss_mb/{print $NF}' "$log")
  # Edges: the last "cov:" libFuzzer printed (its coverage counter, over the whole binary).
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | awk '{print $2}')
  [ $rc -ne 0 ] && crashes=1
  echo "fuzz: $t: $took s, ${execs:-?} execs ($(( ${execs:-0} / (took > 0 ? took : 1) ))/s)," \
       "${cov:-?} edges, $crashes crashes, peak rss ${rss:-?} MB"
  if [ $rc -ne 0 ]; then
    local what artifact
    what=$(grep -m1 -E '^==[0-9]+==ERROR|^SUMMARY|runtime error|^fuzz_|ALARM|out-of-memory' \
           "$log" || echo "exit status $rc")
    artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | head -1)
    echo "fuzz: $t FAILED: $what" >&2
    echo "fuzz: $t reproducer: ${artifact:-none written}; log: $log" >&2
    return 1
  fi
}

# Merges a run's new inputs into fuzz/corpus/TARGET (libFuzzer -merge=1 keeps only inputs
# that add coverage, so the kept corpus stays small: a few MB in all). Not with FUZZ_FRESH
# (CI), whose short runs should not change the work tree.
merge_finds() {
  local t=$1
  [ -z "${FUZZ_FRESH:-}" ] || return 0
  mkdir -p "fuzz/corpus/$t"
  mkdir -p "$build/tmp/$t"
  LSAN_OPTIONS="suppressions=$PWD/fuzz/lsan.supp:print_suppressions=0" TMPDIR="$build/tmp/$t" \
    "$build/fuzz/$t" -merge=1 -timeout=25 -rss_limit_mb=2560 "fuzz/corpus/$t" "$build/corpus/$t" \
    > "$build/logs/$t.merge.log" 2>&1 ||
    echo "fuzz: $t: merge into fuzz/corpus failed (log: $build/logs/$t.merge.log)" >&2
}

[ -n "${FUZZ_KEEP_SEEDS:-}" ] && [ -d "$build/seeds" ] || make_seeds
ok=0 failed=0
for t in "${targets[@]}"; do
  if run_target "$t"; then ok=$((ok + 1)); else failed=$((failed + 1)); fi
  merge_finds "$t"
  rm -rf "${build:?}/tmp/$t"
done
echo "Ok: $ok"
echo "Fail: $failed"
[ $failed -eq 0 ]
