/*
 * test_certblob.c: CERTIFICATE_BLOB (MS-BPAU 2.2.2) against the Windows
 * Vista sample, the rebuild, every parser rule and a mutation loop.
 */
#include "helpers.h"

static const char *const vista_ekus[] = {"1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"};

struct fixture {
	uint8_t *blob;
	size_t blob_len;
	uint8_t *cert;
	size_t cert_len;
};

static int setup(void **state)
{
	struct fixture *f = talloc_zero(NULL, struct fixture);
	f->blob = load_vector(f, "bpau/vista-certificate-blob.bin", &f->blob_len);
	f->cert = load_vector(f, "bpau/vista-certificate.der", &f->cert_len);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	talloc_free(*state);
	return 0;
}

static void test_parse_vista(void **state)
{
	struct fixture *f = *state;
	TALLOC_CTX *t = talloc_new(NULL);
	struct certblob *b;
	char *cn, **oids;
	static const uint32_t ids[] = {25, 15, 3, 9, 4, 20};
	static const char *hashes[] = {
		"f46272220a13e278adebb999e5392158",
		"129eb28650ec9a98618fef5c5c8bc87522019f9c",
		"9893c190825a4a76a7d82b6a2223441b4e091064",
		NULL,
		"a906e78006e4efd8447ef75f9df70541",
		"f54b625db1dda76f73f1517d8a147084caf68fcf",
	};

	assert_int_equal(f->blob_len, 755);
	assert_true(NT_STATUS_IS_OK(certblob_parse(t, f->blob, f->blob_len, &b, NULL)));
	assert_int_equal(b->num_props, 6);
	for (size_t i = 0; i < 6; i++) {
		assert_int_equal(b->props[i].id, ids[i]);
		if (hashes[i] != NULL) {
			assert_string_equal(crypto_hex(t, b->props[i].value, b->props[i].len),
					    hashes[i]);
		}
	}
	/* Offsets given in MS-BPAU 4.2. */
	assert_ptr_equal(b->props[3].value - 12, b->raw + 0x5c);
	assert_ptr_equal(b->props[4].value - 12, b->raw + 0x7e);
	assert_ptr_equal(b->props[5].value - 12, b->raw + 0x9a);
	assert_ptr_equal(b->cert, b->raw + 0xc6);
	assert_int_equal(b->cert_len, f->cert_len);
	assert_memory_equal(b->cert, f->cert, f->cert_len);
	assert_true(NT_STATUS_IS_OK(crypto_eku_parse(t, b->props[3].value, b->props[3].len,
						     &oids, NULL)));
	assert_string_equal(oids[0], vista_ekus[0]);
	assert_string_equal(oids[1], vista_ekus[1]);
	assert_true(NT_STATUS_IS_OK(crypto_x509_subject_cn(t, b->x509, &cn)));
	assert_string_equal(cn, "S-1-5-21-397955417-626881126-188441444-3394717");
	assert_string_equal(certblob_prop_name(25), "SUBJECT_PUBLIC_KEY_MD5_HASH");
	assert_null(certblob_prop_name(5));
	talloc_free(t);
}

static void test_build_vista_identical(void **state)
{
	struct fixture *f = *state;
	TALLOC_CTX *t = talloc_new(NULL);
	struct crypto_x509 *x;
	struct certblob *b;

	assert_true(NT_STATUS_IS_OK(crypto_x509_parse(t, f->cert, f->cert_len, &x, NULL)));
	assert_true(NT_STATUS_IS_OK(certblob_build(t, x, vista_ekus, 2, &b, NULL)));
	assert_int_equal(b->raw_len, f->blob_len);
	assert_memory_equal(b->raw, f->blob, f->blob_len);
	/* Without EKUs the ENHKEY_USAGE property is left out. */
	assert_true(NT_STATUS_IS_OK(certblob_build(t, x, NULL, 0, &b, NULL)));
	assert_int_equal(b->num_props, 5);
	assert_null(certblob_find(b, CERTBLOB_ENHKEY_USAGE));
	assert_int_equal(b->raw_len, f->blob_len - 12 - 22);
	talloc_free(t);
}

