/*
 * client.c: the BPAU client on Samba's public client libraries.  See
 * client.h.  Only public headers and libraries of samba-dev are used.
 */
#include "rpc/client.h"
#include "rpc/session.h"

#include <ctype.h>
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
#include <gen_ndr/ndr_samr.h>

#include "gen/ndr_bitspeerauth_c.h"

#define SID_NAME_USER 1

const char *bpau_client_stage_name(enum bpau_client_stage s)
{
	switch (s) {
	case BPAU_STAGE_SETUP:
		return "setup";
	case BPAU_STAGE_CONNECT:
		return "connect";
	case BPAU_STAGE_CALL:
		return "call";
	case BPAU_STAGE_SERVER:
		return "server";
	case BPAU_STAGE_LOOKUP:
		return "SID lookup";
	case BPAU_STAGE_VERIFY:
		return "verify";
	case BPAU_STAGE_TABLE:
		return "table";
	case BPAU_STAGE_DONE:
		return "done";
	}
	return "?";
}

char *bpau_client_principal(TALLOC_CTX *mem_ctx, const char *fqdn)
{
	const char *dot = strchr(fqdn, '.');
	char *p;

	if (dot == NULL || dot == fqdn || dot[1] == '\0') {
		return NULL;
	}
	/* 3.2.3: "sample.corp.contoso.com" -> "sample$@corp.contoso.com";
	 * Active Directory realms are the upper-cased DNS domain. */
	p = talloc_asprintf(mem_ctx, "%.*s$@%s", (int)(dot - fqdn), fqdn, dot + 1);
	if (p != NULL) {
		for (char *q = strchr(p, '@'); *q != '\0'; q++) {
			*q = (char)toupper((unsigned char)*q);
		}
	}
	return p;
}

static NTSTATUS failf(struct bpau_client_result *r, enum bpau_client_stage stage,
		      NTSTATUS status, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static NTSTATUS failf(struct bpau_client_result *r, enum bpau_client_stage stage,
		      NTSTATUS status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	r->message = talloc_vasprintf(r, fmt, ap);
	va_end(ap);
	r->stage = stage;
	r->status = status;
	return status;
}

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
		return failf(r, BPAU_STAGE_SETUP, NT_STATUS_NO_MEMORY, "out of memory");
	}
	if (o->smb_conf != NULL && !lpcfg_load(s->lp, o->smb_conf)) {
		return failf(r, BPAU_STAGE_SETUP, NT_STATUS_INVALID_PARAMETER,
			     "cannot load %s", o->smb_conf);
	}
	if (o->debug_level > 0) {
		char lvl[16];
		snprintf(lvl, sizeof(lvl), "%d", o->debug_level);
		lpcfg_set_cmdline(s->lp, "log level", lvl);
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
		return failf(r, BPAU_STAGE_SETUP, NT_STATUS_INTERNAL_ERROR,
			     "cannot initialise the RPC client library");
	}
	s->creds = cli_credentials_init(mem_ctx);
	if (s->creds == NULL) {
		return failf(r, BPAU_STAGE_SETUP, NT_STATUS_NO_MEMORY, "out of memory");
	}
	cli_credentials_set_conf(s->creds, s->lp);
	cli_credentials_set_kerberos_state(s->creds, CRED_USE_KERBEROS_REQUIRED, CRED_SPECIFIED);
	cli_credentials_set_krb_forwardable(s->creds, CRED_NO_KRB_FORWARDABLE);
	/* The ccache of the machine account: "kinit -k" beforehand.  (Samba's
	 * client gets initial tickets only from a password, so a keytab is
	 * not taken here.) */
	if (cli_credentials_set_ccache(s->creds, s->lp, o->ccache, CRED_SPECIFIED, &err) != 0) {
		return failf(r, BPAU_STAGE_SETUP, NT_STATUS_NO_LOGON_SERVERS,
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
		return failf(r, BPAU_STAGE_CONNECT, NT_STATUS_NO_MEMORY, "out of memory");
	}
	status = dcerpc_pipe_connect(mem_ctx, out, binding, table, s->creds, s->ev, s->lp);
	if (!NT_STATUS_IS_OK(status)) {
		return failf(r, BPAU_STAGE_CONNECT, status, "cannot connect to %s (%s) as %s: %s",
			     host, table->name, principal, nt_errstr(status));
	}
	set_nodelay_all();
	return NT_STATUS_OK;
}

