/*
 * otpce/sign/sign.h: MS-OTPCE's certificate request work, on OpenSSL.
 *
 *  - the server's step 1 (MS-OTPCE 3.2.5.1): is the client's PKCS#10
 *    signed, for the configured template, and for the OTP user only;
 *  - the server's step 4: the signed request as the Windows server makes
 *    it, a CMS SignedData around a CMC PKIData (RFC 5272) holding the
 *    client's PKCS#10 byte for byte (otpce/sign/README.md shows the
 *    structure);
 *  - the client's request: a key and a PKCS#10 laid out as Windows does.
 *
 * Conventions: functions return 0 on success; on failure they return
 * non-zero, fill |err| (if not NULL) with a reason meant for a log line or
 * the user (it never holds a key, a password or a request's bytes), and
 * leave their outputs untouched.  Output buffers are malloc'd; free them
 * with free() (private keys: otpce_free_secret).  No OpenSSL type appears
 * here.
 */
#ifndef OTPCE_SIGN_SIGN_H
#define OTPCE_SIGN_SIGN_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#define OTPCE_WARN_UNUSED __attribute__((warn_unused_result))

/* The largest PKCS#10 step 1 and step 4 take (a Windows request is 1-3 KiB). */
#define OTPCE_CSR_MAX (64 * 1024)

/* ---- the registration authority's signing certificate ---------------- */

/* A loaded signing certificate and its key (and any further certificates
 * of the certificate file, included in every signed request as the chain). */
struct otpce_signer;

/*
 * otpce_signer_load reads the PEM (or DER) certificate file |cert_file|
 * (the signing certificate first, then optionally its chain) and the PEM
 * private key |key_file| (unencrypted), and checks the key is the
 * certificate's (RSA or EC).  NULL on failure with |err| filled.
 * The ClientInfo the signed requests carry starts as: client id 5, this
 * host's name, "<HOST>$", "otpced" (see otpce_signer_set_client_info).
 */
struct otpce_signer *otpce_signer_load(const char *cert_file, const char *key_file,
				       char *err, size_t errlen);
/* otpce_signer_free frees |s| and wipes its key; NULL is fine. */
void otpce_signer_free(struct otpce_signer *s);

/*
 * otpce_signer_set_client_info sets the ClientInfo (1.3.6.1.4.1.311.21.20)
 * of the CMC add-attributes control of every later signed request.  The
 * Windows server puts its own identity there (the spec's 4.1 response:
 * 5, "DA1.domain1.corp.company.com", "DOMAIN1\DA1$", "w3wp.exe").  Any
 * string may be NULL to keep the current one.
 */
int otpce_signer_set_client_info(struct otpce_signer *s, int client_id,
				 const char *machine, const char *user,
				 const char *process, char *err, size_t errlen)
	OTPCE_WARN_UNUSED;

/* otpce_signer_set_digest picks the digest of both SignerInfos: "sha256"
 * (the default), "sha384", "sha512" or "sha1" (what the 4.1 example used). */
int otpce_signer_set_digest(struct otpce_signer *s, const char *digest,
			    char *err, size_t errlen) OTPCE_WARN_UNUSED;

/* ---- step 1: the PKCS#10 checks --------------------------------------- */

/*
 * otpce_check_request runs MS-OTPCE 3.2.5.1 step 1 on the DER PKCS#10
 * |csr| (the decoded certRequest attribute).  0 when all of these hold:
 *  - it is one DER CertificationRequest, nothing after it, and its
 *    signature verifies with its own key;
 *  - the template it names is |template_name|: a dotted OID is compared
 *    with the templateID of the certificate template extension
 *    (1.3.6.1.4.1.311.21.7, what Windows clients send for a version 2+
 *    template, as in the spec's 4.1 request); any other string is compared
 *    (ASCII case-insensitively) with the template name extension
 *    (1.3.6.1.4.1.311.20.2, version 1 templates).  The request must name
 *    exactly one template in a way that can be compared with the
 *    configured one;
 *  - every place it names a user names the OTP user: the subject DN equals
 *    |user_dn| (an RFC 4514 string such as the directory's
 *    distinguishedName, compared as X.509 names, case-insensitively), and
 *    every subject alternative name is a UPN otherName equal to |user_upn|
 *    (case-insensitively).  It must name the user somewhere.  |user_dn| or
 *    |user_upn| may be NULL when the directory has none: then a request
 *    that carries that place fails.
 * Otherwise non-zero and |err| says which check failed (the server then
 * answers OtherError).
 */
int otpce_check_request(const uint8_t *csr, size_t csr_len, const char *template_name,
			const char *user_upn, const char *user_dn, char *err, size_t errlen)
	OTPCE_WARN_UNUSED;

/*
 * The same in two halves, on a request already decoded by
 * otpce_request_decode, for a server that needs the PKCS#10 at several
 * steps and the directory's answer between them (in OpenSSL 3.0 decoding
 * the public key through the provider decoders costs about as much as the
 * RSA signature of step 4, so it is done once):
 *  - otpce_request_verify: the version, the signature algorithm's
 *    parameters and the signature with the request's own key;
 *  - otpce_check_request_names: the template and every name (above),
 *    on a request otpce_request_verify accepted.
 */
int otpce_request_verify(X509_REQ *req, char *err, size_t errlen) OTPCE_WARN_UNUSED;
int otpce_check_request_names(X509_REQ *req, const char *template_name, const char *user_upn,
			      const char *user_dn, char *err, size_t errlen) OTPCE_WARN_UNUSED;