static void test_build_rejects_ec(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	size_t len;
	uint8_t *der = load_file(t, BPAU_SRCDIR "/tests/unit/data/ec-cert.der", &len);
	struct crypto_x509 *x;
	struct certblob *b = NULL;
	const char *why = NULL;
	(void)state;

	assert_true(NT_STATUS_IS_OK(crypto_x509_parse(t, der, len, &x, NULL)));
	assert_true(NT_STATUS_EQUAL(certblob_build(t, x, NULL, 0, &b, &why),
				    NT_STATUS_NOT_SUPPORTED));
	assert_null(b);
	talloc_free(t);
}

/* ---- table-driven malformed blobs --------------------------------------- */

struct prop_spec {
	uint32_t id, reserved;
	const uint8_t *value;
	size_t len;
	int64_t len_override; /* >= 0: write this Length instead */
};

static uint8_t *assemble(TALLOC_CTX *t, const struct prop_spec *p, size_t n,
			 const uint8_t *tail, size_t tail_len, size_t *out_len)
{
	struct builder b;
	uint8_t *out;

	builder_init(&b, t);
	for (size_t i = 0; i < n; i++) {
		builder_add_u32le(&b, p[i].id);
		builder_add_u32le(&b, p[i].reserved);
		builder_add_u32le(&b, p[i].len_override >= 0 ? (uint32_t)p[i].len_override
							     : (uint32_t)p[i].len);
		builder_add_bytes(&b, p[i].value, p[i].len);
	}
	builder_add_bytes(&b, tail, tail_len);
	assert_true(builder_finish(&b, &out, out_len));
	return out;
}

#define P(id_, v_, l_) {(id_), 1, (v_), (l_), -1}

static void expect_reject(TALLOC_CTX *t, const uint8_t *buf, size_t len, NTSTATUS want,
			  const char *want_reason)
{
	struct certblob *b = NULL;
	const char *why = NULL;
	NTSTATUS status = certblob_parse(t, buf, len, &b, &why);

	if (!NT_STATUS_EQUAL(status, want)) {
		fail_msg("status %s, want %s (reason: %s)", nt_errstr(status), nt_errstr(want),
			 why ? why : "none");
	}
	assert_null(b);
	assert_non_null(why);
	if (want_reason != NULL && strcmp(why, want_reason) != 0) {
		fail_msg("reason \"%s\", want \"%s\"", why, want_reason);
	}
}

