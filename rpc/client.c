/*
 * client.c: the BPAU client (MS-BPAU 3.2) on our own DCE/RPC framing
 * (rpc/ncacn.c) and hand-written NDR (rpc/client_ndr.c) over GSSAPI.  See
 * client.h.
 */
#include "rpc/client.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rpc/client_ndr.h"
#include "rpc/dclocate.h"
#include "rpc/ncacn.h"
#include "rpc/sidcache.h"

#define SID_NAME_USER 1
#define EPM_PORT 135

/* A remembered endpoint gets this long (seconds) to connect and answer
 * the bind before the client asks the endpoint mapper instead. */
#define REMEMBERED_ENDPOINT_TIMEOUT 2

/* bind_at: TCP to |port| at |where| and the bind.  *out is set (for
 * ncacn_reason) whenever a connection object was made; *local is true
 * when the bind failed on our side before anything was sent. */
static NTSTATUS bind_at(TALLOC_CTX *mem_ctx, const char *where, uint16_t port,
			const char *principal, const struct ncacn_syntax *iface, unsigned timeout,
			struct ncacn_conn **out, bool *local)
{
	NTSTATUS status;

	*out = NULL;
	*local = false;
	status = ncacn_connect(mem_ctx, where, port, timeout, out);
	if (NT_STATUS_IS_OK(status)) {
		status = ncacn_bind(*out, iface, principal);
		*local = !NT_STATUS_IS_OK(status) && !ncacn_bind_sent(*out);
	}
	return status;
}

/* epm_lookup: the port the endpoint mapper on port 135 at |where| has for
 * |iface| (unauthenticated, as Windows and Samba clients ask). */
static NTSTATUS epm_lookup(TALLOC_CTX *mem_ctx, const char *where,
			   const struct ncacn_syntax *iface, unsigned timeout, uint16_t *port,
			   struct bpau_client_result *r)
{
	struct ncacn_conn *epm = NULL;
	uint8_t *req, *resp;
	size_t req_len, resp_len;
	NTSTATUS status;

	status = ncacn_connect(mem_ctx, where, EPM_PORT, timeout, &epm);
	if (NT_STATUS_IS_OK(status)) {
		status = ncacn_bind(epm, &ncacn_syntax_epmapper, NULL);
	}
	if (NT_STATUS_IS_OK(status)) {
		if (!epm_map_request(mem_ctx, iface, &req, &req_len)) {
			status = NT_STATUS_NO_MEMORY;
		} else {
			status = ncacn_call(epm, mem_ctx, EPM_OPNUM_MAP, req, req_len, &resp,
					    &resp_len);
		}
		if (NT_STATUS_IS_OK(status)) {
			status = epm_map_parse(resp, resp_len, iface, port);
			if (!NT_STATUS_IS_OK(status)) {
				bpau_client_fail(r, BPAU_STAGE_CONNECT, status,
				      "the endpoint mapper at %s has no endpoint for the interface "
				      "(%s)", where, crypto_status_name(status));
				talloc_free(epm);
				return status;
			}
		}
	}
	if (!NT_STATUS_IS_OK(status)) {
		bpau_client_fail(r, BPAU_STAGE_CONNECT, status, "%s (the endpoint mapper at %s)",
		      ncacn_reason(epm), where);
	}
	talloc_free(epm);
	return status;
}

/*
 * associate: TCP to the interface's registered port and a Kerberos bind at
 * packet privacy to |principal|.  The port comes from the endpoint mapper,
 * or from |cache| when it was remembered there less than |cache_ttl|
 * seconds ago (NULL or 0: always ask).  A remembered port is only a first
 * try, given REMEMBERED_ENDPOINT_TIMEOUT: the server may have restarted
 * on another port, and its old port may be closed or serve something
 * else.  Any failure there after connecting -- refused, reset, silence, a
 * bind_nak, a rejected interface, a failed mutual authentication -- sends
 * the client to the endpoint mapper, as on a first exchange; only a
 * Kerberos failure before the bind went out (no ticket, say) is reported
 * as it is, since asking again would fail alike.
 */
