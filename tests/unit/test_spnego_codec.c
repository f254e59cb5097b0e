/*
 * test_spnego_codec.c: the SPNEGO codec (crypto/spnego/spnego.h) on real
 * tokens: MIT krb5 1.20.1's NegTokenInit, NegTokenResp and NegTokenInit2
 * (tests/vectors/spnego/mit_spnego.txt), every field asserted, rebuilt
 * byte for byte; the mechTypes DER; the OID helpers; the framing of other
 * mechanisms; reqFlags in MIT's and in DER form.  Hostile input is in
 * test_spnego_malformed.c.
 */
#include "spnego_fixtures.h"

static const uint8_t negoex_list_der[] = { 0x30, 0x0c, 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04,
					   0x01, 0x82, 0x37, 0x02, 0x02, 0x1e };

static void test_mit_init(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	size_t len;
	uint8_t *buf = spnego_vector(t, "MIT_HOPS1_INIT", &len);
	struct spnego_token *tok = parse_ok(t, buf, len);
	const struct spnego_neg_token_init *in = tok->init;

	assert_int_equal(tok->type, SPNEGO_NEG_TOKEN_INIT);
	assert_true(tok->gss_framed);
	assert_null(tok->resp);
	assert_int_equal(in->num_mech_types, 1);
	assert_true(spnego_oid_equal(&in->mech_types[0], &spnego_oid_negoex));
	assert_false(in->has_req_flags);
	assert_non_null(in->mech_token);
	/* the NEGOEX token: 0x158 bytes at offset 44 of the vector */
	assert_int_equal(in->mech_token->len, 0x158);
	assert_memory_equal(in->mech_token->data, "NEGOEXTS", 8);
	assert_memory_equal(in->mech_token->data, buf + 44, 0x158);
	assert_null(in->mech_list_mic);
	assert_false(in->is_init2);
	assert_false(in->has_neg_hints);
	assert_bytes(&in->mech_types_der, negoex_list_der, sizeof(negoex_list_der));
	/* the DER that mechListMIC covers sits at offset 22 of the token */
	assert_memory_equal(buf + 22, negoex_list_der, sizeof(negoex_list_der));
	assert_rebuilds(t, tok, buf, len);
	talloc_free(t);
}

static void test_mit_resp(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	size_t len;
	uint8_t *buf = spnego_vector(t, "MIT_HOPS1_RESP", &len);
	struct spnego_token *tok = parse_ok(t, buf, len);
	const struct spnego_neg_token_resp *r = tok->resp;

	assert_int_equal(tok->type, SPNEGO_NEG_TOKEN_RESP);
	assert_false(tok->gss_framed);
	assert_null(tok->init);
	assert_true(r->has_neg_state);
	assert_int_equal(r->neg_state, SPNEGO_ACCEPT_COMPLETED);
	assert_string_equal(spnego_neg_state_name(r->neg_state), "accept-completed");
	assert_non_null(r->supported_mech);
	assert_true(spnego_oid_equal(r->supported_mech, &spnego_oid_negoex));
	assert_non_null(r->response_token);
	assert_int_equal(r->response_token->len, 0x10d);
	assert_memory_equal(r->response_token->data, "NEGOEXTS", 8);
	assert_null(r->mech_list_mic);
	assert_rebuilds(t, tok, buf, len);
	talloc_free(t);
}

