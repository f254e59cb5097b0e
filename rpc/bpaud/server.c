/*
 * server.c: bpaud's DCE/RPC server on Samba's dcesrv core
 * (libdcerpc-server-core): the context and its callbacks (gensec,
 * association groups, authorization log), the Kerberos acceptor from the
 * machine account's keytab, the exchange state, and the two endpoints.
 *
 * The endpoint (rpc/server/endpoint.c) and the protocol rules
 * (rpc/server/exchange_server.c) are the same code the Samba AD DC module runs.
 * The caller's identity and account flags come from the PAC
 * (samba_server_gensec_start's auth context).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <talloc.h>
#include <tevent.h>
#include <dcesrv_core.h>
#include <param.h>
#include <credentials.h>
#include <dcerpc.h>
#include <samba/session.h>
#include <util/idtree.h>

#include "rpc/bpaud/epm.h"
#include "rpc/bpaud/listener.h"
#include "rpc/bpaud/log.h"
#include "rpc/bpaud/server.h"
#include "rpc/server/endpoint.h"
#include "rpc/samba_compat/gss_accept_fix.h"
#include "rpc/samba_compat/gss_seq_check.h"
#include "rpc/samba_compat/samba_private.h"

/* ------------------------------------------------------------ callbacks */

/*
 * auth.gensec_prepare: called by the core for the first bind/alter that
 * carries auth info.  A gensec server context with a fresh auth4 context
 * (its generate_session_info_pac turns the PAC into a session_info) and
 * our keytab as acceptor credentials.  The core then starts the mechanism
 * by auth type (DCERPC_AUTH_TYPE_KRB5 -> gensec "gssapi_krb5").
 */
static NTSTATUS bpaud_gensec_prepare(TALLOC_CTX *mem_ctx, struct dcesrv_call_state *call,
				     struct gensec_security **out, void *private_data)
{
	struct bpaud *d = private_data;
	NTSTATUS status;

	if (d->server_creds == NULL) {
		bpaud_log(1, "auth: bind with auth type %d refused: no keytab configured",
			  (int)call->in_auth_info.auth_type);
		return NT_STATUS_CANT_ACCESS_DOMAIN_INFO;
	}
	status = samba_server_gensec_start(mem_ctx, call->event_ctx, NULL, d->lp,
					   d->server_creds, NULL, out);
	if (!NT_STATUS_IS_OK(status)) {
		bpaud_log(0, "auth: samba_server_gensec_start: %s", nt_errstr(status));
	}
	return status;
}

/* We never change identity: the keytab is read as whoever runs bpaud. */
static void bpaud_become_root(void)
{
}

static void bpaud_unbecome_root(void)
{
}

static void bpaud_log_authz(struct dcesrv_call_state *call, void *private_data)
{
	/* Not dcesrv_call_session_info(): that asserts auth_finished, and
	 * the core calls this hook while the bind is still in progress. */
	struct auth_session_info *si = call->auth_state ? call->auth_state->session_info : NULL;
	(void)private_data;
	if (call->auth_state != NULL) {
		call->auth_state->auth_audited = true; /* once per auth state */
	}
	bpaud_log(2, "authz: %s on %s", si && si->info && si->info->account_name ?
		  si->info->account_name : "?", call->context && call->context->iface ?
		  call->context->iface->name : "?");
}

/*
 * assoc_group.find: the core asks this on every bind.  A nonzero
 * assoc_group_id must name a group this daemon handed out, on the same
 * transport; zero gets a new group.  Groups live in the context's idr
 * (dce_ctx->assoc_groups_idr) and die with the last connection that
 * references them.
 */
static int assoc_group_destructor(struct dcesrv_assoc_group *g)
{
	idr_remove(g->dce_ctx->assoc_groups_idr, (int)g->id);
	return 0;
}

