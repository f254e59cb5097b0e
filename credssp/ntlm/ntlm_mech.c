/*
 * ntlm_mech.c: the NTLM acceptor as a CredSSP mechanism (struct
 * credssp_mech_ops, credssp/mech.h).  Raw NTLMSSP tokens: what FreeRDP and
 * mstsc put in negoTokens without SPNEGO.  wrap/unwrap are
 * ntlm_session_seal/unseal: signature then ciphertext, the layout of
 * pubKeyAuth and authInfo for NTLM.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


#include "crypto/crypto.h"
#include "credssp/mech.h"
#include "credssp/ntlm/ntlm.h"

struct ntlm_mech {
	struct ntlm_backend *backend;
	struct ntlm_acceptor *acceptor;
};

/* A malloc'd copy (the interface's outputs are malloc'd). */
static int to_malloc(const uint8_t *p, size_t len, uint8_t **out, size_t *out_len)
{
	uint8_t *m = malloc(len > 0 ? len : 1);

	if (m == NULL) {
		return -1;
	}
	if (len > 0) {
		memcpy(m, p, len);
	}
	*out = m;
	*out_len = len;
	return 0;
}

static int mech_step(void *ctx, const uint8_t *in, size_t in_len, uint8_t **out,
		     size_t *out_len, uint32_t *status, char *err, size_t errlen)
{
	struct ntlm_mech *m = ctx;
	TALLOC_CTX *tmp = talloc_new(NULL);
	const char *reason = NULL;
	uint8_t *tok = NULL;
	size_t tok_len = 0;
	NTSTATUS st;
	int rc;

	*out = NULL;
	*out_len = 0;
	if (tmp == NULL) {
		snprintf(err, errlen, "ntlm: out of memory");
		*status = NT_STATUS_V(NT_STATUS_NO_MEMORY);
		return -1;
	}
	st = ntlm_acceptor_step(m->acceptor, tmp, in, in_len, &tok, &tok_len, &reason);
	if (NT_STATUS_EQUAL(st, NT_STATUS_MORE_PROCESSING_REQUIRED)) {
		rc = to_malloc(tok, tok_len, out, out_len);
		if (rc != 0) {
			snprintf(err, errlen, "ntlm: out of memory");
			*status = NT_STATUS_V(NT_STATUS_NO_MEMORY);
		}
	} else if (NT_STATUS_IS_OK(st)) {
		rc = 1;
	} else {
		snprintf(err, errlen, "ntlm (%s): %s (%s)", m->backend->name,
			 reason != NULL ? reason : "authentication failed",
			 crypto_status_name(st));
		*status = NT_STATUS_V(st);
		rc = -1;
	}
	talloc_free(tmp);
	return rc;
}

static int mech_crypt(struct ntlm_mech *m, bool seal, const uint8_t *in, size_t in_len,
		      uint8_t **out, size_t *out_len)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	uint8_t *buf = NULL;
	size_t len = 0;
	NTSTATUS st;
	int rc = -1;

	if (tmp == NULL) {
		return -1;
	}
	st = seal ? ntlm_acceptor_seal(m->acceptor, tmp, in, in_len, &buf, &len)
		  : ntlm_acceptor_unseal(m->acceptor, tmp, in, in_len, &buf, &len);
	if (NT_STATUS_IS_OK(st)) {
		rc = to_malloc(buf, len, out, out_len);
		crypto_wipe(buf, len);
	}
	talloc_free(tmp);
	return rc;
}

static int mech_wrap(void *ctx, const uint8_t *in, size_t in_len, uint8_t **out,
		     size_t *out_len)
{
	return mech_crypt(ctx, true, in, in_len, out, out_len);
}

static int mech_unwrap(void *ctx, const uint8_t *in, size_t in_len, uint8_t **out,
		       size_t *out_len)
{
	return mech_crypt(ctx, false, in, in_len, out, out_len);
}

static const char *mech_peer_name(void *ctx)
{
	struct ntlm_mech *m = ctx;
	return ntlm_acceptor_peer_name(m->acceptor);
}

static void mech_free(void *ctx)
{
	talloc_free(ctx);
}

static const struct credssp_mech_ops ntlm_mech_ops = {
	.name = "NTLM",
	.step = mech_step,
	.wrap = mech_wrap,
	.unwrap = mech_unwrap,
	.peer_name = mech_peer_name,
	.free = mech_free,
};

static int mech_new(struct ntlm_mech *m, const struct ntlm_server_names *names,
		    const struct credssp_mech_ops **ops, void **ctx, char *err, size_t errlen)
{
	NTSTATUS st = ntlm_acceptor_new(m, names, m->backend, &m->acceptor);

	if (!NT_STATUS_IS_OK(st)) {
		snprintf(err, errlen, "ntlm: cannot start the acceptor (%s)",
			 crypto_status_name(st));
		talloc_free(m);
		return -1;
	}
	*ops = &ntlm_mech_ops;
	*ctx = m;
	return 0;
}

int credssp_ntlm_acceptor_new_winbind(const struct ntlm_server_names *names,
				      const struct credssp_mech_ops **ops, void **ctx,
				      char *err, size_t errlen)
{
	struct ntlm_mech *m = talloc_zero(NULL, struct ntlm_mech);
	struct ntlm_server_names wb;
	NTSTATUS st;

	if (m == NULL || (m->backend = ntlm_backend_winbind(m)) == NULL) {
		talloc_free(m);
		snprintf(err, errlen, "ntlm: out of memory");
		return -1;
	}
	if (names != NULL) {
		return mech_new(m, names, ops, ctx, err, errlen);
	}
	st = ntlm_winbind_server_names(m, &wb);
	if (!NT_STATUS_IS_OK(st)) {
		talloc_free(m);
		snprintf(err, errlen, "ntlm (winbind): cannot learn the member's names from "
				      "winbindd (%s)", crypto_status_name(st));
		return -1;
	}
	return mech_new(m, &wb, ops, ctx, err, errlen);
}

int credssp_ntlm_acceptor_new_samfile(const char *path, const struct ntlm_server_names *names,
				      const struct credssp_mech_ops **ops, void **ctx,
				      char *err, size_t errlen)
{
	struct ntlm_mech *m = talloc_zero(NULL, struct ntlm_mech);
	struct ntlm_server_names host;
	char name[16];
	size_t i;

	if (m == NULL || path == NULL || (m->backend = ntlm_backend_samfile(m, path)) == NULL) {
		talloc_free(m);
		snprintf(err, errlen, path == NULL ? "ntlm: no SAM file given" : "ntlm: out of memory");
		return -1;
	}
	if (names != NULL) {
		return mech_new(m, names, ops, ctx, err, errlen);
	}
	/* A standalone host is its own domain: the NetBIOS form (at most 15
	 * characters, upper case) of the host name, as Windows announces it. */
	memset(name, 0, sizeof(name));
	if (gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') {
		snprintf(name, sizeof(name), "LOCALHOST");
	}
	for (i = 0; name[i] != '\0'; i++) {
		if (name[i] == '.') {
			name[i] = '\0';
			break;
		}
		name[i] = (char)toupper((unsigned char)name[i]);
	}
	host.nb_computer = name;
	host.nb_domain = name;
	host.dns_computer = NULL;
	host.dns_domain = NULL;
	return mech_new(m, &host, ops, ctx, err, errlen);
}

struct ntlm_acceptor *credssp_ntlm_mech_acceptor(void *ctx)
{
	struct ntlm_mech *m = ctx;
	return m != NULL ? m->acceptor : NULL;
}
