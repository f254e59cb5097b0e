/*
 * test_otpce_radius.c: otpce/radius's wire codec against known answers:
 * RFC 2865 7.1 (User-Password hiding, Response Authenticator), RFC 5997 6
 * (Message-Authenticator, RFC 3579 3.2's HMAC-MD5), and FreeRADIUS 3.2's
 * answers to requests built independently of us (radius_capture.py):
 * radius_request_build must make those requests byte for byte, and
 * radius_reply_parse must take FreeRADIUS's replies.  Hostile replies are
 * test_otpce_radius_reply.c; the event client test_otpce_radius_client.c.
 */
#include "helpers.h"
#include "radius_fixtures.h"

#define RFC "rfc_radius.txt"
#define FR "freeradius_pap.txt"

static void test_rfc2865_password_hiding(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	size_t slen, rlen, plen;
	uint8_t *secret = fx_vector(t, RFC, "SECRET", &slen);
	uint8_t *req = fx_vector(t, RFC, "RFC2865_7_1_REQUEST", &rlen);
	uint8_t *pw = fx_vector(t, RFC, "RFC2865_7_1_PASSWORD", &plen);
	uint8_t hidden[16];
	const char *why = NULL;

	assert_int_equal(rlen, 56);
	/* Attributes: User-Name (6 octets) then User-Password (18). */
	assert_int_equal(req[26], RADIUS_ATTR_USER_PASSWORD);
	assert_int_equal(req[27], 18);
	assert_int_equal(radius_hidden_len(plen), 16);
	assert_true(NT_STATUS_IS_OK(radius_hide_password(pw, plen, secret, slen, req + 4,
							 hidden, &why)));
	assert_memory_equal(hidden, req + 28, 16);
	talloc_free(t);
}

/* The RFC's replies carry no Message-Authenticator (it predates RFC 3579's
 * use in PAP): the parser must get past the Response Authenticator, which
 * it checks first, and stop at the missing Message-Authenticator. */
static void test_rfc2865_response_authenticator(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	size_t slen, rlen, alen;
	uint8_t *secret = fx_vector(t, RFC, "SECRET", &slen);
	uint8_t *req = fx_vector(t, RFC, "RFC2865_7_1_REQUEST", &rlen);
	uint8_t *acc = fx_vector(t, RFC, "RFC2865_7_1_ACCEPT", &alen);
	struct radius_reply r;
	const char *why = NULL;
	NTSTATUS status;

	status = radius_reply_parse(acc, alen, req[1], req + 4, secret, slen, &r, &why);
	assert_true(NT_STATUS_EQUAL(status, NT_STATUS_ACCESS_DENIED));
	assert_string_equal(why, "no Message-Authenticator");
	/* One bit off in the Response Authenticator is caught before that. */
	acc[10] ^= 0x80;
	status = radius_reply_parse(acc, alen, req[1], req + 4, secret, slen, &r, &why);
	assert_true(NT_STATUS_EQUAL(status, NT_STATUS_ACCESS_DENIED));
	assert_string_equal(why, "the Response Authenticator is wrong");
	talloc_free(t);
}

static void test_rfc5997_message_authenticator(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	size_t slen, qlen, alen;
	uint8_t *secret = fx_vector(t, RFC, "SECRET", &slen);
	uint8_t *q = fx_vector(t, RFC, "RFC5997_6_STATUS_SERVER", &qlen);
	uint8_t *acc = fx_vector(t, RFC, "RFC5997_6_ACCEPT", &alen);
	uint8_t mac[RADIUS_MESSAGE_AUTH_LEN];
	struct radius_reply r;
	const char *why = NULL;

	/* Status-Server: the Message-Authenticator is its only attribute. */
	assert_int_equal(qlen, 38);
	assert_int_equal(q[20], RADIUS_ATTR_MESSAGE_AUTHENTICATOR);
	assert_true(NT_STATUS_IS_OK(radius_message_authenticator(q, qlen, 22, q + 4, secret,
								 slen, mac)));
	assert_memory_equal(mac, q + 22, 16);
	/* The packet itself is left alone. */
	assert_int_not_equal(q[22] | q[23], 0);
	/* The accept's Response Authenticator checks against the request's. */
	assert_true(NT_STATUS_EQUAL(radius_reply_parse(acc, alen, q[1], q + 4, secret, slen,
						       &r, &why),
				    NT_STATUS_ACCESS_DENIED));
	assert_string_equal(why, "no Message-Authenticator");
	talloc_free(t);
}

/* One FreeRADIUS exchange: our request equals the independent one, and
 * FreeRADIUS's reply parses with |code|. */
