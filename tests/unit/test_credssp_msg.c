/*
 * test_credssp_msg.c: the MS-CSSP 2.2.1 message codec.  Every vector of
 * tests/vectors/credssp/ parses, its fields are what the vector file says,
 * and it rebuilds byte for byte; every malformed class is refused with
 * NT_STATUS_INVALID_PARAMETER and a reason; bit flips and truncations over
 * the vectors either fail cleanly or round-trip.
 */
#include "helpers.h"
#include "credssp/credssp_msg.h"

#include <ctype.h>

/* ---- vectors: "NAME = hex" lines of the copied vector files ------------ */

static uint8_t *hex_vector(TALLOC_CTX *t, const char *file, const char *name, size_t *len)
{
	char path[256];
	size_t flen, nlen = strlen(name);
	uint8_t *text, *out;
	size_t i = 0;

	snprintf(path, sizeof(path), "credssp/%s", file);
	text = load_vector(t, path, &flen);
	while (i < flen) {
		size_t e = i;
		while (e < flen && text[e] != '\n') {
			e++;
		}
		if (e - i > nlen + 3 && memcmp(text + i, name, nlen) == 0 &&
		    memcmp(text + i + nlen, " = ", 3) == 0) {
			size_t h = i + nlen + 3, n = 0;
			out = talloc_array(t, uint8_t, (e - h) / 2 + 1);
			assert_non_null(out);
			for (; h + 1 < e && isxdigit(text[h]); h += 2) {
				unsigned v;
				assert_int_equal(sscanf((const char *)text + h, "%2x", &v), 1);
				out[n++] = (uint8_t)v;
			}
			*len = n;
			return out;
		}
		i = e + 1;
	}
	fail_msg("vector %s not in %s", name, file);
	return NULL;
}

static uint8_t *tsreq_vector(TALLOC_CTX *t, const char *name, size_t *len)
{
	return hex_vector(t, "tsrequest_pyspnego.txt", name, len);
}

static uint8_t *tscred_vector(TALLOC_CTX *t, const char *name, size_t *len)
{
	return hex_vector(t, "tscredentials_pyspnego.txt", name, len);
}

static void assert_octets(const struct credssp_octets *o, const void *want, size_t len)
{
	assert_non_null(o);
	assert_int_equal(o->len, len);
	assert_memory_equal(o->data, want, len);
}

/* assert_utf16 checks a wire string against UTF-8 text. */
static void assert_utf16(const struct credssp_octets *o, const char *want)
{
	TALLOC_CTX *t = talloc_new(NULL);
	char *s = NULL;

	assert_non_null(o);
	assert_true(NT_STATUS_IS_OK(credssp_octets_to_utf8(t, o, &s, NULL)));
	assert_string_equal(s, want);
	talloc_free(t);
}

static void assert_secret_utf16(const struct crypto_secret *p, const char *want)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct crypto_secret *s = NULL;

	assert_non_null(p);
	assert_true(NT_STATUS_IS_OK(credssp_secret_to_utf8(t, p, &s, NULL)));
	assert_string_equal((const char *)s->data, want);
	talloc_free(t);
}

/* ---- one parse-and-rebuild per message kind ----------------------------- */

enum kind { K_TSREQUEST, K_TSCREDENTIALS, K_PASSWORD, K_SMARTCARD, K_REMOTEGUARD };

/*
 * roundtrip parses |buf| as |k|; on success it must rebuild to the same
 * bytes; on failure the status must be INVALID_PARAMETER with a reason.
 */
