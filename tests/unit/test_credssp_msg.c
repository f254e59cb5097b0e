/*
 * test_credssp_msg.c: the MS-CSSP 2.2.1 message codec on known answers.
 * Every vector of tests/vectors/credssp/ parses, its fields are what the
 * vector file says, and it rebuilds byte for byte; errorCode is a signed
 * NTSTATUS; the UTF-16 helpers; the binding-hash vectors are intact.
 * Malformed input: test_credssp_malformed.c.
 */
#include "credssp_fixtures.h"


/* ---- known answers ------------------------------------------------------ */

static void test_tsrequest_vector(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct credssp_tsrequest *r;
	size_t len, blen;
	uint8_t *v = tsreq_vector(t, "TSREQ_ALL_FIELDS_V6", &len), *b;
	(void)state;

	assert_true(NT_STATUS_IS_OK(credssp_tsrequest_parse(t, v, len, &r, NULL)));
	assert_int_equal(r->version, 6);
	assert_true(r->has_nego_tokens);
	assert_int_equal(r->num_nego_tokens, 1);
	assert_octets(&r->nego_tokens[0], "123", 3);
	assert_octets(r->auth_info, "auth info", 9);
	assert_octets(r->pub_key_auth, "pub key auth", 12);
	assert_true(r->has_error_code);
	assert_int_equal(r->error_code, 10);
	/* a structural 12-byte value: the 32-byte rule is the engine's */
	assert_octets(r->client_nonce, "client nonce", 12);
	assert_true(NT_STATUS_IS_OK(credssp_tsrequest_build(t, r, &b, &blen, NULL)));
	assert_int_equal(blen, len);
	assert_memory_equal(b, v, len);
	talloc_free(t);
}

static void test_tscredentials_password(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct credssp_tscredentials *c;
	struct credssp_tspasswordcreds *p;
	struct crypto_secret *s;
	size_t len;
	uint8_t *v = tscred_vector(t, "TSCRED_PASSWORD", &len);
	(void)state;

	assert_true(NT_STATUS_IS_OK(credssp_tscredentials_parse(t, v, len, &c, NULL)));
	assert_int_equal(c->cred_type, CREDSSP_CRED_PASSWORD);
	assert_true(NT_STATUS_IS_OK(credssp_tspasswordcreds_parse(t, c->credentials->data,
								  c->credentials->len, &p, NULL)));
	assert_utf16(&p->domain_name, "domain name");
	assert_utf16(&p->user_name, "username");
	assert_secret_utf16(p->password, "password");
	assert_true(NT_STATUS_IS_OK(credssp_tspasswordcreds_build(t, p, &s, NULL)));
	assert_int_equal(s->len, c->credentials->len);
	assert_memory_equal(s->data, c->credentials->data, s->len);
	talloc_free(t);
}

/* TSCRED_SMARTCARD is MS-CSSP section 4's sample, byte for byte (checked
 * when the vector was copied); the fields are the ones its "transformed"
 * listing gives. */
static void test_tscredentials_smartcard(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct credssp_tscredentials *c;
	struct credssp_tssmartcardcreds *sc;
	struct crypto_secret *s;
	size_t len;
	uint8_t *v = tscred_vector(t, "TSCRED_SMARTCARD", &len);
	(void)state;

	assert_int_equal(len, 275); /* "Total Size: 275" */
	assert_true(NT_STATUS_IS_OK(credssp_tscredentials_parse(t, v, len, &c, NULL)));
	assert_int_equal(c->cred_type, CREDSSP_CRED_SMARTCARD);
	/* the listing's "creds_len: 0X106=262" is the [1] wrapper's content
	 * (04 82 01 02 and the 258-byte TSSmartCardCreds) */
	assert_int_equal(c->credentials->len, 258);
	assert_true(NT_STATUS_IS_OK(credssp_tssmartcardcreds_parse(t, c->credentials->data,
								   c->credentials->len, &sc, NULL)));
	assert_secret_utf16(sc->pin, "bbbbbbbbbbbb");
	assert_int_equal(sc->csp_data.key_spec, 1);
	assert_null(sc->csp_data.card_name);
	assert_utf16(sc->csp_data.reader_name, "OMNIKEY CardMan 3x21 0");
	assert_utf16(sc->csp_data.container_name, "le-MSSmartcardUser-8bda019f-1266--53268");
	assert_utf16(sc->csp_data.csp_name, "Microsoft Base Smart Card Crypto Provider");
	assert_null(sc->user_hint);
	assert_null(sc->domain_hint);
	assert_true(NT_STATUS_IS_OK(credssp_tssmartcardcreds_build(t, sc, &s, NULL)));
	assert_int_equal(s->len, c->credentials->len);
	assert_memory_equal(s->data, c->credentials->data, s->len);

	v = tscred_vector(t, "TSCRED_SMARTCARD_FULL", &len);
	assert_true(NT_STATUS_IS_OK(credssp_tscredentials_parse(t, v, len, &c, NULL)));
	assert_true(NT_STATUS_IS_OK(credssp_tssmartcardcreds_parse(t, c->credentials->data,
								   c->credentials->len, &sc, NULL)));
	assert_utf16(sc->csp_data.card_name, "Card Name");
	assert_utf16(sc->user_hint, "user_hint");
	assert_utf16(sc->domain_hint, "domain_hint");
	assert_true(NT_STATUS_IS_OK(credssp_tssmartcardcreds_build(t, sc, &s, NULL)));
	assert_memory_equal(s->data, c->credentials->data, c->credentials->len);
	talloc_free(t);
}

