/*
 * negoex_peer_spnego.c: negoex-peer's SPNEGO framing
 * (negoex_peer_spnego.h), on crypto/spnego's codec.
 */
#include "tests/tools/negoex_peer_spnego.h"

#include "crypto/spnego/spnego.h"

struct peer_spnego {
	enum negoex_role role;
	unsigned received; /* SPNEGO tokens received */
	unsigned sent;
	bool finished;
};

NTSTATUS peer_spnego_new(TALLOC_CTX *mem_ctx, enum negoex_role role, struct peer_spnego **out,
			 const char **reason)
{
	struct peer_spnego *sp = talloc_zero(mem_ctx, struct peer_spnego);

	if (sp == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	sp->role = role;
	*out = sp;
	return NT_STATUS_OK;
}

bool peer_spnego_finished(const struct peer_spnego *sp)
{
	return sp->finished;
}

static NTSTATUS unwrap_init(struct peer_spnego *sp, const struct spnego_token *tok,
			    const uint8_t **out, size_t *out_len, const char **reason)
{
	const struct spnego_neg_token_init *init = tok->init;

	if (tok->type != SPNEGO_NEG_TOKEN_INIT || !tok->gss_framed) {
		crypto_set_reason(reason, "the initiator's first token is not a framed NegTokenInit");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (init->num_mech_types == 0 ||
	    !spnego_oid_equal(&init->mech_types[0], &spnego_oid_negoex) ||
	    init->mech_token == NULL) {
		crypto_set_reason(reason, "the NegTokenInit does not start with NEGOEX and its token");
		return NT_STATUS_NOT_SUPPORTED;
	}
	*out = init->mech_token->data;
	*out_len = init->mech_token->len;
	return NT_STATUS_OK;
}

NTSTATUS peer_spnego_unwrap(struct peer_spnego *sp, TALLOC_CTX *mem_ctx, const uint8_t *in,
			    size_t in_len, const uint8_t **out, size_t *out_len,
			    const char **reason)
{
	struct spnego_token *tok;
	const struct spnego_neg_token_resp *resp;
	NTSTATUS status = spnego_token_parse(mem_ctx, in, in_len, &tok, reason);

	*out = NULL;
	*out_len = 0;
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	if (sp->role == NEGOEX_ROLE_ACCEPTOR && sp->received++ == 0) {
		return unwrap_init(sp, tok, out, out_len, reason);
	}
	if (tok->type != SPNEGO_NEG_TOKEN_RESP) {
		crypto_set_reason(reason, "expected a NegTokenResp");
		return NT_STATUS_INVALID_PARAMETER;
	}
	resp = tok->resp;
	if (resp->has_neg_state && resp->neg_state == SPNEGO_REJECT) {
		crypto_set_reason(reason, "the peer's SPNEGO says reject");
		return NT_STATUS_LOGON_FAILURE;
	}
	if (sp->role == NEGOEX_ROLE_INITIATOR) {
		/* RFC 4178 4.2.2: supportedMech in the acceptor's first reply */
		if (sp->received++ == 0 &&
		    (resp->supported_mech == NULL ||
		     !spnego_oid_equal(resp->supported_mech, &spnego_oid_negoex))) {
			crypto_set_reason(reason, "the acceptor's supportedMech is not NEGOEX");
			return NT_STATUS_NOT_SUPPORTED;
		}
		if (resp->has_neg_state && resp->neg_state == SPNEGO_ACCEPT_COMPLETED) {
			sp->finished = true;
		}
	}
	if (resp->response_token != NULL) {
		*out = resp->response_token->data;
		*out_len = resp->response_token->len;
	}
	return NT_STATUS_OK;
}

NTSTATUS peer_spnego_wrap(struct peer_spnego *sp, TALLOC_CTX *mem_ctx, NTSTATUS status,
			  const uint8_t *in, size_t in_len, uint8_t **out, size_t *out_len,
			  const char **reason)
{
	struct spnego_bytes mech = {.data = (uint8_t *)in, .len = in_len};
	struct spnego_oid negoex = spnego_oid_negoex;
	struct spnego_neg_token_init init = {.num_mech_types = 1, .mech_types = &negoex};
	struct spnego_neg_token_resp resp = {.has_neg_state = true};
	struct spnego_token tok = {.type = SPNEGO_NEG_TOKEN_RESP, .resp = &resp};
	bool ok = NT_STATUS_IS_OK(status);

	*out = NULL;
	*out_len = 0;
	if (sp->role == NEGOEX_ROLE_INITIATOR) {
		if (in_len == 0) {
			return NT_STATUS_OK;
		}
		if (sp->sent++ == 0) {
			init.mech_token = &mech;
			tok.type = SPNEGO_NEG_TOKEN_INIT;
			tok.init = &init;
			tok.gss_framed = true;
			tok.resp = NULL;
		} else {
			resp.neg_state = SPNEGO_ACCEPT_INCOMPLETE;
			resp.response_token = &mech;
		}
		return spnego_token_build(mem_ctx, &tok, out, out_len, reason);
	}
	if (sp->sent++ == 0) {
		resp.supported_mech = &negoex;
	}
	if (in_len > 0) {
		resp.response_token = &mech;
	}
	if (ok) {
		resp.neg_state = SPNEGO_ACCEPT_COMPLETED;
		sp->finished = true;
	} else if (NT_STATUS_EQUAL(status, NT_STATUS_MORE_PROCESSING_REQUIRED) || in_len > 0) {
		/* MIT sends a failing scheme's last token accept-incomplete */
		resp.neg_state = SPNEGO_ACCEPT_INCOMPLETE;
	} else {
		resp.neg_state = SPNEGO_REJECT;
		resp.supported_mech = NULL;
	}
	return spnego_token_build(mem_ctx, &tok, out, out_len, reason);
}
