/*
 * bitspeerauth_srv.c: the MS-BPAU ExchangePublicKeys endpoint server, as a
 * module for Samba's DCE/RPC server (loaded by the AD DC from
 * MODULESDIR/dcerpc_server, enabled with
 * "dcerpc endpoint servers = +bitspeerauth").
 *
 * Samba provides the ncacn_ip_tcp listener on a dynamic port, the endpoint
 * mapper entry, the Kerberos acceptor and the PAC; this file maps what it
 * reports about the caller onto struct bpau_caller and hands the call to
 * rpc/exchange.c, which holds the protocol rules.
 *
 * Configuration, smb.conf [global] parametric options:
 *   bitspeerauth:certificate = FILE   our certificate (DER or PEM, RSA)
 *   bitspeerauth:table = FILE         peer table (default PRIVATEDIR/bitspeerauth.tdb)
 *   bitspeerauth:table size = N       default 100
 *   bitspeerauth:auth level = privacy | integrity   (default privacy)
 *
 * Only public samba-dev headers are used.  The pidl boilerplate (and our
 * log lines) use DEBUG(), whose symbols come from Samba's private debug
 * library; they are left unversioned so they bind to the copy the samba
 * process has already loaded.
 */
#include <stdbool.h>
#include <stdint.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <talloc.h>
#include <dcesrv_core.h>
#include <gen_ndr/auth.h>
#include <gen_ndr/samr.h>
#include <param.h>
#include <util/debug.h>

#include "gen/ndr_bitspeerauth.h"
#include "rpc/exchange.h"

/* Not declared in the installed headers, exported by the public
 * libdcerpc-server-core: the struct sizes it was built with. */
const struct dcesrv_critical_sizes *dcerpc_module_version(void);

NTSTATUS samba_init_module(TALLOC_CTX *ctx);

#define PARM "bitspeerauth"

static int min_auth_level(struct loadparm_context *lp)
{
	const char *v = lpcfg_parm_string(lp, NULL, PARM, "auth level");
	if (v != NULL && strcasecmp(v, "integrity") == 0) {
		return DCERPC_AUTH_LEVEL_INTEGRITY;
	}
	return DCERPC_AUTH_LEVEL_PRIVACY;
}

/*
 * Refuse binds below the configured level in the RPC core itself, as
 * Samba's backupkey does: a request on a context with a lower level gets
 * an access-denied fault before it reaches us.  The call handler checks
 * again (exchange.c).
 */
static NTSTATUS bpau_iface_bind(struct dcesrv_connection_context *context,
				const struct dcesrv_interface *iface)
{
	struct loadparm_context *lp = context->conn->dce_ctx->lp_ctx;
	if (min_auth_level(lp) == DCERPC_AUTH_LEVEL_INTEGRITY) {
		return dcesrv_interface_bind_require_integrity(context, iface);
	}
	return dcesrv_interface_bind_require_privacy(context, iface);
}

#define DCESRV_INTERFACE_BITSPEERAUTH_BIND(context, iface) bpau_iface_bind(context, iface)
/* No policy handles: any worker process may serve any call. */
#define DCESRV_INTERFACE_BITSPEERAUTH_FLAGS DCESRV_INTERFACE_FLAGS_HANDLES_NOT_USED

static void log_to_samba(void *private_data, enum bpau_log_level level, const char *msg)
{
	(void)private_data;
	/* Every decision at level 1 ("log level = 1"), failures at 0. */
	DEBUG(level == BPAU_LOG_ERROR ? 0 : 1,
	      ("bitspeerauth: %s\n", msg));
}

/*
 * One server state per process: Samba may fork workers after loading us,
 * and a tdb handle must not cross a fork, so it is created on first use in
 * each process.
 */
static struct bpau_server *server;
static pid_t server_pid;

