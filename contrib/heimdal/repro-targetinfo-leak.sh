#!/usr/bin/env bash
# repro-targetinfo-leak.sh [--libdir DIR]: does this machine's libheimntlm
# leak in heim_ntlm_decode_targetinfo()?  (The bug 0001-*.patch fixes.)
#
# Compiles repro-targetinfo-leak.c with AddressSanitizer against the
# installed Heimdal headers (pkg-config heimdal-krb5) and libheimntlm
# (/usr/lib/x86_64-linux-gnu/heimdal), runs it, and reads LeakSanitizer's
# report for blocks allocated under heim_ntlm_decode_targetinfo.
#
#   --libdir DIR   run against the libheimntlm.so.0 in DIR instead
#                  (LD_LIBRARY_PATH), e.g. one built with the patch
#
# Prints "LEAK REPRODUCED" or "no leak" as its last line.
# Exit status: 0 no leak (the library is fixed), 1 leak reproduced,
# 2 could not tell (build failed, unexpected decoder results, LeakSanitizer
# did not run).  Needs gcc, pkg-config and heimdal-multidev; writes only
# to a temporary directory it removes.
set -euo pipefail

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
LIBDIR=
while [ $# -gt 0 ]; do
	case $1 in
	--libdir) [ $# -ge 2 ] || { usage >&2; exit 2; }; LIBDIR=$2; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
	esac
done
if [ -n "$LIBDIR" ] && [ ! -e "$LIBDIR/libheimntlm.so.0" ]; then
	echo "no libheimntlm.so.0 in $LIBDIR" >&2
	exit 2
fi

HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/heimntlm-leak.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

PKG_CFLAGS=$(pkg-config --cflags heimdal-krb5) || { echo "pkg-config heimdal-krb5 failed" >&2; exit 2; }
read -ra CFLAGS <<<"$PKG_CFLAGS"
if ! gcc -g -O0 -fsanitize=address -fno-omit-frame-pointer "${CFLAGS[@]}" \
	-o "$WORK/repro" "$HERE/repro-targetinfo-leak.c" \
	-L/usr/lib/x86_64-linux-gnu/heimdal -lheimntlm 2>"$WORK/cc.log"; then
	cat "$WORK/cc.log" >&2
	echo "could not build the reproducer" >&2
	exit 2
fi

if [ -n "$LIBDIR" ]; then
	export LD_LIBRARY_PATH=$LIBDIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
fi
echo "libheimntlm used: $(ldd "$WORK/repro" | awk '/libheimntlm/ {print $3}')"

# fast_unwind_on_malloc=0: libheimntlm is built without frame pointers, so
# only the slow unwinder sees the decoder on the allocation stack.
set +e
ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0:exitcode=23 \
	"$WORK/repro" 2>"$WORK/asan.log"
rc=$?
set -e

if [ "$rc" -ne 0 ] && [ "$rc" -ne 23 ]; then
	cat "$WORK/asan.log" >&2
	echo "reproducer failed (exit $rc): could not tell" >&2
	exit 2
fi
if grep -q 'heim_ntlm_decode_targetinfo' "$WORK/asan.log"; then
	grep -E '^(Direct|Indirect) leak|heim_ntlm_decode_targetinfo|^SUMMARY' "$WORK/asan.log"
	echo "LEAK REPRODUCED"
	exit 1
fi
if [ "$rc" -eq 23 ]; then
	cat "$WORK/asan.log" >&2
	echo "LeakSanitizer reported leaks elsewhere: could not tell" >&2
	exit 2
fi
echo "no leak"
exit 0
