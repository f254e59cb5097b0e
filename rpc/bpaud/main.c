/*
 * bpaud.c: the MS-BPAU ExchangePublicKeys service for domain members, on
 * Samba's DCE/RPC server core (libdcerpc-server-core) and tevent, without
 * a domain controller.  Run "bpaud --help".
 *
 * One tevent loop; a listening TCP socket per endpoint (bitspeerauth on a
 * dynamic port unless configured, and our own endpoint mapper on 135,
 * since MS-BPAU requires dynamic endpoints and Samba's endpoint mappers
 * refuse ept_insert); every accepted socket becomes a dcesrv_connection
 * whose transport is a tstream on the socket, as in Samba's own servers.
 * The endpoint (endpoint.c) and the protocol rules (exchange.c) are the
 * same code the Samba AD DC module runs.  Kerberos: the acceptor uses the
 * machine account's keytab; the caller's identity and account flags come
 * from the PAC (samba_server_gensec_start's auth context).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <talloc.h>
#include <tevent.h>
#include <tsocket.h>
#include <dcesrv_core.h>
#include <param.h>
#include <credentials.h>
#include <dcerpc.h>
#include <samba/session.h>
#include <util/idtree.h>

#include "rpc/bpaud/bpaud.h"
#include "rpc/bpaud/epm.h"
#include "rpc/bpaud/log.h"
#include "rpc/server/endpoint.h"
#include "rpc/samba_compat/gss_accept_fix.h"
#include "rpc/samba_compat/gss_seq_check.h"
#include "rpc/samba_compat/samba_private.h"

struct bpaud *bpaud_global;

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

static struct dcesrv_context_callbacks bpaud_callbacks = {
	.log.successful_authz = bpaud_log_authz,
	.auth.gensec_prepare = bpaud_gensec_prepare,
	.auth.become_root = bpaud_become_root,
	.auth.unbecome_root = bpaud_unbecome_root,
	.assoc_group.find = bpaud_assoc_group_find,
};

/* ---------------------------------------------------------- connections */

struct bpaud_conn {
	struct bpaud *d;
	struct dcesrv_connection *dce_conn;
	char *peer;
};

static void bpaud_terminate(struct dcesrv_connection *dce_conn, const char *reason)
{
	struct bpaud_conn *c = talloc_get_type_abort(dce_conn->transport.private_data,
						     struct bpaud_conn);
	bpaud_log(2, "connection from %s closed: %s", c->peer, reason ? reason : "?");
	/* Frees the dcesrv_connection and the tstream, which closes the fd. */
	talloc_free(c);
}

static void bpaud_new_connection(struct bpaud *d, const struct dcesrv_endpoint *ep, int fd,
				 const struct sockaddr_in *peer)
{
	struct bpaud_conn *c;
	struct dcesrv_connection *dc = NULL;
	struct sockaddr_in local;
	socklen_t ll = sizeof(local);
	struct tsocket_address *la = NULL, *ra = NULL;
	char pbuf[INET_ADDRSTRLEN];
	NTSTATUS status;
	int one = 1;

	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	dcesrv_cleanup_broken_connections(d->dce);

	c = talloc_zero(d, struct bpaud_conn);
	if (c == NULL) {
		close(fd);
		return;
	}
	c->d = d;
	c->peer = talloc_asprintf(c, "%s:%u", inet_ntop(AF_INET, &peer->sin_addr, pbuf, sizeof(pbuf)),
				  ntohs(peer->sin_port));

	status = dcesrv_endpoint_connect(d->dce, c, ep, d->anonymous, d->ev,
					 DCESRV_CALL_STATE_FLAG_MAY_ASYNC, &dc);
	if (!NT_STATUS_IS_OK(status)) {
		bpaud_log(0, "dcesrv_endpoint_connect: %s", nt_errstr(status));
		close(fd);
		talloc_free(c);
		return;
	}
	c->dce_conn = dc;
	dc->transport.private_data = c;
	dc->transport.report_output_data = dcesrv_sock_report_output_data;
	dc->transport.terminate_connection = bpaud_terminate;
	dc->send_queue = tevent_queue_create(dc, "bpaud send queue");

	if (getsockname(fd, (struct sockaddr *)&local, &ll) != 0 ||
	    tsocket_address_bsd_from_sockaddr(dc, (struct sockaddr *)&local, ll, &la) != 0 ||
	    tsocket_address_bsd_from_sockaddr(dc, (const struct sockaddr *)peer, sizeof(*peer),
					      &ra) != 0 ||
	    dc->send_queue == NULL) {
		bpaud_log(0, "connection setup failed: %s", strerror(errno));
		close(fd);
		talloc_free(c);
		return;
	}
	dc->local_address = la;
	dc->remote_address = ra;
	/* The tstream owns the fd from here on (closed when it is freed). */
	if (tstream_bsd_existing_socket(dc, fd, &dc->stream) != 0) {
		bpaud_log(0, "tstream_bsd_existing_socket: %s", strerror(errno));
		close(fd);
		talloc_free(c);
		return;
	}
	bpaud_log(2, "connection from %s to %s", c->peer,
		  dcerpc_binding_string(c, ep->ep_description));
	status = dcesrv_connection_loop_start(dc);
	if (!NT_STATUS_IS_OK(status)) {
		bpaud_log(0, "dcesrv_connection_loop_start: %s", nt_errstr(status));
		talloc_free(c);
	}
}

