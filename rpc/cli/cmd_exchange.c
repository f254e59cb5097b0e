/*
 * cmd_exchange.c: "bpau exchange": ExchangePublicKeys (MS-BPAU 3.2) with a
 * BPAU server, through rpc/client/; the client's stages mapped to exit
 * codes.
 */
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "certtable/certtable.h"
#include "rpc/cli/cli.h"
#include "rpc/client/client.h"

int cmd_exchange(TALLOC_CTX *t, int argc, char **argv)
{
	static const struct option opts[] = {{"address", required_argument, NULL, 'a'},
					     {"principal", required_argument, NULL, 'p'},
					     {"cert", required_argument, NULL, 'c'},
					     {"table", required_argument, NULL, 't'},
					     {"capacity", required_argument, NULL, 'n'},
					     {"ccache", required_argument, NULL, 'k'},
					     {"dc", required_argument, NULL, 'd'},
					     {"dc-address", required_argument, NULL, 'D'},
					     {"server-sid", required_argument, NULL, 'S'},
					     {"timeout", required_argument, NULL, 'T'},
					     {"help", no_argument, NULL, 'h'},
					     {0}};
	struct bpau_client_opts o = {.timeout = BPAU_CALL_TIMEOUT};
	struct bpau_client_result *res;
	int ch, v;

	while ((ch = getopt_long(argc, argv, "a:p:c:t:n:k:d:D:S:T:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'a': o.address = optarg; break;
		case 'p': o.principal = optarg; break;
		case 'c': o.cert_file = optarg; break;
		case 't': o.table_file = optarg; break;
		case 'k': o.ccache = optarg; break;
		case 'd': o.dc = optarg; break;
		case 'D': o.dc_address = optarg; break;
		case 'S': o.server_sid = optarg; break;
		case 'n':
			if (!parse_int(optarg, 1, CERTTABLE_MAX_CAPACITY, &v)) {
				return usage_error("--capacity must be 1 to 10000000, not '%s'", optarg);
			}
			o.table_size = (unsigned)v;
			break;
		case 'T':
			if (!parse_int(optarg, 1, 3600, &v)) {
				return usage_error("--timeout must be 1 to 3600 seconds, not '%s'", optarg);
			}
			o.timeout = (unsigned)v;
			break;
		case 'h':
			printf("Usage: bpau exchange HOST [options]\n"
			       "ExchangePublicKeys (MS-BPAU 3.2) with the server HOST, its FQDN.\n"
			       "  --address IP        connect to IP; Kerberos still uses HOST\n"
			       "  --principal NAME    server principal (default: host$@DOMAIN, 3.2.3)\n"
			       "  --cert CERT         our certificate, DER or PEM (required)\n"
			       "  --table FILE        our peer table (default " DEFAULT_TABLE ")\n"
			       "  --capacity N        table size limit, recorded in the table (default:\n"
			       "                      the one it records, else 100)\n"
			       "  --ccache NAME       Kerberos ticket cache (default KRB5CCNAME)\n"
			       "  --dc FQDN           domain controller for the server SID lookup\n"
			       "                      (SAMR, sealed); --dc-address IP to connect to.\n"
			       "                      Default: winbind, on a joined member (winbind\n"
			       "                      caches the answer); without winbind, required\n"
			       "  --server-sid SID    the server account's SID, instead of a lookup\n"
			       "  --timeout SECONDS   per step (default 15, 3.2.2); the whole\n"
			       "                      exchange is bounded by three times this\n"
			       "Exit status 9 when a step or the whole exchange timed out.\n");
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		return usage_error("%s", "exchange takes one HOST");
	}
	o.host = argv[optind];
	o.table_file = table_path(o.table_file);
	if (o.cert_file == NULL) {
		return usage_error("%s", "exchange needs --cert CERT (our certificate)");
	}
	if (!network_setup(o.timeout)) {
		return EXIT_SYSTEM;
	}
	bpau_client_exchange(t, &o, &res);
	alarm(0);
	if (res == NULL) {
		fprintf(stderr, "%s: exchange: out of memory\n", progname);
		return EXIT_SYSTEM;
	}
	if (res->stage != BPAU_STAGE_DONE) {
		fprintf(stderr, "%s: exchange: %s: %s\n", progname, bpau_client_stage_name(res->stage),
			res->message ? res->message : crypto_status_name(res->status));
		if (NT_STATUS_EQUAL(res->status, NT_STATUS_IO_TIMEOUT)) {
			return EXIT_TIMEOUT;
		}
		switch (res->stage) {
		case BPAU_STAGE_SETUP:
			return status_exit(res->status);
		case BPAU_STAGE_CONNECT:
			return EXIT_CONNECT;
		case BPAU_STAGE_CALL:
		case BPAU_STAGE_SERVER:
			return EXIT_SERVER;
		case BPAU_STAGE_TABLE:
			return status_exit(res->status);
		default:
			return EXIT_VERIFY;
		}
	}
	printf("%s\n", res->message);
	printf("  server principal: %s\n", res->principal);
	if (res->sid_source == NULL) {
		printf("  server SID:       %s (given)\n", crypto_sid_string(t, &res->server_sid));
	} else {
		printf("  server SID:       %s (from %s)\n", crypto_sid_string(t, &res->server_sid),
		       res->sid_source);
	}
	printf("  binding:          %s\n", res->binding ? res->binding : "?");
	printf("  our certificate:  %s\n", o.cert_file);
	printf("  our table:        %s (%s)\n", o.table_file, certtable_outcome_name(res->outcome));
	return EXIT_OK;
}
