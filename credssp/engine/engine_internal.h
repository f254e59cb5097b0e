/*
 * engine_internal.h: the state both roles of the CredSSP engine share,
 * private to credssp/engine/ (credssp.h is the public side).
 */
#ifndef CREDSSP_ENGINE_INTERNAL_H
#define CREDSSP_ENGINE_INTERNAL_H

#include <stdarg.h>

#include "credssp/credssp.h"

enum credssp_role { CREDSSP_ROLE_CLIENT, CREDSSP_ROLE_SERVER };

enum credssp_state {
	/* client */
	CREDSSP_C_START,        /* nothing sent yet */
	CREDSSP_C_NEGO,         /* mechanism running, waiting for a token */
	CREDSSP_C_PUBKEY,       /* pubKeyAuth sent, waiting for the server's */
	/* server */
	CREDSSP_S_FIRST,        /* waiting for the first negoToken */
	CREDSSP_S_NEGO,         /* mechanism running */
	CREDSSP_S_PUBKEY,       /* mechanism complete, waiting for pubKeyAuth */
	CREDSSP_S_CREDS,        /* pubKeyAuth answered, waiting for authInfo */
	/* both */
	CREDSSP_ENDED,          /* DONE or FAILED returned: nothing more */
};

struct credssp_ctx {
	enum credssp_role role;
	enum credssp_state state;
	uint32_t our_version;
	uint32_t min_version;
	uint32_t peer_version;      /* as sent (0 until known) */
	uint32_t version;           /* min(ours, peer's mapped to <= 6) */

	const struct credssp_mech_ops *ops;
	void *mech;                 /* freed by the destructor */
	bool mech_complete;

	uint8_t *key;               /* the bound subjectPublicKey */
	size_t key_len;
	uint8_t nonce[CREDSSP_CLIENT_NONCE_LEN];
	bool have_nonce;

	/* client: the TSCredentials to seal once the server is verified */
	struct crypto_secret *tscreds;
	/* server */
	credssp_mech_start_fn start_mech;
	void *start_arg;
	struct credssp_nonce_cache *nonces;
	struct credssp_credentials *received;

	NTSTATUS status;
	char error[256];
};

/* Internal helpers of engine.c. */

/* credssp_ctx_new: what credssp_client_new and credssp_server_new share
 * (defaults, version checks, the key); NULL with |reason| set. */
struct credssp_ctx *credssp_ctx_new(TALLOC_CTX *mem_ctx, enum credssp_role role,
				    uint32_t version, uint32_t min_version, const uint8_t *key,
				    size_t key_len, const char **reason);

/* credssp_fail records the status and the reason (printf-style) and
 * ends the exchange; returns CREDSSP_FAILED. */
enum credssp_result credssp_fail(struct credssp_ctx *ctx, NTSTATUS status, const char *fmt,
				 ...) __attribute__((format(printf, 3, 4)));
/* credssp_map_peer_version: 2.2.1 "treat a higher version as ours";
 * records the peer's version, picks the one the binding uses and applies
 * the minimum-version policy.  A peer whose version changes in the middle
 * of an exchange is refused.  False (ctx failed) on refusal. */
bool credssp_map_peer_version(struct credssp_ctx *ctx, uint32_t peer);
/* credssp_send builds |req| (with our version) into *out. */
NTSTATUS credssp_send(struct credssp_ctx *ctx, struct credssp_tsrequest *req, uint8_t **out,
		      size_t *out_len);
/* credssp_mech_step runs one step of the mechanism; its output becomes a
 * talloc child of |mem_ctx| (NULL when empty).  Returns the mech's
 * result; on <0, *status and ctx->error are set. */
int credssp_mech_step(struct credssp_ctx *ctx, TALLOC_CTX *mem_ctx, const struct credssp_octets *in,
		      struct credssp_octets **out, NTSTATUS *status);
/* credssp_seal / credssp_unseal: the mechanism's wrap and unwrap, with
 * the output as a wiped secret. */
NTSTATUS credssp_seal(struct credssp_ctx *ctx, TALLOC_CTX *mem_ctx, const uint8_t *in,
		      size_t in_len, struct credssp_octets **out);
NTSTATUS credssp_unseal(struct credssp_ctx *ctx, TALLOC_CTX *mem_ctx, const uint8_t *in,
			size_t in_len, struct crypto_secret **out);
/* credssp_binding_check: unseal |sealed| and compare it, in constant
 * time, with the binding value for |dir|.  False (ctx failed with
 * NT_STATUS_ACCESS_DENIED... or the unseal error) when it does not match. */
bool credssp_binding_check(struct credssp_ctx *ctx, enum credssp_binding_dir dir,
			   const struct credssp_octets *sealed);
/* credssp_binding_seal: the sealed binding value for |dir|. */
NTSTATUS credssp_binding_seal(struct credssp_ctx *ctx, TALLOC_CTX *mem_ctx,
			      enum credssp_binding_dir dir, struct credssp_octets **out);
/* credssp_nonce_cache_add: false when |nonce| was seen before. */
bool credssp_nonce_cache_add(struct credssp_nonce_cache *cache, const uint8_t *nonce);

enum credssp_result credssp_client_step(struct credssp_ctx *ctx, const uint8_t *in, size_t in_len,
					uint8_t **out, size_t *out_len);
enum credssp_result credssp_server_step(struct credssp_ctx *ctx, const uint8_t *in, size_t in_len,
					uint8_t **out, size_t *out_len);

#endif
