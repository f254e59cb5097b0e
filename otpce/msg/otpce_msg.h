/*
 * otpce_msg.h: the MS-OTPCE messages (section 2.2), parse and build, and
 * the HTTP header rules of sections 1.7 and 2.2.
 *
 * Pure codec: no I/O.  Every message goes through libxml2 and is validated
 * against the schema of Appendix A (otpce/msg/otpcep.xsd, compiled into
 * the library and loaded once).  A parser:
 *   - refuses more than OTPCE_MSG_MAX_LEN bytes before parsing;
 *   - reads UTF-8 only (2.2: "Content-type ... charset=utf-8"), never the
 *     network (XML_PARSE_NONET), never a DTD: a document type declaration
 *     stops the parser as soon as it is seen, before its internal subset
 *     is read, so no entity is ever declared or expanded;
 *   - accepts exactly one element at the top level, in the namespace
 *     http://schemas.microsoft.com/otpcep/1.0/protocol, and nothing else
 *     before or after it but the XML declaration and whitespace (2.2.2,
 *     2.2.3: "MUST NOT include additional data before or after the XML
 *     document ... MAY contain trailing whitespace"): no comment, no
 *     processing instruction;
 *   - accepts only the attributes the schema names (no xsi:*).
 * Namespace prefixes: 2.2.1 says the choice of prefix is "not significant
 * for interoperability", so a prefixed element in the right namespace is
 * accepted; the builders always use the default namespace, as 2.2.2 and
 * 2.2.3 show.
 *
 * base64Binary values may carry whitespace (XML Schema Part 2, 3.2.16,
 * whiteSpace collapse; the spec's own examples carry "&#xA;"): the schema
 * checks the lexical form, OpenSSL's EVP decoder decodes.
 *
 * Every builder validates what it built against the same schema before
 * returning it, so nothing the schema forbids is ever emitted (the spec's
 * own 4.4 response example carries a `certificate` attribute the schema
 * rejects; we never send it).
 *
 * Errors (crypto/ms/status.h): NT_STATUS_INVALID_PARAMETER for malformed
 * input or a message the builder refuses, with a static reason (never a
 * piece of the input) when |reason| is not NULL; NT_STATUS_NO_MEMORY;
 * NT_STATUS_INTERNAL_ERROR when libxml2 or OpenSSL fails for another
 * reason (the embedded schema does not load).  Outputs are assigned only
 * on success and are talloc children of |mem_ctx|.
 *
 * Secrets: the one-time password is a struct crypto_secret (wiped when
 * freed), and so is a built request (it holds the password).  libxml2's
 * own allocations may hold the password too: otpce_msg_init() installs an
 * allocator for libxml2 that wipes every block it frees.
 */
#ifndef OTPCE_MSG_OTPCE_MSG_H
#define OTPCE_MSG_OTPCE_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "crypto/crypto.h"

/* ---- constants --------------------------------------------------------- */

#define OTPCE_NAMESPACE "http://schemas.microsoft.com/otpcep/1.0/protocol"

/* 1.7: "X-OTPCEP-version" is mandatory in both request and response, and
 * "is required to have the value of 1.0". */
#define OTPCE_HTTP_VERSION_HEADER "X-OTPCEP-version"
#define OTPCE_HTTP_VERSION "1.0"
/* 2.2: "Content-type header is always set to Application/xml;charset=utf-8". */
#define OTPCE_HTTP_CONTENT_TYPE "application/xml;charset=utf-8"

/* Limits (ours; the specification sets none). */
#define OTPCE_MSG_MAX_LEN (256 * 1024)        /* a whole message body */
#define OTPCE_USERNAME_MAX_LEN 512            /* bytes of UTF-8 */
/* RFC 2865 5.2: a User-Password is at most 128 octets, so no longer
 * one-time password can be checked over RADIUS PAP. */
#define OTPCE_OTP_MAX_LEN 128
#define OTPCE_CERT_REQUEST_MAX_LEN (64 * 1024)   /* decoded PKCS#10 */
#define OTPCE_SIGNED_REQUEST_MAX_LEN (128 * 1024) /* decoded CMS */
#define OTPCE_ISSUING_CA_MAX 16
#define OTPCE_ISSUING_CA_MAX_LEN 1024

