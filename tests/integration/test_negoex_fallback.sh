#!/usr/bin/env bash
# test_negoex_fallback.sh: SPNEGO's fallback from NEGOEX to Kerberos against
# MIT krb5 1.20 (issue #17 section 3), with the mechListMIC (RFC 4178 5).
#
#   tools/waf build && flock /tmp/bpau-it.lock tests/integration/test_negoex_fallback.sh
#   (root: the throwaway Samba AD DC of dc.sh is the KDC; loopback 127.0.0.140)
#
# The sides:
#   - ours: build/tests/negoex-peer --with-krb5: negoex/spnego offering NEGOEX
#     (the test scheme) then Kerberos (negoex/krb5, Heimdal's GSSAPI);
#   - MIT's: mit-gss-peer (negoex_mit.sh builds it) on MIT's libgssapi_krb5
#     with an empty GSS_MECH_CONFIG, so without the negoextest plugin: MIT's
#     SPNEGO has no NEGOEX scheme and offers, or accepts, Kerberos alone.
# Both use the DC's realm (KRB5_CONFIG); the initiator a ticket of PEER1$
# (KRB5CCNAME), the acceptor PEER2$'s keytab (KRB5_KTNAME), the service
# HOST/peer2.bpau.test.
#
# Checked:
#   - ours -> MIT: MIT's acceptor does not have NEGOEX, picks Kerberos (our
#     second) with request-mic; Kerberos runs, the MICs are exchanged (MIT's
#     comes with its AP-REP, ours answers it), both established;
#   - MIT -> ours: MIT offers Kerberos first, our acceptor (NEGOEX and
#     Kerberos) takes it; no MIC is required (MIT's first mechanism), both
#     established;
#   - ours -> ours with both mechanisms: NEGOEX is chosen; with the acceptor
#     offering Kerberos alone: the fallback with MICs, on Heimdal both sides;
#   - a wrong keytab on MIT's acceptor: a clean failure on both sides.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/negoex_mit.sh"
mit_build
[ -x "$PEER_OURS" ] ||
	{ bad "our NEGOEX peer $PEER_OURS is missing (tools/waf build builds it)"; it_summary; exit 1; }

DC_IP=127.0.0.140
it_template
DC_IP=$DC_IP DC_MAXRUNTIME=1800 "$IT_DC" start "$IT_WORK/template" "$IT_WORK/nx" \
	>"$IT_WORK/nx.start.log" 2>&1 || { cat "$IT_WORK/nx.start.log"; echo "FAIL starting the DC"; exit 1; }
IT_RUNS+=("$IT_WORK/nx")
export KRB5_CONFIG="$IT_WORK/nx/client/krb5.conf"
CC="FILE:$IT_WORK/cc.peer1"
KRB5CCNAME=$CC kinit --no-forwardable -k -t "$IT_WORK/nx/client/peer1.keytab" "PEER1\$@$DC_REALM" ||
	{ echo "FAIL kinit PEER1\$"; exit 1; }
KT="FILE:$IT_WORK/nx/client/peer2.keytab"
SERVICE="HOST@peer2.bpau.test"
: >"$IT_WORK/gss_mech.none"  # MIT: no plugin mechanism, so no NEGOEX
MIT_ENV="env GSS_MECH_CONFIG=$IT_WORK/gss_mech.none"

relay() { /usr/bin/python3 "$NX_RELAY" --timeout 30 --tokens "$IT_WORK/tokens" "$@"; }
ini_ours="env KRB5CCNAME=$CC $PEER_OURS --role initiator --with-krb5 --target $SERVICE"
acc_ours="env KRB5_KTNAME=$KT $PEER_OURS --role acceptor --with-krb5"
ini_mit="$MIT_ENV KRB5CCNAME=$CC KRB5_KTNAME=FILE:/nonexistent $MIT_PEER --role initiator --target $SERVICE"
acc_mit="$MIT_ENV KRB5CCNAME=FILE:/nonexistent KRB5_KTNAME=$KT $MIT_PEER --role acceptor"

# tok N NAME: negoex-dump's reading of token N (1-based, both directions)
# of the last relay, in $IT_WORK/NAME.
DUMP="$IT_TOP/build/negoex-dump"
tok() { sed -n "${1}p" "$IT_WORK/tokens" | awk '{print $NF}' | "$DUMP" - >"$IT_WORK/$2" 2>&1; }

