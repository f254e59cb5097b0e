/*
 * verify.c: VERIFY_MESSAGE with its CHECKSUM (draft-zhu-negoex-04,
 * MS-NEGOEX).  cbHeaderLength 80 sent, 76 accepted, and the draft's
 * swapped key usages (the engine's concern): msg.c's opening comment
 * (and negoex/README.md, errata 1 and 3).
 */
#include "negoex/msg.h"

#include <string.h>

#include "crypto/wire/cursor.h"
#include "negoex/msg_internal.h"

static const struct vector_rule CHECKSUM_VALUE = {
	1, "ChecksumValue runs past the end of the message",
	"ChecksumValue starts inside the message header"};

NTSTATUS negoex_parse_verify_body(TALLOC_CTX *mem_ctx, const uint8_t *msg,
				  const struct negoex_header *h, struct negoex_verify **out,
				  const char **reason)
{
	struct cursor f = negoex_fixed_fields(msg, h), v;
	struct negoex_verify m;
	uint32_t cksum_header_len, off, len;

	memset(&m, 0, sizeof(m));
	if (!negoex_get_guid(&f, &m.auth_scheme) || !cursor_get_u32le(&f, &cksum_header_len) ||
	    !cursor_get_u32le(&f, &m.checksum.scheme) || !cursor_get_u32le(&f, &m.checksum.type) ||
	    !cursor_get_u32le(&f, &off) || !cursor_get_u32le(&f, &len)) {
		crypto_set_reason(reason, "VERIFY_MESSAGE fixed fields are truncated");
		return NT_STATUS_INVALID_PARAMETER;
	}
	/* "this field has a value of 20" (draft 3.8); MIT checks it too. */
	if (cksum_header_len != NEGOEX_CHECKSUM_HEADER_LEN) {
		crypto_set_reason(reason, "CHECKSUM cbHeaderLength is not 20");
		return NT_STATUS_INVALID_PARAMETER;
	}
	/* "Currently only one value is defined" (draft 3.8). */
	if (m.checksum.scheme != NEGOEX_CHECKSUM_SCHEME_RFC3961) {
		crypto_set_reason(reason, "ChecksumScheme is not CHECKSUM_SCHEME_RFC3961");
		return NT_STATUS_NOT_SUPPORTED;
	}
	if (!negoex_get_vector(msg, h, off, len, &CHECKSUM_VALUE, &v, reason)) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	m.header = *h;
	m.checksum.value = v.data;
	m.checksum.value_len = len;
	m.raw = msg;
	m.raw_len = h->message_length;
	*out = talloc_memdup(mem_ctx, &m, sizeof(m));
	return *out == NULL ? NT_STATUS_NO_MEMORY : NT_STATUS_OK;
}

NTSTATUS negoex_verify_parse(TALLOC_CTX *mem_ctx, const uint8_t *buf, size_t len,
			     struct negoex_verify **out, const char **reason)
{
	struct negoex_header h;
	struct negoex_verify *v;
	TALLOC_CTX *frame;
	uint8_t *raw;
	NTSTATUS status;

	status = negoex_open_one(buf, len, &h, is_verify, "message is not a VERIFY_MESSAGE",
				 reason);
	if (NT_STATUS_IS_OK(status)) {
		status = negoex_copy_one(mem_ctx, buf, len, &frame, &raw);
	}
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	status = negoex_parse_verify_body(frame, raw, &h, &v, reason);
	if (NT_STATUS_IS_OK(status)) {
		talloc_steal(v, raw);
		*out = talloc_steal(mem_ctx, v);
	}
	talloc_free(frame);
	return status;
}

NTSTATUS negoex_verify_build(TALLOC_CTX *mem_ctx, const struct negoex_verify *msg,
			     uint8_t **out, size_t *out_len, const char **reason)
{
	size_t pos = NEGOEX_VERIFY_HEADER_LEN;
	struct builder b;

	if (!is_verify(msg->header.type)) {
		crypto_set_reason(reason, "message is not a VERIFY_MESSAGE");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (msg->checksum.value_len > 0 && msg->checksum.value == NULL) {
		crypto_set_reason(reason, "vector has a count but no elements");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (!negoex_layout_add(&pos, msg->checksum.value_len, reason)) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	builder_init_size(&b, mem_ctx, pos); /* the whole message: no realloc */
	negoex_put_header(&b, &msg->header, NEGOEX_VERIFY_HEADER_LEN, pos);
	builder_add_bytes(&b, msg->auth_scheme.bytes, NEGOEX_GUID_LEN);
	builder_add_u32le(&b, NEGOEX_CHECKSUM_HEADER_LEN);
	builder_add_u32le(&b, msg->checksum.scheme);
	builder_add_u32le(&b, msg->checksum.type);
	builder_add_u32le(&b,
			  negoex_vector_offset(NEGOEX_VERIFY_HEADER_LEN, msg->checksum.value_len));
	builder_add_u32le(&b, (uint32_t)msg->checksum.value_len);
	builder_add_u32le(&b, 0); /* the fixed part padded to 80 */
	builder_add_bytes(&b, msg->checksum.value, msg->checksum.value_len);
	return negoex_finish_built(mem_ctx, &b, is_verify, "message is not a VERIFY_MESSAGE", out,
				   out_len, reason);
}