static void check_packagecred(const struct credssp_tsremoteguardpackagecred *p,
			      const char *name, const char *buf)
{
	assert_utf16(&p->package_name, name);
	assert_int_equal(p->cred_buffer->len, strlen(buf));
	assert_memory_equal(p->cred_buffer->data, buf, strlen(buf));
}

static void test_tscredentials_remoteguard(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct credssp_tscredentials *c;
	struct credssp_tsremoteguardcreds *rg;
	struct crypto_secret *s;
	size_t len;
	uint8_t *v;
	(void)state;

	v = tscred_vector(t, "TSCRED_REMOTEGUARD_MULTI", &len);
	assert_true(NT_STATUS_IS_OK(credssp_tscredentials_parse(t, v, len, &c, NULL)));
	assert_int_equal(c->cred_type, CREDSSP_CRED_REMOTE_GUARD);
	assert_true(NT_STATUS_IS_OK(credssp_tsremoteguardcreds_parse(
		t, c->credentials->data, c->credentials->len, &rg, NULL)));
	check_packagecred(&rg->logon_cred, "Package 1", "123");
	assert_true(rg->has_supplemental_creds);
	assert_int_equal(rg->num_supplemental_creds, 2);
	check_packagecred(&rg->supplemental_creds[0], "Package 2", "456");
	check_packagecred(&rg->supplemental_creds[1], "Package 3", "789");
	assert_true(NT_STATUS_IS_OK(credssp_tsremoteguardcreds_build(t, rg, &s, NULL)));
	assert_memory_equal(s->data, c->credentials->data, c->credentials->len);

	v = tscred_vector(t, "TSCRED_REMOTEGUARD_NO_SUPP", &len);
	assert_true(NT_STATUS_IS_OK(credssp_tscredentials_parse(t, v, len, &c, NULL)));
	assert_true(NT_STATUS_IS_OK(credssp_tsremoteguardcreds_parse(
		t, c->credentials->data, c->credentials->len, &rg, NULL)));
	check_packagecred(&rg->logon_cred, "Package 1", "123");
	assert_false(rg->has_supplemental_creds);

	/* present and empty is kept apart from absent: it rebuilds as a2 02 30 00 */
	v = tscred_vector(t, "TSCRED_REMOTEGUARD_EMPTY_SUPP", &len);
	assert_true(NT_STATUS_IS_OK(credssp_tscredentials_parse(t, v, len, &c, NULL)));
	assert_true(NT_STATUS_IS_OK(credssp_tsremoteguardcreds_parse(
		t, c->credentials->data, c->credentials->len, &rg, NULL)));
	assert_true(rg->has_supplemental_creds);
	assert_int_equal(rg->num_supplemental_creds, 0);
	assert_true(NT_STATUS_IS_OK(credssp_tsremoteguardcreds_build(t, rg, &s, NULL)));
	assert_int_equal(s->len, c->credentials->len);
	assert_memory_equal(s->data, c->credentials->data, s->len);

	v = tscred_vector(t, "TSREMOTEGUARDCREDS_MS_EXAMPLE", &len);
	assert_true(NT_STATUS_IS_OK(credssp_tsremoteguardcreds_parse(t, v, len, &rg, NULL)));
	assert_utf16(&rg->logon_cred.package_name, "Kerberos");
	assert_int_equal(rg->logon_cred.cred_buffer->len, 2611);
	assert_int_equal(rg->logon_cred.cred_buffer->data[2610], 0x11);
	assert_int_equal(rg->num_supplemental_creds, 1);
	assert_utf16(&rg->supplemental_creds[0].package_name, "NTLM");
	assert_int_equal(rg->supplemental_creds[0].cred_buffer->len, 204);
	assert_int_equal(rg->supplemental_creds[0].cred_buffer->data[0], 0x22);
	talloc_free(t);
}

