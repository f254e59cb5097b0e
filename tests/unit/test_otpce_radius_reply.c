/*
 * test_otpce_radius_reply.c: radius_reply_parse against hostile and
 * malformed replies, one case per rule (otpce/radius/packet.h), each
 * signed correctly by the fixture unless the rule is about the signing,
 * so that it is refused for the one thing it breaks.  Known answers are
 * test_otpce_radius.c.
 */
#include "helpers.h"
#include "radius_fixtures.h"

static const uint8_t SECRET[] = "reply-test-secret";
#define SECRET_LEN (sizeof(SECRET) - 1)
#define ID 0x42
static const uint8_t REQ_AUTH[RADIUS_AUTH_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8,
						   9, 10, 11, 12, 13, 14, 15, 16 };

static struct fx_reply base_reply(uint8_t code)
{
	struct fx_reply r;

	memset(&r, 0, sizeof(r));
	r.code = code;
	r.identifier = ID;
	memcpy(r.request_auth, REQ_AUTH, sizeof(REQ_AUTH));
	r.secret = SECRET;
	r.secret_len = SECRET_LEN;
	r.ma_first = true;
	return r;
}

static NTSTATUS parse(const uint8_t *p, size_t len, struct radius_reply *out, const char **why)
{
	return radius_reply_parse(p, len, ID, REQ_AUTH, SECRET, SECRET_LEN, out, why);
}

#define A(t, v) { (t), 0, (v), sizeof(v) - 1 }

struct bad_case {
	const char *name;
	struct fx_reply r;
	size_t extra;		/* octets sent past the packet (padding) */
	ssize_t cut;		/* send only this many octets (if >= 0) */
	int patch_at;		/* then set this octet (if > 0) ... */
	uint8_t patch_val;	/* ... to this */
	NTSTATUS want;
	const char *reason;
};

static void check_bad(const struct bad_case *c)
{
	uint8_t pkt[8192];
	size_t len = fx_build_reply(&c->r, pkt, sizeof(pkt));
	struct radius_reply out;
	const char *why = NULL;
	NTSTATUS status;

	memset(pkt + len, 0xee, c->extra);
	len += c->extra;
	if (c->cut >= 0) {
		len = (size_t)c->cut;
	}
	if (c->patch_at > 0) {
		pkt[c->patch_at] = c->patch_val;
	}
	memset(&out, 0x77, sizeof(out));
	status = parse(pkt, len, &out, &why);
	if (!NT_STATUS_EQUAL(status, c->want) || why == NULL || strcmp(why, c->reason) != 0) {
		fail_msg("%s: got %s (%s), want %s (%s)", c->name, crypto_status_name(status),
			 why != NULL ? why : "no reason", crypto_status_name(c->want), c->reason);
	}
	/* Outputs only on success. */
	assert_int_equal(out.code, 0x77);
}

