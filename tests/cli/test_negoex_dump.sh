#!/usr/bin/env bash
# test_negoex_dump.sh: negoex-dump end to end: every input form, text and
# --json output (checked with python3), the Windows and MIT vectors,
# truncated and garbage input (a named offset, exit 1), unreadable input
# (exit 3, 4), usage (exit 2), --help.
# Usage: test_negoex_dump.sh BUILD_DIR (or PATH/TO/negoex-dump)
set -u
DUMP=${1:?usage: test_negoex_dump.sh BUILD_DIR}
[ -d "$DUMP" ] && DUMP=$DUMP/negoex-dump
top=$(cd "$(dirname "$0")/../.." && pwd)
VN="$top/tests/vectors/negoex"
VS="$top/tests/vectors/spnego/mit_spnego.txt"
work=$(mktemp -d /tmp/negoex-dump-cli.XXXXXX)
trap 'rm -rf "$work"' EXIT
ASSERT_DIR=$work
source "$top/tests/assert.sh"

vec() { sed -n "s/^$1 = //p" "$VS"; }
# json NAME PYTHON-EXPR: the last run's output is valid JSON and EXPR holds
# for it (as d).
json() {
	if python3 -m json.tool "$work/out" >/dev/null 2>&1 &&
		python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert ($2), d" "$work/out" 2>"$work/pyerr"; then
		ok "$1"
	else
		bad "$1"; sed 's/^/     | /' "$work/pyerr" | tail -5
	fi
}

# --help and usage.
run "--help exits 0" 0 "$DUMP" --help
has "--help lists the exit codes" '^  3  the input is not hex' "$work/out"
has "--help names the input forms" 'WWW-Authenticate' "$work/out"
run "unknown option" 2 "$DUMP" --frobnicate
has "unknown option says so" 'unknown or repeated option --frobnicate' "$work/err"
run "--file with two names" 2 "$DUMP" --file a b

# The Windows sample (bare NEGOEX, binary file): every field named.
run "Windows ACCEPTOR_NEGO + META_DATA (file)" 0 "$DUMP" "$VN/windows_acceptor_nego_metadata.bin"
for f in Signature MessageType SequenceNum cbHeaderLength cbMessageLength ConversationId \
	Random ProtocolVersion AuthSchemes Extensions AuthScheme Exchange ExchangeBytes; do
	has "Windows sample shows $f" "^\+0x[0-9a-f]{4} +$f( |\$)" "$work/out"
done
has "the PKU2U scheme by name" '0d53335c-f9ea-4d0d-b2ec-4ae3786ec308' "$work/out"
has "... named PKU2U" 'name +PKU2U' "$work/out"
has "ACCEPTOR_META_DATA at its offset" '^\+0x0070 +message 1: ACCEPTOR_META_DATA' "$work/out"
has "valid" '^valid: no problem found' "$work/out"
run "Windows sample --json" 0 "$DUMP" --json --file "$VN/windows_acceptor_nego_metadata.bin"
json "Windows sample JSON: two messages, PKU2U, offsets" \
	'd["valid"] and d["problems"]==[] and d["input"]["form"]=="binary" and
	 [m["MESSAGE_HEADER"]["MessageType"]["name"] for m in d["negoex"]["messages"]]==["ACCEPTOR_NEGO","ACCEPTOR_META_DATA"] and
	 d["negoex"]["messages"][1]["offset"]==112 and
	 d["negoex"]["messages"][0]["AuthSchemeList"][0]["name"]=="PKU2U" and
	 d["negoex"]["messages"][1]["ExchangeBytes"].startswith("3056a054")'
run "MS example INITIATOR_NEGO (file)" 0 "$DUMP" "$VN/ms_example_initiator_nego.bin"
has "INITIATOR_NEGO" 'MessageType +0 \(INITIATOR_NEGO\)' "$work/out"

