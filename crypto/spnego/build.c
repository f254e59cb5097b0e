/*
 * build.c: spnego_token_build and spnego_mech_types_der, from spnego.h's
 * structures to OpenSSL's (the rules, reqFlags' form among them, are
 * asn1.c's opening comment).  What is built is parsed again before it is
 * handed out.
 */
#include "crypto/spnego/spnego_asn1.h"

#include <string.h>

#include <openssl/asn1t.h>
#include <openssl/err.h>
#include <openssl/objects.h>

/* ---- ours -> OpenSSL ---------------------------------------------------- */

static NTSTATUS string_set(ASN1_STRING **dst, int type, const struct spnego_bytes *b,
			   const char **reason)
{
	if (b == NULL) {
		return NT_STATUS_OK;
	}
	if (b->data == NULL && b->len > 0) {
		crypto_set_reason(reason, "SPNEGO field with a length and no data");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (b->len > SPNEGO_MAX_TOKEN_LEN) {
		crypto_set_reason(reason, "SPNEGO field longer than 2 MiB");
		return NT_STATUS_INVALID_PARAMETER;
	}
	*dst = ASN1_STRING_type_new(type);
	if (*dst == NULL || !ASN1_STRING_set(*dst, b->data, (int)b->len)) {
		ERR_clear_error();
		return NT_STATUS_NO_MEMORY;
	}
	return NT_STATUS_OK;
}

static NTSTATUS oid_set(ASN1_OBJECT **dst, const struct spnego_oid *oid, const char **reason)
{
	if (oid->len == 0 || oid->len > SPNEGO_OID_MAX_LEN) {
		crypto_set_reason(reason, "SPNEGO: an OID of 0 or more than 32 bytes");
		return NT_STATUS_INVALID_PARAMETER;
	}
	/* Not checked here: the built token is parsed again (spnego_token_build). */
	*dst = ASN1_OBJECT_create(NID_undef, (unsigned char *)oid->bytes, (int)oid->len, NULL,
				  NULL);
	if (*dst == NULL) {
		ERR_clear_error();
		return NT_STATUS_NO_MEMORY;
	}
	return NT_STATUS_OK;
}

static NTSTATUS mech_list_set(STACK_OF(ASN1_OBJECT) **dst, const struct spnego_oid *mechs,
			      size_t n, const char **reason)
{
	NTSTATUS status;

	if (n > SPNEGO_MAX_MECH_TYPES) {
		crypto_set_reason(reason, "SPNEGO mechTypes lists more than 32 mechanisms");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (mechs == NULL && n > 0) {
		crypto_set_reason(reason, "SPNEGO mechTypes with a count and no list");
		return NT_STATUS_INVALID_PARAMETER;
	}
	/* ASN1_item_new gives a required SEQUENCE OF an empty stack. */
	sk_ASN1_OBJECT_pop_free(*dst, ASN1_OBJECT_free);
	*dst = sk_ASN1_OBJECT_new_null();
	if (*dst == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	for (size_t i = 0; i < n; i++) {
		ASN1_OBJECT *o = NULL;

		status = oid_set(&o, &mechs[i], reason);
		if (!NT_STATUS_IS_OK(status)) {
			return status;
		}
		if (sk_ASN1_OBJECT_push(*dst, o) <= 0) {
			ASN1_OBJECT_free(o);
			return NT_STATUS_NO_MEMORY;
		}
	}
	return NT_STATUS_OK;
}

/* req_flags_set: MIT's one-octet form for bits 0-6, DER otherwise (the
 * opening comment). */
static NTSTATUS req_flags_set(ASN1_BIT_STRING **dst, uint32_t flags)
{
	uint8_t octets[4];
	size_t n = 1;
	int unused = 1;

	memset(octets, 0, sizeof(octets));
	for (size_t i = 0; i < 32; i++) {
		if ((flags & (1U << i)) != 0) {
			octets[i / 8] |= (uint8_t)(0x80U >> (i % 8));
			if (i >= 7) {
				n = i / 8 + 1;
				unused = (int)(7 - i % 8);
			}
		}
	}
	*dst = ASN1_BIT_STRING_new();
	if (*dst == NULL || !ASN1_STRING_set(*dst, octets, (int)n)) {
		ERR_clear_error();
		return NT_STATUS_NO_MEMORY;
	}
	(*dst)->flags &= ~(long)(ASN1_STRING_FLAG_BITS_LEFT | 0x07);
	(*dst)->flags |= ASN1_STRING_FLAG_BITS_LEFT | unused;
	return NT_STATUS_OK;
}

static NTSTATUS init_set(const struct spnego_neg_token_init *t, SPNEGO_NEGTOKENINIT *in,
			 const char **reason)
{
	NTSTATUS status = mech_list_set(&in->mechTypes, t->mech_types, t->num_mech_types, reason);
	ASN1_OCTET_STRING **mic;

	if (NT_STATUS_IS_OK(status) && t->has_req_flags) {
		status = req_flags_set(&in->reqFlags, t->req_flags);
	}
	if (NT_STATUS_IS_OK(status)) {
		status = string_set(&in->mechToken, V_ASN1_OCTET_STRING, t->mech_token, reason);
	}
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	if (t->has_neg_hints && !t->is_init2) {
		crypto_set_reason(reason, "SPNEGO: negHints only in a NegTokenInit2");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (t->has_neg_hints || (!t->is_init2 && t->mech_list_mic != NULL)) {
		in->field3 = (SPNEGO_INIT_FIELD3 *)ASN1_item_new(
			ASN1_ITEM_rptr(SPNEGO_INIT_FIELD3));
		if (in->field3 == NULL) {
			return NT_STATUS_NO_MEMORY;
		}
	}
	if (t->has_neg_hints) {
		SPNEGO_NEG_HINTS *h =
			(SPNEGO_NEG_HINTS *)ASN1_item_new(ASN1_ITEM_rptr(SPNEGO_NEG_HINTS));

		if (h == NULL) {
			return NT_STATUS_NO_MEMORY;
		}
		in->field3->type = INIT_FIELD3_HINTS;
		in->field3->value.hints = h;
		status = string_set(&h->hintName, V_ASN1_GENERALSTRING, t->hint_name, reason);
		if (NT_STATUS_IS_OK(status)) {
			status = string_set(&h->hintAddress, V_ASN1_OCTET_STRING, t->hint_address,
					    reason);
		}
	}
	if (t->is_init2) {
		mic = &in->mechListMIC2;
	} else if (in->field3 != NULL) {
		in->field3->type = INIT_FIELD3_MIC;
		mic = &in->field3->value.mic;
	} else {
		mic = NULL;
	}
	if (NT_STATUS_IS_OK(status) && mic != NULL) {
		status = string_set(mic, V_ASN1_OCTET_STRING, t->mech_list_mic, reason);
	}
	return status;
}

static NTSTATUS resp_set(const struct spnego_neg_token_resp *t, SPNEGO_NEGTOKENRESP *in,
			 const char **reason)
{
	NTSTATUS status = NT_STATUS_OK;

	if (t->has_neg_state) {
		in->negState = ASN1_ENUMERATED_new();
		if (in->negState == NULL || !ASN1_ENUMERATED_set(in->negState, t->neg_state)) {
			ERR_clear_error();
			return NT_STATUS_NO_MEMORY;
		}
	}
	if (t->supported_mech != NULL) {
		status = oid_set(&in->supportedMech, t->supported_mech, reason);
	}
	if (NT_STATUS_IS_OK(status)) {
		status = string_set(&in->responseToken, V_ASN1_OCTET_STRING, t->response_token,
				    reason);
	}
	if (NT_STATUS_IS_OK(status)) {
		status = string_set(&in->mechListMIC, V_ASN1_OCTET_STRING, t->mech_list_mic,
				    reason);
	}
	return status;
}

/* ---- build -------------------------------------------------------------- */

NTSTATUS spnego_token_build(TALLOC_CTX *mem_ctx, const struct spnego_token *tok,
			    uint8_t **out, size_t *out_len, const char **reason)
{
	const ASN1_ITEM *nt_it = ASN1_ITEM_rptr(SPNEGO_NEGOTIATION_TOKEN);
	const ASN1_ITEM *gss_it = ASN1_ITEM_rptr(SPNEGO_GSS_TOKEN);
	SPNEGO_NEGOTIATION_TOKEN *nt = NULL;
	SPNEGO_GSS_TOKEN_BODY *body = NULL;
	struct spnego_token *check;
	TALLOC_CTX *frame;
	uint8_t *der = NULL;
	size_t der_len = 0;
	NTSTATUS status;

	if ((tok->type == SPNEGO_NEG_TOKEN_INIT && tok->init == NULL) ||
	    (tok->type == SPNEGO_NEG_TOKEN_RESP && tok->resp == NULL) ||
	    (tok->type != SPNEGO_NEG_TOKEN_INIT && tok->type != SPNEGO_NEG_TOKEN_RESP)) {
		crypto_set_reason(reason, "SPNEGO token to build has no NegTokenInit or "
					  "NegTokenResp");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (tok->gss_framed && tok->type != SPNEGO_NEG_TOKEN_INIT) {
		crypto_set_reason(reason, "SPNEGO: only a NegTokenInit is framed");
		return NT_STATUS_INVALID_PARAMETER;
	}
	nt = (SPNEGO_NEGOTIATION_TOKEN *)ASN1_item_new(nt_it);
	if (nt == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	if (tok->type == SPNEGO_NEG_TOKEN_INIT) {
		nt->type = NEGOTIATION_TOKEN_INIT;
		nt->value.init = (SPNEGO_NEGTOKENINIT *)ASN1_item_new(
			ASN1_ITEM_rptr(SPNEGO_NEGTOKENINIT));
		status = nt->value.init == NULL ? NT_STATUS_NO_MEMORY
						: init_set(tok->init, nt->value.init, reason);
	} else {
		nt->type = NEGOTIATION_TOKEN_RESP;
		nt->value.resp = (SPNEGO_NEGTOKENRESP *)ASN1_item_new(
			ASN1_ITEM_rptr(SPNEGO_NEGTOKENRESP));
		status = nt->value.resp == NULL ? NT_STATUS_NO_MEMORY
						: resp_set(tok->resp, nt->value.resp, reason);
	}
	frame = talloc_new(mem_ctx);
	if (frame == NULL) {
		status = NT_STATUS_NO_MEMORY;
	}
	if (NT_STATUS_IS_OK(status) && tok->gss_framed) {
		body = (SPNEGO_GSS_TOKEN_BODY *)ASN1_item_new(ASN1_ITEM_rptr(SPNEGO_GSS_TOKEN_BODY));
		if (body == NULL) {
			status = NT_STATUS_NO_MEMORY;
		} else {
			ASN1_OBJECT_free(body->thisMech);
			body->thisMech = NULL;
			ASN1_item_free((ASN1_VALUE *)body->innerContextToken, nt_it);
			body->innerContextToken = nt;
			nt = NULL;
			status = oid_set(&body->thisMech, &spnego_oid_spnego, reason);
		}
		if (NT_STATUS_IS_OK(status)) {
			status = spnego_der_encode(frame, gss_it, (const ASN1_VALUE *)body, &der,
					    &der_len, reason);
		}
	} else if (NT_STATUS_IS_OK(status)) {
		status = spnego_der_encode(frame, nt_it, (const ASN1_VALUE *)nt, &der, &der_len, reason);
	}
	ASN1_item_free((ASN1_VALUE *)nt, nt_it);
	ASN1_item_free((ASN1_VALUE *)body, gss_it);
	if (NT_STATUS_IS_OK(status)) {
		status = spnego_token_parse(frame, der, der_len, &check, reason);
	}
	if (!NT_STATUS_IS_OK(status)) {
		talloc_free(frame);
		return status;
	}
	*out = talloc_steal(mem_ctx, der);
	*out_len = der_len;
	talloc_free(frame);
	return NT_STATUS_OK;
}

NTSTATUS spnego_mech_types_der(TALLOC_CTX *mem_ctx, const struct spnego_oid *mechs, size_t n,
			       uint8_t **out, size_t *out_len, const char **reason)
{
	const ASN1_ITEM *it = ASN1_ITEM_rptr(SPNEGO_MECH_TYPE_LIST);
	STACK_OF(ASN1_OBJECT) *list = NULL;
	ASN1_VALUE *check = NULL;
	uint8_t *der = NULL;
	size_t der_len = 0;
	NTSTATUS status = mech_list_set(&list, mechs, n, reason);

	if (NT_STATUS_IS_OK(status)) {
		status = spnego_der_encode(mem_ctx, it, (const ASN1_VALUE *)list, &der, &der_len, reason);
	}
	sk_ASN1_OBJECT_pop_free(list, ASN1_OBJECT_free);
	if (NT_STATUS_IS_OK(status)) {
		status = spnego_der_decode(it, der, der_len, "SPNEGO mechTypes: an OID does not decode",
				    &check, reason);
		if (!NT_STATUS_IS_OK(status)) {
			talloc_free(der);
		}
		ASN1_item_free(check, it);
	}
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	*out = der;
	*out_len = der_len;
	return NT_STATUS_OK;
}
