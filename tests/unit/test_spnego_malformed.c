/*
 * test_spnego_malformed.c: the SPNEGO codec on hostile input: each
 * rejection rule with its reason, the caps, every truncation of every
 * vector, and a bit-flip loop whose survivors must rebuild stably.
 */
#include "spnego_fixtures.h"

#define INVALID NT_STATUS_INVALID_PARAMETER

static const char not_der[] = "SPNEGO token is BER, not DER (a length, INTEGER, ENUMERATED or "
			      "string not in its one DER form)";
static const char no_decode[] = "SPNEGO token does not decode as a NegotiationToken";

#define NEGOEX_LIST "a00e300c060a2b06010401823702021e"

static const struct {
	const char *name, *hex, *reason;
} bad_cases[] = {
	{ "trailing byte", "a1073005a0030a010000", "SPNEGO token: trailing bytes after the DER value" },
	{ "non-minimal length", "a181073005a0030a0100", not_der },
	{ "indefinite length", "a1803005a0030a01000000", not_der },
	{ "negState 4", "a1073005a0030a0104", "SPNEGO negState is not one of RFC 4178's four" },
	{ "negState non-minimal (OpenSSL refuses it)", "a1083006a0040a020001", no_decode },
	{ "unknown NegTokenResp field [4]", "a10c300aa0030a0100a403040100", no_decode },
	{ "fields out of order", "a10c300aa2030401000a0100a003", no_decode },
	{ "unknown NegotiationToken choice [2]", "a2073005a0030a0100", no_decode },
	{ "framed NegTokenResp", "601106062b0601050502a1073005a0030a0100",
	  "SPNEGO: a NegTokenResp inside the InitialContextToken framing" },
	{ "framing length not minimal", "60811106062b0601050502a1073005a0030a0100",
	  "GSS token: [APPLICATION 0] length not in DER form or bytes after the token" },
	{ "byte after the framing", "601106062b0601050502a1073005a0030a010000",
	  "GSS token: [APPLICATION 0] length not in DER form or bytes after the token" },
	{ "framing length past the end", "601206062b0601050502a1073005a0030a0100",
	  "GSS token: the [APPLICATION 0] length runs past the end" },
	{ "framing indefinite", "608006062b0601050502a1073005a0030a01000000",
	  "GSS token: indefinite length (RFC 2743 3.1 requires DER)" },
	{ "framing without OID", "6003a10100", "GSS token: thisMech is not a valid OID" },
	{ "framing OID not minimal", "6005068102 2b06", "GSS token: thisMech is not an OID in DER "
							"form of at most 32 bytes" },
	{ "framing OID with a context tag", "60098606 2b0601050502 00", "GSS token: thisMech is not "
								"an OID in DER form of at most 32 bytes" },
	{ "NegTokenInit without mechTypes", "a0073005a203040100", no_decode },
	{ "mechListMIC at [3] and [4]", "a01c301a" NEGOEX_LIST "a303040100a403040100",
	  "SPNEGO NegTokenInit has a mechListMIC at [3] and another at [4]" },
	{ "reqFlags unused bits not zero", "a0183016" NEGOEX_LIST "a10403020141", not_der },
	{ "reqFlags of 40 bits", "a01c301a" NEGOEX_LIST "a1080306000102030405",
	  "SPNEGO reqFlags longer than 32 bits" },
	{ "OID with a padded arc", "a0083006a0043002068001", no_decode },
	{ "constructed OCTET STRING", "a0193017" NEGOEX_LIST "a2052403040100", not_der },
	{ "negHints not a SEQUENCE", "a0183016" NEGOEX_LIST "a30431020000", no_decode },
	{ "hintName not a GeneralString", "a01a3018" NEGOEX_LIST "a3063004a0020c00", no_decode },
};

static void test_bad_cases(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);

	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		char *hex = talloc_strdup(t, bad_cases[i].hex);
		struct spnego_token *tok = NULL;
		const char *why = NULL;
		size_t len, w = 0;
		uint8_t *buf;
		NTSTATUS status;

		for (size_t r = 0; hex[r] != '\0'; r++) {
			if (hex[r] != ' ') {
				hex[w++] = hex[r];
			}
		}
		hex[w] = '\0';
		buf = hex_bytes(t, hex, &len);
		status = spnego_token_parse(t, buf, len, &tok, &why);
		if (!NT_STATUS_EQUAL(status, INVALID) || tok != NULL || why == NULL ||
		    strcmp(why, bad_cases[i].reason) != 0) {
			fail_msg("%s: got %s (%s)", bad_cases[i].name, crypto_status_name(status),
				 why != NULL ? why : "no reason");
		}
	}
	talloc_free(t);
}

