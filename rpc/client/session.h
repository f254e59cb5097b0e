/*
 * session.h: the client's connection steps on Samba's client library:
 * bpau exchange (client.c) and the benchmark.
 */
#ifndef RPC_SESSION_H
#define RPC_SESSION_H

#include <credentials.h>
#include <dcerpc.h>
#include <param.h>
#include <tevent.h>

#include "rpc/client/client.h"

struct bpau_session {
	struct tevent_context *ev;
	struct loadparm_context *lp;
	struct cli_credentials *creds;
	unsigned timeout; /* seconds, for the connect and for each call */
};

/*
 * bpau_session_setup: the RPC client library, Kerberos required, no
 * delegation, credentials from o->ccache (or KRB5CCNAME).  On failure r
 * holds the message.
 */
NTSTATUS bpau_session_setup(TALLOC_CTX *mem_ctx, const struct bpau_client_opts *o,
			    struct bpau_session *s, struct bpau_client_result *r);

/*
 * bpau_session_connect: endpoint mapper lookup on port 135 (no endpoint
 * in the binding), TCP to |address| (NULL: |host|), then a Kerberos bind
 * (auth type 16, mutual authentication) at packet privacy to |principal|
 * with |host| as the target host name; TCP_NODELAY on the connection.
 * The whole step is bounded by s->timeout seconds with alarm() (within
 * any alarm the caller had set, which is restored after): the caller's
 * SIGALRM handler decides what a timeout does (bpau exits with status 9).
 * Each later call on the pipe gets s->timeout seconds
 * (NT_STATUS_IO_TIMEOUT).
 */
NTSTATUS bpau_session_connect(TALLOC_CTX *mem_ctx, struct bpau_session *s, const char *host,
			      const char *address, const char *principal,
			      const struct ndr_interface_table *table, struct dcerpc_pipe **out,
			      struct bpau_client_result *r);

#endif
