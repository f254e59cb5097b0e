/*
 * test_otpce_sign_check.c: otpce_check_request (MS-OTPCE 3.2.5.1 step 1),
 * each check's failure: on the 4.1 request altered, on requests from
 * otpce_request_build, and on requests made here with OpenSSL for what
 * our builder never makes (other SAN types, two extension requests, a
 * repeated extension, the SID extension, no user at all).  Every failure
 * says why; a mutation loop flips every bit of the 4.1 request.
 */
#include "otpce_sign_fixtures.h"

static int check(const uint8_t *csr, size_t len, const char *t, const char *upn, const char *dn,
		 const char *want_reason)
{
	char err[512] = "";
	int rc = otpce_check_request(csr, len, t, upn, dn, err, sizeof(err));

	if (rc == 0) {
		return 0;
	}
	assert_true(err[0] != '\0');
	if (want_reason != NULL && strstr(err, want_reason) == NULL) {
		fail_msg("reason \"%s\" lacks \"%s\"", err, want_reason);
	}
	return rc;
}

static void test_41_failures(void **state)
{
	size_t len;
	uint8_t *csr = read_all(REQ41, &len), *copy = malloc(len + 1);

	assert_int_equal(check(csr, len, T41, UPN41, DN41, NULL), 0);
	/* the template */
	assert_int_not_equal(check(csr, len, "1.3.6.1.4.1.311.21.8.1.2", UPN41, DN41,
				   "not the configured 1.3.6.1.4.1.311.21.8.1.2"), 0);
	assert_int_not_equal(check(csr, len, "OTPLogon", UPN41, DN41, "by OID only"), 0);
	assert_int_not_equal(check(csr, len, "", UPN41, DN41, "no certificate template is configured"), 0);
	assert_int_not_equal(check(csr, len, NULL, UPN41, DN41, "no certificate template"), 0);
	/* the user: subject DN and UPN */
	assert_int_not_equal(check(csr, len, T41, UPN41, "CN=User 2,CN=Users,DC=domain1,DC=corp,DC=company,DC=com",
				   "is not the OTP user's DN"), 0);
	assert_int_not_equal(check(csr, len, T41, UPN41, "CN=User 1,CN=Users,DC=domain1,DC=corp,DC=company",
				   "is not the OTP user's DN"), 0);
	assert_int_not_equal(check(csr, len, T41, UPN41, NULL, "gives the OTP user no DN"), 0);
	assert_int_not_equal(check(csr, len, T41, UPN41, "CN=x+UID=y", "multi-valued"), 0);
	assert_int_not_equal(check(csr, len, T41, "user2@domain1.corp.company.com", DN41,
				   "UPN \"user1@domain1.corp.company.com\" is not the OTP user's"), 0);
	assert_int_not_equal(check(csr, len, T41, "user1@domain1.corp.company.co", DN41, "UPN"), 0);
	assert_int_not_equal(check(csr, len, T41, NULL, DN41, "gives the OTP user none"), 0);
	/* the encoding and the signature */
	memcpy(copy, csr, len);
	copy[len] = 0;
	assert_int_not_equal(check(copy, len + 1, T41, UPN41, DN41, "not one DER PKCS#10"), 0);
	assert_int_not_equal(check(copy, len - 1, T41, UPN41, DN41, "not one DER PKCS#10"), 0);
	copy[len - 5] ^= 0x01; /* in the signature value */
	assert_int_not_equal(check(copy, len, T41, UPN41, DN41, "signature does not verify"), 0);
	memcpy(copy, csr, len);
	copy[0x85] ^= 0x20; /* "User 1" -> "user 1": same DN, but signed bytes changed */
	assert_int_not_equal(check(copy, len, T41, UPN41, DN41, "signature does not verify"), 0);
	assert_int_not_equal(check(csr, 0, T41, UPN41, DN41, "empty"), 0);
	assert_int_not_equal(check(NULL, len, T41, UPN41, DN41, "empty"), 0);
	assert_int_not_equal(check(csr, OTPCE_CSR_MAX + 1, T41, UPN41, DN41, "larger"), 0);
	free(copy);
	free(csr);
}

/* Every single-bit flip of the 4.1 request fails (it is all signed or
 * structure), with a reason, and nothing crashes. */
