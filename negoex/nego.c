/*
 * nego.c: NEGO_MESSAGE, sent as INITIATOR_NEGO and ACCEPTOR_NEGO
 * (draft-zhu-negoex-04, MS-NEGOEX).  Its two vectors take 8 bytes each
 * where MIT krb5 packs them to 6, so padding is never checked: msg.c's
 * opening comment (and negoex/README.md, erratum 2).
 */
#include "negoex/msg.h"

#include <string.h>

#include "crypto/wire/cursor.h"
#include "negoex/msg_internal.h"

static const struct vector_rule AUTH_SCHEMES = {
	NEGOEX_GUID_LEN, "AuthSchemes vector runs past the end of the message",
	"AuthSchemes vector starts inside the message header"};
static const struct vector_rule EXTENSIONS = {
	NEGOEX_EXTENSION_LEN, "Extensions vector runs past the end of the message",
	"Extensions vector starts inside the message header"};
static const struct vector_rule EXTENSION_VALUE = {
	1, "ExtensionValue runs past the end of the message",
	"ExtensionValue starts inside the message header"};

NTSTATUS negoex_parse_nego_body(TALLOC_CTX *mem_ctx, const uint8_t *msg,
				const struct negoex_header *h, struct negoex_nego **out,
				const char **reason)
{
	struct cursor f = negoex_fixed_fields(msg, h), v;
	struct negoex_nego *n;
	const uint8_t *random;
	uint32_t schemes_off, ext_off;
	uint16_t schemes_count, ext_count, pad;

	n = talloc_zero(mem_ctx, struct negoex_nego);
	if (n == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	n->header = *h;
	n->raw = msg;
	n->raw_len = h->message_length;
	if (!cursor_get_bytes(&f, &random, NEGOEX_RANDOM_LEN) ||
	    !cursor_get_u64le(&f, &n->protocol_version) || !cursor_get_u32le(&f, &schemes_off) ||
	    !cursor_get_u16le(&f, &schemes_count) || !cursor_get_u16le(&f, &pad) ||
	    !cursor_get_u32le(&f, &ext_off) || !cursor_get_u16le(&f, &ext_count) ||
	    !cursor_get_u16le(&f, &pad)) {
		crypto_set_reason(reason, "NEGO_MESSAGE fixed fields are truncated");
		goto invalid;
	}
	memcpy(n->random, random, NEGOEX_RANDOM_LEN);
	/* "version of the protocol, this contains 0" (draft 5) */
	if (n->protocol_version != NEGOEX_PROTOCOL_VERSION_0) {
		crypto_set_reason(reason, "ProtocolVersion is not 0");
		talloc_free(n);
		return NT_STATUS_NOT_SUPPORTED;
	}
	if (schemes_count > NEGOEX_MAX_AUTH_SCHEMES) {
		crypto_set_reason(reason, "AuthSchemeCount is above NEGOEX_MAX_AUTH_SCHEMES");
		goto invalid;
	}
	if (!negoex_get_vector(msg, h, schemes_off, schemes_count, &AUTH_SCHEMES, &v, reason)) {
		goto invalid;
	}
	n->num_auth_schemes = schemes_count;
	if (schemes_count > 0) {
		n->auth_schemes = talloc_array(n, struct negoex_guid, schemes_count);
		if (n->auth_schemes == NULL) {
			talloc_free(n);
			return NT_STATUS_NO_MEMORY;
		}
		for (size_t i = 0; i < schemes_count; i++) {
			if (!negoex_get_guid(&v, &n->auth_schemes[i])) {
				goto invalid; /* not reached: negoex_get_vector sized it */
			}
		}
	}
	if (ext_count > NEGOEX_MAX_EXTENSIONS) {
		crypto_set_reason(reason, "ExtensionCount is above NEGOEX_MAX_EXTENSIONS");
		goto invalid;
	}
	/* MIT 1.20.1 used this vector unchecked (CVE-2026-40355). */
	if (!negoex_get_vector(msg, h, ext_off, ext_count, &EXTENSIONS, &v, reason)) {
		goto invalid;
	}
	n->num_extensions = ext_count;
	if (ext_count > 0) {
		n->extensions = talloc_array(n, struct negoex_extension, ext_count);
		if (n->extensions == NULL) {
			talloc_free(n);
			return NT_STATUS_NO_MEMORY;
		}
	}
	for (size_t i = 0; i < ext_count; i++) {
		struct negoex_extension *e = &n->extensions[i];
		uint32_t value_off, value_len;
		struct cursor value;

		if (!cursor_get_u32le(&v, &e->type) || !cursor_get_u32le(&v, &value_off) ||
		    !cursor_get_u32le(&v, &value_len)) {
			goto invalid; /* not reached */
		}
		if (!negoex_get_vector(msg, h, value_off, value_len, &EXTENSION_VALUE, &value,
				       reason)) {
			goto invalid;
		}
		/* "All negative extension types (the highest bit is set to 1)
		 * are critical.  If the receiver does not understand a critical
		 * extension, the authentication attempt must be rejected"
		 * (draft 7.4); none is defined, so we understand none. */
		if ((e->type & NEGOEX_EXTENSION_FLAG_CRITICAL) != 0) {
			crypto_set_reason(reason, "critical extension (ExtensionType high bit set)");
			talloc_free(n);
			return NT_STATUS_NOT_SUPPORTED;
		}
		e->value = value.data;
		e->value_len = value_len;
	}
	*out = n;
	return NT_STATUS_OK;
invalid:
	talloc_free(n);
	return NT_STATUS_INVALID_PARAMETER;
}

NTSTATUS negoex_nego_parse(TALLOC_CTX *mem_ctx, const uint8_t *buf, size_t len,
			   struct negoex_nego **out, const char **reason)
{
	struct negoex_header h;
	struct negoex_nego *n;
	TALLOC_CTX *frame;
	uint8_t *raw;
	NTSTATUS status;

	status = negoex_open_one(buf, len, &h, is_nego, "message is not a NEGO_MESSAGE", reason);
	if (NT_STATUS_IS_OK(status)) {
		status = negoex_copy_one(mem_ctx, buf, len, &frame, &raw);
	}
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	status = negoex_parse_nego_body(frame, raw, &h, &n, reason);
	if (NT_STATUS_IS_OK(status)) {
		talloc_steal(n, raw);
		*out = talloc_steal(mem_ctx, n);
	}
	talloc_free(frame);
	return status;
}

NTSTATUS negoex_nego_build(TALLOC_CTX *mem_ctx, const struct negoex_nego *msg,
			   uint8_t **out, size_t *out_len, const char **reason)
{
	size_t pos = NEGOEX_NEGO_HEADER_LEN, schemes_pos, ext_pos, value_pos;
	struct builder b;

	if (!is_nego(msg->header.type)) {
		crypto_set_reason(reason, "message is not a NEGO_MESSAGE");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (msg->num_auth_schemes > NEGOEX_MAX_AUTH_SCHEMES) {
		crypto_set_reason(reason, "AuthSchemeCount is above NEGOEX_MAX_AUTH_SCHEMES");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (msg->num_extensions > NEGOEX_MAX_EXTENSIONS) {
		crypto_set_reason(reason, "ExtensionCount is above NEGOEX_MAX_EXTENSIONS");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if ((msg->num_auth_schemes > 0 && msg->auth_schemes == NULL) ||
	    (msg->num_extensions > 0 && msg->extensions == NULL)) {
		crypto_set_reason(reason, "vector has a count but no elements");
		return NT_STATUS_INVALID_PARAMETER;
	}
	schemes_pos = pos;
	ext_pos = schemes_pos + msg->num_auth_schemes * NEGOEX_GUID_LEN;
	pos = value_pos = ext_pos + msg->num_extensions * NEGOEX_EXTENSION_LEN;
	for (size_t i = 0; i < msg->num_extensions; i++) {
		if (msg->extensions[i].value_len > 0 && msg->extensions[i].value == NULL) {
			crypto_set_reason(reason, "vector has a count but no elements");
			return NT_STATUS_INVALID_PARAMETER;
		}
		if (!negoex_layout_add(&pos, msg->extensions[i].value_len, reason)) {
			return NT_STATUS_INVALID_PARAMETER;
		}
	}

	builder_init_size(&b, mem_ctx, pos); /* the whole message: no realloc */
	negoex_put_header(&b, &msg->header, NEGOEX_NEGO_HEADER_LEN, pos);
	builder_add_bytes(&b, msg->random, NEGOEX_RANDOM_LEN);
	builder_add_u64le(&b, msg->protocol_version);
	builder_add_u32le(&b, negoex_vector_offset(schemes_pos, msg->num_auth_schemes));
	builder_add_u16le(&b, (uint16_t)msg->num_auth_schemes);
	builder_add_u16le(&b, 0);
	builder_add_u32le(&b, negoex_vector_offset(ext_pos, msg->num_extensions));
	builder_add_u16le(&b, (uint16_t)msg->num_extensions);
	builder_add_u16le(&b, 0);
	for (size_t i = 0; i < msg->num_auth_schemes; i++) {
		builder_add_bytes(&b, msg->auth_schemes[i].bytes, NEGOEX_GUID_LEN);
	}
	for (size_t i = 0; i < msg->num_extensions; i++) {
		const struct negoex_extension *e = &msg->extensions[i];

		builder_add_u32le(&b, e->type);
		builder_add_u32le(&b, negoex_vector_offset(value_pos, e->value_len));
		builder_add_u32le(&b, (uint32_t)e->value_len);
		value_pos += e->value_len;
	}
	for (size_t i = 0; i < msg->num_extensions; i++) {
		builder_add_bytes(&b, msg->extensions[i].value, msg->extensions[i].value_len);
	}
	return negoex_finish_built(mem_ctx, &b, is_nego, "message is not a NEGO_MESSAGE", out,
				   out_len, reason);
}
