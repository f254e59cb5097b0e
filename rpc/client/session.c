/*
 * samba_session.c: connection steps on Samba's public client libraries,
 * for bpau exchange (client.c) and the benchmark.  See session.h.
 */
#include "rpc/client/session.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <credentials.h>
#include <dcerpc.h>
#include <param.h>
#include <tevent.h>
#include <util/debug.h>

/*
 * Samba's ncacn_ip_tcp client (source4/librpc/rpc/dcerpc_sock.c) applies
 * no socket options ("socket options", whose default is TCP_NODELAY, is
 * used by its SMB transport only) and offers no way to reach its socket,
 * so the first request after the Kerberos bind would wait for a delayed
 * ACK (about 40 ms).  Set TCP_NODELAY on this process's connected TCP
 * sockets instead.
 */
static void set_nodelay_all(void)
{
	/* Walk the open descriptors; stop after a run of closed ones (no
	 * 4096 system calls on every connect). */
	int misses = 0;
	for (int fd = 3; fd < 65536 && misses < 64; fd++) {
		int type = 0, one = 1;
		socklen_t tl = sizeof(type);
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) != 0) {
			misses++;
			continue;
		}
		misses = 0;
		if (type != SOCK_STREAM ||
		    getpeername(fd, (struct sockaddr *)&ss, &sl) != 0 ||
		    (ss.ss_family != AF_INET && ss.ss_family != AF_INET6)) {
			continue;
		}
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
}

NTSTATUS bpau_session_setup(TALLOC_CTX *mem_ctx, const struct bpau_client_opts *o,
			      struct bpau_session *s, struct bpau_client_result *r)
{
	const char *err = NULL;

	s->ev = tevent_context_init(mem_ctx);
	s->lp = loadparm_init_global(false);
	if (s->ev == NULL || s->lp == NULL) {
		return bpau_client_fail(r, BPAU_STAGE_SETUP, NT_STATUS_NO_MEMORY, "out of memory");
	}
	/* No delegation: the KDC would refuse it for a computer account
	 * anyway, and asking costs a round trip on every bind. */
	lpcfg_set_cmdline(s->lp, "gensec_gssapi:delegation", "no");
	lpcfg_set_cmdline(s->lp, "gensec_gssapi:delegation_by_kdc_policy", "no");
	lpcfg_set_cmdline(s->lp, "client use kerberos", "required");
	/* Mutual authentication (3.2.3): the krb5 auth type runs Samba's
	 * gensec_gssapi in DCE style, which asks for GSS_C_MUTUAL_FLAG
	 * ("gensec_gssapi:mutual", default yes) and fails the bind unless the
	 * server's AP-REP proves its key.  Pin it anyway. */
	lpcfg_set_cmdline(s->lp, "gensec_gssapi:mutual", "yes");
	if (!NT_STATUS_IS_OK(dcerpc_init())) {
		return bpau_client_fail(r, BPAU_STAGE_SETUP, NT_STATUS_INTERNAL_ERROR,
			     "cannot initialise the RPC client library");
	}
	s->creds = cli_credentials_init(mem_ctx);
	if (s->creds == NULL) {
		return bpau_client_fail(r, BPAU_STAGE_SETUP, NT_STATUS_NO_MEMORY, "out of memory");
	}
	s->timeout = o->timeout ? o->timeout : BPAU_CALL_TIMEOUT;
	cli_credentials_set_conf(s->creds, s->lp);
	cli_credentials_set_kerberos_state(s->creds, CRED_USE_KERBEROS_REQUIRED, CRED_SPECIFIED);
	cli_credentials_set_krb_forwardable(s->creds, CRED_NO_KRB_FORWARDABLE);
	/* The ccache of the machine account: "kinit -k" beforehand.  (Samba's
	 * client gets initial tickets only from a password, so a keytab is
	 * not taken here.) */
	/* A cache without a ticket leaves the credentials anonymous, and
	 * libdcerpc would then bind without authentication at all. */
	if (cli_credentials_set_ccache(s->creds, s->lp, o->ccache, CRED_SPECIFIED, &err) != 0 ||
	    cli_credentials_is_anonymous(s->creds)) {
		/* Cannot authenticate: exit status 6, as a failed bind. */
		return bpau_client_fail(r, BPAU_STAGE_CONNECT, NT_STATUS_NO_LOGON_SERVERS,
					"no ticket in the cache%s%s%s: run kinit -k for the machine "
					"account first", err ? " (" : "", err ? err : "", err ? ")" : "");
	}
	return NT_STATUS_OK;
}

