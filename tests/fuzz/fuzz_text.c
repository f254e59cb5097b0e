/*
 * fuzz_text.c: libFuzzer target for the text converters of crypto/wire/
 * (UTF-16LE and UTF-8).  The first byte picks the direction; each has a
 * round trip.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/wire/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *t = talloc_new(NULL);
	uint8_t *out;
	size_t out_len;
	char *s;

	if (size == 0) {
		talloc_free(t);
		return 0;
	}
	const uint8_t *p = data + 1;
	size_t n = size - 1;
	char *str = talloc_strndup(t, (const char *)p, n);

	switch (data[0] % 2) {
	case 0: /* UTF-8 -> UTF-16LE -> UTF-8 */
		if (str != NULL &&
		    NT_STATUS_IS_OK(crypto_utf8_to_utf16le(t, str, &out, &out_len, NULL)) &&
		    out_len > 0) {
			/* (An empty string converts to no bytes, which the
			 * other direction reads as the empty string too.) */
			if (!NT_STATUS_IS_OK(crypto_utf16le_to_utf8(t, out, out_len, &s, NULL)) ||
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
	}
	talloc_free(t);
	return 0;
}
