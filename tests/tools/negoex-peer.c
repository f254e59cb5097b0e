/*
 * negoex-peer: one side of a NEGOEX exchange on our engine
 * (negoex/engine/engine.h) with the test auth scheme(s)
 * (negoex_testscheme.h, MIT negoextest's twin), speaking a line protocol on
 * stdin/stdout so that a relay can pair it with another peer (ours or
 * MIT's driver).  Test-only: built under tests/, never installed.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/wire/text.h"
#include "negoex/engine/engine.h"
#include "negoex/krb5/negoex_krb5.h"
#include "negoex/spnego/negoex_spnego.h"
#include "tests/tools/negoex_testscheme.h"

static const char usage_text[] =
	"usage: negoex-peer --role initiator|acceptor [--schemes N] [--reverse]\n"
	"                   [--no-optimistic] [--raw|--spnego]\n"
	"                   [--with-krb5 [--target SERVICE]] [--no-negoex]\n"
	"\n"
	"Runs one side of a NEGOEX exchange (our engine, the test auth scheme\n"
	"wire-compatible with MIT krb5's negoextest plugin).\n"
	"\n"
	"  --role R          initiator or acceptor (required)\n"
	"  --schemes N       1 or 2 test schemes (default 2), registered as MIT's\n"
	"                    t_negoex.py does: c0a28569-66ac-... (OID ending 102)\n"
	"                    then d1b08469-2ca8-... (OID ending 44)\n"
	"  --reverse         prefer the schemes in the opposite order (44 first;\n"
	"                    with --schemes 1, scheme 44 alone)\n"
	"  --no-optimistic   initiator: no optimistic AP_REQUEST (MIT's\n"
	"                    NEGOEX_NO_OPTIMISTIC_TOKEN)\n"
	"  --raw             tokens are bare NEGOEX message sequences\n"
	"  --spnego          tokens are SPNEGO-framed, as MIT's SPNEGO sends them:\n"
	"                    NegTokenInit (GSS framing, mech 1.3.6.1.4.1.311.2.2.30)\n"
	"                    then NegTokenResp (the default)\n"
	"  --with-krb5       SPNEGO offers Kerberos (Heimdal's GSSAPI) after NEGOEX:\n"
	"                    the initiator uses the ccache (KRB5CCNAME), the\n"
	"                    acceptor the keytab (KRB5_KTNAME); krb5.conf from\n"
	"                    KRB5_CONFIG\n"
	"  --target SERVICE  initiator with --with-krb5: \"HTTP@host\" or a\n"
	"                    principal \"HTTP/host@REALM\"\n"
	"  --no-negoex       with --with-krb5: offer Kerberos alone\n"
	"\n"
	"Line protocol: every token we send is one line \"TOKEN <hex>\" on stdout\n"
	"(flushed); the peer's tokens are read as \"TOKEN <hex>\" lines on stdin\n"
	"(other lines are ignored, with a note on stderr).  The initiator starts.\n"
	"On success \"DONE\" (after a last TOKEN, if any); on failure\n"
	"\"ERROR <message>\" (after a last TOKEN for the peer, if the engine has\n"
	"one).  With --spnego, stderr ends with \"spnego: selected NAME,\n"
	"mechListMIC exchanged|none\" (and \"krb5: peer PRINCIPAL\" on an acceptor).\n"
	"stderr has one line per NEGOEX message, e.g.\n"
	"\"sent INITIATOR_NEGO seq 0 schemes <guid> <guid>\",\n"
	"\"recv ACCEPTOR_META_DATA seq 6 scheme <guid>\".\n"
	"\n"
	"The test scheme reads MIT negoextest's environment variables: HOPS,\n"
	"KEY, INIT_QUERY_FAIL, ACCEPT_QUERY_FAIL, INIT_QUERY_NONE,\n"
	"ACCEPT_QUERY_NONE, INIT_EXCHANGE_FAIL, ACCEPT_EXCHANGE_FAIL, INIT_FAIL,\n"
	"ACCEPT_FAIL (a scheme is named by its OID's last octet, 102 or 44), and\n"
	"NEGOEX_TEST_ENCTYPE (17, 18, 19, 20 or 23; ours only).\n"
	"\n"
	"Exit status: 0 the exchange completed, 1 it failed, 2 usage error.\n";

static void trace_line(void *data, const char *line)
{
	fprintf(stderr, "%s\n", line);
	fflush(stderr);
}

static void send_token(const uint8_t *p, size_t n)
{
	TALLOC_CTX *t = talloc_new(NULL);
	char *hex = crypto_hex(t, p, n);

	if (hex == NULL) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	printf("TOKEN %s\n", hex);
	fflush(stdout);
	talloc_free(t);
}

static int fail(const char *what, NTSTATUS status, const char *reason)
{
	printf("ERROR %s: %s%s%s\n", what, nt_errstr(status), reason != NULL ? ": " : "",
	       reason != NULL ? reason : "");
	fflush(stdout);
	return 1;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}
	if (c >= 'A' && c <= 'F') {
		return c - 'A' + 10;
	}
	return -1;
}

/* unhex decodes |s| (even length, hex digits only) on mem_ctx. */
static bool unhex(TALLOC_CTX *mem_ctx, const char *s, size_t len, uint8_t **out, size_t *out_len)
{
	uint8_t *p;

	if (len % 2 != 0 || (p = talloc_array(mem_ctx, uint8_t, len / 2 + 1)) == NULL) {
		return false;
	}
	for (size_t i = 0; i < len; i += 2) {
		int hi = hexval(s[i]), lo = hexval(s[i + 1]);

		if (hi < 0 || lo < 0) {
			return false;
		}
		p[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	*out = p;
	*out_len = len / 2;
	return true;
}

/* read_token waits for the next "TOKEN <hex>" line; false at end of input. */
static bool read_token(TALLOC_CTX *mem_ctx, uint8_t **out, size_t *out_len, bool *bad)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	*bad = false;
	while ((n = getline(&line, &cap, stdin)) >= 0) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) {
			line[--n] = '\0';
		}
		if (strncmp(line, "TOKEN ", 6) == 0) {
			*bad = !unhex(mem_ctx, line + 6, (size_t)n - 6, out, out_len);
			free(line);
			return true;
		}
		if (n > 0) {
			fprintf(stderr, "ignored line: %.60s\n", line);
		}
	}
	free(line);
	return false;
}

