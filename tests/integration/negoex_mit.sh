# negoex_mit.sh: MIT krb5's side of the NEGOEX interop tests, and the case
# runner.  Sourced after lib.sh (which gives $IT_TOP, $IT_WORK and the
# assertions of assert.sh).
#
# MIT's pieces are built at test time, never committed:
#   - the negoextest GSSAPI plugin (src/plugins/gssapi/negoextest/main.c)
#     from Debian's krb5 source package, which tools/bootstrap.sh unpacks
#     into .deps/krb5 at the version of the installed libkrb5-dev.  It
#     includes MIT's internal k5-int.h, so the source tree is configured
#     out of tree and only the headers that k5-int.h needs are generated
#     (com_err's compile_et, profile.h, krb5/krb5.h, osconf.h); the plugin
#     itself links against Debian's installed libgssapi_krb5 (pkg-config
#     mit-krb5-gssapi), the library the driver and MIT's SPNEGO use;
#   - the driver tests/tools/mit-gss-peer.c, against the same library.
# Both land in build/mit-krb5/<Debian version of libkrb5-dev>/: the first
# run configures MIT's tree (about 1.5 min), later runs reuse it and only
# recompile what changed.  A lock serialises concurrent runs.
#
# The plugin is registered twice, as MIT's src/tests/gssapi/t_negoex.py
# does, under two OIDs whose DER encodings (right-padded with zeros) are
# its two auth scheme GUIDs (negoextest main.c:gssspi_query_mechanism_info):
#   2.25.1414534758  c0a28569-66ac-0000-0000-000000000000  last octet 102
#   2.25.1175737388  d1b08469-2ca8-0000-0000-000000000000  last octet 44
# Its behaviour is steered by environment variables read in each process
# (HOPS, KEY, INIT_QUERY_FAIL=102, ...; see main.c); both sides of an
# exchange get the same settings, so a scheme on our side that is
# wire-compatible with negoextest reads the same names.
#
# Cases run through tests/tools/negoex_relay.py, which records every NEGOEX
# message on the wire in MIT's trace wording (its --transcript).
#
# Our side is build/tests/negoex-peer ($PEER_OURS), the NEGOEX engine with
# its SPNEGO framing (crypto/spnego) and the test scheme twin of negoextest.

MIT_OID1=2.25.1414534758
MIT_OID2=2.25.1175737388
MIT_SCHEME1=c0a28569-66ac
MIT_SCHEME2=d1b08469-2ca8
NX_RELAY="$IT_TOP/tests/tools/negoex_relay.py"
PEER_OURS=${PEER_OURS:-$IT_TOP/build/tests/negoex-peer}