static struct bpau_server *get_server(struct loadparm_context *lp)
{
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
	cfg.min_auth_level = min_auth_level(lp);
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

static void sid_from_dom_sid(const struct dom_sid *d, struct crypto_sid *s)
{
	memset(s, 0, sizeof(*s));
	s->revision = d->sid_rev_num;
	s->num_auths = d->num_auths < 0 ? 0 : (uint8_t)d->num_auths;
	if (s->num_auths > CRYPTO_SID_MAX_SUBAUTH) {
		s->num_auths = CRYPTO_SID_MAX_SUBAUTH;
	}
	for (int i = 0; i < 6; i++) {
		s->authority = (s->authority << 8) | d->id_auth[i];
	}
	for (uint8_t i = 0; i < s->num_auths; i++) {
		s->sub_auths[i] = d->sub_auths[i];
	}
}

static bool is_well_known(const struct crypto_sid *s, uint32_t rid)
{
	/* S-1-5-<rid> */
	return s->authority == 5 && s->num_auths == 1 && s->sub_auths[0] == rid;
}

/* domain_rid_member: the token holds <domain of |user|>-<rid>. */
static bool domain_rid_member(const struct security_token *t, const struct crypto_sid *user,
			      uint32_t rid)
{
	for (uint32_t i = 0; i < t->num_sids; i++) {
		struct crypto_sid g;
		sid_from_dom_sid(&t->sids[i], &g);
		if (g.num_auths == user->num_auths && g.authority == user->authority &&
		    g.sub_auths[g.num_auths - 1] == rid &&
		    memcmp(g.sub_auths, user->sub_auths,
			   sizeof(uint32_t) * (size_t)(g.num_auths - 1)) == 0) {
			return true;
		}
	}
	return false;
}

/* caller_from_session: MS-RPCE 3.3.3.4.3, what the RPC runtime reports. */
static void caller_from_session(TALLOC_CTX *mem_ctx, struct dcesrv_call_state *dce_call,
				struct bpau_caller *c)
{
	enum dcerpc_AuthType auth_type = DCERPC_AUTH_TYPE_NONE;
	enum dcerpc_AuthLevel auth_level = DCERPC_AUTH_LEVEL_NONE;
	struct auth_session_info *si;
	const struct security_token *t;
	bool authenticated_users = false;

	memset(c, 0, sizeof(*c));
	dcesrv_call_auth_info(dce_call, &auth_type, &auth_level);
	c->auth_level = (int)auth_level;
	switch (auth_type) {
	case DCERPC_AUTH_TYPE_NONE:
		c->mech = BPAU_MECH_NONE;
		break;
	case DCERPC_AUTH_TYPE_KRB5:
		/* "This protocol supports only the Kerberos authentication
		 * method" (1.7): the Kerberos security provider, auth type
		 * 16.  SPNEGO is not that provider, even when it would
		 * negotiate Kerberos. */
		c->mech = BPAU_MECH_KERBEROS;
		break;
	case DCERPC_AUTH_TYPE_NTLMSSP:
		c->mech = BPAU_MECH_NTLM;
		break;
	default:
		c->mech = BPAU_MECH_OTHER;
		break;
	}
	si = dcesrv_call_session_info(dce_call);
	if (si == NULL || si->security_token == NULL || si->security_token->num_sids == 0) {
		c->mech = BPAU_MECH_NONE;
		return;
	}
	t = si->security_token;
	sid_from_dom_sid(&t->sids[0], &c->sid);
	for (uint32_t i = 0; i < t->num_sids; i++) {
		struct crypto_sid g;
		sid_from_dom_sid(&t->sids[i], &g);
		if (is_well_known(&g, 11)) { /* Authenticated Users */
			authenticated_users = true;
		}
	}
	c->anonymous = is_well_known(&c->sid, 7) || !authenticated_users;
	if (si->info != NULL) {
		const char *realm = si->info->dns_domain_name ? si->info->dns_domain_name
							      : si->info->domain_name;
		char *upper = talloc_strdup(mem_ctx, realm ? realm : "");
		for (char *p = upper; p != NULL && *p != '\0'; p++) {
			*p = (char)toupper((unsigned char)*p);
		}
		c->principal = talloc_asprintf(mem_ctx, "%s@%s",
					       si->info->account_name ? si->info->account_name : "?",
					       upper ? upper : "");
		/* Note 2: Windows verifies a computer account.  The PAC's
		 * account flags say so for workstation, server (DC) and RODC
		 * trust accounts; membership of Domain Computers (515) or
		 * Domain Controllers (516) says so too. */
		c->is_computer = (si->info->acct_flags &
				  (ACB_WSTRUST | ACB_SVRTRUST | ACB_PARTIAL_SECRETS_ACCOUNT)) != 0;
	}
	if (!c->is_computer && c->sid.num_auths > 1) {
		c->is_computer = domain_rid_member(t, &c->sid, 515) ||
				 domain_rid_member(t, &c->sid, 516);
	}
}

static HRESULT dcesrv_bitspeerauth_ExchangePublicKeys(struct dcesrv_call_state *dce_call,
						      TALLOC_CTX *mem_ctx,
						      struct bitspeerauth_ExchangePublicKeys *r)
{
	struct bpau_server *srv;
	struct bpau_caller caller;
	uint32_t hr;

