/*
 * exchange_server.c: ExchangePublicKeys on the server (MS-BPAU 3.1.4.1).
 * See exchange_server.h.
 */
#include "rpc/server/exchange_server.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct bpau_server {
	struct bpau_server_config cfg;
	struct certtable *table;
	struct certblob *own; /* our certificate, encoded once */
	bpau_log_fn log;
	void *log_data;
};

static void server_log(const struct bpau_server *srv, enum bpau_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void server_log(const struct bpau_server *srv, enum bpau_log_level level, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (srv->log == NULL) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* A caller's certificate names itself: a control character in its
	 * subject (a newline, say) must not make a line of its own in the
	 * log, which administrators read for every decision. */
	for (char *p = buf; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			*p = '?';
		}
	}
	srv->log(srv->log_data, level, buf);
}

static NTSTATUS load_own(TALLOC_CTX *mem_ctx, const char *path, struct certblob **out,
			 const char **reason)
{
	struct crypto_x509 *x;
	NTSTATUS status;

	if (path == NULL) {
		crypto_set_reason(reason, "no certificate file is configured");
		return NT_STATUS_INVALID_PARAMETER;
	}
	status = crypto_x509_read_file(mem_ctx, path, &x, reason);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	/* 3.1.4.1: our blob carries no KEY_PROV_INFO (certblob_build never
	 * emits it). */
	status = certblob_build(mem_ctx, x, NULL, 0, out, reason);
	talloc_free(x);
	return status;
}

