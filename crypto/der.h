#ifndef CRYPTO_DER_H
#define CRYPTO_DER_H
/*
 * crypto/der.h: strict DER through OpenSSL's ASN.1 templates, for the
 * codecs that define their structures with ASN1_SEQUENCE (credssp/,
 * crypto/spnego/).  OpenSSL's decoder takes BER; these take DER only.
 */
#include <openssl/asn1.h>

#include "crypto/crypto.h"

/* The reasons a caller gives for each way a value can be refused. */
struct crypto_der_reasons {
	const char *undecodable; /* OpenSSL cannot decode it as the type */
	const char *trailing;    /* bytes after the value */
	const char *not_der;     /* it decodes, but is BER, not DER */
};

/* crypto_openssl_failure: NT_STATUS_NO_MEMORY if OpenSSL's error queue
 * holds an allocation failure (ERR_R_MALLOC_FAILURE), else
 * NT_STATUS_INVALID_PARAMETER (the input's fault); clears the queue. */
NTSTATUS crypto_openssl_failure(void);

/*
 * crypto_der_decode: one value of |it| that spans all |len| bytes and is
 * exactly what OpenSSL encodes back, byte for byte.  The re-encoding goes
 * through a wiped buffer (the value may hold a password).  The caller frees
 * *out with ASN1_item_free.
 */
NTSTATUS crypto_der_decode(const ASN1_ITEM *it, const uint8_t *buf, size_t len,
			   const struct crypto_der_reasons *why, ASN1_VALUE **out,
			   const char **reason);

#endif
