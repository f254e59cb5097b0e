/*
 * negoex_krb5.h: Kerberos (RFC 4121) through Heimdal's public GSSAPI as a
 * mechanism for negoex/spnego (struct negoex_spnego_mech): the "real
 * mechanism" offered after NEGOEX, which SPNEGO falls back to when the
 * peer does not speak NEGOEX (issue #17 section 3).
 *
 * The initiator uses the default credentials (the ccache: KRB5CCNAME) for
 * |target|; the acceptor the default keytab (KRB5_KTNAME) for any
 * principal in it.  Integrity (the mechListMIC) is gss_get_mic /
 * gss_verify_mic on the established context; the context has integrity
 * when Heimdal says GSS_C_INTEG_FLAG.
 *
 * Errors: NT_STATUS_LOGON_FAILURE when GSSAPI fails a step (the GSS
 * major/minor text in |reason| of negoex_krb5_new only; a step's detail
 * through negoex_krb5_last_error), NT_STATUS_ACCESS_DENIED for a MIC that
 * does not verify, NT_STATUS_INVALID_PARAMETER, NT_STATUS_NO_MEMORY.
 */
#ifndef NEGOEX_KRB5_NEGOEX_KRB5_H
#define NEGOEX_KRB5_NEGOEX_KRB5_H

#include "negoex/spnego/negoex_spnego.h"

struct negoex_krb5_config {
	enum negoex_role role;
	/* initiator: the service (see negoex_krb5_new); ignored by the
	 * acceptor */
	const char *target;
};

struct negoex_krb5; /* opaque; talloc_free deletes the GSS context */

/*
 * negoex_krb5_new: a context not started yet.  |target| containing '/' is
 * taken as a Kerberos principal ("HTTP/host.example.com@REALM"), else as
 * a host-based service ("HTTP@host.example.com").
 */
NTSTATUS negoex_krb5_new(TALLOC_CTX *mem_ctx, const struct negoex_krb5_config *cfg,
			 struct negoex_krb5 **out, const char **reason) CRYPTO_WARN_UNUSED;

/* negoex_krb5_mech: |k| as a negoex/spnego mechanism (OID 1.2.840.113554.1.2.2,
 * step, get_mic, verify_mic, has_integ); |k| must outlive the SPNEGO
 * context. */
void negoex_krb5_mech(struct negoex_krb5 *k, struct negoex_spnego_mech *mech);

/* negoex_krb5_last_error: the GSS status text of the last failure (on
 * |k|), or NULL. */
const char *negoex_krb5_last_error(const struct negoex_krb5 *k);

/* negoex_krb5_peer_name: the authenticated peer (the initiator's
 * principal, on the acceptor) once established, on mem_ctx; NULL before. */
char *negoex_krb5_peer_name(TALLOC_CTX *mem_ctx, const struct negoex_krb5 *k);

#endif
