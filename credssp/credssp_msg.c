/*
 * credssp_msg.c: the MS-CSSP 2.2.1 messages on OpenSSL's ASN.1 templates.
 * See credssp_msg.h.
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
#include "credssp/credssp_msg.h"
#include "crypto/wire/text.h"

#include <limits.h>
#include <string.h>

#include <openssl/asn1t.h>
#include <openssl/crypto.h>
#include <openssl/err.h>

/* ---- the ASN.1 definitions --------------------------------------------- */

/* NegoData ::= SEQUENCE OF SEQUENCE { negoToken [0] OCTET STRING } (2.2.1.1) */
typedef struct {
	ASN1_OCTET_STRING *negoToken;
} CREDSSP_NEGO_TOKEN;

ASN1_SEQUENCE(CREDSSP_NEGO_TOKEN) = {
	ASN1_EXP(CREDSSP_NEGO_TOKEN, negoToken, ASN1_OCTET_STRING, 0),
} static_ASN1_SEQUENCE_END(CREDSSP_NEGO_TOKEN)

DEFINE_STACK_OF(CREDSSP_NEGO_TOKEN)

/* TSRequest (2.2.1) */
typedef struct {
	ASN1_INTEGER *version;
	STACK_OF(CREDSSP_NEGO_TOKEN) *negoTokens;
	ASN1_OCTET_STRING *authInfo;
	ASN1_OCTET_STRING *pubKeyAuth;
	ASN1_INTEGER *errorCode;
	ASN1_OCTET_STRING *clientNonce;
} CREDSSP_TSREQUEST;

DECLARE_ASN1_FUNCTIONS(CREDSSP_TSREQUEST)

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
typedef struct {
	ASN1_INTEGER *credType;
	ASN1_OCTET_STRING *credentials;
} CREDSSP_TSCREDENTIALS;

DECLARE_ASN1_FUNCTIONS(CREDSSP_TSCREDENTIALS)

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
typedef struct {
	ASN1_OCTET_STRING *domainName;
	ASN1_OCTET_STRING *userName;
	ASN1_OCTET_STRING *password;
} CREDSSP_TSPASSWORDCREDS;

DECLARE_ASN1_FUNCTIONS(CREDSSP_TSPASSWORDCREDS)

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
typedef struct {
	ASN1_INTEGER *keySpec;
	ASN1_OCTET_STRING *cardName;
	ASN1_OCTET_STRING *readerName;
	ASN1_OCTET_STRING *containerName;
	ASN1_OCTET_STRING *cspName;
} CREDSSP_TSCSPDATADETAIL;

ASN1_SEQUENCE(CREDSSP_TSCSPDATADETAIL) = {
	ASN1_EXP(CREDSSP_TSCSPDATADETAIL, keySpec, ASN1_INTEGER, 0),
	ASN1_EXP_OPT(CREDSSP_TSCSPDATADETAIL, cardName, ASN1_OCTET_STRING, 1),
	ASN1_EXP_OPT(CREDSSP_TSCSPDATADETAIL, readerName, ASN1_OCTET_STRING, 2),
	ASN1_EXP_OPT(CREDSSP_TSCSPDATADETAIL, containerName, ASN1_OCTET_STRING, 3),
	ASN1_EXP_OPT(CREDSSP_TSCSPDATADETAIL, cspName, ASN1_OCTET_STRING, 4),
} static_ASN1_SEQUENCE_END(CREDSSP_TSCSPDATADETAIL)

/* TSSmartCardCreds (2.2.1.2.2) */
typedef struct {
	ASN1_OCTET_STRING *pin;
	CREDSSP_TSCSPDATADETAIL *cspData;
	ASN1_OCTET_STRING *userHint;
	ASN1_OCTET_STRING *domainHint;
} CREDSSP_TSSMARTCARDCREDS;

DECLARE_ASN1_FUNCTIONS(CREDSSP_TSSMARTCARDCREDS)

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
typedef struct {
	ASN1_OCTET_STRING *packageName;
	ASN1_OCTET_STRING *credBuffer;
} CREDSSP_TSREMOTEGUARDPACKAGECRED;

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
} static_ASN1_SEQUENCE_END_cb(CREDSSP_TSREMOTEGUARDPACKAGECRED,
			      CREDSSP_TSREMOTEGUARDPACKAGECRED)

DEFINE_STACK_OF(CREDSSP_TSREMOTEGUARDPACKAGECRED)

/* TSRemoteGuardCreds (2.2.1.2.3) */
typedef struct {
	CREDSSP_TSREMOTEGUARDPACKAGECRED *logonCred;
	STACK_OF(CREDSSP_TSREMOTEGUARDPACKAGECRED) *supplementalCreds;
} CREDSSP_TSREMOTEGUARDCREDS;

DECLARE_ASN1_FUNCTIONS(CREDSSP_TSREMOTEGUARDCREDS)

ASN1_SEQUENCE(CREDSSP_TSREMOTEGUARDCREDS) = {
	ASN1_EXP(CREDSSP_TSREMOTEGUARDCREDS, logonCred, CREDSSP_TSREMOTEGUARDPACKAGECRED, 0),
	ASN1_EXP_SEQUENCE_OF_OPT(CREDSSP_TSREMOTEGUARDCREDS, supplementalCreds,
				 CREDSSP_TSREMOTEGUARDPACKAGECRED, 1),
} ASN1_SEQUENCE_END(CREDSSP_TSREMOTEGUARDCREDS)

