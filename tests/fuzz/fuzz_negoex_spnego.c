/*
 * fuzz_negoex_spnego.c: libFuzzer target for SPNEGO around NEGOEX
 * (negoex/spnego/negoex_spnego.h), each role fed hostile peer tokens:
 * the input's first byte picks the role (bit 7) and the engine's settings
 * (as tests/fuzz/negoex_engine_fuzz.h), then 2-byte little-endian
 * length-prefixed SPNEGO tokens.  Every step must end in a consistent
 * status and output; an error ends the exchange.
 */
#include "negoex/spnego/negoex_spnego.h"
#include "tests/fuzz/negoex_engine_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem;
	struct fuzz_config fc;
	struct negoex_spnego_config cfg = {0};
	struct negoex_spnego *sp = NULL;
	uint8_t *out = NULL;
	size_t out_len = 0;
	const char *why = NULL;
	NTSTATUS status = NT_STATUS_MORE_PROCESSING_REQUIRED;

	if (size < 1) {
		return 0;
	}
	mem = talloc_new(NULL);
	cfg.role = (data[0] & 0x80) != 0 ? NEGOEX_ROLE_INITIATOR : NEGOEX_ROLE_ACCEPTOR;
	cfg.engine = fuzz_engine(mem, cfg.role, data[0], &fc);
	if (!NT_STATUS_IS_OK(negoex_spnego_new(mem, &cfg, &sp, &why))) {
		abort();
	}
	data++;
	size--;
	if (cfg.role == NEGOEX_ROLE_INITIATOR) {
		status = negoex_spnego_step(sp, mem, NULL, 0, &out, &out_len, &why);
		if (!NT_STATUS_EQUAL(status, NT_STATUS_MORE_PROCESSING_REQUIRED) || out == NULL) {
			abort();
		}
	}
	for (int i = 0; i < FUZZ_MAX_TOKENS && NT_STATUS_EQUAL(status, NT_STATUS_MORE_PROCESSING_REQUIRED);
	     i++) {
		const uint8_t *tok;
		size_t len;

		if (!fuzz_next_token(&data, &size, &tok, &len)) {
			break;
		}
		status = negoex_spnego_step(sp, mem, tok, len, &out, &out_len, &why);
		if ((out == NULL) != (out_len == 0)) {
			abort();
		}
	}
	talloc_free(mem);
	return 0;
}