/*
 * otpce_request_decode: |csr| as an X509_REQ if it is exactly one DER
 * CertificationRequest with nothing after it, else NULL.  Free it with
 * X509_REQ_free.
 */
X509_REQ *otpce_request_decode(const uint8_t *csr, size_t csr_len);

/* ---- step 4: the signed request ------------------------------------- */

/*
 * otpce_sign_request wraps the DER PKCS#10 |csr| (checked by
 * otpce_check_request first) in the structure the Windows server sends
 * back in SignedCertRequest: a DER CMS ContentInfo / SignedData whose
 * content is a CMC PKIData (id-cct-PKIData) with the request as
 * TaggedRequest bodyPartID 1 and an add-attributes control (bodyPartID 2)
 * carrying the signer's ClientInfo; the signing certificate (and chain);
 * and two SignerInfos: Windows' dummy signer (1.3.6.1.4.1.311.21.9=Dummy
 * Signer, serial 0, id-alg-noSignature) and the signing key's signature.
 * |*out| is malloc'd.
 */
int otpce_sign_request(const struct otpce_signer *s, const uint8_t *csr, size_t csr_len,
		       uint8_t **out, size_t *out_len, char *err, size_t errlen)
	OTPCE_WARN_UNUSED;

/*
 * otpce_sign_request_decoded: the same, where |req| is |csr| as
 * otpce_request_decode returned it (the caller keeps both): |csr| is not
 * decoded again.  |csr| is carried byte for byte.
 */
int otpce_sign_request_decoded(const struct otpce_signer *s, const X509_REQ *req,
			       const uint8_t *csr, size_t csr_len, uint8_t **out,
			       size_t *out_len, char *err, size_t errlen) OTPCE_WARN_UNUSED;

/*
 * otpce_signed_request_check: the client's check of a SignedCertRequest
 * (3.1.5.2) before it goes to the CA: one DER CMS SignedData whose content
 * is a PKIData holding exactly |csr| as its one request, every
 * SignerInfo's messageDigest matching, and one SignerInfo besides the
 * dummy signer whose signature verifies with an included certificate
 * (whose subject, escaped, goes to |signer| if not NULL).  The signing
 * certificate's trust is the CA's business, not checked here.
 */
int otpce_signed_request_check(const uint8_t *der, size_t der_len, const uint8_t *csr,
			       size_t csr_len, char *signer, size_t signer_len, char *err,
			       size_t errlen) OTPCE_WARN_UNUSED;

/* ---- the client's request ---------------------------------------------- */

enum otpce_key_type {
	OTPCE_KEY_RSA = 0, /* RSA, |rsa_bits| (2048 if 0), as Windows clients */
	OTPCE_KEY_EC_P256 = 1,
};

struct otpce_request_params {
	const char *subject_dn;    /* RFC 4514, e.g. "CN=User 1,CN=Users,DC=domain1,DC=com";
				      NULL or "" for an empty subject */
	const char *upn;           /* UPN for the SAN otherName; NULL for none */
	const char *template_oid;  /* dotted OID: the 1.3.6.1.4.1.311.21.7 extension */
	int template_major;        /* its major version (4.1: 100) */
	int template_minor;        /* its minor version (4.1: 5); < 0 leaves it out */
	const char *template_name; /* or a name: the 1.3.6.1.4.1.311.20.2 extension */
	const char *eku_oids;      /* comma-separated EKUs to request (4.1:
				      "1.3.6.1.4.1.311.20.2.2", smart card logon);
				      NULL for the 4.1 default, "" for none */
	/* ClientInfo (1.3.6.1.4.1.311.21.20); NULL strings leave it out
	   entirely when all three are NULL. */
	int client_id;             /* 4.1: 5 */
	const char *client_machine; /* 4.1: "CLIENT2.domain1.corp.company.com" */
	const char *client_user;   /* 4.1: "DOMAIN1\CLIENT2$" */
	const char *client_process; /* 4.1: "LogonUI.exe" */
	enum otpce_key_type key_type;
	unsigned int rsa_bits;
	const char *digest;        /* request signature digest; NULL: "sha256" */
};

/*
 * otpce_request_build generates a key and a DER PKCS#10 signed with it:
 * the subject, the attributes Windows sends (OS version
 * 1.3.6.1.4.1.311.13.2.3, ClientInfo, extension request) and the
 * extensions (template, EKU, key usage, application policies
 * 1.3.6.1.4.1.311.21.10, UPN subject alternative name, subject key
 * identifier).  Differences from the 4.1 request: README.md.  |*csr| is
 * malloc'd; |*key_pem| is the unencrypted PKCS#8 PEM private key,
 * NUL-terminated, to be freed with otpce_free_secret.
 */
int otpce_request_build(const struct otpce_request_params *p, uint8_t **csr, size_t *csr_len,
			char **key_pem, size_t *key_pem_len, char *err, size_t errlen)
	OTPCE_WARN_UNUSED;

/* otpce_free_secret wipes and frees |len| bytes at |p|; NULL is fine. */
void otpce_free_secret(void *p, size_t len);

/* otpce_der_to_pem wraps |der| in PEM armour with |label| ("CERTIFICATE
 * REQUEST", "CMS", ...); |*pem| is malloc'd and NUL-terminated. */
int otpce_der_to_pem(const uint8_t *der, size_t der_len, const char *label,
		     char **pem, size_t *pem_len, char *err, size_t errlen) OTPCE_WARN_UNUSED;

#endif
