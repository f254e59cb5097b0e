/*
 * exchange.h: the ExchangePublicKeys rules (MS-BPAU 3.1.4.1, 3.2.4.1),
 * independent of the RPC runtime that carries them.
 *
 * The Samba endpoint server module and bpaud call bpau_server_exchange()
 * with what their runtime says about the caller; the client calls
 * bpau_client_accept() with what the server returned.  One implementation
 * of the protocol rules, whatever hosts it.
 */
#ifndef RPC_EXCHANGE_H
#define RPC_EXCHANGE_H

#include "certtable/certtable.h"

/* HRESULTs on the wire (MS-ERREF 2.1). */
#define BPAU_S_OK 0x00000000u
#define BPAU_E_ACCESSDENIED 0x80070005u /* 3.1.4.1: not a trusted computer, or wrong SID */
#define BPAU_E_TABLE_FULL 0x80040006u   /* 3.1.4.1 and note 3: the one-minute rule */
#define BPAU_E_INVALIDARG 0x80070057u   /* the client's blob does not decode */
#define BPAU_E_OUTOFMEMORY 0x8007000Eu
#define BPAU_E_FAIL 0x80004005u         /* our own certificate or the table failed */

/* DCE/RPC authentication levels (C706, MS-RPCE 2.2.1.1.8). */
#define BPAU_AUTH_LEVEL_INTEGRITY 5
#define BPAU_AUTH_LEVEL_PRIVACY 6

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

/*
 * bpau_client_accept is the client's processing of the reply (3.2.4.1):
 * |hresult| is what the call returned (the caller has already failed on
 * an RPC fault); the server's blob must be present, decode, and name
 * |server_sid| (the server account's SID as the domain reports it, never
 * taken from the certificate); then it goes into |table| under the usual
 * rules.  Returns NT_STATUS_OK with |outcome|, or (RPC errors are the
 * caller's): NT_STATUS_ACCESS_DENIED for a nonzero HRESULT or a
 * certificate naming another SID; NT_STATUS_INVALID_NETWORK_RESPONSE for
 * an empty or undecodable blob; NT_STATUS_CERTTABLE_FULL.
 * |reason| says which in words.
 */
NTSTATUS bpau_client_accept(struct certtable *table, uint32_t hresult, uint32_t server_len,
			    const uint8_t *server_key, const struct crypto_sid *server_sid,
			    const char *server_principal, enum certtable_outcome *outcome,
			    const char **reason);

/* bpau_hresult_name gives a short name for the HRESULTs above. */
const char *bpau_hresult_name(uint32_t hresult);

#endif