/* samr_call: one SAMR call through the public generic binding-handle API
 * (the per-call wrappers live in a private Samba library). */
static NTSTATUS samr_call(struct dcerpc_binding_handle *h, TALLOC_CTX *mem_ctx,
			  uint32_t opnum, void *r, NTSTATUS *result)
{
	NTSTATUS status = dcerpc_binding_handle_call(h, NULL, &ndr_table_samr, opnum, mem_ctx, r);
	return NT_STATUS_IS_OK(status) ? *result : status;
}

/* lookup_sid: the server account's SID from the domain (SAMR LookupNames
 * at a DC), never from the certificate (3.2.4.1). */
static NTSTATUS lookup_sid(TALLOC_CTX *mem_ctx, struct bpau_session *s,
			   const struct bpau_client_opts *o, const char *account,
			   struct crypto_sid *out, struct bpau_client_result *r)
{
	const char *dc = o->dc ? o->dc : o->host;
	const char *dc_address = o->dc ? o->dc_address : o->address;
	char *dc_principal = bpau_client_principal(mem_ctx, dc);
	char *sam = talloc_strndup(mem_ctx, account, strcspn(account, "@"));
	struct dcerpc_pipe *p;
	struct dcerpc_binding_handle *h;
	struct policy_handle connect_h, domain_h;
	struct samr_SamArray *domains = NULL;
	struct dom_sid2 *domain_sid = NULL;
	struct samr_Ids rids = {0}, types = {0};
	struct lsa_String name = {0};
	uint32_t resume = 0, count = 0;
	const char *domain = NULL;
	NTSTATUS status;

	if (dc_principal == NULL || sam == NULL) {
		return failf(r, BPAU_STAGE_LOOKUP, NT_STATUS_INVALID_PARAMETER,
			     "domain controller name %s is not a FQDN", dc);
	}
	status = bpau_session_connect(mem_ctx, s, dc, dc_address, dc_principal, &ndr_table_samr, &p, r);
	if (!NT_STATUS_IS_OK(status)) {
		r->stage = BPAU_STAGE_LOOKUP;
		return status;
	}
	h = p->binding_handle;
	dcerpc_binding_handle_set_timeout(h, o->timeout);

