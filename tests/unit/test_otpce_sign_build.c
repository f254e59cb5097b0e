/*
 * test_otpce_sign_build.c: otpce_sign_request and otpce_request_build on
 * our own keys: the signed request re-parses to the Windows structure,
 * holds the PKCS#10 unchanged, its RA signature verifies (OpenSSL's API,
 * and the openssl command line as otpce/sign/README.md shows), the
 * signer refuses what it should; the builder's request (RSA and EC) has
 * the key it wrote.
 */
#include <sys/wait.h>

#include "otpce_sign_fixtures.h"

static uint8_t *sign(struct otpce_signer *s, const uint8_t *csr, size_t len, size_t *out_len)
{
	uint8_t *out = NULL;
	char err[256] = "";

	if (otpce_sign_request(s, csr, len, &out, out_len, err, sizeof(err)) != 0) {
		fail_msg("otpce_sign_request: %s", err);
	}
	return out;
}

/* check_signed: the structure of 3.2.5.1 step 4 around |csr|. */
static void check_signed(const uint8_t *der, size_t len, const uint8_t *csr, size_t csr_len,
			 int ncerts)
{
	const unsigned char *p = der;
	CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)len);
	STACK_OF(CMS_SignerInfo) *sis;
	STACK_OF(X509) *certs;
	const ASN1_OCTET_STRING *ec;
	OTPCE_PKIDATA *pd;
	OTPCE_TAGGED_REQUEST *tr;
	CMS_SignerInfo *ra = NULL, *dummy;
	X509_NAME *issuer;
	ASN1_INTEGER *serial;
	X509_ALGOR *sig;
	const ASN1_OBJECT *oid;

	assert_non_null(cms);
	assert_ptr_equal(p, der + len);
	assert_int_equal(OBJ_obj2nid(CMS_get0_type(cms)), NID_pkcs7_signed);
	assert_true(oid_equals(CMS_get0_eContentType(cms), OTPCE_OID_PKIDATA));
	ec = econtent(cms);
	p = ASN1_STRING_get0_data(ec);
	pd = d2i_OTPCE_PKIDATA(NULL, &p, ASN1_STRING_length(ec));
	assert_non_null(pd);
	tr = sk_OTPCE_TAGGED_REQUEST_value(pd->requests, 0);
	assert_int_equal(sk_OTPCE_TAGGED_REQUEST_num(pd->requests), 1);
	assert_int_equal(ASN1_INTEGER_get(tr->d.tcr->body_part_id), 1);
	assert_int_equal(tr->d.tcr->request->value.sequence->length, (int)csr_len);
	assert_memory_equal(tr->d.tcr->request->value.sequence->data, csr, csr_len);
	assert_int_equal(sk_OTPCE_TAGGED_ATTRIBUTE_num(pd->controls), 1);
	assert_int_equal(ASN1_INTEGER_get(sk_OTPCE_TAGGED_ATTRIBUTE_value(pd->controls, 0)->body_part_id), 2);

	sis = CMS_get0_SignerInfos(cms);
	assert_int_equal(sk_CMS_SignerInfo_num(sis), 2);
	/* SignerInfos is a SET OF: DER sorts it, so find each by identity. */
	dummy = find_dummy(sis, &ra);
	assert_int_equal(CMS_SignerInfo_get0_signer_id(dummy, NULL, &issuer, &serial), 1);
	assert_int_equal(ASN1_INTEGER_get(serial), 0);
	assert_true(oid_equals(X509_NAME_ENTRY_get_object(X509_NAME_get_entry(issuer, 0)),
			       OTPCE_OID_DUMMY_SIGNER));
	CMS_SignerInfo_get0_algs(dummy, NULL, NULL, NULL, &sig);
	X509_ALGOR_get0(&oid, NULL, NULL, sig);
	assert_true(oid_equals(oid, OTPCE_OID_NO_SIGNATURE));
	assert_int_equal(CMS_signed_get_attr_count(dummy), 2);
	assert_int_equal(CMS_signed_get_attr_count(ra), 2);

	certs = CMS_get1_certs(cms);
	assert_int_equal(sk_X509_num(certs), ncerts);
	for (int i = 0; i < sk_X509_num(certs); i++) {
		if (CMS_SignerInfo_cert_cmp(ra, sk_X509_value(certs, i)) == 0) {
			CMS_SignerInfo_set1_signer_cert(ra, sk_X509_value(certs, i));
		}
	}
	assert_int_equal(CMS_SignerInfo_verify(ra), 1);
	sk_X509_pop_free(certs, X509_free);
	OTPCE_PKIDATA_free(pd);
	CMS_ContentInfo_free(cms);
}

