/*
 * certblob.h: the CERTIFICATE_BLOB wire codec (MS-BPAU 2.2.2).  Pure
 * parse/build, no I/O.
 *
 * A blob is zero or more certificate properties (PropertyID, Reserved = 1,
 * Length, Value; all little-endian) followed by exactly one certificate
 * element holding the DER X.509 certificate with an RSA key.
 */
#ifndef CERTTABLE_CERTBLOB_H
#define CERTTABLE_CERTBLOB_H

#include "crypto/crypto.h"
#include "crypto/ms/sid.h"

/* KEY_LENGTH's range (MS-BPAU 2.2.1): a blob is at most 64 KiB. */
#define CERTBLOB_MAX_LEN 65536

/* Property IDs, MS-BPAU 2.2.2.1. */
#define CERTBLOB_KEY_PROV_INFO 2
#define CERTBLOB_SHA1_HASH 3
#define CERTBLOB_MD5_HASH 4
#define CERTBLOB_KEY_SPEC 6
#define CERTBLOB_ENHKEY_USAGE 9
#define CERTBLOB_FRIENDLY_NAME 11
#define CERTBLOB_DESCRIPTION 13
#define CERTBLOB_SIGNATURE_HASH 15
#define CERTBLOB_KEY_IDENTIFIER 20
#define CERTBLOB_AUTO_ENROLL 21
#define CERTBLOB_PUBKEY_ALG_PARA 22
#define CERTBLOB_ISSUER_PUBLIC_KEY_MD5_HASH 24
#define CERTBLOB_SUBJECT_PUBLIC_KEY_MD5_HASH 25
#define CERTBLOB_DATE_STAMP 27
#define CERTBLOB_ISSUER_SERIAL_NUMBER_MD5_HASH 28
#define CERTBLOB_SUBJECT_NAME_MD5_HASH 29
/* The certificate element's first field: PropertyID 32 (Windows'
 * CERT_CERT_PROP_ID), then Reserved 1.  See certblob.c. */
#define CERTBLOB_CERT_ELEMENT 32

struct certblob_prop {
	uint32_t id;
	const uint8_t *value; /* points into certblob.raw */
	size_t len;
};

struct certblob {
	uint8_t *raw; /* the whole blob as received or built */
	size_t raw_len;
	size_t num_props;
	struct certblob_prop *props; /* in wire order */
	const uint8_t *cert; /* DER, points into raw */
	size_t cert_len;
	struct crypto_x509 *x509; /* the decoded certificate */
};

/*
 * certblob_parse decodes and validates a blob (every rule of MS-BPAU
 * 2.2.2; see certblob.c).  The input is copied; on success *out is a new
 * talloc child of mem_ctx.  On failure nothing is allocated and |reason|
 * says which rule the input broke: NT_STATUS_INVALID_PARAMETER for a
 * malformed blob, NT_STATUS_NOT_SUPPORTED for a certificate without an
 * RSA key, NT_STATUS_NO_MEMORY.
 */
NTSTATUS certblob_parse(TALLOC_CTX *mem_ctx, const uint8_t *buf, size_t len,
			struct certblob **out, const char **reason)
	CRYPTO_WARN_UNUSED;

/*
 * certblob_build encodes |cert| with the properties a Windows Vista peer
 * sends, in its order: SUBJECT_PUBLIC_KEY_MD5_HASH, SIGNATURE_HASH,
 * SHA1_HASH, ENHKEY_USAGE (only when |num_ekus| > 0), MD5_HASH,
 * KEY_IDENTIFIER, then the certificate element.  Never KEY_PROV_INFO.
 */
/*
 * certblob_names_sid: the blob's certificate subject is the SID string of
 * |sid| and nothing else (MS-BPAU 3.1.4.1, 3.2.4.1: "The subject of the
 * ... certificate MUST be a SID string"): CN=<SID> as Windows writes it
 * (the Vista sample of 4.2); CN=<SID>,O=x is not a SID string.
 */
bool certblob_names_sid(const struct certblob *blob, const struct crypto_sid *sid);

NTSTATUS certblob_build(TALLOC_CTX *mem_ctx, const struct crypto_x509 *cert,
			const char *const *ekus, size_t num_ekus,
			struct certblob **out, const char **reason)
	CRYPTO_WARN_UNUSED;

/* certblob_prop_name returns the spec's name for a property ID, or NULL
 * for an ID the spec does not list. */
const char *certblob_prop_name(uint32_t id);

/* certblob_find returns the property with |id|, or NULL. */
const struct certblob_prop *certblob_find(const struct certblob *blob,
					  uint32_t id);

#endif
