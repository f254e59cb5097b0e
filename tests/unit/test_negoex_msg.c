/*
 * test_negoex_msg.c: the NEGOEX message codec (negoex/msg.h) against the
 * Windows-generated ACCEPTOR_NEGO + ACCEPTOR_META_DATA token and the
 * INITIATOR_NEGO "MS example" (tests/vectors/negoex/), against messages
 * laid out as MIT krb5 1.20.1's negoex_util.c writes them (hand-derived
 * from its negoex_add_* functions), every rejection rule, every
 * truncation, and a mutation loop.
 */
#include "helpers.h"

#include "negoex/msg.h"

#define WINDOWS_TOKEN "negoex/windows_acceptor_nego_metadata.bin"
#define MS_EXAMPLE "negoex/ms_example_initiator_nego.bin"

/* PKU2U's auth scheme as Windows sends it (both vectors). */
static const char *const pku2u = "0d53335c-f9ea-4d0d-b2ec-4ae3786ec308";

static uint8_t *unhex(TALLOC_CTX *mem_ctx, const char *hex, size_t *len)
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

static void put32(uint8_t *p, size_t off, uint32_t v)
{
	p[off] = (uint8_t)v;
	p[off + 1] = (uint8_t)(v >> 8);
	p[off + 2] = (uint8_t)(v >> 16);
	p[off + 3] = (uint8_t)(v >> 24);
}

static void put16(uint8_t *p, size_t off, uint16_t v)
{
	p[off] = (uint8_t)v;
	p[off + 1] = (uint8_t)(v >> 8);
}

static struct negoex_guid guid_of(uint8_t seed)
{
	struct negoex_guid g;
	for (size_t i = 0; i < sizeof(g.bytes); i++) {
		g.bytes[i] = (uint8_t)(seed + i);
	}
	return g;
}

static const char *hex(TALLOC_CTX *t, const uint8_t *p, size_t n)
{
	return crypto_hex(t, p, n);
}

/* rebuild_message builds |m| again and returns the bytes. */
static uint8_t *rebuild_message(TALLOC_CTX *t, const struct negoex_message *m, size_t *len)
{
	uint8_t *out = NULL;
	const char *why = NULL;

	assert_true(NT_STATUS_IS_OK(negoex_message_build(t, m, &out, len, &why)));
	return out;
}

static void test_windows_token(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	size_t len, n;
	uint8_t *buf = load_vector(t, WINDOWS_TOKEN, &len), *again;
	struct negoex_token *tok = NULL;
	struct negoex_nego *nego;
	struct negoex_exchange *ex;
	const char *why = NULL;

	assert_int_equal(len, 264);
	assert_true(NT_STATUS_IS_OK(negoex_token_parse(t, buf, len, &tok, &why)));
	assert_int_equal(tok->num_messages, 2);

	/* Message 1: ACCEPTOR_NEGO. */
	assert_int_equal(tok->messages[0].type, NEGOEX_MESSAGE_TYPE_ACCEPTOR_NEGO);
	assert_int_equal(tok->messages[0].offset, 0);
	nego = tok->messages[0].u.nego;
	assert_int_equal(nego->header.type, NEGOEX_MESSAGE_TYPE_ACCEPTOR_NEGO);
	assert_int_equal(nego->header.sequence_number, 0);
	assert_int_equal(nego->header.header_length, 96);
	assert_int_equal(nego->header.message_length, 112);
	assert_string_equal(negoex_guid_string(t, &nego->header.conversation_id),
			    "7130cb06-2062-6a1b-409e-3514c26b1773");
	assert_string_equal(hex(t, nego->random, sizeof(nego->random)),
			    "ba25dd8091fbae2c684b9928f03c3ef3e2cf60a329eea0f9b1104b56c383c732");
	assert_int_equal(nego->protocol_version, 0);
	assert_int_equal(nego->num_auth_schemes, 1);
	assert_string_equal(negoex_guid_string(t, &nego->auth_schemes[0]), pku2u);
	assert_int_equal(nego->num_extensions, 0);
	assert_null(nego->extensions);
	assert_ptr_equal(nego->raw, tok->raw);
	assert_int_equal(nego->raw_len, 112);

	/* Message 2: ACCEPTOR_META_DATA. */
	assert_int_equal(tok->messages[1].type, NEGOEX_MESSAGE_TYPE_ACCEPTOR_META_DATA);
	assert_int_equal(tok->messages[1].offset, 112);
	ex = tok->messages[1].u.exchange;
	assert_int_equal(ex->header.sequence_number, 1);
	assert_int_equal(ex->header.header_length, 64);
	assert_int_equal(ex->header.message_length, 152);
	assert_string_equal(negoex_guid_string(t, &ex->header.conversation_id),
			    "7130cb06-2062-6a1b-409e-3514c26b1773");
	assert_string_equal(negoex_guid_string(t, &ex->auth_scheme), pku2u);
	assert_int_equal(ex->exchange_len, 88);
	assert_ptr_equal(ex->exchange, tok->raw + 112 + 64);
	assert_string_equal(hex(t, ex->exchange, 16), "3056a05430523027802530233121301f");
	assert_int_equal(ex->raw_len, 152);

	/* Each message rebuilds byte for byte, and so does the token. */
	again = rebuild_message(t, &tok->messages[0], &n);
	assert_int_equal(n, 112);
	assert_memory_equal(again, buf, 112);
	again = rebuild_message(t, &tok->messages[1], &n);
	assert_int_equal(n, 152);
	assert_memory_equal(again, buf + 112, 152);
	assert_true(NT_STATUS_IS_OK(negoex_token_build(t, tok, &again, &n, &why)));
	assert_int_equal(n, len);
	assert_memory_equal(again, buf, len);

	/* The single-message parsers agree with the token parser. */
	assert_true(NT_STATUS_IS_OK(negoex_nego_parse(t, buf, 112, &nego, &why)));
	assert_int_equal(nego->num_auth_schemes, 1);
	assert_true(NT_STATUS_IS_OK(negoex_exchange_parse(t, buf + 112, 152, &ex, &why)));
	assert_int_equal(ex->exchange_len, 88);
	assert_true(NT_STATUS_IS_OK(negoex_exchange_build(t, ex, &again, &n, &why)));
	assert_int_equal(n, 152);
	assert_memory_equal(again, buf + 112, 152);
	talloc_free(t);
}

