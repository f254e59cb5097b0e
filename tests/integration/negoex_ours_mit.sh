#!/usr/bin/env bash
# negoex_ours_mit.sh: our NEGOEX peer (build/tests/negoex-peer, or
# $PEER_OURS) against MIT krb5 1.20, both ways: ours as initiator against
# MIT's acceptor, MIT's initiator against ours as acceptor, every case of
# negoex_mit_cases.sh (t_negoex.py's, see test_negoex_mit.sh).
#
#   tests/integration/negoex_ours_mit.sh
#
# Our peer speaks the relay's line protocol (tests/tools/negoex_relay.py)
# and takes
#   --role initiator|acceptor  --mechs OID,OID  [--channel-binding STRING]
# where --mechs lists the negoextest-compatible schemes in preference order
# (their GUID is the DER of the OID right-padded with zeros, as negoextest's
# gssspi_query_mechanism_info makes it), and reads negoextest's environment
# variables (HOPS, KEY, INIT_QUERY_FAIL, ...; plugins/gssapi/negoextest/
# main.c) with the same meaning.
#
# Each exchange is checked as MIT against MIT is (outcome, t_negoex.py's
# message lists, MIT's trace against the wire) and must put on the wire the
# very messages MIT against MIT does (same types, sequence numbers and
# schemes, message for message).  MIT against MIT runs first, as the
# reference.  Fails if our peer is missing.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/negoex_mit.sh"
source "$(dirname "$0")/negoex_mit_cases.sh"
[ -x "$PEER_OURS" ] ||
	{ echo "FAIL our NEGOEX peer $PEER_OURS is missing (tools/waf build builds it)"; exit 1; }
mit_build
nx_cases mit mit
nx_cases ours mit
nx_cases mit ours
it_summary
