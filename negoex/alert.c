/*
 * alert.c: ALERT_MESSAGE and ALERT_PULSE (draft-zhu-negoex-04, MS-NEGOEX).
 * cbHeaderLength 72 sent, 68 accepted; ALERT_PULSE's own cbHeaderLength
 * written as 8 and returned unchecked: msg.c's opening comment (and
 * negoex/README.md, errata 3 and 6).
 */
#include "negoex/msg.h"

#include "crypto/wire/cursor.h"
#include "negoex/msg_internal.h"

static const struct vector_rule ALERTS = {
	NEGOEX_ALERT_LEN, "Alerts vector runs past the end of the message",
	"Alerts vector starts inside the message header"};
static const struct vector_rule ALERT_VALUE = {
	1, "AlertValue runs past the end of the message",
	"AlertValue starts inside the message header"};

NTSTATUS negoex_alert_pulse_parse(const uint8_t *buf, size_t len,
				  struct negoex_alert_pulse *out, const char **reason)
{
	struct negoex_alert_pulse p;
	struct cursor c;

	cursor_init(&c, buf, len);
	if (!cursor_get_u32le(&c, &p.header_length) || !cursor_get_u32le(&c, &p.reason)) {
		crypto_set_reason(reason, "ALERT_PULSE is shorter than 8 bytes");
		return NT_STATUS_INVALID_PARAMETER;
	}
	*out = p;
	return NT_STATUS_OK;
}

void negoex_alert_pulse_build(uint32_t reason_code, uint8_t out[NEGOEX_ALERT_PULSE_LEN])
{
	/* cbHeaderLength = sizeof(ALERT_PULSE), as MIT writes it. */
	out[0] = NEGOEX_ALERT_PULSE_LEN;
	out[1] = out[2] = out[3] = 0;
	out[4] = (uint8_t)reason_code;
	out[5] = (uint8_t)(reason_code >> 8);
	out[6] = (uint8_t)(reason_code >> 16);
	out[7] = (uint8_t)(reason_code >> 24);
}

