/*
 * spnego_asn1.h: what the SPNEGO codec's files share, private to
 * crypto/spnego/ (spnego.h has no OpenSSL type): RFC 4178's structures as
 * OpenSSL ASN.1 types, whose templates are in asn1.c, and the strict-DER
 * helpers.  asn1.c's opening comment has the definitions, the
 * NegTokenInit/NegTokenInit2 merge and the reqFlags rule; parse.c turns
 * these types into spnego.h's, build.c the other way.
 */
#ifndef CRYPTO_SPNEGO_SPNEGO_ASN1_H
#define CRYPTO_SPNEGO_SPNEGO_ASN1_H

#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include <openssl/asn1.h>
#include <openssl/safestack.h>

#include "crypto/spnego/spnego.h"

/* NegHints ::= SEQUENCE { hintName [0] GeneralString OPTIONAL,
 *                         hintAddress [1] OCTET STRING OPTIONAL } */
typedef struct {
	ASN1_GENERALSTRING *hintName;
	ASN1_OCTET_STRING *hintAddress;
} SPNEGO_NEG_HINTS;

/* Tag [3] of a NegTokenInit: mechListMIC (RFC 4178) or negHints (MS-SPNG). */
#define INIT_FIELD3_MIC 0
#define INIT_FIELD3_HINTS 1
typedef struct {
	int type;
	union {
		ASN1_OCTET_STRING *mic;
		SPNEGO_NEG_HINTS *hints;
	} value;
} SPNEGO_INIT_FIELD3;

/* NegTokenInit and NegTokenInit2 (the opening comment). */
typedef struct {
	STACK_OF(ASN1_OBJECT) *mechTypes;
	ASN1_BIT_STRING *reqFlags;
	ASN1_OCTET_STRING *mechToken;
	SPNEGO_INIT_FIELD3 *field3;
	ASN1_OCTET_STRING *mechListMIC2;
} SPNEGO_NEGTOKENINIT;

/* NegTokenResp */
typedef struct {
	ASN1_ENUMERATED *negState;
	ASN1_OBJECT *supportedMech;
	ASN1_OCTET_STRING *responseToken;
	ASN1_OCTET_STRING *mechListMIC;
} SPNEGO_NEGTOKENRESP;

/* NegotiationToken ::= CHOICE { negTokenInit [0], negTokenResp [1] } */
#define NEGOTIATION_TOKEN_INIT 0
#define NEGOTIATION_TOKEN_RESP 1
typedef struct {
	int type;
	union {
		SPNEGO_NEGTOKENINIT *init;
		SPNEGO_NEGTOKENRESP *resp;
	} value;
} SPNEGO_NEGOTIATION_TOKEN;

/* InitialContextToken ::= [APPLICATION 0] IMPLICIT SEQUENCE {
 *         thisMech MechType, innerContextToken NegotiationToken } */
typedef struct {
	ASN1_OBJECT *thisMech;
	SPNEGO_NEGOTIATION_TOKEN *innerContextToken;
} SPNEGO_GSS_TOKEN_BODY;

DECLARE_ASN1_ITEM(SPNEGO_NEG_HINTS)
DECLARE_ASN1_ITEM(SPNEGO_INIT_FIELD3)
DECLARE_ASN1_ITEM(SPNEGO_NEGTOKENINIT)
DECLARE_ASN1_ITEM(SPNEGO_NEGTOKENRESP)
DECLARE_ASN1_ITEM(SPNEGO_NEGOTIATION_TOKEN)
DECLARE_ASN1_ITEM(SPNEGO_GSS_TOKEN_BODY)
/* the framed token: [APPLICATION 0] IMPLICIT SPNEGO_GSS_TOKEN_BODY */
DECLARE_ASN1_ITEM(SPNEGO_GSS_TOKEN)
/* MechTypeList alone (a STACK_OF(ASN1_OBJECT)): what mechListMIC covers */
DECLARE_ASN1_ITEM(SPNEGO_MECH_TYPE_LIST)

/* spnego_der_decode: one value of |it| spanning all |len| bytes that
 * re-encodes to exactly those bytes; |undecodable| is the reason when
 * OpenSSL cannot decode it.  The caller frees *out with ASN1_item_free. */
NTSTATUS spnego_der_decode(const ASN1_ITEM *it, const uint8_t *buf, size_t len,
			   const char *undecodable, ASN1_VALUE **out, const char **reason);

/* spnego_der_encode: |v| as DER, a talloc child of mem_ctx, at most
 * SPNEGO_MAX_TOKEN_LEN bytes. */
NTSTATUS spnego_der_encode(TALLOC_CTX *mem_ctx, const ASN1_ITEM *it, const ASN1_VALUE *v,
			   uint8_t **out, size_t *out_len, const char **reason);

#endif
