/*
 * test_negoex_engine.c: the NEGOEX engine's exchanges, our initiator
 * against our acceptor in one process, with the test auth scheme (MIT
 * negoextest's twin): hops, early keys, the ALERT paths, the acceptor's
 * order, meta-data failures, every enctype Heimdal gives a keyed checksum
 * for, the key usages, and the API's refusals.  Hostile peers are
 * test_negoex_engine_defence.c's; the message traces against MIT's
 * t_negoex.py are tests/cli/test_negoex_peer.sh's.
 */
#include <krb5.h>

#include "negoex_engine_fixtures.h"

/* complete: both sides finish, on the same conversation and scheme. */
static void complete(TALLOC_CTX *mem, struct negoex_engine *ini, struct negoex_engine *acc,
		     unsigned scheme)
{
	NTSTATUS si, sa;
	struct negoex_guid ci, ca, gi, ga, want = test_guid(scheme);
	const struct negoex_scheme *s;
	void *state;

	run_pair(mem, ini, acc, &si, &sa);
	assert_true(NT_STATUS_IS_OK(si));
	assert_true(NT_STATUS_IS_OK(sa));
	assert_true(negoex_engine_is_complete(ini) && negoex_engine_is_complete(acc));
	negoex_engine_conversation_id(ini, &ci);
	negoex_engine_conversation_id(acc, &ca);
	assert_memory_equal(ci.bytes, ca.bytes, NEGOEX_GUID_LEN);
	assert_true(NT_STATUS_IS_OK(negoex_engine_selected(ini, &s, &state, &gi)));
	assert_true(NT_STATUS_IS_OK(negoex_engine_selected(acc, &s, &state, &ga)));
	assert_memory_equal(gi.bytes, want.bytes, NEGOEX_GUID_LEN);
	assert_memory_equal(ga.bytes, want.bytes, NEGOEX_GUID_LEN);
}

static void test_hops_and_keys(void **state)
{
	static const char *const keys[] = {NULL, "always", "init-always", "accept-always"};

	for (int hops = 1; hops <= 6; hops++) {
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			TALLOC_CTX *mem = talloc_new(NULL);
			char h[16];

			snprintf(h, sizeof(h), "%d", hops);
			setenv("HOPS", h, 1);
			if (keys[k] != NULL) {
				setenv("KEY", keys[k], 1);
			} else {
				unsetenv("KEY");
			}
			complete(mem, new_engine(mem, NEGOEX_ROLE_INITIATOR, 2, false),
				 new_engine(mem, NEGOEX_ROLE_ACCEPTOR, 2, false), 0);
			talloc_free(mem);
		}
	}
}

static void test_after_completion(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct negoex_engine *ini = new_engine(mem, NEGOEX_ROLE_INITIATOR, 2, false);
	struct negoex_engine *acc = new_engine(mem, NEGOEX_ROLE_ACCEPTOR, 2, false);
	uint8_t *out;
	size_t len;
	const char *why = NULL;
	static const uint8_t junk[4] = {0};

	complete(mem, ini, acc, 0);
	assert_true(NT_STATUS_EQUAL(negoex_engine_step(acc, mem, junk, 4, &out, &len, &why),
				    NT_STATUS_INVALID_DEVICE_STATE));
	assert_null(out);
	talloc_free(mem);
}

/* The ALERT paths of t_negoex.py: the side without a key answers the
 * other's early VERIFY with an ALERT pulse, and the other signs again. */
