/*
 * spnego_fixtures.h: what the SPNEGO codec tests share: the vectors of
 * tests/vectors/spnego/ ("NAME = hex" lines), hex helpers and the
 * parse-rebuild check.  Included by test_spnego_codec.c (known answers)
 * and test_spnego_malformed.c.
 */
#ifndef TESTS_UNIT_SPNEGO_FIXTURES_H
#define TESTS_UNIT_SPNEGO_FIXTURES_H

#include "helpers.h"
#include "crypto/spnego/spnego.h"

#include <ctype.h>

/* hex_bytes decodes |hex| (no separators) onto t. */
static inline uint8_t *hex_bytes(TALLOC_CTX *t, const char *hex, size_t *len)
{
	size_t n = strlen(hex) / 2;
	uint8_t *out = talloc_array(t, uint8_t, n + 1);

	assert_non_null(out);
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
	*len = n;
	return out;
}

/* spnego_vector: the NAME line of tests/vectors/spnego/mit_spnego.txt. */
static inline uint8_t *spnego_vector(TALLOC_CTX *t, const char *name, size_t *len)
{
	size_t flen, nlen = strlen(name), i = 0;
	uint8_t *text = load_vector(t, "spnego/mit_spnego.txt", &flen);

	while (i < flen) {
		size_t e = i;
		while (e < flen && text[e] != '\n') {
			e++;
		}
		if (e - i > nlen + 3 && memcmp(text + i, name, nlen) == 0 &&
		    memcmp(text + i + nlen, " = ", 3) == 0) {
			char *hex = talloc_strndup(t, (const char *)text + i + nlen + 3,
						   e - i - nlen - 3);
			assert_non_null(hex);
			return hex_bytes(t, hex, len);
		}
		i = e + 1;
	}
	fail_msg("vector %s not in mit_spnego.txt", name);
	return NULL;
}

static const char *const spnego_vector_names[] = {
	"MIT_HOPS1_INIT",  "MIT_HOPS1_RESP",  "MIT_HOPS2_INIT",      "MIT_HOPS2_RESP1",
	"MIT_HOPS2_RESP2", "MIT_HOPS2_RESP3", "MIT_NEGHINTS_NEGOEX", "MIT_NEGHINTS_KRB5",
};

/* parse_ok parses |buf| and fails the test unless it succeeds. */
static inline struct spnego_token *parse_ok(TALLOC_CTX *t, const uint8_t *buf, size_t len)
{
	struct spnego_token *tok = NULL;
	const char *why = NULL;
	NTSTATUS status = spnego_token_parse(t, buf, len, &tok, &why);

	if (!NT_STATUS_IS_OK(status)) {
		fail_msg("parse failed: %s", why != NULL ? why : "(no reason)");
	}
	assert_non_null(tok);
	return tok;
}

/* assert_rebuilds: |tok| builds back to exactly |buf|. */
static inline void assert_rebuilds(TALLOC_CTX *t, const struct spnego_token *tok,
				   const uint8_t *buf, size_t len)
{
	uint8_t *out = NULL;
	size_t out_len = 0;
	const char *why = NULL;

	if (!NT_STATUS_IS_OK(spnego_token_build(t, tok, &out, &out_len, &why))) {
		fail_msg("build failed: %s", why != NULL ? why : "(no reason)");
	}
	assert_int_equal(out_len, len);
	assert_memory_equal(out, buf, len);
}

static inline void assert_bytes(const struct spnego_bytes *b, const void *want, size_t len)
{
	assert_non_null(b);
	assert_int_equal(b->len, len);
	assert_memory_equal(b->data, want, len);
}

#endif
