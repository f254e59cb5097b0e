/*
 * response.c: signCertResponse (MS-OTPCE 2.2.3), parse and build.
 *
 * The spec's own 4.4 example response carries certificate="": the schema
 * of Appendix A has no such attribute (SignCertResponse names statusCode
 * and SignedCertRequest only), so that example does not validate and the
 * parser refuses it (tests/unit/test_otpce_msg.c); the builder can only
 * emit the attributes the schema names.
 */
#include <string.h>

#include <libxml/tree.h>

#include "otpce/msg/msg_internal.h"

static const char *const response_attrs[] = { "statusCode", "SignedCertRequest", NULL };

static const char *const status_names[] = {
	[OTPCE_STATUS_SUCCESS] = "Success",
	[OTPCE_STATUS_AUTHENTICATION_ERROR] = "AuthenticationError",
	[OTPCE_STATUS_CHALLENGE_RESPONSE_REQUIRED] = "ChallengeResponseRequired",
	[OTPCE_STATUS_OTHER_ERROR] = "OtherError",
};

const char *otpce_status_name(enum otpce_status status)
{
	if ((unsigned)status >= sizeof(status_names) / sizeof(status_names[0])) {
		return NULL;
	}
	return status_names[status];
}

/* collapse: xs:anyURI's whiteSpace facet is collapse (XML Schema Part 2,
 * 4.3.6): runs of whitespace become one space, none at either end. */
static char *collapse(TALLOC_CTX *mem_ctx, const char *s)
{
	char *d = talloc_array(mem_ctx, char, strlen(s) + 1);
	size_t n = 0;
	bool space = false;

	if (d == NULL) {
		return NULL;
	}
	for (; *s != '\0'; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
			space = n > 0;
			continue;
		}
		if (space) {
			d[n++] = ' ';
			space = false;
		}
		d[n++] = *s;
	}
	d[n] = '\0';
	return d;
}

/* check_shape: 2.2.3: SignedCertRequest and IssuingCA are set with Success
 * ("Otherwise, this field MUST be empty"), and 3.2.5.1 step 6 sets both. */
static bool check_shape(const struct otpce_sign_cert_response *r, const char **reason)
{
	bool success = r->status == OTPCE_STATUS_SUCCESS;

	if (otpce_status_name(r->status) == NULL) {
		crypto_set_reason(reason, "statusCode is not in SignCertStatusCode");
		return false;
	}
	if (success != (r->signed_cert_request_len > 0) || success != (r->num_issuing_cas > 0)) {
		crypto_set_reason(reason, "SignedCertRequest and IssuingCA are set with Success "
					  "and only with Success");
		return false;
	}
	if (r->num_issuing_cas > OTPCE_ISSUING_CA_MAX ||
	    r->signed_cert_request_len > OTPCE_SIGNED_REQUEST_MAX_LEN) {
		crypto_set_reason(reason, "too many IssuingCA elements or SignedCertRequest too long");
		return false;
	}
	for (size_t i = 0; i < r->num_issuing_cas; i++) {
		size_t l = r->issuing_cas[i] != NULL ? strlen(r->issuing_cas[i]) : 0;
		if (l == 0 || l > OTPCE_ISSUING_CA_MAX_LEN) {
			crypto_set_reason(reason, "an IssuingCA is empty or over its limit");
			return false;
		}
	}
	return true;
}

