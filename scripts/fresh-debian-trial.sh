#!/usr/bin/env bash
# Tries README's two quick-start commands as a new user would: on a fresh, minimal Debian 12
# (debootstrap --variant=minbase bookworm), with the clone under /root, run as root.
#   sudo bash scripts/fresh-debian-trial.sh [ROOTFS] [REF]
#     ROOTFS  where the Debian root goes (default /work/chroot-try); reused when it already
#             holds a bootstrapped root that this script has not used yet, else made anew
#     REF     what to clone from this repository (default HEAD)
# Needs root, debootstrap (apt-get install debootstrap) and Debian's archive. Prints each
# command's time and exit status and a summary; the logs stay in ROOTFS/root/trial-*.log.
# Exit status: 0 when both commands pass.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
rootfs=${1:-/work/chroot-try}
ref=${2:-HEAD}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

[ "$(id -u)" -eq 0 ] || { echo "fresh-debian-trial: run as root" >&2; exit 2; }
command -v debootstrap >/dev/null || { echo "fresh-debian-trial: apt-get install debootstrap" >&2; exit 2; }

if [ ! -x "$rootfs/bin/bash" ] || [ -e "$rootfs/root/gifc" ]; then
  rm -rf "$rootfs"
  t0=$(date +%s)
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$rootfs.debootstrap.log" 2>&1
  echo "fresh-debian-trial: debootstrap $(($(date +%s) - t0)) s" >&2
fi

# The clone, as a new user makes it (only the committed tree: no build, no local files).
git clone -q "$repo" "$rootfs/root/gifc"
git -C "$rootfs/root/gifc" checkout -q "$(git -C "$repo" rev-parse "$ref")"
chmod 700 "$rootfs/root"
cp /etc/resolv.conf "$rootfs/etc/resolv.conf"

mounts=()
cleanup() {
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount -l "${mounts[i]}" || true; done
}
trap cleanup EXIT
for m in proc sys dev dev/pts; do
  mkdir -p "$rootfs/$m"
  case $m in
    proc) mount -t proc proc "$rootfs/proc" ;;
    sys) mount -t sysfs sys "$rootfs/sys" ;;
    *) mount --bind "/$m" "$rootfs/$m" ;;
  esac
  mounts+=("$rootfs/$m")
done

status=0
run() {  # name, command: run inside the root, in /root/gifc, as root with a clean env
  local name=$1 cmd=$2 t0 rc
  t0=$(date +%s)
  set +e
  chroot "$rootfs" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin \
    TERM=dumb LANG=C.UTF-8 /bin/bash -c "cd /root/gifc && $cmd" \
    >"$rootfs/root/trial-$name.log" 2>&1
  rc=$?
  set -e
  echo "fresh-debian-trial: $name: exit $rc in $(($(date +%s) - t0)) s: $cmd" >&2
  [ "$rc" -eq 0 ] || { status=1; tail -40 "$rootfs/root/trial-$name.log" >&2; }
}
# README's quick start, word for word.
run convert 'bash scripts/setup.sh && build/gifc -f fixtures/h264_aac_320x180_25fps_2s.mp4 -o demo.gif'
run test 'bash scripts/setup.sh && meson test -C build --print-errorlogs'
grep -E '^(Ok|Expected Fail|Fail|Unexpected Pass|Skipped|Timeout):' \
  "$rootfs/root/trial-test.log" >&2 || true
exit $status
