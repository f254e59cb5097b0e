/*
 * binding.c: the public-key binding of MS-CSSP 3.1.5 steps 3 and 5, and
 * the server's memory of client nonces.
 *
 * Checked against tests/vectors/credssp/binding_hash_kat.txt (pyspnego's
 * test_pub_key_auth): the magic strings are hashed WITH their
 * terminating NUL (38 bytes), as the specification's
 * "CredSSP Client-To-Server Binding Hash\0" says and pyspnego, FreeRDP
 * (nla.c, ClientServerHashMagic, sizeof() of the literal) and Windows do.
 */
#include <string.h>

#include "credssp/engine/engine_internal.h"

static const char magic_c2s[] = "CredSSP Client-To-Server Binding Hash";
static const char magic_s2c[] = "CredSSP Server-To-Client Binding Hash";

NTSTATUS credssp_binding_value(TALLOC_CTX *mem_ctx, uint32_t version,
			       enum credssp_binding_dir dir, const uint8_t *nonce,
			       size_t nonce_len, const uint8_t *key, size_t key_len,
			       uint8_t **out, size_t *out_len)
{
	const char *magic = dir == CREDSSP_CLIENT_TO_SERVER ? magic_c2s : magic_s2c;
	size_t mlen = sizeof(magic_c2s); /* with the NUL */
	uint8_t *buf, *value;
	NTSTATUS status;

	if (key == NULL || key_len == 0 || key_len > CREDSSP_PUB_KEY_AUTH_MAX_LEN ||
	    version < 2) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (version < 5) {
		/* 3.1.5 step 3 (versions 2-4): the key itself; step 5: the
		 * server "MUST add 1 to the first byte" (wrapping). */
		value = talloc_memdup(mem_ctx, key, key_len);
		if (value == NULL) {
			return NT_STATUS_NO_MEMORY;
		}
		if (dir == CREDSSP_SERVER_TO_CLIENT) {
			value[0] = (uint8_t)(value[0] + 1);
		}
		*out = value;
		*out_len = key_len;
		return NT_STATUS_OK;
	}
	/* The engine passes the 32-byte clientNonce (2.2.1); any length is
	 * hashed here so the known answers with a toy nonce can be checked. */
	if (nonce == NULL || nonce_len == 0 || nonce_len > CREDSSP_CLIENT_NONCE_MAX_LEN) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	buf = talloc_array(mem_ctx, uint8_t, mlen + nonce_len + key_len);
	value = talloc_array(mem_ctx, uint8_t, CREDSSP_BINDING_HASH_LEN);
	if (buf == NULL || value == NULL) {
		talloc_free(buf);
		talloc_free(value);
		return NT_STATUS_NO_MEMORY;
	}
	memcpy(buf, magic, mlen);
	memcpy(buf + mlen, nonce, nonce_len);
	memcpy(buf + mlen + nonce_len, key, key_len);
	status = crypto_sha256(buf, mlen + nonce_len + key_len, value);
	talloc_free(buf);
	if (!NT_STATUS_IS_OK(status)) {
		talloc_free(value);
		return status;
	}
	*out = value;
	*out_len = CREDSSP_BINDING_HASH_LEN;
	return NT_STATUS_OK;
}

NTSTATUS credssp_binding_seal(struct credssp_ctx *ctx, TALLOC_CTX *mem_ctx,
			      enum credssp_binding_dir dir, struct credssp_octets **out)
{
	uint8_t *value = NULL;
	size_t len = 0;
	NTSTATUS status;

	status = credssp_binding_value(mem_ctx, ctx->version, dir, ctx->nonce,
				       ctx->have_nonce ? sizeof(ctx->nonce) : 0, ctx->key,
				       ctx->key_len, &value, &len);
	if (NT_STATUS_IS_OK(status)) {
		status = credssp_seal(ctx, mem_ctx, value, len, out);
	}
	talloc_free(value);
	return status;
}

bool credssp_binding_check(struct credssp_ctx *ctx, enum credssp_binding_dir dir,
			   const struct credssp_octets *sealed)
{
	TALLOC_CTX *tmp = talloc_new(ctx);
	struct crypto_secret *got = NULL;
	uint8_t *want = NULL;
	size_t want_len = 0;
	NTSTATUS status;
	bool ok;

	if (tmp == NULL) {
		credssp_fail(ctx, NT_STATUS_NO_MEMORY, "out of memory");
		return false;
	}
	status = credssp_unseal(ctx, tmp, sealed->data, sealed->len, &got);
	if (!NT_STATUS_IS_OK(status)) {
		talloc_free(tmp);
		credssp_fail(ctx, status, "the peer's pubKeyAuth does not unseal (%s)",
			     crypto_status_name(status));
		return false;
	}
	status = credssp_binding_value(tmp, ctx->version, dir, ctx->nonce,
				       ctx->have_nonce ? sizeof(ctx->nonce) : 0, ctx->key,
				       ctx->key_len, &want, &want_len);
	if (!NT_STATUS_IS_OK(status)) {
		talloc_free(tmp);
		credssp_fail(ctx, status, "cannot compute the binding value (%s)",
			     crypto_status_name(status));
		return false;
	}
	/* Lengths are public (the key's, or SHA-256's); the bytes are
	 * compared in constant time. */
	ok = got->len == want_len && crypto_memequal(got->data, want, want_len);
	talloc_free(tmp);
	if (!ok) {
		/* 3.1.5 step 3/5: a key other than the one of our TLS session
		 * means someone else terminated TLS (a man in the middle). */
		credssp_fail(ctx, NT_STATUS_ACCESS_DENIED,
			     "the peer's pubKeyAuth does not bind the TLS key of this session "
			     "(version %u): man in the middle, or tampered",
			     (unsigned)ctx->version);
	}
	return ok;
}

/* ---- the nonce cache ----------------------------------------------------- */

struct credssp_nonce_cache {
	size_t capacity, next, used;
	uint8_t (*nonces)[CREDSSP_CLIENT_NONCE_LEN];
};

struct credssp_nonce_cache *credssp_nonce_cache_new(TALLOC_CTX *mem_ctx, size_t capacity)
{
	struct credssp_nonce_cache *c;

	if (capacity == 0 || capacity > 1000000) {
		return NULL;
	}
	c = talloc_zero(mem_ctx, struct credssp_nonce_cache);
	if (c == NULL) {
		return NULL;
	}
	c->nonces = talloc_zero_size(c, capacity * CREDSSP_CLIENT_NONCE_LEN);
	if (c->nonces == NULL) {
		talloc_free(c);
		return NULL;
	}
	c->capacity = capacity;
	return c;
}

bool credssp_nonce_cache_add(struct credssp_nonce_cache *c, const uint8_t *nonce)
{
	/* A linear scan: nonces are random, not secret; the cache is small. */
	for (size_t i = 0; i < c->used; i++) {
		if (memcmp(c->nonces[i], nonce, CREDSSP_CLIENT_NONCE_LEN) == 0) {
			return false;
		}
	}
	memcpy(c->nonces[c->next], nonce, CREDSSP_CLIENT_NONCE_LEN);
	c->next = (c->next + 1) % c->capacity;
	if (c->used < c->capacity) {
		c->used++;
	}
	return true;
}