static struct radius_reply freeradius_case(TALLOC_CTX *t, const char *name, uint8_t code,
					   const uint8_t *state, size_t state_len)
{
	char key[64];
	size_t slen, ulen, plen, qlen, alen, blen;
	uint8_t *secret = fx_vector(t, FR, "SECRET", &slen);
	uint8_t *user, *pw, *want, *rep, *built;
	struct radius_request_fields f;
	struct radius_reply r;
	const char *why = NULL;
	NTSTATUS status;

	snprintf(key, sizeof(key), "%s_USER", name);
	user = fx_vector(t, FR, key, &ulen);
	snprintf(key, sizeof(key), "%s_PASSWORD", name);
	pw = fx_vector(t, FR, key, &plen);
	snprintf(key, sizeof(key), "%s_REQUEST", name);
	want = fx_vector(t, FR, key, &qlen);
	snprintf(key, sizeof(key), "%s_REPLY", name);
	rep = fx_vector(t, FR, key, &alen);

	memset(&f, 0, sizeof(f));
	f.identifier = want[1];
	memcpy(f.authenticator, want + 4, RADIUS_AUTH_LEN);
	f.user = user;
	f.user_len = ulen;
	f.password = pw;
	f.password_len = plen;
	f.nas_identifier = (const uint8_t *)"otpced";
	f.nas_identifier_len = 6;
	f.state = state;
	f.state_len = state_len;
	assert_true(NT_STATUS_IS_OK(radius_request_build(t, &f, secret, slen, &built, &blen, &why)));
	assert_int_equal(blen, qlen);
	assert_memory_equal(built, want, qlen);

	status = radius_reply_parse(rep, alen, want[1], want + 4, secret, slen, &r, &why);
	if (!NT_STATUS_IS_OK(status)) {
		fail_msg("%s: %s", name, why);
	}
	assert_int_equal(r.code, code);
	return r;
}

static void test_freeradius_accept_reject(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct radius_reply r;

	r = freeradius_case(t, "ACCEPT", RADIUS_CODE_ACCESS_ACCEPT, NULL, 0);
	assert_int_equal(r.state_len, 0);
	assert_string_equal(r.reply_message, "");
	r = freeradius_case(t, "REJECT", RADIUS_CODE_ACCESS_REJECT, NULL, 0);
	r = freeradius_case(t, "LONG", RADIUS_CODE_ACCESS_ACCEPT, NULL, 0);
	talloc_free(t);
}

static void test_freeradius_challenge(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	static const char want_state[] = "otpce test state!";
	struct radius_reply r;

	r = freeradius_case(t, "CHALLENGE", RADIUS_CODE_ACCESS_CHALLENGE, NULL, 0);
	assert_int_equal(r.state_len, strlen(want_state));
	assert_memory_equal(r.state, want_state, r.state_len);
	assert_string_equal(r.reply_message, "Enter the code shown on your token");
	assert_false(r.reply_message_truncated);
	r = freeradius_case(t, "CHALLENGE_ANSWER", RADIUS_CODE_ACCESS_ACCEPT,
			    (const uint8_t *)want_state, strlen(want_state));
	talloc_free(t);
}

/* Every single-bit change of a genuine reply is refused: each octet is under
 * the Response Authenticator, the Message-Authenticator or both. */
static void test_freeradius_reply_bit_flips(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	size_t slen, qlen, alen;
	uint8_t *secret = fx_vector(t, FR, "SECRET", &slen);
	uint8_t *q = fx_vector(t, FR, "CHALLENGE_REQUEST", &qlen);
	uint8_t *rep = fx_vector(t, FR, "CHALLENGE_REPLY", &alen);
	struct radius_reply r;

	for (size_t i = 0; i < alen * 8; i++) {
		const char *why = NULL;
		memset(&r, 0x5a, sizeof(r));
		rep[i / 8] ^= (uint8_t)(1u << (i % 8));
		assert_false(NT_STATUS_IS_OK(radius_reply_parse(rep, alen, q[1], q + 4, secret,
								slen, &r, &why)));
		assert_non_null(why);
		assert_int_equal(r.code, 0x5a); /* untouched */
		rep[i / 8] ^= (uint8_t)(1u << (i % 8));
	}
	/* ... and every truncation. */
	for (size_t n = 0; n < alen; n++) {
		const char *why = NULL;
		assert_false(NT_STATUS_IS_OK(radius_reply_parse(rep, n, q[1], q + 4, secret, slen,
								&r, &why)));
	}
	/* The wrong secret, the wrong Request Authenticator. */
	assert_true(NT_STATUS_EQUAL(radius_reply_parse(rep, alen, q[1], q + 4, secret, slen - 1,
						       &r, NULL),
				    NT_STATUS_ACCESS_DENIED));
	q[4] ^= 1;
	assert_true(NT_STATUS_EQUAL(radius_reply_parse(rep, alen, q[1], q + 4, secret, slen, &r,
						       NULL),
				    NT_STATUS_ACCESS_DENIED));
	talloc_free(t);
}