static NTSTATUS roundtrip(enum kind k, const uint8_t *buf, size_t len)
{
	TALLOC_CTX *t = talloc_new(NULL);
	const char *reason = NULL;
	const uint8_t *again = NULL;
	size_t again_len = 0;
	struct crypto_secret *s = NULL;
	NTSTATUS status = NT_STATUS_INTERNAL_ERROR;

	switch (k) {
	case K_TSREQUEST: {
		struct credssp_tsrequest *r;
		uint8_t *b;
		status = credssp_tsrequest_parse(t, buf, len, &r, &reason);
		if (NT_STATUS_IS_OK(status)) {
			assert_true(NT_STATUS_IS_OK(credssp_tsrequest_build(t, r, &b, &again_len, NULL)));
			again = b;
		}
		break;
	}
	case K_TSCREDENTIALS: {
		struct credssp_tscredentials *r;
		status = credssp_tscredentials_parse(t, buf, len, &r, &reason);
		if (NT_STATUS_IS_OK(status)) {
			assert_true(NT_STATUS_IS_OK(credssp_tscredentials_build(t, r, &s, NULL)));
		}
		break;
	}
	case K_PASSWORD: {
		struct credssp_tspasswordcreds *r;
		status = credssp_tspasswordcreds_parse(t, buf, len, &r, &reason);
		if (NT_STATUS_IS_OK(status)) {
			assert_true(NT_STATUS_IS_OK(credssp_tspasswordcreds_build(t, r, &s, NULL)));
		}
		break;
	}
	case K_SMARTCARD: {
		struct credssp_tssmartcardcreds *r;
		status = credssp_tssmartcardcreds_parse(t, buf, len, &r, &reason);
		if (NT_STATUS_IS_OK(status)) {
			assert_true(NT_STATUS_IS_OK(credssp_tssmartcardcreds_build(t, r, &s, NULL)));
		}
		break;
	}
	case K_REMOTEGUARD: {
		struct credssp_tsremoteguardcreds *r;
		status = credssp_tsremoteguardcreds_parse(t, buf, len, &r, &reason);
		if (NT_STATUS_IS_OK(status)) {
			assert_true(NT_STATUS_IS_OK(credssp_tsremoteguardcreds_build(t, r, &s, NULL)));
		}
		break;
	}
	}
	if (s != NULL) {
		again = s->data;
		again_len = s->len;
	}
	if (NT_STATUS_IS_OK(status)) {
		assert_int_equal(again_len, len);
		assert_memory_equal(again, buf, len);
	} else {
		assert_true(NT_STATUS_EQUAL(status, NT_STATUS_INVALID_PARAMETER));
		assert_non_null(reason);
	}
	talloc_free(t);
	return status;
}

static const struct {
	enum kind kind;
	const char *file;
	const char *name;
} vectors[] = {
	{K_TSREQUEST, "tsrequest_pyspnego.txt", "TSREQ_ALL_FIELDS_V6"},
	{K_TSCREDENTIALS, "tscredentials_pyspnego.txt", "TSCRED_PASSWORD"},
	{K_TSCREDENTIALS, "tscredentials_pyspnego.txt", "TSCRED_SMARTCARD"},
	{K_TSCREDENTIALS, "tscredentials_pyspnego.txt", "TSCRED_SMARTCARD_FULL"},
	{K_TSCREDENTIALS, "tscredentials_pyspnego.txt", "TSCRED_REMOTEGUARD_MULTI"},
	{K_TSCREDENTIALS, "tscredentials_pyspnego.txt", "TSCRED_REMOTEGUARD_NO_SUPP"},
	{K_TSCREDENTIALS, "tscredentials_pyspnego.txt", "TSCRED_REMOTEGUARD_EMPTY_SUPP"},
	{K_REMOTEGUARD, "tscredentials_pyspnego.txt", "TSREMOTEGUARDCREDS_MS_EXAMPLE"},
};

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

/* ---- malformed input ---------------------------------------------------- */

static void expect_invalid(enum kind k, const uint8_t *buf, size_t len)
{
	assert_true(NT_STATUS_EQUAL(roundtrip(k, buf, len), NT_STATUS_INVALID_PARAMETER));
}

#define BAD(k, ...)                                                      \
	do {                                                             \
		const uint8_t b_[] = {__VA_ARGS__};                      \
		expect_invalid(k, b_, sizeof(b_));                       \
	} while (0)