static NTSTATUS bpaud_assoc_group_find(struct dcesrv_call_state *call, void *private_data)
{
	struct dcesrv_connection *conn = call->conn;
	struct dcesrv_context *dce = conn->dce_ctx;
	enum dcerpc_transport_t transport =
		dcerpc_binding_get_transport(conn->endpoint->ep_description);
	uint32_t id = call->pkt.u.bind.assoc_group_id;
	struct dcesrv_assoc_group *g;
	int newid;

	(void)private_data;
	if (id != 0) {
		g = idr_find(dce->assoc_groups_idr, (int)id);
		if (g == NULL || g->transport != transport) {
			bpaud_log(1, "bind: unknown association group 0x%08x", id);
			return NT_STATUS_NOT_FOUND;
		}
		conn->assoc_group = talloc_reference(conn, g);
		return conn->assoc_group ? NT_STATUS_OK : NT_STATUS_NO_MEMORY;
	}
	g = talloc_zero(conn, struct dcesrv_assoc_group);
	if (g == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	/* Samba starts at a random id; any nonzero 32-bit value is valid. */
	newid = idr_get_new_above(dce->assoc_groups_idr, g, 0x53f0 + (rand() & 0xfff), 0x7fffffff);
	if (newid == -1) {
		talloc_free(g);
		return NT_STATUS_INSUFFICIENT_RESOURCES;
	}
	g->id = (uint32_t)newid;
	g->transport = transport;
	g->dce_ctx = dce;
	talloc_set_destructor(g, assoc_group_destructor);
	conn->assoc_group = g;
	return NT_STATUS_OK;
}

/*
 * The endpoint's hooks (rpc/server/endpoint.h) get a call or a context,
 * not a private pointer; the daemon state is the private pointer of the
 * callbacks we gave the call's dcesrv_context (dce_ctx->callbacks is the
 * struct itself, not a copy: dcesrv_init_context stores the pointer).
 */
static struct bpaud *bpaud_of(const struct dcesrv_connection *conn)
{
	return conn->dce_ctx->callbacks->auth.private_data;
}

static struct bpau_server *daemon_server(struct dcesrv_call_state *call)
{
	return bpaud_of(call->conn)->srv;
}

static int daemon_auth_level(struct dcesrv_connection_context *context)
{
	return bpaud_of(context->conn)->cfg.min_auth_level;
}

static void bpaud_exchange_log(void *private_data, enum bpau_log_level level, const char *msg)
{
	(void)private_data;
	bpaud_log(level == BPAU_LOG_ERROR ? 0 : 1, "exchange: %s", msg);
}

/* log_seq_check: gss_seq_check.c's refusals, in bpaud's log. */
static void log_seq_check(int level, const char *msg)
{
	bpaud_log(level, "%s", msg);
}

bool bpaud_server_samba_ok(void)
{
	if (!bpaud_gss_fix_ok() || !gss_seq_check_setup(log_seq_check)) {
		bpaud_log(0, "cannot find gss_accept_sec_context, gss_unwrap_iov or gss_verify_mic, "
			  "which bpaud interposes, version " SAMBA_GSS_VERSION
			  ", in Samba's GSSAPI library; rebuild bpaud against this Samba");
		return false;
	}
	if (!bpau_endpoint_abi_ok()) {
		bpaud_log(0, "libdcerpc-server-core was built with other struct layouts than "
			  "<dcesrv_core.h>; rebuild bpaud against this Samba");
		return false;
	}
	return true;
}

/* --------------------------------------------------------------- setup */

static bool setup_loadparm(struct bpaud *d)
{
	char lvl[16];
	const char *dirs[] = {"private dir", "lock dir", "state directory", "cache directory",
			      "pid directory", "ncalrpc dir", "binddns dir"};

	if (mkdir(d->cfg.state_dir, 0700) != 0 && errno != EEXIST) {
		bpaud_log(0, "mkdir %s: %s", d->cfg.state_dir, strerror(errno));
		return false;
	}
	/* Keep every path Samba might touch (auth_context_create looks for
	 * PRIVATEDIR/sam.ldb; security_token_create for privilege.ldb) in
	 * our state dir, never /var/lib/samba. */
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		lpcfg_set_cmdline(d->lp, dirs[i], d->cfg.state_dir);
	}
	/* Not a DC: no sam.ldb here, identities come from the PAC. */
	lpcfg_set_cmdline(d->lp, "server role", "standalone server");
	snprintf(lvl, sizeof(lvl), "%d", d->cfg.log_level > 1 ? d->cfg.log_level - 1 : 0);
	lpcfg_set_cmdline(d->lp, "log level", lvl);
	return true;
}