# Every input form of one MIT token (SPNEGO NegTokenInit, GSS-framed).
HEX=$(vec MIT_HOPS1_INIT)
printf '%s' "$HEX" | xxd -r -p >"$work/init.bin"
B64=$(base64 -w0 "$work/init.bin")
run "hex argument" 0 "$DUMP" "$HEX"
has "hex detected" 'form +hex' "$work/out"
has "GSS framing shown" '^\+0x0000 +GSS InitialContextToken' "$work/out"
has "SPNEGO OID named" 'oid +1\.3\.6\.1\.5\.5\.2' "$work/out"
has "NEGOEX mech named" 'name +NEGOEX' "$work/out"
has "NEGOEX token at the mechToken offset" '^\+0x002c +NEGOEX token' "$work/out"
has "negoextest scheme named" 'MIT negoextest, mech 2\.25\.1414534758' "$work/out"
has "VERIFY checksum shown" 'ChecksumScheme +1 \(CHECKSUM_SCHEME_RFC3961\)' "$work/out"
run "hex with spaces, colons and 0x" 0 "$DUMP" "0x$(echo "$HEX" | sed 's/../&:/g; s/:$//' | cut -c1-60) $(echo "$HEX" | cut -c41-)"
has "spaced hex decodes the same" 'message_count +4' "$work/out"
run "--hex" 0 "$DUMP" --hex "$HEX"
run "base64 argument" 0 "$DUMP" "$B64"
has "base64 detected" 'form +base64' "$work/out"
run "--base64" 0 "$DUMP" --base64 "$B64"
run "unpadded base64" 0 "$DUMP" --base64 "${B64%%=*}"
run "Authorization header line" 0 "$DUMP" "Authorization: Negotiate $B64"
has "header detected" 'form +http-negotiate' "$work/out"
run "WWW-Authenticate header, unquoted words" 0 "$DUMP" WWW-Authenticate: Negotiate "$B64"
run "the value alone, lower case scheme" 0 "$DUMP" "negotiate $B64"
printf 'Authorization: Negotiate %s\r\n' "$B64" >"$work/header.txt"
run "header from a file, with CRLF" 0 "$DUMP" "$work/header.txt"
run "binary file, --file" 0 "$DUMP" --file "$work/init.bin"
has "binary detected" 'form +binary' "$work/out"
run "standard input" 0 sh -c "printf '%s' '$B64' | '$DUMP' -"
has "stdin decodes" 'message_count +4' "$work/out"
run "standard input, no argument" 0 sh -c "'$DUMP' < '$work/init.bin'"
run "--json" 0 "$DUMP" --json "$HEX"
json "JSON layers: gss, spnego, negoex with offsets" \
	'd["gss"]["thisMech"]["name"]=="SPNEGO" and d["spnego"]["type"]=="negTokenInit" and
	 d["spnego"]["mechTypes"][0]["oid"]=="1.3.6.1.4.1.311.2.2.30" and
	 d["negoex"]["offset"]==44 and d["negoex"]["message_count"]==4 and
	 [m["MESSAGE_HEADER"]["SequenceNum"] for m in d["negoex"]["messages"]]==[0,1,2,3] and
	 d["negoex"]["messages"][3]["Checksum"]["ChecksumType"]==16 and d["valid"]'

# NegTokenResp and NegTokenInit2.
run "NegTokenResp" 0 "$DUMP" "$(vec MIT_HOPS1_RESP)"
has "negState named" 'negState +0 \(accept-completed\)' "$work/out"
has "ACCEPTOR_NEGO inside" 'ACCEPTOR_NEGO' "$work/out"
run "bare negState" 0 "$DUMP" --json "$(vec MIT_HOPS2_RESP3)"
json "bare negState JSON" 'd["spnego"]["negState"]=={"value":0,"name":"accept-completed"} and "negoex" not in d'
run "NegTokenInit2 with negHints" 0 "$DUMP" "$(vec MIT_NEGHINTS_KRB5)"
has "negHints hintName" 'hintName +not_defined_in_RFC4178@please_ignore' "$work/out"
has "Kerberos named" 'name +Kerberos' "$work/out"

# Other mechanisms: named, not decoded, no problem.
run "Kerberos GSS token" 0 "$DUMP" 601106092a864886f71201020201006e033001
has "Kerberos framing named" 'not SPNEGO' "$work/out"
run "NTLM NEGOTIATE_MESSAGE" 0 "$DUMP" 4e544c4d5353500001000000
has "NTLM named" 'MessageType +1 \(NEGOTIATE_MESSAGE\)' "$work/out"

