/*
 * engine.c: what both roles of the CredSSP engine share: the context and
 * its destructor, failures, the version rules of 2.2.1, building our
 * TSRequests, and the calls into the mechanism (credssp/mech.h).
 * The client's and the server's state machines are client.c and
 * server.c; the public-key binding is binding.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credssp/engine/engine_internal.h"

const char *credssp_mech_kind_name(enum credssp_mech_kind kind)
{
	switch (kind) {
	case CREDSSP_MECH_NTLM_RAW:
		return "NTLM";
	case CREDSSP_MECH_GSSAPI:
		return "GSSAPI";
	case CREDSSP_MECH_NTLM_SPNEGO:
		return "NTLM-in-SPNEGO";
	}
	return "unknown";
}

enum credssp_result credssp_fail(struct credssp_ctx *ctx, NTSTATUS status, const char *fmt, ...)
{
	va_list ap;

	/* Only the first failure is kept: it is the cause. */
	if (ctx->state != CREDSSP_ENDED || NT_STATUS_IS_OK(ctx->status)) {
		ctx->status = NT_STATUS_IS_OK(status) ? NT_STATUS_INTERNAL_ERROR : status;
		va_start(ap, fmt);
		vsnprintf(ctx->error, sizeof(ctx->error), fmt, ap);
		va_end(ap);
	}
	ctx->state = CREDSSP_ENDED;
	return CREDSSP_FAILED;
}

bool credssp_map_peer_version(struct credssp_ctx *ctx, uint32_t peer)
{
	/* 2.2.1: a peer may announce a version we do not know; "treat the
	 * peer as one that is compatible" and use ours.  The peer's version
	 * is remembered and never sent back in place of ours. */
	uint32_t mapped = peer > CREDSSP_VERSION_OURS ? CREDSSP_VERSION_OURS : peer;

	if (ctx->peer_version != 0 && ctx->peer_version != peer) {
		credssp_fail(ctx, NT_STATUS_INVALID_PARAMETER,
			     "peer changed its CredSSP version from %u to %u mid-exchange",
			     (unsigned)ctx->peer_version, (unsigned)peer);
		return false;
	}
	ctx->peer_version = peer;
	/* 5.1 (CVE-2018-0886): versions below 5 bind the key without the
	 * nonce; the policy refuses them unless the caller lowered it. */
	if (mapped < ctx->min_version) {
		credssp_fail(ctx, NT_STATUS_NOT_SUPPORTED,
			     "peer speaks CredSSP version %u, below the minimum %u (downgrade refused)",
			     (unsigned)peer, (unsigned)ctx->min_version);
		return false;
	}
	ctx->version = mapped < ctx->our_version ? mapped : ctx->our_version;
	return true;
}

NTSTATUS credssp_send(struct credssp_ctx *ctx, struct credssp_tsrequest *req, uint8_t **out,
		      size_t *out_len)
{
	const char *reason = NULL;
	NTSTATUS status;

	req->version = ctx->our_version;
	status = credssp_tsrequest_build(ctx, req, out, out_len, &reason);
	if (!NT_STATUS_IS_OK(status)) {
		credssp_fail(ctx, status, "cannot build our TSRequest: %s",
			     reason != NULL ? reason : crypto_status_name(status));
	}
	return status;
}

/* take_malloced: a mechanism's malloc'd output as talloc octets, the
 * original wiped (it may be a secret) and freed. */
static NTSTATUS take_malloced(TALLOC_CTX *mem_ctx, uint8_t *buf, size_t len,
			      struct credssp_octets **out)
{
	struct credssp_octets *o = NULL;

	if (buf != NULL && len > 0) {
		o = talloc_zero(mem_ctx, struct credssp_octets);
		if (o == NULL || (o->data = talloc_memdup(o, buf, len)) == NULL) {
			talloc_free(o);
			crypto_wipe(buf, len);
			free(buf);
			return NT_STATUS_NO_MEMORY;
		}
		o->len = len;
	}
	if (buf != NULL) {
		crypto_wipe(buf, len);
		free(buf);
	}
	*out = o;
	return NT_STATUS_OK;
}

int credssp_mech_step(struct credssp_ctx *ctx, TALLOC_CTX *mem_ctx, const struct credssp_octets *in,
		      struct credssp_octets **out, NTSTATUS *status)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	uint32_t st = 0;
	char err[200] = "";
	int r;

	r = ctx->ops->step(ctx->mech, in != NULL ? in->data : NULL, in != NULL ? in->len : 0, &buf,
			   &len, &st, err, sizeof(err));
	if (r < 0) {
		if (buf != NULL) {
			crypto_wipe(buf, len);
			free(buf);
		}
		*status = st != 0 ? NT_STATUS(st) : NT_STATUS_LOGON_FAILURE;
		credssp_fail(ctx, *status, "%s: %s", ctx->ops->name,
			     err[0] != '\0' ? err : "authentication failed");
		return r;
	}
	if (!NT_STATUS_IS_OK(*status = take_malloced(mem_ctx, buf, len, out))) {
		credssp_fail(ctx, *status, "out of memory");
		return -1;
	}
	if (r == 0 && *out == NULL) {
		*status = NT_STATUS_INTERNAL_ERROR;
		credssp_fail(ctx, *status, "%s: continues but gave no token", ctx->ops->name);
		return -1;
	}
	if (r == 1) {
		ctx->mech_complete = true;
	}
	return r > 1 ? 1 : r;
}

