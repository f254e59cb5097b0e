/*
 * checksum.c: the VERIFY checksum (draft 6, 7.7): an RFC 3961 keyed
 * checksum over the transcript, through Heimdal's krb5 crypto
 * (krb5_crypto_init, krb5_create_checksum, krb5_verify_checksum); no
 * RFC 3961 code of our own.  Heimdal supports the enctypes NEGOEX meets:
 * AES-SHA1 (17, 18: hmac-sha1-96-aes*), AES-SHA2 (19, 20, RFC 8009:
 * hmac-sha256-128-aes128, hmac-sha384-192-aes256) and RC4-HMAC (23:
 * hmac-md5, checksum type -138).
 *
 * The checksum type: we make the key's mandatory keyed checksum (Heimdal
 * krb5_crypto_get_checksum_type; MIT make_checksum passes 0 to
 * krb5_c_make_checksum, which means the same), and we accept only that
 * type.  MIT (verify_checksum) accepts any keyed type its
 * krb5_c_verify_checksum_iov takes for the key, which for these enctypes
 * is the same single type; an unkeyed type is refused by both (MIT:
 * krb5_c_is_keyed_cksum).
 */
#include <krb5.h>
#include <string.h>

#include "crypto/crypto.h"
#include "negoex/engine/engine_internal.h"

static krb5_context get_context(struct negoex_engine *e)
{
	krb5_context ctx;

	if (e->krb5 == NULL && krb5_init_context(&ctx) == 0) {
		e->krb5 = ctx;
	}
	return e->krb5;
}

void checksum_free_context(struct negoex_engine *e)
{
	if (e->krb5 != NULL && !e->krb5_borrowed) {
		krb5_free_context(e->krb5);
	}
	e->krb5 = NULL;
}

/* open_key: a Heimdal crypto for |key| and its mandatory checksum type. */
static NTSTATUS open_key(struct negoex_engine *e, const struct negoex_key *key,
			 krb5_crypto *crypto, krb5_cksumtype *type, const char **reason)
{
	krb5_context ctx = get_context(e);
	krb5_keyblock kb;

	if (ctx == NULL) {
		crypto_set_reason(reason, "krb5_init_context failed");
		return NT_STATUS_INTERNAL_ERROR;
	}
	kb.keytype = key->enctype;
	kb.keyvalue.data = (void *)key->bytes;
	kb.keyvalue.length = key->len;
	if (krb5_crypto_init(ctx, &kb, 0, crypto) != 0) {
		crypto_set_reason(reason, "the scheme's key has an enctype or length Heimdal refuses");
		return NT_STATUS_NOT_SUPPORTED;
	}
	if (krb5_crypto_get_checksum_type(ctx, *crypto, type) != 0 ||
	    !krb5_checksum_is_keyed(ctx, *type)) {
		krb5_crypto_destroy(ctx, *crypto);
		crypto_set_reason(reason, "the key's enctype has no keyed checksum");
		return NT_STATUS_NOT_SUPPORTED;
	}
	return NT_STATUS_OK;
}

NTSTATUS checksum_make(struct negoex_engine *e, TALLOC_CTX *mem_ctx, const struct negoex_key *key,
		       unsigned usage, const uint8_t *data, size_t len, uint32_t *type,
		       uint8_t **cksum, size_t *cksum_len, const char **reason)
{
	krb5_crypto crypto;
	krb5_cksumtype ctype;
	Checksum c;
	uint8_t *copy;
	NTSTATUS status = open_key(e, key, &crypto, &ctype, reason);

	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	memset(&c, 0, sizeof(c));
	if (krb5_create_checksum(e->krb5, crypto, usage, ctype, (void *)data, len, &c) != 0) {
		krb5_crypto_destroy(e->krb5, crypto);
		crypto_set_reason(reason, "krb5_create_checksum failed");
		return NT_STATUS_INTERNAL_ERROR;
	}
	krb5_crypto_destroy(e->krb5, crypto);
	copy = talloc_memdup(mem_ctx, c.checksum.data, c.checksum.length);
	if (copy == NULL) {
		krb5_free_checksum_contents(e->krb5, &c);
		return NT_STATUS_NO_MEMORY;
	}
	*cksum_len = c.checksum.length;
	*type = (uint32_t)c.cksumtype;
	*cksum = copy;
	krb5_free_checksum_contents(e->krb5, &c);
	return NT_STATUS_OK;
}

NTSTATUS checksum_verify(struct negoex_engine *e, const struct negoex_key *key, unsigned usage,
			 const uint8_t *data, size_t len, const uint8_t *data2, size_t len2,
			 uint32_t type, const uint8_t *cksum, size_t cksum_len,
			 const char **reason)
{
	krb5_crypto crypto;
	krb5_cksumtype ctype;
	Checksum c;
	uint8_t *all;
	krb5_error_code ret;
	NTSTATUS status = open_key(e, key, &crypto, &ctype, reason);

	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	/* The checksum type is the peer's, as a 32-bit two's complement
	 * (RC4's hmac-md5 is -138). */
	if ((krb5_cksumtype)(int32_t)type != ctype) {
		krb5_crypto_destroy(e->krb5, crypto);
		crypto_set_reason(reason, "VERIFY's checksum type is not the key's keyed checksum");
		return NT_STATUS_NOT_SUPPORTED;
	}
	/* The data is the transcript and the token up to the VERIFY (MIT
	 * verify_checksum's two data iovs), one buffer for Heimdal. */
	all = talloc_size(e, len + len2 + 1);
	if (all == NULL) {
		krb5_crypto_destroy(e->krb5, crypto);
		return NT_STATUS_NO_MEMORY;
	}
	if (len > 0) {
		memcpy(all, data, len);
	}
	if (len2 > 0) {
		memcpy(all + len, data2, len2);
	}
	c.cksumtype = ctype;
	c.checksum.data = (void *)cksum;
	c.checksum.length = cksum_len;
	ret = krb5_verify_checksum(e->krb5, crypto, usage, all, len + len2, &c);
	krb5_crypto_destroy(e->krb5, crypto);
	talloc_free(all);
	if (ret != 0) {
		crypto_set_reason(reason, "VERIFY's checksum does not match the transcript");
		return NT_STATUS_INVALID_SIGNATURE;
	}
	return NT_STATUS_OK;
}