	struct samr_Connect2 c2 = {.in.access_mask = SAMR_ACCESS_CONNECT_TO_SERVER |
						     SAMR_ACCESS_ENUM_DOMAINS |
						     SAMR_ACCESS_LOOKUP_DOMAIN,
				   .out.connect_handle = &connect_h};
	status = samr_call(h, mem_ctx, NDR_SAMR_CONNECT2, &c2, &c2.out.result);
	if (NT_STATUS_IS_OK(status)) {
		struct samr_EnumDomains ed = {.in.connect_handle = &connect_h,
					      .in.resume_handle = &resume,
					      .in.buf_size = (uint32_t)-1,
					      .out.resume_handle = &resume,
					      .out.sam = &domains,
					      .out.num_entries = &count};
		status = samr_call(h, mem_ctx, NDR_SAMR_ENUMDOMAINS, &ed, &ed.out.result);
		if (NT_STATUS_EQUAL(status, STATUS_MORE_ENTRIES)) {
			status = NT_STATUS_OK;
		}
	}
	for (uint32_t i = 0; NT_STATUS_IS_OK(status) && domains != NULL && i < domains->count; i++) {
		if (domains->entries[i].name.string != NULL &&
		    strcasecmp(domains->entries[i].name.string, "Builtin") != 0) {
			domain = domains->entries[i].name.string;
			break;
		}
	}
	if (NT_STATUS_IS_OK(status) && domain == NULL) {
		status = NT_STATUS_NO_SUCH_DOMAIN;
	}
	if (NT_STATUS_IS_OK(status)) {
		struct lsa_String dn = {.string = domain};
		struct samr_LookupDomain ld = {.in.connect_handle = &connect_h,
					       .in.domain_name = &dn,
					       .out.sid = &domain_sid};
		status = samr_call(h, mem_ctx, NDR_SAMR_LOOKUPDOMAIN, &ld, &ld.out.result);
	}
	if (NT_STATUS_IS_OK(status)) {
		struct samr_OpenDomain od = {.in.connect_handle = &connect_h,
					     .in.access_mask = SAMR_DOMAIN_ACCESS_LOOKUP_ALIAS,
					     .in.sid = domain_sid,
					     .out.domain_handle = &domain_h};
		status = samr_call(h, mem_ctx, NDR_SAMR_OPENDOMAIN, &od, &od.out.result);
	}
	if (NT_STATUS_IS_OK(status)) {
		struct samr_LookupNames ln = {.in.domain_handle = &domain_h,
					      .in.num_names = 1,
					      .in.names = &name,
					      .out.rids = &rids,
					      .out.types = &types};
		name.string = sam;
		status = samr_call(h, mem_ctx, NDR_SAMR_LOOKUPNAMES, &ln, &ln.out.result);
	}
	if (NT_STATUS_IS_OK(status) &&
	    (rids.count != 1 || types.count != 1 || types.ids[0] != SID_NAME_USER ||
	     domain_sid == NULL || domain_sid->num_auths < 0 ||
	     domain_sid->num_auths >= CRYPTO_SID_MAX_SUBAUTH)) {
		status = NT_STATUS_NONE_MAPPED;
	}
	talloc_free(p);
	if (!NT_STATUS_IS_OK(status)) {
		return failf(r, BPAU_STAGE_LOOKUP, status, "cannot resolve the SID of %s at %s: %s",
			     sam, dc, nt_errstr(status));
	}
	/* struct dom_sid and struct crypto_sid carry the same fields. */
	memset(out, 0, sizeof(*out));
	out->revision = domain_sid->sid_rev_num;
	out->num_auths = (uint8_t)(domain_sid->num_auths + 1);
	for (int i = 0; i < 6; i++) {
		out->authority = (out->authority << 8) | domain_sid->id_auth[i];
	}
	for (int i = 0; i < domain_sid->num_auths; i++) {
		out->sub_auths[i] = domain_sid->sub_auths[i];
	}
	out->sub_auths[domain_sid->num_auths] = rids.ids[0];
	return NT_STATUS_OK;
}

NTSTATUS bpau_client_lookup_sid(TALLOC_CTX *mem_ctx, const struct bpau_client_opts *o,
				const char *account, struct crypto_sid *sid,
				struct bpau_client_result **out)
{
	struct bpau_client_result *r = talloc_zero(mem_ctx, struct bpau_client_result);
	struct bpau_client_opts opts = *o;
	struct bpau_session s;
	NTSTATUS status;

	if (r == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	*out = r;
	if (opts.timeout == 0) {
		opts.timeout = BPAU_CALL_TIMEOUT;
	}
	if (opts.dc == NULL) {
		return failf(r, BPAU_STAGE_SETUP, NT_STATUS_INVALID_PARAMETER,
			     "a domain controller (--dc FQDN) is needed for the lookup");
	}
	status = bpau_session_setup(r, &opts, &s, r);
	if (NT_STATUS_IS_OK(status)) {
		status = lookup_sid(r, &s, &opts, account, sid, r);
	}
	if (NT_STATUS_IS_OK(status)) {
		r->stage = BPAU_STAGE_DONE;
		r->status = NT_STATUS_OK;
	}
	return status;
}

NTSTATUS bpau_client_exchange(TALLOC_CTX *mem_ctx, const struct bpau_client_opts *o,
			      struct bpau_client_result **out)
{
	struct bpau_client_result *r = talloc_zero(mem_ctx, struct bpau_client_result);
	TALLOC_CTX *frame;
	struct bpau_session s;
	struct certtable *table;
	struct crypto_x509 *x;
	struct certblob *ours = NULL;
	struct dcerpc_pipe *p;
	const char *reason = NULL;
	uint32_t server_len = 0;
	uint8_t *server_key = NULL;
	HRESULT hres;
	NTSTATUS status;

