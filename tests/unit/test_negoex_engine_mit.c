/*
 * test_negoex_engine_mit.c: the NEGOEX engine on MIT krb5 1.20.1's own
 * tokens (tests/vectors/spnego/mit_spnego.txt: MIT's SPNEGO/NEGOEX with its
 * negoextest plugin, HOPS 1 and 2).  Our acceptor takes MIT's initiator
 * tokens, checking MIT's VERIFY, and answers with the messages MIT's
 * acceptor sent; MIT's VERIFY checksums check with Heimdal under the key
 * usages of MIT's verify_keyusage (initiator 25, acceptor 23) and not
 * under the draft's (7.7: initiator 23, acceptor 25): the erratum, shown
 * on MIT's bytes.
 */
#include <krb5.h>

#include "negoex_engine_fixtures.h"
#include "spnego_fixtures.h"

/* negoex_of: the NEGOEX token inside SPNEGO token |name|. */
static const uint8_t *negoex_of(TALLOC_CTX *t, const char *name, size_t *len)
{
	size_t n = 0;
	uint8_t *buf = spnego_vector(t, name, &n);
	struct spnego_token *tok;
	const char *why = NULL;

	assert_true(NT_STATUS_IS_OK(spnego_token_parse(t, buf, n, &tok, &why)));
	if (tok->type == SPNEGO_NEG_TOKEN_INIT) {
		*len = tok->init->mech_token->len;
		return tok->init->mech_token->data;
	}
	*len = tok->resp->response_token->len;
	return tok->resp->response_token->data;
}

/* same_shape: the two tokens hold the same message types, sequence
 * numbers and lengths (the random parts differ). */
static void same_shape(TALLOC_CTX *t, const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	struct negoex_token *ta, *tb;
	const char *why = NULL;

	assert_true(NT_STATUS_IS_OK(negoex_token_parse(t, a, al, &ta, &why)));
	assert_true(NT_STATUS_IS_OK(negoex_token_parse(t, b, bl, &tb, &why)));
	assert_int_equal(ta->num_messages, tb->num_messages);
	assert_int_equal(al, bl);
	for (size_t i = 0; i < ta->num_messages; i++) {
		assert_int_equal(ta->messages[i].type, tb->messages[i].type);
		assert_int_equal(ta->messages[i].offset, tb->messages[i].offset);
		/* sequence number: bytes 12-15 of each message */
		assert_memory_equal(a + ta->messages[i].offset + 12, b + tb->messages[i].offset + 12,
				    4);
	}
}

/* verify_at: the VERIFY of |tok| checks over |transcript| + |tok| up to it
 * with the negoextest key whose first byte is |key0|, under |usage|. */
static bool verify_at(TALLOC_CTX *t, const uint8_t *transcript, size_t tlen, const uint8_t *tok,
		      size_t len, uint8_t key0, int usage)
{
	struct negoex_token *p;
	const struct negoex_verify *v = NULL;
	size_t at = 0;
	uint8_t keybytes[32] = {key0};
	uint8_t *data = talloc_array(t, uint8_t, tlen + len);
	const char *why = NULL;
	krb5_context ctx;
	krb5_crypto crypto;
	krb5_keyblock kb = {.keytype = 18, .keyvalue = {.length = 32, .data = keybytes}};
	Checksum c;
	bool ok;

	assert_true(NT_STATUS_IS_OK(negoex_token_parse(t, tok, len, &p, &why)));
	for (size_t i = 0; i < p->num_messages; i++) {
		if (p->messages[i].type == NEGOEX_MESSAGE_TYPE_VERIFY) {
			v = p->messages[i].u.verify;
			at = p->messages[i].offset;
		}
	}
	assert_non_null(v);
	assert_int_equal(v->checksum.type, 16); /* hmac-sha1-96-aes256 */
	if (tlen > 0) {
		memcpy(data, transcript, tlen);
	}
	memcpy(data + tlen, tok, at);
	assert_int_equal(krb5_init_context(&ctx), 0);
	assert_int_equal(krb5_crypto_init(ctx, &kb, 0, &crypto), 0);
	c.cksumtype = (krb5_cksumtype)v->checksum.type;
	c.checksum.length = v->checksum.value_len;
	c.checksum.data = (void *)v->checksum.value;
	ok = krb5_verify_checksum(ctx, crypto, usage, data, tlen + at, &c) == 0;
	krb5_crypto_destroy(ctx, crypto);
	krb5_free_context(ctx);
	return ok;
}

