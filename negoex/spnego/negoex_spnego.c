/*
 * negoex_spnego.c: SPNEGO around NEGOEX and other mechanisms
 * (negoex_spnego.h).  RFC 4178 section 3.2 at each decision; MIT krb5
 * 1.20's SPNEGO (src/lib/gssapi/spnego/spnego_mech.c) for what the RFC
 * leaves open, checked on MIT's tokens (tests/vectors/spnego/).
 */
#include "negoex/spnego/negoex_spnego.h"

#include <string.h>

/* One offered mechanism: NEGOEX (the engine) or one of the caller's. */
struct entry {
	struct spnego_oid oid;
	const struct negoex_spnego_mech *mech; /* NULL: NEGOEX */
	const struct negoex_spnego_mic *mic;
};

struct negoex_spnego {
	enum negoex_role role;
	struct negoex_engine *engine;
	struct negoex_spnego_mech mechs[NEGOEX_SPNEGO_MAX_MECHS];
	struct negoex_spnego_mic negoex_mic;
	struct entry entries[NEGOEX_SPNEGO_MAX_MECHS + 1];
	size_t num;
	int selected; /* entries index; -1 until chosen */
	unsigned sent, received;
	bool mech_done;	  /* the chosen mechanism returned OK */
	bool spnego_done; /* accept-completed sent (acceptor) or received */
	bool peer_rejected;
	bool failed;
	bool done;
	/* RFC 4178 5: the DER of the initiator's mechTypes, which both MICs
	 * cover (ours as sent, or the initiator's as received) */
	uint8_t *mech_types_der;
	size_t mech_types_der_len;
	bool mic_reqd, mic_sent, mic_rcvd;
};

NTSTATUS negoex_spnego_new(TALLOC_CTX *mem_ctx, const struct negoex_spnego_config *cfg,
			   struct negoex_spnego **out, const char **reason)
{
	struct negoex_spnego *sp;

	if ((cfg->engine == NULL && cfg->num_mechs == 0) ||
	    cfg->num_mechs > NEGOEX_SPNEGO_MAX_MECHS) {
		crypto_set_reason(reason, "need NEGOEX or a mechanism, at most NEGOEX_SPNEGO_MAX_MECHS");
		return NT_STATUS_INVALID_PARAMETER;
	}
	sp = talloc_zero(mem_ctx, struct negoex_spnego);
	if (sp == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	sp->role = cfg->role;
	sp->engine = cfg->engine;
	sp->selected = -1;
	if (cfg->engine != NULL) {
		if (cfg->negoex_mic != NULL) {
			sp->negoex_mic = *cfg->negoex_mic;
		}
		sp->entries[sp->num].mic = &sp->negoex_mic;
		sp->entries[sp->num++].oid = spnego_oid_negoex;
	}
	for (size_t i = 0; i < cfg->num_mechs; i++) {
		sp->mechs[i] = cfg->mechs[i];
		for (size_t j = 0; j < sp->num; j++) {
			if (spnego_oid_equal(&sp->entries[j].oid, &cfg->mechs[i].oid)) {
				talloc_free(sp);
				crypto_set_reason(reason, "a mechanism is offered twice");
				return NT_STATUS_INVALID_PARAMETER;
			}
		}
		sp->entries[sp->num].oid = cfg->mechs[i].oid;
		sp->entries[sp->num].mic = &sp->mechs[i].mic;
		sp->entries[sp->num++].mech = &sp->mechs[i];
	}
	*out = sp;
	return NT_STATUS_OK;
}

NTSTATUS negoex_spnego_selected(const struct negoex_spnego *sp, struct spnego_oid *mech)
{
	if (sp->selected < 0) {
		return NT_STATUS_INVALID_DEVICE_STATE;
	}
	*mech = sp->entries[sp->selected].oid;
	return NT_STATUS_OK;
}

bool negoex_spnego_mic_exchanged(const struct negoex_spnego *sp)
{
	return sp->mic_sent && sp->mic_rcvd;
}

static int find(const struct negoex_spnego *sp, const struct spnego_oid *oid)
{
	for (size_t i = 0; i < sp->num; i++) {
		if (spnego_oid_equal(&sp->entries[i].oid, oid)) {
			return (int)i;
		}
	}
	return -1;
}

/* mech_step steps the chosen mechanism. */
static NTSTATUS mech_step(struct negoex_spnego *sp, TALLOC_CTX *mem_ctx, const uint8_t *in,
			  size_t in_len, uint8_t **out, size_t *out_len, const char **reason)
{
	const struct entry *e = &sp->entries[sp->selected];
	NTSTATUS status;

	*out = NULL;
	*out_len = 0;
	if (e->mech == NULL) {
		status = negoex_engine_step(sp->engine, mem_ctx, in, in_len, out, out_len, reason);
	} else {
		status = e->mech->step(e->mech->priv, mem_ctx, in, in_len, out, out_len);
		if (!NT_STATUS_IS_OK(status) &&
		    !NT_STATUS_EQUAL(status, NT_STATUS_MORE_PROCESSING_REQUIRED)) {
			crypto_set_reason(reason, "the mechanism failed");
		}
	}
	if (*out_len == 0) {
		*out = NULL;
	}
	sp->mech_done = NT_STATUS_IS_OK(status);
	return status;
}

/* has_integ: the chosen mechanism's context has integrity (MIT:
 * sc->ctx_flags & GSS_C_INTEG_FLAG), so a mechListMIC can be exchanged. */
static bool has_integ(const struct negoex_spnego *sp)
{
	const struct negoex_spnego_mic *m = sp->entries[sp->selected].mic;

	if (m->get_mic == NULL || m->verify_mic == NULL) {
		return false;
	}
	return m->has_integ == NULL || m->has_integ(m->priv);
}

/*
 * handle_mic: MIT spnego_mech.c handle_mic() and process_mic(), once the
 * chosen mechanism is complete and has integrity.  A MIC from the peer is
 * verified and makes ours required; a side that ends its mechanism with
 * a token must send its MIC with it when one is required, so a required
 * MIC missing from the peer's last mechanism token is an error.  Ours is
 * made once, when required.  The caller is done when both are exchanged.
 */
static NTSTATUS handle_mic(struct negoex_spnego *sp, TALLOC_CTX *mem_ctx,
			   const struct spnego_bytes *mic_in, bool send_mechtok,
			   struct spnego_bytes *mic_out, const char **reason)
{
	const struct negoex_spnego_mic *m = sp->entries[sp->selected].mic;
	NTSTATUS status;

