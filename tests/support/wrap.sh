#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# exe_wrapper of the valgrind test setup: runs a C test under $GIFC_WRAP, and the Python
# end-to-end tests as they are (they put $GIFC_WRAP in front of each gifc run themselves;
# valgrind on the interpreter would only find Python's own allocator).
case "$(basename "$1")" in
python*) exec "$@" ;;
*) exec $GIFC_WRAP "$@" ;;  # unquoted: GIFC_WRAP is a command with its options
esac
