/*
 * crypto.h: the shared crypto core used by BPAU, CredSSP, NEGOEX and OTPCE:
 * hashes, HMAC, randomness, wiped secrets, X.509 and the EKU extension.
 *
 * Only crypto/ includes OpenSSL headers; everything else goes through here.
 * Errors follow crypto/ms/status.h (NTSTATUS, an optional reason; outputs
 * assigned only on success; NT_STATUS_INTERNAL_ERROR when OpenSSL fails
 * for a reason other than the input).  What is not crypto lives beside it:
 * crypto/wire/ (the bounded cursor, text encodings, file reading) and
 * crypto/ms/ (SIDs, NTSTATUS names).
 */
#ifndef CRYPTO_CRYPTO_H
#define CRYPTO_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <talloc.h>

#include "crypto/ms/status.h"
#include "crypto/wire/cursor.h"

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

/* ---- the extended key usage extension value (RFC 5280 4.2.1.12) -------- */

/*
 * crypto_eku_build encodes |n| OIDs (at least one) as the DER value
 * "SEQUENCE SIZE (1..MAX) OF KeyPurposeId".  Each OID must be canonical
 * dotted decimal: two arcs or more, no leading zeros, the first arc 0, 1
 * or 2 and the second below 40 unless the first is 2 (X.660).  Anything
 * else is malformed (NT_STATUS_INVALID_PARAMETER with a reason).
 */
NTSTATUS crypto_eku_build(TALLOC_CTX *mem_ctx, const char *const *oids,
			  size_t n, uint8_t **out, size_t *out_len,
			  const char **reason);
/* crypto_eku_parse is the inverse: the input must be exactly one such DER
 * value; the OIDs come back in dotted decimal, a NULL-terminated array. */
NTSTATUS crypto_eku_parse(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
			  char ***oids, const char **reason);

#endif
