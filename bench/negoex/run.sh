#!/usr/bin/env bash
# run.sh: the NEGOEX codec benchmark, ours against MIT krb5's own NEGOEX code
# on the same messages (bench/negoex/README.md).
#
#   bench/negoex/run.sh            # ITER=100000 EX_ITER=2000 REPS=7 by default
#
# Builds MIT krb5 (static libraries) from .deps/krb5 into $MIT_BUILD
# (default /tmp/negoex-bench-mit, reused when already built; never in the
# tree), compiles bench_negoex_mit.c against it, cuts the messages out of
# the repository's vectors with negoex-dump --json, runs both programs
# pinned to one CPU and prints one table.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
ITER=${ITER:-100000}
REPS=${REPS:-7}
EX_ITER=${EX_ITER:-2000}
MIT_SRC=${MIT_SRC:-$top/.deps/krb5/src}
MIT_BUILD=${MIT_BUILD:-/tmp/negoex-bench-mit}
work=$(mktemp -d /tmp/negoex-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

[ -f "$MIT_SRC/lib/gssapi/spnego/negoex_util.c" ] ||
	{ echo "run.sh: no MIT krb5 source at $MIT_SRC (tools/bootstrap.sh fetches it)" >&2; exit 1; }

echo "== building ours (tools/waf build)"
(cd "$top" && tools/waf build >/dev/null)
OURS=$top/build/bench/negoex/bench_negoex
DUMP=$top/build/negoex-dump

if [ ! -f "$MIT_BUILD/lib/libgssapi_krb5.a" ]; then
	echo "== building MIT krb5 static libraries in $MIT_BUILD (a few minutes, once)"
	mkdir -p "$MIT_BUILD"
	(cd "$MIT_BUILD" &&
		"$MIT_SRC/configure" --enable-static --disable-shared --disable-rpath \
			--without-ldap --without-keyutils --with-crypto-impl=builtin \
			--without-libedit --without-readline >cfg.log 2>&1 &&
		make -j"$(nproc)" -C util >mk-util.log 2>&1 &&
		make -j"$(nproc)" -C include >mk-include.log 2>&1 &&
		make -j"$(nproc)" -C lib/crypto >mk-crypto.log 2>&1 &&
		make -j"$(nproc)" -C lib/krb5 >mk-krb5.log 2>&1 &&
		make -j"$(nproc)" -C lib/gssapi >mk-gssapi.log 2>&1) ||
		{ echo "run.sh: the MIT build failed; see $MIT_BUILD/*.log" >&2; exit 1; }
fi
echo "== compiling bench_negoex_mit.c against it"
cc -O2 -DHAVE_CONFIG_H -D_GSS_STATIC_LINK=1 -DKRB5_PRIVATE -o "$work/bench_negoex_mit" "$top/bench/negoex/bench_negoex_mit.c" \
	-I"$MIT_BUILD/include" -I"$MIT_SRC/include" \
	-I"$MIT_BUILD/lib/gssapi/generic" -I"$MIT_SRC/lib/gssapi/generic" \
	-I"$MIT_BUILD/lib/gssapi/krb5" -I"$MIT_SRC/lib/gssapi/krb5" \
	-I"$MIT_SRC/lib/gssapi/mechglue" -I"$MIT_SRC/lib/gssapi/spnego" \
	-L"$MIT_BUILD/lib" -lgssapi_krb5 -lkrb5 -lk5crypto -lcom_err -lkrb5support \
	-lresolv -ldl -pthread

# The messages: MIT's own tokens (tests/vectors/spnego/mit_spnego.txt), cut
# into single messages with negoex-dump --json; the Windows ACCEPTOR_NEGO
# and ACCEPTOR_META_DATA; an ALERT as MIT builds it.
echo "== cutting the messages"
vec() { sed -n "s/^$1 = //p" "$top/tests/vectors/spnego/mit_spnego.txt"; }
cut_messages() { # NAME INPUT...
	local name=$1
	shift
	"$DUMP" --json "$@" >"$work/$name.json"
	"$DUMP" "$@" >/dev/null # the token must be valid
	python3 - "$work/$name.json" "$work" "$name" "$(printf '%s' "$*")" <<'EOF'
import json, sys, subprocess
d = json.load(open(sys.argv[1]))
work, name, arg = sys.argv[2], sys.argv[3], sys.argv[4]
raw = bytes.fromhex(arg) if all(c in "0123456789abcdef" for c in arg) else open(arg, "rb").read()
for i, m in enumerate(d["negoex"]["messages"]):
    off, n = m["offset"], m["MESSAGE_HEADER"]["cbMessageLength"]
    open("%s/%s_%d_%s.bin" % (work, name, i, m["MESSAGE_HEADER"]["MessageType"]["name"]), "wb").write(raw[off:off + n])
EOF
}
cut_messages mit-init "$(vec MIT_HOPS1_INIT)"
cut_messages mit-acc "$(vec MIT_HOPS1_RESP)"
cut_messages mit-acc2 "$(vec MIT_HOPS2_RESP1)"
cut_messages windows "$top/tests/vectors/negoex/windows_acceptor_nego_metadata.bin"
"$work/bench_negoex_mit" --write-alert "$work/mit-alert_0_ALERT.bin"
msgs=$(ls "$work"/mit-init_* "$work"/mit-acc_* "$work"/mit-acc2_*CHALLENGE* "$work"/mit-alert_* "$work"/windows_*)

pin=()
command -v taskset >/dev/null && pin=(taskset -c 0)
echo "== running (ITER=$ITER REPS=$REPS, median ns per operation)"
"${pin[@]}" "$OURS" "$ITER" "$REPS" $msgs >"$work/ours.txt"
"${pin[@]}" "$work/bench_negoex_mit" "$ITER" "$REPS" $msgs >"$work/mit.txt"

# The full exchange: SPNEGO with NEGOEX, initiator against acceptor in one
# process, one test scheme, HOPS=1: ours, and MIT's libgssapi_krb5 with its
# negoextest plugin (built as the interop tests build it, negoex_mit.sh).
echo "== the full exchange (EX_ITER=$EX_ITER REPS=$REPS)"
IT_TOP=$top IT_WORK=$work
# shellcheck disable=SC1091
source "$top/tests/integration/negoex_mit.sh"
mit_build >/dev/null
cc -O2 -o "$work/bench_negoex_mit_exchange" "$top/bench/negoex/bench_negoex_mit_exchange.c" \
	$(pkg-config --cflags --libs mit-krb5-gssapi)
"${pin[@]}" env HOPS=1 "$top/build/bench/negoex/bench_negoex_exchange" "$EX_ITER" "$REPS" \
	>"$work/ex.txt"
"${pin[@]}" env HOPS=1 "$top/build/bench/negoex/bench_negoex_exchange" --shared-context \
	"$EX_ITER" "$REPS" >>"$work/ex.txt"
"${pin[@]}" env HOPS=1 GSS_MECH_CONFIG="$work/gss_mech.$MIT_OID2" \
	"$work/bench_negoex_mit_exchange" "$EX_ITER" "$REPS" >>"$work/ex.txt"

printf '\n%-34s %5s  %10s %10s %6s  %10s %10s %6s  %s\n' message bytes \
	"ours parse" "MIT parse" ratio "ours build" "MIT build" ratio "rebuilt bytes (ours/MIT)"
join <(sort "$work/ours.txt") <(sort "$work/mit.txt") |
	while read -r file type len op ob oid mtype mlen mp mb mid; do
		printf '%-34s %5s  %10s %10s %6s  %10s %10s %6s  %s/%s\n' \
			"$(basename "$file" .bin)" "$len" "$op" "$mp" \
			"$(awk "BEGIN{printf \"%.2f\", $op/$mp}")" "$ob" "$mb" \
			"$(awk "BEGIN{printf \"%.2f\", $ob/$mb}")" "$oid" "$mid"
	done
echo
echo "ratio = ours / MIT (below 1: ours is faster).  $(uname -m), $(nproc) CPU(s), $(date -u +%F)."
echo
printf '%-34s %14s %14s\n' "full exchange (SPNEGO+NEGOEX)" "exchanges/s" "us/exchange"
while read -r who rate us; do printf '%-34s %14s %14s\n' "$who" "$rate" "$us"; done <"$work/ex.txt"
