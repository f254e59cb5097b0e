/*
 * signer.c: MS-OTPCE 3.2.5.1 step 4, "Sign the certificate request ...
 * using the dedicated signing certificate", as the Windows server does it.
 *
 * The spec's 4.1 response (tests/vectors/otpce/sign_4.1_response.der)
 * decodes to:
 *
 *   ContentInfo signedData, SignedData version 3
 *     digestAlgorithms { sha1 }
 *     encapContentInfo id-cct-PKIData (1.3.6.1.5.5.7.12.2), eContent PKIData:
 *       controlSequence { TaggedAttribute bodyPartID 2,
 *           1.3.6.1.4.1.311.10.10.1 (CMC add attributes)
 *           { dataReference 0, certReferences { 1 },
 *             attributes { ClientInfo { 5, "DA1.domain1.corp.company.com",
 *                          "DOMAIN1\DA1$", "w3wp.exe" } } } }
 *       reqSequence { tcr [0] { bodyPartID 1, the client's PKCS#10 as sent } }
 *       cmsSequence { }, otherMsgSequence { }
 *     certificates { the signing certificate }
 *     signerInfos {
 *       { version 1, sid { issuer 1.3.6.1.4.1.311.21.9=Dummy Signer
 *         (PrintableString), serial 0 }, sha1,
 *         signedAttrs { contentType id-cct-PKIData, messageDigest },
 *         id-alg-noSignature (1.3.6.1.5.5.7.6.2) NULL,
 *         signature: 20 bytes, the SHA-1 of the DER signed attributes }
 *       { version 1, sid { the signing certificate's issuer and serial },
 *         sha1, signedAttrs { contentType, messageDigest },
 *         rsaEncryption NULL, the RSA signature of the signed attributes } }
 *
 * Note the dummy signer's "signature" is not empty: it is the hash of its
 * signed attributes (tests/unit/test_otpce_sign_windows.c checks that on
 * the 4.1 bytes), so we put the same there.  The ClientInfo is the
 * signing server's own (Windows: its machine, its machine account, IIS's
 * worker process), not the client's: otpce_signer_set_client_info.
 *
 * How it is built with OpenSSL's CMS API: PKIData through our ASN.1
 * templates (cmc.c); the SignedData with CMS_SignedData_init and the
 * content set directly; both SignerInfos with CMS_add1_signer(CMS_PARTIAL)
 * so OpenSSL fills in version, SignerIdentifier, digest and signature
 * algorithms and the digestAlgorithms set.  OpenSSL cannot make a
 * SignerInfo without a certificate and a matching key, and its CMS_final
 * would sign every SignerInfo and add a signingTime that Windows does not
 * send.  So: the dummy SignerInfo is added with a certificate we make at
 * load time (issuer and subject "Dummy Signer", serial 0, the signing key,
 * never included in the output), and we do the last step ourselves for
 * both SignerInfos: add contentType and messageDigest, DER-encode the
 * signed attributes with our SET OF template (OTPCE_ATTRIBUTE_SET, sorted
 * as RFC 5652 5.4 wants), then for the dummy replace the signature
 * algorithm by id-alg-noSignature and put the hash of those bytes as its
 * signature value, and for the signing key sign those bytes (one private
 * key operation per request).
 *
 * Differences from the 4.1 bytes: the digest is SHA-256 unless configured
 * (otpce_signer_set_digest("sha1") gives Windows' algorithm), and the
 * certificates include the rest of the certificate file (the chain) if it
 * holds more than the signing certificate.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "otpce/sign/cmc.h"
#include "otpce/sign/internal.h"
#include "otpce/sign/sign.h"

#define FIELD_MAX 256

struct otpce_signer {
	X509 *cert;
	EVP_PKEY *key;
	STACK_OF(X509) *chain;
	X509 *dummy; /* the "Dummy Signer" identity, never sent */
	EVP_MD *md;       /* fetched once (explicit fetch: OpenSSL 3 then
			     skips the method lookup on every signature) */
	long client_id;
	char machine[FIELD_MAX], user[FIELD_MAX], process[FIELD_MAX];
};

