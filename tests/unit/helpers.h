/*
 * helpers.h: shared bits for the cmocka unit tests.
 */
#ifndef TESTS_UNIT_HELPERS_H
#define TESTS_UNIT_HELPERS_H

#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "certtable/certblob.h"
#include "crypto/ms/sid.h"
#include "crypto/wire/text.h"

#define VECTORS BPAU_SRCDIR "/tests/vectors"

/* load_file reads a whole file onto mem_ctx; fails the test if it cannot. */
static inline uint8_t *load_file(TALLOC_CTX *mem_ctx, const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = talloc_array(mem_ctx, uint8_t, 1 << 20);
	size_t n;

	if (f == NULL) {
		fail_msg("cannot open %s", path);
	}
	assert_non_null(buf);
	n = fread(buf, 1, 1 << 20, f);
	fclose(f);
	*len = n;
	return buf;
}

static inline uint8_t *load_vector(TALLOC_CTX *mem_ctx, const char *name, size_t *len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", VECTORS, name);
	return load_file(mem_ctx, path, len);
}

/* named_hex_vector: the bytes of the line "NAME = hex" of the vector file
 * |path| (under tests/vectors/); fails the test if there is none. */
static inline uint8_t *named_hex_vector(TALLOC_CTX *t, const char *path, const char *name,
					size_t *len)
{
	size_t flen, nlen = strlen(name), i = 0;
	uint8_t *text = load_vector(t, path, &flen), *out;

	while (i < flen) {
		size_t e = i;
		while (e < flen && text[e] != '\n') {
			e++;
		}
		if (e - i > nlen + 3 && memcmp(text + i, name, nlen) == 0 &&
		    memcmp(text + i + nlen, " = ", 3) == 0) {
			size_t h = i + nlen + 3, n = 0;
			out = talloc_array(t, uint8_t, (e - h) / 2 + 1);
			assert_non_null(out);
			for (; h + 1 < e && isxdigit(text[h]); h += 2) {
				unsigned v;
				assert_int_equal(sscanf((const char *)text + h, "%2x", &v), 1);
				out[n++] = (uint8_t)v;
			}
			*len = n;
			return out;
		}
		i = e + 1;
	}
	fail_msg("vector %s not in %s", name, path);
	return NULL;
}

/* make_blob creates a fresh self-signed RSA certificate for |cn| and its
 * CERTIFICATE_BLOB (1024-bit keys: quick, and enough for the table). */
static inline struct certblob *make_blob(TALLOC_CTX *mem_ctx, const char *cn)
{
	uint8_t *der;
	size_t der_len;
	struct crypto_secret *key;
	struct crypto_x509 *x;
	struct certblob *blob;
	const char *reason = NULL;

	assert_true(NT_STATUS_IS_OK(crypto_x509_create_self_signed(
		mem_ctx, cn, NULL, 1024, 30, &der, &der_len, &key)));
	assert_true(NT_STATUS_IS_OK(crypto_x509_parse(mem_ctx, der, der_len, &x, &reason)));
	assert_true(NT_STATUS_IS_OK(certblob_build(mem_ctx, x, NULL, 0, &blob, &reason)));
	talloc_free(key);
	return blob;
}

#endif
