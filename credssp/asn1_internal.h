/*
 * asn1_internal.h: what the CredSSP message files share, private to
 * credssp/ (credssp_msg.h has no OpenSSL type): the MS-CSSP 2.2.1
 * structures as OpenSSL ASN.1 types, whose templates are in asn1.c, and
 * the strict-DER and field helpers between those types and ours.
 *
 * Errors and reasons as in credssp_msg.h; |why| is the static reason
 * string set when a field is longer than |max|.
 */
#ifndef CREDSSP_ASN1_INTERNAL_H
#define CREDSSP_ASN1_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include <openssl/asn1.h>
#include <openssl/safestack.h>

#include "credssp/credssp_msg.h"
#include "crypto/crypto.h"

/* ---- the ASN.1 types (every tag EXPLICIT; see asn1.c) ------------------- */

/* NegoData ::= SEQUENCE OF SEQUENCE { negoToken [0] OCTET STRING } (2.2.1.1) */
typedef struct {
	ASN1_OCTET_STRING *negoToken;
} CREDSSP_NEGO_TOKEN;

DECLARE_ASN1_ITEM(CREDSSP_NEGO_TOKEN)
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

/* TSCredentials (2.2.1.2) */
typedef struct {
	ASN1_INTEGER *credType;
	ASN1_OCTET_STRING *credentials;
} CREDSSP_TSCREDENTIALS;

DECLARE_ASN1_FUNCTIONS(CREDSSP_TSCREDENTIALS)

/* TSPasswordCreds (2.2.1.2.1) */
typedef struct {
	ASN1_OCTET_STRING *domainName;
	ASN1_OCTET_STRING *userName;
	ASN1_OCTET_STRING *password;
} CREDSSP_TSPASSWORDCREDS;

DECLARE_ASN1_FUNCTIONS(CREDSSP_TSPASSWORDCREDS)

/* TSCspDataDetail (2.2.1.2.2.1): only inside TSSmartCardCreds, so its
 * template stays static in asn1.c. */
typedef struct {
	ASN1_INTEGER *keySpec;
	ASN1_OCTET_STRING *cardName;
	ASN1_OCTET_STRING *readerName;
	ASN1_OCTET_STRING *containerName;
	ASN1_OCTET_STRING *cspName;
} CREDSSP_TSCSPDATADETAIL;

/* TSSmartCardCreds (2.2.1.2.2) */
typedef struct {
	ASN1_OCTET_STRING *pin;
	CREDSSP_TSCSPDATADETAIL *cspData;
	ASN1_OCTET_STRING *userHint;
	ASN1_OCTET_STRING *domainHint;
} CREDSSP_TSSMARTCARDCREDS;

DECLARE_ASN1_FUNCTIONS(CREDSSP_TSSMARTCARDCREDS)

/* TSRemoteGuardPackageCred (2.2.1.2.3.1) */
typedef struct {
	ASN1_OCTET_STRING *packageName;
	ASN1_OCTET_STRING *credBuffer;
} CREDSSP_TSREMOTEGUARDPACKAGECRED;

DECLARE_ASN1_ITEM(CREDSSP_TSREMOTEGUARDPACKAGECRED)
DEFINE_STACK_OF(CREDSSP_TSREMOTEGUARDPACKAGECRED)

/* TSRemoteGuardCreds (2.2.1.2.3) */
typedef struct {
	CREDSSP_TSREMOTEGUARDPACKAGECRED *logonCred;
	STACK_OF(CREDSSP_TSREMOTEGUARDPACKAGECRED) *supplementalCreds;
} CREDSSP_TSREMOTEGUARDCREDS;

DECLARE_ASN1_FUNCTIONS(CREDSSP_TSREMOTEGUARDCREDS)

/* ---- strict DER in and out --------------------------------------------- */

/*
 * credssp_der_decode decodes one value of |it| that must span all |len|
 * bytes and be exactly what OpenSSL encodes back (DER, not BER); |not_der|
 * is the reason when OpenSSL cannot decode it.  The caller frees |*out|
 * with the type's _free.
 */
NTSTATUS credssp_der_decode(const ASN1_ITEM *it, const uint8_t *buf, size_t len,
			    const char *not_der, ASN1_VALUE **out, const char **reason);

/* credssp_der_encode encodes |v| into a new crypto_secret on mem_ctx. */
NTSTATUS credssp_der_encode(TALLOC_CTX *mem_ctx, const ASN1_ITEM *it, const ASN1_VALUE *v,
			    struct crypto_secret **out, const char **reason);

/* ---- fields: OpenSSL -> ours -------------------------------------------- */

/* credssp_too_long sets |why| as the reason: NT_STATUS_INVALID_PARAMETER. */
NTSTATUS credssp_too_long(const char **reason, const char *why);

/* credssp_octets_get copies |s| into |dst| (on ctx); longer than |max| is
 * malformed. */
NTSTATUS credssp_octets_get(TALLOC_CTX *ctx, const ASN1_OCTET_STRING *s, size_t max,
			    const char *why, struct credssp_octets *dst, const char **reason);

/* credssp_octets_get_opt: the same for an OPTIONAL field, NULL when absent. */
NTSTATUS credssp_octets_get_opt(TALLOC_CTX *ctx, const ASN1_OCTET_STRING *s, size_t max,
				const char *why, struct credssp_octets **dst, const char **reason);

/* credssp_secret_get copies |s| into a new crypto_secret. */
NTSTATUS credssp_secret_get(TALLOC_CTX *ctx, const ASN1_OCTET_STRING *s, size_t max,
			    const char *why, struct crypto_secret **dst, const char **reason);

/* credssp_integer_get: |ai| when it lies in [min, max]. */
bool credssp_integer_get(const ASN1_INTEGER *ai, int64_t min, int64_t max, int64_t *v);

/* ---- fields: ours -> OpenSSL -------------------------------------------- */

/* credssp_octets_set sets |*dst| (NULL on entry) to a copy of |o|. */
NTSTATUS credssp_octets_set(ASN1_OCTET_STRING **dst, const struct credssp_octets *o, size_t max,
			    const char *why, const char **reason);

/* credssp_octets_set_opt leaves |dst| NULL (absent) when |o| is NULL. */
NTSTATUS credssp_octets_set_opt(ASN1_OCTET_STRING **dst, const struct credssp_octets *o,
				size_t max, const char *why, const char **reason);

/* credssp_secret_set: credssp_octets_set for a secret; |missing| is the
 * reason when |s| is NULL. */
NTSTATUS credssp_secret_set(ASN1_OCTET_STRING **dst, const struct crypto_secret *s, size_t max,
			    const char *missing, const char *why, const char **reason);

/* credssp_integer_set sets |*dst| (NULL on entry) to |v|. */
NTSTATUS credssp_integer_set(ASN1_INTEGER **dst, int64_t v);

#endif /* CREDSSP_ASN1_INTERNAL_H */
