/*
 * fuzz_spnego.c: libFuzzer target for spnego_token_parse and
 * spnego_gss_header_parse.  Round trip: a token that parses is rebuilt;
 * the rebuilt bytes must parse to a token that builds to the same bytes
 * (the builder's output is the canonical form; the input itself may
 * differ only in reqFlags, see crypto/spnego/spnego.c), and for an
 * initial token the mechTypes DER must be what spnego_mech_types_der
 * makes of the parsed list.  A failure must leave no output and say why.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/spnego/spnego.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_token(TALLOC_CTX *t, const struct spnego_token *tok)
{
	struct spnego_token *again = NULL;
	uint8_t *built, *rebuilt, *der;
	size_t n, n2, der_len;
	const char *why = NULL;

	if (!NT_STATUS_IS_OK(spnego_token_build(t, tok, &built, &n, &why)) ||
	    !NT_STATUS_IS_OK(spnego_token_parse(t, built, n, &again, &why)) ||
	    again->type != tok->type || again->gss_framed != tok->gss_framed ||
	    !NT_STATUS_IS_OK(spnego_token_build(t, again, &rebuilt, &n2, &why)) || n2 != n ||
	    memcmp(rebuilt, built, n) != 0) {
		abort();
	}
	if (tok->type == SPNEGO_NEG_TOKEN_INIT) {
		const struct spnego_neg_token_init *in = tok->init;

		if (!NT_STATUS_IS_OK(spnego_mech_types_der(t, in->mech_types, in->num_mech_types,
							   &der, &der_len, &why)) ||
		    der_len != in->mech_types_der.len ||
		    memcmp(der, in->mech_types_der.data, der_len) != 0) {
			abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct spnego_token *tok = NULL;
	struct spnego_oid mech;
	const uint8_t *inner = NULL;
	size_t inner_len = 0;
	const char *why = NULL;
	NTSTATUS status = spnego_token_parse(t, data, size, &tok, &why);

	if (NT_STATUS_IS_OK(status)) {
		check_token(t, tok);
	} else if (tok != NULL || why == NULL ||
		   !(NT_STATUS_EQUAL(status, NT_STATUS_INVALID_PARAMETER) ||
		     NT_STATUS_EQUAL(status, NT_STATUS_NOT_SUPPORTED))) {
		abort();
	}
	why = NULL;
	status = spnego_gss_header_parse(data, size, &mech, &inner, &inner_len, &why);
	if (NT_STATUS_IS_OK(status)) {
		uint8_t *out;
		size_t n;

		if (inner < data || inner_len > size || inner + inner_len != data + size ||
		    !NT_STATUS_IS_OK(spnego_gss_header_build(t, &mech, inner, inner_len, &out, &n,
							     &why)) ||
		    n != size || memcmp(out, data, size) != 0) {
			abort();
		}
	} else if (why == NULL) {
		abort();
	}
	talloc_free(t);
	return 0;
}