/* The two-hop exchange: accept-incomplete both ways, then a bare negState. */
static void test_mit_two_hops(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	size_t len;
	uint8_t *buf = spnego_vector(t, "MIT_HOPS2_RESP1", &len);
	struct spnego_token *tok = parse_ok(t, buf, len);

	assert_int_equal(tok->resp->neg_state, SPNEGO_ACCEPT_INCOMPLETE);
	assert_true(spnego_oid_equal(tok->resp->supported_mech, &spnego_oid_negoex));
	assert_rebuilds(t, tok, buf, len);

	buf = spnego_vector(t, "MIT_HOPS2_RESP2", &len);
	tok = parse_ok(t, buf, len);
	assert_int_equal(tok->resp->neg_state, SPNEGO_ACCEPT_INCOMPLETE);
	assert_null(tok->resp->supported_mech);
	assert_int_equal(tok->resp->response_token->len, 0x5c);
	assert_null(tok->resp->mech_list_mic);
	assert_rebuilds(t, tok, buf, len);

	buf = spnego_vector(t, "MIT_HOPS2_RESP3", &len);
	assert_int_equal(len, 9);
	tok = parse_ok(t, buf, len);
	assert_true(tok->resp->has_neg_state);
	assert_int_equal(tok->resp->neg_state, SPNEGO_ACCEPT_COMPLETED);
	assert_null(tok->resp->supported_mech);
	assert_null(tok->resp->response_token);
	assert_null(tok->resp->mech_list_mic);
	assert_rebuilds(t, tok, buf, len);

	buf = spnego_vector(t, "MIT_HOPS2_INIT", &len);
	tok = parse_ok(t, buf, len);
	assert_int_equal(tok->init->mech_token->len, 0xfc);
	assert_rebuilds(t, tok, buf, len);
	talloc_free(t);
}

/* NegTokenInit2 (MS-SPNG 2.2.1) as MIT sends it for an empty token. */
static void test_mit_neghints(void **state)
{
	static const char hint[] = "not_defined_in_RFC4178@please_ignore";
	static const char *const names[] = { "MIT_NEGHINTS_NEGOEX", "MIT_NEGHINTS_KRB5" };
	TALLOC_CTX *t = talloc_new(NULL);

	for (size_t i = 0; i < 2; i++) {
		size_t len;
		uint8_t *buf = spnego_vector(t, names[i], &len);
		struct spnego_token *tok = parse_ok(t, buf, len);
		const struct spnego_neg_token_init *in = tok->init;

		assert_true(tok->gss_framed);
		assert_int_equal(in->num_mech_types, 1);
		assert_true(spnego_oid_equal(&in->mech_types[0],
					     i == 0 ? &spnego_oid_negoex : &spnego_oid_krb5));
		assert_true(in->is_init2);
		assert_true(in->has_neg_hints);
		assert_bytes(in->hint_name, hint, strlen(hint));
		assert_null(in->hint_address);
		assert_null(in->mech_token);
		assert_null(in->mech_list_mic);
		assert_rebuilds(t, tok, buf, len);
	}
	talloc_free(t);
}

static void test_mech_types_der(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct spnego_oid mechs[4] = { spnego_oid_negoex, spnego_oid_ms_krb5, spnego_oid_krb5,
				       spnego_oid_ntlm };
	uint8_t *der = NULL;
	size_t n = 0;
	const char *why = NULL;
	size_t len;
	uint8_t *want = hex_bytes(t,
				  "302e060a2b06010401823702021e06092a864882f71201020206092a864886f7"
				  "12010202060a2b06010401823702020a",
				  &len);

	assert_true(NT_STATUS_IS_OK(spnego_mech_types_der(t, mechs, 1, &der, &n, &why)));
	assert_int_equal(n, sizeof(negoex_list_der));
	assert_memory_equal(der, negoex_list_der, n);
	assert_true(NT_STATUS_IS_OK(spnego_mech_types_der(t, mechs, 4, &der, &n, &why)));
	assert_int_equal(n, len);
	assert_memory_equal(der, want, len);
	assert_true(NT_STATUS_IS_OK(spnego_mech_types_der(t, mechs, 0, &der, &n, &why)));
	assert_int_equal(n, 2);
	assert_memory_equal(der, "\x30\x00", 2);
	/* an invalid OID encoding (last byte with the high bit) is refused */
	mechs[0].bytes[mechs[0].len - 1] = 0x9e;
	assert_true(NT_STATUS_EQUAL(spnego_mech_types_der(t, mechs, 1, &der, &n, &why),
				    NT_STATUS_INVALID_PARAMETER));
	talloc_free(t);
}