static void test_reply_malformed(void **state)
{
	static const uint8_t nul_msg[] = { 'a', 0, 'b' };
	struct bad_case cases[32];
	size_t n = 0;
	struct fx_reply r;

#define CASE(nm, rr, ex, ct, st, rs) \
	cases[n++] = (struct bad_case){ nm, rr, ex, ct, 0, 0, st, rs }
#define PATCHED(nm, rr, at, val, st, rs) \
	cases[n++] = (struct bad_case){ nm, rr, 0, -1, at, val, st, rs }
	const NTSTATUS INVAL = NT_STATUS_INVALID_PARAMETER, DENIED = NT_STATUS_ACCESS_DENIED;

	r = base_reply(RADIUS_CODE_ACCESS_ACCEPT);
	CASE("empty datagram", r, 0, 0, INVAL, "shorter than the 20-octet header");
	CASE("19 octets", r, 0, 19, INVAL, "shorter than the 20-octet header");
	CASE("cut inside the Message-Authenticator", r, 0, 30, INVAL,
	     "Length is past the end of the datagram");
	r.length_delta = -19;
	CASE("Length 19", r, 0, -1, INVAL, "Length is not 20 to 4096");
	r = base_reply(RADIUS_CODE_ACCESS_ACCEPT);
	r.length_delta = 4097 - 38;
	CASE("Length 4097", r, 5000, -1, INVAL, "Length is not 20 to 4096");
	r.length_delta = 1;
	CASE("Length one past the datagram", r, 0, -1, INVAL,
	     "Length is past the end of the datagram");
	r.length_delta = -1;
	CASE("an attribute past Length (the rest is padding)", r, 0, -1, INVAL,
	     "an attribute runs past the packet's Length");
	r = base_reply(RADIUS_CODE_ACCESS_ACCEPT);
	r.attrs[0] = (struct fx_attr)A(RADIUS_ATTR_REPLY_MESSAGE, "abc");
	r.n_attrs = 1;
	/* The Reply-Message's Length octet is at 20 + 18 + 1. */
	PATCHED("an attribute with Length 1", r, 39, 1, INVAL, "an attribute's Length is under 2");
	PATCHED("an attribute with Length 0", r, 39, 0, INVAL, "an attribute's Length is under 2");
	PATCHED("an attribute header cut off (Length 4 leaves 1 octet)", r, 39, 4, INVAL,
		"an attribute header is cut off");
	r.attrs[0] = (struct fx_attr){ 0x1a, 0, NULL, 0 };
	r.attrs[1] = (struct fx_attr){ RADIUS_ATTR_REPLY_MESSAGE, 9, "abc", 3 };
	r.n_attrs = 2;
	CASE("an attribute longer than what is left", r, 0, -1, INVAL,
	     "an attribute runs past the packet's Length");

	r = base_reply(RADIUS_CODE_ACCESS_REQUEST);
	CASE("an Access-Request as reply", r, 0, -1, INVAL,
	     "the code is not Access-Accept, -Reject or -Challenge");
	r = base_reply(4); /* Accounting-Request */
	CASE("code 4", r, 0, -1, INVAL, "the code is not Access-Accept, -Reject or -Challenge");
	r = base_reply(12); /* Status-Server */
	CASE("code 12", r, 0, -1, INVAL, "the code is not Access-Accept, -Reject or -Challenge");
	r = base_reply(RADIUS_CODE_ACCESS_ACCEPT);
	r.identifier = ID + 1;
	CASE("another Identifier", r, 0, -1, INVAL, "the Identifier is not the request's");

	r = base_reply(RADIUS_CODE_ACCESS_ACCEPT);
	r.break_response = true;
	CASE("a wrong Response Authenticator", r, 0, -1, DENIED,
	     "the Response Authenticator is wrong");
	r = base_reply(RADIUS_CODE_ACCESS_ACCEPT);
	r.no_ma = true;
	CASE("no Message-Authenticator (accept)", r, 0, -1, DENIED, "no Message-Authenticator");
	r.code = RADIUS_CODE_ACCESS_REJECT;
	CASE("no Message-Authenticator (reject)", r, 0, -1, DENIED, "no Message-Authenticator");
	r.code = RADIUS_CODE_ACCESS_CHALLENGE;
	CASE("no Message-Authenticator (challenge)", r, 0, -1, DENIED, "no Message-Authenticator");
	r = base_reply(RADIUS_CODE_ACCESS_ACCEPT);
	r.break_ma = true;
	CASE("a wrong Message-Authenticator", r, 0, -1, DENIED, "the Message-Authenticator is wrong");
	r.ma_first = false;
	r.attrs[0] = (struct fx_attr)A(RADIUS_ATTR_REPLY_MESSAGE, "hello");
	r.n_attrs = 1;
	CASE("a wrong Message-Authenticator, last", r, 0, -1, DENIED,
	     "the Message-Authenticator is wrong");
	r = base_reply(RADIUS_CODE_ACCESS_ACCEPT);
	r.attrs[0] = (struct fx_attr){ RADIUS_ATTR_MESSAGE_AUTHENTICATOR, 0, "0123456789abcdef", 16 };
	r.n_attrs = 1;
	CASE("two Message-Authenticators", r, 0, -1, INVAL, "more than one Message-Authenticator");
	r.attrs[0] = (struct fx_attr){ RADIUS_ATTR_MESSAGE_AUTHENTICATOR, 0, "0123456789abcde", 15 };
	CASE("a 15-octet Message-Authenticator", r, 0, -1, INVAL,
	     "a Message-Authenticator is not 16 octets");
	r.attrs[0] = (struct fx_attr){ RADIUS_ATTR_MESSAGE_AUTHENTICATOR, 0, "0123456789abcdefg", 17 };
	CASE("a 17-octet Message-Authenticator", r, 0, -1, INVAL,
	     "a Message-Authenticator is not 16 octets");

	r = base_reply(RADIUS_CODE_ACCESS_CHALLENGE);
	r.attrs[0] = (struct fx_attr)A(RADIUS_ATTR_STATE, "one");
	r.attrs[1] = (struct fx_attr)A(RADIUS_ATTR_STATE, "two");
	r.n_attrs = 2;
	CASE("two States", r, 0, -1, INVAL, "more than one State");
	r.attrs[0] = (struct fx_attr){ RADIUS_ATTR_STATE, 0, "", 0 };
	r.n_attrs = 1;
	CASE("an empty State", r, 0, -1, INVAL, "an empty State");
	r.attrs[0] = (struct fx_attr){ RADIUS_ATTR_REPLY_MESSAGE, 0, "", 0 };
	CASE("an empty Reply-Message", r, 0, -1, INVAL, "a Reply-Message is empty or holds a NUL");
	r.attrs[0] = (struct fx_attr){ RADIUS_ATTR_REPLY_MESSAGE, 0, nul_msg, sizeof(nul_msg) };
	CASE("a Reply-Message with a NUL", r, 0, -1, INVAL,
	     "a Reply-Message is empty or holds a NUL");
#undef CASE
#undef PATCHED
	assert_true(n <= sizeof(cases) / sizeof(cases[0]));
	for (size_t i = 0; i < n; i++) {
		check_bad(&cases[i]);
	}
}

