/*
 * credssp.h: the CredSSP engine (MS-CSSP 3.1.5), client and server.
 *
 * Non-blocking, token in / token out.  The caller owns the socket and
 * the TLS session, as an RDP stack does: it reads one TSRequest from TLS
 * (credssp_message_length says when one is complete), hands it to
 * credssp_step, and writes whatever comes back.  The engine never does
 * I/O and never logs; credssp_error() says why it failed, without
 * secrets.
 *
 *   client                                       server
 *   credssp_client_new(settings, mech, key)       credssp_server_new(settings, key)
 *   credssp_step(c, NULL, 0) -> out               ...
 *                      -- out --> credssp_step(s, in) -> out
 *   credssp_step(c, in) -> out ... until CREDSSP_DONE on both sides;
 *   the server's caller then reads credssp_server_credentials().
 *
 * |public_key| (both roles) is the subjectPublicKey BIT STRING contents of
 * the TLS certificate in use (3.1.5 step 3: "the public key of the
 * server"; for RSA the RSAPublicKey DER): the client takes it from the
 * peer certificate of its TLS session, the server from its own.
 * credssp_tls.h (credssp/tls/) extracts it from an OpenSSL SSL object.
 *
 * Versions (2.2.1): we send settings.version (6 unless a test asks for
 * 2-5) and never the peer's; a peer's version above 6 is treated as 6;
 * the binding uses min(ours, peer's); a peer below settings.min_version
 * (default 5, 5.1 and CVE-2018-0886) is refused.
 */
#ifndef CREDSSP_CREDSSP_H
#define CREDSSP_CREDSSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "credssp/credssp_msg.h"
#include "credssp/mech.h"
#include "crypto/crypto.h"

#define CREDSSP_VERSION_OURS 6          /* the highest version we speak */
#define CREDSSP_VERSION_DEFAULT_MIN 5   /* 5.1: refuse older peers by default */
#define CREDSSP_BINDING_HASH_LEN 32     /* SHA-256 */

/* ---- credentials (2.2.1.2), UTF-8 on the API side ----------------------- */

struct credssp_package_cred {             /* TSRemoteGuardPackageCred */
	char *package_name;                    /* e.g. "Kerberos" */
	struct crypto_secret *cred_buffer;
};

/*
 * struct credssp_credentials: what the client delegates and what the
 * server's caller receives.  Restricted Admin is a password credential
 * whose three strings are empty (credssp_credentials_restricted_admin).
 * Every member is a talloc child of the structure; secrets are wiped
 * when freed.
 */
struct credssp_credentials {
	enum credssp_cred_type type;
	struct {                                /* CREDSSP_CRED_PASSWORD */
		char *domain;
		char *user;
		struct crypto_secret *password; /* UTF-8, NUL-terminated */
	} password;
	struct {                                /* CREDSSP_CRED_SMARTCARD */
		struct crypto_secret *pin;      /* UTF-8 */
		int32_t key_spec;
		char *card_name;                /* each NULL when absent */
		char *reader_name;
		char *container_name;
		char *csp_name;
		char *user_hint;
		char *domain_hint;
	} smartcard;
	struct {                                /* CREDSSP_CRED_REMOTE_GUARD */
		struct credssp_package_cred logon;
		size_t num_supplemental;
		struct credssp_package_cred *supplemental;
	} remote_guard;
};

/* credssp_credentials_restricted_admin: a password credential with empty
 * domain, user and password (MS-RDPBCGR 5.4.5.4, Restricted Admin). */
bool credssp_credentials_restricted_admin(const struct credssp_credentials *c);

/* credssp_credentials_encode / _decode: to and from TSCredentials DER
 * (the plaintext of authInfo). */
NTSTATUS credssp_credentials_encode(TALLOC_CTX *mem_ctx, const struct credssp_credentials *c,
				    struct crypto_secret **out, const char **reason)
	CRYPTO_WARN_UNUSED;
NTSTATUS credssp_credentials_decode(TALLOC_CTX *mem_ctx, const uint8_t *buf, size_t len,
				    struct credssp_credentials **out, const char **reason)
	CRYPTO_WARN_UNUSED;

/* ---- the public-key binding (3.1.5 steps 3 and 5) ------------------------ */

enum credssp_binding_dir {
	CREDSSP_CLIENT_TO_SERVER,  /* the client's pubKeyAuth */
	CREDSSP_SERVER_TO_CLIENT,  /* the server's reply */
};

/*
 * credssp_binding_value: the plaintext of pubKeyAuth for |version|
 * (already min(ours, peer's)).  Versions 2-4: the key itself, and for
 * the server's reply the key with 1 added to its first byte (mod 256).
 * Versions 5 and 6: SHA-256 of the magic string with its NUL ("CredSSP
 * Client-To-Server Binding Hash\0" or "...Server-To-Client..."), the
 * client's nonce and the key.  |nonce| is ignored below 5; from 5 on the
 * engine passes the CREDSSP_CLIENT_NONCE_LEN-byte clientNonce (any
 * non-empty length up to CREDSSP_CLIENT_NONCE_MAX_LEN is hashed).
 */
NTSTATUS credssp_binding_value(TALLOC_CTX *mem_ctx, uint32_t version,
			       enum credssp_binding_dir dir, const uint8_t *nonce,
			       size_t nonce_len, const uint8_t *key, size_t key_len,
			       uint8_t **out, size_t *out_len) CRYPTO_WARN_UNUSED;

