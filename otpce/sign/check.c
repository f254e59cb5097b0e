/*
 * check.c: MS-OTPCE 3.2.5.1 step 1, the checks on the client's PKCS#10
 * before anything else is done with it (a failure is OtherError):
 *
 *   "The user name inside the certificate request MUST match the OTP user
 *    name ... If the user name appears in multiple places in the
 *    certificate request, all instances MUST match the OTP user name.
 *    The certificate template named in the user certificate request MUST
 *    NOT be empty and it MUST be the one that is configured in the server.
 *    The certificate request MUST be digitally signed with a valid
 *    signature, as specified in [RFC2986]."
 *
 * What the spec's accepted request (4.1) carries, and so what we check:
 *  - the subject DN "CN=User 1,CN=Users,DC=domain1,DC=corp,DC=company,
 *    DC=com": the user's directory DN;
 *  - a subject alternative name with one UPN otherName
 *    (1.3.6.1.4.1.311.20.2.3) "user1@domain1.corp.company.com";
 *  - the certificate template extension 1.3.6.1.4.1.311.21.7, which names
 *    the template by OID only (templateID 1.3.6.1.4.1.311.21.8.<...>,
 *    major 100, minor 5): a version 2+ template has no name in the
 *    request, so the server's configured template is an OID.  Version 1
 *    templates are named by the 1.3.6.1.4.1.311.20.2 extension (a
 *    BMPString name), which we compare when the configuration is a name.
 *  - a ClientInfo attribute (1.3.6.1.4.1.311.21.20) whose user name is
 *    "DOMAIN1\CLIENT2$", the client machine's account, not the OTP user:
 *    ClientInfo says which process on which machine made the request,
 *    and the spec accepts this request, so ClientInfo is NOT one of the
 *    places that must name the user and is not checked.
 *
 * Fail closed: a subject alternative name that is not a UPN (an e-mail
 * address, a DNS name, another otherName) could name someone and cannot be
 * compared with a UPN, so it fails; so does the security identifier
 * extension (1.3.6.1.4.1.311.25.2, which names an account by SID); so do
 * two extension requests, a repeated extension, and a request that names
 * no user at all.  Nothing here logs: the caller logs |err|, which holds
 * request text only in escaped, ASCII-only form.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "otpce/sign/cmc.h"
#include "otpce/sign/internal.h"
#include "otpce/sign/sign.h"

#define OID_NTDS_CA_SECURITY_EXT "1.3.6.1.4.1.311.25.2"

static int oid_is(const ASN1_OBJECT *obj, const char *dotted)
{
	char buf[128];
	int n = OBJ_obj2txt(buf, sizeof(buf), obj, 1);

	return n > 0 && (size_t)n < sizeof(buf) && strcmp(buf, dotted) == 0;
}

/* find_ext returns the one extension with OID |dotted|, NULL if none. */
static X509_EXTENSION *find_ext(const STACK_OF(X509_EXTENSION) *exts, const char *dotted)
{
	for (int i = 0; i < sk_X509_EXTENSION_num(exts); i++) {
		X509_EXTENSION *e = sk_X509_EXTENSION_value(exts, i);

		if (oid_is(X509_EXTENSION_get_object(e), dotted)) {
			return e;
		}
	}
	return NULL;
}

/* extensions: the request's one extension request, each OID once. */
static int extensions(X509_REQ *req, STACK_OF(X509_EXTENSION) **out, char *err, size_t errlen)
{
	STACK_OF(X509_EXTENSION) *exts;
	int found = 0;

	/* X509_REQ_get_extensions reads the first extension request
	 * attribute (PKCS#9 or Microsoft's 1.3.6.1.4.1.311.2.1.14) and would
	 * ignore a second: a template or SAN hidden there must not slip by. */
	for (int i = 0; i < X509_REQ_get_attr_count(req); i++) {
		X509_ATTRIBUTE *a = X509_REQ_get_attr(req, i);
		const ASN1_OBJECT *o = X509_ATTRIBUTE_get0_object(a);

		if (OBJ_obj2nid(o) == NID_ext_req || oid_is(o, OTPCE_OID_MS_EXT_REQ)) {
			if (++found > 1 || X509_ATTRIBUTE_count(a) != 1) {
				otpce_err(err, errlen, "the request carries more than one "
					  "extension request");
				return -1;
			}
		}
	}
	exts = X509_REQ_get_extensions(req);
	if (exts == NULL) {
		otpce_err(err, errlen, "the request's extensions do not decode");
		return -1;
	}
	for (int i = 0; i < sk_X509_EXTENSION_num(exts); i++) {
		for (int j = i + 1; j < sk_X509_EXTENSION_num(exts); j++) {
			if (OBJ_cmp(X509_EXTENSION_get_object(sk_X509_EXTENSION_value(exts, i)),
				    X509_EXTENSION_get_object(sk_X509_EXTENSION_value(exts, j))) == 0) {
				char oid[80];

				OBJ_obj2txt(oid, sizeof(oid),
					    X509_EXTENSION_get_object(sk_X509_EXTENSION_value(exts, i)), 1);
				otpce_err(err, errlen, "extension %s appears twice", oid);
				sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
				return -1;
			}
		}
	}
	*out = exts;
	return 0;
}