static void test_ms_example(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	size_t len, n;
	uint8_t *buf = load_vector(t, MS_EXAMPLE, &len), *again;
	struct negoex_nego *nego = NULL;
	struct negoex_token *tok;
	const char *why = NULL;

	assert_int_equal(len, 112);
	assert_true(NT_STATUS_IS_OK(negoex_nego_parse(t, buf, len, &nego, &why)));
	assert_int_equal(nego->header.type, NEGOEX_MESSAGE_TYPE_INITIATOR_NEGO);
	assert_int_equal(nego->header.sequence_number, 0);
	assert_int_equal(nego->header.header_length, 96);
	assert_int_equal(nego->header.message_length, 112);
	assert_string_equal(negoex_guid_string(t, &nego->header.conversation_id),
			    "12b89136-8c16-d4ba-f67c-3b24f06935c7");
	assert_string_equal(hex(t, nego->random, sizeof(nego->random)),
			    "f11e9e45678922838ae1f2232fdbdb12dcbe229f8c3f58694de60a4f5a828ef4");
	assert_int_equal(nego->protocol_version, 0);
	assert_int_equal(nego->num_auth_schemes, 1);
	assert_string_equal(negoex_guid_string(t, &nego->auth_schemes[0]), pku2u);
	assert_int_equal(nego->num_extensions, 0);
	assert_true(NT_STATUS_IS_OK(negoex_nego_build(t, nego, &again, &n, &why)));
	assert_int_equal(n, len);
	assert_memory_equal(again, buf, len);
	assert_true(NT_STATUS_IS_OK(negoex_token_parse(t, buf, len, &tok, &why)));
	assert_int_equal(tok->num_messages, 1);
	assert_string_equal(negoex_message_type_name(tok->messages[0].type), "INITIATOR_NEGO");
	assert_null(negoex_message_type_name(8));
	talloc_free(t);
}

static void test_header(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	size_t len, n;
	uint8_t *buf = load_vector(t, WINDOWS_TOKEN, &len), *again;
	struct negoex_header h;
	const char *why = NULL;

	/* Read from the whole token: the second message is found at 112. */
	assert_true(NT_STATUS_IS_OK(negoex_header_parse(buf + 112, len - 112, &h, &why)));
	assert_int_equal(h.type, NEGOEX_MESSAGE_TYPE_ACCEPTOR_META_DATA);
	assert_int_equal(h.sequence_number, 1);
	assert_int_equal(h.header_length, 64);
	assert_int_equal(h.message_length, 152);
	assert_true(NT_STATUS_IS_OK(negoex_header_build(t, &h, &again, &n, &why)));
	assert_int_equal(n, NEGOEX_MESSAGE_HEADER_LEN);
	assert_memory_equal(again, buf + 112, NEGOEX_MESSAGE_HEADER_LEN);
	h.header_length = 40;
	assert_true(NT_STATUS_EQUAL(negoex_header_build(t, &h, &again, &n, &why),
				    NT_STATUS_INVALID_PARAMETER));
	assert_string_equal(why, "cbHeaderLength is shorter than the message type's fixed fields");
	talloc_free(t);
}

/* MIT krb5 1.20.1 negoex_add_verify_message: header 80, CHECKSUM {20, 1,
 * type, {80, len}}, 4 bytes of padding, the checksum.  Type 16
 * (hmac-sha1-96-aes256), 12 bytes. */
static const char mit_verify[] =
	"4e45474f45585453" "06000000" "04000000" "50000000" "5c000000"
	"00112233445566778899aabbccddeeff"
	"5c33530deaf90d4db2ec4ae3786ec308"
	"14000000" "01000000" "10000000" "50000000" "0c000000" "00000000"
	"a0a1a2a3a4a5a6a7a8a9aaab";

/* MIT negoex_add_verify_no_key_alert: header 72, ErrorCode 0, Alerts
 * {72, 1} and six bytes of padding, ALERT {PULSE, 84, 8} at 72,
 * ALERT_PULSE {8, VERIFY_NO_KEY} at 84. */
static const char mit_alert[] =
	"4e45474f45585453" "07000000" "05000000" "48000000" "5c000000"
	"00112233445566778899aabbccddeeff"
	"5c33530deaf90d4db2ec4ae3786ec308"
	"00000000" "48000000" "0100" "000000000000"
	"01000000" "54000000" "08000000"
	"08000000" "01000000";

/* MIT negoex_add_nego_message: the AuthSchemes and Extensions vectors
 * packed (6 bytes each: 96,2 then 96,0), four bytes of padding, two
 * schemes. */
static const char mit_nego[] =
	"4e45474f45585453" "00000000" "00000000" "60000000" "80000000"
	"00112233445566778899aabbccddeeff"
	"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	"0000000000000000"
	"60000000" "0200" "60000000" "0000" "00000000"
	"5c33530deaf90d4db2ec4ae3786ec308"
	"101112131415161718191a1b1c1d1e1f";

