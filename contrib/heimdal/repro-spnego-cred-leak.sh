#!/usr/bin/env bash
# repro-spnego-cred-leak.sh [--rounds N] [--libdir DIR]: does this machine's
# Heimdal libgssapi leak when a SPNEGO initiator credential is acquired
# and released?  (The bugs 0003-*.patch fixes, in the NTLM mechanism
# SPNEGO acquires a credential of.)
#
# Compiles repro-spnego-cred-leak.c with AddressSanitizer against the
# installed Heimdal (pkg-config heimdal-gssapi heimdal-krb5), then runs it
# in two cases, each once with 1 round and once with N rounds:
#   no-ntlm-key  a ccache with a TGT but no NTLM key (any kinit's ccache):
#                the NTLM mechanism fails and loses the user name, the
#                domain and the "ntlm-key-DOMAIN" string;
#   ntlm-file    NTLM_USER_FILE names a file with the user's password:
#                the NTLM mechanism succeeds and gss_release_cred loses
#                its credential structure.
# A leak counts when LeakSanitizer's allocation stack runs through
# gss_acquire_cred; the script prints the leaked allocations of 1 and of
# N rounds, so a per-call leak shows as a count that grows with N.
#
#   --rounds N     rounds of the second run (default 8)
#   --libdir DIR   run against the libgssapi.so.3 in DIR instead
#                  (LD_LIBRARY_PATH), e.g. one built with the patch
#
# Prints "LEAK REPRODUCED" or "no leak" as its last line.
# Exit status: 0 no leak (the library is fixed), 1 leak reproduced,
# 2 could not tell (build failed, an acquisition failed, LeakSanitizer
# reported leaks elsewhere).  Needs gcc, pkg-config and heimdal-multidev;
# contacts no KDC; writes only to a temporary directory it removes.
set -euo pipefail

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
LIBDIR=
ROUNDS=8
while [ $# -gt 0 ]; do
	case $1 in
	--libdir) [ $# -ge 2 ] || { usage >&2; exit 2; }; LIBDIR=$2; shift 2 ;;
	--rounds) [ $# -ge 2 ] || { usage >&2; exit 2; }; ROUNDS=$2; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
	esac
done
case $ROUNDS in ''|*[!0-9]*) echo "--rounds needs a number" >&2; exit 2 ;; esac
if [ "$ROUNDS" -lt 2 ]; then
	echo "--rounds must be at least 2" >&2
	exit 2
fi
if [ -n "$LIBDIR" ] && [ ! -e "$LIBDIR/libgssapi.so.3" ]; then
	echo "no libgssapi.so.3 in $LIBDIR" >&2
	exit 2
fi

HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/heimgss-leak.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

PKG_CFLAGS=$(pkg-config --cflags heimdal-gssapi heimdal-krb5) || { echo "pkg-config heimdal-gssapi failed" >&2; exit 2; }
PKG_LIBS=$(pkg-config --libs heimdal-gssapi heimdal-krb5)
read -ra CFLAGS <<<"$PKG_CFLAGS"
read -ra LIBS <<<"$PKG_LIBS"
if ! gcc -g -O0 -Wall -Wextra -fsanitize=address -fno-omit-frame-pointer "${CFLAGS[@]}" \
	-o "$WORK/repro" "$HERE/repro-spnego-cred-leak.c" "${LIBS[@]}" 2>"$WORK/cc.log"; then
	cat "$WORK/cc.log" >&2
	echo "could not build the reproducer" >&2
	exit 2
fi

if [ -n "$LIBDIR" ]; then
	export LD_LIBRARY_PATH=$LIBDIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
fi
echo "libgssapi used: $(ldd "$WORK/repro" | awk '/libgssapi/ {print $3}')"

printf 'SAMDOM:alice:not-a-real-password\n' >"$WORK/ntlm-user-file"
PRINCIPAL=alice@SAMDOM.EXAMPLE.COM

# run CASE ROUNDS: prints the number of leaked allocations under
# gss_acquire_cred; exits 2 from the script when it cannot tell.
# fast_unwind_on_malloc=0: libgssapi is built without frame pointers, so
# only the slow unwinder sees gss_acquire_cred on the allocation stack.
run() {
	local kase=$1 rounds=$2 log=$WORK/$1.$2.log rc
	rm -f "$WORK/cc"
	set +e
	if [ "$kase" = ntlm-file ]; then
		NTLM_USER_FILE=$WORK/ntlm-user-file \
		ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0:exitcode=23 \
			"$WORK/repro" "FILE:$WORK/cc" "$PRINCIPAL" "$rounds" >"$log" 2>&1
	else
		env -u NTLM_USER_FILE \
		ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0:exitcode=23 \
			"$WORK/repro" "FILE:$WORK/cc" "$PRINCIPAL" "$rounds" >"$log" 2>&1
	fi
	rc=$?
	set -e
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 23 ]; then
		cat "$log" >&2
		echo "reproducer failed in case $kase (exit $rc): could not tell" >&2
		exit 2
	fi
	# Each leak record: "Direct leak of B byte(s) in K object(s)" then
	# its stack; sum K over records whose stack has gss_acquire_cred.
	awk '
		/^(Direct|Indirect) leak of/ { flush(); k = $(NF-3) + 0; inrec = 1; hit = 0; next }
		inrec && /gss_acquire_cred/ { hit = 1 }
		inrec && /^$/ { flush() }
		function flush() { if (inrec && hit) n += k; inrec = 0; hit = 0 }
		END { flush(); print n + 0 }
	' "$log"
}

total=0
for kase in no-ntlm-key ntlm-file; do
	one=$(run "$kase" 1)
	many=$(run "$kase" "$ROUNDS")
	printf '%-12s leaked allocations under gss_acquire_cred: %s after 1 round, %s after %s rounds\n' \
		"$kase" "$one" "$many" "$ROUNDS"
	if [ "$many" -gt 0 ]; then
		grep -E '^(Direct|Indirect) leak|^SUMMARY' "$WORK/$kase.$ROUNDS.log" | sed 's/^/    /'
	fi
	if [ "$many" -eq 0 ] && grep -q '^SUMMARY: AddressSanitizer' "$WORK/$kase.$ROUNDS.log"; then
		grep -E '^(Direct|Indirect) leak|^SUMMARY|^    #' "$WORK/$kase.$ROUNDS.log" >&2
		echo "LeakSanitizer reported leaks elsewhere in case $kase: could not tell" >&2
		exit 2
	fi
	total=$((total + many))
done
if [ "$total" -gt 0 ]; then
	echo "LEAK REPRODUCED"
	exit 1
fi
echo "no leak"
exit 0