/* bounded_connect: dcerpc_pipe_connect_b within s->timeout (session.h). */
static NTSTATUS bounded_connect(TALLOC_CTX *mem_ctx, struct bpau_session *s,
				const struct dcerpc_binding *b,
				const struct ndr_interface_table *table, struct dcerpc_pipe **out)
{
	unsigned left = alarm(0);
	time_t start = time(NULL), used;
	NTSTATUS status;

	alarm(left != 0 && left < s->timeout ? left : s->timeout);
	status = dcerpc_pipe_connect_b(mem_ctx, out, b, table, s->creds, s->ev, s->lp);
	alarm(0);
	if (left != 0) {
		used = time(NULL) - start;
		alarm(used >= 0 && (unsigned)used < left ? left - (unsigned)used : 1);
	}
	return status;
}

NTSTATUS bpau_session_connect(TALLOC_CTX *mem_ctx, struct bpau_session *s, const char *host,
			      const char *address, const char *principal,
			      const struct ndr_interface_table *table, struct dcerpc_pipe **out,
			      struct bpau_client_result *r)
{
	struct dcerpc_binding *b = NULL;
	enum dcerpc_AuthType auth_type = DCERPC_AUTH_TYPE_NONE;
	enum dcerpc_AuthLevel auth_level = DCERPC_AUTH_LEVEL_NONE;
	NTSTATUS status;

	/* No endpoint: libdcerpc asks the endpoint mapper on port 135. */
	status = dcerpc_parse_binding(mem_ctx, "ncacn_ip_tcp:localhost[krb5,seal]", &b);
	if (NT_STATUS_IS_OK(status)) {
		status = dcerpc_binding_set_string_option(b, "host", address ? address : host);
	}
	if (NT_STATUS_IS_OK(status)) {
		status = dcerpc_binding_set_string_option(b, "target_hostname", host);
	}
	if (NT_STATUS_IS_OK(status)) {
		status = dcerpc_binding_set_string_option(b, "target_principal", principal);
	}
	if (!NT_STATUS_IS_OK(status)) {
		return bpau_client_fail(r, BPAU_STAGE_CONNECT, status, "cannot make a binding for %s: %s",
					host, nt_errstr(status));
	}
	status = bounded_connect(mem_ctx, s, b, table, out);
	if (!NT_STATUS_IS_OK(status)) {
		return bpau_client_fail(r, BPAU_STAGE_CONNECT, status,
					"cannot connect to %s%s%s%s (%s) as %s: %s", host,
					address ? " (" : "", address ? address : "", address ? ")" : "",
					table->name, principal, nt_errstr(status));
	}
	/* Never less than asked: Kerberos at packet privacy. */
	dcerpc_binding_handle_auth_info((*out)->binding_handle, &auth_type, &auth_level);
	if (auth_type != DCERPC_AUTH_TYPE_KRB5 || auth_level != DCERPC_AUTH_LEVEL_PRIVACY) {
		TALLOC_FREE(*out);
		return bpau_client_fail(r, BPAU_STAGE_CONNECT, NT_STATUS_ACCESS_DENIED,
					"the bind to %s (%s) is not Kerberos at packet privacy "
					"(auth type %d, level %d)", host, table->name, (int)auth_type,
					(int)auth_level);
	}
	set_nodelay_all();
	dcerpc_binding_handle_set_timeout((*out)->binding_handle, s->timeout);
	return NT_STATUS_OK;
}
