/*
 * test_negoex_engine_defence.c: the NEGOEX engine against hostile peers,
 * one test per known bug class of NEGOEX implementations (issue #17):
 * out-of-bounds vector reads, unchecked header lengths, a ConversationID
 * switch mid-exchange, VERIFY before any key, duplicate and unknown
 * schemes, a message-count explosion; and the conversation rules
 * (sequence numbers, direction, message order).  Each hostile token must
 * fail the step with no output (or, for an early VERIFY, draw an ALERT and
 * count for nothing), and a failed engine stays failed.
 */
#include "negoex_engine_fixtures.h"

static const struct negoex_guid conv = {{0xc0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
					 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff}};

/* refused: the acceptor fails on |tok| with |want|, no output, and stays
 * failed. */
static void refused(TALLOC_CTX *mem, struct negoex_engine *e, const uint8_t *tok, size_t len,
		    NTSTATUS want, const char *reason_part)
{
	uint8_t *out = NULL;
	size_t out_len = 99;
	const char *why = NULL;
	NTSTATUS s = negoex_engine_step(e, mem, tok, len, &out, &out_len, &why);

	if (!NT_STATUS_EQUAL(s, want)) {
		fail_msg("got %s (%s), want %s", nt_errstr(s), why ? why : "-", nt_errstr(want));
	}
	assert_null(out);
	assert_int_equal(out_len, 0);
	if (reason_part != NULL) {
		assert_non_null(why);
		if (strstr(why, reason_part) == NULL) {
			fail_msg("reason \"%s\" lacks \"%s\"", why, reason_part);
		}
	}
	assert_true(NT_STATUS_EQUAL(negoex_engine_step(e, mem, tok, len, &out, &out_len, &why),
				    NT_STATUS_INVALID_DEVICE_STATE));
}

/* first_token: INITIATOR_NEGO (schemes G1, G2) + META_DATA + AP_REQUEST. */
static void first_token(TALLOC_CTX *mem, uint8_t **tok, size_t *len, const uint8_t *ap,
			size_t ap_len)
{
	struct negoex_guid g[2] = {test_guid(0), test_guid(1)};

	*tok = NULL;
	*len = 0;
	add_nego(mem, tok, len, NEGOEX_MESSAGE_TYPE_INITIATOR_NEGO, 0, &conv, g, 2);
	add_exchange(mem, tok, len, NEGOEX_MESSAGE_TYPE_INITIATOR_META_DATA, 1, &conv, &g[0], "X", 1);
	add_exchange(mem, tok, len, NEGOEX_MESSAGE_TYPE_AP_REQUEST, 2, &conv, &g[0], ap, ap_len);
}

static struct negoex_engine *acceptor(TALLOC_CTX *mem)
{
	return new_engine(mem, NEGOEX_ROLE_ACCEPTOR, 2, false);
}

/* The baseline: the hand-made token is good, so the refusals below are
 * each due to the one thing changed. */
static void test_handmade_token_accepted(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	uint8_t *tok, *out;
	size_t len, out_len;
	const char *why = NULL;

	setenv("HOPS", "2", 1);
	first_token(mem, &tok, &len, ap_req_hops1, sizeof(ap_req_hops1));
	assert_true(NT_STATUS_EQUAL(negoex_engine_step(acceptor(mem), mem, tok, len, &out,
						       &out_len, &why),
				    NT_STATUS_MORE_PROCESSING_REQUIRED));
	assert_int_equal(count_type(mem, out, out_len, NEGOEX_MESSAGE_TYPE_CHALLENGE), 1);
	talloc_free(mem);
}

/* Out-of-bounds vector reads: each vector's count or offset pushed past
 * its message (the codec's vector_fits, through the engine). */