/*
 * keytab_looks_right: readable, and a keytab with something in it.  Samba
 * takes any file as a keytab and fails only at the first bind; say so at
 * start instead.  A keytab file begins 05 01 or 05 02 (the format's
 * version) and holds entries after those two bytes.
 *
 * Not Heimdal's krb5_kt_have_content (lib/krb5/keytab.c), on purpose:
 *  - it answers KRB5_KT_NOTFOUND ("No entry in keytab") for every
 *    failure, a missing file and a text file alike, so the three answers
 *    below could not be told apart; and it opens without O_NONBLOCK, so a
 *    FIFO given as the keytab would hang the start;
 *  - the public libkrb5.so.26 would be a second Heimdal in this process,
 *    and not a contained one: it and its libasn1/libhx509/libwind refer
 *    to com_err's _et_list, error_message and com_right without a symbol
 *    version, and the dynamic linker binds those to Samba's private
 *    libcom-err-samba4 (loaded first; LD_DEBUG=bindings shows it), so
 *    both Heimdals would share one error-table list;
 *  - the keytab is read at each bind by Samba's own Heimdal, not by the
 *    system's: a deeper parse by another version proves little more.
 */
static bool keytab_looks_right(const char *path)
{
	uint8_t head[2];
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0) {
		bpaud_log(0, "keytab %s: %s", path, strerror(errno));
		return false;
	}
	n = read(fd, head, sizeof(head));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || n != (ssize_t)sizeof(head) ||
	    head[0] != 5 || (head[1] != 1 && head[1] != 2)) {
		close(fd);
		bpaud_log(0, "keytab %s: not a Kerberos keytab file", path);
		return false;
	}
	close(fd);
	if (st.st_size <= (off_t)sizeof(head)) {
		bpaud_log(0, "keytab %s: holds no keys", path);
		return false;
	}
	return true;
}

static bool setup_acceptor(struct bpaud *d)
{
	char *name;

	if (d->cfg.keytab == NULL) {
		return true;
	}
	if (!keytab_looks_right(d->cfg.keytab)) {
		return false;
	}
	d->server_creds = cli_credentials_init(d);
	if (d->server_creds == NULL) {
		return false;
	}
	cli_credentials_set_conf(d->server_creds, d->lp);
	/*
	 * Only a keytab, no principal: gensec's acceptor then imports the
	 * keytab for "match by key", so a ticket to any principal in it
	 * (PEER2$@REALM, HOST/peer2.fqdn@REALM, ...) is accepted.
	 */
	name = talloc_asprintf(d, "FILE:%s", d->cfg.keytab);
	if (name == NULL ||
	    cli_credentials_set_keytab_name(d->server_creds, d->lp, name, CRED_SPECIFIED) != 0) {
		bpaud_log(0, "cannot use keytab %s", d->cfg.keytab);
		return false;
	}
	cli_credentials_set_kerberos_state(d->server_creds, CRED_USE_KERBEROS_REQUIRED,
					   CRED_SPECIFIED);
	return true;
}