static void test_41_bit_flips(void **state)
{
	size_t len;
	uint8_t *csr = read_all(REQ41, &len);

	for (size_t i = 0; i < len; i++) {
		for (int b = 0; b < 8; b++) {
			char err[512] = "";

			csr[i] ^= (uint8_t)(1 << b);
			if (otpce_check_request(csr, len, T41, UPN41, DN41, err, sizeof(err)) == 0) {
				fail_msg("flip of byte %zu bit %d accepted", i, b);
			}
			assert_true(err[0] != '\0');
			csr[i] ^= (uint8_t)(1 << b);
		}
	}
	for (size_t n = 0; n < len; n += 7) {
		assert_int_not_equal(check(csr, n, T41, UPN41, DN41, NULL), 0);
	}
	free(csr);
}

static void test_built_requests(void **state)
{
	struct otpce_request_params p = params41();
	size_t len;
	uint8_t *csr;

	/* Our builder's request for the 4.1 user passes. */
	csr = build_req(&p, &len);
	assert_int_equal(check(csr, len, T41, UPN41, DN41, NULL), 0);
	free(csr);

	/* A version 1 template, named. */
	p.template_oid = NULL;
	p.template_name = "OTPLogon";
	csr = build_req(&p, &len);
	assert_int_equal(check(csr, len, "otplogon", UPN41, DN41, NULL), 0);
	assert_int_not_equal(check(csr, len, "OTPLogon2", UPN41, DN41, "not the configured \"OTPLogon2\""), 0);
	assert_int_not_equal(check(csr, len, T41, UPN41, DN41, "by name only"), 0);
	free(csr);

	/* UPN only: no subject, which is fine, and the UPN is checked. */
	p = params41();
	p.subject_dn = NULL;
	csr = build_req(&p, &len);
	assert_int_equal(check(csr, len, T41, UPN41, NULL, NULL), 0);
	assert_int_not_equal(check(csr, len, T41, "other@domain1.corp.company.com", DN41, "UPN"), 0);
	free(csr);

	/* Subject only. */
	p = params41();
	p.upn = NULL;
	csr = build_req(&p, &len);
	assert_int_equal(check(csr, len, T41, NULL, DN41, NULL), 0);
	assert_int_not_equal(check(csr, len, T41, UPN41, "CN=Administrator,CN=Users,DC=domain1,DC=corp,DC=company,DC=com",
				   "not the OTP user's DN"), 0);
	free(csr);

	/* ClientInfo is not checked: a client machine account there is fine. */
	p = params41();
	p.client_user = "DOMAIN1\\SOMEONE-ELSE";
	csr = build_req(&p, &len);
	assert_int_equal(check(csr, len, T41, UPN41, DN41, NULL), 0);
	free(csr);
}

/* ---- requests made here with OpenSSL ---------------------------------- */

static X509_EXTENSION *template_ext(const char *oid)
{
	OTPCE_CERT_TEMPLATE *t = OTPCE_CERT_TEMPLATE_new();
	unsigned char *der = NULL;
	ASN1_OCTET_STRING *v = ASN1_OCTET_STRING_new();
	X509_EXTENSION *e;
	ASN1_OBJECT *ext_oid = OBJ_txt2obj(OTPCE_OID_TEMPLATE, 1);
	int n;

	ASN1_OBJECT_free(t->template_id);
	t->template_id = OBJ_txt2obj(oid, 1);
	assert_true(ASN1_INTEGER_set(t->major, 100));
	n = i2d_OTPCE_CERT_TEMPLATE(t, &der);
	assert_true(n > 0);
	assert_true(ASN1_OCTET_STRING_set(v, der, n));
	e = X509_EXTENSION_create_by_OBJ(NULL, ext_oid, 0, v);
	assert_non_null(e);
	ASN1_OBJECT_free(ext_oid);
	OPENSSL_free(der);
	ASN1_OCTET_STRING_free(v);
	OTPCE_CERT_TEMPLATE_free(t);
	return e;
}

/* custom_req: an EC request with subject CN=|cn| (none if NULL), the
 * template T41, and the extensions |conf| ("nid:value" pairs of
 * OpenSSL's extension syntax); |twice| adds a second extension request. */