/* What is accepted, at the limits. */
static void test_reply_accepted(void **state)
{
	uint8_t pkt[8192], big[253];
	char want[254];
	struct radius_reply out;
	struct fx_reply r;
	const char *why = NULL;
	size_t len;

	/* Padding after Length is ignored (RFC 2865 section 3). */
	r = base_reply(RADIUS_CODE_ACCESS_REJECT);
	len = fx_build_reply(&r, pkt, sizeof(pkt));
	memset(pkt + len, 0xee, 100);
	assert_true(NT_STATUS_IS_OK(parse(pkt, len + 100, &out, &why)));
	assert_int_equal(out.code, RADIUS_CODE_ACCESS_REJECT);

	/* A 253-octet State, the Message-Authenticator last, unknown and
	 * vendor attributes between (ignored). */
	memset(big, 0xab, sizeof(big));
	r = base_reply(RADIUS_CODE_ACCESS_CHALLENGE);
	r.ma_first = false;
	r.attrs[0] = (struct fx_attr){ 26, 0, "\0\0\x01\x37\x01\x03z", 7 };
	r.attrs[1] = (struct fx_attr){ RADIUS_ATTR_STATE, 0, big, sizeof(big) };
	r.attrs[2] = (struct fx_attr){ 200, 0, "", 0 };
	r.n_attrs = 3;
	len = fx_build_reply(&r, pkt, sizeof(pkt));
	assert_true(NT_STATUS_IS_OK(parse(pkt, len, &out, &why)));
	assert_int_equal(out.state_len, 253);
	assert_memory_equal(out.state, big, 253);
	assert_ptr_equal(out.state, pkt + 20 + 9 + 2);

	/* Reply-Messages are joined with '\n'; past 253 octets they are cut at
	 * a character boundary (here a 2-octet "é" that would straddle it). */
	r = base_reply(RADIUS_CODE_ACCESS_CHALLENGE);
	memset(big, 'x', sizeof(big));
	big[250] = 0xc3;
	big[251] = 0xa9;
	big[252] = 'y';
	r.attrs[0] = (struct fx_attr)A(RADIUS_ATTR_REPLY_MESSAGE, "first");
	r.attrs[1] = (struct fx_attr)A(RADIUS_ATTR_REPLY_MESSAGE, "second");
	r.n_attrs = 2;
	len = fx_build_reply(&r, pkt, sizeof(pkt));
	assert_true(NT_STATUS_IS_OK(parse(pkt, len, &out, &why)));
	assert_string_equal(out.reply_message, "first\nsecond");
	assert_false(out.reply_message_truncated);
	r.attrs[1] = (struct fx_attr){ RADIUS_ATTR_REPLY_MESSAGE, 0, big, 247 };
	len = fx_build_reply(&r, pkt, sizeof(pkt));
	assert_true(NT_STATUS_IS_OK(parse(pkt, len, &out, &why)));
	/* "first\n" is 6 octets, 247 more fit exactly. */
	assert_int_equal(strlen(out.reply_message), 253);
	assert_false(out.reply_message_truncated);
	r.attrs[1] = (struct fx_attr){ RADIUS_ATTR_REPLY_MESSAGE, 0, big + 2, 251 };
	len = fx_build_reply(&r, pkt, sizeof(pkt));
	assert_true(NT_STATUS_IS_OK(parse(pkt, len, &out, &why)));
	assert_true(out.reply_message_truncated);
	/* 247 octets of big+2 fit: octets 2..248 of big, all 'x'. */
	memset(want, 'x', sizeof(want));
	memcpy(want, "first\n", 6);
	want[253] = '\0';
	assert_string_equal(out.reply_message, want);
	/* A cut that would fall inside "é" steps back before it. */
	r.attrs[1] = (struct fx_attr){ RADIUS_ATTR_REPLY_MESSAGE, 0, big + 4, 249 };
	len = fx_build_reply(&r, pkt, sizeof(pkt));
	assert_true(NT_STATUS_IS_OK(parse(pkt, len, &out, &why)));
	assert_true(out.reply_message_truncated);
	/* From big+4, "é" is octets 246 and 247: 247 octets would end inside
	 * it, so 246 are kept. */
	assert_int_equal(strlen(out.reply_message), 6 + 246);
}

/* A reply for another request (Request Authenticator) is refused even with
 * the right Identifier: what a replayed old reply looks like. */
static void test_reply_replayed(void **state)
{
	uint8_t pkt[8192];
	struct fx_reply r = base_reply(RADIUS_CODE_ACCESS_ACCEPT);
	struct radius_reply out;
	const char *why = NULL;
	size_t len;

	r.request_auth[0] ^= 1;
	len = fx_build_reply(&r, pkt, sizeof(pkt));
	assert_true(NT_STATUS_EQUAL(parse(pkt, len, &out, &why), NT_STATUS_ACCESS_DENIED));
	assert_string_equal(why, "the Response Authenticator is wrong");
	/* The secret: empty or too long, refused before any MD5. */
	assert_true(NT_STATUS_EQUAL(radius_reply_parse(pkt, len, ID, REQ_AUTH, SECRET, 0, &out, &why),
				    NT_STATUS_INVALID_PARAMETER));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reply_malformed),
		cmocka_unit_test(test_reply_accepted),
		cmocka_unit_test(test_reply_replayed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