/* template_by_oid: the 1.3.6.1.4.1.311.21.7 extension names |want|. */
static int template_by_oid(X509_EXTENSION *ext, const char *want, char *err, size_t errlen)
{
	const ASN1_OCTET_STRING *v = X509_EXTENSION_get_data(ext);
	const unsigned char *p = ASN1_STRING_get0_data(v);
	long len = ASN1_STRING_length(v);
	OTPCE_CERT_TEMPLATE *t = d2i_OTPCE_CERT_TEMPLATE(NULL, &p, len);
	ASN1_OBJECT *w = OBJ_txt2obj(want, 1);
	char got[128];
	int rc = -1;

	if (t == NULL || p != ASN1_STRING_get0_data(v) + len) {
		otpce_err(err, errlen, "the certificate template extension does not decode");
	} else if (w == NULL) {
		otpce_err(err, errlen, "the configured template OID is not valid");
	} else if (OBJ_cmp(t->template_id, w) != 0) {
		if (OBJ_obj2txt(got, sizeof(got), t->template_id, 1) <= 0) {
			strcpy(got, "?");
		}
		otpce_err(err, errlen, "the request is for template %s, not the configured %s",
			  got, want);
	} else {
		rc = 0;
	}
	ASN1_OBJECT_free(w);
	OTPCE_CERT_TEMPLATE_free(t);
	return rc;
}

/* template_by_name: the 1.3.6.1.4.1.311.20.2 extension names |want|. */
static int template_by_name(X509_EXTENSION *ext, const char *want, char *err, size_t errlen)
{
	const ASN1_OCTET_STRING *v = X509_EXTENSION_get_data(ext);
	const unsigned char *p = ASN1_STRING_get0_data(v);
	long len = ASN1_STRING_length(v);
	ASN1_TYPE *t = d2i_ASN1_TYPE(NULL, &p, len);
	unsigned char *utf8 = NULL;
	int n = -1, rc = -1;
	char safe[96];

	if (t != NULL && p == ASN1_STRING_get0_data(v) + len &&
	    (t->type == V_ASN1_BMPSTRING || t->type == V_ASN1_UTF8STRING)) {
		n = ASN1_STRING_to_UTF8(&utf8, t->value.asn1_string);
	}
	if (n <= 0 || memchr(utf8, '\0', (size_t)n) != NULL) {
		otpce_err(err, errlen, "the certificate template name extension does not decode");
	} else if ((size_t)n != strlen(want) || strncasecmp((char *)utf8, want, (size_t)n) != 0) {
		otpce_safe_text(utf8, (size_t)n, safe, sizeof(safe));
		otpce_err(err, errlen, "the request is for template \"%s\", not the configured \"%s\"",
			  safe, want);
	} else {
		rc = 0;
	}
	OPENSSL_free(utf8);
	ASN1_TYPE_free(t);
	return rc;
}

static int check_template(const STACK_OF(X509_EXTENSION) *exts, const char *want,
			  char *err, size_t errlen)
{
	X509_EXTENSION *v2 = find_ext(exts, OTPCE_OID_TEMPLATE);
	X509_EXTENSION *v1 = find_ext(exts, OTPCE_OID_TEMPLATE_NAME);

	if (want == NULL || *want == '\0') {
		otpce_err(err, errlen, "no certificate template is configured");
		return -1;
	}
	if (v1 == NULL && v2 == NULL) {
		otpce_err(err, errlen, "the request names no certificate template");
		return -1;
	}
	if (otpce_is_dotted_oid(want)) {
		if (v2 == NULL) {
			otpce_err(err, errlen, "the request names its template by name only; "
				  "the configured template is the OID %s", want);
			return -1;
		}
		if (v1 != NULL) {
			otpce_err(err, errlen, "the request also names a template by name, which "
				  "cannot be compared with the configured OID %s", want);
			return -1;
		}
		return template_by_oid(v2, want, err, errlen);
	}
	if (v1 == NULL) {
		otpce_err(err, errlen, "the request names its template by OID only; "
			  "configure the template's OID, not its name \"%s\"", want);
		return -1;
	}
	if (v2 != NULL) {
		otpce_err(err, errlen, "the request also names a template by OID, which "
			  "cannot be compared with the configured name \"%s\"", want);
		return -1;
	}
	return template_by_name(v1, want, err, errlen);
}

