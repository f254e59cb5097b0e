/*
 * test_spnego_http.c: RFC 4559 header values and base64
 * (crypto/spnego/http.c): RFC 4648's test vectors, padding, the alphabet,
 * canonical form, and the header forms with the MIT token inside.
 */
#include "spnego_fixtures.h"

#include <openssl/evp.h>

static void assert_b64(const char *text, const char *want)
{
	TALLOC_CTX *t = talloc_new(NULL);
	uint8_t *out = NULL;
	size_t n = 0;
	const char *why = NULL;

	if (!NT_STATUS_IS_OK(spnego_base64_decode(t, text, strlen(text), &out, &n, &why))) {
		fail_msg("%s: %s", text, why);
	}
	assert_int_equal(n, strlen(want));
	assert_memory_equal(out, want, n);
	talloc_free(t);
}

static void assert_b64_bad(const char *text, const char *reason)
{
	TALLOC_CTX *t = talloc_new(NULL);
	uint8_t *out = NULL;
	size_t n = 0;
	const char *why = NULL;

	assert_true(NT_STATUS_EQUAL(spnego_base64_decode(t, text, strlen(text), &out, &n, &why),
				    NT_STATUS_INVALID_PARAMETER));
	assert_null(out);
	assert_string_equal(why, reason);
	talloc_free(t);
}

static void test_base64(void **state)
{
	/* RFC 4648 section 10 */
	assert_b64("Zg==", "f");
	assert_b64("Zm8=", "fo");
	assert_b64("Zm9v", "foo");
	assert_b64("Zm9vYg==", "foob");
	assert_b64("Zm9vYmE=", "fooba");
	assert_b64("Zm9vYmFy", "foobar");
	/* padding optional */
	assert_b64("Zg", "f");
	assert_b64("Zm9vYmE", "fooba");
	assert_b64_bad("", "base64: empty");
	assert_b64_bad("Zm9v YmFy", "base64: a character outside the alphabet, or '=' before the end");
	assert_b64_bad("Zm=v", "base64: a character outside the alphabet, or '=' before the end");
	assert_b64_bad("Zm9-", "base64: a character outside the alphabet, or '=' before the end");
	assert_b64_bad("Zg===", "base64: a character outside the alphabet, or '=' before the end");
	assert_b64_bad("Z", "base64: length is not a whole number of groups");
	assert_b64_bad("Zg=", "base64: length is not a whole number of groups");
	/* "Zh==" carries a non-zero unused bit: not canonical */
	assert_b64_bad("Zh==", "base64: not in canonical form (non-zero bits in the last group)");
}

static void test_http_header(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	size_t len = 0, n = 0;
	uint8_t *token = spnego_vector(t, "MIT_HOPS1_INIT", &len);
	static const char *const forms[][2] = {
		{ "Authorization: Negotiate ", "" },
		{ "WWW-Authenticate: Negotiate ", "" },
		{ "Proxy-Authorization: Negotiate ", "" },
		{ "  authorization:Negotiate   ", "\r\n" },
		{ "Negotiate ", "" },
		{ "NEGOTIATE ", "" },
	};
	static const struct {
		const char *text, *reason;
	} bad[] = {
		{ "Negotiate", "HTTP header: a bare Negotiate challenge, no token" },
		{ "WWW-Authenticate: Negotiate  ", "HTTP header: a bare Negotiate challenge, no token" },
		{ "Authorization: NTLM TlRMTVNTUAABAAAA", "HTTP header: the scheme is not Negotiate" },
		{ "Authorization: Negotiated YII=", "HTTP header: the scheme is not Negotiate" },
		{ "Accept: Negotiate YII=", "HTTP header: the scheme is not Negotiate" },
		{ "Negotiate YII*", "base64: a character outside the alphabet, or '=' before the end" },
	};
	char *b64 = talloc_array(t, char, len * 2 + 4);
	uint8_t *out = NULL;
	const char *why = NULL;

	assert_non_null(b64);
	assert_int_equal(EVP_EncodeBlock((unsigned char *)b64, token, (int)len) > 0, 1);
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		char *text = talloc_asprintf(t, "%s%s%s", forms[i][0], b64, forms[i][1]);

		assert_non_null(text);
		if (!NT_STATUS_IS_OK(spnego_http_negotiate_decode(t, text, strlen(text), &out, &n,
								  &why))) {
			fail_msg("%s: %s", forms[i][0], why);
		}
		assert_int_equal(n, len);
		assert_memory_equal(out, token, len);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		out = NULL;
		assert_true(NT_STATUS_EQUAL(spnego_http_negotiate_decode(t, bad[i].text,
									 strlen(bad[i].text), &out,
									 &n, &why),
					    NT_STATUS_INVALID_PARAMETER));
		assert_null(out);
		assert_string_equal(why, bad[i].reason);
	}
	talloc_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_http_header),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
