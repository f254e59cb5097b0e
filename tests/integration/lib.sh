# lib.sh: shared parts of the integration tests.  Sourced, not run.
#
# Provides: a throwaway Samba AD DC (dc.sh) with the bitspeerauth module,
# certificates for the test identities, Kerberos ticket caches, and a
# small assertion vocabulary.  Everything lives in $IT_WORK and is torn
# down on exit, pass or fail.
set -u
IT_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
IT_DC="$IT_TOP/tests/integration/dc.sh"
BPAU=${BPAU:-$IT_TOP/build/bpau}
RAWCALL=${RAWCALL:-$IT_TOP/build/tests/bpau-rawcall}
MODULE=${MODULE:-$IT_TOP/build/bitspeerauth.so}
IT_MEMBER_SH="$IT_TOP/tests/integration/member.sh"
IT_WORK=$(mktemp -d /tmp/bpau-it.XXXXXX)
IT_RUNS=()
IT_MEMBERS=()

it_cleanup() {
	local r
	it_stop_members
	for r in "${IT_RUNS[@]}"; do "$IT_DC" stop "$r" >/dev/null 2>&1 || true; done
	# Anything else this run started (a DC or bpaud whose command line
	# names our work directory) goes too.
	pkill -f -- "$IT_WORK/" 2>/dev/null || true
	if [ "$fail" -gt 0 ] && [ -n "${IT_KEEP_ON_FAIL:-}" ]; then
		echo "kept $IT_WORK"
	else
		rm -rf "$IT_WORK"
	fi
}
trap it_cleanup EXIT

ASSERT_DIR=$IT_WORK
source "$IT_TOP/tests/assert.sh"

# it_template: provision the test domain once per test run (~5 s).
it_template() {
	"$IT_DC" template "$IT_WORK/template" >"$IT_WORK/template.log" 2>&1 ||
		{ cat "$IT_WORK/template.log"; echo "FAIL provisioning the test domain"; exit 1; }
	# shellcheck disable=SC1091
	source "$IT_WORK/template/accounts.env"
	export KRB5_CONFIG="$IT_WORK/template/client/krb5.conf"
}

# it_start_dc NAME IP CERT TABLE SIZE: a copy of the template with the
# module loaded and configured; waits for ports 88 and 135.
it_start_dc() { # NAME IP CERT TABLE SIZE [EXTRA-SMB.CONF-LINES]
	local name=$1 ip=$2 cert=$3 table=$4 size=$5 extra=${6:-} run="$IT_WORK/$1"
	mkdir -p "$IT_WORK/modules"
	cp "$MODULE" "$IT_WORK/modules/bitspeerauth.so"
	DC_IP=$ip DC_RPC_MODULES="$IT_WORK/modules" DC_MAXRUNTIME=1800 DC_CONF="dcerpc endpoint servers = +bitspeerauth
bitspeerauth:certificate = $cert
bitspeerauth:table = $table
bitspeerauth:table size = $size
log level = 1${extra:+
$extra}" "$IT_DC" start "$IT_WORK/template" "$run" >"$IT_WORK/$name.start.log" 2>&1 ||
		{ cat "$IT_WORK/$name.start.log"; echo "FAIL starting $name"; exit 1; }
	IT_RUNS+=("$run")
}

# it_kinit N: a ticket cache for PEERn$ from its keytab, path printed.
it_kinit() {
	local cc="FILE:$IT_WORK/cc.peer$1"
	KRB5CCNAME=$cc kinit --no-forwardable -k -t "$IT_WORK/template/client/peer$1.keytab" \
		"PEER$1\$@$DC_REALM" || { echo "FAIL kinit PEER$1\$"; exit 1; }
	echo "$cc"
}

# it_cert NAME SID: a certificate and its CERTIFICATE_BLOB in $IT_WORK.
it_cert() {
	"$BPAU" cert create --sid "$2" --cert-out "$IT_WORK/$1.der" --key-out "$IT_WORK/$1.key" \
		>/dev/null || { echo "FAIL cert create $1"; exit 1; }
	"$BPAU" blob encode --cert "$IT_WORK/$1.der" --out "$IT_WORK/$1.bin" ||
		{ echo "FAIL blob encode $1"; exit 1; }
}