static int check_subject(X509_REQ *req, const char *user_dn, int *named, char *err, size_t errlen)
{
	const X509_NAME *subject = X509_REQ_get_subject_name(req);
	X509_NAME *want;
	char got[256];
	int rc;

	if (X509_NAME_entry_count(subject) == 0) {
		return 0;
	}
	*named = 1;
	otpce_name_text(subject, got, sizeof(got));
	if (user_dn == NULL || *user_dn == '\0') {
		otpce_err(err, errlen, "the request's subject is \"%s\" but the directory gives "
			  "the OTP user no DN", got);
		return -1;
	}
	want = otpce_dn_parse(user_dn, err, errlen);
	if (want == NULL) {
		return -1;
	}
	/* X509_NAME_cmp compares the canonical forms (RFC 5280 7.1: string
	 * types folded, case and spacing ignored). */
	rc = X509_NAME_cmp(subject, want);
	X509_NAME_free(want);
	if (rc != 0) {
		otpce_err(err, errlen, "the request's subject \"%s\" is not the OTP user's DN", got);
		return -1;
	}
	return 0;
}

static int check_upn(const GENERAL_NAME *gn, const char *user_upn, char *err, size_t errlen)
{
	const OTHERNAME *on = gn->d.otherName;
	const ASN1_UTF8STRING *s;
	char safe[160];
	int len;

	if (on->value == NULL || on->value->type != V_ASN1_UTF8STRING) {
		otpce_err(err, errlen, "the request's UPN is not a UTF8String");
		return -1;
	}
	s = on->value->value.utf8string;
	len = ASN1_STRING_length(s);
	otpce_safe_text(ASN1_STRING_get0_data(s), (size_t)len, safe, sizeof(safe));
	if (user_upn == NULL || *user_upn == '\0') {
		otpce_err(err, errlen, "the request names the UPN \"%s\" but the directory gives "
			  "the OTP user none", safe);
		return -1;
	}
	/* UPNs compare case-insensitively in Active Directory. */
	if (len <= 0 || (size_t)len != strlen(user_upn) ||
	    memchr(ASN1_STRING_get0_data(s), '\0', (size_t)len) != NULL ||
	    strncasecmp((const char *)ASN1_STRING_get0_data(s), user_upn, (size_t)len) != 0) {
		otpce_err(err, errlen, "the request's UPN \"%s\" is not the OTP user's", safe);
		return -1;
	}
	return 0;
}

static int check_san(const STACK_OF(X509_EXTENSION) *exts, const char *user_upn, int *named,
		     char *err, size_t errlen)
{
	X509_EXTENSION *ext = find_ext(exts, "2.5.29.17");
	const ASN1_OCTET_STRING *v;
	const unsigned char *p;
	GENERAL_NAMES *names;
	long len;
	int rc = 0;

	if (ext == NULL) {
		return 0;
	}
	v = X509_EXTENSION_get_data(ext);
	p = ASN1_STRING_get0_data(v);
	len = ASN1_STRING_length(v);
	names = d2i_GENERAL_NAMES(NULL, &p, len);
	if (names == NULL || p != ASN1_STRING_get0_data(v) + len || sk_GENERAL_NAME_num(names) == 0) {
		otpce_err(err, errlen, "the subject alternative name does not decode");
		GENERAL_NAMES_free(names);
		return -1;
	}
	for (int i = 0; i < sk_GENERAL_NAME_num(names) && rc == 0; i++) {
		const GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, i);

		if (gn->type == GEN_OTHERNAME && oid_is(gn->d.otherName->type_id, OTPCE_OID_UPN)) {
			*named = 1;
			rc = check_upn(gn, user_upn, err, errlen);
		} else {
			otpce_err(err, errlen, "the subject alternative name holds a name of type "
				  "%d that is not a UPN, so it cannot be checked against the OTP user",
				  gn->type);
			rc = -1;
		}
	}
	GENERAL_NAMES_free(names);
	return rc;
}