static void test_oob_vectors(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	uint8_t *tok;
	size_t len;

	first_token(mem, &tok, &len, ap_req_hops0, sizeof(ap_req_hops0));
	put16(tok, 84, 1000); /* NEGO AuthSchemeCount */
	refused(mem, acceptor(mem), tok, len, NT_STATUS_INVALID_PARAMETER, NULL);
	first_token(mem, &tok, &len, ap_req_hops0, sizeof(ap_req_hops0));
	put32(tok, 80, 0xfffffff0); /* NEGO AuthSchemeArrayOffset */
	refused(mem, acceptor(mem), tok, len, NT_STATUS_INVALID_PARAMETER, NULL);
	first_token(mem, &tok, &len, ap_req_hops0, sizeof(ap_req_hops0));
	put32(tok, 96 + 32 + 60, 0x7fffffff); /* META_DATA ByteArrayLength */
	refused(mem, acceptor(mem), tok, len, NT_STATUS_INVALID_PARAMETER, NULL);
	first_token(mem, &tok, &len, ap_req_hops0, sizeof(ap_req_hops0));
	put32(tok, 96 + 32 + 56, 0xffffffff); /* META_DATA ByteArrayOffset */
	refused(mem, acceptor(mem), tok, len, NT_STATUS_INVALID_PARAMETER, NULL);
	talloc_free(mem);
}

/* Unchecked header lengths: cbMessageLength past the token, below
 * cbHeaderLength, cbHeaderLength below the fixed fields. */
static void test_header_lengths(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	uint8_t *tok;
	size_t len;

	first_token(mem, &tok, &len, ap_req_hops0, sizeof(ap_req_hops0));
	put32(tok, 20, (uint32_t)len + 1);
	refused(mem, acceptor(mem), tok, len, NT_STATUS_INVALID_PARAMETER, NULL);
	first_token(mem, &tok, &len, ap_req_hops0, sizeof(ap_req_hops0));
	put32(tok, 20, 0xffffffff);
	refused(mem, acceptor(mem), tok, len, NT_STATUS_INVALID_PARAMETER, NULL);
	first_token(mem, &tok, &len, ap_req_hops0, sizeof(ap_req_hops0));
	put32(tok, 16, 40);
	refused(mem, acceptor(mem), tok, len, NT_STATUS_INVALID_PARAMETER, NULL);
	first_token(mem, &tok, &len, ap_req_hops0, sizeof(ap_req_hops0));
	put32(tok, 20, 60); /* below cbHeaderLength 96 */
	refused(mem, acceptor(mem), tok, len, NT_STATUS_INVALID_PARAMETER, NULL);
	first_token(mem, &tok, &len, ap_req_hops0, sizeof(ap_req_hops0));
	refused(mem, acceptor(mem), tok, len - 1, NT_STATUS_INVALID_PARAMETER, NULL);
	talloc_free(mem);
}

/* A ConversationID switch, inside the first token and in a later one of a
 * real exchange. */
static void test_conversation_id_switch(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct negoex_engine *ini, *acc;
	uint8_t *tok, *t2, *t3;
	size_t len, l2, l3;
	const char *why = NULL;

	first_token(mem, &tok, &len, ap_req_hops0, sizeof(ap_req_hops0));
	tok[96 + 32 + 24] ^= 1; /* META_DATA's ConversationID */
	refused(mem, acceptor(mem), tok, len, NT_STATUS_INVALID_PARAMETER, "ConversationID");

	setenv("HOPS", "3", 1);
	ini = new_engine(mem, NEGOEX_ROLE_INITIATOR, 2, false);
	acc = acceptor(mem);
	assert_true(NT_STATUS_EQUAL(negoex_engine_step(ini, mem, NULL, 0, &tok, &len, &why),
				    NT_STATUS_MORE_PROCESSING_REQUIRED));
	assert_true(NT_STATUS_EQUAL(negoex_engine_step(acc, mem, tok, len, &t2, &l2, &why),
				    NT_STATUS_MORE_PROCESSING_REQUIRED));
	assert_true(NT_STATUS_EQUAL(negoex_engine_step(ini, mem, t2, l2, &t3, &l3, &why),
				    NT_STATUS_MORE_PROCESSING_REQUIRED));
	t3[24] ^= 0x80;
	refused(mem, acc, t3, l3, NT_STATUS_INVALID_PARAMETER, "ConversationID");
	talloc_free(mem);
}

