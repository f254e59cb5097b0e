/*
 * gss_accept_fix.c: bpaud's workaround for a per-bind leak in the GSSAPI
 * acceptor it gets from Samba (linked into bpaud only).
 *
 * The defect: Samba's gensec_gssapi runs a DCE-style Kerberos bind as two
 * gss_accept_sec_context() calls on the same state, passing the same
 * &client_name both times.  The first call (CONTINUE_NEEDED) already
 * returns the client's name, which in this Heimdal carries the ticket's
 * authorization data (the PAC, about 3 kB); the second call starts by
 * setting *src_name to GSS_C_NO_NAME, so the first name is never released.
 * Seen with gdb (the second call enters with *src_name set, and only the
 * second name is released) and valgrind (one name per bind definitely
 * lost).  The upstream fix: contrib/samba/0002-*.patch; delete this file
 * once the Samba bpaud is built for carries it.
 *
 * The fix: interpose gss_accept_sec_context (bpaud exports this symbol,
 * wscript: --export-dynamic-symbol) and release a name the caller still
 * holds before calling the real function, which would discard it anyway.
 * The real one is Samba's private Heimdal copy, looked up by its version
 * tag; if it cannot be found bpaud refuses to start (bpaud_gss_fix_ok).
 */

#include <dlfcn.h>
#include <stddef.h>
#include <stdint.h>

#include "rpc/samba_compat/gss_accept_fix.h"

typedef uint32_t OM_uint32;
typedef void *gss_name_t;

typedef OM_uint32 (*accept_fn)(OM_uint32 *, void **, void *, void *, void *, gss_name_t *,
			       void **, void *, OM_uint32 *, OM_uint32 *, void **);
typedef OM_uint32 (*release_name_fn)(OM_uint32 *, gss_name_t *);

static accept_fn real_accept;
static release_name_fn real_release_name;

bool bpaud_gss_fix_ok(void)
{
	if (real_accept == NULL) {
		real_accept = (accept_fn)dlvsym(RTLD_NEXT, "gss_accept_sec_context",
						SAMBA_GSS_VERSION);
		real_release_name = (release_name_fn)dlvsym(RTLD_NEXT, "gss_release_name",
							    SAMBA_GSS_VERSION);
	}
	return real_accept != NULL && real_release_name != NULL;
}

OM_uint32 gss_accept_sec_context(OM_uint32 *minor, void **context, void *acceptor_cred,
				 void *input_token, void *bindings, gss_name_t *src_name,
				 void **mech_type, void *output_token, OM_uint32 *ret_flags,
				 OM_uint32 *time_rec, void **delegated_cred);

OM_uint32 gss_accept_sec_context(OM_uint32 *minor, void **context, void *acceptor_cred,
				 void *input_token, void *bindings, gss_name_t *src_name,
				 void **mech_type, void *output_token, OM_uint32 *ret_flags,
				 OM_uint32 *time_rec, void **delegated_cred)
{
	if (!bpaud_gss_fix_ok()) {
		if (minor != NULL) {
			*minor = 0;
		}
		return 0xd0000u; /* GSS_S_FAILURE */
	}
	if (src_name != NULL && *src_name != NULL) {
		OM_uint32 junk;
		real_release_name(&junk, src_name);
	}
	return real_accept(minor, context, acceptor_cred, input_token, bindings, src_name,
			   mech_type, output_token, ret_flags, time_rec, delegated_cred);
}