static void test_tsrequest_malformed(void **state)
{
	(void)state;
	expect_invalid(K_TSREQUEST, NULL, 0);
	expect_invalid(K_TSREQUEST, (const uint8_t *)"", 0);
	/* the smallest valid one, for reference */
	assert_true(NT_STATUS_IS_OK(roundtrip(K_TSREQUEST,
		(const uint8_t[]){0x30, 0x05, 0xa0, 0x03, 0x02, 0x01, 0x06}, 7)));
	/* BER: indefinite lengths, outside and inside */
	BAD(K_TSREQUEST, 0x30, 0x80, 0xa0, 0x03, 0x02, 0x01, 0x06, 0x00, 0x00);
	BAD(K_TSREQUEST, 0x30, 0x07, 0xa0, 0x80, 0x02, 0x01, 0x06, 0x00, 0x00);
	/* BER: non-minimal lengths */
	BAD(K_TSREQUEST, 0x30, 0x81, 0x05, 0xa0, 0x03, 0x02, 0x01, 0x06);
	BAD(K_TSREQUEST, 0x30, 0x06, 0xa0, 0x81, 0x03, 0x02, 0x01, 0x06);
	BAD(K_TSREQUEST, 0x30, 0x06, 0xa0, 0x04, 0x02, 0x81, 0x01, 0x06);
	BAD(K_TSREQUEST, 0x30, 0x82, 0x00, 0x05, 0xa0, 0x03, 0x02, 0x01, 0x06);
	/* BER: non-minimal INTEGERs, positive and negative */
	BAD(K_TSREQUEST, 0x30, 0x06, 0xa0, 0x04, 0x02, 0x02, 0x00, 0x06);
	BAD(K_TSREQUEST, 0x30, 0x0c, 0xa0, 0x03, 0x02, 0x01, 0x06,
	    0xa4, 0x05, 0x02, 0x03, 0xff, 0xff, 0x80);
	/* BER: a constructed OCTET STRING for authInfo */
	BAD(K_TSREQUEST, 0x30, 0x0e, 0xa0, 0x03, 0x02, 0x01, 0x06,
	    0xa2, 0x07, 0x24, 0x05, 0x04, 0x03, 0x61, 0x62, 0x63);
	/* an empty INTEGER */
	BAD(K_TSREQUEST, 0x30, 0x04, 0xa0, 0x02, 0x02, 0x00);
	/* trailing bytes, after the value and inside an explicit tag */
	BAD(K_TSREQUEST, 0x30, 0x05, 0xa0, 0x03, 0x02, 0x01, 0x06, 0x00);
	BAD(K_TSREQUEST, 0x30, 0x07, 0xa0, 0x05, 0x02, 0x01, 0x06, 0x05, 0x00);
	/* wrong tags: outer SET, version under [1], OCTET STRING for INTEGER,
	 * primitive [0], IMPLICIT version */
	BAD(K_TSREQUEST, 0x31, 0x05, 0xa0, 0x03, 0x02, 0x01, 0x06);
	BAD(K_TSREQUEST, 0x30, 0x05, 0xa1, 0x03, 0x02, 0x01, 0x06);
	BAD(K_TSREQUEST, 0x30, 0x05, 0xa0, 0x03, 0x04, 0x01, 0x06);
	BAD(K_TSREQUEST, 0x30, 0x05, 0x80, 0x03, 0x02, 0x01, 0x06);
	BAD(K_TSREQUEST, 0x30, 0x03, 0x80, 0x01, 0x06);
	/* no version */
	BAD(K_TSREQUEST, 0x30, 0x00);
	BAD(K_TSREQUEST, 0x30, 0x05, 0xa2, 0x03, 0x04, 0x01, 0x61);
	/* fields out of order ([2] before [1]) and an unknown [6] */
	BAD(K_TSREQUEST, 0x30, 0x13, 0xa0, 0x03, 0x02, 0x01, 0x06,
	    0xa2, 0x03, 0x04, 0x01, 0x61,
	    0xa1, 0x07, 0x30, 0x05, 0xa0, 0x03, 0x04, 0x01, 0x62);
	BAD(K_TSREQUEST, 0x30, 0x0a, 0xa0, 0x03, 0x02, 0x01, 0x06,
	    0xa6, 0x03, 0x04, 0x01, 0x61);
	/* a negoToken element without its [0] */
	BAD(K_TSREQUEST, 0x30, 0x0c, 0xa0, 0x03, 0x02, 0x01, 0x06,
	    0xa1, 0x05, 0x30, 0x03, 0x04, 0x01, 0x61);
	/* lengths past the input, and huge */
	BAD(K_TSREQUEST, 0x30, 0x10, 0xa0, 0x03, 0x02, 0x01, 0x06);
	BAD(K_TSREQUEST, 0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0xa0, 0x03, 0x02, 0x01, 0x06);
	BAD(K_TSREQUEST, 0x30, 0x88, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xa0);
	BAD(K_TSREQUEST, 0x30, 0x0a, 0xa0, 0x03, 0x02, 0x01, 0x06,
	    0xa2, 0x03, 0x04, 0x84, 0x7f, 0xff, 0xff, 0xff);
	/* version 0, negative, 256; errorCode past 32 bits signed */
	BAD(K_TSREQUEST, 0x30, 0x05, 0xa0, 0x03, 0x02, 0x01, 0x00);
	BAD(K_TSREQUEST, 0x30, 0x05, 0xa0, 0x03, 0x02, 0x01, 0xff);
	BAD(K_TSREQUEST, 0x30, 0x06, 0xa0, 0x04, 0x02, 0x02, 0x01, 0x00);
	BAD(K_TSREQUEST, 0x30, 0x0f, 0xa0, 0x03, 0x02, 0x01, 0x06,
	    0xa4, 0x07, 0x02, 0x05, 0x00, 0xc0, 0x00, 0x00, 0x6d);
	BAD(K_TSREQUEST, 0x30, 0x0f, 0xa0, 0x03, 0x02, 0x01, 0x06,
	    0xa4, 0x07, 0x02, 0x05, 0xff, 0x7f, 0xff, 0xff, 0xff);
	/* a higher version is kept as sent */
	assert_true(NT_STATUS_IS_OK(roundtrip(K_TSREQUEST,
		(const uint8_t[]){0x30, 0x05, 0xa0, 0x03, 0x02, 0x01, 0x07}, 7)));
	assert_true(NT_STATUS_IS_OK(roundtrip(K_TSREQUEST,
		(const uint8_t[]){0x30, 0x06, 0xa0, 0x04, 0x02, 0x02, 0x00, 0xff}, 8)));
}