# mit_build: build (or reuse) the plugin and the driver; sets MIT_PEER and
# MIT_PLUGIN, writes a GSS_MECH_CONFIG file for each scheme order.
# Exits the test with FAIL if anything is missing.
mit_build() {
	local src="$IT_TOP/.deps/krb5/src" kver cache tree plugin_src ver_script
	kver=$(dpkg-query -W -f='${Version}' libkrb5-dev 2>/dev/null) ||
		{ echo "FAIL libkrb5-dev is not installed (tools/bootstrap.sh installs it)"; exit 1; }
	plugin_src="$src/plugins/gssapi/negoextest/main.c"
	[ -f "$plugin_src" ] && [ -f "$IT_TOP/.deps/krb5-$kver.done" ] ||
		{ echo "FAIL MIT krb5 source $kver is not in .deps/krb5 (run tools/bootstrap.sh)"; exit 1; }
	pkg-config --exists mit-krb5-gssapi ||
		{ echo "FAIL pkg-config does not know mit-krb5-gssapi (krb5-multidev)"; exit 1; }
	cache="$IT_TOP/build/mit-krb5/$kver"
	tree="$cache/tree"
	mkdir -p "$cache" || { echo "FAIL cannot create $cache"; exit 1; }
	(
		flock 9
		if [ ! -f "$cache/headers.stamp" ]; then
			echo "building MIT krb5 $kver's headers for negoextest in $tree (once per version)"
			rm -rf "$tree" && mkdir -p "$tree" && cd "$tree" &&
				"$src/configure" --disable-rpath --disable-pkinit --without-ldap \
					--without-system-verto --without-libedit --disable-nls \
					>"$cache/configure.log" 2>&1 &&
				make -C util/et compile_et includes >"$cache/make.log" 2>&1 &&
				make -C util/profile includes >>"$cache/make.log" 2>&1 &&
				make -C include all >>"$cache/make.log" 2>&1 ||
				{ tail -20 "$cache/configure.log" "$cache/make.log" 2>/dev/null
				  echo "FAIL configuring MIT krb5's source"; exit 1; }
			touch "$cache/headers.stamp"
		fi
		if [ ! -f "$cache/gss_negoextest.so" ] || [ "$plugin_src" -nt "$cache/gss_negoextest.so" ]; then
			ver_script="$cache/negoextest.ver"
			{ echo '{ global:'; sed 's/$/;/' "${plugin_src%/main.c}/gss_negoextest.exports"
			  echo 'local: *; };'; } >"$ver_script"
			# shellcheck disable=SC2046
			gcc -shared -fPIC -O1 -g -I "$tree/include" -I "$src/include" \
				-o "$cache/gss_negoextest.so.new" "$plugin_src" \
				$(pkg-config --cflags --libs mit-krb5-gssapi) \
				-Wl,--version-script="$ver_script" -Wl,--no-undefined \
				>"$cache/plugin.log" 2>&1 &&
				mv "$cache/gss_negoextest.so.new" "$cache/gss_negoextest.so" ||
				{ cat "$cache/plugin.log"; echo "FAIL compiling negoextest"; exit 1; }
		fi
		if [ ! -x "$cache/mit-gss-peer" ] || [ "$IT_TOP/tests/tools/mit-gss-peer.c" -nt "$cache/mit-gss-peer" ]; then
			# shellcheck disable=SC2046
			gcc -std=gnu11 -O2 -g -Wall -Wextra -Werror -o "$cache/mit-gss-peer.new" \
				"$IT_TOP/tests/tools/mit-gss-peer.c" \
				$(pkg-config --cflags --libs mit-krb5-gssapi) >"$cache/peer.log" 2>&1 &&
				mv "$cache/mit-gss-peer.new" "$cache/mit-gss-peer" ||
				{ cat "$cache/peer.log"; echo "FAIL compiling mit-gss-peer"; exit 1; }
		fi
	) 9>"$cache.lock" || exit 1
	MIT_PEER="$cache/mit-gss-peer"
	MIT_PLUGIN="$cache/gss_negoextest.so"
	# The scheme order of each side is the order of its mechanism file.
	printf 'negoextest %s %s\n' "$MIT_OID1" "$MIT_PLUGIN" "$MIT_OID2" "$MIT_PLUGIN" \
		>"$IT_WORK/gss_mech.$MIT_OID1,$MIT_OID2"
	printf 'negoextest %s %s\n' "$MIT_OID2" "$MIT_PLUGIN" "$MIT_OID1" "$MIT_PLUGIN" \
		>"$IT_WORK/gss_mech.$MIT_OID2,$MIT_OID1"
	printf 'negoextest %s %s\n' "$MIT_OID2" "$MIT_PLUGIN" >"$IT_WORK/gss_mech.$MIT_OID2"
	# Nothing of the host's Kerberos set-up takes part.
	: >"$IT_WORK/krb5.conf"
	export KRB5_CONFIG="$IT_WORK/krb5.conf" KRB5CCNAME="FILE:$IT_WORK/no-ccache"
	export KRB5_KTNAME="FILE:$IT_WORK/no-keytab"
	unset KRB5_TRACE
}

