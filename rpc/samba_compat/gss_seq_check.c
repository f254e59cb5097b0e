/*
 * gss_seq_check.c: Samba's per-message Kerberos checks as gensec should
 * read them, in our own executables (bpaud, bpau).
 *
 * The weakness: Heimdal (Debian 12's, and the copy Samba 4.17 bundles as
 * libgssapi-samba4: third_party/heimdal/lib/gssapi/krb5/cfx.c,
 * _gssapi_unwrap_cfx_iov and _gssapi_verify_mic_cfx) checks a token's
 * sequence number before its checksum, and for a token numbered ahead of
 * or behind the next one returns at once GSS_S_GAP_TOKEN,
 * GSS_S_DUPLICATE_TOKEN, GSS_S_OLD_TOKEN or GSS_S_UNSEQ_TOKEN:
 * supplementary codes, on bytes nobody checked or decrypted.  Samba's
 * gensec (auth/kerberos/gssapi_helper.c) tests GSS_ERROR() only and takes
 * them for success.  So anyone on the path could send a DCE/RPC request
 * in clear with such a token and have it served as the authenticated
 * caller's (packet privacy: gss_unwrap_iov; packet integrity, where the
 * stub travels in clear anyway: gss_verify_mic), or feed our client a
 * response of their own.
 *
 * The check: this file defines gss_unwrap_iov and gss_verify_mic, which
 * the executable exports (wscript), so the dynamic linker binds Samba's
 * calls in this process to them; each calls Samba's own function (found
 * behind ours with dlvsym(RTLD_NEXT) by its exact version tag) and turns
 * any status that is not exactly GSS_S_COMPLETE but not an error either
 * (supplementary bits only) into GSS_S_BAD_SIG, with a log line.  On a
 * DCE/RPC association messages come in order, so nothing legitimate is
 * refused.  Nothing else changes: the sealing and the checking are
 * Samba's.  The same fix for Samba itself is in contrib/samba/.
 */
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>

#include <gssapi/gssapi.h>

#include "rpc/samba_compat/gss_seq_check.h"

typedef OM_uint32 (*unwrap_iov_fn)(OM_uint32 *, gss_ctx_id_t, int *, gss_qop_t *,
				   gss_iov_buffer_desc *, int);
typedef OM_uint32 (*verify_mic_fn)(OM_uint32 *, gss_const_ctx_id_t, const gss_buffer_t,
				   const gss_buffer_t, gss_qop_t *);

static unwrap_iov_fn real_unwrap;
static verify_mic_fn real_verify_mic;
static gss_seq_check_log_fn log_fn;

bool gss_seq_check_setup(gss_seq_check_log_fn log)
{
	/* RTLD_NEXT from the executable: Samba's functions, not ours. */
	if (real_unwrap == NULL || real_verify_mic == NULL) {
		real_unwrap = (unwrap_iov_fn)dlvsym(RTLD_NEXT, "gss_unwrap_iov", SAMBA_GSS_VERSION);
		real_verify_mic = (verify_mic_fn)dlvsym(RTLD_NEXT, "gss_verify_mic",
							SAMBA_GSS_VERSION);
	}
	log_fn = log;
	return real_unwrap != NULL && real_verify_mic != NULL;
}

static void say(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(int level, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (log_fn != NULL) {
		log_fn(level, msg);
	} else {
		fprintf(stderr, "%s\n", msg);
	}
}

/* checked: |major| as gensec should have read it (see the top). */
static OM_uint32 checked(OM_uint32 major, OM_uint32 *minor, const char *kind)
{
	if (major == GSS_S_COMPLETE || GSS_ERROR(major)) {
		return major;
	}
	say(1, "sealing: refused a %smessage whose token is out of sequence "
	       "(GSSAPI status 0x%08x, before any check of its checksum)",
	    kind, (unsigned)major);
	*minor = 0;
	return GSS_S_BAD_SIG;
}

OM_uint32 gss_unwrap_iov(OM_uint32 *minor, gss_ctx_id_t gss, int *conf_state,
			 gss_qop_t *qop_state, gss_iov_buffer_desc *iov, int count)
{
	if (real_unwrap == NULL) {
		*minor = 0;
		return GSS_S_FAILURE;
	}
	return checked(real_unwrap(minor, gss, conf_state, qop_state, iov, count), minor, "");
}

OM_uint32 gss_verify_mic(OM_uint32 *minor, gss_const_ctx_id_t gss, const gss_buffer_t message,
			 const gss_buffer_t token, gss_qop_t *qop_state)
{
	if (real_verify_mic == NULL) {
		*minor = 0;
		return GSS_S_FAILURE;
	}
	return checked(real_verify_mic(minor, gss, message, token, qop_state), minor, "signed ");
}
