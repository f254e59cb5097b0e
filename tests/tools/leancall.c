/*
 * leancall.c: a test client on the bpau client's own DCE/RPC stack
 * (rpc/ncacn.c, rpc/client_ndr.c): the endpoint mapper, a Kerberos bind at
 * packet privacy and one ExchangePublicKeys with an arbitrary ClientKey,
 * so the integration tests can drive what "bpau exchange" never sends
 * (a key that spans many request fragments).
 *
 *   bpau-leancall ADDRESS PRINCIPAL (--blob FILE | --bytes N) [--count N]
 *                 [--gssapi-wrap]
 *
 * Prints "port: N", "sealing: openssl" (crypto/kwrap.h) or "sealing:
 * gssapi" (gss_wrap_iov; forced with --gssapi-wrap), then "result:
 * hresult=0x... len=N" or "error: ...".
 * With --count, makes N calls on the one association after the first and
 * prints "rate CALLS_PER_SECOND" (the benchmark's one-association
 * measurement on our client).  Exit 0 if the calls completed, 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rpc/client_ndr.h"
#include "rpc/ncacn.h"

static int fail(const char *what, NTSTATUS status, struct ncacn_conn *c)
{
	printf("error: %s: %s: %s\n", what, crypto_status_name(status), ncacn_reason(c));
	return 1;
}

int main(int argc, char **argv)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct ncacn_conn *c = NULL;
	uint8_t *key = NULL, *req, *resp;
	size_t key_len = 0, req_len, resp_len;
	const uint8_t *srv;
	uint32_t srv_len, hr;
	uint16_t port;
	NTSTATUS status;

	long count = 0;
	bool gssapi_wrap = false;

	if (argc >= 6 && strcmp(argv[argc - 1], "--gssapi-wrap") == 0) {
		gssapi_wrap = true;
		argc--;
	}
	if (argc == 7 && strcmp(argv[5], "--count") == 0) {
		count = strtol(argv[6], NULL, 10);
		argc = 5;
	}
	if (argc != 5 || count < 0) {
		fprintf(stderr, "usage: bpau-leancall ADDRESS PRINCIPAL (--blob FILE | --bytes N) "
				"[--count N] [--gssapi-wrap]\n");
		return 3;
	}
	if (strcmp(argv[3], "--bytes") == 0) {
		key_len = strtoul(argv[4], NULL, 10);
		key = talloc_zero_array(t, uint8_t, key_len ? key_len : 1);
		for (size_t i = 0; i < key_len; i++) {
			key[i] = (uint8_t)(i * 7);
		}
	} else {
		int err;
		if (!NT_STATUS_IS_OK(crypto_read_file(t, argv[4], false, 70000, &key, &key_len,
						      &err))) {
			fprintf(stderr, "%s: %s\n", argv[4], strerror(err));
			return 3;
		}
	}
	status = ncacn_connect(t, argv[1], 135, 10, &c);
	if (NT_STATUS_IS_OK(status)) {
		status = ncacn_bind(c, &ncacn_syntax_epmapper, NULL);
	}
	if (NT_STATUS_IS_OK(status)) {
		status = epm_map_request(t, &ncacn_syntax_bitspeerauth, &req, &req_len)
				 ? ncacn_call(c, t, EPM_OPNUM_MAP, req, req_len, &resp, &resp_len)
				 : NT_STATUS_NO_MEMORY;
	}
	if (NT_STATUS_IS_OK(status)) {
		status = epm_map_parse(resp, resp_len, &ncacn_syntax_bitspeerauth, &port);
	}
	if (!NT_STATUS_IS_OK(status)) {
		return fail("endpoint mapper", status, c);
	}
	printf("port: %u\n", (unsigned)port);
	talloc_free(c);
	status = ncacn_connect(t, argv[1], port, 10, &c);
	if (NT_STATUS_IS_OK(status)) {
		if (gssapi_wrap) {
			ncacn_use_gssapi_wrap(c);
		}
		status = ncacn_bind(c, &ncacn_syntax_bitspeerauth, argv[2]);
	}
	if (!NT_STATUS_IS_OK(status)) {
		return fail("bind", status, c);
	}
	printf("sealing: %s\n", ncacn_wraps_with_openssl(c) ? "openssl" : "gssapi");
	if (!bpau_exchange_request(t, key, (uint32_t)key_len, &req, &req_len)) {
		return fail("encode", NT_STATUS_NO_MEMORY, c);
	}
	status = ncacn_call(c, t, BPAU_OPNUM_EXCHANGE, req, req_len, &resp, &resp_len);
	if (!NT_STATUS_IS_OK(status)) {
		return fail("call", status, c);
	}
	status = bpau_exchange_parse(resp, resp_len, &srv, &srv_len, &hr);
	if (!NT_STATUS_IS_OK(status)) {
		return fail("response", status, c);
	}
	printf("result: hresult=0x%08x len=%u\n", (unsigned)hr, (unsigned)srv_len);
	if (count > 0) {
		struct timespec a, b;
		clock_gettime(CLOCK_MONOTONIC, &a);
		for (long i = 0; i < count; i++) {
			TALLOC_CTX *f = talloc_new(t);
			status = ncacn_call(c, f, BPAU_OPNUM_EXCHANGE, req, req_len, &resp, &resp_len);
			if (NT_STATUS_IS_OK(status)) {
				status = bpau_exchange_parse(resp, resp_len, &srv, &srv_len, &hr);
			}
			if (!NT_STATUS_IS_OK(status) || hr != 0) {
				return fail("repeated call", status, c);
			}
			talloc_free(f);
		}
		clock_gettime(CLOCK_MONOTONIC, &b);
		printf("rate %.1f\n", (double)count / ((double)(b.tv_sec - a.tv_sec) +
						      (double)(b.tv_nsec - a.tv_nsec) / 1e9));
	}
	talloc_free(t);
	return 0;
}