struct bpaud_listener {
	struct bpaud *d;
	const struct dcesrv_endpoint *ep;
	int fd;
	struct tevent_fd *fde;
	bool paused;
};

/* A listener paused (out of descriptors) listens again a second later. */
static void bpaud_accept_resume(struct tevent_context *ev, struct tevent_timer *te,
				struct timeval now, void *private_data)
{
	struct bpaud_listener *l = private_data;

	(void)ev, (void)te, (void)now;
	l->paused = false;
	tevent_fd_set_flags(l->fde, TEVENT_FD_READ);
}

static void bpaud_accept(struct tevent_context *ev, struct tevent_fd *fde, uint16_t flags,
			 void *private_data)
{
	struct bpaud_listener *l = private_data;
	struct sockaddr_in peer;
	socklen_t pl = sizeof(peer);
	int fd;

	(void)flags;
	fd = accept4(l->fd, (struct sockaddr *)&peer, &pl, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd == -1) {
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
			/* The connection stays queued and the listener readable:
			 * accepting again at once would spin and fill the log.
			 * Stop listening for a second instead, saying so once. */
			if (!l->paused) {
				bpaud_log(0, "accept: %s: not accepting connections for a second",
					  strerror(errno));
			}
			l->paused = true;
			tevent_fd_set_flags(fde, 0);
			if (tevent_add_timer(ev, l, tevent_timeval_current_ofs(1, 0),
					     bpaud_accept_resume, l) == NULL) {
				tevent_fd_set_flags(fde, TEVENT_FD_READ);
			}
		} else if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED) {
			bpaud_log(0, "accept: %s", strerror(errno));
		}
		return;
	}
	bpaud_new_connection(l->d, l->ep, fd, &peer);
}

static int listen_socket(const char *ip, uint16_t port, uint16_t *bound)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
	socklen_t sl = sizeof(sa);
	int one = 1;
	int fd;

	if (inet_pton(AF_INET, ip, &sa.sin_addr) != 1) {
		errno = EINVAL;
		return -1;
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		return -1;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 64) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &sl) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	*bound = ntohs(sa.sin_port);
	return fd;
}

/* Attach a listener for the endpoint whose binding is |ep_string|. */
static bool start_listener(struct bpaud *d, const char *ep_string, int fd)
{
	struct dcerpc_binding *b = NULL;
	struct dcesrv_endpoint *ep = NULL;
	struct bpaud_listener *l;
	struct tevent_fd *fde;

	if (!NT_STATUS_IS_OK(dcerpc_parse_binding(d, ep_string, &b)) ||
	    !NT_STATUS_IS_OK(dcesrv_find_endpoint(d->dce, b, &ep))) {
		bpaud_log(0, "no endpoint %s", ep_string);
		return false;
	}
	l = talloc_zero(d, struct bpaud_listener);
	if (l == NULL) {
		return false;
	}
	l->d = d;
	l->ep = ep;
	l->fd = fd;
	fde = tevent_add_fd(d->ev, l, fd, TEVENT_FD_READ, bpaud_accept, l);
	if (fde == NULL) {
		return false;
	}
	l->fde = fde;
	tevent_fd_set_auto_close(fde);
	return true;
}

