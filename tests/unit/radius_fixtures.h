/*
 * radius_fixtures.h: what the otpce/radius tests share: the vectors of
 * tests/vectors/otpce/ ("NAME = hex" lines), and a test-side RADIUS server
 * half: a reply builder that signs as RFC 2865 section 3 and RFC 3579 3.2
 * say (written here, apart from packet.c, with the MD5 and HMAC of
 * crypto/), and a request reader that un-hides the password.  Included by
 * test_otpce_radius.c, test_otpce_radius_reply.c,
 * test_otpce_radius_client.c and fuzz_otpce_radius_reply.c.
 */
#ifndef TESTS_UNIT_RADIUS_FIXTURES_H
#define TESTS_UNIT_RADIUS_FIXTURES_H

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "crypto/crypto.h"
#include "otpce/radius/packet.h"

/* ---- building replies ------------------------------------------------------ */

struct fx_attr {
	uint8_t type;
	uint8_t len;	     /* the Length octet; 0: 2 + value length */
	const void *value;
	size_t value_len;
};

struct fx_reply {
	uint8_t code;
	uint8_t identifier;
	uint8_t request_auth[RADIUS_AUTH_LEN];
	const uint8_t *secret;
	size_t secret_len;
	struct fx_attr attrs[8];
	size_t n_attrs;
	bool no_ma;	       /* leave the Message-Authenticator out */
	bool ma_first;	       /* else after the other attributes */
	int length_delta;      /* added to the Length field, after signing */
	bool break_response;   /* flip a bit of the Response Authenticator */
	bool break_ma;	       /* flip a bit of the Message-Authenticator */
};

/* fx_build_reply writes the reply into |out| (at least 4096 + 64 octets)
 * and returns its length: attributes as given, a Message-Authenticator of
 * 16 octets unless no_ma, then the HMAC (over the packet with the Request
 * Authenticator and the value zeroed) and the Response Authenticator
 * (MD5 over code, id, length, Request Authenticator, attributes, secret). */
static inline size_t fx_build_reply(const struct fx_reply *r, uint8_t *out, size_t cap)
{
	uint8_t tmp[8192];
	uint8_t mac[CRYPTO_MD5_LEN];
	size_t len = RADIUS_HEADER_LEN, ma_off = 0;

	for (size_t pass = 0; pass < 2; pass++) {
		bool ma_now = !r->no_ma && (pass == 0) == r->ma_first;
		if (ma_now) {
			out[len] = RADIUS_ATTR_MESSAGE_AUTHENTICATOR;
			out[len + 1] = 18;
			memset(out + len + 2, 0, 16);
			ma_off = len + 2;
			len += 18;
		}
		if (pass == 0) {
			for (size_t i = 0; i < r->n_attrs; i++) {
				const struct fx_attr *a = &r->attrs[i];
				if (len + 2 + a->value_len > cap) {
					fail_msg("fx_build_reply: too long");
				}
				out[len] = a->type;
				out[len + 1] = a->len != 0 ? a->len : (uint8_t)(a->value_len + 2);
				if (a->value_len > 0) {
					memcpy(out + len + 2, a->value, a->value_len);
				}
				len += 2 + a->value_len;
			}
		}
	}
	out[0] = r->code;
	out[1] = r->identifier;
	out[2] = (uint8_t)(len >> 8);
	out[3] = (uint8_t)len;
	memcpy(tmp, out, len);
	memcpy(tmp + 4, r->request_auth, RADIUS_AUTH_LEN);
	if (!r->no_ma) {
		assert_true(NT_STATUS_IS_OK(crypto_hmac(CRYPTO_MD_MD5, r->secret, r->secret_len,
							tmp, len, mac)));
		if (r->break_ma) {
			mac[5] ^= 0x10;
		}
		memcpy(out + ma_off, mac, 16);
		memcpy(tmp + ma_off, mac, 16);
	}
	memcpy(tmp + len, r->secret, r->secret_len);
	assert_true(NT_STATUS_IS_OK(crypto_md5(tmp, len + r->secret_len, out + 4)));
	if (r->break_response) {
		out[9] ^= 0x01;
	}
	if (r->length_delta != 0) {
		size_t l = (size_t)((int)len + r->length_delta);
		out[2] = (uint8_t)(l >> 8);
		out[3] = (uint8_t)l;
	}
	return len;
}

