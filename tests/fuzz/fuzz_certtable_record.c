/*
 * fuzz_certtable_record.c: libFuzzer target for the table's on-disk
 * record parser (what a damaged or hostile table file feeds us).  Every
 * range it reports must lie inside the input.
 */
#include <stdlib.h>

#include "certtable/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void inside(const uint8_t *p, size_t n, const uint8_t *data, size_t size)
{
	if (n > 0 && (p < data || n > size || (size_t)(p - data) > size - n)) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct certtable_record r;

	if (certtable_record_parse(data, size, &r)) {
		inside(r.principal, r.principal_len, data, size);
		inside(r.blob, r.blob_len, data, size);
		if ((size_t)r.cert_off + r.cert_len > r.blob_len) {
			abort();
		}
	}
	return 0;
}
