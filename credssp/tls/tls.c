/*
 * tls.c: the CredSSP engine over OpenSSL TLS (credssp_tls.h).  With the
 * codec, the only place of credssp/ that includes OpenSSL.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "credssp/tls/credssp_tls.h"

static void ssl_error(char *err, size_t errlen, const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[160];

	ERR_error_string_n(e, buf, sizeof(buf));
	snprintf(err, errlen, "%s: %s", what, e != 0 ? buf : "failed");
	ERR_clear_error();
}

NTSTATUS credssp_tls_public_key(TALLOC_CTX *mem_ctx, SSL *ssl, bool peer, uint8_t **key,
				size_t *key_len)
{
	X509 *cert = peer ? SSL_get1_peer_certificate(ssl) : SSL_get_certificate(ssl);
	const ASN1_BIT_STRING *bits;
	uint8_t *k;

	if (cert == NULL) {
		return NT_STATUS_NOT_FOUND;
	}
	/* 3.1.5: "the SubjectPublicKey field of the SubjectPublicKeyInfo"
	 * (the BIT STRING's contents, without the unused-bits octet):
	 * what FreeRDP (nla.c, tls_get_public_key -> i2d_PublicKey for RSA)
	 * and Windows bind. */
	bits = X509_get0_pubkey_bitstr(cert);
	if (bits == NULL || bits->length <= 0) {
		if (peer) {
			X509_free(cert);
		}
		return NT_STATUS_NOT_FOUND;
	}
	k = talloc_memdup(mem_ctx, bits->data, (size_t)bits->length);
	*key_len = (size_t)bits->length;
	if (peer) {
		X509_free(cert);
	}
	if (k == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	*key = k;
	return NT_STATUS_OK;
}

SSL_CTX *credssp_tls_client_ctx(char *err, size_t errlen)
{
	SSL_CTX *c = SSL_CTX_new(TLS_client_method());

	if (c == NULL || !SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION)) {
		ssl_error(err, errlen, "TLS client context");
		SSL_CTX_free(c);
		return NULL;
	}
	SSL_CTX_set_verify(c, SSL_VERIFY_NONE, NULL);
	return c;
}

/* self_signed: a new RSA key and certificate through crypto/ (which owns
 * the certificate building), loaded into |c|. */
static int self_signed(SSL_CTX *c, const char *cn, char *err, size_t errlen)
{
	TALLOC_CTX *t = talloc_new(NULL);
	uint8_t *der = NULL;
	size_t der_len = 0;
	struct crypto_secret *pem = NULL;
	const unsigned char *p;
	X509 *x = NULL;
	EVP_PKEY *pk = NULL;
	BIO *bio = NULL;
	int rc = -1;

	if (t == NULL || !NT_STATUS_IS_OK(crypto_x509_create_self_signed(
				 t, cn != NULL ? cn : "credssp-server", cn, 2048, 365, &der,
				 &der_len, &pem))) {
		snprintf(err, errlen, "cannot make a self-signed certificate");
		goto out;
	}
	p = der;
	x = d2i_X509(NULL, &p, (long)der_len);
	bio = BIO_new_mem_buf(pem->data, (int)pem->len);
	pk = bio != NULL ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
	if (x == NULL || pk == NULL || SSL_CTX_use_certificate(c, x) != 1 ||
	    SSL_CTX_use_PrivateKey(c, pk) != 1) {
		ssl_error(err, errlen, "self-signed certificate");
		goto out;
	}
	rc = 0;
out:
	X509_free(x);
	EVP_PKEY_free(pk);
	BIO_free(bio);
	talloc_free(t);
	return rc;
}

