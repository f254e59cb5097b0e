/*
 * certblob.c: CERTIFICATE_BLOB (MS-BPAU 2.2.2) parse and build.
 *
 * Errata followed here, each checked against the Windows Vista sample of
 * section 4.2 (tests/vectors/bpau/vista-certificate-blob.bin):
 *
 * - Certificate element header.  2.2.2.2 gives the 8-byte Reserved field
 *   as 0x0000000010000020, but the sample (and so Windows) sends the bytes
 *   20 00 00 00 01 00 00 00: a property header with PropertyID 32
 *   (CERT_CERT_PROP_ID) and Reserved 1.  We send and accept exactly that.
 * - SIGNATURE_HASH is described as "the SHA-1 hash of the certificate
 *   signature"; the sample's value is SHA-1 over the DER TBSCertificate
 *   (the signed content, as Windows' CERT_SIGNATURE_HASH_PROP_ID is).
 * - KEY_IDENTIFIER is described as "the SHA-1 hash of the certificate
 *   subject public key"; the sample's value is SHA-1 over the whole DER
 *   SubjectPublicKeyInfo.  As Windows documents for
 *   CERT_KEY_IDENTIFIER_PROP_ID, a subjectKeyIdentifier extension, when
 *   present (and 20 bytes long, the property's size), is used instead.
 * - SUBJECT_PUBLIC_KEY_MD5_HASH is MD5 over the subjectPublicKey BIT
 *   STRING contents without the unused-bits octet (the RSAPublicKey DER).
 *
 * Because SIGNATURE_HASH and KEY_IDENTIFIER can legitimately be computed
 * other ways, a received blob is checked only for the two values that are
 * unambiguous: SHA1_HASH and MD5_HASH must match the certificate.
 */
#include "certtable/certblob.h"
#include "crypto/wire/text.h"

#include <string.h>

#define KEY_PROV_INFO_HEADER_LEN 28
#define MAX_PROPS 64 /* 16 listed IDs, each at most once */

enum prop_kind {
	KIND_SHA1,   /* 20 bytes */
	KIND_MD5,    /* 16 bytes */
	KIND_U32,    /* 4 bytes */
	KIND_U64,    /* 8 bytes */
	KIND_UTF16Z, /* NUL-terminated UTF-16LE */
	KIND_DER,    /* one DER element */
	KIND_EKU,    /* DER SEQUENCE OF OID */
	KIND_KEY_PROV_INFO,
};

static const struct {
	uint32_t id;
	const char *name;
	enum prop_kind kind;
} props[] = {
	{CERTBLOB_KEY_PROV_INFO, "KEY_PROV_INFO", KIND_KEY_PROV_INFO},
	{CERTBLOB_SHA1_HASH, "SHA1_HASH", KIND_SHA1},
	{CERTBLOB_MD5_HASH, "MD5_HASH", KIND_MD5},
	{CERTBLOB_KEY_SPEC, "KEY_SPEC", KIND_U32},
	{CERTBLOB_ENHKEY_USAGE, "ENHKEY_USAGE", KIND_EKU},
	{CERTBLOB_FRIENDLY_NAME, "FRIENDLY_NAME", KIND_UTF16Z},
	{CERTBLOB_DESCRIPTION, "DESCRIPTION", KIND_UTF16Z},
	{CERTBLOB_SIGNATURE_HASH, "SIGNATURE_HASH", KIND_SHA1},
	{CERTBLOB_KEY_IDENTIFIER, "KEY_IDENTIFIER", KIND_SHA1},
	{CERTBLOB_AUTO_ENROLL, "AUTO_ENROLL", KIND_UTF16Z},
	{CERTBLOB_PUBKEY_ALG_PARA, "PUBKEY_ALG_PARA", KIND_DER},
	{CERTBLOB_ISSUER_PUBLIC_KEY_MD5_HASH, "ISSUER_PUBLIC_KEY_MD5_HASH", KIND_MD5},
	{CERTBLOB_SUBJECT_PUBLIC_KEY_MD5_HASH, "SUBJECT_PUBLIC_KEY_MD5_HASH", KIND_MD5},
	{CERTBLOB_DATE_STAMP, "DATE_STAMP", KIND_U64},
	{CERTBLOB_ISSUER_SERIAL_NUMBER_MD5_HASH, "ISSUER_SERIAL_NUMBER_MD5_HASH", KIND_MD5},
	{CERTBLOB_SUBJECT_NAME_MD5_HASH, "SUBJECT_NAME_MD5_HASH", KIND_MD5},
};

static int prop_index(uint32_t id)
{
	for (size_t i = 0; i < sizeof(props) / sizeof(props[0]); i++) {
		if (props[i].id == id) {
			return (int)i;
		}
	}
	return -1;
}