# it_spawn NAME CMD...: start CMD in the background and return once it
# has printed its first line (its readiness: a port, "ready"), or fail if
# it exits first or says nothing for 120 s.  Sets SPAWN_PID, taken from $!
# at once (never bash's coproc NAME_PID, which bash unsets when it reaps
# the child), and SPAWN_LINE.  All of CMD's standard output is kept in
# $IT_WORK/NAME.out.  Call it in the test's own shell, not in $(...), so
# that a later 'wait "$SPAWN_PID"' finds the child (bash keeps its exit
# status even when it has already been reaped).
it_spawn() {
	local name=$1 out="$IT_WORK/$1.out" deadline=$((SECONDS + 120))
	shift
	: >"$out"
	"$@" >"$out" &
	SPAWN_PID=$!
	SPAWN_LINE=
	until [ "$(wc -l <"$out")" -ge 1 ]; do
		if ! kill -0 "$SPAWN_PID" 2>/dev/null; then
			# it may have printed its line and exited since the check
			[ "$(wc -l <"$out")" -ge 1 ] && break
			echo "FAIL $name exited before it was ready"; return 1
		fi
		[ "$SECONDS" -lt "$deadline" ] || { echo "FAIL $name: not ready in 120 s"; return 1; }
		sleep 0.05
	done
	SPAWN_LINE=$(head -n 1 "$out")
}

# it_wait_for WHAT PATTERN FILE [SECONDS]: wait until FILE has a line
# matching PATTERN (grep -E), at most SECONDS (default 120); fails with
# WHAT if it never comes.  A readiness check, not a timing one: the
# deadline is only there so that a broken run ends.
it_wait_for() {
	local deadline=$((SECONDS + ${4:-120}))
	until grep -qE -- "$2" "$3" 2>/dev/null; do
		[ "$SECONDS" -lt "$deadline" ] || { echo "FAIL waiting for $1"; return 1; }
		sleep 0.05
	done
}

# --- a Linux domain member (member.sh) --------------------------------------
# it_template_member [NAME]: join NAME (default member1) to the test domain
# once, into the template (~4-8 s): call after it_template and BEFORE any
# it_start_dc*, whose copies must carry the member's computer account.
it_template_member() {
	local name=${1:-member1}
	"$IT_MEMBER_SH" template "$IT_WORK/template" "$name" >"$IT_WORK/template-$name.log" 2>&1 ||
		{ cat "$IT_WORK/template-$name.log"; echo "FAIL joining $name to the test domain"; exit 1; }
}

# it_start_dc_plain NAME IP: a copy of the template without our module, with
# smbd+winbindd (DC_SMB=1: a member's join and NETLOGON use ncacn_np).
it_start_dc_plain() {
	local name=$1 ip=$2 run="$IT_WORK/$1"
	DC_IP=$ip DC_SMB=1 DC_MAXRUNTIME=1800 "$IT_DC" start "$IT_WORK/template" "$run" \
		>"$IT_WORK/$name.start.log" 2>&1 ||
		{ cat "$IT_WORK/$name.start.log"; echo "FAIL starting $name"; exit 1; }
	IT_RUNS+=("$run")
}

# it_start_member NAME IP [DC-NAME] [MEMBER]: a copy of the joined MEMBER
# (default member1) in $IT_WORK/NAME, on IP, pointed at the DC started as
# DC-NAME (default: the last one started; it must run with DC_SMB=1, as
# it_start_dc_plain's or DC_SMB=1 it_start_dc's), winbindd ready (wbinfo
# --ping-dc).  Exports MEMBER_SID MEMBER_KEYTAB MEMBER_IP MEMBER_FQDN
# MEMBER_NAME MEMBER_PRINCIPAL MEMBER_CONF MEMBER_DIR; it_on_member runs on it.
it_start_member() {
	local name=$1 ip=$2 dc=${3:+$IT_WORK/$3} member=${4:-member1} run="$IT_WORK/$1"
	[ -n "$dc" ] || dc=${IT_RUNS[${#IT_RUNS[@]}-1]}
	MEMBER_IP=$ip "$IT_MEMBER_SH" start "$dc" "$member" "$run" >"$IT_WORK/$name.start.log" 2>&1 ||
		{ cat "$IT_WORK/$name.start.log"; echo "FAIL starting member $name"; exit 1; }
	IT_MEMBERS+=("$run")
	IT_MEMBER_RUN=$run
	eval "$("$IT_MEMBER_SH" env "$run" | grep '^export MEMBER_')"
}

# it_on_member CMD...: run CMD on the member last started (or the one whose
# run directory is $IT_MEMBER_RUN): in its mount+UTS namespace (its
# /run/samba, /etc/samba/smb.conf, /etc/krb5.conf, /etc/hosts, hostname),
# with KRB5_CONFIG and KRB5_KTNAME (its keytab) set; KRB5CCNAME as the
# caller has it.
it_on_member() { "$IT_MEMBER_SH" exec "$IT_MEMBER_RUN" -- "$@"; }

it_stop_members() {
	local m
	for m in "${IT_MEMBERS[@]}"; do "$IT_MEMBER_SH" stop "$m" >/dev/null 2>&1 || true; done
}

it_summary() { summary "$(basename "$0" .sh)"; }