static void test_verify(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	size_t len, n;
	uint8_t *mit = unhex(t, mit_verify, &len), *out;
	struct negoex_verify *v = NULL, in;
	const char *why = NULL;

	assert_true(NT_STATUS_IS_OK(negoex_verify_parse(t, mit, len, &v, &why)));
	assert_int_equal(v->header.type, NEGOEX_MESSAGE_TYPE_VERIFY);
	assert_int_equal(v->header.sequence_number, 4);
	assert_int_equal(v->header.header_length, 80);
	assert_int_equal(v->header.message_length, 92);
	assert_string_equal(negoex_guid_string(t, &v->auth_scheme), pku2u);
	assert_int_equal(v->checksum.scheme, NEGOEX_CHECKSUM_SCHEME_RFC3961);
	assert_int_equal(v->checksum.type, 16);
	assert_int_equal(v->checksum.value_len, 12);
	assert_string_equal(hex(t, v->checksum.value, 12), "a0a1a2a3a4a5a6a7a8a9aaab");

	/* Our builder writes MIT's bytes. */
	memset(&in, 0, sizeof(in));
	in.header = v->header;
	in.header.header_length = in.header.message_length = 0; /* ignored */
	in.auth_scheme = v->auth_scheme;
	in.checksum.scheme = NEGOEX_CHECKSUM_SCHEME_RFC3961;
	in.checksum.type = 16;
	in.checksum.value = v->checksum.value;
	in.checksum.value_len = 12;
	assert_true(NT_STATUS_IS_OK(negoex_verify_build(t, &in, &out, &n, &why)));
	assert_int_equal(n, len);
	assert_memory_equal(out, mit, len);

	/* The builder refuses what the parser refuses. */
	in.checksum.scheme = 2;
	assert_true(NT_STATUS_EQUAL(negoex_verify_build(t, &in, &out, &n, &why),
				    NT_STATUS_NOT_SUPPORTED));
	assert_string_equal(why, "ChecksumScheme is not CHECKSUM_SCHEME_RFC3961");
	in.checksum.scheme = 1;
	in.header.type = NEGOEX_MESSAGE_TYPE_ALERT;
	assert_true(NT_STATUS_EQUAL(negoex_verify_build(t, &in, &out, &n, &why),
				    NT_STATUS_INVALID_PARAMETER));
	assert_string_equal(why, "message is not a VERIFY_MESSAGE");
	talloc_free(t);
}

static void test_alert(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	size_t len, n;
	uint8_t *mit = unhex(t, mit_alert, &len), *out, pulse_bytes[NEGOEX_ALERT_PULSE_LEN];
	struct negoex_alert_message *a = NULL, in;
	struct negoex_alert al;
	struct negoex_alert_pulse pulse;
	const char *why = NULL;

	assert_true(NT_STATUS_IS_OK(negoex_alert_parse(t, mit, len, &a, &why)));
	assert_int_equal(a->header.type, NEGOEX_MESSAGE_TYPE_ALERT);
	assert_int_equal(a->header.sequence_number, 5);
	assert_int_equal(a->header.header_length, 72);
	assert_int_equal(a->header.message_length, 92);
	assert_string_equal(negoex_guid_string(t, &a->auth_scheme), pku2u);
	assert_int_equal(a->error_code, 0);
	assert_int_equal(a->num_alerts, 1);
	assert_int_equal(a->alerts[0].type, NEGOEX_ALERT_TYPE_PULSE);
	assert_int_equal(a->alerts[0].value_len, 8);
	assert_true(a->verify_no_key);
	assert_true(NT_STATUS_IS_OK(negoex_alert_pulse_parse(a->alerts[0].value,
							     a->alerts[0].value_len, &pulse, &why)));
	assert_int_equal(pulse.header_length, 8);
	assert_int_equal(pulse.reason, NEGOEX_ALERT_VERIFY_NO_KEY);

	/* Our builder writes MIT's bytes. */
	negoex_alert_pulse_build(NEGOEX_ALERT_VERIFY_NO_KEY, pulse_bytes);
	al.type = NEGOEX_ALERT_TYPE_PULSE;
	al.value = pulse_bytes;
	al.value_len = sizeof(pulse_bytes);
	memset(&in, 0, sizeof(in));
	in.header = a->header;
	in.auth_scheme = a->auth_scheme;
	in.num_alerts = 1;
	in.alerts = &al;
	assert_true(NT_STATUS_IS_OK(negoex_alert_build(t, &in, &out, &n, &why)));
	assert_int_equal(n, len);
	assert_memory_equal(out, mit, len);

	/* An alert of an unknown type is kept; no alerts at all is valid. */
	al.type = 99;
	in.error_code = 0xc000006d;
	assert_true(NT_STATUS_IS_OK(negoex_alert_build(t, &in, &out, &n, &why)));
	assert_true(NT_STATUS_IS_OK(negoex_alert_parse(t, out, n, &a, &why)));
	assert_false(a->verify_no_key);
	assert_int_equal(a->alerts[0].type, 99);
	assert_int_equal(a->error_code, 0xc000006d);
	in.num_alerts = 0;
	assert_true(NT_STATUS_IS_OK(negoex_alert_build(t, &in, &out, &n, &why)));
	assert_int_equal(n, 72);
	assert_true(NT_STATUS_IS_OK(negoex_alert_parse(t, out, n, &a, &why)));
	assert_int_equal(a->num_alerts, 0);
	talloc_free(t);
}