static void test_oids(void **state)
{
	static const struct {
		const struct spnego_oid *oid;
		const char *name, *dotted;
	} known[] = {
		{ &spnego_oid_spnego, "SPNEGO", "1.3.6.1.5.5.2" },
		{ &spnego_oid_negoex, "NEGOEX", "1.3.6.1.4.1.311.2.2.30" },
		{ &spnego_oid_krb5, "Kerberos", "1.2.840.113554.1.2.2" },
		{ &spnego_oid_ms_krb5, "MS-Kerberos", "1.2.840.48018.1.2.2" },
		{ &spnego_oid_ntlm, "NTLM", "1.3.6.1.4.1.311.2.2.10" },
	};
	TALLOC_CTX *t = talloc_new(NULL);
	struct spnego_oid o;
	const char *why = NULL;

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		assert_string_equal(spnego_oid_name(known[i].oid), known[i].name);
		assert_string_equal(spnego_oid_string(t, known[i].oid), known[i].dotted);
		assert_true(NT_STATUS_IS_OK(spnego_oid_from_string(known[i].dotted, &o, &why)));
		assert_true(spnego_oid_equal(&o, known[i].oid));
	}
	assert_true(NT_STATUS_IS_OK(spnego_oid_from_string("2.25.1414534758", &o, &why)));
	assert_null(spnego_oid_name(&o));
	assert_string_equal(spnego_oid_string(t, &o), "2.25.1414534758");
	assert_true(NT_STATUS_EQUAL(spnego_oid_from_string("1.3.x", &o, &why),
				    NT_STATUS_INVALID_PARAMETER));
	assert_true(NT_STATUS_EQUAL(spnego_oid_from_string("", &o, &why),
				    NT_STATUS_INVALID_PARAMETER));
	assert_true(NT_STATUS_EQUAL(spnego_oid_from_string("commonName", &o, &why),
				    NT_STATUS_INVALID_PARAMETER));
	o.len = 2;
	o.bytes[0] = 0x2b;
	o.bytes[1] = 0x86; /* unterminated arc */
	assert_null(spnego_oid_string(t, &o));
	assert_string_equal(spnego_neg_state_name(SPNEGO_REQUEST_MIC), "request-mic");
	assert_string_equal(spnego_neg_state_name(SPNEGO_REJECT), "reject");
	assert_null(spnego_neg_state_name(4));
	talloc_free(t);
}

/* RFC 2743 3.1 framing of another mechanism (here a Kerberos AP-REQ,
 * whose innerContextToken starts with the TOK_ID 01 00). */
static void test_gss_header(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	static const uint8_t inner[] = { 0x01, 0x00, 0x6e, 0x03, 0x30, 0x01, 0x00 };
	uint8_t *buf = NULL;
	size_t len = 0, inner_len = 0;
	const uint8_t *p = NULL;
	struct spnego_oid mech;
	struct spnego_token *tok = NULL;
	const char *why = NULL;

	assert_true(NT_STATUS_IS_OK(spnego_gss_header_build(t, &spnego_oid_krb5, inner,
							    sizeof(inner), &buf, &len, &why)));
	assert_int_equal(len, 2 + 11 + sizeof(inner));
	assert_memory_equal(buf, "\x60\x12\x06\x09\x2a\x86\x48\x86\xf7\x12\x01\x02\x02", 13);
	assert_true(NT_STATUS_IS_OK(spnego_gss_header_parse(buf, len, &mech, &p, &inner_len,
							    &why)));
	assert_true(spnego_oid_equal(&mech, &spnego_oid_krb5));
	assert_int_equal(inner_len, sizeof(inner));
	assert_ptr_equal(p, buf + 13);
	why = NULL;
	assert_true(NT_STATUS_EQUAL(spnego_token_parse(t, buf, len, &tok, &why),
				    NT_STATUS_NOT_SUPPORTED));
	assert_null(tok);
	assert_string_equal(why, "InitialContextToken of another mechanism than SPNEGO");

	/* the SPNEGO vector's framing reads the same way */
	buf = spnego_vector(t, "MIT_HOPS1_INIT", &len);
	assert_true(NT_STATUS_IS_OK(spnego_gss_header_parse(buf, len, &mech, &p, &inner_len,
							    &why)));
	assert_true(spnego_oid_equal(&mech, &spnego_oid_spnego));
	assert_ptr_equal(p, buf + 12);
	assert_int_equal(p[0], 0xa0);
	talloc_free(t);
}