NTSTATUS negoex_parse_alert_body(TALLOC_CTX *mem_ctx, const uint8_t *msg,
				 const struct negoex_header *h, struct negoex_alert_message **out,
				 const char **reason)
{
	struct cursor f = negoex_fixed_fields(msg, h), v;
	struct negoex_alert_message *a;
	uint32_t alerts_off;
	uint16_t count, pad;
	NTSTATUS status = NT_STATUS_INVALID_PARAMETER;

	a = talloc_zero(mem_ctx, struct negoex_alert_message);
	if (a == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	a->header = *h;
	a->raw = msg;
	a->raw_len = h->message_length;
	if (!negoex_get_guid(&f, &a->auth_scheme) || !cursor_get_u32le(&f, &a->error_code) ||
	    !cursor_get_u32le(&f, &alerts_off) || !cursor_get_u16le(&f, &count) ||
	    !cursor_get_u16le(&f, &pad)) {
		crypto_set_reason(reason, "ALERT_MESSAGE fixed fields are truncated");
		goto fail;
	}
	if (count > NEGOEX_MAX_ALERTS) {
		crypto_set_reason(reason, "AlertCount is above NEGOEX_MAX_ALERTS");
		goto fail;
	}
	if (!negoex_get_vector(msg, h, alerts_off, count, &ALERTS, &v, reason)) {
		goto fail;
	}
	a->num_alerts = count;
	if (count > 0) {
		a->alerts = talloc_array(a, struct negoex_alert, count);
		if (a->alerts == NULL) {
			status = NT_STATUS_NO_MEMORY;
			goto fail;
		}
	}
	for (size_t i = 0; i < count; i++) {
		struct negoex_alert *al = &a->alerts[i];
		uint32_t value_off, value_len;
		struct cursor value;
		struct negoex_alert_pulse pulse;

		if (!cursor_get_u32le(&v, &al->type) || !cursor_get_u32le(&v, &value_off) ||
		    !cursor_get_u32le(&v, &value_len)) {
			goto fail; /* not reached */
		}
		if (!negoex_get_vector(msg, h, value_off, value_len, &ALERT_VALUE, &value,
				       reason)) {
			goto fail;
		}
		al->value = value.data;
		al->value_len = value_len;
		/* Unknown alert types are kept and ignored; a pulse must be an
		 * ALERT_PULSE (MIT ignores a short one; we refuse it). */
		if (al->type == NEGOEX_ALERT_TYPE_PULSE) {
			status = negoex_alert_pulse_parse(al->value, al->value_len, &pulse, reason);
			if (!NT_STATUS_IS_OK(status)) {
				goto fail;
			}
			if (pulse.reason == NEGOEX_ALERT_VERIFY_NO_KEY) {
				a->verify_no_key = true;
			}
		}
	}
	*out = a;
	return NT_STATUS_OK;
fail:
	talloc_free(a);
	return status;
}

NTSTATUS negoex_alert_parse(TALLOC_CTX *mem_ctx, const uint8_t *buf, size_t len,
			    struct negoex_alert_message **out, const char **reason)
{
	struct negoex_header h;
	struct negoex_alert_message *a;
	TALLOC_CTX *frame;
	uint8_t *raw;
	NTSTATUS status;

	status = negoex_open_one(buf, len, &h, is_alert, "message is not an ALERT_MESSAGE", reason);
	if (NT_STATUS_IS_OK(status)) {
		status = negoex_copy_one(mem_ctx, buf, len, &frame, &raw);
	}
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	status = negoex_parse_alert_body(frame, raw, &h, &a, reason);
	if (NT_STATUS_IS_OK(status)) {
		talloc_steal(a, raw);
		*out = talloc_steal(mem_ctx, a);
	}
	talloc_free(frame);
	return status;
}

NTSTATUS negoex_alert_build(TALLOC_CTX *mem_ctx, const struct negoex_alert_message *msg,
			    uint8_t **out, size_t *out_len, const char **reason)
{
	size_t pos, alerts_pos = NEGOEX_ALERT_HEADER_LEN, value_pos;
	struct builder b;

	if (!is_alert(msg->header.type)) {
		crypto_set_reason(reason, "message is not an ALERT_MESSAGE");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (msg->num_alerts > NEGOEX_MAX_ALERTS) {
		crypto_set_reason(reason, "AlertCount is above NEGOEX_MAX_ALERTS");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (msg->num_alerts > 0 && msg->alerts == NULL) {
		crypto_set_reason(reason, "vector has a count but no elements");
		return NT_STATUS_INVALID_PARAMETER;
	}
	pos = value_pos = alerts_pos + msg->num_alerts * NEGOEX_ALERT_LEN;
	for (size_t i = 0; i < msg->num_alerts; i++) {
		if (msg->alerts[i].value_len > 0 && msg->alerts[i].value == NULL) {
			crypto_set_reason(reason, "vector has a count but no elements");
			return NT_STATUS_INVALID_PARAMETER;
		}
		if (!negoex_layout_add(&pos, msg->alerts[i].value_len, reason)) {
			return NT_STATUS_INVALID_PARAMETER;
		}
	}
	builder_init_size(&b, mem_ctx, pos); /* the whole message: no realloc */
	negoex_put_header(&b, &msg->header, NEGOEX_ALERT_HEADER_LEN, pos);
	builder_add_bytes(&b, msg->auth_scheme.bytes, NEGOEX_GUID_LEN);
	builder_add_u32le(&b, msg->error_code);
	builder_add_u32le(&b, negoex_vector_offset(alerts_pos, msg->num_alerts));
	builder_add_u16le(&b, (uint16_t)msg->num_alerts);
	builder_add_u16le(&b, 0); /* ALERT_VECTOR padding */
	builder_add_u32le(&b, 0); /* the fixed part padded to 72 */
	for (size_t i = 0; i < msg->num_alerts; i++) {
		builder_add_u32le(&b, msg->alerts[i].type);
		builder_add_u32le(&b, negoex_vector_offset(value_pos, msg->alerts[i].value_len));
		builder_add_u32le(&b, (uint32_t)msg->alerts[i].value_len);
		value_pos += msg->alerts[i].value_len;
	}
	for (size_t i = 0; i < msg->num_alerts; i++) {
		builder_add_bytes(&b, msg->alerts[i].value, msg->alerts[i].value_len);
	}
	return negoex_finish_built(mem_ctx, &b, is_alert, "message is not an ALERT_MESSAGE", out,
				   out_len, reason);
}
