/*
 * samba_session.c: connection steps on Samba's public client libraries,
 * for tools that drive associations themselves: the benchmark (which
 * measures Samba's own calls beside ours on the same client stack) and
 * the test tools.  The bpau client itself does not use Samba's client
 * stack (rpc/ncacn.c).  See session.h.
 */
#include "rpc/session.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <credentials.h>
#include <dcerpc.h>
#include <param.h>
#include <tevent.h>
#include <util/debug.h>

/*
 * Samba's ncacn_ip_tcp client does not set TCP_NODELAY and offers no way
 * to reach its socket, so the first request after the Kerberos bind waits
 * for a delayed ACK (about 40 ms).  Set it on our connected TCP sockets.
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
	cli_credentials_set_conf(s->creds, s->lp);
	cli_credentials_set_kerberos_state(s->creds, CRED_USE_KERBEROS_REQUIRED, CRED_SPECIFIED);
	cli_credentials_set_krb_forwardable(s->creds, CRED_NO_KRB_FORWARDABLE);
	/* The ccache of the machine account: "kinit -k" beforehand.  (Samba's
	 * client gets initial tickets only from a password, so a keytab is
	 * not taken here.) */
	if (cli_credentials_set_ccache(s->creds, s->lp, o->ccache, CRED_SPECIFIED, &err) != 0) {
		return bpau_client_fail(r, BPAU_STAGE_SETUP, NT_STATUS_NO_LOGON_SERVERS,
			     "no usable Kerberos credentials cache%s%s (run kinit -k for the "
			     "machine account first)", err ? ": " : "", err ? err : "");
	}
	return NT_STATUS_OK;
}

NTSTATUS bpau_session_connect(TALLOC_CTX *mem_ctx, struct bpau_session *s, const char *host,
			     const char *address, const char *principal,
			     const struct ndr_interface_table *table, struct dcerpc_pipe **out,
			     struct bpau_client_result *r)
{
	const char *binding = talloc_asprintf(
		mem_ctx, "ncacn_ip_tcp:%s[krb5,seal,target_hostname=%s,target_principal=%s]",
		address ? address : host, host, principal);
	NTSTATUS status;

	if (binding == NULL) {
		return bpau_client_fail(r, BPAU_STAGE_CONNECT, NT_STATUS_NO_MEMORY, "out of memory");
	}
	status = dcerpc_pipe_connect(mem_ctx, out, binding, table, s->creds, s->ev, s->lp);
	if (!NT_STATUS_IS_OK(status)) {
		return bpau_client_fail(r, BPAU_STAGE_CONNECT, status, "cannot connect to %s (%s) as %s: %s",
			     host, table->name, principal, nt_errstr(status));
	}
	set_nodelay_all();
	return NT_STATUS_OK;
}

