/*
 * crypto.h: the shared crypto core used by BPAU, CredSSP, NEGOEX and OTPCE.
 *
 * Only crypto/ includes OpenSSL headers; everything else goes through here.
 *
 * Error convention (one for the whole module): functions return NTSTATUS.
 *   NT_STATUS_OK                    success; outputs are set
 *   NT_STATUS_INVALID_PARAMETER     the input is malformed
 *   NT_STATUS_NOT_SUPPORTED         well-formed input this code refuses
 *                                   (a non-RSA key, an unknown algorithm)
 *   NT_STATUS_NO_MEMORY             allocation failed
 *   NT_STATUS_INTERNAL_ERROR        OpenSSL failed for another reason
 * Parsers take an optional |reason| out-parameter which on failure points
 * at a static string saying what was wrong with the input.  Outputs are
 * assigned only on success.
 */
#ifndef CRYPTO_CRYPTO_H
#define CRYPTO_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <talloc.h>
#include <core/ntstatus.h>
#include <core/error.h>

#include "crypto/cursor.h"

#define CRYPTO_WARN_UNUSED __attribute__((warn_unused_result))

/* crypto_set_reason stores |why| in |*reason| when |reason| is not NULL. */
static inline void crypto_set_reason(const char **reason, const char *why)
{
	if (reason != NULL) {
		*reason = why;
	}
}

/* ---- status -------------------------------------------------------------- */

/* crypto_status_name: "NT_STATUS_ACCESS_DENIED" for the codes this project
 * produces, else "NT_STATUS 0x%08x" (a thread-local buffer).  Used instead
 * of Samba's nt_errstr() where Samba's libraries are not loaded. */
const char *crypto_status_name(NTSTATUS status);

/* crypto_status_from_errno maps an errno value to an NTSTATUS. */
NTSTATUS crypto_status_from_errno(int err);

/*
 * crypto_read_file reads at most |max| bytes of |path| (standard input for
 * "-" when |dash_is_stdin|) into a buffer on mem_ctx.  Ask for one byte
 * more than you accept to learn that a file is too large.  On failure
 * *err is the errno (EIO for a read error) and nothing is allocated.
 */
NTSTATUS crypto_read_file(TALLOC_CTX *mem_ctx, const char *path, bool dash_is_stdin, size_t max,
			  uint8_t **out, size_t *len, int *err);

/* ---- hashes, MACs, randomness ------------------------------------------ */

#define CRYPTO_SHA1_LEN 20
#define CRYPTO_MD5_LEN 16
#define CRYPTO_SHA256_LEN 32

enum crypto_md { CRYPTO_MD_MD5, CRYPTO_MD_SHA1, CRYPTO_MD_SHA256 };

/* crypto_md_len returns the digest size of |md| in bytes. */
size_t crypto_md_len(enum crypto_md md);

/* crypto_hash computes |md| over |len| bytes into |out| (crypto_md_len). */
NTSTATUS crypto_hash(enum crypto_md md, const uint8_t *data, size_t len,
		     uint8_t *out);
NTSTATUS crypto_sha1(const uint8_t *data, size_t len,
		     uint8_t out[CRYPTO_SHA1_LEN]);
NTSTATUS crypto_md5(const uint8_t *data, size_t len,
		    uint8_t out[CRYPTO_MD5_LEN]);
NTSTATUS crypto_sha256(const uint8_t *data, size_t len,
		       uint8_t out[CRYPTO_SHA256_LEN]);

/* crypto_hmac computes HMAC-|md| of |data| under |key| into |out|. */
NTSTATUS crypto_hmac(enum crypto_md md, const uint8_t *key, size_t key_len,
		     const uint8_t *data, size_t len, uint8_t *out);

/* crypto_random fills |buf| from the OS-seeded CSPRNG. */
NTSTATUS crypto_random(uint8_t *buf, size_t len);

/* crypto_memequal compares in time that depends only on |len|. */
bool crypto_memequal(const void *a, const void *b, size_t len)
	CRYPTO_WARN_UNUSED;

/* ---- secrets ----------------------------------------------------------- */

/*
 * struct crypto_secret: bytes (passwords, PINs, session keys, private keys)
 * whose talloc destructor wipes them.  |data| is NUL-terminated one byte
 * past |len| so text secrets can be used as C strings.
 */
struct crypto_secret {
	uint8_t *data;
	size_t len;
};

/* crypto_secret_new allocates |len| zeroed bytes; NULL on no memory. */
struct crypto_secret *crypto_secret_new(TALLOC_CTX *mem_ctx, size_t len);
/* crypto_secret_dup copies |len| bytes into a new secret. */
struct crypto_secret *crypto_secret_dup(TALLOC_CTX *mem_ctx,
					const uint8_t *p, size_t len);
/* crypto_wipe clears memory in a way the compiler does not remove. */
void crypto_wipe(void *p, size_t len);

/* ---- text ---------------------------------------------------------------- */

