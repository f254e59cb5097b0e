/*
 * client.c: the client's side of MS-CSSP 3.1.5.
 *
 *   start   -> negoToken (the mechanism's first token)
 *   token   -> token ... until the mechanism completes; its last token
 *              goes with pubKeyAuth (step 3) and, from version 5, the
 *              32-byte clientNonce
 *   pubKeyAuth (server's, step 5) verified -> authInfo (step 5: "After
 *              the client successfully verifies the server's public key,
 *              it sends its credentials")
 *
 * A server errorCode ends the exchange at once with that status.
 */
#include <fnmatch.h>
#include <string.h>
#include <strings.h>

#include "credssp/engine/engine_internal.h"

/* server_allowed: 3.1.1 "the client MUST NOT send credentials to a
 * server the policy does not name".  Exact names compare without case
 * (DNS); "*.example.com" matches one or more leading labels; "*" any. */
static bool server_allowed(const char *name, const char *const *allowed)
{
	if (name == NULL || name[0] == '\0' || allowed == NULL) {
		return false;
	}
	for (size_t i = 0; allowed[i] != NULL; i++) {
		const char *a = allowed[i];

		if (strcmp(a, "*") == 0 || strcasecmp(a, name) == 0) {
			return true;
		}
		if (strncmp(a, "*.", 2) == 0) {
			size_t nl = strlen(name), sl = strlen(a + 1); /* ".suffix" */

			if (nl > sl && strcasecmp(name + nl - sl, a + 1) == 0) {
				return true;
			}
		}
	}
	return false;
}

NTSTATUS credssp_client_new(TALLOC_CTX *mem_ctx, const struct credssp_client_settings *settings,
			    const struct credssp_mech_ops *ops, void *mech_ctx,
			    const uint8_t *server_public_key, size_t key_len,
			    struct credssp_ctx **out, const char **reason)
{
	struct credssp_ctx *ctx;
	NTSTATUS status;