/* --------------------------------------------------------------- setup */

static void bpaud_exchange_log(void *private_data, enum bpau_log_level level, const char *msg)
{
	(void)private_data;
	bpaud_log(level == BPAU_LOG_ERROR ? 0 : 1, "exchange: %s", msg);
}

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

/* ----------------------------------------------------- signals, config */

static bool stopping;

static void on_term(struct tevent_context *ev, struct tevent_signal *se, int signum, int count,
		    void *siginfo, void *private_data)
{
	(void)ev, (void)se, (void)count, (void)siginfo, (void)private_data;
	bpaud_log(0, "signal %d: shutting down", signum);
	stopping = true;
}

/* SIGHUP: reopen the log file; reload our certificate (MS-BPAU's "Local
 * Certificate"); on a bad file the old one stays in use. */
static void on_hup(struct tevent_context *ev, struct tevent_signal *se, int signum, int count,
		   void *siginfo, void *private_data)
{
	struct bpaud *d = private_data;
	const char *reason = NULL;
	NTSTATUS status;
	(void)ev, (void)se, (void)signum, (void)count, (void)siginfo;

	bpaud_log_reopen(); /* the log file first (rotated logs) */
	status = bpau_server_reload_cert(d->srv, &reason);
	if (NT_STATUS_IS_OK(status)) {
		bpaud_log(0, "SIGHUP: reloaded the certificate %s", d->cfg.cert_file);
	} else {
		bpaud_log(0, "SIGHUP: cannot reload %s (%s: %s); keeping the old certificate",
			  d->cfg.cert_file, reason ? reason : "", nt_errstr(status));
	}
}

/* SIGUSR1 (with --debug 3 or more): the talloc memory report, for
 * diagnosing growth. */
static void on_usr1(struct tevent_context *ev, struct tevent_signal *se, int signum, int count,
		    void *siginfo, void *private_data)
{
	(void)ev, (void)se, (void)signum, (void)count, (void)siginfo, (void)private_data;
	bpaud_log(0, "SIGUSR1: %zu bytes in talloc (%zu in the daemon state)", talloc_total_size(NULL), talloc_total_size(bpaud_global));
	talloc_report_full(bpaud_global, stderr);
	talloc_report_full(NULL, stderr);
}

static struct bpau_server *daemon_server(struct dcesrv_call_state *call)
{
	(void)call;
	return bpaud_global->srv;
}

static int daemon_auth_level(struct dcesrv_connection_context *context)
{
	(void)context;
	return bpaud_global->cfg.min_auth_level;
}

static const char usage_text[] =
	"Usage: bpaud [options]\n"
	"\n"
	"The BITS peer-authentication service (MS-BPAU ExchangePublicKeys) for a\n"
	"domain member: Kerberos acceptor from the machine account's keytab,\n"
	"caller identity from the PAC, the same rules and table as the Samba AD DC\n"
	"module, and an endpoint mapper on port 135 answering for its interface.\n"
	"\n"
	"Options (each overrides the configuration file):\n"
	"  -s, --config FILE      smb.conf-style file (default " BPAUD_DEFAULT_CONFIG
	", if present)\n"
	"  -l, --listen IP        address to listen on (bitspeerauth:listen, 0.0.0.0)\n"
	"  -p, --port N           bitspeerauth port (bitspeerauth:port, 0 = dynamic)\n"
	"      --no-epm           do not serve the endpoint mapper (clients then need\n"
	"                         the port)\n"
	"      --epm-port N       endpoint mapper port (default 135)\n"
	"  -k, --keytab FILE      machine keytab (bitspeerauth:keytab, /etc/krb5.keytab)\n"
	"  -c, --cert FILE        our certificate (bitspeerauth:certificate)\n"
	"  -t, --table FILE       peer table (bitspeerauth:table,\n"
	"                         " BPAUD_DEFAULT_STATE "/peercerts.tdb)\n"
	"      --table-size N     table size limit (bitspeerauth:table size, 100)\n"
	"      --auth-level L     privacy or integrity (bitspeerauth:auth level)\n"
	"      --state-dir DIR    runtime state (bitspeerauth:state directory,\n"
	"                         " BPAUD_DEFAULT_STATE ")\n"
	"  -D, --daemon           detach (once the pid file is written); default is\n"
	"                         to stay in the foreground\n"
	"      --log-file FILE    log there (default: standard error; with --daemon\n"
	"                         STATE-DIR/bpaud.log)\n"
	"      --pid-file FILE    write the process id\n"
	"  -d, --debug N          log level (0 errors, 1 decisions [default], 2 more;\n"
	"                         3: SIGUSR1 prints a talloc memory report)\n"
	"  -h, --help             this text\n"
	"\n"
	"Signals: SIGTERM/SIGINT stop cleanly (every table change is already a\n"
	"committed transaction); SIGHUP reloads the certificate and reopens the\n"
	"log file (after a rotation).  Relative paths are taken from the directory\n"
	"bpaud starts in.\n"
	"Logs go to standard error (the journal under systemd) unless --log-file.\n";