# nx_peer_cmd KIND ROLE MECHS TRACE: one side's command line for the relay
# (KIND mit or ours; MECHS the comma-separated scheme OIDs in preference
# order; TRACE its KRB5_TRACE file).  MIT takes its schemes and their order
# from GSS_MECH_CONFIG (mit-gss-peer.c says why not gss_set_neg_mechs).
# Our negoex-peer (tests/tools/negoex-peer.c) has both test schemes in
# t_negoex.py's order unless told --reverse, the first N with --schemes N,
# SPNEGO framing by default, and --no-optimistic for MIT's
# NEGOEX_NO_OPTIMISTIC_TOKEN; it writes its message trace on standard error.
nx_peer_cmd() {
	if [ "$1" = mit ]; then
		printf 'env GSS_MECH_CONFIG=%q KRB5_TRACE=%q %q --role %q' \
			"$IT_WORK/gss_mech.$3" "$4" "$MIT_PEER" "$2"
		[ -n "${NX_BINDING[$2]:-}" ] && printf ' --channel-binding %q' "${NX_BINDING[$2]}"
		return 0
	fi
	printf '%q --spnego --role %q' "$PEER_OURS" "$2"
	case $3 in
	"$MIT_OID1,$MIT_OID2") ;;
	"$MIT_OID2,$MIT_OID1") printf ' --reverse' ;;
	"$MIT_OID1") printf ' --schemes 1' ;;
	"$MIT_OID2") printf ' --schemes 1 --reverse' ;;
	*) echo "nx_peer_cmd: no negoex-peer options for the schemes $3" >&2; return 1 ;;
	esac
	[ "$2" = initiator ] && [ -n "$NX_NO_OPTIMISTIC" ] && printf ' --no-optimistic'
	return 0
}

declare -A NX_BINDING=()
NX_INIT_MECHS="$MIT_OID1,$MIT_OID2"
NX_ACC_MECHS="$MIT_OID1,$MIT_OID2"

# nx_run LABEL IKIND AKIND [VAR=VALUE...]: one exchange, the initiator of
# kind IKIND (mit|ours) against the acceptor of kind AKIND, both with the
# given environment and NX_INIT_MECHS / NX_ACC_MECHS / NX_BINDING[role].
# Leaves the relay's output in $NX_DIR/relay.out, the wire transcript in
# $NX_DIR/wire, the traces in $NX_DIR/{initiator,acceptor}.trace; sets NX_RC
# (the relay's exit status) and NX_TAG ("[mit→ours]").  NX_TAMPER=N: the
# relay flips a bit of the VERIFY checksum in the N-th token.
nx_run() {
	local label=$1 ikind=$2 akind=$3
	shift 3
	NX_TAG="[$ikind→$akind]"
	NX_DIR="$IT_WORK/cases/${label// /_}.$ikind-$akind"
	NX_LABEL="$label $NX_TAG"
	NX_KINDS=([initiator]=$ikind [acceptor]=$akind)
	NX_NO_OPTIMISTIC=
	[[ " $* " == *" NEGOEX_NO_OPTIMISTIC_TOKEN="* ]] && NX_NO_OPTIMISTIC=1
	mkdir -p "$NX_DIR"
	env "$@" /usr/bin/python3 "$NX_RELAY" --timeout 60 ${NX_TAMPER:+--tamper-verify "$NX_TAMPER"} \
		--transcript "$NX_DIR/wire" --tokens "$NX_DIR/tokens" \
		--initiator "$(nx_peer_cmd "$ikind" initiator "$NX_INIT_MECHS" "$NX_DIR/initiator.trace")" \
		--acceptor "$(nx_peer_cmd "$akind" acceptor "$NX_ACC_MECHS" "$NX_DIR/acceptor.trace")" \
		>"$NX_DIR/relay.out" 2>"$NX_DIR/relay.err"
	NX_RC=$?
}
declare -A NX_KINDS=()

