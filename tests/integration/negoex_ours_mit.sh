#!/usr/bin/env bash
# negoex_ours_mit.sh: our NEGOEX peer (build/tests/negoex-peer, or
# $PEER_OURS) against MIT krb5 1.20, both ways: ours as initiator against
# MIT's acceptor, MIT's initiator against ours as acceptor, every case of
# negoex_mit_cases.sh (t_negoex.py's, see test_negoex_mit.sh).
#
#   tests/integration/negoex_ours_mit.sh
#
# This file is the one with our own SPNEGO framing (negoex-peer --spnego);
# test_negoex_mit.sh runs the same cases with our NEGOEX engine inside the
# SPNEGO shim.  It becomes a test_*.sh once negoex-peer --spnego works (in
# this tree it still answers "SPNEGO framing is not built yet").
#
# Our peer is negoex-peer (tests/tools/negoex-peer.c): the relay's line
# protocol, SPNEGO framing (--spnego), the test schemes twin of MIT's
# negoextest reading the same environment variables (HOPS, KEY,
# INIT_QUERY_FAIL, ...), and its scheme order set by --reverse and
# --schemes (negoex_mit.sh:nx_peer_cmd maps each case onto them).
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
