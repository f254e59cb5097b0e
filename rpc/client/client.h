/*
 * client.h: the BPAU client (MS-BPAU 3.2).
 *
 * bpau_client_exchange finds the server's dynamic endpoint through its
 * endpoint mapper, binds with Kerberos (mutual authentication, packet
 * privacy, no delegation), calls ExchangePublicKeys with our
 * CERTIFICATE_BLOB, resolves the server account's SID (winbind on a
 * joined member, else SAMR LookupNames at the domain controller the
 * caller names), checks the returned certificate against it and stores
 * it in our table.  All on Samba's client library (libdcerpc) and the
 * pidl-generated stubs.
 */
#ifndef RPC_CLIENT_H
#define RPC_CLIENT_H

#include "rpc/client/exchange_client.h"

#define BPAU_CALL_TIMEOUT 15 /* seconds, MS-BPAU 3.2.2 */

struct bpau_client_opts {
	const char *host;         /* the server's FQDN, e.g. peer1.corp.example */
	const char *address;      /* connect here; Kerberos still uses host */
	const char *principal;    /* target principal; default from host (3.2.3) */
	const char *cert_file;    /* our certificate (DER or PEM) */
	const char *table_file;
	unsigned table_size;       /* 0: the one the table records, else 100 */
	const char *ccache;       /* default: KRB5CCNAME */
	const char *dc;           /* domain controller for the SID lookup;
				   * default: winbind (a joined member) */
	const char *dc_address;
	const char *server_sid;   /* skip the lookup: the SID, from the admin */
	unsigned timeout;         /* per step, default BPAU_CALL_TIMEOUT */
};

/* Which step failed, for messages and exit codes. */
enum bpau_client_stage {
	BPAU_STAGE_SETUP,    /* options, certificate, table, credentials */
	BPAU_STAGE_CONNECT,  /* endpoint mapper, TCP, Kerberos bind */
	BPAU_STAGE_CALL,     /* the RPC call failed or faulted */
	BPAU_STAGE_SERVER,   /* the server returned a nonzero HRESULT */
	BPAU_STAGE_LOOKUP,   /* resolving the server account's SID */
	BPAU_STAGE_VERIFY,   /* the server's blob: empty, malformed, wrong SID */
	BPAU_STAGE_TABLE,    /* storing it */
	BPAU_STAGE_DONE,
};

struct bpau_client_result {
	enum bpau_client_stage stage; /* BPAU_STAGE_DONE on success */
	NTSTATUS status;
	uint32_t hresult;             /* the server's, when it answered */
	char *message;                /* one line for people */
	char *principal;              /* the target principal used */
	char *binding;                /* the binding the pipe ended up on */
	struct crypto_sid server_sid;
	char *sid_source;             /* who said: the DC's name, "winbind", or
				       * NULL for --server-sid */
	enum certtable_outcome outcome;
};

/* bpau_client_exchange runs the whole exchange; |res| is filled on success
 * and failure (allocated on mem_ctx).  Returns res->status;
 * NT_STATUS_IO_TIMEOUT when a step ran out of time. */
NTSTATUS bpau_client_exchange(TALLOC_CTX *mem_ctx, const struct bpau_client_opts *opts,
			      struct bpau_client_result **res);

/*
 * bpau_client_lookup_sid: the SID of |account| ("NAME$" or "NAME$@REALM")
 * from SAMR LookupNames at o->dc (o->dc_address) with the Kerberos
 * credentials of o->ccache, or without o->dc from winbind, if this host
 * runs it.  |res| says what failed (BPAU_STAGE_SETUP: neither).
 */
NTSTATUS bpau_client_lookup_sid(TALLOC_CTX *mem_ctx, const struct bpau_client_opts *o,
				const char *account, struct crypto_sid *sid,
				struct bpau_client_result **res);

/* bpau_client_principal derives "sample$@CORP.CONTOSO.COM" from
 * "sample.corp.contoso.com" (3.2.3); NULL if |fqdn| has no domain part. */
char *bpau_client_principal(TALLOC_CTX *mem_ctx, const char *fqdn);

const char *bpau_client_stage_name(enum bpau_client_stage s);

/* bpau_client_fail records a failure in |r| (stage, status, message) and
 * returns |status|. */
NTSTATUS bpau_client_fail(struct bpau_client_result *r, enum bpau_client_stage stage,
			  NTSTATUS status, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