static void test_malformed(void **state)
{
	struct fixture *f = *state;
	TALLOC_CTX *t = talloc_new(NULL);
	uint8_t zero[64] = {0}, sha1[CRYPTO_SHA1_LEN], md5[CRYPTO_MD5_LEN];
	const uint8_t one[4] = {1, 0, 0, 0}, two[4] = {2, 0, 0, 0};
	const uint8_t name_ok[] = {'a', 0, 0, 0}, name_unterminated[] = {'a', 0, 'b', 0};
	const uint8_t name_odd[] = {'a', 0, 0};
	const uint8_t not_der[] = {0x30, 0x05, 0x06};
	const uint8_t der_trailing[] = {0x05, 0x00, 0x00};
	uint8_t cert_el[12];
	uint8_t *buf;
	size_t len;

	assert_true(NT_STATUS_IS_OK(crypto_sha1(f->cert, f->cert_len, sha1)));
	assert_true(NT_STATUS_IS_OK(crypto_md5(f->cert, f->cert_len, md5)));
	/* The certificate element as the tail: header + DER. */
	struct builder cb;
	uint8_t *tail;
	size_t tail_len;
	builder_init(&cb, t);
	builder_add_u32le(&cb, 32);
	builder_add_u32le(&cb, 1);
	builder_add_u32le(&cb, (uint32_t)f->cert_len);
	builder_add_bytes(&cb, f->cert, f->cert_len);
	assert_true(builder_finish(&cb, &tail, &tail_len));
	memcpy(cert_el, tail, 12);

	expect_reject(t, f->blob, 0, NT_STATUS_INVALID_PARAMETER, "blob is empty");
	expect_reject(t, f->blob, 8, NT_STATUS_INVALID_PARAMETER, "property header is incomplete");
	expect_reject(t, f->blob, 11, NT_STATUS_INVALID_PARAMETER, "property header is incomplete");
	/* Every truncation of the sample fails. */
	for (size_t n = 1; n < f->blob_len; n++) {
		struct certblob *b = NULL;
		assert_false(NT_STATUS_IS_OK(certblob_parse(t, f->blob, n, &b, NULL)));
		assert_null(b);
	}

	/* Reserved != 1, on a property and on the certificate element. */
	struct prop_spec r0[] = {{CERTBLOB_SHA1_HASH, 0, sha1, 20, -1}};
	buf = assemble(t, r0, 1, tail, tail_len, &len);
	expect_reject(t, buf, len, NT_STATUS_INVALID_PARAMETER, "property Reserved field is not 1");
	buf = talloc_memdup(t, tail, tail_len);
	buf[4] = 2;
	expect_reject(t, buf, tail_len, NT_STATUS_INVALID_PARAMETER,
		      "property Reserved field is not 1");
	/* The constant printed in 2.2.2.2 (0x0000000010000020) is not what
	 * Windows sends, and is refused. */
	buf = talloc_memdup(t, tail, tail_len);
	memcpy(buf, "\x20\x00\x00\x10\x00\x00\x00\x00", 8);
	expect_reject(t, buf, tail_len, NT_STATUS_INVALID_PARAMETER, NULL);

	/* Lengths past the end, including ones that would wrap. */
	struct prop_spec big[] = {{CERTBLOB_SHA1_HASH, 1, sha1, 20, 0xffffffff}};
	buf = assemble(t, big, 1, tail, tail_len, &len);
	expect_reject(t, buf, len, NT_STATUS_INVALID_PARAMETER,
		      "property length runs past the end of the blob");
	buf = talloc_memdup(t, tail, tail_len);
	buf[8] = (uint8_t)(f->cert_len + 1);
	expect_reject(t, buf, tail_len, NT_STATUS_INVALID_PARAMETER,
		      "property length runs past the end of the blob");

	static const struct {
		uint32_t id;
		size_t len;
		const char *reason;
	} sizes[] = {
		{CERTBLOB_SHA1_HASH, 19, "SHA-1 property value is not 20 bytes"},
		{CERTBLOB_SIGNATURE_HASH, 21, "SHA-1 property value is not 20 bytes"},
		{CERTBLOB_KEY_IDENTIFIER, 0, "SHA-1 property value is not 20 bytes"},
		{CERTBLOB_MD5_HASH, 17, "MD5 property value is not 16 bytes"},
		{CERTBLOB_SUBJECT_PUBLIC_KEY_MD5_HASH, 15, "MD5 property value is not 16 bytes"},
		{CERTBLOB_ISSUER_PUBLIC_KEY_MD5_HASH, 20, "MD5 property value is not 16 bytes"},
		{CERTBLOB_ISSUER_SERIAL_NUMBER_MD5_HASH, 1, "MD5 property value is not 16 bytes"},
		{CERTBLOB_SUBJECT_NAME_MD5_HASH, 32, "MD5 property value is not 16 bytes"},
		{CERTBLOB_KEY_SPEC, 3, "KEY_SPEC is not the 4-byte value 1"},
		{CERTBLOB_KEY_SPEC, 8, "KEY_SPEC is not the 4-byte value 1"},
		{CERTBLOB_DATE_STAMP, 7, "DATE_STAMP is not 8 bytes"},
		{CERTBLOB_DATE_STAMP, 9, "DATE_STAMP is not 8 bytes"},
	};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct prop_spec p[] = {P(sizes[i].id, zero, sizes[i].len)};
		buf = assemble(t, p, 1, tail, tail_len, &len);
		expect_reject(t, buf, len, NT_STATUS_INVALID_PARAMETER, sizes[i].reason);
	}

	/* Values. */
	struct prop_spec keyspec2[] = {P(CERTBLOB_KEY_SPEC, two, 4)};
	buf = assemble(t, keyspec2, 1, tail, tail_len, &len);
	expect_reject(t, buf, len, NT_STATUS_INVALID_PARAMETER, "KEY_SPEC is not the 4-byte value 1");
	const uint32_t strings[] = {CERTBLOB_FRIENDLY_NAME, CERTBLOB_DESCRIPTION,
				    CERTBLOB_AUTO_ENROLL};
	for (size_t i = 0; i < 3; i++) {
		struct prop_spec p1[] = {P(strings[i], name_unterminated, 4)};
		struct prop_spec p2[] = {P(strings[i], name_odd, 3)};
		struct prop_spec p3[] = {P(strings[i], zero, 0)};
		struct prop_spec p4[] = {P(strings[i], zero, 6)}; /* NUL then more */
		buf = assemble(t, p1, 1, tail, tail_len, &len);
		expect_reject(t, buf, len, NT_STATUS_INVALID_PARAMETER, NULL);
		buf = assemble(t, p2, 1, tail, tail_len, &len);
		expect_reject(t, buf, len, NT_STATUS_INVALID_PARAMETER, NULL);
		buf = assemble(t, p3, 1, tail, tail_len, &len);
		expect_reject(t, buf, len, NT_STATUS_INVALID_PARAMETER, NULL);
		buf = assemble(t, p4, 1, tail, tail_len, &len);
		expect_reject(t, buf, len, NT_STATUS_INVALID_PARAMETER, NULL);
	}
	struct prop_spec eku_bad[] = {P(CERTBLOB_ENHKEY_USAGE, not_der, sizeof(not_der))};
	buf = assemble(t, eku_bad, 1, tail, tail_len, &len);
	expect_reject(t, buf, len, NT_STATUS_INVALID_PARAMETER, NULL);
	struct prop_spec alg_bad[] = {P(CERTBLOB_PUBKEY_ALG_PARA, der_trailing, 3)};
	buf = assemble(t, alg_bad, 1, tail, tail_len, &len);
	expect_reject(t, buf, len, NT_STATUS_INVALID_PARAMETER, "PUBKEY_ALG_PARA is not one DER element");

	/* Property IDs: only those 2.2.2.1 lists, each once. */
	const uint32_t unknown[] = {0, 1, 5, 7, 19, 23, 26, 30, 31, 33, 0x10000020};
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		struct prop_spec p[] = {P(unknown[i], zero, 4)};
		buf = assemble(t, p, 1, tail, tail_len, &len);
		expect_reject(t, buf, len, NT_STATUS_INVALID_PARAMETER,
			      "property ID is not one MS-BPAU 2.2.2.1 lists");
	}
	struct prop_spec dup[] = {P(CERTBLOB_SHA1_HASH, sha1, 20), P(CERTBLOB_SHA1_HASH, sha1, 20)};
	buf = assemble(t, dup, 2, tail, tail_len, &len);
	expect_reject(t, buf, len, NT_STATUS_INVALID_PARAMETER, "property ID appears twice");

	/* Exactly one certificate element, last, nothing after it. */
	struct prop_spec only[] = {P(CERTBLOB_SHA1_HASH, sha1, 20)};
	buf = assemble(t, only, 1, NULL, 0, &len);
	expect_reject(t, buf, len, NT_STATUS_INVALID_PARAMETER, "blob has no certificate element");
	buf = assemble(t, only, 1, tail, tail_len, &len);
	buf = talloc_realloc(t, buf, uint8_t, len + tail_len);
	memcpy(buf + len, tail, tail_len);
	expect_reject(t, buf, len + tail_len, NT_STATUS_INVALID_PARAMETER,
		      "bytes follow the certificate element");
	buf = talloc_memdup(t, f->blob, f->blob_len + 1);
	buf[f->blob_len] = 0;
	expect_reject(t, buf, f->blob_len + 1, NT_STATUS_INVALID_PARAMETER,
		      "bytes follow the certificate element");
	struct prop_spec after[] = {P(CERTBLOB_SHA1_HASH, sha1, 20)};
	uint8_t *cert_first = assemble(t, NULL, 0, tail, tail_len, &len);
	buf = assemble(t, after, 1, NULL, 0, &tail_len);
	cert_first = talloc_realloc(t, cert_first, uint8_t, len + tail_len);
	memcpy(cert_first + len, buf, tail_len);
	expect_reject(t, cert_first, len + tail_len, NT_STATUS_INVALID_PARAMETER,
		      "bytes follow the certificate element");
	tail_len = 12 + f->cert_len;

	/* At most 65536 bytes in all. */
	uint8_t *huge = talloc_zero_array(t, uint8_t, CERTBLOB_MAX_LEN);
	struct prop_spec pad[] = {P(CERTBLOB_PUBKEY_ALG_PARA, huge, CERTBLOB_MAX_LEN - tail_len - 12)};
	huge[0] = 0x04; /* OCTET STRING with a long-form length */
	size_t body = CERTBLOB_MAX_LEN - tail_len - 12 - 4;
	huge[1] = 0x82;
	huge[2] = (uint8_t)(body >> 8);
	huge[3] = (uint8_t)body;
	buf = assemble(t, pad, 1, tail, tail_len, &len);
	assert_int_equal(len, CERTBLOB_MAX_LEN);
	struct certblob *b;
	assert_true(NT_STATUS_IS_OK(certblob_parse(t, buf, len, &b, NULL)));
	pad[0].len++;
	body++;
	huge[2] = (uint8_t)(body >> 8);
	huge[3] = (uint8_t)body;
	buf = assemble(t, pad, 1, tail, tail_len, &len);
	expect_reject(t, buf, len, NT_STATUS_INVALID_PARAMETER, "blob is larger than 65536 bytes");

	/* The certificate: DER X.509 with an RSA key. */
	uint8_t *junk = talloc_memdup(t, tail, tail_len);
	junk[12] = 0x31;
	expect_reject(t, junk, tail_len, NT_STATUS_INVALID_PARAMETER, NULL);
	size_t ec_len;
	uint8_t *ec = load_file(t, BPAU_SRCDIR "/tests/unit/data/ec-cert.der", &ec_len);
	struct prop_spec none[] = {{CERTBLOB_CERT_ELEMENT, 1, ec, ec_len, -1}};
	buf = assemble(t, none, 1, NULL, 0, &len);
	expect_reject(t, buf, len, NT_STATUS_NOT_SUPPORTED,
		      "certificate key is not RSA (MS-BPAU 2.2.2.2)");

	/* Hashes that do not describe the certificate. */
	sha1[0] ^= 1;
	struct prop_spec wrong_sha1[] = {P(CERTBLOB_SHA1_HASH, sha1, 20)};
	buf = assemble(t, wrong_sha1, 1, tail, tail_len, &len);
	expect_reject(t, buf, len, NT_STATUS_INVALID_PARAMETER,
		      "SHA1_HASH does not match the certificate");
	md5[15] ^= 1;
	struct prop_spec wrong_md5[] = {P(CERTBLOB_MD5_HASH, md5, 16)};
	buf = assemble(t, wrong_md5, 1, tail, tail_len, &len);
	expect_reject(t, buf, len, NT_STATUS_INVALID_PARAMETER,
		      "MD5_HASH does not match the certificate");

	/* Good optional properties are accepted. */
	struct prop_spec good[] = {P(CERTBLOB_KEY_SPEC, one, 4),
				   P(CERTBLOB_FRIENDLY_NAME, name_ok, 4),
				   P(CERTBLOB_DATE_STAMP, zero, 8)};
	buf = assemble(t, good, 3, tail, tail_len, &len);
	assert_true(NT_STATUS_IS_OK(certblob_parse(t, buf, len, &b, NULL)));
	assert_int_equal(b->num_props, 3);
	(void)cert_el;
	talloc_free(t);
}

