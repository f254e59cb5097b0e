/*
 * asn1.c: SPNEGO tokens (RFC 4178 4.2, MS-SPNG 2.2.1) on OpenSSL's ASN.1
 * templates, and the strict-DER helpers (spnego_asn1.h).  See spnego.h;
 * parse.c and build.c convert between these types and spnego.h's, gss.c
 * has the OID helpers and the framing of other mechanisms.
 *
 * The ASN.1 below is RFC 4178's, every tag EXPLICIT (the module is
 * "DEFINITIONS EXPLICIT TAGS").  The InitialContextToken framing
 * ([APPLICATION 0] IMPLICIT SEQUENCE { thisMech, innerContextToken }) is a
 * template too: for SPNEGO the innerContextToken is a NegotiationToken, one
 * ASN.1 value, so the framed token is an ordinary type.
 *
 * NegTokenInit and NegTokenInit2 share tags [0] to [2] and differ at [3]:
 * an OCTET STRING (mechListMIC) in RFC 4178, a SEQUENCE (negHints) in
 * MS-SPNG, whose mechListMIC moves to [4].  One template reads both: [3]
 * is a CHOICE of the two (their universal tags differ), and [4] an
 * optional OCTET STRING that only NegTokenInit2 may carry.  Windows sends
 * NegTokenInit2 in server-initiated tokens (the SMB2 NEGOTIATE response),
 * MIT krb5 for an empty initial token (spnego_mech.c, acc_ctx_hints and
 * make_NegHints; its t_spnego.c test_neghints has the exact bytes), Samba
 * reads [3] either way (libcli/auth/spnego_parse.c, read_negTokenInit:
 * "RFC 2478 says we have an Octet String here, but W2k sends something
 * different").
 *
 * Strict DER, as credssp/asn1.c does: OpenSSL's decoder takes BER, so a
 * parsed token must span all of its input and re-encode to the same
 * bytes.  mechTypes is required, as MIT requires it (get_negTokenInit ->
 * get_mech_set); Samba would take a NegTokenInit without it.
 *
 * reqFlags is where the peers and DER part.  ContextFlags is a BIT STRING
 * with named bits, whose DER form drops trailing zero bits (X.690 11.2.2),
 * so mutualFlag alone is 03 02 06 40.  MIT's acceptor reads reqFlags only
 * as 03 02 01 xx, one octet with one unused bit whatever the flags
 * (spnego_mech.c, get_req_flags: BIT_STRING_LENGTH 2, BIT_STRING_PADDING
 * 1, anything else GSS_S_DEFECTIVE_TOKEN), and Samba writes back whatever
 * padding it read (spnego_parse.c, reqFlagsPadding).  So: the parser takes
 * any BIT STRING of up to 32 bits whose unused bits are zero (OpenSSL keeps
 * the unused-bit count it read, so the re-encode compare passes it), and
 * the builder writes MIT's form for flags 0 to 6 (the only named ones),
 * DER for anything wider.  A token whose reqFlags is DER therefore
 * rebuilds with different bytes; reqFlags is outside the mechListMIC
 * (RFC 4178 5: the MIC covers mechTypes only), so no MIC changes.
 *
 * Nothing in a SPNEGO token is secret (spnego.h), so nothing is wiped.
 */
#include "crypto/spnego/spnego_asn1.h"
#include "crypto/der.h"

#include <string.h>

#include <openssl/asn1t.h>
#include <openssl/err.h>
#include <openssl/objects.h>

/* ---- the ASN.1 definitions (the types are in spnego_asn1.h) ------------- */

/* NegHints ::= SEQUENCE { hintName [0] GeneralString OPTIONAL,
 *                         hintAddress [1] OCTET STRING OPTIONAL } */
ASN1_SEQUENCE(SPNEGO_NEG_HINTS) = {
	ASN1_EXP_OPT(SPNEGO_NEG_HINTS, hintName, ASN1_GENERALSTRING, 0),
	ASN1_EXP_OPT(SPNEGO_NEG_HINTS, hintAddress, ASN1_OCTET_STRING, 1),
} ASN1_SEQUENCE_END(SPNEGO_NEG_HINTS)

/* [3] of a NegTokenInit: mechListMIC or negHints (the opening comment). */
ASN1_CHOICE(SPNEGO_INIT_FIELD3) = {
	ASN1_SIMPLE(SPNEGO_INIT_FIELD3, value.mic, ASN1_OCTET_STRING),
	ASN1_SIMPLE(SPNEGO_INIT_FIELD3, value.hints, SPNEGO_NEG_HINTS),
} ASN1_CHOICE_END(SPNEGO_INIT_FIELD3)

/* NegTokenInit and NegTokenInit2 */
ASN1_SEQUENCE(SPNEGO_NEGTOKENINIT) = {
	ASN1_EXP_SEQUENCE_OF(SPNEGO_NEGTOKENINIT, mechTypes, ASN1_OBJECT, 0),
	ASN1_EXP_OPT(SPNEGO_NEGTOKENINIT, reqFlags, ASN1_BIT_STRING, 1),
	ASN1_EXP_OPT(SPNEGO_NEGTOKENINIT, mechToken, ASN1_OCTET_STRING, 2),
	ASN1_EXP_OPT(SPNEGO_NEGTOKENINIT, field3, SPNEGO_INIT_FIELD3, 3),
	ASN1_EXP_OPT(SPNEGO_NEGTOKENINIT, mechListMIC2, ASN1_OCTET_STRING, 4),
} ASN1_SEQUENCE_END(SPNEGO_NEGTOKENINIT)

