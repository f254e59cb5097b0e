/*
 * asn1.c: the MS-CSSP 2.2.1 structures on OpenSSL's ASN.1 templates, and
 * the strict-DER and field helpers that tsrequest.c and credentials.c
 * share (asn1_internal.h).  See credssp_msg.h.
 *
 * The ASN.1 definitions below are the specification's, field by field
 * and tag by tag (every tag EXPLICIT: MS-CSSP gives no module default, and
 * every peer and the 4.x sample send the constructed [n] wrapper).  Two
 * notational slips of the text are not followed literally: the
 * TSRemoteGuardCreds and TSRemoteGuardPackageCred definitions end their
 * last component with a comma ("OPTIONAL,\n}"), which is not ASN.1, and
 * TSPasswordCreds is followed by a stray "}".  Neither changes the
 * encoding.
 *
 * OpenSSL's decoder takes BER (indefinite lengths, non-minimal lengths,
 * constructed OCTET STRINGs); 2.2 requires DER.  As crypto/x509.c does for
 * the EKU value, a parsed value must be exactly what OpenSSL encodes back,
 * byte for byte, and must span the whole input.
 *
 * Secrets: the OpenSSL structures that hold a password, a PIN, a Remote
 * Guard credential buffer, or the DER of one (TSCredentials.credentials),
 * have a free callback that wipes those bytes, so a structure freed by
 * OpenSSL itself (a decode that fails half way) is wiped too.  Encodings
 * of them are written straight into a struct crypto_secret.  Not covered:
 * a BER constructed OCTET STRING, which OpenSSL reassembles in a buffer it
 * frees unwiped (such input is refused anyway; a peer that sends it
 * leaks its own secret to our freed heap, nowhere else).
 */
#include "credssp/asn1_internal.h"
#include "crypto/der.h"

#include <string.h>

#include <openssl/asn1t.h>
#include <openssl/crypto.h>
#include <openssl/err.h>

/* ---- the ASN.1 definitions --------------------------------------------- */

/* NegoData ::= SEQUENCE OF SEQUENCE { negoToken [0] OCTET STRING } (2.2.1.1) */
ASN1_SEQUENCE(CREDSSP_NEGO_TOKEN) = {
	ASN1_EXP(CREDSSP_NEGO_TOKEN, negoToken, ASN1_OCTET_STRING, 0),
} ASN1_SEQUENCE_END(CREDSSP_NEGO_TOKEN)

/* TSRequest (2.2.1) */
ASN1_SEQUENCE(CREDSSP_TSREQUEST) = {
	ASN1_EXP(CREDSSP_TSREQUEST, version, ASN1_INTEGER, 0),
	ASN1_EXP_SEQUENCE_OF_OPT(CREDSSP_TSREQUEST, negoTokens, CREDSSP_NEGO_TOKEN, 1),
	ASN1_EXP_OPT(CREDSSP_TSREQUEST, authInfo, ASN1_OCTET_STRING, 2),
	ASN1_EXP_OPT(CREDSSP_TSREQUEST, pubKeyAuth, ASN1_OCTET_STRING, 3),
	ASN1_EXP_OPT(CREDSSP_TSREQUEST, errorCode, ASN1_INTEGER, 4),
	ASN1_EXP_OPT(CREDSSP_TSREQUEST, clientNonce, ASN1_OCTET_STRING, 5),
} ASN1_SEQUENCE_END(CREDSSP_TSREQUEST)

IMPLEMENT_ASN1_FUNCTIONS(CREDSSP_TSREQUEST)

/* wipe_string clears an OCTET STRING's contents in place. */
static void wipe_string(ASN1_OCTET_STRING *s)
{
	if (s != NULL && ASN1_STRING_length(s) > 0) {
		OPENSSL_cleanse((void *)ASN1_STRING_get0_data(s), (size_t)ASN1_STRING_length(s));
	}
}

/* TSCredentials (2.2.1.2) */
static int tscredentials_cb(int op, ASN1_VALUE **pval, const ASN1_ITEM *it, void *exarg)
{
	if (op == ASN1_OP_FREE_PRE && *pval != NULL) {
		wipe_string(((CREDSSP_TSCREDENTIALS *)*pval)->credentials);
	}
	return 1;
}