/* Hiding at every length class, undone by the fixture's own un-hiding; the
 * request's layout (Message-Authenticator first, valid). */
static void test_request_layout_and_lengths(void **state)
{
	static const size_t lens[] = { 0, 1, 15, 16, 17, 31, 32, 33, 127, 128 };
	TALLOC_CTX *t = talloc_new(NULL);
	const uint8_t secret[] = "s3cret";
	char pw[129];

	for (size_t k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
		struct radius_request_fields f;
		struct fx_request q;
		uint8_t *pkt;
		size_t len;

		for (size_t i = 0; i < lens[k]; i++) {
			pw[i] = (char)('a' + (i % 26));
		}
		pw[lens[k]] = '\0';
		memset(&f, 0, sizeof(f));
		f.identifier = (uint8_t)k;
		memset(f.authenticator, (int)k + 1, RADIUS_AUTH_LEN);
		f.user = (const uint8_t *)"u";
		f.user_len = 1;
		f.password = (const uint8_t *)pw;
		f.password_len = lens[k];
		f.nas_identifier = (const uint8_t *)"nas";
		f.nas_identifier_len = 3;
		f.state = (const uint8_t *)"\x01\x02";
		f.state_len = k % 2 ? 2 : 0;
		assert_true(NT_STATUS_IS_OK(radius_request_build(t, &f, secret, 6, &pkt, &len, NULL)));
		fx_read_request(pkt, len, secret, 6, &q);
		assert_int_equal(q.identifier, k);
		assert_true(q.ma_first);
		assert_true(q.ma_ok);
		assert_int_equal(q.n_ma, 1);
		assert_string_equal(q.user, "u");
		assert_string_equal(q.nas, "nas");
		assert_string_equal(q.password, pw);
		assert_int_equal(q.state_len, f.state_len);
		assert_int_equal(len, 20 + 18 + 3 + 2 + radius_hidden_len(lens[k]) + 5 +
					      (f.state_len ? 4 : 0));
	}
	talloc_free(t);
}

static void test_request_refusals(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	uint8_t big[300], *pkt = NULL;
	size_t len = 0;
	struct radius_request_fields f, g;
	const char *why;

	memset(big, 'x', sizeof(big));
	memset(&f, 0, sizeof(f));
	f.user = big;
	f.user_len = 5;
	f.password = big;
	f.password_len = 5;
	f.nas_identifier = big;
	f.nas_identifier_len = 5;
#define REFUSED(field, value, text)                                                        \
	do {                                                                               \
		g = f;                                                                     \
		g.field = value;                                                           \
		why = NULL;                                                                \
		assert_true(NT_STATUS_EQUAL(radius_request_build(t, &g, big, 8, &pkt, &len, \
								 &why),                    \
					    NT_STATUS_INVALID_PARAMETER));                 \
		assert_non_null(why);                                                      \
		assert_non_null(strstr(why, text));                                        \
		assert_null(pkt);                                                          \
	} while (0)
	REFUSED(user_len, 0, "User-Name");
	REFUSED(user_len, 254, "User-Name");
	REFUSED(nas_identifier_len, 0, "NAS-Identifier");
	REFUSED(nas_identifier_len, 254, "NAS-Identifier");
	REFUSED(password_len, 129, "password");
	REFUSED(state_len, 254, "State");
	REFUSED(password, (const uint8_t *)"ab\0cd", "NUL");
#undef REFUSED
	/* The secret: empty, or over 256 octets. */
	assert_true(NT_STATUS_EQUAL(radius_request_build(t, &f, big, 0, &pkt, &len, &why),
				    NT_STATUS_INVALID_PARAMETER));
	assert_true(NT_STATUS_EQUAL(radius_request_build(t, &f, big, 257, &pkt, &len, &why),
				    NT_STATUS_INVALID_PARAMETER));
	/* The limits themselves are fine. */
	g = f;
	g.user_len = 253;
	g.password_len = 128;
	g.state = big;
	g.state_len = 253;
	g.nas_identifier_len = 253;
	assert_true(NT_STATUS_IS_OK(radius_request_build(t, &g, big, 256, &pkt, &len, &why)));
	assert_int_equal(len, 20 + 18 + 3 * 255 + 130);
	talloc_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc2865_password_hiding),
		cmocka_unit_test(test_rfc2865_response_authenticator),
		cmocka_unit_test(test_rfc5997_message_authenticator),
		cmocka_unit_test(test_freeradius_accept_reject),
		cmocka_unit_test(test_freeradius_challenge),
		cmocka_unit_test(test_freeradius_reply_bit_flips),
		cmocka_unit_test(test_request_layout_and_lengths),
		cmocka_unit_test(test_request_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
