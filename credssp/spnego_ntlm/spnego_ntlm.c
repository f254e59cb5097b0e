/*
 * spnego_ntlm.c: NTLM inside SPNEGO (spnego_ntlm.h), both roles.
 *
 * Whose behaviour this follows (read-only references):
 * - the acceptor's first reply: Samba auth/gensec/spnego.c
 *   gensec_spnego_server_negTokenInit_step uses the optimistic token only
 *   when the chosen mechanism is the client's first (mech_idx == 0), and
 *   otherwise marks a downgrade and requests a MIC, answered as
 *   SPNEGO_REQUEST_MIC (gensec_spnego_server_response); MIT
 *   src/lib/gssapi/spnego/spnego_mech.c select_mech_from_list /
 *   acc_ctx_new answer REQUEST_MIC for a mechanism that was not the
 *   first and ACCEPT_INCOMPLETE otherwise.  RFC 4178 4.2.2 names
 *   accept-incomplete for that case; we follow the peers (request-mic).
 * - when the mechListMIC is due: Samba
 *   gensec_spnego_server_negTokenTarg_finish (NTLM's
 *   GENSEC_FEATURE_NEW_SPNEGO, i.e. the AUTHENTICATE MIC, a client MIC,
 *   or a requested MIC makes it both checked and sent); MIT handle_mic
 *   (a MIC received is verified and answered; a required one missing
 *   fails).  MS-SPNG 3.3.5.1 says the same for NTLM.
 * - the MIC itself: Samba gensec_check_packet / gensec_sign_packet over
 *   spnego_state->mech_types (the DER MechTypeList as the client sent
 *   it), i.e. NTLM's MAC with the next sequence number
 *   (auth/ntlmssp/ntlmssp_sign.c ntlmssp_make_packet_signature).
 * - afterwards: Samba gensec_spnego_update_done calls
 *   gensec_may_reset_crypto(sub, !done_mic_check), which restarts NTLM's
 *   RC4 streams and, without a MIC exchange, its sequence numbers
 *   (ntlm_session_reset).  This is what MS-SPNG 3.3.5.1 ("NTLM RC4 Key
 *   State for MechListMIC and First Signed Message") asks of Windows:
 *   the RC4 handle is saved before the mechListMIC and restored after
 *   it, so the first sealed message (CredSSP's pubKeyAuth) uses the
 *   stream as keyed, with the sequence number after the MIC's.  The MIC
 *   is the first use of either stream, so restarting them is the same;
 *   and a client that seals its pubKeyAuth right after sending its MIC
 *   (in the TSRequest that carries it) seals it the same way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "crypto/spnego/spnego.h"
#include "credssp/ntlm/ntlm.h"
#include "credssp/ntlmclient/ntlm_client.h"
#include "credssp/spnego_ntlm/spnego_ntlm.h"

enum sn_state {
	SN_A_INIT,      /* acceptor: waiting for the NegTokenInit */
	SN_A_NTLM,      /* acceptor: NTLM running, NegTokenResp relays */
	SN_I_START,     /* initiator: nothing sent */
	SN_I_NTLM,      /* initiator: NegTokenInit sent, waiting for CHALLENGE */
	SN_I_MIC,       /* initiator: AUTHENTICATE + MIC sent, waiting for accept */
	SN_DONE,
	SN_FAILED,
};

struct spnego_ntlm {
	bool initiator;
	struct spnego_ntlm_inner inner;
	enum sn_state state;
	uint8_t *mech_types;   /* the DER MechTypeList the MIC covers */
	size_t mech_types_len;
	bool mic_required;     /* acceptor: NTLM was not the first choice */
};

static int sn_fail(struct spnego_ntlm *s, uint32_t *status, NTSTATUS st, char *err, size_t errlen,
		   const char *what, const char *reason)
{
	s->state = SN_FAILED;
	*status = NT_STATUS_V(st);
	snprintf(err, errlen, "spnego-ntlm: %s%s%s (%s)", what, reason != NULL ? ": " : "",
		 reason != NULL ? reason : "", crypto_status_name(st));
	return -1;
}