ASN1_SEQUENCE_cb(CREDSSP_TSCREDENTIALS, tscredentials_cb) = {
	ASN1_EXP(CREDSSP_TSCREDENTIALS, credType, ASN1_INTEGER, 0),
	ASN1_EXP(CREDSSP_TSCREDENTIALS, credentials, ASN1_OCTET_STRING, 1),
} ASN1_SEQUENCE_END_cb(CREDSSP_TSCREDENTIALS, CREDSSP_TSCREDENTIALS)

IMPLEMENT_ASN1_FUNCTIONS(CREDSSP_TSCREDENTIALS)

/* TSPasswordCreds (2.2.1.2.1) */
static int tspasswordcreds_cb(int op, ASN1_VALUE **pval, const ASN1_ITEM *it, void *exarg)
{
	if (op == ASN1_OP_FREE_PRE && *pval != NULL) {
		wipe_string(((CREDSSP_TSPASSWORDCREDS *)*pval)->password);
	}
	return 1;
}

ASN1_SEQUENCE_cb(CREDSSP_TSPASSWORDCREDS, tspasswordcreds_cb) = {
	ASN1_EXP(CREDSSP_TSPASSWORDCREDS, domainName, ASN1_OCTET_STRING, 0),
	ASN1_EXP(CREDSSP_TSPASSWORDCREDS, userName, ASN1_OCTET_STRING, 1),
	ASN1_EXP(CREDSSP_TSPASSWORDCREDS, password, ASN1_OCTET_STRING, 2),
} ASN1_SEQUENCE_END_cb(CREDSSP_TSPASSWORDCREDS, CREDSSP_TSPASSWORDCREDS)

IMPLEMENT_ASN1_FUNCTIONS(CREDSSP_TSPASSWORDCREDS)

/* TSCspDataDetail (2.2.1.2.2.1) */
ASN1_SEQUENCE(CREDSSP_TSCSPDATADETAIL) = {
	ASN1_EXP(CREDSSP_TSCSPDATADETAIL, keySpec, ASN1_INTEGER, 0),
	ASN1_EXP_OPT(CREDSSP_TSCSPDATADETAIL, cardName, ASN1_OCTET_STRING, 1),
	ASN1_EXP_OPT(CREDSSP_TSCSPDATADETAIL, readerName, ASN1_OCTET_STRING, 2),
	ASN1_EXP_OPT(CREDSSP_TSCSPDATADETAIL, containerName, ASN1_OCTET_STRING, 3),
	ASN1_EXP_OPT(CREDSSP_TSCSPDATADETAIL, cspName, ASN1_OCTET_STRING, 4),
} static_ASN1_SEQUENCE_END(CREDSSP_TSCSPDATADETAIL)

/* TSSmartCardCreds (2.2.1.2.2) */
static int tssmartcardcreds_cb(int op, ASN1_VALUE **pval, const ASN1_ITEM *it, void *exarg)
{
	if (op == ASN1_OP_FREE_PRE && *pval != NULL) {
		wipe_string(((CREDSSP_TSSMARTCARDCREDS *)*pval)->pin);
	}
	return 1;
}

ASN1_SEQUENCE_cb(CREDSSP_TSSMARTCARDCREDS, tssmartcardcreds_cb) = {
	ASN1_EXP(CREDSSP_TSSMARTCARDCREDS, pin, ASN1_OCTET_STRING, 0),
	ASN1_EXP(CREDSSP_TSSMARTCARDCREDS, cspData, CREDSSP_TSCSPDATADETAIL, 1),
	ASN1_EXP_OPT(CREDSSP_TSSMARTCARDCREDS, userHint, ASN1_OCTET_STRING, 2),
	ASN1_EXP_OPT(CREDSSP_TSSMARTCARDCREDS, domainHint, ASN1_OCTET_STRING, 3),
} ASN1_SEQUENCE_END_cb(CREDSSP_TSSMARTCARDCREDS, CREDSSP_TSSMARTCARDCREDS)

IMPLEMENT_ASN1_FUNCTIONS(CREDSSP_TSSMARTCARDCREDS)

/* TSRemoteGuardPackageCred (2.2.1.2.3.1) */
static int packagecred_cb(int op, ASN1_VALUE **pval, const ASN1_ITEM *it, void *exarg)
{
	if (op == ASN1_OP_FREE_PRE && *pval != NULL) {
		wipe_string(((CREDSSP_TSREMOTEGUARDPACKAGECRED *)*pval)->credBuffer);
	}
	return 1;
}

