/*
 * fuzz_certtable_record.c: libFuzzer target for the table's on-disk
 * record parsers, an entry, an eviction heap item and the header (what a
 * damaged or hostile table file feeds us).  Every range they report must lie inside
 * the input, and a heap item's SID must be one the table could name.
 */
#include <stdlib.h>
#include <string.h>

#include "certtable/format.h"
#include "crypto/ms/sid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void inside(const uint8_t *p, size_t n, const uint8_t *data, size_t size)
{
	if (n > 0 && (p < data || n > size || (size_t)(p - data) > size - n)) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct certtable_entry_record r;
	const uint8_t *sid;
	size_t sid_len;
	uint64_t time_us;

	uint32_t count, heap_size, capacity;
	if (certtable_header_parse(data, size, &count, &heap_size, &capacity) &&
	    (size != 12 && size != 20)) {
		abort();
	}
	if (certtable_heap_item_parse(data, size, &time_us, &sid, &sid_len)) {
		inside(sid, sid_len, data, size);
		if (sid_len < 3 || sid_len >= CRYPTO_SID_MAX_STRING || sid[0] != 'S' || sid[1] != '-' ||
		    memchr(sid, '\0', sid_len) != NULL) {
			abort();
		}
	}

	if (certtable_entry_record_parse(data, size, &r)) {
		inside(r.principal, r.principal_len, data, size);
		inside(r.blob, r.blob_len, data, size);
		if ((size_t)r.cert_off + r.cert_len > r.blob_len) {
			abort();
		}
	}
	return 0;
}
