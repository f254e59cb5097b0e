/*
 * outbound.c: the messages we send, built by the codec (negoex/msg.h) with
 * the conversation's sequence number and ConversationID, added to the
 * transcript (every message sent or received, in order: the VERIFY
 * checksums cover it, draft 7.7) and to the output token; and the trace
 * line of each message, sent or received.
 */
#include <string.h>

#include "crypto/crypto.h"
#include "negoex/engine/engine_internal.h"

void engine_trace(struct negoex_engine *e, const char *dir, const struct negoex_header *h,
		  const struct negoex_guid *schemes, size_t num_schemes)
{
	TALLOC_CTX *t;
	char *line;
	bool is_nego = h->type == NEGOEX_MESSAGE_TYPE_INITIATOR_NEGO ||
		       h->type == NEGOEX_MESSAGE_TYPE_ACCEPTOR_NEGO;

	if (e->trace == NULL || (t = talloc_new(NULL)) == NULL) {
		return;
	}
	line = talloc_asprintf(t, "%s %s seq %u %s", dir, negoex_message_type_name(h->type),
			       (unsigned)h->sequence_number, is_nego ? "schemes" : "scheme");
	for (size_t i = 0; i < num_schemes && line != NULL; i++) {
		char *g = negoex_guid_string(t, &schemes[i]);

		line = g == NULL ? NULL : talloc_asprintf_append(line, " %s", g);
	}
	if (line != NULL) {
		e->trace(e->trace_data, line);
	}
	talloc_free(t);
}

