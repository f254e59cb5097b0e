/*
 * inbound.c: the checks on a received NEGOEX token, before the state
 * machine looks at it.  The codec (negoex/msg.h) has checked each message's
 * structure (signature, lengths, vectors, version, checksum scheme,
 * critical extensions, caps); here are the rules that need the
 * conversation:
 *
 * - sequence numbers: one counter for both directions, each message the
 *   next (MIT parse_message: seqnum != ctx->negoex_seqnum is refused);
 * - the ConversationID (draft 7.3, 7.6): the acceptor takes it from the
 *   first message, then every message must carry it; a switch mid-
 *   exchange is refused (MIT: ERR_NEGOEX_INVALID_CONVERSATION_ID);
 * - direction: an initiator receives only acceptor message types and the
 *   reverse (MIT does not check: it only looks for the types it wants;
 *   ours fails closed);
 * - the sender's first token starts with its NEGO, and no NEGO follows
 *   (draft 7.4, 7.5; MIT looks for the NEGO anywhere in the token);
 * - a NEGO lists no scheme twice, and every later message names a scheme
 *   its sender's NEGO offered (MIT ignores META_DATA for schemes it does not
 *   know, and so do we for schemes we do not hold, but a scheme the sender
 *   never offered is refused);
 * - at most one message of each kind per token, META_DATA one per scheme
 *   and only in the sender's first token (MIT uses the first of each kind
 *   and ignores the rest: two AP_REQUESTs or two VERIFYs in a token are
 *   refused here);
 * - caps: NEGOEX_ENGINE_MAX_CONVERSATION_MESSAGES and
 *   NEGOEX_ENGINE_MAX_TRANSCRIPT_LEN over the whole conversation.
 * Nothing in the engine changes unless the whole token passes.
 */
#include "negoex/engine/engine_internal.h"
#include "negoex/msg.h"

static bool from_initiator(enum negoex_message_type t)
{
	return t == NEGOEX_MESSAGE_TYPE_INITIATOR_NEGO ||
	       t == NEGOEX_MESSAGE_TYPE_INITIATOR_META_DATA ||
	       t == NEGOEX_MESSAGE_TYPE_AP_REQUEST || t == NEGOEX_MESSAGE_TYPE_VERIFY ||
	       t == NEGOEX_MESSAGE_TYPE_ALERT;
}

static bool from_acceptor(enum negoex_message_type t)
{
	return t == NEGOEX_MESSAGE_TYPE_ACCEPTOR_NEGO ||
	       t == NEGOEX_MESSAGE_TYPE_ACCEPTOR_META_DATA ||
	       t == NEGOEX_MESSAGE_TYPE_CHALLENGE || t == NEGOEX_MESSAGE_TYPE_VERIFY ||
	       t == NEGOEX_MESSAGE_TYPE_ALERT;
}

static const struct negoex_header *header_of(const struct negoex_message *m)
{
	switch (m->type) {
	case NEGOEX_MESSAGE_TYPE_INITIATOR_NEGO:
	case NEGOEX_MESSAGE_TYPE_ACCEPTOR_NEGO:
		return &m->u.nego->header;
	case NEGOEX_MESSAGE_TYPE_VERIFY:
		return &m->u.verify->header;
	case NEGOEX_MESSAGE_TYPE_ALERT:
		return &m->u.alert->header;
	default:
		return &m->u.exchange->header;
	}
}

static const struct negoex_guid *scheme_of(const struct negoex_message *m)
{
	switch (m->type) {
	case NEGOEX_MESSAGE_TYPE_VERIFY:
		return &m->u.verify->auth_scheme;
	case NEGOEX_MESSAGE_TYPE_ALERT:
		return &m->u.alert->auth_scheme;
	default:
		return &m->u.exchange->auth_scheme;
	}
}

static bool offered(const struct negoex_guid *list, size_t n, const struct negoex_guid *g)
{
	for (size_t i = 0; i < n; i++) {
		if (guid_equal(&list[i], g)) {
			return true;
		}
	}
	return false;
}

/* check_nego: a NEGO is the first message of the sender's first token, and
 * lists each scheme once. */
static bool check_nego(const struct negoex_engine *e, const struct negoex_nego *n, size_t i,
		       const char **reason)
{
	if (e->peer_nego_seen || i != 0) {
		crypto_set_reason(reason, "a NEGO message after the peer's first message");
		return false;
	}
	for (size_t a = 0; a < n->num_auth_schemes; a++) {
		for (size_t b = a + 1; b < n->num_auth_schemes; b++) {
			if (guid_equal(&n->auth_schemes[a], &n->auth_schemes[b])) {
				crypto_set_reason(reason, "NEGO lists an auth scheme twice");
				return false;
			}
		}
	}
	return true;
}

