/*
 * test_credssp_engine_attack.c: the CredSSP engine under attack, over the
 * fake mechanism: a man in the middle with its own TLS key, a tampered
 * pubKeyAuth each way, a replayed or changed nonce, version downgrades,
 * messages out of place, and hostile bytes (truncated, over-long, wrong
 * tag, huge lengths, a bit-flip loop over a real exchange).  In every
 * case no credential leaves the client and the engine fails cleanly.
 */
#include "credssp_engine_fixtures.h"

/* MITM (3.1.5 step 3): the client's TLS peer is a proxy with its own key;
 * the real server finds its key is not the one bound and refuses, so the
 * client never sees a valid pubKeyAuth and sends no credentials. */
static void test_mitm(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct fake_server_cfg cfg = { 0 };
	struct run_opts o = { .c_key = mitm_key, .c_key_len = sizeof(mitm_key) };
	struct run r;
	(void)state;

	run_exchange(t, &o, &r, &cfg);
	assert_int_equal(r.sr, CREDSSP_FAILED);
	assert_true(NT_STATUS_EQUAL(credssp_status(r.s), NT_STATUS_ACCESS_DENIED));
	assert_non_null(strstr(credssp_error(r.s), "man in the middle"));
	assert_int_equal(r.cr, CREDSSP_FAILED); /* told by errorCode (version 6) */
	assert_true(NT_STATUS_EQUAL(credssp_status(r.c), NT_STATUS_ACCESS_DENIED));
	assert_false(r.auth_info_sent);
	assert_null(credssp_server_credentials(r.s));
	talloc_free(t);
}

/* A proxy that passes the server's reply but answers with a pubKeyAuth
 * it made itself cannot seal it: here it flips a byte in the server's. */
struct flip {
	char dir;
	int idx;
	bool pub_key_auth; /* flip in pubKeyAuth, else in the whole message */
	size_t at;
	uint8_t mask;
};

static void flip_pka(TALLOC_CTX *t, struct credssp_tsrequest *r, void *arg)
{
	struct flip *f = arg;

	if (r->pub_key_auth != NULL && r->pub_key_auth->len > 0) {
		r->pub_key_auth->data[f->at % r->pub_key_auth->len] ^= f->mask;
	}
}

static void tamper_flip(void *arg, char dir, int idx, TALLOC_CTX *t, uint8_t **buf, size_t *len)
{
	struct flip *f = arg;

	if (dir != f->dir || idx != f->idx) {
		return;
	}
	if (f->pub_key_auth) {
		edit_tsrequest(t, buf, len, flip_pka, f);
	} else {
		uint8_t *copy = talloc_memdup(t, *buf, *len);

		copy[f->at % *len] ^= f->mask;
		*buf = copy;
	}
}

static void test_tampered_pub_key_auth(void **state)
{
	(void)state;
	for (size_t at = 0; at < 48; at += 5) {
		TALLOC_CTX *t = talloc_new(NULL);
		struct fake_server_cfg cfg = { 0 };
		/* client -> server: the second client message holds pubKeyAuth */
		struct flip fc = { 'C', 1, true, at, 0x01 };
		struct flip fs = { 'S', 1, true, at, 0x80 };
		struct run_opts o = { .tamper = tamper_flip, .tamper_arg = &fc };
		struct run r;

		run_exchange(t, &o, &r, &cfg);
		assert_int_equal(r.sr, CREDSSP_FAILED);
		assert_false(r.auth_info_sent);
		assert_null(credssp_server_credentials(r.s));

		o.tamper_arg = &fs; /* server -> client: its pubKeyAuth */
		run_exchange(t, &o, &r, &cfg);
		assert_int_equal(r.cr, CREDSSP_FAILED);
		assert_true(NT_STATUS_EQUAL(credssp_status(r.c), NT_STATUS_ACCESS_DENIED));
		assert_false(r.auth_info_sent);
		talloc_free(t);
	}
}

/* Replay: the client's messages of one exchange played again to a new
 * server (same key, same mechanism secret) are refused when the server
 * keeps a nonce cache, because the nonce was already used. */