static void test_exchange_types(void **state)
{
	static const enum negoex_message_type types[] = {
		NEGOEX_MESSAGE_TYPE_INITIATOR_META_DATA, NEGOEX_MESSAGE_TYPE_ACCEPTOR_META_DATA,
		NEGOEX_MESSAGE_TYPE_CHALLENGE, NEGOEX_MESSAGE_TYPE_AP_REQUEST};
	static const uint8_t token[5] = {1, 2, 3, 4, 5};
	TALLOC_CTX *t = talloc_new(NULL);
	struct negoex_exchange in, *e;
	uint8_t *out, *again;
	size_t n, n2;
	const char *why = NULL;

	for (size_t i = 0; i < 4; i++) {
		memset(&in, 0, sizeof(in));
		in.header.type = types[i];
		in.header.sequence_number = (uint32_t)i + 1;
		in.header.conversation_id = guid_of(0x40);
		in.auth_scheme = guid_of(0x80);
		in.exchange = token;
		in.exchange_len = sizeof(token);
		assert_true(NT_STATUS_IS_OK(negoex_exchange_build(t, &in, &out, &n, &why)));
		/* No padding after the payload: 64 + 5. */
		assert_int_equal(n, 69);
		assert_true(NT_STATUS_IS_OK(negoex_exchange_parse(t, out, n, &e, &why)));
		assert_int_equal(e->header.type, types[i]);
		assert_int_equal(e->header.sequence_number, i + 1);
		assert_memory_equal(e->header.conversation_id.bytes, in.header.conversation_id.bytes, 16);
		assert_memory_equal(e->auth_scheme.bytes, in.auth_scheme.bytes, 16);
		assert_int_equal(e->exchange_len, 5);
		assert_memory_equal(e->exchange, token, 5);
		assert_true(NT_STATUS_IS_OK(negoex_exchange_build(t, e, &again, &n2, &why)));
		assert_int_equal(n2, n);
		assert_memory_equal(again, out, n);
	}
	/* An empty exchange has offset 0, as Windows writes empty vectors. */
	in.exchange = NULL;
	in.exchange_len = 0;
	assert_true(NT_STATUS_IS_OK(negoex_exchange_build(t, &in, &out, &n, &why)));
	assert_int_equal(n, 64);
	assert_string_equal(hex(t, out + 56, 8), "0000000000000000");
	talloc_free(t);
}

static void test_nego_extensions(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	static const uint8_t v1[3] = {0xaa, 0xbb, 0xcc}, v2[5] = {1, 2, 3, 4, 5};
	struct negoex_guid schemes[2] = {guid_of(0x10), guid_of(0x20)};
	struct negoex_extension ext[3] = {{7, v1, 3}, {8, NULL, 0}, {9, v2, 5}};
	struct negoex_nego in, *p;
	struct negoex_token *tok;
	uint8_t *out, *again;
	size_t n, n2;
	const char *why = NULL;

	memset(&in, 0, sizeof(in));
	in.header.type = NEGOEX_MESSAGE_TYPE_INITIATOR_NEGO;
	in.header.conversation_id = guid_of(0x50);
	memset(in.random, 0x77, sizeof(in.random));
	in.num_auth_schemes = 2;
	in.auth_schemes = schemes;
	in.num_extensions = 3;
	in.extensions = ext;
	assert_true(NT_STATUS_IS_OK(negoex_nego_build(t, &in, &out, &n, &why)));
	/* 96 fixed, schemes at 96 (32), extensions at 128 (36), values at
	 * 164 (3, none, 5). */
	assert_int_equal(n, 96 + 32 + 36 + 8);
	assert_string_equal(hex(t, out + 80, 16), "60000000020000008000000003000000");
	assert_string_equal(hex(t, out + 128, 36),
			    "07000000a400000003000000"
			    "080000000000000000000000"
			    "09000000a700000005000000");
	assert_true(NT_STATUS_IS_OK(negoex_nego_parse(t, out, n, &p, &why)));
	assert_int_equal(p->num_extensions, 3);
	assert_int_equal(p->extensions[0].type, 7);
	assert_memory_equal(p->extensions[0].value, v1, 3);
	assert_int_equal(p->extensions[1].value_len, 0);
	assert_int_equal(p->extensions[2].type, 9);
	assert_memory_equal(p->extensions[2].value, v2, 5);
	assert_memory_equal(p->auth_schemes[1].bytes, schemes[1].bytes, 16);
	assert_true(NT_STATUS_IS_OK(negoex_nego_build(t, p, &again, &n2, &why)));
	assert_int_equal(n2, n);
	assert_memory_equal(again, out, n);

	/* A critical extension is refused by both directions. */
	ext[1].type = NEGOEX_EXTENSION_FLAG_CRITICAL | 8;
	assert_true(NT_STATUS_EQUAL(negoex_nego_build(t, &in, &out, &n, &why),
				    NT_STATUS_NOT_SUPPORTED));
	assert_string_equal(why, "critical extension (ExtensionType high bit set)");
	ext[1].type = 8;
	in.protocol_version = 1;
	assert_true(NT_STATUS_EQUAL(negoex_nego_build(t, &in, &out, &n, &why),
				    NT_STATUS_NOT_SUPPORTED));
	assert_string_equal(why, "ProtocolVersion is not 0");
	in.protocol_version = 0;
	in.num_auth_schemes = NEGOEX_MAX_AUTH_SCHEMES + 1;
	assert_true(NT_STATUS_EQUAL(negoex_nego_build(t, &in, &out, &n, &why),
				    NT_STATUS_INVALID_PARAMETER));
	assert_string_equal(why, "AuthSchemeCount is above NEGOEX_MAX_AUTH_SCHEMES");

	/* A token of every kind of message rebuilds byte for byte. */
	in.num_auth_schemes = 2;
	assert_true(NT_STATUS_IS_OK(negoex_nego_build(t, &in, &out, &n, &why)));
	{
		size_t vl, al;
		uint8_t *v = unhex(t, mit_verify, &vl), *a = unhex(t, mit_alert, &al);
		uint8_t *all = talloc_array(t, uint8_t, n + vl + al);

		memcpy(all, out, n);
		memcpy(all + n, v, vl);
		memcpy(all + n + vl, a, al);
		assert_true(NT_STATUS_IS_OK(negoex_token_parse(t, all, n + vl + al, &tok, &why)));
		assert_int_equal(tok->num_messages, 3);
		assert_int_equal(tok->messages[1].offset, n);
		assert_int_equal(tok->messages[2].offset, n + vl);
		assert_true(NT_STATUS_IS_OK(negoex_token_build(t, tok, &again, &n2, &why)));
		assert_int_equal(n2, n + vl + al);
		assert_memory_equal(again, all, n2);
	}
	talloc_free(t);
}