/* der_header writes tag and DER length; returns the header size. */
static size_t der_header(uint8_t *p, uint8_t tag, size_t len)
{
	p[0] = tag;
	if (len < 0x80) {
		p[1] = (uint8_t)len;
		return 2;
	} else if (len < 0x10000) {
		p[1] = 0x82, p[2] = (uint8_t)(len >> 8), p[3] = (uint8_t)len;
		return 4;
	}
	p[1] = 0x83, p[2] = (uint8_t)(len >> 16), p[3] = (uint8_t)(len >> 8), p[4] = (uint8_t)len;
	return 5;
}

/* tsrequest_with_auth_info: DER TSRequest v6 whose authInfo has |n| bytes. */
static uint8_t *tsrequest_with_auth_info(TALLOC_CTX *t, size_t n, size_t *len)
{
	uint8_t h1[6], h2[6], h3[6];
	size_t l1 = der_header(h1, 0x04, n);
	size_t l2 = der_header(h2, 0xa2, l1 + n);
	size_t l3 = der_header(h3, 0x30, 5 + l2 + l1 + n);
	uint8_t *p = talloc_zero_array(t, uint8_t, l3 + 5 + l2 + l1 + n);
	size_t o = 0;

	memcpy(p + o, h3, l3), o += l3;
	memcpy(p + o, (const uint8_t[]){0xa0, 0x03, 0x02, 0x01, 0x06}, 5), o += 5;
	memcpy(p + o, h2, l2), o += l2;
	memcpy(p + o, h1, l1), o += l1;
	memset(p + o, 0x61, n), o += n;
	*len = o;
	return p;
}

