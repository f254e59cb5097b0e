/*
 * test_otpce_sign_windows.c: the spec's 4.1 example (tests/vectors/otpce/)
 * against otpce/sign: the request passes step 1; the Windows server's
 * signed request decodes with our templates to the structure
 * otpce/sign/signer.c describes, its RA signature verifies, and the dummy
 * signer's value is the hash of its signed attributes; and our
 * otpce_sign_request, given Windows' digest and ClientInfo, makes the same
 * PKIData bytes and the same dummy SignerInfo.
 */
#include "otpce_sign_fixtures.h"

static void test_request_41_passes(void **state)
{
	size_t len;
	uint8_t *csr = read_all(REQ41, &len);
	char err[256] = "";

	assert_int_equal(len, 1171);
	if (otpce_check_request(csr, len, T41, UPN41, DN41, err, sizeof(err)) != 0) {
		fail_msg("4.1 request refused: %s", err);
	}
	/* Case and spacing of the directory's strings do not matter. */
	assert_int_equal(otpce_check_request(csr, len, T41, "USER1@Domain1.corp.company.com",
					     "cn=user 1, cn=Users, dc=DOMAIN1, dc=corp, dc=company, dc=com",
					     err, sizeof(err)), 0);
	free(csr);
}

static CMS_ContentInfo *load_response(uint8_t **raw, size_t *len)
{
	const unsigned char *p;
	CMS_ContentInfo *cms;

	*raw = read_all(RESP41, len);
	assert_int_equal(*len, 3442);
	p = *raw;
	cms = d2i_CMS_ContentInfo(NULL, &p, (long)*len);
	assert_non_null(cms);
	assert_ptr_equal(p, *raw + *len);
	return cms;
}

static void test_response_41_structure(void **state)
{
	size_t len, req_len;
	uint8_t *raw, *req = read_all(REQ41, &req_len);
	CMS_ContentInfo *cms = load_response(&raw, &len);
	const ASN1_OCTET_STRING *ec = econtent(cms);
	const unsigned char *p = ASN1_STRING_get0_data(ec);
	OTPCE_PKIDATA *pd;
	OTPCE_TAGGED_ATTRIBUTE *ctl;
	OTPCE_TAGGED_REQUEST *tr;
	OTPCE_ADD_ATTRIBUTES *aa;
	OTPCE_CLIENT_INFO *ci;
	X509_ATTRIBUTE *attr;
	ASN1_TYPE *v;
	unsigned char *again = NULL;
	int n;

	assert_true(oid_equals(CMS_get0_eContentType(cms), OTPCE_OID_PKIDATA));
	pd = d2i_OTPCE_PKIDATA(NULL, &p, ASN1_STRING_length(ec));
	assert_non_null(pd);
	assert_ptr_equal(p, ASN1_STRING_get0_data(ec) + ASN1_STRING_length(ec));
	/* Our templates re-encode Windows' PKIData byte for byte. */
	n = i2d_OTPCE_PKIDATA(pd, &again);
	assert_int_equal(n, ASN1_STRING_length(ec));
	assert_memory_equal(again, ASN1_STRING_get0_data(ec), (size_t)n);
	OPENSSL_free(again);

	assert_int_equal(sk_OTPCE_TAGGED_ATTRIBUTE_num(pd->controls), 1);
	assert_int_equal(sk_OTPCE_TAGGED_REQUEST_num(pd->requests), 1);
	assert_int_equal(sk_ASN1_TYPE_num(pd->cms), 0);
	assert_int_equal(sk_ASN1_TYPE_num(pd->other), 0);

	/* reqSequence: tcr, bodyPartID 1, the 4.1 PKCS#10 unchanged. */
	tr = sk_OTPCE_TAGGED_REQUEST_value(pd->requests, 0);
	assert_int_equal(tr->type, OTPCE_TAGGED_REQUEST_TCR);
	assert_int_equal(ASN1_INTEGER_get(tr->d.tcr->body_part_id), 1);
	assert_int_equal(tr->d.tcr->request->type, V_ASN1_SEQUENCE);
	assert_int_equal(tr->d.tcr->request->value.sequence->length, (int)req_len);
	assert_memory_equal(tr->d.tcr->request->value.sequence->data, req, req_len);

	/* controlSequence: bodyPartID 2, CMC add attributes {0, {1}, {ClientInfo}}. */
	ctl = sk_OTPCE_TAGGED_ATTRIBUTE_value(pd->controls, 0);
	assert_int_equal(ASN1_INTEGER_get(ctl->body_part_id), 2);
	assert_true(oid_equals(ctl->attr_type, OTPCE_OID_ADD_ATTRIBUTES));
	assert_int_equal(sk_ASN1_TYPE_num(ctl->attr_values), 1);
	v = sk_ASN1_TYPE_value(ctl->attr_values, 0);
	assert_int_equal(v->type, V_ASN1_SEQUENCE);
	aa = ASN1_item_unpack(v->value.sequence, ASN1_ITEM_rptr(OTPCE_ADD_ATTRIBUTES));
	assert_non_null(aa);
	assert_int_equal(ASN1_INTEGER_get(aa->data_reference), 0);
	assert_int_equal(sk_ASN1_INTEGER_num(aa->cert_references), 1);
	assert_int_equal(ASN1_INTEGER_get(sk_ASN1_INTEGER_value(aa->cert_references, 0)), 1);
	assert_int_equal(sk_X509_ATTRIBUTE_num(aa->attributes), 1);
	attr = sk_X509_ATTRIBUTE_value(aa->attributes, 0);
	assert_true(oid_equals(X509_ATTRIBUTE_get0_object(attr), OTPCE_OID_CLIENT_INFO));
	v = X509_ATTRIBUTE_get0_type(attr, 0);
	ci = ASN1_item_unpack(v->value.sequence, ASN1_ITEM_rptr(OTPCE_CLIENT_INFO));
	assert_non_null(ci);
	assert_int_equal(ASN1_INTEGER_get(ci->client_id), 5);
	assert_string_equal((const char *)ASN1_STRING_get0_data(ci->machine),
			    "DA1.domain1.corp.company.com");
	assert_string_equal((const char *)ASN1_STRING_get0_data(ci->user), "DOMAIN1\\DA1$");
	assert_string_equal((const char *)ASN1_STRING_get0_data(ci->process), "w3wp.exe");

	OTPCE_CLIENT_INFO_free(ci);
	OTPCE_ADD_ATTRIBUTES_free(aa);
	OTPCE_PKIDATA_free(pd);
	CMS_ContentInfo_free(cms);
	free(raw);
	free(req);
}

