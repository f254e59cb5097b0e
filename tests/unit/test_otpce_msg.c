/*
 * test_otpce_msg.c: the OTPCE message codec (otpce/msg) on the spec's
 * examples (MS-OTPCE section 4, copied into tests/vectors/otpce/), round
 * trips through the builders, the builders' refusals, and the HTTP header
 * rules (1.7, 2.2).  Hostile input: test_otpce_msg_malformed.c.
 */
#include "otpce_msg_fixtures.h"

/* 4.4: a valid document whose certRequest "asdf" is base64 for three bytes
 * that are no PKCS#10: the codec accepts it; the server answers OtherError
 * at step 1 (3.2.5.1), as the example's response shows. */
static void test_example_4_4_request(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	size_t len;
	uint8_t *buf = vector(t, "example_4_4_request.xml", &len);
	struct otpce_sign_cert_request *req = NULL;
	const char *reason = NULL;
	static const uint8_t asdf[] = { 0x6a, 0xc7, 0x5f };

	assert_true(NT_STATUS_IS_OK(otpce_sign_cert_request_parse(t, buf, len, &req, &reason)));
	assert_string_equal(req->username, "domain1\\user1");
	assert_string_equal((const char *)req->one_time_password->data, "Pa$$word1");
	assert_int_equal(req->one_time_password->len, 9);
	assert_int_equal(req->cert_request_len, 3);
	assert_memory_equal(req->cert_request, asdf, 3);
	talloc_free(t);
}

/* 4.3: the certRequest spans lines (attribute-value normalization makes
 * them spaces; base64Binary collapses them). */
static void test_example_4_3_request(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	size_t len;
	uint8_t *buf = vector(t, "example_4_3_request.xml", &len);
	struct otpce_sign_cert_request *req = NULL;
	const char *reason = NULL;

	assert_true(NT_STATUS_IS_OK(otpce_sign_cert_request_parse(t, buf, len, &req, &reason)));
	assert_string_equal(req->username, "domain1\\user1");
	assert_string_equal((const char *)req->one_time_password->data, "05278361");
	/* The example's base64 is damaged in print (its DER does not parse
	 * as PKCS#10) but is lexically valid base64Binary. */
	assert_true(req->cert_request_len > 800);
	assert_int_equal(req->cert_request[0], 0x30);
	talloc_free(t);
}

/* 4.2 as our copy of the specification prints it: the request's text is
 * spliced with the tail of the 4.1 response (it ends in
 * </signCertResponse>), so it is not well-formed and is refused. */
static void test_example_4_2_request_as_printed(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	size_t len;
	uint8_t *buf = vector(t, "example_4_2_request_as_printed.xml", &len);
	struct otpce_sign_cert_request *req = NULL;
	const char *reason = NULL;

	assert_true(NT_STATUS_EQUAL(otpce_sign_cert_request_parse(t, buf, len, &req, &reason),
				    NT_STATUS_INVALID_PARAMETER));
	assert_non_null(strstr(reason, "well-formed"));
	talloc_free(t);
}

static void check_response_vector(const char *name, enum otpce_status want)
{
	TALLOC_CTX *t = talloc_new(NULL);
	size_t len, blen;
	uint8_t *buf = vector(t, name, &len), *built;
	struct otpce_sign_cert_response *resp = NULL, rebuilt = { .status = want };
	const char *reason = NULL;

	assert_true(NT_STATUS_IS_OK(otpce_sign_cert_response_parse(t, buf, len, &resp, &reason)));
	assert_int_equal(resp->status, want);
	assert_null(resp->signed_cert_request);
	assert_int_equal(resp->num_issuing_cas, 0);
	/* Ours says the same thing (the bytes differ: our declaration and
	 * attribute order are libxml2's). */
	assert_true(NT_STATUS_IS_OK(otpce_sign_cert_response_build(t, &rebuilt, &built, &blen,
								   &reason)));
	assert_true(NT_STATUS_IS_OK(otpce_sign_cert_response_parse(t, built, blen, &resp, &reason)));
	assert_int_equal(resp->status, want);
	talloc_free(t);
}

