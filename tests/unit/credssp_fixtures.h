/*
 * credssp_fixtures.h: what the CredSSP codec tests share: the vectors of
 * tests/vectors/credssp/ ("NAME = hex" lines), field assertions, and the
 * parse-and-rebuild check per message kind.  Included by
 * test_credssp_msg.c (known answers) and test_credssp_malformed.c.
 */
#ifndef TESTS_UNIT_CREDSSP_FIXTURES_H
#define TESTS_UNIT_CREDSSP_FIXTURES_H

#include "helpers.h"
#include "credssp/credssp_msg.h"

#include <ctype.h>

/* ---- vectors: "NAME = hex" lines of the copied vector files ------------ */

static inline uint8_t *hex_vector(TALLOC_CTX *t, const char *file, const char *name, size_t *len)
{
	char path[256];

	snprintf(path, sizeof(path), "credssp/%s", file);
	return named_hex_vector(t, path, name, len);
}

static inline uint8_t *tsreq_vector(TALLOC_CTX *t, const char *name, size_t *len)
{
	return hex_vector(t, "tsrequest_pyspnego.txt", name, len);
}

static inline uint8_t *tscred_vector(TALLOC_CTX *t, const char *name, size_t *len)
{
	return hex_vector(t, "tscredentials_pyspnego.txt", name, len);
}

static inline void assert_octets(const struct credssp_octets *o, const void *want, size_t len)
{
	assert_non_null(o);
	assert_int_equal(o->len, len);
	assert_memory_equal(o->data, want, len);
}

/* assert_utf16 checks a wire string against UTF-8 text. */
static inline void assert_utf16(const struct credssp_octets *o, const char *want)
{
	TALLOC_CTX *t = talloc_new(NULL);
	char *s = NULL;

	assert_non_null(o);
	assert_true(NT_STATUS_IS_OK(credssp_octets_to_utf8(t, o, &s, NULL)));
	assert_string_equal(s, want);
	talloc_free(t);
}

static inline void assert_secret_utf16(const struct crypto_secret *p, const char *want)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct crypto_secret *s = NULL;

	assert_non_null(p);
	assert_true(NT_STATUS_IS_OK(credssp_secret_to_utf8(t, p, &s, NULL)));
	assert_string_equal((const char *)s->data, want);
	talloc_free(t);
}

/* ---- one parse-and-rebuild per message kind ----------------------------- */

enum kind { K_TSREQUEST, K_TSCREDENTIALS, K_PASSWORD, K_SMARTCARD, K_REMOTEGUARD };

/*
 * roundtrip parses |buf| as |k|; on success it must rebuild to the same
 * bytes; on failure the status must be INVALID_PARAMETER with a reason.
 */
static inline NTSTATUS roundtrip(enum kind k, const uint8_t *buf, size_t len)
{
	TALLOC_CTX *t = talloc_new(NULL);
	const char *reason = NULL;
	const uint8_t *again = NULL;
	size_t again_len = 0;
	struct crypto_secret *s = NULL;
	NTSTATUS status = NT_STATUS_INTERNAL_ERROR;

	switch (k) {
	case K_TSREQUEST: {
		struct credssp_tsrequest *r;
		uint8_t *b;
		status = credssp_tsrequest_parse(t, buf, len, &r, &reason);
		if (NT_STATUS_IS_OK(status)) {
			assert_true(NT_STATUS_IS_OK(credssp_tsrequest_build(t, r, &b, &again_len, NULL)));
			again = b;
		}
		break;
	}
	case K_TSCREDENTIALS: {
		struct credssp_tscredentials *r;
		status = credssp_tscredentials_parse(t, buf, len, &r, &reason);
		if (NT_STATUS_IS_OK(status)) {
			assert_true(NT_STATUS_IS_OK(credssp_tscredentials_build(t, r, &s, NULL)));
		}
		break;
	}
	case K_PASSWORD: {
		struct credssp_tspasswordcreds *r;
		status = credssp_tspasswordcreds_parse(t, buf, len, &r, &reason);
		if (NT_STATUS_IS_OK(status)) {
			assert_true(NT_STATUS_IS_OK(credssp_tspasswordcreds_build(t, r, &s, NULL)));
		}
		break;
	}
	case K_SMARTCARD: {
		struct credssp_tssmartcardcreds *r;
		status = credssp_tssmartcardcreds_parse(t, buf, len, &r, &reason);
		if (NT_STATUS_IS_OK(status)) {
			assert_true(NT_STATUS_IS_OK(credssp_tssmartcardcreds_build(t, r, &s, NULL)));
		}
		break;
	}
	case K_REMOTEGUARD: {
		struct credssp_tsremoteguardcreds *r;
		status = credssp_tsremoteguardcreds_parse(t, buf, len, &r, &reason);
		if (NT_STATUS_IS_OK(status)) {
			assert_true(NT_STATUS_IS_OK(credssp_tsremoteguardcreds_build(t, r, &s, NULL)));
		}
		break;
	}
	}
	if (s != NULL) {
		again = s->data;
		again_len = s->len;
	}
	if (NT_STATUS_IS_OK(status)) {
		assert_int_equal(again_len, len);
		assert_memory_equal(again, buf, len);
	} else {
		assert_true(NT_STATUS_EQUAL(status, NT_STATUS_INVALID_PARAMETER));
		assert_non_null(reason);
	}
	talloc_free(t);
	return status;
}

static const struct {
	enum kind kind;
	const char *file;
	const char *name;
} vectors[] __attribute__((unused)) = {
	{K_TSREQUEST, "tsrequest_pyspnego.txt", "TSREQ_ALL_FIELDS_V6"},
	{K_TSCREDENTIALS, "tscredentials_pyspnego.txt", "TSCRED_PASSWORD"},
	{K_TSCREDENTIALS, "tscredentials_pyspnego.txt", "TSCRED_SMARTCARD"},
	{K_TSCREDENTIALS, "tscredentials_pyspnego.txt", "TSCRED_SMARTCARD_FULL"},
	{K_TSCREDENTIALS, "tscredentials_pyspnego.txt", "TSCRED_REMOTEGUARD_MULTI"},
	{K_TSCREDENTIALS, "tscredentials_pyspnego.txt", "TSCRED_REMOTEGUARD_NO_SUPP"},
	{K_TSCREDENTIALS, "tscredentials_pyspnego.txt", "TSCRED_REMOTEGUARD_EMPTY_SUPP"},
	{K_REMOTEGUARD, "tscredentials_pyspnego.txt", "TSREMOTEGUARDCREDS_MS_EXAMPLE"},
};

#endif