/* range_of: where |needle| sits in |hay|. */
static void range_of(const uint8_t *hay, size_t n, const void *needle, size_t len, size_t *from,
		     size_t *to)
{
	const uint8_t *at = memmem(hay, n, needle, len);

	assert_non_null(at);
	*from = (size_t)(at - hay);
	*to = *from + len;
}

/* flips_refused: a flipped bit in the PKIData or in either SignerInfo's
 * signature value is refused by otpce_signed_request_check; anywhere
 * else (the certificates, the informational digestAlgorithms set) it
 * may pass, but nothing crashes. */
static void flips_refused(uint8_t *out, size_t out_len, const uint8_t *csr, size_t csr_len)
{
	const unsigned char *p = out;
	CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)out_len);
	size_t r[3][2];
	char err[256];

	assert_non_null(cms);
	range_of(out, out_len, ASN1_STRING_get0_data(econtent(cms)),
		 (size_t)ASN1_STRING_length(econtent(cms)), &r[0][0], &r[0][1]);
	for (int k = 0; k < 2; k++) {
		const ASN1_OCTET_STRING *sig = CMS_SignerInfo_get0_signature(
			sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), k));

		range_of(out, out_len, ASN1_STRING_get0_data(sig), (size_t)ASN1_STRING_length(sig),
			 &r[k + 1][0], &r[k + 1][1]);
	}
	CMS_ContentInfo_free(cms);
	for (size_t i = 0; i < out_len; i++) {
		int rc, inside = 0;

		for (int k = 0; k < 3; k++) {
			inside |= i >= r[k][0] && i < r[k][1];
		}
		out[i] ^= 0x10;
		rc = otpce_signed_request_check(out, out_len, csr, csr_len, NULL, 0, err, sizeof(err));
		out[i] ^= 0x10;
		if (inside && rc == 0) {
			fail_msg("flip at %zu of %zu accepted", i, out_len);
		}
	}
}

static void test_sign_rsa_and_ec(void **state)
{
	struct otpce_request_params rp = params41();
	struct pki pki;
	size_t csr_len, out_len;
	uint8_t *csr = build_req(&rp, &csr_len), *out;
	char err[256] = "";

	for (int rsa = 0; rsa <= 1; rsa++) {
		struct otpce_signer *s;

		pki_make(&pki, rsa);
		s = otpce_signer_load(pki.cert, pki.key, err, sizeof(err));
		if (s == NULL) {
			fail_msg("load: %s", err);
		}
		out = sign(s, csr, csr_len, &out_len);
		check_signed(out, out_len, csr, csr_len, 1);
		{
			char signer[256] = "";

			assert_int_equal(otpce_signed_request_check(out, out_len, csr, csr_len, signer,
								    sizeof(signer), err, sizeof(err)), 0);
			assert_string_equal(signer, "CN=OTPCE test RA");
			flips_refused(out, out_len, csr, csr_len);
		}
		free(out);
		/* Each digest. */
		assert_int_equal(otpce_signer_set_digest(s, "SHA512", err, sizeof(err)), 0);
		out = sign(s, csr, csr_len, &out_len);
		check_signed(out, out_len, csr, csr_len, 1);
		free(out);
		assert_int_not_equal(otpce_signer_set_digest(s, "md5", err, sizeof(err)), 0);
		otpce_signer_free(s);
		pki_remove(&pki);
	}
	free(csr);
}

/* A certificate file with the chain: every certificate is sent. */
static void test_sign_with_chain(void **state)
{
	struct pki pki;
	struct otpce_signer *s;
	size_t n1, n2, out_len, csr_len;
	uint8_t *ra, *ca, *csr = read_all(REQ41, &csr_len), *out;
	char both[128], err[256] = "";

	pki_make(&pki, 0);
	ra = read_all(pki.cert, &n1);
	ca = read_all(pki.ca, &n2);
	snprintf(both, sizeof(both), "%s/both.pem", pki.dir);
	ra = realloc(ra, n1 + n2);
	memcpy(ra + n1, ca, n2);
	write_all(both, ra, n1 + n2);
	s = otpce_signer_load(both, pki.key, err, sizeof(err));
	assert_non_null(s);
	out = sign(s, csr, csr_len, &out_len);
	check_signed(out, out_len, csr, csr_len, 2);
	free(out);
	free(ra);
	free(ca);
	free(csr);
	otpce_signer_free(s);
	pki_remove(&pki);
}