/*
 * crypto_utf16le_to_utf8 converts |len| bytes of UTF-16LE (no terminator
 * expected; an embedded NUL is refused) into a NUL-terminated UTF-8 string
 * on mem_ctx.  Unpaired surrogates and odd lengths are malformed.
 */
NTSTATUS crypto_utf16le_to_utf8(TALLOC_CTX *mem_ctx, const uint8_t *p,
				size_t len, char **out, const char **reason);
/* crypto_utf8_to_utf16le converts a UTF-8 string (without terminator in
 * the output).  Overlong forms, surrogates and > U+10FFFF are malformed. */
NTSTATUS crypto_utf8_to_utf16le(TALLOC_CTX *mem_ctx, const char *s,
				uint8_t **out, size_t *out_len,
				const char **reason);

/* crypto_base64_encode: RFC 4648 with padding, NUL-terminated. */
NTSTATUS crypto_base64_encode(TALLOC_CTX *mem_ctx, const uint8_t *p,
			      size_t len, char **out);
/* crypto_base64_decode: strict RFC 4648 (padding required, no spaces). */
NTSTATUS crypto_base64_decode(TALLOC_CTX *mem_ctx, const char *s,
			      uint8_t **out, size_t *out_len,
			      const char **reason);

/* crypto_hex formats |len| bytes as lower-case hex on mem_ctx. */
char *crypto_hex(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len);

/* ---- security identifiers (MS-DTYP 2.4.2) ------------------------------ */

#define CRYPTO_SID_MAX_SUBAUTH 15
#define CRYPTO_SID_MAX_BINARY (8 + 4 * CRYPTO_SID_MAX_SUBAUTH)
/* "S-1-0x" + 12 hex + 15 * ("-" + 10 digits) + NUL */
#define CRYPTO_SID_MAX_STRING (6 + 12 + 15 * 11 + 1)

struct crypto_sid {
	uint8_t revision; /* always 1 */
	uint8_t num_auths;
	uint64_t authority; /* 48 bits */
	uint32_t sub_auths[CRYPTO_SID_MAX_SUBAUTH];
};

/*
 * crypto_sid_parse reads the string form of MS-DTYP 2.4.2.1: "S-1-",
 * an identifier authority in decimal (below 2^32) or as "0x" and exactly
 * 12 hex digits, then 1 to 15 decimal sub-authorities below 2^32.  Letters
 * may be either case (ABNF literals are case-insensitive).  Anything else,
 * including trailing bytes, is malformed.
 */
NTSTATUS crypto_sid_parse(const char *s, struct crypto_sid *sid,
			  const char **reason) CRYPTO_WARN_UNUSED;
/* crypto_sid_parse_len is crypto_sid_parse for a non-terminated string. */
NTSTATUS crypto_sid_parse_len(const char *s, size_t len,
			      struct crypto_sid *sid,
			      const char **reason) CRYPTO_WARN_UNUSED;
/* crypto_sid_format writes the canonical string form (decimal authority
 * below 2^32, else "0x" and 12 lower-case hex digits) into |buf|. */
void crypto_sid_format(const struct crypto_sid *sid,
		       char buf[CRYPTO_SID_MAX_STRING]);
/* crypto_sid_string is crypto_sid_format onto mem_ctx. */
char *crypto_sid_string(TALLOC_CTX *mem_ctx, const struct crypto_sid *sid);
/* crypto_sid_from_binary reads the binary form (2.4.2.2); the input must be
 * exactly 8 + 4 * SubAuthorityCount bytes. */
NTSTATUS crypto_sid_from_binary(const uint8_t *p, size_t len,
				struct crypto_sid *sid,
				const char **reason) CRYPTO_WARN_UNUSED;
/* crypto_sid_to_binary writes the binary form; returns its length. */
size_t crypto_sid_to_binary(const struct crypto_sid *sid,
			    uint8_t out[CRYPTO_SID_MAX_BINARY]);
bool crypto_sid_equal(const struct crypto_sid *a, const struct crypto_sid *b);

/* ---- X.509 --------------------------------------------------------------- */

struct crypto_x509; /* opaque; freed with talloc_free */

enum crypto_key_type {
	CRYPTO_KEY_OTHER = 0,
	CRYPTO_KEY_RSA,
	CRYPTO_KEY_EC,
};

/*
 * crypto_x509_parse decodes one DER X.509 certificate that must span all
 * |len| bytes.  The bytes are copied.  Any key type is accepted here;
 * callers check crypto_x509_key_type().
 */
NTSTATUS crypto_x509_parse(TALLOC_CTX *mem_ctx, const uint8_t *der,
			   size_t len, struct crypto_x509 **out,
			   const char **reason) CRYPTO_WARN_UNUSED;
/* crypto_x509_read_file reads a DER or PEM certificate file: it is
 * crypto_x509_read_file_bytes then crypto_x509_parse_file. */
NTSTATUS crypto_x509_read_file(TALLOC_CTX *mem_ctx, const char *path,
			       struct crypto_x509 **out, const char **reason);