bool bpaud_server_start(struct bpaud *d)
{
	struct bpau_server_config scfg = {0};
	const char *reason = NULL;
	NTSTATUS status;
	static const struct bpau_endpoint_ops ops = {
		.server = daemon_server,
		.min_auth_level = daemon_auth_level,
	};

	if (!setup_loadparm(d)) {
		return false;
	}
	/* Registers gensec's mechanisms through the public client library. */
	status = dcerpc_init();
	if (!NT_STATUS_IS_OK(status)) {
		bpaud_log(0, "dcerpc_init: %s", nt_errstr(status));
		return false;
	}
	if (!setup_acceptor(d)) {
		return false;
	}
	status = auth_anonymous_session_info(d, d->lp, &d->anonymous);
	if (!NT_STATUS_IS_OK(status)) {
		bpaud_log(0, "auth_anonymous_session_info: %s", nt_errstr(status));
		return false;
	}

	scfg.cert_file = d->cfg.cert_file;
	scfg.table_file = d->cfg.table_file;
	scfg.table_size = d->cfg.table_size;
	scfg.min_auth_level = d->cfg.min_auth_level;
	status = bpau_server_new(d, &scfg, bpaud_exchange_log, NULL, &d->srv, &reason);
	if (!NT_STATUS_IS_OK(status)) {
		bpaud_log(0, "cannot start: %s (certificate %s, table %s): %s", reason ? reason : "",
			  d->cfg.cert_file, d->cfg.table_file, nt_errstr(status));
		return false;
	}

	bpau_endpoint_init(&ops);
	d->callbacks = (struct dcesrv_context_callbacks){
		.log.successful_authz = bpaud_log_authz,
		.log.private_data = d,
		.auth.gensec_prepare = bpaud_gensec_prepare,
		.auth.private_data = d,
		.auth.become_root = bpaud_become_root,
		.auth.unbecome_root = bpaud_unbecome_root,
		.assoc_group.find = bpaud_assoc_group_find,
		.assoc_group.private_data = d,
	};
	status = dcesrv_init_context(d, d->lp, &d->callbacks, &d->dce);
	if (!NT_STATUS_IS_OK(status)) {
		bpaud_log(0, "dcesrv_init_context: %s", nt_errstr(status));
		return false;
	}
	return true;
}

bool bpaud_server_listen(struct bpaud *d)
{
	uint16_t port = 0, epm_port = 0;
	NTSTATUS status;
	char *ep, *epm_ep;
	int fd, epm_fd;

	/* Bind first, then register the interface on the port we got, so the
	 * endpoint mapper hands out the real one. */
	fd = bpaud_listen_socket(d->cfg.listen_ip, d->cfg.port, &port);
	if (fd == -1) {
		bpaud_log(0, "cannot listen on %s:%u: %s", d->cfg.listen_ip, d->cfg.port,
			  strerror(errno));
		return false;
	}
	ep = talloc_asprintf(d, "ncacn_ip_tcp:%s[%u]", d->cfg.listen_ip, port);
	status = dcesrv_interface_register(d->dce, ep, NULL, bpau_endpoint_interface(), NULL);
	if (!NT_STATUS_IS_OK(status) || !bpaud_listener_start(d, ep, fd)) {
		bpaud_log(0, "register %s: %s", ep, nt_errstr(status));
		return false;
	}
	d->ep = ep;
	if (!d->cfg.epm) {
		return true;
	}
	epm_fd = bpaud_listen_socket(d->cfg.listen_ip, d->cfg.epm_port, &epm_port);
	if (epm_fd == -1) {
		int e = errno;
		bpaud_log(0, "cannot serve the endpoint mapper on %s:%u: %s%s",
			  d->cfg.listen_ip, d->cfg.epm_port, strerror(e),
			  e == EADDRINUSE ? " -- another endpoint mapper (samba, or a "
					    "second bpaud) holds it; MS-BPAU clients find "
					    "the port there, so either stop it, listen on "
					    "another address, or run with --no-epm and a "
					    "fixed --port" : "");
		return false;
	}
	epm_ep = talloc_asprintf(d, "ncacn_ip_tcp:%s[%u]", d->cfg.listen_ip, epm_port);
	status = bpaud_epm_register(d->dce, epm_ep);
	if (!NT_STATUS_IS_OK(status) || !bpaud_listener_start(d, epm_ep, epm_fd)) {
		bpaud_log(0, "register %s: %s", epm_ep, nt_errstr(status));
		return false;
	}
	d->epm_ep = epm_ep;
	return true;
}