/* reqFlags: built in MIT's one-octet form (get_req_flags), read in both
 * that and DER form. */
static void test_req_flags(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct spnego_oid mech = spnego_oid_negoex;
	struct spnego_neg_token_init in = {
		.num_mech_types = 1, .mech_types = &mech, .has_req_flags = true,
		.req_flags = SPNEGO_REQ_FLAG_DELEG | SPNEGO_REQ_FLAG_MUTUAL,
	};
	struct spnego_token tok = { .type = SPNEGO_NEG_TOKEN_INIT, .init = &in };
	struct spnego_token *back;
	uint8_t *out = NULL, *der;
	size_t n = 0, len;
	const char *why = NULL;

	assert_true(NT_STATUS_IS_OK(spnego_token_build(t, &tok, &out, &n, &why)));
	/* a0 | 30 | a0 0e <mechTypes> | a1 04 03 02 01 c0 */
	assert_int_equal(n, 4 + 16 + 6);
	assert_memory_equal(out + n - 6, "\xa1\x04\x03\x02\x01\xc0", 6);
	back = parse_ok(t, out, n);
	assert_true(back->init->has_req_flags);
	assert_int_equal(back->init->req_flags, SPNEGO_REQ_FLAG_DELEG | SPNEGO_REQ_FLAG_MUTUAL);

	/* DER form of mutualFlag alone: 03 02 06 40 */
	der = hex_bytes(t, "a0183016a00e300c060a2b06010401823702021ea104030206" "40", &len);
	back = parse_ok(t, der, len);
	assert_int_equal(back->init->req_flags, SPNEGO_REQ_FLAG_MUTUAL);
	/* ... rebuilt in MIT's form */
	assert_true(NT_STATUS_IS_OK(spnego_token_build(t, back, &out, &n, &why)));
	assert_memory_equal(out + n - 3, "\x02\x01\x40", 3);

	/* all seven named flags, and a flag past them (DER, two octets) */
	in.req_flags = 0x7f;
	assert_true(NT_STATUS_IS_OK(spnego_token_build(t, &tok, &out, &n, &why)));
	assert_memory_equal(out + n - 3, "\x02\x01\xfe", 3);
	in.req_flags = 1U << 9;
	assert_true(NT_STATUS_IS_OK(spnego_token_build(t, &tok, &out, &n, &why)));
	assert_memory_equal(out + n - 4, "\x03\x06\x00\x40", 4);
	back = parse_ok(t, out, n);
	assert_int_equal(back->init->req_flags, 1U << 9);
	talloc_free(t);
}

