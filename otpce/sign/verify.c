/*
 * verify.c: otpce_signed_request_check, the client's look at what the
 * server sent back (MS-OTPCE 3.1.5.2): the structure signer.c describes
 * around the request the client sent, and the registration authority's
 * signature (and the dummy signer's hash), before the client hands it
 * to the CA.  It does not judge
 * whether the signing certificate is trusted: the CA does that.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "otpce/sign/cmc.h"
#include "otpce/sign/internal.h"
#include "otpce/sign/sign.h"

static int is_dummy(CMS_SignerInfo *si)
{
	X509_NAME *issuer = NULL;
	char oid[64];

	if (CMS_SignerInfo_get0_signer_id(si, NULL, &issuer, NULL) != 1 || issuer == NULL ||
	    X509_NAME_entry_count(issuer) != 1) {
		return 0;
	}
	return OBJ_obj2txt(oid, sizeof(oid),
			   X509_NAME_ENTRY_get_object(X509_NAME_get_entry(issuer, 0)), 1) > 0 &&
	       strcmp(oid, OTPCE_OID_DUMMY_SIGNER) == 0;
}

/* dummy_value_matches: the dummy signer's value is the hash of its
 * signed attributes (signer.c) and its algorithm id-alg-noSignature. */
static int dummy_value_matches(CMS_SignerInfo *si)
{
	X509_ALGOR *dig = NULL, *sig = NULL;
	const ASN1_OBJECT *oid = NULL, *sig_oid = NULL;
	const EVP_MD *md;
	unsigned char h[EVP_MAX_MD_SIZE], *der = NULL;
	unsigned int hlen = 0;
	const ASN1_OCTET_STRING *value = CMS_SignerInfo_get0_signature(si);
	int len = 0, ok;

	CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig, &sig);
	X509_ALGOR_get0(&oid, NULL, NULL, dig);
	X509_ALGOR_get0(&sig_oid, NULL, NULL, sig);
	md = EVP_get_digestbyobj(oid);
	ok = md != NULL && OBJ_obj2nid(sig_oid) == NID_id_alg_noSignature &&
	     otpce_signed_attrs_der(si, &der, &len) == 0 &&
	     EVP_Digest(der, (size_t)len, h, &hlen, md, NULL) &&
	     ASN1_STRING_length(value) == (int)hlen &&
	     CRYPTO_memcmp(ASN1_STRING_get0_data(value), h, hlen) == 0;
	OPENSSL_free(der);
	return ok;
}

/* digest_matches: the SignerInfo's messageDigest is the content's hash. */
static int digest_matches(CMS_SignerInfo *si, const ASN1_OCTET_STRING *content)
{
	X509_ALGOR *dig = NULL;
	const ASN1_OBJECT *oid = NULL;
	const EVP_MD *md;
	unsigned char h[EVP_MAX_MD_SIZE];
	unsigned int hlen = 0;
	ASN1_OCTET_STRING *got;

	CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig, NULL);
	X509_ALGOR_get0(&oid, NULL, NULL, dig);
	md = EVP_get_digestbyobj(oid);
	got = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_messageDigest), -3,
					  V_ASN1_OCTET_STRING);
	return md != NULL && got != NULL &&
	       EVP_Digest(ASN1_STRING_get0_data(content), (size_t)ASN1_STRING_length(content), h,
			  &hlen, md, NULL) &&
	       ASN1_STRING_length(got) == (int)hlen &&
	       CRYPTO_memcmp(ASN1_STRING_get0_data(got), h, hlen) == 0;
}

