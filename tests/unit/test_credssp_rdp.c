/*
 * test_credssp_rdp.c: the X.224 negotiation codec of the CredSSP tools'
 * RDP mode (credssp/rdp/rdp_nego.h, MS-RDPBCGR 2.2.1.1-2): a Connection
 * Request captured from FreeRDP 2 (cookie "Cookie: mstshash=",
 * RDP_NEG_REQ asking SSL|HYBRID), rebuilt byte for byte, our builds parsed back, the Confirm and
 * the failure, and hostile input (every truncation, bad lengths, a
 * cookie without CR LF, a negotiation structure of the wrong length).
 */
#include "helpers.h"
#include "credssp/rdp/rdp_nego.h"

/* Captured from Debian 12's xfreerdp 2.11.7 (/u:alice /sec:nla, read off
 * a plain TCP listener): TPKT, X.224 CR, cookie, RDP_NEG_REQ(PROTOCOL_SSL
 * | PROTOCOL_HYBRID). */
static const uint8_t freerdp_cr[] = {
	0x03, 0x00, 0x00, 0x2b, 0x26, 0xe0, 0x00, 0x00, 0x00, 0x00, 0x00, 'C', 'o', 'o', 'k',
	'i', 'e', ':', ' ', 'm', 's', 't', 's', 'h', 'a', 's', 'h', '=', 'a', 'l', 'i',
	'c', 'e', '\r', '\n', 0x01, 0x00, 0x08, 0x00, 0x03, 0x00, 0x00, 0x00,
};

static void test_request(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	uint32_t p = 0;
	uint8_t *b;
	size_t len, need;
	(void)state;

	assert_true(NT_STATUS_IS_OK(rdp_tpkt_length(freerdp_cr, 4, &need)));
	assert_int_equal(need, sizeof(freerdp_cr));
	assert_true(NT_STATUS_IS_OK(rdp_connection_request_parse(freerdp_cr, sizeof(freerdp_cr), &p, NULL)));
	assert_int_equal(p, RDP_PROTOCOL_SSL | RDP_PROTOCOL_HYBRID);
	/* ours is the same bytes for the same request */
	assert_true(NT_STATUS_IS_OK(rdp_connection_request_build(
		t, "alice", RDP_PROTOCOL_SSL | RDP_PROTOCOL_HYBRID, &b, &len)));
	assert_int_equal(len, sizeof(freerdp_cr));
	assert_memory_equal(b, freerdp_cr, len);
	/* without a cookie, with HYBRID_EX */
	assert_true(NT_STATUS_IS_OK(rdp_connection_request_build(t, NULL, RDP_PROTOCOL_HYBRID_EX, &b, &len)));
	assert_int_equal(len, 19);
	assert_true(NT_STATUS_IS_OK(rdp_connection_request_parse(b, len, &p, NULL)));
	assert_int_equal(p, RDP_PROTOCOL_HYBRID_EX);
	/* a request without RDP_NEG_REQ: standard RDP security */
	{
		const uint8_t plain[] = { 0x03, 0x00, 0x00, 0x0b, 0x06, 0xe0, 0, 0, 0, 0, 0 };

		assert_true(NT_STATUS_IS_OK(rdp_connection_request_parse(plain, sizeof(plain), &p, NULL)));
		assert_int_equal(p, RDP_PROTOCOL_RDP);
	}
	/* a user name with CR LF cannot make a cookie */
	assert_false(NT_STATUS_IS_OK(rdp_connection_request_build(t, "a\r\nb", 2, &b, &len)));
	talloc_free(t);
}

