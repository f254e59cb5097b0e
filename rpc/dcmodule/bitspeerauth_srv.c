/*
 * bitspeerauth_srv.c: the MS-BPAU ExchangePublicKeys endpoint server as a
 * module for Samba's DCE/RPC server (the AD DC loads it from
 * $(pkg-config --variable=modulesdir dcerpc_server); enable it with
 * "dcerpc endpoint servers = +bitspeerauth").
 *
 * Samba provides the ncacn_ip_tcp listener on a dynamic port, the endpoint
 * mapper entry, the Kerberos acceptor and the PAC; the endpoint itself
 * (endpoint.c) and the protocol rules (exchange_server.c) are shared with bpaud.
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
 *
 * A plain endpoint module, as Samba's rpc_echo: the sealing and its checks
 * are Samba's own.  (Samba 4.17's gensec takes a Kerberos token that
 * Heimdal answered before checking it for a good one; that is Samba's to
 * fix: contrib/samba/ has the patch and a checker.)
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <talloc.h>
#include <dcesrv_core.h>
#include <param.h>
#include <util/debug.h>

#include "rpc/server/endpoint.h"

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

/*
 * cert_maybe_reload: each worker loaded our certificate at its first call;
 * an administrator who replaces the file should not need to restart Samba
 * (nor see workers started later answer with the new one and older ones
 * with the old).  At most once a second per worker, the file's identity
 * (device, inode, size, modification and change times) is compared with what was
 * loaded, and a changed file is loaded again (a bad one is logged and the
 * old certificate kept, as bpaud's SIGHUP does).
 */
static struct stat cert_seen;
static time_t cert_checked;

static bool same_file(const struct stat *a, const struct stat *b)
{
	/* ctime too: a copy that keeps the old mtime (install -p, rsync -t)
	 * in place still changes it. */
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

static void cert_note(const char *path)
{
	if (path == NULL || stat(path, &cert_seen) != 0) {
		memset(&cert_seen, 0, sizeof(cert_seen));
	}
	cert_checked = time(NULL);
}

static void cert_maybe_reload(struct bpau_server *srv)
{
	const char *path = bpau_server_cert_file(srv), *reason = NULL;
	struct stat now;
	time_t t = time(NULL);
	NTSTATUS status;

	if (path == NULL || t == cert_checked) {
		return;
	}
	cert_checked = t;
	if (stat(path, &now) != 0 || same_file(&now, &cert_seen)) {
		return;
	}
	cert_seen = now;
	status = bpau_server_reload_cert(srv, &reason);
	if (NT_STATUS_IS_OK(status)) {
		DEBUG(1, ("bitspeerauth: the certificate %s changed: reloaded\n", path));
	} else {
		DEBUG(0, ("bitspeerauth: the certificate %s changed but cannot be loaded (%s: %s); "
			  "keeping the old one\n", path, reason ? reason : "", nt_errstr(status)));
	}
}

static struct bpau_server *module_server(struct dcesrv_call_state *call)
{
	struct loadparm_context *lp = call->conn->dce_ctx->lp_ctx;
	struct bpau_server_config cfg = {0};
	const char *reason = NULL;
	char *default_table;
	NTSTATUS status;
	if (server != NULL && server_pid == getpid()) {
		cert_maybe_reload(server);
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
	cert_note(cfg.cert_file); /* before the load: a change meanwhile is seen later */
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