static NTSTATUS associate(TALLOC_CTX *mem_ctx, struct sidcache *cache, unsigned cache_ttl,
			  const char *host, const char *address, const char *principal,
			  const struct ncacn_syntax *iface, unsigned timeout,
			  struct ncacn_conn **out, struct bpau_client_result *r)
{
	const char *where = address ? address : host;
	struct ncacn_conn *c = NULL;
	uint16_t port = 0;
	bool local;
	NTSTATUS status;

	if (sidcache_get_endpoint(cache, where, iface->uuid, cache_ttl, &port)) {
		status = bind_at(mem_ctx, where, port, principal, iface,
				 timeout < REMEMBERED_ENDPOINT_TIMEOUT ? timeout
								       : REMEMBERED_ENDPOINT_TIMEOUT,
				 &c, &local);
		if (NT_STATUS_IS_OK(status)) {
			ncacn_set_timeout(c, timeout);
			r->endpoint_cached = true;
			*out = c;
			return NT_STATUS_OK;
		}
		if (local) {
			goto failed;
		}
		TALLOC_FREE(c);
	}
	status = epm_lookup(mem_ctx, where, iface, timeout, &port, r);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	status = bind_at(mem_ctx, where, port, principal, iface, timeout, &c, &local);
	if (NT_STATUS_IS_OK(status)) {
		sidcache_put_endpoint(cache, where, iface->uuid, port);
		*out = c;
		return NT_STATUS_OK;
	}
failed:
	bpau_client_fail(r, BPAU_STAGE_CONNECT, status, "cannot bind to %s port %u as %s: %s",
			 where, (unsigned)port, principal, ncacn_reason(c));
	talloc_free(c);
	return status;
}

/* call: one request (|encoded| says whether its encoder succeeded) and
 * its response; failures are reported at |stage|. */
static NTSTATUS call(struct ncacn_conn *c, TALLOC_CTX *mem_ctx, uint16_t opnum, bool encoded,
		     const uint8_t *req, size_t req_len, uint8_t **resp, size_t *resp_len,
		     const char *what, enum bpau_client_stage stage, struct bpau_client_result *r)
{
	NTSTATUS status;

	if (!encoded) {
		return bpau_client_fail(r, stage, NT_STATUS_NO_MEMORY, "out of memory");
	}
	status = ncacn_call(c, mem_ctx, opnum, req, req_len, resp, resp_len);
	if (!NT_STATUS_IS_OK(status)) {
		return bpau_client_fail(r, stage, status, "%s failed: %s", what, ncacn_reason(c));
	}
	return NT_STATUS_OK;
}

/*
 * connect_dc: a SAMR association with a domain controller: --dc, else
 * the realm's domain controllers from DNS (rpc/dclocate.h), each in turn
 * until one answers.  Never the peer being checked (unless it is the
 * DC named or found): a member would answer for its own SID whatever it
 * liked, and an honest one cannot (its SAMR knows its local accounts).
 */
static NTSTATUS connect_dc(TALLOC_CTX *mem_ctx, const struct bpau_client_opts *o,
			   const char *account, struct ncacn_conn **c, const char **dc_used,
			   struct bpau_client_result *r)
{
	const enum bpau_client_stage L = BPAU_STAGE_LOOKUP;
	const char *realm = strchr(account, '@'), *reason = NULL;
	char **dcs = NULL;
	NTSTATUS status;

