/*
 * test_negoex_malformed.c: the NEGOEX message codec on hostile input:
 * every rejection rule with its own reason, the caps, every truncation,
 * and a mutation loop over the vectors.
 */
#include "negoex_fixtures.h"

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
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_mutation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