/* KEY_PROV_INFO: 28-byte header then the two names. */
static uint8_t *key_prov_info(TALLOC_CTX *t, uint32_t off_c, uint32_t off_p, size_t total,
			      size_t *len)
{
	uint8_t *v = talloc_zero_array(t, uint8_t, total < 28 ? 28 : total);
	const uint8_t c[] = {'c', 0, 0, 0}, p[] = {'p', 0, 'v', 0, 0, 0};
	v[0] = (uint8_t)off_c;
	v[4] = (uint8_t)off_p;
	v[8] = 1;  /* provider type: RSA */
	v[24] = 1; /* key spec */
	/* Names that do not fit are cut short (so unterminated). */
	if (off_c < total) {
		memcpy(v + off_c, c, total - off_c < sizeof(c) ? total - off_c : sizeof(c));
	}
	if (off_p < total) {
		memcpy(v + off_p, p, total - off_p < sizeof(p) ? total - off_p : sizeof(p));
	}
	*len = total;
	return v;
}

static void test_key_prov_info(void **state)
{
	struct fixture *f = *state;
	TALLOC_CTX *t = talloc_new(NULL);
	struct certblob *b;
	uint8_t *v, *buf, *tail;
	size_t vlen, len, tail_len = 12 + f->cert_len;
	const char *why;

	tail = talloc_memdup(t, f->blob + f->blob_len - tail_len, tail_len);

	/* Valid: names at 28 and 32; accepted, kept, not acted on. */
	v = key_prov_info(t, 28, 32, 38, &vlen);
	struct prop_spec ok[] = {P(CERTBLOB_KEY_PROV_INFO, v, vlen)};
	buf = assemble(t, ok, 1, tail, tail_len, &len);
	assert_true(NT_STATUS_IS_OK(certblob_parse(t, buf, len, &b, NULL)));
	assert_non_null(certblob_find(b, CERTBLOB_KEY_PROV_INFO));
	/* In either order. */
	v = key_prov_info(t, 34, 28, 38, &vlen);
	struct prop_spec swapped[] = {P(CERTBLOB_KEY_PROV_INFO, v, vlen)};
	buf = assemble(t, swapped, 1, tail, tail_len, &len);
	assert_true(NT_STATUS_IS_OK(certblob_parse(t, buf, len, &b, NULL)));

	static const struct {
		uint32_t off_c, off_p;
		size_t total;
		const char *reason;
	} bad[] = {
		{28, 32, 20, "KEY_PROV_INFO is shorter than its 28-byte header"},
		{8, 32, 38, "KEY_PROV_INFO name offset is outside its name data"},
		{28, 200, 38, "KEY_PROV_INFO name offset is outside its name data"},
		{28, 38, 38, "KEY_PROV_INFO name offset is outside its name data"},
		{28, 32, 36, "KEY_PROV_INFO name is not NUL-terminated UTF-16 inside its value"},
		{28, 28, 38, "KEY_PROV_INFO names overlap"},
		{30, 28, 38, "KEY_PROV_INFO names overlap"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = key_prov_info(t, bad[i].off_c, bad[i].off_p, bad[i].total, &vlen);
		struct prop_spec p[] = {P(CERTBLOB_KEY_PROV_INFO, v, vlen)};
		buf = assemble(t, p, 1, tail, tail_len, &len);
		why = NULL;
		b = NULL;
		assert_false(NT_STATUS_IS_OK(certblob_parse(t, buf, len, &b, &why)));
		assert_null(b);
		if (why == NULL || strcmp(why, bad[i].reason) != 0) {
			fail_msg("case %zu: reason \"%s\", want \"%s\"", i, why ? why : "",
				 bad[i].reason);
		}
	}
	talloc_free(t);
}

static void test_mutations(void **state)
{
	/* OpenSSH-style mutation loop over the real blob: every single-bit
	 * flip in the headers and a sample elsewhere either parses or fails
	 * cleanly (ASan/UBSan watch for the rest). */
	struct fixture *f = *state;
	uint8_t *buf = talloc_memdup(NULL, f->blob, f->blob_len);
	size_t accepted = 0, rejected = 0;

	for (size_t i = 0; i < f->blob_len; i += (i < 0xd0 ? 1 : 7)) {
		for (int bit = 0; bit < 8; bit++) {
			TALLOC_CTX *t = talloc_new(NULL);
			struct certblob *b = NULL;
			const char *why = NULL;
			buf[i] ^= (uint8_t)(1 << bit);
			if (NT_STATUS_IS_OK(certblob_parse(t, buf, f->blob_len, &b, &why))) {
				accepted++;
			} else {
				assert_null(b);
				assert_non_null(why);
				rejected++;
			}
			buf[i] ^= (uint8_t)(1 << bit);
			talloc_free(t);
		}
	}
	/* Flips in the hashed-only properties (SIGNATURE_HASH, KEY_IDENTIFIER,
	 * SUBJECT_PUBLIC_KEY_MD5_HASH values) are not detectable; most
	 * others are. */
	assert_true(rejected > accepted);
	talloc_free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_vista),
		cmocka_unit_test(test_build_vista_identical),
		cmocka_unit_test(test_build_rejects_ec),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_key_prov_info),
		cmocka_unit_test(test_mutations),
	};
	return cmocka_run_group_tests_name("certblob", tests, setup, teardown);
}