/* check_one sorts message |i| into |out|, refusing a second of its kind. */
static bool check_one(const struct negoex_engine *e, const struct negoex_message *m, size_t i,
		      bool first_token, struct inbound *out, const char **reason)
{
	switch (m->type) {
	case NEGOEX_MESSAGE_TYPE_INITIATOR_META_DATA:
	case NEGOEX_MESSAGE_TYPE_ACCEPTOR_META_DATA:
		if (!first_token) {
			crypto_set_reason(reason, "META_DATA after the peer's first token");
			return false;
		}
		for (size_t j = 0; j < out->num_meta; j++) {
			if (guid_equal(&out->meta[j]->auth_scheme, &m->u.exchange->auth_scheme)) {
				crypto_set_reason(reason, "two META_DATA messages for one scheme");
				return false;
			}
		}
		out->meta[out->num_meta++] = m->u.exchange;
		return true;
	case NEGOEX_MESSAGE_TYPE_AP_REQUEST:
	case NEGOEX_MESSAGE_TYPE_CHALLENGE:
		if (out->mech_token != NULL) {
			crypto_set_reason(reason, "two AP_REQUEST or CHALLENGE messages in a token");
			return false;
		}
		out->mech_token = m->u.exchange;
		return true;
	case NEGOEX_MESSAGE_TYPE_VERIFY:
		if (out->verify != NULL) {
			crypto_set_reason(reason, "two VERIFY messages in a token");
			return false;
		}
		out->verify = m->u.verify;
		out->verify_offset = m->offset;
		return true;
	case NEGOEX_MESSAGE_TYPE_ALERT:
		if (out->alert != NULL) {
			crypto_set_reason(reason, "two ALERT messages in a token");
			return false;
		}
		out->alert = m->u.alert;
		return true;
	default:
		if (!check_nego(e, m->u.nego, i, reason)) {
			return false;
		}
		out->nego = m->u.nego;
		return true;
	}
}

NTSTATUS inbound_parse(struct negoex_engine *e, TALLOC_CTX *mem_ctx, const uint8_t *in,
		       size_t in_len, struct inbound *out, const char **reason)
{
	struct negoex_token *tok = NULL;
	struct inbound r = {0};
	struct negoex_guid conv = e->conv_id;
	bool (*expected)(enum negoex_message_type) =
		e->role == NEGOEX_ROLE_INITIATOR ? from_acceptor : from_initiator;
	bool first_token = !e->peer_nego_seen;
	NTSTATUS status;

	status = negoex_token_parse(mem_ctx, in, in_len, &tok, reason);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	if (tok->num_messages > NEGOEX_ENGINE_MAX_CONVERSATION_MESSAGES - e->seqnum) {
		crypto_set_reason(reason, "conversation exceeds NEGOEX_ENGINE_MAX_CONVERSATION_MESSAGES");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (in_len > NEGOEX_ENGINE_MAX_TRANSCRIPT_LEN - e->transcript_len) {
		crypto_set_reason(reason, "conversation exceeds NEGOEX_ENGINE_MAX_TRANSCRIPT_LEN");
		return NT_STATUS_INVALID_PARAMETER;
	}
	r.token = tok;
	for (size_t i = 0; i < tok->num_messages; i++) {
		const struct negoex_message *m = &tok->messages[i];
		const struct negoex_header *h = header_of(m);
		bool is_nego = m->type == NEGOEX_MESSAGE_TYPE_INITIATOR_NEGO ||
			       m->type == NEGOEX_MESSAGE_TYPE_ACCEPTOR_NEGO;

		if (h->sequence_number != e->seqnum + i) {
			crypto_set_reason(reason, "SequenceNum is not the next in the conversation");
			return NT_STATUS_INVALID_PARAMETER;
		}
		/* draft 7.5: "The acceptor extracts the ConversationID from the
		 * NEGOMESSAGE"; after that it "MUST remain the same" (7.4). */
		if (e->role == NEGOEX_ROLE_ACCEPTOR && e->seqnum == 0 && i == 0) {
			conv = h->conversation_id;
		} else if (!guid_equal(&h->conversation_id, &conv)) {
			crypto_set_reason(reason, "ConversationID differs from the conversation's");
			return NT_STATUS_INVALID_PARAMETER;
		}
		if (!expected(m->type)) {
			crypto_set_reason(reason, "message type the peer's role does not send");
			return NT_STATUS_INVALID_PARAMETER;
		}
		if (first_token && i == 0 && !is_nego) {
			crypto_set_reason(reason, "the peer's first token does not start with NEGO");
			return NT_STATUS_INVALID_PARAMETER;
		}
		if (!is_nego) {
			const struct negoex_guid *g = scheme_of(m);
			bool ok = r.nego != NULL ? offered(r.nego->auth_schemes,
							   r.nego->num_auth_schemes, g)
						 : offered(e->peer_schemes, e->num_peer_schemes, g);

			if (!ok) {
				crypto_set_reason(reason,
						  "message names a scheme its sender did not offer");
				return NT_STATUS_INVALID_PARAMETER;
			}
		}
		if (!check_one(e, m, i, first_token, &r, reason)) {
			return NT_STATUS_INVALID_PARAMETER;
		}
	}
	/* The token passed: now the conversation moves on. */
	for (size_t i = 0; i < tok->num_messages; i++) {
		const struct negoex_message *m = &tok->messages[i];
		bool is_nego = m->type == NEGOEX_MESSAGE_TYPE_INITIATOR_NEGO ||
			       m->type == NEGOEX_MESSAGE_TYPE_ACCEPTOR_NEGO;

		engine_trace(e, "recv", header_of(m),
			     is_nego ? m->u.nego->auth_schemes : scheme_of(m),
			     is_nego ? m->u.nego->num_auth_schemes : 1);
	}
	if (r.nego != NULL) {
		for (size_t j = 0; j < r.nego->num_auth_schemes; j++) {
			e->peer_schemes[j] = r.nego->auth_schemes[j];
		}
		e->num_peer_schemes = r.nego->num_auth_schemes;
		e->peer_nego_seen = true;
	}
	e->conv_id = conv;
	e->seqnum += (uint32_t)tok->num_messages;
	*out = r;
	return NT_STATUS_OK;
}
