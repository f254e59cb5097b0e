#!/usr/bin/env bash
# test_otpced_ldap.sh: otpced's [directory] backend = ldap against the
# throwaway Samba AD DC: the user's exact distinguishedName and
# userPrincipalName read over LDAP, bound with the joined member's machine
# account (Kerberos from its keytab, SASL GSSAPI), the DC found through
# winbind.  The requests are made and sent by otpce-client; FreeRADIUS
# answers.
#
# The user that needs it: dave, created in OU=Staff as "Dave Jones", with
# an explicit UPN of another suffix (dave.jones@staff.example).  Asserted:
#   - backend = ldap: dave's request with his real DN and UPN -> Success;
#     the names backend = winbind derives for him (CN=Users, dave@realm)
#     -> OtherError; alice (CN=Users) -> Success; an unknown user ->
#     AuthenticationError;
#   - backend = winbind, the same request of dave's -> OtherError (its
#     derived names are not his: the limit that backend = ldap lifts);
#   - the DC drops otpced's LDAP connection (ss -K): the next lookup
#     connects again within the same request -> Success;
#   - a machine principal with no key in the keytab -> OtherError, the
#     log naming the Kerberos failure; otpced keeps serving;
#   - one log line per request, never the one-time password; a clean stop.
# Addresses (127.0.0.90-93): otpced .90 (ports 8443-8445), FreeRADIUS .91,
# the member .92, the DC .93.
# Run as root:  flock /tmp/bpau-it.lock tests/integration/test_otpced_ldap.sh
source "$(dirname "$0")/lib.sh"
# shellcheck disable=SC1091
source "$IT_TOP/tests/integration/radius.sh"
# shellcheck disable=SC1091
source "$IT_TOP/tests/integration/otpce_env.sh"

OTPCED=${OTPCED:-$IT_TOP/build/otpced}
CLIENT=${OTPCE_CLIENT:-$IT_TOP/build/otpce-client}
OIP=127.0.0.90 R1=127.0.0.91 MIP=127.0.0.92 DCIP=127.0.0.93
TEMPLATE=OTPLogon
ALICE_OTP=alice-otp-123456 DAVE_OTP=dave-otp-778899
DAVE_UPN=dave.jones@staff.example
S1=otpced-ldap-secret
W=$IT_WORK

for b in "$OTPCED" "$CLIENT"; do
	[ -x "$b" ] || { echo "FAIL $b is not built"; exit 1; }
done

# --- the domain: dave in OU=Staff with his own UPN; the member; FreeRADIUS ---
make_dave() {
	local h="$W/template/private/sam.ldb" s="$W/template/etc/smb.conf"
	{
		samba-tool ou create "OU=Staff,$DN_DCS" -s "$s" -H "$h" &&
			samba-tool user create dave --random-password --userou=OU=Staff \
				--given-name=Dave --surname=Jones -s "$s" -H "$h" &&
			/usr/bin/python3 - "$s" "$h" "CN=Dave Jones,OU=Staff,$DN_DCS" "$DAVE_UPN" <<-'EOF'
			# samba-tool refuses a UPN suffix the forest does not list, and
			# adds suffixes only through a running DC: write it directly.
			import sys, ldb
			from samba.auth import system_session
			from samba.param import LoadParm
			from samba.samdb import SamDB
			lp = LoadParm()
			lp.load(sys.argv[1])
			db = SamDB(url=sys.argv[2], session_info=system_session(), lp=lp)
			m = ldb.Message(ldb.Dn(db, sys.argv[3]))
			m["userPrincipalName"] = ldb.MessageElement(sys.argv[4], ldb.FLAG_MOD_REPLACE,
			                                            "userPrincipalName")
			db.modify(m)
			EOF
	} >"$W/dave.log" 2>&1 || { cat "$W/dave.log"; return 1; }
}
OTPCE_TEMPLATE_HOOK=make_dave otpce_domain "$MIP" "$DCIP"
run "the member sees dave" 0 it_on_member wbinfo -n "$D\\dave"
RADIUS_USERS="dave	Cleartext-Password := \"$DAVE_OTP\"" RADIUS_SECRET=$S1 \
	radius_start "$W/r1" "$R1" 1812 || exit 1
trap 'radius_stop_all; it_cleanup' EXIT
otpce_pki "$OIP" "$S1"

# conf NAME PORT DIRECTORY-LINES: an otpced configuration.
conf() {
	otpce_conf "$1" "$2" "" "$3" "$(otpce_radius_section "$R1" "timeout_ms = 2000")" "[ca]
name = dc1.$REALM_LC\\Test-Issuing-CA"
}
# ldap: one process, no directory cache, so that every request reads LDAP
# on the one connection (the reconnect test below needs that).
conf ldap 8443 "backend = ldap
cache_seconds = 0"
sed -i 's/^tls_key = .*/&\nworkers = 1/' "$W/ldap.conf"
conf derived 8444 "backend = winbind"
conf nokey 8445 "backend = ldap
ldap_principal = NOSUCH\$@$DC_REALM"
declare -A SPAWNED
for n in ldap derived nokey; do
	otpce_start "$n" "$OTPCED" "$OIP"
	SPAWNED[$n]=$SPAWN_PID
done