static int run(TALLOC_CTX *mem, int argc, char **argv)
{
	static const struct option opts[] = {
		{"role", required_argument, NULL, 'r'}, {"schemes", required_argument, NULL, 's'},
		{"reverse", no_argument, NULL, 'R'},	{"no-optimistic", no_argument, NULL, 'n'},
		{"raw", no_argument, NULL, 'w'},	{"spnego", no_argument, NULL, 'S'},
		{"with-krb5", no_argument, NULL, 'k'},	{"target", required_argument, NULL, 't'},
		{"no-negoex", no_argument, NULL, 'N'},
		{"help", no_argument, NULL, 'h'},	{NULL, 0, NULL, 0},
	};
	struct negoex_scheme schemes[NEGOEX_TESTSCHEME_COUNT];
	struct negoex_engine_config cfg = {.trace = trace_line};
	struct negoex_engine *engine;
	struct negoex_spnego *sp = NULL;
	const char *role = NULL, *reason = NULL;
	long nschemes = NEGOEX_TESTSCHEME_COUNT;
	bool reverse = false, spnego = true, with_krb5 = false, no_negoex = false;
	const char *target = NULL;
	struct negoex_krb5 *krb5 = NULL;
	struct negoex_spnego_mech krb5_mech;
	NTSTATUS status;
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			role = optarg;
			break;
		case 's':
			nschemes = strtol(optarg, NULL, 10);
			break;
		case 'R':
			reverse = true;
			break;
		case 'n':
			cfg.no_optimistic_token = true;
			break;
		case 'w':
			spnego = false;
			break;
		case 'S':
			spnego = true;
			break;
		case 'k':
			with_krb5 = true;
			break;
		case 't':
			target = optarg;
			break;
		case 'N':
			no_negoex = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			fputs(usage_text, stderr);
			return 2;
		}
	}
	if (optind != argc || role == NULL ||
	    (strcmp(role, "initiator") != 0 && strcmp(role, "acceptor") != 0) || nschemes < 1 ||
	    nschemes > NEGOEX_TESTSCHEME_COUNT || (with_krb5 && !spnego) ||
	    (no_negoex && !with_krb5) || (target != NULL && !with_krb5)) {
		fputs(usage_text, stderr);
		return 2;
	}
	cfg.role = strcmp(role, "initiator") == 0 ? NEGOEX_ROLE_INITIATOR : NEGOEX_ROLE_ACCEPTOR;
	/* the two schemes in order (or reversed), then the first N */
	for (unsigned i = 0; i < NEGOEX_TESTSCHEME_COUNT; i++) {
		negoex_testscheme_get(reverse ? NEGOEX_TESTSCHEME_COUNT - 1 - i : i, &schemes[i]);
	}
	cfg.schemes = schemes;
	cfg.num_schemes = (size_t)nschemes;
	status = negoex_engine_new(mem, &cfg, &engine, &reason);
	if (!NT_STATUS_IS_OK(status)) {
		return fail("engine", status, reason);
	}
	if (spnego) {
		struct negoex_spnego_config scfg = {.role = cfg.role,
						    .engine = no_negoex ? NULL : engine};

		if (with_krb5) {
			struct negoex_krb5_config kcfg = {.role = cfg.role, .target = target};

			status = negoex_krb5_new(mem, &kcfg, &krb5, &reason);
			if (!NT_STATUS_IS_OK(status)) {
				return fail("krb5", status, reason);
			}
			negoex_krb5_mech(krb5, &krb5_mech);
			scfg.mechs = &krb5_mech;
			scfg.num_mechs = 1;
		}

		status = negoex_spnego_new(mem, &scfg, &sp, &reason);
		if (!NT_STATUS_IS_OK(status)) {
			return fail("spnego", status, reason);
		}
	}

	/* One token in (none on the initiator's first turn), at most one out,
	 * until the engine (--raw) or SPNEGO with it (--spnego) is done. */
	status = NT_STATUS_MORE_PROCESSING_REQUIRED;
	for (bool first = true; NT_STATUS_EQUAL(status, NT_STATUS_MORE_PROCESSING_REQUIRED);
	     first = false) {
		TALLOC_CTX *t = talloc_new(mem);
		uint8_t *in = NULL, *out = NULL;
		size_t in_len = 0, out_len = 0;
		bool bad;

		if (!first || cfg.role == NEGOEX_ROLE_ACCEPTOR) {
			if (!read_token(t, &in, &in_len, &bad)) {
				return fail("peer", NT_STATUS_END_OF_FILE, "no more tokens");
			}
			if (bad) {
				return fail("peer", NT_STATUS_INVALID_PARAMETER,
					    "TOKEN line is not hex");
			}
		}
		if (sp != NULL) {
			status = negoex_spnego_step(sp, t, in, in_len, &out, &out_len, &reason);
		} else {
			status = negoex_engine_step(engine, t, in, in_len, &out, &out_len, &reason);
		}
		if (out_len > 0) {
			send_token(out, out_len);
		}
		talloc_free(t);
	}
	if (krb5 != NULL && negoex_krb5_last_error(krb5) != NULL) {
		fprintf(stderr, "krb5: %s\n", negoex_krb5_last_error(krb5));
	}
	if (!NT_STATUS_IS_OK(status)) {
		return fail(sp != NULL ? "spnego" : "negoex", status, reason);
	}
	if (sp != NULL) {
		struct spnego_oid sel;
		char *peer = krb5 != NULL ? negoex_krb5_peer_name(mem, krb5) : NULL;

		if (NT_STATUS_IS_OK(negoex_spnego_selected(sp, &sel))) {
			fprintf(stderr, "spnego: selected %s, mechListMIC %s\n",
				spnego_oid_name(&sel) != NULL ? spnego_oid_name(&sel) : "?",
				negoex_spnego_mic_exchanged(sp) ? "exchanged" : "none");
		}
		if (peer != NULL) {
			fprintf(stderr, "krb5: peer %s\n", peer);
		}
	}
	printf("DONE\n");
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	int rc = mem != NULL ? run(mem, argc, argv) : 1;

	talloc_free(mem);
	return rc;
}