/* NegTokenResp */
ASN1_SEQUENCE(SPNEGO_NEGTOKENRESP) = {
	ASN1_EXP_OPT(SPNEGO_NEGTOKENRESP, negState, ASN1_ENUMERATED, 0),
	ASN1_EXP_OPT(SPNEGO_NEGTOKENRESP, supportedMech, ASN1_OBJECT, 1),
	ASN1_EXP_OPT(SPNEGO_NEGTOKENRESP, responseToken, ASN1_OCTET_STRING, 2),
	ASN1_EXP_OPT(SPNEGO_NEGTOKENRESP, mechListMIC, ASN1_OCTET_STRING, 3),
} ASN1_SEQUENCE_END(SPNEGO_NEGTOKENRESP)

/* NegotiationToken ::= CHOICE { negTokenInit [0], negTokenResp [1] } */
ASN1_CHOICE(SPNEGO_NEGOTIATION_TOKEN) = {
	ASN1_EXP(SPNEGO_NEGOTIATION_TOKEN, value.init, SPNEGO_NEGTOKENINIT, 0),
	ASN1_EXP(SPNEGO_NEGOTIATION_TOKEN, value.resp, SPNEGO_NEGTOKENRESP, 1),
} ASN1_CHOICE_END(SPNEGO_NEGOTIATION_TOKEN)

/* InitialContextToken ::= [APPLICATION 0] IMPLICIT SEQUENCE {
 *         thisMech MechType, innerContextToken NegotiationToken } */
ASN1_SEQUENCE(SPNEGO_GSS_TOKEN_BODY) = {
	ASN1_SIMPLE(SPNEGO_GSS_TOKEN_BODY, thisMech, ASN1_OBJECT),
	ASN1_SIMPLE(SPNEGO_GSS_TOKEN_BODY, innerContextToken, SPNEGO_NEGOTIATION_TOKEN),
} ASN1_SEQUENCE_END(SPNEGO_GSS_TOKEN_BODY)

ASN1_ITEM_TEMPLATE(SPNEGO_GSS_TOKEN) =
	ASN1_EX_TEMPLATE_TYPE(ASN1_TFLG_IMPTAG | ASN1_TFLG_APPLICATION, 0, InitialContextToken,
			      SPNEGO_GSS_TOKEN_BODY)
ASN1_ITEM_TEMPLATE_END(SPNEGO_GSS_TOKEN)

/* MechTypeList ::= SEQUENCE OF MechType, alone: what mechListMIC covers. */
ASN1_ITEM_TEMPLATE(SPNEGO_MECH_TYPE_LIST) =
	ASN1_EX_TEMPLATE_TYPE(ASN1_TFLG_SEQUENCE_OF, 0, MechTypeList, ASN1_OBJECT)
ASN1_ITEM_TEMPLATE_END(SPNEGO_MECH_TYPE_LIST)

/* ---- strict DER in and out --------------------------------------------- */

static const char not_der_reason[] =
	"SPNEGO token is BER, not DER (a length, INTEGER, ENUMERATED or string not in its one DER form)";

/* spnego_der_decode: crypto_der_decode with SPNEGO's reasons. */
NTSTATUS spnego_der_decode(const ASN1_ITEM *it, const uint8_t *buf, size_t len,
			   const char *undecodable, ASN1_VALUE **out, const char **reason)
{
	const struct crypto_der_reasons why = {
		.undecodable = undecodable,
		.trailing = "SPNEGO token: trailing bytes after the DER value",
		.not_der = not_der_reason,
	};

	return crypto_der_decode(it, buf, len, &why, out, reason);
}

/* spnego_der_encode: |v| as DER, a talloc child of mem_ctx. */
NTSTATUS spnego_der_encode(TALLOC_CTX *mem_ctx, const ASN1_ITEM *it, const ASN1_VALUE *v,
			   uint8_t **out, size_t *out_len, const char **reason)
{
	unsigned char *der = NULL;
	uint8_t *copy;
	NTSTATUS status;
	int n = ASN1_item_i2d(v, &der, it);

	if (n <= 0) {
		status = crypto_openssl_failure();
		return NT_STATUS_EQUAL(status, NT_STATUS_NO_MEMORY) ? status
								     : NT_STATUS_INTERNAL_ERROR;
	}
	if ((size_t)n > SPNEGO_MAX_TOKEN_LEN) {
		OPENSSL_free(der);
		crypto_set_reason(reason, "SPNEGO token would be longer than 2 MiB");
		return NT_STATUS_INVALID_PARAMETER;
	}
	copy = talloc_memdup(mem_ctx, der, (size_t)n);
	OPENSSL_free(der);
	if (copy == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	*out = copy;
	*out_len = (size_t)n;
	return NT_STATUS_OK;
}
