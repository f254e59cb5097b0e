/*
 * x509.c: X.509 certificates on OpenSSL 3, with our own DER walk for the
 * byte ranges the protocols hash (TBSCertificate, SubjectPublicKeyInfo,
 * the subjectPublicKey bits), so that they are the sender's exact bytes
 * rather than a re-encoding; and the extended key usage value.
 */
#include "crypto/crypto.h"
#include "crypto/wire/file.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define X509_FILE_MAX (1024 * 1024)

struct crypto_x509 {
	X509 *x509;
	uint8_t *der;
	size_t der_len;
	struct cursor tbs, spki, public_key, serial, issuer, subject;
};

static int x509_destructor(struct crypto_x509 *c)
{
	X509_free(c->x509);
	return 0;
}

/* walk_der checks the certificate's outer DER structure and records the
 * byte ranges of its parts.  OpenSSL decodes the rest. */
static bool walk_der(struct crypto_x509 *c, const char **reason)
{
	struct cursor all, cert, tbs, tbs_el, alg, sig, tmp, tmp_el;
	struct cursor spki, spki_el, bits;
	uint8_t unused;

	cursor_init(&all, c->der, c->der_len);
	if (!cursor_get_asn1(&all, &cert, NULL, DER_TAG_SEQUENCE) ||
	    cursor_left(&all) != 0) {
		crypto_set_reason(reason,
				  "certificate is not one DER SEQUENCE spanning the input");
		return false;
	}
	if (!cursor_get_asn1(&cert, &tbs, &tbs_el, DER_TAG_SEQUENCE) ||
	    !cursor_get_asn1(&cert, &alg, NULL, DER_TAG_SEQUENCE) ||
	    !cursor_get_asn1(&cert, &sig, NULL, DER_TAG_BIT_STRING) ||
	    cursor_left(&cert) != 0) {
		crypto_set_reason(reason,
				  "certificate is not SEQUENCE { tbsCertificate, algorithm, signature }");
		return false;
	}
	c->tbs = tbs_el;
	if (cursor_peek_asn1_tag(&tbs, DER_TAG_CONTEXT_CONS(0)) &&
	    !cursor_get_asn1(&tbs, &tmp, NULL, DER_TAG_CONTEXT_CONS(0))) {
		goto bad_tbs;
	}
	if (!cursor_get_asn1(&tbs, &c->serial, NULL, DER_TAG_INTEGER) ||
	    !cursor_get_asn1(&tbs, &tmp, NULL, DER_TAG_SEQUENCE) ||
	    !cursor_get_asn1(&tbs, &tmp, &tmp_el, DER_TAG_SEQUENCE)) {
		goto bad_tbs;
	}
	c->issuer = tmp_el;
	if (!cursor_get_asn1(&tbs, &tmp, NULL, DER_TAG_SEQUENCE) ||
	    !cursor_get_asn1(&tbs, &tmp, &tmp_el, DER_TAG_SEQUENCE)) {
		goto bad_tbs;
	}
	c->subject = tmp_el;
	if (!cursor_get_asn1(&tbs, &spki, &spki_el, DER_TAG_SEQUENCE) ||
	    !cursor_get_asn1(&spki, &tmp, NULL, DER_TAG_SEQUENCE) ||
	    !cursor_get_asn1(&spki, &bits, NULL, DER_TAG_BIT_STRING) ||
	    cursor_left(&spki) != 0 || !cursor_get_u8(&bits, &unused) ||
	    unused != 0) {
		goto bad_tbs;
	}
	c->spki = spki_el;
	c->public_key = bits;
	return true;
bad_tbs:
	crypto_set_reason(reason, "certificate's TBSCertificate is malformed");
	return false;
}

