/*
 * leancall.c: a test client on the bpau client's own DCE/RPC stack
 * (rpc/ncacn.c, rpc/client_ndr.c): the endpoint mapper, a Kerberos bind at
 * packet privacy and one ExchangePublicKeys with an arbitrary ClientKey,
 * so the integration tests can drive what "bpau exchange" never sends
 * (a key that spans many request fragments).
 *
 *   bpau-leancall ADDRESS PRINCIPAL (--blob FILE | --bytes N | --samr-enum)
 *                 [--count N] [--gssapi-wrap] [--tamper-at K | --replay-at K |
 *                  --forge-at K]
 *
 * Prints "port: N", then "result: hresult=0x... len=N" or "error: ...",
 * and at the end "sealing: openssl" (crypto/kwrap.h, which an association
 * moves to at its eighth call) or "sealing: gssapi" (gss_wrap_iov; always
 * with --gssapi-wrap).
 * With --count, makes N calls on the one association after the first and
 * prints "rate CALLS_PER_SECOND" (the benchmark's one-association
 * measurement on our client).  --samr-enum makes the calls samr
 * EnumDomains (after one Connect2) instead: Samba's cheapest authenticated
 * call, on our client, so the benchmark can compare the two calls on one
 * client stack.  --tamper-at K flips a bit of the K'th repeated call's
 * sealed stub; --replay-at K sends the K-1'th repeated call's request
 * again as the K'th; --forge-at K sends the K'th as someone without the
 * key would forge it, its stub in clear and its token's sequence number
 * 5 ahead (rpc/ncacn.h, ncacn_test_fault): the server must refuse all
 * three, so these runs end with "error: repeated call K: ..." and exit 1.
 * Exit 0 if the calls completed, 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rpc/client_ndr.h"
#include "rpc/ncacn.h"
#include "crypto/wire/file.h"

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

	long count = 0, tamper_at = 0, replay_at = 0, forge_at = 0;
	bool gssapi_wrap = false, samr = false;
	const struct ncacn_syntax *iface = &ncacn_syntax_bitspeerauth;
	uint16_t opnum = BPAU_OPNUM_EXCHANGE;

	const char *blob = NULL, *bytes = NULL;
	bool bad = argc < 4;

	for (int i = 3; i < argc && !bad; i++) {
		if (strcmp(argv[i], "--gssapi-wrap") == 0) {
			gssapi_wrap = true;
		} else if (strcmp(argv[i], "--samr-enum") == 0) {
			samr = true;
		} else if (i + 1 < argc && strcmp(argv[i], "--count") == 0) {
			count = strtol(argv[++i], NULL, 10);
		} else if (i + 1 < argc && strcmp(argv[i], "--tamper-at") == 0) {
			tamper_at = strtol(argv[++i], NULL, 10);
		} else if (i + 1 < argc && strcmp(argv[i], "--replay-at") == 0) {
			replay_at = strtol(argv[++i], NULL, 10);
		} else if (i + 1 < argc && strcmp(argv[i], "--forge-at") == 0) {
			forge_at = strtol(argv[++i], NULL, 10);
		} else if (i + 1 < argc && strcmp(argv[i], "--blob") == 0) {
			blob = argv[++i];
		} else if (i + 1 < argc && strcmp(argv[i], "--bytes") == 0) {
			bytes = argv[++i];
		} else {
			bad = true;
		}
	}
	if (bad || count < 0 || (samr + (blob != NULL) + (bytes != NULL)) != 1 ||
	    tamper_at < 0 || tamper_at > count || replay_at < 0 || replay_at > count ||
	    replay_at == 1 || forge_at < 0 || forge_at > count ||
	    (tamper_at != 0) + (replay_at != 0) + (forge_at != 0) > 1) {
		fprintf(stderr, "usage: bpau-leancall ADDRESS PRINCIPAL (--blob FILE | --bytes N | "
				"--samr-enum) [--count N] [--gssapi-wrap] [--tamper-at K | "
				"--replay-at K (K > 1) | --forge-at K]\n");
		return 3;
	}
	if (samr) {
		iface = &ncacn_syntax_samr;
		opnum = SAMR_OPNUM_ENUM_DOMAINS;
	} else if (bytes != NULL) {
		key_len = strtoul(bytes, NULL, 10);
		key = talloc_zero_array(t, uint8_t, key_len ? key_len : 1);
		for (size_t i = 0; i < key_len; i++) {
			key[i] = (uint8_t)(i * 7);
		}
	} else {
		int err;
		if (!NT_STATUS_IS_OK(crypto_read_file(t, blob, false, 70000, &key, &key_len, &err))) {
			fprintf(stderr, "%s: %s\n", blob, strerror(err));
			return 3;
		}
	}
	status = ncacn_connect(t, argv[1], 135, 10, &c);
	if (NT_STATUS_IS_OK(status)) {
		status = ncacn_bind(c, &ncacn_syntax_epmapper, NULL);
	}
	if (NT_STATUS_IS_OK(status)) {
		status = epm_map_request(t, iface, &req, &req_len)
				 ? ncacn_call(c, t, EPM_OPNUM_MAP, req, req_len, &resp, &resp_len)
				 : NT_STATUS_NO_MEMORY;
	}
	if (NT_STATUS_IS_OK(status)) {
		status = epm_map_parse(resp, resp_len, iface, &port);
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
		status = ncacn_bind(c, iface, argv[2]);
	}
	if (!NT_STATUS_IS_OK(status)) {
		return fail("bind", status, c);
	}
	if (samr) {
		uint8_t handle[SAMR_HANDLE_LEN];
		char *domain;

		status = samr_connect2_request(t, 0x31, &req, &req_len)
				 ? ncacn_call(c, t, SAMR_OPNUM_CONNECT2, req, req_len, &resp, &resp_len)
				 : NT_STATUS_NO_MEMORY;
		if (NT_STATUS_IS_OK(status)) {
			status = samr_handle_parse(resp, resp_len, handle);
		}
		if (NT_STATUS_IS_OK(status)) {
			status = samr_enum_domains_request(t, handle, &req, &req_len)
					 ? ncacn_call(c, t, opnum, req, req_len, &resp, &resp_len)
					 : NT_STATUS_NO_MEMORY;
		}
		if (NT_STATUS_IS_OK(status)) {
			status = samr_enum_domains_parse(t, resp, resp_len, &domain);
		}
		if (!NT_STATUS_IS_OK(status)) {
			return fail("samr", status, c);
		}
		printf("result: domain=%s\n", domain);
	} else {
		if (!bpau_exchange_request(t, key, (uint32_t)key_len, &req, &req_len)) {
			return fail("encode", NT_STATUS_NO_MEMORY, c);
		}
		status = ncacn_call(c, t, opnum, req, req_len, &resp, &resp_len);
		if (!NT_STATUS_IS_OK(status)) {
			return fail("call", status, c);
		}
		status = bpau_exchange_parse(resp, resp_len, &srv, &srv_len, &hr);
		if (!NT_STATUS_IS_OK(status)) {
			return fail("response", status, c);
		}
		printf("result: hresult=0x%08x len=%u\n", (unsigned)hr, (unsigned)srv_len);
	}
	if (count > 0) {
		struct timespec a, b;
		clock_gettime(CLOCK_MONOTONIC, &a);
		for (long i = 0; i < count; i++) {
			TALLOC_CTX *f = talloc_new(t);
			if (i + 1 == tamper_at) {
				ncacn_test_fault(c, NCACN_TEST_TAMPER);
			} else if (i + 2 == replay_at) {
				ncacn_test_fault(c, NCACN_TEST_REPLAY); /* keep call K-1's */
			} else if (i + 1 == forge_at) {
				ncacn_test_fault(c, NCACN_TEST_FORGE);
			}
			status = ncacn_call(c, f, opnum, req, req_len, &resp, &resp_len);
			if (NT_STATUS_IS_OK(status)) {
				char *domain;
				hr = 0;
				status = samr ? samr_enum_domains_parse(f, resp, resp_len, &domain)
					      : bpau_exchange_parse(resp, resp_len, &srv, &srv_len, &hr);
			}
			if (!NT_STATUS_IS_OK(status) || hr != 0) {
				char what[64];
				snprintf(what, sizeof(what), "repeated call %ld", i + 1);
				return fail(what, status, c);
			}
			talloc_free(f);
		}
		clock_gettime(CLOCK_MONOTONIC, &b);
		printf("rate %.1f\n", (double)count / ((double)(b.tv_sec - a.tv_sec) +
						      (double)(b.tv_nsec - a.tv_nsec) / 1e9));
	}
	printf("sealing: %s\n", ncacn_wraps_with_openssl(c) ? "openssl" : "gssapi");
	talloc_free(t);
	return 0;
}
