/*
 * client.c: the BPAU client (MS-BPAU 3.2) on Samba's client library
 * (libdcerpc, rpc/client/session.c) and the pidl-generated stubs for
 * ExchangePublicKeys and SAMR.  See client.h.
 *
 * The Kerberos tokens of every association are checked by Samba's code,
 * with the sequence check our executable adds (rpc/samba_compat/gss_seq_check.c): a
 * forged response is refused, not read.
 */
#include "rpc/client/client.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <gen_ndr/ndr_samr_c.h>
#include <wbclient.h>

#include "gen/ndr_bitspeerauth_c.h"
#include "rpc/client/session.h"

#define SID_NAME_USER 1
#define SAMR_ACCESS_CONNECT_LOOKUP 0x31 /* connect, enumerate and look up domains */
#define DOMAIN_LOOKUP 0x200

/* call_failed: a failed call at |stage|, a timeout reported as one. */
static NTSTATUS call_failed(struct bpau_client_result *r, enum bpau_client_stage stage,
			    NTSTATUS status, const char *what, const char *where)
{
	return bpau_client_fail(r, stage, status, "%s at %s failed: %s", what, where,
				NT_STATUS_EQUAL(status, NT_STATUS_IO_TIMEOUT)
					? "no answer within the timeout"
					: nt_errstr(status));
}

/* sid_from_dom_sid: |d| as a crypto_sid, plus |rid| when |with_rid|. */
static NTSTATUS sid_from_dom_sid(const struct dom_sid *d, bool with_rid, uint32_t rid,
				 struct crypto_sid *s)
{
	if (d == NULL || d->num_auths < 0 ||
	    d->num_auths + (with_rid ? 1 : 0) > CRYPTO_SID_MAX_SUBAUTH) {
		return NT_STATUS_INVALID_NETWORK_RESPONSE;
	}
	memset(s, 0, sizeof(*s));
	s->revision = d->sid_rev_num;
	s->num_auths = (uint8_t)d->num_auths;
	for (int i = 0; i < 6; i++) {
		s->authority = (s->authority << 8) | d->id_auth[i];
	}
	for (uint8_t i = 0; i < s->num_auths; i++) {
		s->sub_auths[i] = d->sub_auths[i];
	}
	if (with_rid) {
		s->sub_auths[s->num_auths++] = rid;
	}
	return NT_STATUS_OK;
}

/* winbind_running: this host is a joined member whose winbindd answers. */
static bool winbind_running(void)
{
	return WBC_ERROR_IS_OK(wbcPing());
}

/*
 * lookup_winbind: |sam| ("HOST$") in the domain of |realm| through
 * winbindd, which asks its domain controller over its own authenticated
 * channel and caches the answer.  winbind names a domain by its NetBIOS
 * name; our own domain's is in its interface details.
 */
static NTSTATUS lookup_winbind(const char *sam, const char *realm, struct crypto_sid *out,
			       struct bpau_client_result *r)
{
	struct wbcInterfaceDetails *details = NULL;
	struct wbcDomainSid sid;
	enum wbcSidType type;
	char text[WBC_SID_STRING_BUFLEN];
	const char *domain = realm, *reason = NULL;
	wbcErr err;
	NTSTATUS status;