static void test_example_responses(void **state)
{
	check_response_vector("example_4_2_response.xml", OTPCE_STATUS_AUTHENTICATION_ERROR);
	check_response_vector("example_4_3_response.xml", OTPCE_STATUS_CHALLENGE_RESPONSE_REQUIRED);
}

/*
 * The spec's 4.4 response carries certificate="", an attribute the schema
 * of Appendix A does not have: it does not validate, the parser refuses
 * it, and our OtherError response is the same minus that attribute.
 */
static void test_example_4_4_response_breaks_schema(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	size_t len, blen;
	uint8_t *buf = vector(t, "example_4_4_response.xml", &len), *built;
	struct otpce_sign_cert_response *resp = NULL, other = { .status = OTPCE_STATUS_OTHER_ERROR };
	const char *reason = NULL;

	assert_true(NT_STATUS_EQUAL(otpce_sign_cert_response_parse(t, buf, len, &resp, &reason),
				    NT_STATUS_INVALID_PARAMETER));
	assert_non_null(strstr(reason, "schema"));
	assert_true(NT_STATUS_IS_OK(otpce_sign_cert_response_build(t, &other, &built, &blen,
								   &reason)));
	assert_null(memmem(built, blen, "certificate", strlen("certificate")));
	assert_non_null(memmem(built, blen, "statusCode=\"OtherError\"",
			       strlen("statusCode=\"OtherError\"")));
	talloc_free(t);
}

/* The 4.1 response as printed in our copy is only its tail (the base64
 * and the IssuingCA): not a document. */
static void test_example_4_1_fragment(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	size_t len;
	uint8_t *buf = vector(t, "example_4_1_response_fragment.txt", &len);
	struct otpce_sign_cert_response *resp = NULL;
	const char *reason = NULL;

	assert_true(NT_STATUS_EQUAL(otpce_sign_cert_response_parse(t, buf, len, &resp, &reason),
				    NT_STATUS_INVALID_PARAMETER));
	talloc_free(t);
}

static void test_request_round_trip(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	uint8_t csr[3000];
	struct otpce_sign_cert_request in = { .username = "DOMAIN1\\J\xc3\xa9r\xc3\xb4me <&>\"'" };
	struct otpce_sign_cert_request *back = NULL;
	struct crypto_secret *xml = NULL;
	const char *reason = NULL;

	for (size_t i = 0; i < sizeof(csr); i++) {
		csr[i] = (uint8_t)(i * 7 + 3);
	}
	in.cert_request = csr;
	in.cert_request_len = sizeof(csr);
	in.one_time_password = crypto_secret_dup(t, (const uint8_t *)"12 34\t&<\"x", 10);
	assert_true(NT_STATUS_IS_OK(otpce_sign_cert_request_build(t, &in, &xml, &reason)));
	assert_non_null(memmem(xml->data, xml->len, "xmlns=\"" NS "\"", strlen(NS) + 8));
	assert_true(NT_STATUS_IS_OK(otpce_sign_cert_request_parse(t, xml->data, xml->len, &back,
								  &reason)));
	assert_string_equal(back->username, in.username);
	assert_int_equal(back->one_time_password->len, 10);
	assert_memory_equal(back->one_time_password->data, "12 34\t&<\"x", 10);
	assert_int_equal(back->cert_request_len, sizeof(csr));
	assert_memory_equal(back->cert_request, csr, sizeof(csr));
	talloc_free(t);
}

