/*
 * test_otpce_msg_malformed.c: the OTPCE message parsers on hostile input:
 * entity-expansion bombs, external entities, DTDs of every form, huge
 * attributes and bodies, bad base64, wrong namespace, junk before and
 * after the document, encodings, attributes and elements the schema does
 * not name; then a mutation loop over the spec's examples.  Each case is
 * refused as malformed input with the reason that names its rule.
 */
#include "otpce_msg_fixtures.h"

#include <time.h>

#define HEAD "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
#define OPEN "<signCertRequest xmlns=\"" NS "\" "

struct bad_case {
	const char *name;
	const char *text;
	const char *reason;
};

static const char DTD[] = "document type declaration";
static const char WF[] = "well-formed";
static const char SCHEMA[] = "schema";
static const char NSR[] = "namespace";
static const char AROUND[] = "surrounds";

static const struct bad_case bad_cases[] = {
	{ "billion laughs", HEAD
	  "<!DOCTYPE lolz [<!ENTITY lol \"lol\">"
	  "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
	  "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">"
	  "<!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">"
	  "<!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">"
	  "<!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">"
	  "<!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">"
	  "<!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">"
	  "<!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">]>"
	  OPEN "username=\"&lol9;\" oneTimePassword=\"1\" certRequest=\"MIIB\"/>", DTD },
	{ "quadratic blowup", HEAD "<!DOCTYPE a [<!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">]>"
	  OPEN "username=\"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\" "
	  "oneTimePassword=\"1\" certRequest=\"MIIB\"/>", DTD },
	{ "external entity (file)", HEAD "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
	  OPEN "username=\"&x;\" oneTimePassword=\"1\" certRequest=\"MIIB\"/>", DTD },
	{ "external entity (http)", HEAD
	  "<!DOCTYPE r [<!ENTITY x SYSTEM \"http://127.0.0.84:9/x\">]>"
	  OPEN "username=\"&x;\" oneTimePassword=\"1\" certRequest=\"MIIB\"/>", DTD },
	{ "parameter entity", HEAD
	  "<!DOCTYPE r [<!ENTITY % p SYSTEM \"file:///etc/passwd\"> %p;]>" GOOD_REQ, DTD },
	{ "external DTD", HEAD "<!DOCTYPE signCertRequest SYSTEM \"file:///etc/passwd\">"
	  OPEN GOOD_ATTRS "/>", DTD },
	{ "empty DOCTYPE", HEAD "<!DOCTYPE signCertRequest>" OPEN GOOD_ATTRS "/>", DTD },
	{ "undeclared entity", OPEN "username=\"&x;\" oneTimePassword=\"1\" certRequest=\"MIIB\"/>",
	  WF },
	{ "bad base64: alphabet", OPEN "username=\"D\\u\" oneTimePassword=\"1\" certRequest=\"MI-B\"/>",
	  SCHEMA },
	{ "bad base64: length", OPEN "username=\"D\\u\" oneTimePassword=\"1\" certRequest=\"MIIBx\"/>",
	  SCHEMA },
	{ "bad base64: data after padding",
	  OPEN "username=\"D\\u\" oneTimePassword=\"1\" certRequest=\"MI==MIIB\"/>", SCHEMA },
	{ "bad base64: three pads", OPEN "username=\"D\\u\" oneTimePassword=\"1\" certRequest=\"M===\"/>",
	  SCHEMA },
	{ "bad base64: empty", OPEN "username=\"D\\u\" oneTimePassword=\"1\" certRequest=\"\"/>",
	  "certRequest is empty" },
	{ "bad base64: only whitespace",
	  OPEN "username=\"D\\u\" oneTimePassword=\"1\" certRequest=\" &#xA; \"/>",
	  "certRequest is empty" },
	{ "wrong namespace", "<signCertRequest xmlns=\"http://schemas.microsoft.com/otpcep/1.1/protocol\" "
	  GOOD_ATTRS "/>", NSR },
	{ "no namespace", "<signCertRequest " GOOD_ATTRS "/>", NSR },
	{ "namespace on a prefix, element unprefixed",
	  "<signCertRequest xmlns:p=\"" NS "\" " GOOD_ATTRS "/>", NSR },
	{ "response where a request is due", "<signCertResponse xmlns=\"" NS "\" statusCode=\"Success\"/>",
	  "expected message" },
	{ "trailing junk", GOOD_REQ "junk", WF },
	{ "trailing second element", GOOD_REQ "<signCertRequest/>", WF },
	{ "trailing NUL", GOOD_REQ "\0", WF },
	{ "trailing comment", GOOD_REQ "<!-- c -->", AROUND },
	{ "trailing processing instruction", GOOD_REQ "<?pi x?>", AROUND },
	{ "leading comment", "<!-- c -->" OPEN GOOD_ATTRS "/>", AROUND },
	{ "leading junk", "x" GOOD_REQ, WF },
	{ "leading whitespace before the declaration", " " GOOD_REQ, WF },
	{ "truncated", HEAD OPEN "username=\"D\\u\" oneTimePassword=\"1\" certRequ", WF },
	{ "missing attribute", OPEN "username=\"D\\u\" certRequest=\"MIIB\"/>", SCHEMA },
	{ "unknown attribute", OPEN GOOD_ATTRS " certificate=\"\"/>", SCHEMA },
	{ "duplicate attribute", OPEN GOOD_ATTRS " username=\"x\"/>", WF },
	{ "xsi:type", OPEN GOOD_ATTRS " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
	  "xsi:nil=\"true\"/>", "" },
	{ "foreign-namespace attribute", OPEN GOOD_ATTRS " xmlns:f=\"urn:f\" f:x=\"1\"/>", "" },
	{ "child element", OPEN GOOD_ATTRS "><IssuingCA>x</IssuingCA></signCertRequest>", SCHEMA },
	{ "text content", OPEN GOOD_ATTRS ">text</signCertRequest>", SCHEMA },
	{ "empty username", OPEN "username=\"\" oneTimePassword=\"1\" certRequest=\"MIIB\"/>",
	  "username" },
	{ "empty password", OPEN "username=\"D\\u\" oneTimePassword=\"\" certRequest=\"MIIB\"/>",
	  "oneTimePassword" },
	{ "NUL in username (character reference)",
	  OPEN "username=\"D\\u&#0;x\" oneTimePassword=\"1\" certRequest=\"MIIB\"/>", WF },
	{ "control character", OPEN "username=\"D\\u\x01\" oneTimePassword=\"1\" certRequest=\"MIIB\"/>",
	  WF },
	{ "invalid UTF-8", OPEN "username=\"D\\u\xc3\x28\" oneTimePassword=\"1\" certRequest=\"MIIB\"/>",
	  WF },
	{ "UTF-16 declared", "<?xml version=\"1.0\" encoding=\"UTF-16\"?>" OPEN GOOD_ATTRS "/>",
	  "encoding" },
	{ "Latin-1 declared", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>" OPEN GOOD_ATTRS "/>",
	  "encoding" },
	{ "UTF-16 bytes", "\xff\xfe<\0s\0", WF },
	{ "XInclude", OPEN GOOD_ATTRS "><xi:include xmlns:xi=\"http://www.w3.org/2001/XInclude\" "
	  "href=\"file:///etc/passwd\"/></signCertRequest>", SCHEMA },
	{ "CDATA", OPEN GOOD_ATTRS "><![CDATA[x]]></signCertRequest>", SCHEMA },
};