/* Built tokens of each shape parse back to the same fields. */
static void test_build_shapes(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct spnego_oid mechs[2] = { spnego_oid_negoex, spnego_oid_ntlm };
	uint8_t tokbytes[3] = { 1, 2, 3 }, micbytes[2] = { 9, 8 }, addr[4] = { 127, 0, 0, 1 };
	struct spnego_bytes mt = { tokbytes, 3 }, mic = { micbytes, 2 }, hn = { (uint8_t *)"h", 1 },
			    ha = { addr, 4 };
	struct spnego_neg_token_init in = {
		.num_mech_types = 2, .mech_types = mechs, .mech_token = &mt, .mech_list_mic = &mic,
	};
	struct spnego_neg_token_resp resp = {
		.has_neg_state = true, .neg_state = SPNEGO_REQUEST_MIC, .supported_mech = &mechs[1],
		.response_token = &mt, .mech_list_mic = &mic,
	};
	struct spnego_token tok = { .type = SPNEGO_NEG_TOKEN_INIT, .gss_framed = true, .init = &in };
	struct spnego_token *back;
	uint8_t *out = NULL;
	size_t n = 0;
	const char *why = NULL;

	/* RFC 4178 NegTokenInit: mechListMIC at [3] */
	assert_true(NT_STATUS_IS_OK(spnego_token_build(t, &tok, &out, &n, &why)));
	assert_memory_equal(out + n - 6, "\xa3\x04\x04\x02\x09\x08", 6);
	back = parse_ok(t, out, n);
	assert_true(back->gss_framed);
	assert_false(back->init->is_init2);
	assert_int_equal(back->init->num_mech_types, 2);
	assert_true(spnego_oid_equal(&back->init->mech_types[1], &spnego_oid_ntlm));
	assert_bytes(back->init->mech_token, tokbytes, 3);
	assert_bytes(back->init->mech_list_mic, micbytes, 2);
	assert_rebuilds(t, back, out, n);

	/* NegTokenInit2: negHints at [3], mechListMIC at [4] */
	in.is_init2 = true;
	in.has_neg_hints = true;
	in.hint_name = &hn;
	in.hint_address = &ha;
	assert_true(NT_STATUS_IS_OK(spnego_token_build(t, &tok, &out, &n, &why)));
	assert_memory_equal(out + n - 6, "\xa4\x04\x04\x02\x09\x08", 6);
	back = parse_ok(t, out, n);
	assert_true(back->init->is_init2);
	assert_true(back->init->has_neg_hints);
	assert_bytes(back->init->hint_name, "h", 1);
	assert_bytes(back->init->hint_address, addr, 4);
	assert_bytes(back->init->mech_list_mic, micbytes, 2);
	assert_rebuilds(t, back, out, n);

	/* NegTokenInit2 without negHints: the mechListMIC still at [4] */
	in.has_neg_hints = false;
	assert_true(NT_STATUS_IS_OK(spnego_token_build(t, &tok, &out, &n, &why)));
	back = parse_ok(t, out, n);
	assert_true(back->init->is_init2);
	assert_false(back->init->has_neg_hints);
	assert_rebuilds(t, back, out, n);

	/* negHints outside a NegTokenInit2 is refused */
	in.is_init2 = false;
	in.has_neg_hints = true;
	assert_true(NT_STATUS_EQUAL(spnego_token_build(t, &tok, &out, &n, &why),
				    NT_STATUS_INVALID_PARAMETER));

	/* a full NegTokenResp; framing one is refused */
	tok.type = SPNEGO_NEG_TOKEN_RESP;
	tok.init = NULL;
	tok.resp = &resp;
	assert_true(NT_STATUS_EQUAL(spnego_token_build(t, &tok, &out, &n, &why),
				    NT_STATUS_INVALID_PARAMETER));
	tok.gss_framed = false;
	assert_true(NT_STATUS_IS_OK(spnego_token_build(t, &tok, &out, &n, &why)));
	back = parse_ok(t, out, n);
	assert_int_equal(back->resp->neg_state, SPNEGO_REQUEST_MIC);
	assert_true(spnego_oid_equal(back->resp->supported_mech, &spnego_oid_ntlm));
	assert_bytes(back->resp->response_token, tokbytes, 3);
	assert_bytes(back->resp->mech_list_mic, micbytes, 2);
	assert_rebuilds(t, back, out, n);
	talloc_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mit_init),     cmocka_unit_test(test_mit_resp),
		cmocka_unit_test(test_mit_two_hops), cmocka_unit_test(test_mit_neghints),
		cmocka_unit_test(test_mech_types_der), cmocka_unit_test(test_oids),
		cmocka_unit_test(test_gss_header),   cmocka_unit_test(test_req_flags),
		cmocka_unit_test(test_build_shapes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
