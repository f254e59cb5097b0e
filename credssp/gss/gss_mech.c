/*
 * gss_mech.c: Heimdal's GSSAPI behind credssp/mech.h (credssp_gss.h).
 * Public GSSAPI only (RFC 2743/2744 and Heimdal's documented
 * extensions gss_acquire_cred_with_password and
 * gsskrb5_register_acceptor_identity).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>
#include <gssapi/gssapi_spnego.h>
#include <krb5.h>

#include "credssp/gss/credssp_gss.h"

struct gss_mech {
	bool initiator;
	gss_ctx_id_t ctx;
	gss_cred_id_t cred;
	gss_name_t target;
	gss_OID mech;          /* what we ask for (initiator) */
	char *peer;            /* the authenticated client (acceptor) */
	krb5_context krb5;     /* initiator with a password: its MEMORY ccache */
	krb5_ccache ccache;
};

/* kinit_memory: the TGT of |o->principal| with |o->password| in a new
 * MEMORY ccache, set as GSSAPI's default (gss_krb5_ccache_name: per
 * thread in Heimdal).  Destroyed, with the tickets, by gm_free. */
static int kinit_memory(struct gss_mech *m, const struct credssp_gss_client_opts *o, char *err,
			size_t errlen)
{
	krb5_principal p = NULL;
	krb5_creds creds;
	krb5_error_code ret;
	char *name = NULL, *full = NULL;
	OM_uint32 minor;
	const char *msg;

	memset(&creds, 0, sizeof(creds));
	if (o->principal == NULL) {
		snprintf(err, errlen, "a password needs a principal (user@REALM)");
		return -1;
	}
	ret = krb5_init_context(&m->krb5);
	if (ret == 0) {
		ret = krb5_parse_name(m->krb5, o->principal, &p);
	}
	if (ret == 0) {
		ret = krb5_get_init_creds_password(m->krb5, &creds, p, (const char *)o->password->data,
						   NULL, NULL, 0, NULL, NULL);
	}
	if (ret == 0) {
		ret = krb5_cc_new_unique(m->krb5, "MEMORY", NULL, &m->ccache);
	}
	if (ret == 0) {
		ret = krb5_cc_initialize(m->krb5, m->ccache, p);
	}
	if (ret == 0) {
		ret = krb5_cc_store_cred(m->krb5, m->ccache, &creds);
	}
	if (ret == 0) {
		ret = krb5_cc_get_full_name(m->krb5, m->ccache, &full);
	}
	if (ret != 0) {
		msg = m->krb5 != NULL ? krb5_get_error_message(m->krb5, ret) : NULL;
		snprintf(err, errlen, "Kerberos log-on as %s: %s", o->principal,
			 msg != NULL ? msg : "failed");
		if (msg != NULL) {
			krb5_free_error_message(m->krb5, msg);
		}
	} else if (gss_krb5_ccache_name(&minor, full, NULL) != GSS_S_COMPLETE) {
		snprintf(err, errlen, "cannot make the MEMORY ccache GSSAPI's default");
		ret = -1;
	}
	free(full);
	free(name);
	if (m->krb5 != NULL) {
		krb5_free_cred_contents(m->krb5, &creds);
		if (p != NULL) {
			krb5_free_principal(m->krb5, p);
		}
	}
	return ret == 0 ? 0 : -1;
}

/* gss_error: "what: major text; minor text" into |err|. */
static void gss_error(char *err, size_t errlen, const char *what, OM_uint32 major,
		      OM_uint32 minor, gss_OID mech)
{
	OM_uint32 mn, ctx = 0;
	gss_buffer_desc maj_t = GSS_C_EMPTY_BUFFER, min_t = GSS_C_EMPTY_BUFFER;

	gss_display_status(&mn, major, GSS_C_GSS_CODE, GSS_C_NO_OID, &ctx, &maj_t);
	ctx = 0;
	gss_display_status(&mn, minor, GSS_C_MECH_CODE, mech, &ctx, &min_t);
	snprintf(err, errlen, "%s: %.*s; %.*s", what, (int)maj_t.length,
		 maj_t.value != NULL ? (const char *)maj_t.value : "",
		 (int)min_t.length, min_t.value != NULL ? (const char *)min_t.value : "");
	gss_release_buffer(&mn, &maj_t);
	gss_release_buffer(&mn, &min_t);
}

static int take_buffer(gss_buffer_t b, uint8_t **out, size_t *out_len)
{
	OM_uint32 mn;

	*out = NULL;
	*out_len = 0;
	if (b->length > 0) {
		*out = malloc(b->length);
		if (*out == NULL) {
			gss_release_buffer(&mn, b);
			return -1;
		}
		memcpy(*out, b->value, b->length);
		*out_len = b->length;
	}
	gss_release_buffer(&mn, b);
	return 0;
}

