/*
 * creds.c: the API's credentials (UTF-8, credssp.h) to and from
 * TSCredentials (MS-CSSP 2.2.1.2, UTF-16LE on the wire) through the
 * codec of credssp_msg.h.  Everything is built on one temporary talloc
 * tree, freed (and its secrets wiped) before returning.
 */
#include <string.h>

#include "credssp/credssp.h"

bool credssp_credentials_restricted_admin(const struct credssp_credentials *c)
{
	return c->type == CREDSSP_CRED_PASSWORD &&
	       (c->password.domain == NULL || c->password.domain[0] == '\0') &&
	       (c->password.user == NULL || c->password.user[0] == '\0') &&
	       (c->password.password == NULL || c->password.password->len == 0);
}

/* ---- UTF-8 -> wire -------------------------------------------------------- */

/* to_wire: a required string (NULL is empty) into |o|. */
static NTSTATUS to_wire(TALLOC_CTX *t, const char *s, struct credssp_octets *o,
			const char **reason)
{
	struct credssp_octets *tmp = NULL;
	NTSTATUS status = credssp_utf8_to_octets(t, s != NULL ? s : "", &tmp, reason);

	if (NT_STATUS_IS_OK(status)) {
		*o = *tmp;
	}
	return status;
}

/* to_wire_opt: an OPTIONAL string: NULL stays absent. */
static NTSTATUS to_wire_opt(TALLOC_CTX *t, const char *s, struct credssp_octets **o,
			    const char **reason)
{
	*o = NULL;
	return s == NULL ? NT_STATUS_OK : credssp_utf8_to_octets(t, s, o, reason);
}

static NTSTATUS secret_to_wire(TALLOC_CTX *t, const struct crypto_secret *s,
			       struct crypto_secret **o, const char **reason)
{
	return credssp_utf8_to_secret(t, s != NULL ? (const char *)s->data : "", o, reason);
}

static NTSTATUS package_to_wire(TALLOC_CTX *t, const struct credssp_package_cred *p,
				struct credssp_tsremoteguardpackagecred *o, const char **reason)
{
	NTSTATUS status = to_wire(t, p->package_name, &o->package_name, reason);

	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	o->cred_buffer = p->cred_buffer != NULL
				 ? crypto_secret_dup(t, p->cred_buffer->data, p->cred_buffer->len)
				 : crypto_secret_new(t, 0);
	return o->cred_buffer != NULL ? NT_STATUS_OK : NT_STATUS_NO_MEMORY;
}

static NTSTATUS encode_kind(TALLOC_CTX *t, const struct credssp_credentials *c,
			    struct crypto_secret **der, const char **reason)
{
	NTSTATUS status = NT_STATUS_OK;

#define TRY(x)                                       \
	do {                                         \
		if (!NT_STATUS_IS_OK(status = (x))) { \
			return status;               \
		}                                    \
	} while (0)
	switch (c->type) {
	case CREDSSP_CRED_PASSWORD: {
		struct credssp_tspasswordcreds p = { 0 };

		TRY(to_wire(t, c->password.domain, &p.domain_name, reason));
		TRY(to_wire(t, c->password.user, &p.user_name, reason));
		TRY(secret_to_wire(t, c->password.password, &p.password, reason));
		return credssp_tspasswordcreds_build(t, &p, der, reason);
	}
	case CREDSSP_CRED_SMARTCARD: {
		struct credssp_tssmartcardcreds s = { 0 };

		TRY(secret_to_wire(t, c->smartcard.pin, &s.pin, reason));
		s.csp_data.key_spec = c->smartcard.key_spec;
		TRY(to_wire_opt(t, c->smartcard.card_name, &s.csp_data.card_name, reason));
		TRY(to_wire_opt(t, c->smartcard.reader_name, &s.csp_data.reader_name, reason));
		TRY(to_wire_opt(t, c->smartcard.container_name, &s.csp_data.container_name,
				reason));
		TRY(to_wire_opt(t, c->smartcard.csp_name, &s.csp_data.csp_name, reason));
		TRY(to_wire_opt(t, c->smartcard.user_hint, &s.user_hint, reason));
		TRY(to_wire_opt(t, c->smartcard.domain_hint, &s.domain_hint, reason));
		return credssp_tssmartcardcreds_build(t, &s, der, reason);
	}
	case CREDSSP_CRED_REMOTE_GUARD: {
		struct credssp_tsremoteguardcreds g = { 0 };
		size_t n = c->remote_guard.num_supplemental;

		if (n > CREDSSP_SUPPLEMENTAL_CREDS_MAX) {
			crypto_set_reason(reason, "more than 16 supplemental credentials");
			return NT_STATUS_INVALID_PARAMETER;
		}
		TRY(package_to_wire(t, &c->remote_guard.logon, &g.logon_cred, reason));
		g.has_supplemental_creds = n > 0;
		g.num_supplemental_creds = n;
		if (n > 0) {
			g.supplemental_creds =
				talloc_zero_array(t, struct credssp_tsremoteguardpackagecred, n);
			if (g.supplemental_creds == NULL) {
				return NT_STATUS_NO_MEMORY;
			}
		}
		for (size_t i = 0; i < n; i++) {
			TRY(package_to_wire(t, &c->remote_guard.supplemental[i],
					    &g.supplemental_creds[i], reason));
		}
		return credssp_tsremoteguardcreds_build(t, &g, der, reason);
	}
	}
#undef TRY
	crypto_set_reason(reason, "unknown credential type");
	return NT_STATUS_INVALID_PARAMETER;
}