/* transcript_add appends |n| bytes, within NEGOEX_ENGINE_MAX_TRANSCRIPT_LEN. */
NTSTATUS transcript_add(struct negoex_engine *e, const uint8_t *p, size_t n, const char **reason)
{
	uint8_t *t;

	if (n == 0) {
		return NT_STATUS_OK;
	}
	if (n > NEGOEX_ENGINE_MAX_TRANSCRIPT_LEN - e->transcript_len) {
		crypto_set_reason(reason, "conversation exceeds NEGOEX_ENGINE_MAX_TRANSCRIPT_LEN");
		return NT_STATUS_INVALID_PARAMETER;
	}
	t = talloc_realloc(e, e->transcript, uint8_t, e->transcript_len + n + 1);
	if (t == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	memcpy(t + e->transcript_len, p, n);
	e->transcript = t;
	e->transcript_len += n;
	return NT_STATUS_OK;
}

static void set_header(struct negoex_engine *e, struct negoex_header *h,
		       enum negoex_message_type type)
{
	memset(h, 0, sizeof(*h));
	h->type = type;
	h->sequence_number = e->seqnum;
	h->conversation_id = e->conv_id;
}

/* emit: build |m|, add it to the transcript and the output, trace it. */
static NTSTATUS emit(struct negoex_engine *e, struct outbound *o, const struct negoex_message *m,
		     const struct negoex_header *h, const struct negoex_guid *schemes,
		     size_t num_schemes, const char **reason)
{
	TALLOC_CTX *t = talloc_new(o->mem_ctx);
	uint8_t *msg, *grown;
	size_t n;
	NTSTATUS status;

	if (t == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	if (e->seqnum >= NEGOEX_ENGINE_MAX_CONVERSATION_MESSAGES) {
		talloc_free(t);
		crypto_set_reason(reason, "conversation exceeds NEGOEX_ENGINE_MAX_CONVERSATION_MESSAGES");
		return NT_STATUS_INVALID_PARAMETER;
	}
	status = negoex_message_build(t, m, &msg, &n, reason);
	if (NT_STATUS_IS_OK(status) && o->len > NEGOEX_MAX_TOKEN_LEN - n) {
		crypto_set_reason(reason, "output token exceeds NEGOEX_MAX_TOKEN_LEN");
		status = NT_STATUS_INVALID_PARAMETER;
	}
	if (NT_STATUS_IS_OK(status)) {
		status = transcript_add(e, msg, n, reason);
	}
	if (NT_STATUS_IS_OK(status)) {
		grown = talloc_realloc(o->mem_ctx, o->buf, uint8_t, o->len + n);
		if (grown == NULL) {
			e->transcript_len -= n;
			status = NT_STATUS_NO_MEMORY;
		} else {
			memcpy(grown + o->len, msg, n);
			o->buf = grown;
			o->len += n;
		}
	}
	if (NT_STATUS_IS_OK(status)) {
		engine_trace(e, "sent", h, schemes, num_schemes);
		e->seqnum++;
	}
	talloc_free(t);
	return status;
}

/* out_nego: INITIATOR_NEGO or ACCEPTOR_NEGO listing our schemes in order
 * (draft 7.4, 7.5), with a fresh Random. */
NTSTATUS out_nego(struct negoex_engine *e, struct outbound *o, const char **reason)
{
	struct negoex_nego n;
	struct negoex_guid schemes[NEGOEX_ENGINE_MAX_SCHEMES];
	struct negoex_message m = {.u.nego = &n};
	NTSTATUS status;

	memset(&n, 0, sizeof(n));
	m.type = e->role == NEGOEX_ROLE_INITIATOR ? NEGOEX_MESSAGE_TYPE_INITIATOR_NEGO
						  : NEGOEX_MESSAGE_TYPE_ACCEPTOR_NEGO;
	set_header(e, &n.header, m.type);
	status = crypto_random(n.random, sizeof(n.random));
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	n.protocol_version = NEGOEX_PROTOCOL_VERSION_0;
	for (size_t i = 0; i < e->num; i++) {
		schemes[i] = e->list[i]->guid;
	}
	n.auth_schemes = schemes;
	n.num_auth_schemes = e->num;
	return emit(e, o, &m, &n.header, schemes, e->num, reason);
}

/* out_exchange: META_DATA, AP_REQUEST or CHALLENGE for |scheme|. */
NTSTATUS out_exchange(struct negoex_engine *e, struct outbound *o, enum negoex_message_type type,
		      const struct negoex_guid *scheme, const uint8_t *p, size_t n,
		      const char **reason)
{
	struct negoex_exchange x = {.auth_scheme = *scheme, .exchange = p, .exchange_len = n};
	struct negoex_message m = {.type = type, .u.exchange = &x};

	set_header(e, &x.header, type);
	return emit(e, o, &m, &x.header, scheme, 1, reason);
}

/* out_verify: VERIFY with an RFC 3961 checksum (draft 7.7). */
NTSTATUS out_verify(struct negoex_engine *e, struct outbound *o, const struct negoex_guid *scheme,
		    uint32_t cksum_type, const uint8_t *cksum, size_t cksum_len,
		    const char **reason)
{
	struct negoex_verify v = {
		.auth_scheme = *scheme,
		.checksum = {.scheme = NEGOEX_CHECKSUM_SCHEME_RFC3961,
			     .type = cksum_type,
			     .value = cksum,
			     .value_len = cksum_len},
	};
	struct negoex_message m = {.type = NEGOEX_MESSAGE_TYPE_VERIFY, .u.verify = &v};

	set_header(e, &v.header, m.type);
	return emit(e, o, &m, &v.header, scheme, 1, reason);
}

/* out_alert_verify_no_key: an ALERT with one ALERT_TYPE_PULSE alert,
 * reason ALERT_VERIFY_NO_KEY and ErrorCode 0, as MIT sends it
 * (negoex_add_verify_no_key_alert): we got a VERIFY we cannot check yet. */
NTSTATUS out_alert_verify_no_key(struct negoex_engine *e, struct outbound *o,
				 const struct negoex_guid *scheme, const char **reason)
{
	uint8_t pulse[NEGOEX_ALERT_PULSE_LEN];
	struct negoex_alert alert = {.type = NEGOEX_ALERT_TYPE_PULSE,
				     .value = pulse,
				     .value_len = sizeof(pulse)};
	struct negoex_alert_message a = {
		.auth_scheme = *scheme, .error_code = 0, .num_alerts = 1, .alerts = &alert};
	struct negoex_message m = {.type = NEGOEX_MESSAGE_TYPE_ALERT, .u.alert = &a};

	negoex_alert_pulse_build(NEGOEX_ALERT_VERIFY_NO_KEY, pulse);
	set_header(e, &a.header, m.type);
	return emit(e, o, &m, &a.header, scheme, 1, reason);
}
