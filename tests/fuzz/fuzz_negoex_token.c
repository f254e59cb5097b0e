/*
 * fuzz_negoex_token.c: libFuzzer target for negoex_token_parse (split a
 * token and parse every message).  Round trip: each message of a token
 * that parses is rebuilt; the rebuilt message must parse as one message of
 * the same type and rebuild to the same bytes.  The builder's output is
 * the canonical form, so this is the byte comparison for canonical input,
 * and (the builder encoding every field) it shows the reparsed fields
 * equal the first parse's.  (Which non-canonical inputs exist, padding
 * and empty-vector offsets, is negoex/msg.c's opening comment; the unit
 * test's mutation loop checks the byte-exact cases.)  A failure must
 * leave no output and say why.
 */
#include <stdlib.h>
#include <string.h>

#include "negoex/msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_message(TALLOC_CTX *t, const struct negoex_token *tok, size_t i)
{
	const struct negoex_message *m = &tok->messages[i];
	struct negoex_token *again;
	uint8_t *built, *rebuilt;
	size_t n, n2;
	const char *why = NULL;

	if (!NT_STATUS_IS_OK(negoex_message_build(t, m, &built, &n, &why)) ||
	    !NT_STATUS_IS_OK(negoex_token_parse(t, built, n, &again, &why)) ||
	    again->num_messages != 1 || again->messages[0].type != m->type ||
	    !NT_STATUS_IS_OK(negoex_message_build(t, &again->messages[0], &rebuilt, &n2, &why)) ||
	    n2 != n || memcmp(rebuilt, built, n) != 0) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct negoex_token *tok = NULL;
	const char *why = NULL;
	NTSTATUS status = negoex_token_parse(t, data, size, &tok, &why);

	if (NT_STATUS_IS_OK(status)) {
		uint8_t *all;
		size_t n;

		for (size_t i = 0; i < tok->num_messages; i++) {
			check_message(t, tok, i);
		}
		if (!NT_STATUS_IS_OK(negoex_token_build(t, tok, &all, &n, &why)) || n == 0) {
			abort();
		}
	} else if (tok != NULL || why == NULL ||
		   !(NT_STATUS_EQUAL(status, NT_STATUS_INVALID_PARAMETER) ||
		     NT_STATUS_EQUAL(status, NT_STATUS_NOT_SUPPORTED))) {
		abort();
	}
	talloc_free(t);
	return 0;
}
