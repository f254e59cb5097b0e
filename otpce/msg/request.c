/*
 * request.c: signCertRequest (MS-OTPCE 2.2.2), parse and build.
 */
#include <string.h>

#include <libxml/tree.h>

#include "otpce/msg/msg_internal.h"

static const char *const request_attrs[] = { "username", "oneTimePassword", "certRequest",
					     NULL };

/* check_text: the rules a username or password meets beyond the schema's
 * xs:string: not empty, within |max| bytes, no NUL (2.2.2 calls them
 * "NULL-terminated" strings: a NUL would cut them short in the peer). */
static bool check_text(const char *s, size_t len, size_t max)
{
	return len > 0 && len <= max && strlen(s) == len;
}

NTSTATUS otpce_sign_cert_request_parse(TALLOC_CTX *mem_ctx, const uint8_t *buf, size_t len,
				       struct otpce_sign_cert_request **out, const char **reason)
{
	xmlDocPtr doc = NULL;
	xmlNodePtr root;
	xmlChar *user = NULL, *otp = NULL, *csr = NULL;
	struct otpce_sign_cert_request *req = NULL;
	NTSTATUS status;

	status = otpce_xml_read(buf, len, "signCertRequest", request_attrs, &doc, reason);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	root = xmlDocGetRootElement(doc);
	/* All three are use="required": the schema has checked they exist. */
	user = xmlGetNoNsProp(root, (const xmlChar *)"username");
	otp = xmlGetNoNsProp(root, (const xmlChar *)"oneTimePassword");
	csr = xmlGetNoNsProp(root, (const xmlChar *)"certRequest");
	if (user == NULL || otp == NULL || csr == NULL) {
		status = NT_STATUS_NO_MEMORY;
		goto out;
	}
	if (!check_text((const char *)user, (size_t)xmlStrlen(user), OTPCE_USERNAME_MAX_LEN)) {
		crypto_set_reason(reason, "username is empty or longer than OTPCE_USERNAME_MAX_LEN");
		status = NT_STATUS_INVALID_PARAMETER;
		goto out;
	}
	if (!check_text((const char *)otp, (size_t)xmlStrlen(otp), OTPCE_OTP_MAX_LEN)) {
		crypto_set_reason(reason, "oneTimePassword is empty or longer than OTPCE_OTP_MAX_LEN");
		status = NT_STATUS_INVALID_PARAMETER;
		goto out;
	}
	req = talloc_zero(mem_ctx, struct otpce_sign_cert_request);
	if (req == NULL) {
		status = NT_STATUS_NO_MEMORY;
		goto out;
	}
	status = otpce_base64_decode(req, (const char *)csr, OTPCE_CERT_REQUEST_MAX_LEN,
				     &req->cert_request, &req->cert_request_len, reason);
	if (!NT_STATUS_IS_OK(status)) {
		goto out;
	}
	if (req->cert_request_len == 0) {
		crypto_set_reason(reason, "certRequest is empty");
		status = NT_STATUS_INVALID_PARAMETER;
		goto out;
	}
	req->username = talloc_strdup(req, (const char *)user);
	req->one_time_password = crypto_secret_dup(req, otp, (size_t)xmlStrlen(otp));
	if (req->username == NULL || req->one_time_password == NULL) {
		status = NT_STATUS_NO_MEMORY;
		goto out;
	}
	*out = req;
	req = NULL;
	status = NT_STATUS_OK;
out:
	TALLOC_FREE(req);
	if (otp != NULL) {
		crypto_wipe(otp, (size_t)xmlStrlen(otp));
	}
	xmlFree(user);
	xmlFree(otp);
	xmlFree(csr);
	otpce_xml_free_doc(doc);
	return status;
}

NTSTATUS otpce_sign_cert_request_build(TALLOC_CTX *mem_ctx,
				       const struct otpce_sign_cert_request *req,
				       struct crypto_secret **out, const char **reason)
{
	TALLOC_CTX *tmp = talloc_new(mem_ctx);
	xmlDocPtr doc = NULL;
	xmlNodePtr root;
	xmlChar *mem = NULL;
	int mem_len = 0;
	char *csr;
	struct otpce_sign_cert_request *back = NULL;
	struct crypto_secret *result;
	NTSTATUS status;

	if (tmp == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	if (req->username == NULL || req->one_time_password == NULL ||
	    req->cert_request_len == 0 || req->cert_request_len > OTPCE_CERT_REQUEST_MAX_LEN) {
		crypto_set_reason(reason, "a field is missing, empty or over its limit");
		status = NT_STATUS_INVALID_PARAMETER;
		goto out;
	}
	status = otpce_base64_encode(tmp, req->cert_request, req->cert_request_len, &csr);
	if (!NT_STATUS_IS_OK(status)) {
		goto out;
	}
	status = otpce_xml_new_doc("signCertRequest", &doc, &root);
	if (!NT_STATUS_IS_OK(status)) {
		goto out;
	}
	/* Attribute order as in the spec's examples (4.3, 4.4). */
	if (xmlNewProp(root, (const xmlChar *)"certRequest", (const xmlChar *)csr) == NULL ||
	    xmlNewProp(root, (const xmlChar *)"oneTimePassword",
		       req->one_time_password->data) == NULL ||
	    xmlNewProp(root, (const xmlChar *)"username", (const xmlChar *)req->username) == NULL) {
		status = NT_STATUS_NO_MEMORY;
		goto out;
	}
	status = otpce_xml_write(doc, &mem, &mem_len);
	if (!NT_STATUS_IS_OK(status)) {
		goto out;
	}
	/* What builds parses, with the same fields: this is where the
	 * schema and the parser's own rules refuse a bad username or
	 * password (a control character, an over-long value, a NUL). */
	status = otpce_sign_cert_request_parse(tmp, mem, (size_t)mem_len, &back, reason);
	if (!NT_STATUS_IS_OK(status)) {
		goto out;
	}
	if (strcmp(back->username, req->username) != 0 ||
	    back->one_time_password->len != req->one_time_password->len ||
	    !crypto_memequal(back->one_time_password->data, req->one_time_password->data,
			     req->one_time_password->len)) {
		crypto_set_reason(reason, "username or oneTimePassword does not survive XML "
					  "(carriage return, or whitespace the parser normalizes)");
		status = NT_STATUS_INVALID_PARAMETER;
		goto out;
	}
	result = crypto_secret_dup(mem_ctx, mem, (size_t)mem_len);
	if (result == NULL) {
		status = NT_STATUS_NO_MEMORY;
		goto out;
	}
	*out = result;
	status = NT_STATUS_OK;
out:
	if (mem != NULL) {
		crypto_wipe(mem, (size_t)mem_len);
		xmlFree(mem);
	}
	if (doc != NULL) {
		otpce_xml_free_doc(doc);
	}
	talloc_free(tmp);
	return status;
}
