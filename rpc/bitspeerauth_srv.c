/*
 * bitspeerauth_srv.c: the MS-BPAU ExchangePublicKeys endpoint server as a
 * module for Samba's DCE/RPC server (the AD DC loads it from
 * $(pkg-config --variable=modulesdir dcerpc_server); enable it with
 * "dcerpc endpoint servers = +bitspeerauth").
 *
 * Samba provides the ncacn_ip_tcp listener on a dynamic port, the endpoint
 * mapper entry, the Kerberos acceptor and the PAC; the endpoint itself
 * (endpoint.c) and the protocol rules (exchange.c) are shared with bpaud.
 * This file reads the configuration and keeps one server state per
 * process.
 *
 * Configuration, smb.conf [global] parametric options:
 *   bitspeerauth:certificate = FILE   our certificate (DER or PEM, RSA)
 *   bitspeerauth:table = FILE         peer table (default PRIVATEDIR/bitspeerauth.tdb)
 *   bitspeerauth:table size = N       default 100
 *   bitspeerauth:auth level = privacy | integrity   (default privacy)
 *
 * Only public samba-dev headers are used; the DEBUG() symbols (private
 * debug library) are left unversioned so they bind to the copy the samba
 * process has already loaded.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <unistd.h>

#include <talloc.h>
#include <dcesrv_core.h>
#include <param.h>
#include <util/debug.h>

#include "rpc/endpoint.h"

NTSTATUS samba_init_module(TALLOC_CTX *ctx);

#define PARM "bitspeerauth"

static int config_auth_level(struct loadparm_context *lp)
{
	const char *v = lpcfg_parm_string(lp, NULL, PARM, "auth level");
	if (v != NULL && strcasecmp(v, "integrity") == 0) {
		return DCERPC_AUTH_LEVEL_INTEGRITY;
	}
	return DCERPC_AUTH_LEVEL_PRIVACY;
}

static int module_auth_level(struct dcesrv_connection_context *context)
{
	return config_auth_level(context->conn->dce_ctx->lp_ctx);
}

static void log_to_samba(void *private_data, enum bpau_log_level level, const char *msg)
{
	(void)private_data;
	/* Every decision at level 1 ("log level = 1"), failures at 0. */
	DEBUG(level == BPAU_LOG_ERROR ? 0 : 1, ("bitspeerauth: %s\n", msg));
}

/*
 * One server state per process: Samba may fork workers after loading us,
 * and a tdb handle must not cross a fork, so it is created on first use in
 * each process.
 */
static struct bpau_server *server;
static pid_t server_pid;

static struct bpau_server *module_server(struct dcesrv_call_state *call)
{
	struct loadparm_context *lp = call->conn->dce_ctx->lp_ctx;
	struct bpau_server_config cfg = {0};
	const char *reason = NULL;
	char *default_table;
	NTSTATUS status;

	if (server != NULL && server_pid == getpid()) {
		return server;
	}
	TALLOC_FREE(server);
	default_table = lpcfg_private_path(NULL, lp, "bitspeerauth.tdb");
	cfg.cert_file = lpcfg_parm_string(lp, NULL, PARM, "certificate");
	cfg.table_file = lpcfg_parm_string(lp, NULL, PARM, "table");
	if (cfg.table_file == NULL) {
		cfg.table_file = default_table;
	}
	cfg.table_size = (unsigned)lpcfg_parm_int(lp, NULL, PARM, "table size",
						  CERTTABLE_DEFAULT_CAPACITY);
	cfg.min_auth_level = config_auth_level(lp);
	status = bpau_server_new(NULL, &cfg, log_to_samba, NULL, &server, &reason);
	if (!NT_STATUS_IS_OK(status)) {
		DEBUG(0, ("bitspeerauth: cannot start: %s (certificate %s, table %s): %s\n",
			  reason ? reason : "", cfg.cert_file ? cfg.cert_file : "(not set: "
			  PARM ":certificate)", cfg.table_file, nt_errstr(status)));
		server = NULL;
	} else {
		server_pid = getpid();
	}
	talloc_free(default_table);
	return server;
}

/*
 * The module entry point (load_samba_modules() looks it up).  Refuse to
 * register if the running libdcerpc-server-core was built with other
 * layouts than the headers we were compiled against (a Samba upgrade
 * without a rebuild).
 */
__attribute__((visibility("default"))) NTSTATUS samba_init_module(TALLOC_CTX *ctx)
{
	static const struct bpau_endpoint_ops ops = {
		.server = module_server,
		.min_auth_level = module_auth_level,
	};

	if (!bpau_endpoint_abi_ok()) {
		DEBUG(0, ("bitspeerauth: this module was built for another Samba "
			  "(DCE/RPC server ABI differs); rebuild it; not registering\n"));
		return NT_STATUS_REVISION_MISMATCH;
	}
	bpau_endpoint_init(&ops);
	return bpau_endpoint_register_ep_server(ctx);
}