/* statusCode (2.2.3, SignCertStatusCode). */
enum otpce_status {
	OTPCE_STATUS_SUCCESS = 0,
	OTPCE_STATUS_AUTHENTICATION_ERROR,
	OTPCE_STATUS_CHALLENGE_RESPONSE_REQUIRED,
	OTPCE_STATUS_OTHER_ERROR,
};

/* otpce_status_name returns the schema's spelling ("Success", ...), or
 * NULL for a value outside the enumeration. */
const char *otpce_status_name(enum otpce_status status);

/* otpce_msg_init loads the schema and installs the wiping allocator for
 * libxml2.  Call it once before any other libxml2 use in the process (the
 * parsers and builders call it too; the call is idempotent and
 * thread-safe).  NT_STATUS_INTERNAL_ERROR if the schema does not load. */
NTSTATUS otpce_msg_init(void) CRYPTO_WARN_UNUSED;

/* ---- signCertRequest (2.2.2) --------------------------------------------- */

struct otpce_sign_cert_request {
	char *username;                          /* UTF-8, "domain\user" (3.1.5.1) */
	struct crypto_secret *one_time_password; /* UTF-8, NUL-terminated */
	uint8_t *cert_request;                   /* the decoded certRequest (PKCS#10 */
	size_t cert_request_len;                 /* DER, not checked here) */
};

/* otpce_sign_cert_request_parse: one signCertRequest document spanning
 * |len| bytes.  Refused as INVALID_PARAMETER beyond the rules above: an
 * empty username or oneTimePassword, a NUL byte in either, fields over the
 * limits, an empty certRequest.  The input buffer holds the password: the
 * caller wipes it. */
NTSTATUS otpce_sign_cert_request_parse(TALLOC_CTX *mem_ctx, const uint8_t *buf, size_t len,
				       struct otpce_sign_cert_request **out,
				       const char **reason) CRYPTO_WARN_UNUSED;

/* otpce_sign_cert_request_build: the document (XML declaration, UTF-8)
 * as a secret, because it holds the one-time password.  Refuses what the
 * parser would refuse. */
NTSTATUS otpce_sign_cert_request_build(TALLOC_CTX *mem_ctx,
				       const struct otpce_sign_cert_request *req,
				       struct crypto_secret **out, const char **reason)
	CRYPTO_WARN_UNUSED;

/* ---- signCertResponse (2.2.3) -------------------------------------------- */

struct otpce_sign_cert_response {
	enum otpce_status status;
	uint8_t *signed_cert_request;  /* decoded SignedCertRequest, NULL if absent */
	size_t signed_cert_request_len;
	size_t num_issuing_cas;
	char **issuing_cas;            /* IssuingCA elements, in order, UTF-8 */
};

/*
 * otpce_sign_cert_response_parse: one signCertResponse document.  Beyond
 * the schema, 2.2.3 says SignedCertRequest and IssuingCA are set only
 * with Success ("Otherwise, this field MUST be empty"): a response that
 * carries either with another status is refused, and so is a Success
 * without both (3.2.5.1 step 6 sets them).
 */
NTSTATUS otpce_sign_cert_response_parse(TALLOC_CTX *mem_ctx, const uint8_t *buf, size_t len,
					struct otpce_sign_cert_response **out,
					const char **reason) CRYPTO_WARN_UNUSED;

/* otpce_sign_cert_response_build: the document (XML declaration, UTF-8).
 * Refuses what the parser would refuse, including an IssuingCA that is
 * not an xs:anyURI. */
NTSTATUS otpce_sign_cert_response_build(TALLOC_CTX *mem_ctx,
					const struct otpce_sign_cert_response *resp,
					uint8_t **out, size_t *out_len, const char **reason)
	CRYPTO_WARN_UNUSED;

/* ---- HTTP (1.7, 2.2) ------------------------------------------------------- */

/* otpce_http_version_ok: the X-OTPCEP-version value is "1.0" (optional
 * whitespace around it, RFC 7230 3.2.4).  NULL (header absent) is false. */
bool otpce_http_version_ok(const char *value);

/* otpce_http_content_type_ok: the media type is application/xml (case
 * insensitive) and a charset parameter, if any, is utf-8; other
 * parameters are refused.  A missing charset is accepted: XML's default
 * encoding is UTF-8, and the body must decode as UTF-8 anyway.  NULL
 * (header absent) is false. */
bool otpce_http_content_type_ok(const char *value);

#endif
