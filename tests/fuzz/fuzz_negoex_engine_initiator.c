/*
 * fuzz_negoex_engine_initiator.c: libFuzzer target for the NEGOEX
 * initiator (negoex/engine/engine.h) fed hostile acceptor tokens: the
 * initiator's first token, then each fuzz token as the acceptor's reply
 * (input format: tests/fuzz/negoex_engine_fuzz.h).  Every step must end in
 * a status with a consistent output and completion state; an error ends
 * the exchange.
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
	uint32_t seq;
	const char *why = NULL;
	NTSTATUS status;

	if (size < 1) {
		return 0;
	}
	mem = talloc_new(NULL);
	e = fuzz_engine(mem, NEGOEX_ROLE_INITIATOR, data[0], &fc);
	data++;
	size--;
	status = negoex_engine_step(e, mem, NULL, 0, &out, &out_len, &why);
	fuzz_check(status, e, out, out_len, why);
	negoex_engine_conversation_id(e, &conv);
	seq = fuzz_count(out, out_len);
	for (int i = 0; i < FUZZ_MAX_TOKENS && NT_STATUS_EQUAL(status, NT_STATUS_MORE_PROCESSING_REQUIRED);
	     i++) {
		const uint8_t *tok;
		uint8_t *copy;
		size_t len;

		if (!fuzz_next_token(&data, &size, &tok, &len) ||
		    (copy = talloc_memdup(mem, tok, len)) == NULL) {
			break;
		}
		if (fc.stamp) {
			fuzz_stamp(copy, len, &conv, &seq);
		}
		status = negoex_engine_step(e, mem, copy, len, &out, &out_len, &why);
		fuzz_check(status, e, out, out_len, why);
		if (!NT_STATUS_IS_OK(status) &&
		    !NT_STATUS_EQUAL(status, NT_STATUS_MORE_PROCESSING_REQUIRED) && out != NULL) {
			abort(); /* an initiator has no last token on failure */
		}
		seq += fuzz_count(out, out_len);
	}
	talloc_free(mem);
	return 0;
}
