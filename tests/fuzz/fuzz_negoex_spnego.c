/*
 * fuzz_negoex_spnego.c: libFuzzer target for SPNEGO around NEGOEX
 * (negoex/spnego/negoex_spnego.h), each role fed hostile peer tokens:
 * the input's first byte picks the role (bit 7) and the engine's settings
 * (as tests/fuzz/negoex_engine_fuzz.h), then 2-byte little-endian
 * length-prefixed SPNEGO tokens.  Every step must end in a consistent
 * status and output; an error ends the exchange.  A second, fake
 * mechanism with integrity is offered after NEGOEX, so that hostile tokens
 * can pick it and reach the fallback and the mechListMIC paths.
 */
#include <string.h>

#include "negoex/spnego/negoex_spnego.h"
#include "tests/fuzz/negoex_engine_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 1.3.6.1.4.1.99999.1: the fake mechanism (as the unit tests') */
static const struct spnego_oid fake_oid = {8, {0x2b, 0x06, 0x01, 0x04, 0x01, 0x86, 0x8d, 0x1f}};

/* fake_step: the initiator says "hi" then takes anything; the acceptor
 * takes anything and says "ok". */
static NTSTATUS fake_step(void *priv, TALLOC_CTX *mem_ctx, const uint8_t *in, size_t in_len,
			  uint8_t **out, size_t *out_len)
{
	int *calls = priv;

	if ((*calls)++ > 1) {
		abort(); /* stepped after it completed */
	}
	if (in == NULL) {
		*out = talloc_memdup(mem_ctx, "hi", 2);
		*out_len = 2;
		return NT_STATUS_MORE_PROCESSING_REQUIRED;
	}
	*out = talloc_memdup(mem_ctx, "ok", 2);
	*out_len = 2;
	return NT_STATUS_OK;
}

static NTSTATUS fake_get_mic(void *priv, TALLOC_CTX *mem_ctx, const uint8_t *msg, size_t len,
			     uint8_t **mic, size_t *mic_len)
{
	*mic = talloc_memdup(mem_ctx, "MIC!", 4);
	*mic_len = 4;
	return *mic != NULL ? NT_STATUS_OK : NT_STATUS_NO_MEMORY;
}

static NTSTATUS fake_verify_mic(void *priv, const uint8_t *msg, size_t len, const uint8_t *mic,
				size_t mic_len)
{
	return mic_len == 4 && memcmp(mic, "MIC!", 4) == 0 ? NT_STATUS_OK : NT_STATUS_ACCESS_DENIED;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *mem;
	struct fuzz_config fc;
	int calls = 0;
	struct negoex_spnego_mech fake = {.oid = fake_oid, .step = fake_step, .priv = &calls,
					  .mic = {.get_mic = fake_get_mic,
						  .verify_mic = fake_verify_mic}};
	struct negoex_spnego_config cfg = {.mechs = &fake, .num_mechs = 1};
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
