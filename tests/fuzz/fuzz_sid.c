/*
 * fuzz_sid.c: libFuzzer target for the SID parsers (string and binary).
 * Round trips: string -> SID -> canonical string -> the same SID, and
 * binary -> SID -> the same bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/ms/sid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct crypto_sid sid, again;
	char buf[CRYPTO_SID_MAX_STRING];
	uint8_t bin[CRYPTO_SID_MAX_BINARY];

	if (NT_STATUS_IS_OK(crypto_sid_parse_len((const char *)data, size, &sid, NULL))) {
		crypto_sid_format(&sid, buf);
		if (!NT_STATUS_IS_OK(crypto_sid_parse(buf, &again, NULL)) ||
		    !crypto_sid_equal(&sid, &again)) {
			abort();
		}
	}
	if (NT_STATUS_IS_OK(crypto_sid_from_binary(data, size, &sid, NULL))) {
		size_t n = crypto_sid_to_binary(&sid, bin);
		if (n != size || memcmp(bin, data, n) != 0) {
			abort();
		}
	}
	return 0;
}