static void test_signer_refusals(void **state)
{
	struct pki pki;
	struct otpce_signer *s;
	size_t csr_len, out_len = 7;
	uint8_t *csr = read_all(REQ41, &csr_len), *out = (uint8_t *)"x";
	char err[256] = "";

	pki_make(&pki, 0);
	assert_null(otpce_signer_load(pki.cert, pki.other_key, err, sizeof(err)));
	assert_non_null(strstr(err, "not the signing certificate's"));
	assert_null(otpce_signer_load("/nonexistent/ra.pem", pki.key, err, sizeof(err)));
	assert_non_null(strstr(err, "cannot open"));
	assert_null(otpce_signer_load(pki.key, pki.key, err, sizeof(err)));
	assert_non_null(strstr(err, "no PEM or DER certificate"));
	assert_null(otpce_signer_load(pki.cert, pki.cert, err, sizeof(err)));
	assert_non_null(strstr(err, "no unencrypted PEM private key"));

	s = otpce_signer_load(pki.cert, pki.key, err, sizeof(err));
	assert_non_null(s);
	assert_int_not_equal(otpce_sign_request(s, csr, csr_len - 1, &out, &out_len, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "not one DER PKCS#10"));
	assert_int_not_equal(otpce_sign_request(s, (const uint8_t *)"asdf", 4, &out, &out_len, err,
						sizeof(err)), 0);
	assert_int_not_equal(otpce_sign_request(s, csr, 0, &out, &out_len, err, sizeof(err)), 0);
	/* Outputs untouched on failure. */
	assert_string_equal((const char *)out, "x");
	assert_int_equal(out_len, 7);
	assert_int_not_equal(otpce_signer_set_client_info(s, -1, NULL, NULL, NULL, err, sizeof(err)), 0);
	otpce_signer_free(s);
	otpce_signer_free(NULL);
	free(csr);
	pki_remove(&pki);
}