/* config_string: command line first, then the configuration file. */
static const char *config_string(struct bpaud *d, const char *cmdline, const char *option,
				 const char *dflt)
{
	const char *v = cmdline != NULL ? cmdline : lpcfg_parm_string(d->lp, NULL, "bitspeerauth",
									    option);
	return v != NULL ? talloc_strdup(d, v) : dflt;
}

static bool parse_port(const char *s, uint16_t *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < 0 || v > 65535) {
		return false;
	}
	*out = (uint16_t)v;
	return true;
}

static int write_pid_file(const char *path)
{
	FILE *f = fopen(path, "w");
	if (f == NULL) {
		bpaud_log(0, "pid file %s: %s", path, strerror(errno));
		return -1;
	}
	fprintf(f, "%d\n", (int)getpid());
	return fclose(f);
}

/* absolute: |path| against the working directory.  With --daemon bpaud
 * moves to "/", and reads the keytab (at every bind), the certificate
 * (SIGHUP) and the log file (SIGHUP) again later. */
static const char *absolute(TALLOC_CTX *mem_ctx, const char *path)
{
	char cwd[PATH_MAX];
	char *abs;

	if (path == NULL || path[0] == '/' || getcwd(cwd, sizeof(cwd)) == NULL) {
		return path;
	}
	abs = talloc_asprintf(mem_ctx, "%s/%s", cwd, path);
	return abs != NULL ? abs : path;
}

/*
 * detach: --daemon.  The parent returns (exits 0) only once the child has
 * written the pid file and is about to serve, so that whoever started
 * bpaud (a service manager reading the pid file) never sees a missing or
 * stale one; 1 if the child failed first.  The child leaves the session
 * and the working directory, and its standard input and output are
 * /dev/null (standard error is the log file).
 */