	if (o->dc != NULL) {
		char *principal = bpau_client_principal(mem_ctx, o->dc);
		*dc_used = o->dc;
		if (principal == NULL) {
			return bpau_client_fail(r, L, NT_STATUS_INVALID_PARAMETER,
						"domain controller name %s is not a FQDN", o->dc);
		}
		status = associate(mem_ctx, NULL, 0, o->dc, o->dc_address, principal,
				   &ncacn_syntax_samr, o->timeout, c, r);
		if (!NT_STATUS_IS_OK(status)) {
			r->stage = L;
		}
		return status;
	}
	if (realm == NULL || realm[1] == '\0') {
		return bpau_client_fail(r, L, NT_STATUS_INVALID_PARAMETER,
					"%s has no realm to find a domain controller of: give --dc",
					account);
	}
	status = bpau_dc_locate(mem_ctx, realm + 1, o->timeout, &dcs, &reason);
	if (!NT_STATUS_IS_OK(status)) {
		char *srv = bpau_dc_srv_name(mem_ctx, realm + 1);
		return bpau_client_fail(r, L, status,
					"no domain controller to look up %s's SID: %s (%s); give --dc",
					account, reason ? reason : crypto_status_name(status),
					srv ? srv : "?");
	}
	for (size_t i = 0; dcs[i] != NULL; i++) {
		char *principal = bpau_client_principal(mem_ctx, dcs[i]);
		*dc_used = dcs[i];
		if (principal == NULL) {
			continue;
		}
		status = associate(mem_ctx, NULL, 0, dcs[i], NULL, principal, &ncacn_syntax_samr,
				   o->timeout, c, r);
		if (NT_STATUS_IS_OK(status)) {
			return status;
		}
		r->stage = L;
	}
	return NT_STATUS_IS_OK(status)
		       ? bpau_client_fail(r, L, NT_STATUS_NOT_FOUND,
					  "no domain controller found in DNS has a usable name")
		       : status;
}

/* lookup_sid: the server account's SID from the domain (SAMR LookupNames
 * at a DC), never from the certificate (3.2.4.1). */
static NTSTATUS lookup_sid(TALLOC_CTX *mem_ctx, const struct bpau_client_opts *o,
			   const char *account, struct crypto_sid *out,
			   struct bpau_client_result *r)
{
	TALLOC_CTX *frame = talloc_new(mem_ctx);
	const char *dc = NULL;
	char *sam = talloc_strndup(frame, account, strcspn(account, "@"));
	struct ncacn_conn *c;
	uint8_t connect_h[SAMR_HANDLE_LEN], domain_h[SAMR_HANDLE_LEN];
	uint8_t *req = NULL, *resp;
	size_t req_len = 0, resp_len;
	char *domain = NULL;
	struct crypto_sid sid;
	uint32_t rid = 0, type = 0;
	const enum bpau_client_stage L = BPAU_STAGE_LOOKUP;
	bool ok;
	NTSTATUS status;

