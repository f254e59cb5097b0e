/*
 * engine.c: the NEGOEX initiator and acceptor state machines
 * (draft-zhu-negoex-04 7.4-7.7), step by step as MIT krb5 1.20 runs them
 * (src/lib/gssapi/spnego/negoex_ctx.c, negoex_init and negoex_accept: read,
 * not copied), since MIT is the deployed implementation that interoperates
 * with Windows.  Each decision cites the draft and, where they differ,
 * MIT.  The token checks are inbound.c's; the messages outbound.c's.
 *
 * Initiator:  step 1 (no input): a ConversationID; each scheme's
 *             meta-data (a failure drops the scheme); an optimistic token
 *             from the first scheme; output NEGO, META_DATA*, AP_REQUEST?,
 *             VERIFY?.
 *             step 2: did the acceptor take the optimistic token?; its
 *             meta-data to our schemes (a failure drops one); its order;
 *             the first common scheme is chosen for good.
 *             every step: the chosen scheme steps on the CHALLENGE; the
 *             peer's VERIFY checked; our VERIFY once we have a key.
 * Acceptor:   step 1: our schemes the initiator offered, in our order;
 *             its meta-data, then ours (failures drop schemes); the
 *             optimistic AP_REQUEST if it is for our first scheme;
 *             output NEGO, META_DATA*, CHALLENGE?, ALERT?, VERIFY?.
 *             later steps: the AP_REQUEST's scheme is chosen.
 * Both finish when the chosen scheme is established and the peer's VERIFY
 * checked (MIT: mech->complete && mech->verified_checksum).
 */
#include <string.h>

#include "crypto/crypto.h"
#include "negoex/engine/engine_internal.h"

static int engine_destructor(struct negoex_engine *e)
{
	checksum_free_context(e);
	return 0;
}

NTSTATUS negoex_engine_new(TALLOC_CTX *mem_ctx, const struct negoex_engine_config *cfg,
			   struct negoex_engine **out, const char **reason)
{
	struct negoex_engine *e;
	NTSTATUS status;