static void test_confirm(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	uint32_t sel = 9, fail = 9;
	uint8_t *b;
	size_t len;
	const uint8_t want[] = { 0x03, 0x00, 0x00, 0x13, 0x0e, 0xd0, 0x00, 0x00, 0x12, 0x34,
				 0x00, 0x02, 0x01, 0x08, 0x00, 0x02, 0x00, 0x00, 0x00 };
	(void)state;

	assert_true(NT_STATUS_IS_OK(rdp_connection_confirm_build(t, RDP_PROTOCOL_HYBRID, 0, &b, &len)));
	assert_int_equal(len, sizeof(want));
	assert_memory_equal(b, want, len);
	assert_true(NT_STATUS_IS_OK(rdp_connection_confirm_parse(b, len, &sel, &fail, NULL)));
	assert_int_equal(sel, RDP_PROTOCOL_HYBRID);
	assert_int_equal(fail, 0);
	assert_true(NT_STATUS_IS_OK(rdp_connection_confirm_build(t, 0, RDP_HYBRID_REQUIRED_BY_SERVER, &b, &len)));
	assert_int_equal(b[11], 0x03); /* RDP_NEG_FAILURE */
	assert_true(NT_STATUS_IS_OK(rdp_connection_confirm_parse(b, len, &sel, &fail, NULL)));
	assert_int_equal(fail, RDP_HYBRID_REQUIRED_BY_SERVER);
	/* a Confirm is not a Request, and the other way round */
	assert_false(NT_STATUS_IS_OK(rdp_connection_request_parse(b, len, &sel, NULL)));
	assert_false(NT_STATUS_IS_OK(rdp_connection_confirm_parse(freerdp_cr, sizeof(freerdp_cr), &sel, &fail, NULL)));
	talloc_free(t);
}

static void test_hostile(void **state)
{
	uint8_t m[sizeof(freerdp_cr)];
	uint32_t p;
	const char *reason;
	size_t need;
	(void)state;

	/* every truncation (the TPKT length then disagrees) */
	for (size_t n = 0; n < sizeof(freerdp_cr); n++) {
		assert_false(NT_STATUS_IS_OK(rdp_connection_request_parse(freerdp_cr, n, &p, NULL)));
	}
	/* TPKT version, length too small or too large */
	memcpy(m, freerdp_cr, sizeof(m));
	m[0] = 2;
	assert_true(NT_STATUS_EQUAL(rdp_tpkt_length(m, 4, &need), NT_STATUS_INVALID_PARAMETER));
	m[0] = 3;
	m[2] = 0x10; /* 4096 */
	assert_true(NT_STATUS_EQUAL(rdp_tpkt_length(m, 4, &need), NT_STATUS_INVALID_PARAMETER));
	m[2] = 0;
	m[3] = 6;
	assert_true(NT_STATUS_EQUAL(rdp_tpkt_length(m, 4, &need), NT_STATUS_INVALID_PARAMETER));
	assert_true(NT_STATUS_EQUAL(rdp_tpkt_length(m, 3, &need), NT_STATUS_MORE_ENTRIES));
	/* the X.224 length indicator must cover exactly the rest */
	memcpy(m, freerdp_cr, sizeof(m));
	m[4]++;
	assert_false(NT_STATUS_IS_OK(rdp_connection_request_parse(m, sizeof(m), &p, &reason)));
	/* a cookie without CR LF */
	memcpy(m, freerdp_cr, sizeof(m));
	m[33] = 'x';
	assert_false(NT_STATUS_IS_OK(rdp_connection_request_parse(m, sizeof(m), &p, &reason)));
	/* RDP_NEG_REQ length 9 */
	memcpy(m, freerdp_cr, sizeof(m));
	m[37] = 9;
	assert_false(NT_STATUS_IS_OK(rdp_connection_request_parse(m, sizeof(m), &p, &reason)));
	assert_string_equal(reason, "malformed RDP_NEG_REQ");
	/* wrong TPDU code */
	memcpy(m, freerdp_cr, sizeof(m));
	m[5] = 0xf0;
	assert_false(NT_STATUS_IS_OK(rdp_connection_request_parse(m, sizeof(m), &p, &reason)));
	/* bit flips never crash; those that parse name a protocol set */
	for (size_t i = 0; i < sizeof(m) * 8; i++) {
		memcpy(m, freerdp_cr, sizeof(m));
		m[i / 8] ^= (uint8_t)(1u << (i % 8));
		p = 0xffffffffu;
		if (NT_STATUS_IS_OK(rdp_connection_request_parse(m, sizeof(m), &p, NULL))) {
			assert_int_not_equal(p, 0xffffffffu);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_confirm),
		cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