/*
 * VERIFY before any key: with no key to check it, the VERIFY counts for
 * nothing and draws an ALERT pulse (VERIFY_NO_KEY), as MIT does; with a
 * key, a forged one ends the engine, and so does an unkeyed checksum type.
 */
static void test_verify_before_key(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct negoex_guid g1 = test_guid(0);
	struct negoex_engine *acc;
	uint8_t forged[12] = {0x41};
	uint8_t *tok, *out;
	size_t len, out_len;
	const char *why = NULL;

	/* the scheme not established (hop count 2 left, no early key) */
	static const uint8_t ap_req_hops2[] = {0x60, 0x09, 0x06, 0x06, 0x69, 0x85,
					       0xa2, 0xc0, 0xac, 0x66, 0x02};

	first_token(mem, &tok, &len, ap_req_hops2, sizeof(ap_req_hops2));
	add_verify(mem, &tok, &len, 3, &conv, &g1, 16, forged, sizeof(forged));
	acc = acceptor(mem);
	assert_true(NT_STATUS_EQUAL(negoex_engine_step(acc, mem, tok, len, &out, &out_len, &why),
				    NT_STATUS_MORE_PROCESSING_REQUIRED));
	assert_int_equal(count_type(mem, out, out_len, NEGOEX_MESSAGE_TYPE_ALERT), 1);
	assert_int_equal(count_type(mem, out, out_len, NEGOEX_MESSAGE_TYPE_VERIFY), 0);
	assert_false(negoex_engine_is_complete(acc));

	/* no scheme token at all, just a VERIFY */
	tok = NULL;
	len = 0;
	{
		struct negoex_guid g[2] = {test_guid(0), test_guid(1)};

		add_nego(mem, &tok, &len, NEGOEX_MESSAGE_TYPE_INITIATOR_NEGO, 0, &conv, g, 2);
	}
	add_verify(mem, &tok, &len, 1, &conv, &g1, 16, forged, sizeof(forged));
	acc = acceptor(mem);
	{
		NTSTATUS s = negoex_engine_step(acc, mem, tok, len, &out, &out_len, &why);

		if (!NT_STATUS_EQUAL(s, NT_STATUS_MORE_PROCESSING_REQUIRED)) {
			fail_msg("%s: %s", nt_errstr(s), why);
		}
	}
	assert_int_equal(count_type(mem, out, out_len, NEGOEX_MESSAGE_TYPE_ALERT), 1);

	/* the scheme established with a key: the forged VERIFY fails */
	setenv("HOPS", "1", 1);
	first_token(mem, &tok, &len, ap_req_hops0, sizeof(ap_req_hops0));
	add_verify(mem, &tok, &len, 3, &conv, &g1, 16, forged, sizeof(forged));
	refused(mem, acceptor(mem), tok, len, NT_STATUS_INVALID_SIGNATURE, "does not match");
	/* an unkeyed checksum type (CRC32, 1) is not the key's */
	first_token(mem, &tok, &len, ap_req_hops0, sizeof(ap_req_hops0));
	add_verify(mem, &tok, &len, 3, &conv, &g1, 1, forged, 4);
	refused(mem, acceptor(mem), tok, len, NT_STATUS_NOT_SUPPORTED, "checksum type");
	talloc_free(mem);
}

/* Duplicate schemes: in a NEGO, two META_DATA for one scheme, two scheme
 * tokens in a token. */
