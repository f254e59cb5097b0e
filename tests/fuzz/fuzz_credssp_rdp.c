/*
 * fuzz_credssp_rdp.c: libFuzzer target for the X.224 negotiation codec
 * of the CredSSP tools' RDP mode (credssp/rdp/rdp_nego.h): hostile
 * Connection Requests and Confirms.  A Confirm that parses is rebuilt
 * and must parse to the same values; a refusal always has a reason.
 */
#include <stdlib.h>

#include "credssp/rdp/rdp_nego.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *t = talloc_new(NULL);
	uint32_t p = 0, sel = 0, fail = 0, sel2 = 0, fail2 = 0;
	const char *reason = NULL;
	uint8_t *b;
	size_t len, need;

	if (!NT_STATUS_IS_OK(rdp_connection_request_parse(data, size, &p, &reason)) &&
	    reason == NULL) {
		abort();
	}
	reason = NULL;
	if (NT_STATUS_IS_OK(rdp_connection_confirm_parse(data, size, &sel, &fail, &reason))) {
		if (!NT_STATUS_IS_OK(rdp_connection_confirm_build(t, sel, fail, &b, &len)) ||
		    !NT_STATUS_IS_OK(rdp_connection_confirm_parse(b, len, &sel2, &fail2, NULL)) ||
		    sel2 != sel || fail2 != fail) {
			abort();
		}
	} else if (reason == NULL) {
		abort();
	}
	if (NT_STATUS_IS_OK(rdp_tpkt_length(data, size, &need)) &&
	    (need < RDP_TPKT_HEADER_LEN || need > RDP_X224_MAX_LEN)) {
		abort();
	}
	talloc_free(t);
	return 0;
}
