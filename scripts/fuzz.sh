#!/usr/bin/env bash
# Builds gifc's libFuzzer targets (fuzz/, clang, ASan + UBSan) into ./build-fuzz, makes their
# seed corpora from fixtures/, and runs each target in turn for a given time.
#   bash scripts/fuzz.sh                   every target, 60 s each
#   bash scripts/fuzz.sh 600 fuzz_mp4      one target for 10 minutes
#   FUZZ_SEED=1 ...                        fixed libFuzzer -seed (repeatable runs)
#   FUZZ_BUILD_DIR=build-fuzz2 ...         another build directory
#   FUZZ_FRESH=1 ...                       start from the seeds alone, not the corpus kept
#                                          from earlier runs (CI: a grown corpus would
#                                          make a short run's first pass longer every time)
# Installs what is missing (clang, libFuzzer's runtime, llvm-symbolizer, and what
# scripts/setup.sh installs) as root or through sudo. One line per target: seconds run,
# executions, crashes, peak RSS; then meson-style "Ok: N" / "Fail: N" lines that .ci/run
# adds to its test summary. Exits 1 when any target found a crash, leak, timeout or OOM;
# the reproducer's path is in the message (replay: build-fuzz/fuzz/TARGET FILE).
set -euo pipefail
cd "$(dirname "$0")/.."

secs=${1:-60}
[ $# -gt 0 ] && shift
all=(fuzz_gif fuzz_apng fuzz_webp fuzz_mp4 fuzz_mkv fuzz_cli_args)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all[@]}")
build=${FUZZ_BUILD_DIR:-build-fuzz}

# Debian 12: libFuzzer is in libclang-rt-14-dev; llvm-14 has the symbolizer for reports.
# A release build with assertions and debug info: findings need readable stacks.
CC=clang EXTRA_PACKAGES="clang libclang-rt-14-dev llvm-14" BUILD_DIR="$build" \
  MESON_ARGS="-Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false
              -Dbuildtype=debugoptimized" bash scripts/setup.sh

# Seeds: each family's fixtures, prefixed by option bytes (fuzz/fuzz_convert.c): GIF,
# MP4, GIF at the source's own timeline, GIF with the input kept as is, the budget search.
fixture_family() {
  case "$1" in
    *.gif) echo gif ;; *.apng) echo apng ;; *.webp) echo webp ;;
    *.mp4|*.mov|*.avi) echo mp4 ;; *.mkv|*.webm) echo mkv ;;
  esac
}
make_seeds() {
  rm -rf "$build/seeds"
  [ -n "${FUZZ_FRESH:-}" ] && rm -rf "$build/corpus"
  for t in "${all[@]}"; do mkdir -p "$build/seeds/$t" "$build/corpus/$t"; done
  for f in fixtures/*; do
    local fam
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
}

# Runs one target; prints its line and returns non-zero on a finding.
run_target() {
  local t=$1 log="$build/logs/$1.log" dict=()
  [ -f "fuzz/$t.dict" ] && dict=(-dict="fuzz/$t.dict")
  rm -rf "$build/tmp" && mkdir -p "$build/tmp" "$build/logs" "$build/artifacts"
  local rc=0 started=$SECONDS
  # TMPDIR: gifc_convert_memory's temporary output files stay in the build dir.
  TMPDIR="$build/tmp" LSAN_OPTIONS="suppressions=$PWD/fuzz/lsan.supp:print_suppressions=0" \
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-14/bin/llvm-symbolizer \
    "$build/fuzz/$t" -max_total_time="$secs" -timeout=25 -rss_limit_mb=2560 \
    -print_final_stats=1 -artifact_prefix="$build/artifacts/$t-" ${FUZZ_SEED:+-seed=$FUZZ_SEED} \
    "${dict[@]}" "$build/corpus/$t" "$build/seeds/$t" > "$log" 2>&1 || rc=$?
  # libFuzzer prints its final stats on a finding too, but no "Done N runs" line.
  local execs rss took=$((SECONDS - started)) crashes=0
  execs=$(awk '/^stat::number_of_executed_units/{print $NF}' "$log")
  rss=$(awk '/^stat::peak_rss_mb/{print $NF}' "$log")
  [ $rc -ne 0 ] && crashes=1
  echo "fuzz: $t: $took s, ${execs:-?} execs, $crashes crashes, peak rss ${rss:-?} MB"
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

make_seeds
ok=0 failed=0
for t in "${targets[@]}"; do
  if run_target "$t"; then ok=$((ok + 1)); else failed=$((failed + 1)); fi
done
rm -rf "$build/tmp"
echo "Ok: $ok"
echo "Fail: $failed"
[ $failed -eq 0 ]
