/*
 * test_credssp_engine.c: the CredSSP engine (credssp/credssp.h) over the
 * fake mechanism (credssp_fake_mech.h): the binding values of every
 * version against the known answers, the exchange for every pair of
 * versions, each credential type arriving intact, errorCode both ways,
 * the version rules, the credential policy and the framing helper.
 * Attacks (man in the middle, tampering, replay, downgrade, hostile
 * messages): test_credssp_engine_attack.c.
 */
#include "credssp_engine_fixtures.h"

/* ---- the binding values (3.1.5), from binding_hash_kat.txt -------------- */

static void test_binding_kat(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	size_t klen, nlen, l, vlen;
	uint8_t *key = hex_vector(t, "binding_hash_kat.txt", "KAT1_PUBKEY", &klen);
	uint8_t *nonce = hex_vector(t, "binding_hash_kat.txt", "KAT1_NONCE", &nlen);
	uint8_t *v;
	(void)state;

	for (uint32_t version = 5; version <= 6; version++) {
		uint8_t *want = hex_vector(t, "binding_hash_kat.txt", "KAT1_C2S_HASH", &l);

		assert_true(NT_STATUS_IS_OK(credssp_binding_value(t, version,
								  CREDSSP_CLIENT_TO_SERVER, nonce,
								  nlen, key, klen, &v, &vlen)));
		assert_int_equal(vlen, l);
		assert_memory_equal(v, want, l);
		want = hex_vector(t, "binding_hash_kat.txt", "KAT1_S2C_HASH", &l);
		assert_true(NT_STATUS_IS_OK(credssp_binding_value(t, version,
								  CREDSSP_SERVER_TO_CLIENT, nonce,
								  nlen, key, klen, &v, &vlen)));
		assert_int_equal(vlen, l);
		assert_memory_equal(v, want, l);
	}
	for (uint32_t version = 2; version <= 4; version++) {
		uint8_t *want = hex_vector(t, "binding_hash_kat.txt", "KAT1_V2_ECHO_C2S", &l);

		/* the nonce plays no part below version 5 */
		assert_true(NT_STATUS_IS_OK(credssp_binding_value(
			t, version, CREDSSP_CLIENT_TO_SERVER, NULL, 0, key, klen, &v, &vlen)));
		assert_int_equal(vlen, l);
		assert_memory_equal(v, want, l);
		want = hex_vector(t, "binding_hash_kat.txt", "KAT1_V2_ECHO_S2C", &l);
		assert_true(NT_STATUS_IS_OK(credssp_binding_value(
			t, version, CREDSSP_SERVER_TO_CLIENT, nonce, nlen, key, klen, &v, &vlen)));
		assert_int_equal(vlen, l);
		assert_memory_equal(v, want, l);
	}
	/* the magic strings are hashed with their NUL: check the vector's */
	v = hex_vector(t, "binding_hash_kat.txt", "MAGIC_C2S", &l);
	assert_int_equal(l, sizeof("CredSSP Client-To-Server Binding Hash"));
	assert_memory_equal(v, "CredSSP Client-To-Server Binding Hash", l);
	v = hex_vector(t, "binding_hash_kat.txt", "MAGIC_S2C", &l);
	assert_memory_equal(v, "CredSSP Server-To-Client Binding Hash", l);
	/* +1 wraps in the first byte */
	{
		const uint8_t ff[2] = { 0xff, 0x10 };

		assert_true(NT_STATUS_IS_OK(credssp_binding_value(
			t, 3, CREDSSP_SERVER_TO_CLIENT, NULL, 0, ff, 2, &v, &vlen)));
		assert_int_equal(v[0], 0x00);
		assert_int_equal(v[1], 0x10);
	}
	/* version 5 without a nonce, or without a key, is refused */
	assert_true(NT_STATUS_EQUAL(credssp_binding_value(t, 5, CREDSSP_CLIENT_TO_SERVER, NULL, 0,
							  key, klen, &v, &vlen),
				    NT_STATUS_INVALID_PARAMETER));
	assert_true(NT_STATUS_EQUAL(credssp_binding_value(t, 6, CREDSSP_CLIENT_TO_SERVER, nonce,
							  nlen, NULL, 0, &v, &vlen),
				    NT_STATUS_INVALID_PARAMETER));
	talloc_free(t);
}

