/*
 * negoex_fixtures.h: what the NEGOEX codec tests share: the vector files,
 * byte helpers, and messages laid out as MIT krb5 1.20.1's negoex_util.c
 * writes them (hand-derived from its negoex_add_* functions).  Included by
 * test_negoex_msg.c (known answers) and test_negoex_malformed.c.
 */
#ifndef TESTS_UNIT_NEGOEX_FIXTURES_H
#define TESTS_UNIT_NEGOEX_FIXTURES_H

#include "helpers.h"

#include "negoex/msg.h"

#define WINDOWS_TOKEN "negoex/windows_acceptor_nego_metadata.bin"
#define MS_EXAMPLE "negoex/ms_example_initiator_nego.bin"

/* PKU2U's auth scheme as Windows sends it (both vectors). */
static const char *const pku2u __attribute__((unused)) = "0d53335c-f9ea-4d0d-b2ec-4ae3786ec308";

static inline uint8_t *unhex(TALLOC_CTX *mem_ctx, const char *hex, size_t *len)
{
	size_t n = strlen(hex) / 2;
	uint8_t *out = talloc_array(mem_ctx, uint8_t, n);

	assert_non_null(out);
	for (size_t i = 0; i < n; i++) {
		unsigned int v;
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
	*len = n;
	return out;
}

static inline void put32(uint8_t *p, size_t off, uint32_t v)
{
	p[off] = (uint8_t)v;
	p[off + 1] = (uint8_t)(v >> 8);
	p[off + 2] = (uint8_t)(v >> 16);
	p[off + 3] = (uint8_t)(v >> 24);
}

static inline void put16(uint8_t *p, size_t off, uint16_t v)
{
	p[off] = (uint8_t)v;
	p[off + 1] = (uint8_t)(v >> 8);
}

static inline struct negoex_guid guid_of(uint8_t seed)
{
	struct negoex_guid g;
	for (size_t i = 0; i < sizeof(g.bytes); i++) {
		g.bytes[i] = (uint8_t)(seed + i);
	}
	return g;
}

static inline const char *hex(TALLOC_CTX *t, const uint8_t *p, size_t n)
{
	return crypto_hex(t, p, n);
}

/* rebuild_message builds |m| again and returns the bytes. */
static inline uint8_t *rebuild_message(TALLOC_CTX *t, const struct negoex_message *m, size_t *len)
{
	uint8_t *out = NULL;
	const char *why = NULL;

	assert_true(NT_STATUS_IS_OK(negoex_message_build(t, m, &out, len, &why)));
	return out;
}

/* MIT krb5 1.20.1 negoex_add_verify_message: header 80, CHECKSUM {20, 1,
 * type, {80, len}}, 4 bytes of padding, the checksum.  Type 16
 * (hmac-sha1-96-aes256), 12 bytes. */
static const char mit_verify[] __attribute__((unused)) =
	"4e45474f45585453" "06000000" "04000000" "50000000" "5c000000"
	"00112233445566778899aabbccddeeff"
	"5c33530deaf90d4db2ec4ae3786ec308"
	"14000000" "01000000" "10000000" "50000000" "0c000000" "00000000"
	"a0a1a2a3a4a5a6a7a8a9aaab";

/* MIT negoex_add_verify_no_key_alert: header 72, ErrorCode 0, Alerts
 * {72, 1} and six bytes of padding, ALERT {PULSE, 84, 8} at 72,
 * ALERT_PULSE {8, VERIFY_NO_KEY} at 84. */
static const char mit_alert[] __attribute__((unused)) =
	"4e45474f45585453" "07000000" "05000000" "48000000" "5c000000"
	"00112233445566778899aabbccddeeff"
	"5c33530deaf90d4db2ec4ae3786ec308"
	"00000000" "48000000" "0100" "000000000000"
	"01000000" "54000000" "08000000"
	"08000000" "01000000";

/* MIT negoex_add_nego_message: the AuthSchemes and Extensions vectors
 * packed (6 bytes each: 96,2 then 96,0), four bytes of padding, two
 * schemes. */
static const char mit_nego[] __attribute__((unused)) =
	"4e45474f45585453" "00000000" "00000000" "60000000" "80000000"
	"00112233445566778899aabbccddeeff"
	"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	"0000000000000000"
	"60000000" "0200" "60000000" "0000" "00000000"
	"5c33530deaf90d4db2ec4ae3786ec308"
	"101112131415161718191a1b1c1d1e1f";

#endif
