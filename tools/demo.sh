#!/usr/bin/env bash
# demo.sh: the README's run command.  On a machine with nothing configured:
# provisions a throwaway Samba AD domain (BPAU.TEST on 127.0.0.11), starts
# its DC with the bitspeerauth endpoint server module, gives the DC (DC1$)
# and a member computer (PEER1$) their certificates, runs
# "bpau exchange" from PEER1 to the DC, prints both peer tables and the
# verify-status results, and tears everything down.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
tools/bootstrap.sh
tools/waf configure >/tmp/bpau-configure.log 2>&1 || { cat /tmp/bpau-configure.log; exit 1; }
tools/waf build >/dev/null
bpau="$top/build/bpau"
dc="$top/tests/integration/dc.sh"
work=$(mktemp -d /tmp/bpau-demo.XXXXXX)
cleanup() { "$dc" stop "$work/dc1" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
say() { printf '\n$ %s\n' "$*"; "$@"; }

echo "== provisioning a throwaway domain BPAU.TEST (DC dc1.bpau.test on 127.0.0.11)"
"$dc" template "$work/template" | sed 's/^/   /'
source "$work/template/accounts.env"
export KRB5_CONFIG="$work/template/client/krb5.conf"
echo "   DC1\$   $DC1_SID"
echo "   PEER1\$ $PEER1_SID"

echo
echo "== certificates: subject and issuer CN = the computer account's SID"
say "$bpau" cert create --sid "$DC1_SID" --dns dc1.bpau.test --cert-out "$work/dc1.der" --key-out "$work/dc1.key"
say "$bpau" cert create --sid "$PEER1_SID" --dns peer1.bpau.test --cert-out "$work/peer1.der" --key-out "$work/peer1.key"

echo
echo "== starting the DC with the bitspeerauth module"
mkdir -p "$work/modules"
cp build/bitspeerauth.so "$work/modules/"
DC_RPC_MODULES="$work/modules" DC_MAXRUNTIME=600 DC_CONF="dcerpc endpoint servers = +bitspeerauth
bitspeerauth:certificate = $work/dc1.der
bitspeerauth:table = $work/dc1-peers.tdb
log level = 1" "$dc" start "$work/template" "$work/dc1" | sed 's/^/   /'

echo
echo "== PEER1 logs on with its machine keytab and exchanges certificates with the DC"
export KRB5CCNAME="FILE:$work/peer1.ccache"
say kinit --no-forwardable -k -t "$work/template/client/peer1.keytab" "PEER1\$@BPAU.TEST"
# The DC's SID comes from the domain, never from the server checked: on a
# joined member from winbind; this host is not joined to the throwaway
# domain, so the domain controller to ask is named with --dc.
say "$bpau" exchange dc1.bpau.test --address 127.0.0.11 --cert "$work/peer1.der" --table "$work/peer1-peers.tdb" \
	--dc dc1.bpau.test --dc-address 127.0.0.11

echo
echo "== the DC's table of peer certificates"
say "$bpau" table list --table "$work/dc1-peers.tdb"
say "$bpau" table check "$work/peer1.der" --table "$work/dc1-peers.tdb"
echo
echo "== PEER1's table of peer certificates"
say "$bpau" table list --table "$work/peer1-peers.tdb"
say "$bpau" table check "$work/dc1.der" --table "$work/peer1-peers.tdb"
echo
echo "== what the DC logged"
grep 'bitspeerauth:' "$work/dc1/log/samba.out" | sed 's/^/   /'
echo
echo "== tearing down"