/* ---- exchanges ------------------------------------------------------------ */

static void assert_password_arrived(struct credssp_ctx *s, const char *dom, const char *user,
				    const char *pw)
{
	struct credssp_credentials *got = credssp_server_credentials(s);

	assert_non_null(got);
	assert_int_equal(got->type, CREDSSP_CRED_PASSWORD);
	assert_string_equal(got->password.domain, dom);
	assert_string_equal(got->password.user, user);
	assert_int_equal(got->password.password->len, strlen(pw));
	assert_memory_equal(got->password.password->data, pw, strlen(pw));
}

/* Every client version against every server version, both mechanisms'
 * shapes (2 legs like NTLM, 1 like Kerberos): the binding uses the lower
 * version, each side sends its own, and the password arrives. */
static void test_version_matrix(void **state)
{
	(void)state;
	for (int legs = 1; legs <= 2; legs++) {
		for (uint32_t cv = 2; cv <= 6; cv++) {
			for (uint32_t sv = 2; sv <= 6; sv++) {
				TALLOC_CTX *t = talloc_new(NULL);
				struct fake_server_cfg cfg = { 0 };
				struct run_opts o = { .c_version = cv, .c_min = 2, .s_version = sv,
						      .s_min = 2, .legs = legs };
				struct run r;
				struct credssp_tsrequest *m;
				uint32_t want = cv < sv ? cv : sv;

				run_exchange(t, &o, &r, &cfg);
				assert_int_equal(r.cr, CREDSSP_DONE);
				assert_int_equal(r.sr, CREDSSP_DONE);
				assert_int_equal(credssp_negotiated_version(r.c), want);
				assert_int_equal(credssp_negotiated_version(r.s), want);
				assert_int_equal(credssp_peer_version(r.s), cv);
				assert_int_equal(credssp_peer_version(r.c), sv);
				assert_password_arrived(r.s, "DOM", "alice", "pw");
				assert_string_equal(credssp_peer_name(r.s), "FAKE\\user");
				assert_int_equal(cfg.last_kind, CREDSSP_MECH_GSSAPI);
				/* the pubKeyAuth message: a nonce from version 5 only */
				assert_true(NT_STATUS_IS_OK(credssp_tsrequest_parse(
					t, r.c_msgs[r.c2s - 2], r.c_lens[r.c2s - 2], &m, NULL)));
				assert_non_null(m->pub_key_auth);
				assert_int_equal(m->version, cv);
				if (want >= 5) {
					assert_non_null(m->client_nonce);
					assert_int_equal(m->client_nonce->len, 32);
				} else {
					assert_null(m->client_nonce);
				}
				talloc_free(t);
			}
		}
	}
}

/* A higher peer version is treated as 6, and never sent back (2.2.1). */
static void tamper_version_9(void *arg, char dir, int idx, TALLOC_CTX *t, uint8_t **buf,
			     size_t *len);
static void set_version_9(TALLOC_CTX *t, struct credssp_tsrequest *r, void *arg)
{
	r->version = 9;
}
static void tamper_version_9(void *arg, char dir, int idx, TALLOC_CTX *t, uint8_t **buf,
			     size_t *len)
{
	if (dir == 'C') {
		edit_tsrequest(t, buf, len, set_version_9, NULL);
	} else {
		struct credssp_tsrequest *r = NULL;

		assert_true(NT_STATUS_IS_OK(credssp_tsrequest_parse(t, *buf, *len, &r, NULL)));
		assert_int_equal(r->version, 6); /* ours, not the peer's 9 */
	}
}

