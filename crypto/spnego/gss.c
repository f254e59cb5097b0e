/*
 * gss.c: the OIDs SPNEGO names, and the RFC 2743 3.1 InitialContextToken
 * framing of any mechanism (spnego.h).
 *
 * The framing of a SPNEGO token is an OpenSSL template (spnego.c), because
 * its innerContextToken is one ASN.1 value.  For other mechanisms it is
 * not: Kerberos puts a two-byte TOK_ID before its KRB_AP_REQ (RFC 4121
 * 4.1), so "ANY DEFINED BY thisMech" is a byte string no template can
 * describe.  spnego_gss_header_parse/build therefore use OpenSSL's
 * element-level calls (ASN1_get_object, ASN1_put_object, ASN1_object_size)
 * and its OID codec (d2i/i2d_ASN1_OBJECT), no DER written by hand here.
 */
#include "crypto/spnego/spnego.h"

#include <string.h>

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/objects.h>

/* The OIDs' DER contents (X.690 8.19). */
const struct spnego_oid spnego_oid_spnego = {
	6, { 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02 } };
const struct spnego_oid spnego_oid_negoex = {
	10, { 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x1e } };
const struct spnego_oid spnego_oid_krb5 = {
	9, { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02 } };
/* Windows 2000's misencoding of the Kerberos OID (113554 truncated to 16
 * bits), which Windows still offers first; MIT and Samba list it too. */
const struct spnego_oid spnego_oid_ms_krb5 = {
	9, { 0x2a, 0x86, 0x48, 0x82, 0xf7, 0x12, 0x01, 0x02, 0x02 } };
const struct spnego_oid spnego_oid_ntlm = {
	10, { 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a } };

bool spnego_oid_equal(const struct spnego_oid *a, const struct spnego_oid *b)
{
	return a->len == b->len && a->len <= SPNEGO_OID_MAX_LEN &&
	       memcmp(a->bytes, b->bytes, a->len) == 0;
}