	mic_out->data = NULL;
	mic_out->len = 0;
	if (mic_in != NULL) {
		if (sp->mic_rcvd) {
			crypto_set_reason(reason, "a second mechListMIC");
			return NT_STATUS_INVALID_PARAMETER;
		}
		status = m->verify_mic(m->priv, sp->mech_types_der, sp->mech_types_der_len,
				       mic_in->data, mic_in->len);
		if (!NT_STATUS_IS_OK(status)) {
			crypto_set_reason(reason, "the peer's mechListMIC does not verify");
			return NT_STATUS_ACCESS_DENIED;
		}
		sp->mic_reqd = true;
		sp->mic_rcvd = true;
	} else if (sp->mic_reqd && !send_mechtok && !sp->mic_rcvd) {
		crypto_set_reason(reason, "the peer ended its mechanism without the mechListMIC");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (sp->mic_reqd && !sp->mic_sent) {
		status = m->get_mic(m->priv, mem_ctx, sp->mech_types_der, sp->mech_types_der_len,
				    &mic_out->data, &mic_out->len);
		if (!NT_STATUS_IS_OK(status) || mic_out->len == 0) {
			crypto_set_reason(reason, "the mechanism could not make the mechListMIC");
			return NT_STATUS_IS_OK(status) ? NT_STATUS_INTERNAL_ERROR : status;
		}
		sp->mic_sent = true;
	}
	return NT_STATUS_OK;
}

/* step_mic: the MIC business after a step (mic_in: the peer's, if any).
 * *mic_done: the exchange is complete as far as MICs go (none required,
 * or both exchanged). */
static NTSTATUS step_mic(struct negoex_spnego *sp, TALLOC_CTX *mem_ctx,
			 const struct spnego_bytes *mic_in, bool send_mechtok,
			 struct spnego_bytes *mic_out, bool *mic_done, const char **reason)
{
	NTSTATUS status;