static void test_bad_cases(void **state)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		print_message("case: %s\n", c->name);
		if (strcmp(c->name, "trailing NUL") == 0) {
			/* strlen stops at the NUL: parse it with its length. */
			TALLOC_CTX *t = talloc_new(NULL);
			struct otpce_sign_cert_request *req = NULL;
			const char *reason = NULL;
			assert_true(NT_STATUS_EQUAL(
				otpce_sign_cert_request_parse(t, (const uint8_t *)GOOD_REQ "\0",
							      sizeof(GOOD_REQ), &req, &reason),
				NT_STATUS_INVALID_PARAMETER));
			assert_non_null(strstr(reason, c->reason));
			talloc_free(t);
			continue;
		}
		assert_req_refused(c->text, c->reason);
	}
}

/* A body over OTPCE_MSG_MAX_LEN is refused before libxml2 sees it; a huge
 * attribute within the cap is refused by its own limit; a huge certRequest
 * by the decoded-size limit. */
static void test_huge(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	size_t big = OTPCE_MSG_MAX_LEN + 1;
	char *text = talloc_array(t, char, big + 1);
	struct otpce_sign_cert_request *req = NULL;
	const char *reason = NULL;
	int n;

	memset(text, ' ', big);
	n = snprintf(text, big, "%s", GOOD_REQ);
	text[n] = ' ';
	text[big] = '\0';
	assert_true(NT_STATUS_EQUAL(otpce_sign_cert_request_parse(t, (uint8_t *)text, big, &req,
								  &reason),
				    NT_STATUS_INVALID_PARAMETER));
	assert_non_null(strstr(reason, "OTPCE_MSG_MAX_LEN"));
	/* The same bytes one shorter are fine (trailing whitespace). */
	assert_true(NT_STATUS_IS_OK(otpce_sign_cert_request_parse(t, (uint8_t *)text, big - 1, &req,
								  &reason)));

	/* A 200 KB username. */
	text = talloc_asprintf(t, "%susername=\"%0200000d\" oneTimePassword=\"1\" certRequest=\"MIIB\"/>",
			       OPEN, 0);
	assert_req_refused(text, "username");
	/* A 200 KB password (one over the RADIUS limit is enough). */
	text = talloc_asprintf(t, "%susername=\"D\\u\" oneTimePassword=\"%0129d\" certRequest=\"MIIB\"/>",
			       OPEN, 0);
	assert_req_refused(text, "oneTimePassword");
	/* certRequest decoding to over OTPCE_CERT_REQUEST_MAX_LEN. */
	{
		size_t chars = (OTPCE_CERT_REQUEST_MAX_LEN / 3 + 4) * 4;
		char *b64 = talloc_array(t, char, chars + 1);
		memset(b64, 'A', chars);
		b64[chars] = '\0';
		text = talloc_asprintf(t, "%susername=\"D\\u\" oneTimePassword=\"1\" certRequest=\"%s\"/>",
				       OPEN, b64);
		assert_req_refused(text, "size limit");
	}
	/* Many namespace declarations, within the cap. */
	{
		char *decls = talloc_strdup(t, "");
		for (int i = 0; i < 2000; i++) {
			decls = talloc_asprintf_append(decls, " xmlns:n%d=\"urn:%d\"", i, i);
		}
		text = talloc_asprintf(t, "%s%s %s/>", OPEN, decls, GOOD_ATTRS);
		assert_true(NT_STATUS_IS_OK(parse_req_text(t, text, &req, &reason)));
	}
	/* Deep nesting inside the root. */
	{
		char *deep = talloc_strdup(t, OPEN GOOD_ATTRS ">");
		for (int i = 0; i < 5000; i++) {
			deep = talloc_strdup_append(deep, "<a>");
		}
		assert_req_refused(deep, "");
	}
	talloc_free(t);
}