static void test_caps(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct spnego_oid mechs[SPNEGO_MAX_MECH_TYPES + 1];
	struct spnego_neg_token_init in = { .num_mech_types = SPNEGO_MAX_MECH_TYPES + 1,
					    .mech_types = mechs };
	struct spnego_token tok = { .type = SPNEGO_NEG_TOKEN_INIT, .init = &in }, *back = NULL;
	uint8_t *out = NULL, *buf;
	size_t n = 0;
	const char *why = NULL;

	for (size_t i = 0; i < SPNEGO_MAX_MECH_TYPES + 1; i++) {
		mechs[i] = spnego_oid_ntlm;
	}
	assert_true(NT_STATUS_EQUAL(spnego_token_build(t, &tok, &out, &n, &why), INVALID));
	assert_string_equal(why, "SPNEGO mechTypes lists more than 32 mechanisms");
	in.num_mech_types = SPNEGO_MAX_MECH_TYPES;
	assert_true(NT_STATUS_IS_OK(spnego_token_build(t, &tok, &out, &n, &why)));
	back = parse_ok(t, out, n);
	assert_int_equal(back->init->num_mech_types, SPNEGO_MAX_MECH_TYPES);

	/* 33 mechanisms on the wire: a0 | 30 | a0 | 30 | 33 x 06 0a ntlm */
	buf = talloc_zero_array(t, uint8_t, 16 + 33 * 12);
	assert_non_null(buf);
	memcpy(buf, "\xa0\x82\x01\x98\x30\x82\x01\x94\xa0\x82\x01\x90\x30\x82\x01\x8c", 16);
	for (size_t i = 0; i < 33; i++) {
		memcpy(buf + 16 + 12 * i, "\x06\x0a\x2b\x06\x01\x04\x01\x82\x37\x02\x02\x0a", 12);
	}
	back = NULL;
	assert_true(NT_STATUS_EQUAL(spnego_token_parse(t, buf, 16 + 33 * 12, &back, &why), INVALID));
	assert_null(back);
	assert_string_equal(why, "SPNEGO mechTypes lists more than 32 mechanisms");

	/* an OID of 33 content bytes */
	in.num_mech_types = 1;
	mechs[0].len = 33;
	assert_true(NT_STATUS_EQUAL(spnego_token_build(t, &tok, &out, &n, &why), INVALID));
	buf = talloc_zero_array(t, uint8_t, 43);
	memcpy(buf, "\xa0\x29\x30\x27\xa0\x25\x30\x23\x06\x21\x2b", 11);
	memset(buf + 11, 0x01, 32);
	assert_true(NT_STATUS_EQUAL(spnego_token_parse(t, buf, 43, &back, &why), INVALID));
	assert_string_equal(why, "SPNEGO: an OID longer than 32 bytes");

	/* the token size cap, before any decoding */
	buf = talloc_zero_array(t, uint8_t, SPNEGO_MAX_TOKEN_LEN + 1);
	assert_true(NT_STATUS_EQUAL(spnego_token_parse(t, buf, SPNEGO_MAX_TOKEN_LEN + 1, &back, &why),
				    INVALID));
	assert_string_equal(why, "SPNEGO token longer than 2 MiB");
	assert_true(NT_STATUS_EQUAL(spnego_token_parse(t, buf, 0, &back, &why), INVALID));
	assert_string_equal(why, "SPNEGO token is empty");
	assert_true(NT_STATUS_EQUAL(spnego_token_parse(t, NULL, 5, &back, &why), INVALID));
	talloc_free(t);
}

/* Every strict prefix of every vector fails, with a reason, no output. */
static void test_truncation(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);

	for (size_t v = 0; v < sizeof(spnego_vector_names) / sizeof(spnego_vector_names[0]); v++) {
		size_t len = 0;
		uint8_t *buf = spnego_vector(t, spnego_vector_names[v], &len);

		for (size_t n = 0; n < len; n++) {
			struct spnego_token *tok = NULL;
			const char *why = NULL;
			uint8_t *copy = talloc_memdup(t, buf, n + 1);

			if (!NT_STATUS_EQUAL(spnego_token_parse(t, copy, n, &tok, &why), INVALID) ||
			    tok != NULL || why == NULL) {
				fail_msg("%s cut at %zu parsed", spnego_vector_names[v], n);
			}
			talloc_free(copy);
		}
	}
	talloc_free(t);
}

/* Each single bit flip either fails cleanly or gives a token whose
 * rebuild parses and rebuilds to the same bytes. */
static void test_mutation(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	size_t survivors = 0;

	for (size_t v = 0; v < sizeof(spnego_vector_names) / sizeof(spnego_vector_names[0]); v++) {
		size_t len = 0;
		uint8_t *buf = spnego_vector(t, spnego_vector_names[v], &len);

		for (size_t i = 0; i < len * 8; i++) {
			TALLOC_CTX *s = talloc_new(t);
			struct spnego_token *tok = NULL, *again = NULL;
			const char *why = NULL;
			uint8_t *out1, *out2;
			size_t n1, n2;
			NTSTATUS status;

			buf[i / 8] ^= (uint8_t)(1U << (i % 8));
			status = spnego_token_parse(s, buf, len, &tok, &why);
			if (NT_STATUS_IS_OK(status)) {
				survivors++;
				assert_true(NT_STATUS_IS_OK(spnego_token_build(s, tok, &out1, &n1, &why)));
				again = parse_ok(s, out1, n1);
				assert_true(NT_STATUS_IS_OK(spnego_token_build(s, again, &out2, &n2, &why)));
				assert_int_equal(n1, n2);
				assert_memory_equal(out1, out2, n1);
			} else if (tok != NULL || why == NULL ||
				   !(NT_STATUS_EQUAL(status, INVALID) ||
				     NT_STATUS_EQUAL(status, NT_STATUS_NOT_SUPPORTED))) {
				fail_msg("%s bit %zu: bad failure", spnego_vector_names[v], i);
			}
			buf[i / 8] ^= (uint8_t)(1U << (i % 8));
			talloc_free(s);
		}
	}
	/* flips inside the NEGOEX payload leave valid SPNEGO */
	assert_true(survivors > 1000);
	talloc_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_cases),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_mutation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