static void test_limits(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct credssp_tsrequest req = {.version = 6};
	struct credssp_octets big = {.len = CREDSSP_AUTH_INFO_MAX_LEN + 1};
	struct credssp_octets tokens[CREDSSP_NEGO_TOKENS_MAX + 1];
	const char *reason = NULL;
	uint8_t *b, *p;
	size_t blen, len;
	(void)state;

	/* 64 KiB of authInfo parses; one byte more does not */
	p = tsrequest_with_auth_info(t, CREDSSP_AUTH_INFO_MAX_LEN, &len);
	assert_true(NT_STATUS_IS_OK(roundtrip(K_TSREQUEST, p, len)));
	p = tsrequest_with_auth_info(t, CREDSSP_AUTH_INFO_MAX_LEN + 1, &len);
	expect_invalid(K_TSREQUEST, p, len);
	/* a message over 1 MiB is refused before decoding */
	p = tsrequest_with_auth_info(t, CREDSSP_MSG_MAX_LEN, &len);
	expect_invalid(K_TSREQUEST, p, len);

	/* the builder refuses what the parser would */
	big.data = talloc_zero_array(t, uint8_t, big.len);
	req.auth_info = &big;
	assert_true(NT_STATUS_EQUAL(credssp_tsrequest_build(t, &req, &b, &blen, &reason),
				    NT_STATUS_INVALID_PARAMETER));
	assert_non_null(reason);
	req.auth_info = NULL;
	req.version = 0;
	reason = NULL;
	assert_true(NT_STATUS_EQUAL(credssp_tsrequest_build(t, &req, &b, &blen, &reason),
				    NT_STATUS_INVALID_PARAMETER));
	assert_non_null(reason);
	req.version = 6;
	for (size_t i = 0; i < CREDSSP_NEGO_TOKENS_MAX + 1; i++) {
		tokens[i].data = (uint8_t *)"x";
		tokens[i].len = 1;
	}
	req.has_nego_tokens = true;
	req.nego_tokens = tokens;
	req.num_nego_tokens = CREDSSP_NEGO_TOKENS_MAX;
	assert_true(NT_STATUS_IS_OK(credssp_tsrequest_build(t, &req, &b, &blen, NULL)));
	assert_true(NT_STATUS_IS_OK(roundtrip(K_TSREQUEST, b, blen)));
	/* nine tokens: hand the parser the eight-token encoding plus one */
	{
		uint8_t nine[128];
		size_t o = 0;
		nine[o++] = 0x30, nine[o++] = (uint8_t)(5 + 2 + 2 + 9 * 7);
		memcpy(nine + o, (const uint8_t[]){0xa0, 0x03, 0x02, 0x01, 0x06}, 5), o += 5;
		nine[o++] = 0xa1, nine[o++] = (uint8_t)(2 + 9 * 7);
		nine[o++] = 0x30, nine[o++] = (uint8_t)(9 * 7);
		for (int i = 0; i < 9; i++) {
			memcpy(nine + o, (const uint8_t[]){0x30, 0x05, 0xa0, 0x03, 0x04, 0x01, 0x78}, 7);
			o += 7;
		}
		expect_invalid(K_TSREQUEST, nine, o);
		/* and the same with eight is fine */
		nine[1] -= 7, nine[8] -= 7, nine[10] -= 7;
		assert_true(NT_STATUS_IS_OK(roundtrip(K_TSREQUEST, nine, o - 7)));
	}
	req.num_nego_tokens = CREDSSP_NEGO_TOKENS_MAX + 1;
	reason = NULL;
	assert_true(NT_STATUS_EQUAL(credssp_tsrequest_build(t, &req, &b, &blen, &reason),
				    NT_STATUS_INVALID_PARAMETER));
	assert_non_null(reason);
	talloc_free(t);
}

static void test_credentials_malformed(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct credssp_tscredentials c = {.cred_type = 3};
	struct credssp_tspasswordcreds pw;
	struct crypto_secret *s;
	const char *reason = NULL;
	(void)state;

	memset(&pw, 0, sizeof(pw));
	/* credType must be 1, 2 or 6 */
	BAD(K_TSCREDENTIALS, 0x30, 0x0a, 0xa0, 0x03, 0x02, 0x01, 0x03, 0xa1, 0x03, 0x04, 0x01, 0x00);
	BAD(K_TSCREDENTIALS, 0x30, 0x0a, 0xa0, 0x03, 0x02, 0x01, 0x00, 0xa1, 0x03, 0x04, 0x01, 0x00);
	assert_true(NT_STATUS_IS_OK(roundtrip(K_TSCREDENTIALS,
		(const uint8_t[]){0x30, 0x0a, 0xa0, 0x03, 0x02, 0x01, 0x06,
				  0xa1, 0x03, 0x04, 0x01, 0x00}, 12)));
	/* credentials missing */
	BAD(K_TSCREDENTIALS, 0x30, 0x05, 0xa0, 0x03, 0x02, 0x01, 0x01);
	/* TSPasswordCreds without password; with empty strings it is fine */
	BAD(K_PASSWORD, 0x30, 0x08, 0xa0, 0x02, 0x04, 0x00, 0xa1, 0x02, 0x04, 0x00);
	assert_true(NT_STATUS_IS_OK(roundtrip(K_PASSWORD,
		(const uint8_t[]){0x30, 0x0c, 0xa0, 0x02, 0x04, 0x00, 0xa1, 0x02, 0x04, 0x00,
				  0xa2, 0x02, 0x04, 0x00}, 14)));
	/* TSSmartCardCreds without cspData */
	BAD(K_SMARTCARD, 0x30, 0x04, 0xa0, 0x02, 0x04, 0x00);
	/* TSRemoteGuardCreds without logonCred */
	BAD(K_REMOTEGUARD, 0x30, 0x04, 0xa1, 0x02, 0x30, 0x00);

	assert_true(NT_STATUS_EQUAL(credssp_tscredentials_build(t, &c, &s, &reason),
				    NT_STATUS_INVALID_PARAMETER));
	assert_non_null(reason);
	c.cred_type = CREDSSP_CRED_PASSWORD;
	reason = NULL;
	assert_true(NT_STATUS_EQUAL(credssp_tscredentials_build(t, &c, &s, &reason),
				    NT_STATUS_INVALID_PARAMETER));
	assert_non_null(reason);
	reason = NULL;
	assert_true(NT_STATUS_EQUAL(credssp_tspasswordcreds_build(t, &pw, &s, &reason),
				    NT_STATUS_INVALID_PARAMETER));
	assert_non_null(reason);
	pw.password = crypto_secret_new(t, CREDSSP_STRING_MAX_LEN + 1);
	reason = NULL;
	assert_true(NT_STATUS_EQUAL(credssp_tspasswordcreds_build(t, &pw, &s, &reason),
				    NT_STATUS_INVALID_PARAMETER));
	assert_non_null(reason);
	pw.password->len = CREDSSP_STRING_MAX_LEN;
	assert_true(NT_STATUS_IS_OK(credssp_tspasswordcreds_build(t, &pw, &s, NULL)));
	assert_true(NT_STATUS_IS_OK(roundtrip(K_PASSWORD, s->data, s->len)));
	pw.password->len = CREDSSP_STRING_MAX_LEN + 1;
	talloc_free(t);
}

