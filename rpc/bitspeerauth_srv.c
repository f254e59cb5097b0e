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
 * slots holding Samba's gss_wrap_iov, gss_unwrap_iov, gss_verify_mic and
 * gss_delete_sec_context at samba_seal.c's hooks (got_hook.c).  Only the
 * contexts of associations that call our endpoint are ever switched
 * (SAMBA_SEAL_MARKED_CONTEXTS); every other message passes straight to
 * Samba's functions, checked.  It is used only with the Samba build the
 * module was built for (the functions are found by their exact version
 * tag) and only when every hook took; otherwise Samba's sealing is left
 * alone.
 *
 * The check, whatever "openssl sealing" says: gss_unwrap_iov and
 * gss_verify_mic refuse anything but GSS_S_COMPLETE (samba_seal.c:
 * Heimdal answers a token numbered out of sequence before checking it).
 * If those two hooks cannot be installed the endpoint refuses every call
 * rather than serve forged requests.
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

/* install: point Samba's GOT slots for hooks[0..n) at our hooks; all or
 * none (true when all took). */
struct hook {
	const char *name;
	void *hook;
	unsigned changed;
};

static bool install(struct hook *hooks, size_t n)
{
	bool failed = false, ignored;
	size_t i;

	for (i = 0; i < n && !failed; i++) {
		hooks[i].changed = got_hook_replace(samba_seal_real(hooks[i].name), hooks[i].hook,
						    &failed);
		failed = failed || hooks[i].changed == 0;
	}
	if (!failed) {
		return true;
	}
	DEBUG(0, ("bitspeerauth: could not route %s through the module\n", hooks[i - 1].name));
	while (i-- > 0) {
		got_hook_replace(hooks[i].hook, samba_seal_real(hooks[i].name), &ignored);
	}
	return false;
}

/* module_checked: true once Samba's gss_unwrap_iov and gss_verify_mic run
 * through samba_seal.c's check (a token Heimdal answered before checking
 * its checksum is refused); without it the endpoint refuses every call. */
static bool checked;

/*
 * module_sealing: route Samba's per-message protection through
 * samba_seal.c in this process (see the top of the file), once:
 * module_init_server, or the first call should that not have run.
 *
 * First the check, always: gss_unwrap_iov (privacy) and gss_verify_mic
 * (integrity).  Then, with "openssl sealing" (the default), the delete
 * hook (so that no context is counted whose end we would miss) and the
 * wrap hook; if either cannot be written, both are taken out again and
 * the sealing stays Samba's.  True while OpenSSL sealing is on.
 */
static bool module_sealing(struct loadparm_context *lp)
{
	static bool tried, on;
	struct hook check[] = {
		{"gss_unwrap_iov", (void *)samba_seal_unwrap_iov, 0},
		{"gss_verify_mic", (void *)samba_seal_verify_mic, 0},
	};
	struct hook seal[] = {
		{"gss_delete_sec_context", (void *)samba_seal_delete_sec_context, 0},
		{"gss_wrap_iov", (void *)samba_seal_wrap_iov, 0},
	};
	struct timespec t0, t1;
	bool openssl;

	if (tried) {
		return on;
	}
	tried = true;
	openssl = lpcfg_parm_bool(lp, NULL, PARM, "openssl sealing", true);
	if (openssl && !samba_seal_setup(RTLD_DEFAULT, SAMBA_SEAL_MARKED_CONTEXTS, log_seal)) {
		DEBUG(1, ("bitspeerauth: sealing: left to Samba: its GSSAPI library has no "
			  "gss_wrap_iov and the rest at version " SAMBA_GSS_VERSION "\n"));
		openssl = false;
	}
	if (!openssl && !samba_seal_setup(RTLD_DEFAULT, SAMBA_SEAL_CHECK_ONLY, log_seal)) {
		DEBUG(0, ("bitspeerauth: cannot check Samba's sealing: its GSSAPI library has no "
			  "gss_unwrap_iov and gss_verify_mic at version " SAMBA_GSS_VERSION
			  " (the module was built for another Samba build): refusing every "
			  "ExchangePublicKeys until it is rebuilt against this one\n"));
		return false;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!install(check, 2)) {
		DEBUG(0, ("bitspeerauth: cannot check Samba's sealing: refusing every "
			  "ExchangePublicKeys\n"));
		return false;
	}
	checked = true;
	on = openssl && install(seal, 2);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (!on) {
		DEBUG(1, ("bitspeerauth: sealing: left to Samba%s; its gss_unwrap_iov and "
			  "gss_verify_mic routed through the module for the sequence check "
			  "(%u, %u call sites)\n",
			  openssl ? "" : " (" PARM ":openssl sealing = no)", check[0].changed,
			  check[1].changed));
		return false;
	}
	DEBUG(1, ("bitspeerauth: sealing: Samba's gss_wrap_iov, gss_unwrap_iov, "
		  "gss_verify_mic and gss_delete_sec_context routed through the module (%u, "
		  "%u, %u, %u call sites, %ld us); an association's AES messages move to "
		  "OpenSSL at its %dth call\n", seal[1].changed, check[0].changed,
		  check[1].changed, seal[0].changed,
		  (long)((t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000),
		  LUCID_KWRAP_AFTER_CALLS));
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
	enum dcerpc_AuthType auth_type = DCERPC_AUTH_TYPE_NONE;
	enum dcerpc_AuthLevel auth_level = DCERPC_AUTH_LEVEL_NONE;

	/* Called for every ExchangePublicKeys: this call's association is
	 * one of ours (samba_seal_mark_request), if its request was sealed:
	 * the context samba_seal.c saw unwrap last is then this call's.  At
	 * integrity level the request was checked with gss_verify_mic, and
	 * the context last unwrapped may be another association's. */
	dcesrv_call_auth_info(call, &auth_type, &auth_level);
	if (module_sealing(lp) && auth_level == DCERPC_AUTH_LEVEL_PRIVACY) {
		samba_seal_mark_request();
	}
	if (!checked) {
		/* Without the check a forged request would be served as the
		 * caller's (samba_seal_unwrap_iov): fail closed. */
		DEBUG(0, ("bitspeerauth: refusing ExchangePublicKeys: Samba's sealing is not "
			  "checked by the module (see the log at startup)\n"));
		return NULL;
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