/* MIT's packed NEGO_MESSAGE vectors read as the draft's C structures give
 * the same fields; our rebuild differs in one byte, the AuthSchemes
 * vector's padding, where MIT has the low byte of its Extensions offset. */
static void test_mit_nego(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	size_t len, n;
	uint8_t *mit = unhex(t, mit_nego, &len), *out;
	struct negoex_nego *p;
	const char *why = NULL;

	assert_true(NT_STATUS_IS_OK(negoex_nego_parse(t, mit, len, &p, &why)));
	assert_int_equal(p->header.message_length, 128);
	assert_int_equal(p->num_auth_schemes, 2);
	assert_string_equal(negoex_guid_string(t, &p->auth_schemes[0]), pku2u);
	assert_int_equal(p->num_extensions, 0);
	assert_true(NT_STATUS_IS_OK(negoex_nego_build(t, p, &out, &n, &why)));
	assert_int_equal(n, len);
	assert_int_equal(mit[86], 0x60);
	assert_int_equal(out[86], 0x00);
	assert_memory_equal(out, mit, 86);
	assert_memory_equal(out + 87, mit + 87, len - 87);
	talloc_free(t);
}

/*
 * The malformed cases: a base message, up to two patches, the parser, the
 * expected status and reason.
 */
enum base { B_WINDOWS, B_MS, B_VERIFY, B_ALERT, B_NEGO_EXT, B_ALERT_OTHER };
enum parser { P_TOKEN, P_NEGO, P_EXCHANGE, P_VERIFY, P_ALERT };
struct patch {
	size_t off;
	int width; /* 0: none, 1, 2, 4 */
	uint32_t value;
};
struct bad_case {
	const char *name;
	enum base base;
	struct patch p[2];
	enum parser parser;
	NTSTATUS status;
	const char *reason;
};

#define INVALID NT_STATUS_INVALID_PARAMETER
#define UNSUPPORTED NT_STATUS_NOT_SUPPORTED

