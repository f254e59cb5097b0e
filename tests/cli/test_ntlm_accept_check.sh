#!/usr/bin/env bash
# test_ntlm_accept_check.sh: the SAM-file backend with a file FreeRDP's own
# tool wrote: `winpr-hash -u USER -p PASS [-d DOMAIN] -f sam` lines, then
# an NTLMv2 exchange (Heimdal-built client, our acceptor) through
# ntlm-accept-check: the right password is accepted with matching session
# keys and sealing both ways, a wrong one is refused with
# NT_STATUS_LOGON_FAILURE, a damaged file is refused as a whole, and no
# password or hash reaches the output.
# Usage: test_ntlm_accept_check.sh BUILD_DIR
set -u
BUILD=${1:?usage: test_ntlm_accept_check.sh BUILD_DIR}
CHECK=$BUILD/tests/ntlm-accept-check
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/ntlm-cli.XXXXXX)
trap 'rm -rf "$work"' EXIT
ASSERT_DIR=$work
source "$top/tests/assert.sh"

run "ntlm-accept-check --help exits 0" 0 "$CHECK" --help
has "... documents its exit codes" '^Exit codes: 0 accepted' "$work/out"
run "no backend is a usage error" 2 "$CHECK" -u u -d '' -p p

command -v winpr-hash >/dev/null || { bad "winpr-hash (winpr-utils) is not installed"; summary "$(basename "$0" .sh)"; exit; }
run "winpr-hash -u u -p p -f sam" 0 winpr-hash -u u -p p -f sam
cp "$work/out" "$work/SAM"
has "... is a SAM line with an empty domain" '^u:::[0-9a-f]{32}:::$' "$work/SAM"
run "winpr-hash -u alice -p 'S3cret pass' -d EXAMPLE -f sam" 0 winpr-hash -u alice -p 'S3cret pass' -d EXAMPLE -f sam
cat "$work/out" >>"$work/SAM"
nthash=$(sed -n 's/^u:::\([0-9a-f]*\):::$/\1/p' "$work/SAM")

run "u with the right password is accepted" 0 "$CHECK" --samfile "$work/SAM" -u u -d '' -p p
has "... session keys match, sealing both ways" '^accepted \\u session-key=match seal=ok$'
run "u from any domain (the empty-domain line)" 0 "$CHECK" --samfile "$work/SAM" -u u -d WORKGROUP -p p
has "... named WORKGROUP\\u" '^accepted WORKGROUP\\u '
run "u without a MIC" 0 "$CHECK" --samfile "$work/SAM" -u u -d WORKGROUP -p p --no-mic
run "alice in EXAMPLE" 0 "$CHECK" --samfile "$work/SAM" -u alice -d EXAMPLE -p 'S3cret pass'
has "... accepted" '^accepted EXAMPLE\\alice session-key=match seal=ok$'
run "u with a wrong password is refused" 1 "$CHECK" --samfile "$work/SAM" -u u -d '' -p P
has "... with NT_STATUS_LOGON_FAILURE" '^refused NT_STATUS_LOGON_FAILURE'
run "alice in another domain is refused (her line names EXAMPLE)" 1 "$CHECK" --samfile "$work/SAM" -u alice -d OTHER -p 'S3cret pass'
has "... with NT_STATUS_LOGON_FAILURE" '^refused NT_STATUS_LOGON_FAILURE'
run "an unknown user is refused the same way" 1 "$CHECK" --samfile "$work/SAM" -u nobody -d '' -p p
has "... with NT_STATUS_LOGON_FAILURE" '^refused NT_STATUS_LOGON_FAILURE'
if grep -qiE "$nthash|S3cret" "$work/out" "$work/err"; then bad "no hash or password in the output"; else ok "no hash or password in the output"; fi

printf 'broken line\n' >>"$work/SAM"
run "a damaged SAM file is refused as a whole" 1 "$CHECK" --samfile "$work/SAM" -u u -d '' -p p
has "... as the server's fault" 'refused NT_STATUS 0xc0000104|INTERNAL_DB_CORRUPTION'
run "a missing SAM file is refused" 1 "$CHECK" --samfile "$work/none" -u u -d '' -p p

summary "$(basename "$0" .sh)"