	mic_out->data = NULL;
	mic_out->len = 0;
	*mic_done = false;
	if (!sp->mech_done || !has_integ(sp)) {
		/* MIT ignores a MIC here; one we cannot check is refused */
		if (mic_in != NULL) {
			crypto_set_reason(reason, sp->mech_done
					  ? "a mechListMIC for a mechanism without integrity"
					  : "a mechListMIC before the mechanism is complete");
			return NT_STATUS_INVALID_PARAMETER;
		}
		*mic_done = sp->mech_done;
		return NT_STATUS_OK;
	}
	status = handle_mic(sp, mem_ctx, mic_in, send_mechtok, mic_out, reason);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	*mic_done = !sp->mic_reqd || (sp->mic_sent && sp->mic_rcvd);
	return NT_STATUS_OK;
}

static NTSTATUS build(TALLOC_CTX *mem_ctx, const struct spnego_token *tok, uint8_t **out,
		      size_t *out_len, const char **reason)
{
	return spnego_token_build(mem_ctx, tok, out, out_len, reason);
}

/* parse_resp: a NegTokenResp, not a reject. */
static NTSTATUS parse_resp(TALLOC_CTX *mem_ctx, const uint8_t *in, size_t in_len,
			   struct spnego_neg_token_resp **out, const char **reason)
{
	struct spnego_token *tok;
	NTSTATUS status = spnego_token_parse(mem_ctx, in, in_len, &tok, reason);

	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	if (tok->type != SPNEGO_NEG_TOKEN_RESP) {
		crypto_set_reason(reason, "expected a NegTokenResp");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (tok->resp->has_neg_state && tok->resp->neg_state == SPNEGO_REJECT) {
		crypto_set_reason(reason, "the peer's SPNEGO says reject");
		return NT_STATUS_LOGON_FAILURE;
	}
	*out = tok->resp;
	return NT_STATUS_OK;
}

/* init_first: the framed NegTokenInit, our mechanisms in order, with the
 * first one's token (RFC 4178 3.2 (b): "optimistic"). */
static NTSTATUS init_first(struct negoex_spnego *sp, TALLOC_CTX *mem_ctx, uint8_t **out,
			   size_t *out_len, const char **reason)
{
	struct spnego_oid oids[NEGOEX_SPNEGO_MAX_MECHS + 1];
	struct spnego_neg_token_init init = {.num_mech_types = sp->num, .mech_types = oids};
	struct spnego_token tok = {.type = SPNEGO_NEG_TOKEN_INIT, .gss_framed = true, .init = &init};
	struct spnego_bytes mt;
	uint8_t *m;
	size_t ml;
	NTSTATUS status;

	/* A mechanism failing its first step is dropped from the offer and
	 * the next one tried; the first failure is reported if none is left
	 * (MIT spnego_mech.c init_ctx_call_init: "Since this is the first
	 * token, we can fall back to later mechanisms in the list"). */
	sp->selected = 0;
	for (NTSTATUS first = NT_STATUS_OK;;) {
		status = mech_step(sp, mem_ctx, NULL, 0, &m, &ml, reason);
		if (NT_STATUS_IS_OK(status) ||
		    NT_STATUS_EQUAL(status, NT_STATUS_MORE_PROCESSING_REQUIRED)) {
			break;
		}
		if (NT_STATUS_IS_OK(first)) {
			first = status;
		}
		memmove(&sp->entries[0], &sp->entries[1], (sp->num - 1) * sizeof(sp->entries[0]));
		if (--sp->num == 0) {
			sp->selected = -1;
			return first;
		}
	}
	for (size_t i = 0; i < sp->num; i++) {
		oids[i] = sp->entries[i].oid;
	}
	init.num_mech_types = sp->num;
	status = spnego_mech_types_der(sp, oids, sp->num, &sp->mech_types_der,
				       &sp->mech_types_der_len, reason);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	if (ml > 0) {
		mt.data = m;
		mt.len = ml;
		init.mech_token = &mt;
	}
	return build(mem_ctx, &tok, out, out_len, reason);
}

/* init_next: the acceptor's NegTokenResp.  Its first names the mechanism
 * (RFC 4178 4.2.2 supportedMech); one other than our first means our
 * optimistic token was not used and that mechanism starts now, with the
 * mechListMIC required (RFC 4178 5; the acceptor says request-mic). */
static NTSTATUS init_next(struct negoex_spnego *sp, TALLOC_CTX *mem_ctx, const uint8_t *in,
			  size_t in_len, uint8_t **out, size_t *out_len, const char **reason)
{
	struct spnego_neg_token_resp *resp;
	struct spnego_neg_token_resp mine = {.has_neg_state = true,
					     .neg_state = SPNEGO_ACCEPT_INCOMPLETE};
	struct spnego_token tok = {.type = SPNEGO_NEG_TOKEN_RESP, .resp = &mine};
	struct spnego_bytes rt, mic;
	const uint8_t *tin = NULL;
	uint8_t *m = NULL;
	size_t tin_len = 0, ml = 0;
	bool mic_done;
	NTSTATUS status = parse_resp(mem_ctx, in, in_len, &resp, reason);

	if (!NT_STATUS_IS_OK(status)) {
		sp->peer_rejected = NT_STATUS_EQUAL(status, NT_STATUS_LOGON_FAILURE);
		return status;
	}
	if (resp->response_token != NULL) {
		tin = resp->response_token->data;
		tin_len = resp->response_token->len;
	}
	if (sp->received++ == 0) {
		int i = resp->supported_mech != NULL ? find(sp, resp->supported_mech) : -1;
		bool request_mic = resp->has_neg_state && resp->neg_state == SPNEGO_REQUEST_MIC;

		if (i < 0) {
			crypto_set_reason(reason, "supportedMech is missing or not one we offered");
			return NT_STATUS_INVALID_PARAMETER;
		}
		if (i != 0) {
			/* Fallback: the acceptor chose another of ours.  MIT
			 * (spnego_mech.c init_ctx_reselect) insists on
			 * request-mic then, tolerating accept-incomplete only
			 * for NTLMSSP (Windows 2003's RFC 2478 SPNEGO). */
			if (tin_len > 0) {
				crypto_set_reason(reason, "a token for a mechanism not started");
				return NT_STATUS_INVALID_PARAMETER;
			}
			if (!request_mic &&
			    !(resp->has_neg_state && resp->neg_state == SPNEGO_ACCEPT_INCOMPLETE &&
			      spnego_oid_equal(resp->supported_mech, &spnego_oid_ntlm))) {
				crypto_set_reason(reason,
						  "another mechanism chosen without request-mic");
				return NT_STATUS_INVALID_PARAMETER;
			}
			sp->selected = i;
			sp->mech_done = false;
			tin = NULL;
		} else if (tin_len == 0 && !sp->mech_done) {
			crypto_set_reason(reason, "no responseToken for the optimistic mechanism");
			return NT_STATUS_INVALID_PARAMETER;
		}
		sp->mic_reqd = request_mic;
	}
	if (resp->has_neg_state && resp->neg_state == SPNEGO_ACCEPT_COMPLETED) {
		sp->spnego_done = true;
	}
	if (tin_len > 0 || (sp->received == 1 && sp->selected != 0)) {
		if (sp->mech_done) {
			crypto_set_reason(reason, "a mechanism token after our mechanism completed");
			return NT_STATUS_INVALID_PARAMETER;
		}
		status = mech_step(sp, mem_ctx, tin, tin_len, &m, &ml, reason);
		if (!NT_STATUS_IS_OK(status) &&
		    !NT_STATUS_EQUAL(status, NT_STATUS_MORE_PROCESSING_REQUIRED)) {
			return status;
		}
	} else if (!sp->mech_done) {
		crypto_set_reason(reason, "the acceptor's token carries no mechanism token");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (sp->spnego_done && !sp->mech_done) {
		crypto_set_reason(reason, "the acceptor completed before our mechanism");
		return NT_STATUS_INVALID_PARAMETER;
	}
	status = step_mic(sp, mem_ctx, resp->mech_list_mic, ml > 0, &mic, &mic_done, reason);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	/* Done once the mechanism is and either the acceptor said so or both
	 * MICs are through (MIT: handle_mic sets ACCEPT_COMPLETE, and the
	 * initiator ends with its MIC). */
	sp->done = sp->mech_done && mic_done && (sp->spnego_done || sp->mic_reqd);
	if (sp->spnego_done && !sp->done) {
		crypto_set_reason(reason, "the acceptor completed without the mechListMIC");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (ml > 0 || mic.len > 0) {
		if (ml > 0) {
			rt.data = m;
			rt.len = ml;
			mine.response_token = &rt;
		}
		if (mic.len > 0) {
			mine.mech_list_mic = &mic;
			if (sp->done) {
				mine.neg_state = SPNEGO_ACCEPT_COMPLETED;
			}
		}
		status = build(mem_ctx, &tok, out, out_len, reason);
		if (!NT_STATUS_IS_OK(status)) {
			return status;
		}
	}
	return sp->done ? NT_STATUS_OK : NT_STATUS_MORE_PROCESSING_REQUIRED;
}

/* init_reject: NegTokenResp { reject }, the initiator's last token after
 * a failure; none if even that cannot be built. */
static void init_reject(TALLOC_CTX *mem_ctx, uint8_t **out, size_t *out_len)
{
	struct spnego_neg_token_resp resp = {.has_neg_state = true, .neg_state = SPNEGO_REJECT};
	struct spnego_token tok = {.type = SPNEGO_NEG_TOKEN_RESP, .resp = &resp};

	if (!NT_STATUS_IS_OK(spnego_token_build(mem_ctx, &tok, out, out_len, NULL))) {
		*out = NULL;
		*out_len = 0;
	}
}

/* acc_first: the initiator's NegTokenInit.  RFC 4178 3.2 (c): the first
 * of its mechanisms we have; its optimistic token only if that is its
 * first, else the mechListMIC is required (RFC 4178 5). */
static NTSTATUS acc_first(struct negoex_spnego *sp, TALLOC_CTX *mem_ctx, const uint8_t *in,
			  size_t in_len, const uint8_t **tin, size_t *tin_len, bool *step,
			  const char **reason)
{
	struct spnego_token *tok;
	const struct spnego_neg_token_init *init;
	NTSTATUS status = spnego_token_parse(mem_ctx, in, in_len, &tok, reason);

	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	if (tok->type != SPNEGO_NEG_TOKEN_INIT) {
		crypto_set_reason(reason, "the initiator's first token is not a NegTokenInit");
		return NT_STATUS_INVALID_PARAMETER;
	}
	init = tok->init;
	if (init->mech_list_mic != NULL) {
		/* no mechanism is complete yet to check it with */
		crypto_set_reason(reason, "a mechListMIC in the NegTokenInit");
		return NT_STATUS_NOT_SUPPORTED;
	}
	*step = false;
	for (size_t i = 0; i < init->num_mech_types && sp->selected < 0; i++) {
		int j = find(sp, &init->mech_types[i]);

		if (j >= 0) {
			sp->selected = j;
			*step = i == 0 && init->mech_token != NULL;
			/* MIT spnego_mech.c negotiate_mech: REQUEST_MIC
			 * unless the initiator's first */
			sp->mic_reqd = i != 0;
		}
	}
	if (sp->selected < 0) {
		crypto_set_reason(reason, "no mechanism in common");
		return NT_STATUS_NO_SUCH_PACKAGE;
	}
	sp->mech_types_der = talloc_memdup(sp, init->mech_types_der.data,
					   init->mech_types_der.len);
	if (sp->mech_types_der == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	sp->mech_types_der_len = init->mech_types_der.len;
	if (*step) {
		*tin = init->mech_token->data;
		*tin_len = init->mech_token->len;
	}
	return NT_STATUS_OK;
}

static NTSTATUS acc_step(struct negoex_spnego *sp, TALLOC_CTX *mem_ctx, const uint8_t *in,
			 size_t in_len, uint8_t **out, size_t *out_len, const char **reason)
{
	struct spnego_neg_token_resp mine = {.has_neg_state = true};
	struct spnego_token tok = {.type = SPNEGO_NEG_TOKEN_RESP, .resp = &mine};
	struct spnego_bytes rt, mic = {0};
	struct spnego_oid supported;
	const struct spnego_bytes *mic_in = NULL;
	const uint8_t *tin = NULL;
	uint8_t *m = NULL;
	size_t tin_len = 0, ml = 0;
	bool step = true, mic_done = false;
	NTSTATUS status, built;

	if (sp->received++ == 0) {
		status = acc_first(sp, mem_ctx, in, in_len, &tin, &tin_len, &step, reason);
	} else {
		struct spnego_neg_token_resp *resp;

		status = parse_resp(mem_ctx, in, in_len, &resp, reason);
		if (NT_STATUS_IS_OK(status)) {
			mic_in = resp->mech_list_mic;
			step = resp->response_token != NULL;
			if (step == sp->mech_done) {
				/* a token until our mechanism is done; after
				 * that only the initiator's mechListMIC */
				crypto_set_reason(reason,
						  sp->mech_done
							  ? "a mechanism token after our mechanism completed"
							  : "the initiator's token carries no mechanism token");
				status = NT_STATUS_INVALID_PARAMETER;
			}
		}
		if (NT_STATUS_IS_OK(status) && step) {
			tin = resp->response_token->data;
			tin_len = resp->response_token->len;
		}
	}
	if (NT_STATUS_EQUAL(status, NT_STATUS_NO_SUCH_PACKAGE)) {
		/* RFC 4178 3.2 (c): "reject" when nothing is acceptable */
		mine.neg_state = SPNEGO_REJECT;
		built = build(mem_ctx, &tok, out, out_len, reason);
		return NT_STATUS_IS_OK(built) ? status : built;
	}
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	if (step) {
		status = mech_step(sp, mem_ctx, tin, tin_len, &m, &ml, reason);
	} else {
		status = sp->mech_done ? NT_STATUS_OK : NT_STATUS_MORE_PROCESSING_REQUIRED;
	}
	if (NT_STATUS_IS_OK(status) || NT_STATUS_EQUAL(status, NT_STATUS_MORE_PROCESSING_REQUIRED)) {
		NTSTATUS ms = step_mic(sp, mem_ctx, mic_in, ml > 0, &mic, &mic_done, reason);

		if (!NT_STATUS_IS_OK(ms)) {
			status = ms;
			ml = 0;
		} else if (NT_STATUS_IS_OK(status) && !mic_done) {
			status = NT_STATUS_MORE_PROCESSING_REQUIRED;
		}
	}
	if (sp->sent++ == 0) {
		supported = sp->entries[sp->selected].oid;
		mine.supported_mech = &supported;
	}
	if (ml > 0) {
		rt.data = m;
		rt.len = ml;
		mine.response_token = &rt;
	}
	if (mic.len > 0) {
		mine.mech_list_mic = &mic;
	}
	if (NT_STATUS_IS_OK(status)) {
		mine.neg_state = SPNEGO_ACCEPT_COMPLETED;
		sp->spnego_done = true;
		sp->done = true;
		if (sp->mic_rcvd && ml == 0 && mic.len == 0) {
			/* MIT handle_mic: NO_TOKEN_SEND after the
			 * initiator's MIC answered ours */
			return status;
		}
	} else if (NT_STATUS_EQUAL(status, NT_STATUS_MORE_PROCESSING_REQUIRED) || ml > 0) {
		/* MIT sends a failing mechanism's last token accept-incomplete;
		 * request-mic in the first reply of a fallback */
		mine.neg_state = sp->sent == 1 && !step && sp->mic_reqd ? SPNEGO_REQUEST_MIC
									 : SPNEGO_ACCEPT_INCOMPLETE;
	} else {
		mine.neg_state = SPNEGO_REJECT;
		mine.supported_mech = NULL;
		mine.mech_list_mic = NULL;
	}
	built = build(mem_ctx, &tok, out, out_len, reason);
	return NT_STATUS_IS_OK(built) ? status : built;
}

NTSTATUS negoex_spnego_step(struct negoex_spnego *sp, TALLOC_CTX *mem_ctx, const uint8_t *in,
			    size_t in_len, uint8_t **out, size_t *out_len, const char **reason)
{
	TALLOC_CTX *frame;
	NTSTATUS status;

	*out = NULL;
	*out_len = 0;
	if (sp->failed || sp->done) {
		crypto_set_reason(reason, sp->failed ? "the exchange has failed"
						     : "the exchange is complete");
		return NT_STATUS_INVALID_DEVICE_STATE;
	}
	if ((sp->role == NEGOEX_ROLE_INITIATOR && sp->sent == 0) != (in_len == 0)) {
		crypto_set_reason(reason, in_len == 0 ? "a token is needed"
						      : "the initiator's first step takes no token");
		return NT_STATUS_INVALID_PARAMETER;
	}
	frame = talloc_new(mem_ctx);
	if (frame == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	if (sp->role == NEGOEX_ROLE_INITIATOR) {
		if (sp->sent++ == 0) {
			/* the acceptor's accept-completed is still to come */
			status = init_first(sp, frame, out, out_len, reason);
			if (NT_STATUS_IS_OK(status)) {
				status = NT_STATUS_MORE_PROCESSING_REQUIRED;
			}
		} else {
			status = init_next(sp, frame, in, in_len, out, out_len, reason);
			if (!NT_STATUS_IS_OK(status) &&
			    !NT_STATUS_EQUAL(status, NT_STATUS_MORE_PROCESSING_REQUIRED) &&
			    !sp->peer_rejected) {
				/* MIT's initiator ends a failure with a reject
				 * (spnego_mech.c: ERROR_TOKEN_SEND -> REJECT) */
				init_reject(frame, out, out_len);
			}
		}
	} else {
		status = acc_step(sp, frame, in, in_len, out, out_len, reason);
	}
	if (!NT_STATUS_IS_OK(status) && !NT_STATUS_EQUAL(status, NT_STATUS_MORE_PROCESSING_REQUIRED)) {
		sp->failed = true;
	}
	if (*out != NULL) {
		talloc_steal(mem_ctx, *out);
	}
	talloc_free(frame);
	return status;
}