NTSTATUS crypto_x509_parse(TALLOC_CTX *mem_ctx, const uint8_t *der,
			   size_t len, struct crypto_x509 **out,
			   const char **reason)
{
	struct crypto_x509 *c;
	const unsigned char *p;

	if (der == NULL || len == 0) {
		crypto_set_reason(reason, "certificate is empty");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (len > LONG_MAX) {
		crypto_set_reason(reason, "certificate is too large");
		return NT_STATUS_INVALID_PARAMETER;
	}
	c = talloc_zero(mem_ctx, struct crypto_x509);
	if (c == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	c->der = talloc_memdup(c, der, len);
	if (c->der == NULL) {
		talloc_free(c);
		return NT_STATUS_NO_MEMORY;
	}
	c->der_len = len;
	talloc_set_destructor(c, x509_destructor);
	if (!walk_der(c, reason)) {
		talloc_free(c);
		return NT_STATUS_INVALID_PARAMETER;
	}
	p = c->der;
	c->x509 = d2i_X509(NULL, &p, (long)len);
	if (c->x509 == NULL || p != c->der + len) {
		crypto_set_reason(reason, "certificate is not a valid X.509 DER encoding");
		talloc_free(c);
		return NT_STATUS_INVALID_PARAMETER;
	}
	*out = c;
	return NT_STATUS_OK;
}

NTSTATUS crypto_x509_read_file_bytes(TALLOC_CTX *mem_ctx, const char *path,
				     uint8_t **buf, size_t *len, const char **reason)
{
	int err;
	NTSTATUS status;

	status = crypto_read_file(mem_ctx, path, false, X509_FILE_MAX + 1, buf, len, &err);
	if (!NT_STATUS_IS_OK(status)) {
		crypto_set_reason(reason, err == EIO ? "cannot read the certificate file"
						     : "cannot open the certificate file");
		return status;
	}
	if (*len > X509_FILE_MAX) {
		TALLOC_FREE(*buf);
		crypto_set_reason(reason, "certificate file is larger than 1 MiB");
		return NT_STATUS_INVALID_PARAMETER;
	}
	return NT_STATUS_OK;
}

NTSTATUS crypto_x509_parse_file(TALLOC_CTX *mem_ctx, const uint8_t *buf, size_t n,
				struct crypto_x509 **out, const char **reason)
{
	NTSTATUS status;

	if (n > 11 && memcmp(buf, "-----BEGIN ", 11) == 0) {
		BIO *bio = n > INT_MAX ? NULL : BIO_new_mem_buf(buf, (int)n);
		X509 *x = bio == NULL ? NULL : PEM_read_bio_X509(bio, NULL, NULL, NULL);
		unsigned char *der = NULL;
		int dlen = x == NULL ? -1 : i2d_X509(x, &der);
		BIO_free(bio);
		X509_free(x);
		if (dlen <= 0) {
			crypto_set_reason(reason, "file is not a PEM certificate");
			return NT_STATUS_INVALID_PARAMETER;
		}
		status = crypto_x509_parse(mem_ctx, der, (size_t)dlen, out, reason);
		OPENSSL_free(der);
		return status;
	}
	return crypto_x509_parse(mem_ctx, buf, n, out, reason);
}

NTSTATUS crypto_x509_read_file(TALLOC_CTX *mem_ctx, const char *path,
			       struct crypto_x509 **out, const char **reason)
{
	TALLOC_CTX *frame = talloc_new(mem_ctx);
	uint8_t *buf;
	size_t n;
	NTSTATUS status;

	if (frame == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	status = crypto_x509_read_file_bytes(frame, path, &buf, &n, reason);
	if (NT_STATUS_IS_OK(status)) {
		status = crypto_x509_parse_file(mem_ctx, buf, n, out, reason);
	}
	talloc_free(frame);
	return status;
}

struct cursor crypto_x509_der(const struct crypto_x509 *c)
{
	struct cursor r = {c->der, c->der_len};
	return r;
}

struct cursor crypto_x509_tbs(const struct crypto_x509 *c) { return c->tbs; }
struct cursor crypto_x509_spki(const struct crypto_x509 *c) { return c->spki; }
struct cursor crypto_x509_public_key(const struct crypto_x509 *c)
{
	return c->public_key;
}
struct cursor crypto_x509_serial(const struct crypto_x509 *c) { return c->serial; }
struct cursor crypto_x509_subject_name(const struct crypto_x509 *c)
{
	return c->subject;
}
struct cursor crypto_x509_issuer_name(const struct crypto_x509 *c)
{
	return c->issuer;
}

static NTSTATUS name_cn(TALLOC_CTX *mem_ctx, const X509_NAME *name, char **out)
{
	int idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
	const ASN1_STRING *s;
	unsigned char *utf8 = NULL;
	int n;
	char *res;

	if (idx < 0) {
		return NT_STATUS_NOT_FOUND;
	}
	if (X509_NAME_get_index_by_NID(name, NID_commonName, idx) >= 0) {
		return NT_STATUS_INVALID_PARAMETER; /* more than one CN */
	}
	s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
	n = ASN1_STRING_to_UTF8(&utf8, s);
	if (n < 0) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (memchr(utf8, '\0', (size_t)n) != NULL) {
		OPENSSL_free(utf8);
		return NT_STATUS_INVALID_PARAMETER; /* embedded NUL */
	}
	res = talloc_strndup(mem_ctx, (const char *)utf8, (size_t)n);
	OPENSSL_free(utf8);
	if (res == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	*out = res;
	return NT_STATUS_OK;
}

NTSTATUS crypto_x509_subject_cn(TALLOC_CTX *mem_ctx,
				const struct crypto_x509 *c, char **out)
{
	return name_cn(mem_ctx, X509_get_subject_name(c->x509), out);
}

NTSTATUS crypto_x509_subject_sole_cn(TALLOC_CTX *mem_ctx,
				     const struct crypto_x509 *c, char **out)
{
	const X509_NAME *name = X509_get_subject_name(c->x509);

	/* One attribute in all: a second RDN, or a multi-valued RDN, adds
	 * one more entry. */
	if (X509_NAME_entry_count(name) != 1) {
		return NT_STATUS_NOT_FOUND;
	}
	return name_cn(mem_ctx, name, out);
}

NTSTATUS crypto_x509_issuer_cn(TALLOC_CTX *mem_ctx,
			       const struct crypto_x509 *c, char **out)
{
	return name_cn(mem_ctx, X509_get_issuer_name(c->x509), out);
}

static char *name_text(TALLOC_CTX *mem_ctx, const X509_NAME *name)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *p = NULL, *res = NULL;
	long n;

	if (bio == NULL) {
		return NULL;
	}
	if (X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253) >= 0) {
		n = BIO_get_mem_data(bio, &p);
		res = talloc_strndup(mem_ctx, n > 0 ? p : "", n > 0 ? (size_t)n : 0);
	}
	BIO_free(bio);
	return res;
}

char *crypto_x509_subject_text(TALLOC_CTX *mem_ctx, const struct crypto_x509 *c)
{
	return name_text(mem_ctx, X509_get_subject_name(c->x509));
}

char *crypto_x509_issuer_text(TALLOC_CTX *mem_ctx, const struct crypto_x509 *c)
{
	return name_text(mem_ctx, X509_get_issuer_name(c->x509));
}

enum crypto_key_type crypto_x509_key_type(const struct crypto_x509 *c)
{
	EVP_PKEY *k = X509_get0_pubkey(c->x509);
	if (k == NULL) {
		return CRYPTO_KEY_OTHER;
	}
	switch (EVP_PKEY_get_base_id(k)) {
	case EVP_PKEY_RSA:
		return CRYPTO_KEY_RSA;
	case EVP_PKEY_EC:
		return CRYPTO_KEY_EC;
	default:
		return CRYPTO_KEY_OTHER;
	}
}

int crypto_x509_key_bits(const struct crypto_x509 *c)
{
	EVP_PKEY *k = X509_get0_pubkey(c->x509);
	return k == NULL ? 0 : EVP_PKEY_get_bits(k);
}

static NTSTATUS asn1_time_unix(const ASN1_TIME *t, int64_t *out)
{
	struct tm tm;
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	*out = (int64_t)timegm(&tm);
	return NT_STATUS_OK;
}

NTSTATUS crypto_x509_validity(const struct crypto_x509 *c, int64_t *not_before,
			      int64_t *not_after)
{
	int64_t nb, na;
	NTSTATUS status = asn1_time_unix(X509_get0_notBefore(c->x509), &nb);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	status = asn1_time_unix(X509_get0_notAfter(c->x509), &na);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	*not_before = nb;
	*not_after = na;
	return NT_STATUS_OK;
}

bool crypto_x509_subject_key_id(const struct crypto_x509 *c, struct cursor *out)
{
	const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(c->x509);
	if (ski == NULL) {
		return false;
	}
	cursor_init(out, ASN1_STRING_get0_data(ski), (size_t)ASN1_STRING_length(ski));
	return true;
}

NTSTATUS crypto_x509_dns_names(TALLOC_CTX *mem_ctx, const struct crypto_x509 *c,
			       char ***out)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(c->x509, NID_subject_alt_name, NULL, NULL);
	int n = gens == NULL ? 0 : sk_GENERAL_NAME_num(gens);
	char **res = talloc_zero_array(mem_ctx, char *, (size_t)n + 1);
	size_t o = 0;

	if (res == NULL) {
		GENERAL_NAMES_free(gens);
		return NT_STATUS_NO_MEMORY;
	}
	for (int i = 0; i < n; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		if (g->type != GEN_DNS) {
			continue;
		}
		res[o] = talloc_strndup(res, (const char *)ASN1_STRING_get0_data(g->d.dNSName),
					(size_t)ASN1_STRING_length(g->d.dNSName));
		if (res[o] == NULL) {
			GENERAL_NAMES_free(gens);
			talloc_free(res);
			return NT_STATUS_NO_MEMORY;
		}
		o++;
	}
	GENERAL_NAMES_free(gens);
	*out = res;
	return NT_STATUS_OK;
}

static bool printable(const char *s)
{
	for (; *s != '\0'; s++) {
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr(" '()+,-./:=?", *s) != NULL)) {
			return false;
		}
	}
	return true;
}

