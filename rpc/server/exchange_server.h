/*
 * exchange_server.h: the ExchangePublicKeys rules on the server (MS-BPAU
 * 3.1.4.1), independent of the RPC runtime that carries them.  The Samba
 * AD DC module and bpaud (through endpoint.c) call bpau_server_exchange()
 * with what their runtime says about the caller: one implementation of
 * the server's rules, whatever hosts it.
 */
#ifndef RPC_SERVER_EXCHANGE_SERVER_H
#define RPC_SERVER_EXCHANGE_SERVER_H

#include "certtable/certtable.h"
#include "rpc/protocol/bpau.h"

enum bpau_mech {
	BPAU_MECH_NONE = 0, /* unauthenticated or anonymous */
	BPAU_MECH_KERBEROS,
	BPAU_MECH_NTLM,
	BPAU_MECH_OTHER,
};

/* What the RPC runtime reports about the caller (3.3.3.4.3 of MS-RPCE). */
struct bpau_caller {
	enum bpau_mech mech;
	int auth_level;
	bool anonymous;
	struct crypto_sid sid;  /* the account's SID (from the PAC) */
	const char *principal;  /* e.g. "PEER1$@BPAU.TEST" */
	bool is_computer;       /* workstation/server trust account, or member
				 * of Domain Computers / Domain Controllers */
};

enum bpau_log_level { BPAU_LOG_ERROR = 0, BPAU_LOG_NOTICE = 1, BPAU_LOG_INFO = 2 };
typedef void (*bpau_log_fn)(void *private_data, enum bpau_log_level level,
			    const char *msg);

struct bpau_server_config {
	const char *cert_file;   /* our certificate, DER or PEM */
	const char *table_file;  /* the tdb file of peer certificates */
	unsigned table_size;     /* default 100 */
	int min_auth_level;      /* default packet privacy */
};

struct bpau_server;

/*
 * bpau_server_new loads our certificate (RSA, as 2.2.2.2 requires), encodes
 * it once as a CERTIFICATE_BLOB without KEY_PROV_INFO, and opens the table.
 * |log| receives one line per decision (never a secret).
 */
NTSTATUS bpau_server_new(TALLOC_CTX *mem_ctx, const struct bpau_server_config *cfg,
			 bpau_log_fn log, void *log_data, struct bpau_server **out,
			 const char **reason);

/* bpau_server_reload_cert re-reads the certificate file; on failure the
 * old certificate stays in use. */
NTSTATUS bpau_server_reload_cert(struct bpau_server *srv, const char **reason);

/* bpau_server_cert_file: the certificate file's path as configured. */
const char *bpau_server_cert_file(const struct bpau_server *srv);

/* bpau_server_table gives the table (for the verify-status query). */
struct certtable *bpau_server_table(struct bpau_server *srv);

/*
 * bpau_server_exchange is ExchangePublicKeys (opnum 0) on the server:
 * checks the caller, decodes and checks the client's blob (when
 * |client_len| is not 0), inserts it, and returns our blob.  Returns the
 * HRESULT; whenever it is not 0, *server_len is 0 and *server_key NULL.
 * The returned buffer is a talloc child of mem_ctx.
 */
uint32_t bpau_server_exchange(struct bpau_server *srv, TALLOC_CTX *mem_ctx,
			      const struct bpau_caller *caller, uint32_t client_len,
			      const uint8_t *client_key, uint32_t *server_len,
			      uint8_t **server_key);

#endif