static int detach(const char *pid_file)
{
	int p[2], null;
	char ok = 0;
	pid_t pid;

	if (pipe(p) != 0) {
		bpaud_log(0, "pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid == -1) {
		bpaud_log(0, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid != 0) {
		close(p[1]);
		while (read(p[0], &ok, 1) == -1 && errno == EINTR) {
		}
		_exit(ok == '1' ? 0 : 1);
	}
	close(p[0]);
	if (setsid() == -1 || chdir("/") != 0) {
		bpaud_log(0, "detach: %s", strerror(errno));
		return -1;
	}
	null = open("/dev/null", O_RDWR);
	if (null == -1 || dup2(null, STDIN_FILENO) == -1 || dup2(null, STDOUT_FILENO) == -1) {
		bpaud_log(0, "/dev/null: %s", strerror(errno));
		return -1;
	}
	if (null > STDERR_FILENO) {
		close(null);
	}
	if (pid_file != NULL && write_pid_file(pid_file) != 0) {
		return -1;
	}
	ok = '1';
	if (write(p[1], &ok, 1) != 1) {
		return -1;
	}
	close(p[1]);
	return 0;
}

/* log_seq_check: gss_seq_check.c's refusals, in bpaud's log. */
static void log_seq_check(int level, const char *msg)
{
	bpaud_log(level, "%s", msg);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 's'},
		{"listen", required_argument, NULL, 'l'},
		{"port", required_argument, NULL, 'p'},
		{"no-epm", no_argument, NULL, 'N'},
		{"epm-port", required_argument, NULL, 'E'},
		{"keytab", required_argument, NULL, 'k'},
		{"cert", required_argument, NULL, 'c'},
		{"table", required_argument, NULL, 't'},
		{"table-size", required_argument, NULL, 'T'},
		{"auth-level", required_argument, NULL, 'a'},
		{"state-dir", required_argument, NULL, 'S'},
		{"pid-file", required_argument, NULL, 'P'},
		{"daemon", no_argument, NULL, 'D'},
		{"log-file", required_argument, NULL, 'L'},
		{"debug", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static const struct bpau_endpoint_ops ops = {
		.server = daemon_server,
		.min_auth_level = daemon_auth_level,
	};
	TALLOC_CTX *top = talloc_new(NULL);
	struct bpaud *d = talloc_zero(top, struct bpaud);
	struct bpau_server_config scfg = {0};
	const char *listen_o = NULL, *keytab_o = NULL, *cert_o = NULL, *table_o = NULL;
	const char *state_o = NULL, *level_o = NULL, *port_o = NULL, *reason = NULL;
	const char *size_o = NULL, *log_file = NULL;
	char *ep = NULL, *epm_ep = NULL, *def_table;
	uint16_t port = 0, epm_port = 0;
	int fd, epm_fd = -1, o, rc = 0;
	bool no_epm = false;
	NTSTATUS status;

	if (d == NULL) {
		return 1;
	}
	bpaud_global = d;
	d->cfg.epm_port = 135;
	d->cfg.log_level = 1;
	while ((o = getopt_long(argc, argv, "s:l:p:k:c:t:Dd:h", opts, NULL)) != -1) {
		switch (o) {
		case 's': d->cfg.config_file = optarg; break;
		case 'l': listen_o = optarg; break;
		case 'p': port_o = optarg; break;
		case 'N': no_epm = true; break;
		case 'E':
			if (!parse_port(optarg, &d->cfg.epm_port)) {
				fprintf(stderr, "bpaud: --epm-port: not a port: %s\n", optarg);
				return 2;
			}
			break;
		case 'k': keytab_o = optarg; break;
		case 'c': cert_o = optarg; break;
		case 't': table_o = optarg; break;
		case 'T': size_o = optarg; break;
		case 'a': level_o = optarg; break;
		case 'S': state_o = optarg; break;
		case 'P': d->cfg.pid_file = optarg; break;
		case 'D': d->cfg.daemon = true; break;
		case 'L': log_file = optarg; break;
		case 'd': d->cfg.log_level = atoi(optarg); break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			fputs(usage_text, stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "bpaud: unexpected argument %s; see bpaud --help\n", argv[optind]);
		return 2;
	}
	bpaud_log_set_level(d->cfg.log_level);
	if (d->cfg.log_level >= 3) {
		talloc_enable_null_tracking();
	}
	if (!bpaud_gss_fix_ok() || !gss_seq_check_setup(log_seq_check)) {
		bpaud_log(0, "cannot find gss_accept_sec_context, gss_unwrap_iov or gss_verify_mic, "
			  "which bpaud interposes, version " SAMBA_GSS_VERSION
			  ", in Samba's GSSAPI library; rebuild bpaud against this Samba");
		return 1;
	}
	if (!bpau_endpoint_abi_ok()) {
		bpaud_log(0, "libdcerpc-server-core was built with other struct layouts than "
			  "<dcesrv_core.h>; rebuild bpaud against this Samba");
		return 1;
	}

	/* Configuration: the file (explicit, or the default if present),
	 * then the command line on top. */
	d->lp = loadparm_init_global(false);
	if (d->lp == NULL) {
		return 1;
	}
	if (d->cfg.config_file == NULL && access(BPAUD_DEFAULT_CONFIG, R_OK) == 0) {
		d->cfg.config_file = BPAUD_DEFAULT_CONFIG;
	}
	if (d->cfg.config_file != NULL && !lpcfg_load(d->lp, d->cfg.config_file)) {
		bpaud_log(0, "cannot load the configuration %s", d->cfg.config_file);
		return 1;
	}
	d->cfg.listen_ip = config_string(d, listen_o, "listen", "0.0.0.0");
	port_o = config_string(d, port_o, "port", "0");
	if (!parse_port(port_o, &d->cfg.port)) {
		bpaud_log(0, "port: not a port number: %s", port_o);
		return 2;
	}
	d->cfg.epm = !no_epm && lpcfg_parm_bool(d->lp, NULL, "bitspeerauth", "endpoint mapper", true);
	d->cfg.keytab = config_string(d, keytab_o, "keytab", "/etc/krb5.keytab");
	d->cfg.cert_file = config_string(d, cert_o, "certificate", NULL);
	d->cfg.state_dir = config_string(d, state_o, "state directory", BPAUD_DEFAULT_STATE);
	def_table = talloc_asprintf(d, "%s/peercerts.tdb", d->cfg.state_dir);
	d->cfg.table_file = config_string(d, table_o, "table", def_table);
	size_o = config_string(d, size_o, "table size", "100");
	d->cfg.table_size = (unsigned)atoi(size_o);
	level_o = config_string(d, level_o, "auth level", "privacy");
	if (strcasecmp(level_o, "privacy") == 0) {
		d->cfg.min_auth_level = DCERPC_AUTH_LEVEL_PRIVACY;
	} else if (strcasecmp(level_o, "integrity") == 0) {
		d->cfg.min_auth_level = DCERPC_AUTH_LEVEL_INTEGRITY;
	} else {
		bpaud_log(0, "auth level must be privacy or integrity, not %s", level_o);
		return 2;
	}
	if (d->cfg.cert_file == NULL) {
		bpaud_log(0, "no certificate: give --cert or bitspeerauth:certificate "
			  "(create one with: bpau cert create --sid MACHINE-SID)");
		return 2;
	}
	d->cfg.keytab = absolute(d, d->cfg.keytab);
	d->cfg.cert_file = absolute(d, d->cfg.cert_file);
	d->cfg.table_file = absolute(d, d->cfg.table_file);
	d->cfg.state_dir = absolute(d, d->cfg.state_dir);
	d->cfg.pid_file = absolute(d, d->cfg.pid_file);
	log_file = absolute(d, log_file);
	if (d->cfg.table_size == 0 || d->cfg.table_size > CERTTABLE_MAX_CAPACITY) {
		bpaud_log(0, "table size must be 1 to %u", CERTTABLE_MAX_CAPACITY);
		return 2;
	}

	d->ev = tevent_context_init(d);
	if (d->ev == NULL || !setup_loadparm(d)) {
		return 1;
	}
	/* Registers gensec's mechanisms through the public client library. */
	status = dcerpc_init();
	if (!NT_STATUS_IS_OK(status)) {
		bpaud_log(0, "dcerpc_init: %s", nt_errstr(status));
		return 1;
	}
	if (!setup_acceptor(d)) {
		return 1;
	}
	status = auth_anonymous_session_info(d, d->lp, &d->anonymous);
	if (!NT_STATUS_IS_OK(status)) {
		bpaud_log(0, "auth_anonymous_session_info: %s", nt_errstr(status));
		return 1;
	}

	scfg.cert_file = d->cfg.cert_file;
	scfg.table_file = d->cfg.table_file;
	scfg.table_size = d->cfg.table_size;
	scfg.min_auth_level = d->cfg.min_auth_level;
	status = bpau_server_new(d, &scfg, bpaud_exchange_log, NULL, &d->srv, &reason);
	if (!NT_STATUS_IS_OK(status)) {
		bpaud_log(0, "cannot start: %s (certificate %s, table %s): %s", reason ? reason : "",
			  d->cfg.cert_file, d->cfg.table_file, nt_errstr(status));
		return 1;
	}

	bpau_endpoint_init(&ops);
	bpaud_callbacks.auth.private_data = d;
	status = dcesrv_init_context(d, d->lp, &bpaud_callbacks, &d->dce);
	if (!NT_STATUS_IS_OK(status)) {
		bpaud_log(0, "dcesrv_init_context: %s", nt_errstr(status));
		return 1;
	}

	/* Bind first, then register the interface on the port we got, so the
	 * endpoint mapper hands out the real one. */
	fd = listen_socket(d->cfg.listen_ip, d->cfg.port, &port);
	if (fd == -1) {
		bpaud_log(0, "cannot listen on %s:%u: %s", d->cfg.listen_ip, d->cfg.port,
			  strerror(errno));
		return 1;
	}
	ep = talloc_asprintf(d, "ncacn_ip_tcp:%s[%u]", d->cfg.listen_ip, port);
	status = dcesrv_interface_register(d->dce, ep, NULL, bpau_endpoint_interface(), NULL);
	if (!NT_STATUS_IS_OK(status) || !start_listener(d, ep, fd)) {
		bpaud_log(0, "register %s: %s", ep, nt_errstr(status));
		return 1;
	}
	if (d->cfg.epm) {
		epm_fd = listen_socket(d->cfg.listen_ip, d->cfg.epm_port, &epm_port);
		if (epm_fd == -1) {
			int e = errno;
			bpaud_log(0, "cannot serve the endpoint mapper on %s:%u: %s%s",
				  d->cfg.listen_ip, d->cfg.epm_port, strerror(e),
				  e == EADDRINUSE ? " -- another endpoint mapper (samba, or a "
						    "second bpaud) holds it; MS-BPAU clients find "
						    "the port there, so either stop it, listen on "
						    "another address, or run with --no-epm and a "
						    "fixed --port" : "");
			return 1;
		}
		epm_ep = talloc_asprintf(d, "ncacn_ip_tcp:%s[%u]", d->cfg.listen_ip, epm_port);
		status = bpaud_epm_register(d->dce, epm_ep);
		if (!NT_STATUS_IS_OK(status) || !start_listener(d, epm_ep, epm_fd)) {
			bpaud_log(0, "register %s: %s", epm_ep, nt_errstr(status));
			return 1;
		}
	}
	if (d->cfg.daemon && log_file == NULL) {
		log_file = talloc_asprintf(d, "%s/bpaud.log", d->cfg.state_dir);
	}
	if (!bpaud_log_open(log_file)) {
		return 1;
	}
	/* The signals bpaud handles are held from here until its handlers
	 * are in place: a service manager may send one as soon as --daemon
	 * returns, and the default action would leave a stale pid file. */
	sigset_t held, before;
	sigemptyset(&held);
	sigaddset(&held, SIGTERM);
	sigaddset(&held, SIGINT);
	sigaddset(&held, SIGHUP);
	sigaddset(&held, SIGUSR1);
	sigprocmask(SIG_BLOCK, &held, &before);
	if (d->cfg.daemon) {
		/* Keep stderr: it is the log file now.  No
		 * tevent_re_initialise(): that would drop the listeners
		 * already registered; tevent's epoll backend notices the new
		 * pid and re-creates its epoll set with them. */
		if (detach(d->cfg.pid_file) != 0) {
			return 1;
		}
	} else if (d->cfg.pid_file != NULL && write_pid_file(d->cfg.pid_file) != 0) {
		return 1;
	}
	tevent_add_signal(d->ev, d, SIGTERM, 0, on_term, NULL);
	tevent_add_signal(d->ev, d, SIGINT, 0, on_term, NULL);
	tevent_add_signal(d->ev, d, SIGHUP, 0, on_hup, d);
	if (d->cfg.log_level >= 3) {
		tevent_add_signal(d->ev, d, SIGUSR1, 0, on_usr1, d);
	}
	signal(SIGPIPE, SIG_IGN);
	sigprocmask(SIG_SETMASK, &before, NULL);

	bpaud_log(0, "serving bitspeerauth on %s%s%s (auth level %s, keytab %s, table %s)", ep,
		  epm_ep ? ", endpoint mapper on " : "", epm_ep ? epm_ep : "", level_o,
		  d->cfg.keytab, d->cfg.table_file);
	while (!stopping) {
		if (tevent_loop_once(d->ev) != 0) {
			bpaud_log(0, "tevent_loop_once: %s", strerror(errno));
			rc = 1; /* a service manager restarts a failed bpaud */
			break;
		}
	}
	if (d->cfg.pid_file != NULL) {
		unlink(d->cfg.pid_file);
	}
	talloc_free(top);
	return rc;
}
