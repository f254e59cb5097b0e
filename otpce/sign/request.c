/*
 * request.c: the client's key and PKCS#10, laid out as the Windows client
 * lays out the spec's 4.1 request (tests/vectors/otpce/sign_4.1_request.der):
 *
 *   subject: the user's DN (DC as IA5String, CN as UTF8String)
 *   attributes: 1.3.6.1.4.1.311.13.2.3 OS version (IA5String "6.2.8311.2"),
 *     ClientInfo 1.3.6.1.4.1.311.21.20 { 5, machine FQDN, "DOMAIN\MACHINE$",
 *     "LogonUI.exe" }, 1.3.6.1.4.1.311.13.2.2 the key storage provider
 *     { 0, BMPString "Microsoft Software Key Storage Provider", BIT STRING },
 *     extensionRequest {
 *       1.3.6.1.4.1.311.21.7 template { OID, 100, 5 },
 *       extKeyUsage { smart card logon 1.3.6.1.4.1.311.20.2.2 },
 *       keyUsage critical { digitalSignature, keyEncipherment },
 *       1.3.6.1.4.1.311.21.10 application policies { { smart card logon } },
 *       subjectAltName { otherName UPN "user1@domain1.corp.company.com" },
 *       subjectKeyIdentifier (SHA-1 of the public key) }
 *   RSA 2048, sha1WithRSAEncryption
 *
 * What we do differently, on purpose: no OS version and no key storage
 * provider attribute (they describe a Windows machine; the CA does not
 * need them); ClientInfo carries what the caller says (otpce-client: this
 * host and "otpce-client"); the signature is SHA-256 by default; for an
 * EC key the key usage is digitalSignature alone (keyEncipherment is an
 * RSA usage).  Extensions are in Windows' order.  Given the 4.1 values,
 * the subject and every extension value but the subject key identifier
 * (another key) are byte for byte the 4.1 request's
 * (tests/unit/test_otpce_sign_windows.c, test_build_like_41).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "otpce/sign/cmc.h"
#include "otpce/sign/internal.h"
#include "otpce/sign/sign.h"

void otpce_free_secret(void *p, size_t len)
{
	if (p != NULL) {
		OPENSSL_cleanse(p, len);
		free(p);
	}
}

/* add_raw_ext appends the extension |oid| with the DER value |der|. */
static int add_raw_ext(STACK_OF(X509_EXTENSION) **exts, const char *oid, int critical,
		       const unsigned char *der, int len)
{
	ASN1_OBJECT *o = OBJ_txt2obj(oid, 1);
	ASN1_OCTET_STRING *v = ASN1_OCTET_STRING_new();
	X509_EXTENSION *e = NULL;
	int ok = o != NULL && v != NULL && len > 0 && ASN1_OCTET_STRING_set(v, der, len) &&
		 (e = X509_EXTENSION_create_by_OBJ(NULL, o, critical, v)) != NULL &&
		 X509v3_add_ext(exts, e, -1) != NULL;

	X509_EXTENSION_free(e);
	ASN1_OCTET_STRING_free(v);
	ASN1_OBJECT_free(o);
	return ok ? 0 : -1;
}

static int template_ext(STACK_OF(X509_EXTENSION) **exts, const struct otpce_request_params *p,
			char *err, size_t errlen)
{
	unsigned char *der = NULL;
	int len = 0, rc = -1;

	if (p->template_oid != NULL) {
		OTPCE_CERT_TEMPLATE *t = OTPCE_CERT_TEMPLATE_new();

		if (!otpce_is_dotted_oid(p->template_oid)) {
			otpce_err(err, errlen, "template OID \"%.64s\" is not a dotted OID",
				  p->template_oid);
			OTPCE_CERT_TEMPLATE_free(t);
			return -1;
		}
		if (t != NULL) {
			ASN1_OBJECT_free(t->template_id);
			t->template_id = OBJ_txt2obj(p->template_oid, 1);
			if (p->template_minor >= 0) {
				t->minor = ASN1_INTEGER_new();
			}
		}
		if (t != NULL && t->template_id != NULL &&
		    ASN1_INTEGER_set(t->major, p->template_major) &&
		    (p->template_minor < 0 ||
		     (t->minor != NULL && ASN1_INTEGER_set(t->minor, p->template_minor)))) {
			len = i2d_OTPCE_CERT_TEMPLATE(t, &der);
			rc = add_raw_ext(exts, OTPCE_OID_TEMPLATE, 0, der, len);
		}
		OTPCE_CERT_TEMPLATE_free(t);
	} else if (p->template_name != NULL && *p->template_name != '\0') {
		ASN1_STRING *bmp = NULL;

		if (ASN1_mbstring_copy(&bmp, (const unsigned char *)p->template_name, -1,
				       MBSTRING_UTF8, B_ASN1_BMPSTRING) > 0) {
			len = i2d_ASN1_BMPSTRING(bmp, &der);
			rc = add_raw_ext(exts, OTPCE_OID_TEMPLATE_NAME, 0, der, len);
		}
		ASN1_STRING_free(bmp);
	} else {
		otpce_err(err, errlen, "no certificate template given (an OID or a name)");
		return -1;
	}
	OPENSSL_free(der);
	if (rc != 0) {
		otpce_err(err, errlen, "cannot encode the certificate template extension");
	}
	return rc;
}