static void test_alerts(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct negoex_engine *ini = new_engine(mem, NEGOEX_ROLE_INITIATOR, 2, false);
	struct negoex_engine *acc = new_engine(mem, NEGOEX_ROLE_ACCEPTOR, 2, false);
	uint8_t *t1, *t2;
	size_t l1, l2;
	const char *why = NULL;

	setenv("HOPS", "3", 1);
	setenv("KEY", "init-always", 1);
	assert_true(NT_STATUS_EQUAL(negoex_engine_step(ini, mem, NULL, 0, &t1, &l1, &why),
				    NT_STATUS_MORE_PROCESSING_REQUIRED));
	assert_int_equal(count_type(mem, t1, l1, NEGOEX_MESSAGE_TYPE_VERIFY), 1);
	assert_true(NT_STATUS_EQUAL(negoex_engine_step(acc, mem, t1, l1, &t2, &l2, &why),
				    NT_STATUS_MORE_PROCESSING_REQUIRED));
	assert_int_equal(count_type(mem, t2, l2, NEGOEX_MESSAGE_TYPE_ALERT), 1);
	assert_int_equal(count_type(mem, t2, l2, NEGOEX_MESSAGE_TYPE_VERIFY), 0);
	talloc_free(mem);

	mem = talloc_new(NULL);
	setenv("KEY", "accept-always", 1);
	complete(mem, new_engine(mem, NEGOEX_ROLE_INITIATOR, 2, false),
		 new_engine(mem, NEGOEX_ROLE_ACCEPTOR, 2, false), 0);
	setenv("HOPS", "4", 1);
	complete(mem, new_engine(mem, NEGOEX_ROLE_INITIATOR, 2, false),
		 new_engine(mem, NEGOEX_ROLE_ACCEPTOR, 2, false), 0);
	talloc_free(mem);
}

/* draft 7.5/7.6: the acceptor's order decides. */
static void test_acceptor_order(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);

	complete(mem, new_engine(mem, NEGOEX_ROLE_INITIATOR, 2, false),
		 new_engine(mem, NEGOEX_ROLE_ACCEPTOR, 2, true), 1);
	complete(mem, new_engine(mem, NEGOEX_ROLE_INITIATOR, 2, true),
		 new_engine(mem, NEGOEX_ROLE_ACCEPTOR, 2, false), 0);
	/* one scheme (44) against two: the common one */
	complete(mem, new_engine(mem, NEGOEX_ROLE_INITIATOR, 1, true),
		 new_engine(mem, NEGOEX_ROLE_ACCEPTOR, 2, false), 1);
	talloc_free(mem);
}

/* A meta-data failure removes that scheme (draft 7.4-7.6). */
static void test_meta_data(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct negoex_engine *ini, *acc;
	NTSTATUS si, sa;

	setenv("ACCEPT_QUERY_FAIL", "102", 1);
	complete(mem, new_engine(mem, NEGOEX_ROLE_INITIATOR, 2, false),
		 new_engine(mem, NEGOEX_ROLE_ACCEPTOR, 2, false), 1);
	clear_env(NULL);
	setenv("ACCEPT_EXCHANGE_FAIL", "102", 1);
	complete(mem, new_engine(mem, NEGOEX_ROLE_INITIATOR, 2, false),
		 new_engine(mem, NEGOEX_ROLE_ACCEPTOR, 2, false), 1);
	clear_env(NULL);
	setenv("INIT_QUERY_FAIL", "102", 1);
	complete(mem, new_engine(mem, NEGOEX_ROLE_INITIATOR, 2, false),
		 new_engine(mem, NEGOEX_ROLE_ACCEPTOR, 2, false), 1);
	clear_env(NULL);
	setenv("INIT_QUERY_NONE", "44", 1);
	setenv("ACCEPT_QUERY_NONE", "102", 1);
	complete(mem, new_engine(mem, NEGOEX_ROLE_INITIATOR, 2, false),
		 new_engine(mem, NEGOEX_ROLE_ACCEPTOR, 2, false), 0);
	clear_env(NULL);
	/* The acceptor took the optimistic token: the initiator is committed
	 * to scheme 102, and its failure leaves nothing (t_negoex.py). */
	setenv("INIT_EXCHANGE_FAIL", "102", 1);
	ini = new_engine(mem, NEGOEX_ROLE_INITIATOR, 2, false);
	acc = new_engine(mem, NEGOEX_ROLE_ACCEPTOR, 2, false);
	run_pair(mem, ini, acc, &si, &sa);
	assert_true(NT_STATUS_EQUAL(si, NT_STATUS_NO_SUCH_PACKAGE));
	/* Every scheme failing its query leaves the initiator nothing to offer. */
	clear_env(NULL);
	setenv("INIT_QUERY_FAIL", "102", 1);
	ini = new_engine(mem, NEGOEX_ROLE_INITIATOR, 1, false);
	run_pair(mem, ini, new_engine(mem, NEGOEX_ROLE_ACCEPTOR, 2, false), &si, &sa);
	assert_true(NT_STATUS_EQUAL(si, NT_STATUS_NO_SUCH_PACKAGE));
	talloc_free(mem);
}

