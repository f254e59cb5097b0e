/*
 * x224.c: X.224 Connection Request / Confirm with the RDP negotiation
 * structures (MS-RDPBCGR 2.2.1.1, 2.2.1.2) in TPKT (RFC 1006 / T.123).
 * Written here because no library on this system builds them outside
 * FreeRDP's internals (libfreerdp/core/nego.c, tpkt.c, tpdu.c, whose
 * layout this follows: TPKT version 3, big-endian length; the X.224
 * length indicator counts the octets after itself; the negotiation
 * structure is little-endian with length 8).
 */
#include <string.h>

#include "credssp/rdp/rdp_nego.h"

#define X224_CR 0xE0
#define X224_CC 0xD0
#define TYPE_RDP_NEG_REQ 0x01
#define TYPE_RDP_NEG_RSP 0x02
#define TYPE_RDP_NEG_FAILURE 0x03
#define RDP_NEG_LEN 8
#define X224_FIXED 6 /* code, dst-ref(2), src-ref(2), class */

NTSTATUS rdp_tpkt_length(const uint8_t *buf, size_t len, size_t *need)
{
	size_t n;

	if (len < RDP_TPKT_HEADER_LEN) {
		return NT_STATUS_MORE_ENTRIES;
	}
	n = ((size_t)buf[2] << 8) | buf[3];
	if (buf[0] != 3 || n < RDP_TPKT_HEADER_LEN + 1 + X224_FIXED || n > RDP_X224_MAX_LEN) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	*need = n;
	return NT_STATUS_OK;
}

static NTSTATUS build(TALLOC_CTX *mem_ctx, uint8_t code, const char *cookie, uint8_t neg_type,
		      uint8_t neg_flags, uint32_t value, uint8_t **out, size_t *out_len)
{
	struct builder b;
	size_t clen = cookie != NULL ? strlen(cookie) : 0;
	size_t li = X224_FIXED + clen + RDP_NEG_LEN;
	size_t total = RDP_TPKT_HEADER_LEN + 1 + li;

	if (total > RDP_X224_MAX_LEN || li > 254) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	builder_init(&b, mem_ctx);
	builder_add_u8(&b, 3); /* TPKT version */
	builder_add_u8(&b, 0);
	builder_add_u8(&b, (uint8_t)(total >> 8));
	builder_add_u8(&b, (uint8_t)total);
	builder_add_u8(&b, (uint8_t)li);
	builder_add_u8(&b, code);
	builder_add_u16le(&b, 0);                               /* dst-ref */
	builder_add_u16le(&b, code == X224_CC ? 0x3412 : 0);   /* src-ref */
	builder_add_u8(&b, 0);                                  /* class 0 */
	if (clen > 0) {
		builder_add_bytes(&b, (const uint8_t *)cookie, clen);
	}
	builder_add_u8(&b, neg_type);
	builder_add_u8(&b, neg_flags);
	builder_add_u16le(&b, RDP_NEG_LEN);
	builder_add_u32le(&b, value);
	return builder_finish(&b, out, out_len) ? NT_STATUS_OK : NT_STATUS_NO_MEMORY;
}

NTSTATUS rdp_connection_request_build(TALLOC_CTX *mem_ctx, const char *user, uint32_t protocols,
				      uint8_t **out, size_t *out_len)
{
	char cookie[256];
	NTSTATUS status;

	if (user != NULL) {
		/* 2.2.1.1: "Cookie: mstshash=IDENTIFIER" CR LF; the name
		 * may not carry CR or LF. */
		if (strpbrk(user, "\r\n") != NULL ||
		    (size_t)snprintf(cookie, sizeof(cookie), "Cookie: mstshash=%s\r\n", user) >=
			    sizeof(cookie)) {
			return NT_STATUS_INVALID_PARAMETER;
		}
	}
	status = build(mem_ctx, X224_CR, user != NULL ? cookie : NULL, TYPE_RDP_NEG_REQ, 0,
		       protocols, out, out_len);
	return status;
}

NTSTATUS rdp_connection_confirm_build(TALLOC_CTX *mem_ctx, uint32_t selected, uint32_t failure,
				      uint8_t **out, size_t *out_len)
{
	if (failure != 0) {
		return build(mem_ctx, X224_CC, NULL, TYPE_RDP_NEG_FAILURE, 0, failure, out, out_len);
	}
	/* flags: EXTENDED_CLIENT_DATA_SUPPORTED (0x01), as FreeRDP's server
	 * sends (nego_send_negotiation_response). */
	return build(mem_ctx, X224_CC, NULL, TYPE_RDP_NEG_RSP, 0x01, selected, out, out_len);
}