/* eku_ext: the extended key usage extension, or (|policies|) the same
 * OIDs as application policies (1.3.6.1.4.1.311.21.10, CertificatePolicies
 * syntax, no qualifiers); Windows puts the key usage between the two. */
static int eku_ext(STACK_OF(X509_EXTENSION) **exts, const char *list, int policies,
		   char *err, size_t errlen)
{
	EXTENDED_KEY_USAGE *eku = sk_ASN1_OBJECT_new_null();
	CERTIFICATEPOLICIES *pol = sk_POLICYINFO_new_null();
	char *copy = strdup(list), *save = NULL, *tok;
	unsigned char *der = NULL;
	int ok = eku != NULL && pol != NULL && copy != NULL, len;

	for (tok = ok ? strtok_r(copy, ",", &save) : NULL; ok && tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		ASN1_OBJECT *o = otpce_is_dotted_oid(tok) ? OBJ_txt2obj(tok, 1) : NULL;
		POLICYINFO *pi = POLICYINFO_new();

		if (o == NULL || pi == NULL) {
			otpce_err(err, errlen, "EKU \"%.64s\" is not a dotted OID", tok);
			ASN1_OBJECT_free(o);
			POLICYINFO_free(pi);
			ok = 0;
			break;
		}
		ASN1_OBJECT_free(pi->policyid);
		pi->policyid = OBJ_dup(o);
		ok = pi->policyid != NULL && sk_ASN1_OBJECT_push(eku, o) > 0;
		if (!ok) {
			ASN1_OBJECT_free(o);
		}
		if (!ok || sk_POLICYINFO_push(pol, pi) <= 0) {
			POLICYINFO_free(pi);
			ok = 0;
		}
	}
	if (ok && sk_ASN1_OBJECT_num(eku) > 0 && !policies) {
		ok = X509V3_add1_i2d(exts, NID_ext_key_usage, eku, 0, X509V3_ADD_APPEND) > 0;
	} else if (ok && sk_ASN1_OBJECT_num(eku) > 0) {
		len = i2d_CERTIFICATEPOLICIES(pol, &der);
		ok = len > 0 && add_raw_ext(exts, OTPCE_OID_APP_POLICIES, 0, der, len) == 0;
	}
	OPENSSL_free(der);
	free(copy);
	sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
	sk_POLICYINFO_pop_free(pol, POLICYINFO_free);
	return ok ? 0 : -1;
}

static int key_usage_ext(STACK_OF(X509_EXTENSION) **exts, int rsa)
{
	ASN1_BIT_STRING *ku = ASN1_BIT_STRING_new();
	int ok = ku != NULL && ASN1_BIT_STRING_set_bit(ku, 0, 1) && /* digitalSignature */
		 (!rsa || ASN1_BIT_STRING_set_bit(ku, 2, 1)) &&      /* keyEncipherment */
		 X509V3_add1_i2d(exts, NID_key_usage, ku, 1, X509V3_ADD_APPEND) > 0;

	ASN1_BIT_STRING_free(ku);
	return ok ? 0 : -1;
}