static void test_scheme_failures(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	NTSTATUS si, sa;

	setenv("INIT_FAIL", "102", 1);
	complete(mem, new_engine(mem, NEGOEX_ROLE_INITIATOR, 2, false),
		 new_engine(mem, NEGOEX_ROLE_ACCEPTOR, 2, false), 1);
	clear_env(NULL);
	/* The acceptor's failure token reaches the initiator, which fails. */
	setenv("HOPS", "2", 1);
	setenv("ACCEPT_FAIL", "102", 1);
	run_pair(mem, new_engine(mem, NEGOEX_ROLE_INITIATOR, 2, false),
		 new_engine(mem, NEGOEX_ROLE_ACCEPTOR, 2, false), &si, &sa);
	assert_true(NT_STATUS_EQUAL(sa, NT_STATUS_LOGON_FAILURE));
	assert_true(NT_STATUS_EQUAL(si, NT_STATUS_LOGON_FAILURE));
	clear_env(NULL);
	/* No key at all: MIT's "No NegoEx verify key". */
	setenv("KEY", "never", 1);
	run_pair(mem, new_engine(mem, NEGOEX_ROLE_INITIATOR, 2, false),
		 new_engine(mem, NEGOEX_ROLE_ACCEPTOR, 2, false), &si, &sa);
	assert_true(NT_STATUS_EQUAL(si, NT_STATUS_NO_USER_SESSION_KEY));
	talloc_free(mem);
}

/*
 * Every enctype: the acceptor's VERIFY carries the key's mandatory keyed
 * checksum type (RC4's hmac-md5 is -138 on the wire as 0xffffff76).
 */
static void test_enctypes(void **state)
{
	static const struct {
		const char *enctype;
		uint32_t cksum_type;
		size_t cksum_len;
	} cases[] = {
		{"17", 15, 12},		 /* hmac-sha1-96-aes128 */
		{"18", 16, 12},		 /* hmac-sha1-96-aes256 */
		{"19", 19, 16},		 /* hmac-sha256-128-aes128 */
		{"20", 20, 24},		 /* hmac-sha384-192-aes256 */
		{"23", 0xffffff76, 16}, /* hmac-md5 (-138) */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		TALLOC_CTX *mem = talloc_new(NULL);
		struct negoex_engine *ini = new_engine(mem, NEGOEX_ROLE_INITIATOR, 2, false);
		struct negoex_engine *acc = new_engine(mem, NEGOEX_ROLE_ACCEPTOR, 2, false);
		struct negoex_token *tok;
		uint8_t *t1, *t2, *t3;
		size_t l1, l2, l3;
		const char *why = NULL;
		bool seen = false;

		setenv("NEGOEX_TEST_ENCTYPE", cases[i].enctype, 1);
		assert_true(NT_STATUS_EQUAL(negoex_engine_step(ini, mem, NULL, 0, &t1, &l1, &why),
					    NT_STATUS_MORE_PROCESSING_REQUIRED));
		assert_true(NT_STATUS_IS_OK(negoex_engine_step(acc, mem, t1, l1, &t2, &l2, &why)));
		assert_true(NT_STATUS_IS_OK(negoex_token_parse(mem, t2, l2, &tok, &why)));
		for (size_t m = 0; m < tok->num_messages; m++) {
			if (tok->messages[m].type == NEGOEX_MESSAGE_TYPE_VERIFY) {
				const struct negoex_checksum *c = &tok->messages[m].u.verify->checksum;

				assert_int_equal(c->type, cases[i].cksum_type);
				assert_int_equal(c->value_len, cases[i].cksum_len);
				seen = true;
			}
		}
		assert_true(seen);
		assert_true(NT_STATUS_IS_OK(negoex_engine_step(ini, mem, t2, l2, &t3, &l3, &why)));
		talloc_free(mem);
	}
}

