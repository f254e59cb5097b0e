/*
 * negoex_krb5.c: Kerberos through Heimdal's GSSAPI as a negoex/spnego
 * mechanism (negoex_krb5.h).  Nothing of RFC 4121 by hand: every token and
 * MIC is Heimdal's (gss_init_sec_context, gss_accept_sec_context,
 * gss_get_mic, gss_verify_mic with the krb5 mechanism OID).
 */
#include "negoex/krb5/negoex_krb5.h"

#include <stdint.h>
#include <string.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>

struct negoex_krb5 {
	enum negoex_role role;
	gss_name_t target;
	gss_ctx_id_t ctx;
	gss_name_t peer;
	OM_uint32 flags;
	bool established;
	char *last_error;
};

static gss_OID_desc krb5_oid = {9, "\x2a\x86\x48\x86\xf7\x12\x01\x02\x02"};

static int krb5_destructor(struct negoex_krb5 *k)
{
	OM_uint32 minor;

	if (k->ctx != GSS_C_NO_CONTEXT) {
		gss_delete_sec_context(&minor, &k->ctx, GSS_C_NO_BUFFER);
	}
	if (k->target != GSS_C_NO_NAME) {
		gss_release_name(&minor, &k->target);
	}
	if (k->peer != GSS_C_NO_NAME) {
		gss_release_name(&minor, &k->peer);
	}
	return 0;
}

/* gss_text: "what: major text (minor text)" on mem_ctx. */
static char *gss_text(TALLOC_CTX *mem_ctx, const char *what, OM_uint32 major, OM_uint32 minor)
{
	char *s = talloc_asprintf(mem_ctx, "%s:", what);
	OM_uint32 tmp, ctx = 0;
	gss_buffer_desc b;

	do {
		if (GSS_ERROR(gss_display_status(&tmp, major, GSS_C_GSS_CODE, GSS_C_NO_OID, &ctx, &b))) {
			break;
		}
		s = talloc_asprintf_append(s, " %.*s", (int)b.length, (const char *)b.value);
		gss_release_buffer(&tmp, &b);
	} while (ctx != 0 && s != NULL);
	ctx = 0;
	do {
		if (minor == 0 || GSS_ERROR(gss_display_status(&tmp, minor, GSS_C_MECH_CODE,
							       &krb5_oid, &ctx, &b))) {
			break;
		}
		s = talloc_asprintf_append(s, " (%.*s)", (int)b.length, (const char *)b.value);
		gss_release_buffer(&tmp, &b);
	} while (ctx != 0 && s != NULL);
	return s;
}

static void set_error(struct negoex_krb5 *k, const char *what, OM_uint32 major, OM_uint32 minor)
{
	talloc_free(k->last_error);
	k->last_error = gss_text(k, what, major, minor);
}

NTSTATUS negoex_krb5_new(TALLOC_CTX *mem_ctx, const struct negoex_krb5_config *cfg,
			 struct negoex_krb5 **out, const char **reason)
{
	struct negoex_krb5 *k;
	OM_uint32 major, minor;
	gss_buffer_desc name;

