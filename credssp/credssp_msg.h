/*
 * credssp_msg.h: the CredSSP messages (MS-CSSP 2.2.1), parse and build.
 *
 * Pure codec: no I/O, no state, no TLS or GSSAPI.  Every parser takes
 * exactly one DER value spanning all its input (MS-CSSP 2.2: "encoded by
 * using ASN.1 ... and Distinguished Encoding Rules (DER)"), refuses BER
 * forms and trailing bytes, and enforces the size limits below; every
 * builder refuses what the parser would refuse, so what builds parses.
 *
 * Errors (crypto/ms/status.h): NT_STATUS_INVALID_PARAMETER for malformed
 * input, with a static reason string when |reason| is not NULL;
 * NT_STATUS_NO_MEMORY; NT_STATUS_INTERNAL_ERROR when OpenSSL fails for
 * another reason.  Outputs are assigned only on success and are talloc
 * children of |mem_ctx| (one tree per call).
 *
 * Strings (names, hints, passwords, PINs) are UTF-16LE OCTET STRINGs on
 * the wire and stay bytes here; the *_utf8 helpers at the end convert.
 * Passwords, PINs, Remote Guard credential buffers and every encoding
 * that holds one (TSCredentials.credentials, the built credential
 * structures) are struct crypto_secret: wiped when freed.
 */
#ifndef CREDSSP_CREDSSP_MSG_H
#define CREDSSP_CREDSSP_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "crypto/crypto.h"

/* ---- limits (ours; the specification sets none) ------------------------ */

#define CREDSSP_MSG_MAX_LEN (1024 * 1024)  /* a whole TSRequest or TSCredentials */
#define CREDSSP_VERSION_MIN 1
#define CREDSSP_VERSION_MAX 255            /* 2..6 defined; the engine maps above 6 */
#define CREDSSP_NEGO_TOKENS_MAX 8
#define CREDSSP_NEGO_TOKEN_MAX_LEN 65536
#define CREDSSP_AUTH_INFO_MAX_LEN 65536
#define CREDSSP_PUB_KEY_AUTH_MAX_LEN 65536
/* clientNonce is 32 bytes in the protocol (2.2.1); that rule is the
 * engine's: the codec takes any length up to this cap (the pyspnego
 * structural vector carries a 12-byte one). */
#define CREDSSP_CLIENT_NONCE_MAX_LEN 256
#define CREDSSP_CLIENT_NONCE_LEN 32
#define CREDSSP_CREDENTIALS_MAX_LEN 65536  /* TSCredentials.credentials */
#define CREDSSP_STRING_MAX_LEN 4096        /* each name, hint, password, PIN (bytes) */
#define CREDSSP_CRED_BUFFER_MAX_LEN 65536  /* TSRemoteGuardPackageCred.credBuffer */
#define CREDSSP_SUPPLEMENTAL_CREDS_MAX 16

/* TSCredentials.credType (2.2.1.2): the only values allowed. */
enum credssp_cred_type {
	CREDSSP_CRED_PASSWORD = 1,     /* TSPasswordCreds */
	CREDSSP_CRED_SMARTCARD = 2,    /* TSSmartCardCreds */
	CREDSSP_CRED_REMOTE_GUARD = 6, /* TSRemoteGuardCreds */
};

/* struct credssp_octets: an OCTET STRING's contents; |data| is a talloc
 * child of the message (NULL only when |len| is 0). */
struct credssp_octets {
	uint8_t *data;
	size_t len;
};

/* ---- TSRequest (2.2.1) and NegoData (2.2.1.1) -------------------------- */

/*
 * An OPTIONAL OCTET STRING is a pointer, NULL when absent (present and
 * empty is a non-NULL pointer with len 0).  NegoData present with no
 * element (an empty SEQUENCE OF) is has_nego_tokens with
 * num_nego_tokens 0: the codec keeps it, the engine judges it.
 */
struct credssp_tsrequest {
	uint32_t version;                     /* CREDSSP_VERSION_MIN..MAX */
	bool has_nego_tokens;
	size_t num_nego_tokens;               /* at most CREDSSP_NEGO_TOKENS_MAX */
	struct credssp_octets *nego_tokens;   /* negoToken of each element */
	struct credssp_octets *auth_info;
	struct credssp_octets *pub_key_auth;
	bool has_error_code;
	uint32_t error_code;                  /* NTSTATUS; a signed INTEGER on the wire */
	struct credssp_octets *client_nonce;
};

/* credssp_tsrequest_parse decodes one DER TSRequest spanning |len| bytes. */
NTSTATUS credssp_tsrequest_parse(TALLOC_CTX *mem_ctx, const uint8_t *buf, size_t len,
				 struct credssp_tsrequest **out, const char **reason)
	CRYPTO_WARN_UNUSED;
/* credssp_tsrequest_build encodes |req| as DER into a new buffer on mem_ctx. */
NTSTATUS credssp_tsrequest_build(TALLOC_CTX *mem_ctx, const struct credssp_tsrequest *req,
				 uint8_t **buf, size_t *len, const char **reason)
	CRYPTO_WARN_UNUSED;

/* ---- TSCredentials (2.2.1.2) ------------------------------------------- */

struct credssp_tscredentials {
	enum credssp_cred_type cred_type;
	struct crypto_secret *credentials; /* the DER of the structure cred_type names */
};