static void test_request_build_refusals(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	uint8_t csr[1] = { 0x30 };
	char long_name[OTPCE_USERNAME_MAX_LEN + 2];
	struct otpce_sign_cert_request in = { .username = "D\\u", .cert_request = csr,
					      .cert_request_len = 1 };
	struct crypto_secret *xml = NULL;
	const char *reason = NULL;

	in.one_time_password = crypto_secret_dup(t, (const uint8_t *)"1", 1);
	/* A control character is no XML character: refused, not emitted. */
	in.username = "D\\u\x01";
	assert_true(NT_STATUS_EQUAL(otpce_sign_cert_request_build(t, &in, &xml, &reason),
				    NT_STATUS_INVALID_PARAMETER));
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	in.username = long_name;
	assert_true(NT_STATUS_EQUAL(otpce_sign_cert_request_build(t, &in, &xml, &reason),
				    NT_STATUS_INVALID_PARAMETER));
	in.username = "";
	assert_true(NT_STATUS_EQUAL(otpce_sign_cert_request_build(t, &in, &xml, &reason),
				    NT_STATUS_INVALID_PARAMETER));
	in.username = "D\\u";
	in.cert_request_len = 0;
	assert_true(NT_STATUS_EQUAL(otpce_sign_cert_request_build(t, &in, &xml, &reason),
				    NT_STATUS_INVALID_PARAMETER));
	assert_null(xml);
	talloc_free(t);
}

static void test_response_success_round_trip(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	uint8_t cms[1500];
	char *cas[] = { "DC1.domain1.corp.company.com\\RootCA-DC1", "ca2.example.com\\Issuing CA 2" };
	struct otpce_sign_cert_response in = { .status = OTPCE_STATUS_SUCCESS,
					       .signed_cert_request = cms,
					       .signed_cert_request_len = sizeof(cms),
					       .num_issuing_cas = 2, .issuing_cas = cas };
	struct otpce_sign_cert_response *back = NULL;
	uint8_t *xml;
	size_t len;
	const char *reason = NULL;

	for (size_t i = 0; i < sizeof(cms); i++) {
		cms[i] = (uint8_t)(255 - i);
	}
	assert_true(NT_STATUS_IS_OK(otpce_sign_cert_response_build(t, &in, &xml, &len, &reason)));
	assert_true(NT_STATUS_IS_OK(otpce_sign_cert_response_parse(t, xml, len, &back, &reason)));
	assert_int_equal(back->status, OTPCE_STATUS_SUCCESS);
	assert_int_equal(back->signed_cert_request_len, sizeof(cms));
	assert_memory_equal(back->signed_cert_request, cms, sizeof(cms));
	assert_int_equal(back->num_issuing_cas, 2);
	assert_string_equal(back->issuing_cas[0], cas[0]);
	assert_string_equal(back->issuing_cas[1], cas[1]);
	talloc_free(t);
}

static void test_response_build_refusals(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	uint8_t cms[4] = { 1, 2, 3, 4 };
	char *cas[] = { "ca.example.com\\CA" };
	char *bad_cas[] = { "ca\x01" };
	char *space_cas[] = { " ca " };
	struct otpce_sign_cert_response r = { .status = OTPCE_STATUS_SUCCESS };
	uint8_t *xml = NULL;
	size_t len;
	const char *reason = NULL;

	/* Success without SignedCertRequest or IssuingCA (3.2.5.1 step 6). */
	assert_true(NT_STATUS_EQUAL(otpce_sign_cert_response_build(t, &r, &xml, &len, &reason),
				    NT_STATUS_INVALID_PARAMETER));
	r.signed_cert_request = cms;
	r.signed_cert_request_len = 4;
	assert_true(NT_STATUS_EQUAL(otpce_sign_cert_response_build(t, &r, &xml, &len, &reason),
				    NT_STATUS_INVALID_PARAMETER));
	/* 2.2.3: "Otherwise, this field MUST be empty". */
	r.num_issuing_cas = 1;
	r.issuing_cas = cas;
	r.status = OTPCE_STATUS_AUTHENTICATION_ERROR;
	assert_true(NT_STATUS_EQUAL(otpce_sign_cert_response_build(t, &r, &xml, &len, &reason),
				    NT_STATUS_INVALID_PARAMETER));
	r.status = 7;
	assert_true(NT_STATUS_EQUAL(otpce_sign_cert_response_build(t, &r, &xml, &len, &reason),
				    NT_STATUS_INVALID_PARAMETER));
	r.status = OTPCE_STATUS_SUCCESS;
	r.issuing_cas = bad_cas;
	assert_true(NT_STATUS_EQUAL(otpce_sign_cert_response_build(t, &r, &xml, &len, &reason),
				    NT_STATUS_INVALID_PARAMETER));
	r.issuing_cas = space_cas;
	assert_true(NT_STATUS_EQUAL(otpce_sign_cert_response_build(t, &r, &xml, &len, &reason),
				    NT_STATUS_INVALID_PARAMETER));
	assert_null(xml);
	r.issuing_cas = cas;
	assert_true(NT_STATUS_IS_OK(otpce_sign_cert_response_build(t, &r, &xml, &len, &reason)));
	talloc_free(t);
}

