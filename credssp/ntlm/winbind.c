/*
 * winbind.c: the joined-member backend.  winbindd forwards the NTLMv2
 * response to a DC over NETLOGON and returns the user session key
 * (libwbclient's wbcAuthenticateUserEx with WBC_AUTH_USER_LEVEL_RESPONSE,
 * which asks winbindd for WBFLAG_PAM_USER_SESSION_KEY: Samba
 * nsswitch/libwbclient/wbc_pam.c).  The public, maintained way to check
 * an NTLM response against the domain: Samba 4.17 ships no public gensec
 * headers.
 */
#include <ctype.h>
#include <string.h>

#include <stdbool.h>
#include <stdint.h>
#include <wbclient.h> /* needs stdint.h and stdbool.h first */

#include "crypto/crypto.h"
#include "credssp/ntlm/ntlm.h"

/*
 * The NTSTATUS the DC returned, as a CredSSP server reports it: Windows
 * does not tell a client whether the user exists, so NO_SUCH_USER and
 * WRONG_PASSWORD become LOGON_FAILURE; the account states a user can act
 * on are kept (MS-CSSP 2.2.1 errorCode carries them to the client).
 */
static NTSTATUS map_dc_status(uint32_t v)
{
	NTSTATUS st = NT_STATUS(v);

	if (NT_STATUS_EQUAL(st, NT_STATUS_NO_SUCH_USER) ||
	    NT_STATUS_EQUAL(st, NT_STATUS_WRONG_PASSWORD) ||
	    NT_STATUS_IS_OK(st)) {
		return NT_STATUS_LOGON_FAILURE;
	}
	if (NT_STATUS_EQUAL(st, NT_STATUS_ACCOUNT_DISABLED) ||
	    NT_STATUS_EQUAL(st, NT_STATUS_ACCOUNT_LOCKED_OUT) ||
	    NT_STATUS_EQUAL(st, NT_STATUS_ACCOUNT_EXPIRED) ||
	    NT_STATUS_EQUAL(st, NT_STATUS_PASSWORD_EXPIRED) ||
	    NT_STATUS_EQUAL(st, NT_STATUS_PASSWORD_MUST_CHANGE) ||
	    NT_STATUS_EQUAL(st, NT_STATUS_ACCOUNT_RESTRICTION) ||
	    NT_STATUS_EQUAL(st, NT_STATUS_INVALID_LOGON_HOURS) ||
	    NT_STATUS_EQUAL(st, NT_STATUS_INVALID_WORKSTATION) ||
	    NT_STATUS_EQUAL(st, NT_STATUS_LOGON_TYPE_NOT_GRANTED) ||
	    NT_STATUS_EQUAL(st, NT_STATUS_NO_LOGON_SERVERS) ||
	    NT_STATUS_EQUAL(st, NT_STATUS_NO_TRUST_SAM_ACCOUNT) ||
	    NT_STATUS_EQUAL(st, NT_STATUS_LOGON_FAILURE)) {
		return st;
	}
	return NT_STATUS_LOGON_FAILURE;
}

/* wbcErr values other than an authentication error, as NTSTATUS. */
static NTSTATUS map_wbc_error(wbcErr e)
{
	switch (e) {
	case WBC_ERR_NO_MEMORY:
		return NT_STATUS_NO_MEMORY;
	case WBC_ERR_WINBIND_NOT_AVAILABLE:
	case WBC_ERR_DOMAIN_NOT_FOUND:
		return NT_STATUS_NO_LOGON_SERVERS;
	case WBC_ERR_INVALID_PARAM:
		return NT_STATUS_INVALID_PARAMETER;
	case WBC_ERR_NOT_IMPLEMENTED:
		return NT_STATUS_NOT_SUPPORTED;
	default:
		return NT_STATUS_LOGON_FAILURE;
	}
}

