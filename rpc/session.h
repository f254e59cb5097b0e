/*
 * session.h: the client's connection steps, for callers that drive
 * associations themselves (the benchmark, test tools).  bpau exchange goes
 * through bpau_client_exchange() in client.h instead.
 */
#ifndef RPC_SESSION_H
#define RPC_SESSION_H

#include <credentials.h>
#include <dcerpc.h>
#include <param.h>
#include <tevent.h>

#include "rpc/client.h"

struct bpau_session {
	struct tevent_context *ev;
	struct loadparm_context *lp;
	struct cli_credentials *creds;
};

/*
 * bpau_session_setup: the RPC client library, Kerberos required, no
 * delegation, credentials from o->ccache (or KRB5CCNAME).  On failure r
 * holds the message.
 */
NTSTATUS bpau_session_setup(TALLOC_CTX *mem_ctx, const struct bpau_client_opts *o,
			    struct bpau_session *s, struct bpau_client_result *r);

/*
 * bpau_session_connect: endpoint mapper lookup (no endpoint in the
 * binding), TCP (with TCP_NODELAY), then a Kerberos bind (auth type 16,
 * mutual authentication) at packet privacy to |principal|.
 */
NTSTATUS bpau_session_connect(TALLOC_CTX *mem_ctx, struct bpau_session *s, const char *host,
			      const char *address, const char *principal,
			      const struct ndr_interface_table *table, struct dcerpc_pipe **out,
			      struct bpau_client_result *r);

#endif