static void test_higher_version_is_6(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct fake_server_cfg cfg = { 0 };
	struct run_opts o = { .tamper = tamper_version_9 };
	struct run r;
	(void)state;

	run_exchange(t, &o, &r, &cfg);
	assert_int_equal(r.sr, CREDSSP_DONE);
	assert_int_equal(credssp_peer_version(r.s), 9);
	assert_int_equal(credssp_negotiated_version(r.s), 6);
	talloc_free(t);
}

static void test_credential_kinds(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct credssp_credentials *sc = talloc_zero(t, struct credssp_credentials);
	struct credssp_credentials *rg = talloc_zero(t, struct credssp_credentials);
	struct credssp_credentials *ra = talloc_zero(t, struct credssp_credentials);
	struct credssp_credentials *got;
	struct fake_server_cfg cfg = { 0 };
	struct run_opts o = { 0 };
	struct run r;
	(void)state;

	sc->type = CREDSSP_CRED_SMARTCARD;
	sc->smartcard.pin = crypto_secret_dup(sc, (const uint8_t *)"1234", 4);
	sc->smartcard.key_spec = 1;
	sc->smartcard.card_name = talloc_strdup(sc, "Card");
	sc->smartcard.reader_name = talloc_strdup(sc, "Lecteur é");
	sc->smartcard.csp_name = talloc_strdup(sc, "Microsoft Base Smart Card Crypto Provider");
	sc->smartcard.user_hint = talloc_strdup(sc, "alice");
	o.creds = sc;
	run_exchange(t, &o, &r, &cfg);
	assert_int_equal(r.sr, CREDSSP_DONE);
	got = credssp_server_credentials(r.s);
	assert_int_equal(got->type, CREDSSP_CRED_SMARTCARD);
	assert_string_equal((const char *)got->smartcard.pin->data, "1234");
	assert_int_equal(got->smartcard.key_spec, 1);
	assert_string_equal(got->smartcard.card_name, "Card");
	assert_string_equal(got->smartcard.reader_name, "Lecteur é");
	assert_null(got->smartcard.container_name);
	assert_string_equal(got->smartcard.csp_name, "Microsoft Base Smart Card Crypto Provider");
	assert_string_equal(got->smartcard.user_hint, "alice");
	assert_null(got->smartcard.domain_hint);

	rg->type = CREDSSP_CRED_REMOTE_GUARD;
	rg->remote_guard.logon.package_name = talloc_strdup(rg, "Kerberos");
	rg->remote_guard.logon.cred_buffer = crypto_secret_dup(rg, (const uint8_t *)"\x01\x02\x00\x03", 4);
	rg->remote_guard.num_supplemental = 1;
	rg->remote_guard.supplemental = talloc_zero_array(rg, struct credssp_package_cred, 1);
	rg->remote_guard.supplemental[0].package_name = talloc_strdup(rg, "NTLM");
	rg->remote_guard.supplemental[0].cred_buffer = crypto_secret_dup(rg, (const uint8_t *)"ntlm", 4);
	o.creds = rg;
	run_exchange(t, &o, &r, &cfg);
	assert_int_equal(r.sr, CREDSSP_DONE);
	got = credssp_server_credentials(r.s);
	assert_int_equal(got->type, CREDSSP_CRED_REMOTE_GUARD);
	assert_string_equal(got->remote_guard.logon.package_name, "Kerberos");
	assert_int_equal(got->remote_guard.logon.cred_buffer->len, 4);
	assert_memory_equal(got->remote_guard.logon.cred_buffer->data, "\x01\x02\x00\x03", 4);
	assert_int_equal(got->remote_guard.num_supplemental, 1);
	assert_string_equal(got->remote_guard.supplemental[0].package_name, "NTLM");
	assert_memory_equal(got->remote_guard.supplemental[0].cred_buffer->data, "ntlm", 4);

	/* Restricted Admin: empty TSPasswordCreds */
	ra->type = CREDSSP_CRED_PASSWORD;
	o.creds = ra;
	run_exchange(t, &o, &r, &cfg);
	assert_int_equal(r.sr, CREDSSP_DONE);
	got = credssp_server_credentials(r.s);
	assert_true(credssp_credentials_restricted_admin(got));
	assert_false(credssp_credentials_restricted_admin(password_creds(t, "", "a", "")));
	talloc_free(t);
}