	if (frame == NULL || sam == NULL) {
		talloc_free(frame);
		return bpau_client_fail(r, L, NT_STATUS_NO_MEMORY, "out of memory");
	}
	status = connect_dc(frame, o, account, &c, &dc, r);
	if (!NT_STATUS_IS_OK(status)) {
		talloc_free(frame);
		return status;
	}
	ok = samr_connect2_request(frame, 0x31 /* connect, enum and look up domains */, &req,
				   &req_len);
	status = call(c, frame, SAMR_OPNUM_CONNECT2, ok, req, req_len, &resp, &resp_len,
		      "SAMR Connect2", L, r);
	if (NT_STATUS_IS_OK(status)) {
		status = samr_handle_parse(resp, resp_len, connect_h);
	}
	if (NT_STATUS_IS_OK(status)) {
		ok = samr_enum_domains_request(frame, connect_h, &req, &req_len);
		status = call(c, frame, SAMR_OPNUM_ENUM_DOMAINS, ok, req, req_len, &resp, &resp_len,
			      "SAMR EnumDomains", L, r);
	}
	if (NT_STATUS_IS_OK(status)) {
		status = samr_enum_domains_parse(frame, resp, resp_len, &domain);
	}
	if (NT_STATUS_IS_OK(status)) {
		ok = samr_lookup_domain_request(frame, connect_h, domain, &req, &req_len);
		status = call(c, frame, SAMR_OPNUM_LOOKUP_DOMAIN, ok, req, req_len, &resp,
			      &resp_len, "SAMR LookupDomain", L, r);
	}
	if (NT_STATUS_IS_OK(status)) {
		status = samr_lookup_domain_parse(resp, resp_len, &sid);
	}
	if (NT_STATUS_IS_OK(status) && sid.num_auths >= CRYPTO_SID_MAX_SUBAUTH) {
		status = NT_STATUS_RPC_BAD_STUB_DATA;
	}
	if (NT_STATUS_IS_OK(status)) {
		ok = samr_open_domain_request(frame, connect_h, 0x200 /* DOMAIN_LOOKUP */, &sid, &req,
					      &req_len);
		status = call(c, frame, SAMR_OPNUM_OPEN_DOMAIN, ok, req, req_len, &resp, &resp_len,
			      "SAMR OpenDomain", L, r);
	}
	if (NT_STATUS_IS_OK(status)) {
		status = samr_handle_parse(resp, resp_len, domain_h);
	}
	if (NT_STATUS_IS_OK(status)) {
		ok = samr_lookup_names_request(frame, domain_h, sam, &req, &req_len);
		status = call(c, frame, SAMR_OPNUM_LOOKUP_NAMES, ok, req, req_len, &resp, &resp_len,
			      "SAMR LookupNames", L, r);
	}
	if (NT_STATUS_IS_OK(status)) {
		status = samr_lookup_names_parse(resp, resp_len, &rid, &type);
	}
	if (NT_STATUS_IS_OK(status) && type != SID_NAME_USER) {
		status = NT_STATUS_NONE_MAPPED;
	}
	if (!NT_STATUS_IS_OK(status)) {
		if (r->stage != L || !NT_STATUS_EQUAL(r->status, status)) {
			bpau_client_fail(r, L, status, "cannot resolve the SID of %s at %s: %s", sam, dc,
			      crypto_status_name(status));
		}
		talloc_free(frame);
		return status;
	}
	sid.sub_auths[sid.num_auths++] = rid;
	*out = sid;
	talloc_free(r->lookup_dc);
	r->lookup_dc = talloc_strdup(r, dc);
	talloc_free(frame);
	return NT_STATUS_OK;
}

/* The client cache (remembered SID lookups and our own blob): an
 * optimisation, so NULL when it cannot be opened at its default place.  A
 * cache the caller named (--sid-cache) that cannot be used is an error:
 * *reason says why. */
static NTSTATUS open_sidcache(TALLOC_CTX *mem_ctx, const struct bpau_client_opts *o,
			      struct sidcache **cache, const char **reason)
{
	const char *path;
	NTSTATUS status;

	*cache = NULL;
	path = o->sid_cache ? o->sid_cache : sidcache_default_path(mem_ctx, o->table_file);
	if (path == NULL) {
		return NT_STATUS_OK;
	}
	status = sidcache_open(mem_ctx, path, cache, reason);
	return o->sid_cache == NULL ? NT_STATUS_OK : status;
}

/*
 * own_blob: our certificate file as the CERTIFICATE_BLOB we send.  An
 * unchanged file is taken from the cache as built before (see sidcache.h):
 * no certificate decode, no OpenSSL start-up.
 */
static NTSTATUS own_blob(TALLOC_CTX *mem_ctx, struct sidcache *cache, const char *path,
			 uint8_t **blob, size_t *blob_len, bool *cached, const char **reason)
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
	*cached = NT_STATUS_IS_OK(status) &&
		  sidcache_get_own(cache, mem_ctx, file, file_len, blob, blob_len);
	if (NT_STATUS_IS_OK(status) && !*cached) {
		status = crypto_x509_parse_file(frame, file, file_len, &x, reason);
		if (NT_STATUS_IS_OK(status)) {
			status = certblob_build(frame, x, NULL, 0, &built, reason);
		}
		if (NT_STATUS_IS_OK(status)) {
			*blob = talloc_steal(mem_ctx, built->raw);
			*blob_len = built->raw_len;
			sidcache_put_own(cache, file, file_len, *blob, *blob_len);
		}
	}
	talloc_free(frame);
	return status;
}

