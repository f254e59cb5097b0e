/*
 * otpce_msg_fixtures.h: what the OTPCE message tests share: the spec's
 * examples (tests/vectors/otpce/), a request builder for generated cases,
 * and parse helpers that assert the status and reason.  Included by
 * test_otpce_msg.c (known answers, round trips, HTTP rules) and
 * test_otpce_msg_malformed.c (hostile input).
 */
#ifndef TESTS_UNIT_OTPCE_MSG_FIXTURES_H
#define TESTS_UNIT_OTPCE_MSG_FIXTURES_H

#include "helpers.h"
#include "otpce/msg/otpce_msg.h"

#define NS "http://schemas.microsoft.com/otpcep/1.0/protocol"

/* vector loads tests/vectors/otpce/|name| as bytes on |t|. */
static inline uint8_t *vector(TALLOC_CTX *t, const char *name, size_t *len)
{
	char path[256];
	snprintf(path, sizeof(path), "otpce/%s", name);
	return load_vector(t, path, len);
}

/* parse_req_text parses a C string as a request; returns the status and
 * leaves the reason in |*reason|. */
static inline NTSTATUS parse_req_text(TALLOC_CTX *t, const char *text,
				      struct otpce_sign_cert_request **out, const char **reason)
{
	*reason = NULL;
	return otpce_sign_cert_request_parse(t, (const uint8_t *)text, strlen(text), out, reason);
}

/* assert_req_refused: |text| is refused as malformed, with a reason
 * containing |why|. */
static inline void assert_req_refused(const char *text, const char *why)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct otpce_sign_cert_request *req = NULL;
	const char *reason = NULL;
	NTSTATUS st = parse_req_text(t, text, &req, &reason);

	if (!NT_STATUS_EQUAL(st, NT_STATUS_INVALID_PARAMETER)) {
		fail_msg("accepted or wrong status (%s) for: %.200s", crypto_status_name(st), text);
	}
	assert_null(req);
	if (reason == NULL) {
		fail_msg("no reason for: %.200s", text);
	} else if (strstr(reason, why) == NULL) {
		fail_msg("reason \"%s\" lacks \"%s\"", reason, why);
	}
	talloc_free(t);
}

/* A small valid request: certRequest "MIIB" decodes to 30 82 01. */
#define GOOD_ATTRS "username=\"DOM\\u1\" oneTimePassword=\"123456\" certRequest=\"MIIB\""
#define GOOD_REQ "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<signCertRequest xmlns=\"" NS \
	"\" " GOOD_ATTRS "/>"

#endif
