/*
 * test_negoex_msg.c: the NEGOEX message codec (negoex/msg.h) on known
 * answers: the Windows-generated ACCEPTOR_NEGO + ACCEPTOR_META_DATA token
 * and the INITIATOR_NEGO "MS example" (tests/vectors/negoex/), and
 * messages laid out as MIT krb5 1.20.1's negoex_util.c writes them.
 * Hostile input: test_negoex_malformed.c.
 */
#include "negoex_fixtures.h"

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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
