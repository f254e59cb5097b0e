/*
 * fuzz_negoex_engine_acceptor.c: libFuzzer target for the NEGOEX acceptor
 * (negoex/engine/engine.h) fed hostile initiator tokens (input format:
 * tests/fuzz/negoex_engine_fuzz.h; the ConversationID stamped, when asked,
 * is the first message's own).  Every step must end in a status with a
 * consistent output and completion state; an error ends the exchange.
 */
#include "tests/fuzz/negoex_engine_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem;
	struct fuzz_config fc;
	struct negoex_engine *e;
	struct negoex_guid conv;
	uint8_t *out = NULL;
	size_t out_len = 0;
	uint32_t seq = 0;
	const char *why = NULL;
	NTSTATUS status = NT_STATUS_MORE_PROCESSING_REQUIRED;
	bool have_conv = false;

	if (size < 1) {
		return 0;
	}
	mem = talloc_new(NULL);
	e = fuzz_engine(mem, NEGOEX_ROLE_ACCEPTOR, data[0], &fc);
	data++;
	size--;
	for (int i = 0; i < FUZZ_MAX_TOKENS && NT_STATUS_EQUAL(status, NT_STATUS_MORE_PROCESSING_REQUIRED);
	     i++) {
		const uint8_t *tok;
		uint8_t *copy;
		size_t len;

		if (!fuzz_next_token(&data, &size, &tok, &len) ||
		    (copy = talloc_memdup(mem, tok, len)) == NULL) {
			break;
		}
		if (!have_conv && len >= NEGOEX_MESSAGE_HEADER_LEN) {
			memcpy(conv.bytes, copy + 24, NEGOEX_GUID_LEN);
			have_conv = true;
		}
		if (fc.stamp) {
			fuzz_stamp(copy, len, have_conv ? &conv : NULL, &seq);
		}
		status = negoex_engine_step(e, mem, copy, len, &out, &out_len, &why);
		fuzz_check(status, e, out, out_len, why);
		seq += fuzz_count(out, out_len);
	}
	talloc_free(mem);
	return 0;
}