NTSTATUS bpau_server_new(TALLOC_CTX *mem_ctx, const struct bpau_server_config *cfg,
			 bpau_log_fn log, void *log_data, struct bpau_server **out,
			 const char **reason)
{
	struct bpau_server *srv = talloc_zero(mem_ctx, struct bpau_server);
	NTSTATUS status;

	if (srv == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	srv->cfg = *cfg;
	srv->cfg.cert_file = talloc_strdup(srv, cfg->cert_file ? cfg->cert_file : "");
	srv->cfg.table_file = talloc_strdup(srv, cfg->table_file ? cfg->table_file : "");
	if (srv->cfg.table_size == 0) {
		srv->cfg.table_size = CERTTABLE_DEFAULT_CAPACITY;
	}
	if (srv->cfg.min_auth_level == 0) {
		srv->cfg.min_auth_level = BPAU_AUTH_LEVEL_PRIVACY;
	}
	srv->log = log;
	srv->log_data = log_data;
	status = load_own(srv, cfg->cert_file, &srv->own, reason);
	if (!NT_STATUS_IS_OK(status)) {
		talloc_free(srv);
		return status;
	}
	status = certtable_open(srv, srv->cfg.table_file, srv->cfg.table_size, &srv->table, reason);
	if (!NT_STATUS_IS_OK(status)) {
		if (!NT_STATUS_EQUAL(status, NT_STATUS_OBJECT_TYPE_MISMATCH) &&
		    !NT_STATUS_EQUAL(status, NT_STATUS_FILE_CORRUPT_ERROR)) {
			crypto_set_reason(reason, "cannot open the peer certificate table");
		}
		talloc_free(srv);
		return status;
	}
	*out = srv;
	return NT_STATUS_OK;
}

const char *bpau_server_cert_file(const struct bpau_server *srv)
{
	return srv->cfg.cert_file[0] != '\0' ? srv->cfg.cert_file : NULL;
}

NTSTATUS bpau_server_reload_cert(struct bpau_server *srv, const char **reason)
{
	struct certblob *fresh;
	NTSTATUS status = load_own(srv, srv->cfg.cert_file, &fresh, reason);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	talloc_free(srv->own);
	srv->own = fresh;
	return NT_STATUS_OK;
}

struct certtable *bpau_server_table(struct bpau_server *srv)
{
	return srv->table;
}

static const char *mech_name(enum bpau_mech m)
{
	switch (m) {
	case BPAU_MECH_NONE:
		return "none";
	case BPAU_MECH_KERBEROS:
		return "Kerberos";
	case BPAU_MECH_NTLM:
		return "NTLM";
	case BPAU_MECH_OTHER:
		return "other";
	}
	return "?";
}

/* check_caller: "The server MUST first check whether the client's
 * identity ... is an account in a domain that is trusted by the server"
 * and, as Windows does (note 2), that it is a computer account.  Kerberos
 * only (1.7, 2.1). */
static bool check_caller(const struct bpau_server *srv, const struct bpau_caller *c,
			 const char *sid)
{
	if (c->mech == BPAU_MECH_NONE || c->anonymous) {
		server_log(srv, BPAU_LOG_NOTICE, "ExchangePublicKeys from %s: denied: "
		      "unauthenticated or anonymous caller", sid);
		return false;
	}
	if (c->mech != BPAU_MECH_KERBEROS) {
		server_log(srv, BPAU_LOG_NOTICE, "ExchangePublicKeys from %s (%s): denied: "
		      "authenticated with %s, only Kerberos is allowed", sid,
		      c->principal ? c->principal : "?", mech_name(c->mech));
		return false;
	}
	if (c->auth_level < srv->cfg.min_auth_level) {
		server_log(srv, BPAU_LOG_NOTICE, "ExchangePublicKeys from %s (%s): denied: "
		      "authentication level %d below the required %d", sid,
		      c->principal ? c->principal : "?", c->auth_level, srv->cfg.min_auth_level);
		return false;
	}
	if (!c->is_computer) {
		server_log(srv, BPAU_LOG_NOTICE, "ExchangePublicKeys from %s (%s): denied: "
		      "not a computer account", sid, c->principal ? c->principal : "?");
		return false;
	}
	return true;
}

uint32_t bpau_server_exchange(struct bpau_server *srv, TALLOC_CTX *mem_ctx,
			      const struct bpau_caller *caller, uint32_t client_len,
			      const uint8_t *client_key, uint32_t *server_len,
			      uint8_t **server_key)
{
	TALLOC_CTX *frame = talloc_new(mem_ctx);
	char sid[CRYPTO_SID_MAX_STRING];
	const char *principal = caller->principal ? caller->principal : "?";
	const char *reason = NULL;
	uint32_t hr = BPAU_E_FAIL;
	uint8_t *reply;

	*server_len = 0;
	*server_key = NULL;
	if (frame == NULL) {
		return BPAU_E_OUTOFMEMORY;
	}
	if (caller->mech == BPAU_MECH_NONE || caller->sid.num_auths == 0) {
		snprintf(sid, sizeof(sid), "(anonymous)");
	} else {
		crypto_sid_format(&caller->sid, sid);
	}
	if (!check_caller(srv, caller, sid)) {
		hr = BPAU_E_ACCESSDENIED;
		goto out;
	}

	/* "If ClientKeyLength is zero, then the server MUST NOT decode the
	 * client certificate." */
	if (client_len != 0) {
		struct certblob *blob;
		enum certtable_outcome outcome;
		NTSTATUS status;

		bool refreshed = false;

		if (client_key == NULL) {
			/* NDR rejects this; guard anyway. */
			hr = BPAU_E_INVALIDARG;
			goto out;
		}
		/* The blob this caller's entry already holds: it was decoded
		 * and checked against this SID when inserted, so only its
		 * insertion time changes (no X.509 decode). */
		status = certtable_refresh(srv->table, &caller->sid, principal, client_key,
					   client_len, &refreshed);
		if (NT_STATUS_IS_OK(status) && refreshed) {
			server_log(srv, BPAU_LOG_INFO, "ExchangePublicKeys from %s (%s): certificate "
			      "unchanged, refreshed", sid, principal);
			goto answer;
		}
		status = certblob_parse(frame, client_key, client_len, &blob, &reason);
		if (NT_STATUS_EQUAL(status, NT_STATUS_NO_MEMORY)) {
			hr = BPAU_E_OUTOFMEMORY;
			goto out;
		}
		if (!NT_STATUS_IS_OK(status)) {
			server_log(srv, BPAU_LOG_NOTICE, "ExchangePublicKeys from %s (%s): "
			      "rejected: client blob does not decode: %s", sid, principal, reason);
			hr = BPAU_E_INVALIDARG;
			goto out;
		}
		/* "The subject of the client certificate MUST be a SID string
		 * ... representing the client's Kerberos identity." */
		if (!certblob_names_sid(blob, &caller->sid)) {
			char *text = crypto_x509_subject_text(frame, blob->x509);
			server_log(srv, BPAU_LOG_NOTICE, "ExchangePublicKeys from %s (%s): denied: "
			      "certificate subject \"%s\" is not the caller's SID", sid, principal,
			      text != NULL ? text : "?");
			hr = BPAU_E_ACCESSDENIED;
			goto out;
		}
		status = certtable_insert(srv->table, &caller->sid, principal, blob, &outcome);
		if (NT_STATUS_EQUAL(status, NT_STATUS_CERTTABLE_FULL)) {
			server_log(srv, BPAU_LOG_NOTICE, "ExchangePublicKeys from %s (%s): refused: "
			      "table full and its oldest entry is younger than a minute", sid,
			      principal);
			hr = BPAU_E_TABLE_FULL;
			goto out;
		}
		if (!NT_STATUS_IS_OK(status)) {
			server_log(srv, BPAU_LOG_ERROR, "ExchangePublicKeys from %s (%s): failed: "
			      "table insert: %s", sid, principal, crypto_status_name(status));
			hr = BPAU_E_FAIL;
			goto out;
		}
		server_log(srv, BPAU_LOG_INFO, "ExchangePublicKeys from %s (%s): certificate %s",
		      sid, principal, certtable_outcome_name(outcome));
	} else {
		server_log(srv, BPAU_LOG_INFO, "ExchangePublicKeys from %s (%s): no client "
		      "certificate; returning ours", sid, principal);
	}

answer:
	/* "The server MUST encode its own certificate as a CERTIFICATE_BLOB"
	 * -- encoded once at start or reload. */
	reply = talloc_memdup(mem_ctx, srv->own->raw, srv->own->raw_len);
	if (reply == NULL) {
		hr = BPAU_E_OUTOFMEMORY;
		goto out;
	}
	*server_key = reply;
	*server_len = (uint32_t)srv->own->raw_len;
	hr = BPAU_S_OK;
out:
	talloc_free(frame);
	return hr;
}
