/*
 * negoex_testscheme.h: a NEGOEX auth scheme for tests only, wire-compatible
 * with MIT krb5's negoextest plugin (src/plugins/gssapi/negoextest/main.c,
 * read, not copied): the same AUTH_SCHEME GUIDs, meta-data, tokens and
 * keys, driven by the same environment variables.  Never part of a
 * product library.
 *
 * MIT's t_negoex.py registers the plugin twice, under the OIDs
 * 2.25.1414534758 (encoding ends in 0x66 = 102) and 2.25.1175737388 (ends
 * in 0x2c = 44); the GUID is the OID encoding padded with zeros
 * (gssspi_query_mechanism_info), so c0a28569-66ac-0000-0000-000000000000
 * and d1b08469-2ca8-0000-0000-000000000000.  The environment variables
 * name a scheme by that last octet:
 *
 *   HOPS=n                  the number of scheme tokens (default 1)
 *   KEY=never|always|init-always|accept-always
 *                           keys before the context is established
 *                           (default: only once established; never: none)
 *   INIT_QUERY_FAIL=o, ACCEPT_QUERY_FAIL=o     query meta-data fails
 *   INIT_QUERY_NONE=o, ACCEPT_QUERY_NONE=o     no meta-data
 *   INIT_EXCHANGE_FAIL=o, ACCEPT_EXCHANGE_FAIL=o   exchange meta-data fails
 *   INIT_FAIL=o             the initiator's step fails
 *   ACCEPT_FAIL=o           the acceptor's step fails, sending "fail"
 *                           (the initiator then fails: MIT's "failure
 *                           from acceptor")
 * and one of ours, which MIT's plugin does not know (use it only between
 * two of our peers):
 *   NEGOEX_TEST_ENCTYPE=17|18|19|20|23   the keys' enctype (default 18,
 *                           aes256-cts-hmac-sha1-96, as MIT's plugin)
 */
#ifndef TESTS_TOOLS_NEGOEX_TESTSCHEME_H
#define TESTS_TOOLS_NEGOEX_TESTSCHEME_H

#include "negoex/engine/engine.h"

#define NEGOEX_TESTSCHEME_COUNT 2

extern const struct negoex_scheme_ops negoex_testscheme_ops;

/* negoex_testscheme_get: instance |index| (0: OID ...102, 1: OID ...44). */
void negoex_testscheme_get(unsigned index, struct negoex_scheme *out);

/* negoex_testscheme_last_octet: 102 or 44, for the environment variables. */
unsigned negoex_testscheme_last_octet(unsigned index);

#endif