/* ---- errorCode ------------------------------------------------------------ */

/* The server tells clients of versions 3, 4 and 6 why (2.2.1), not 2 or
 * 5; the client fails at once with the status named; the errorCode is a
 * negative INTEGER on the wire. */
static void test_error_code(void **state)
{
	(void)state;
	for (uint32_t cv = 2; cv <= 6; cv++) {
		TALLOC_CTX *t = talloc_new(NULL);
		struct fake_server_cfg cfg = { 0 };
		struct run_opts o = { .c_version = cv, .c_min = 2, .s_min = 2,
				      .s_secret = "other" };
		struct run r;
		bool told = cv == 3 || cv == 4 || cv == 6;

		run_exchange(t, &o, &r, &cfg);
		assert_int_equal(r.sr, CREDSSP_FAILED);
		assert_true(NT_STATUS_EQUAL(credssp_status(r.s), NT_STATUS_LOGON_FAILURE));
		assert_false(r.auth_info_sent);
		if (told) {
			const uint8_t neg[] = { 0xa4, 0x06, 0x02, 0x04, 0xc0, 0x00, 0x00, 0x6d };

			assert_int_equal(r.s2c, 1);
			assert_non_null(memmem(r.last_s2c, r.last_s2c_len, neg, sizeof(neg)));
			assert_int_equal(r.cr, CREDSSP_FAILED);
			assert_true(NT_STATUS_EQUAL(credssp_status(r.c), NT_STATUS_LOGON_FAILURE));
			assert_non_null(strstr(credssp_error(r.c), "NT_STATUS_LOGON_FAILURE"));
		} else {
			assert_int_equal(r.s2c, 0); /* nothing to send: the caller closes */
		}
		talloc_free(t);
	}
	/* a status the fake names itself, and one without a name */
	{
		TALLOC_CTX *t = talloc_new(NULL);
		struct fake_server_cfg cfg = { 0 };
		struct run_opts o = { .s_fail_status = 0xC0000072 /* ACCOUNT_DISABLED */ };
		struct run r;

		run_exchange(t, &o, &r, &cfg);
		assert_int_equal(r.cr, CREDSSP_FAILED);
		assert_int_equal(NT_STATUS_V(credssp_status(r.c)), 0xC0000072);
		assert_non_null(strstr(credssp_error(r.c), "0xc0000072"));
		talloc_free(t);
	}
}

/* ---- policy, framing, API misuse ----------------------------------------- */