/*
 * The key usages (MIT verify_keyusage, against the draft): the initiator's
 * VERIFY checks with usage 25 over the messages before it, and not with
 * the draft's 23.  Checked with Heimdal directly, the test scheme's key.
 */
static void test_key_usages(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct negoex_engine *ini = new_engine(mem, NEGOEX_ROLE_INITIATOR, 2, false);
	struct negoex_token *tok;
	const struct negoex_verify *v = NULL;
	size_t at = 0;
	uint8_t *t1, keybytes[32] = {1};
	size_t l1;
	const char *why = NULL;
	krb5_context ctx;
	krb5_crypto crypto;
	krb5_keyblock kb = {.keytype = 18, .keyvalue = {.length = 32, .data = keybytes}};
	Checksum c;

	assert_true(NT_STATUS_EQUAL(negoex_engine_step(ini, mem, NULL, 0, &t1, &l1, &why),
				    NT_STATUS_MORE_PROCESSING_REQUIRED));
	assert_true(NT_STATUS_IS_OK(negoex_token_parse(mem, t1, l1, &tok, &why)));
	for (size_t m = 0; m < tok->num_messages; m++) {
		if (tok->messages[m].type == NEGOEX_MESSAGE_TYPE_VERIFY) {
			v = tok->messages[m].u.verify;
			at = tok->messages[m].offset;
		}
	}
	assert_non_null(v);
	assert_int_equal(krb5_init_context(&ctx), 0);
	/* the initiator's key: all zeros but the first byte, 1 (negoextest) */
	assert_int_equal(krb5_crypto_init(ctx, &kb, 0, &crypto), 0);
	c.cksumtype = (krb5_cksumtype)v->checksum.type;
	c.checksum.length = v->checksum.value_len;
	c.checksum.data = (void *)v->checksum.value;
	assert_int_equal(krb5_verify_checksum(ctx, crypto, 25, t1, at, &c), 0);
	assert_int_not_equal(krb5_verify_checksum(ctx, crypto, 23, t1, at, &c), 0);
	krb5_crypto_destroy(ctx, crypto);
	krb5_free_context(ctx);
	talloc_free(mem);
}

static void test_api_refusals(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct negoex_scheme two[2];
	struct negoex_engine_config cfg = {.role = NEGOEX_ROLE_INITIATOR, .schemes = two};
	struct negoex_engine *e = NULL;
	uint8_t *out;
	size_t len;
	const char *why = NULL;
	static const uint8_t junk[4] = {0};

	negoex_testscheme_get(0, &two[0]);
	negoex_testscheme_get(0, &two[1]);
	cfg.num_schemes = 2;
	assert_true(NT_STATUS_EQUAL(negoex_engine_new(mem, &cfg, &e, &why),
				    NT_STATUS_INVALID_PARAMETER));
	assert_null(e);
	cfg.num_schemes = 0;
	assert_true(NT_STATUS_EQUAL(negoex_engine_new(mem, &cfg, &e, &why),
				    NT_STATUS_INVALID_PARAMETER));
	e = new_engine(mem, NEGOEX_ROLE_INITIATOR, 2, false);
	assert_true(NT_STATUS_EQUAL(negoex_engine_step(e, mem, junk, 4, &out, &len, &why),
				    NT_STATUS_INVALID_PARAMETER));
	e = new_engine(mem, NEGOEX_ROLE_ACCEPTOR, 2, false);
	assert_true(NT_STATUS_EQUAL(negoex_engine_step(e, mem, NULL, 0, &out, &len, &why),
				    NT_STATUS_INVALID_PARAMETER));
	talloc_free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_hops_and_keys, clear_env),
		cmocka_unit_test_setup(test_after_completion, clear_env),
		cmocka_unit_test_setup(test_alerts, clear_env),
		cmocka_unit_test_setup(test_acceptor_order, clear_env),
		cmocka_unit_test_setup(test_meta_data, clear_env),
		cmocka_unit_test_setup(test_scheme_failures, clear_env),
		cmocka_unit_test_setup(test_enctypes, clear_env),
		cmocka_unit_test_setup(test_key_usages, clear_env),
		cmocka_unit_test_setup(test_api_refusals, clear_env),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
