/*
 * test_credssp_malformed.c: the MS-CSSP 2.2.1 message codec on hostile
 * input: every malformed class is refused with NT_STATUS_INVALID_PARAMETER
 * and a reason; the size limits hold both ways; bit flips and truncations
 * over the vectors either fail cleanly or round-trip.
 */
#include "credssp_fixtures.h"


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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tsrequest_malformed),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_credentials_malformed),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_mutations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