int otpce_signed_request_check(const uint8_t *der, size_t der_len, const uint8_t *csr,
			       size_t csr_len, char *signer, size_t signer_len, char *err,
			       size_t errlen)
{
	const unsigned char *p = der;
	CMS_ContentInfo *cms = NULL;
	OTPCE_PKIDATA *pd = NULL;
	STACK_OF(CMS_SignerInfo) *sis;
	STACK_OF(X509) *certs = NULL;
	CMS_SignerInfo *ra = NULL;
	ASN1_OCTET_STRING **pos;
	const ASN1_OBJECT *ctype;
	OTPCE_TAGGED_REQUEST *tr;
	char oid[64];
	int rc = -1;

	if (der == NULL || der_len == 0 || der_len > 4 * OTPCE_CSR_MAX || csr == NULL) {
		otpce_err(err, errlen, "the signed request is empty or too large");
		return -1;
	}
	cms = d2i_CMS_ContentInfo(NULL, &p, (long)der_len);
	if (cms == NULL || p != der + der_len || OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
		otpce_err(err, errlen, "the signed request is not one DER CMS SignedData");
		goto out;
	}
	ctype = CMS_get0_eContentType(cms);
	if (ctype == NULL || OBJ_obj2txt(oid, sizeof(oid), ctype, 1) <= 0 ||
	    strcmp(oid, OTPCE_OID_PKIDATA) != 0) {
		otpce_err(err, errlen, "the signed request's content is not a CMC PKIData");
		goto out;
	}
	pos = CMS_get0_content(cms);
	if (pos == NULL || *pos == NULL) {
		otpce_err(err, errlen, "the signed request has no content");
		goto out;
	}
	p = ASN1_STRING_get0_data(*pos);
	pd = d2i_OTPCE_PKIDATA(NULL, &p, ASN1_STRING_length(*pos));
	if (pd == NULL || p != ASN1_STRING_get0_data(*pos) + ASN1_STRING_length(*pos) ||
	    sk_OTPCE_TAGGED_REQUEST_num(pd->requests) != 1) {
		otpce_err(err, errlen, "the PKIData does not decode to one request");
		goto out;
	}
	tr = sk_OTPCE_TAGGED_REQUEST_value(pd->requests, 0);
	if (tr->type != OTPCE_TAGGED_REQUEST_TCR || tr->d.tcr->request->type != V_ASN1_SEQUENCE ||
	    (size_t)tr->d.tcr->request->value.sequence->length != csr_len ||
	    memcmp(tr->d.tcr->request->value.sequence->data, csr, csr_len) != 0) {
		otpce_err(err, errlen, "the signed request does not carry our PKCS#10 unchanged");
		goto out;
	}
	sis = CMS_get0_SignerInfos(cms);
	for (int i = 0; i < sk_CMS_SignerInfo_num(sis); i++) {
		CMS_SignerInfo *si = sk_CMS_SignerInfo_value(sis, i);

		if (!digest_matches(si, *pos)) {
			otpce_err(err, errlen, "a SignerInfo's message digest does not match");
			goto out;
		}
		if (is_dummy(si) && !dummy_value_matches(si)) {
			otpce_err(err, errlen, "the dummy signer's value is not the hash of its "
				  "signed attributes");
			goto out;
		}
		if (!is_dummy(si)) {
			if (ra != NULL) {
				otpce_err(err, errlen, "more than one signing SignerInfo");
				goto out;
			}
			ra = si;
		}
	}
	certs = CMS_get1_certs(cms);
	for (int i = 0; ra != NULL && i < sk_X509_num(certs); i++) {
		if (CMS_SignerInfo_cert_cmp(ra, sk_X509_value(certs, i)) == 0) {
			CMS_SignerInfo_set1_signer_cert(ra, sk_X509_value(certs, i));
			if (CMS_SignerInfo_verify(ra) == 1) {
				if (signer != NULL) {
					otpce_name_text(X509_get_subject_name(sk_X509_value(certs, i)),
							signer, signer_len);
				}
				rc = 0;
			}
			break;
		}
	}
	if (rc != 0) {
		otpce_err(err, errlen, ra == NULL ? "no SignerInfo besides the dummy signer"
			  : "the registration authority's signature does not verify with an "
			    "included certificate");
	}
out:
	sk_X509_pop_free(certs, X509_free);
	OTPCE_PKIDATA_free(pd);
	CMS_ContentInfo_free(cms);
	ERR_clear_error();
	return rc;
}