/* credssp_tscredentials_parse: credType must be 1, 2 or 6 (2.2.1.2 "MUST
 * be one of the following values"); |credentials| is not decoded (call
 * the parser of the kind it names). */
NTSTATUS credssp_tscredentials_parse(TALLOC_CTX *mem_ctx, const uint8_t *buf, size_t len,
				     struct credssp_tscredentials **out, const char **reason)
	CRYPTO_WARN_UNUSED;
NTSTATUS credssp_tscredentials_build(TALLOC_CTX *mem_ctx,
				     const struct credssp_tscredentials *creds,
				     struct crypto_secret **out, const char **reason)
	CRYPTO_WARN_UNUSED;

/* ---- TSPasswordCreds (2.2.1.2.1) --------------------------------------- */

struct credssp_tspasswordcreds {
	struct credssp_octets domain_name; /* UTF-16LE, may be empty */
	struct credssp_octets user_name;
	struct crypto_secret *password;    /* UTF-16LE */
};

NTSTATUS credssp_tspasswordcreds_parse(TALLOC_CTX *mem_ctx, const uint8_t *buf, size_t len,
				       struct credssp_tspasswordcreds **out,
				       const char **reason) CRYPTO_WARN_UNUSED;
NTSTATUS credssp_tspasswordcreds_build(TALLOC_CTX *mem_ctx,
				       const struct credssp_tspasswordcreds *creds,
				       struct crypto_secret **out, const char **reason)
	CRYPTO_WARN_UNUSED;

/* ---- TSSmartCardCreds (2.2.1.2.2) and TSCspDataDetail (2.2.1.2.2.1) ---- */

struct credssp_tscspdatadetail {
	int32_t key_spec;                      /* AT_KEYEXCHANGE 1, AT_SIGNATURE 2 */
	struct credssp_octets *card_name;      /* each OPTIONAL: NULL when absent */
	struct credssp_octets *reader_name;
	struct credssp_octets *container_name;
	struct credssp_octets *csp_name;
};

struct credssp_tssmartcardcreds {
	struct crypto_secret *pin;             /* UTF-16LE */
	struct credssp_tscspdatadetail csp_data;
	struct credssp_octets *user_hint;      /* OPTIONAL */
	struct credssp_octets *domain_hint;    /* OPTIONAL */
};

NTSTATUS credssp_tssmartcardcreds_parse(TALLOC_CTX *mem_ctx, const uint8_t *buf, size_t len,
					struct credssp_tssmartcardcreds **out,
					const char **reason) CRYPTO_WARN_UNUSED;
NTSTATUS credssp_tssmartcardcreds_build(TALLOC_CTX *mem_ctx,
					const struct credssp_tssmartcardcreds *creds,
					struct crypto_secret **out, const char **reason)
	CRYPTO_WARN_UNUSED;

/* ---- TSRemoteGuardCreds (2.2.1.2.3), TSRemoteGuardPackageCred (.1) ------ */

struct credssp_tsremoteguardpackagecred {
	struct credssp_octets package_name;    /* UTF-16LE, e.g. "Kerberos" */
	struct crypto_secret *cred_buffer;     /* the package's credentials */
};

struct credssp_tsremoteguardcreds {
	struct credssp_tsremoteguardpackagecred logon_cred;
	bool has_supplemental_creds;           /* the OPTIONAL SEQUENCE OF, maybe empty */
	size_t num_supplemental_creds;         /* at most CREDSSP_SUPPLEMENTAL_CREDS_MAX */
	struct credssp_tsremoteguardpackagecred *supplemental_creds;
};

NTSTATUS credssp_tsremoteguardcreds_parse(TALLOC_CTX *mem_ctx, const uint8_t *buf,
					  size_t len, struct credssp_tsremoteguardcreds **out,
					  const char **reason) CRYPTO_WARN_UNUSED;
NTSTATUS credssp_tsremoteguardcreds_build(TALLOC_CTX *mem_ctx,
					  const struct credssp_tsremoteguardcreds *creds,
					  struct crypto_secret **out, const char **reason)
	CRYPTO_WARN_UNUSED;

/* ---- UTF-16LE strings <-> UTF-8 (crypto/wire/text.h rules) ------------- */

/* credssp_octets_to_utf8: a wire string as NUL-terminated UTF-8.  Odd
 * lengths, unpaired surrogates and embedded NULs are malformed. */
NTSTATUS credssp_octets_to_utf8(TALLOC_CTX *mem_ctx, const struct credssp_octets *s,
				char **out, const char **reason) CRYPTO_WARN_UNUSED;
/* credssp_utf8_to_octets: the wire form of UTF-8 text, no terminator. */
NTSTATUS credssp_utf8_to_octets(TALLOC_CTX *mem_ctx, const char *text,
				struct credssp_octets **out, const char **reason)
	CRYPTO_WARN_UNUSED;
/* credssp_secret_to_utf8 / credssp_utf8_to_secret: the same for passwords
 * and PINs, without leaving an unwiped copy behind (|out->data| is
 * NUL-terminated, so the UTF-8 form is a C string). */
NTSTATUS credssp_secret_to_utf8(TALLOC_CTX *mem_ctx, const struct crypto_secret *s,
				struct crypto_secret **out, const char **reason)
	CRYPTO_WARN_UNUSED;
NTSTATUS credssp_utf8_to_secret(TALLOC_CTX *mem_ctx, const char *text,
				struct crypto_secret **out, const char **reason)
	CRYPTO_WARN_UNUSED;

#endif
