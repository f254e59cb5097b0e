# negoex_mit_cases.sh: the NEGOEX exchanges run against MIT krb5, each for
# one pairing of initiator and acceptor (mit or ours).  Sourced after
# negoex_mit.sh; nx_cases IKIND AKIND runs them all.
#
# The cases and the message lists in quotes are those of MIT's
# src/tests/gssapi/t_negoex.py (krb5 1.20.1), checked the way its
# expected_trace is checked, against the messages on the wire.  Cases it
# does not have are marked "(not in t_negoex.py)".  Every exchange also
# checks that each side's own trace (MIT's; ours if it writes one) says
# what the wire says and, for an exchange with our side, that the wire
# carries the very messages MIT against MIT carries (nx_same_as).
S1=$MIT_SCHEME1 S2=$MIT_SCHEME2
G1="$S1-0000-0000-000000000000" G2="$S2-0000-0000-000000000000"

# nx_common: the checks every exchange gets.
nx_common() {
	nx_views
	if [ "${NX_KINDS[initiator]}-${NX_KINDS[acceptor]}" != mit-mit ]; then
		nx_same_as "${NX_DIR%.*}.mit-mit"
	fi
}

nx_cases() {
	local i=$1 a=$2

	# --- hops: one, then several (the scheme's token count) -------------
	nx_run "one hop" "$i" "$a" HOPS=1
	nx_outcome success
	nx_seq "t_negoex.py's 'One hop' messages, in order" \
		"sending [0]INITIATOR_NEGO: $G1 $G2" \
		"sending [1]INITIATOR_META_DATA: $S1" \
		"sending [2]INITIATOR_META_DATA: $S2" \
		"sending [3]AP_REQUEST: $S1" \
		"sending [4]VERIFY: $S1" \
		"received [0]INITIATOR_NEGO: $G1 $G2" \
		"received [1]INITIATOR_META_DATA: $S1" \
		"received [2]INITIATOR_META_DATA: $S2" \
		"received [3]AP_REQUEST: $S1" \
		"received [4]VERIFY: $S1" \
		"sending [5]ACCEPTOR_NEGO: $G1 $G2" \
		"sending [6]ACCEPTOR_META_DATA: $S1" \
		"sending [7]ACCEPTOR_META_DATA: $S2" \
		"sending [8]VERIFY: $S1" \
		"received [5]ACCEPTOR_NEGO: $G1 $G2" \
		"received [6]ACCEPTOR_META_DATA: $S1" \
		"received [7]ACCEPTOR_META_DATA: $S2" \
		"received [8]VERIFY: $S1"
	nx_common

	nx_run "two hops" "$i" "$a" HOPS=2
	nx_outcome success
	nx_seq "t_negoex.py's 'Two hops' messages" \
		"sending [7]CHALLENGE" "sending [8]VERIFY" "received [8]VERIFY" "sending [9]VERIFY"
	nx_common

	nx_run "three hops" "$i" "$a" HOPS=3
	nx_outcome success
	nx_seq "t_negoex.py's 'Three hops' messages" \
		"sending [8]AP_REQUEST" "sending [9]VERIFY" "received [8]AP_REQUEST" "sending [10]VERIFY"
	nx_common

	nx_run "four hops" "$i" "$a" HOPS=4
	nx_outcome success
	nx_seq "t_negoex.py's 'Four hops' messages" \
		"sending [9]CHALLENGE" "sending [10]VERIFY" "received [9]CHALLENGE" "sending [11]VERIFY"
	nx_common

	# --- keys available early: the optimistic VERIFY --------------------
	nx_run "early keys, three hops" "$i" "$a" HOPS=3 KEY=always
	nx_outcome success
	nx_seq "t_negoex.py's 'Early keys, three hops' messages" \
		"sending [4]VERIFY" "sending [9]VERIFY" "sending [10]AP_REQUEST"
	nx_common

	nx_run "early keys, four hops" "$i" "$a" HOPS=4 KEY=always
	nx_outcome success
	nx_seq "t_negoex.py's 'Early keys, four hops' messages" \
		"sending [4]VERIFY" "sending [9]VERIFY" "sending [10]AP_REQUEST" "sending [11]CHALLENGE"
	nx_common

	nx_run "no keys" "$i" "$a" KEY=never
	nx_outcome failure initiator "No NegoEx verify key"
	nx_common

	nx_run "no optimistic token" "$i" "$a" NEGOEX_NO_OPTIMISTIC_TOKEN=
	nx_outcome success
	nx_seq "t_negoex.py's 'No optimistic token' messages" \
		"sending [3]ACCEPTOR_NEGO" "sending [6]AP_REQUEST" "sending [7]VERIFY" "sending [8]VERIFY"
	nx_common

	# --- a scheme failing its meta-data ---------------------------------
	nx_run "first mech initiator query fail" "$i" "$a" INIT_QUERY_FAIL=102
	nx_outcome success
	nx_seq "t_negoex.py's 'First mech initiator query fail' messages" \
		"sending [0]INITIATOR_NEGO: $G2" "sending [2]AP_REQUEST" "sending [3]VERIFY" \
		"sending [4]ACCEPTOR_NEGO: $G2" "sending [6]VERIFY"
	nx_common

	nx_run "first mech acceptor query fail" "$i" "$a" ACCEPT_QUERY_FAIL=102
	nx_outcome success
	nx_seq "t_negoex.py's 'First mech acceptor query fail' messages" \
		"sending [0]INITIATOR_NEGO: $G1 $G2" "sending [3]AP_REQUEST: $S1" \
		"sending [4]VERIFY: $S1" "sending [5]ACCEPTOR_NEGO: $G2" \
		"sending [7]AP_REQUEST: $S2" "sending [8]VERIFY: $S2" "sending [9]VERIFY: $S2"
	nx_common

	nx_run "first mech acceptor exchange fail" "$i" "$a" ACCEPT_EXCHANGE_FAIL=102
	nx_outcome success
	nx_seq "t_negoex.py's 'First mech acceptor exchange fail' messages" \
		"sending [0]INITIATOR_NEGO: $G1 $G2" "sending [3]AP_REQUEST: $S1" \
		"sending [4]VERIFY: $S1" "sending [5]ACCEPTOR_NEGO: $G2" \
		"sending [7]AP_REQUEST: $S2" "sending [8]VERIFY: $S2" "sending [9]VERIFY: $S2"
	nx_common

	# The acceptor has effectively chosen the optimistic mech, whose
	# exchange_meta_data then fails in the initiator: no scheme is left.
	nx_run "first mech initiator exchange fail, one hop" "$i" "$a" HOPS=1 INIT_EXCHANGE_FAIL=102
	nx_outcome failure initiator "No mutually supported NegoEx authentication schemes"
	nx_common
	nx_run "first mech initiator exchange fail, two hops, early keys" "$i" "$a" \
		HOPS=2 INIT_EXCHANGE_FAIL=102 KEY=always
	nx_outcome failure initiator "No mutually supported NegoEx authentication schemes"
	nx_common
	nx_run "first mech initiator exchange fail, two hops" "$i" "$a" HOPS=2 INIT_EXCHANGE_FAIL=102
	nx_outcome failure initiator "No mutually supported NegoEx authentication schemes"
	nx_common

	nx_run "no initiator meta-data for the first mech" "$i" "$a" INIT_QUERY_NONE=102
	nx_outcome success
	nx_seq "(not in t_negoex.py) no INITIATOR_META_DATA for $S1, the rest as one hop" \
		"sending [0]INITIATOR_NEGO: $G1 $G2" "sending [1]INITIATOR_META_DATA: $S2" \
		"sending [2]AP_REQUEST: $S1" "sending [3]VERIFY: $S1" \
		"sending [4]ACCEPTOR_NEGO: $G1 $G2"
	nx_common

	# --- the scheme's own context failing --------------------------------
	nx_run "first mech init_sec_context fail" "$i" "$a" INIT_FAIL=102
	nx_outcome success
	nx_seq "t_negoex.py's 'First mech init_sec_context fail' messages" \
		"sending [0]INITIATOR_NEGO: $G2" "sending [2]AP_REQUEST" "sending [3]VERIFY" \
		"sending [6]VERIFY"
	nx_common

	nx_run "first mech accept_sec_context fail" "$i" "$a" HOPS=2 ACCEPT_FAIL=102
	nx_outcome failure initiator "failure from acceptor"
	nx_common

	# --- the ALERT path: VERIFY_NO_KEY pulse ----------------------------
	nx_run "ALERT from acceptor to initiator" "$i" "$a" HOPS=3 KEY=init-always
	nx_outcome success
	nx_seq "t_negoex.py's 'ALERT from acceptor to initiator' messages" \
		"sending [3]AP_REQUEST" "sending [4]VERIFY" "sending [8]CHALLENGE" \
		"sending [9]ALERT" "received [9]ALERT" "sending [10]AP_REQUEST" \
		"sending [11]VERIFY" "sending [12]VERIFY"
	nx_common

	nx_run "ALERT from initiator to acceptor" "$i" "$a" HOPS=4 KEY=accept-always
	nx_outcome success
	nx_seq "t_negoex.py's 'ALERT from initiator to acceptor' messages" \
		"sending [3]AP_REQUEST" "sending [7]CHALLENGE" "sending [8]VERIFY" \
		"sending [9]AP_REQUEST" "sending [10]ALERT" "received [10]ALERT" \
		"sending [11]CHALLENGE" "sending [12]VERIFY" "sending [13]VERIFY"
	nx_common

	# --- two schemes, preference reordered (not in t_negoex.py) ---------
	NX_INIT_MECHS="$MIT_OID1,$MIT_OID2" NX_ACC_MECHS="$MIT_OID2,$MIT_OID1"
	nx_run "acceptor prefers the second scheme" "$i" "$a" HOPS=1
	nx_outcome success
	nx_seq "(not in t_negoex.py) the acceptor's order wins" \
		"sending [0]INITIATOR_NEGO: $G1 $G2" "sending [3]AP_REQUEST: $S1" \
		"sending [5]ACCEPTOR_NEGO: $G2 $G1" "sending [8]AP_REQUEST: $S2"
	nx_common
	NX_INIT_MECHS="$MIT_OID2,$MIT_OID1" NX_ACC_MECHS="$MIT_OID1,$MIT_OID2"
	nx_run "initiator prefers the second scheme" "$i" "$a" HOPS=2 KEY=always
	nx_outcome success
	nx_seq "(not in t_negoex.py) the acceptor's order wins, early keys" \
		"sending [0]INITIATOR_NEGO: $G2 $G1" "sending [3]AP_REQUEST: $S2" \
		"sending [4]VERIFY: $S2" "sending [5]ACCEPTOR_NEGO: $G1 $G2" \
		"sending [8]AP_REQUEST: $S1"
	nx_common
	NX_INIT_MECHS="$MIT_OID1,$MIT_OID2" NX_ACC_MECHS="$MIT_OID2"
	nx_run "acceptor has only the second scheme" "$i" "$a" HOPS=1
	nx_outcome success
	nx_seq "(not in t_negoex.py) the acceptor offers only what it has" \
		"sending [0]INITIATOR_NEGO: $G1 $G2" "sending [3]AP_REQUEST: $S1" \
		"sending [5]ACCEPTOR_NEGO: $G2" "sending [7]AP_REQUEST: $S2"
	nx_common
	NX_INIT_MECHS="$MIT_OID1,$MIT_OID2" NX_ACC_MECHS="$MIT_OID1,$MIT_OID2"

	# --- channel bindings reach the scheme ------------------------------
	NX_BINDING=([initiator]=a [acceptor]=b)
	nx_run "channel bindings" "$i" "$a" HOPS=1 GSS_INIT_BINDING=a GSS_ACCEPT_BINDING=b
	nx_outcome success
	nx_common
	NX_BINDING=()
}
