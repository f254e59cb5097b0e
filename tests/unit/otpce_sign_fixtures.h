/*
 * otpce_sign_fixtures.h: what the otpce/sign tests share: the spec's 4.1
 * vectors, a throwaway CA and signing (RA) certificate written to a
 * scratch directory for otpce_signer_load, and the 4.1 request's values.
 * Included by test_otpce_sign_check.c, test_otpce_sign_windows.c and
 * test_otpce_sign_build.c.
 */
#ifndef TESTS_UNIT_OTPCE_SIGN_FIXTURES_H
#define TESTS_UNIT_OTPCE_SIGN_FIXTURES_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "otpce/sign/cmc.h"
#include "otpce/sign/sign.h"

#define OTPCE_VECTORS BPAU_SRCDIR "/tests/vectors/otpce"
#define REQ41 OTPCE_VECTORS "/sign_4.1_request.der"
#define RESP41 OTPCE_VECTORS "/sign_4.1_response.der"

/* The 4.1 request's template, user DN and UPN. */
#define T41 "1.3.6.1.4.1.311.21.8.221803.1567394.12993454.3845153.13972217.75.15653661.6620273"
#define DN41 "CN=User 1,CN=Users,DC=domain1,DC=corp,DC=company,DC=com"
#define UPN41 "user1@domain1.corp.company.com"

/* read_all reads a whole file (malloc'd); fails the test if it cannot. */
static inline uint8_t *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = malloc(1 << 20);
	size_t n;

	if (f == NULL) {
		fail_msg("cannot open %s", path);
	}
	assert_non_null(buf);
	n = fread(buf, 1, 1 << 20, f);
	fclose(f);
	*len = n;
	return buf;
}

static inline void write_all(const char *path, const void *p, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static inline X509 *make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *ikey,
			      long serial)
{
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new();

	assert_non_null(x);
	assert_true(X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn,
					       -1, -1, 0));
	assert_true(X509_set_version(x, X509_VERSION_3));
	assert_true(ASN1_INTEGER_set(X509_get_serialNumber(x), serial));
	assert_true(X509_set_subject_name(x, n));
	assert_true(X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n));
	assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), -3600));
	assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), 86400));
	assert_true(X509_set_pubkey(x, key));
	if (issuer == NULL) {
		X509_EXTENSION *bc = X509V3_EXT_conf_nid(NULL, NULL, NID_basic_constraints,
							 "critical,CA:TRUE");

		assert_non_null(bc);
		assert_true(X509_add_ext(x, bc, -1));
		X509_EXTENSION_free(bc);
	}
	assert_true(X509_sign(x, ikey ? ikey : key, EVP_sha256()) > 0);
	X509_NAME_free(n);
	return x;
}

/* A scratch directory with ca.pem, ra.pem (the RA certificate, issued by
 * the CA), ra.key, and other.key (a key that is not the RA's). */
struct pki {
	char dir[64];
	char ca[96], cert[96], key[96], other_key[96];
};

static inline void write_pem_cert(const char *path, X509 *x)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_true(PEM_write_X509(f, x));
	fclose(f);
}

static inline void write_pem_key(const char *path, EVP_PKEY *k)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_true(PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL));
	fclose(f);
}

static inline void pki_make(struct pki *p, int ra_rsa)
{
	EVP_PKEY *cak = EVP_EC_gen("P-256");
	EVP_PKEY *rak = ra_rsa ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256");
	EVP_PKEY *ok = EVP_EC_gen("P-256");
	X509 *ca, *ra;

	strcpy(p->dir, "/tmp/otpce-sign-test.XXXXXX");
	assert_non_null(mkdtemp(p->dir));
	snprintf(p->ca, sizeof(p->ca), "%s/ca.pem", p->dir);
	snprintf(p->cert, sizeof(p->cert), "%s/ra.pem", p->dir);
	snprintf(p->key, sizeof(p->key), "%s/ra.key", p->dir);
	snprintf(p->other_key, sizeof(p->other_key), "%s/other.key", p->dir);
	assert_non_null(cak);
	assert_non_null(rak);
	ca = make_cert(cak, "OTPCE test CA", NULL, NULL, 1);
	ra = make_cert(rak, "OTPCE test RA", ca, cak, 2);
	write_pem_cert(p->ca, ca);
	write_pem_cert(p->cert, ra);
	write_pem_key(p->key, rak);
	write_pem_key(p->other_key, ok);
	X509_free(ca);
	X509_free(ra);
	EVP_PKEY_free(cak);
	EVP_PKEY_free(rak);
	EVP_PKEY_free(ok);
}