	/* No realm (an account named without @REALM) means our own domain;
	 * winbind takes "" for the name's domain as "unqualified", which it
	 * refuses as WBC_ERR_DOMAIN_NOT_FOUND under "winbind use default
	 * domain = no" (the default). */
	err = wbcInterfaceDetails(&details);
	if (WBC_ERROR_IS_OK(err) && details->netbios_domain != NULL &&
	    (realm == NULL ||
	     (details->dns_domain != NULL && strcasecmp(details->dns_domain, realm) == 0))) {
		domain = details->netbios_domain;
	}
	err = wbcLookupName(domain != NULL ? domain : "", sam, &sid, &type);
	wbcFreeMemory(details);
	if (!WBC_ERROR_IS_OK(err)) {
		return bpau_client_fail(r, BPAU_STAGE_LOOKUP, NT_STATUS_NONE_MAPPED,
					"winbind cannot resolve %s in %s: %s", sam,
					realm ? realm : "our domain", wbcErrorString(err));
	}
	if (type != WBC_SID_NAME_USER) {
		return bpau_client_fail(r, BPAU_STAGE_LOOKUP, NT_STATUS_NONE_MAPPED,
					"winbind: %s is not an account", sam);
	}
	status = wbcSidToStringBuf(&sid, text, sizeof(text)) > 0
			 ? crypto_sid_parse(text, out, &reason)
			 : NT_STATUS_INVALID_NETWORK_RESPONSE;
	if (!NT_STATUS_IS_OK(status)) {
		return bpau_client_fail(r, BPAU_STAGE_LOOKUP, status, "winbind: %s's SID: %s", sam,
					reason ? reason : crypto_status_name(status));
	}
	return NT_STATUS_OK;
}

/*
 * samr_domain_name: the account domain's name at the DC (EnumDomains:
 * the one that is not Builtin), for LookupDomain, which takes the
 * NetBIOS name.
 */
static NTSTATUS samr_domain_name(TALLOC_CTX *mem_ctx, struct dcerpc_binding_handle *b,
				 struct policy_handle *connect_h, const char **name,
				 NTSTATUS *result)
{
	struct samr_SamArray *sam = NULL;
	uint32_t resume = 0, count = 0;
	NTSTATUS status;

	status = dcerpc_samr_EnumDomains(b, mem_ctx, connect_h, &resume, &sam, 0xffff, &count,
					 result);
	if (!NT_STATUS_IS_OK(status) || !NT_STATUS_IS_OK(*result)) {
		return status;
	}
	for (uint32_t i = 0; sam != NULL && i < sam->count && i < count; i++) {
		const char *n = sam->entries[i].name.string;
		if (n != NULL && strcasecmp(n, "Builtin") != 0) {
			*name = n;
			return NT_STATUS_OK;
		}
	}
	*result = NT_STATUS_NO_SUCH_DOMAIN;
	return NT_STATUS_OK;
}

/*
 * lookup_samr: |sam| at the domain controller o->dc (o->dc_address) over
 * SAMR, sealed, with our Kerberos credentials: Connect2, EnumDomains,
 * LookupDomain, OpenDomain (DOMAIN_LOOKUP), LookupNames.  Only ever the
 * DC the administrator named: never the server being checked (a member
 * would answer for its own SID whatever it liked) nor one found in DNS.
 */
static NTSTATUS lookup_samr(TALLOC_CTX *mem_ctx, struct bpau_session *s,
			    const struct bpau_client_opts *o, const char *sam,
			    struct crypto_sid *out, struct bpau_client_result *r)
{
	const enum bpau_client_stage L = BPAU_STAGE_LOOKUP;
	TALLOC_CTX *frame = talloc_new(mem_ctx);
	char *principal = frame ? bpau_client_principal(frame, o->dc) : NULL;
	struct dcerpc_pipe *p = NULL;
	struct dcerpc_binding_handle *b;
	struct policy_handle connect_h, domain_h;
	struct lsa_String name = {0}, account = {0};
	struct dom_sid2 *domain_sid = NULL;
	struct samr_Ids rids = {0}, types = {0};
	const char *domain = NULL, *what = "SAMR Connect2";
	NTSTATUS status, result = NT_STATUS_OK;

