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
 *   bitspeerauth:openssl sealing = yes | no         (default yes)
 *
 * Only public samba-dev headers are used; the DEBUG() symbols (private
 * debug library) are left unversioned so they bind to the copy the samba
 * process has already loaded.  Samba's private GSSAPI functions (below)
 * are looked up at run time by their version tag, not linked.
 *
 * "openssl sealing": from an association's eighth call, its messages are
 * sealed and checked on OpenSSL (samba_seal.c) instead of by Samba's
 * bundled Heimdal, whose software AES and SHA-1 make up most of what the
 * DC spends on a repeated exchange beyond Samba's own cheapest call
 * (bench/README.md).  Samba's libraries were bound to its GSSAPI before
 * the module was loaded, so when the DCE/RPC server starts our endpoint
 * (before Samba's prefork workers are forked) the module points the GOT
 * slots holding Samba's gss_wrap_iov, gss_unwrap_iov and
 * gss_delete_sec_context at samba_seal.c's hooks (got_hook.c).  Only the
 * contexts of associations that call our endpoint are ever switched
 * (SAMBA_SEAL_MARKED_CONTEXTS); every other message passes straight to
 * Samba's functions.  It is used only with the Samba build the module was
 * built for (the functions are found by their exact version tag) and only
 * when every hook took; otherwise Samba's sealing is left alone.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <dlfcn.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <talloc.h>
#include <dcesrv_core.h>
#include <param.h>
#include <util/debug.h>

#include "rpc/endpoint.h"
#include "rpc/got_hook.h"
#include "rpc/lucid_kwrap.h"
#include "rpc/samba_seal.h"

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

static void log_seal(int level, const char *msg)
{
	DEBUG(level, ("bitspeerauth: %s\n", msg));
}

/*
 * module_sealing: route Samba's per-message protection through
 * samba_seal.c in this process (see the top of the file), once:
 * module_init_server, or the first call should that not have run.  True
 * while it is on.  The delete hook goes in first, so that no context is
 * counted whose end we would miss; if any slot cannot be written, every
 * hook is taken out again.
 */
static bool module_sealing(struct loadparm_context *lp)
{
	static bool tried, on;
	struct {
		const char *name;
		void *hook;
		unsigned changed;
	} hooks[] = {
		{"gss_delete_sec_context", (void *)samba_seal_delete_sec_context, 0},
		{"gss_unwrap_iov", (void *)samba_seal_unwrap_iov, 0},
		{"gss_wrap_iov", (void *)samba_seal_wrap_iov, 0},
	};
	bool failed = false;
	struct timespec t0, t1;
	size_t i, n = sizeof(hooks) / sizeof(hooks[0]);
	bool openssl;

	if (tried) {
		return on;
	}
	tried = true;
	/* Without OpenSSL sealing only gss_unwrap_iov is routed, for the
	 * check samba_seal_unwrap_iov adds to Samba's (a token Heimdal
	 * answered before checking it is refused). */
	openssl = lpcfg_parm_bool(lp, NULL, PARM, "openssl sealing", true);
	if (!openssl) {
		hooks[0] = hooks[1];
		n = 1;
	}
	if (!samba_seal_setup(RTLD_DEFAULT,
			      openssl ? SAMBA_SEAL_MARKED_CONTEXTS : SAMBA_SEAL_CHECK_ONLY,
			      log_seal)) {
		DEBUG(1, ("bitspeerauth: sealing: left to Samba: its GSSAPI library has no "
			  "gss_wrap_iov and the rest at version " SAMBA_GSS_VERSION
			  " (the module was built for another Samba)\n"));
		return false;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n && !failed; i++) {
		hooks[i].changed = got_hook_replace(samba_seal_real(hooks[i].name), hooks[i].hook,
						    &failed);
		failed = failed || hooks[i].changed == 0;
	}
	if (failed) {
		bool ignored;
		DEBUG(0, ("bitspeerauth: sealing: left to Samba: could not route %s "
			  "through the module\n", hooks[i - 1].name));
		while (i-- > 0) {
			got_hook_replace(hooks[i].hook, samba_seal_real(hooks[i].name), &ignored);
		}
		return false;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (!openssl) {
		DEBUG(1, ("bitspeerauth: sealing: left to Samba (" PARM ":openssl sealing = "
			  "no); its gss_unwrap_iov routed through the module for the sequence "
			  "check (%u call sites)\n", hooks[0].changed));
		return false;
	}
	DEBUG(1, ("bitspeerauth: sealing: Samba's gss_wrap_iov, gss_unwrap_iov and "
		  "gss_delete_sec_context routed through the module (%u, %u, %u call "
		  "sites, %ld us); an association's AES messages move to OpenSSL at its "
		  "%dth call\n", hooks[2].changed, hooks[1].changed, hooks[0].changed,
		  (long)((t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000),
		  LUCID_KWRAP_AFTER_CALLS));
	on = true;
	return true;
}

/* module_init_server: route the sealing when the DCE/RPC server starts
 * our endpoint, so that prefork workers inherit it (else each would
 * do it at its first call: a few milliseconds, once). */
static void module_init_server(struct dcesrv_context *dce_ctx)
{
	(void)module_sealing(dce_ctx->lp_ctx);
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
 * (device, inode, size, modification time) is compared with what was
 * loaded, and a changed file is loaded again (a bad one is logged and the
 * old certificate kept, as bpaud's SIGHUP does).
 */
static struct stat cert_seen;
static time_t cert_checked;

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
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

	enum dcerpc_AuthType auth_type = DCERPC_AUTH_TYPE_NONE;
	enum dcerpc_AuthLevel auth_level = DCERPC_AUTH_LEVEL_NONE;

	/* Called for every ExchangePublicKeys: this call's association is
	 * one of ours (samba_seal_mark_request), if its request was sealed:
	 * the context samba_seal.c saw last is then this call's.  At
	 * integrity level the request was checked with gss_verify_mic,
	 * which is not hooked, and that context may be another
	 * association's. */
	dcesrv_call_auth_info(call, &auth_type, &auth_level);
	if (module_sealing(lp) && auth_level == DCERPC_AUTH_LEVEL_PRIVACY) {
		samba_seal_mark_request();
	}
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
		.init_server = module_init_server,
	};

	if (!bpau_endpoint_abi_ok()) {
		DEBUG(0, ("bitspeerauth: this module was built for another Samba "
			  "(DCE/RPC server ABI differs); rebuild it; not registering\n"));
		return NT_STATUS_REVISION_MISMATCH;
	}
	bpau_endpoint_init(&ops);
	return bpau_endpoint_register_ep_server(ctx);
}