static void test_replayed_nonce(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct credssp_nonce_cache *cache = credssp_nonce_cache_new(t, 16);
	struct fake_server_cfg cfg = { 0 }, cfg2 = { .legs = 2, .secret = "sesame" };
	struct run_opts o = { .nonces = cache };
	struct credssp_server_settings ss = { .start_mech = fake_start, .start_arg = &cfg2,
					      .nonces = cache };
	struct credssp_ctx *s2;
	struct run r;
	uint8_t *out;
	size_t len;
	(void)state;

	run_exchange(t, &o, &r, &cfg);
	assert_int_equal(r.sr, CREDSSP_DONE);
	assert_true(NT_STATUS_IS_OK(
		credssp_server_new(t, &ss, server_key, sizeof(server_key), &s2, NULL)));
	assert_int_equal(credssp_step(s2, r.c_msgs[0], r.c_lens[0], &out, &len), CREDSSP_CONTINUE);
	assert_int_equal(credssp_step(s2, r.c_msgs[1], r.c_lens[1], &out, &len), CREDSSP_FAILED);
	assert_non_null(strstr(credssp_error(s2), "replay"));
	talloc_free(t);
}

/* The nonce may not change once sent, and must be 32 bytes. */
static void set_nonce(TALLOC_CTX *t, struct credssp_tsrequest *r, void *arg)
{
	size_t n = *(size_t *)arg;

	r->client_nonce = talloc_zero(t, struct credssp_octets);
	r->client_nonce->data = talloc_zero_array(t, uint8_t, n);
	r->client_nonce->len = n;
}

static size_t nonce_len;
static void tamper_nonce(void *arg, char dir, int idx, TALLOC_CTX *t, uint8_t **buf, size_t *len)
{
	if (dir == 'C' && idx == *(int *)arg) {
		edit_tsrequest(t, buf, len, set_nonce, &nonce_len);
	}
}

static void test_nonce_rules(void **state)
{
	int idx;
	(void)state;

	/* a zero nonce announced in the first message; the real one later */
	for (idx = 0; idx <= 1; idx++) {
		for (nonce_len = 31; nonce_len <= 32; nonce_len++) {
			TALLOC_CTX *t = talloc_new(NULL);
			struct fake_server_cfg cfg = { 0 };
			struct run_opts o = { .tamper = tamper_nonce, .tamper_arg = &idx };
			struct run r;

			run_exchange(t, &o, &r, &cfg);
			assert_int_equal(r.sr, CREDSSP_FAILED);
			assert_false(r.auth_info_sent);
			talloc_free(t);
		}
	}
}

/* Downgrades: a client below the minimum; a proxy lowering the client's
 * version; a proxy lowering the server's.  All refused, nothing sent. */
static uint32_t new_version;
static void set_version(TALLOC_CTX *t, struct credssp_tsrequest *r, void *arg)
{
	r->version = new_version;
}

static void tamper_version(void *arg, char dir, int idx, TALLOC_CTX *t, uint8_t **buf,
			   size_t *len)
{
	if (dir == *(char *)arg) {
		edit_tsrequest(t, buf, len, set_version, NULL);
	}
}

static void test_downgrade(void **state)
{
	(void)state;
	for (uint32_t v = 2; v <= 4; v++) {
		TALLOC_CTX *t = talloc_new(NULL);
		struct fake_server_cfg cfg = { 0 };
		struct run_opts o = { .c_version = v, .c_min = 2 };
		char dir;
		struct run r;

		run_exchange(t, &o, &r, &cfg); /* server's default minimum is 5 */
		assert_int_equal(r.sr, CREDSSP_FAILED);
		assert_true(NT_STATUS_EQUAL(credssp_status(r.s), NT_STATUS_NOT_SUPPORTED));
		assert_non_null(strstr(credssp_error(r.s), "downgrade"));
		assert_int_equal(cfg.started, 0); /* refused before any authentication */
		if (v >= 3) {                     /* told in errorCode */
			assert_int_equal(r.cr, CREDSSP_FAILED);
			assert_true(NT_STATUS_EQUAL(credssp_status(r.c), NT_STATUS_NOT_SUPPORTED));
		}
		assert_false(r.auth_info_sent);

		new_version = v;
		for (dir = 'C'; dir != 0; dir = dir == 'C' ? 'S' : 0) {
			struct run_opts p = { .tamper = tamper_version, .tamper_arg = &dir };

			run_exchange(t, &p, &r, &cfg);
			assert_false(r.auth_info_sent);
			if (dir == 'C') {
				assert_int_equal(r.sr, CREDSSP_FAILED);
			} else {
				assert_int_equal(r.cr, CREDSSP_FAILED);
				assert_non_null(strstr(credssp_error(r.c), "downgrade"));
			}
		}
		talloc_free(t);
	}
}