	if (frame == NULL) {
		return bpau_client_fail(r, L, NT_STATUS_NO_MEMORY, "out of memory");
	}
	if (principal == NULL) {
		talloc_free(frame);
		return bpau_client_fail(r, L, NT_STATUS_INVALID_PARAMETER,
					"domain controller name %s is not a FQDN", o->dc);
	}
	status = bpau_session_connect(frame, s, o->dc, o->dc_address, principal, &ndr_table_samr,
				      &p, r);
	if (!NT_STATUS_IS_OK(status)) {
		r->stage = L;
		talloc_free(frame);
		return status;
	}
	b = p->binding_handle;
	status = dcerpc_samr_Connect2(b, frame, "", SAMR_ACCESS_CONNECT_LOOKUP, &connect_h, &result);
	if (NT_STATUS_IS_OK(status) && NT_STATUS_IS_OK(result)) {
		what = "SAMR EnumDomains";
		status = samr_domain_name(frame, b, &connect_h, &domain, &result);
	}
	if (NT_STATUS_IS_OK(status) && NT_STATUS_IS_OK(result)) {
		what = "SAMR LookupDomain";
		name.string = domain;
		status = dcerpc_samr_LookupDomain(b, frame, &connect_h, &name, &domain_sid, &result);
	}
	if (NT_STATUS_IS_OK(status) && NT_STATUS_IS_OK(result)) {
		what = "SAMR OpenDomain";
		status = dcerpc_samr_OpenDomain(b, frame, &connect_h, DOMAIN_LOOKUP, domain_sid,
						&domain_h, &result);
	}
	if (NT_STATUS_IS_OK(status) && NT_STATUS_IS_OK(result)) {
		what = "SAMR LookupNames";
		account.string = sam;
		status = dcerpc_samr_LookupNames(b, frame, &domain_h, 1, &account, &rids, &types,
						 &result);
	}
	if (!NT_STATUS_IS_OK(status)) {
		call_failed(r, L, status, what, o->dc);
		talloc_free(frame);
		return status;
	}
	if (NT_STATUS_IS_OK(result) &&
	    (rids.count != 1 || types.count != 1 || types.ids[0] != SID_NAME_USER)) {
		result = NT_STATUS_NONE_MAPPED;
	}
	if (NT_STATUS_IS_OK(result)) {
		result = sid_from_dom_sid(domain_sid, true, rids.ids[0], out);
	}
	if (!NT_STATUS_IS_OK(result)) {
		bpau_client_fail(r, L, result, "cannot resolve the SID of %s at %s: %s (%s)", sam,
				 o->dc, nt_errstr(result), what);
		talloc_free(frame);
		return result;
	}
	talloc_free(frame);
	return NT_STATUS_OK;
}

/*
 * lookup_sid: the server account's SID from the domain, never from the
 * certificate (3.2.4.1): --dc if given, else winbind.  The caller checked
 * that one of them is there (need_lookup).
 */
static NTSTATUS lookup_sid(TALLOC_CTX *mem_ctx, struct bpau_session *s,
			   const struct bpau_client_opts *o, const char *account,
			   struct crypto_sid *out, struct bpau_client_result *r)
{
	const char *at = strchr(account, '@');
	char *sam = talloc_strndup(mem_ctx, account, strcspn(account, "@"));
	NTSTATUS status;

	if (sam == NULL) {
		return bpau_client_fail(r, BPAU_STAGE_LOOKUP, NT_STATUS_NO_MEMORY, "out of memory");
	}
	if (o->dc != NULL) {
		status = lookup_samr(mem_ctx, s, o, sam, out, r);
	} else {
		status = lookup_winbind(sam, at != NULL && at[1] != '\0' ? at + 1 : NULL, out, r);
	}
	if (NT_STATUS_IS_OK(status)) {
		talloc_free(r->sid_source);
		r->sid_source = talloc_strdup(r, o->dc != NULL ? o->dc : "winbind");
	}
	talloc_free(sam);
	return status;
}

/* need_lookup: fail unless the SID can be looked up (--dc, or winbind). */
static NTSTATUS need_lookup(const struct bpau_client_opts *o, struct bpau_client_result *r)
{
	if (o->dc != NULL || winbind_running()) {
		return NT_STATUS_OK;
	}
	return bpau_client_fail(r, BPAU_STAGE_LOOKUP, NT_STATUS_NO_LOGON_SERVERS,
				"no winbind on this host to look up the server account's SID: "
				"give --dc (a domain controller's FQDN) or --server-sid");
}