NTSTATUS credssp_seal(struct credssp_ctx *ctx, TALLOC_CTX *mem_ctx, const uint8_t *in,
		      size_t in_len, struct credssp_octets **out)
{
	uint8_t *buf = NULL;
	size_t len = 0;

	if (!ctx->mech_complete || ctx->ops->wrap(ctx->mech, in, in_len, &buf, &len) != 0 ||
	    buf == NULL || len == 0) {
		free(buf);
		return NT_STATUS_INTERNAL_ERROR;
	}
	return take_malloced(mem_ctx, buf, len, out);
}

NTSTATUS credssp_unseal(struct credssp_ctx *ctx, TALLOC_CTX *mem_ctx, const uint8_t *in,
			size_t in_len, struct crypto_secret **out)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	struct crypto_secret *s;

	if (!ctx->mech_complete || ctx->ops->unwrap(ctx->mech, in, in_len, &buf, &len) != 0) {
		if (buf != NULL) {
			crypto_wipe(buf, len);
			free(buf);
		}
		return NT_STATUS_ACCESS_DENIED;
	}
	s = crypto_secret_dup(mem_ctx, buf, len);
	if (buf != NULL) {
		crypto_wipe(buf, len);
		free(buf);
	}
	if (s == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	*out = s;
	return NT_STATUS_OK;
}

/* ---- the context ------------------------------------------------------- */

static int ctx_destructor(struct credssp_ctx *ctx)
{
	if (ctx->ops != NULL && ctx->mech != NULL) {
		ctx->ops->free(ctx->mech);
	}
	ctx->mech = NULL;
	crypto_wipe(ctx->nonce, sizeof(ctx->nonce));
	return 0;
}

struct credssp_ctx *credssp_ctx_new(TALLOC_CTX *mem_ctx, enum credssp_role role,
				    uint32_t version, uint32_t min_version, const uint8_t *key,
				    size_t key_len, const char **reason)
{
	struct credssp_ctx *ctx;

	version = version == 0 ? CREDSSP_VERSION_OURS : version;
	min_version = min_version == 0 ? CREDSSP_VERSION_DEFAULT_MIN : min_version;
	if (version < 2 || version > CREDSSP_VERSION_OURS) {
		crypto_set_reason(reason, "CredSSP version must be 2 to 6");
		return NULL;
	}
	if (min_version < 2 || min_version > version) {
		crypto_set_reason(reason, "minimum CredSSP version must be 2 to our own version");
		return NULL;
	}
	if (key == NULL || key_len == 0 || key_len > CREDSSP_PUB_KEY_AUTH_MAX_LEN) {
		crypto_set_reason(reason, "no TLS public key to bind");
		return NULL;
	}
	ctx = talloc_zero(mem_ctx, struct credssp_ctx);
	if (ctx == NULL || (ctx->key = talloc_memdup(ctx, key, key_len)) == NULL) {
		talloc_free(ctx);
		crypto_set_reason(reason, "out of memory");
		return NULL;
	}
	talloc_set_destructor(ctx, ctx_destructor);
	ctx->role = role;
	ctx->key_len = key_len;
	ctx->our_version = version;
	ctx->min_version = min_version;
	ctx->status = NT_STATUS_OK;
	return ctx;
}

enum credssp_result credssp_step(struct credssp_ctx *ctx, const uint8_t *in, size_t in_len,
				 uint8_t **out, size_t *out_len)
{
	*out = NULL;
	*out_len = 0;
	if (ctx->state == CREDSSP_ENDED) {
		if (NT_STATUS_IS_OK(ctx->status)) {
			ctx->status = NT_STATUS_INVALID_DEVICE_STATE;
			snprintf(ctx->error, sizeof(ctx->error), "the exchange is over");
		}
		return CREDSSP_FAILED;
	}
	return ctx->role == CREDSSP_ROLE_CLIENT ? credssp_client_step(ctx, in, in_len, out, out_len)
						: credssp_server_step(ctx, in, in_len, out, out_len);
}

NTSTATUS credssp_status(const struct credssp_ctx *ctx)
{
	return ctx->status;
}

const char *credssp_error(const struct credssp_ctx *ctx)
{
	return ctx->error;
}

uint32_t credssp_peer_version(const struct credssp_ctx *ctx)
{
	return ctx->peer_version;
}

uint32_t credssp_negotiated_version(const struct credssp_ctx *ctx)
{
	return ctx->version;
}

const char *credssp_mech_name(const struct credssp_ctx *ctx)
{
	return ctx->ops != NULL ? ctx->ops->name : NULL;
}

const char *credssp_peer_name(const struct credssp_ctx *ctx)
{
	if (ctx->ops == NULL || ctx->mech == NULL || !ctx->mech_complete ||
	    ctx->ops->peer_name == NULL) {
		return NULL;
	}
	return ctx->ops->peer_name(ctx->mech);
}

struct credssp_credentials *credssp_server_credentials(struct credssp_ctx *ctx)
{
	return ctx->role == CREDSSP_ROLE_SERVER ? ctx->received : NULL;
}
