/*
 * negoex_engine_fuzz.h: what the two NEGOEX engine fuzz targets share
 * (fuzz_negoex_engine_initiator.c, fuzz_negoex_engine_acceptor.c).
 *
 * Input: one configuration byte, then the peer's tokens, each a 2-byte
 * little-endian length and its bytes.  The configuration byte: bits 0-1
 * the test scheme's HOPS - 1, bits 2-3 KEY (unset, always, init-always,
 * accept-always), bit 4 two schemes (else one), bit 5 our order reversed,
 * bit 6 stamp each message with the conversation's ConversationID and next
 * sequence number (so the fuzzer reaches the states past those checks;
 * without it, it exercises them).
 */
#ifndef TESTS_FUZZ_NEGOEX_ENGINE_FUZZ_H
#define TESTS_FUZZ_NEGOEX_ENGINE_FUZZ_H

#include <stdlib.h>
#include <string.h>

#include "negoex/engine/engine.h"
#include "tests/tools/negoex_testscheme.h"

#define FUZZ_MAX_TOKENS 8

struct fuzz_config {
	bool stamp;
	struct negoex_engine *engine;
};

static inline struct negoex_engine *fuzz_engine(TALLOC_CTX *mem, enum negoex_role role,
						uint8_t config, struct fuzz_config *fc)
{
	static const char *const keys[] = {NULL, "always", "init-always", "accept-always"};
	struct negoex_scheme schemes[NEGOEX_TESTSCHEME_COUNT];
	struct negoex_engine_config cfg = {.role = role, .schemes = schemes};
	char hops[2] = {(char)('1' + (config & 3)), 0};
	bool reverse = (config & 0x20) != 0;
	const char *why = NULL;

	setenv("HOPS", hops, 1);
	if (keys[(config >> 2) & 3] != NULL) {
		setenv("KEY", keys[(config >> 2) & 3], 1);
	} else {
		unsetenv("KEY");
	}
	for (unsigned i = 0; i < NEGOEX_TESTSCHEME_COUNT; i++) {
		negoex_testscheme_get(reverse ? NEGOEX_TESTSCHEME_COUNT - 1 - i : i, &schemes[i]);
	}
	cfg.num_schemes = (config & 0x10) != 0 ? 2 : 1;
	fc->stamp = (config & 0x40) != 0;
	fc->engine = NULL;
	if (!NT_STATUS_IS_OK(negoex_engine_new(mem, &cfg, &fc->engine, &why))) {
		abort();
	}
	return fc->engine;
}

static inline uint32_t fuzz_get32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void fuzz_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* fuzz_stamp writes |conv| and sequence numbers from |*seq| into each
 * message header it can find by cbMessageLength; |*seq| advances. */
static inline void fuzz_stamp(uint8_t *tok, size_t len, const struct negoex_guid *conv,
			      uint32_t *seq)
{
	size_t off = 0;

	while (len - off >= NEGOEX_MESSAGE_HEADER_LEN) {
		uint32_t mlen = fuzz_get32(tok + off + 20);

		fuzz_put32(tok + off + 12, (*seq)++);
		if (conv != NULL) {
			memcpy(tok + off + 24, conv->bytes, NEGOEX_GUID_LEN);
		}
		if (mlen < NEGOEX_MESSAGE_HEADER_LEN || mlen > len - off) {
			break;
		}
		off += mlen;
	}
}

/* fuzz_next_token takes the next length-prefixed token from the input. */
static inline bool fuzz_next_token(const uint8_t **data, size_t *size, const uint8_t **tok,
				   size_t *len)
{
	size_t n;

	if (*size < 2) {
		return false;
	}
	n = (size_t)(*data)[0] | (size_t)(*data)[1] << 8;
	if (n == 0 || n > *size - 2) {
		return false;
	}
	*tok = *data + 2;
	*len = n;
	*data += 2 + n;
	*size -= 2 + n;
	return true;
}

/* fuzz_count: the number of messages a token we produced holds. */
static inline uint32_t fuzz_count(const uint8_t *tok, size_t len)
{
	uint32_t n = 0;
	size_t off = 0;

	while (len - off >= NEGOEX_MESSAGE_HEADER_LEN) {
		off += fuzz_get32(tok + off + 20);
		n++;
	}
	return n;
}

/* fuzz_check: what every step must hold, whatever the input. */
static inline void fuzz_check(NTSTATUS status, const struct negoex_engine *e, const uint8_t *out,
			      size_t out_len, const char *why)
{
	bool ok = NT_STATUS_IS_OK(status);
	bool more = NT_STATUS_EQUAL(status, NT_STATUS_MORE_PROCESSING_REQUIRED);

	if ((out == NULL) != (out_len == 0) || ok != negoex_engine_is_complete(e) ||
	    (!ok && !more && why == NULL && NT_STATUS_EQUAL(status, NT_STATUS_INVALID_PARAMETER))) {
		abort();
	}
}

#endif
