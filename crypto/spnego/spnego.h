/*
 * spnego.h: the SPNEGO token codec (RFC 4178 section 4.2, with the RFC 2743
 * section 3.1 InitialContextToken framing, and Microsoft's NegTokenInit2 of
 * MS-SPNG 2.2.1).  Pure parse/build, no I/O, no state: the negotiation
 * itself (which mechanism, when a mechListMIC is due) is the caller's.
 *
 *   InitialContextToken ::= [APPLICATION 0] IMPLICIT SEQUENCE {
 *           thisMech MechType, innerContextToken ANY DEFINED BY thisMech }
 *   NegotiationToken ::= CHOICE {
 *           negTokenInit [0] NegTokenInit, negTokenResp [1] NegTokenResp }
 *   NegTokenInit ::= SEQUENCE {
 *           mechTypes [0] MechTypeList, reqFlags [1] ContextFlags OPTIONAL,
 *           mechToken [2] OCTET STRING OPTIONAL,
 *           mechListMIC [3] OCTET STRING OPTIONAL, ... }
 *   NegTokenInit2 ::= SEQUENCE {   -- MS-SPNG 2.2.1, server-initiated
 *           mechTypes [0], reqFlags [1], mechToken [2] as above,
 *           negHints [3] NegHints OPTIONAL,
 *           mechListMIC [4] OCTET STRING OPTIONAL, ... }
 *   NegHints ::= SEQUENCE { hintName [0] GeneralString OPTIONAL,
 *                           hintAddress [1] OCTET STRING OPTIONAL }
 *   NegTokenResp ::= SEQUENCE {
 *           negState [0] ENUMERATED OPTIONAL, supportedMech [1] MechType OPTIONAL,
 *           responseToken [2] OCTET STRING OPTIONAL,
 *           mechListMIC [3] OCTET STRING OPTIONAL, ... }
 *
 * Encodings are DER (RFC 4178 section 4.2: "DER"), checked by re-encoding,
 * with one exception taken from the peers: reqFlags (see spnego.c).
 *
 * Errors follow crypto/ms/status.h: NT_STATUS_INVALID_PARAMETER for a
 * malformed token (|reason| names the rule), NT_STATUS_NOT_SUPPORTED for a
 * well-formed InitialContextToken of another mechanism (spnego_token_parse
 * only), NT_STATUS_NO_MEMORY.  Outputs are assigned only on success.
 *
 * No secrets: SPNEGO carries mechanism tokens and MICs, which are sent in
 * the clear by design, so nothing here is wiped.
 */
#ifndef CRYPTO_SPNEGO_SPNEGO_H
#define CRYPTO_SPNEGO_SPNEGO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "crypto/ms/status.h"

/* Caps (ours; RFC 4178 has none).  A token carries one mechanism token
 * (a NEGOEX token is capped at 1 MiB, a Kerberos AP-REQ with a PAC is tens
 * of KiB); a peer offers a handful of mechanisms. */
#define SPNEGO_MAX_TOKEN_LEN (2U << 20)
#define SPNEGO_MAX_MECH_TYPES 32
/* The largest OID accepted, in content bytes (the ones here are 6 to 10). */
#define SPNEGO_OID_MAX_LEN 32

/* The identifier octet of the InitialContextToken framing: [APPLICATION 0],
 * constructed.  (A bare NegotiationToken starts with 0xa0 or 0xa1.) */
#define SPNEGO_GSS_FRAMING_TAG 0x60

/* An OBJECT IDENTIFIER as its DER contents (no tag, no length): what a
 * gss_OID_desc holds. */
struct spnego_oid {
	size_t len;
	uint8_t bytes[SPNEGO_OID_MAX_LEN];
};

/* The mechanisms this project names (spnego_oid_name). */
extern const struct spnego_oid spnego_oid_spnego;  /* 1.3.6.1.5.5.2 */
extern const struct spnego_oid spnego_oid_negoex;  /* 1.3.6.1.4.1.311.2.2.30 */
extern const struct spnego_oid spnego_oid_krb5;    /* 1.2.840.113554.1.2.2 */
extern const struct spnego_oid spnego_oid_ms_krb5; /* 1.2.840.48018.1.2.2 */
extern const struct spnego_oid spnego_oid_ntlm;    /* 1.3.6.1.4.1.311.2.2.10 */

