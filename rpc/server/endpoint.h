/*
 * endpoint.h: the bitspeerauth endpoint on Samba's DCE/RPC server core,
 * shared by its two hosts: the Samba AD DC module (bitspeerauth_srv.c) and
 * the standalone daemon (bpaud.c).  One implementation: the pidl server
 * boilerplate, the bind-time auth level check, the mapping of the
 * runtime's caller (auth type and level, the PAC's session info) onto
 * struct bpau_caller, and the ExchangePublicKeys handler on exchange_server.c.
 */
#ifndef RPC_ENDPOINT_H
#define RPC_ENDPOINT_H

#include <dcesrv_core.h>

#include "rpc/server/exchange_server.h"

struct bpau_endpoint_ops {
	/* The server state for this call (NULL: answer E_FAIL). */
	struct bpau_server *(*server)(struct dcesrv_call_state *call);
	/* The minimum auth level for a new context: privacy or integrity,
	 * or 0 to let every bind through to the handler's own checks. */
	int (*min_auth_level)(struct dcesrv_connection_context *context);
};

/* bpau_endpoint_init sets the host's hooks; call it before registering. */
void bpau_endpoint_init(const struct bpau_endpoint_ops *ops);

/* The interface, for dcesrv_interface_register() on a chosen endpoint. */
const struct dcesrv_interface *bpau_endpoint_interface(void);

/* Registers the "bitspeerauth" endpoint server (for Samba's
 * "dcerpc endpoint servers" list). */
NTSTATUS bpau_endpoint_register_ep_server(TALLOC_CTX *ctx);

/*
 * bpau_endpoint_abi_ok: the running libdcerpc-server-core was built with
 * the struct layouts of the dcesrv_core.h we were compiled against (the
 * boilerplate reads those structures directly).
 */
bool bpau_endpoint_abi_ok(void);

/* bpau_endpoint_caller maps the runtime's view of the caller (exported
 * for the daemon's and the module's logs). */
void bpau_endpoint_caller(TALLOC_CTX *mem_ctx, struct dcesrv_call_state *call,
			  struct bpau_caller *c);

#endif