SSL_CTX *credssp_tls_server_ctx(const char *cert_file, const char *key_file, const char *cn,
				char *err, size_t errlen)
{
	SSL_CTX *c = SSL_CTX_new(TLS_server_method());

	if (c == NULL || !SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION)) {
		ssl_error(err, errlen, "TLS server context");
		SSL_CTX_free(c);
		return NULL;
	}
	if (cert_file != NULL) {
		if (SSL_CTX_use_certificate_chain_file(c, cert_file) != 1) {
			ssl_error(err, errlen, cert_file);
			SSL_CTX_free(c);
			return NULL;
		}
		if (SSL_CTX_use_PrivateKey_file(c, key_file != NULL ? key_file : cert_file,
						SSL_FILETYPE_PEM) != 1 ||
		    SSL_CTX_check_private_key(c) != 1) {
			ssl_error(err, errlen, key_file != NULL ? key_file : cert_file);
			SSL_CTX_free(c);
			return NULL;
		}
	} else if (self_signed(c, cn, err, errlen) != 0) {
		SSL_CTX_free(c);
		return NULL;
	}
	return c;
}

int credssp_tls_read_exact(SSL *ssl, uint8_t *buf, size_t len, char *err, size_t errlen)
{
	size_t got = 0;

	while (got < len) {
		size_t n = 0;

		if (SSL_read_ex(ssl, buf + got, len - got, &n) != 1) {
			int e = SSL_get_error(ssl, 0);

			if (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0)) {
				snprintf(err, errlen, "the peer closed the connection");
				ERR_clear_error();
			} else {
				ssl_error(err, errlen, "TLS read");
			}
			return -1;
		}
		got += n;
	}
	return 0;
}

int credssp_tls_write_all(SSL *ssl, const uint8_t *buf, size_t len, char *err, size_t errlen)
{
	size_t n = 0;

	if (len > 0 && SSL_write_ex(ssl, buf, len, &n) != 1) {
		ssl_error(err, errlen, "TLS write");
		return -1;
	}
	return 0;
}

/* read_tsrequest: exactly one TSRequest, onto mem_ctx. */
static int read_tsrequest(TALLOC_CTX *mem_ctx, SSL *ssl, uint8_t **msg, size_t *msg_len,
			  char *err, size_t errlen)
{
	uint8_t head[6];
	size_t have = 2, need = 0;
	uint8_t *buf;
	NTSTATUS status;

	if (credssp_tls_read_exact(ssl, head, 2, err, errlen) != 0) {
		return -1;
	}
	while (NT_STATUS_EQUAL(status = credssp_message_length(head, have, &need),
			       NT_STATUS_MORE_ENTRIES)) {
		if (have >= sizeof(head) ||
		    credssp_tls_read_exact(ssl, head + have, 1, err, errlen) != 0) {
			if (have >= sizeof(head)) {
				snprintf(err, errlen, "bad TSRequest header");
			}
			return -1;
		}
		have++;
	}
	if (!NT_STATUS_IS_OK(status) || need < have) {
		snprintf(err, errlen, "the peer sent something other than a TSRequest");
		return -1;
	}
	buf = talloc_array(mem_ctx, uint8_t, need);
	if (buf == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	memcpy(buf, head, have);
	if (credssp_tls_read_exact(ssl, buf + have, need - have, err, errlen) != 0) {
		talloc_free(buf);
		return -1;
	}
	*msg = buf;
	*msg_len = need;
	return 0;
}

enum credssp_result credssp_tls_run(SSL *ssl, struct credssp_ctx *ctx, bool client, char *err,
				    size_t errlen)
{
	enum credssp_result r = CREDSSP_CONTINUE;
	uint8_t *in = NULL, *out = NULL;
	size_t in_len = 0, out_len = 0;

	err[0] = '\0';
	if (client) {
		r = credssp_step(ctx, NULL, 0, &out, &out_len);
		if (r == CREDSSP_FAILED) {
			return r;
		}
		if (credssp_tls_write_all(ssl, out, out_len, err, errlen) != 0) {
			return CREDSSP_FAILED;
		}
		TALLOC_FREE(out);
	}
	while (r == CREDSSP_CONTINUE) {
		if (read_tsrequest(ctx, ssl, &in, &in_len, err, errlen) != 0) {
			return CREDSSP_FAILED;
		}
		r = credssp_step(ctx, in, in_len, &out, &out_len);
		TALLOC_FREE(in);
		if (out_len > 0 && credssp_tls_write_all(ssl, out, out_len, err, errlen) != 0) {
			return CREDSSP_FAILED;
		}
		TALLOC_FREE(out);
	}
	return r;
}
