/* crypto/der.c: strict DER through OpenSSL's ASN.1 templates (crypto/der.h). */
#include <limits.h>
#include <string.h>

#include <openssl/err.h>

#include "crypto/der.h"

NTSTATUS crypto_openssl_failure(void)
{
	unsigned long e;
	NTSTATUS status = NT_STATUS_INVALID_PARAMETER;

	while ((e = ERR_get_error()) != 0) {
		if (ERR_GET_REASON(e) == ERR_R_MALLOC_FAILURE) {
			status = NT_STATUS_NO_MEMORY;
		}
	}
	return status;
}

NTSTATUS crypto_der_decode(const ASN1_ITEM *it, const uint8_t *buf, size_t len,
			   const struct crypto_der_reasons *why, ASN1_VALUE **out,
			   const char **reason)
{
	const unsigned char *p = buf;
	struct crypto_secret *again;
	unsigned char *q;
	ASN1_VALUE *v;
	NTSTATUS status;
	int n;

	if (len > LONG_MAX || (buf == NULL && len > 0)) {
		crypto_set_reason(reason, why->undecodable);
		return NT_STATUS_INVALID_PARAMETER;
	}
	v = len == 0 ? NULL : ASN1_item_d2i(NULL, &p, (long)len, it);
	if (v == NULL) {
		status = crypto_openssl_failure();
		crypto_set_reason(reason, why->undecodable);
		return status;
	}
	if (p != buf + len) {
		ASN1_item_free(v, it);
		crypto_set_reason(reason, why->trailing);
		return NT_STATUS_INVALID_PARAMETER;
	}
	n = ASN1_item_i2d(v, NULL, it);
	if (n < 0 || (size_t)n != len) {
		status = n < 0 ? crypto_openssl_failure() : NT_STATUS_INVALID_PARAMETER;
		ASN1_item_free(v, it);
		crypto_set_reason(reason, why->not_der);
		return status;
	}
	again = crypto_secret_new(NULL, len);
	if (again == NULL) {
		ASN1_item_free(v, it);
		return NT_STATUS_NO_MEMORY;
	}
	q = again->data;
	if (ASN1_item_i2d(v, &q, it) != n) {
		status = crypto_openssl_failure();
		talloc_free(again);
		ASN1_item_free(v, it);
		return NT_STATUS_EQUAL(status, NT_STATUS_NO_MEMORY) ? status
								     : NT_STATUS_INTERNAL_ERROR;
	}
	if (memcmp(again->data, buf, len) != 0) {
		talloc_free(again);
		ASN1_item_free(v, it);
		crypto_set_reason(reason, why->not_der);
		return NT_STATUS_INVALID_PARAMETER;
	}
	talloc_free(again);
	*out = v;
	return NT_STATUS_OK;
}