/* check_dummy: Windows' dummy SignerInfo, and its "signature" is the hash
 * of its DER signed attributes with its digest. */
static void check_dummy(CMS_SignerInfo *si, const EVP_MD *md)
{
	X509_NAME *issuer = NULL;
	ASN1_INTEGER *serial = NULL;
	X509_ALGOR *dig = NULL, *sig = NULL;
	const ASN1_OBJECT *sig_oid;
	int ptype, alen;
	const void *pval;
	unsigned char *attrs, h[EVP_MAX_MD_SIZE];
	unsigned int hlen;
	const ASN1_OCTET_STRING *value = CMS_SignerInfo_get0_signature(si);
	char text[128];

	assert_int_equal(CMS_SignerInfo_get0_signer_id(si, NULL, &issuer, &serial), 1);
	assert_int_equal(ASN1_INTEGER_get(serial), 0);
	assert_int_equal(X509_NAME_entry_count(issuer), 1);
	assert_true(oid_equals(X509_NAME_ENTRY_get_object(X509_NAME_get_entry(issuer, 0)),
			       OTPCE_OID_DUMMY_SIGNER));
	assert_int_equal(ASN1_STRING_type(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(issuer, 0))),
			 V_ASN1_PRINTABLESTRING);
	X509_NAME_get_text_by_OBJ(issuer, X509_NAME_ENTRY_get_object(X509_NAME_get_entry(issuer, 0)),
				  text, sizeof(text));
	assert_string_equal(text, "Dummy Signer");
	CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig, &sig);
	X509_ALGOR_get0(&sig_oid, &ptype, &pval, sig);
	assert_true(oid_equals(sig_oid, OTPCE_OID_NO_SIGNATURE));
	assert_int_equal(ptype, V_ASN1_NULL);
	assert_int_equal(CMS_signed_get_attr_count(si), 2);

	attrs = signed_attrs_der(si, &alen);
	assert_true(EVP_Digest(attrs, (size_t)alen, h, &hlen, md, NULL));
	assert_int_equal(ASN1_STRING_length(value), (int)hlen);
	assert_memory_equal(ASN1_STRING_get0_data(value), h, hlen);
	OPENSSL_free(attrs);
}

/* check_message_digest: the messageDigest attribute is the content's hash. */
static void check_message_digest(CMS_SignerInfo *si, const ASN1_OCTET_STRING *content,
				 const EVP_MD *md)
{
	unsigned char h[EVP_MAX_MD_SIZE];
	unsigned int hlen;
	ASN1_OCTET_STRING *got = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_messageDigest),
							     -3, V_ASN1_OCTET_STRING);

	assert_non_null(got);
	assert_true(EVP_Digest(ASN1_STRING_get0_data(content), (size_t)ASN1_STRING_length(content),
			       h, &hlen, md, NULL));
	assert_int_equal(ASN1_STRING_length(got), (int)hlen);
	assert_memory_equal(ASN1_STRING_get0_data(got), h, hlen);
}