static bool set_random_serial(X509 *x)
{
	uint8_t raw[16];
	BIGNUM *bn;
	bool ok;

	if (!NT_STATUS_IS_OK(crypto_random(raw, sizeof(raw)))) {
		return false;
	}
	raw[0] &= 0x7f; /* positive */
	raw[0] |= 0x01; /* and a full 16 bytes, as Windows' serials are */
	bn = BN_bin2bn(raw, sizeof(raw), NULL);
	ok = bn != NULL && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
	BN_free(bn);
	return ok;
}

NTSTATUS crypto_x509_create_self_signed(TALLOC_CTX *mem_ctx, const char *cn,
					const char *dns, int bits, int days,
					uint8_t **cert_der, size_t *cert_len,
					struct crypto_secret **key_pem)
{
	EVP_PKEY *pkey = NULL;
	X509 *x = NULL;
	X509_NAME *name = NULL;
	BIO *bio = NULL;
	unsigned char *der = NULL;
	uint8_t *der_copy = NULL;
	struct crypto_secret *key = NULL;
	char *pem = NULL;
	long pem_len;
	int der_len;
	NTSTATUS status = NT_STATUS_INTERNAL_ERROR;

	if (cn == NULL || *cn == '\0' || bits < 1024 || bits > 16384 || days < 1 ||
	    days > 36500) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	pkey = EVP_RSA_gen((unsigned int)bits);
	x = X509_new();
	name = X509_NAME_new();
	if (pkey == NULL || x == NULL || name == NULL) {
		goto out;
	}
	if (X509_NAME_add_entry_by_NID(name, NID_commonName,
				       printable(cn) ? V_ASN1_PRINTABLESTRING : MBSTRING_UTF8,
				       (const unsigned char *)cn, -1, -1, 0) != 1 ||
	    X509_set_version(x, X509_VERSION_3) != 1 || !set_random_serial(x) ||
	    X509_set_subject_name(x, name) != 1 || X509_set_issuer_name(x, name) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(x), -300) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(x), days, 0, NULL) == NULL ||
	    X509_set_pubkey(x, pkey) != 1) {
		goto out;
	}
	if (dns != NULL) {
		char *san = talloc_asprintf(mem_ctx, "DNS:%s", dns);
		X509V3_CTX ctx;
		X509_EXTENSION *ext;
		if (san == NULL) {
			status = NT_STATUS_NO_MEMORY;
			goto out;
		}
		X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
		ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name, san);
		talloc_free(san);
		if (ext == NULL) {
			status = NT_STATUS_INVALID_PARAMETER;
			goto out;
		}
		if (X509_add_ext(x, ext, -1) != 1) {
			X509_EXTENSION_free(ext);
			goto out;
		}
		X509_EXTENSION_free(ext);
	}
	if (X509_sign(x, pkey, EVP_sha256()) <= 0) {
		goto out;
	}
	der_len = i2d_X509(x, &der);
	if (der_len <= 0) {
		goto out;
	}
	bio = BIO_new(BIO_s_secmem());
	if (bio == NULL ||
	    PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL) != 1) {
		goto out;
	}
	pem_len = BIO_get_mem_data(bio, &pem);
	if (pem_len <= 0) {
		goto out;
	}
	key = crypto_secret_dup(mem_ctx, (const uint8_t *)pem, (size_t)pem_len);
	der_copy = talloc_memdup(mem_ctx, der, (size_t)der_len);
	if (key == NULL || der_copy == NULL) {
		TALLOC_FREE(key);
		TALLOC_FREE(der_copy);
		status = NT_STATUS_NO_MEMORY;
		goto out;
	}
	*cert_der = der_copy;
	*cert_len = (size_t)der_len;
	*key_pem = key;
	status = NT_STATUS_OK;