/* x224_open: the TPKT and X.224 fixed part; |variable| gets the rest. */
static NTSTATUS x224_open(const uint8_t *buf, size_t len, uint8_t want_code,
			  struct cursor *variable, const char **reason)
{
	struct cursor c, x;
	uint8_t ver, rsv, hi, lo, li, code;
	size_t need = 0;

	if (!NT_STATUS_IS_OK(rdp_tpkt_length(buf, len, &need)) || need != len) {
		crypto_set_reason(reason, "not one whole TPKT");
		return NT_STATUS_INVALID_PARAMETER;
	}
	cursor_init(&c, buf, len);
	if (!cursor_get_u8(&c, &ver) || !cursor_get_u8(&c, &rsv) || !cursor_get_u8(&c, &hi) ||
	    !cursor_get_u8(&c, &lo) || !cursor_get_u8(&c, &li) || li != cursor_left(&c) ||
	    !cursor_get_sub(&c, &x, li) || !cursor_get_u8(&x, &code) ||
	    (code & 0xF0) != want_code || !cursor_skip(&x, X224_FIXED - 1)) {
		crypto_set_reason(reason, want_code == X224_CR ? "not an X.224 Connection Request"
							       : "not an X.224 Connection Confirm");
		return NT_STATUS_INVALID_PARAMETER;
	}
	*variable = x;
	return NT_STATUS_OK;
}

/* neg_struct: the 8-byte RDP_NEG_* structure, which must end the TPDU. */
static bool neg_struct(struct cursor *c, uint8_t *type, uint32_t *value)
{
	uint8_t flags;
	uint16_t length;

	return cursor_get_u8(c, type) && cursor_get_u8(c, &flags) &&
	       cursor_get_u16le(c, &length) && length == RDP_NEG_LEN &&
	       cursor_get_u32le(c, value) && cursor_left(c) == 0;
}

NTSTATUS rdp_connection_request_parse(const uint8_t *buf, size_t len, uint32_t *protocols,
				      const char **reason)
{
	struct cursor v;
	const uint8_t *p;
	uint8_t type;
	uint32_t value;
	NTSTATUS status = x224_open(buf, len, X224_CR, &v, reason);

	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	/* An optional routingToken or cookie, ended by CR LF (2.2.1.1). */
	if (cursor_left(&v) > 0 && v.data[0] != TYPE_RDP_NEG_REQ) {
		size_t i;

		for (i = 0; i + 1 < cursor_left(&v); i++) {
			if (v.data[i] == '\r' && v.data[i + 1] == '\n') {
				break;
			}
		}
		if (i + 1 >= cursor_left(&v) || !cursor_get_bytes(&v, &p, i + 2)) {
			crypto_set_reason(reason, "Connection Request cookie without CR LF");
			return NT_STATUS_INVALID_PARAMETER;
		}
	}
	if (cursor_left(&v) == 0) {
		*protocols = RDP_PROTOCOL_RDP;
		return NT_STATUS_OK;
	}
	if (!neg_struct(&v, &type, &value) || type != TYPE_RDP_NEG_REQ) {
		crypto_set_reason(reason, "malformed RDP_NEG_REQ");
		return NT_STATUS_INVALID_PARAMETER;
	}
	*protocols = value;
	return NT_STATUS_OK;
}

NTSTATUS rdp_connection_confirm_parse(const uint8_t *buf, size_t len, uint32_t *selected,
				      uint32_t *failure, const char **reason)
{
	struct cursor v;
	uint8_t type;
	uint32_t value;
	NTSTATUS status = x224_open(buf, len, X224_CC, &v, reason);

	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	if (!neg_struct(&v, &type, &value) ||
	    (type != TYPE_RDP_NEG_RSP && type != TYPE_RDP_NEG_FAILURE)) {
		crypto_set_reason(reason, "Connection Confirm without RDP_NEG_RSP or RDP_NEG_FAILURE");
		return NT_STATUS_INVALID_PARAMETER;
	}
	*failure = type == TYPE_RDP_NEG_FAILURE ? value : 0;
	*selected = type == TYPE_RDP_NEG_RSP ? value : 0;
	return NT_STATUS_OK;
}
