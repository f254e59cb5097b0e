/*
 * rawcall.c: a test client for the integration tests: binds to the
 * bitspeerauth interface with the authentication under test and sends
 * either a well-formed call or a hand-built NDR stub that the generated
 * client would never produce.
 *
 *   bpau-rawcall BINDING MODE [--ccache NAME | --ntlm DOMAIN\\USER%PASS |
 *                              --anonymous] [--blob FILE] [--count N]
 *
 * BINDING is a Samba binding string, e.g.
 *   ncacn_ip_tcp:127.0.0.11[krb5,seal,target_hostname=dc1.bpau.test]
 * MODE is one of
 *   call            ExchangePublicKeys with --blob (or ClientKeyLength 0),
 *                   --count times on the one association (default 1)
 *   null-nonzero    ClientKeyLength 5 with a NULL ClientKey
 *   over-range      ClientKeyLength 65537 (KEY_LENGTH is 0..65536)
 *   opnum N         the stub of a ClientKeyLength 0 call (8 zero bytes) as
 *                   operation N (the interface has opnum 0 only), then
 *                   ExchangePublicKeys on the same association, printed as
 *                   "then: result: ..." or "then: fault: ..."
 * Responses are checked as bpau checks them (rpc/samba_compat/gss_seq_check.c).
 * Prints "bind: ...", then "result: hresult=0x... len=N" when the call
 * completed or "fault: STATUS" when it did not (with --count, each call's
 * line; a failed call K is "error: call K: fault: STATUS").  Exit 0 if the call
 * completed, 1 on a fault or call error, 2 on a bind error, 3 on usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <talloc.h>
#include <tevent.h>
#include <credentials.h>
#include <dcerpc.h>
#include <param.h>

#include "gen/ndr_bitspeerauth_c.h"
#include "rpc/samba_compat/gss_seq_check.h"

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

int main(int argc, char **argv)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct tevent_context *ev = tevent_context_init(mem);
	struct loadparm_context *lp = loadparm_init_global(false);
	struct cli_credentials *creds = NULL;
	struct dcerpc_pipe *p;
	const char *binding, *mode, *ccache = NULL, *ntlm = NULL, *blob_file = NULL;
	const char *err = NULL;
	bool anonymous = false;
	long count = 1;
	uint8_t *blob = NULL;
	size_t blob_len = 0;
	NTSTATUS status;

	if (argc < 3) {
		fprintf(stderr, "usage: bpau-rawcall BINDING MODE [options]\n");
		return 3;
	}
	binding = argv[1];
	mode = argv[2];
	int first_opt = 3;
	unsigned long opnum = 0;
	if (strcmp(mode, "opnum") == 0) {
		char *end = NULL;
		if (argc < 4) {
			fprintf(stderr, "usage: bpau-rawcall BINDING opnum N [options]\n");
			return 3;
		}
		opnum = strtoul(argv[3], &end, 0);
		if (end == argv[3] || *end != '\0' || opnum > 0xffff) {
			fprintf(stderr, "bpau-rawcall: opnum must be 0 to 65535\n");
			return 3;
		}
		first_opt = 4;
	}
	for (int i = first_opt; i < argc; i++) {
		if (strcmp(argv[i], "--ccache") == 0 && i + 1 < argc) {
			ccache = argv[++i];
		} else if (strcmp(argv[i], "--ntlm") == 0 && i + 1 < argc) {
			ntlm = argv[++i];
		} else if (strcmp(argv[i], "--blob") == 0 && i + 1 < argc) {
			blob_file = argv[++i];
		} else if (strcmp(argv[i], "--count") == 0 && i + 1 < argc) {
			count = strtol(argv[++i], NULL, 10);
			if (count < 1 || count > 100000) {
				fprintf(stderr, "bpau-rawcall: --count must be 1 to 100000\n");
				return 3;
			}
		} else if (strcmp(argv[i], "--anonymous") == 0) {
			anonymous = true;
		} else {
			fprintf(stderr, "bpau-rawcall: unknown option %s\n", argv[i]);
			return 3;
		}
	}
	if (blob_file != NULL) {
		FILE *f = fopen(blob_file, "rb");
		blob = talloc_array(mem, uint8_t, 70000);
		if (f == NULL || blob == NULL) {
			fprintf(stderr, "bpau-rawcall: cannot read %s\n", blob_file);
			return 3;
		}
		blob_len = fread(blob, 1, 70000, f);
		fclose(f);
	}
	if (ev == NULL || lp == NULL || !NT_STATUS_IS_OK(dcerpc_init()) ||
	    !gss_seq_check_setup(NULL)) {
		return 3;
	}
	lpcfg_set_cmdline(lp, "gensec_gssapi:delegation", "no");
	lpcfg_set_cmdline(lp, "gensec_gssapi:delegation_by_kdc_policy", "no");
	if (anonymous) {
		creds = cli_credentials_init_anon(mem);
	} else {
		creds = cli_credentials_init(mem);
		cli_credentials_set_conf(creds, lp);
		if (ntlm != NULL) {
			lpcfg_set_cmdline(lp, "client use kerberos", "off");
			cli_credentials_parse_string(creds, ntlm, CRED_SPECIFIED);
			cli_credentials_set_kerberos_state(creds, CRED_USE_KERBEROS_DISABLED,
							   CRED_SPECIFIED);
		} else {
			cli_credentials_set_kerberos_state(creds, CRED_USE_KERBEROS_REQUIRED,
							   CRED_SPECIFIED);
			if (cli_credentials_set_ccache(creds, lp, ccache, CRED_SPECIFIED, &err) != 0) {
				fprintf(stderr, "bpau-rawcall: ccache: %s\n", err ? err : "?");
				return 3;
			}
		}
	}
	status = dcerpc_pipe_connect(mem, &p, binding, &ndr_table_bitspeerauth, creds, ev, lp);
	if (!NT_STATUS_IS_OK(status)) {
		printf("bind: %s\n", nt_errstr(status));
		return 2;
	}
	printf("bind: ok\n");
	dcerpc_binding_handle_set_timeout(p->binding_handle, 15);

	if (strcmp(mode, "call") == 0) {
		for (long k = 1; k <= count; k++) {
			uint32_t out_len = 0;
			uint8_t *out = NULL;
			HRESULT hr;
			status = dcerpc_bitspeerauth_ExchangePublicKeys(p->binding_handle, mem,
									(uint32_t)blob_len, blob,
									&out_len, &out, &hr);
			if (!NT_STATUS_IS_OK(status)) {
				if (count > 1) {
					printf("error: call %ld: ", k);
				}
				printf("fault: %s\n", nt_errstr(status));
				return 1;
			}
			printf("result: hresult=0x%08x len=%u\n", (unsigned)HRES_ERROR_V(hr), out_len);
			talloc_free(out);
		}
		return 0;
	}

	/* Hand-built request stubs (NDR, little-endian). */
	uint8_t *stub;
	size_t stub_len;
	if (strcmp(mode, "null-nonzero") == 0) {
		stub_len = 8;
		stub = talloc_zero_array(mem, uint8_t, stub_len);
		put32(stub, 5);     /* ClientKeyLength */
		put32(stub + 4, 0); /* ClientKey: NULL unique pointer */
	} else if (strcmp(mode, "opnum") == 0) {
		stub_len = 8; /* ClientKeyLength 0, ClientKey NULL */
		stub = talloc_zero_array(mem, uint8_t, stub_len);
	} else if (strcmp(mode, "over-range") == 0) {
		uint32_t n = 65537;
		stub_len = 12 + n;
		stub = talloc_zero_array(mem, uint8_t, stub_len);
		put32(stub, n);
		put32(stub + 4, 0x00020000); /* referent ID */
		put32(stub + 8, n);          /* conformance */
	} else {
		fprintf(stderr, "bpau-rawcall: unknown mode %s\n", mode);
		return 3;
	}
	uint8_t *out = NULL;
	size_t out_len = 0;
	uint32_t out_flags = 0;
	status = dcerpc_binding_handle_raw_call(p->binding_handle, NULL, (uint32_t)opnum, 0, stub,
						stub_len, mem, &out, &out_len, &out_flags);
	if (!NT_STATUS_IS_OK(status)) {
		printf("fault: %s\n", nt_errstr(status));
	} else {
		printf("result: %zu bytes\n", out_len);
	}
	if (strcmp(mode, "opnum") == 0) {
		/* Whether the association still serves after what was sent. */
		uint32_t then_len = 0;
		uint8_t *then_out = NULL;
		HRESULT hr;
		NTSTATUS then = dcerpc_bitspeerauth_ExchangePublicKeys(
			p->binding_handle, mem, 0, NULL, &then_len, &then_out, &hr);
		if (NT_STATUS_IS_OK(then)) {
			printf("then: result: hresult=0x%08x len=%u\n", (unsigned)HRES_ERROR_V(hr),
			       then_len);
		} else {
			printf("then: fault: %s\n", nt_errstr(then));
		}
	}
	return NT_STATUS_IS_OK(status) ? 0 : 1;
}
