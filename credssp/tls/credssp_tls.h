/*
 * credssp_tls.h: running the CredSSP engine over an OpenSSL TLS 1.2/1.3
 * session on a socket (the "separate driver" of MS-CSSP 3.1.5 step 1:
 * "the TLS handshake", then TSRequests inside TLS).  Blocking; for the
 * tools and tests.  An RDP stack with its own event loop drives
 * credssp_step itself and uses only credssp_tls_public_key.
 */
#ifndef CREDSSP_TLS_CREDSSP_TLS_H
#define CREDSSP_TLS_CREDSSP_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "credssp/credssp.h"

/* credssp_tls_public_key: the subjectPublicKey (BIT STRING contents) of
 * the certificate in use: the peer's (|peer|, the client) or our own (the
 * server).  Copied onto mem_ctx.  NT_STATUS_NOT_FOUND without a
 * certificate. */
NTSTATUS credssp_tls_public_key(TALLOC_CTX *mem_ctx, SSL *ssl, bool peer, uint8_t **key,
				size_t *key_len);

/* credssp_tls_client_ctx / _server_ctx: TLS 1.2 or 1.3.  The client does
 * not verify the chain: CredSSP binds the key instead (3.1.5 step 3); a
 * caller that can verify the chain should.  The server uses |cert_file|
 * and |key_file| (PEM), or a fresh self-signed RSA-2048 certificate for
 * CN=|cn| when they are NULL.  NULL with |err| filled on failure. */
SSL_CTX *credssp_tls_client_ctx(char *err, size_t errlen);
SSL_CTX *credssp_tls_server_ctx(const char *cert_file, const char *key_file, const char *cn,
				char *err, size_t errlen);

/* credssp_tls_read_exact / credssp_tls_write_all: 0, or -1 with |err|. */
int credssp_tls_read_exact(SSL *ssl, uint8_t *buf, size_t len, char *err, size_t errlen);
int credssp_tls_write_all(SSL *ssl, const uint8_t *buf, size_t len, char *err, size_t errlen);

/*
 * credssp_tls_run: the whole exchange on an established TLS session:
 * the client engine speaks first (|client| true).  Reads exactly one
 * TSRequest at a time, so the bytes after CredSSP (e.g. the Early User
 * Authorization Result) are left for the caller.  Returns the engine's
 * last result; on an I/O failure CREDSSP_FAILED with |err| filled (the
 * engine's own failures: credssp_error).
 */
enum credssp_result credssp_tls_run(SSL *ssl, struct credssp_ctx *ctx, bool client, char *err,
				    size_t errlen);

#endif
