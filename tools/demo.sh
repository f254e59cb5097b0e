#!/usr/bin/env bash
# demo.sh: the README's run command.  Builds bpau, then shows the
# CERTIFICATE_BLOB codec and the peer certificate table on the Windows
# Vista sample of MS-BPAU 4.2 and on a freshly created peer certificate.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
tools/bootstrap.sh
tools/waf configure >/tmp/bpau-configure.log 2>&1 || { cat /tmp/bpau-configure.log; exit 1; }
tools/waf build >/dev/null
bpau=build/bpau
V="$top/../shared/vectors/bpau"
work=$(mktemp -d /tmp/bpau-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT
export BPAU_TABLE="$work/peercerts.tdb"
say() { printf '\n$ %s\n' "$*"; "$@"; }

say $bpau blob decode "$V/vista-certificate-blob.bin"
say $bpau blob encode --cert "$V/vista-certificate.der" --eku 1.3.6.1.5.5.7.3.1 \
	--eku 1.3.6.1.5.5.7.3.2 --out "$work/rebuilt.bin"
say cmp "$work/rebuilt.bin" "$V/vista-certificate-blob.bin"
echo "(identical to the Windows Vista sample)"
say $bpau cert create --sid S-1-5-21-1111-2222-3333-1104 --dns peer1.bpau.test \
	--cert-out "$work/peer1.der" --key-out "$work/peer1.key"
say $bpau blob encode --cert "$work/peer1.der" --out "$work/peer1.bin"
say $bpau table add "$work/peer1.bin" --principal 'PEER1$@BPAU.TEST'
say $bpau table add "$V/vista-certificate-blob.bin" --principal 'JROBERTS21$@NTDEV.CORP.MICROSOFT.COM'
say $bpau table list
say $bpau table check "$work/peer1.der"