static int sh(const char *cmd)
{
	int rc = system(cmd);

	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* The openssl command line, as otpce/sign/README.md documents it. */
static void test_openssl_cli_verifies(void **state)
{
	struct pki pki;
	struct otpce_signer *s;
	struct otpce_request_params rp = params41();
	size_t csr_len, out_len, n;
	uint8_t *csr = build_req(&rp, &csr_len), *out, *content;
	char err[256] = "", path[160], cmd[2048];
	EVP_PKEY *dk = EVP_EC_gen("P-256");
	X509 *dummy = X509_new();
	X509_NAME *dn = X509_NAME_new();
	const unsigned char *p;
	CMS_ContentInfo *cms;
	CMS_SignerInfo *ra = NULL;
	unsigned char *attrs;
	int alen;

	pki_make(&pki, 1);
	s = otpce_signer_load(pki.cert, pki.key, err, sizeof(err));
	assert_non_null(s);
	out = sign(s, csr, csr_len, &out_len);
	snprintf(path, sizeof(path), "%s/signed.der", pki.dir);
	write_all(path, out, out_len);

	/* The dummy signer's stand-in: issuer and subject Dummy Signer, serial 0. */
	ASN1_OBJECT *dummy_oid = OBJ_txt2obj(OTPCE_OID_DUMMY_SIGNER, 1);

	assert_true(X509_NAME_add_entry_by_OBJ(dn, dummy_oid, V_ASN1_PRINTABLESTRING,
					       (const unsigned char *)"Dummy Signer", -1, -1, 0));
	ASN1_OBJECT_free(dummy_oid);
	assert_true(ASN1_INTEGER_set(X509_get_serialNumber(dummy), 0));
	assert_true(X509_set_version(dummy, X509_VERSION_3));
	assert_true(X509_set_issuer_name(dummy, dn));
	assert_true(X509_set_subject_name(dummy, dn));
	assert_non_null(X509_gmtime_adj(X509_getm_notBefore(dummy), -60));
	assert_non_null(X509_gmtime_adj(X509_getm_notAfter(dummy), 3600));
	assert_true(X509_set_pubkey(dummy, dk));
	assert_true(X509_sign(dummy, dk, EVP_sha256()) > 0);
	snprintf(path, sizeof(path), "%s/dummy.pem", pki.dir);
	write_pem_cert(path, dummy);
	snprintf(cmd, sizeof(cmd), "cat '%s/ca.pem' '%s/dummy.pem' > '%s/trust.pem'", pki.dir, pki.dir,
		 pki.dir);
	assert_int_equal(sh(cmd), 0);

	/* Plain verify fails on the dummy signer (no certificate, no key). */
	snprintf(cmd, sizeof(cmd), "openssl cms -verify -inform DER -in '%1$s/signed.der' "
		 "-CAfile '%1$s/ca.pem' -purpose any -out /dev/null 2>/dev/null", pki.dir);
	assert_int_not_equal(sh(cmd), 0);
	/* With the stand-in and -no_attr_verify: both message digests and
	 * the RA certificate's chain verify; the content is the PKIData. */
	snprintf(cmd, sizeof(cmd), "openssl cms -verify -inform DER -in '%1$s/signed.der' "
		 "-CAfile '%1$s/trust.pem' -certfile '%1$s/dummy.pem' -no_attr_verify "
		 "-purpose any -out '%1$s/pkidata.der' 2>/dev/null", pki.dir);
	assert_int_equal(sh(cmd), 0);
	/* ... and fails when the content is altered (the digests are checked). */
	p = out;
	cms = d2i_CMS_ContentInfo(NULL, &p, (long)out_len);
	assert_non_null(cms);
	snprintf(path, sizeof(path), "%s/pkidata.der", pki.dir);
	content = read_all(path, &n);
	assert_int_equal(n, (size_t)ASN1_STRING_length(econtent(cms)));
	assert_memory_equal(content, ASN1_STRING_get0_data(econtent(cms)), n);
	assert_non_null(memmem(content, n, csr, csr_len));
	{
		uint8_t *bad = malloc(out_len);
		uint8_t *at;

		memcpy(bad, out, out_len);
		at = memmem(bad, out_len, csr, csr_len);
		assert_non_null(at);
		at[csr_len - 1] ^= 1; /* the last signature byte of the PKCS#10 */
		snprintf(path, sizeof(path), "%s/bad.der", pki.dir);
		write_all(path, bad, out_len);
		free(bad);
		snprintf(cmd, sizeof(cmd), "openssl cms -verify -inform DER -in '%1$s/bad.der' "
			 "-CAfile '%1$s/trust.pem' -certfile '%1$s/dummy.pem' -no_attr_verify "
			 "-purpose any -out /dev/null 2>/dev/null", pki.dir);
		assert_int_not_equal(sh(cmd), 0);
	}

	/* The RA signature with openssl dgst over the DER signed attributes. */
	(void)find_dummy(CMS_get0_SignerInfos(cms), &ra);
	attrs = signed_attrs_der(ra, &alen);
	snprintf(path, sizeof(path), "%s/attrs.der", pki.dir);
	write_all(path, attrs, (size_t)alen);
	snprintf(path, sizeof(path), "%s/sig.bin", pki.dir);
	write_all(path, ASN1_STRING_get0_data(CMS_SignerInfo_get0_signature(ra)),
		  (size_t)ASN1_STRING_length(CMS_SignerInfo_get0_signature(ra)));
	snprintf(cmd, sizeof(cmd), "openssl x509 -in '%1$s/ra.pem' -pubkey -noout > '%1$s/rapub.pem' && "
		 "openssl dgst -sha256 -verify '%1$s/rapub.pem' -signature '%1$s/sig.bin' "
		 "'%1$s/attrs.der' >/dev/null", pki.dir);
	assert_int_equal(sh(cmd), 0);
	/* One bit changed in the signed attributes: refused. */
	attrs[alen - 1] ^= 1;
	snprintf(path, sizeof(path), "%s/attrs.der", pki.dir);
	write_all(path, attrs, (size_t)alen);
	snprintf(cmd, sizeof(cmd), "openssl dgst -sha256 -verify '%1$s/rapub.pem' -signature "
		 "'%1$s/sig.bin' '%1$s/attrs.der' >/dev/null 2>&1", pki.dir);
	assert_int_not_equal(sh(cmd), 0);

	OPENSSL_free(attrs);
	CMS_ContentInfo_free(cms);
	free(content);
	X509_NAME_free(dn);
	X509_free(dummy);
	EVP_PKEY_free(dk);
	free(out);
	free(csr);
	otpce_signer_free(s);
	pki_remove(&pki);
}

/* The builder: the key it returns is the request's, RSA by default. */
static void test_build_rsa_key_matches(void **state)
{
	struct otpce_request_params p = params41();
	uint8_t *csr = NULL;
	char *pem = NULL, err[256] = "";
	size_t len = 0, pem_len = 0;
	const unsigned char *q;
	X509_REQ *req;
	BIO *b;
	EVP_PKEY *key;

	p.key_type = OTPCE_KEY_RSA;
	p.rsa_bits = 0;
	assert_int_equal(otpce_request_build(&p, &csr, &len, &pem, &pem_len, err, sizeof(err)), 0);
	assert_int_equal(strlen(pem), pem_len);
	assert_non_null(strstr(pem, "-----BEGIN PRIVATE KEY-----"));
	q = csr;
	req = d2i_X509_REQ(NULL, &q, (long)len);
	assert_non_null(req);
	b = BIO_new_mem_buf(pem, (int)pem_len);
	key = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
	assert_non_null(key);
	assert_int_equal(EVP_PKEY_get_bits(key), 2048);
	assert_int_equal(EVP_PKEY_eq(key, X509_REQ_get0_pubkey(req)), 1);
	assert_int_equal(otpce_check_request(csr, len, T41, UPN41, DN41, err, sizeof(err)), 0);
	EVP_PKEY_free(key);
	BIO_free(b);
	X509_REQ_free(req);
	otpce_free_secret(pem, pem_len);
	free(csr);
}

static void test_build_refusals(void **state)
{
	struct otpce_request_params p;
	uint8_t *csr = (uint8_t *)"x";
	char *pem = (char *)"y", err[256] = "";
	size_t len = 3, pem_len = 4;

	p = params41();
	p.subject_dn = "CN=a,,DC=b";
	assert_int_not_equal(otpce_request_build(&p, &csr, &len, &pem, &pem_len, err, sizeof(err)), 0);
	p = params41();
	p.subject_dn = "CN=a\\";
	assert_int_not_equal(otpce_request_build(&p, &csr, &len, &pem, &pem_len, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "backslash"));
	p = params41();
	p.subject_dn = "XYZZY=a";
	assert_int_not_equal(otpce_request_build(&p, &csr, &len, &pem, &pem_len, err, sizeof(err)), 0);
	p = params41();
	p.template_oid = NULL;
	assert_int_not_equal(otpce_request_build(&p, &csr, &len, &pem, &pem_len, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "template"));
	p = params41();
	p.template_oid = "smartcard";
	assert_int_not_equal(otpce_request_build(&p, &csr, &len, &pem, &pem_len, err, sizeof(err)), 0);
	p = params41();
	p.eku_oids = "1.3.6.1.5.5.7.3.2,clientAuth";
	assert_int_not_equal(otpce_request_build(&p, &csr, &len, &pem, &pem_len, err, sizeof(err)), 0);
	p = params41();
	p.key_type = OTPCE_KEY_RSA;
	p.rsa_bits = 1024;
	assert_int_not_equal(otpce_request_build(&p, &csr, &len, &pem, &pem_len, err, sizeof(err)), 0);
	p = params41();
	p.subject_dn = NULL;
	p.upn = NULL;
	assert_int_not_equal(otpce_request_build(&p, &csr, &len, &pem, &pem_len, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "name no user"));
	/* Outputs untouched. */
	assert_string_equal((char *)csr, "x");
	assert_string_equal(pem, "y");
	assert_int_equal(len, 3);
	assert_int_equal(pem_len, 4);
}

/* DN strings with escapes and spaces become the names they say. */
static void test_dn_escapes(void **state)
{
	struct otpce_request_params p = params41();
	size_t len;
	uint8_t *csr;

	p.subject_dn = "CN=Smith\\, John \\2B Co,OU=R\\26D, DC=example,DC=com";
	p.upn = NULL;
	csr = build_req(&p, &len);
	assert_int_equal(otpce_check_request(csr, len, T41, NULL,
					     "CN=Smith\\2C John + Co,OU=R&D,DC=example,DC=com", NULL, 0),
			 -1); /* an unescaped '+' is a multi-valued RDN: refused */
	assert_int_equal(otpce_check_request(csr, len, T41, NULL,
					     "CN=Smith\\2C John \\+ Co,OU=R&D,DC=example,DC=com", NULL, 0),
			 0);
	free(csr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sign_rsa_and_ec),
		cmocka_unit_test(test_sign_with_chain),
		cmocka_unit_test(test_signer_refusals),
		cmocka_unit_test(test_openssl_cli_verifies),
		cmocka_unit_test(test_build_rsa_key_matches),
		cmocka_unit_test(test_build_refusals),
		cmocka_unit_test(test_dn_escapes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