/* Messages out of place: authInfo first, pubKeyAuth before the
 * mechanism completes, two negoTokens, a server that sends authInfo. */
static void hand_step(struct credssp_ctx *s, TALLOC_CTX *t, struct credssp_tsrequest *m,
		      enum credssp_result want)
{
	uint8_t *buf, *out;
	size_t len, olen;

	assert_true(NT_STATUS_IS_OK(credssp_tsrequest_build(t, m, &buf, &len, NULL)));
	assert_int_equal(credssp_step(s, buf, len, &out, &olen), want);
}

static void test_out_of_place(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct fake_server_cfg cfg = { .legs = 2, .secret = "sesame" };
	struct credssp_server_settings ss = { .start_mech = fake_start, .start_arg = &cfg };
	struct credssp_octets tok[2] = { { (uint8_t *)"\x60" "FK1sesame", 10 },
					 { (uint8_t *)"\x60" "FK1sesame", 10 } };
	struct credssp_octets blob = { (uint8_t *)"xxxxxxxxxxxxxxxxxxxxxxxx", 24 };
	struct credssp_tsrequest m;
	struct credssp_ctx *s;
	int freed = 0;
	(void)state;

	cfg.freed = &freed;
	/* authInfo in the first message */
	memset(&m, 0, sizeof(m));
	m.version = 6;
	m.has_nego_tokens = true;
	m.num_nego_tokens = 1;
	m.nego_tokens = tok;
	m.auth_info = &blob;
	assert_true(NT_STATUS_IS_OK(credssp_server_new(t, &ss, server_key, sizeof(server_key), &s, NULL)));
	hand_step(s, t, &m, CREDSSP_FAILED);
	/* two negoTokens */
	m.auth_info = NULL;
	m.num_nego_tokens = 2;
	assert_true(NT_STATUS_IS_OK(credssp_server_new(t, &ss, server_key, sizeof(server_key), &s, NULL)));
	hand_step(s, t, &m, CREDSSP_FAILED);
	/* no negoToken at all */
	m.has_nego_tokens = false;
	m.num_nego_tokens = 0;
	assert_true(NT_STATUS_IS_OK(credssp_server_new(t, &ss, server_key, sizeof(server_key), &s, NULL)));
	hand_step(s, t, &m, CREDSSP_FAILED);
	/* pubKeyAuth with the first token (the mechanism is not complete) */
	m.has_nego_tokens = true;
	m.num_nego_tokens = 1;
	m.pub_key_auth = &blob;
	assert_true(NT_STATUS_IS_OK(credssp_server_new(t, &ss, server_key, sizeof(server_key), &s, NULL)));
	hand_step(s, t, &m, CREDSSP_FAILED);
	talloc_free(s);
	/* an NTLMSSP token when no NTLM acceptor is configured */
	m.pub_key_auth = NULL;
	tok[0].data = (uint8_t *)"NTLMSSP\0\x01\0\0\0";
	tok[0].len = 12;
	assert_true(NT_STATUS_IS_OK(credssp_server_new(t, &ss, server_key, sizeof(server_key), &s, NULL)));
	hand_step(s, t, &m, CREDSSP_FAILED);
	assert_true(NT_STATUS_EQUAL(credssp_status(s), NT_STATUS_NOT_SUPPORTED));
	assert_int_equal(cfg.last_kind, CREDSSP_MECH_NTLM_RAW);
	/* neither NTLMSSP nor GSSAPI */
	tok[0].data = (uint8_t *)"garbage!";
	tok[0].len = 8;
	assert_true(NT_STATUS_IS_OK(credssp_server_new(t, &ss, server_key, sizeof(server_key), &s, NULL)));
	hand_step(s, t, &m, CREDSSP_FAILED);
	talloc_free(t);
	assert_int_equal(freed, cfg.started); /* every acceptor started was freed once */
}

