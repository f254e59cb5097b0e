/*
 * token.c: a NEGOEX token, the concatenation of messages (draft-zhu-negoex-04
 * section 7, MS-NEGOEX): the split into messages and their parse by type,
 * the build by type and the concatenation, and the names of message types
 * and GUIDs.  The layout rules and errata are msg.c's opening comment.
 */
#include "negoex/msg.h"

#include "crypto/wire/cursor.h"
#include "negoex/msg_internal.h"

static const char *const type_names[] = {
	"INITIATOR_NEGO", "ACCEPTOR_NEGO", "INITIATOR_META_DATA", "ACCEPTOR_META_DATA",
	"CHALLENGE", "AP_REQUEST", "VERIFY", "ALERT",
};

const char *negoex_message_type_name(uint32_t type)
{
	return type < sizeof(type_names) / sizeof(type_names[0]) ? type_names[type] : NULL;
}

char *negoex_guid_string(TALLOC_CTX *mem_ctx, const struct negoex_guid *guid)
{
	const uint8_t *g = guid->bytes;

	return talloc_asprintf(mem_ctx,
			       "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
			       "%02x%02x%02x%02x%02x%02x",
			       g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9],
			       g[10], g[11], g[12], g[13], g[14], g[15]);
}

/* negoex_parse_body dispatches on the (checked) type of |h|. */
NTSTATUS negoex_parse_body(TALLOC_CTX *mem_ctx, const uint8_t *msg,
			   const struct negoex_header *h, struct negoex_message *out,
			   const char **reason)
{
	out->type = h->type;
	if (is_nego(h->type)) {
		return negoex_parse_nego_body(mem_ctx, msg, h, &out->u.nego, reason);
	}
	if (is_exchange(h->type)) {
		return negoex_parse_exchange_body(mem_ctx, msg, h, &out->u.exchange, reason);
	}
	if (is_verify(h->type)) {
		return negoex_parse_verify_body(mem_ctx, msg, h, &out->u.verify, reason);
	}
	return negoex_parse_alert_body(mem_ctx, msg, h, &out->u.alert, reason);
}

NTSTATUS negoex_token_parse(TALLOC_CTX *mem_ctx, const uint8_t *buf, size_t len,
			    struct negoex_token **out, const char **reason)
{
	TALLOC_CTX *frame;
	struct negoex_token *t;
	uint8_t *raw;
	struct cursor c;
	NTSTATUS status = NT_STATUS_INVALID_PARAMETER;

	if (len == 0) {
		crypto_set_reason(reason, "token is empty");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (len > NEGOEX_MAX_TOKEN_LEN) {
		crypto_set_reason(reason, "token is larger than NEGOEX_MAX_TOKEN_LEN");
		return NT_STATUS_INVALID_PARAMETER;
	}
	frame = talloc_new(mem_ctx);
	t = frame == NULL ? NULL : talloc_zero(frame, struct negoex_token);
	if (t == NULL || (raw = talloc_memdup(t, buf, len)) == NULL ||
	    (t->messages = talloc_zero_array(t, struct negoex_message, NEGOEX_MAX_MESSAGES)) ==
		    NULL) {
		talloc_free(frame);
		return NT_STATUS_NO_MEMORY;
	}
	t->raw = raw;
	t->raw_len = len;
	cursor_init(&c, raw, len);
	/* "If there is more than one NEGOEX message, these messages are
	 * concatenated together" (draft 7): each message's cbMessageLength
	 * (at least 40) leads to the next, and the last ends the token. */
	while (cursor_left(&c) > 0) {
		struct negoex_header h;
		const uint8_t *msg;

		if (t->num_messages == NEGOEX_MAX_MESSAGES) {
			crypto_set_reason(reason, "token holds more than NEGOEX_MAX_MESSAGES messages");
			status = NT_STATUS_INVALID_PARAMETER;
			goto fail;
		}
		status = negoex_header_parse(c.data, cursor_left(&c), &h, reason);
		if (!NT_STATUS_IS_OK(status)) {
			goto fail;
		}
		t->messages[t->num_messages].offset = len - cursor_left(&c);
		if (!cursor_get_bytes(&c, &msg, h.message_length)) {
			status = NT_STATUS_INVALID_PARAMETER; /* not reached */
			goto fail;
		}
		status = negoex_parse_body(t, msg, &h, &t->messages[t->num_messages], reason);
		if (!NT_STATUS_IS_OK(status)) {
			goto fail;
		}
		t->num_messages++;
	}
	*out = talloc_steal(mem_ctx, t);
	talloc_free(frame);
	return NT_STATUS_OK;
fail:
	talloc_free(frame);
	return status;
}

NTSTATUS negoex_message_build(TALLOC_CTX *mem_ctx, const struct negoex_message *msg,
			      uint8_t **out, size_t *out_len, const char **reason)
{
	if (is_nego(msg->type) && msg->u.nego != NULL) {
		return negoex_nego_build(mem_ctx, msg->u.nego, out, out_len, reason);
	}
	if (is_exchange(msg->type) && msg->u.exchange != NULL) {
		return negoex_exchange_build(mem_ctx, msg->u.exchange, out, out_len, reason);
	}
	if (is_verify(msg->type) && msg->u.verify != NULL) {
		return negoex_verify_build(mem_ctx, msg->u.verify, out, out_len, reason);
	}
	if (is_alert(msg->type) && msg->u.alert != NULL) {
		return negoex_alert_build(mem_ctx, msg->u.alert, out, out_len, reason);
	}
	crypto_set_reason(reason, "message has no structure of its type");
	return NT_STATUS_INVALID_PARAMETER;
}

NTSTATUS negoex_token_build(TALLOC_CTX *mem_ctx, const struct negoex_token *token,
			    uint8_t **out, size_t *out_len, const char **reason)
{
	TALLOC_CTX *frame;
	struct builder b;
	NTSTATUS status = NT_STATUS_OK;

	if (token->num_messages == 0 || token->num_messages > NEGOEX_MAX_MESSAGES) {
		crypto_set_reason(reason, token->num_messages == 0
						  ? "token is empty"
						  : "token holds more than NEGOEX_MAX_MESSAGES messages");
		return NT_STATUS_INVALID_PARAMETER;
	}
	frame = talloc_new(mem_ctx);
	if (frame == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	builder_init(&b, frame);
	for (size_t i = 0; i < token->num_messages && NT_STATUS_IS_OK(status); i++) {
		uint8_t *m;
		size_t n;

		status = negoex_message_build(frame, &token->messages[i], &m, &n, reason);
		if (NT_STATUS_IS_OK(status)) {
			if (b.len > NEGOEX_MAX_TOKEN_LEN - n) {
				crypto_set_reason(reason, "token is larger than NEGOEX_MAX_TOKEN_LEN");
				status = NT_STATUS_INVALID_PARAMETER;
			}
			builder_add_bytes(&b, m, n);
		}
	}
	if (NT_STATUS_IS_OK(status) && !builder_finish(&b, out, out_len)) {
		status = NT_STATUS_NO_MEMORY;
	}
	if (NT_STATUS_IS_OK(status)) {
		talloc_steal(mem_ctx, *out);
	}
	talloc_free(frame);
	return status;
}