/* signature_params: the signature algorithm's parameters are absent or
 * NULL (RFC 4055 2.1, RFC 5758 3.2) except for RSASSA-PSS.  They are
 * outside the signed bytes, so OpenSSL's verify does not look at them and
 * a request with junk there would still verify; we carry the request to
 * the CA byte for byte and want it to be what the client signed. */
static int signature_params(const X509_REQ *req, char *err, size_t errlen)
{
	const X509_ALGOR *alg = NULL;
	const ASN1_OBJECT *obj = NULL;
	int ptype = V_ASN1_UNDEF;

	X509_REQ_get0_signature(req, NULL, &alg);
	X509_ALGOR_get0(&obj, &ptype, NULL, alg);
	if (OBJ_obj2nid(obj) != NID_rsassaPss && ptype != V_ASN1_UNDEF && ptype != V_ASN1_NULL) {
		otpce_err(err, errlen, "the request's signature algorithm has parameters "
			  "that are not NULL");
		return -1;
	}
	return 0;
}

X509_REQ *otpce_request_decode(const uint8_t *csr, size_t csr_len)
{
	const unsigned char *p = csr;
	X509_REQ *req;

	if (csr == NULL || csr_len == 0 || csr_len > OTPCE_CSR_MAX) {
		return NULL;
	}
	req = d2i_X509_REQ(NULL, &p, (long)csr_len);
	if (req != NULL && p != csr + csr_len) {
		X509_REQ_free(req);
		req = NULL;
	}
	ERR_clear_error();
	return req;
}

int otpce_check_request(const uint8_t *csr, size_t csr_len, const char *template_name,
			const char *user_upn, const char *user_dn, char *err, size_t errlen)
{
	X509_REQ *req;
	int rc;

	if (csr == NULL || csr_len == 0 || csr_len > OTPCE_CSR_MAX) {
		otpce_err(err, errlen, "the request is empty or larger than %d bytes", OTPCE_CSR_MAX);
		return -1;
	}
	req = otpce_request_decode(csr, csr_len);
	if (req == NULL) {
		otpce_err(err, errlen, "the request is not one DER PKCS#10 certification request");
		return -1;
	}
	rc = otpce_request_verify(req, err, errlen) != 0
		     ? -1
		     : otpce_check_request_names(req, template_name, user_upn, user_dn, err, errlen);
	X509_REQ_free(req);
	return rc;
}

int otpce_request_verify(X509_REQ *req, char *err, size_t errlen)
{
	EVP_PKEY *pkey;
	int rc = -1;

	if (req == NULL) {
		otpce_err(err, errlen, "the request is not one DER PKCS#10 certification request");
		return -1;
	}
	if (X509_REQ_get_version(req) != X509_REQ_VERSION_1) {
		otpce_err(err, errlen, "the request's version is not 0 (PKCS#10 v1.7)");
		goto out;
	}
	if (signature_params(req, err, errlen) != 0) {
		goto out;
	}
	pkey = X509_REQ_get0_pubkey(req);
	if (pkey == NULL || X509_REQ_verify(req, pkey) != 1) {
		otpce_err(err, errlen, "the request's signature does not verify");
		goto out;
	}
	rc = 0;
out:
	ERR_clear_error();
	return rc;
}

int otpce_check_request_names(X509_REQ *req, const char *template_name, const char *user_upn,
			      const char *user_dn, char *err, size_t errlen)
{
	STACK_OF(X509_EXTENSION) *exts = NULL;
	int named = 0, rc = -1;

	if (req == NULL) {
		otpce_err(err, errlen, "the request is not one DER PKCS#10 certification request");
		return -1;
	}
	if (extensions(req, &exts, err, errlen) != 0 ||
	    check_template(exts, template_name, err, errlen) != 0 ||
	    check_subject(req, user_dn, &named, err, errlen) != 0 ||
	    check_san(exts, user_upn, &named, err, errlen) != 0) {
		goto out;
	}
	if (find_ext(exts, OID_NTDS_CA_SECURITY_EXT) != NULL) {
		otpce_err(err, errlen, "the request carries a security identifier extension "
			  "(1.3.6.1.4.1.311.25.2); the CA, not the client, sets it");
		goto out;
	}
	/* ClientInfo (1.3.6.1.4.1.311.21.20) is deliberately not checked:
	 * see the opening comment (the spec's 4.1 request carries the
	 * machine account DOMAIN1\CLIENT2$ there and is accepted). */
	if (!named) {
		otpce_err(err, errlen, "the request names no user (no subject DN, no UPN)");
		goto out;
	}
	rc = 0;
out:
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	ERR_clear_error();
	return rc;
}