/* crypto_x509_read_file_bytes reads a certificate file's bytes (at most
 * 1 MiB), without decoding them. */
NTSTATUS crypto_x509_read_file_bytes(TALLOC_CTX *mem_ctx, const char *path,
				     uint8_t **buf, size_t *len, const char **reason);
/* crypto_x509_parse_file decodes a certificate file's bytes: one DER
 * certificate, or the first PEM certificate. */
NTSTATUS crypto_x509_parse_file(TALLOC_CTX *mem_ctx, const uint8_t *buf, size_t len,
				struct crypto_x509 **out, const char **reason)
	CRYPTO_WARN_UNUSED;

/* Byte accessors: each points into the certificate's own copy. */
struct cursor crypto_x509_der(const struct crypto_x509 *c);
struct cursor crypto_x509_tbs(const struct crypto_x509 *c);
struct cursor crypto_x509_spki(const struct crypto_x509 *c);
/* The subjectPublicKey BIT STRING contents without the unused-bits octet
 * (for RSA, the RSAPublicKey DER). */
struct cursor crypto_x509_public_key(const struct crypto_x509 *c);
struct cursor crypto_x509_serial(const struct crypto_x509 *c);
struct cursor crypto_x509_subject_name(const struct crypto_x509 *c);
struct cursor crypto_x509_issuer_name(const struct crypto_x509 *c);

/* The certificate's subject / issuer commonName as UTF-8.  Exactly one CN
 * must be present. */
NTSTATUS crypto_x509_subject_cn(TALLOC_CTX *mem_ctx,
				const struct crypto_x509 *c, char **out);
NTSTATUS crypto_x509_issuer_cn(TALLOC_CTX *mem_ctx,
			       const struct crypto_x509 *c, char **out);
/* crypto_x509_subject_sole_cn: the subject's commonName when the subject
 * is that one attribute and nothing else (CN=x, not CN=x,O=y nor a
 * multi-valued RDN): a subject that *is* a name string, as MS-BPAU's
 * SID subjects are.  NT_STATUS_NOT_FOUND for any other subject. */
NTSTATUS crypto_x509_subject_sole_cn(TALLOC_CTX *mem_ctx,
				     const struct crypto_x509 *c, char **out);
/* One-line RFC 2253 forms of the subject and issuer names. */
char *crypto_x509_subject_text(TALLOC_CTX *mem_ctx,
			       const struct crypto_x509 *c);
char *crypto_x509_issuer_text(TALLOC_CTX *mem_ctx,
			      const struct crypto_x509 *c);
enum crypto_key_type crypto_x509_key_type(const struct crypto_x509 *c);
int crypto_x509_key_bits(const struct crypto_x509 *c);
/* Validity as seconds since the Unix epoch. */
NTSTATUS crypto_x509_validity(const struct crypto_x509 *c, int64_t *not_before,
			      int64_t *not_after);
/* The subjectKeyIdentifier extension value, if present. */
bool crypto_x509_subject_key_id(const struct crypto_x509 *c,
				struct cursor *out);
/* DNS names of the subjectAltName extension, NULL-terminated array. */
NTSTATUS crypto_x509_dns_names(TALLOC_CTX *mem_ctx,
			       const struct crypto_x509 *c, char ***out);

/*
 * crypto_x509_create_self_signed makes an RSA key of |bits| and a v3
 * certificate signed with it (sha256WithRSAEncryption) whose subject and
 * issuer are CN=|cn| (PrintableString when the text allows, as Windows
 * writes its SID names), a random positive 128-bit serial, valid from
 * five minutes ago for |days|, and a subjectAltName dNSName when |dns| is
 * not NULL.  Returns the DER certificate and the PKCS#8 PEM private key.
 */
NTSTATUS crypto_x509_create_self_signed(TALLOC_CTX *mem_ctx, const char *cn,
					const char *dns, int bits, int days,
					uint8_t **cert_der, size_t *cert_len,
					struct crypto_secret **key_pem);

/* ---- object identifiers and the EKU extension value --------------------- */

/* crypto_oid_to_der encodes dotted text as OID contents (no tag/length). */
NTSTATUS crypto_oid_to_der(TALLOC_CTX *mem_ctx, const char *text,
			   uint8_t **out, size_t *out_len, const char **reason);
/* crypto_oid_to_text decodes OID contents into dotted text. */
NTSTATUS crypto_oid_to_text(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
			    char **out, const char **reason);
/* crypto_eku_build: DER "SEQUENCE OF KeyPurposeId" (RFC 5280 4.2.1.12). */
NTSTATUS crypto_eku_build(TALLOC_CTX *mem_ctx, const char *const *oids,
			  size_t n, uint8_t **out, size_t *out_len,
			  const char **reason);
/* crypto_eku_parse: the inverse; returns a NULL-terminated array. */
NTSTATUS crypto_eku_parse(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
			  char ***oids, const char **reason);

#endif
