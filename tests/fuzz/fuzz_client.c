/*
 * fuzz_client.c: libFuzzer target for everything the bpau client parses
 * from a server or from its SID cache: the DCE/RPC header and bind_ack
 * (rpc/ncacn.c), the ept_map, ExchangePublicKeys and SAMR responses
 * (rpc/client_ndr.c) and the cache's records.  The first byte picks the
 * parser.  Checks: no parser reads out of bounds (ASan), and what a parser
 * returns lies inside the input.
 */
#include <stdlib.h>
#include <string.h>

#include "rpc/client_ndr.h"
#include "rpc/ncacn.h"
#include "rpc/sidcache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void inside(const uint8_t *p, size_t n, const uint8_t *data, size_t size)
{
	if (n != 0 && (p < data || p + n > data + size)) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *t;
	const uint8_t *p;
	uint32_t a, b;
	uint16_t port;
	uint8_t handle[SAMR_HANDLE_LEN];
	struct crypto_sid sid;
	struct ncacn_header h;
	struct ncacn_bind_ack ack;
	uint64_t when;
	const uint8_t *own_file, *own_blob;
	size_t own_file_len, own_blob_len;
	char *s;

	if (size < 1) {
		return 0;
	}
	t = talloc_new(NULL);
	switch (data[0] % 9) {
	case 0:
		if (NT_STATUS_IS_OK(ncacn_parse_header(data + 1, size - 1, &h)) &&
		    h.frag_length < 16) {
			abort();
		}
		break;
	case 1:
		if (NT_STATUS_IS_OK(ncacn_parse_bind_ack(data + 1, size - 1, &ack))) {
			inside(ack.token, ack.token_len, data + 1, size - 1);
		}
		break;
	case 2:
		if (NT_STATUS_IS_OK(epm_map_parse(data + 1, size - 1, &ncacn_syntax_bitspeerauth,
						  &port)) &&
		    port == 0) {
			abort();
		}
		break;
	case 3:
		if (NT_STATUS_IS_OK(bpau_exchange_parse(data + 1, size - 1, &p, &a, &b))) {
			inside(p, a, data + 1, size - 1);
			if (a > BPAU_NDR_KEY_MAX) {
				abort();
			}
		}
		break;
	case 4:
		(void)samr_handle_parse(data + 1, size - 1, handle);
		break;
	case 5:
		if (NT_STATUS_IS_OK(samr_enum_domains_parse(t, data + 1, size - 1, &s)) &&
		    strlen(s) > size) {
			abort();
		}
		break;
	case 6:
		if (NT_STATUS_IS_OK(samr_lookup_domain_parse(data + 1, size - 1, &sid)) &&
		    sid.num_auths > CRYPTO_SID_MAX_SUBAUTH) {
			abort();
		}
		break;
	case 7:
		(void)samr_lookup_names_parse(data + 1, size - 1, &a, &b);
		break;
	case 8: /* the client cache's three record kinds */
		if (sidcache_parse_own_record(data + 1, size - 1, &own_file, &own_file_len,
					      &own_blob, &own_blob_len)) {
			inside(own_file, own_file_len, data + 1, size - 1);
			inside(own_blob, own_blob_len, data + 1, size - 1);
		}
		if (sidcache_parse_endpoint_record(data + 1, size - 1, &when, &port) &&
		    port == 0) {
			abort();
		}
		if (sidcache_parse_record(data + 1, size - 1, &when, &sid)) {
			char buf[CRYPTO_SID_MAX_STRING];
			struct crypto_sid again;
			crypto_sid_format(&sid, buf);
			if (!NT_STATUS_IS_OK(crypto_sid_parse(buf, &again, NULL)) ||
			    !crypto_sid_equal(&sid, &again)) {
				abort();
			}
		}
		break;
	}
	talloc_free(t);
	return 0;
}
