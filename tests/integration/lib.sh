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
IT_WORK=$(mktemp -d /tmp/bpau-it.XXXXXX)
IT_RUNS=()

it_cleanup() {
	local r
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

it_summary() { summary "$(basename "$0" .sh)"; }
