/*
 * packet.c: the RADIUS Access-Request builder and reply parser (packet.h).
 *
 * Written here rather than taken from a library: Debian 12's radcli
 * (1.2.11) accepts forged replies (found when issue 18 was filed) and,
 * being older than BlastRADIUS (CVE-2024-3596), does not insist on a
 * Message-Authenticator in every reply; FreeRADIUS's libfreeradius-radius
 * is not a public client API.  What we need is small: one request type, three reply
 * types, four attributes.  MD5 and HMAC-MD5 come from OpenSSL through
 * crypto/ (EVP, default provider).
 */
#include "otpce/radius/packet.h"

#include <string.h>

#include "crypto/crypto.h"
#include "crypto/wire/cursor.h"

/* The largest input of an MD5 computed here: a whole packet and the
 * secret (the Response Authenticator), or the secret and one block. */
#define MD5_INPUT_MAX (RADIUS_MAX_PACKET + RADIUS_MAX_SECRET)

size_t radius_hidden_len(size_t password_len)
{
	if (password_len == 0) {
		return 16;
	}
	return (password_len + 15) / 16 * 16;
}

NTSTATUS radius_hide_password(const uint8_t *password, size_t password_len,
			      const uint8_t *secret, size_t secret_len,
			      const uint8_t authenticator[RADIUS_AUTH_LEN],
			      uint8_t *out, const char **reason)
{
	uint8_t buf[RADIUS_MAX_SECRET + 16];
	uint8_t b[CRYPTO_MD5_LEN];
	size_t n = radius_hidden_len(password_len);
	const uint8_t *prev = authenticator;
	NTSTATUS status = NT_STATUS_OK;

	if (password_len > RADIUS_MAX_PASSWORD ||
	    (password_len > 0 && memchr(password, 0, password_len) != NULL)) {
		crypto_set_reason(reason, "the password is over 128 octets or holds a NUL");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (secret_len == 0 || secret_len > RADIUS_MAX_SECRET) {
		crypto_set_reason(reason, "the shared secret is empty or over 256 octets");
		return NT_STATUS_INVALID_PARAMETER;
	}
	/* c(i) = p(i) xor MD5(S + c(i-1)), c(0) = the Request Authenticator. */
	memcpy(buf, secret, secret_len);
	for (size_t off = 0; off < n; off += 16) {
		memcpy(buf + secret_len, prev, 16);
		status = crypto_md5(buf, secret_len + 16, b);
		if (!NT_STATUS_IS_OK(status)) {
			break;
		}
		for (size_t i = 0; i < 16; i++) {
			uint8_t p = off + i < password_len ? password[off + i] : 0;
			out[off + i] = p ^ b[i];
		}
		prev = out + off;
	}
	crypto_wipe(buf, sizeof(buf));
	crypto_wipe(b, sizeof(b));
	if (!NT_STATUS_IS_OK(status)) {
		crypto_wipe(out, n);
	}
	return status;
}

static void add_attr(struct builder *b, uint8_t type, const uint8_t *v, size_t n)
{
	builder_add_u8(b, type);
	builder_add_u8(b, (uint8_t)(n + 2));
	builder_add_bytes(b, v, n);
}

NTSTATUS radius_message_authenticator(const uint8_t *pkt, size_t len, size_t ma_off,
				      const uint8_t auth[RADIUS_AUTH_LEN],
				      const uint8_t *secret, size_t secret_len,
				      uint8_t out[RADIUS_MESSAGE_AUTH_LEN])
{
	uint8_t copy[RADIUS_MAX_PACKET];
	NTSTATUS status;

	if (len > sizeof(copy) || len < RADIUS_HEADER_LEN ||
	    ma_off > len || len - ma_off < RADIUS_MESSAGE_AUTH_LEN) {
		return NT_STATUS_INTERNAL_ERROR;
	}
	memcpy(copy, pkt, len);
	memcpy(copy + 4, auth, RADIUS_AUTH_LEN);
	memset(copy + ma_off, 0, RADIUS_MESSAGE_AUTH_LEN);
	status = crypto_hmac(CRYPTO_MD_MD5, secret, secret_len, copy, len, out);
	crypto_wipe(copy, len);
	return status;
}

NTSTATUS radius_request_build(TALLOC_CTX *mem_ctx,
			      const struct radius_request_fields *f,
			      const uint8_t *secret, size_t secret_len,
			      uint8_t **out, size_t *out_len, const char **reason)
{
	static const uint8_t zero[RADIUS_MESSAGE_AUTH_LEN];
	uint8_t hidden[RADIUS_MAX_PASSWORD];
	uint8_t mac[CRYPTO_MD5_LEN];
	size_t hidden_len = radius_hidden_len(f->password_len);
	struct builder b;
	uint8_t *pkt;
	size_t len;
	NTSTATUS status;

	if (f->user_len == 0 || f->user_len > RADIUS_MAX_VALUE) {
		crypto_set_reason(reason, "User-Name must be 1 to 253 octets");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (f->nas_identifier_len == 0 || f->nas_identifier_len > RADIUS_MAX_VALUE) {
		crypto_set_reason(reason, "NAS-Identifier must be 1 to 253 octets");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (f->state_len > RADIUS_MAX_VALUE) {
		crypto_set_reason(reason, "State must be at most 253 octets");
		return NT_STATUS_INVALID_PARAMETER;
	}
	status = radius_hide_password(f->password, f->password_len, secret, secret_len,
				      f->authenticator, hidden, reason);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}

	builder_init(&b, mem_ctx);
	builder_add_u8(&b, RADIUS_CODE_ACCESS_REQUEST);
	builder_add_u8(&b, f->identifier);
	builder_add_u8(&b, 0); /* Length, set below */
	builder_add_u8(&b, 0);
	builder_add_bytes(&b, f->authenticator, RADIUS_AUTH_LEN);
	add_attr(&b, RADIUS_ATTR_MESSAGE_AUTHENTICATOR, zero, sizeof(zero));
	add_attr(&b, RADIUS_ATTR_USER_NAME, f->user, f->user_len);
	add_attr(&b, RADIUS_ATTR_USER_PASSWORD, hidden, hidden_len);
	add_attr(&b, RADIUS_ATTR_NAS_IDENTIFIER, f->nas_identifier, f->nas_identifier_len);
	if (f->state_len > 0) {
		add_attr(&b, RADIUS_ATTR_STATE, f->state, f->state_len);
	}
	crypto_wipe(hidden, sizeof(hidden));
	/* At most 20 + 18 + 3 * 255 + 130 octets: always under 4096. */
	if (!builder_finish(&b, &pkt, &len)) {
		return NT_STATUS_NO_MEMORY;
	}
	pkt[2] = (uint8_t)(len >> 8);
	pkt[3] = (uint8_t)len;
	/* The Message-Authenticator's value starts at octet 22. */
	status = radius_message_authenticator(pkt, len, RADIUS_HEADER_LEN + 2, f->authenticator,
			      secret, secret_len, mac);
	if (!NT_STATUS_IS_OK(status)) {
		crypto_wipe(pkt, len);
		talloc_free(pkt);
		return status;
	}
	memcpy(pkt + RADIUS_HEADER_LEN + 2, mac, sizeof(mac));
	*out = pkt;
	*out_len = len;
	return NT_STATUS_OK;
}

size_t radius_packet_length(const uint8_t *pkt, size_t len)
{
	if (len < 4) {
		return 0;
	}
	return ((size_t)pkt[2] << 8) | pkt[3];
}

NTSTATUS radius_packet_check(const uint8_t *pkt, size_t len,
			     size_t *packet_len, const char **reason)
{
	struct cursor c, attrs;
	size_t n;

	if (len < RADIUS_HEADER_LEN) {
		crypto_set_reason(reason, "shorter than the 20-octet header");
		return NT_STATUS_INVALID_PARAMETER;
	}
	n = radius_packet_length(pkt, len);
	if (n < RADIUS_HEADER_LEN || n > RADIUS_MAX_PACKET) {
		crypto_set_reason(reason, "Length is not 20 to 4096");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (n > len) {
		crypto_set_reason(reason, "Length is past the end of the datagram");
		return NT_STATUS_INVALID_PARAMETER;
	}
	cursor_init(&c, pkt, n);
	if (!cursor_skip(&c, RADIUS_HEADER_LEN) ||
	    !cursor_get_sub(&c, &attrs, n - RADIUS_HEADER_LEN)) {
		crypto_set_reason(reason, "shorter than the 20-octet header");
		return NT_STATUS_INVALID_PARAMETER;
	}
	while (cursor_left(&attrs) > 0) {
		uint8_t type, alen;

		if (!cursor_get_u8(&attrs, &type) || !cursor_get_u8(&attrs, &alen)) {
			crypto_set_reason(reason, "an attribute header is cut off");
			return NT_STATUS_INVALID_PARAMETER;
		}
		if (alen < 2) {
			crypto_set_reason(reason, "an attribute's Length is under 2");
			return NT_STATUS_INVALID_PARAMETER;
		}
		if (!cursor_skip(&attrs, (size_t)alen - 2)) {
			crypto_set_reason(reason, "an attribute runs past the packet's Length");
			return NT_STATUS_INVALID_PARAMETER;
		}
	}
	*packet_len = n;
	return NT_STATUS_OK;
}

/* append_message adds one Reply-Message to |r|, after a '\n' if it is not
 * the first, cutting at a UTF-8 character boundary when it does not fit. */
static void append_message(struct radius_reply *r, const uint8_t *v, size_t n)
{
	size_t used = strlen(r->reply_message);
	size_t room = sizeof(r->reply_message) - 1 - used;

	if (used > 0) {
		if (room == 0) {
			r->reply_message_truncated = true;
			return;
		}
		r->reply_message[used++] = '\n';
		room--;
	}
	if (n > room) {
		n = room;
		/* Do not end inside a multi-octet character. */
		while (n > 0 && (v[n] & 0xc0) == 0x80) {
			n--;
		}
		r->reply_message_truncated = true;
	}
	memcpy(r->reply_message + used, v, n);
	r->reply_message[used + n] = '\0';
}

NTSTATUS radius_reply_parse(const uint8_t *pkt, size_t len, uint8_t identifier,
			    const uint8_t request_auth[RADIUS_AUTH_LEN],
			    const uint8_t *secret, size_t secret_len,
			    struct radius_reply *out, const char **reason)
{
	uint8_t buf[MD5_INPUT_MAX];
	uint8_t digest[CRYPTO_MD5_LEN];
	struct radius_reply r;
	struct cursor c;
	size_t n, ma_off = 0, ma_count = 0, state_count = 0;
	NTSTATUS status;

	status = radius_packet_check(pkt, len, &n, reason);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	if (pkt[0] != RADIUS_CODE_ACCESS_ACCEPT && pkt[0] != RADIUS_CODE_ACCESS_REJECT &&
	    pkt[0] != RADIUS_CODE_ACCESS_CHALLENGE) {
		crypto_set_reason(reason, "the code is not Access-Accept, -Reject or -Challenge");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (pkt[1] != identifier) {
		crypto_set_reason(reason, "the Identifier is not the request's");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (secret_len == 0 || secret_len > RADIUS_MAX_SECRET) {
		crypto_set_reason(reason, "the shared secret is empty or over 256 octets");
		return NT_STATUS_INVALID_PARAMETER;
	}

	/* Where the Message-Authenticator is, and that there is one. */
	cursor_init(&c, pkt + RADIUS_HEADER_LEN, n - RADIUS_HEADER_LEN);
	while (cursor_left(&c) > 0) {
		size_t off = n - cursor_left(&c);
		uint8_t type = 0, alen = 0;

		/* radius_packet_check has walked these already. */
		if (!cursor_get_u8(&c, &type) || !cursor_get_u8(&c, &alen) ||
		    !cursor_skip(&c, (size_t)alen - 2)) {
			return NT_STATUS_INTERNAL_ERROR;
		}
		if (type == RADIUS_ATTR_MESSAGE_AUTHENTICATOR) {
			if (alen != 2 + RADIUS_MESSAGE_AUTH_LEN) {
				crypto_set_reason(reason, "a Message-Authenticator is not 16 octets");
				return NT_STATUS_INVALID_PARAMETER;
			}
			ma_off = off + 2;
			ma_count++;
		}
	}
	if (ma_count > 1) {
		crypto_set_reason(reason, "more than one Message-Authenticator");
		return NT_STATUS_INVALID_PARAMETER;
	}

	/* RFC 2865 section 3: the Response Authenticator. */
	memcpy(buf, pkt, 4);
	memcpy(buf + 4, request_auth, RADIUS_AUTH_LEN);
	memcpy(buf + RADIUS_HEADER_LEN, pkt + RADIUS_HEADER_LEN, n - RADIUS_HEADER_LEN);
	memcpy(buf + n, secret, secret_len);
	status = crypto_md5(buf, n + secret_len, digest);
	crypto_wipe(buf, n + secret_len);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	if (!crypto_memequal(digest, pkt + 4, RADIUS_AUTH_LEN)) {
		crypto_set_reason(reason, "the Response Authenticator is wrong");
		return NT_STATUS_ACCESS_DENIED;
	}
	/* RFC 3579 3.2, required on every reply (BlastRADIUS). */
	if (ma_count == 0) {
		crypto_set_reason(reason, "no Message-Authenticator");
		return NT_STATUS_ACCESS_DENIED;
	}
	status = radius_message_authenticator(pkt, n, ma_off, request_auth, secret, secret_len, digest);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	if (!crypto_memequal(digest, pkt + ma_off, RADIUS_MESSAGE_AUTH_LEN)) {
		crypto_set_reason(reason, "the Message-Authenticator is wrong");
		return NT_STATUS_ACCESS_DENIED;
	}

	/* Authentic: now read the values. */
	memset(&r, 0, sizeof(r));
	r.code = pkt[0];
	cursor_init(&c, pkt + RADIUS_HEADER_LEN, n - RADIUS_HEADER_LEN);
	while (cursor_left(&c) > 0) {
		uint8_t type = 0, alen = 0;
		const uint8_t *v = NULL;

		if (!cursor_get_u8(&c, &type) || !cursor_get_u8(&c, &alen) ||
		    !cursor_get_bytes(&c, &v, (size_t)alen - 2)) {
			return NT_STATUS_INTERNAL_ERROR;
		}
		if (type == RADIUS_ATTR_STATE) {
			if (++state_count > 1) {
				crypto_set_reason(reason, "more than one State");
				return NT_STATUS_INVALID_PARAMETER;
			}
			/* RFC 2865 5.24: "at least one octet". */
			if (alen == 2) {
				crypto_set_reason(reason, "an empty State");
				return NT_STATUS_INVALID_PARAMETER;
			}
			r.state = v;
			r.state_len = (size_t)alen - 2;
		} else if (type == RADIUS_ATTR_REPLY_MESSAGE) {
			if (alen == 2 || memchr(v, 0, (size_t)alen - 2) != NULL) {
				crypto_set_reason(reason, "a Reply-Message is empty or holds a NUL");
				return NT_STATUS_INVALID_PARAMETER;
			}
			append_message(&r, v, (size_t)alen - 2);
		}
	}
	*out = r;
	return NT_STATUS_OK;
}