/* Hostile bytes: each fails cleanly, with no reply to send. */
static void test_hostile_bytes(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct fake_server_cfg cfg = { .legs = 2, .secret = "sesame" };
	struct credssp_server_settings ss = { .start_mech = fake_start, .start_arg = &cfg };
	const struct {
		const char *what;
		const uint8_t *p;
		size_t len;
	} cases[] = {
		{ "empty", (const uint8_t *)"", 0 },
		{ "one byte", (const uint8_t *)"\x30", 1 },
		{ "wrong tag", (const uint8_t *)"\x31\x03\x02\x01\x06", 5 },
		{ "huge length", (const uint8_t *)"\x30\x84\x7f\xff\xff\xff\xa0\x03\x02\x01\x06", 11 },
		{ "indefinite", (const uint8_t *)"\x30\x80\xa0\x03\x02\x01\x06\x00\x00", 9 },
		{ "trailing", (const uint8_t *)"\x30\x05\xa0\x03\x02\x01\x06\x00", 8 },
		{ "version only", (const uint8_t *)"\x30\x05\xa0\x03\x02\x01\x06", 7 },
		{ "version 0", (const uint8_t *)"\x30\x05\xa0\x03\x02\x01\x00", 7 },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct credssp_ctx *s;
		uint8_t *out = (uint8_t *)"x";
		size_t len = 1;

		assert_true(NT_STATUS_IS_OK(
			credssp_server_new(t, &ss, server_key, sizeof(server_key), &s, NULL)));
		assert_int_equal(credssp_step(s, cases[i].p, cases[i].len, &out, &len), CREDSSP_FAILED);
		if (len != 0) {
			/* only an errorCode reply to a well-formed request */
			assert_string_equal(cases[i].what, "version only");
		}
		assert_true(strlen(credssp_error(s)) > 0);
		talloc_free(s);
	}
	talloc_free(t);
}

/* A bit-flip loop over every message of a real exchange, both ways: the
 * engines either fail cleanly or, when the flip left the message valid,
 * finish with the credentials intact.  Never a credential to a server
 * whose pubKeyAuth did not verify. */
static void test_bit_flips(void **state)
{
	(void)state;
	for (int dir = 0; dir < 2; dir++) {
		for (int idx = 0; idx < 3; idx++) {
			for (size_t at = 0; at < 120; at += 3) {
				TALLOC_CTX *t = talloc_new(NULL);
				struct fake_server_cfg cfg = { 0 };
				struct flip f = { dir == 0 ? 'C' : 'S', idx, false, at,
						  (uint8_t)(1u << (at % 8)) };
				struct run_opts o = { .tamper = tamper_flip, .tamper_arg = &f };
				struct run r;

				run_exchange(t, &o, &r, &cfg);
				if (r.sr == CREDSSP_DONE) {
					struct credssp_credentials *c = credssp_server_credentials(r.s);

					assert_string_equal(c->password.user, "alice");
				}
				if (r.cr == CREDSSP_FAILED) {
					assert_true(strlen(credssp_error(r.c)) > 0);
				}
				talloc_free(t);
			}
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mitm),
		cmocka_unit_test(test_tampered_pub_key_auth),
		cmocka_unit_test(test_replayed_nonce),
		cmocka_unit_test(test_nonce_rules),
		cmocka_unit_test(test_downgrade),
		cmocka_unit_test(test_out_of_place),
		cmocka_unit_test(test_hostile_bytes),
		cmocka_unit_test(test_bit_flips),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