static void test_duplicate_schemes(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct negoex_guid g[3] = {test_guid(0), test_guid(0), test_guid(1)};
	uint8_t *tok = NULL;
	size_t len = 0;

	add_nego(mem, &tok, &len, NEGOEX_MESSAGE_TYPE_INITIATOR_NEGO, 0, &conv, g, 3);
	refused(mem, acceptor(mem), tok, len, NT_STATUS_INVALID_PARAMETER, "twice");

	first_token(mem, &tok, &len, ap_req_hops0, sizeof(ap_req_hops0));
	add_exchange(mem, &tok, &len, NEGOEX_MESSAGE_TYPE_INITIATOR_META_DATA, 3, &conv, &g[0],
		     "X", 1);
	refused(mem, acceptor(mem), tok, len, NT_STATUS_INVALID_PARAMETER, "two META_DATA");

	first_token(mem, &tok, &len, ap_req_hops0, sizeof(ap_req_hops0));
	add_exchange(mem, &tok, &len, NEGOEX_MESSAGE_TYPE_AP_REQUEST, 3, &conv, &g[0],
		     ap_req_hops0, sizeof(ap_req_hops0));
	refused(mem, acceptor(mem), tok, len, NT_STATUS_INVALID_PARAMETER, "two AP_REQUEST");
	talloc_free(mem);
}

/* Unknown schemes: only unknown ones offered; a message for a scheme its
 * sender never offered; META_DATA for an offered scheme we lack is
 * ignored (draft 1) and the exchange goes on. */
static void test_unknown_schemes(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct negoex_guid unknown = {{0xde, 0xad, 0xbe, 0xef}};
	struct negoex_guid g[2] = {unknown, test_guid(0)};
	uint8_t *tok = NULL, *out;
	size_t len = 0, out_len;
	const char *why = NULL;

	add_nego(mem, &tok, &len, NEGOEX_MESSAGE_TYPE_INITIATOR_NEGO, 0, &conv, &unknown, 1);
	refused(mem, acceptor(mem), tok, len, NT_STATUS_NO_SUCH_PACKAGE, NULL);

	tok = NULL;
	len = 0;
	add_nego(mem, &tok, &len, NEGOEX_MESSAGE_TYPE_INITIATOR_NEGO, 0, &conv, &g[1], 1);
	add_exchange(mem, &tok, &len, NEGOEX_MESSAGE_TYPE_AP_REQUEST, 1, &conv, &unknown,
		     ap_req_hops0, sizeof(ap_req_hops0));
	refused(mem, acceptor(mem), tok, len, NT_STATUS_INVALID_PARAMETER, "did not offer");

	tok = NULL;
	len = 0;
	add_nego(mem, &tok, &len, NEGOEX_MESSAGE_TYPE_INITIATOR_NEGO, 0, &conv, g, 2);
	add_exchange(mem, &tok, &len, NEGOEX_MESSAGE_TYPE_INITIATOR_META_DATA, 1, &conv, &unknown,
		     "whatever", 8);
	add_exchange(mem, &tok, &len, NEGOEX_MESSAGE_TYPE_AP_REQUEST, 2, &conv, &g[1],
		     ap_req_hops0, sizeof(ap_req_hops0));
	assert_true(NT_STATUS_EQUAL(negoex_engine_step(acceptor(mem), mem, tok, len, &out,
						       &out_len, &why),
				    NT_STATUS_MORE_PROCESSING_REQUIRED));
	assert_int_equal(count_type(mem, out, out_len, NEGOEX_MESSAGE_TYPE_VERIFY), 1);
	talloc_free(mem);
}

/* A message-count explosion: too many messages in a token, a conversation
 * past NEGOEX_ENGINE_MAX_CONVERSATION_MESSAGES, a transcript past its cap. */