static int upn_ext(STACK_OF(X509_EXTENSION) **exts, const char *upn)
{
	GENERAL_NAMES *gens = GENERAL_NAMES_new();
	GENERAL_NAME *gen = GENERAL_NAME_new();
	ASN1_TYPE *val = ASN1_TYPE_new();
	ASN1_UTF8STRING *s = ASN1_UTF8STRING_new();
	ASN1_OBJECT *oid = OBJ_txt2obj(OTPCE_OID_UPN, 1);
	int ok = gens != NULL && gen != NULL && val != NULL && s != NULL && oid != NULL &&
		 ASN1_STRING_set(s, upn, -1);

	if (ok) {
		ASN1_TYPE_set(val, V_ASN1_UTF8STRING, s);
		s = NULL;
		ok = GENERAL_NAME_set0_othername(gen, oid, val);
	}
	if (ok) {
		oid = NULL;
		val = NULL;
		ok = sk_GENERAL_NAME_push(gens, gen) > 0;
	}
	if (ok) {
		gen = NULL;
		ok = X509V3_add1_i2d(exts, NID_subject_alt_name, gens, 0, X509V3_ADD_APPEND) > 0;
	}
	ASN1_OBJECT_free(oid);
	ASN1_UTF8STRING_free(s);
	ASN1_TYPE_free(val);
	GENERAL_NAME_free(gen);
	GENERAL_NAMES_free(gens);
	return ok ? 0 : -1;
}

static int ski_ext(STACK_OF(X509_EXTENSION) **exts, X509_REQ *req)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	ASN1_OCTET_STRING *ski = ASN1_OCTET_STRING_new();
	X509_PUBKEY *pk = X509_REQ_get_X509_PUBKEY(req);
	const unsigned char *bits = NULL;
	int blen = 0;
	/* The SHA-1 of the key's BIT STRING, RFC 5280 4.2.1.2 method (1). */
	int ok = ski != NULL && pk != NULL && X509_PUBKEY_get0_param(NULL, &bits, &blen, NULL, pk) &&
		 EVP_Digest(bits, (size_t)blen, md, &len, EVP_sha1(), NULL) &&
		 ASN1_OCTET_STRING_set(ski, md, (int)len) &&
		 X509V3_add1_i2d(exts, NID_subject_key_identifier, ski, 0, X509V3_ADD_APPEND) > 0;

	ASN1_OCTET_STRING_free(ski);
	return ok ? 0 : -1;
}

static int client_info_attr(X509_REQ *req, const struct otpce_request_params *p)
{
	OTPCE_CLIENT_INFO *ci;
	unsigned char *der = NULL;
	int len, ok;

	if (p->client_machine == NULL && p->client_user == NULL && p->client_process == NULL) {
		return 0;
	}
	ci = OTPCE_CLIENT_INFO_new();
	ok = ci != NULL && ASN1_INTEGER_set(ci->client_id, p->client_id) &&
	     ASN1_STRING_set(ci->machine, p->client_machine ? p->client_machine : "", -1) &&
	     ASN1_STRING_set(ci->user, p->client_user ? p->client_user : "", -1) &&
	     ASN1_STRING_set(ci->process, p->client_process ? p->client_process : "", -1) &&
	     (len = i2d_OTPCE_CLIENT_INFO(ci, &der)) > 0 &&
	     X509_REQ_add1_attr_by_txt(req, OTPCE_OID_CLIENT_INFO, V_ASN1_SEQUENCE, der, len);
	OPENSSL_free(der);
	OTPCE_CLIENT_INFO_free(ci);
	return ok ? 0 : -1;
}

static EVP_PKEY *make_key(const struct otpce_request_params *p, char *err, size_t errlen)
{
	EVP_PKEY *key = NULL;

	if (p->key_type == OTPCE_KEY_EC_P256) {
		key = EVP_EC_gen("P-256");
	} else if (p->key_type == OTPCE_KEY_RSA) {
		unsigned int bits = p->rsa_bits ? p->rsa_bits : 2048;

		if (bits < 2048 || bits > 8192) {
			otpce_err(err, errlen, "RSA key size %u is not in 2048..8192", bits);
			return NULL;
		}
		key = EVP_RSA_gen(bits);
	} else {
		otpce_err(err, errlen, "unknown key type");
		return NULL;
	}
	if (key == NULL) {
		otpce_err(err, errlen, "key generation failed");
	}
	return key;
}

static int key_to_pem(EVP_PKEY *key, char **pem, size_t *pem_len)
{
	/* A secure-heap memory BIO: its buffer is wiped when freed. */
	BIO *b = BIO_new(BIO_s_secmem());
	char *data = NULL;
	long n;
	int rc = -1;

	if (b != NULL && PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL) &&
	    (n = BIO_get_mem_data(b, &data)) > 0 && (*pem = malloc((size_t)n + 1)) != NULL) {
		memcpy(*pem, data, (size_t)n);
		(*pem)[n] = '\0';
		*pem_len = (size_t)n;
		rc = 0;
	}
	BIO_free(b);
	return rc;
}

