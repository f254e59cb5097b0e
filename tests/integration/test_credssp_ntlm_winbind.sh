#!/usr/bin/env bash
# test_credssp_ntlm_winbind.sh: the CredSSP NTLM acceptor's winbind backend
# (credssp/ntlm/winbind.c) on the harness's joined member (member.sh):
# tests/tools/ntlm-accept-check runs, on the member, an NTLMv2 exchange
# between a client built on Heimdal's libheimntlm and our acceptor, which
# validates the response through winbindd (wbcAuthenticateUserEx) against
# the throwaway AD DC.  Asserts: a domain user's right password is
# accepted, the user session key winbind returns gives the client's
# exported session key (key exchange) and sealing works both ways; a wrong
# password, an unknown user and a disabled account are refused with the
# DC's status mapped as a CredSSP server reports it.  Run as root, under
#   flock /tmp/bpau-it.lock tests/integration/test_credssp_ntlm_winbind.sh
source "$(dirname "$0")/lib.sh"

# Addresses of this suite (127.0.0.70-79).
DCIP=${TEST_NTLM_DC_IP:-127.0.0.71} MIP=${TEST_NTLM_MEMBER_IP:-127.0.0.70}
CHECK=${NTLM_ACCEPT_CHECK:-$IT_TOP/build/tests/ntlm-accept-check}
[ -x "$CHECK" ] || { echo "FAIL $CHECK not built (tools/waf build)"; exit 1; }

it_template
it_template_member member1
it_start_dc_plain dc "$DCIP"
it_start_member m1 "$MIP" dc
D=$DC_DOMAIN

run "winbindd on the member answers (wbinfo --ping-dc)" 0 it_on_member wbinfo --ping-dc

# --- a domain user through winbind ------------------------------------------------
run "alice's right password is accepted through winbind" 0 \
	env NTLM_CHECK_PASSWORD="$ALICE_PASS" "$IT_MEMBER_SH" exec "$IT_MEMBER_RUN" -- \
	"$CHECK" --winbind -u alice -d "$D"
has "... as $D\\alice (winbind's canonical names), session key = the client's, sealing both ways" \
	"^accepted $D\\\\alice session-key=match seal=ok\$"
run "... also with the domain in lower case and no MIC" 0 \
	env NTLM_CHECK_PASSWORD="$ALICE_PASS" "$IT_MEMBER_SH" exec "$IT_MEMBER_RUN" -- \
	"$CHECK" --winbind -u alice -d "${D,,}" --no-mic
has "... still named $D\\alice" "^accepted $D\\\\alice session-key=match seal=ok\$"
run "alice's wrong password is refused" 1 \
	env NTLM_CHECK_PASSWORD="wrong-$ALICE_PASS" "$IT_MEMBER_SH" exec "$IT_MEMBER_RUN" -- \
	"$CHECK" --winbind -u alice -d "$D"
has "... with NT_STATUS_LOGON_FAILURE (the DC's WRONG_PASSWORD, as Windows reports it)" \
	'^refused NT_STATUS_LOGON_FAILURE'
run "an unknown user is refused the same way" 1 \
	env NTLM_CHECK_PASSWORD="$ALICE_PASS" "$IT_MEMBER_SH" exec "$IT_MEMBER_RUN" -- \
	"$CHECK" --winbind -u nobody-here -d "$D"
has "... with NT_STATUS_LOGON_FAILURE" '^refused NT_STATUS_LOGON_FAILURE'
if grep -qF -- "$ALICE_PASS" "$IT_WORK/out" "$IT_WORK/err"; then bad "no password in the output"
else ok "no password in the output"; fi
# The CHALLENGE must name the member: the DC checks the NTLMv2 response's
# MsvAvNbComputerName against the secure channel (Samba libcli/auth/smbencrypt.c
# NTLMv2_RESPONSE_verify_netlogon_creds), so a relayed exchange is refused.
run "a CHALLENGE naming another computer is refused by the DC" 1 \
	env NTLM_CHECK_PASSWORD="$ALICE_PASS" "$IT_MEMBER_SH" exec "$IT_MEMBER_RUN" -- \
	"$CHECK" --winbind -u alice -d "$D" --names "OTHERHOST,$D"
has "... with NT_STATUS_LOGON_FAILURE" '^refused NT_STATUS_LOGON_FAILURE'

# --- a disabled account keeps its status -------------------------------------------
CAROL_PASS='Carol-Pass!2024'
run "create carol on the DC" 0 samba-tool user create carol "$CAROL_PASS" \
	-s "$IT_WORK/dc/etc/smb.conf" -H "$IT_WORK/dc/private/sam.ldb"
run "carol is accepted" 0 \
	env NTLM_CHECK_PASSWORD="$CAROL_PASS" "$IT_MEMBER_SH" exec "$IT_MEMBER_RUN" -- \
	"$CHECK" --winbind -u carol -d "$D"
run "disable carol" 0 samba-tool user disable carol \
	-s "$IT_WORK/dc/etc/smb.conf" -H "$IT_WORK/dc/private/sam.ldb"
run "carol, disabled, is refused" 1 \
	env NTLM_CHECK_PASSWORD="$CAROL_PASS" "$IT_MEMBER_SH" exec "$IT_MEMBER_RUN" -- \
	"$CHECK" --winbind -u carol -d "$D"
has "... with NT_STATUS_ACCOUNT_DISABLED" '^refused (NT_STATUS_ACCOUNT_DISABLED|NT_STATUS 0xc0000072)'

# --- winbindd gone ---------------------------------------------------------------------
it_stop_members
run "with winbindd stopped the acceptor refuses, it does not hang" 1 \
	env NTLM_CHECK_PASSWORD="$ALICE_PASS" "$CHECK" --winbind -u alice -d "$D"
has "... with NT_STATUS_NO_LOGON_SERVERS (no names from winbindd)" '^refused (NT_STATUS_NO_LOGON_SERVERS|NT_STATUS 0xc000005e)'
run "... also when the names are given (wbcAuthenticateUserEx itself fails)" 1 \
	env NTLM_CHECK_PASSWORD="$ALICE_PASS" "$CHECK" --winbind -u alice -d "$D" --names "$MEMBER_NAME,$D"
has "... with NT_STATUS_NO_LOGON_SERVERS" '^refused (NT_STATUS_NO_LOGON_SERVERS|NT_STATUS 0xc000005e)'

it_summary