static void test_response_41_signatures(void **state)
{
	size_t len;
	uint8_t *raw;
	CMS_ContentInfo *cms = load_response(&raw, &len);
	STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(cms);
	STACK_OF(X509) *certs = CMS_get1_certs(cms);
	CMS_SignerInfo *dummy, *ra;
	X509_ALGOR *sig = NULL;
	const ASN1_OBJECT *sig_oid;

	assert_int_equal(sk_CMS_SignerInfo_num(sis), 2);
	assert_int_equal(sk_X509_num(certs), 1);
	dummy = sk_CMS_SignerInfo_value(sis, 0);
	ra = sk_CMS_SignerInfo_value(sis, 1);
	check_dummy(dummy, EVP_sha1());
	check_message_digest(dummy, econtent(cms), EVP_sha1());
	check_message_digest(ra, econtent(cms), EVP_sha1());

	/* The RA SignerInfo names the included certificate and its RSA
	 * signature over the signed attributes verifies. */
	assert_int_equal(CMS_SignerInfo_cert_cmp(ra, sk_X509_value(certs, 0)), 0);
	assert_int_not_equal(CMS_SignerInfo_cert_cmp(dummy, sk_X509_value(certs, 0)), 0);
	CMS_SignerInfo_get0_algs(ra, NULL, NULL, NULL, &sig);
	X509_ALGOR_get0(&sig_oid, NULL, NULL, sig);
	assert_int_equal(OBJ_obj2nid(sig_oid), NID_rsaEncryption);
	CMS_SignerInfo_set1_signer_cert(ra, sk_X509_value(certs, 0));
	assert_int_equal(CMS_SignerInfo_verify(ra), 1);

	sk_X509_pop_free(certs, X509_free);
	CMS_ContentInfo_free(cms);
	free(raw);
}

/* Our signer, configured as the Windows server was (SHA-1, its ClientInfo),
 * on the 4.1 request: the same PKIData bytes and the same dummy SignerInfo
 * fields and signed attributes. */
static void test_sign_41_like_windows(void **state)
{
	struct pki pki;
	struct otpce_signer *s;
	size_t req_len, wlen, out_len;
	uint8_t *req = read_all(REQ41, &req_len), *wraw, *out = NULL;
	CMS_ContentInfo *win = load_response(&wraw, &wlen), *ours;
	CMS_SignerInfo *wd, *od;
	const unsigned char *p;
	unsigned char *wa, *oa;
	int wal, oal;
	char err[256] = "";

	pki_make(&pki, 1);
	s = otpce_signer_load(pki.cert, pki.key, err, sizeof(err));
	assert_non_null(s);
	assert_int_equal(otpce_signer_set_digest(s, "sha1", err, sizeof(err)), 0);
	assert_int_equal(otpce_signer_set_client_info(s, 5, "DA1.domain1.corp.company.com",
						      "DOMAIN1\\DA1$", "w3wp.exe", err,
						      sizeof(err)), 0);
	if (otpce_sign_request(s, req, req_len, &out, &out_len, err, sizeof(err)) != 0) {
		fail_msg("sign: %s", err);
	}
	p = out;
	ours = d2i_CMS_ContentInfo(NULL, &p, (long)out_len);
	assert_non_null(ours);
	assert_int_equal(ASN1_STRING_length(econtent(ours)), ASN1_STRING_length(econtent(win)));
	assert_memory_equal(ASN1_STRING_get0_data(econtent(ours)), ASN1_STRING_get0_data(econtent(win)),
			    (size_t)ASN1_STRING_length(econtent(win)));

	wd = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(win), 0);
	od = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(ours), 0);
	check_dummy(od, EVP_sha1());
	wa = signed_attrs_der(wd, &wal);
	oa = signed_attrs_der(od, &oal);
	assert_int_equal(oal, wal);
	assert_memory_equal(oa, wa, (size_t)wal);
	assert_memory_equal(ASN1_STRING_get0_data(CMS_SignerInfo_get0_signature(od)),
			    ASN1_STRING_get0_data(CMS_SignerInfo_get0_signature(wd)), 20);
	OPENSSL_free(wa);
	OPENSSL_free(oa);

	/* And the RA SignerInfo's signed attributes: the same two. */
	wa = signed_attrs_der(sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(win), 1), &wal);
	oa = signed_attrs_der(sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(ours), 1), &oal);
	assert_int_equal(oal, wal);
	assert_memory_equal(oa, wa, (size_t)wal);
	OPENSSL_free(wa);
	OPENSSL_free(oa);

	CMS_ContentInfo_free(ours);
	CMS_ContentInfo_free(win);
	free(out);
	free(wraw);
	free(req);
	otpce_signer_free(s);
	pki_remove(&pki);
}