const char *spnego_oid_name(const struct spnego_oid *oid)
{
	static const struct {
		const struct spnego_oid *oid;
		const char *name;
	} names[] = {
		{ &spnego_oid_spnego, "SPNEGO" },
		{ &spnego_oid_negoex, "NEGOEX" },
		{ &spnego_oid_krb5, "Kerberos" },
		{ &spnego_oid_ms_krb5, "MS-Kerberos" },
		{ &spnego_oid_ntlm, "NTLM" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (spnego_oid_equal(oid, names[i].oid)) {
			return names[i].name;
		}
	}
	return NULL;
}

/* oid_object: |oid| as an ASN1_OBJECT, NULL if it is no valid OID
 * encoding (OpenSSL's decoder checks it) or out of memory. */
static ASN1_OBJECT *oid_object(const struct spnego_oid *oid)
{
	ASN1_OBJECT *tmp, *o = NULL;
	unsigned char *der = NULL;
	const unsigned char *p;
	int n;

	if (oid->len == 0 || oid->len > SPNEGO_OID_MAX_LEN) {
		return NULL;
	}
	tmp = ASN1_OBJECT_create(NID_undef, (unsigned char *)oid->bytes, (int)oid->len, NULL,
				 NULL);
	if (tmp == NULL) {
		ERR_clear_error();
		return NULL;
	}
	n = i2d_ASN1_OBJECT(tmp, &der);
	ASN1_OBJECT_free(tmp);
	if (n > 0) {
		p = der;
		o = d2i_ASN1_OBJECT(NULL, &p, n);
		if (o != NULL && p != der + n) {
			ASN1_OBJECT_free(o);
			o = NULL;
		}
	}
	OPENSSL_free(der);
	ERR_clear_error();
	return o;
}

char *spnego_oid_string(TALLOC_CTX *mem_ctx, const struct spnego_oid *oid)
{
	ASN1_OBJECT *o = oid_object(oid);
	char text[160];
	int n;

	if (o == NULL) {
		return NULL;
	}
	n = OBJ_obj2txt(text, sizeof(text), o, 1);
	ASN1_OBJECT_free(o);
	ERR_clear_error();
	if (n <= 0 || (size_t)n >= sizeof(text)) {
		return NULL;
	}
	return talloc_strdup(mem_ctx, text);
}

NTSTATUS spnego_oid_from_string(const char *text, struct spnego_oid *out, const char **reason)
{
	ASN1_OBJECT *o;
	size_t n;

	if (text == NULL || text[0] == '\0' || strspn(text, "0123456789.") != strlen(text)) {
		crypto_set_reason(reason, "OID: not in dotted decimal form");
		return NT_STATUS_INVALID_PARAMETER;
	}
	o = OBJ_txt2obj(text, 1);
	if (o == NULL) {
		ERR_clear_error();
		crypto_set_reason(reason, "OID: not a valid object identifier");
		return NT_STATUS_INVALID_PARAMETER;
	}
	n = (size_t)OBJ_length(o);
	if (n == 0 || n > SPNEGO_OID_MAX_LEN) {
		ASN1_OBJECT_free(o);
		crypto_set_reason(reason, "OID: longer than 32 bytes encoded");
		return NT_STATUS_INVALID_PARAMETER;
	}
	memcpy(out->bytes, OBJ_get0_data(o), n);
	out->len = n;
	ASN1_OBJECT_free(o);
	return NT_STATUS_OK;
}

NTSTATUS spnego_gss_header_parse(const uint8_t *buf, size_t len, struct spnego_oid *mech,
				 const uint8_t **inner, size_t *inner_len, const char **reason)
{
	const unsigned char *p = buf, *oid_start;
	unsigned char *again = NULL;
	ASN1_OBJECT *o;
	long body_len;
	int tag, xclass, ret, n;
	size_t left;

	if (buf == NULL || len < 2 || len > SPNEGO_MAX_TOKEN_LEN) {
		crypto_set_reason(reason, "GSS token: empty, truncated or longer than 2 MiB");
		return NT_STATUS_INVALID_PARAMETER;
	}
	ret = ASN1_get_object(&p, &body_len, &tag, &xclass, (long)len);
	ERR_clear_error();
	if ((ret & 0x80) != 0) {
		crypto_set_reason(reason, "GSS token: the [APPLICATION 0] length runs past the end");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (tag != 0 || xclass != V_ASN1_APPLICATION || (ret & V_ASN1_CONSTRUCTED) == 0) {
		crypto_set_reason(reason, "GSS token: does not start with [APPLICATION 0]");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (ret & 1) {
		crypto_set_reason(reason, "GSS token: indefinite length (RFC 2743 3.1 requires "
					  "DER)");
		return NT_STATUS_INVALID_PARAMETER;
	}
	/* ASN1_object_size is the DER size: a longer header was non-minimal. */
	if (ASN1_object_size(1, (int)body_len, 0) != (int)len ||
	    (size_t)(p - buf) + (size_t)body_len != len) {
		crypto_set_reason(reason, "GSS token: [APPLICATION 0] length not in DER form or "
					  "bytes after the token");
		return NT_STATUS_INVALID_PARAMETER;
	}
	left = (size_t)body_len;
	oid_start = p;
	o = d2i_ASN1_OBJECT(NULL, &p, (long)left);
	if (o == NULL) {
		ERR_clear_error();
		crypto_set_reason(reason, "GSS token: thisMech is not a valid OID");
		return NT_STATUS_INVALID_PARAMETER;
	}
	/* Re-encoded, it must be the same bytes: d2i_ASN1_OBJECT checks the
	 * tag number but not the class (it reads [6] as an OID). */
	n = i2d_ASN1_OBJECT(o, &again);
	if (n <= 0 || p - oid_start != n || memcmp(again, oid_start, (size_t)n) != 0 ||
	    OBJ_length(o) == 0 || OBJ_length(o) > SPNEGO_OID_MAX_LEN) {
		OPENSSL_free(again);
		ASN1_OBJECT_free(o);
		ERR_clear_error();
		crypto_set_reason(reason, "GSS token: thisMech is not an OID in DER form of at "
					  "most 32 bytes");
		return NT_STATUS_INVALID_PARAMETER;
	}
	OPENSSL_free(again);
	mech->len = OBJ_length(o);
	memcpy(mech->bytes, OBJ_get0_data(o), mech->len);
	ASN1_OBJECT_free(o);
	*inner = p;
	*inner_len = len - (size_t)(p - buf);
	return NT_STATUS_OK;
}

NTSTATUS spnego_gss_header_build(TALLOC_CTX *mem_ctx, const struct spnego_oid *mech,
				 const uint8_t *inner, size_t inner_len, uint8_t **out,
				 size_t *out_len, const char **reason)
{
	ASN1_OBJECT *o;
	unsigned char *p;
	uint8_t *buf;
	int oid_len, total;

	if ((inner == NULL && inner_len > 0) || inner_len > SPNEGO_MAX_TOKEN_LEN) {
		crypto_set_reason(reason, "GSS token: inner token missing or longer than 2 MiB");
		return NT_STATUS_INVALID_PARAMETER;
	}
	o = oid_object(mech);
	if (o == NULL) {
		crypto_set_reason(reason, "GSS token: thisMech is not a valid OID");
		return NT_STATUS_INVALID_PARAMETER;
	}
	oid_len = i2d_ASN1_OBJECT(o, NULL);
	total = oid_len <= 0 ? -1 : ASN1_object_size(1, oid_len + (int)inner_len, 0);
	if (total <= 0 || (size_t)total > SPNEGO_MAX_TOKEN_LEN) {
		ASN1_OBJECT_free(o);
		ERR_clear_error();
		crypto_set_reason(reason, "GSS token would be longer than 2 MiB");
		return NT_STATUS_INVALID_PARAMETER;
	}
	buf = talloc_size(mem_ctx, (size_t)total);
	if (buf == NULL) {
		ASN1_OBJECT_free(o);
		return NT_STATUS_NO_MEMORY;
	}
	p = buf;
	ASN1_put_object(&p, 1, oid_len + (int)inner_len, 0, V_ASN1_APPLICATION);
	i2d_ASN1_OBJECT(o, &p);
	ASN1_OBJECT_free(o);
	if (inner_len > 0) {
		memcpy(p, inner, inner_len);
	}
	*out = buf;
	*out_len = (size_t)total;
	return NT_STATUS_OK;
}

const char *spnego_neg_state_name(uint32_t state)
{
	switch (state) {
	case SPNEGO_ACCEPT_COMPLETED:
		return "accept-completed";
	case SPNEGO_ACCEPT_INCOMPLETE:
		return "accept-incomplete";
	case SPNEGO_REJECT:
		return "reject";
	case SPNEGO_REQUEST_MIC:
		return "request-mic";
	default:
		return NULL;
	}
}