const char *certblob_prop_name(uint32_t id)
{
	int i = prop_index(id);
	if (id == CERTBLOB_CERT_ELEMENT) {
		return "CERTIFICATE";
	}
	return i < 0 ? NULL : props[i].name;
}

const struct certblob_prop *certblob_find(const struct certblob *blob, uint32_t id)
{
	for (size_t i = 0; i < blob->num_props; i++) {
		if (blob->props[i].id == id) {
			return &blob->props[i];
		}
	}
	return NULL;
}

/* utf16z_end: the length in bytes (terminator included) of the
 * NUL-terminated UTF-16 string at |off| in |v|, or 0 if it does not end
 * inside |v| or is not valid UTF-16. */
static size_t utf16z_end(TALLOC_CTX *tmp, const uint8_t *v, size_t len, size_t off)
{
	for (size_t i = off; len - i >= 2 && i < len; i += 2) {
		if (v[i] == 0 && v[i + 1] == 0) {
			char *s;
			if (!NT_STATUS_IS_OK(crypto_utf16le_to_utf8(tmp, v + off, i - off,
								    &s, NULL))) {
				return 0;
			}
			talloc_free(s);
			return i - off + 2;
		}
	}
	return 0;
}

/* check_key_prov_info validates 2.2.2.1.1 enough to ignore it safely:
 * the header is complete and both names lie inside the value, are
 * terminated there, and do not overlap. */
static bool check_key_prov_info(TALLOC_CTX *tmp, const uint8_t *v, size_t len,
				const char **reason)
{
	struct cursor c;
	uint32_t off_container, off_provider;
	size_t len_container, len_provider;

	cursor_init(&c, v, len);
	if (!cursor_get_u32le(&c, &off_container) || !cursor_get_u32le(&c, &off_provider) ||
	    len < KEY_PROV_INFO_HEADER_LEN) {
		crypto_set_reason(reason, "KEY_PROV_INFO is shorter than its 28-byte header");
		return false;
	}
	if (off_container < KEY_PROV_INFO_HEADER_LEN || off_container >= len ||
	    off_provider < KEY_PROV_INFO_HEADER_LEN || off_provider >= len) {
		crypto_set_reason(reason, "KEY_PROV_INFO name offset is outside its name data");
		return false;
	}
	len_container = utf16z_end(tmp, v, len, off_container);
	len_provider = utf16z_end(tmp, v, len, off_provider);
	if (len_container == 0 || len_provider == 0) {
		crypto_set_reason(reason,
				  "KEY_PROV_INFO name is not NUL-terminated UTF-16 inside its value");
		return false;
	}
	if (off_container < off_provider + len_provider &&
	    off_provider < off_container + len_container) {
		crypto_set_reason(reason, "KEY_PROV_INFO names overlap");
		return false;
	}
	return true;
}

static bool check_value(TALLOC_CTX *tmp, enum prop_kind kind, const uint8_t *v,
			size_t len, const char **reason)
{
	struct cursor c, body;
	char **oids;
	uint8_t tag;

	switch (kind) {
	case KIND_SHA1:
		if (len != CRYPTO_SHA1_LEN) {
			crypto_set_reason(reason, "SHA-1 property value is not 20 bytes");
			return false;
		}
		return true;
	case KIND_MD5:
		if (len != CRYPTO_MD5_LEN) {
			crypto_set_reason(reason, "MD5 property value is not 16 bytes");
			return false;
		}
		return true;
	case KIND_U32:
		/* KEY_SPEC: "The value MUST be 1". */
		if (len != 4 || v[0] != 1 || v[1] != 0 || v[2] != 0 || v[3] != 0) {
			crypto_set_reason(reason, "KEY_SPEC is not the 4-byte value 1");
			return false;
		}
		return true;
	case KIND_U64:
		if (len != 8) {
			crypto_set_reason(reason, "DATE_STAMP is not 8 bytes");
			return false;
		}
		return true;
	case KIND_UTF16Z:
		if (len < 2 || len % 2 != 0 || utf16z_end(tmp, v, len, 0) != len) {
			crypto_set_reason(reason,
					  "string property is not one NUL-terminated UTF-16 string");
			return false;
		}
		return true;
	case KIND_DER:
		cursor_init(&c, v, len);
		if (!cursor_get_any_asn1(&c, &body, NULL, &tag) || cursor_left(&c) != 0) {
			crypto_set_reason(reason, "PUBKEY_ALG_PARA is not one DER element");
			return false;
		}
		return true;
	case KIND_EKU:
		return NT_STATUS_IS_OK(crypto_eku_parse(tmp, v, len, &oids, reason));
	case KIND_KEY_PROV_INFO:
		return check_key_prov_info(tmp, v, len, reason);
	}
	return false;
}

