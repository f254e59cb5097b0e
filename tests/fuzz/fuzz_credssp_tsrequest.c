/*
 * fuzz_credssp_tsrequest.c: libFuzzer target for credssp_tsrequest_parse
 * (MS-CSSP 2.2.1).  Round trip: what parses rebuilds to the same bytes,
 * and anything refused is refused as malformed input.
 */
#include <stdlib.h>
#include <string.h>

#include "credssp/credssp_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct credssp_tsrequest *req;
	const char *reason = NULL;
	uint8_t *der;
	size_t der_len;
	NTSTATUS status = credssp_tsrequest_parse(t, data, size, &req, &reason);

	if (NT_STATUS_IS_OK(status)) {
		if (!NT_STATUS_IS_OK(credssp_tsrequest_build(t, req, &der, &der_len, NULL)) ||
		    der_len != size || memcmp(der, data, size) != 0) {
			abort();
		}
	} else if (!NT_STATUS_EQUAL(status, NT_STATUS_INVALID_PARAMETER) || reason == NULL) {
		abort();
	}
	talloc_free(t);
	return 0;
}
