#!/usr/bin/env bash
# Installs what gifc needs on Debian 12 (as root, or through sudo), then builds it into
# ./build. Re-running only installs what is missing and rebuilds what changed.
#   bash scripts/setup.sh            release build in ./build
#   MESON_ARGS="-Dwerror=true" ...   extra `meson setup` arguments for a fresh build dir
#   BUILD_DIR=build-asan ...         another build directory
#   EXTRA_PACKAGES="clang ..." ...   more Debian packages (scripts/fuzz.sh: clang, libFuzzer)
#   GIFC_BROWSER_TESTS=1 ...         also the browser test's chromium, node and playwright-core
#                                    (tests/browser/; .ci/run sets it)
set -euo pipefail
cd "$(dirname "$0")/.."

# Build: compiler, meson; libraries: FFmpeg 5.1, libimagequant, giflib, libwebp, libavif
# (AVIF output; Debian 12 builds it with the aom, rav1e and SVT-AV1 encoders), and for
# captions FreeType and fontconfig.
# Fonts for captions: DejaVu Sans (Latin, Greek, Cyrillic; 3 MB) is the default face;
# WenQuanYi Micro Hei (1.6 MB download, 5 MB installed) covers Chinese, Japanese kana and
# Korean hangul, so CJK captions draw (and their test runs) without fonts-noto-cjk's
# 57 MB download / 91 MB installed. Install fonts-noto-cjk for nicer Japanese forms: it
# is picked up by fontconfig without any change here.
# Tests and benchmarks: the ffmpeg CLI (an independent decoder and the SSIM yardstick),
# fontconfig's fc-list (the CJK test asks it whether a font covers the text).
packages=(build-essential meson ninja-build pkg-config
          libavformat-dev libavcodec-dev libavutil-dev libswscale-dev
          libimagequant-dev libgif-dev libwebp-dev libfreetype-dev libfontconfig-dev
          fontconfig fonts-dejavu-core fonts-wqy-microhei ffmpeg python3
          libmicrohttpd-dev libavif-dev)
# gifc serve: libmicrohttpd (above). Its browser test: Debian's chromium, driven by
# playwright-core from npm (pinned in tests/browser/package-lock.json).
# A machine whose Node.js comes from elsewhere (NodeSource's nodejs bundles npm and
# conflicts with Debian's npm package) keeps it: Debian's are installed only when there is
# no npm at all.
if [ "${GIFC_BROWSER_TESTS:-}" = 1 ]; then
  packages+=(chromium)
  command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
fi
# shellcheck disable=SC2206
packages+=(${EXTRA_PACKAGES:-})

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  sudo=()
  [ "$(id -u)" -ne 0 ] && sudo=(sudo)
  "${sudo[@]}" apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

if [ "${GIFC_BROWSER_TESTS:-}" = 1 ] && [ ! -d tests/browser/node_modules/playwright-core ]; then
  echo "setup: installing playwright-core into tests/browser/node_modules" >&2
  (cd tests/browser && npm ci --no-audit --no-fund >/dev/null)
fi

build=${BUILD_DIR:-build}
if [ ! -f "$build/build.ninja" ]; then
  # shellcheck disable=SC2086
  meson setup "$build" ${MESON_ARGS:-} >/dev/null
fi
ninja -C "$build" >/dev/null
echo "setup: built $build/gifc" >&2
