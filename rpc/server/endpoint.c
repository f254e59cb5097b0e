/*
 * endpoint.c: the bitspeerauth endpoint, shared by the Samba AD DC module
 * and bpaud.  See endpoint.h.
 *
 * Only public samba-dev headers.  The pidl boilerplate uses DEBUG(),
 * whose symbols live in Samba's private debug library: the module leaves
 * them to the samba process, bpaud links that library (see wscript).
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <talloc.h>
#include <dcesrv_core.h>
#include <gen_ndr/auth.h>
#include <gen_ndr/samr.h>
#include <util/debug.h>

#include "gen/ndr_bitspeerauth.h"
#include "rpc/server/endpoint.h"

/* Not declared in the installed headers, exported by the public
 * libdcerpc-server-core: the struct sizes it was built with. */
const struct dcesrv_critical_sizes *dcerpc_module_version(void);

static struct bpau_endpoint_ops ops;

void bpau_endpoint_init(const struct bpau_endpoint_ops *o)
{
	ops = *o;
}

/*
 * Refuse binds below the host's level in the RPC core itself, as Samba's
 * backupkey does: a request on a context with a lower level gets an
 * access-denied fault before it reaches us.  The handler checks again
 * (exchange_server.c).
 */
static NTSTATUS bpau_iface_bind(struct dcesrv_connection_context *context,
				const struct dcesrv_interface *iface)
{
	switch (ops.min_auth_level != NULL ? ops.min_auth_level(context)
					   : DCERPC_AUTH_LEVEL_PRIVACY) {
	case 0:
		return NT_STATUS_OK;
	case DCERPC_AUTH_LEVEL_INTEGRITY:
		return dcesrv_interface_bind_require_integrity(context, iface);
	default:
		return dcesrv_interface_bind_require_privacy(context, iface);
	}
}

#define DCESRV_INTERFACE_BITSPEERAUTH_BIND(context, iface) bpau_iface_bind(context, iface)

/* No policy handles: any worker process may serve any call. */
#define DCESRV_INTERFACE_BITSPEERAUTH_FLAGS DCESRV_INTERFACE_FLAGS_HANDLES_NOT_USED

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

/* bpau_endpoint_caller: MS-RPCE 3.3.3.4.3, what the RPC runtime reports. */
void bpau_endpoint_caller(TALLOC_CTX *mem_ctx, struct dcesrv_call_state *dce_call,
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
	bpau_endpoint_caller(mem_ctx, dce_call, &caller);
	srv = ops.server != NULL ? ops.server(dce_call) : NULL;
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

const struct dcesrv_interface *bpau_endpoint_interface(void)
{
	return &dcesrv_bitspeerauth_interface;
}

NTSTATUS bpau_endpoint_register_ep_server(TALLOC_CTX *ctx)
{
	return dcerpc_server_bitspeerauth_init(ctx);
}

bool bpau_endpoint_abi_ok(void)
{
	const struct dcesrv_critical_sizes *cs = dcerpc_module_version();

	return cs != NULL && cs->interface_version == DCERPC_MODULE_VERSION &&
	       cs->sizeof_dcesrv_context == (int)sizeof(struct dcesrv_context) &&
	       cs->sizeof_dcesrv_endpoint_server == (int)sizeof(struct dcesrv_endpoint_server) &&
	       cs->sizeof_dcesrv_interface == (int)sizeof(struct dcesrv_interface) &&
	       cs->sizeof_dcesrv_connection == (int)sizeof(struct dcesrv_connection) &&
	       cs->sizeof_dcesrv_call_state == (int)sizeof(struct dcesrv_call_state) &&
	       cs->sizeof_dcesrv_auth == (int)sizeof(struct dcesrv_auth) &&
	       cs->sizeof_dcesrv_handle == (int)sizeof(struct dcesrv_handle) &&
	       cs->sizeof_dcesrv_endpoint == (int)sizeof(struct dcesrv_endpoint) &&
	       cs->sizeof_dcesrv_if_list == (int)sizeof(struct dcesrv_if_list);
}
