/*
 * server.c: the server's side of MS-CSSP 3.1.5.
 *
 *   first negoToken -> pick the acceptor from its first bytes, step it
 *   token -> token ... until the acceptor completes
 *   pubKeyAuth (+ clientNonce from version 5) -> checked against OUR TLS
 *              key (step 3: "the server verifies ... the public key ... is
 *              the same public key it used in the TLS handshake"); answer
 *              with ours (step 5)
 *   authInfo  -> unsealed, decoded, held for the caller
 *
 * An authentication failure is told to clients of version 3, 4 and 6 in
 * errorCode (2.2.1: "if the negotiated protocol version is 3, 4, or 6");
 * a malformed message is refused without one.
 */
#include <string.h>

#include "credssp/engine/engine_internal.h"
#include "crypto/spnego/spnego.h"

static const uint8_t ntlmssp_signature[8] = { 'N', 'T', 'L', 'M', 'S', 'S', 'P', 0 };

NTSTATUS credssp_server_new(TALLOC_CTX *mem_ctx, const struct credssp_server_settings *settings,
			    const uint8_t *own_public_key, size_t key_len,
			    struct credssp_ctx **out, const char **reason)
{
	struct credssp_ctx *ctx;

	if (settings == NULL || settings->start_mech == NULL) {
		crypto_set_reason(reason, "no acceptor");
		return NT_STATUS_INVALID_PARAMETER;
	}
	ctx = credssp_ctx_new(mem_ctx, CREDSSP_ROLE_SERVER, settings->version,
			      settings->min_version, own_public_key, key_len, reason);
	if (ctx == NULL) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	ctx->state = CREDSSP_S_FIRST;
	ctx->start_mech = settings->start_mech;
	ctx->start_arg = settings->start_arg;
	ctx->nonces = settings->nonces;
	*out = ctx;
	return NT_STATUS_OK;
}

/* server_refuse: end with |status|; tell the client in errorCode when its
 * version is one that reads it (3, 4 or 6). */
static enum credssp_result server_refuse(struct credssp_ctx *ctx, uint8_t **out, size_t *out_len)
{
	uint32_t v = ctx->peer_version > CREDSSP_VERSION_OURS ? CREDSSP_VERSION_OURS
							     : ctx->peer_version;
	struct credssp_tsrequest req = { 0 };
	uint8_t *buf = NULL;
	size_t len = 0;
	NTSTATUS keep = ctx->status;
	char why[sizeof(ctx->error)];

	if (v == 3 || v == 4 || v == 6) {
		req.has_error_code = true;
		req.error_code = NT_STATUS_V(ctx->status);
		req.version = ctx->our_version;
		memcpy(why, ctx->error, sizeof(why));
		if (NT_STATUS_IS_OK(credssp_tsrequest_build(ctx, &req, &buf, &len, NULL))) {
			*out = buf;
			*out_len = len;
		}
		ctx->status = keep;
		memcpy(ctx->error, why, sizeof(why));
	}
	ctx->state = CREDSSP_ENDED;
	return CREDSSP_FAILED;
}

/* select_mech: which acceptor the first token asks for.  NTLM comes raw
 * from mstsc and FreeRDP (libfreerdp/core/nla.c sends the NTLMSSP
 * NEGOTIATE_MESSAGE itself); anything else must be a GSSAPI
 * initial-context token ([APPLICATION 0], RFC 2743 3.1).  An SPNEGO
 * NegTokenInit whose first mechanism is NTLM (Windows' Negotiate package
 * when it picks NTLM) goes to the NTLM acceptor inside our SPNEGO layer;
 * any other SPNEGO or Kerberos token to the GSSAPI acceptor (Heimdal's
 * SPNEGO keeps Kerberos).  |*fallback| is set for any SPNEGO token that
 * offers NTLM: when the chosen acceptor cannot be started, the other one
 * is tried (no GSSAPI acceptor: the NTLM one answers with supportedMech
 * NTLM, RFC 4178 4.2.2; no NTLM backend: Heimdal's SPNEGO may still pick
 * another mechanism of the list). */
static bool select_mech(struct credssp_ctx *ctx, const struct credssp_octets *tok,
			enum credssp_mech_kind *kind, bool *fallback)
{
	struct spnego_token *sp = NULL;
	size_t i;

	*fallback = false;
	if (tok->len >= sizeof(ntlmssp_signature) &&
	    memcmp(tok->data, ntlmssp_signature, sizeof(ntlmssp_signature)) == 0) {
		*kind = CREDSSP_MECH_NTLM_RAW;
		return true;
	}
	if (tok->len < 2 || tok->data[0] != SPNEGO_GSS_FRAMING_TAG) {
		return false;
	}
	*kind = CREDSSP_MECH_GSSAPI;
	if (NT_STATUS_IS_OK(spnego_token_parse(ctx, tok->data, tok->len, &sp, NULL)) &&
	    sp->type == SPNEGO_NEG_TOKEN_INIT) {
		for (i = 0; i < sp->init->num_mech_types; i++) {
			if (!spnego_oid_equal(&sp->init->mech_types[i], &spnego_oid_ntlm)) {
				continue;
			}
			if (i == 0) {
				*kind = CREDSSP_MECH_NTLM_SPNEGO;
			}
			*fallback = true;
			break;
		}
	}
	talloc_free(sp);
	return true;
}