static int gm_step(void *vctx, const uint8_t *in, size_t in_len, uint8_t **out, size_t *out_len,
		   uint32_t *status, char *err, size_t errlen)
{
	struct gss_mech *m = vctx;
	gss_buffer_desc input = { in_len, (void *)in }, output = GSS_C_EMPTY_BUFFER;
	OM_uint32 major, minor = 0, flags = 0, mn;
	gss_name_t src = GSS_C_NO_NAME;
	gss_OID actual = GSS_C_NO_OID;

	*out = NULL;
	*out_len = 0;
	if (m->initiator) {
		major = gss_init_sec_context(&minor, m->cred, &m->ctx, m->target, m->mech,
					     GSS_C_MUTUAL_FLAG | GSS_C_CONF_FLAG |
						     GSS_C_INTEG_FLAG | GSS_C_SEQUENCE_FLAG |
						     GSS_C_REPLAY_FLAG,
					     0, GSS_C_NO_CHANNEL_BINDINGS,
					     in != NULL ? &input : GSS_C_NO_BUFFER, &actual, &output,
					     &flags, NULL);
	} else {
		major = gss_accept_sec_context(&minor, &m->ctx, m->cred, &input,
					       GSS_C_NO_CHANNEL_BINDINGS, &src, &actual, &output,
					       &flags, NULL, NULL);
	}
	if (GSS_ERROR(major)) {
		gss_release_buffer(&mn, &output);
		gss_error(err, errlen,
			  m->initiator ? "gss_init_sec_context" : "gss_accept_sec_context", major,
			  minor, actual != GSS_C_NO_OID ? actual : m->mech);
		*status = 0xC000006DU; /* STATUS_LOGON_FAILURE */
		return -1;
	}
	if (take_buffer(&output, out, out_len) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (major & GSS_S_CONTINUE_NEEDED) {
		if (src != GSS_C_NO_NAME) {
			gss_release_name(&mn, &src);
		}
		return 0;
	}
	/* Complete: CredSSP seals everything, so confidentiality is required. */
	if ((flags & GSS_C_CONF_FLAG) == 0 || (m->initiator && (flags & GSS_C_MUTUAL_FLAG) == 0)) {
		snprintf(err, errlen, "the security context offers no %s",
			 (flags & GSS_C_CONF_FLAG) == 0 ? "confidentiality" : "mutual authentication");
		free(*out);
		*out = NULL;
		*out_len = 0;
		if (src != GSS_C_NO_NAME) {
			gss_release_name(&mn, &src);
		}
		return -1;
	}
	if (!m->initiator && src != GSS_C_NO_NAME) {
		gss_buffer_desc name = GSS_C_EMPTY_BUFFER;

		if (gss_display_name(&mn, src, &name, NULL) == GSS_S_COMPLETE) {
			m->peer = strndup(name.value, name.length);
			gss_release_buffer(&mn, &name);
		}
		gss_release_name(&mn, &src);
	}
	return 1;
}

static int gm_wrap(void *vctx, const uint8_t *in, size_t in_len, uint8_t **out, size_t *out_len)
{
	struct gss_mech *m = vctx;
	gss_buffer_desc input = { in_len, (void *)in }, output = GSS_C_EMPTY_BUFFER;
	OM_uint32 minor, major;
	int conf = 0;

	major = gss_wrap(&minor, m->ctx, 1, GSS_C_QOP_DEFAULT, &input, &conf, &output);
	if (GSS_ERROR(major) || conf == 0) {
		gss_release_buffer(&minor, &output);
		return -1;
	}
	return take_buffer(&output, out, out_len);
}

static int gm_unwrap(void *vctx, const uint8_t *in, size_t in_len, uint8_t **out,
		     size_t *out_len)
{
	struct gss_mech *m = vctx;
	gss_buffer_desc input = { in_len, (void *)in }, output = GSS_C_EMPTY_BUFFER;
	OM_uint32 minor, major;
	int conf = 0;

	major = gss_unwrap(&minor, m->ctx, &input, &output, &conf, NULL);
	/* Any supplementary status (duplicate, old, gap token) is refused:
	 * each CredSSP message is sealed exactly once, in order. */
	if (major != GSS_S_COMPLETE || conf == 0) {
		if (output.value != NULL) {
			memset(output.value, 0, output.length);
		}
		gss_release_buffer(&minor, &output);
		return -1;
	}
	if (take_buffer(&output, out, out_len) != 0) {
		return -1;
	}
	return 0;
}

static const char *gm_peer_name(void *vctx)
{
	return ((struct gss_mech *)vctx)->peer;
}

static void gm_free(void *vctx)
{
	struct gss_mech *m = vctx;
	OM_uint32 mn;

	if (m->ctx != GSS_C_NO_CONTEXT) {
		gss_delete_sec_context(&mn, &m->ctx, GSS_C_NO_BUFFER);
	}
	if (m->cred != GSS_C_NO_CREDENTIAL) {
		gss_release_cred(&mn, &m->cred);
	}
	if (m->target != GSS_C_NO_NAME) {
		gss_release_name(&mn, &m->target);
	}
	free(m->peer);
	if (m->ccache != NULL) {
		krb5_cc_destroy(m->krb5, m->ccache); /* the tickets go with it */
	}
	if (m->krb5 != NULL) {
		krb5_free_context(m->krb5);
	}
	free(m);
}

static const struct credssp_mech_ops gss_client_ops = {
	.name = "GSSAPI (SPNEGO/Kerberos)",
	.step = gm_step,
	.wrap = gm_wrap,
	.unwrap = gm_unwrap,
	.peer_name = gm_peer_name,
	.free = gm_free,
};

static const struct credssp_mech_ops gss_server_ops = {
	.name = "GSSAPI (SPNEGO/Kerberos)",
	.step = gm_step,
	.wrap = gm_wrap,
	.unwrap = gm_unwrap,
	.peer_name = gm_peer_name,
	.free = gm_free,
};

int credssp_gss_client_new(const struct credssp_gss_client_opts *o,
			   const struct credssp_mech_ops **ops, void **mech_ctx, char *err,
			   size_t errlen)
{
	struct gss_mech *m = calloc(1, sizeof(*m));
	gss_OID_desc *krb5 = GSS_KRB5_MECHANISM;
	gss_OID_set_desc mechs = { 1, o->raw_kerberos ? GSS_KRB5_MECHANISM : GSS_SPNEGO_MECHANISM };
	char target[512];
	gss_buffer_desc tb;
	OM_uint32 major, minor = 0, mn;

	if (m == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	m->initiator = true;
	m->mech = o->raw_kerberos ? GSS_KRB5_MECHANISM : GSS_SPNEGO_MECHANISM;
	if (o->target_host == NULL ||
	    (size_t)snprintf(target, sizeof(target), "%s@%s",
			     o->service != NULL ? o->service : "TERMSRV",
			     o->target_host) >= sizeof(target)) {
		snprintf(err, errlen, "no or too long a target host name");
		gm_free(m);
		return -1;
	}
	tb.value = target;
	tb.length = strlen(target);
	major = gss_import_name(&minor, &tb, GSS_C_NT_HOSTBASED_SERVICE, &m->target);
	if (GSS_ERROR(major)) {
		gss_error(err, errlen, "gss_import_name", major, minor, GSS_C_NO_OID);
		gm_free(m);
		return -1;
	}
	/* The credential is acquired for the mechanism we call: Heimdal's
	 * SPNEGO initiator wants a SPNEGO credential (one wrapping the
	 * credentials of the mechanisms under it; mechglue finds no SPNEGO
	 * element in a Kerberos-only credential and fails with NO_CRED). */
	if (o->password != NULL) {
		/* A password: Kerberos log-on into a MEMORY ccache made the
		 * default for this thread's GSSAPI, then the same default
		 * credential as below.  gss_acquire_cred_with_password gives
		 * a Kerberos-only credential, which Heimdal's SPNEGO
		 * initiator cannot use (see above). */
		if (kinit_memory(m, o, err, errlen) != 0) {
			gm_free(m);
			return -1;
		}
	}
	{
		gss_name_t user = GSS_C_NO_NAME;

		if (o->principal != NULL) {
			gss_buffer_desc ub = { strlen(o->principal), (void *)o->principal };

			major = gss_import_name(&minor, &ub, GSS_C_NT_USER_NAME, &user);
			if (GSS_ERROR(major)) {
				gss_error(err, errlen, "gss_import_name", major, minor,
					  GSS_C_NO_OID);
				gm_free(m);
				return -1;
			}
		}
		major = gss_acquire_cred(&minor, user, GSS_C_INDEFINITE, &mechs, GSS_C_INITIATE,
					 &m->cred, NULL, NULL);
		if (user != GSS_C_NO_NAME) {
			gss_release_name(&mn, &user);
		}
		if (GSS_ERROR(major)) {
			gss_error(err, errlen, "gss_acquire_cred (ccache)", major, minor, krb5);
			gm_free(m);
			return -1;
		}
	}
	*ops = &gss_client_ops;
	*mech_ctx = m;
	return 0;
}

int credssp_gss_server_init(const struct credssp_gss_server_opts *o, char *err, size_t errlen)
{
	OM_uint32 major;

	if (o->keytab == NULL) {
		return 0;
	}
	major = gsskrb5_register_acceptor_identity(o->keytab);
	if (GSS_ERROR(major)) {
		snprintf(err, errlen, "cannot use keytab %s", o->keytab);
		return -1;
	}
	return 0;
}

int credssp_gss_start(void *arg, enum credssp_mech_kind kind, const struct credssp_mech_ops **ops,
		      void **mech_ctx, char *err, size_t errlen)
{
	struct gss_mech *m;

	if (kind != CREDSSP_MECH_GSSAPI) {
		snprintf(err, errlen, "Heimdal's GSSAPI acceptor takes no %s token",
			 credssp_mech_kind_name(kind));
		return -1;
	}
	m = calloc(1, sizeof(*m));
	if (m == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* GSS_C_NO_CREDENTIAL: the acceptor takes any key of the keytab
	 * that the client's ticket names (TERMSRV/host, host/host...). */
	m->cred = GSS_C_NO_CREDENTIAL;
	*ops = &gss_server_ops;
	*mech_ctx = m;
	return 0;
}