static inline void pki_remove(struct pki *p)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", p->dir);
	assert_int_equal(system(cmd), 0);
}

/* params41: request parameters that mirror the 4.1 request. */
static inline struct otpce_request_params params41(void)
{
	struct otpce_request_params p = {
		.subject_dn = DN41,
		.upn = UPN41,
		.template_oid = T41,
		.template_major = 100,
		.template_minor = 5,
		.client_id = 5,
		.client_machine = "CLIENT2.domain1.corp.company.com",
		.client_user = "DOMAIN1\\CLIENT2$",
		.client_process = "otpce-client",
		.key_type = OTPCE_KEY_EC_P256, /* quick; RSA is tested once */
	};
	return p;
}

/* build_req makes a request from |p|; the key is discarded. */
static inline uint8_t *build_req(const struct otpce_request_params *p, size_t *len)
{
	uint8_t *csr = NULL;
	char *key = NULL, err[256] = "";
	size_t key_len = 0;

	if (otpce_request_build(p, &csr, len, &key, &key_len, err, sizeof(err)) != 0) {
		fail_msg("otpce_request_build: %s", err);
	}
	otpce_free_secret(key, key_len);
	return csr;
}

/* signed_attrs_der: the DER SET OF a SignerInfo's signed attributes. */
static inline unsigned char *signed_attrs_der(CMS_SignerInfo *si, int *len)
{
	STACK_OF(X509_ATTRIBUTE) *set = sk_X509_ATTRIBUTE_new_null();
	unsigned char *der = NULL;

	for (int i = 0; i < CMS_signed_get_attr_count(si); i++) {
		assert_true(sk_X509_ATTRIBUTE_push(set, CMS_signed_get_attr(si, i)) > 0);
	}
	*len = i2d_OTPCE_ATTRIBUTE_SET(set, &der);
	assert_true(*len > 0);
	sk_X509_ATTRIBUTE_free(set);
	return der;
}

/* econtent returns the eContent octets of a SignedData. */
static inline const ASN1_OCTET_STRING *econtent(CMS_ContentInfo *cms)
{
	ASN1_OCTET_STRING **pos = CMS_get0_content(cms);

	assert_non_null(pos);
	assert_non_null(*pos);
	return *pos;
}

static inline int oid_equals(const ASN1_OBJECT *o, const char *dotted)
{
	char buf[128];

	return OBJ_obj2txt(buf, sizeof(buf), o, 1) > 0 && strcmp(buf, dotted) == 0;
}

/* find_dummy returns the SignerInfo whose issuer is the Dummy Signer and
 * sets |*other| to the other one (there must be exactly two). */
static inline CMS_SignerInfo *find_dummy(STACK_OF(CMS_SignerInfo) *sis, CMS_SignerInfo **other)
{
	CMS_SignerInfo *dummy = NULL;

	assert_int_equal(sk_CMS_SignerInfo_num(sis), 2);
	for (int i = 0; i < 2; i++) {
		CMS_SignerInfo *si = sk_CMS_SignerInfo_value(sis, i);
		X509_NAME *issuer = NULL;

		assert_int_equal(CMS_SignerInfo_get0_signer_id(si, NULL, &issuer, NULL), 1);
		if (X509_NAME_entry_count(issuer) == 1 &&
		    oid_equals(X509_NAME_ENTRY_get_object(X509_NAME_get_entry(issuer, 0)),
			       OTPCE_OID_DUMMY_SIGNER)) {
			assert_null(dummy);
			dummy = si;
		} else {
			*other = si;
		}
	}
	assert_non_null(dummy);
	return dummy;
}

#endif