static void test_all_vectors_roundtrip(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	(void)state;

	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		size_t len;
		uint8_t *v = hex_vector(t, vectors[i].file, vectors[i].name, &len);
		assert_true(NT_STATUS_IS_OK(roundtrip(vectors[i].kind, v, len)));
	}
	talloc_free(t);
}

/* ---- errorCode and version ---------------------------------------------- */

static void check_error_code(uint32_t code, const uint8_t *int_der, size_t int_len)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct credssp_tsrequest req = {.version = 6, .has_error_code = true, .error_code = code};
	struct credssp_tsrequest *back;
	uint8_t want[32] = {0x30, 0, 0xa0, 0x03, 0x02, 0x01, 0x06, 0xa4, (uint8_t)int_len};
	uint8_t *b;
	size_t blen;

	memcpy(want + 9, int_der, int_len);
	want[1] = (uint8_t)(7 + int_len);
	assert_true(NT_STATUS_IS_OK(credssp_tsrequest_build(t, &req, &b, &blen, NULL)));
	assert_int_equal(blen, 9 + int_len);
	assert_memory_equal(b, want, blen);
	assert_true(NT_STATUS_IS_OK(credssp_tsrequest_parse(t, want, blen, &back, NULL)));
	assert_true(back->has_error_code);
	assert_int_equal(back->error_code, code);
	talloc_free(t);
}

static void test_error_code_signed(void **state)
{
	(void)state;
	/* STATUS_LOGON_FAILURE: the negative INTEGER -1073741715 */
	check_error_code(0xC000006D, (const uint8_t[]){0x02, 0x04, 0xc0, 0x00, 0x00, 0x6d}, 6);
	/* STATUS_BUFFER_OVERFLOW, a warning */
	check_error_code(0x80000005, (const uint8_t[]){0x02, 0x04, 0x80, 0x00, 0x00, 0x05}, 6);
	check_error_code(0xC00000BB, (const uint8_t[]){0x02, 0x04, 0xc0, 0x00, 0x00, 0xbb}, 6);
	check_error_code(0x7fffffff, (const uint8_t[]){0x02, 0x04, 0x7f, 0xff, 0xff, 0xff}, 6);
	check_error_code(0xffffffff, (const uint8_t[]){0x02, 0x01, 0xff}, 3);
	check_error_code(0, (const uint8_t[]){0x02, 0x01, 0x00}, 3);
	check_error_code(10, (const uint8_t[]){0x02, 0x01, 0x0a}, 3);
}

/* ---- strings ------------------------------------------------------------ */