static const struct bad_case bad_cases[] = {
	{"bad signature", B_MS, {{0, 1, 'X'}}, P_TOKEN, INVALID, "Signature is not \"NEGOEXTS\""},
	{"unknown type", B_MS, {{8, 4, 8}}, P_TOKEN, INVALID,
	 "MessageType is not one the draft defines"},
	{"header length below NEGO fields", B_MS, {{16, 4, 95}}, P_TOKEN, INVALID,
	 "cbHeaderLength is shorter than the message type's fixed fields"},
	{"header length below MESSAGE_HEADER (CVE-2026-40356)", B_MS, {{16, 4, 24}}, P_TOKEN,
	 INVALID, "cbHeaderLength is shorter than the message type's fixed fields"},
	{"header length below VERIFY fields", B_VERIFY, {{16, 4, 72}}, P_TOKEN, INVALID,
	 "cbHeaderLength is shorter than the message type's fixed fields"},
	{"header length past message length", B_MS, {{16, 4, 120}}, P_TOKEN, INVALID,
	 "cbMessageLength is less than cbHeaderLength"},
	{"message length past the token", B_MS, {{20, 4, 113}}, P_TOKEN, INVALID,
	 "cbMessageLength runs past the end of the token"},
	{"message length huge", B_WINDOWS, {{20, 4, 0xffffffff}}, P_TOKEN, INVALID,
	 "cbMessageLength runs past the end of the token"},
	{"bytes after the message", B_WINDOWS, {{0, 0, 0}}, P_NEGO, INVALID,
	 "bytes follow the message"},
	{"wrong structure", B_MS, {{0, 0, 0}}, P_VERIFY, INVALID, "message is not a VERIFY_MESSAGE"},
	{"wrong structure (exchange)", B_VERIFY, {{0, 0, 0}}, P_EXCHANGE, INVALID,
	 "message is not an EXCHANGE_MESSAGE"},
	{"wrong structure (alert)", B_VERIFY, {{0, 0, 0}}, P_ALERT, INVALID,
	 "message is not an ALERT_MESSAGE"},
	{"protocol version 1", B_MS, {{72, 4, 1}}, P_TOKEN, UNSUPPORTED, "ProtocolVersion is not 0"},
	{"protocol version high word", B_MS, {{76, 4, 1}}, P_NEGO, UNSUPPORTED,
	 "ProtocolVersion is not 0"},
	{"auth schemes inside the header", B_MS, {{80, 4, 80}}, P_TOKEN, INVALID,
	 "AuthSchemes vector starts inside the message header"},
	{"auth schemes past the end", B_MS, {{80, 4, 97}}, P_TOKEN, INVALID,
	 "AuthSchemes vector runs past the end of the message"},
	{"auth schemes offset overflow", B_MS, {{80, 4, 0xfffffff8}}, P_TOKEN, INVALID,
	 "AuthSchemes vector runs past the end of the message"},
	{"auth schemes count explosion", B_MS, {{84, 2, 0xffff}}, P_TOKEN, INVALID,
	 "AuthSchemeCount is above NEGOEX_MAX_AUTH_SCHEMES"},
	{"auth schemes count within cap, past the end", B_MS, {{84, 2, 2}}, P_TOKEN, INVALID,
	 "AuthSchemes vector runs past the end of the message"},
	{"extension count explosion", B_MS, {{92, 2, 0x8000}}, P_TOKEN, INVALID,
	 "ExtensionCount is above NEGOEX_MAX_EXTENSIONS"},
	{"extensions at offset 0 (Windows' empty offset) with a count", B_MS, {{92, 2, 1}},
	 P_TOKEN, INVALID, "Extensions vector starts inside the message header"},
	{"extensions past the end (CVE-2026-40355)", B_MS, {{88, 4, 104}, {92, 2, 1}}, P_TOKEN,
	 INVALID, "Extensions vector runs past the end of the message"},
	{"critical extension", B_NEGO_EXT, {{112, 4, 0x80000007}}, P_TOKEN, UNSUPPORTED,
	 "critical extension (ExtensionType high bit set)"},
	{"extension value inside the header", B_NEGO_EXT, {{116, 4, 8}}, P_TOKEN, INVALID,
	 "ExtensionValue starts inside the message header"},
	{"extension value offset+length overflow", B_NEGO_EXT, {{116, 4, 0xffffffff}, {120, 4, 2}},
	 P_TOKEN, INVALID, "ExtensionValue runs past the end of the message"},
	{"exchange inside the header", B_WINDOWS, {{112 + 56, 4, 40}}, P_TOKEN, INVALID,
	 "Exchange vector starts inside the message header"},
	{"exchange length overflow", B_WINDOWS, {{112 + 60, 4, 0xffffffff}}, P_TOKEN, INVALID,
	 "Exchange vector runs past the end of the message"},
	{"exchange offset+length overflow", B_WINDOWS, {{112 + 56, 4, 0xffffffc0}, {112 + 60, 4, 0x80}},
	 P_TOKEN, INVALID, "Exchange vector runs past the end of the message"},
	{"checksum header length 24", B_VERIFY, {{56, 4, 24}}, P_TOKEN, INVALID,
	 "CHECKSUM cbHeaderLength is not 20"},
	{"checksum scheme 2", B_VERIFY, {{60, 4, 2}}, P_TOKEN, UNSUPPORTED,
	 "ChecksumScheme is not CHECKSUM_SCHEME_RFC3961"},
	{"checksum inside the header", B_VERIFY, {{68, 4, 76}}, P_VERIFY, INVALID,
	 "ChecksumValue starts inside the message header"},
	{"checksum past the end", B_VERIFY, {{72, 4, 13}}, P_TOKEN, INVALID,
	 "ChecksumValue runs past the end of the message"},
	{"alert count explosion", B_ALERT, {{64, 2, 0xffff}}, P_TOKEN, INVALID,
	 "AlertCount is above NEGOEX_MAX_ALERTS"},
	{"alerts inside the header", B_ALERT, {{60, 4, 64}}, P_TOKEN, INVALID,
	 "Alerts vector starts inside the message header"},
	{"alerts past the end", B_ALERT, {{64, 2, 2}}, P_ALERT, INVALID,
	 "Alerts vector runs past the end of the message"},
	{"alert value inside the header", B_ALERT, {{76, 4, 0}}, P_TOKEN, INVALID,
	 "AlertValue starts inside the message header"},
	{"alert value past the end", B_ALERT, {{80, 4, 9}}, P_TOKEN, INVALID,
	 "AlertValue runs past the end of the message"},
	{"pulse shorter than ALERT_PULSE", B_ALERT_OTHER, {{72, 4, NEGOEX_ALERT_TYPE_PULSE}},
	 P_TOKEN, INVALID, "ALERT_PULSE is shorter than 8 bytes"},
	{"trailing bytes shorter than a header", B_MS, {{112, 0, 0}}, P_TOKEN, INVALID,
	 "MESSAGE_HEADER is truncated"},
};

static uint8_t *base_bytes(TALLOC_CTX *t, enum base base, size_t *len)
{
	static const uint8_t v[4] = {1, 2, 3, 4};
	struct negoex_nego n;
	struct negoex_extension ext = {7, v, 4};
	struct negoex_guid g = guid_of(1);
	struct negoex_alert_message a;
	struct negoex_alert al = {2, v, 4};
	uint8_t *out;
	const char *why;

	switch (base) {
	case B_WINDOWS:
		return load_vector(t, WINDOWS_TOKEN, len);
	case B_MS:
		return load_vector(t, MS_EXAMPLE, len);
	case B_VERIFY:
		return unhex(t, mit_verify, len);
	case B_ALERT:
		return unhex(t, mit_alert, len);
	case B_NEGO_EXT:
		/* One scheme at 96, one EXTENSION {7, {124, 4}} at 112. */
		memset(&n, 0, sizeof(n));
		n.header.type = NEGOEX_MESSAGE_TYPE_ACCEPTOR_NEGO;
		n.num_auth_schemes = 1;
		n.auth_schemes = &g;
		n.num_extensions = 1;
		n.extensions = &ext;
		assert_true(NT_STATUS_IS_OK(negoex_nego_build(t, &n, &out, len, &why)));
		return out;
	case B_ALERT_OTHER:
		/* One alert of type 2 with a 4-byte value: ALERT at 72. */
		memset(&a, 0, sizeof(a));
		a.header.type = NEGOEX_MESSAGE_TYPE_ALERT;
		a.num_alerts = 1;
		a.alerts = &al;
		assert_true(NT_STATUS_IS_OK(negoex_alert_build(t, &a, &out, len, &why)));
		return out;
	}
	return NULL;
}