static void test_message_explosion(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct negoex_guid g[2] = {test_guid(0), test_guid(1)};
	struct negoex_engine *ini, *acc;
	uint8_t *tok = NULL, *big;
	size_t len = 0;
	NTSTATUS si, sa;

	add_nego(mem, &tok, &len, NEGOEX_MESSAGE_TYPE_INITIATOR_NEGO, 0, &conv, g, 2);
	for (uint32_t i = 1; i <= NEGOEX_MAX_MESSAGES; i++) {
		add_exchange(mem, &tok, &len, NEGOEX_MESSAGE_TYPE_AP_REQUEST, i, &conv, &g[0],
			     ap_req_hops0, sizeof(ap_req_hops0));
	}
	refused(mem, acceptor(mem), tok, len, NT_STATUS_INVALID_PARAMETER, "NEGOEX_MAX_MESSAGES");

	/* 255 hops: each one a message or two, past the cap of 256 */
	setenv("HOPS", "255", 1);
	ini = new_engine(mem, NEGOEX_ROLE_INITIATOR, 2, false);
	acc = acceptor(mem);
	run_pair(mem, ini, acc, &si, &sa);
	assert_true(NT_STATUS_EQUAL(si, NT_STATUS_INVALID_PARAMETER) ||
		    NT_STATUS_EQUAL(sa, NT_STATUS_INVALID_PARAMETER));
	assert_false(negoex_engine_is_complete(ini) || negoex_engine_is_complete(acc));
	/* ...while 100 hops are fine */
	setenv("HOPS", "100", 1);
	ini = new_engine(mem, NEGOEX_ROLE_INITIATOR, 2, false);
	acc = acceptor(mem);
	run_pair(mem, ini, acc, &si, &sa);
	assert_true(NT_STATUS_IS_OK(si) && NT_STATUS_IS_OK(sa));

	/* a first token of nearly 1 MiB: the acceptor's answer would take
	 * the transcript past NEGOEX_ENGINE_MAX_TRANSCRIPT_LEN */
	setenv("HOPS", "1", 1);
	tok = NULL;
	len = 0;
	add_nego(mem, &tok, &len, NEGOEX_MESSAGE_TYPE_INITIATOR_NEGO, 0, &conv, g, 2);
	big = talloc_zero_array(mem, uint8_t, NEGOEX_ENGINE_MAX_TRANSCRIPT_LEN - len - 64 - 100);
	assert_non_null(big);
	add_exchange(mem, &tok, &len, NEGOEX_MESSAGE_TYPE_INITIATOR_META_DATA, 1, &conv, &g[1], big,
		     talloc_get_size(big));
	refused(mem, acceptor(mem), tok, len, NT_STATUS_INVALID_PARAMETER, "TRANSCRIPT_LEN");
	talloc_free(mem);
}

/* The conversation's rules: sequence numbers, the direction of message
 * types, NEGO first and once, META_DATA only in the first token. */