/* One hop: MIT's initiator token completes our acceptor (its VERIFY
 * checked), whose answer has the shape of MIT's acceptor's. */
static void test_mit_hops1(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	size_t il, rl, ol;
	const uint8_t *init = negoex_of(t, "MIT_HOPS1_INIT", &il);
	const uint8_t *resp = negoex_of(t, "MIT_HOPS1_RESP", &rl);
	struct negoex_engine *acc = new_engine(t, NEGOEX_ROLE_ACCEPTOR, 1, false);
	uint8_t *out;
	const char *why = NULL;

	assert_true(NT_STATUS_IS_OK(negoex_engine_step(acc, t, init, il, &out, &ol, &why)));
	same_shape(t, out, ol, resp, rl);
	talloc_free(t);
}

/* Two hops: our acceptor continues MIT's exchange as MIT's acceptor did. */
static void test_mit_hops2(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	size_t il, rl, ol;
	const uint8_t *init = negoex_of(t, "MIT_HOPS2_INIT", &il);
	const uint8_t *resp = negoex_of(t, "MIT_HOPS2_RESP1", &rl);
	struct negoex_engine *acc = new_engine(t, NEGOEX_ROLE_ACCEPTOR, 2, false);
	uint8_t *out;
	const char *why = NULL;

	assert_true(NT_STATUS_EQUAL(negoex_engine_step(acc, t, init, il, &out, &ol, &why),
				    NT_STATUS_MORE_PROCESSING_REQUIRED));
	same_shape(t, out, ol, resp, rl);
	talloc_free(t);
}

/* The key usages, on MIT's checksums: the initiator's under 25, the
 * acceptor's under 23, neither under the draft's numbers. */
static void test_mit_key_usages(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	size_t il, rl, r1l, r2l;
	const uint8_t *init;
	const uint8_t *resp = negoex_of(t, "MIT_HOPS1_RESP", &rl);
	const uint8_t *init2 = negoex_of(t, "MIT_HOPS2_INIT", &il);
	const uint8_t *resp1 = negoex_of(t, "MIT_HOPS2_RESP1", &r1l);
	const uint8_t *resp2 = negoex_of(t, "MIT_HOPS2_RESP2", &r2l);
	uint8_t *tr;
	size_t hops1_init_len;

	/* HOPS=1: the initiator's VERIFY (key byte 1) over its own messages */
	init = negoex_of(t, "MIT_HOPS1_INIT", &hops1_init_len);
	assert_true(verify_at(t, NULL, 0, init, hops1_init_len, 1,
			      NEGOEX_KEYUSAGE_INITIATOR_CHECKSUM));
	assert_false(verify_at(t, NULL, 0, init, hops1_init_len, 1, 23));
	/* the acceptor's VERIFY (key byte 0) over the initiator's token and
	 * its own messages before it */
	assert_true(verify_at(t, init, hops1_init_len, resp, rl, 0,
			      NEGOEX_KEYUSAGE_ACCEPTOR_CHECKSUM));
	assert_false(verify_at(t, init, hops1_init_len, resp, rl, 0, 25));
	/* HOPS=2: the acceptor's first VERIFY, then the initiator's over all */
	assert_true(verify_at(t, init2, il, resp1, r1l, 0, 23));
	tr = talloc_array(t, uint8_t, il + r1l);
	memcpy(tr, init2, il);
	memcpy(tr + il, resp1, r1l);
	assert_true(verify_at(t, tr, il + r1l, resp2, r2l, 1, 25));
	assert_false(verify_at(t, tr, il + r1l, resp2, r2l, 1, 23));
	talloc_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_mit_hops1, clear_env),
		cmocka_unit_test_setup(test_mit_hops2, clear_env),
		cmocka_unit_test_setup(test_mit_key_usages, clear_env),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