static void test_policy(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	const char *const list[] = { "rdp1.example.com", "*.lab.example.org", NULL };
	const struct {
		const char *name;
		bool ok;
	} cases[] = {
		{ "rdp1.example.com", true }, { "RDP1.Example.COM", true },
		{ "rdp2.example.com", false }, { "a.lab.example.org", true },
		{ "a.b.lab.example.org", true }, { "lab.example.org", false },
		{ "evillab.example.org", false }, { "", false },
	};
	struct credssp_client_settings cs = { 0 };
	struct credssp_ctx *c;
	int freed = 0;
	(void)state;

	cs.allowed_servers = list;
	cs.creds = password_creds(t, "D", "u", "p");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fake_mech *m = fake_mech_new(true, 2, "x");
		NTSTATUS st;

		m->freed = &freed;
		cs.server_name = cases[i].name;
		c = NULL;
		st = credssp_client_new(t, &cs, &fake_mech_ops, m, server_key, sizeof(server_key),
					&c, NULL);
		assert_int_equal(NT_STATUS_IS_OK(st), cases[i].ok);
		if (!cases[i].ok) {
			assert_true(NT_STATUS_EQUAL(st, NT_STATUS_ACCESS_DENIED));
		}
		talloc_free(c);
		assert_int_equal(freed, (int)i + 1); /* the mech is freed either way */
	}
	/* no list: nobody */
	cs.allowed_servers = NULL;
	cs.server_name = "rdp1.example.com";
	assert_true(NT_STATUS_EQUAL(credssp_client_new(t, &cs, &fake_mech_ops,
						       fake_mech_new(true, 2, "x"), server_key,
						       sizeof(server_key), &c, NULL),
				    NT_STATUS_ACCESS_DENIED));
	/* bad versions */
	cs.allowed_servers = allow_all;
	cs.version = 7;
	assert_false(NT_STATUS_IS_OK(credssp_client_new(t, &cs, &fake_mech_ops,
							fake_mech_new(true, 2, "x"), server_key,
							sizeof(server_key), &c, NULL)));
	cs.version = 4; /* below the default minimum 5 */
	assert_false(NT_STATUS_IS_OK(credssp_client_new(t, &cs, &fake_mech_ops,
							fake_mech_new(true, 2, "x"), server_key,
							sizeof(server_key), &c, NULL)));
	talloc_free(t);
}

static void test_framing(void **state)
{
	size_t need = 0;
	const uint8_t short_form[] = { 0x30, 0x03, 0x02, 0x01, 0x06 };
	const uint8_t long_form[] = { 0x30, 0x82, 0x01, 0x00 };
	const uint8_t huge[] = { 0x30, 0x84, 0x7f, 0xff, 0xff, 0xff };
	const uint8_t indefinite[] = { 0x30, 0x80 };
	const uint8_t not_seq[] = { 0x31, 0x03 };
	(void)state;

	assert_true(NT_STATUS_EQUAL(credssp_message_length(short_form, 1, &need),
				    NT_STATUS_MORE_ENTRIES));
	assert_true(NT_STATUS_IS_OK(credssp_message_length(short_form, 2, &need)));
	assert_int_equal(need, 5);
	assert_true(NT_STATUS_EQUAL(credssp_message_length(long_form, 3, &need),
				    NT_STATUS_MORE_ENTRIES));
	assert_true(NT_STATUS_IS_OK(credssp_message_length(long_form, 4, &need)));
	assert_int_equal(need, 4 + 256);
	assert_true(NT_STATUS_EQUAL(credssp_message_length(huge, sizeof(huge), &need),
				    NT_STATUS_INVALID_PARAMETER));
	assert_true(NT_STATUS_EQUAL(credssp_message_length(indefinite, 2, &need),
				    NT_STATUS_INVALID_PARAMETER));
	assert_true(NT_STATUS_EQUAL(credssp_message_length(not_seq, 2, &need),
				    NT_STATUS_INVALID_PARAMETER));
}

/* The exchange is over after DONE/FAILED; the client speaks first. */
static void test_misuse(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct fake_server_cfg cfg = { 0 };
	struct run_opts o = { 0 };
	struct run r;
	uint8_t *out;
	size_t len;
	(void)state;

	run_exchange(t, &o, &r, &cfg);
	assert_int_equal(r.sr, CREDSSP_DONE);
	assert_int_equal(credssp_step(r.s, r.c_msgs[0], r.c_lens[0], &out, &len), CREDSSP_FAILED);
	assert_int_equal(credssp_step(r.c, NULL, 0, &out, &len), CREDSSP_FAILED);
	assert_int_equal(len, 0);
	talloc_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_binding_kat),
		cmocka_unit_test(test_version_matrix),
		cmocka_unit_test(test_higher_version_is_6),
		cmocka_unit_test(test_credential_kinds),
		cmocka_unit_test(test_error_code),
		cmocka_unit_test(test_policy),
		cmocka_unit_test(test_framing),
		cmocka_unit_test(test_misuse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