static void test_utf8_helpers(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	const char *text = "p\xc3\xa4sswo\xe2\x82\xacrd\xf0\x9f\x98\x80!";
	struct crypto_secret *s, *back;
	struct credssp_octets *o;
	char *str;
	const char *reason = NULL;
	(void)state;

	assert_true(NT_STATUS_IS_OK(credssp_utf8_to_secret(t, text, &s, NULL)));
	/* p ä s s w o € r d U+1F600 (a pair) ! = 12 units */
	assert_int_equal(s->len, 24);
	assert_int_equal(s->data[2], 0xe4);
	assert_true(NT_STATUS_IS_OK(credssp_utf8_to_octets(t, text, &o, NULL)));
	assert_int_equal(o->len, s->len);
	assert_memory_equal(o->data, s->data, s->len);
	assert_true(NT_STATUS_IS_OK(credssp_secret_to_utf8(t, s, &back, NULL)));
	assert_string_equal((const char *)back->data, text);
	assert_int_equal(back->len, strlen(text));
	assert_true(NT_STATUS_IS_OK(credssp_octets_to_utf8(t, o, &str, NULL)));
	assert_string_equal(str, text);

	assert_true(NT_STATUS_IS_OK(credssp_utf8_to_secret(t, "", &s, NULL)));
	assert_int_equal(s->len, 0);
	assert_true(NT_STATUS_IS_OK(credssp_secret_to_utf8(t, s, &back, NULL)));
	assert_string_equal((const char *)back->data, "");

	/* malformed both ways */
	assert_true(NT_STATUS_EQUAL(credssp_utf8_to_secret(t, "a\xc3", &s, &reason),
				    NT_STATUS_INVALID_PARAMETER));
	assert_non_null(reason);
	assert_true(NT_STATUS_EQUAL(credssp_utf8_to_secret(t, "\xc0\xaf", &s, NULL),
				    NT_STATUS_INVALID_PARAMETER));
	assert_true(NT_STATUS_EQUAL(credssp_utf8_to_secret(t, "\xed\xa0\x80", &s, NULL),
				    NT_STATUS_INVALID_PARAMETER));
	s = crypto_secret_dup(t, (const uint8_t *)"a\0b", 3);
	assert_true(NT_STATUS_EQUAL(credssp_secret_to_utf8(t, s, &back, NULL),
				    NT_STATUS_INVALID_PARAMETER));
	s = crypto_secret_dup(t, (const uint8_t *)"\x00\xd8\x41\x00", 4); /* lone high */
	assert_true(NT_STATUS_EQUAL(credssp_secret_to_utf8(t, s, &back, NULL),
				    NT_STATUS_INVALID_PARAMETER));
	s = crypto_secret_dup(t, (const uint8_t *)"\x00\xd8", 2);
	assert_true(NT_STATUS_EQUAL(credssp_secret_to_utf8(t, s, &back, NULL),
				    NT_STATUS_INVALID_PARAMETER));
	s = crypto_secret_dup(t, (const uint8_t *)"\x00\xdc\x41\x00", 4); /* lone low */
	assert_true(NT_STATUS_EQUAL(credssp_secret_to_utf8(t, s, &back, NULL),
				    NT_STATUS_INVALID_PARAMETER));
	s = crypto_secret_dup(t, (const uint8_t *)"a\0\0\0", 4); /* embedded NUL */
	assert_true(NT_STATUS_EQUAL(credssp_secret_to_utf8(t, s, &back, NULL),
				    NT_STATUS_INVALID_PARAMETER));
	talloc_free(t);
}

/*
 * binding_hash_kat.txt is for the engine (the hashes are computed there);
 * here only that the copy is intact: its values are what crypto_sha256
 * gives over magic || nonce || key, and the magics are the 3.1.5 strings
 * with their NUL.
 */
static void test_binding_hash_vectors(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	const char *f = "binding_hash_kat.txt";
	const char *magic[2] = {"MAGIC_C2S", "MAGIC_S2C"};
	const char *hash[2] = {"KAT1_C2S_HASH", "KAT1_S2C_HASH"};
	const char *text[2] = {"CredSSP Client-To-Server Binding Hash",
			       "CredSSP Server-To-Client Binding Hash"};
	size_t nl, kl, ml, hl;
	uint8_t *nonce = hex_vector(t, f, "KAT1_NONCE", &nl);
	uint8_t *key = hex_vector(t, f, "KAT1_PUBKEY", &kl);
	(void)state;

	for (int i = 0; i < 2; i++) {
		uint8_t *m = hex_vector(t, f, magic[i], &ml);
		uint8_t *h = hex_vector(t, f, hash[i], &hl);
		uint8_t *all = talloc_array(t, uint8_t, ml + nl + kl);
		uint8_t out[CRYPTO_SHA256_LEN];

		assert_int_equal(ml, strlen(text[i]) + 1);
		assert_memory_equal(m, text[i], ml);
		memcpy(all, m, ml);
		memcpy(all + ml, nonce, nl);
		memcpy(all + ml + nl, key, kl);
		assert_true(NT_STATUS_IS_OK(crypto_sha256(all, ml + nl + kl, out)));
		assert_int_equal(hl, sizeof(out));
		assert_memory_equal(out, h, sizeof(out));
	}
	talloc_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tsrequest_vector),
		cmocka_unit_test(test_tscredentials_password),
		cmocka_unit_test(test_tscredentials_smartcard),
		cmocka_unit_test(test_tscredentials_remoteguard),
		cmocka_unit_test(test_all_vectors_roundtrip),
		cmocka_unit_test(test_error_code_signed),
		cmocka_unit_test(test_utf8_helpers),
		cmocka_unit_test(test_binding_hash_vectors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