/* ---- reading requests ------------------------------------------------------- */

struct fx_request {
	uint8_t identifier;
	uint8_t auth[RADIUS_AUTH_LEN];
	char user[254];
	char nas[254];
	char password[130];
	uint8_t state[253];
	size_t state_len;
	bool ma_first;
	bool ma_ok;
	size_t n_ma;
};

/* fx_read_request reads an Access-Request made with |secret|: fails the
 * test if its structure is wrong; says whether its Message-Authenticator
 * is right, and un-hides the password (RFC 2865 5.2, the other way). */
static inline void fx_read_request(const uint8_t *p, size_t len, const uint8_t *secret,
				   size_t secret_len, struct fx_request *q)
{
	size_t i = RADIUS_HEADER_LEN, ma_off = 0;

	memset(q, 0, sizeof(*q));
	assert_true(len >= RADIUS_HEADER_LEN);
	assert_int_equal(p[0], RADIUS_CODE_ACCESS_REQUEST);
	assert_int_equal(((size_t)p[2] << 8) | p[3], len);
	q->identifier = p[1];
	memcpy(q->auth, p + 4, RADIUS_AUTH_LEN);
	while (i < len) {
		uint8_t t, n;
		assert_true(len - i >= 2);
		t = p[i];
		n = p[i + 1];
		assert_true(n >= 2 && n <= len - i);
		if (t == RADIUS_ATTR_MESSAGE_AUTHENTICATOR) {
			assert_int_equal(n, 18);
			q->ma_first = i == RADIUS_HEADER_LEN;
			ma_off = i + 2;
			q->n_ma++;
		} else if (t == RADIUS_ATTR_USER_NAME) {
			memcpy(q->user, p + i + 2, n - 2u);
		} else if (t == RADIUS_ATTR_NAS_IDENTIFIER) {
			memcpy(q->nas, p + i + 2, n - 2u);
		} else if (t == RADIUS_ATTR_STATE) {
			memcpy(q->state, p + i + 2, n - 2u);
			q->state_len = n - 2u;
		} else if (t == RADIUS_ATTR_USER_PASSWORD) {
			uint8_t buf[RADIUS_MAX_SECRET + 16], b[16];
			const uint8_t *prev = q->auth;
			size_t vlen = n - 2u;
			assert_true(vlen >= 16 && vlen <= 128 && vlen % 16 == 0);
			memcpy(buf, secret, secret_len);
			for (size_t off = 0; off < vlen; off += 16) {
				memcpy(buf + secret_len, prev, 16);
				assert_true(NT_STATUS_IS_OK(crypto_md5(buf, secret_len + 16, b)));
				for (size_t k = 0; k < 16; k++) {
					q->password[off + k] = (char)(p[i + 2 + off + k] ^ b[k]);
				}
				prev = p + i + 2 + off;
			}
		}
		i += n;
	}
	if (q->n_ma == 1) {
		uint8_t tmp[4096], mac[16];
		memcpy(tmp, p, len);
		memset(tmp + ma_off, 0, 16);
		assert_true(NT_STATUS_IS_OK(crypto_hmac(CRYPTO_MD_MD5, secret, secret_len, tmp,
							len, mac)));
		q->ma_ok = memcmp(mac, p + ma_off, 16) == 0;
	}
}

#ifdef TESTS_UNIT_HELPERS_H
/* ---- vectors ------------------------------------------------------------------- */

static inline uint8_t *fx_vector(TALLOC_CTX *t, const char *file, const char *name, size_t *len)
{
	char path[256];

	snprintf(path, sizeof(path), "otpce/%s", file);
	return named_hex_vector(t, path, name, len);
}
#endif

#endif
