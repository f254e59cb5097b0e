/*
 * tsrequest.c: TSRequest and NegoData (MS-CSSP 2.2.1, 2.2.1.1), between
 * ours and the ASN.1 types of asn1_internal.h.  See credssp_msg.h.
 */
#include "credssp/asn1_internal.h"

#include <stdint.h>

/* errorCode (2.2.1) is "a 32-bit value encoded as an ASN.1 INTEGER": the
 * NTSTATUS bit pattern as a signed 32-bit number, so 0xC000006D is the
 * negative INTEGER 02 04 c0 00 00 6d.  That is what the peers put on the
 * wire: FreeRDP's ber_write_integer() writes any value >= 0x80000000 as
 * four bytes ("treat as signed integer i.e. NT/HRESULT error codes",
 * libfreerdp/crypto/ber.c), and its ber_read_integer() reads lengths 1 to
 * 4 only, so a Windows server answering FreeRDP's NLA with a
 * failure must send the same form; the five-byte positive form
 * (02 05 00 c0 00 00 6d) that the prose alone would also allow is refused
 * here as out of range. */
static int64_t ntstatus_to_int(uint32_t v)
{
	return v <= INT32_MAX ? (int64_t)v : (int64_t)v - ((int64_t)1 << 32);
}

static uint32_t int_to_ntstatus(int64_t v)
{
	return v >= 0 ? (uint32_t)v : (uint32_t)(v + ((int64_t)1 << 32));
}

/* ---- TSRequest ---------------------------------------------------------- */

static NTSTATUS tsrequest_from_asn1(struct credssp_tsrequest *r, const CREDSSP_TSREQUEST *a,
				    const char **reason)
{
	NTSTATUS status;
	int64_t v;

	if (!credssp_integer_get(a->version, CREDSSP_VERSION_MIN, CREDSSP_VERSION_MAX, &v)) {
		crypto_set_reason(reason, "TSRequest version is not between 1 and 255");
		return NT_STATUS_INVALID_PARAMETER;
	}
	r->version = (uint32_t)v;
	if (a->negoTokens != NULL) {
		int n = sk_CREDSSP_NEGO_TOKEN_num(a->negoTokens);

		if (n < 0 || n > CREDSSP_NEGO_TOKENS_MAX) {
			return credssp_too_long(reason, "TSRequest has more than 8 negoTokens");
		}
		r->has_nego_tokens = true;
		r->num_nego_tokens = (size_t)n;
		r->nego_tokens = talloc_zero_array(r, struct credssp_octets, (size_t)n + 1);
		if (r->nego_tokens == NULL) {
			return NT_STATUS_NO_MEMORY;
		}
		for (int i = 0; i < n; i++) {
			const CREDSSP_NEGO_TOKEN *t = sk_CREDSSP_NEGO_TOKEN_value(a->negoTokens, i);

			status = credssp_octets_get(r->nego_tokens, t->negoToken,
						    CREDSSP_NEGO_TOKEN_MAX_LEN,
						    "TSRequest negoToken longer than 64 KiB",
						    &r->nego_tokens[i], reason);
			if (!NT_STATUS_IS_OK(status)) {
				return status;
			}
		}
	}
	status = credssp_octets_get_opt(r, a->authInfo, CREDSSP_AUTH_INFO_MAX_LEN,
					"TSRequest authInfo longer than 64 KiB", &r->auth_info,
					reason);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	status = credssp_octets_get_opt(r, a->pubKeyAuth, CREDSSP_PUB_KEY_AUTH_MAX_LEN,
					"TSRequest pubKeyAuth longer than 64 KiB", &r->pub_key_auth,
					reason);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	if (a->errorCode != NULL) {
		if (!credssp_integer_get(a->errorCode, INT32_MIN, INT32_MAX, &v)) {
			crypto_set_reason(reason, "TSRequest errorCode is not a signed 32-bit "
						  "INTEGER");
			return NT_STATUS_INVALID_PARAMETER;
		}
		r->has_error_code = true;
		r->error_code = int_to_ntstatus(v);
	}
	return credssp_octets_get_opt(r, a->clientNonce, CREDSSP_CLIENT_NONCE_MAX_LEN,
				      "TSRequest clientNonce longer than 256 bytes",
				      &r->client_nonce, reason);
}

NTSTATUS credssp_tsrequest_parse(TALLOC_CTX *mem_ctx, const uint8_t *buf, size_t len,
				 struct credssp_tsrequest **out, const char **reason)
{
	CREDSSP_TSREQUEST *a = NULL;
	struct credssp_tsrequest *r;
	NTSTATUS status;