/* check_hashes: SHA1_HASH and MD5_HASH, when present, must describe the
 * certificate that follows them. */
static NTSTATUS check_hashes(const struct certblob *blob, const char **reason)
{
	const struct certblob_prop *p;
	uint8_t h[CRYPTO_SHA1_LEN];
	NTSTATUS status;

	p = certblob_find(blob, CERTBLOB_SHA1_HASH);
	if (p != NULL) {
		status = crypto_sha1(blob->cert, blob->cert_len, h);
		if (!NT_STATUS_IS_OK(status)) {
			return status;
		}
		if (!crypto_memequal(h, p->value, CRYPTO_SHA1_LEN)) {
			crypto_set_reason(reason, "SHA1_HASH does not match the certificate");
			return NT_STATUS_INVALID_PARAMETER;
		}
	}
	p = certblob_find(blob, CERTBLOB_MD5_HASH);
	if (p != NULL) {
		status = crypto_md5(blob->cert, blob->cert_len, h);
		if (!NT_STATUS_IS_OK(status)) {
			return status;
		}
		if (!crypto_memequal(h, p->value, CRYPTO_MD5_LEN)) {
			crypto_set_reason(reason, "MD5_HASH does not match the certificate");
			return NT_STATUS_INVALID_PARAMETER;
		}
	}
	return NT_STATUS_OK;
}

NTSTATUS certblob_parse(TALLOC_CTX *mem_ctx, const uint8_t *buf, size_t len,
			struct certblob **out, const char **reason)
{
	TALLOC_CTX *frame;
	struct certblob *blob;
	struct cursor c;
	bool have_cert = false;
	NTSTATUS status = NT_STATUS_INVALID_PARAMETER;

	if (buf == NULL || len == 0) {
		crypto_set_reason(reason, "blob is empty");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (len > CERTBLOB_MAX_LEN) {
		crypto_set_reason(reason, "blob is larger than 65536 bytes");
		return NT_STATUS_INVALID_PARAMETER;
	}
	frame = talloc_new(mem_ctx);
	blob = frame == NULL ? NULL : talloc_zero(frame, struct certblob);
	if (blob == NULL ||
	    (blob->raw = talloc_memdup(blob, buf, len)) == NULL ||
	    (blob->props = talloc_array(blob, struct certblob_prop, MAX_PROPS)) == NULL) {
		talloc_free(frame);
		return NT_STATUS_NO_MEMORY;
	}
	blob->raw_len = len;
	cursor_init(&c, blob->raw, len);

	while (cursor_left(&c) > 0) {
		uint32_t id, reserved, vlen;
		const uint8_t *value;
		int idx;

		if (!cursor_get_u32le(&c, &id) || !cursor_get_u32le(&c, &reserved) ||
		    !cursor_get_u32le(&c, &vlen)) {
			crypto_set_reason(reason, "property header is incomplete");
			goto fail;
		}
		if (reserved != 1) {
			crypto_set_reason(reason, "property Reserved field is not 1");
			goto fail;
		}
		if (!cursor_get_bytes(&c, &value, vlen)) {
			crypto_set_reason(reason, "property length runs past the end of the blob");
			goto fail;
		}
		if (id == CERTBLOB_CERT_ELEMENT) {
			if (cursor_left(&c) != 0) {
				crypto_set_reason(reason,
						  "bytes follow the certificate element");
				goto fail;
			}
			blob->cert = value;
			blob->cert_len = vlen;
			have_cert = true;
			break;
		}
		idx = prop_index(id);
		if (idx < 0) {
			crypto_set_reason(reason, "property ID is not one MS-BPAU 2.2.2.1 lists");
			goto fail;
		}
		if (certblob_find(blob, id) != NULL) {
			crypto_set_reason(reason, "property ID appears twice");
			goto fail;
		}
		if (!check_value(frame, props[idx].kind, value, vlen, reason)) {
			goto fail;
		}
		/* Each listed ID at most once, so this cannot overflow. */
		blob->props[blob->num_props].id = id;
		blob->props[blob->num_props].value = value;
		blob->props[blob->num_props].len = vlen;
		blob->num_props++;
	}
	if (!have_cert) {
		crypto_set_reason(reason, "blob has no certificate element");
		goto fail;
	}
	status = crypto_x509_parse(blob, blob->cert, blob->cert_len, &blob->x509, reason);
	if (!NT_STATUS_IS_OK(status)) {
		goto fail;
	}
	if (crypto_x509_key_type(blob->x509) != CRYPTO_KEY_RSA) {
		crypto_set_reason(reason, "certificate key is not RSA (MS-BPAU 2.2.2.2)");
		status = NT_STATUS_NOT_SUPPORTED;
		goto fail;
	}
	status = check_hashes(blob, reason);
	if (!NT_STATUS_IS_OK(status)) {
		goto fail;
	}
	*out = talloc_steal(mem_ctx, blob);
	talloc_free(frame);
	return NT_STATUS_OK;
fail:
	talloc_free(frame);
	return status;
}

static void add_prop(struct builder *b, uint32_t id, const uint8_t *v, size_t len)
{
	builder_add_u32le(b, id);
	builder_add_u32le(b, 1); /* Reserved */
	builder_add_u32le(b, (uint32_t)len);
	builder_add_bytes(b, v, len);
}

NTSTATUS certblob_build(TALLOC_CTX *mem_ctx, const struct crypto_x509 *cert,
			const char *const *ekus, size_t num_ekus,
			struct certblob **out, const char **reason)
{
	TALLOC_CTX *frame = talloc_new(mem_ctx);
	struct cursor der = crypto_x509_der(cert), tbs = crypto_x509_tbs(cert);
	struct cursor spki = crypto_x509_spki(cert), pk = crypto_x509_public_key(cert);
	struct cursor ski;
	uint8_t spk_md5[CRYPTO_MD5_LEN], sig_hash[CRYPTO_SHA1_LEN];
	uint8_t sha1[CRYPTO_SHA1_LEN], md5[CRYPTO_MD5_LEN], key_id[CRYPTO_SHA1_LEN];
	const uint8_t *key_id_p = key_id;
	size_t key_id_len = sizeof(key_id);
	uint8_t *eku = NULL, *raw;
	size_t eku_len = 0, raw_len;
	struct builder b;
	NTSTATUS status;

