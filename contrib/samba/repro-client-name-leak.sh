#!/usr/bin/env bash
# repro-client-name-leak.sh [BINDS]: reproduces the leak fixed by
# 0002-*.patch on this machine's Samba (Debian 12: 4.17 with Heimdal).
#
# Starts a throwaway AD DC (tests/integration/dc.sh, one samba process,
# 127.0.0.11), then makes BINDS (default 2000) Kerberos DCE/RPC binds to
# its samr endpoint, each a new association, from one client process,
# twice, and prints the samba process's resident memory after each round.
# The first round warms caches; the growth over the second one, divided by
# BINDS, is what each bind leaks.
#
# STATUS: NOT YET A REPRODUCER.  The leak was measured in bpaud, which runs
# Samba's gensec_gssapi acceptor from the same libraries: about 3 kB per
# bind (one gss_name_t with the ticket's PAC), seen with valgrind and gdb
# (rpc/samba_compat/gss_accept_fix.c on main).  Against the DC started here (samba -M
# single, 2 x 1000 binds) this script measured no growth (0.00 kB per
# bind); why the DC does not show it is not yet understood (see
# README.md).  Use it to measure, not as proof.
#
# Runs as root (the DC needs it), takes about a minute, removes everything
# it made.  Under the project's tests, take the lock other runs use:
#   flock /tmp/bpau-it.lock contrib/samba/repro-client-name-leak.sh
set -euo pipefail
BINDS=${1:-2000}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
DC=$TOP/tests/integration/dc.sh
WORK=$(mktemp -d /tmp/bpau-leak.XXXXXX)
cleanup() { "$DC" stop "$WORK/run" >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT

"$DC" template "$WORK/template" >"$WORK/template.log" 2>&1 ||
	{ cat "$WORK/template.log"; exit 1; }
DC_IP=127.0.0.11 DC_MAXRUNTIME=600 "$DC" start "$WORK/template" "$WORK/run" >"$WORK/start.log" 2>&1 ||
	{ cat "$WORK/start.log"; exit 1; }
export KRB5_CONFIG=$WORK/run/client/krb5.conf KRB5CCNAME=FILE:$WORK/cc
kinit --no-forwardable -k -t "$WORK/run/client/peer1.keytab" "PEER1\$@BPAU.TEST"
PID=$(cat "$WORK/run/samba.pid")
rss() { awk '/^VmRSS/ {print $2}' "/proc/$PID/status"; }

binds() { # binds N: N associations, each bound with Kerberos (DCE style) and closed
	/usr/bin/python3 - "$1" "$WORK/run/client/smb.conf" <<'EOF'
import sys
from samba import param, credentials
from samba.dcerpc import samr
n, conf = int(sys.argv[1]), sys.argv[2]
lp = param.LoadParm()
lp.load(conf)
creds = credentials.Credentials()
creds.guess(lp)
creds.set_kerberos_state(credentials.MUST_USE_KERBEROS)
for i in range(n):
    c = samr.samr("ncacn_ip_tcp:127.0.0.11[krb5,seal,target_hostname=dc1.bpau.test]", lp, creds)
    del c
EOF
}

r0=$(rss)
binds "$BINDS"
r1=$(rss)
binds "$BINDS"
r2=$(rss)
echo "samba (pid $PID) resident memory: start ${r0} kB, after $BINDS binds ${r1} kB, after $((2 * BINDS)) ${r2} kB"
awk -v a="$r1" -v b="$r2" -v n="$BINDS" \
	'BEGIN { printf "second round: %.2f kB per bind\n", (b - a) / n }'
