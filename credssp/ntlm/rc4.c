/*
 * rc4.c: RC4 from OpenSSL 3's legacy provider, in a library context of
 * our own (rc4.h says why).  One of the two files of credssp/ntlm/ that
 * include OpenSSL (README.md).
 */
#include <limits.h>
#include <pthread.h>

#include <openssl/evp.h>
#include <openssl/provider.h>

#include "credssp/ntlm/rc4.h"

struct ntlm_rc4 {
	EVP_CIPHER_CTX *ctx;
};

static pthread_once_t rc4_once = PTHREAD_ONCE_INIT;
static EVP_CIPHER *rc4_cipher;

static void rc4_load(void)
{
	OSSL_LIB_CTX *lib = OSSL_LIB_CTX_new();

	if (lib == NULL) {
		return;
	}
	/* Kept for the life of the process, like OpenSSL's default context. */
	if (OSSL_PROVIDER_load(lib, "legacy") == NULL) {
		OSSL_LIB_CTX_free(lib);
		return;
	}
	rc4_cipher = EVP_CIPHER_fetch(lib, "RC4", NULL);
}

static int rc4_destructor(struct ntlm_rc4 *r)
{
	EVP_CIPHER_CTX_free(r->ctx); /* clears the key schedule */
	return 0;
}

static struct ntlm_rc4 *rc4_alloc(TALLOC_CTX *mem_ctx)
{
	struct ntlm_rc4 *r;

	pthread_once(&rc4_once, rc4_load);
	if (rc4_cipher == NULL) {
		return NULL;
	}
	r = talloc_zero(mem_ctx, struct ntlm_rc4);
	if (r == NULL) {
		return NULL;
	}
	r->ctx = EVP_CIPHER_CTX_new();
	if (r->ctx == NULL) {
		talloc_free(r);
		return NULL;
	}
	talloc_set_destructor(r, rc4_destructor);
	return r;
}

NTSTATUS ntlm_rc4_new(TALLOC_CTX *mem_ctx, const uint8_t *key, size_t key_len,
		      struct ntlm_rc4 **out)
{
	struct ntlm_rc4 *r;
	OSSL_PARAM params[2];
	size_t klen = key_len;

	if (key_len == 0 || key_len > 256) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	r = rc4_alloc(mem_ctx);
	if (r == NULL) {
		return rc4_cipher == NULL ? NT_STATUS_NOT_SUPPORTED : NT_STATUS_NO_MEMORY;
	}
	params[0] = OSSL_PARAM_construct_size_t("keylen", &klen);
	params[1] = OSSL_PARAM_construct_end();
	if (EVP_CipherInit_ex2(r->ctx, rc4_cipher, NULL, NULL, 1, params) != 1 ||
	    EVP_CipherInit_ex2(r->ctx, NULL, key, NULL, 1, NULL) != 1) {
		talloc_free(r);
		return NT_STATUS_INTERNAL_ERROR;
	}
	*out = r;
	return NT_STATUS_OK;
}

NTSTATUS ntlm_rc4_dup(TALLOC_CTX *mem_ctx, const struct ntlm_rc4 *r,
		      struct ntlm_rc4 **out)
{
	struct ntlm_rc4 *c = rc4_alloc(mem_ctx);

	if (c == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	if (EVP_CIPHER_CTX_copy(c->ctx, r->ctx) != 1) {
		talloc_free(c);
		return NT_STATUS_INTERNAL_ERROR;
	}
	*out = c;
	return NT_STATUS_OK;
}

NTSTATUS ntlm_rc4_crypt(struct ntlm_rc4 *r, const uint8_t *in, uint8_t *out,
			size_t len)
{
	while (len > 0) {
		int n = len > INT_MAX / 2 ? INT_MAX / 2 : (int)len;
		int got = 0;

		if (EVP_CipherUpdate(r->ctx, out, &got, in, n) != 1 || got != n) {
			return NT_STATUS_INTERNAL_ERROR;
		}
		in += n;
		out += n;
		len -= (size_t)n;
	}
	return NT_STATUS_OK;
}
