/*
 * exchange.c: EXCHANGE_MESSAGE, sent as INITIATOR_META_DATA,
 * ACCEPTOR_META_DATA, CHALLENGE and AP_REQUEST (draft-zhu-negoex-04,
 * MS-NEGOEX): one opaque Exchange vector after a 64-byte fixed part
 * (msg.c's opening comment).
 */
#include "negoex/msg.h"

#include <string.h>

#include "crypto/wire/cursor.h"
#include "negoex/msg_internal.h"

static const struct vector_rule EXCHANGE = {
	1, "Exchange vector runs past the end of the message",
	"Exchange vector starts inside the message header"};

NTSTATUS negoex_parse_exchange_body(TALLOC_CTX *mem_ctx, const uint8_t *msg,
				    const struct negoex_header *h, struct negoex_exchange **out,
				    const char **reason)
{
	struct cursor f = negoex_fixed_fields(msg, h), v;
	struct negoex_exchange e;
	uint32_t off, len;

	memset(&e, 0, sizeof(e));
	if (!negoex_get_guid(&f, &e.auth_scheme) || !cursor_get_u32le(&f, &off) ||
	    !cursor_get_u32le(&f, &len)) {
		crypto_set_reason(reason, "EXCHANGE_MESSAGE fixed fields are truncated");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (!negoex_get_vector(msg, h, off, len, &EXCHANGE, &v, reason)) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	e.header = *h;
	e.exchange = v.data;
	e.exchange_len = len;
	e.raw = msg;
	e.raw_len = h->message_length;
	*out = talloc_memdup(mem_ctx, &e, sizeof(e));
	return *out == NULL ? NT_STATUS_NO_MEMORY : NT_STATUS_OK;
}

NTSTATUS negoex_exchange_parse(TALLOC_CTX *mem_ctx, const uint8_t *buf, size_t len,
			       struct negoex_exchange **out, const char **reason)
{
	struct negoex_header h;
	struct negoex_exchange *e;
	TALLOC_CTX *frame;
	uint8_t *raw;
	NTSTATUS status;

	status = negoex_open_one(buf, len, &h, is_exchange, "message is not an EXCHANGE_MESSAGE",
				 reason);
	if (NT_STATUS_IS_OK(status)) {
		status = negoex_copy_one(mem_ctx, buf, len, &frame, &raw);
	}
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	status = negoex_parse_exchange_body(frame, raw, &h, &e, reason);
	if (NT_STATUS_IS_OK(status)) {
		talloc_steal(e, raw);
		*out = talloc_steal(mem_ctx, e);
	}
	talloc_free(frame);
	return status;
}

NTSTATUS negoex_exchange_build(TALLOC_CTX *mem_ctx, const struct negoex_exchange *msg,
			       uint8_t **out, size_t *out_len, const char **reason)
{
	size_t pos = NEGOEX_EXCHANGE_HEADER_LEN;
	struct builder b;

	if (!is_exchange(msg->header.type)) {
		crypto_set_reason(reason, "message is not an EXCHANGE_MESSAGE");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (msg->exchange_len > 0 && msg->exchange == NULL) {
		crypto_set_reason(reason, "vector has a count but no elements");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (!negoex_layout_add(&pos, msg->exchange_len, reason)) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	builder_init_size(&b, mem_ctx, pos); /* the whole message: no realloc */
	negoex_put_header(&b, &msg->header, NEGOEX_EXCHANGE_HEADER_LEN, pos);
	builder_add_bytes(&b, msg->auth_scheme.bytes, NEGOEX_GUID_LEN);
	builder_add_u32le(&b, negoex_vector_offset(NEGOEX_EXCHANGE_HEADER_LEN, msg->exchange_len));
	builder_add_u32le(&b, (uint32_t)msg->exchange_len);
	builder_add_bytes(&b, msg->exchange, msg->exchange_len);
	return negoex_finish_built(mem_ctx, &b, is_exchange, "message is not an EXCHANGE_MESSAGE",
				   out, out_len, reason);
}