NTSTATUS otpce_sign_cert_response_parse(TALLOC_CTX *mem_ctx, const uint8_t *buf, size_t len,
					struct otpce_sign_cert_response **out,
					const char **reason)
{
	xmlDocPtr doc = NULL;
	xmlNodePtr root;
	xmlChar *code = NULL, *signed_req = NULL;
	struct otpce_sign_cert_response *resp = NULL;
	NTSTATUS status;
	size_t n = 0;

	status = otpce_xml_read(buf, len, "signCertResponse", response_attrs, &doc, reason);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	resp = talloc_zero(mem_ctx, struct otpce_sign_cert_response);
	if (resp == NULL) {
		status = NT_STATUS_NO_MEMORY;
		goto out;
	}
	root = xmlDocGetRootElement(doc);
	code = xmlGetNoNsProp(root, (const xmlChar *)"statusCode");
	if (code == NULL) {
		status = NT_STATUS_NO_MEMORY;
		goto out;
	}
	/* The schema checked the enumeration (after xs:string's preserve). */
	resp->status = OTPCE_STATUS_OTHER_ERROR + 1;
	for (unsigned i = 0; i <= OTPCE_STATUS_OTHER_ERROR; i++) {
		if (strcmp((const char *)code, status_names[i]) == 0) {
			resp->status = i;
		}
	}
	signed_req = xmlGetNoNsProp(root, (const xmlChar *)"SignedCertRequest");
	if (signed_req != NULL) {
		status = otpce_base64_decode(resp, (const char *)signed_req,
					     OTPCE_SIGNED_REQUEST_MAX_LEN, &resp->signed_cert_request,
					     &resp->signed_cert_request_len, reason);
		if (!NT_STATUS_IS_OK(status)) {
			goto out;
		}
	}
	/* The schema allows only IssuingCA children (and whitespace). */
	for (xmlNodePtr c = root->children; c != NULL; c = c->next) {
		n += c->type == XML_ELEMENT_NODE;
	}
	if (n > OTPCE_ISSUING_CA_MAX) {
		crypto_set_reason(reason, "too many IssuingCA elements");
		status = NT_STATUS_INVALID_PARAMETER;
		goto out;
	}
	resp->issuing_cas = talloc_zero_array(resp, char *, n + 1);
	if (resp->issuing_cas == NULL) {
		status = NT_STATUS_NO_MEMORY;
		goto out;
	}
	for (xmlNodePtr c = root->children; c != NULL; c = c->next) {
		xmlChar *text;
		if (c->type != XML_ELEMENT_NODE) {
			continue;
		}
		text = xmlNodeGetContent(c);
		if (text == NULL) {
			status = NT_STATUS_NO_MEMORY;
			goto out;
		}
		resp->issuing_cas[resp->num_issuing_cas] = collapse(resp->issuing_cas,
								    (const char *)text);
		xmlFree(text);
		if (resp->issuing_cas[resp->num_issuing_cas] == NULL) {
			status = NT_STATUS_NO_MEMORY;
			goto out;
		}
		resp->num_issuing_cas++;
	}
	if (!check_shape(resp, reason)) {
		status = NT_STATUS_INVALID_PARAMETER;
		goto out;
	}
	*out = resp;
	resp = NULL;
	status = NT_STATUS_OK;
out:
	TALLOC_FREE(resp);
	xmlFree(code);
	xmlFree(signed_req);
	otpce_xml_free_doc(doc);
	return status;
}

NTSTATUS otpce_sign_cert_response_build(TALLOC_CTX *mem_ctx,
					const struct otpce_sign_cert_response *resp,
					uint8_t **out, size_t *out_len, const char **reason)
{
	TALLOC_CTX *tmp = talloc_new(mem_ctx);
	xmlDocPtr doc = NULL;
	xmlNodePtr root;
	xmlChar *mem = NULL;
	int mem_len = 0;
	struct otpce_sign_cert_response *back = NULL;
	uint8_t *result;
	NTSTATUS status;

	if (tmp == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	if (!check_shape(resp, reason)) {
		status = NT_STATUS_INVALID_PARAMETER;
		goto out;
	}
	status = otpce_xml_new_doc("signCertResponse", &doc, &root);
	if (!NT_STATUS_IS_OK(status)) {
		goto out;
	}
	if (xmlNewProp(root, (const xmlChar *)"statusCode",
		       (const xmlChar *)otpce_status_name(resp->status)) == NULL) {
		status = NT_STATUS_NO_MEMORY;
		goto out;
	}
	if (resp->signed_cert_request_len > 0) {
		char *b64;
		status = otpce_base64_encode(tmp, resp->signed_cert_request,
					     resp->signed_cert_request_len, &b64);
		if (!NT_STATUS_IS_OK(status)) {
			goto out;
		}
		if (xmlNewProp(root, (const xmlChar *)"SignedCertRequest", (const xmlChar *)b64) ==
		    NULL) {
			status = NT_STATUS_NO_MEMORY;
			goto out;
		}
	}
	for (size_t i = 0; i < resp->num_issuing_cas; i++) {
		/* xmlNewTextChild escapes the text (xmlNewChild would parse
		 * it as markup). */
		if (xmlNewTextChild(root, root->ns, (const xmlChar *)"IssuingCA",
				    (const xmlChar *)resp->issuing_cas[i]) == NULL) {
			status = NT_STATUS_NO_MEMORY;
			goto out;
		}
	}
	status = otpce_xml_write(doc, &mem, &mem_len);
	if (!NT_STATUS_IS_OK(status)) {
		goto out;
	}
	/* What builds parses (the schema: statusCode's enumeration, each
	 * IssuingCA an xs:anyURI), with the same CA names. */
	status = otpce_sign_cert_response_parse(tmp, mem, (size_t)mem_len, &back, reason);
	if (!NT_STATUS_IS_OK(status)) {
		goto out;
	}
	for (size_t i = 0; i < resp->num_issuing_cas; i++) {
		if (strcmp(back->issuing_cas[i], resp->issuing_cas[i]) != 0) {
			crypto_set_reason(reason, "an IssuingCA has whitespace the schema collapses");
			status = NT_STATUS_INVALID_PARAMETER;
			goto out;
		}
	}
	result = talloc_memdup(mem_ctx, mem, (size_t)mem_len);
	if (result == NULL) {
		status = NT_STATUS_NO_MEMORY;
		goto out;
	}
	*out = result;
	*out_len = (size_t)mem_len;
	status = NT_STATUS_OK;
out:
	xmlFree(mem);
	if (doc != NULL) {
		otpce_xml_free_doc(doc);
	}
	talloc_free(tmp);
	return status;
}