/* spnego_oid_equal: same contents. */
bool spnego_oid_equal(const struct spnego_oid *a, const struct spnego_oid *b);

/* spnego_oid_name: "SPNEGO", "NEGOEX", "Kerberos", "MS-Kerberos", "NTLM",
 * or NULL for another OID. */
const char *spnego_oid_name(const struct spnego_oid *oid);

/* spnego_oid_string: the dotted form "1.3.6.1.5.5.2" on mem_ctx; NULL if
 * |oid| is not a valid OID encoding or out of memory. */
char *spnego_oid_string(TALLOC_CTX *mem_ctx, const struct spnego_oid *oid);

/* spnego_oid_from_string parses the dotted form into |out|. */
NTSTATUS spnego_oid_from_string(const char *text, struct spnego_oid *out, const char **reason)
	CRYPTO_WARN_UNUSED;

/* An OCTET STRING's or GeneralString's contents; |data| is a talloc child
 * of the structure holding it (NULL only when |len| is 0). */
struct spnego_bytes {
	uint8_t *data;
	size_t len;
};

/* ContextFlags (RFC 4178 4.2.1): bit n of req_flags is named bit n. */
#define SPNEGO_REQ_FLAG_DELEG (1U << 0)
#define SPNEGO_REQ_FLAG_MUTUAL (1U << 1)
#define SPNEGO_REQ_FLAG_REPLAY (1U << 2)
#define SPNEGO_REQ_FLAG_SEQUENCE (1U << 3)
#define SPNEGO_REQ_FLAG_ANON (1U << 4)
#define SPNEGO_REQ_FLAG_CONF (1U << 5)
#define SPNEGO_REQ_FLAG_INTEG (1U << 6)

/* NegTokenInit, or NegTokenInit2 when |is_init2| is set. */
struct spnego_neg_token_init {
	size_t num_mech_types;
	struct spnego_oid *mech_types; /* preference order */
	bool has_req_flags;
	uint32_t req_flags;                 /* SPNEGO_REQ_FLAG_*, bits 0-31 */
	struct spnego_bytes *mech_token;    /* NULL when absent */
	struct spnego_bytes *mech_list_mic; /* NULL when absent */
	/* NegTokenInit2 (MS-SPNG 2.2.1): mechListMIC is [4] on the wire and
	 * [3] is negHints, when has_neg_hints.  The parser sets is_init2 when
	 * it saw either; a NegTokenInit2 with neither reads as a NegTokenInit
	 * (the same bytes). */
	bool is_init2;
	bool has_neg_hints;
	struct spnego_bytes *hint_name;    /* GeneralString bytes; NULL absent */
	struct spnego_bytes *hint_address; /* NULL when absent */
	/* Set by the parser (ignored by the builder): the DER of mechTypes
	 * (the MechTypeList SEQUENCE, without the [0] tag) as received,
	 * which the mechListMIC covers (RFC 4178 section 5). */
	struct spnego_bytes mech_types_der;
};

/* NegState (RFC 4178 4.2.2). */
enum spnego_neg_state {
	SPNEGO_ACCEPT_COMPLETED = 0,
	SPNEGO_ACCEPT_INCOMPLETE = 1,
	SPNEGO_REJECT = 2,
	SPNEGO_REQUEST_MIC = 3,
};

struct spnego_neg_token_resp {
	bool has_neg_state;
	enum spnego_neg_state neg_state;
	struct spnego_oid *supported_mech;   /* NULL when absent */
	struct spnego_bytes *response_token; /* NULL when absent */
	struct spnego_bytes *mech_list_mic;  /* NULL when absent */
};

enum spnego_token_type {
	SPNEGO_NEG_TOKEN_INIT = 0,
	SPNEGO_NEG_TOKEN_RESP = 1,
};

struct spnego_token {
	enum spnego_token_type type;
	/* the InitialContextToken framing with the SPNEGO OID was present
	 * (parse), or is to be written (build; NegTokenInit only) */
	bool gss_framed;
	struct spnego_neg_token_init *init; /* type SPNEGO_NEG_TOKEN_INIT */
	struct spnego_neg_token_resp *resp; /* type SPNEGO_NEG_TOKEN_RESP */
};