static void ssl_reason(char *buf, size_t len)
{
	unsigned long e = ERR_peek_last_error();

	if (e != 0) {
		ERR_error_string_n(e, buf, len);
	} else {
		snprintf(buf, len, "unknown error");
	}
	ERR_clear_error();
}

/* make_dummy: a certificate whose issuer and serial are Windows' dummy
 * signer (1.3.6.1.4.1.311.21.9=Dummy Signer as a PrintableString, serial
 * 0).  It carries the signing key only because CMS_add1_signer checks the
 * key matches; it is never sent and never signs anything. */
static X509 *make_dummy(EVP_PKEY *key)
{
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new();
	ASN1_OBJECT *o = OBJ_txt2obj(OTPCE_OID_DUMMY_SIGNER, 1);
	int ok = x != NULL && n != NULL && o != NULL &&
		 X509_NAME_add_entry_by_OBJ(n, o, V_ASN1_PRINTABLESTRING,
					    (const unsigned char *)"Dummy Signer", -1, -1, 0) &&
		 X509_set_version(x, X509_VERSION_3) &&
		 ASN1_INTEGER_set(X509_get_serialNumber(x), 0) &&
		 X509_set_issuer_name(x, n) && X509_set_subject_name(x, n) &&
		 X509_gmtime_adj(X509_getm_notBefore(x), 0) &&
		 X509_gmtime_adj(X509_getm_notAfter(x), 60) &&
		 X509_set_pubkey(x, key) && X509_sign(x, key, EVP_sha256()) > 0;

	ASN1_OBJECT_free(o);
	X509_NAME_free(n);
	if (!ok) {
		X509_free(x);
		return NULL;
	}
	return x;
}

static int no_prompt(char *buf, int size, int rwflag, void *u)
{
	return -1; /* an encrypted key fails instead of prompting */
}

static void set_field(char *dst, const char *src)
{
	snprintf(dst, FIELD_MAX, "%s", src);
}