	if (frame == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	if (crypto_x509_key_type(cert) != CRYPTO_KEY_RSA) {
		talloc_free(frame);
		crypto_set_reason(reason, "certificate key is not RSA (MS-BPAU 2.2.2.2)");
		return NT_STATUS_NOT_SUPPORTED;
	}
	status = crypto_md5(pk.data, pk.len, spk_md5);
	if (NT_STATUS_IS_OK(status)) {
		status = crypto_sha1(tbs.data, tbs.len, sig_hash);
	}
	if (NT_STATUS_IS_OK(status)) {
		status = crypto_sha1(der.data, der.len, sha1);
	}
	if (NT_STATUS_IS_OK(status)) {
		status = crypto_md5(der.data, der.len, md5);
	}
	if (NT_STATUS_IS_OK(status)) {
		/* KEY_IDENTIFIER is a 20-byte value (2.2.2.1): a
		 * subjectKeyIdentifier of another size is not used. */
		if (crypto_x509_subject_key_id(cert, &ski) &&
		    ski.len == CRYPTO_SHA1_LEN) {
			key_id_p = ski.data;
			key_id_len = ski.len;
		} else {
			status = crypto_sha1(spki.data, spki.len, key_id);
		}
	}
	if (NT_STATUS_IS_OK(status) && num_ekus > 0) {
		status = crypto_eku_build(frame, ekus, num_ekus, &eku, &eku_len, reason);
	}
	if (!NT_STATUS_IS_OK(status)) {
		talloc_free(frame);
		return status;
	}

	builder_init(&b, frame);
	add_prop(&b, CERTBLOB_SUBJECT_PUBLIC_KEY_MD5_HASH, spk_md5, sizeof(spk_md5));
	add_prop(&b, CERTBLOB_SIGNATURE_HASH, sig_hash, sizeof(sig_hash));
	add_prop(&b, CERTBLOB_SHA1_HASH, sha1, sizeof(sha1));
	if (eku != NULL) {
		add_prop(&b, CERTBLOB_ENHKEY_USAGE, eku, eku_len);
	}
	add_prop(&b, CERTBLOB_MD5_HASH, md5, sizeof(md5));
	add_prop(&b, CERTBLOB_KEY_IDENTIFIER, key_id_p, key_id_len);
	add_prop(&b, CERTBLOB_CERT_ELEMENT, der.data, der.len);
	if (!builder_finish(&b, &raw, &raw_len)) {
		talloc_free(frame);
		return NT_STATUS_NO_MEMORY;
	}
	/* Parse what we built: the same rules hold for what we send. */
	status = certblob_parse(mem_ctx, raw, raw_len, out, reason);
	talloc_free(frame);
	return status;
}

bool certblob_names_sid(const struct certblob *blob, const struct crypto_sid *sid)
{
	TALLOC_CTX *frame = talloc_new(NULL);
	struct crypto_sid subject;
	char *cn = NULL;
	bool named;

	named = frame != NULL &&
		NT_STATUS_IS_OK(crypto_x509_subject_sole_cn(frame, blob->x509, &cn)) &&
		NT_STATUS_IS_OK(crypto_sid_parse(cn, &subject, NULL)) &&
		crypto_sid_equal(&subject, sid);
	talloc_free(frame);
	return named;
}