static void test_conversation_rules(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct negoex_guid g[2] = {test_guid(0), test_guid(1)};
	struct negoex_engine *ini, *acc;
	uint8_t *tok = NULL, *t2, *t3;
	size_t len = 0, l2, l3;
	const char *why = NULL;

	add_nego(mem, &tok, &len, NEGOEX_MESSAGE_TYPE_INITIATOR_NEGO, 1, &conv, g, 2);
	refused(mem, acceptor(mem), tok, len, NT_STATUS_INVALID_PARAMETER, "SequenceNum");
	first_token(mem, &tok, &len, ap_req_hops0, sizeof(ap_req_hops0));
	put32(tok, 96 + 32 + 12, 7); /* META_DATA's SequenceNum */
	refused(mem, acceptor(mem), tok, len, NT_STATUS_INVALID_PARAMETER, "SequenceNum");
	tok = NULL;
	len = 0;
	add_nego(mem, &tok, &len, NEGOEX_MESSAGE_TYPE_ACCEPTOR_NEGO, 0, &conv, g, 2);
	refused(mem, acceptor(mem), tok, len, NT_STATUS_INVALID_PARAMETER, "role");
	tok = NULL;
	len = 0;
	add_exchange(mem, &tok, &len, NEGOEX_MESSAGE_TYPE_AP_REQUEST, 0, &conv, &g[0],
		     ap_req_hops0, sizeof(ap_req_hops0));
	refused(mem, acceptor(mem), tok, len, NT_STATUS_INVALID_PARAMETER, "start with NEGO");
	first_token(mem, &tok, &len, ap_req_hops0, sizeof(ap_req_hops0));
	add_nego(mem, &tok, &len, NEGOEX_MESSAGE_TYPE_INITIATOR_NEGO, 3, &conv, g, 2);
	refused(mem, acceptor(mem), tok, len, NT_STATUS_INVALID_PARAMETER, "NEGO message after");

	/* a later token of a real exchange: META_DATA and NEGO refused */
	setenv("HOPS", "3", 1);
	ini = new_engine(mem, NEGOEX_ROLE_INITIATOR, 2, false);
	acc = acceptor(mem);
	assert_true(NT_STATUS_EQUAL(negoex_engine_step(ini, mem, NULL, 0, &tok, &len, &why),
				    NT_STATUS_MORE_PROCESSING_REQUIRED));
	assert_true(NT_STATUS_EQUAL(negoex_engine_step(acc, mem, tok, len, &t2, &l2, &why),
				    NT_STATUS_MORE_PROCESSING_REQUIRED));
	assert_true(NT_STATUS_EQUAL(negoex_engine_step(ini, mem, t2, l2, &t3, &l3, &why),
				    NT_STATUS_MORE_PROCESSING_REQUIRED));
	{
		struct negoex_guid c;
		uint8_t *late = NULL;
		size_t late_len = 0;
		uint32_t seq = t3[12] | (uint32_t)t3[13] << 8;

		negoex_engine_conversation_id(acc, &c);
		add_exchange(mem, &late, &late_len, NEGOEX_MESSAGE_TYPE_INITIATOR_META_DATA, seq,
			     &c, &g[0], "X", 1);
		refused(mem, acc, late, late_len, NT_STATUS_INVALID_PARAMETER,
			"META_DATA after");
	}
	talloc_free(mem);
}

/* The initiator too: an acceptor reply with INITIATOR types, or none of
 * its NEGO, is refused. */
static void test_initiator_rules(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct negoex_guid g[2] = {test_guid(0), test_guid(1)}, c;
	struct negoex_engine *ini = new_engine(mem, NEGOEX_ROLE_INITIATOR, 2, false);
	uint8_t *t1, *reply = NULL, *out = NULL;
	size_t l1, len = 0, out_len = 9;
	const char *why = NULL;

	assert_true(NT_STATUS_EQUAL(negoex_engine_step(ini, mem, NULL, 0, &t1, &l1, &why),
				    NT_STATUS_MORE_PROCESSING_REQUIRED));
	negoex_engine_conversation_id(ini, &c);
	add_nego(mem, &reply, &len, NEGOEX_MESSAGE_TYPE_ACCEPTOR_NEGO, 5, &c, g, 2);
	add_exchange(mem, &reply, &len, NEGOEX_MESSAGE_TYPE_AP_REQUEST, 6, &c, &g[0], "\0", 1);
	assert_true(NT_STATUS_EQUAL(negoex_engine_step(ini, mem, reply, len, &out, &out_len, &why),
				    NT_STATUS_INVALID_PARAMETER));
	assert_null(out);
	assert_non_null(strstr(why, "role"));
	talloc_free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_handmade_token_accepted, clear_env),
		cmocka_unit_test_setup(test_oob_vectors, clear_env),
		cmocka_unit_test_setup(test_header_lengths, clear_env),
		cmocka_unit_test_setup(test_conversation_id_switch, clear_env),
		cmocka_unit_test_setup(test_verify_before_key, clear_env),
		cmocka_unit_test_setup(test_duplicate_schemes, clear_env),
		cmocka_unit_test_setup(test_unknown_schemes, clear_env),
		cmocka_unit_test_setup(test_message_explosion, clear_env),
		cmocka_unit_test_setup(test_conversation_rules, clear_env),
		cmocka_unit_test_setup(test_initiator_rules, clear_env),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