	if (ops == NULL || mech_ctx == NULL) {
		crypto_set_reason(reason, "no mechanism");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (settings == NULL || settings->creds == NULL) {
		ops->free(mech_ctx);
		crypto_set_reason(reason, "no credentials to delegate");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (!server_allowed(settings->server_name, settings->allowed_servers)) {
		ops->free(mech_ctx);
		crypto_set_reason(reason, "the credential policy does not allow this server "
					  "(MS-CSSP 3.1.1)");
		return NT_STATUS_ACCESS_DENIED;
	}
	ctx = credssp_ctx_new(mem_ctx, CREDSSP_ROLE_CLIENT, settings->version,
			      settings->min_version, server_public_key, key_len, reason);
	if (ctx == NULL) {
		ops->free(mech_ctx);
		return NT_STATUS_INVALID_PARAMETER;
	}
	ctx->ops = ops;
	ctx->mech = mech_ctx;
	ctx->state = CREDSSP_C_START;
	/* Encoded now, so bad credentials fail before anything is sent. */
	status = credssp_credentials_encode(ctx, settings->creds, &ctx->tscreds, reason);
	if (!NT_STATUS_IS_OK(status)) {
		talloc_free(ctx);
		return status;
	}
	/* 3.1.5 step 3: "a 32-byte nonce" from a strong random source. */
	status = crypto_random(ctx->nonce, sizeof(ctx->nonce));
	if (!NT_STATUS_IS_OK(status)) {
		talloc_free(ctx);
		crypto_set_reason(reason, "no randomness");
		return status;
	}
	ctx->have_nonce = true;
	*out = ctx;
	return NT_STATUS_OK;
}

static enum credssp_result client_start(struct credssp_ctx *ctx, uint8_t **out, size_t *out_len)
{
	struct credssp_tsrequest req = { 0 };
	struct credssp_octets *tok = NULL;
	NTSTATUS status;
	int r;

	r = credssp_mech_step(ctx, ctx, NULL, &tok, &status);
	if (r < 0) {
		return CREDSSP_FAILED;
	}
	if (r == 1) {
		/* The binding needs the server's version, which only its
		 * reply tells: a one-leg mechanism cannot be used. */
		return credssp_fail(ctx, NT_STATUS_NOT_SUPPORTED,
				    "%s completed before the server answered", ctx->ops->name);
	}
	req.has_nego_tokens = true;
	req.num_nego_tokens = 1;
	req.nego_tokens = tok;
	if (!NT_STATUS_IS_OK(credssp_send(ctx, &req, out, out_len))) {
		return CREDSSP_FAILED;
	}
	ctx->state = CREDSSP_C_NEGO;
	return CREDSSP_CONTINUE;
}

/* client_pub_key_auth: the mechanism is complete: its last token (if
 * any) with pubKeyAuth and, from version 5, clientNonce (step 3). */
static enum credssp_result client_pub_key_auth(struct credssp_ctx *ctx, struct credssp_octets *tok,
					       uint8_t **out, size_t *out_len)
{
	struct credssp_tsrequest req = { 0 };
	struct credssp_octets nonce = { ctx->nonce, sizeof(ctx->nonce) };
	NTSTATUS status;

	if (tok != NULL) {
		req.has_nego_tokens = true;
		req.num_nego_tokens = 1;
		req.nego_tokens = tok;
	}
	status = credssp_binding_seal(ctx, ctx, CREDSSP_CLIENT_TO_SERVER, &req.pub_key_auth);
	if (!NT_STATUS_IS_OK(status)) {
		return credssp_fail(ctx, status, "cannot seal pubKeyAuth with %s", ctx->ops->name);
	}
	if (ctx->version >= 5) {
		req.client_nonce = &nonce;
	}
	if (!NT_STATUS_IS_OK(credssp_send(ctx, &req, out, out_len))) {
		return CREDSSP_FAILED;
	}
	ctx->state = CREDSSP_C_PUBKEY;
	return CREDSSP_CONTINUE;
}

/* client_credentials: step 5 passed; the credentials, sealed (authInfo). */
static enum credssp_result client_credentials(struct credssp_ctx *ctx, uint8_t **out,
					      size_t *out_len)
{
	struct credssp_tsrequest req = { 0 };
	NTSTATUS status;

	status = credssp_seal(ctx, ctx, ctx->tscreds->data, ctx->tscreds->len, &req.auth_info);
	TALLOC_FREE(ctx->tscreds);
	if (!NT_STATUS_IS_OK(status)) {
		return credssp_fail(ctx, status, "cannot seal the credentials with %s",
				    ctx->ops->name);
	}
	if (!NT_STATUS_IS_OK(credssp_send(ctx, &req, out, out_len))) {
		return CREDSSP_FAILED;
	}
	ctx->state = CREDSSP_ENDED;
	return CREDSSP_DONE;
}

enum credssp_result credssp_client_step(struct credssp_ctx *ctx, const uint8_t *in, size_t in_len,
					uint8_t **out, size_t *out_len)
{
	struct credssp_tsrequest *req = NULL;
	struct credssp_octets *tok = NULL;
	const char *reason = NULL;
	enum credssp_result res;
	NTSTATUS status;
	int r;

	if (ctx->state == CREDSSP_C_START) {
		if (in != NULL || in_len != 0) {
			return credssp_fail(ctx, NT_STATUS_INVALID_PARAMETER,
					    "the client speaks first: no input on the first step");
		}
		return client_start(ctx, out, out_len);
	}
	if (in == NULL) {
		return credssp_fail(ctx, NT_STATUS_INVALID_PARAMETER, "no message from the server");
	}
	status = credssp_tsrequest_parse(ctx, in, in_len, &req, &reason);
	if (!NT_STATUS_IS_OK(status)) {
		return credssp_fail(ctx, status, "malformed TSRequest from the server: %s",
				    reason != NULL ? reason : crypto_status_name(status));
	}
	/* 2.2.1 errorCode: the server tells why it refused; stop at once. */
	if (req->has_error_code && req->error_code != 0) {
		status = NT_STATUS(req->error_code);
		res = credssp_fail(ctx, status, "the server refused the authentication: %s",
				   crypto_status_name(status));
		talloc_free(req);
		return res;
	}
	if (!credssp_map_peer_version(ctx, req->version)) {
		talloc_free(req);
		return CREDSSP_FAILED;
	}
	/* A server's clientNonce is ignored (the binding uses ours): FreeRDP's
	 * server puts one in every TSRequest, first a random one of its own,
	 * then the client's (libfreerdp/core/nla.c: nla_new generates
	 * ClientNonce for both roles, nla_encode_ts_request writes it
	 * whenever it is set). */
	if (req->auth_info != NULL) {
		talloc_free(req);
		return credssp_fail(ctx, NT_STATUS_INVALID_PARAMETER, "the server sent authInfo");
	}
	if (ctx->state == CREDSSP_C_NEGO) {
		if (!req->has_nego_tokens || req->num_nego_tokens != 1 || req->pub_key_auth != NULL) {
			talloc_free(req);
			return credssp_fail(ctx, NT_STATUS_INVALID_PARAMETER,
					    "expected exactly one negoToken and no pubKeyAuth "
					    "from the server");
		}
		r = credssp_mech_step(ctx, req, &req->nego_tokens[0], &tok, &status);
		if (r < 0) {
			talloc_free(req);
			return CREDSSP_FAILED;
		}
		if (r == 0) {
			struct credssp_tsrequest reply = { 0 };

			reply.has_nego_tokens = true;
			reply.num_nego_tokens = 1;
			reply.nego_tokens = tok;
			status = credssp_send(ctx, &reply, out, out_len);
			talloc_free(req);
			return NT_STATUS_IS_OK(status) ? CREDSSP_CONTINUE : CREDSSP_FAILED;
		}
		res = client_pub_key_auth(ctx, tok, out, out_len);
		talloc_free(req);
		return res;
	}
	/* CREDSSP_C_PUBKEY: the server's pubKeyAuth (step 5), nothing else. */
	if (req->pub_key_auth == NULL || req->has_nego_tokens) {
		talloc_free(req);
		return credssp_fail(ctx, NT_STATUS_INVALID_PARAMETER,
				    "expected the server's pubKeyAuth alone");
	}
	if (!credssp_binding_check(ctx, CREDSSP_SERVER_TO_CLIENT, req->pub_key_auth)) {
		talloc_free(req);
		return CREDSSP_FAILED;
	}
	talloc_free(req);
	return client_credentials(ctx, out, out_len);
}
