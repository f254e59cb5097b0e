/*
 * credssp_gss.h: Heimdal's GSSAPI as a CredSSP mechanism (credssp/mech.h).
 *
 * Client: SPNEGO offering Kerberos only (or raw Kerberos), with the
 * credentials of the default ccache or a password (gss_acquire_cred_with_password).
 * Server: Heimdal's acceptor for SPNEGO and raw Kerberos tokens, with a
 * keytab (gsskrb5_register_acceptor_identity: process-wide, so one
 * keytab per process).  NTLM is not here: Heimdal's NTLM acceptor needs a
 * KDC digest service, which Samba does not offer; the NTLM acceptor is
 * credssp/ntlm/.
 */
#ifndef CREDSSP_GSS_CREDSSP_GSS_H
#define CREDSSP_GSS_CREDSSP_GSS_H

#include <stdbool.h>
#include <stddef.h>

#include "credssp/credssp.h"

struct credssp_gss_client_opts {
	const char *target_host;     /* the server: service name TERMSRV@host */
	const char *service;         /* default "TERMSRV" (MS-RDPBCGR) */
	const char *principal;       /* user@REALM; NULL: the default ccache's */
	const struct crypto_secret *password; /* UTF-8; NULL: use the ccache */
	bool raw_kerberos;           /* no SPNEGO around Kerberos */
};

/* credssp_gss_client_new: an initiator for credssp_client_new.  0 on
 * success, else non-zero with |err| filled (no secret in it). */
int credssp_gss_client_new(const struct credssp_gss_client_opts *opts,
			   const struct credssp_mech_ops **ops, void **mech_ctx, char *err,
			   size_t errlen);

struct credssp_gss_server_opts {
	const char *keytab;          /* NULL: the default (KRB5_KTNAME or /etc/krb5.keytab) */
};

/* credssp_gss_server_init: set the process's acceptor keytab; call once
 * before credssp_gss_start.  0 on success. */
int credssp_gss_server_init(const struct credssp_gss_server_opts *opts, char *err, size_t errlen);

/* credssp_gss_start: a credssp_mech_start_fn for CREDSSP_MECH_GSSAPI
 * (|arg| unused); refuses the NTLM kinds. */
int credssp_gss_start(void *arg, enum credssp_mech_kind kind, const struct credssp_mech_ops **ops,
		      void **mech_ctx, char *err, size_t errlen);

#endif