/* server_verify_and_answer: step 3 check, step 5 answer. */
static enum credssp_result server_verify_and_answer(struct credssp_ctx *ctx,
						    struct credssp_tsrequest *req,
						    struct credssp_octets *tok, uint8_t **out,
						    size_t *out_len)
{
	struct credssp_tsrequest reply = { 0 };
	NTSTATUS status;

	if (ctx->version >= 5) {
		if (!ctx->have_nonce) {
			credssp_fail(ctx, NT_STATUS_INVALID_PARAMETER,
				     "version %u pubKeyAuth without a clientNonce",
				     (unsigned)ctx->version);
			return server_refuse(ctx, out, out_len);
		}
		if (ctx->nonces != NULL && !credssp_nonce_cache_add(ctx->nonces, ctx->nonce)) {
			credssp_fail(ctx, NT_STATUS_ACCESS_DENIED,
				     "the clientNonce was already used by another exchange (replay)");
			return server_refuse(ctx, out, out_len);
		}
	}
	if (!credssp_binding_check(ctx, CREDSSP_CLIENT_TO_SERVER, req->pub_key_auth)) {
		return server_refuse(ctx, out, out_len);
	}
	status = credssp_binding_seal(ctx, ctx, CREDSSP_SERVER_TO_CLIENT, &reply.pub_key_auth);
	if (!NT_STATUS_IS_OK(status)) {
		credssp_fail(ctx, status, "cannot seal our pubKeyAuth with %s", ctx->ops->name);
		return server_refuse(ctx, out, out_len);
	}
	if (tok != NULL) {
		reply.has_nego_tokens = true;
		reply.num_nego_tokens = 1;
		reply.nego_tokens = tok;
	}
	if (!NT_STATUS_IS_OK(credssp_send(ctx, &reply, out, out_len))) {
		return CREDSSP_FAILED;
	}
	ctx->state = CREDSSP_S_CREDS;
	return CREDSSP_CONTINUE;
}

static enum credssp_result server_nego(struct credssp_ctx *ctx, struct credssp_tsrequest *req,
				       uint8_t **out, size_t *out_len)
{
	struct credssp_octets *tok = NULL;
	NTSTATUS status;
	int r;

	if (!req->has_nego_tokens || req->num_nego_tokens != 1) {
		return credssp_fail(ctx, NT_STATUS_INVALID_PARAMETER,
				    "expected exactly one negoToken from the client");
	}
	if (ctx->state == CREDSSP_S_FIRST) {
		enum credssp_mech_kind kind;
		bool fallback = false;
		char err[200] = "";
		int rc;

		if (!select_mech(ctx, &req->nego_tokens[0], &kind, &fallback)) {
			return credssp_fail(ctx, NT_STATUS_INVALID_PARAMETER,
					    "the first negoToken is neither NTLMSSP nor a GSSAPI token");
		}
		rc = ctx->start_mech(ctx->start_arg, kind, &ctx->ops, &ctx->mech, err, sizeof(err));
		if (rc != 0 && fallback) {
			kind = kind == CREDSSP_MECH_NTLM_SPNEGO ? CREDSSP_MECH_GSSAPI
								: CREDSSP_MECH_NTLM_SPNEGO;
			ctx->ops = NULL;
			ctx->mech = NULL;
			err[0] = '\0';
			rc = ctx->start_mech(ctx->start_arg, kind, &ctx->ops, &ctx->mech, err,
					     sizeof(err));
		}
		if (rc != 0 || ctx->ops == NULL || ctx->mech == NULL) {
			ctx->ops = NULL;
			ctx->mech = NULL;
			credssp_fail(ctx, NT_STATUS_NOT_SUPPORTED, "no %s acceptor: %s",
				     credssp_mech_kind_name(kind), err[0] ? err : "not configured");
			return server_refuse(ctx, out, out_len);
		}
		ctx->state = CREDSSP_S_NEGO;
	}
	r = credssp_mech_step(ctx, req, &req->nego_tokens[0], &tok, &status);
	if (r < 0) {
		return server_refuse(ctx, out, out_len);
	}
	if (r == 0) {
		struct credssp_tsrequest reply = { 0 };

		if (req->pub_key_auth != NULL) {
			return credssp_fail(ctx, NT_STATUS_INVALID_PARAMETER,
					    "pubKeyAuth before the authentication completed");
		}
		reply.has_nego_tokens = true;
		reply.num_nego_tokens = 1;
		reply.nego_tokens = tok;
		status = credssp_send(ctx, &reply, out, out_len);
		return NT_STATUS_IS_OK(status) ? CREDSSP_CONTINUE : CREDSSP_FAILED;
	}
	if (req->pub_key_auth != NULL) {
		return server_verify_and_answer(ctx, req, tok, out, out_len);
	}
	if (tok == NULL) {
		return credssp_fail(ctx, NT_STATUS_INVALID_PARAMETER,
				    "%s completed with nothing to send and no pubKeyAuth",
				    ctx->ops->name);
	}
	{
		struct credssp_tsrequest reply = { 0 };

		reply.has_nego_tokens = true;
		reply.num_nego_tokens = 1;
		reply.nego_tokens = tok;
		status = credssp_send(ctx, &reply, out, out_len);
	}
	if (!NT_STATUS_IS_OK(status)) {
		return CREDSSP_FAILED;
	}
	ctx->state = CREDSSP_S_PUBKEY;
	return CREDSSP_CONTINUE;
}

