#!/usr/bin/env bash
# test_forgecheck.sh: tools/bpau-forgecheck against both outcomes.
#
#   - Debian 12's Samba 4.17 AD DC, as packaged (no bpau module loaded):
#     it executes a samr request forged inside a Kerberos association
#     (contrib/samba/0001-*.patch), so the tool says VULNERABLE, exit 1.
#   - bpaud, which refuses such tokens itself (its gss_unwrap_iov and
#     gss_verify_mic accept GSS_S_COMPLETE only): "not vulnerable", exit 0.
#   - and the cases where it cannot tell: exit 2.
# The genuine client is Samba's (python3-samba) with PEER1$'s ticket.
source "$(dirname "$0")/lib.sh"
BPAUD=${BPAUD:-$IT_TOP/build/bpaud}
CHECK=$IT_TOP/tools/bpau-forgecheck
BPAUD_PIDFILE=$IT_WORK/bpaud/bpaud.pid
forgecheck_cleanup() {
	[ -s "$BPAUD_PIDFILE" ] && kill "$(cat "$BPAUD_PIDFILE")" 2>/dev/null
	it_cleanup
}
trap forgecheck_cleanup EXIT

it_template
# The DC without the bpau module: Samba exactly as Debian ships it.
# dc.sh start waits for its ports 88 and 135.
DC_RUN=$IT_WORK/dc
DC_IP=127.0.0.11 DC_MAXRUNTIME=900 "$IT_DC" start "$IT_WORK/template" "$DC_RUN" \
	>"$IT_WORK/dc.start.log" 2>&1 || { cat "$IT_WORK/dc.start.log"; echo "FAIL starting the DC"; exit 1; }
IT_RUNS+=("$DC_RUN")
CC1=$(it_kinit 1)
DC_ARGS=(dc1.bpau.test --address 127.0.0.11 --ccache "$CC1" --conf "$DC_RUN/client/smb.conf")

# --- the unpatched DC ------------------------------------------------------
run "Samba 4.17 DC, samr at privacy: VULNERABLE (exit 1)" 1 "$CHECK" "${DC_ARGS[@]}"
has "... its port found through the endpoint mapper" '^target: dc1\.bpau\.test \(127\.0\.0\.11\), samr on port [1-9][0-9]*, auth level privacy'
has "... the forged Connect2 executed" '^the server executed the forged samr Connect2 and sent its response'
has "... and said so on the last line" '^VULNERABLE$'
run "Samba 4.17 DC, samr at integrity: VULNERABLE (exit 1)" 1 "$CHECK" "${DC_ARGS[@]}" --level sign
has "... the forged Connect2 executed" '^the server executed the forged samr Connect2'

# --- bpaud -----------------------------------------------------------------
# PEER5's keytab on 127.0.0.21, both auth levels allowed; --daemon returns
# once it serves (its pid file written).
it_cert peer5 "$PEER5_SID"
mkdir -p "$IT_WORK/bpaud"
"$BPAUD" --daemon --listen 127.0.0.21 --keytab "$IT_WORK/template/client/peer5.keytab" \
	--cert "$IT_WORK/peer5.der" --table "$IT_WORK/bpaud/table.tdb" \
	--state-dir "$IT_WORK/bpaud" --pid-file "$BPAUD_PIDFILE" --auth-level integrity \
	>"$IT_WORK/bpaud.start.log" 2>&1 || { cat "$IT_WORK/bpaud.start.log"; echo "FAIL starting bpaud"; exit 1; }
BPAUD_ARGS=(peer5.bpau.test --address 127.0.0.21 --interface bitspeerauth --principal "peer5\$@$DC_REALM" --ccache "$CC1"
	--conf "$DC_RUN/client/smb.conf")
run "bpaud, ExchangePublicKeys at privacy: not vulnerable (exit 0)" 0 "$CHECK" "${BPAUD_ARGS[@]}"
has "... its port found through bpaud's endpoint mapper" '^target: peer5\.bpau\.test \(127\.0\.0\.21\), bitspeerauth on port [1-9]'
has "... refused with nca/rpc_s_sec_pkg_error" 'refused the forged request: fault 0x00000721'
has "... and said so on the last line" '^not vulnerable$'
has "bpaud logged the refusal" 'refused a .*message whose token is out of sequence' "$IT_WORK/bpaud/bpaud.log"
run "bpaud, ExchangePublicKeys at integrity: not vulnerable (exit 0)" 0 "$CHECK" "${BPAUD_ARGS[@]}" --level sign
has "... refused with nca/rpc_s_sec_pkg_error" 'refused the forged request: fault 0x00000721'

# --- cannot tell -----------------------------------------------------------
run "no ticket: cannot tell (exit 2)" 2 "$CHECK" "${DC_ARGS[@]/$CC1/FILE:$IT_WORK/no-such-ccache}"
has "... saying the client ended" '^cannot tell: the client ended'
run "nothing listening on the port: cannot tell (exit 2)" 2 "$CHECK" dc1.bpau.test \
	--address 127.0.0.11 --port 9 --ccache "$CC1"
has "... saying so" '^cannot tell: cannot connect to 127\.0\.0\.11 port 9'
run "--help explains itself" 0 "$CHECK" --help
has "... what it sends" 'Nothing is read from or changed on the server'
has "... and the exit statuses" 'VULNERABLE: the server answered the forged request'

it_summary