	if (cfg->num_schemes == 0 || cfg->num_schemes > NEGOEX_ENGINE_MAX_SCHEMES ||
	    (cfg->role != NEGOEX_ROLE_INITIATOR && cfg->role != NEGOEX_ROLE_ACCEPTOR)) {
		crypto_set_reason(reason, "need 1 to NEGOEX_ENGINE_MAX_SCHEMES schemes and a role");
		return NT_STATUS_INVALID_PARAMETER;
	}
	e = talloc_zero(mem_ctx, struct negoex_engine);
	if (e == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	talloc_set_destructor(e, engine_destructor);
	e->role = cfg->role;
	e->no_optimistic_token = cfg->no_optimistic_token;
	e->krb5 = cfg->krb5_context;
	e->krb5_borrowed = cfg->krb5_context != NULL;
	e->trace = cfg->trace;
	e->trace_data = cfg->trace_data;
	for (size_t i = 0; i < cfg->num_schemes; i++) {
		struct scheme_entry *s = talloc_zero(e, struct scheme_entry);
		const struct negoex_scheme_ops *ops = cfg->schemes[i].ops;

		if (s == NULL) {
			talloc_free(e);
			return NT_STATUS_NO_MEMORY;
		}
		e->list[e->num++] = s;
		if (ops == NULL || ops->query_mechanism_info == NULL || ops->start == NULL ||
		    ops->query_meta_data == NULL || ops->exchange_meta_data == NULL ||
		    ops->step == NULL || ops->get_key == NULL) {
			talloc_free(e);
			crypto_set_reason(reason, "a scheme lacks one of its functions");
			return NT_STATUS_INVALID_PARAMETER;
		}
		s->scheme = cfg->schemes[i];
		status = ops->query_mechanism_info(s->scheme.priv, &s->guid);
		if (NT_STATUS_IS_OK(status) && schemes_find(e, &s->guid) != (int)i) {
			crypto_set_reason(reason, "two schemes have the same AUTH_SCHEME");
			status = NT_STATUS_INVALID_PARAMETER;
		}
		if (NT_STATUS_IS_OK(status)) {
			status = scheme_start(e, s);
		}
		if (!NT_STATUS_IS_OK(status)) {
			talloc_free(e);
			return status;
		}
	}
	*out = e;
	return NT_STATUS_OK;
}

/* query_meta_data (draft 7.4, 7.5: "On GSS_Query_meta_data call failure,
 * NEGOEX SHOULD remove the security mechanism"; MIT does). */
static NTSTATUS query_meta_data(struct negoex_engine *e)
{
	size_t i = 0;

	while (i < e->num) {
		struct scheme_entry *s = e->list[i];
		uint8_t *meta = NULL;
		size_t len = 0;
		/* on the entry, not the state: a restart keeps the meta-data */
		NTSTATUS status = s->scheme.ops->query_meta_data(s->state, s, &meta, &len);

		if (NT_STATUS_EQUAL(status, NT_STATUS_NO_MEMORY)) {
			return status;
		}
		if (!NT_STATUS_IS_OK(status) || len > NEGOEX_ENGINE_MAX_META_DATA_LEN ||
		    (len > 0 && meta == NULL)) {
			schemes_delete(e, i);
			continue;
		}
		s->meta = meta;
		s->meta_len = len;
		i++;
	}
	return NT_STATUS_OK;
}

/* exchange_meta_data: the peer's META_DATA to our scheme of the same GUID;
 * META_DATA for a scheme we do not hold is ignored ("A meta-data token for
 * a security mechanism not supported on the acceptor side is ignored",
 * draft 1); a failure removes the scheme (7.5, 7.6). */
static void exchange_meta_data(struct negoex_engine *e, const struct inbound *in)
{
	for (size_t j = 0; j < in->num_meta; j++) {
		int i = schemes_find(e, &in->meta[j]->auth_scheme);
		struct scheme_entry *s;

		if (i < 0) {
			continue;
		}
		s = e->list[i];
		if (!NT_STATUS_IS_OK(s->scheme.ops->exchange_meta_data(
			    s->state, in->meta[j]->exchange, in->meta[j]->exchange_len))) {
			schemes_delete(e, (size_t)i);
		}
	}
}

/* process_alerts: a VERIFY_NO_KEY pulse means the peer could not check our
 * VERIFY: forget our checksum and keys so that we send another once the
 * scheme gives a key again (MIT process_alerts). */
static void process_alerts(struct negoex_engine *e, const struct inbound *in)
{
	int i;

	if (in->alert == NULL || !in->alert->verify_no_key) {
		return;
	}
	i = schemes_find(e, &in->alert->auth_scheme);
	if (i >= 0) {
		e->list[i]->sent_checksum = false;
		scheme_clear_keys(e->list[i]);
	}
}

/* run_step steps scheme |s| once and takes its keys on success. */
static NTSTATUS run_step(struct scheme_entry *s, TALLOC_CTX *mem_ctx, const uint8_t *in,
			 size_t in_len, uint8_t **out, size_t *out_len)
{
	NTSTATUS status;

	*out = NULL;
	*out_len = 0;
	status = s->scheme.ops->step(s->state, mem_ctx, in, in_len, out, out_len);
	s->started = true;
	if (NT_STATUS_IS_OK(status)) {
		s->complete = true;
	}
	if (NT_STATUS_IS_OK(status) || NT_STATUS_EQUAL(status, NT_STATUS_MORE_PROCESSING_REQUIRED)) {
		return scheme_fetch_keys(s);
	}
	return status;
}

/*
 * check_optimistic_result (initiator, step 2): if the acceptor answered
 * our optimistic token (a CHALLENGE or a VERIFY in its first reply), that
 * scheme is chosen; if it ignored it, the scheme's context starts over
 * (MIT check_optimistic_result; the draft says nothing).
 */
static NTSTATUS check_optimistic_result(struct negoex_engine *e, const struct inbound *in)
{
	if (e->num == 0 || !e->list[0]->started) {
		return NT_STATUS_OK;
	}
	if (in->mech_token != NULL || in->verify != NULL) {
		schemes_select(e, 0);
		return NT_STATUS_OK;
	}
	return scheme_start(e, e->list[0]);
}

/*
 * mech_init (initiator): the first scheme steps, on the CHALLENGE if there
 * is one for it.  On the first step a scheme that fails is dropped and the
 * next one tried (MIT mech_init); the first failure is reported if none
 * is left.
 */
static NTSTATUS mech_init(struct negoex_engine *e, TALLOC_CTX *mem_ctx, const struct inbound *in,
			  uint8_t **out, size_t *out_len, const char **reason)
{
	const uint8_t *tok = NULL;
	size_t tok_len = 0;
	NTSTATUS first_error = NT_STATUS_OK;

	*out = NULL;
	*out_len = 0;
	if (e->step == 1 && e->no_optimistic_token) {
		return NT_STATUS_OK;
	}
	if (e->num == 0) {
		crypto_set_reason(reason, "no mutually supported auth scheme");
		return NT_STATUS_NO_SUCH_PACKAGE;
	}
	if (in->mech_token != NULL && guid_equal(&in->mech_token->auth_scheme, &e->list[0]->guid)) {
		tok = in->mech_token->exchange;
		tok_len = in->mech_token->exchange_len;
	}
	if (e->list[0]->complete) {
		return NT_STATUS_OK;
	}
	while (e->num > 0) {
		NTSTATUS status = run_step(e->list[0], mem_ctx, tok, tok_len, out, out_len);

		if (NT_STATUS_IS_OK(status)) {
			return status;
		}
		TALLOC_FREE(*out);
		*out_len = 0;
		if (NT_STATUS_EQUAL(status, NT_STATUS_NO_MEMORY)) {
			return status;
		}
		if (NT_STATUS_IS_OK(first_error)) {
			first_error = status;
		}
		schemes_delete(e, 0);
		tok = NULL;
		tok_len = 0;
	}
	crypto_set_reason(reason, "the auth scheme failed");
	return first_error;
}

/*
 * mech_accept (acceptor): the AP_REQUEST's scheme steps.  On the first
 * step only an AP_REQUEST for our first scheme is taken (the optimistic
 * token, draft 7.4: "The first mechanism in the initiator proposed list"),
 * and a failure there is forgotten (MIT: "pretend this never happened").
 * Later the AP_REQUEST's scheme is the initiator's choice and the others
 * are dropped.  A failing step may still give a token for the initiator.
 */
static NTSTATUS mech_accept(struct negoex_engine *e, TALLOC_CTX *mem_ctx, const struct inbound *in,
			    uint8_t **out, size_t *out_len, const char **reason)
{
	const struct negoex_exchange *ap = in->mech_token;
	struct scheme_entry *s;
	NTSTATUS status;

	*out = NULL;
	*out_len = 0;
	if (ap == NULL) {
		if (e->step == 1 || e->list[0]->complete) {
			return NT_STATUS_OK;
		}
		crypto_set_reason(reason, "no AP_REQUEST while the scheme is not established");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (e->step == 1) {
		if (!guid_equal(&ap->auth_scheme, &e->list[0]->guid)) {
			return NT_STATUS_OK;
		}
	} else {
		int i = schemes_find(e, &ap->auth_scheme);

		if (i < 0) {
			crypto_set_reason(reason, "AP_REQUEST for a scheme no longer in the list");
			return NT_STATUS_NO_SUCH_PACKAGE;
		}
		schemes_select(e, (size_t)i);
	}
	s = e->list[0];
	if (s->complete) {
		return NT_STATUS_OK;
	}
	status = run_step(s, mem_ctx, ap->exchange, ap->exchange_len, out, out_len);
	if (!NT_STATUS_IS_OK(status) && e->step == 1 &&
	    !NT_STATUS_EQUAL(status, NT_STATUS_NO_MEMORY)) {
		TALLOC_FREE(*out);
		*out_len = 0;
		return scheme_start(e, s);
	}
	if (!NT_STATUS_IS_OK(status)) {
		crypto_set_reason(reason, "the auth scheme failed");
	}
	return status;
}

/*
 * verify_checksum: the peer's VERIFY for our first scheme, over the
 * transcript and this token up to the VERIFY (draft 7.7: "all the previous
 * NEGOEX messages").  A VERIFY for another scheme is ignored (MIT: the
 * initiator's first reply may carry one for a scheme we dropped).  With no
 * key to check it yet we answer an ALERT pulse, VERIFY_NO_KEY, and the
 * VERIFY counts for nothing.  One that does not check ends the engine.
 */
static NTSTATUS verify_checksum(struct negoex_engine *e, const struct inbound *in,
				bool *send_alert, const char **reason)
{
	struct scheme_entry *s = e->list[0];
	unsigned usage = e->role == NEGOEX_ROLE_INITIATOR ? NEGOEX_KEYUSAGE_ACCEPTOR_CHECKSUM
							  : NEGOEX_KEYUSAGE_INITIATOR_CHECKSUM;
	NTSTATUS status;

	*send_alert = false;
	if (in->verify == NULL || !guid_equal(&in->verify->auth_scheme, &s->guid)) {
		return NT_STATUS_OK;
	}
	if (s->verify_key == NULL) {
		*send_alert = true;
		return NT_STATUS_OK;
	}
	status = checksum_verify(e, s->verify_key, usage, e->transcript, e->transcript_len,
				 in->token->raw, in->verify_offset, in->verify->checksum.type,
				 in->verify->checksum.value, in->verify->checksum.value_len,
				 reason);
	if (NT_STATUS_IS_OK(status)) {
		s->verified_checksum = true;
	}
	return status;
}

/* make_checksum: our VERIFY over the transcript, once we have a key; a
 * scheme established without one is a failure (MIT: "No NegoEx verify
 * key"; draft 9: schemes SHOULD provide one). */
static NTSTATUS make_checksum(struct negoex_engine *e, struct outbound *o, const char **reason)
{
	struct scheme_entry *s = e->list[0];
	unsigned usage = e->role == NEGOEX_ROLE_INITIATOR ? NEGOEX_KEYUSAGE_INITIATOR_CHECKSUM
							  : NEGOEX_KEYUSAGE_ACCEPTOR_CHECKSUM;
	uint8_t *cksum;
	size_t len;
	uint32_t type;
	NTSTATUS status;

	if (s->key == NULL) {
		if (s->complete) {
			crypto_set_reason(reason, "the auth scheme gave no NEGOEX verify key");
			return NT_STATUS_NO_USER_SESSION_KEY;
		}
		return NT_STATUS_OK;
	}
	status = checksum_make(e, o->mem_ctx, s->key, usage, e->transcript, e->transcript_len,
			       &type, &cksum, &len, reason);
	if (NT_STATUS_IS_OK(status)) {
		status = out_verify(e, o, &s->guid, type, cksum, len, reason);
	}
	if (NT_STATUS_IS_OK(status)) {
		s->sent_checksum = true;
	}
	return status;
}

/* make_output (MIT make_output_token): on the first step the NEGO and our
 * META_DATA, then the scheme's token, an ALERT if we could not check the
 * peer's VERIFY, and our VERIFY if not sent yet. */
static NTSTATUS make_output(struct negoex_engine *e, struct outbound *o, const uint8_t *mech_out,
			    size_t mech_out_len, bool send_alert, const char **reason)
{
	struct scheme_entry *s = e->list[0];
	bool init = e->role == NEGOEX_ROLE_INITIATOR;
	NTSTATUS status = NT_STATUS_OK;

	/* Established and our VERIFY sent: this was the last leg. */
	if (mech_out_len == 0 && s->sent_checksum) {
		return NT_STATUS_OK;
	}
	if (e->step == 1) {
		status = out_nego(e, o, reason);
		for (size_t i = 0; i < e->num && NT_STATUS_IS_OK(status); i++) {
			if (e->list[i]->meta_len > 0) {
				status = out_exchange(e, o,
						      init ? NEGOEX_MESSAGE_TYPE_INITIATOR_META_DATA
							   : NEGOEX_MESSAGE_TYPE_ACCEPTOR_META_DATA,
						      &e->list[i]->guid, e->list[i]->meta,
						      e->list[i]->meta_len, reason);
			}
		}
	}
	if (NT_STATUS_IS_OK(status) && mech_out_len > 0) {
		status = out_exchange(e, o,
				      init ? NEGOEX_MESSAGE_TYPE_AP_REQUEST
					   : NEGOEX_MESSAGE_TYPE_CHALLENGE,
				      &s->guid, mech_out, mech_out_len, reason);
	}
	if (NT_STATUS_IS_OK(status) && send_alert) {
		status = out_alert_verify_no_key(e, o, &s->guid, reason);
	}
	if (NT_STATUS_IS_OK(status) && !s->sent_checksum) {
		status = make_checksum(e, o, reason);
	}
	return status;
}

static NTSTATUS finish(struct negoex_engine *e)
{
	struct scheme_entry *s = e->list[0];

	return s->complete && s->verified_checksum ? NT_STATUS_OK
						   : NT_STATUS_MORE_PROCESSING_REQUIRED;
}

static NTSTATUS init_step(struct negoex_engine *e, TALLOC_CTX *frame, struct outbound *o,
			  const uint8_t *in, size_t in_len, const char **reason)
{
	struct inbound msgs = {0};
	uint8_t *mech_out = NULL;
	size_t mech_out_len = 0;
	bool send_alert = false;
	NTSTATUS status;

	if (e->step == 1) {
		if (in_len != 0) {
			crypto_set_reason(reason, "the initiator's first step takes no token");
			return NT_STATUS_INVALID_PARAMETER;
		}
		/* draft 7.4: "a cryptographic strength random 16 byte value" */
		status = crypto_random(e->conv_id.bytes, sizeof(e->conv_id.bytes));
		if (!NT_STATUS_IS_OK(status)) {
			return status;
		}
		status = query_meta_data(e);
		if (NT_STATUS_IS_OK(status) && e->num == 0) {
			crypto_set_reason(reason, "no auth scheme gave its meta-data");
			status = NT_STATUS_NO_SUCH_PACKAGE;
		}
	} else {
		status = inbound_parse(e, frame, in, in_len, &msgs, reason);
		if (!NT_STATUS_IS_OK(status)) {
			return status;
		}
		process_alerts(e, &msgs);
		if (e->step == 2) {
			status = check_optimistic_result(e, &msgs);
			if (NT_STATUS_IS_OK(status)) {
				exchange_meta_data(e, &msgs);
				schemes_reorder(e, msgs.nego->auth_schemes,
						msgs.nego->num_auth_schemes);
			}
		}
	}
	if (NT_STATUS_IS_OK(status)) {
		status = mech_init(e, frame, &msgs, &mech_out, &mech_out_len, reason);
	}
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	/* draft 7.6: "After the initial exchange of NEGO_MESSAGE messages, the
	 * initiator MUST choose the negotiated security mechanism." */
	if (e->step == 2) {
		schemes_select(e, 0);
	}
	if (e->step > 1) {
		status = verify_checksum(e, &msgs, &send_alert, reason);
		if (NT_STATUS_IS_OK(status)) {
			status = transcript_add(e, in, in_len, reason);
		}
	}
	if (NT_STATUS_IS_OK(status)) {
		status = make_output(e, o, mech_out, mech_out_len, send_alert, reason);
	}
	return NT_STATUS_IS_OK(status) ? finish(e) : status;
}

static NTSTATUS accept_step(struct negoex_engine *e, TALLOC_CTX *frame, struct outbound *o,
			    const uint8_t *in, size_t in_len, const char **reason)
{
	struct inbound msgs = {0};
	uint8_t *mech_out = NULL;
	size_t mech_out_len = 0;
	bool send_alert = false;
	NTSTATUS status, mech_status;

	if (in_len == 0) {
		crypto_set_reason(reason, "the acceptor needs the initiator's token");
		return NT_STATUS_INVALID_PARAMETER;
	}
	status = inbound_parse(e, frame, in, in_len, &msgs, reason);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	process_alerts(e, &msgs);
	if (e->step == 1) {
		/* draft 7.5: the schemes "mutually supported", in our order */
		schemes_restrict(e, msgs.nego->auth_schemes, msgs.nego->num_auth_schemes);
		exchange_meta_data(e, &msgs);
		status = query_meta_data(e);
		if (NT_STATUS_IS_OK(status) && e->num == 0) {
			crypto_set_reason(reason, "no mutually supported auth scheme");
			status = NT_STATUS_NO_SUCH_PACKAGE;
		}
		if (!NT_STATUS_IS_OK(status)) {
			return status;
		}
	}
	mech_status = mech_accept(e, frame, &msgs, &mech_out, &mech_out_len, reason);
	if (!NT_STATUS_IS_OK(mech_status) && mech_out_len == 0) {
		return mech_status;
	}
	if (NT_STATUS_IS_OK(mech_status)) {
		status = verify_checksum(e, &msgs, &send_alert, reason);
	}
	if (NT_STATUS_IS_OK(status)) {
		status = transcript_add(e, in, in_len, reason);
	}
	if (NT_STATUS_IS_OK(status)) {
		status = make_output(e, o, mech_out, mech_out_len, send_alert, reason);
	}
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	/* MIT sends a failing scheme's token and answers CONTINUE_NEEDED,
	 * leaving the initiator to fail; we send the same token and fail
	 * here too (the wire is the same). */
	if (!NT_STATUS_IS_OK(mech_status)) {
		o->send_on_error = true;
		return mech_status;
	}
	return finish(e);
}

NTSTATUS negoex_engine_step(struct negoex_engine *e, TALLOC_CTX *mem_ctx, const uint8_t *in,
			    size_t in_len, uint8_t **out, size_t *out_len, const char **reason)
{
	TALLOC_CTX *frame;
	struct outbound o = {0};
	NTSTATUS status;

	*out = NULL;
	*out_len = 0;
	if (e->state != ENGINE_RUNNING) {
		crypto_set_reason(reason, e->state == ENGINE_COMPLETE ? "the exchange is complete"
								     : "the exchange has failed");
		return NT_STATUS_INVALID_DEVICE_STATE;
	}
	if (in == NULL && in_len != 0) {
		crypto_set_reason(reason, "a token length without a token");
		return NT_STATUS_INVALID_PARAMETER;
	}
	frame = talloc_new(e);
	if (frame == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	o.mem_ctx = frame;
	e->step++;
	if (e->role == NEGOEX_ROLE_INITIATOR) {
		status = init_step(e, frame, &o, in, in_len, reason);
	} else {
		status = accept_step(e, frame, &o, in, in_len, reason);
	}
	if (NT_STATUS_IS_OK(status)) {
		e->state = ENGINE_COMPLETE;
	} else if (!NT_STATUS_EQUAL(status, NT_STATUS_MORE_PROCESSING_REQUIRED)) {
		e->state = ENGINE_FAILED;
	}
	if (o.len > 0 && (NT_STATUS_IS_OK(status) ||
			  NT_STATUS_EQUAL(status, NT_STATUS_MORE_PROCESSING_REQUIRED) ||
			  o.send_on_error)) {
		*out = talloc_steal(mem_ctx, o.buf);
		*out_len = o.len;
	}
	talloc_free(frame);
	return status;
}

bool negoex_engine_is_complete(const struct negoex_engine *e)
{
	return e->state == ENGINE_COMPLETE;
}

NTSTATUS negoex_engine_selected(const struct negoex_engine *e, const struct negoex_scheme **scheme,
				void **state, struct negoex_guid *auth_scheme)
{
	if (e->state != ENGINE_COMPLETE || e->num == 0) {
		return NT_STATUS_INVALID_DEVICE_STATE;
	}
	*scheme = &e->list[0]->scheme;
	*state = e->list[0]->state;
	*auth_scheme = e->list[0]->guid;
	return NT_STATUS_OK;
}

void negoex_engine_conversation_id(const struct negoex_engine *e, struct negoex_guid *out)
{
	*out = e->conv_id;
}