/* The bombs are refused quickly: the DTD is never read. */
static void test_bomb_is_fast(void **state)
{
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < 100; i++) {
		assert_req_refused(bad_cases[0].text, DTD);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	assert_true(b.tv_sec - a.tv_sec < 5);
}

static void test_response_hostile(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct otpce_sign_cert_response *resp = NULL;
	const char *reason = NULL;
	static const char *const bad[] = {
		"<signCertResponse xmlns=\"" NS "\" statusCode=\"Maybe\"/>",
		"<signCertResponse xmlns=\"" NS "\"/>",
		"<signCertResponse xmlns=\"" NS "\" statusCode=\"OtherError\" SignedCertRequest=\"MIIB\"/>",
		"<signCertResponse xmlns=\"" NS "\" statusCode=\"OtherError\"><IssuingCA>x</IssuingCA>"
		"</signCertResponse>",
		"<signCertResponse xmlns=\"" NS "\" statusCode=\"Success\"/>",
		"<signCertResponse xmlns=\"" NS "\" statusCode=\"Success\" SignedCertRequest=\"MIIB\"/>",
		"<signCertResponse xmlns=\"" NS "\" statusCode=\"Success\" SignedCertRequest=\"MIIB\">"
		"<Other>x</Other></signCertResponse>",
		"<signCertResponse xmlns=\"" NS "\" statusCode=\"Success\" SignedCertRequest=\"MIIB\">"
		"<IssuingCA xmlns=\"urn:x\">x</IssuingCA></signCertResponse>",
		"<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
		"<signCertResponse xmlns=\"" NS "\" statusCode=\"Success\" SignedCertRequest=\"MIIB\">"
		"<IssuingCA>&e;</IssuingCA></signCertResponse>",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		print_message("response case %zu\n", i);
		assert_true(NT_STATUS_EQUAL(otpce_sign_cert_response_parse(t, (const uint8_t *)bad[i],
									   strlen(bad[i]), &resp,
									   &reason),
					    NT_STATUS_INVALID_PARAMETER));
		assert_null(resp);
	}
	talloc_free(t);
}

/* Mutation loop (sshbuf style): bit flips and truncations of the spec's
 * 4.3 and 4.4 requests never crash, and whatever parses still has the
 * parser's guarantees. */
static void test_mutations(void **state)
{
	static const char *const names[] = { "example_4_3_request.xml", "example_4_4_request.xml" };
	TALLOC_CTX *t = talloc_new(NULL);

	for (size_t v = 0; v < 2; v++) {
		size_t len;
		uint8_t *orig = vector(t, names[v], &len);
		uint8_t *buf = talloc_array(t, uint8_t, len);
		for (size_t i = 0; i < len; i += (v == 0 ? 7 : 1)) {
			for (int bit = 0; bit < 8; bit += 3) {
				struct otpce_sign_cert_request *req = NULL;
				const char *reason = NULL;
				NTSTATUS st;
				memcpy(buf, orig, len);
				buf[i] ^= (uint8_t)(1u << bit);
				st = otpce_sign_cert_request_parse(t, buf, len, &req, &reason);
				if (NT_STATUS_IS_OK(st)) {
					assert_true(strlen(req->username) > 0);
					assert_true(req->one_time_password->len <= OTPCE_OTP_MAX_LEN);
					assert_true(req->cert_request_len > 0);
					TALLOC_FREE(req);
				} else {
					assert_true(NT_STATUS_EQUAL(st, NT_STATUS_INVALID_PARAMETER));
					assert_non_null(reason);
				}
			}
			{
				struct otpce_sign_cert_request *req = NULL;
				const char *reason = NULL;
				/* Truncated before the closing "/>". */
				if (i + 3 < len) {
					assert_false(NT_STATUS_IS_OK(otpce_sign_cert_request_parse(
						t, orig, i, &req, &reason)));
				}
			}
		}
	}
	talloc_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_cases),
		cmocka_unit_test(test_huge),
		cmocka_unit_test(test_bomb_is_fast),
		cmocka_unit_test(test_response_hostile),
		cmocka_unit_test(test_mutations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
