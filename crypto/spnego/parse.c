/*
 * parse.c: spnego_token_parse, from OpenSSL's decoded structures to
 * spnego.h's (the rules are asn1.c's opening comment).
 */
#include "crypto/spnego/spnego_asn1.h"
#include "crypto/der.h"

#include <string.h>

#include <openssl/asn1t.h>
#include <openssl/err.h>
#include <openssl/objects.h>

/* ---- OpenSSL -> ours ---------------------------------------------------- */

static NTSTATUS bytes_get(TALLOC_CTX *ctx, const ASN1_STRING *s, struct spnego_bytes **dst)
{
	struct spnego_bytes *b;
	size_t n;

	*dst = NULL;
	if (s == NULL) {
		return NT_STATUS_OK;
	}
	b = talloc_zero(ctx, struct spnego_bytes);
	if (b == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	n = (size_t)ASN1_STRING_length(s);
	if (n > 0) {
		b->data = talloc_memdup(b, ASN1_STRING_get0_data(s), n);
		if (b->data == NULL) {
			talloc_free(b);
			return NT_STATUS_NO_MEMORY;
		}
	}
	b->len = n;
	*dst = b;
	return NT_STATUS_OK;
}

static NTSTATUS oid_get(const ASN1_OBJECT *o, struct spnego_oid *dst, const char **reason)
{
	size_t n = OBJ_length(o);

	if (n == 0 || n > SPNEGO_OID_MAX_LEN) {
		crypto_set_reason(reason, "SPNEGO: an OID longer than 32 bytes");
		return NT_STATUS_INVALID_PARAMETER;
	}
	memcpy(dst->bytes, OBJ_get0_data(o), n);
	dst->len = n;
	return NT_STATUS_OK;
}

/* req_flags_get: named bit n of |bs| into bit n; up to 32 bits. */
static NTSTATUS req_flags_get(const ASN1_BIT_STRING *bs, uint32_t *flags, const char **reason)
{
	const uint8_t *p = ASN1_STRING_get0_data(bs);
	size_t n = (size_t)ASN1_STRING_length(bs);
	uint32_t v = 0;

	if (n > 4) {
		crypto_set_reason(reason, "SPNEGO reqFlags longer than 32 bits");
		return NT_STATUS_INVALID_PARAMETER;
	}
	for (size_t i = 0; i < n * 8; i++) {
		if ((p[i / 8] & (0x80U >> (i % 8))) != 0) {
			v |= 1U << i;
		}
	}
	*flags = v;
	return NT_STATUS_OK;
}

static NTSTATUS init_get(TALLOC_CTX *ctx, const SPNEGO_NEGTOKENINIT *in,
			 struct spnego_neg_token_init **out, const char **reason)
{
	struct spnego_neg_token_init *t = talloc_zero(ctx, struct spnego_neg_token_init);
	const ASN1_OCTET_STRING *mic = in->mechListMIC2;
	int num = sk_ASN1_OBJECT_num(in->mechTypes);
	NTSTATUS status = NT_STATUS_NO_MEMORY;
	unsigned char *der = NULL;
	int n;

	if (t == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	if (num < 0 || num > SPNEGO_MAX_MECH_TYPES) {
		crypto_set_reason(reason, "SPNEGO mechTypes lists more than 32 mechanisms");
		status = NT_STATUS_INVALID_PARAMETER;
		goto fail;
	}
	t->num_mech_types = (size_t)num;
	t->mech_types = talloc_zero_array(t, struct spnego_oid, num > 0 ? (size_t)num : 1);
	if (t->mech_types == NULL) {
		goto fail;
	}
	for (int i = 0; i < num; i++) {
		status = oid_get(sk_ASN1_OBJECT_value(in->mechTypes, i), &t->mech_types[i], reason);
		if (!NT_STATUS_IS_OK(status)) {
			goto fail;
		}
	}
	/* The input was DER (checked), so this is the received encoding. */
	n = ASN1_item_i2d((const ASN1_VALUE *)in->mechTypes, &der,
			  ASN1_ITEM_rptr(SPNEGO_MECH_TYPE_LIST));
	if (n <= 0) {
		status = crypto_openssl_failure();
		status = NT_STATUS_EQUAL(status, NT_STATUS_NO_MEMORY) ? status
								      : NT_STATUS_INTERNAL_ERROR;
		goto fail;
	}
	t->mech_types_der.data = talloc_memdup(t, der, (size_t)n);
	t->mech_types_der.len = (size_t)n;
	OPENSSL_free(der);
	status = NT_STATUS_NO_MEMORY;
	if (t->mech_types_der.data == NULL) {
		goto fail;
	}
	if (in->reqFlags != NULL) {
		t->has_req_flags = true;
		status = req_flags_get(in->reqFlags, &t->req_flags, reason);
		if (!NT_STATUS_IS_OK(status)) {
			goto fail;
		}
	}
	status = bytes_get(t, in->mechToken, &t->mech_token);
	if (!NT_STATUS_IS_OK(status)) {
		goto fail;
	}
	if (in->field3 != NULL && in->field3->type == INIT_FIELD3_MIC) {
		if (in->mechListMIC2 != NULL) {
			crypto_set_reason(reason, "SPNEGO NegTokenInit has a mechListMIC at [3] "
						  "and another at [4]");
			status = NT_STATUS_INVALID_PARAMETER;
			goto fail;
		}
		mic = in->field3->value.mic;
	} else if (in->field3 != NULL) {
		t->has_neg_hints = true;
		status = bytes_get(t, in->field3->value.hints->hintName, &t->hint_name);
		if (NT_STATUS_IS_OK(status)) {
			status = bytes_get(t, in->field3->value.hints->hintAddress,
					   &t->hint_address);
		}
		if (!NT_STATUS_IS_OK(status)) {
			goto fail;
		}
	}
	/* NegTokenInit2 with its negHints or its [4] mechListMIC (both
	 * OPTIONAL there, MS-SPNG 2.2.1). */
	t->is_init2 = t->has_neg_hints || in->mechListMIC2 != NULL;
	status = bytes_get(t, mic, &t->mech_list_mic);
	if (!NT_STATUS_IS_OK(status)) {
		goto fail;
	}
	*out = t;
	return NT_STATUS_OK;
fail:
	talloc_free(t);
	return status;
}

static NTSTATUS resp_get(TALLOC_CTX *ctx, const SPNEGO_NEGTOKENRESP *in,
			 struct spnego_neg_token_resp **out, const char **reason)
{
	struct spnego_neg_token_resp *t = talloc_zero(ctx, struct spnego_neg_token_resp);
	NTSTATUS status = NT_STATUS_OK;

	if (t == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	if (in->negState != NULL) {
		long v = ASN1_ENUMERATED_get(in->negState);

		ERR_clear_error();
		if (v < SPNEGO_ACCEPT_COMPLETED || v > SPNEGO_REQUEST_MIC) {
			crypto_set_reason(reason, "SPNEGO negState is not one of RFC 4178's four");
			status = NT_STATUS_INVALID_PARAMETER;
			goto fail;
		}
		t->has_neg_state = true;
		t->neg_state = (enum spnego_neg_state)v;
	}
	if (in->supportedMech != NULL) {
		t->supported_mech = talloc_zero(t, struct spnego_oid);
		if (t->supported_mech == NULL) {
			status = NT_STATUS_NO_MEMORY;
			goto fail;
		}
		status = oid_get(in->supportedMech, t->supported_mech, reason);
	}
	if (NT_STATUS_IS_OK(status)) {
		status = bytes_get(t, in->responseToken, &t->response_token);
	}
	if (NT_STATUS_IS_OK(status)) {
		status = bytes_get(t, in->mechListMIC, &t->mech_list_mic);
	}
	if (!NT_STATUS_IS_OK(status)) {
		goto fail;
	}
	*out = t;
	return NT_STATUS_OK;
fail:
	talloc_free(t);
	return status;
}

/* ---- parse -------------------------------------------------------------- */

NTSTATUS spnego_token_parse(TALLOC_CTX *mem_ctx, const uint8_t *buf, size_t len,
			    struct spnego_token **out, const char **reason)
{
	const SPNEGO_NEGOTIATION_TOKEN *nt;
	struct spnego_token *tok;
	ASN1_VALUE *v = NULL;
	const ASN1_ITEM *it;
	bool framed;
	NTSTATUS status;

	if (buf == NULL || len == 0) {
		crypto_set_reason(reason, "SPNEGO token is empty");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (len > SPNEGO_MAX_TOKEN_LEN) {
		crypto_set_reason(reason, "SPNEGO token longer than 2 MiB");
		return NT_STATUS_INVALID_PARAMETER;
	}
	framed = buf[0] == SPNEGO_GSS_FRAMING_TAG;
	if (framed) {
		struct spnego_oid mech;
		const uint8_t *inner;
		size_t inner_len;

		status = spnego_gss_header_parse(buf, len, &mech, &inner, &inner_len, reason);
		if (!NT_STATUS_IS_OK(status)) {
			return status;
		}
		if (!spnego_oid_equal(&mech, &spnego_oid_spnego)) {
			crypto_set_reason(reason, "InitialContextToken of another mechanism "
						  "than SPNEGO");
			return NT_STATUS_NOT_SUPPORTED;
		}
		it = ASN1_ITEM_rptr(SPNEGO_GSS_TOKEN);
		status = spnego_der_decode(it, buf, len, "SPNEGO InitialContextToken does not decode "
				    "as a NegotiationToken", &v, reason);
		if (!NT_STATUS_IS_OK(status)) {
			return status;
		}
		nt = ((const SPNEGO_GSS_TOKEN_BODY *)v)->innerContextToken;
		if (nt->type != NEGOTIATION_TOKEN_INIT) {
			ASN1_item_free(v, it);
			crypto_set_reason(reason, "SPNEGO: a NegTokenResp inside the "
						  "InitialContextToken framing");
			return NT_STATUS_INVALID_PARAMETER;
		}
	} else {
		it = ASN1_ITEM_rptr(SPNEGO_NEGOTIATION_TOKEN);
		status = spnego_der_decode(it, buf, len, "SPNEGO token does not decode as a "
				    "NegotiationToken", &v, reason);
		if (!NT_STATUS_IS_OK(status)) {
			return status;
		}
		nt = (const SPNEGO_NEGOTIATION_TOKEN *)v;
	}

	tok = talloc_zero(mem_ctx, struct spnego_token);
	if (tok == NULL) {
		ASN1_item_free(v, it);
		return NT_STATUS_NO_MEMORY;
	}
	tok->gss_framed = framed;
	if (nt->type == NEGOTIATION_TOKEN_INIT) {
		tok->type = SPNEGO_NEG_TOKEN_INIT;
		status = init_get(tok, nt->value.init, &tok->init, reason);
	} else {
		tok->type = SPNEGO_NEG_TOKEN_RESP;
		status = resp_get(tok, nt->value.resp, &tok->resp, reason);
	}
	ASN1_item_free(v, it);
	if (!NT_STATUS_IS_OK(status)) {
		talloc_free(tok);
		return status;
	}
	*out = tok;
	return NT_STATUS_OK;
}