static NTSTATUS run_parser(TALLOC_CTX *t, enum parser p, const uint8_t *buf, size_t len,
			   void **out, const char **why)
{
	switch (p) {
	case P_TOKEN:
		return negoex_token_parse(t, buf, len, (struct negoex_token **)out, why);
	case P_NEGO:
		return negoex_nego_parse(t, buf, len, (struct negoex_nego **)out, why);
	case P_EXCHANGE:
		return negoex_exchange_parse(t, buf, len, (struct negoex_exchange **)out, why);
	case P_VERIFY:
		return negoex_verify_parse(t, buf, len, (struct negoex_verify **)out, why);
	case P_ALERT:
		return negoex_alert_parse(t, buf, len, (struct negoex_alert_message **)out, why);
	}
	return NT_STATUS_INTERNAL_ERROR;
}

static void test_malformed(void **state)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		TALLOC_CTX *t = talloc_new(NULL);
		size_t len;
		uint8_t *buf = base_bytes(t, c->base, &len);
		void *out = NULL;
		const char *why = NULL;
		NTSTATUS status;

		for (size_t j = 0; j < 2; j++) {
			const struct patch *p = &c->p[j];
			if (p->width == 4) {
				put32(buf, p->off, p->value);
			} else if (p->width == 2) {
				put16(buf, p->off, (uint16_t)p->value);
			} else if (p->width == 1) {
				buf[p->off] = (uint8_t)p->value;
			}
		}
		if (c->p[0].width == 0 && c->p[0].off > 0) {
			/* append 8 bytes after the message */
			buf = talloc_realloc(t, buf, uint8_t, len + 8);
			memset(buf + len, 0, 8);
			len += 8;
		}
		status = run_parser(t, c->parser, buf, len, &out, &why);
		if (!NT_STATUS_EQUAL(status, c->status) || why == NULL ||
		    strcmp(why, c->reason) != 0) {
			fail_msg("case \"%s\": got %s \"%s\", want \"%s\"", c->name,
				 crypto_status_name(status), why ? why : "(null)", c->reason);
		}
		assert_null(out);
		talloc_free(t);
	}
}

static void test_caps(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	size_t len, n;
	uint8_t *ms = load_vector(t, MS_EXAMPLE, &len), *big;
	struct negoex_token *tok = NULL;
	struct negoex_token many;
	struct negoex_message msgs[NEGOEX_MAX_MESSAGES + 1];
	struct negoex_nego *nego;
	const char *why = NULL;

	/* 65 messages. */
	n = (NEGOEX_MAX_MESSAGES + 1) * len;
	big = talloc_array(t, uint8_t, n);
	for (size_t i = 0; i <= NEGOEX_MAX_MESSAGES; i++) {
		memcpy(big + i * len, ms, len);
	}
	assert_true(NT_STATUS_EQUAL(negoex_token_parse(t, big, n, &tok, &why), INVALID));
	assert_string_equal(why, "token holds more than NEGOEX_MAX_MESSAGES messages");
	assert_null(tok);
	assert_true(NT_STATUS_IS_OK(negoex_token_parse(t, big, n - len, &tok, &why)));
	assert_int_equal(tok->num_messages, NEGOEX_MAX_MESSAGES);
	assert_true(NT_STATUS_EQUAL(negoex_token_parse(t, big, 0, &tok, &why), INVALID));
	assert_string_equal(why, "token is empty");
	assert_true(NT_STATUS_EQUAL(negoex_token_parse(t, big, NEGOEX_MAX_TOKEN_LEN + 1, &tok, &why),
				    INVALID));
	assert_string_equal(why, "token is larger than NEGOEX_MAX_TOKEN_LEN");

	/* The token builder refuses what the parser refuses. */
	assert_true(NT_STATUS_IS_OK(negoex_nego_parse(t, ms, len, &nego, &why)));
	for (size_t i = 0; i <= NEGOEX_MAX_MESSAGES; i++) {
		msgs[i].type = nego->header.type;
		msgs[i].u.nego = nego;
	}
	many.messages = msgs;
	many.num_messages = NEGOEX_MAX_MESSAGES + 1;
	assert_true(NT_STATUS_EQUAL(negoex_token_build(t, &many, &big, &n, &why), INVALID));
	assert_string_equal(why, "token holds more than NEGOEX_MAX_MESSAGES messages");
	msgs[0].type = (enum negoex_message_type)42;
	many.num_messages = 1;
	assert_true(NT_STATUS_EQUAL(negoex_token_build(t, &many, &big, &n, &why), INVALID));
	assert_string_equal(why, "message has no structure of its type");
	talloc_free(t);
}

/* Every proper prefix of a token fails with its reason, except those that
 * end exactly at a message boundary, which parse as fewer messages. */
static void check_truncations(const uint8_t *buf, size_t len)
{
	size_t boundary = 0, next;
	struct negoex_header h;

	assert_true(NT_STATUS_IS_OK(negoex_header_parse(buf, len, &h, NULL)));
	next = h.message_length;
	for (size_t cut = 0; cut < len; cut++) {
		TALLOC_CTX *t = talloc_new(NULL);
		struct negoex_token *tok = NULL;
		const char *why = NULL;
		NTSTATUS status = negoex_token_parse(t, buf, cut, &tok, &why);

		if (cut == next) {
			boundary = next;
			assert_true(NT_STATUS_IS_OK(negoex_header_parse(buf + boundary, len - boundary,
									&h, NULL)));
			next = boundary + h.message_length;
		}
		if (cut == 0) {
			assert_string_equal(why, "token is empty");
		} else if (cut == boundary) {
			assert_true(NT_STATUS_IS_OK(status));
		} else if (cut - boundary < NEGOEX_MESSAGE_HEADER_LEN) {
			assert_true(NT_STATUS_EQUAL(status, INVALID));
			assert_string_equal(why, "MESSAGE_HEADER is truncated");
		} else {
			assert_true(NT_STATUS_EQUAL(status, INVALID));
			assert_string_equal(why, "cbMessageLength runs past the end of the token");
		}
		if (!NT_STATUS_IS_OK(status)) {
			assert_null(tok);
		}
		talloc_free(t);
	}
}

