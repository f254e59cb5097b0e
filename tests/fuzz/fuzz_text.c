/*
 * fuzz_text.c: libFuzzer target for the text and OID parsers of crypto/
 * (base64, UTF-16LE, UTF-8, OID contents, the EKU value).  The first byte
 * picks the parser; each has a round trip.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *t = talloc_new(NULL);
	uint8_t *out, *der;
	size_t out_len, der_len;
	char *s, *s2, **oids;

	if (size == 0) {
		talloc_free(t);
		return 0;
	}
	const uint8_t *p = data + 1;
	size_t n = size - 1;
	char *str = talloc_strndup(t, (const char *)p, n);

	switch (data[0] % 4) {
	case 0: /* base64: decode then encode gives the input back */
		if (NT_STATUS_IS_OK(crypto_base64_decode(t, str, &out, &out_len, NULL))) {
			if (!NT_STATUS_IS_OK(crypto_base64_encode(t, out, out_len, &s)) ||
			    strcmp(s, str) != 0) {
				abort();
			}
		}
		break;
	case 1: /* UTF-16LE -> UTF-8 -> UTF-16LE */
		if (NT_STATUS_IS_OK(crypto_utf16le_to_utf8(t, p, n, &s, NULL))) {
			if (!NT_STATUS_IS_OK(crypto_utf8_to_utf16le(t, s, &out, &out_len, NULL)) ||
			    out_len != n || memcmp(out, p, n) != 0) {
				abort();
			}
		}
		break;
	case 2: /* OID contents -> text -> contents */
		if (NT_STATUS_IS_OK(crypto_oid_to_text(t, p, n, &s, NULL))) {
			if (!NT_STATUS_IS_OK(crypto_oid_to_der(t, s, &der, &der_len, NULL)) ||
			    der_len != n || memcmp(der, p, n) != 0) {
				abort();
			}
		}
		if (NT_STATUS_IS_OK(crypto_oid_to_der(t, str, &der, &der_len, NULL))) {
			if (!NT_STATUS_IS_OK(crypto_oid_to_text(t, der, der_len, &s2, NULL)) ||
			    strcmp(s2, str) != 0) {
				abort();
			}
		}
		break;
	case 3: /* EKU value -> OIDs -> EKU value */
		if (NT_STATUS_IS_OK(crypto_eku_parse(t, p, n, &oids, NULL))) {
			size_t k = 0;
			while (oids[k] != NULL) {
				k++;
			}
			if (!NT_STATUS_IS_OK(crypto_eku_build(t, (const char *const *)oids, k, &der,
							      &der_len, NULL)) ||
			    der_len != n || memcmp(der, p, n) != 0) {
				abort();
			}
		}
		break;
	}
	talloc_free(t);
	return 0;
}