	*r->out.pServerKeyLength = 0;
	*r->out.pServerKey = NULL;

	/*
	 * MS-BPAU 3.1.4.1 asks the RPC runtime to "reject a NULL unique or
	 * full pointer with a nonzero conformant value".  pidl's parser takes
	 * a NULL ClientKey whatever ClientKeyLength says, so reject it here
	 * the way Windows' NDR engine does: RPC_X_BAD_STUB_DATA (0x6f7).
	 */
	if (r->in.ClientKey == NULL && r->in.ClientKeyLength != 0) {
		DEBUG(1, ("bitspeerauth: NULL ClientKey with ClientKeyLength %u: "
			  "bad stub data\n", r->in.ClientKeyLength));
		dce_call->fault_code = DCERPC_FAULT_NDR;
		return HRES_ERROR(0);
	}
	caller_from_session(mem_ctx, dce_call, &caller);
	srv = get_server(dce_call->conn->dce_ctx->lp_ctx);
	if (srv == NULL) {
		return HRES_ERROR(BPAU_E_FAIL);
	}
	hr = bpau_server_exchange(srv, mem_ctx, &caller, r->in.ClientKeyLength, r->in.ClientKey,
				  r->out.pServerKeyLength, r->out.pServerKey);
	return HRES_ERROR(hr);
}

/* The pidl-generated boilerplate (dispatch, interface table, init). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#pragma GCC diagnostic ignored "-Wshadow"
#include "gen/ndr_bitspeerauth_s.c"
#pragma GCC diagnostic pop

/*
 * The module entry point (load_samba_modules() looks it up).  The pidl
 * boilerplate reads dcesrv structures directly, so refuse to register if
 * the running libdcerpc-server-core was built with other layouts than the
 * headers we were compiled against (a Samba upgrade without a rebuild).
 */
__attribute__((visibility("default"))) NTSTATUS samba_init_module(TALLOC_CTX *ctx)
{
	const struct dcesrv_critical_sizes *cs = dcerpc_module_version();

	if (cs == NULL || cs->interface_version != DCERPC_MODULE_VERSION ||
	    cs->sizeof_dcesrv_context != (int)sizeof(struct dcesrv_context) ||
	    cs->sizeof_dcesrv_endpoint_server != (int)sizeof(struct dcesrv_endpoint_server) ||
	    cs->sizeof_dcesrv_interface != (int)sizeof(struct dcesrv_interface) ||
	    cs->sizeof_dcesrv_connection != (int)sizeof(struct dcesrv_connection) ||
	    cs->sizeof_dcesrv_call_state != (int)sizeof(struct dcesrv_call_state) ||
	    cs->sizeof_dcesrv_auth != (int)sizeof(struct dcesrv_auth)) {
		DEBUG(0, ("bitspeerauth: this module was built for another Samba "
			  "(DCE/RPC server ABI differs); rebuild it; not registering\n"));
		return NT_STATUS_REVISION_MISMATCH;
	}
	return dcerpc_server_bitspeerauth_init(ctx);
}
