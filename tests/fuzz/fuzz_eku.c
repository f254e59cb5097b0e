/*
 * fuzz_eku.c: libFuzzer target for crypto_eku_parse, the extended key
 * usage value (RFC 5280 4.2.1.12) on OpenSSL.  Round trip: what parses
 * rebuilds to the same bytes, and every OID it names is one
 * crypto_eku_build takes.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *t = talloc_new(NULL);
	uint8_t *der;
	size_t der_len, k = 0;
	char **oids;

	if (NT_STATUS_IS_OK(crypto_eku_parse(t, data, size, &oids, NULL))) {
		while (oids[k] != NULL) {
			k++;
		}
		if (k == 0 ||
		    !NT_STATUS_IS_OK(crypto_eku_build(t, (const char *const *)oids, k, &der,
						      &der_len, NULL)) ||
		    der_len != size || memcmp(der, data, size) != 0) {
			abort();
		}
	}
	talloc_free(t);
	return 0;
}