struct otpce_signer *otpce_signer_load(const char *cert_file, const char *key_file,
				       char *err, size_t errlen)
{
	struct otpce_signer *s = calloc(1, sizeof(*s));
	BIO *b = NULL;
	X509 *x;
	char why[256], host[FIELD_MAX - 2] = "localhost", *dot;
	int type;

	if (s == NULL || (s->chain = sk_X509_new_null()) == NULL) {
		otpce_err(err, errlen, "out of memory");
		goto fail;
	}
	if (cert_file == NULL || (b = BIO_new_file(cert_file, "rb")) == NULL) {
		otpce_err(err, errlen, "cannot open the signing certificate %s",
			  cert_file ? cert_file : "(none)");
		goto fail;
	}
	while ((x = PEM_read_bio_X509(b, NULL, no_prompt, NULL)) != NULL) {
		if (s->cert == NULL) {
			s->cert = x;
		} else if (!sk_X509_push(s->chain, x)) {
			X509_free(x);
			goto fail;
		}
	}
	ERR_clear_error();
	if (s->cert == NULL) {
		(void)BIO_reset(b);
		s->cert = d2i_X509_bio(b, NULL);
	}
	BIO_free(b);
	b = NULL;
	if (s->cert == NULL) {
		otpce_err(err, errlen, "%s holds no PEM or DER certificate", cert_file);
		goto fail;
	}
	if (key_file == NULL || (b = BIO_new_file(key_file, "rb")) == NULL) {
		otpce_err(err, errlen, "cannot open the signing key %s", key_file ? key_file : "(none)");
		goto fail;
	}
	s->key = PEM_read_bio_PrivateKey(b, NULL, no_prompt, NULL);
	BIO_free(b);
	b = NULL;
	if (s->key == NULL) {
		ssl_reason(why, sizeof(why));
		otpce_err(err, errlen, "%s holds no unencrypted PEM private key (%s)", key_file, why);
		goto fail;
	}
	type = EVP_PKEY_get_base_id(s->key);
	if (type != EVP_PKEY_RSA && type != EVP_PKEY_EC) {
		otpce_err(err, errlen, "the signing key is neither RSA nor EC");
		goto fail;
	}
	if (X509_check_private_key(s->cert, s->key) != 1) {
		otpce_err(err, errlen, "the signing key is not the signing certificate's");
		goto fail;
	}
	if ((s->dummy = make_dummy(s->key)) == NULL) {
		otpce_err(err, errlen, "cannot make the dummy signer's identity");
		goto fail;
	}
	if ((s->md = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL) {
		otpce_err(err, errlen, "OpenSSL has no SHA-256");
		goto fail;
	}
	s->client_id = 5;
	if (gethostname(host, sizeof(host) - 1) != 0) {
		strcpy(host, "localhost");
	}
	host[sizeof(host) - 1] = '\0';
	set_field(s->machine, host);
	if ((dot = strchr(host, '.')) != NULL) {
		*dot = '\0';
	}
	for (char *c = host; *c != '\0'; c++) {
		*c = (char)toupper((unsigned char)*c);
	}
	snprintf(s->user, sizeof(s->user), "%s$", host);
	set_field(s->process, "otpced");
	ERR_clear_error();
	return s;
fail:
	BIO_free(b);
	ERR_clear_error();
	otpce_signer_free(s);
	return NULL;
}

void otpce_signer_free(struct otpce_signer *s)
{
	if (s == NULL) {
		return;
	}
	X509_free(s->cert);
	EVP_PKEY_free(s->key); /* OpenSSL wipes private key material on free */
	X509_free(s->dummy);
	sk_X509_pop_free(s->chain, X509_free);
	EVP_MD_free(s->md);
	OPENSSL_cleanse(s, sizeof(*s));
	free(s);
}

int otpce_signer_set_client_info(struct otpce_signer *s, int client_id, const char *machine,
				 const char *user, const char *process, char *err, size_t errlen)
{
	const char *v[3] = { machine, user, process };

	if (s == NULL || client_id < 0) {
		otpce_err(err, errlen, "bad ClientInfo");
		return -1;
	}
	for (int i = 0; i < 3; i++) {
		if (v[i] != NULL && strlen(v[i]) >= FIELD_MAX) {
			otpce_err(err, errlen, "ClientInfo field longer than %d bytes", FIELD_MAX - 1);
			return -1;
		}
	}
	s->client_id = client_id;
	if (machine != NULL) {
		set_field(s->machine, machine);
	}
	if (user != NULL) {
		set_field(s->user, user);
	}
	if (process != NULL) {
		set_field(s->process, process);
	}
	return 0;
}

int otpce_signer_set_digest(struct otpce_signer *s, const char *digest, char *err, size_t errlen)
{
	static const char *const ok[] = { "sha256", "sha384", "sha512", "sha1" };

	for (size_t i = 0; s != NULL && digest != NULL && i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (strcasecmp(digest, ok[i]) == 0) {
			EVP_MD *md = EVP_MD_fetch(NULL, ok[i], NULL);
			if (md == NULL) {
				otpce_err(err, errlen, "OpenSSL has no %s", ok[i]);
				return -1;
			}
			EVP_MD_free(s->md);
			s->md = md;
			return 0;
		}
	}
	otpce_err(err, errlen, "digest \"%.32s\" is not one of sha256, sha384, sha512, sha1",
		  digest ? digest : "(none)");
	return -1;
}

/* ---- the PKIData ---------------------------------------------------- */

static ASN1_TYPE *client_info_value(const struct otpce_signer *s)
{
	OTPCE_CLIENT_INFO *ci = OTPCE_CLIENT_INFO_new();
	ASN1_STRING *seq = NULL;
	ASN1_TYPE *t = NULL;

	if (ci == NULL || !ASN1_INTEGER_set(ci->client_id, s->client_id) ||
	    !ASN1_STRING_set(ci->machine, s->machine, -1) ||
	    !ASN1_STRING_set(ci->user, s->user, -1) ||
	    !ASN1_STRING_set(ci->process, s->process, -1) ||
	    ASN1_item_pack(ci, ASN1_ITEM_rptr(OTPCE_CLIENT_INFO), &seq) == NULL ||
	    (t = ASN1_TYPE_new()) == NULL) {
		ASN1_STRING_free(seq);
		OTPCE_CLIENT_INFO_free(ci);
		return NULL;
	}
	ASN1_TYPE_set(t, V_ASN1_SEQUENCE, seq);
	OTPCE_CLIENT_INFO_free(ci);
	return t;
}

/* add_attributes_control: TaggedAttribute bodyPartID 2, CMC add
 * attributes { 0, { 1 }, { ClientInfo } }. */
static OTPCE_TAGGED_ATTRIBUTE *add_attributes_control(const struct otpce_signer *s)
{
	OTPCE_TAGGED_ATTRIBUTE *ta = OTPCE_TAGGED_ATTRIBUTE_new();
	OTPCE_ADD_ATTRIBUTES *aa = OTPCE_ADD_ATTRIBUTES_new();
	ASN1_INTEGER *ref = ASN1_INTEGER_new();
	ASN1_TYPE *ci = client_info_value(s), *value = NULL;
	X509_ATTRIBUTE *attr = NULL;
	ASN1_STRING *seq = NULL;
	int ok = ta != NULL && aa != NULL && ref != NULL && ci != NULL &&
		 ASN1_INTEGER_set(ta->body_part_id, OTPCE_BODYPART_ADD_ATTRIBUTES) &&
		 (ASN1_OBJECT_free(ta->attr_type),
		  (ta->attr_type = OBJ_txt2obj(OTPCE_OID_ADD_ATTRIBUTES, 1)) != NULL) &&
		 ASN1_INTEGER_set(aa->data_reference, 0) &&
		 ASN1_INTEGER_set(ref, OTPCE_BODYPART_REQUEST) &&
		 sk_ASN1_INTEGER_push(aa->cert_references, ref) > 0;

	if (ok) {
		ref = NULL;
		attr = X509_ATTRIBUTE_create_by_txt(NULL, OTPCE_OID_CLIENT_INFO, V_ASN1_SEQUENCE,
						    ci->value.sequence->data,
						    ci->value.sequence->length);
		ok = attr != NULL && sk_X509_ATTRIBUTE_push(aa->attributes, attr) > 0;
	}
	if (ok) {
		attr = NULL;
		ok = ASN1_item_pack(aa, ASN1_ITEM_rptr(OTPCE_ADD_ATTRIBUTES), &seq) != NULL &&
		     (value = ASN1_TYPE_new()) != NULL;
	}
	if (ok) {
		ASN1_TYPE_set(value, V_ASN1_SEQUENCE, seq);
		seq = NULL;
		ok = sk_ASN1_TYPE_push(ta->attr_values, value) > 0;
	}
	if (ok) {
		value = NULL;
	}
	ASN1_TYPE_free(value);
	ASN1_STRING_free(seq);
	X509_ATTRIBUTE_free(attr);
	ASN1_TYPE_free(ci);
	ASN1_INTEGER_free(ref);
	OTPCE_ADD_ATTRIBUTES_free(aa);
	if (!ok) {
		OTPCE_TAGGED_ATTRIBUTE_free(ta);
		return NULL;
	}
	return ta;
}

/* pkidata_der: the DER PKIData carrying |csr| byte for byte. */
static int pkidata_der(const struct otpce_signer *s, const uint8_t *csr, size_t csr_len,
		       unsigned char **der, int *der_len)
{
	OTPCE_PKIDATA *pd = OTPCE_PKIDATA_new();
	OTPCE_TAGGED_REQUEST *tr = OTPCE_TAGGED_REQUEST_new();
	OTPCE_TAGGED_CERT_REQ *tcr = OTPCE_TAGGED_CERT_REQ_new();
	OTPCE_TAGGED_ATTRIBUTE *ctl = add_attributes_control(s);
	ASN1_STRING *raw = ASN1_STRING_new();
	int ok = pd != NULL && tr != NULL && tcr != NULL && ctl != NULL && raw != NULL &&
		 ASN1_INTEGER_set(tcr->body_part_id, OTPCE_BODYPART_REQUEST) &&
		 ASN1_STRING_set(raw, csr, (int)csr_len);

	if (ok) {
		/* V_ASN1_SEQUENCE in an ASN1_TYPE holds the whole encoding,
		 * written out unchanged. */
		ASN1_TYPE_set(tcr->request, V_ASN1_SEQUENCE, raw);
		raw = NULL;
		tr->type = OTPCE_TAGGED_REQUEST_TCR;
		tr->d.tcr = tcr;
		tcr = NULL;
		ok = sk_OTPCE_TAGGED_REQUEST_push(pd->requests, tr) > 0;
	}
	if (ok) {
		tr = NULL;
		ok = sk_OTPCE_TAGGED_ATTRIBUTE_push(pd->controls, ctl) > 0;
	}
	if (ok) {
		ctl = NULL;
		*der = NULL;
		*der_len = i2d_OTPCE_PKIDATA(pd, der);
		ok = *der_len > 0;
	}
	ASN1_STRING_free(raw);
	OTPCE_TAGGED_CERT_REQ_free(tcr);
	OTPCE_TAGGED_REQUEST_free(tr);
	OTPCE_TAGGED_ATTRIBUTE_free(ctl);
	OTPCE_PKIDATA_free(pd);
	return ok ? 0 : -1;
}

/* ---- the SignerInfos --------------------------------------------- */

int otpce_signed_attrs_der(CMS_SignerInfo *si, unsigned char **der, int *len)
{
	STACK_OF(X509_ATTRIBUTE) *set = sk_X509_ATTRIBUTE_new_null();
	int n = CMS_signed_get_attr_count(si), ok = set != NULL && n > 0;

	for (int i = 0; ok && i < n; i++) {
		ok = sk_X509_ATTRIBUTE_push(set, CMS_signed_get_attr(si, i)) > 0;
	}
	if (ok) {
		*der = NULL;
		*len = i2d_OTPCE_ATTRIBUTE_SET(set, der);
		ok = *len > 0;
	}
	sk_X509_ATTRIBUTE_free(set); /* the attributes stay si's */
	return ok ? 0 : -1;
}

static int add_content_attrs(CMS_SignerInfo *si, const ASN1_OBJECT *ctype,
			     const unsigned char *md, unsigned int mdlen)
{
	return CMS_signed_add1_attr_by_NID(si, NID_pkcs9_contentType, V_ASN1_OBJECT, ctype, -1) > 0 &&
	       CMS_signed_add1_attr_by_NID(si, NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING,
					   md, (int)mdlen) > 0 ? 0 : -1;
}

static int finish_dummy(CMS_SignerInfo *si, const EVP_MD *md)
{
	X509_ALGOR *sigalg = NULL;
	unsigned char *der = NULL, h[EVP_MAX_MD_SIZE];
	unsigned int hlen = 0;
	int len = 0, ok;

	CMS_SignerInfo_get0_algs(si, NULL, NULL, NULL, &sigalg);
	ok = sigalg != NULL && otpce_signed_attrs_der(si, &der, &len) == 0 &&
	     EVP_Digest(der, (size_t)len, h, &hlen, md, NULL) &&
	     X509_ALGOR_set0(sigalg, OBJ_nid2obj(NID_id_alg_noSignature), V_ASN1_NULL, NULL) &&
	     ASN1_STRING_set(CMS_SignerInfo_get0_signature(si), h, (int)hlen);
	OPENSSL_free(der);
	return ok ? 0 : -1;
}

static int finish_signer(CMS_SignerInfo *si, EVP_PKEY *key, const EVP_MD *md)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char *der = NULL, *sig = NULL;
	size_t siglen = 0;
	int len = 0, ok;

	ok = ctx != NULL && otpce_signed_attrs_der(si, &der, &len) == 0 &&
	     EVP_DigestSignInit(ctx, NULL, md, NULL, key) > 0 &&
	     EVP_DigestSign(ctx, NULL, &siglen, der, (size_t)len) > 0 &&
	     (sig = OPENSSL_malloc(siglen)) != NULL &&
	     EVP_DigestSign(ctx, sig, &siglen, der, (size_t)len) > 0 &&
	     ASN1_STRING_set(CMS_SignerInfo_get0_signature(si), sig, (int)siglen);
	OPENSSL_free(sig);
	OPENSSL_free(der);
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -1;
}

