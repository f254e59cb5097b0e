/*
 * fuzz_otpce_request.c: libFuzzer target for the OTPCE message parsers
 * (otpce/msg): the input is tried as a signCertRequest and as a
 * signCertResponse.  Round trip: what parses rebuilds, and the rebuilt
 * document parses to the same fields; anything refused is refused as
 * malformed input with a reason.
 */
#include <stdlib.h>
#include <string.h>

#include "otpce/msg/otpce_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void refused_cleanly(NTSTATUS status, const char *reason)
{
	if (!NT_STATUS_EQUAL(status, NT_STATUS_INVALID_PARAMETER) || reason == NULL) {
		abort();
	}
}

static void request(TALLOC_CTX *t, const uint8_t *data, size_t size)
{
	struct otpce_sign_cert_request *req = NULL, *back = NULL;
	struct crypto_secret *xml = NULL;
	const char *reason = NULL;
	NTSTATUS st = otpce_sign_cert_request_parse(t, data, size, &req, &reason);

	if (!NT_STATUS_IS_OK(st)) {
		refused_cleanly(st, reason);
		return;
	}
	/* A username or password with whitespace that attribute-value
	 * normalization would change cannot come out of the parser, so the
	 * rebuild must succeed. */
	if (!NT_STATUS_IS_OK(otpce_sign_cert_request_build(t, req, &xml, &reason)) ||
	    !NT_STATUS_IS_OK(otpce_sign_cert_request_parse(t, xml->data, xml->len, &back, &reason)) ||
	    strcmp(back->username, req->username) != 0 ||
	    back->one_time_password->len != req->one_time_password->len ||
	    memcmp(back->one_time_password->data, req->one_time_password->data,
		   req->one_time_password->len) != 0 ||
	    back->cert_request_len != req->cert_request_len ||
	    memcmp(back->cert_request, req->cert_request, req->cert_request_len) != 0) {
		abort();
	}
}

static void response(TALLOC_CTX *t, const uint8_t *data, size_t size)
{
	struct otpce_sign_cert_response *resp = NULL, *back = NULL;
	uint8_t *xml = NULL;
	size_t len = 0;
	const char *reason = NULL;
	NTSTATUS st = otpce_sign_cert_response_parse(t, data, size, &resp, &reason);

	if (!NT_STATUS_IS_OK(st)) {
		refused_cleanly(st, reason);
		return;
	}
	if (!NT_STATUS_IS_OK(otpce_sign_cert_response_build(t, resp, &xml, &len, &reason)) ||
	    !NT_STATUS_IS_OK(otpce_sign_cert_response_parse(t, xml, len, &back, &reason)) ||
	    back->status != resp->status || back->num_issuing_cas != resp->num_issuing_cas ||
	    back->signed_cert_request_len != resp->signed_cert_request_len ||
	    (resp->signed_cert_request_len > 0 &&
	     memcmp(back->signed_cert_request, resp->signed_cert_request,
		    resp->signed_cert_request_len) != 0)) {
		abort();
	}
	for (size_t i = 0; i < resp->num_issuing_cas; i++) {
		if (strcmp(back->issuing_cas[i], resp->issuing_cas[i]) != 0) {
			abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *t = talloc_new(NULL);

	request(t, data, size);
	response(t, data, size);
	talloc_free(t);
	return 0;
}