/* A prefixed element in the right namespace is the same message (2.2.1:
 * the prefix is "not significant for interoperability"). */
static void test_prefixed_namespace(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct otpce_sign_cert_request *req = NULL;
	const char *reason = NULL;

	assert_true(NT_STATUS_IS_OK(parse_req_text(
		t, "<p:signCertRequest xmlns:p=\"" NS "\" " GOOD_ATTRS "/>", &req, &reason)));
	assert_string_equal(req->username, "DOM\\u1");
	/* Whitespace after the document is allowed (2.2.2), and a BOM. */
	assert_true(NT_STATUS_IS_OK(parse_req_text(t, GOOD_REQ "\n \r\n\t", &req, &reason)));
	assert_true(NT_STATUS_IS_OK(parse_req_text(t, "\xef\xbb\xbf" GOOD_REQ, &req, &reason)));
	talloc_free(t);
}

static void test_http_version(void **state)
{
	assert_true(otpce_http_version_ok("1.0"));
	assert_true(otpce_http_version_ok(" 1.0\t"));
	assert_false(otpce_http_version_ok(NULL));
	assert_false(otpce_http_version_ok(""));
	assert_false(otpce_http_version_ok("1.1"));
	assert_false(otpce_http_version_ok("1.0.0"));
	assert_false(otpce_http_version_ok("1"));
	assert_false(otpce_http_version_ok("1.0, 1.0"));
}

static void test_http_content_type(void **state)
{
	assert_true(otpce_http_content_type_ok(OTPCE_HTTP_CONTENT_TYPE));
	assert_true(otpce_http_content_type_ok("Application/xml;charset=utf-8"));
	assert_true(otpce_http_content_type_ok("application/xml; charset=\"UTF-8\""));
	assert_true(otpce_http_content_type_ok("application/xml"));
	assert_false(otpce_http_content_type_ok(NULL));
	assert_false(otpce_http_content_type_ok("text/xml;charset=utf-8"));
	assert_false(otpce_http_content_type_ok("application/xml;charset=utf-16"));
	assert_false(otpce_http_content_type_ok("application/xml;charset=utf-8;charset=utf-8"));
	assert_false(otpce_http_content_type_ok("application/xml;boundary=x"));
	assert_false(otpce_http_content_type_ok("application/xmlx"));
	assert_false(otpce_http_content_type_ok("application/xml;"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example_4_4_request),
		cmocka_unit_test(test_example_4_3_request),
		cmocka_unit_test(test_example_4_2_request_as_printed),
		cmocka_unit_test(test_example_responses),
		cmocka_unit_test(test_example_4_4_response_breaks_schema),
		cmocka_unit_test(test_example_4_1_fragment),
		cmocka_unit_test(test_request_round_trip),
		cmocka_unit_test(test_request_build_refusals),
		cmocka_unit_test(test_response_success_round_trip),
		cmocka_unit_test(test_response_build_refusals),
		cmocka_unit_test(test_prefixed_namespace),
		cmocka_unit_test(test_http_version),
		cmocka_unit_test(test_http_content_type),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