NTSTATUS credssp_credentials_encode(TALLOC_CTX *mem_ctx, const struct credssp_credentials *c,
				    struct crypto_secret **out, const char **reason)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct credssp_tscredentials ts = { 0 };
	struct crypto_secret *der = NULL, *res = NULL;
	NTSTATUS status;

	if (t == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	status = encode_kind(t, c, &der, reason);
	if (NT_STATUS_IS_OK(status)) {
		ts.cred_type = c->type;
		ts.credentials = der;
		status = credssp_tscredentials_build(mem_ctx, &ts, &res, reason);
	}
	talloc_free(t);
	if (NT_STATUS_IS_OK(status)) {
		*out = res;
	}
	return status;
}

/* ---- wire -> UTF-8 -------------------------------------------------------- */

static NTSTATUS from_wire_opt(TALLOC_CTX *mem_ctx, const struct credssp_octets *o, char **s,
			      const char **reason)
{
	*s = NULL;
	return o == NULL ? NT_STATUS_OK : credssp_octets_to_utf8(mem_ctx, o, s, reason);
}

static NTSTATUS package_from_wire(TALLOC_CTX *mem_ctx,
				  const struct credssp_tsremoteguardpackagecred *p,
				  struct credssp_package_cred *o, const char **reason)
{
	NTSTATUS status = credssp_octets_to_utf8(mem_ctx, &p->package_name, &o->package_name,
						 reason);

	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	o->cred_buffer = crypto_secret_dup(mem_ctx, p->cred_buffer->data, p->cred_buffer->len);
	return o->cred_buffer != NULL ? NT_STATUS_OK : NT_STATUS_NO_MEMORY;
}

static NTSTATUS decode_kind(TALLOC_CTX *t, const struct credssp_tscredentials *ts,
			    struct credssp_credentials *c, const char **reason)
{
	const struct crypto_secret *d = ts->credentials;
	NTSTATUS status;

#define TRY(x)                                       \
	do {                                         \
		if (!NT_STATUS_IS_OK(status = (x))) { \
			return status;               \
		}                                    \
	} while (0)
	c->type = ts->cred_type;
	switch (ts->cred_type) {
	case CREDSSP_CRED_PASSWORD: {
		struct credssp_tspasswordcreds *p = NULL;

		TRY(credssp_tspasswordcreds_parse(t, d->data, d->len, &p, reason));
		TRY(credssp_octets_to_utf8(c, &p->domain_name, &c->password.domain, reason));
		TRY(credssp_octets_to_utf8(c, &p->user_name, &c->password.user, reason));
		TRY(credssp_secret_to_utf8(c, p->password, &c->password.password, reason));
		return NT_STATUS_OK;
	}
	case CREDSSP_CRED_SMARTCARD: {
		struct credssp_tssmartcardcreds *s = NULL;

		TRY(credssp_tssmartcardcreds_parse(t, d->data, d->len, &s, reason));
		TRY(credssp_secret_to_utf8(c, s->pin, &c->smartcard.pin, reason));
		c->smartcard.key_spec = s->csp_data.key_spec;
		TRY(from_wire_opt(c, s->csp_data.card_name, &c->smartcard.card_name, reason));
		TRY(from_wire_opt(c, s->csp_data.reader_name, &c->smartcard.reader_name, reason));
		TRY(from_wire_opt(c, s->csp_data.container_name, &c->smartcard.container_name,
				  reason));
		TRY(from_wire_opt(c, s->csp_data.csp_name, &c->smartcard.csp_name, reason));
		TRY(from_wire_opt(c, s->user_hint, &c->smartcard.user_hint, reason));
		TRY(from_wire_opt(c, s->domain_hint, &c->smartcard.domain_hint, reason));
		return NT_STATUS_OK;
	}
	case CREDSSP_CRED_REMOTE_GUARD: {
		struct credssp_tsremoteguardcreds *g = NULL;
		size_t n;

		TRY(credssp_tsremoteguardcreds_parse(t, d->data, d->len, &g, reason));
		TRY(package_from_wire(c, &g->logon_cred, &c->remote_guard.logon, reason));
		n = g->num_supplemental_creds;
		if (n > 0) {
			c->remote_guard.supplemental =
				talloc_zero_array(c, struct credssp_package_cred, n);
			if (c->remote_guard.supplemental == NULL) {
				return NT_STATUS_NO_MEMORY;
			}
		}
		c->remote_guard.num_supplemental = n;
		for (size_t i = 0; i < n; i++) {
			TRY(package_from_wire(c, &g->supplemental_creds[i],
					      &c->remote_guard.supplemental[i], reason));
		}
		return NT_STATUS_OK;
	}
	}
#undef TRY
	crypto_set_reason(reason, "unknown credential type");
	return NT_STATUS_INVALID_PARAMETER;
}

NTSTATUS credssp_credentials_decode(TALLOC_CTX *mem_ctx, const uint8_t *buf, size_t len,
				    struct credssp_credentials **out, const char **reason)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct credssp_tscredentials *ts = NULL;
	struct credssp_credentials *c;
	NTSTATUS status;

	c = talloc_zero(mem_ctx, struct credssp_credentials);
	if (t == NULL || c == NULL) {
		talloc_free(t);
		talloc_free(c);
		return NT_STATUS_NO_MEMORY;
	}
	status = credssp_tscredentials_parse(t, buf, len, &ts, reason);
	if (NT_STATUS_IS_OK(status)) {
		status = decode_kind(t, ts, c, reason);
	}
	talloc_free(t);
	if (!NT_STATUS_IS_OK(status)) {
		talloc_free(c);
		return status;
	}
	*out = c;
	return NT_STATUS_OK;
}