NTSTATUS bpau_client_lookup_sid(TALLOC_CTX *mem_ctx, const struct bpau_client_opts *o,
				const char *account, struct crypto_sid *sid,
				struct bpau_client_result **out)
{
	struct bpau_client_result *r = talloc_zero(mem_ctx, struct bpau_client_result);
	struct bpau_client_opts opts = *o;
	const char *reason = NULL;
	NTSTATUS status;

	if (r == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	*out = r;
	if (opts.timeout == 0) {
		opts.timeout = BPAU_CALL_TIMEOUT;
	}
	if (opts.dc == NULL) {
		return bpau_client_fail(r, BPAU_STAGE_SETUP, NT_STATUS_INVALID_PARAMETER,
			     "a domain controller (--dc FQDN) is needed for the lookup");
	}
	if (opts.ccache != NULL && !NT_STATUS_IS_OK(ncacn_set_ccache(opts.ccache, &reason))) {
		return bpau_client_fail(r, BPAU_STAGE_SETUP, NT_STATUS_INVALID_PARAMETER, "--ccache: %s", reason);
	}
	status = lookup_sid(r, &opts, account, sid, r);
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
	struct certtable *table;
	struct sidcache *cache;
	uint8_t *ours = NULL;
	size_t ours_len = 0;
	struct ncacn_conn *c;
	const char *reason = NULL;
	uint8_t *req = NULL, *resp;
	size_t req_len = 0, resp_len;
	const uint8_t *server_key = NULL;
	uint32_t server_len = 0;
	bool encoded;
	NTSTATUS status;

	if (r == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	*out = r;
	frame = talloc_new(r);
	if (frame == NULL) {
		return bpau_client_fail(r, BPAU_STAGE_SETUP, NT_STATUS_NO_MEMORY, "out of memory");
	}
	struct bpau_client_opts opts = *o;
	if (opts.timeout == 0) {
		opts.timeout = BPAU_CALL_TIMEOUT;
	}
	r->principal = opts.principal ? talloc_strdup(r, opts.principal)
				      : bpau_client_principal(r, opts.host);
	if (r->principal == NULL) {
		return bpau_client_fail(r, BPAU_STAGE_SETUP, NT_STATUS_INVALID_PARAMETER,
			     "%s is not a fully qualified domain name; give --principal",
			     opts.host);
	}

	/* The table first: a file there that is not a table stops us before
	 * anything (the cache beside it) is written. */
	status = certtable_open(frame, opts.table_file, opts.table_size, &table, &reason);
	if (!NT_STATUS_IS_OK(status)) {
		return bpau_client_fail(r, BPAU_STAGE_SETUP, status, "cannot open the table %s: %s",
			     opts.table_file, reason ? reason : crypto_status_name(status));
	}
	reason = NULL;
	status = open_sidcache(frame, &opts, &cache, &reason);
	if (!NT_STATUS_IS_OK(status)) {
		return bpau_client_fail(r, BPAU_STAGE_SETUP, status, "--sid-cache %s: %s",
					opts.sid_cache, reason ? reason : crypto_status_name(status));
	}
	/* 3.2.4.1: "The client MUST send its local certificate". */
	if (!opts.no_client_key) {
		status = own_blob(frame, cache, opts.cert_file ? opts.cert_file : "", &ours,
				  &ours_len, &r->own_cached, &reason);
		if (!NT_STATUS_IS_OK(status)) {
			return bpau_client_fail(r, BPAU_STAGE_SETUP, status, "our certificate %s: %s",
				     opts.cert_file ? opts.cert_file : "(none given)",
				     reason ? reason : crypto_status_name(status));
		}
	}
	/* Before anything goes out: a bad --server-sid must not cost the
	 * server an insert of our certificate. */
	if (opts.server_sid != NULL) {
		status = crypto_sid_parse(opts.server_sid, &r->server_sid, &reason);
		if (!NT_STATUS_IS_OK(status)) {
			return bpau_client_fail(r, BPAU_STAGE_SETUP, status, "--server-sid: %s", reason);
		}
	}
	if (opts.ccache != NULL && !NT_STATUS_IS_OK(ncacn_set_ccache(opts.ccache, &reason))) {
		return bpau_client_fail(r, BPAU_STAGE_SETUP, NT_STATUS_INVALID_PARAMETER, "--ccache: %s", reason);
	}

	status = associate(frame, cache, opts.endpoint_cache_ttl, opts.host, opts.address,
			   r->principal, &ncacn_syntax_bitspeerauth, opts.timeout, &c, r);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	r->binding = talloc_asprintf(r, "ncacn_ip_tcp:%s[%u,seal,krb5,target_principal=%s]%s",
				     opts.address ? opts.address : opts.host,
				     (unsigned)ncacn_port(c), r->principal,
				     r->endpoint_cached ? " (endpoint remembered)" : "");
	/* 3.2.2: a 15-second call timeout (per step, from ncacn_connect). */
	encoded = bpau_exchange_request(frame, ours, (uint32_t)ours_len, &req, &req_len);
	status = call(c, frame, BPAU_OPNUM_EXCHANGE, encoded, req, req_len, &resp, &resp_len,
		      "ExchangePublicKeys", BPAU_STAGE_CALL, r);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	status = bpau_exchange_parse(resp, resp_len, &server_key, &server_len, &r->hresult);
	if (!NT_STATUS_IS_OK(status)) {
		return bpau_client_fail(r, BPAU_STAGE_CALL, status,
			     "ExchangePublicKeys on %s: the response does not decode",
			     opts.host);
	}
	talloc_free(c);
	if (r->hresult != BPAU_S_OK) {
		/* 3.2.4.1: ignore the out parameters, report the error. */
		return bpau_client_fail(r, BPAU_STAGE_SERVER, NT_STATUS_ACCESS_DENIED,
			     "%s refused the exchange: 0x%08x (%s)", opts.host, r->hresult,
			     bpau_hresult_name(r->hresult));
	}

	if (opts.server_sid == NULL) {
		r->sid_cached = sidcache_get(cache, r->principal, opts.sid_cache_ttl, &r->server_sid);
		if (!r->sid_cached) {
			status = lookup_sid(frame, &opts, r->principal, &r->server_sid, r);
			if (!NT_STATUS_IS_OK(status)) {
				return status;
			}
			sidcache_put(cache, r->principal, &r->server_sid);
		}
	}
	status = bpau_client_accept(table, r->hresult, server_len, server_key, &r->server_sid,
				    r->principal, &r->outcome, &reason);
	if (NT_STATUS_EQUAL(status, NT_STATUS_ACCESS_DENIED) && r->sid_cached) {
		/* Never refuse on the cache's word: the account may have been
		 * recreated.  Ask the domain, remember its answer, decide. */
		r->sid_cached = false;
		status = lookup_sid(frame, &opts, r->principal, &r->server_sid, r);
		if (!NT_STATUS_IS_OK(status)) {
			return status;
		}
		sidcache_put(cache, r->principal, &r->server_sid);
		status = bpau_client_accept(table, r->hresult, server_len, server_key,
					    &r->server_sid, r->principal, &r->outcome, &reason);
	}
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
						opts.host, r->principal, sid,
						reason ? reason : crypto_status_name(status));
		}
		return bpau_client_fail(r, BPAU_STAGE_TABLE, status, "%s (%s, %s): %s (%s)",
					opts.host, r->principal, sid,
					reason ? reason : "our peer certificate table",
					crypto_status_name(status));
	}
	r->stage = BPAU_STAGE_DONE;
	r->status = NT_STATUS_OK;
	r->message = talloc_asprintf(r, "exchanged certificates with %s (%s)", opts.host,
				     r->principal);
	talloc_free(frame);
	return NT_STATUS_OK;
}