int otpce_sign_request(const struct otpce_signer *s, const uint8_t *csr, size_t csr_len,
		       uint8_t **out, size_t *out_len, char *err, size_t errlen)
{
	X509_REQ *req;
	int rc;

	if (s == NULL || csr == NULL || csr_len == 0 || csr_len > OTPCE_CSR_MAX ||
	    out == NULL || out_len == NULL) {
		otpce_err(err, errlen, "bad arguments");
		return -1;
	}
	/* What we carry must be one whole PKCS#10 (step 1 checked more). */
	req = otpce_request_decode(csr, csr_len);
	if (req == NULL) {
		otpce_err(err, errlen, "the request is not one DER PKCS#10 certification request");
		return -1;
	}
	rc = otpce_sign_request_decoded(s, req, csr, csr_len, out, out_len, err, errlen);
	X509_REQ_free(req);
	return rc;
}

int otpce_sign_request_decoded(const struct otpce_signer *s, const X509_REQ *req,
			       const uint8_t *csr, size_t csr_len, uint8_t **out,
			       size_t *out_len, char *err, size_t errlen)
{
	CMS_ContentInfo *cms = NULL;
	CMS_SignerInfo *dummy, *ra;
	ASN1_OBJECT *ctype = OBJ_txt2obj(OTPCE_OID_PKIDATA, 1);
	ASN1_OCTET_STRING **content;
	unsigned char *pki = NULL, *der = NULL, *result, md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	unsigned int flags = CMS_PARTIAL | CMS_NOSMIMECAP | CMS_BINARY;
	int pki_len = 0, der_len, rc = -1;
	char why[256];

	if (s == NULL || req == NULL || csr == NULL || csr_len == 0 ||
	    csr_len > OTPCE_CSR_MAX || out == NULL || out_len == NULL) {
		otpce_err(err, errlen, "bad arguments");
		goto out;
	}
	if (ctype == NULL || pkidata_der(s, csr, csr_len, &pki, &pki_len) != 0 ||
	    !EVP_Digest(pki, (size_t)pki_len, md, &mdlen, s->md, NULL)) {
		otpce_err(err, errlen, "cannot encode the PKIData");
		goto out;
	}
	cms = CMS_ContentInfo_new();
	if (cms == NULL || !CMS_SignedData_init(cms) || !CMS_set1_eContentType(cms, ctype) ||
	    (content = CMS_get0_content(cms)) == NULL) {
		goto cms_fail;
	}
	if (*content == NULL && (*content = ASN1_OCTET_STRING_new()) == NULL) {
		goto cms_fail;
	}
	if (!ASN1_OCTET_STRING_set(*content, pki, pki_len)) {
		goto cms_fail;
	}
	/* Added in Windows' order, dummy first; but signerInfos (like
	 * certificates) is a SET OF, which DER sorts by encoding, so with a
	 * short EC signature the RA's SignerInfo comes first in the output.
	 * (In the 4.1 bytes the dummy is first because it is shorter.)
	 * Readers find a SignerInfo by its identifier, not its position. */
	dummy = CMS_add1_signer(cms, s->dummy, s->key, s->md, flags | CMS_NOCERTS);
	ra = CMS_add1_signer(cms, s->cert, s->key, s->md, flags);
	if (dummy == NULL || ra == NULL) {
		goto cms_fail;
	}
	for (int i = 0; i < sk_X509_num(s->chain); i++) {
		if (CMS_add1_cert(cms, sk_X509_value(s->chain, i)) <= 0) {
			goto cms_fail;
		}
	}
	if (add_content_attrs(dummy, ctype, md, mdlen) != 0 ||
	    add_content_attrs(ra, ctype, md, mdlen) != 0 || finish_dummy(dummy, s->md) != 0 ||
	    finish_signer(ra, s->key, s->md) != 0) {
		goto cms_fail;
	}
	der_len = i2d_CMS_ContentInfo(cms, &der);
	if (der_len <= 0) {
		goto cms_fail;
	}
	result = malloc((size_t)der_len);
	if (result == NULL) {
		otpce_err(err, errlen, "out of memory");
		goto out;
	}
	memcpy(result, der, (size_t)der_len);
	*out = result;
	*out_len = (size_t)der_len;
	rc = 0;
	goto out;
cms_fail:
	ssl_reason(why, sizeof(why));
	otpce_err(err, errlen, "cannot build the signed request (%s)", why);
out:
	OPENSSL_free(der);
	OPENSSL_free(pki);
	CMS_ContentInfo_free(cms);
	ASN1_OBJECT_free(ctype);
	ERR_clear_error();
	return rc;
}