static void test_truncation(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	size_t len;
	uint8_t *buf;

	buf = load_vector(t, WINDOWS_TOKEN, &len);
	check_truncations(buf, len);
	buf = load_vector(t, MS_EXAMPLE, &len);
	check_truncations(buf, len);
	buf = unhex(t, mit_verify, &len);
	check_truncations(buf, len);
	buf = unhex(t, mit_alert, &len);
	check_truncations(buf, len);
	talloc_free(t);
}

/*
 * check_round_trip: a parsed token's messages rebuild to bytes that parse
 * again and rebuild to themselves (the canonical form is a fixpoint);
 * returns whether the rebuild equals the input byte for byte.
 */
static bool check_round_trip(TALLOC_CTX *t, const struct negoex_token *tok)
{
	uint8_t *out, *again;
	size_t n, n2;
	struct negoex_token *tok2;
	const char *why = NULL;

	assert_true(NT_STATUS_IS_OK(negoex_token_build(t, tok, &out, &n, &why)));
	assert_true(NT_STATUS_IS_OK(negoex_token_parse(t, out, n, &tok2, &why)));
	assert_int_equal(tok2->num_messages, tok->num_messages);
	assert_true(NT_STATUS_IS_OK(negoex_token_build(t, tok2, &again, &n2, &why)));
	assert_int_equal(n2, n);
	assert_memory_equal(again, out, n);
	return n == tok->raw_len && memcmp(out, tok->raw, n) == 0;
}

struct range {
	size_t from, to;
};

/* The bytes of each vector whose every value is canonical: a flip there
 * must parse and rebuild byte for byte (sequence numbers, conversation
 * IDs, random, GUIDs, payload bytes). */
static const struct range windows_exact[] = {
	{12, 16}, {24, 72}, {96, 112}, {112 + 12, 112 + 16}, {112 + 24, 112 + 56}, {112 + 64, 264},
};
static const struct range ms_exact[] = {{12, 16}, {24, 72}, {96, 112}};

static void mutate(const uint8_t *orig, size_t len, const struct range *exact, size_t nexact,
		   size_t *ok_count, size_t *exact_count)
{
	uint8_t *buf = talloc_memdup(NULL, orig, len);

	for (size_t i = 0; i < len; i++) {
		static const uint8_t values[] = {0x00, 0xff, 0x80, 0x7f};
		for (size_t k = 0; k < 8 + sizeof(values); k++) {
			TALLOC_CTX *t = talloc_new(NULL);
			struct negoex_token *tok = NULL;
			const char *why = NULL;
			bool must_be_exact = false;
			NTSTATUS status;

			buf[i] = k < 8 ? (uint8_t)(orig[i] ^ (1u << k)) : values[k - 8];
			for (size_t r = 0; r < nexact; r++) {
				must_be_exact |= i >= exact[r].from && i < exact[r].to;
			}
			status = negoex_token_parse(t, buf, len, &tok, &why);
			if (NT_STATUS_IS_OK(status)) {
				bool same = check_round_trip(t, tok);
				(*ok_count)++;
				*exact_count += same;
				if (must_be_exact && !same) {
					fail_msg("byte %zu value %02x: parsed but did not rebuild", i,
						 buf[i]);
				}
			} else {
				assert_true(NT_STATUS_EQUAL(status, INVALID) ||
					    NT_STATUS_EQUAL(status, UNSUPPORTED));
				assert_non_null(why);
				assert_null(tok);
				if (must_be_exact) {
					fail_msg("byte %zu value %02x: refused (%s)", i, buf[i], why);
				}
			}
			buf[i] = orig[i];
			talloc_free(t);
		}
	}
	talloc_free(buf);
}

static void test_mutation(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	size_t len, ok = 0, exact = 0;
	uint8_t *buf;

	buf = load_vector(t, WINDOWS_TOKEN, &len);
	mutate(buf, len, windows_exact, sizeof(windows_exact) / sizeof(windows_exact[0]), &ok,
	       &exact);
	buf = load_vector(t, MS_EXAMPLE, &len);
	mutate(buf, len, ms_exact, sizeof(ms_exact) / sizeof(ms_exact[0]), &ok, &exact);
	buf = unhex(t, mit_verify, &len);
	mutate(buf, len, NULL, 0, &ok, &exact);
	buf = unhex(t, mit_alert, &len);
	mutate(buf, len, NULL, 0, &ok, &exact);
	buf = unhex(t, mit_nego, &len);
	mutate(buf, len, NULL, 0, &ok, &exact);
	print_message("%zu mutants parsed, %zu of them rebuilt byte for byte\n", ok, exact);
	assert_true(ok > 0 && exact > 0 && exact <= ok);
	talloc_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_windows_token),
		cmocka_unit_test(test_ms_example),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_verify),
		cmocka_unit_test(test_alert),
		cmocka_unit_test(test_exchange_types),
		cmocka_unit_test(test_nego_extensions),
		cmocka_unit_test(test_mit_nego),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_mutation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