# nx_outcome success | failure ROLE MESSAGE: how the last exchange ended.
# A failure must be a clean one (relay exit 1: an ERROR, never a crash, a
# protocol violation or the timeout) in which ROLE says ERROR; when ROLE is
# MIT, its message names MESSAGE (t_negoex.py's expected_msg); our side
# words its errors its own way, and the line is shown.
nx_outcome() {
	local line
	if [ "$1" = success ]; then
		if [ "$NX_RC" -eq 0 ]; then ok "$NX_LABEL: both sides established"
		else bad "$NX_LABEL: not established (relay exit $NX_RC)"; nx_show; fi
		return
	fi
	line=$(grep -m1 "^$2: ERROR" "$NX_DIR/relay.out")
	if [ "$NX_RC" -ne 1 ] || [ -z "$line" ]; then
		bad "$NX_LABEL: want a clean failure of the $2 (relay exit $NX_RC)"; nx_show
	elif [ "${NX_KINDS[$2]}" = mit ] && [[ $line != *"$3"* ]]; then
		bad "$NX_LABEL: MIT's $2 fails, but not with '$3'"; nx_show
	elif [ "${NX_KINDS[$2]}" = mit ]; then
		ok "$NX_LABEL: the $2 fails cleanly with '$3'"
	else
		line=${line#*: ERROR } line=${line%, exit *}
		ok "$NX_LABEL: the $2 (ours) fails cleanly: $line"
	fi
}

nx_show() {
	sed 's/^/     | /' "$NX_DIR/relay.out" "$NX_DIR/relay.err" | tail -15
}

# nx_seq WHAT MSG...: MSG... appear in this order in the wire transcript
# (each as a substring of a line, in the order of the lines, other lines
# between them allowed): k5test.py's _check_trace, which t_negoex.py's
# expected_trace uses.
nx_seq() {
	local what=$1 i=0 line
	shift
	local want=("$@")
	while IFS= read -r line; do
		if [ "$i" -lt "${#want[@]}" ] && [[ $line == *"${want[$i]}"* ]]; then
			i=$((i + 1))
		fi
	done <"$NX_DIR/wire"
	if [ "$i" -eq "${#want[@]}" ]; then ok "$NX_LABEL: $what"
	else bad "$NX_LABEL: $what: '${want[$i]}' missing (or out of order) in $NX_DIR/wire"
		sed 's/^/     | /' "$NX_DIR/wire" | head -40
	fi
}

# nx_views: each MIT side's own trace (its NegoEx sending/received lines,
# in order) says exactly what the wire transcript says for it; so does our
# side's (negoex-peer's message trace on its standard error).  One
# exception: MIT traces "sending" when it appends a message to its
# transcript (negoex_util.c:negoex_add_nego_message and the other
# negoex_add_*, through trace_outgoing_message), before the step is known to
# succeed, so a side that ended with ERROR may have traced messages of its
# failed step that never left it: allowed as trailing "sending" lines.
nx_views() {
	local role mv wv extra who tag
	for role in initiator acceptor; do
		who="MIT $role"
		mv="$NX_DIR/$role.traceview" wv="$NX_DIR/$role.wireview"
		sed -n 's/^.*NegoEx \(sending\|received\) /\1 /p' "$NX_DIR/$role.trace" >"$mv" 2>/dev/null
		if [ "${NX_KINDS[$role]}" = ours ]; then
			tag=${role:0:1} tag=${tag^^}
			# negoex-peer's "sent TYPE seq N scheme(s) GUID..." on its
			# standard error, which the relay echoes prefixed I/A,
			# in MIT's wording
			sed -n -E "s/^${tag} (sent|recv) ([A-Z_]+) seq ([0-9]+) schemes? ?(.*)\$/\1 [\3]\2: \4/p" \
				"$NX_DIR/relay.out" | sed -e 's/^sent /sending /' -e 's/^recv /received /' \
				-e 's/: $//' >"$mv"
			[ -s "$mv" ] || continue
			who="our $role"
		fi
		sed -n "s/^$role NegoEx //p" "$NX_DIR/wire" >"$wv"
		if cmp -s "$mv" "$wv"; then
			ok "$NX_LABEL: $who's trace agrees with the wire ($(wc -l <"$wv") lines)"
			continue
		fi
		extra=$(tail -n +$(($(wc -l <"$wv") + 1)) "$mv")
		if grep -q "^$role: ERROR" "$NX_DIR/relay.out" &&
			[ "$(head -n "$(wc -l <"$wv")" "$mv")" = "$(cat "$wv")" ] &&
			! grep -qv '^sending ' <<<"$extra"; then
			ok "$NX_LABEL: $who's trace agrees with the wire, plus $(wc -l <<<"$extra") message(s) of its failed step never sent"
		else
			bad "$NX_LABEL: $who's trace and the wire differ"
			diff "$mv" "$wv" | head -10 | sed 's/^/     | /'
		fi
	done
}

# nx_same_as DIR: the wire transcript is message for message the one of
# the exchange in DIR (MIT against MIT, same case).
nx_same_as() {
	if cmp -s "$1/wire" "$NX_DIR/wire"; then
		ok "$NX_LABEL: the same $(wc -l <"$NX_DIR/wire") message lines as MIT against MIT"
	else
		bad "$NX_LABEL: the messages differ from MIT against MIT"
		diff "$1/wire" "$NX_DIR/wire" | head -12 | sed 's/^/     | /'
	fi
}
