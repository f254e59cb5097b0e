#!/usr/bin/env bash
# test_member.sh: the harness's Linux domain member (member.sh): joined once
# with `net ads join` at template time, then per run a copy of it with its own
# winbindd, keytab and smb.conf in a private namespace, against a copy of the
# DC.  Asserts what later tests rely on: name/SID lookups through winbindd,
# NTLM (challenge/response) through winbindd against the domain, and a machine
# keytab usable as a Kerberos acceptor keytab.  Run as root, under
#   flock /tmp/bpau-it.lock tests/integration/test_member.sh
source "$(dirname "$0")/lib.sh"

# Addresses no other suite uses (DCs 127.0.0.11/12, bpaud 127.0.0.21-24).
DCIP=${TEST_MEMBER_DC_IP:-127.0.0.33} MIP=${TEST_MEMBER_IP:-127.0.0.31}

# The host's own Samba/Kerberos state must not be touched.
host_state() {
	{ find /etc/samba /var/lib/samba /run/samba -printf '%p %T@ %s %y\n' 2>/dev/null
	  stat -c '%n %Y %s' /etc/krb5.keytab /etc/krb5.conf /etc/hosts 2>&1; } | sort
}
host_state >"$IT_WORK/host.before"

t=$(date +%s.%N)
it_template
it_template_member member1
echo "template (provision + join): $(awk -v a="$t" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s" \
	"($(grep -h 'ready in\|DC start:' "$IT_WORK/template.log" "$IT_WORK/template-member1.log" | tr '\n' ' '))"

it_start_dc_plain dc "$DCIP"
it_start_member m1 "$MIP" dc
# Host-side Kerberos clients: the DC copy's krb5.conf (its KDC on $DCIP, not the template's).
export KRB5_CONFIG="$IT_WORK/dc/client/krb5.conf"
grep -h 'ready' "$IT_WORK/dc.start.log" "$IT_WORK/m1.start.log"
start_s=$(sed -n 's/.*: start \([0-9.]*\) s.*/\1/p' "$IT_WORK/m1.start.log")
if awk -v s="$start_s" 'BEGIN { exit !(s < 3) }'; then ok "member start ${start_s} s (< 3 s)"
else bad "member start ${start_s} s (>= 3 s)"; fi

D=$DC_DOMAIN
# --- the member as set up ----------------------------------------------------
run "member.env: MEMBER_SID is a SID of the domain" 0 test "${MEMBER_SID%-*}" = "$DOMAIN_SID"
run "on the member: its hostname" 0 it_on_member hostname
has "... is member1" '^member1$'
run "on the member: winbindd's socket is at the compiled-in /run/samba/winbindd" 0 \
	it_on_member test -S /run/samba/winbindd/pipe
run "on the member: /etc/samba/smb.conf is the member's" 0 it_on_member testparm -s --parameter-name=realm
has "... realm $DC_REALM" "^$DC_REALM\$"
run "... security = ads" 0 it_on_member testparm -s --parameter-name=security
has "... ads" '^ADS$'

# --- winbindd against the DC -----------------------------------------------
run "wbinfo -p" 0 it_on_member wbinfo -p
run "wbinfo --ping-dc" 0 it_on_member wbinfo --ping-dc
has "... names the DC" "dcname = .?${DC_HOST%%.*}|${DC_HOST}" 
run "wbinfo -t (trust secret via the secure channel)" 0 it_on_member wbinfo -t
run "wbinfo -n '$D\\PEER2\$'" 0 it_on_member wbinfo -n "$D\\PEER2\$"
has "... is PEER2_SID" "^$PEER2_SID SID_USER"
run "wbinfo -n '$D\\dc1\$'" 0 it_on_member wbinfo -n "$D\\dc1\$"
has "... is DC1_SID" "^$DC1_SID SID_USER"
run "wbinfo -n '$D\\$MEMBER_NAME\$' (itself)" 0 it_on_member wbinfo -n "$D\\$MEMBER_NAME\$"
has "... is MEMBER_SID" "^$MEMBER_SID SID_USER"
run "wbinfo -s PEER2_SID" 0 it_on_member wbinfo -s "$PEER2_SID"
has "... is $D\\PEER2\$ (any case)" "^$D\\\\[Pp][Ee][Ee][Rr]2\\\$ 1"
run "wbinfo -n '$D\\nobody-here' fails" 1 it_on_member wbinfo -n "$D\\nobody-here"
# idmap rid: uid = 10000 + RID
run "wbinfo -S ALICE_SID (idmap rid)" 0 it_on_member wbinfo -S "$ALICE_SID"
has "... uid 10000 + RID" "^$((10000 + ${ALICE_SID##*-}))\$"