/* ---- framing ------------------------------------------------------------- */

/*
 * credssp_message_length: given the first |len| bytes received, the
 * length of the whole TSRequest (its DER header plus contents) in *need.
 * NT_STATUS_MORE_ENTRIES: not enough bytes to tell yet (read more);
 * NT_STATUS_INVALID_PARAMETER: not a DER SEQUENCE, indefinite length, or
 * longer than CREDSSP_MSG_MAX_LEN.
 */
NTSTATUS credssp_message_length(const uint8_t *buf, size_t len, size_t *need)
	CRYPTO_WARN_UNUSED;

/* ---- replay cache of client nonces (server, optional) ------------------- */

/* A server-wide memory of the last |capacity| client nonces: a nonce seen
 * twice is refused (the 3.1.5 nonce exists so that a binding hash cannot
 * be replayed).  Not thread-safe: one per process or per thread. */
struct credssp_nonce_cache;
struct credssp_nonce_cache *credssp_nonce_cache_new(TALLOC_CTX *mem_ctx, size_t capacity);

/* ---- the engine ---------------------------------------------------------- */

struct credssp_ctx; /* talloc; freeing it frees the mechanism and wipes secrets */

enum credssp_result {
	CREDSSP_CONTINUE = 0, /* send *out, then feed the peer's next message */
	CREDSSP_DONE = 1,     /* send *out if non-empty; the exchange succeeded */
	CREDSSP_FAILED = -1,  /* send *out if non-empty (an errorCode), then close */
};

struct credssp_client_settings {
	uint32_t version;       /* 0: CREDSSP_VERSION_OURS; 2..6 for tests */
	uint32_t min_version;   /* 0: CREDSSP_VERSION_DEFAULT_MIN */
	/* 3.1.1: the server this connection is to, and the servers the
	 * caller lets receive credentials: exact names, "*.suffix" or "*".
	 * A server not named is refused before anything is sent. */
	const char *server_name;
	const char *const *allowed_servers;     /* NULL-terminated */
	const struct credssp_credentials *creds; /* copied */
};

/*
 * credssp_client_new: a client engine driving |ops|/|mech_ctx| (an
 * initiator; owned by the engine from here on, also on failure).
 * |server_public_key| is that of the TLS peer certificate.
 */
NTSTATUS credssp_client_new(TALLOC_CTX *mem_ctx, const struct credssp_client_settings *settings,
			    const struct credssp_mech_ops *ops, void *mech_ctx,
			    const uint8_t *server_public_key, size_t key_len,
			    struct credssp_ctx **out, const char **reason) CRYPTO_WARN_UNUSED;

/*
 * credssp_mech_start_fn: builds the acceptor the first negoToken asks
 * for.  Returns 0 and sets *ops and *mech_ctx, or non-zero with |err|
 * filled (e.g. no NTLM backend configured).
 */
typedef int (*credssp_mech_start_fn)(void *arg, enum credssp_mech_kind kind,
				     const struct credssp_mech_ops **ops, void **mech_ctx,
				     char *err, size_t errlen);

struct credssp_server_settings {
	uint32_t version;       /* 0: CREDSSP_VERSION_OURS */
	uint32_t min_version;   /* 0: CREDSSP_VERSION_DEFAULT_MIN */
	credssp_mech_start_fn start_mech;
	void *start_arg;
	struct credssp_nonce_cache *nonces; /* optional */
};

NTSTATUS credssp_server_new(TALLOC_CTX *mem_ctx, const struct credssp_server_settings *settings,
			    const uint8_t *own_public_key, size_t key_len,
			    struct credssp_ctx **out, const char **reason) CRYPTO_WARN_UNUSED;

/*
 * credssp_step: feed the peer's message (the client's first call passes
 * NULL, 0) and get what to send back in *out (a talloc child of |ctx|,
 * the caller may free it; NULL with *out_len 0 when there is nothing).
 * After CREDSSP_DONE or CREDSSP_FAILED every further call fails.
 */
enum credssp_result credssp_step(struct credssp_ctx *ctx, const uint8_t *in, size_t in_len,
				 uint8_t **out, size_t *out_len);

/* After CREDSSP_FAILED: the status (the peer's errorCode, named, for a
 * client told so; NT_STATUS_LOGON_FAILURE for a refused logon;
 * NT_STATUS_INVALID_PARAMETER for a malformed message...) and a
 * one-line reason without secrets. */
NTSTATUS credssp_status(const struct credssp_ctx *ctx);
const char *credssp_error(const struct credssp_ctx *ctx);

/* The peer's version as sent, and the one the binding used (0 before
 * known). */
uint32_t credssp_peer_version(const struct credssp_ctx *ctx);
uint32_t credssp_negotiated_version(const struct credssp_ctx *ctx);
/* The mechanism's name ("Kerberos", "NTLM", ...) and the authenticated
 * peer (server: the client's user; NULL when unknown). */
const char *credssp_mech_name(const struct credssp_ctx *ctx);
const char *credssp_peer_name(const struct credssp_ctx *ctx);

/* Server, after CREDSSP_DONE: the client's delegated credentials (owned
 * by |ctx|; talloc_steal them to keep them longer). */
struct credssp_credentials *credssp_server_credentials(struct credssp_ctx *ctx);

#endif
