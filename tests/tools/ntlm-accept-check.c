/*
 * ntlm-accept-check: one NTLM exchange between a client built on
 * Heimdal's libheimntlm (ntlm_heim_client.c) and our acceptor
 * (credssp/ntlm/) with the winbind or the SAM-file backend, then sealing
 * both ways.  Test-only: tests/integration/test_credssp_ntlm_winbind.sh
 * runs it on the harness's joined member, tests/cli/test_ntlm_accept_check.sh
 * against a winpr-hash SAM file.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "credssp/ntlm/ntlm.h"
#include "tests/tools/ntlm_heim_client.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: ntlm-accept-check (--winbind | --samfile PATH) -u USER -d DOMAIN\n"
		"                         [-p PASSWORD] [--no-mic] [--names NBCOMPUTER,NBDOMAIN]\n"
		"\n"
		"Runs one NTLMv2 exchange: a client built on Heimdal's libheimntlm (with\n"
		"the password, from -p or the NTLM_CHECK_PASSWORD environment variable)\n"
		"against the CredSSP NTLM acceptor validating through winbindd (--winbind,\n"
		"on a joined member) or a FreeRDP SAM file (--samfile).  On success it\n"
		"checks that the acceptor's session key is the client's and that sealing\n"
		"works both ways, and prints\n"
		"  accepted DOMAIN\\user session-key=match seal=ok\n"
		"On refusal it prints\n"
		"  refused NT_STATUS_...: reason\n"
		"No password, hash, response or key is printed.\n"
		"\n"
		"  --winbind         validate through winbindd (wbcAuthenticateUserEx)\n"
		"  --samfile PATH    validate against a SAM file (winpr-hash -f sam lines)\n"
		"  -u, --user USER   the client's user name\n"
		"  -d, --domain DOM  the client's domain (may be empty)\n"
		"  -p, --password P  the client's password\n"
		"  --no-mic          do not announce or send a MIC\n"
		"  --names A,B       NetBIOS computer and domain names of the CHALLENGE\n"
		"                    (default SERVER,DOMAIN; with --winbind the member's own,\n"
		"                    from winbindd, which its DC requires)\n"
		"  -h, --help        this text\n"
		"\n"
		"Exit codes: 0 accepted, keys match, sealing works; 1 refused by the\n"
		"acceptor; 2 usage error; 3 accepted but the session keys or sealing\n"
		"disagree; 4 the client side failed.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "winbind", no_argument, NULL, 'W' }, { "samfile", required_argument, NULL, 'S' },
		{ "user", required_argument, NULL, 'u' }, { "domain", required_argument, NULL, 'd' },
		{ "password", required_argument, NULL, 'p' }, { "no-mic", no_argument, NULL, 'M' },
		{ "names", required_argument, NULL, 'N' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	TALLOC_CTX *t = talloc_new(NULL);
	struct ntlm_server_names names = { "SERVER", "DOMAIN", NULL, NULL };
	struct ntlm_test_client c = { .flags = NTLM_TEST_CLIENT_FLAGS, .mic = true };
	struct ntlm_backend *backend = NULL;
	struct ntlm_acceptor *a;
	struct ntlm_session *cs;
	const char *samfile = NULL, *reason = NULL, *err = NULL;
	bool winbind = false, names_given = false;
	uint8_t *tok, *reply, *out, *back, key[16], msg[64];
	size_t tok_len, reply_len, out_len, back_len;
	NTSTATUS st;
	int o, rc;

	while ((o = getopt_long(argc, argv, "u:d:p:h", opts, NULL)) != -1) {
		switch (o) {
		case 'W': winbind = true; break;
		case 'S': samfile = optarg; break;
		case 'u': c.user = optarg; break;
		case 'd': c.domain = optarg; break;
		case 'p': c.password = optarg; break;
		case 'M': c.mic = false; break;
		case 'N': {
			char *comma = strchr(optarg, ',');
			if (comma == NULL) {
				usage(stderr);
				talloc_free(t);
				return 2;
			}
			*comma = '\0';
			names.nb_computer = optarg;
			names.nb_domain = comma + 1;
			names_given = true;
			break;
		}
		case 'h': usage(stdout); talloc_free(t); return 0;
		default: usage(stderr); talloc_free(t); return 2;
		}
	}
	if (c.password == NULL) {
		c.password = getenv("NTLM_CHECK_PASSWORD");
	}
	if (optind != argc || winbind == (samfile != NULL) || c.user == NULL || c.domain == NULL ||
	    c.password == NULL) {
		usage(stderr);
		rc = 2;
		goto done;
	}
	if (winbind && !names_given) {
		/* The member's own names: its DC checks them (ntlm.h). */
		st = ntlm_winbind_server_names(t, &names);
		if (!NT_STATUS_IS_OK(st)) {
			printf("refused %s: winbindd does not give the member's names\n",
			       crypto_status_name(st));
			rc = 1;
			goto done;
		}
	}
	backend = winbind ? ntlm_backend_winbind(t) : ntlm_backend_samfile(t, samfile);
	if (backend == NULL || !NT_STATUS_IS_OK(ntlm_acceptor_new(t, &names, backend, &a))) {
		fprintf(stderr, "ntlm-accept-check: cannot start the acceptor\n");
		rc = 4;
		goto done;
	}
	tok = ntlm_heim_negotiate(t, &c, &tok_len);
	if (tok == NULL) {
		fprintf(stderr, "ntlm-accept-check: Heimdal could not encode NEGOTIATE\n");
		rc = 4;
		goto done;
	}
	st = ntlm_acceptor_step(a, t, tok, tok_len, &reply, &reply_len, &reason);
	if (!NT_STATUS_EQUAL(st, NT_STATUS_MORE_PROCESSING_REQUIRED)) {
		printf("refused %s: %s\n", crypto_status_name(st), reason ? reason : "");
		rc = 1;
		goto done;
	}
	tok = ntlm_heim_authenticate(t, &c, reply, reply_len, &tok_len, &err);
	if (tok == NULL) {
		fprintf(stderr, "ntlm-accept-check: client: %s\n", err);
		rc = 4;
		goto done;
	}
	st = ntlm_acceptor_step(a, t, tok, tok_len, &reply, &reply_len, &reason);
	if (!NT_STATUS_IS_OK(st)) {
		printf("refused %s: %s\n", crypto_status_name(st), reason ? reason : "");
		rc = 1;
		goto done;
	}
	if (!ntlm_acceptor_session_key(a, key) || !crypto_memequal(key, c.random_session_key, 16)) {
		printf("accepted %s session-key=MISMATCH\n", ntlm_acceptor_peer_name(a));
		rc = 3;
		goto done;
	}
	crypto_wipe(key, sizeof(key));
	memset(msg, 0x42, sizeof(msg));
	if (!NT_STATUS_IS_OK(ntlm_session_new(t, c.random_session_key, ntlm_acceptor_flags(a),
					      false, &cs)) ||
	    !NT_STATUS_IS_OK(ntlm_session_seal(cs, t, msg, sizeof(msg), &out, &out_len)) ||
	    !NT_STATUS_IS_OK(ntlm_acceptor_unseal(a, t, out, out_len, &back, &back_len)) ||
	    back_len != sizeof(msg) || memcmp(back, msg, sizeof(msg)) != 0 ||
	    !NT_STATUS_IS_OK(ntlm_acceptor_seal(a, t, msg, 32, &out, &out_len)) ||
	    !NT_STATUS_IS_OK(ntlm_session_unseal(cs, t, out, out_len, &back, &back_len)) ||
	    back_len != 32 || memcmp(back, msg, 32) != 0) {
		printf("accepted %s session-key=match seal=FAILED\n", ntlm_acceptor_peer_name(a));
		rc = 3;
		goto done;
	}
	printf("accepted %s session-key=match seal=ok\n", ntlm_acceptor_peer_name(a));
	rc = 0;
done:
	talloc_free(t);
	return rc;
}
