/*
 * fuzz_certblob.c: libFuzzer target for certblob_parse.  Round trip: a
 * blob that parses is rebuilt from its certificate, and the rebuilt blob
 * must parse and carry the same certificate.
 */
#include <stdlib.h>
#include <string.h>

#include "certtable/certblob.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct certblob *b = NULL, *again = NULL;
	const char *why = NULL;

	if (NT_STATUS_IS_OK(certblob_parse(t, data, size, &b, &why))) {
		if (!NT_STATUS_IS_OK(certblob_build(t, b->x509, NULL, 0, &again, &why)) ||
		    again->cert_len != b->cert_len ||
		    memcmp(again->cert, b->cert, b->cert_len) != 0) {
			abort();
		}
	} else if (b != NULL || why == NULL) {
		abort(); /* failure must leave no output and say why */
	}
	talloc_free(t);
	return 0;
}