static NTSTATUS winbind_validate(void *priv, TALLOC_CTX *mem_ctx,
				 const struct ntlm_auth_request *req,
				 uint8_t session_base_key[NTLM_KEY_LEN], char **user,
				 char **domain, const char **reason)
{
	struct wbcAuthUserParams params;
	struct wbcAuthUserInfo *info = NULL;
	struct wbcAuthErrorInfo *error = NULL;
	char *u, *d;
	wbcErr e;
	NTSTATUS st;

	if (req->nt_response_len > UINT32_MAX || req->lm_response_len > UINT32_MAX) {
		crypto_set_reason(reason, "response too long");
		return NT_STATUS_INVALID_PARAMETER;
	}
	memset(&params, 0, sizeof(params));
	params.account_name = req->user;
	params.domain_name = req->domain;
	params.workstation_name = req->workstation;
	params.level = WBC_AUTH_USER_LEVEL_RESPONSE;
	/* No MSV1_0_ALLOW_*_TRUST_ACCOUNT: machine accounts do not log on
	 * to a desktop. */
	params.parameter_control = 0;
	memcpy(params.password.response.challenge, req->server_challenge, NTLM_CHALLENGE_LEN);
	params.password.response.nt_length = (uint32_t)req->nt_response_len;
	params.password.response.nt_data = (uint8_t *)req->nt_response;
	/* NTLMv2 clients send LMv2 or 24 zero bytes; the DC ignores the
	 * LM response when the NT one is NTLMv2.  Passed on as sent. */
	params.password.response.lm_length = (uint32_t)req->lm_response_len;
	params.password.response.lm_data =
		req->lm_response_len > 0 ? (uint8_t *)req->lm_response : NULL;

	e = wbcAuthenticateUserEx(&params, &info, &error);
	if (e == WBC_ERR_AUTH_ERROR) {
		st = map_dc_status(error != NULL ? error->nt_status : 0);
		crypto_set_reason(reason, "the domain refused the response");
		goto out;
	}
	if (!WBC_ERROR_IS_OK(e)) {
		st = map_wbc_error(e);
		crypto_set_reason(reason, wbcErrorString(e));
		goto out;
	}
	u = talloc_strdup(mem_ctx, info->account_name != NULL ? info->account_name : req->user);
	d = talloc_strdup(mem_ctx, info->domain_name != NULL ? info->domain_name : req->domain);
	if (u == NULL || d == NULL) {
		talloc_free(u);
		talloc_free(d);
		st = NT_STATUS_NO_MEMORY;
		goto out;
	}
	memcpy(session_base_key, info->user_session_key, NTLM_KEY_LEN);
	*user = u;
	*domain = d;
	st = NT_STATUS_OK;
out:
	if (info != NULL) {
		crypto_wipe(info->user_session_key, sizeof(info->user_session_key));
		crypto_wipe(info->lm_session_key, sizeof(info->lm_session_key));
		wbcFreeMemory(info);
	}
	wbcFreeMemory(error);
	return st;
}

struct ntlm_backend *ntlm_backend_winbind(TALLOC_CTX *mem_ctx)
{
	struct ntlm_backend *b = talloc_zero(mem_ctx, struct ntlm_backend);

	if (b == NULL) {
		return NULL;
	}
	b->name = "winbind";
	b->validate = winbind_validate;
	b->priv = NULL;
	return b;
}

NTSTATUS ntlm_winbind_server_names(TALLOC_CTX *mem_ctx, struct ntlm_server_names *names)
{
	struct wbcInterfaceDetails *d = NULL;
	char *nb_computer, *nb_domain, *dns_domain = NULL, *dns_computer = NULL;
	wbcErr e = wbcInterfaceDetails(&d);

	if (!WBC_ERROR_IS_OK(e)) {
		return map_wbc_error(e);
	}
	if (d->netbios_name == NULL || d->netbios_domain == NULL) {
		wbcFreeMemory(d);
		return NT_STATUS_NO_LOGON_SERVERS;
	}
	nb_computer = talloc_strdup(mem_ctx, d->netbios_name);
	nb_domain = talloc_strdup(mem_ctx, d->netbios_domain);
	if (d->dns_domain != NULL && d->dns_domain[0] != '\0') {
		dns_domain = talloc_strdup(mem_ctx, d->dns_domain);
		dns_computer = talloc_asprintf(mem_ctx, "%s.%s", d->netbios_name, d->dns_domain);
		if (dns_computer != NULL) {
			for (char *p = dns_computer; *p != '\0' && *p != '.'; p++) {
				*p = (char)tolower((unsigned char)*p);
			}
		}
	}
	wbcFreeMemory(d);
	if (nb_computer == NULL || nb_domain == NULL ||
	    (dns_domain == NULL) != (dns_computer == NULL)) {
		talloc_free(nb_computer);
		talloc_free(nb_domain);
		talloc_free(dns_domain);
		talloc_free(dns_computer);
		return NT_STATUS_NO_MEMORY;
	}
	names->nb_computer = nb_computer;
	names->nb_domain = nb_domain;
	names->dns_computer = dns_computer;
	names->dns_domain = dns_domain;
	return NT_STATUS_OK;
}
