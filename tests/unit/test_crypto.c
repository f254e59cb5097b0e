/*
 * test_crypto.c: known-answer and malformed-input tests for crypto/.
 */
#include "helpers.h"

static void test_hash_kat(void **state)
{
	uint8_t out[CRYPTO_SHA256_LEN];
	TALLOC_CTX *t = talloc_new(NULL);
	(void)state;

	/* FIPS 180 / RFC 1321 "abc" vectors. */
	assert_true(NT_STATUS_IS_OK(crypto_sha1((const uint8_t *)"abc", 3, out)));
	assert_string_equal(crypto_hex(t, out, CRYPTO_SHA1_LEN),
			    "a9993e364706816aba3e25717850c26c9cd0d89d");
	assert_true(NT_STATUS_IS_OK(crypto_md5((const uint8_t *)"abc", 3, out)));
	assert_string_equal(crypto_hex(t, out, CRYPTO_MD5_LEN),
			    "900150983cd24fb0d6963f7d28e17f72");
	assert_true(NT_STATUS_IS_OK(crypto_sha256((const uint8_t *)"abc", 3, out)));
	assert_string_equal(crypto_hex(t, out, CRYPTO_SHA256_LEN),
			    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	talloc_free(t);
}

static void test_hmac_kat(void **state)
{
	/* RFC 4231 test case 2. */
	uint8_t out[CRYPTO_SHA256_LEN];
	const char *data = "what do ya want for nothing?";
	TALLOC_CTX *t = talloc_new(NULL);
	(void)state;

	assert_true(NT_STATUS_IS_OK(crypto_hmac(CRYPTO_MD_SHA256, (const uint8_t *)"Jefe", 4,
						(const uint8_t *)data, strlen(data), out)));
	assert_string_equal(crypto_hex(t, out, sizeof(out)),
			    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	/* RFC 2202 HMAC-MD5 test case 2. */
	assert_true(NT_STATUS_IS_OK(crypto_hmac(CRYPTO_MD_MD5, (const uint8_t *)"Jefe", 4,
						(const uint8_t *)data, strlen(data), out)));
	assert_string_equal(crypto_hex(t, out, CRYPTO_MD5_LEN),
			    "750c783e6ab0b503eaa86e310a5db738");
	talloc_free(t);
}

static void test_random_and_compare(void **state)
{
	uint8_t a[32], b[32];
	(void)state;

	assert_true(NT_STATUS_IS_OK(crypto_random(a, sizeof(a))));
	assert_true(NT_STATUS_IS_OK(crypto_random(b, sizeof(b))));
	assert_false(crypto_memequal(a, b, sizeof(a)));
	memcpy(b, a, sizeof(a));
	assert_true(crypto_memequal(a, b, sizeof(a)));
	b[31] ^= 1;
	assert_false(crypto_memequal(a, b, sizeof(a)));
}

static uint8_t *seen_data;
static size_t seen_len;
static bool seen_wiped;

static int check_wiped(uint8_t *p)
{
	/* Runs after the secret's own destructor, as its child's. */
	seen_wiped = true;
	for (size_t i = 0; i < seen_len; i++) {
		if (p[i] != 0) {
			seen_wiped = false;
		}
	}
	return 0;
}

static void test_secret_wiped(void **state)
{
	struct crypto_secret *s = crypto_secret_dup(NULL, (const uint8_t *)"hunter2", 7);
	(void)state;

	assert_non_null(s);
	assert_int_equal(s->len, 7);
	assert_string_equal((const char *)s->data, "hunter2");
	seen_data = s->data;
	seen_len = s->len;
	seen_wiped = false;
	talloc_set_destructor(s->data, check_wiped);
	talloc_free(s);
	assert_true(seen_wiped);
}

static void test_utf16(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	/* "aé€😀" */
	const char *s = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
	const uint8_t want[] = {'a', 0, 0xe9, 0, 0xac, 0x20, 0x3d, 0xd8, 0x00, 0xde};
	uint8_t *u;
	size_t ulen;
	char *back;
	const char *why = NULL;
	(void)state;

	assert_true(NT_STATUS_IS_OK(crypto_utf8_to_utf16le(t, s, &u, &ulen, NULL)));
	assert_int_equal(ulen, sizeof(want));
	assert_memory_equal(u, want, sizeof(want));
	assert_true(NT_STATUS_IS_OK(crypto_utf16le_to_utf8(t, u, ulen, &back, NULL)));
	assert_string_equal(back, s);

	const uint8_t odd[] = {'a', 0, 'b'};
	assert_true(NT_STATUS_EQUAL(crypto_utf16le_to_utf8(t, odd, 3, &back, &why),
				    NT_STATUS_INVALID_PARAMETER));
	assert_string_equal(why, "UTF-16 text has an odd length");
	const uint8_t lone_high[] = {0x3d, 0xd8, 'a', 0};
	assert_false(NT_STATUS_IS_OK(crypto_utf16le_to_utf8(t, lone_high, 4, &back, NULL)));
	const uint8_t lone_low[] = {0x00, 0xde};
	assert_false(NT_STATUS_IS_OK(crypto_utf16le_to_utf8(t, lone_low, 2, &back, NULL)));
	const uint8_t nul[] = {'a', 0, 0, 0};
	assert_false(NT_STATUS_IS_OK(crypto_utf16le_to_utf8(t, nul, 4, &back, NULL)));
	/* Overlong '/', a surrogate, above U+10FFFF, truncated. */
	const char *bad[] = {"\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82"};
	for (size_t i = 0; i < 4; i++) {
		assert_false(NT_STATUS_IS_OK(crypto_utf8_to_utf16le(t, bad[i], &u, &ulen, NULL)));
	}
	talloc_free(t);
}

static void test_x509_vista(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	size_t len;
	uint8_t *der = load_vector(t, "bpau/vista-certificate.der", &len);
	struct crypto_x509 *x;
	char *cn, **dns;
	int64_t nb, na;
	uint8_t h[CRYPTO_SHA1_LEN];
	struct cursor tbs, pk;
	(void)state;

	assert_true(NT_STATUS_IS_OK(crypto_x509_parse(t, der, len, &x, NULL)));
	assert_true(NT_STATUS_IS_OK(crypto_x509_subject_cn(t, x, &cn)));
	assert_string_equal(cn, "S-1-5-21-397955417-626881126-188441444-3394717");
	assert_true(NT_STATUS_IS_OK(crypto_x509_issuer_cn(t, x, &cn)));
	assert_string_equal(cn, "S-1-5-21-397955417-626881126-188441444-3394717");
	assert_string_equal(crypto_x509_issuer_text(t, x),
			    "CN=S-1-5-21-397955417-626881126-188441444-3394717");
	assert_int_equal(crypto_x509_key_type(x), CRYPTO_KEY_RSA);
	assert_int_equal(crypto_x509_key_bits(x), 1024);
	assert_true(NT_STATUS_IS_OK(crypto_x509_validity(x, &nb, &na)));
	assert_int_equal(nb, 1170453376); /* 2007-02-02 21:56:16Z */
	assert_int_equal(na, 1171662976); /* 2007-02-16 21:56:16Z */
	assert_true(NT_STATUS_IS_OK(crypto_x509_dns_names(t, x, &dns)));
	assert_string_equal(dns[0], "jroberts21.ntdev.corp.microsoft.com");
	assert_null(dns[1]);
	/* Byte ranges: offsets from the asn1parse of the certificate. */
	tbs = crypto_x509_tbs(x);
	assert_ptr_equal(tbs.data, crypto_x509_der(x).data + 4);
	assert_int_equal(tbs.len, 406);
	assert_int_equal(crypto_x509_spki(x).len, 162);
	pk = crypto_x509_public_key(x);
	assert_int_equal(pk.len, 140);
	assert_int_equal(pk.data[0], 0x30);
	assert_int_equal(crypto_x509_serial(x).len, 16);
	assert_true(NT_STATUS_IS_OK(crypto_sha1(tbs.data, tbs.len, h)));
	assert_string_equal(crypto_hex(t, h, sizeof(h)),
			    "129eb28650ec9a98618fef5c5c8bc87522019f9c");
	talloc_free(t);
}

static void test_x509_malformed(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	size_t len;
	uint8_t *der = load_vector(t, "bpau/vista-certificate.der", &len);
	uint8_t *buf = talloc_array(t, uint8_t, len + 1);
	struct crypto_x509 *x;
	const char *why;
	(void)state;

	/* Trailing byte, truncation, long-form length for a short length. */
	memcpy(buf, der, len);
	buf[len] = 0;
	why = NULL;
	assert_false(NT_STATUS_IS_OK(crypto_x509_parse(t, buf, len + 1, &x, &why)));
	assert_non_null(why);
	assert_false(NT_STATUS_IS_OK(crypto_x509_parse(t, der, len - 1, &x, NULL)));
	assert_false(NT_STATUS_IS_OK(crypto_x509_parse(t, der, 0, &x, NULL)));
	const uint8_t nonminimal[] = {0x30, 0x81, 0x03, 0x02, 0x01, 0x00};
	assert_false(NT_STATUS_IS_OK(crypto_x509_parse(t, nonminimal, sizeof(nonminimal), &x, NULL)));
	const uint8_t indefinite[] = {0x30, 0x80, 0x00, 0x00};
	assert_false(NT_STATUS_IS_OK(crypto_x509_parse(t, indefinite, sizeof(indefinite), &x, NULL)));
	talloc_free(t);
}

static void test_x509_create(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	const char *sid = "S-1-5-21-1-2-3-1104";
	uint8_t *der;
	size_t len;
	struct crypto_secret *key;
	struct crypto_x509 *x;
	char *cn, **dns;
	int64_t nb, na;
	struct cursor subj;
	(void)state;

	assert_true(NT_STATUS_IS_OK(crypto_x509_create_self_signed(
		t, sid, "peer1.bpau.test", 2048, 365, &der, &len, &key)));
	assert_non_null(strstr((const char *)key->data, "-----BEGIN PRIVATE KEY-----"));
	assert_true(NT_STATUS_IS_OK(crypto_x509_parse(t, der, len, &x, NULL)));
	assert_true(NT_STATUS_IS_OK(crypto_x509_subject_cn(t, x, &cn)));
	assert_string_equal(cn, sid);
	assert_true(NT_STATUS_IS_OK(crypto_x509_issuer_cn(t, x, &cn)));
	assert_string_equal(cn, sid);
	assert_int_equal(crypto_x509_key_type(x), CRYPTO_KEY_RSA);
	assert_int_equal(crypto_x509_key_bits(x), 2048);
	assert_true(NT_STATUS_IS_OK(crypto_x509_dns_names(t, x, &dns)));
	assert_string_equal(dns[0], "peer1.bpau.test");
	assert_true(NT_STATUS_IS_OK(crypto_x509_validity(x, &nb, &na)));
	assert_true(na - nb > 364 * 86400);
	/* The CN is a PrintableString, as in the Vista sample: the subject's
	 * last element is 13 <len> "S-1-...". */
	subj = crypto_x509_subject_name(x);
	assert_int_equal(subj.data[subj.len - strlen(sid) - 2], 0x13);
	assert_memory_equal(subj.data + subj.len - strlen(sid), sid, strlen(sid));
	assert_false(NT_STATUS_IS_OK(crypto_x509_create_self_signed(
		t, "", NULL, 2048, 365, &der, &len, &key)));
	talloc_free(t);
}

static void test_eku_known_answer(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	const char *ekus[] = {"1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"};
	/* The DER value printed in MS-BPAU 4.2. */
	const uint8_t want[] = {0x30, 0x14, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07,
				0x03, 0x01, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07,
				0x03, 0x02};
	/* 2.999.3: the first subidentifier is 2*40+999 = 1079 = 0x88 0x37. */
	const char *big[] = {"2.999.3"};
	const uint8_t big_der[] = {0x30, 0x05, 0x06, 0x03, 0x88, 0x37, 0x03};
	uint8_t *der;
	size_t len;
	char **oids;
	(void)state;

	assert_true(NT_STATUS_IS_OK(crypto_eku_build(t, ekus, 2, &der, &len, NULL)));
	assert_int_equal(len, sizeof(want));
	assert_memory_equal(der, want, len);
	assert_true(NT_STATUS_IS_OK(crypto_eku_parse(t, want, sizeof(want), &oids, NULL)));
	assert_string_equal(oids[0], ekus[0]);
	assert_string_equal(oids[1], ekus[1]);
	assert_null(oids[2]);
	assert_true(NT_STATUS_IS_OK(crypto_eku_build(t, big, 1, &der, &len, NULL)));
	assert_int_equal(len, sizeof(big_der));
	assert_memory_equal(der, big_der, len);
	assert_true(NT_STATUS_IS_OK(crypto_eku_parse(t, big_der, sizeof(big_der), &oids, NULL)));
	assert_string_equal(oids[0], "2.999.3");
	assert_null(oids[1]);
	talloc_free(t);
}

static void test_eku_malformed(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	/* Not canonical dotted decimal, though OpenSSL's own text parser
	 * takes several of these (spaces, empty arcs, leading zeros). */
	const char *bad[] = {"", "1", "3.1", "1.40", "1.3.", "1..3", "1.03", "a.b",
			     "1 3 6", "1.3 ", " 1.3", "+1.3", "1.3.-6", "serverAuth"};
	const uint8_t nonminimal[] = {0x30, 0x05, 0x06, 0x03, 0x2b, 0x80, 0x01};
	const uint8_t truncated[] = {0x30, 0x04, 0x06, 0x02, 0x2b, 0x86};
	const uint8_t not_oids[] = {0x30, 0x03, 0x02, 0x01, 0x01};
	const uint8_t empty_seq[] = {0x30, 0x00};
	/* BER, not DER: an indefinite length, a long-form length. */
	const uint8_t indefinite[] = {0x30, 0x80, 0x06, 0x01, 0x2b, 0x00, 0x00};
	const uint8_t long_length[] = {0x30, 0x81, 0x03, 0x06, 0x01, 0x2b};
	const uint8_t trailing[] = {0x30, 0x03, 0x06, 0x01, 0x2b, 0x00};
	const struct {
		const uint8_t *p;
		size_t len;
	} bad_der[] = {
		{nonminimal, sizeof(nonminimal)},   {truncated, sizeof(truncated)},
		{not_oids, sizeof(not_oids)},       {empty_seq, sizeof(empty_seq)},
		{indefinite, sizeof(indefinite)},   {long_length, sizeof(long_length)},
		{trailing, sizeof(trailing)},       {empty_seq, 0},
	};
	uint8_t *der;
	size_t len;
	char **oids;
	const char *reason;
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *one[] = {bad[i]};
		reason = NULL;
		assert_true(NT_STATUS_EQUAL(crypto_eku_build(t, one, 1, &der, &len, &reason),
					    NT_STATUS_INVALID_PARAMETER));
		assert_non_null(reason);
	}
	assert_true(NT_STATUS_EQUAL(crypto_eku_build(t, bad, 0, &der, &len, NULL),
				    NT_STATUS_INVALID_PARAMETER));
	for (size_t i = 0; i < sizeof(bad_der) / sizeof(bad_der[0]); i++) {
		reason = NULL;
		assert_true(NT_STATUS_EQUAL(crypto_eku_parse(t, bad_der[i].p, bad_der[i].len,
							     &oids, &reason),
					    NT_STATUS_INVALID_PARAMETER));
		assert_non_null(reason);
	}
	talloc_free(t);
}

static void test_cursor(void **state)
{
	const uint8_t buf[] = {1, 2, 3, 4, 5};
	struct cursor c;
	uint32_t v;
	uint64_t w;
	(void)state;

	cursor_init(&c, buf, sizeof(buf));
	assert_true(cursor_get_u32le(&c, &v));
	assert_int_equal(v, 0x04030201);
	/* A failed read does not advance. */
	assert_false(cursor_get_u32le(&c, &v));
	assert_false(cursor_get_u64le(&c, &w));
	assert_int_equal(cursor_left(&c), 1);
	assert_true(vector_fits(0, 5, 1, 5));
	assert_false(vector_fits(1, 5, 1, 5));
	assert_false(vector_fits(6, 0, 1, 5));
	assert_false(vector_fits(0, SIZE_MAX / 2 + 1, 2, SIZE_MAX));
	assert_false(vector_fits(SIZE_MAX, 1, 1, 5));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_kat),
		cmocka_unit_test(test_hmac_kat),
		cmocka_unit_test(test_random_and_compare),
		cmocka_unit_test(test_secret_wiped),
		cmocka_unit_test(test_utf16),
		cmocka_unit_test(test_x509_vista),
		cmocka_unit_test(test_x509_malformed),
		cmocka_unit_test(test_x509_create),
		cmocka_unit_test(test_eku_known_answer),
		cmocka_unit_test(test_eku_malformed),
		cmocka_unit_test(test_cursor),
	};
	return cmocka_run_group_tests_name("crypto", tests, NULL, NULL);
}