/* own_blob: our certificate file as the CERTIFICATE_BLOB we send. */
static NTSTATUS own_blob(TALLOC_CTX *mem_ctx, const char *path, uint8_t **blob,
			 size_t *blob_len, const char **reason)
{
	TALLOC_CTX *frame = talloc_new(mem_ctx);
	struct crypto_x509 *x;
	struct certblob *built;
	uint8_t *file;
	size_t file_len;
	NTSTATUS status;

	if (frame == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	status = crypto_x509_read_file_bytes(frame, path, &file, &file_len, reason);
	if (NT_STATUS_IS_OK(status)) {
		status = crypto_x509_parse_file(frame, file, file_len, &x, reason);
	}
	if (NT_STATUS_IS_OK(status)) {
		status = certblob_build(frame, x, NULL, 0, &built, reason);
	}
	if (NT_STATUS_IS_OK(status)) {
		*blob = talloc_steal(mem_ctx, built->raw);
		*blob_len = built->raw_len;
	}
	talloc_free(frame);
	return status;
}

NTSTATUS bpau_client_lookup_sid(TALLOC_CTX *mem_ctx, const struct bpau_client_opts *o,
				const char *account, struct crypto_sid *sid,
				struct bpau_client_result **out)
{
	struct bpau_client_result *r = talloc_zero(mem_ctx, struct bpau_client_result);
	struct bpau_session *s;
	NTSTATUS status;

	if (r == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	*out = r;
	s = talloc_zero(r, struct bpau_session);
	if (s == NULL) {
		return bpau_client_fail(r, BPAU_STAGE_SETUP, NT_STATUS_NO_MEMORY, "out of memory");
	}
	if (o->dc == NULL && !winbind_running()) {
		return bpau_client_fail(r, BPAU_STAGE_SETUP, NT_STATUS_INVALID_PARAMETER,
					"no winbind on this host: a domain controller (--dc FQDN) "
					"is needed for the lookup");
	}
	if (o->dc != NULL) {
		status = bpau_session_setup(r, o, s, r);
		if (!NT_STATUS_IS_OK(status)) {
			return status;
		}
	}
	status = lookup_sid(r, s, o, account, sid, r);
	if (NT_STATUS_IS_OK(status)) {
		r->stage = BPAU_STAGE_DONE;
		r->status = NT_STATUS_OK;
	}
	return status;
}

/* exchange_call: ExchangePublicKeys on |p| with our blob (3.2.4.1). */
static NTSTATUS exchange_call(TALLOC_CTX *mem_ctx, struct dcerpc_pipe *p, const char *host,
			      uint8_t *ours, size_t ours_len, uint8_t **server_key,
			      uint32_t *server_len, struct bpau_client_result *r)
{
	HRESULT hr = HRES_ERROR(0);
	NTSTATUS status;

	*server_key = NULL;
	*server_len = 0;
	status = dcerpc_bitspeerauth_ExchangePublicKeys(p->binding_handle, mem_ctx,
							(uint32_t)ours_len, ours, server_len,
							server_key, &hr);
	if (!NT_STATUS_IS_OK(status)) {
		return call_failed(r, BPAU_STAGE_CALL, status, "ExchangePublicKeys", host);
	}
	r->hresult = HRES_ERROR_V(hr);
	if (r->hresult != BPAU_S_OK) {
		/* 3.2.4.1: ignore the out parameters, report the error. */
		return bpau_client_fail(r, BPAU_STAGE_SERVER, NT_STATUS_ACCESS_DENIED,
					"%s refused the exchange: 0x%08x (%s)", host, r->hresult,
					bpau_hresult_name(r->hresult));
	}
	return NT_STATUS_OK;
}

NTSTATUS bpau_client_exchange(TALLOC_CTX *mem_ctx, const struct bpau_client_opts *o,
			      struct bpau_client_result **out)
{
	struct bpau_client_result *r = talloc_zero(mem_ctx, struct bpau_client_result);
	TALLOC_CTX *frame;
	struct bpau_session *s;
	struct certtable *table;
	struct dcerpc_pipe *p = NULL;
	uint8_t *ours = NULL, *server_key = NULL;
	size_t ours_len = 0;
	uint32_t server_len = 0;
	const char *reason = NULL;
	NTSTATUS status;

	if (r == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	*out = r;
	frame = talloc_new(r);
	s = frame ? talloc_zero(frame, struct bpau_session) : NULL;
	if (s == NULL) {
		return bpau_client_fail(r, BPAU_STAGE_SETUP, NT_STATUS_NO_MEMORY, "out of memory");
	}
	r->principal = o->principal ? talloc_strdup(r, o->principal)
				    : bpau_client_principal(r, o->host);
	if (r->principal == NULL) {
		return bpau_client_fail(r, BPAU_STAGE_SETUP, NT_STATUS_INVALID_PARAMETER,
					"%s is not a fully qualified domain name; give --principal",
					o->host);
	}
	status = certtable_open(frame, o->table_file, o->table_size, &table, &reason);
	if (!NT_STATUS_IS_OK(status)) {
		return bpau_client_fail(r, BPAU_STAGE_SETUP, status, "cannot open the table %s: %s",
					o->table_file, reason ? reason : crypto_status_name(status));
	}
	/* 3.2.4.1: "The client MUST send its local certificate". */
	status = own_blob(frame, o->cert_file ? o->cert_file : "", &ours, &ours_len, &reason);
	if (!NT_STATUS_IS_OK(status)) {
		return bpau_client_fail(r, BPAU_STAGE_SETUP, status, "our certificate %s: %s",
					o->cert_file ? o->cert_file : "(none given)",
					reason ? reason : crypto_status_name(status));
	}
	/* Before anything goes out: without a way to check the server's SID,
	 * the server must not be asked to insert our certificate. */
	if (o->server_sid != NULL) {
		status = crypto_sid_parse(o->server_sid, &r->server_sid, &reason);
		if (!NT_STATUS_IS_OK(status)) {
			return bpau_client_fail(r, BPAU_STAGE_SETUP, status, "--server-sid: %s", reason);
		}
	} else {
		status = need_lookup(o, r);
		if (!NT_STATUS_IS_OK(status)) {
			return status;
		}
	}
	status = bpau_session_setup(frame, o, s, r);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	status = bpau_session_connect(frame, s, o->host, o->address, r->principal,
				      &ndr_table_bitspeerauth, &p, r);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	r->binding = dcerpc_binding_string(r, p->binding);
	status = exchange_call(frame, p, o->host, ours, ours_len, &server_key, &server_len, r);
	TALLOC_FREE(p);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	if (o->server_sid == NULL) {
		status = lookup_sid(frame, s, o, r->principal, &r->server_sid, r);
		if (!NT_STATUS_IS_OK(status)) {
			return status;
		}
	}
	status = bpau_client_accept(table, r->hresult, server_len, server_key, &r->server_sid,
				    r->principal, &r->outcome, &reason);
	if (!NT_STATUS_IS_OK(status)) {
		char sid[CRYPTO_SID_MAX_STRING];
		crypto_sid_format(&r->server_sid, sid);
		/* The server's certificate failed (ACCESS_DENIED: not its SID;
		 * INVALID_NETWORK_RESPONSE: missing or malformed) or our table
		 * did (full, disk full, I/O, damaged file, no memory), which
		 * the table stage reports by its status (exit 4 or 5). */
		if (NT_STATUS_EQUAL(status, NT_STATUS_ACCESS_DENIED) ||
		    NT_STATUS_EQUAL(status, NT_STATUS_INVALID_NETWORK_RESPONSE)) {
			return bpau_client_fail(r, BPAU_STAGE_VERIFY, status, "%s (%s, %s): %s",
						o->host, r->principal, sid,
						reason ? reason : crypto_status_name(status));
		}
		return bpau_client_fail(r, BPAU_STAGE_TABLE, status, "%s (%s, %s): %s (%s)",
					o->host, r->principal, sid,
					reason ? reason : "our peer certificate table",
					crypto_status_name(status));
	}
	r->stage = BPAU_STAGE_DONE;
	r->status = NT_STATUS_OK;
	r->message = talloc_asprintf(r, "exchanged certificates with %s (%s)", o->host,
				     r->principal);
	talloc_free(frame);
	return NT_STATUS_OK;
}