/* every proper prefix of every vector is refused cleanly */
static void test_truncations(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	(void)state;

	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		size_t len;
		uint8_t *v = hex_vector(t, vectors[i].file, vectors[i].name, &len);
		for (size_t n = 0; n < len; n++) {
			/* a private copy so ASan sees reads past the prefix */
			uint8_t *p = talloc_memdup(t, v, n == 0 ? 1 : n);
			expect_invalid(vectors[i].kind, p, n);
			talloc_free(p);
		}
		/* and a trailing byte */
		{
			uint8_t *p = talloc_array(t, uint8_t, len + 1);
			memcpy(p, v, len);
			p[len] = 0;
			expect_invalid(vectors[i].kind, p, len + 1);
			talloc_free(p);
		}
	}
	talloc_free(t);
}

/*
 * The mutation loop (OpenSSH's tests do the same over real blobs): every
 * single-bit flip of every vector, and the inner credential structures
 * too, either fails cleanly or round-trips (roundtrip() asserts both).
 */
static void mutate_all(enum kind k, const uint8_t *v, size_t len, size_t *ok, size_t *bad)
{
	uint8_t *p = talloc_memdup(NULL, v, len);

	assert_non_null(p);
	for (size_t i = 0; i < len; i++) {
		for (int bit = 0; bit < 8; bit++) {
			p[i] ^= (uint8_t)(1u << bit);
			if (NT_STATUS_IS_OK(roundtrip(k, p, len))) {
				(*ok)++;
			} else {
				(*bad)++;
			}
			p[i] ^= (uint8_t)(1u << bit);
		}
		/* a byte replaced by 0x80 (indefinite length) and 0xff */
		for (int j = 0; j < 2; j++) {
			uint8_t keep = p[i];
			p[i] = j == 0 ? 0x80 : 0xff;
			if (NT_STATUS_IS_OK(roundtrip(k, p, len))) {
				(*ok)++;
			} else {
				(*bad)++;
			}
			p[i] = keep;
		}
	}
	talloc_free(p);
}

static void test_mutations(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	size_t ok = 0, bad = 0;
	(void)state;

	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		size_t len;
		uint8_t *v = hex_vector(t, vectors[i].file, vectors[i].name, &len);
		struct credssp_tscredentials *c;

		mutate_all(vectors[i].kind, v, len, &ok, &bad);
		if (vectors[i].kind == K_TSCREDENTIALS) {
			enum kind inner;
			assert_true(NT_STATUS_IS_OK(credssp_tscredentials_parse(t, v, len, &c, NULL)));
			inner = c->cred_type == CREDSSP_CRED_PASSWORD    ? K_PASSWORD
				: c->cred_type == CREDSSP_CRED_SMARTCARD ? K_SMARTCARD
									 : K_REMOTEGUARD;
			mutate_all(inner, c->credentials->data, c->credentials->len, &ok, &bad);
		}
	}
	/* both outcomes happen: flips inside strings still parse */
	assert_true(ok > 0);
	assert_true(bad > 0);
	print_message("mutations: %zu round-tripped, %zu refused\n", ok, bad);
	talloc_free(t);
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
		cmocka_unit_test(test_tsrequest_malformed),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_credentials_malformed),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_utf8_helpers),
		cmocka_unit_test(test_binding_hash_vectors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