	status = credssp_der_decode(ASN1_ITEM_rptr(CREDSSP_TSREQUEST), buf, len,
				    "not a DER TSRequest (MS-CSSP 2.2.1)", (ASN1_VALUE **)&a,
				    reason);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	r = talloc_zero(mem_ctx, struct credssp_tsrequest);
	status = r == NULL ? NT_STATUS_NO_MEMORY : tsrequest_from_asn1(r, a, reason);
	CREDSSP_TSREQUEST_free(a);
	if (!NT_STATUS_IS_OK(status)) {
		talloc_free(r);
		return status;
	}
	*out = r;
	return NT_STATUS_OK;
}

static NTSTATUS tsrequest_to_asn1(CREDSSP_TSREQUEST *a, const struct credssp_tsrequest *r,
				  const char **reason)
{
	NTSTATUS status;

	if (r->version < CREDSSP_VERSION_MIN || r->version > CREDSSP_VERSION_MAX) {
		crypto_set_reason(reason, "TSRequest version is not between 1 and 255");
		return NT_STATUS_INVALID_PARAMETER;
	}
	status = credssp_integer_set(&a->version, r->version);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	if (r->has_nego_tokens) {
		if (r->num_nego_tokens > CREDSSP_NEGO_TOKENS_MAX) {
			return credssp_too_long(reason, "TSRequest has more than 8 negoTokens");
		}
		if (r->num_nego_tokens > 0 && r->nego_tokens == NULL) {
			crypto_set_reason(reason, "TSRequest negoTokens counted but missing");
			return NT_STATUS_INVALID_PARAMETER;
		}
		a->negoTokens = sk_CREDSSP_NEGO_TOKEN_new_null();
		if (a->negoTokens == NULL) {
			return NT_STATUS_NO_MEMORY;
		}
		for (size_t i = 0; i < r->num_nego_tokens; i++) {
			CREDSSP_NEGO_TOKEN *t = (CREDSSP_NEGO_TOKEN *)ASN1_item_new(
				ASN1_ITEM_rptr(CREDSSP_NEGO_TOKEN));

			if (t == NULL || sk_CREDSSP_NEGO_TOKEN_push(a->negoTokens, t) <= 0) {
				ASN1_item_free((ASN1_VALUE *)t, ASN1_ITEM_rptr(CREDSSP_NEGO_TOKEN));
				return NT_STATUS_NO_MEMORY;
			}
			/* the template made an empty string: replace it */
			ASN1_OCTET_STRING_free(t->negoToken);
			t->negoToken = NULL;
			status = credssp_octets_set(&t->negoToken, &r->nego_tokens[i],
						    CREDSSP_NEGO_TOKEN_MAX_LEN,
						    "TSRequest negoToken longer than 64 KiB",
						    reason);
			if (!NT_STATUS_IS_OK(status)) {
				return status;
			}
		}
	}
	status = credssp_octets_set_opt(&a->authInfo, r->auth_info, CREDSSP_AUTH_INFO_MAX_LEN,
					"TSRequest authInfo longer than 64 KiB", reason);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	status = credssp_octets_set_opt(&a->pubKeyAuth, r->pub_key_auth,
					CREDSSP_PUB_KEY_AUTH_MAX_LEN,
					"TSRequest pubKeyAuth longer than 64 KiB", reason);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	if (r->has_error_code) {
		status = credssp_integer_set(&a->errorCode, ntstatus_to_int(r->error_code));
		if (!NT_STATUS_IS_OK(status)) {
			return status;
		}
	}
	return credssp_octets_set_opt(&a->clientNonce, r->client_nonce,
				      CREDSSP_CLIENT_NONCE_MAX_LEN,
				      "TSRequest clientNonce longer than 256 bytes", reason);
}

NTSTATUS credssp_tsrequest_build(TALLOC_CTX *mem_ctx, const struct credssp_tsrequest *req,
				 uint8_t **buf, size_t *len, const char **reason)
{
	CREDSSP_TSREQUEST *a = CREDSSP_TSREQUEST_new();
	struct crypto_secret *der = NULL;
	uint8_t *copy;
	NTSTATUS status;

	if (a == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	/* _new fills the required version with an INTEGER; ours replaces it */
	ASN1_INTEGER_free(a->version);
	a->version = NULL;
	status = tsrequest_to_asn1(a, req, reason);
	if (NT_STATUS_IS_OK(status)) {
		status = credssp_der_encode(NULL, ASN1_ITEM_rptr(CREDSSP_TSREQUEST),
					    (ASN1_VALUE *)a, &der, reason);
	}
	CREDSSP_TSREQUEST_free(a);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	/* not secret: hand out a plain talloc buffer */
	copy = talloc_memdup(mem_ctx, der->data, der->len);
	if (copy == NULL) {
		talloc_free(der);
		return NT_STATUS_NO_MEMORY;
	}
	*len = der->len;
	*buf = copy;
	talloc_free(der);
	return NT_STATUS_OK;
}