int otpce_request_build(const struct otpce_request_params *p, uint8_t **csr, size_t *csr_len,
			char **key_pem, size_t *key_pem_len, char *err, size_t errlen)
{
	X509_REQ *req = X509_REQ_new();
	X509_NAME *subject = NULL;
	STACK_OF(X509_EXTENSION) *exts = NULL;
	EVP_PKEY *key = NULL;
	const EVP_MD *md;
	const char *eku;
	unsigned char *der = NULL;
	char *pem = NULL;
	size_t pem_len = 0;
	int der_len, rc = -1;

	if (p == NULL || csr == NULL || csr_len == NULL || key_pem == NULL || key_pem_len == NULL ||
	    req == NULL) {
		otpce_err(err, errlen, "bad arguments");
		goto out;
	}
	md = EVP_get_digestbyname(p->digest ? p->digest : "sha256");
	if (md == NULL) {
		otpce_err(err, errlen, "unknown digest \"%.32s\"", p->digest);
		goto out;
	}
	if ((subject = otpce_dn_parse(p->subject_dn ? p->subject_dn : "", err, errlen)) == NULL) {
		goto out;
	}
	if (X509_NAME_entry_count(subject) == 0 && (p->upn == NULL || *p->upn == '\0')) {
		otpce_err(err, errlen, "the request would name no user: give a subject DN or a UPN");
		goto out;
	}
	if ((key = make_key(p, err, errlen)) == NULL) {
		goto out;
	}
	if (!X509_REQ_set_version(req, X509_REQ_VERSION_1) || !X509_REQ_set_subject_name(req, subject) ||
	    !X509_REQ_set_pubkey(req, key)) {
		otpce_err(err, errlen, "cannot fill the request");
		goto out;
	}
	if (template_ext(&exts, p, err, errlen) != 0) {
		goto out;
	}
	eku = p->eku_oids ? p->eku_oids : OTPCE_OID_SMARTCARD_LOGON;
	if (eku_ext(&exts, eku, 0, err, errlen) != 0) {
		goto out; /* |err| says which EKU */
	}
	if (key_usage_ext(&exts, p->key_type == OTPCE_KEY_RSA) != 0 ||
	    eku_ext(&exts, eku, 1, err, errlen) != 0 ||
	    (p->upn != NULL && *p->upn != '\0' && upn_ext(&exts, p->upn) != 0) ||
	    ski_ext(&exts, req) != 0 || client_info_attr(req, p) != 0 ||
	    !X509_REQ_add_extensions(req, exts)) {
		otpce_err(err, errlen, "cannot encode the request's extensions");
		goto out;
	}
	if (X509_REQ_sign(req, key, md) <= 0 || (der_len = i2d_X509_REQ(req, &der)) <= 0) {
		otpce_err(err, errlen, "cannot sign the request");
		goto out;
	}
	if (key_to_pem(key, &pem, &pem_len) != 0 || (*csr = malloc((size_t)der_len)) == NULL) {
		otpce_err(err, errlen, "cannot write the private key");
		goto out;
	}
	memcpy(*csr, der, (size_t)der_len);
	*csr_len = (size_t)der_len;
	*key_pem = pem;
	*key_pem_len = pem_len;
	pem = NULL;
	rc = 0;
out:
	otpce_free_secret(pem, pem_len);
	OPENSSL_free(der);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	EVP_PKEY_free(key);
	X509_NAME_free(subject);
	X509_REQ_free(req);
	ERR_clear_error();
	return rc;
}

int otpce_der_to_pem(const uint8_t *der, size_t der_len, const char *label, char **pem,
		     size_t *pem_len, char *err, size_t errlen)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data = NULL;
	long n;
	int rc = -1;

	if (b != NULL && der_len < INT32_MAX &&
	    PEM_write_bio(b, label, "", der, (long)der_len) > 0 &&
	    (n = BIO_get_mem_data(b, &data)) > 0 && (*pem = malloc((size_t)n + 1)) != NULL) {
		memcpy(*pem, data, (size_t)n);
		(*pem)[n] = '\0';
		*pem_len = (size_t)n;
		rc = 0;
	} else {
		otpce_err(err, errlen, "cannot write PEM");
	}
	BIO_free(b);
	return rc;
}