ASN1_SEQUENCE_cb(CREDSSP_TSREMOTEGUARDPACKAGECRED, packagecred_cb) = {
	ASN1_EXP(CREDSSP_TSREMOTEGUARDPACKAGECRED, packageName, ASN1_OCTET_STRING, 0),
	ASN1_EXP(CREDSSP_TSREMOTEGUARDPACKAGECRED, credBuffer, ASN1_OCTET_STRING, 1),
} ASN1_SEQUENCE_END_cb(CREDSSP_TSREMOTEGUARDPACKAGECRED, CREDSSP_TSREMOTEGUARDPACKAGECRED)

/* TSRemoteGuardCreds (2.2.1.2.3) */
ASN1_SEQUENCE(CREDSSP_TSREMOTEGUARDCREDS) = {
	ASN1_EXP(CREDSSP_TSREMOTEGUARDCREDS, logonCred, CREDSSP_TSREMOTEGUARDPACKAGECRED, 0),
	ASN1_EXP_SEQUENCE_OF_OPT(CREDSSP_TSREMOTEGUARDCREDS, supplementalCreds,
				 CREDSSP_TSREMOTEGUARDPACKAGECRED, 1),
} ASN1_SEQUENCE_END(CREDSSP_TSREMOTEGUARDCREDS)

IMPLEMENT_ASN1_FUNCTIONS(CREDSSP_TSREMOTEGUARDCREDS)
/* ---- strict DER in and out --------------------------------------------- */

/*
 * credssp_der_decode: crypto_der_decode (strict DER, wiped re-encoding)
 * within CredSSP's size limit.
 */