IMPLEMENT_ASN1_FUNCTIONS(CREDSSP_TSREMOTEGUARDCREDS)

/* ---- strict DER in and out --------------------------------------------- */

/*
 * openssl_failure: the status for an OpenSSL decode or encode failure.
 * OpenSSL 3.0 reports an allocation failure as ERR_R_MALLOC_FAILURE among
 * the decoding errors; anything else is the input's fault.  Clears the
 * queue either way.
 */
static NTSTATUS openssl_failure(void)
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

/*
 * der_decode decodes one value of |it| that must span all |len| bytes and
 * be exactly what OpenSSL encodes back (DER, not BER).  The re-encoding
 * goes through a wiped buffer: it may hold a password.
 */
static NTSTATUS der_decode(const ASN1_ITEM *it, const uint8_t *buf, size_t len,
			   const char *not_der, ASN1_VALUE **out, const char **reason)
{
	const unsigned char *p = buf;
	unsigned char *q;
	struct crypto_secret *again;
	ASN1_VALUE *v;
	NTSTATUS status;
	int n;

	if (len > CREDSSP_MSG_MAX_LEN) {
		crypto_set_reason(reason, "CredSSP message longer than 1 MiB");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (buf == NULL && len > 0) {
		crypto_set_reason(reason, "CredSSP message: NULL buffer");
		return NT_STATUS_INVALID_PARAMETER;
	}
	v = len == 0 ? NULL : ASN1_item_d2i(NULL, &p, (long)len, it);
	if (v == NULL) {
		status = openssl_failure();
		crypto_set_reason(reason, not_der);
		return status;
	}
	if (p != buf + len) {
		ASN1_item_free(v, it);
		crypto_set_reason(reason, "CredSSP message: trailing bytes after the DER value");
		return NT_STATUS_INVALID_PARAMETER;
	}
	n = ASN1_item_i2d(v, NULL, it);
	if (n < 0) {
		status = openssl_failure();
		ASN1_item_free(v, it);
		crypto_set_reason(reason, not_der);
		return status;
	}
	if ((size_t)n != len) {
		ASN1_item_free(v, it);
		crypto_set_reason(reason, "CredSSP message is BER, not DER (a length, INTEGER or "
					  "string not in its one DER form)");
		return NT_STATUS_INVALID_PARAMETER;
	}
	again = crypto_secret_new(NULL, len);
	if (again == NULL) {
		ASN1_item_free(v, it);
		return NT_STATUS_NO_MEMORY;
	}
	q = again->data;
	if (ASN1_item_i2d(v, &q, it) != n) {
		status = openssl_failure();
		talloc_free(again);
		ASN1_item_free(v, it);
		return NT_STATUS_EQUAL(status, NT_STATUS_NO_MEMORY) ? status
								     : NT_STATUS_INTERNAL_ERROR;
	}
	if (memcmp(again->data, buf, len) != 0) {
		talloc_free(again);
		ASN1_item_free(v, it);
		crypto_set_reason(reason, "CredSSP message is BER, not DER (a length, INTEGER or "
					  "string not in its one DER form)");
		return NT_STATUS_INVALID_PARAMETER;
	}
	talloc_free(again);
	*out = v;
	return NT_STATUS_OK;
}

/* der_encode encodes |v| into a new crypto_secret on mem_ctx. */
static NTSTATUS der_encode(TALLOC_CTX *mem_ctx, const ASN1_ITEM *it, const ASN1_VALUE *v,
			   struct crypto_secret **out, const char **reason)
{
	int n = ASN1_item_i2d(v, NULL, it);
	struct crypto_secret *s;
	unsigned char *q;
	NTSTATUS status;

	if (n <= 0) {
		status = openssl_failure();
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
		status = openssl_failure();
		talloc_free(s);
		return NT_STATUS_EQUAL(status, NT_STATUS_NO_MEMORY) ? status
								     : NT_STATUS_INTERNAL_ERROR;
	}
	*out = s;
	return NT_STATUS_OK;
}

/* ---- fields: OpenSSL -> ours -------------------------------------------- */

static NTSTATUS too_long(const char **reason, const char *why)
{
	crypto_set_reason(reason, why);
	return NT_STATUS_INVALID_PARAMETER;
}

/* octets_get copies |s| into |dst| (on ctx); longer than |max| is malformed. */
static NTSTATUS octets_get(TALLOC_CTX *ctx, const ASN1_OCTET_STRING *s, size_t max,
			   const char *why, struct credssp_octets *dst, const char **reason)
{
	size_t n = (size_t)ASN1_STRING_length(s);

	if (n > max) {
		return too_long(reason, why);
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

/* octets_get_opt: the same for an OPTIONAL field, NULL when absent. */
static NTSTATUS octets_get_opt(TALLOC_CTX *ctx, const ASN1_OCTET_STRING *s, size_t max,
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
	status = octets_get(o, s, max, why, o, reason);
	if (!NT_STATUS_IS_OK(status)) {
		talloc_free(o);
		return status;
	}
	*dst = o;
	return NT_STATUS_OK;
}

/* secret_get copies |s| into a new crypto_secret. */
static NTSTATUS secret_get(TALLOC_CTX *ctx, const ASN1_OCTET_STRING *s, size_t max,
			   const char *why, struct crypto_secret **dst, const char **reason)
{
	size_t n = (size_t)ASN1_STRING_length(s);

	if (n > max) {
		return too_long(reason, why);
	}
	*dst = crypto_secret_dup(ctx, ASN1_STRING_get0_data(s), n);
	return *dst == NULL ? NT_STATUS_NO_MEMORY : NT_STATUS_OK;
}

/* integer_get: |ai| when it lies in [min, max]. */
static bool integer_get(const ASN1_INTEGER *ai, int64_t min, int64_t max, int64_t *v)
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
		return too_long(reason, why);
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

static NTSTATUS octets_set(ASN1_OCTET_STRING **dst, const struct credssp_octets *o, size_t max,
			   const char *why, const char **reason)
{
	return bytes_set(dst, o->data, o->len, max, why, reason);
}

/* octets_set_opt leaves |dst| NULL (absent) when |o| is NULL. */
static NTSTATUS octets_set_opt(ASN1_OCTET_STRING **dst, const struct credssp_octets *o,
			       size_t max, const char *why, const char **reason)
{
	return o == NULL ? NT_STATUS_OK : octets_set(dst, o, max, why, reason);
}

static NTSTATUS secret_set(ASN1_OCTET_STRING **dst, const struct crypto_secret *s, size_t max,
			   const char *missing, const char *why, const char **reason)
{
	if (s == NULL) {
		crypto_set_reason(reason, missing);
		return NT_STATUS_INVALID_PARAMETER;
	}
	return bytes_set(dst, s->data, s->len, max, why, reason);
}

static NTSTATUS integer_set(ASN1_INTEGER **dst, int64_t v)
{
	*dst = ASN1_INTEGER_new();
	if (*dst == NULL || !ASN1_INTEGER_set_int64(*dst, v)) {
		ERR_clear_error();
		return NT_STATUS_NO_MEMORY;
	}
	return NT_STATUS_OK;
}

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

	if (!integer_get(a->version, CREDSSP_VERSION_MIN, CREDSSP_VERSION_MAX, &v)) {
		crypto_set_reason(reason, "TSRequest version is not between 1 and 255");
		return NT_STATUS_INVALID_PARAMETER;
	}
	r->version = (uint32_t)v;
	if (a->negoTokens != NULL) {
		int n = sk_CREDSSP_NEGO_TOKEN_num(a->negoTokens);

		if (n < 0 || n > CREDSSP_NEGO_TOKENS_MAX) {
			return too_long(reason, "TSRequest has more than 8 negoTokens");
		}
		r->has_nego_tokens = true;
		r->num_nego_tokens = (size_t)n;
		r->nego_tokens = talloc_zero_array(r, struct credssp_octets, (size_t)n + 1);
		if (r->nego_tokens == NULL) {
			return NT_STATUS_NO_MEMORY;
		}
		for (int i = 0; i < n; i++) {
			const CREDSSP_NEGO_TOKEN *t = sk_CREDSSP_NEGO_TOKEN_value(a->negoTokens, i);

			status = octets_get(r->nego_tokens, t->negoToken, CREDSSP_NEGO_TOKEN_MAX_LEN,
					    "TSRequest negoToken longer than 64 KiB",
					    &r->nego_tokens[i], reason);
			if (!NT_STATUS_IS_OK(status)) {
				return status;
			}
		}
	}
	status = octets_get_opt(r, a->authInfo, CREDSSP_AUTH_INFO_MAX_LEN,
				"TSRequest authInfo longer than 64 KiB", &r->auth_info, reason);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	status = octets_get_opt(r, a->pubKeyAuth, CREDSSP_PUB_KEY_AUTH_MAX_LEN,
				"TSRequest pubKeyAuth longer than 64 KiB", &r->pub_key_auth, reason);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	if (a->errorCode != NULL) {
		if (!integer_get(a->errorCode, INT32_MIN, INT32_MAX, &v)) {
			crypto_set_reason(reason, "TSRequest errorCode is not a signed 32-bit "
						  "INTEGER");
			return NT_STATUS_INVALID_PARAMETER;
		}
		r->has_error_code = true;
		r->error_code = int_to_ntstatus(v);
	}
	return octets_get_opt(r, a->clientNonce, CREDSSP_CLIENT_NONCE_MAX_LEN,
			      "TSRequest clientNonce longer than 256 bytes", &r->client_nonce,
			      reason);
}

NTSTATUS credssp_tsrequest_parse(TALLOC_CTX *mem_ctx, const uint8_t *buf, size_t len,
				 struct credssp_tsrequest **out, const char **reason)
{
	CREDSSP_TSREQUEST *a = NULL;
	struct credssp_tsrequest *r;
	NTSTATUS status;

	status = der_decode(ASN1_ITEM_rptr(CREDSSP_TSREQUEST), buf, len,
			    "not a DER TSRequest (MS-CSSP 2.2.1)", (ASN1_VALUE **)&a, reason);
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
	status = integer_set(&a->version, r->version);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	if (r->has_nego_tokens) {
		if (r->num_nego_tokens > CREDSSP_NEGO_TOKENS_MAX) {
			return too_long(reason, "TSRequest has more than 8 negoTokens");
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
			status = octets_set(&t->negoToken, &r->nego_tokens[i],
					    CREDSSP_NEGO_TOKEN_MAX_LEN,
					    "TSRequest negoToken longer than 64 KiB", reason);
			if (!NT_STATUS_IS_OK(status)) {
				return status;
			}
		}
	}
	status = octets_set_opt(&a->authInfo, r->auth_info, CREDSSP_AUTH_INFO_MAX_LEN,
				"TSRequest authInfo longer than 64 KiB", reason);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	status = octets_set_opt(&a->pubKeyAuth, r->pub_key_auth, CREDSSP_PUB_KEY_AUTH_MAX_LEN,
				"TSRequest pubKeyAuth longer than 64 KiB", reason);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	if (r->has_error_code) {
		status = integer_set(&a->errorCode, ntstatus_to_int(r->error_code));
		if (!NT_STATUS_IS_OK(status)) {
			return status;
		}
	}
	return octets_set_opt(&a->clientNonce, r->client_nonce, CREDSSP_CLIENT_NONCE_MAX_LEN,
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
		status = der_encode(NULL, ASN1_ITEM_rptr(CREDSSP_TSREQUEST), (ASN1_VALUE *)a,
				    &der, reason);
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

/* ---- TSCredentials ------------------------------------------------------ */

static bool cred_type_known(int64_t v)
{
	return v == CREDSSP_CRED_PASSWORD || v == CREDSSP_CRED_SMARTCARD ||
	       v == CREDSSP_CRED_REMOTE_GUARD;
}

NTSTATUS credssp_tscredentials_parse(TALLOC_CTX *mem_ctx, const uint8_t *buf, size_t len,
				     struct credssp_tscredentials **out, const char **reason)
{
	CREDSSP_TSCREDENTIALS *a = NULL;
	struct credssp_tscredentials *r;
	NTSTATUS status;
	int64_t v;

	status = der_decode(ASN1_ITEM_rptr(CREDSSP_TSCREDENTIALS), buf, len,
			    "not a DER TSCredentials (MS-CSSP 2.2.1.2)", (ASN1_VALUE **)&a,
			    reason);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	r = talloc_zero(mem_ctx, struct credssp_tscredentials);
	if (r == NULL) {
		status = NT_STATUS_NO_MEMORY;
	} else if (!integer_get(a->credType, INT32_MIN, INT32_MAX, &v) || !cred_type_known(v)) {
		crypto_set_reason(reason, "TSCredentials credType is not 1, 2 or 6");
		status = NT_STATUS_INVALID_PARAMETER;
	} else {
		r->cred_type = (enum credssp_cred_type)v;
		status = secret_get(r, a->credentials, CREDSSP_CREDENTIALS_MAX_LEN,
				    "TSCredentials credentials longer than 64 KiB",
				    &r->credentials, reason);
	}
	CREDSSP_TSCREDENTIALS_free(a);
	if (!NT_STATUS_IS_OK(status)) {
		talloc_free(r);
		return status;
	}
	*out = r;
	return NT_STATUS_OK;
}

NTSTATUS credssp_tscredentials_build(TALLOC_CTX *mem_ctx,
				     const struct credssp_tscredentials *creds,
				     struct crypto_secret **out, const char **reason)
{
	CREDSSP_TSCREDENTIALS *a = CREDSSP_TSCREDENTIALS_new();
	NTSTATUS status;

	if (a == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	ASN1_INTEGER_free(a->credType);
	ASN1_OCTET_STRING_free(a->credentials);
	a->credType = NULL;
	a->credentials = NULL;
	if (!cred_type_known(creds->cred_type)) {
		crypto_set_reason(reason, "TSCredentials credType is not 1, 2 or 6");
		status = NT_STATUS_INVALID_PARAMETER;
	} else {
		status = integer_set(&a->credType, creds->cred_type);
	}
	if (NT_STATUS_IS_OK(status)) {
		status = secret_set(&a->credentials, creds->credentials,
				    CREDSSP_CREDENTIALS_MAX_LEN, "TSCredentials without credentials",
				    "TSCredentials credentials longer than 64 KiB", reason);
	}
	if (NT_STATUS_IS_OK(status)) {
		status = der_encode(mem_ctx, ASN1_ITEM_rptr(CREDSSP_TSCREDENTIALS),
				    (ASN1_VALUE *)a, out, reason);
	}
	CREDSSP_TSCREDENTIALS_free(a);
	return status;
}

/* ---- TSPasswordCreds ---------------------------------------------------- */

NTSTATUS credssp_tspasswordcreds_parse(TALLOC_CTX *mem_ctx, const uint8_t *buf, size_t len,
				       struct credssp_tspasswordcreds **out,
				       const char **reason)
{
	CREDSSP_TSPASSWORDCREDS *a = NULL;
	struct credssp_tspasswordcreds *r;
	NTSTATUS status;

	status = der_decode(ASN1_ITEM_rptr(CREDSSP_TSPASSWORDCREDS), buf, len,
			    "not a DER TSPasswordCreds (MS-CSSP 2.2.1.2.1)", (ASN1_VALUE **)&a,
			    reason);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	r = talloc_zero(mem_ctx, struct credssp_tspasswordcreds);
	status = r == NULL ? NT_STATUS_NO_MEMORY
			   : octets_get(r, a->domainName, CREDSSP_STRING_MAX_LEN,
					"TSPasswordCreds domainName longer than 4 KiB",
					&r->domain_name, reason);
	if (NT_STATUS_IS_OK(status)) {
		status = octets_get(r, a->userName, CREDSSP_STRING_MAX_LEN,
				    "TSPasswordCreds userName longer than 4 KiB", &r->user_name,
				    reason);
	}
	if (NT_STATUS_IS_OK(status)) {
		status = secret_get(r, a->password, CREDSSP_STRING_MAX_LEN,
				    "TSPasswordCreds password longer than 4 KiB", &r->password,
				    reason);
	}
	CREDSSP_TSPASSWORDCREDS_free(a);
	if (!NT_STATUS_IS_OK(status)) {
		talloc_free(r);
		return status;
	}
	*out = r;
	return NT_STATUS_OK;
}

NTSTATUS credssp_tspasswordcreds_build(TALLOC_CTX *mem_ctx,
				       const struct credssp_tspasswordcreds *creds,
				       struct crypto_secret **out, const char **reason)
{
	CREDSSP_TSPASSWORDCREDS *a = CREDSSP_TSPASSWORDCREDS_new();
	NTSTATUS status;

	if (a == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	ASN1_OCTET_STRING_free(a->domainName);
	ASN1_OCTET_STRING_free(a->userName);
	ASN1_OCTET_STRING_free(a->password);
	a->domainName = a->userName = a->password = NULL;
	status = octets_set(&a->domainName, &creds->domain_name, CREDSSP_STRING_MAX_LEN,
			    "TSPasswordCreds domainName longer than 4 KiB", reason);
	if (NT_STATUS_IS_OK(status)) {
		status = octets_set(&a->userName, &creds->user_name, CREDSSP_STRING_MAX_LEN,
				    "TSPasswordCreds userName longer than 4 KiB", reason);
	}
	if (NT_STATUS_IS_OK(status)) {
		status = secret_set(&a->password, creds->password, CREDSSP_STRING_MAX_LEN,
				    "TSPasswordCreds without a password",
				    "TSPasswordCreds password longer than 4 KiB", reason);
	}
	if (NT_STATUS_IS_OK(status)) {
		status = der_encode(mem_ctx, ASN1_ITEM_rptr(CREDSSP_TSPASSWORDCREDS),
				    (ASN1_VALUE *)a, out, reason);
	}
	CREDSSP_TSPASSWORDCREDS_free(a);
	return status;
}

/* ---- TSSmartCardCreds --------------------------------------------------- */

static NTSTATUS smartcard_from_asn1(struct credssp_tssmartcardcreds *r,
				    const CREDSSP_TSSMARTCARDCREDS *a, const char **reason)
{
	const CREDSSP_TSCSPDATADETAIL *c = a->cspData;
	struct credssp_tscspdatadetail *d = &r->csp_data;
	NTSTATUS status;
	int64_t v;

	status = secret_get(r, a->pin, CREDSSP_STRING_MAX_LEN,
			    "TSSmartCardCreds pin longer than 4 KiB", &r->pin, reason);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	if (!integer_get(c->keySpec, INT32_MIN, INT32_MAX, &v)) {
		crypto_set_reason(reason, "TSCspDataDetail keySpec is not a signed 32-bit "
					  "INTEGER");
		return NT_STATUS_INVALID_PARAMETER;
	}
	d->key_spec = (int32_t)v;
	status = octets_get_opt(r, c->cardName, CREDSSP_STRING_MAX_LEN,
				"TSCspDataDetail cardName longer than 4 KiB", &d->card_name, reason);
	if (NT_STATUS_IS_OK(status)) {
		status = octets_get_opt(r, c->readerName, CREDSSP_STRING_MAX_LEN,
					"TSCspDataDetail readerName longer than 4 KiB",
					&d->reader_name, reason);
	}
	if (NT_STATUS_IS_OK(status)) {
		status = octets_get_opt(r, c->containerName, CREDSSP_STRING_MAX_LEN,
					"TSCspDataDetail containerName longer than 4 KiB",
					&d->container_name, reason);
	}
	if (NT_STATUS_IS_OK(status)) {
		status = octets_get_opt(r, c->cspName, CREDSSP_STRING_MAX_LEN,
					"TSCspDataDetail cspName longer than 4 KiB", &d->csp_name,
					reason);
	}
	if (NT_STATUS_IS_OK(status)) {
		status = octets_get_opt(r, a->userHint, CREDSSP_STRING_MAX_LEN,
					"TSSmartCardCreds userHint longer than 4 KiB",
					&r->user_hint, reason);
	}
	if (NT_STATUS_IS_OK(status)) {
		status = octets_get_opt(r, a->domainHint, CREDSSP_STRING_MAX_LEN,
					"TSSmartCardCreds domainHint longer than 4 KiB",
					&r->domain_hint, reason);
	}
	return status;
}

NTSTATUS credssp_tssmartcardcreds_parse(TALLOC_CTX *mem_ctx, const uint8_t *buf, size_t len,
					struct credssp_tssmartcardcreds **out,
					const char **reason)
{
	CREDSSP_TSSMARTCARDCREDS *a = NULL;
	struct credssp_tssmartcardcreds *r;
	NTSTATUS status;

	status = der_decode(ASN1_ITEM_rptr(CREDSSP_TSSMARTCARDCREDS), buf, len,
			    "not a DER TSSmartCardCreds (MS-CSSP 2.2.1.2.2)", (ASN1_VALUE **)&a,
			    reason);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	r = talloc_zero(mem_ctx, struct credssp_tssmartcardcreds);
	status = r == NULL ? NT_STATUS_NO_MEMORY : smartcard_from_asn1(r, a, reason);
	CREDSSP_TSSMARTCARDCREDS_free(a);
	if (!NT_STATUS_IS_OK(status)) {
		talloc_free(r);
		return status;
	}
	*out = r;
	return NT_STATUS_OK;
}

static NTSTATUS smartcard_to_asn1(CREDSSP_TSSMARTCARDCREDS *a,
				  const struct credssp_tssmartcardcreds *r, const char **reason)
{
	CREDSSP_TSCSPDATADETAIL *c = a->cspData;
	const struct credssp_tscspdatadetail *d = &r->csp_data;
	NTSTATUS status;

	status = secret_set(&a->pin, r->pin, CREDSSP_STRING_MAX_LEN,
			    "TSSmartCardCreds without a pin",
			    "TSSmartCardCreds pin longer than 4 KiB", reason);
	if (NT_STATUS_IS_OK(status)) {
		status = integer_set(&c->keySpec, d->key_spec);
	}
	if (NT_STATUS_IS_OK(status)) {
		status = octets_set_opt(&c->cardName, d->card_name, CREDSSP_STRING_MAX_LEN,
					"TSCspDataDetail cardName longer than 4 KiB", reason);
	}
	if (NT_STATUS_IS_OK(status)) {
		status = octets_set_opt(&c->readerName, d->reader_name, CREDSSP_STRING_MAX_LEN,
					"TSCspDataDetail readerName longer than 4 KiB", reason);
	}
	if (NT_STATUS_IS_OK(status)) {
		status = octets_set_opt(&c->containerName, d->container_name,
					CREDSSP_STRING_MAX_LEN,
					"TSCspDataDetail containerName longer than 4 KiB", reason);
	}
	if (NT_STATUS_IS_OK(status)) {
		status = octets_set_opt(&c->cspName, d->csp_name, CREDSSP_STRING_MAX_LEN,
					"TSCspDataDetail cspName longer than 4 KiB", reason);
	}
	if (NT_STATUS_IS_OK(status)) {
		status = octets_set_opt(&a->userHint, r->user_hint, CREDSSP_STRING_MAX_LEN,
					"TSSmartCardCreds userHint longer than 4 KiB", reason);
	}
	if (NT_STATUS_IS_OK(status)) {
		status = octets_set_opt(&a->domainHint, r->domain_hint, CREDSSP_STRING_MAX_LEN,
					"TSSmartCardCreds domainHint longer than 4 KiB", reason);
	}
	return status;
}

NTSTATUS credssp_tssmartcardcreds_build(TALLOC_CTX *mem_ctx,
					const struct credssp_tssmartcardcreds *creds,
					struct crypto_secret **out, const char **reason)
{
	CREDSSP_TSSMARTCARDCREDS *a = CREDSSP_TSSMARTCARDCREDS_new();
	NTSTATUS status;

	if (a == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	ASN1_OCTET_STRING_free(a->pin);
	a->pin = NULL;
	ASN1_INTEGER_free(a->cspData->keySpec);
	a->cspData->keySpec = NULL;
	status = smartcard_to_asn1(a, creds, reason);
	if (NT_STATUS_IS_OK(status)) {
		status = der_encode(mem_ctx, ASN1_ITEM_rptr(CREDSSP_TSSMARTCARDCREDS),
				    (ASN1_VALUE *)a, out, reason);
	}
	CREDSSP_TSSMARTCARDCREDS_free(a);
	return status;
}

/* ---- TSRemoteGuardCreds ------------------------------------------------- */

static NTSTATUS packagecred_get(TALLOC_CTX *ctx, const CREDSSP_TSREMOTEGUARDPACKAGECRED *a,
				struct credssp_tsremoteguardpackagecred *p, const char **reason)
{
	NTSTATUS status;

	status = octets_get(ctx, a->packageName, CREDSSP_STRING_MAX_LEN,
			    "TSRemoteGuardPackageCred packageName longer than 4 KiB",
			    &p->package_name, reason);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	return secret_get(ctx, a->credBuffer, CREDSSP_CRED_BUFFER_MAX_LEN,
			  "TSRemoteGuardPackageCred credBuffer longer than 64 KiB",
			  &p->cred_buffer, reason);
}

static NTSTATUS remoteguard_from_asn1(struct credssp_tsremoteguardcreds *r,
				      const CREDSSP_TSREMOTEGUARDCREDS *a, const char **reason)
{
	NTSTATUS status;
	int n;

	status = packagecred_get(r, a->logonCred, &r->logon_cred, reason);
	if (!NT_STATUS_IS_OK(status) || a->supplementalCreds == NULL) {
		return status;
	}
	n = sk_CREDSSP_TSREMOTEGUARDPACKAGECRED_num(a->supplementalCreds);
	if (n < 0 || n > CREDSSP_SUPPLEMENTAL_CREDS_MAX) {
		return too_long(reason, "TSRemoteGuardCreds has more than 16 supplementalCreds");
	}
	r->has_supplemental_creds = true;
	r->num_supplemental_creds = (size_t)n;
	r->supplemental_creds = talloc_zero_array(r, struct credssp_tsremoteguardpackagecred,
						  (size_t)n + 1);
	if (r->supplemental_creds == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	for (int i = 0; i < n && NT_STATUS_IS_OK(status); i++) {
		status = packagecred_get(
			r->supplemental_creds,
			sk_CREDSSP_TSREMOTEGUARDPACKAGECRED_value(a->supplementalCreds, i),
			&r->supplemental_creds[i], reason);
	}
	return status;
}

NTSTATUS credssp_tsremoteguardcreds_parse(TALLOC_CTX *mem_ctx, const uint8_t *buf,
					  size_t len, struct credssp_tsremoteguardcreds **out,
					  const char **reason)
{
	CREDSSP_TSREMOTEGUARDCREDS *a = NULL;
	struct credssp_tsremoteguardcreds *r;
	NTSTATUS status;

	status = der_decode(ASN1_ITEM_rptr(CREDSSP_TSREMOTEGUARDCREDS), buf, len,
			    "not a DER TSRemoteGuardCreds (MS-CSSP 2.2.1.2.3)", (ASN1_VALUE **)&a,
			    reason);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	r = talloc_zero(mem_ctx, struct credssp_tsremoteguardcreds);
	status = r == NULL ? NT_STATUS_NO_MEMORY : remoteguard_from_asn1(r, a, reason);
	CREDSSP_TSREMOTEGUARDCREDS_free(a);
	if (!NT_STATUS_IS_OK(status)) {
		talloc_free(r);
		return status;
	}
	*out = r;
	return NT_STATUS_OK;
}

/* packagecred_set fills a template-made TSRemoteGuardPackageCred. */
static NTSTATUS packagecred_set(CREDSSP_TSREMOTEGUARDPACKAGECRED *a,
				const struct credssp_tsremoteguardpackagecred *p,
				const char **reason)
{
	NTSTATUS status;

	ASN1_OCTET_STRING_free(a->packageName);
	ASN1_OCTET_STRING_free(a->credBuffer);
	a->packageName = a->credBuffer = NULL;
	status = octets_set(&a->packageName, &p->package_name, CREDSSP_STRING_MAX_LEN,
			    "TSRemoteGuardPackageCred packageName longer than 4 KiB", reason);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	return secret_set(&a->credBuffer, p->cred_buffer, CREDSSP_CRED_BUFFER_MAX_LEN,
			  "TSRemoteGuardPackageCred without a credBuffer",
			  "TSRemoteGuardPackageCred credBuffer longer than 64 KiB", reason);
}

static NTSTATUS remoteguard_to_asn1(CREDSSP_TSREMOTEGUARDCREDS *a,
				    const struct credssp_tsremoteguardcreds *r,
				    const char **reason)
{
	const ASN1_ITEM *it = ASN1_ITEM_rptr(CREDSSP_TSREMOTEGUARDPACKAGECRED);
	NTSTATUS status;

	status = packagecred_set(a->logonCred, &r->logon_cred, reason);
	if (!NT_STATUS_IS_OK(status) || !r->has_supplemental_creds) {
		return status;
	}
	if (r->num_supplemental_creds > CREDSSP_SUPPLEMENTAL_CREDS_MAX) {
		return too_long(reason, "TSRemoteGuardCreds has more than 16 supplementalCreds");
	}
	if (r->num_supplemental_creds > 0 && r->supplemental_creds == NULL) {
		crypto_set_reason(reason, "TSRemoteGuardCreds supplementalCreds counted but "
					  "missing");
		return NT_STATUS_INVALID_PARAMETER;
	}
	a->supplementalCreds = sk_CREDSSP_TSREMOTEGUARDPACKAGECRED_new_null();
	if (a->supplementalCreds == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	for (size_t i = 0; i < r->num_supplemental_creds; i++) {
		CREDSSP_TSREMOTEGUARDPACKAGECRED *p =
			(CREDSSP_TSREMOTEGUARDPACKAGECRED *)ASN1_item_new(it);

		if (p == NULL ||
		    sk_CREDSSP_TSREMOTEGUARDPACKAGECRED_push(a->supplementalCreds, p) <= 0) {
			ASN1_item_free((ASN1_VALUE *)p, it);
			return NT_STATUS_NO_MEMORY;
		}
		status = packagecred_set(p, &r->supplemental_creds[i], reason);
		if (!NT_STATUS_IS_OK(status)) {
			return status;
		}
	}
	return NT_STATUS_OK;
}

NTSTATUS credssp_tsremoteguardcreds_build(TALLOC_CTX *mem_ctx,
					  const struct credssp_tsremoteguardcreds *creds,
					  struct crypto_secret **out, const char **reason)
{
	CREDSSP_TSREMOTEGUARDCREDS *a = CREDSSP_TSREMOTEGUARDCREDS_new();
	NTSTATUS status;

	if (a == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	status = remoteguard_to_asn1(a, creds, reason);
	if (NT_STATUS_IS_OK(status)) {
		status = der_encode(mem_ctx, ASN1_ITEM_rptr(CREDSSP_TSREMOTEGUARDCREDS),
				    (ASN1_VALUE *)a, out, reason);
	}
	CREDSSP_TSREMOTEGUARDCREDS_free(a);
	return status;
}

/* ---- UTF-16LE <-> UTF-8 ------------------------------------------------- */

NTSTATUS credssp_octets_to_utf8(TALLOC_CTX *mem_ctx, const struct credssp_octets *s,
				char **out, const char **reason)
{
	return crypto_utf16le_to_utf8(mem_ctx, s->data, s->len, out, reason);
}

NTSTATUS credssp_utf8_to_octets(TALLOC_CTX *mem_ctx, const char *text,
				struct credssp_octets **out, const char **reason)
{
	struct credssp_octets *o = talloc_zero(mem_ctx, struct credssp_octets);
	NTSTATUS status;

	if (o == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	status = crypto_utf8_to_utf16le(o, text, &o->data, &o->len, reason);
	if (!NT_STATUS_IS_OK(status)) {
		talloc_free(o);
		return status;
	}
	*out = o;
	return NT_STATUS_OK;
}

/*
 * The secret conversions go one code point at a time through text.h, so
 * text.h's growing buffer never reallocates (and so never frees an
 * unwiped copy): each piece is at most 4 bytes, each scratch copy is
 * wiped, and the result is assembled in a crypto_secret sized for the
 * worst case, then copied to its exact size.
 */
static NTSTATUS secret_finish(TALLOC_CTX *mem_ctx, struct crypto_secret *scratch, size_t used,
			      struct crypto_secret **out)
{
	struct crypto_secret *s = crypto_secret_dup(mem_ctx, scratch->data, used);

	talloc_free(scratch);
	if (s == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	*out = s;
	return NT_STATUS_OK;
}

NTSTATUS credssp_secret_to_utf8(TALLOC_CTX *mem_ctx, const struct crypto_secret *s,
				struct crypto_secret **out, const char **reason)
{
	struct crypto_secret *scratch;
	size_t used = 0, i = 0;

	if (s->len % 2 != 0) {
		crypto_set_reason(reason, "UTF-16 text has an odd length");
		return NT_STATUS_INVALID_PARAMETER;
	}
	/* each 16-bit unit gives at most 3 bytes; a pair gives 4 */
	scratch = crypto_secret_new(NULL, s->len / 2 * 3);
	if (scratch == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	while (i < s->len) {
		uint16_t u = (uint16_t)(s->data[i] | (s->data[i + 1] << 8));
		size_t take = (u >= 0xd800 && u <= 0xdbff && s->len - i >= 4) ? 4 : 2;
		char *piece = NULL;
		size_t n;
		NTSTATUS status = crypto_utf16le_to_utf8(scratch, s->data + i, take, &piece, reason);

		if (!NT_STATUS_IS_OK(status)) {
			talloc_free(scratch);
			return status;
		}
		n = strlen(piece);
		memcpy(scratch->data + used, piece, n);
		crypto_wipe(piece, n);
		talloc_free(piece);
		used += n;
		i += take;
	}
	return secret_finish(mem_ctx, scratch, used, out);
}

NTSTATUS credssp_utf8_to_secret(TALLOC_CTX *mem_ctx, const char *text,
				struct crypto_secret **out, const char **reason)
{
	size_t len = strlen(text), used = 0, i = 0;
	struct crypto_secret *scratch;

	if (len > (SIZE_MAX - 1) / 2) {
		return NT_STATUS_NO_MEMORY;
	}
	/* each byte gives at most one 16-bit unit */
	scratch = crypto_secret_new(NULL, len * 2);
	if (scratch == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	while (i < len) {
		uint8_t b0 = (uint8_t)text[i];
		size_t take = b0 >= 0xf0 ? 4 : b0 >= 0xe0 ? 3 : b0 >= 0xc0 ? 2 : 1;
		char one[5] = {0};
		uint8_t *piece = NULL;
		size_t n = 0;
		NTSTATUS status;

		if (take > len - i) {
			take = len - i; /* truncated: text.h says why */
		}
		memcpy(one, text + i, take);
		status = crypto_utf8_to_utf16le(scratch, one, &piece, &n, reason);
		crypto_wipe(one, sizeof(one));
		if (!NT_STATUS_IS_OK(status)) {
			talloc_free(scratch);
			return status;
		}
		memcpy(scratch->data + used, piece, n);
		crypto_wipe(piece, n);
		talloc_free(piece);
		used += n;
		i += take;
	}
	return secret_finish(mem_ctx, scratch, used, out);
}