/* spnego_neg_state_name: "accept-completed" etc. (RFC 4178's names), NULL
 * for another value. */
const char *spnego_neg_state_name(uint32_t state);

/*
 * spnego_token_parse decodes one SPNEGO token filling all of |buf|: a
 * NegTokenInit (or NegTokenInit2) inside the InitialContextToken framing
 * with the SPNEGO OID (the initial token), or a bare NegotiationToken (a
 * NegTokenResp, or a NegTokenInit without framing, which
 * token->gss_framed then says).  A framed NegTokenResp is refused (RFC
 * 4178 4.2: only the initial token is framed; neither MIT nor Samba reads
 * one).  A framed token of another mechanism is NT_STATUS_NOT_SUPPORTED.
 * On success *out is a new talloc child of mem_ctx holding copies.
 */
NTSTATUS spnego_token_parse(TALLOC_CTX *mem_ctx, const uint8_t *buf, size_t len,
			    struct spnego_token **out, const char **reason) CRYPTO_WARN_UNUSED;

/*
 * spnego_token_build encodes |tok| (DER; the framing when tok->gss_framed,
 * which a NegTokenResp must not ask for), applies spnego_token_parse to
 * the result, and returns the bytes as a talloc child of mem_ctx.
 * init->mech_types_der is ignored.
 */
NTSTATUS spnego_token_build(TALLOC_CTX *mem_ctx, const struct spnego_token *tok,
			    uint8_t **out, size_t *out_len, const char **reason)
	CRYPTO_WARN_UNUSED;

/*
 * spnego_mech_types_der: the DER of a MechTypeList holding |mechs| in
 * order (what a mechListMIC is computed over), as a talloc child of
 * mem_ctx.
 */
NTSTATUS spnego_mech_types_der(TALLOC_CTX *mem_ctx, const struct spnego_oid *mechs, size_t n,
			       uint8_t **out, size_t *out_len, const char **reason)
	CRYPTO_WARN_UNUSED;

/*
 * spnego_gss_header_parse reads the RFC 2743 3.1 framing of any mechanism:
 * |buf| must be exactly one [APPLICATION 0] element (definite, minimal
 * length) starting with an OID.  Sets |mech| and the innerContextToken
 * (|*inner|, pointing into |buf|, to the end of the element).  Nothing is
 * allocated.
 *
 * spnego_gss_header_build frames |inner| for |mech| (a talloc child of
 * mem_ctx).
 */
NTSTATUS spnego_gss_header_parse(const uint8_t *buf, size_t len, struct spnego_oid *mech,
				 const uint8_t **inner, size_t *inner_len, const char **reason)
	CRYPTO_WARN_UNUSED;
NTSTATUS spnego_gss_header_build(TALLOC_CTX *mem_ctx, const struct spnego_oid *mech,
				 const uint8_t *inner, size_t inner_len, uint8_t **out,
				 size_t *out_len, const char **reason) CRYPTO_WARN_UNUSED;

/*
 * spnego_base64_decode: RFC 4648 section 4 base64 of |len| characters (no
 * whitespace; trailing '=' padding optional; canonical: the unused bits
 * of the last group zero) into bytes on mem_ctx.
 */
NTSTATUS spnego_base64_decode(TALLOC_CTX *mem_ctx, const char *text, size_t len, uint8_t **out,
			      size_t *out_len, const char **reason) CRYPTO_WARN_UNUSED;

/*
 * spnego_http_negotiate_decode: the token of an RFC 4559 header, given as
 * the whole line ("Authorization: Negotiate <base64>", or WWW-Authenticate,
 * Proxy-Authorization, Proxy-Authenticate; header names and the scheme
 * ASCII case-insensitive, surrounding whitespace ignored) or as the value
 * alone ("Negotiate <base64>").  The bytes, not parsed, on mem_ctx.
 */
NTSTATUS spnego_http_negotiate_decode(TALLOC_CTX *mem_ctx, const char *text, size_t len,
				      uint8_t **out, size_t *out_len, const char **reason)
	CRYPTO_WARN_UNUSED;

#endif