/* otpce_request_build with the 4.1 values: the same subject bytes, the
 * same extensions in the same order with the same values (the subject key
 * identifier aside: another key), and a ClientInfo attribute. */
static void test_build_like_41(void **state)
{
	struct otpce_request_params p = params41();
	size_t wlen, olen;
	uint8_t *win = read_all(REQ41, &wlen), *ours;
	const unsigned char *q;
	X509_REQ *w, *o;
	STACK_OF(X509_EXTENSION) *we, *oe;
	unsigned char *wd = NULL, *od = NULL;
	int wn, on;

	p.key_type = OTPCE_KEY_RSA;
	p.client_process = "LogonUI.exe";
	ours = build_req(&p, &olen);
	q = win;
	w = d2i_X509_REQ(NULL, &q, (long)wlen);
	q = ours;
	o = d2i_X509_REQ(NULL, &q, (long)olen);
	assert_non_null(w);
	assert_non_null(o);
	wn = i2d_X509_NAME(X509_REQ_get_subject_name(w), &wd);
	on = i2d_X509_NAME(X509_REQ_get_subject_name(o), &od);
	assert_int_equal(on, wn);
	assert_memory_equal(od, wd, (size_t)wn);
	OPENSSL_free(wd);
	OPENSSL_free(od);

	we = X509_REQ_get_extensions(w);
	oe = X509_REQ_get_extensions(o);
	assert_int_equal(sk_X509_EXTENSION_num(oe), sk_X509_EXTENSION_num(we));
	for (int i = 0; i < sk_X509_EXTENSION_num(we); i++) {
		X509_EXTENSION *a = sk_X509_EXTENSION_value(we, i), *b = sk_X509_EXTENSION_value(oe, i);

		assert_int_equal(OBJ_cmp(X509_EXTENSION_get_object(a), X509_EXTENSION_get_object(b)), 0);
		assert_int_equal(X509_EXTENSION_get_critical(a), X509_EXTENSION_get_critical(b));
		if (OBJ_obj2nid(X509_EXTENSION_get_object(a)) == NID_subject_key_identifier) {
			continue;
		}
		assert_int_equal(ASN1_STRING_length(X509_EXTENSION_get_data(a)),
				 ASN1_STRING_length(X509_EXTENSION_get_data(b)));
		assert_memory_equal(ASN1_STRING_get0_data(X509_EXTENSION_get_data(a)),
				    ASN1_STRING_get0_data(X509_EXTENSION_get_data(b)),
				    (size_t)ASN1_STRING_length(X509_EXTENSION_get_data(a)));
	}
	{
		ASN1_OBJECT *ci = OBJ_txt2obj(OTPCE_OID_CLIENT_INFO, 1);

		assert_true(X509_REQ_get_attr_by_OBJ(w, ci, -1) >= 0);
		assert_true(X509_REQ_get_attr_by_OBJ(o, ci, -1) >= 0);
		ASN1_OBJECT_free(ci);
	}
	sk_X509_EXTENSION_pop_free(we, X509_EXTENSION_free);
	sk_X509_EXTENSION_pop_free(oe, X509_EXTENSION_free);
	X509_REQ_free(w);
	X509_REQ_free(o);
	free(ours);
	free(win);
}

/* The client's check accepts the Windows server's answer to 4.1. */
static void test_client_check_41(void **state)
{
	size_t len, req_len;
	uint8_t *raw = read_all(RESP41, &len), *req = read_all(REQ41, &req_len);
	char signer[256] = "", err[256] = "";

	if (otpce_signed_request_check(raw, len, req, req_len, signer, sizeof(signer), err,
				       sizeof(err)) != 0) {
		fail_msg("4.1 response refused: %s", err);
	}
	assert_string_equal(signer, ""); /* the 4.1 RA certificate has an empty subject */
	req[req_len - 1] ^= 1;
	assert_int_not_equal(otpce_signed_request_check(raw, len, req, req_len, NULL, 0, err,
							sizeof(err)), 0);
	assert_non_null(strstr(err, "does not carry our PKCS#10"));
	req[req_len - 1] ^= 1;
	raw[3182 + 4 + 10] ^= 1; /* in the RA signature */
	assert_int_not_equal(otpce_signed_request_check(raw, len, req, req_len, NULL, 0, err,
							sizeof(err)), 0);
	assert_non_null(strstr(err, "does not verify"));
	free(raw);
	free(req);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_41_passes),
		cmocka_unit_test(test_response_41_structure),
		cmocka_unit_test(test_response_41_signatures),
		cmocka_unit_test(test_sign_41_like_windows),
		cmocka_unit_test(test_client_check_41),
		cmocka_unit_test(test_build_like_41),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