	if (cfg->role == NEGOEX_ROLE_INITIATOR && (cfg->target == NULL || cfg->target[0] == '\0')) {
		crypto_set_reason(reason, "the initiator needs a target service");
		return NT_STATUS_INVALID_PARAMETER;
	}
	k = talloc_zero(mem_ctx, struct negoex_krb5);
	if (k == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	k->role = cfg->role;
	k->ctx = GSS_C_NO_CONTEXT;
	k->target = GSS_C_NO_NAME;
	k->peer = GSS_C_NO_NAME;
	talloc_set_destructor(k, krb5_destructor);
	if (cfg->role == NEGOEX_ROLE_INITIATOR) {
		name.value = (void *)(uintptr_t)(cfg->target);
		name.length = strlen(cfg->target);
		major = gss_import_name(&minor, &name,
					strchr(cfg->target, '/') != NULL ? GSS_KRB5_NT_PRINCIPAL_NAME
									 : GSS_C_NT_HOSTBASED_SERVICE,
					&k->target);
		if (GSS_ERROR(major)) {
			talloc_free(k);
			crypto_set_reason(reason, "gss_import_name refused the target name");
			return NT_STATUS_INVALID_PARAMETER;
		}
	}
	*out = k;
	return NT_STATUS_OK;
}

const char *negoex_krb5_last_error(const struct negoex_krb5 *k)
{
	return k->last_error;
}

char *negoex_krb5_peer_name(TALLOC_CTX *mem_ctx, const struct negoex_krb5 *k)
{
	OM_uint32 minor;
	gss_buffer_desc b;
	char *s;

	if (!k->established || k->peer == GSS_C_NO_NAME ||
	    GSS_ERROR(gss_display_name(&minor, k->peer, &b, NULL))) {
		return NULL;
	}
	s = talloc_strndup(mem_ctx, b.value, b.length);
	gss_release_buffer(&minor, &b);
	return s;
}

static NTSTATUS krb5_step(void *priv, TALLOC_CTX *mem_ctx, const uint8_t *in, size_t in_len,
			  uint8_t **out, size_t *out_len)
{
	struct negoex_krb5 *k = priv;
	gss_buffer_desc ib = {in_len, (void *)(uintptr_t)(in)};
	gss_buffer_desc ob = GSS_C_EMPTY_BUFFER;
	OM_uint32 major, minor, tmp;

	if (k->established) {
		return NT_STATUS_INVALID_DEVICE_STATE;
	}
	if (k->role == NEGOEX_ROLE_INITIATOR) {
		/* mutual authentication and integrity, as MIT's SPNEGO asks
		 * for (spnego_mech.c init_ctx_call_init adds INTEG) */
		major = gss_init_sec_context(&minor, GSS_C_NO_CREDENTIAL, &k->ctx, k->target,
					     &krb5_oid,
					     GSS_C_MUTUAL_FLAG | GSS_C_INTEG_FLAG |
						     GSS_C_SEQUENCE_FLAG | GSS_C_REPLAY_FLAG,
					     0, GSS_C_NO_CHANNEL_BINDINGS,
					     in == NULL ? GSS_C_NO_BUFFER : &ib, NULL, &ob, &k->flags,
					     NULL);
	} else {
		major = gss_accept_sec_context(&minor, &k->ctx, GSS_C_NO_CREDENTIAL, &ib,
					       GSS_C_NO_CHANNEL_BINDINGS, &k->peer, NULL, &ob,
					       &k->flags, NULL, NULL);
	}
	*out = NULL;
	*out_len = 0;
	if (ob.length > 0) {
		*out = talloc_memdup(mem_ctx, ob.value, ob.length);
		*out_len = ob.length;
		gss_release_buffer(&tmp, &ob);
		if (*out == NULL) {
			*out_len = 0;
			return NT_STATUS_NO_MEMORY;
		}
	}
	if (GSS_ERROR(major)) {
		set_error(k, k->role == NEGOEX_ROLE_INITIATOR ? "gss_init_sec_context"
							      : "gss_accept_sec_context",
			  major, minor);
		return NT_STATUS_LOGON_FAILURE;
	}
	if (major & GSS_S_CONTINUE_NEEDED) {
		return NT_STATUS_MORE_PROCESSING_REQUIRED;
	}
	k->established = true;
	return NT_STATUS_OK;
}

static bool krb5_has_integ(void *priv)
{
	const struct negoex_krb5 *k = priv;

	return k->established && (k->flags & GSS_C_INTEG_FLAG) != 0;
}

static NTSTATUS krb5_get_mic(void *priv, TALLOC_CTX *mem_ctx, const uint8_t *msg, size_t len,
			     uint8_t **mic, size_t *mic_len)
{
	struct negoex_krb5 *k = priv;
	gss_buffer_desc mb = {len, (void *)(uintptr_t)(msg)};
	gss_buffer_desc tb = GSS_C_EMPTY_BUFFER;
	OM_uint32 major, minor;

	if (!k->established) {
		return NT_STATUS_INVALID_DEVICE_STATE;
	}
	major = gss_get_mic(&minor, k->ctx, GSS_C_QOP_DEFAULT, &mb, &tb);
	if (GSS_ERROR(major)) {
		set_error(k, "gss_get_mic", major, minor);
		return NT_STATUS_INTERNAL_ERROR;
	}
	*mic = talloc_memdup(mem_ctx, tb.value, tb.length);
	*mic_len = tb.length;
	gss_release_buffer(&minor, &tb);
	return *mic == NULL ? NT_STATUS_NO_MEMORY : NT_STATUS_OK;
}

static NTSTATUS krb5_verify_mic(void *priv, const uint8_t *msg, size_t len, const uint8_t *mic,
				size_t mic_len)
{
	struct negoex_krb5 *k = priv;
	gss_buffer_desc mb = {len, (void *)(uintptr_t)(msg)};
	gss_buffer_desc tb = {mic_len, (void *)(uintptr_t)(mic)};
	OM_uint32 major, minor;

	if (!k->established) {
		return NT_STATUS_INVALID_DEVICE_STATE;
	}
	major = gss_verify_mic(&minor, k->ctx, &mb, &tb, NULL);
	if (major != GSS_S_COMPLETE) {
		set_error(k, "gss_verify_mic", major, minor);
		return NT_STATUS_ACCESS_DENIED;
	}
	return NT_STATUS_OK;
}

void negoex_krb5_mech(struct negoex_krb5 *k, struct negoex_spnego_mech *mech)
{
	memset(mech, 0, sizeof(*mech));
	mech->oid = spnego_oid_krb5;
	mech->step = krb5_step;
	mech->priv = k;
	mech->mic.get_mic = krb5_get_mic;
	mech->mic.verify_mic = krb5_verify_mic;
	mech->mic.has_integ = krb5_has_integ;
	mech->mic.priv = k;
}