NTSTATUS credssp_der_decode(const ASN1_ITEM *it, const uint8_t *buf, size_t len,
			    const char *not_der, ASN1_VALUE **out, const char **reason)
{
	const struct crypto_der_reasons why = {
		.undecodable = not_der,
		.trailing = "CredSSP message: trailing bytes after the DER value",
		.not_der = "CredSSP message is BER, not DER (a length, INTEGER or "
			   "string not in its one DER form)",
	};

	if (len > CREDSSP_MSG_MAX_LEN) {
		crypto_set_reason(reason, "CredSSP message longer than 1 MiB");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (buf == NULL && len > 0) {
		crypto_set_reason(reason, "CredSSP message: NULL buffer");
		return NT_STATUS_INVALID_PARAMETER;
	}
	return crypto_der_decode(it, buf, len, &why, out, reason);
}

/* credssp_der_encode encodes |v| into a new crypto_secret on mem_ctx. */
NTSTATUS credssp_der_encode(TALLOC_CTX *mem_ctx, const ASN1_ITEM *it, const ASN1_VALUE *v,
			    struct crypto_secret **out, const char **reason)
{
	int n = ASN1_item_i2d(v, NULL, it);
	struct crypto_secret *s;
	unsigned char *q;
	NTSTATUS status;

	if (n <= 0) {
		status = crypto_openssl_failure();
		return NT_STATUS_EQUAL(status, NT_STATUS_NO_MEMORY) ? status
								     : NT_STATUS_INTERNAL_ERROR;
	}
	if ((size_t)n > CREDSSP_MSG_MAX_LEN) {
		crypto_set_reason(reason, "CredSSP message would be longer than 1 MiB");
		return NT_STATUS_INVALID_PARAMETER;
	}
	s = crypto_secret_new(mem_ctx, (size_t)n);
	if (s == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	q = s->data;
	if (ASN1_item_i2d(v, &q, it) != n) {
		status = crypto_openssl_failure();
		talloc_free(s);
		return NT_STATUS_EQUAL(status, NT_STATUS_NO_MEMORY) ? status
								     : NT_STATUS_INTERNAL_ERROR;
	}
	*out = s;
	return NT_STATUS_OK;
}

/* ---- fields: OpenSSL -> ours -------------------------------------------- */

NTSTATUS credssp_too_long(const char **reason, const char *why)
{
	crypto_set_reason(reason, why);
	return NT_STATUS_INVALID_PARAMETER;
}

/* credssp_octets_get copies |s| into |dst| (on ctx); longer than |max| is malformed. */
NTSTATUS credssp_octets_get(TALLOC_CTX *ctx, const ASN1_OCTET_STRING *s, size_t max,
			    const char *why, struct credssp_octets *dst, const char **reason)
{
	size_t n = (size_t)ASN1_STRING_length(s);

	if (n > max) {
		return credssp_too_long(reason, why);
	}
	dst->len = n;
	dst->data = NULL;
	if (n > 0) {
		dst->data = talloc_memdup(ctx, ASN1_STRING_get0_data(s), n);
		if (dst->data == NULL) {
			return NT_STATUS_NO_MEMORY;
		}
	}
	return NT_STATUS_OK;
}

/* credssp_octets_get_opt: the same for an OPTIONAL field, NULL when absent. */
NTSTATUS credssp_octets_get_opt(TALLOC_CTX *ctx, const ASN1_OCTET_STRING *s, size_t max,
				const char *why, struct credssp_octets **dst, const char **reason)
{
	struct credssp_octets *o;
	NTSTATUS status;

	*dst = NULL;
	if (s == NULL) {
		return NT_STATUS_OK;
	}
	o = talloc_zero(ctx, struct credssp_octets);
	if (o == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	status = credssp_octets_get(o, s, max, why, o, reason);
	if (!NT_STATUS_IS_OK(status)) {
		talloc_free(o);
		return status;
	}
	*dst = o;
	return NT_STATUS_OK;
}

/* credssp_secret_get copies |s| into a new crypto_secret. */
NTSTATUS credssp_secret_get(TALLOC_CTX *ctx, const ASN1_OCTET_STRING *s, size_t max,
			    const char *why, struct crypto_secret **dst, const char **reason)
{
	size_t n = (size_t)ASN1_STRING_length(s);

	if (n > max) {
		return credssp_too_long(reason, why);
	}
	*dst = crypto_secret_dup(ctx, ASN1_STRING_get0_data(s), n);
	return *dst == NULL ? NT_STATUS_NO_MEMORY : NT_STATUS_OK;
}

/* credssp_integer_get: |ai| when it lies in [min, max]. */
bool credssp_integer_get(const ASN1_INTEGER *ai, int64_t min, int64_t max, int64_t *v)
{
	int64_t x;

	if (ASN1_INTEGER_get_int64(&x, ai) != 1) {
		ERR_clear_error();
		return false;
	}
	if (x < min || x > max) {
		return false;
	}
	*v = x;
	return true;
}

/* ---- fields: ours -> OpenSSL -------------------------------------------- */

static NTSTATUS bytes_set(ASN1_OCTET_STRING **dst, const uint8_t *data, size_t len, size_t max,
			  const char *why, const char **reason)
{
	if (len > max) {
		return credssp_too_long(reason, why);
	}
	if (data == NULL && len > 0) {
		crypto_set_reason(reason, "CredSSP string with a length and no data");
		return NT_STATUS_INVALID_PARAMETER;
	}
	*dst = ASN1_OCTET_STRING_new();
	if (*dst == NULL || !ASN1_OCTET_STRING_set(*dst, data, (int)len)) {
		ERR_clear_error();
		return NT_STATUS_NO_MEMORY;
	}
	return NT_STATUS_OK;
}

NTSTATUS credssp_octets_set(ASN1_OCTET_STRING **dst, const struct credssp_octets *o, size_t max,
			    const char *why, const char **reason)
{
	return bytes_set(dst, o->data, o->len, max, why, reason);
}

/* credssp_octets_set_opt leaves |dst| NULL (absent) when |o| is NULL. */
NTSTATUS credssp_octets_set_opt(ASN1_OCTET_STRING **dst, const struct credssp_octets *o,
				size_t max, const char *why, const char **reason)
{
	return o == NULL ? NT_STATUS_OK : credssp_octets_set(dst, o, max, why, reason);
}

NTSTATUS credssp_secret_set(ASN1_OCTET_STRING **dst, const struct crypto_secret *s, size_t max,
			    const char *missing, const char *why, const char **reason)
{
	if (s == NULL) {
		crypto_set_reason(reason, missing);
		return NT_STATUS_INVALID_PARAMETER;
	}
	return bytes_set(dst, s->data, s->len, max, why, reason);
}

NTSTATUS credssp_integer_set(ASN1_INTEGER **dst, int64_t v)
{
	*dst = ASN1_INTEGER_new();
	if (*dst == NULL || !ASN1_INTEGER_set_int64(*dst, v)) {
		ERR_clear_error();
		return NT_STATUS_NO_MEMORY;
	}
	return NT_STATUS_OK;
}