static uint8_t *custom_req(const char *cn, const char *const *conf, int twice, size_t *len)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509_REQ *req = X509_REQ_new();
	X509_NAME *n = X509_NAME_new();
	STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
	unsigned char *der = NULL;
	uint8_t *out;
	int dlen;

	if (cn != NULL) {
		assert_true(X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8,
						       (const unsigned char *)cn, -1, -1, 0));
	}
	assert_true(X509_REQ_set_subject_name(req, n));
	assert_true(X509_REQ_set_pubkey(req, key));
	assert_true(sk_X509_EXTENSION_push(exts, template_ext(T41)) > 0);
	for (size_t i = 0; conf != NULL && conf[i] != NULL; i += 2) {
		X509_EXTENSION *e = X509V3_EXT_conf(NULL, NULL, conf[i], conf[i + 1]);

		assert_non_null(e);
		assert_true(sk_X509_EXTENSION_push(exts, e) > 0);
	}
	assert_true(X509_REQ_add_extensions(req, exts));
	if (twice) {
		assert_true(X509_REQ_add_extensions_nid(req, exts, NID_ms_ext_req));
	}
	assert_true(X509_REQ_sign(req, key, EVP_sha256()) > 0);
	dlen = i2d_X509_REQ(req, &der);
	assert_true(dlen > 0);
	out = malloc((size_t)dlen);
	memcpy(out, der, (size_t)dlen);
	*len = (size_t)dlen;
	OPENSSL_free(der);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_NAME_free(n);
	X509_REQ_free(req);
	EVP_PKEY_free(key);
	return out;
}

static void test_custom_requests(void **state)
{
	static const char *const upn[] = { "subjectAltName", "otherName:1.3.6.1.4.1.311.20.2.3;UTF8:u@x.test", NULL };
	static const char *const dns[] = { "subjectAltName", "otherName:1.3.6.1.4.1.311.20.2.3;UTF8:u@x.test,DNS:evil.test", NULL };
	static const char *const mail[] = { "subjectAltName", "email:u@x.test", NULL };
	static const char *const other[] = { "subjectAltName", "otherName:1.2.3.4;UTF8:u@x.test", NULL };
	static const char *const upn_ia5[] = { "subjectAltName", "otherName:1.3.6.1.4.1.311.20.2.3;IA5:u@x.test", NULL };
	static const char *const twice[] = { "subjectAltName", "otherName:1.3.6.1.4.1.311.20.2.3;UTF8:u@x.test",
					     "subjectAltName", "otherName:1.3.6.1.4.1.311.20.2.3;UTF8:u@x.test", NULL };
	static const char *const sid[] = { "subjectAltName", "otherName:1.3.6.1.4.1.311.20.2.3;UTF8:u@x.test",
					   "1.3.6.1.4.1.311.25.2", "DER:3000", NULL };
	size_t len;
	uint8_t *csr;

	csr = custom_req("u", upn, 0, &len);
	assert_int_equal(check(csr, len, T41, "u@x.test", "CN=u", NULL), 0);
	assert_int_not_equal(check(csr, len, T41, "u@x.test", "CN=v", "not the OTP user's DN"), 0);
	free(csr);
	csr = custom_req(NULL, dns, 0, &len);
	assert_int_not_equal(check(csr, len, T41, "u@x.test", NULL, "not a UPN"), 0);
	free(csr);
	csr = custom_req(NULL, mail, 0, &len);
	assert_int_not_equal(check(csr, len, T41, "u@x.test", NULL, "not a UPN"), 0);
	free(csr);
	csr = custom_req(NULL, other, 0, &len);
	assert_int_not_equal(check(csr, len, T41, "u@x.test", NULL, "not a UPN"), 0);
	free(csr);
	csr = custom_req(NULL, upn_ia5, 0, &len);
	assert_int_not_equal(check(csr, len, T41, "u@x.test", NULL, "not a UTF8String"), 0);
	free(csr);
	csr = custom_req(NULL, twice, 0, &len);
	assert_int_not_equal(check(csr, len, T41, "u@x.test", NULL, "appears twice"), 0);
	free(csr);
	csr = custom_req(NULL, upn, 1, &len);
	assert_int_not_equal(check(csr, len, T41, "u@x.test", NULL, "more than one extension request"), 0);
	free(csr);
	csr = custom_req(NULL, sid, 0, &len);
	assert_int_not_equal(check(csr, len, T41, "u@x.test", NULL, "security identifier"), 0);
	free(csr);
	csr = custom_req(NULL, NULL, 0, &len);
	assert_int_not_equal(check(csr, len, T41, "u@x.test", "CN=u", "names no user"), 0);
	free(csr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_41_failures),
		cmocka_unit_test(test_41_bit_flips),
		cmocka_unit_test(test_built_requests),
		cmocka_unit_test(test_custom_requests),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
