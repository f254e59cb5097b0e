/*
 * hash.c: digests, HMAC, randomness, constant-time compare and wiped
 * secrets, on OpenSSL 3.
 */
#include "crypto/crypto.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

static const EVP_MD *md_of(enum crypto_md md)
{
	switch (md) {
	case CRYPTO_MD_MD5:
		return EVP_md5();
	case CRYPTO_MD_SHA1:
		return EVP_sha1();
	case CRYPTO_MD_SHA256:
		return EVP_sha256();
	}
	return NULL;
}

static const char *md_name(enum crypto_md md)
{
	switch (md) {
	case CRYPTO_MD_MD5:
		return "MD5";
	case CRYPTO_MD_SHA1:
		return "SHA1";
	case CRYPTO_MD_SHA256:
		return "SHA256";
	}
	return NULL;
}

size_t crypto_md_len(enum crypto_md md)
{
	switch (md) {
	case CRYPTO_MD_MD5:
		return CRYPTO_MD5_LEN;
	case CRYPTO_MD_SHA1:
		return CRYPTO_SHA1_LEN;
	case CRYPTO_MD_SHA256:
		return CRYPTO_SHA256_LEN;
	}
	return 0;
}

NTSTATUS crypto_hash(enum crypto_md md, const uint8_t *data, size_t len,
		     uint8_t *out)
{
	const EVP_MD *m = md_of(md);
	unsigned int n = 0;

	if (m == NULL) {
		return NT_STATUS_NOT_SUPPORTED;
	}
	if (EVP_Digest(data, len, out, &n, m, NULL) != 1 ||
	    n != crypto_md_len(md)) {
		return NT_STATUS_INTERNAL_ERROR;
	}
	return NT_STATUS_OK;
}

NTSTATUS crypto_sha1(const uint8_t *data, size_t len,
		     uint8_t out[CRYPTO_SHA1_LEN])
{
	return crypto_hash(CRYPTO_MD_SHA1, data, len, out);
}

NTSTATUS crypto_md5(const uint8_t *data, size_t len,
		    uint8_t out[CRYPTO_MD5_LEN])
{
	return crypto_hash(CRYPTO_MD_MD5, data, len, out);
}

NTSTATUS crypto_sha256(const uint8_t *data, size_t len,
		       uint8_t out[CRYPTO_SHA256_LEN])
{
	return crypto_hash(CRYPTO_MD_SHA256, data, len, out);
}

NTSTATUS crypto_hmac(enum crypto_md md, const uint8_t *key, size_t key_len,
		     const uint8_t *data, size_t len, uint8_t *out)
{
	const char *name = md_name(md);
	size_t n = 0;
	static const uint8_t empty[1];

	if (name == NULL) {
		return NT_STATUS_NOT_SUPPORTED;
	}
	/* EVP_Q_mac refuses a NULL key even when its length is 0. */
	if (EVP_Q_mac(NULL, "HMAC", NULL, name, NULL,
		      key_len == 0 ? empty : key, key_len, data, len, out,
		      crypto_md_len(md), &n) == NULL ||
	    n != crypto_md_len(md)) {
		return NT_STATUS_INTERNAL_ERROR;
	}
	return NT_STATUS_OK;
}

NTSTATUS crypto_random(uint8_t *buf, size_t len)
{
	while (len > 0) {
		int chunk = len > (1u << 30) ? (1 << 30) : (int)len;
		if (RAND_bytes(buf, chunk) != 1) {
			return NT_STATUS_INTERNAL_ERROR;
		}
		buf += chunk;
		len -= (size_t)chunk;
	}
	return NT_STATUS_OK;
}

bool crypto_memequal(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
}

void crypto_wipe(void *p, size_t len)
{
	if (p != NULL) {
		OPENSSL_cleanse(p, len);
	}
}

static int secret_destructor(struct crypto_secret *s)
{
	crypto_wipe(s->data, s->len + 1);
	return 0;
}

struct crypto_secret *crypto_secret_new(TALLOC_CTX *mem_ctx, size_t len)
{
	struct crypto_secret *s;

	if (len == SIZE_MAX) {
		return NULL;
	}
	s = talloc_zero(mem_ctx, struct crypto_secret);
	if (s == NULL) {
		return NULL;
	}
	s->data = talloc_zero_array(s, uint8_t, len + 1);
	if (s->data == NULL) {
		talloc_free(s);
		return NULL;
	}
	s->len = len;
	talloc_set_destructor(s, secret_destructor);
	return s;
}

struct crypto_secret *crypto_secret_dup(TALLOC_CTX *mem_ctx,
					const uint8_t *p, size_t len)
{
	struct crypto_secret *s = crypto_secret_new(mem_ctx, len);
	if (s != NULL && len > 0) {
		memcpy(s->data, p, len);
	}
	return s;
}