out:
	BIO_free(bio); /* secure-memory BIO: cleansed on free */
	OPENSSL_free(der);
	X509_NAME_free(name);
	X509_free(x);
	EVP_PKEY_free(pkey);
	return status;
}

/*
 * The extended key usage value, on OpenSSL's EXTENDED_KEY_USAGE (a stack
 * of ASN1_OBJECT).  OpenSSL is more lenient than we are in both
 * directions: its text parser (a2d_ASN1_OBJECT) takes spaces as
 * separators, empty arcs and leading zeros, and its decoder takes BER.  So
 * an OID's text must be what OBJ_obj2txt gives back, and a value must be
 * what i2d_EXTENDED_KEY_USAGE gives back, byte for byte.
 */

/* oid_text: |obj| in dotted decimal on mem_ctx. */
static NTSTATUS oid_text(TALLOC_CTX *mem_ctx, const ASN1_OBJECT *obj, char **out)
{
	int n = OBJ_obj2txt(NULL, 0, obj, 1);
	char *s;

	if (n <= 0) {
		ERR_clear_error();
		return NT_STATUS_INVALID_PARAMETER;
	}
	s = talloc_array(mem_ctx, char, (size_t)n + 1);
	if (s == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	if (OBJ_obj2txt(s, n + 1, obj, 1) != n) {
		talloc_free(s);
		return NT_STATUS_INTERNAL_ERROR;
	}
	*out = s;
	return NT_STATUS_OK;
}

/* oid_from_text: the OID whose canonical dotted decimal is |text|. */
static NTSTATUS oid_from_text(const char *text, ASN1_OBJECT **out, const char **reason)
{
	ASN1_OBJECT *obj = text == NULL ? NULL : OBJ_txt2obj(text, 1);
	TALLOC_CTX *frame;
	char *canonical = NULL;
	NTSTATUS status;

	if (obj == NULL) {
		ERR_clear_error();
		crypto_set_reason(reason, "OID is not dotted decimal starting with 0.n, 1.n "
					  "(n < 40) or 2.n");
		return NT_STATUS_INVALID_PARAMETER;
	}
	frame = talloc_new(NULL);
	status = frame == NULL ? NT_STATUS_NO_MEMORY : oid_text(frame, obj, &canonical);
	if (NT_STATUS_IS_OK(status) && strcmp(canonical, text) != 0) {
		crypto_set_reason(reason, "OID is not canonical dotted decimal");
		status = NT_STATUS_INVALID_PARAMETER;
	}
	talloc_free(frame);
	if (!NT_STATUS_IS_OK(status)) {
		ASN1_OBJECT_free(obj);
		return status;
	}
	*out = obj;
	return NT_STATUS_OK;
}

NTSTATUS crypto_eku_build(TALLOC_CTX *mem_ctx, const char *const *oids,
			  size_t n, uint8_t **out, size_t *out_len,
			  const char **reason)
{
	EXTENDED_KEY_USAGE *eku;
	unsigned char *der = NULL;
	uint8_t *copy;
	int der_len = 0;
	NTSTATUS status = NT_STATUS_OK;

	if (n == 0 || n > INT_MAX) {
		crypto_set_reason(reason, "extended key usage needs at least one OID, and not "
					  "billions");
		return NT_STATUS_INVALID_PARAMETER;
	}
	eku = sk_ASN1_OBJECT_new_null();
	if (eku == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	for (size_t i = 0; i < n && NT_STATUS_IS_OK(status); i++) {
		ASN1_OBJECT *obj;
		status = oid_from_text(oids[i], &obj, reason);
		if (NT_STATUS_IS_OK(status) && sk_ASN1_OBJECT_push(eku, obj) <= 0) {
			ASN1_OBJECT_free(obj);
			status = NT_STATUS_NO_MEMORY;
		}
	}
	if (NT_STATUS_IS_OK(status)) {
		der_len = i2d_EXTENDED_KEY_USAGE(eku, &der);
		status = der_len > 0 ? NT_STATUS_OK : NT_STATUS_INTERNAL_ERROR;
	}
	sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	copy = talloc_memdup(mem_ctx, der, (size_t)der_len);
	OPENSSL_free(der);
	if (copy == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	*out = copy;
	*out_len = (size_t)der_len;
	return NT_STATUS_OK;
}

NTSTATUS crypto_eku_parse(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len,
			  char ***oids, const char **reason)
{
	const unsigned char *q = p;
	EXTENDED_KEY_USAGE *eku = len > LONG_MAX ? NULL : d2i_EXTENDED_KEY_USAGE(NULL, &q, (long)len);
	unsigned char *der = NULL;
	int der_len, n;
	char **res = NULL;
	NTSTATUS status = NT_STATUS_OK;

	n = eku == NULL ? 0 : sk_ASN1_OBJECT_num(eku);
	der_len = n <= 0 ? -1 : i2d_EXTENDED_KEY_USAGE(eku, &der);
	if (der_len < 0 || (size_t)der_len != len || q != p + len || memcmp(der, p, len) != 0) {
		ERR_clear_error();
		crypto_set_reason(reason, "extended key usage is not one non-empty DER SEQUENCE "
					  "of OIDs");
		status = NT_STATUS_INVALID_PARAMETER;
	} else {
		res = talloc_zero_array(mem_ctx, char *, (size_t)n + 1);
		status = res == NULL ? NT_STATUS_NO_MEMORY : NT_STATUS_OK;
	}
	for (int i = 0; i < n && NT_STATUS_IS_OK(status); i++) {
		status = oid_text(res, sk_ASN1_OBJECT_value(eku, i), &res[i]);
		if (NT_STATUS_EQUAL(status, NT_STATUS_INVALID_PARAMETER)) {
			crypto_set_reason(reason, "extended key usage holds an OID OpenSSL "
						  "cannot write as text");
		}
	}
	OPENSSL_free(der);
	sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
	if (!NT_STATUS_IS_OK(status)) {
		talloc_free(res);
		return status;
	}
	*oids = res;
	return NT_STATUS_OK;
}
