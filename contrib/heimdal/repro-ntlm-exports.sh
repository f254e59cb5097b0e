#!/usr/bin/env bash
# repro-ntlm-exports.sh [--libdir DIR]: does this machine's libheimntlm
# export the functions its header declares?  (The bug 0002-*.patch fixes.)
#
# Compiles repro-ntlm-exports.c against the installed Heimdal headers
# (pkg-config heimdal-krb5), which declare heim_ntlm_v2_base_session,
# heim_ntlm_keyex_unwrap/_wrap, heim_ntlm_unix2ts_time and five more, then
# links it against the installed libheimntlm.so
# (/usr/lib/x86_64-linux-gnu/heimdal) and, if that works, runs its
# MS-NLMP 4.2.4 known-answer checks.
#
#   --libdir DIR   link and run against DIR/libheimntlm.so.0 instead,
#                  e.g. one built with the patch
#
# Prints "NOT EXPORTED" (with the linker's undefined references) or
# "exported" as its last line.
# Exit status: 0 all nine link and the checks pass, 1 the link fails on
# undefined references (bug present), 2 anything else (no compiler, the
# program does not compile, a known-answer check fails).
# Writes only to a temporary directory it removes.
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
WORK=$(mktemp -d /tmp/heimntlm-exports.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

PKG_CFLAGS=$(pkg-config --cflags heimdal-krb5) || { echo "pkg-config heimdal-krb5 failed" >&2; exit 2; }
read -ra CFLAGS <<<"$PKG_CFLAGS"
# -Werror=implicit-function-declaration: the header must declare them all,
# so a link failure can only mean the library does not export them.
if ! gcc -std=gnu11 -Wall -Werror "${CFLAGS[@]}" -c -o "$WORK/repro.o" \
	"$HERE/repro-ntlm-exports.c" 2>"$WORK/cc.log"; then
	cat "$WORK/cc.log" >&2
	echo "the reproducer does not compile: could not tell" >&2
	exit 2
fi

if [ -n "$LIBDIR" ]; then
	LIB=("$LIBDIR/libheimntlm.so.0")
	export LD_LIBRARY_PATH=$LIBDIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
else
	LIB=(-L/usr/lib/x86_64-linux-gnu/heimdal -lheimntlm)
fi
if ! gcc -o "$WORK/repro" "$WORK/repro.o" "${LIB[@]}" 2>"$WORK/ld.log"; then
	if grep -q 'undefined reference' "$WORK/ld.log"; then
		grep -o "undefined reference to \`[a-z0-9_]*'" "$WORK/ld.log" | sort -u
		echo "NOT EXPORTED"
		exit 1
	fi
	cat "$WORK/ld.log" >&2
	echo "link failed for another reason: could not tell" >&2
	exit 2
fi
echo "libheimntlm used: $(ldd "$WORK/repro" | awk '/libheimntlm/ {print $3}')"
if ! "$WORK/repro"; then
	echo "linked, but a known-answer check failed" >&2
	exit 2
fi
echo "exported"
exit 0