# --- NTLM through winbindd against the domain ----------------------------------
run "wbinfo -a alice (plaintext + challenge/response)" 0 it_on_member wbinfo -a "$D\\alice%$ALICE_PASS"
has "... challenge/response succeeded" "challenge/response password authentication succeeded"
run "wbinfo --ntlmv2 -a alice" 0 it_on_member wbinfo --ntlmv2 -a "$D\\alice%$ALICE_PASS"
has "... NTLMv2 challenge/response succeeded" "challenge/response password authentication succeeded"
run "wbinfo --ntlmv2 -a alice, wrong password, fails" 1 it_on_member wbinfo --ntlmv2 -a "$D\\alice%wrong-$ALICE_PASS"
has "... with a logon failure" "NT_STATUS_WRONG_PASSWORD|NT_STATUS_LOGON_FAILURE" "$IT_WORK/err"
# A workstation trust account: network (challenge/response) logon only.
run "wbinfo -a PEER2\$ (machine account: no plaintext logon)" 1 it_on_member wbinfo -a "$D\\PEER2\$%$PEER2_PASS"
has "... but NTLM challenge/response succeeds" "challenge/response password authentication succeeded"
run "wbinfo --krb5auth alice" 0 it_on_member wbinfo --krb5auth="$D\\alice%$ALICE_PASS"
run "wbinfo --krb5auth alice, wrong password, fails" 1 it_on_member wbinfo --krb5auth="$D\\alice%wrong"

# --- the machine keytab ----------------------------------------------------------
run "ktutil list the member's keytab" 0 ktutil -k "$MEMBER_KEYTAB" list
for p in "$MEMBER_NAME\\\$" "host/$MEMBER_FQDN" "host/$MEMBER_NAME"; do
	has "... $p@$DC_REALM, aes256" "aes256-cts-hmac-sha1-96 +$p@$DC_REALM"
	has "... $p@$DC_REALM, aes128" "aes128-cts-hmac-sha1-96 +$p@$DC_REALM"
done
run "kinit -k -t MEMBER_KEYTAB '$MEMBER_PRINCIPAL' (from the host)" 0 env KRB5CCNAME="FILE:$IT_WORK/cc.member" \
	kinit -k -t "$MEMBER_KEYTAB" "$MEMBER_PRINCIPAL"
run "kinit -k (the member's default keytab, on the member)" 0 it_on_member env KRB5CCNAME="FILE:$IT_WORK/cc.member2" \
	kinit -k "$MEMBER_PRINCIPAL"
# Acceptor: a service ticket to host/member1 is encrypted with the account's
# key; the keytab's keys for every principal are the account's (same kvno).
run "a peer gets a ticket to host/$MEMBER_FQDN" 0 env KRB5CCNAME="$(it_kinit 1)" \
	kgetcred "host/$MEMBER_FQDN@$DC_REALM"
run "... aes256, with the kvno in the keytab" 0 env KRB5CCNAME="FILE:$IT_WORK/cc.peer1" klist -v
has "... aes256" "Ticket etype: aes256-cts-hmac-sha1-96, kvno 1"
run "the DC's key for $MEMBER_NAME\$ (samba-tool domain exportkeytab)" 0 samba-tool domain exportkeytab \
	"$IT_WORK/dc-member.keytab" --principal="$MEMBER_NAME\$" -s "$IT_WORK/dc/etc/smb.conf"
keys() { ktutil -k "$1" list --keys | awk -v p="$2" '$2 == "aes256-cts-hmac-sha1-96" && $3 == p { print $1, $4 }'; }
dc_key=$(keys "$IT_WORK/dc-member.keytab" "$MEMBER_PRINCIPAL")
if [ -n "$dc_key" ]; then
	for p in "$MEMBER_PRINCIPAL" "host/$MEMBER_FQDN@$DC_REALM" "host/$MEMBER_NAME@$DC_REALM"; do
		k=$(keys "$MEMBER_KEYTAB" "$p")
		if [ "$k" = "$dc_key" ]; then ok "keytab: $p has the DC's aes256 key and kvno"
		else bad "keytab: $p: '$k' is not the DC's '$dc_key'"; fi
	done
else bad "no aes256 key for $MEMBER_PRINCIPAL in the DC's export"; fi

run "member.sh selftest" 0 "$IT_MEMBER_SH" selftest "$IT_MEMBER_RUN"

# --- a second copy of the member is independent and as quick -----------------------
"$IT_MEMBER_SH" stop "$IT_MEMBER_RUN" >/dev/null
run "stopped: nothing of m1 runs" 1 pgrep -f -- "$IT_WORK/m1/"
it_start_member m2 "$MIP" dc
run "a fresh copy of the member: wbinfo -n '$D\\PEER2\$'" 0 it_on_member wbinfo -n "$D\\PEER2\$"
has "... is PEER2_SID" "^$PEER2_SID SID_USER"
grep -h 'ready' "$IT_WORK/m2.start.log"

# --- the host ----------------------------------------------------------------------
it_stop_members
host_state >"$IT_WORK/host.after"
same "host's /etc/samba, /var/lib/samba, /run/samba, /etc/krb5.* untouched" "$IT_WORK/host.before" "$IT_WORK/host.after"

it_summary
