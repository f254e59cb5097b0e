/*
 * negoex_engine_fixtures.h: what the NEGOEX engine tests share: engines on
 * the test auth scheme (tests/tools/negoex_testscheme.h, MIT negoextest's
 * twin), a relay between two engines in one process, and hand-made peer
 * messages (the codec's builders with whatever header a test wants).
 * Included by test_negoex_engine.c and test_negoex_engine_defence.c.
 */
#ifndef TESTS_UNIT_NEGOEX_ENGINE_FIXTURES_H
#define TESTS_UNIT_NEGOEX_ENGINE_FIXTURES_H

#include "negoex_fixtures.h"

#include "negoex/engine/engine.h"
#include "negoex/msg.h"
#include "tests/tools/negoex_testscheme.h"

/* The test scheme's environment (negoex_testscheme.h), cleared by setup. */
static const char *const test_env[] = {
	"HOPS",		   "KEY",		 "INIT_QUERY_FAIL",	 "ACCEPT_QUERY_FAIL",
	"INIT_QUERY_NONE", "ACCEPT_QUERY_NONE", "INIT_EXCHANGE_FAIL", "ACCEPT_EXCHANGE_FAIL",
	"INIT_FAIL",	   "ACCEPT_FAIL",	 "NEGOEX_TEST_ENCTYPE", NULL,
};

static inline int clear_env(void **state)
{
	for (size_t i = 0; test_env[i] != NULL; i++) {
		unsetenv(test_env[i]);
	}
	return 0;
}

/* new_engine: |n| test schemes (1 or 2), in order or reversed. */
static inline struct negoex_engine *new_engine(TALLOC_CTX *mem, enum negoex_role role, unsigned n,
					       bool reverse)
{
	struct negoex_scheme schemes[NEGOEX_TESTSCHEME_COUNT];
	struct negoex_engine_config cfg = {.role = role, .schemes = schemes, .num_schemes = n};
	struct negoex_engine *e = NULL;
	const char *why = NULL;

	for (unsigned i = 0; i < NEGOEX_TESTSCHEME_COUNT; i++) {
		negoex_testscheme_get(reverse ? NEGOEX_TESTSCHEME_COUNT - 1 - i : i, &schemes[i]);
	}
	assert_true(NT_STATUS_IS_OK(negoex_engine_new(mem, &cfg, &e, &why)));
	return e;
}

/* The two test schemes' GUIDs. */
static inline struct negoex_guid test_guid(unsigned index)
{
	struct negoex_scheme s;
	struct negoex_guid g;

	negoex_testscheme_get(index, &s);
	assert_true(NT_STATUS_IS_OK(s.ops->query_mechanism_info(s.priv, &g)));
	return g;
}

/*
 * run_pair relays between two engines until neither has more to say;
 * returns the initiator's and acceptor's last statuses.
 */
static inline void run_pair(TALLOC_CTX *mem, struct negoex_engine *ini, struct negoex_engine *acc,
			    NTSTATUS *ini_status, NTSTATUS *acc_status)
{
	uint8_t *tok = NULL;
	size_t len = 0;
	const char *why = NULL;
	NTSTATUS si = negoex_engine_step(ini, mem, NULL, 0, &tok, &len, &why);
	NTSTATUS sa = NT_STATUS_MORE_PROCESSING_REQUIRED;

	for (int turn = 0; turn < 1000 && len > 0; turn++) {
		uint8_t *in = tok;
		size_t in_len = len;

		if (turn % 2 == 0) {
			sa = negoex_engine_step(acc, mem, in, in_len, &tok, &len, &why);
		} else {
			si = negoex_engine_step(ini, mem, in, in_len, &tok, &len, &why);
		}
	}
	*ini_status = si;
	*acc_status = sa;
}

/* A peer message with the header a test wants. */
static inline struct negoex_header hdr(enum negoex_message_type type, uint32_t seq,
				       const struct negoex_guid *conv)
{
	struct negoex_header h = {.type = type, .sequence_number = seq};

	h.conversation_id = *conv;
	return h;
}

static inline void append(TALLOC_CTX *mem, uint8_t **tok, size_t *len, const uint8_t *p, size_t n)
{
	*tok = talloc_realloc(mem, *tok, uint8_t, *len + n);
	assert_non_null(*tok);
	memcpy(*tok + *len, p, n);
	*len += n;
}

static inline void add_nego(TALLOC_CTX *mem, uint8_t **tok, size_t *len,
			    enum negoex_message_type type, uint32_t seq,
			    const struct negoex_guid *conv, const struct negoex_guid *schemes,
			    size_t n)
{
	struct negoex_nego m = {.header = hdr(type, seq, conv), .num_auth_schemes = n};
	uint8_t *b;
	size_t bl;
	const char *why = NULL;

	m.auth_schemes = (struct negoex_guid *)schemes;
	assert_true(NT_STATUS_IS_OK(negoex_nego_build(mem, &m, &b, &bl, &why)));
	append(mem, tok, len, b, bl);
}

static inline void add_exchange(TALLOC_CTX *mem, uint8_t **tok, size_t *len,
				enum negoex_message_type type, uint32_t seq,
				const struct negoex_guid *conv, const struct negoex_guid *scheme,
				const void *data, size_t data_len)
{
	struct negoex_exchange m = {.header = hdr(type, seq, conv),
				    .auth_scheme = *scheme,
				    .exchange = data,
				    .exchange_len = data_len};
	uint8_t *b;
	size_t bl;
	const char *why = NULL;

	assert_true(NT_STATUS_IS_OK(negoex_exchange_build(mem, &m, &b, &bl, &why)));
	append(mem, tok, len, b, bl);
}

static inline void add_verify(TALLOC_CTX *mem, uint8_t **tok, size_t *len, uint32_t seq,
			      const struct negoex_guid *conv, const struct negoex_guid *scheme,
			      uint32_t cksum_type, const uint8_t *cksum, size_t cksum_len)
{
	struct negoex_verify m = {
		.header = hdr(NEGOEX_MESSAGE_TYPE_VERIFY, seq, conv),
		.auth_scheme = *scheme,
		.checksum = {.scheme = NEGOEX_CHECKSUM_SCHEME_RFC3961,
			     .type = cksum_type,
			     .value = cksum,
			     .value_len = cksum_len},
	};
	uint8_t *b;
	size_t bl;
	const char *why = NULL;

	assert_true(NT_STATUS_IS_OK(negoex_verify_build(mem, &m, &b, &bl, &why)));
	append(mem, tok, len, b, bl);
}

/* The test scheme's initiator token for hop count |hops| (scheme 0). */
static const uint8_t ap_req_hops0[] = {0x60, 0x09, 0x06, 0x06, 0x69, 0x85,
				       0xa2, 0xc0, 0xac, 0x66, 0x00};
static const uint8_t ap_req_hops1[] = {0x60, 0x09, 0x06, 0x06, 0x69, 0x85,
				       0xa2, 0xc0, 0xac, 0x66, 0x01};

/* count_type: how many messages of |type| a token holds (it must parse). */
static inline size_t count_type(TALLOC_CTX *mem, const uint8_t *tok, size_t len,
				enum negoex_message_type type)
{
	struct negoex_token *t = NULL;
	const char *why = NULL;
	size_t n = 0;

	assert_true(NT_STATUS_IS_OK(negoex_token_parse(mem, tok, len, &t, &why)));
	for (size_t i = 0; i < t->num_messages; i++) {
		n += t->messages[i].type == type;
	}
	return n;
}

#endif