	if (r == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	*out = r;
	frame = talloc_new(r);
	if (frame == NULL) {
		return failf(r, BPAU_STAGE_SETUP, NT_STATUS_NO_MEMORY, "out of memory");
	}
	struct bpau_client_opts opts = *o;
	if (opts.timeout == 0) {
		opts.timeout = BPAU_CALL_TIMEOUT;
	}
	if (opts.table_size == 0) {
		opts.table_size = CERTTABLE_DEFAULT_CAPACITY;
	}
	r->principal = opts.principal ? talloc_strdup(r, opts.principal)
				      : bpau_client_principal(r, opts.host);
	if (r->principal == NULL) {
		return failf(r, BPAU_STAGE_SETUP, NT_STATUS_INVALID_PARAMETER,
			     "%s is not a fully qualified domain name; give --principal",
			     opts.host);
	}

	/* 3.2.4.1: "The client MUST send its local certificate". */
	if (!opts.no_client_key) {
		status = crypto_x509_read_file(frame, opts.cert_file ? opts.cert_file : "",
					       &x, &reason);
		if (NT_STATUS_IS_OK(status)) {
			status = certblob_build(frame, x, NULL, 0, &ours, &reason);
		}
		if (!NT_STATUS_IS_OK(status)) {
			return failf(r, BPAU_STAGE_SETUP, status, "our certificate %s: %s",
				     opts.cert_file ? opts.cert_file : "(none given)",
				     reason ? reason : nt_errstr(status));
		}
	}
	status = certtable_open(frame, opts.table_file, opts.table_size, &table);
	if (!NT_STATUS_IS_OK(status)) {
		return failf(r, BPAU_STAGE_SETUP, status, "cannot open the table %s: %s",
			     opts.table_file, nt_errstr(status));
	}
	status = bpau_session_setup(frame, &opts, &s, r);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}

	status = bpau_session_connect(frame, &s, opts.host, opts.address, r->principal,
			      &ndr_table_bitspeerauth, &p, r);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	r->binding = dcerpc_binding_string(r, p->binding);
	/* 3.2.2: a 15-second call timeout. */
	dcerpc_binding_handle_set_timeout(p->binding_handle, opts.timeout);
	status = dcerpc_bitspeerauth_ExchangePublicKeys(
		p->binding_handle, frame, ours ? (uint32_t)ours->raw_len : 0,
		ours ? ours->raw : NULL, &server_len, &server_key, &hres);
	if (!NT_STATUS_IS_OK(status)) {
		return failf(r, BPAU_STAGE_CALL, status, "ExchangePublicKeys on %s failed: %s",
			     opts.host, nt_errstr(status));
	}
	r->hresult = HRES_ERROR_V(hres);
	talloc_free(p);
	if (r->hresult != BPAU_S_OK) {
		/* 3.2.4.1: ignore the out parameters, report the error. */
		return failf(r, BPAU_STAGE_SERVER, NT_STATUS_ACCESS_DENIED,
			     "%s refused the exchange: 0x%08x (%s)", opts.host, r->hresult,
			     bpau_hresult_name(r->hresult));
	}

	if (opts.server_sid != NULL) {
		status = crypto_sid_parse(opts.server_sid, &r->server_sid, &reason);
		if (!NT_STATUS_IS_OK(status)) {
			return failf(r, BPAU_STAGE_SETUP, status, "--server-sid: %s", reason);
		}
	} else {
		status = lookup_sid(frame, &s, &opts, r->principal, &r->server_sid, r);
		if (!NT_STATUS_IS_OK(status)) {
			return status;
		}
	}
	status = bpau_client_accept(table, r->hresult, server_len, server_key, &r->server_sid,
				    r->principal, &r->outcome, &reason);
	if (!NT_STATUS_IS_OK(status)) {
		char sid[CRYPTO_SID_MAX_STRING];
		crypto_sid_format(&r->server_sid, sid);
		return failf(r,
			     NT_STATUS_EQUAL(status, NT_STATUS_CERTTABLE_FULL) ||
					     NT_STATUS_EQUAL(status, NT_STATUS_NO_MEMORY)
				     ? BPAU_STAGE_TABLE
				     : BPAU_STAGE_VERIFY,
			     status, "%s (%s, %s): %s", opts.host, r->principal, sid, reason);
	}
	r->stage = BPAU_STAGE_DONE;
	r->status = NT_STATUS_OK;
	r->message = talloc_asprintf(r, "exchanged certificates with %s (%s)", opts.host,
				     r->principal);
	talloc_free(frame);
	return NT_STATUS_OK;
}