# --- ours -> MIT: the fallback ------------------------------------------------
run "ours (NEGOEX, Kerberos) -> MIT (Kerberos only): established" 0 relay \
	--initiator "$ini_ours" --acceptor "$acc_mit"
cp "$IT_WORK/out" "$IT_WORK/fallback1.out"
has "... result: success" '^result: success'
has "... on Kerberos, MICs exchanged" 'spnego: selected Kerberos, mechListMIC exchanged'
has "... MIT's acceptor said DONE" 'acceptor DONE|^A DONE|acceptor: .*DONE'
has "... our three tokens (init, AP-REQ, our MIC)" 'initiator: .*3 token\(s\) sent'
has "... MIT's two (request-mic; AP-REP with its MIC)" 'acceptor: .*2 token\(s\) sent'
tok 1 t1; tok 2 t2; tok 3 t3; tok 4 t4; tok 5 t5
has "... our NegTokenInit offers NEGOEX" 'oid +1\.3\.6\.1\.4\.1\.311\.2\.2\.30$' "$IT_WORK/t1"
has "... then Kerberos" 'oid +1\.2\.840\.113554\.1\.2\.2$' "$IT_WORK/t1"
has "... MIT answers Kerberos" 'oid +1\.2\.840\.113554\.1\.2\.2$' "$IT_WORK/t2"
has "... with request-mic (RFC 4178 5: not our first)" 'negState.*request-mic' "$IT_WORK/t2"
if grep -q mechListMIC "$IT_WORK/t3"; then bad "... our AP-REQ carries no MIC"; else ok "... our AP-REQ carries no MIC"; fi
has "... MIT's AP-REP comes with its mechListMIC" 'mechListMIC' "$IT_WORK/t4"
has "... ours ends it, with accept-completed" 'mechListMIC' "$IT_WORK/t5"
has "... ... accept-completed" 'negState.*accept-completed' "$IT_WORK/t5"

# --- MIT -> ours: Kerberos, MIT's first --------------------------------------
run "MIT (Kerberos only) -> ours (NEGOEX, Kerberos): established" 0 relay \
	--initiator "$ini_mit" --acceptor "$acc_ours"
cp "$IT_WORK/out" "$IT_WORK/fallback2.out"
has "... result: success" '^result: success'
has "... on Kerberos, no MIC (MIT's first mechanism)" 'spnego: selected Kerberos, mechListMIC none'
has "... the initiator authenticated as PEER1\$" "krb5: peer PEER1\\\$@$DC_REALM"
tok 2 t2
if grep -q mechListMIC "$IT_WORK/t2"; then bad "... our reply carries no MIC"; else ok "... our reply carries no MIC"; fi
has "... and says accept-completed with the AP-REP" 'negState.*accept-completed' "$IT_WORK/t2"

# --- ours -> ours ------------------------------------------------------------
run "ours -> ours, both with NEGOEX and Kerberos: NEGOEX" 0 relay \
	--initiator "$ini_ours" --acceptor "$acc_ours"
has "... NEGOEX chosen, no MIC (the test scheme has no integrity)" \
	'spnego: selected NEGOEX, mechListMIC none'
run "ours (NEGOEX, Kerberos) -> ours (Kerberos only): the fallback" 0 relay \
	--initiator "$ini_ours" --acceptor "$acc_ours --no-negoex"
has "... on Kerberos, MICs exchanged" 'spnego: selected Kerberos, mechListMIC exchanged'
if [ "$(grep -c 'spnego: selected Kerberos, mechListMIC exchanged' "$IT_WORK/out")" -eq 2 ]; then
	ok "... on both sides"
else bad "... on both sides"; fi

# --- failures ----------------------------------------------------------------
run "ours -> MIT with a keytab without the service's key: failure" 1 relay \
	--initiator "$ini_ours" \
	--acceptor "$MIT_ENV KRB5_KTNAME=FILE:$IT_WORK/nx/client/peer3.keytab $MIT_PEER --role acceptor"
has "... result: failure" '^result: failure'
run "MIT -> ours with a keytab without the service's key: failure" 1 relay \
	--initiator "$ini_mit" \
	--acceptor "env KRB5_KTNAME=FILE:$IT_WORK/nx/client/peer3.keytab $PEER_OURS --role acceptor --with-krb5"
has "... result: failure" '^result: failure'
it_summary