# enroll WHAT RC PORT USER SUBJECT-DN UPN OTP: otpce-client as USER with a
# request naming SUBJECT-DN and UPN, expecting exit code RC (0 Success,
# 1 AuthenticationError, 4 OtherError: otpce-client --help).
N=0
enroll() {
	local what=$1 want=$2 port=$3 user=$4 subject=$5 upn=$6 otp=$7 rc
	N=$((N + 1))
	printf '%s\n' "$otp" >"$W/e$N.otp"
	"$CLIENT" --server "https://$OIP:$port/otpcep" --cacert "$W/pki/ca.pem" \
		--user "$D\\$user" --subject "$subject" --upn "$upn" --template "$TEMPLATE" \
		--otp-file "$W/e$N.otp" --timeout 10 --key-out "$W/e$N.key" --csr-out "$W/e$N.csr" \
		--format der --out "$W/e$N.signed" >"$W/e$N.stdout" 2>"$W/e$N.stderr"
	rc=$?
	if [ "$rc" = "$want" ]; then ok "$what: exit $rc"
	else bad "$what: exit $rc (expected $want): $(head -c 300 "$W/e$N.stderr")"; fi
}
DAVE_DN="CN=Dave Jones,OU=Staff,$DN_DCS"

enroll "ldap: dave, his DN in OU=Staff and his own UPN" 0 8443 dave "$DAVE_DN" "$DAVE_UPN" "$DAVE_OTP"
run "... the signed request is written" 0 test -s "$W/e$N.signed"
enroll "ldap: dave, the names winbind would derive" 4 8443 dave \
	"CN=Dave Jones,CN=Users,$DN_DCS" "dave@$REALM_LC" "$DAVE_OTP"
enroll "ldap: dave's DN with another OU" 4 8443 dave \
	"CN=Dave Jones,OU=Other,$DN_DCS" "$DAVE_UPN" "$DAVE_OTP"
enroll "ldap: alice (CN=Users, her UPN)" 0 8443 alice "CN=alice,CN=Users,$DN_DCS" \
	"alice@$REALM_LC" "$ALICE_OTP"
enroll "ldap: a user the directory does not know" 1 8443 nosuch "CN=nosuch,CN=Users,$DN_DCS" \
	"nosuch@$REALM_LC" "$ALICE_OTP"
enroll "ldap: dave, wrong password" 1 8443 dave "$DAVE_DN" "$DAVE_UPN" wrong-otp
# The DC drops otpced's LDAP connection (ss -K, as a DC restart would):
# the next lookup connects again and succeeds.
LDAP_PORTS=$(ss -Htnp state established dst "$DCIP" dport = :389 | grep otpced |
	awk '{print $3}' | sed 's/.*://')
run "ldap: otpced holds one LDAP connection to the DC" 0 test "$(echo "$LDAP_PORTS" | grep -c .)" -eq 1
# (ss also asks for IPv6 sockets, which the kernel refuses: "RTNETLINK
# answers: Invalid argument"; the check below is what counts.)
ss -K state established dst "$DCIP" dport = :389 sport = ":$LDAP_PORTS" >"$W/ssk.log" 2>&1
run "... which is gone after ss -K" 0 test -z "$(ss -Htn state established dst "$DCIP" dport = :389 \
	sport = ":$LDAP_PORTS")"
enroll "ldap: dave again after the connection was dropped" 0 8443 dave "$DAVE_DN" "$DAVE_UPN" "$DAVE_OTP"
enroll "winbind: dave's real names are not the derived ones" 4 8444 dave "$DAVE_DN" "$DAVE_UPN" \
	"$DAVE_OTP"
enroll "ldap with a principal the keytab lacks" 4 8445 alice "CN=alice,CN=Users,$DN_DCS" \
	"alice@$REALM_LC" "$ALICE_OTP"
enroll "... and it keeps serving (the same again)" 4 8445 alice "CN=alice,CN=Users,$DN_DCS" \
	"alice@$REALM_LC" "$ALICE_OTP"

# --- the log ------------------------------------------------------------------
it_wait_for "ldap's log" 'outcome=AuthenticationError' "$W/ldap.out" 10
has_log() {
	if grep -qE -- "$3" "$W/$1.out"; then ok "$2"
	else bad "$2: no line matching $3 in $1.out"; tail -n 4 "$W/$1.out" | sed 's/^/     | /'; fi
}
has_log ldap "log: dave, Success" "user=\"$D\\\\x5cdave\" outcome=Success radius=$R1:1812"
has_log ldap "log: dave's derived names refused in step 1" \
	"user=\"$D\\\\x5cdave\" outcome=OtherError radius=- detail=\"[^\"]*(subject|UPN)"
has_log derived "log: winbind's derived names refused" "user=\"$D\\\\x5cdave\" outcome=OtherError radius=- "
has_log nokey "log: the Kerberos failure named" 'outcome=OtherError radius=- detail="Kerberos'
for secret in "$ALICE_OTP" "$DAVE_OTP" "$S1"; do
	run "log: never the secret ${secret:0:3}..." 1 grep -qF -- "$secret" "$W/ldap.out" \
		"$W/derived.out" "$W/nokey.out"
done

# --- a clean stop ----------------------------------------------------------------
for n in "${!SPAWNED[@]}"; do
	pid=$(pgrep -o -f -- "$OTPCED -c $W/$n.conf")
	if [ -z "$pid" ]; then bad "$n: no otpced process left to stop"; continue; fi
	kill -TERM "$pid"
	wait "${SPAWNED[$n]}"
	rc=$?
	if [ "$rc" -eq 0 ] && ! grep -qE 'Sanitizer|runtime error' "$W/$n.out"; then
		ok "$n: SIGTERM stops it cleanly (exit 0)"
	else
		bad "$n: exit $rc after SIGTERM"; tail -n 20 "$W/$n.out" | sed 's/^/     | /'
	fi
done

it_summary