# Truncated and damaged tokens: exit 1, the problem at its offset.
head -c 200 "$VN/windows_acceptor_nego_metadata.bin" >"$work/trunc.bin"
run "truncated NEGOEX" 1 "$DUMP" "$work/trunc.bin"
has "truncation at cbMessageLength of message 1" '^\+0x0084 +!! negoex: cbMessageLength runs past the end of the token' "$work/out"
has "says INVALID" '^INVALID: 1 problem' "$work/out"
run "truncated NEGOEX --json" 1 "$DUMP" --json "$work/trunc.bin"
json "truncation in JSON problems" 'not d["valid"] and d["problems"]==[{"offset":132,"layer":"negoex","reason":"cbMessageLength runs past the end of the token"}]'
head -c 150 "$VN/windows_acceptor_nego_metadata.bin" >"$work/trunc2.bin"
run "NEGOEX cut inside a header" 1 "$DUMP" "$work/trunc2.bin"
has "header truncation at the message" '^\+0x0070 +!! negoex: MESSAGE_HEADER is truncated' "$work/out"
# AuthSchemes count 2 in the MS example (one GUID there): past the end.
xxd -p "$VN/ms_example_initiator_nego.bin" | tr -d '\n' |
	sed 's/^\(.\{168\}\)01/\102/' | xxd -r -p >"$work/schemes.bin"
run "AuthSchemes past the end" 1 "$DUMP" "$work/schemes.bin"
has "at the AuthSchemes vector" '^\+0x0050 +!! negoex: AuthSchemes vector runs past the end of the message' "$work/out"
has "vector not read" 'points outside the message' "$work/out"
# ProtocolVersion 1.
xxd -p "$VN/ms_example_initiator_nego.bin" | tr -d '\n' |
	sed 's/^\(.\{144\}\)00/\101/' | xxd -r -p >"$work/version.bin"
run "ProtocolVersion 1" 1 "$DUMP" "$work/version.bin"
has "at ProtocolVersion" '^\+0x0048 +!! negoex: ProtocolVersion is not 0' "$work/out"
# Two INITIATOR_NEGOs of the MS example back to back: same sequence number.
cat "$VN/ms_example_initiator_nego.bin" "$VN/ms_example_initiator_nego.bin" >"$work/twice.bin"
run "repeated SequenceNum" 1 "$DUMP" "$work/twice.bin"
has "at the second SequenceNum" '^\+0x007c +!! negoex: SequenceNum is not the previous' "$work/out"
# A SPNEGO token cut short: the SPNEGO problem, and the NEGOEX inside still shown.
head -c 300 "$work/init.bin" >"$work/spnego-cut.bin"
run "truncated SPNEGO" 1 "$DUMP" --json "$work/spnego-cut.bin"
json "SPNEGO and NEGOEX problems with offsets" \
	'd["problems"][0]["layer"]=="gss" and any(p["layer"]=="negoex" and p["offset"]>=44 for p in d["problems"]) and
	 d["negoex"]["offset"]==44'
run "garbage bytes" 1 "$DUMP" 0102030405
has "garbage named at offset 0" '^\+0x0000 +!! input: not a NEGOEX, SPNEGO, GSS or NTLM token \(first byte 0x01\)' "$work/out"
run "SPNEGO with a bad length" 1 "$DUMP" a10830050a0100
has "SPNEGO reason" '!! spnego: ' "$work/out"
head -c 4000 /dev/urandom >"$work/random.bin"
printf '\x60' | cat - "$work/random.bin" >"$work/random60.bin"
for f in random.bin random60.bin; do
	"$DUMP" --file "$work/$f" >"$work/out" 2>"$work/err"; rc=$?
	if [ "$rc" -le 3 ]; then ok "random bytes ($f): clean exit $rc"; else bad "random bytes ($f): exit $rc"; fi
	"$DUMP" --json --file "$work/$f" >"$work/out" 2>"$work/err"; rc=$?
	if [ "$rc" -eq 3 ] || python3 -m json.tool "$work/out" >/dev/null 2>&1; then ok "random bytes ($f): JSON valid"; else bad "random bytes ($f): JSON"; fi
done
# Hostile text in the wire: JSON escapes it.
run "control bytes in a hintName" 0 "$DUMP" --json 601c06062b0601050502a0123010a0023000a30a3008a0061b04220a5c01
json "escaped hintName" 'd["spnego"]["negHints"]["hintName"]=="\"\n\\\u0001"'

# Input that is no token: exit 3; a missing file: exit 4.
run "not hex nor base64" 3 "$DUMP" 'zz$$'
has "says which forms were tried" 'neither hex, base64' "$work/err"
run "odd hex" 3 "$DUMP" --hex abc
has "odd hex says so" 'hex: an odd number of digits' "$work/err"
run "bad base64" 3 "$DUMP" --base64 'YII*'
run "bare Negotiate challenge" 3 "$DUMP" 'WWW-Authenticate: Negotiate'
has "no token in the header" 'bare Negotiate challenge' "$work/err"
run "empty input" 3 sh -c "'$DUMP' < /dev/null"
run "missing file" 4 "$DUMP" --file "$work/nonexistent"

summary "test_negoex_dump"