/* A NegTokenResp on the wire, malloc'd (the interface's outputs are). */
static NTSTATUS send_resp(const struct spnego_neg_token_resp *resp, bool framed_init,
			  const struct spnego_neg_token_init *init, uint8_t **out, size_t *out_len)
{
	struct spnego_token tok = { 0 };
	TALLOC_CTX *tmp = talloc_new(NULL);
	const char *reason = NULL;
	uint8_t *buf = NULL;
	size_t len = 0;
	NTSTATUS st;

	if (tmp == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	if (init != NULL) {
		tok.type = SPNEGO_NEG_TOKEN_INIT;
		tok.gss_framed = framed_init;
		tok.init = (struct spnego_neg_token_init *)init;
	} else {
		tok.type = SPNEGO_NEG_TOKEN_RESP;
		tok.resp = (struct spnego_neg_token_resp *)resp;
	}
	st = spnego_token_build(tmp, &tok, &buf, &len, &reason);
	if (NT_STATUS_IS_OK(st)) {
		*out = malloc(len);
		if (*out == NULL) {
			st = NT_STATUS_NO_MEMORY;
		} else {
			memcpy(*out, buf, len);
			*out_len = len;
		}
	}
	talloc_free(tmp);
	return st;
}

/* inner_step: one NTLM step; its malloc'd output in |bytes| (or NULL). */
static int inner_step(struct spnego_ntlm *s, const struct spnego_bytes *in,
		      struct spnego_bytes *outb, uint32_t *status, char *err, size_t errlen)
{
	uint8_t *o = NULL;
	size_t ol = 0;
	int r;

	r = s->inner.ops->step(s->inner.ctx, in != NULL ? in->data : NULL, in != NULL ? in->len : 0,
			       &o, &ol, status, err, errlen);
	if (r < 0) {
		free(o);
		s->state = SN_FAILED;
		return r;
	}
	outb->data = o;
	outb->len = o != NULL ? ol : 0;
	return r;
}

/* mic_verify / mic_sign: RFC 4178 section 5 over s->mech_types. */
static NTSTATUS mic_verify(struct spnego_ntlm *s, const struct spnego_bytes *mic)
{
	struct ntlm_session *ns = s->inner.session(s->inner.ctx);

	if (ns == NULL) {
		return NT_STATUS_INTERNAL_ERROR;
	}
	return ntlm_session_verify(ns, s->mech_types, s->mech_types_len, mic->data, mic->len);
}

static NTSTATUS mic_sign(struct spnego_ntlm *s, uint8_t sig[NTLM_SIGNATURE_LEN])
{
	struct ntlm_session *ns = s->inner.session(s->inner.ctx);

	if (ns == NULL) {
		return NT_STATUS_INTERNAL_ERROR;
	}
	return ntlm_session_sign(ns, s->mech_types, s->mech_types_len, sig);
}

static NTSTATUS finish(struct spnego_ntlm *s, bool mic_exchanged)
{
	struct ntlm_session *ns = s->inner.session(s->inner.ctx);

	if (ns == NULL) {
		return NT_STATUS_INTERNAL_ERROR;
	}
	s->state = SN_DONE;
	return ntlm_session_reset(ns, !mic_exchanged);
}

static int ntlm_index(const struct spnego_neg_token_init *init)
{
	size_t i;

	for (i = 0; i < init->num_mech_types; i++) {
		if (spnego_oid_equal(&init->mech_types[i], &spnego_oid_ntlm)) {
			return (int)i;
		}
	}
	return -1;
}

/* ---- acceptor ----------------------------------------------------------- */

static int acceptor_init(struct spnego_ntlm *s, TALLOC_CTX *tmp, const struct spnego_token *tok,
			 uint8_t **out, size_t *out_len, uint32_t *status, char *err,
			 size_t errlen)
{
	const struct spnego_neg_token_init *init = tok->init;
	struct spnego_neg_token_resp resp = { 0 };
	struct spnego_oid ntlm = spnego_oid_ntlm;
	struct spnego_bytes chal = { 0 };
	NTSTATUS st;
	int idx, r;

	if (tok->type != SPNEGO_NEG_TOKEN_INIT) {
		return sn_fail(s, status, NT_STATUS_INVALID_PARAMETER, err, errlen,
			       "the first token is not a NegTokenInit", NULL);
	}
	idx = ntlm_index(init);
	if (idx < 0) {
		return sn_fail(s, status, NT_STATUS_NOT_SUPPORTED, err, errlen,
			       "the client does not offer NTLM", NULL);
	}
	s->mech_types = talloc_memdup(s, init->mech_types_der.data, init->mech_types_der.len);
	if (s->mech_types == NULL) {
		return sn_fail(s, status, NT_STATUS_NO_MEMORY, err, errlen, "out of memory", NULL);
	}
	s->mech_types_len = init->mech_types_der.len;
	resp.has_neg_state = true;
	resp.neg_state = SPNEGO_ACCEPT_INCOMPLETE;
	resp.supported_mech = &ntlm;
	if (idx != 0) {
		/* A downgrade: the optimistic token (if any) was for another
		 * mechanism; ask for the MIC that proves the list intact. */
		s->mic_required = true;
		resp.neg_state = SPNEGO_REQUEST_MIC;
	} else if (init->mech_token != NULL) {
		r = inner_step(s, init->mech_token, &chal, status, err, errlen);
		if (r < 0) {
			return r;
		}
		if (r != 0 || chal.data == NULL) {
			free(chal.data);
			return sn_fail(s, status, NT_STATUS_INVALID_PARAMETER, err, errlen,
				       "NTLM did not answer the optimistic token with a CHALLENGE",
				       NULL);
		}
		resp.response_token = &chal;
	}
	(void)tmp;
	st = send_resp(&resp, false, NULL, out, out_len);
	free(chal.data);
	if (!NT_STATUS_IS_OK(st)) {
		return sn_fail(s, status, st, err, errlen, "cannot build the NegTokenResp", NULL);
	}
	s->state = SN_A_NTLM;
	return 0;
}

static int acceptor_resp(struct spnego_ntlm *s, const struct spnego_token *tok, uint8_t **out,
			 size_t *out_len, uint32_t *status, char *err, size_t errlen)
{
	const struct spnego_neg_token_resp *in = tok->resp;
	struct spnego_neg_token_resp resp = { 0 };
	struct spnego_bytes next = { 0 };
	uint8_t mic[NTLM_SIGNATURE_LEN];
	struct spnego_bytes micb = { mic, sizeof(mic) };
	bool need_mic;
	NTSTATUS st;
	int r;

	if (tok->type != SPNEGO_NEG_TOKEN_RESP) {
		return sn_fail(s, status, NT_STATUS_INVALID_PARAMETER, err, errlen,
			       "expected a NegTokenResp", NULL);
	}
	if (in->has_neg_state && in->neg_state != SPNEGO_ACCEPT_INCOMPLETE) {
		return sn_fail(s, status, NT_STATUS_INVALID_PARAMETER, err, errlen,
			       "the client's negState is not accept-incomplete",
			       spnego_neg_state_name(in->neg_state));
	}
	if (in->supported_mech != NULL) {
		return sn_fail(s, status, NT_STATUS_INVALID_PARAMETER, err, errlen,
			       "a client NegTokenResp names a supportedMech", NULL);
	}
	if (in->response_token == NULL || in->response_token->len == 0) {
		return sn_fail(s, status, NT_STATUS_INVALID_PARAMETER, err, errlen,
			       "the NegTokenResp carries no NTLM token", NULL);
	}
	r = inner_step(s, in->response_token, &next, status, err, errlen);
	if (r < 0) {
		return r;
	}
	resp.has_neg_state = true;
	if (r == 0) {
		if (in->mech_list_mic != NULL) {
			free(next.data);
			return sn_fail(s, status, NT_STATUS_INVALID_PARAMETER, err, errlen,
				       "a mechListMIC before NTLM completed", NULL);
		}
		resp.neg_state = SPNEGO_ACCEPT_INCOMPLETE;
		resp.response_token = &next;
		st = send_resp(&resp, false, NULL, out, out_len);
		free(next.data);
		if (!NT_STATUS_IS_OK(st)) {
			return sn_fail(s, status, st, err, errlen, "cannot build the NegTokenResp",
				       NULL);
		}
		return 0;
	}
	if (next.data != NULL) {
		/* NTLM's acceptor ends on AUTHENTICATE with nothing to send. */
		free(next.data);
		return sn_fail(s, status, NT_STATUS_INTERNAL_ERROR, err, errlen,
			       "NTLM completed with a token to send", NULL);
	}
	need_mic = s->mic_required || in->mech_list_mic != NULL ||
		   (s->inner.mic_present != NULL && s->inner.mic_present(s->inner.ctx));
	if (in->mech_list_mic != NULL) {
		st = mic_verify(s, in->mech_list_mic);
		if (!NT_STATUS_IS_OK(st)) {
			return sn_fail(s, status, NT_STATUS_ACCESS_DENIED, err, errlen,
				       "the client's mechListMIC does not verify",
				       crypto_status_name(st));
		}
	} else if (need_mic) {
		return sn_fail(s, status, NT_STATUS_ACCESS_DENIED, err, errlen,
			       "the client sent no mechListMIC where one is required",
			       s->mic_required ? "NTLM was not its first mechanism"
					       : "NTLM's AUTHENTICATE carries a MIC");
	}
	resp.neg_state = SPNEGO_ACCEPT_COMPLETED;
	if (need_mic) {
		st = mic_sign(s, mic);
		if (!NT_STATUS_IS_OK(st)) {
			return sn_fail(s, status, st, err, errlen, "cannot sign our mechListMIC",
				       NULL);
		}
		resp.mech_list_mic = &micb;
	}
	st = send_resp(&resp, false, NULL, out, out_len);
	if (NT_STATUS_IS_OK(st)) {
		st = finish(s, need_mic);
		if (!NT_STATUS_IS_OK(st)) {
			free(*out);
			*out = NULL;
			*out_len = 0;
		}
	}
	if (!NT_STATUS_IS_OK(st)) {
		return sn_fail(s, status, st, err, errlen, "cannot complete", NULL);
	}
	return 1;
}

/* ---- initiator ---------------------------------------------------------- */

static int initiator_start(struct spnego_ntlm *s, uint8_t **out, size_t *out_len,
			   uint32_t *status, char *err, size_t errlen)
{
	struct spnego_neg_token_init init = { 0 };
	struct spnego_oid ntlm = spnego_oid_ntlm;
	struct spnego_bytes neg = { 0 };
	const char *reason = NULL;
	NTSTATUS st;
	int r;

	st = spnego_mech_types_der(s, &ntlm, 1, &s->mech_types, &s->mech_types_len, &reason);
	if (!NT_STATUS_IS_OK(st)) {
		return sn_fail(s, status, st, err, errlen, "cannot encode mechTypes", reason);
	}
	r = inner_step(s, NULL, &neg, status, err, errlen);
	if (r < 0) {
		return r;
	}
	if (r != 0 || neg.data == NULL) {
		free(neg.data);
		return sn_fail(s, status, NT_STATUS_INTERNAL_ERROR, err, errlen,
			       "NTLM did not start with a NEGOTIATE", NULL);
	}
	init.num_mech_types = 1;
	init.mech_types = &ntlm;
	init.mech_token = &neg;
	st = send_resp(NULL, true, &init, out, out_len);
	free(neg.data);
	if (!NT_STATUS_IS_OK(st)) {
		return sn_fail(s, status, st, err, errlen, "cannot build the NegTokenInit", NULL);
	}
	s->state = SN_I_NTLM;
	return 0;
}

static int initiator_resp(struct spnego_ntlm *s, const struct spnego_token *tok, uint8_t **out,
			  size_t *out_len, uint32_t *status, char *err, size_t errlen)
{
	const struct spnego_neg_token_resp *in = tok->resp;
	struct spnego_neg_token_resp resp = { 0 };
	struct spnego_bytes auth = { 0 };
	uint8_t mic[NTLM_SIGNATURE_LEN];
	struct spnego_bytes micb = { mic, sizeof(mic) };
	NTSTATUS st;
	int r;

	if (tok->type != SPNEGO_NEG_TOKEN_RESP) {
		return sn_fail(s, status, NT_STATUS_INVALID_PARAMETER, err, errlen,
			       "expected a NegTokenResp from the server", NULL);
	}
	if (in->has_neg_state && in->neg_state == SPNEGO_REJECT) {
		return sn_fail(s, status, NT_STATUS_LOGON_FAILURE, err, errlen,
			       "the server rejected the negotiation", NULL);
	}
	if (s->state == SN_I_NTLM) {
		if (!in->has_neg_state || (in->neg_state != SPNEGO_ACCEPT_INCOMPLETE &&
					   in->neg_state != SPNEGO_REQUEST_MIC)) {
			return sn_fail(s, status, NT_STATUS_INVALID_PARAMETER, err, errlen,
				       "the server's first reply is not accept-incomplete", NULL);
		}
		if (in->supported_mech == NULL ||
		    !spnego_oid_equal(in->supported_mech, &spnego_oid_ntlm)) {
			return sn_fail(s, status, NT_STATUS_NOT_SUPPORTED, err, errlen,
				       "the server did not choose NTLM", NULL);
		}
		if (in->response_token == NULL || in->mech_list_mic != NULL) {
			return sn_fail(s, status, NT_STATUS_INVALID_PARAMETER, err, errlen,
				       "the server's reply has no CHALLENGE, or a MIC too early",
				       NULL);
		}
		r = inner_step(s, in->response_token, &auth, status, err, errlen);
		if (r < 0) {
			return r;
		}
		if (r != 1 || auth.data == NULL) {
			free(auth.data);
			return sn_fail(s, status, NT_STATUS_INTERNAL_ERROR, err, errlen,
				       "NTLM did not answer with an AUTHENTICATE", NULL);
		}
		st = mic_sign(s, mic);
		if (!NT_STATUS_IS_OK(st)) {
			free(auth.data);
			return sn_fail(s, status, st, err, errlen, "cannot sign our mechListMIC",
				       NULL);
		}
		resp.response_token = &auth;
		resp.mech_list_mic = &micb;
		st = send_resp(&resp, false, NULL, out, out_len);
		free(auth.data);
		if (!NT_STATUS_IS_OK(st)) {
			return sn_fail(s, status, st, err, errlen, "cannot build the NegTokenResp",
				       NULL);
		}
		s->state = SN_I_MIC;
		return 0;
	}
	/* SN_I_MIC: accept-completed with the server's MIC (we sent ours:
	 * RFC 4178 section 5 obliges it to answer with one). */
	if (!in->has_neg_state || in->neg_state != SPNEGO_ACCEPT_COMPLETED ||
	    in->response_token != NULL || in->supported_mech != NULL) {
		return sn_fail(s, status, NT_STATUS_INVALID_PARAMETER, err, errlen,
			       "the server's last reply is not a bare accept-completed", NULL);
	}
	if (in->mech_list_mic == NULL) {
		return sn_fail(s, status, NT_STATUS_ACCESS_DENIED, err, errlen,
			       "the server sent no mechListMIC", NULL);
	}
	st = mic_verify(s, in->mech_list_mic);
	if (!NT_STATUS_IS_OK(st)) {
		return sn_fail(s, status, NT_STATUS_ACCESS_DENIED, err, errlen,
			       "the server's mechListMIC does not verify", crypto_status_name(st));
	}
	st = finish(s, true);
	if (!NT_STATUS_IS_OK(st)) {
		return sn_fail(s, status, st, err, errlen, "cannot complete", NULL);
	}
	return 1;
}

/* ---- the mechanism ------------------------------------------------------ */

static int sn_step(void *ctx, const uint8_t *in, size_t in_len, uint8_t **out, size_t *out_len,
		   uint32_t *status, char *err, size_t errlen)
{
	struct spnego_ntlm *s = ctx;
	struct spnego_token *tok = NULL;
	TALLOC_CTX *tmp;
	const char *reason = NULL;
	NTSTATUS st;
	int r;

	*out = NULL;
	*out_len = 0;
	if (s->state == SN_I_START && in == NULL) {
		return initiator_start(s, out, out_len, status, err, errlen);
	}
	if (s->state == SN_DONE) {
		/* Refused, but the completed context stays usable. */
		*status = NT_STATUS_V(NT_STATUS_INVALID_PARAMETER);
		snprintf(err, errlen, "spnego-ntlm: a token after completion");
		return -1;
	}
	if (in == NULL || s->state == SN_FAILED || s->state == SN_I_START) {
		return sn_fail(s, status, NT_STATUS_INVALID_PARAMETER, err, errlen,
			       "unexpected step", NULL);
	}
	tmp = talloc_new(NULL);
	if (tmp == NULL) {
		return sn_fail(s, status, NT_STATUS_NO_MEMORY, err, errlen, "out of memory", NULL);
	}
	st = spnego_token_parse(tmp, in, in_len, &tok, &reason);
	if (!NT_STATUS_IS_OK(st)) {
		r = sn_fail(s, status, NT_STATUS_INVALID_PARAMETER, err, errlen,
			    "malformed SPNEGO token", reason);
	} else if (s->state == SN_A_INIT) {
		r = acceptor_init(s, tmp, tok, out, out_len, status, err, errlen);
	} else if (s->state == SN_A_NTLM) {
		r = acceptor_resp(s, tok, out, out_len, status, err, errlen);
	} else {
		r = initiator_resp(s, tok, out, out_len, status, err, errlen);
	}
	talloc_free(tmp);
	return r;
}

static int sn_wrap(void *ctx, const uint8_t *in, size_t in_len, uint8_t **out, size_t *out_len)
{
	struct spnego_ntlm *s = ctx;

	if (s->state != SN_DONE) {
		return -1;
	}
	return s->inner.ops->wrap(s->inner.ctx, in, in_len, out, out_len);
}

static int sn_unwrap(void *ctx, const uint8_t *in, size_t in_len, uint8_t **out,
		     size_t *out_len)
{
	struct spnego_ntlm *s = ctx;

	if (s->state != SN_DONE) {
		return -1;
	}
	return s->inner.ops->unwrap(s->inner.ctx, in, in_len, out, out_len);
}

static const char *sn_peer_name(void *ctx)
{
	struct spnego_ntlm *s = ctx;

	if (s->state != SN_DONE || s->inner.ops->peer_name == NULL) {
		return NULL;
	}
	return s->inner.ops->peer_name(s->inner.ctx);
}

static void sn_free(void *ctx)
{
	struct spnego_ntlm *s = ctx;

	if (s == NULL) {
		return;
	}
	s->inner.ops->free(s->inner.ctx);
	talloc_free(s);
}

static const struct credssp_mech_ops spnego_ntlm_ops = {
	.name = "NTLM-in-SPNEGO",
	.step = sn_step,
	.wrap = sn_wrap,
	.unwrap = sn_unwrap,
	.peer_name = sn_peer_name,
	.free = sn_free,
};

int credssp_spnego_ntlm_new(bool initiator, const struct spnego_ntlm_inner *inner,
			    const struct credssp_mech_ops **ops, void **ctx, char *err,
			    size_t errlen)
{
	struct spnego_ntlm *s;

	if (inner == NULL || inner->ops == NULL) {
		snprintf(err, errlen, "spnego-ntlm: no NTLM mechanism");
		return -1;
	}
	if (inner->session == NULL) {
		inner->ops->free(inner->ctx);
		snprintf(err, errlen, "spnego-ntlm: the NTLM mechanism exposes no session");
		return -1;
	}
	s = talloc_zero(NULL, struct spnego_ntlm);
	if (s == NULL) {
		inner->ops->free(inner->ctx);
		snprintf(err, errlen, "spnego-ntlm: out of memory");
		return -1;
	}
	s->initiator = initiator;
	s->inner = *inner;
	s->state = initiator ? SN_I_START : SN_A_INIT;
	*ops = &spnego_ntlm_ops;
	*ctx = s;
	return 0;
}

static struct ntlm_session *acceptor_session(void *ctx)
{
	struct ntlm_acceptor *a = credssp_ntlm_mech_acceptor(ctx);
	return a != NULL ? ntlm_acceptor_session(a) : NULL;
}

static bool acceptor_mic_present(void *ctx)
{
	struct ntlm_acceptor *a = credssp_ntlm_mech_acceptor(ctx);
	return a != NULL && ntlm_acceptor_mic_present(a);
}

int credssp_spnego_ntlm_acceptor(const struct credssp_mech_ops *inner_ops, void *inner_ctx,
				 const struct credssp_mech_ops **ops, void **ctx, char *err,
				 size_t errlen)
{
	struct spnego_ntlm_inner in = { inner_ops, inner_ctx, acceptor_session,
					acceptor_mic_present };

	return credssp_spnego_ntlm_new(false, &in, ops, ctx, err, errlen);
}

int credssp_spnego_ntlm_initiator(const struct credssp_mech_ops *inner_ops, void *inner_ctx,
				  const struct credssp_mech_ops **ops, void **ctx, char *err,
				  size_t errlen)
{
	struct spnego_ntlm_inner in = { inner_ops, inner_ctx, credssp_ntlm_client_session, NULL };

	return credssp_spnego_ntlm_new(true, &in, ops, ctx, err, errlen);
}
