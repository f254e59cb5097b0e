/*
 * fuzz_dns_srv.c: libFuzzer target for the DC locator's DNS answer parser
 * (rpc/dclocate.c, bpau_dc_srv_parse).  Checks: no read out of bounds
 * (ASan); every name returned is a non-empty string shorter than a DNS
 * name can be, at most BPAU_DC_MAX of them.
 */
#include <arpa/nameser.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/dclocate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *t = talloc_new(NULL);
	char **names = NULL;
	const char *reason = NULL;

	if (t == NULL) {
		return 0;
	}
	if (NT_STATUS_IS_OK(bpau_dc_srv_parse(t, data, size, &names, &reason))) {
		size_t n = 0;
		while (names[n] != NULL) {
			size_t l = strlen(names[n]);
			if (l == 0 || l >= NS_MAXDNAME) {
				abort();
			}
			n++;
		}
		if (n == 0 || n > BPAU_DC_MAX) {
			abort();
		}
	} else if (reason == NULL) {
		abort();
	}
	talloc_free(t);
	return 0;
}