static enum credssp_result server_credentials(struct credssp_ctx *ctx,
					      struct credssp_tsrequest *req)
{
	struct crypto_secret *plain = NULL;
	const char *reason = NULL;
	NTSTATUS status;

	status = credssp_unseal(ctx, req, req->auth_info->data, req->auth_info->len, &plain);
	if (!NT_STATUS_IS_OK(status)) {
		return credssp_fail(ctx, status, "authInfo does not unseal with %s",
				    ctx->ops->name);
	}
	status = credssp_credentials_decode(ctx, plain->data, plain->len, &ctx->received, &reason);
	talloc_free(plain);
	if (!NT_STATUS_IS_OK(status)) {
		return credssp_fail(ctx, status, "malformed TSCredentials: %s",
				    reason != NULL ? reason : crypto_status_name(status));
	}
	ctx->state = CREDSSP_ENDED;
	return CREDSSP_DONE;
}

/* server_nonce: 2.2.1 clientNonce is "a 32-byte array"; once sent it may
 * not change (a changed nonce would let a replayed hash through). */
static bool server_nonce(struct credssp_ctx *ctx, const struct credssp_octets *n)
{
	if (n == NULL) {
		return true;
	}
	if (n->len != CREDSSP_CLIENT_NONCE_LEN) {
		credssp_fail(ctx, NT_STATUS_INVALID_PARAMETER,
			     "clientNonce is %zu bytes, not 32", n->len);
		return false;
	}
	if (ctx->have_nonce) {
		if (!crypto_memequal(ctx->nonce, n->data, CREDSSP_CLIENT_NONCE_LEN)) {
			credssp_fail(ctx, NT_STATUS_INVALID_PARAMETER,
				     "clientNonce changed during the exchange");
			return false;
		}
		return true;
	}
	memcpy(ctx->nonce, n->data, CREDSSP_CLIENT_NONCE_LEN);
	ctx->have_nonce = true;
	return true;
}

enum credssp_result credssp_server_step(struct credssp_ctx *ctx, const uint8_t *in, size_t in_len,
					uint8_t **out, size_t *out_len)
{
	struct credssp_tsrequest *req = NULL;
	const char *reason = NULL;
	enum credssp_result res;
	NTSTATUS status;

	if (in == NULL) {
		return credssp_fail(ctx, NT_STATUS_INVALID_PARAMETER, "no message from the client");
	}
	status = credssp_tsrequest_parse(ctx, in, in_len, &req, &reason);
	if (!NT_STATUS_IS_OK(status)) {
		return credssp_fail(ctx, status, "malformed TSRequest from the client: %s",
				    reason != NULL ? reason : crypto_status_name(status));
	}
	if (!credssp_map_peer_version(ctx, req->version)) {
		/* A downgrade: the client still learns why if it reads errorCode. */
		res = server_refuse(ctx, out, out_len);
		talloc_free(req);
		return res;
	}
	if (req->has_error_code && req->error_code != 0) {
		status = NT_STATUS(req->error_code);
		res = credssp_fail(ctx, status, "the client reported %s", crypto_status_name(status));
		talloc_free(req);
		return res;
	}
	if (!server_nonce(ctx, req->client_nonce)) {
		talloc_free(req);
		return CREDSSP_FAILED;
	}
	switch (ctx->state) {
	case CREDSSP_S_FIRST:
	case CREDSSP_S_NEGO:
		if (req->auth_info != NULL) {
			res = credssp_fail(ctx, NT_STATUS_INVALID_PARAMETER,
					   "authInfo before the server was verified");
			break;
		}
		res = server_nego(ctx, req, out, out_len);
		break;
	case CREDSSP_S_PUBKEY:
		if (req->pub_key_auth == NULL || req->has_nego_tokens || req->auth_info != NULL) {
			res = credssp_fail(ctx, NT_STATUS_INVALID_PARAMETER,
					   "expected the client's pubKeyAuth alone");
			break;
		}
		res = server_verify_and_answer(ctx, req, NULL, out, out_len);
		break;
	case CREDSSP_S_CREDS:
		if (req->auth_info == NULL || req->has_nego_tokens || req->pub_key_auth != NULL) {
			res = credssp_fail(ctx, NT_STATUS_INVALID_PARAMETER,
					   "expected the client's authInfo alone");
			break;
		}
		res = server_credentials(ctx, req);
		break;
	default:
		res = credssp_fail(ctx, NT_STATUS_INTERNAL_ERROR, "bad server state");
		break;
	}
	/* |out| may point at a child of ctx, never of req. */
	talloc_free(req);
	return res;
}
