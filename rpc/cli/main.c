/*
 * bpau: command-line tool for BITS peer authentication (MS-BPAU).
 *
 * Decodes and encodes CERTIFICATE_BLOBs, creates the self-signed
 * certificate a peer presents, inspects the peer certificate table and
 * runs ExchangePublicKeys.  This file dispatches to the commands (one
 * file per command group, cli.h) and holds "bpau help", which documents
 * the exit codes every command keeps to.
 */
#include <stdio.h>
#include <string.h>

#include "rpc/cli/cli.h"

const char *const progname = "bpau";

static const char usage_text[] =
	"Usage: bpau COMMAND ...\n"
	"\n"
	"BITS peer authentication (MS-BPAU): certificate blobs, peer certificates\n"
	"and the table of peer certificates.\n"
	"\n"
	"Commands:\n"
	"  blob decode FILE [--json]\n"
	"      Show a CERTIFICATE_BLOB: every property and the certificate,\n"
	"      including the SID in its subject.\n"
	"  blob encode --cert CERT [--eku OID]... [--out FILE]\n"
	"      Encode a certificate (DER or PEM, RSA key) as the CERTIFICATE_BLOB a\n"
	"      Windows peer sends.  Writes to FILE or standard output.\n"
	"  cert create (--sid SID | --account NAME$ [--dc FQDN [--dc-address IP]])\n"
	"              [--dns NAME] [--cert-out FILE] [--key-out FILE]\n"
	"              [--days N] [--bits N] [--force]\n"
	"      Create the self-signed RSA certificate a peer presents: subject and\n"
	"      issuer CN=SID, the machine account's SID, given or looked up at a\n"
	"      domain controller (Kerberos ticket cache), optional DNS name.\n"
	"      Defaults: cert.der, key.pem (mode 0600), 365 days, 2048 bits.\n"
	"  table list [--table FILE] [--json]\n"
	"      List the peer certificate table, oldest entry first.\n"
	"  table check CERT [--table FILE]\n"
	"      Is CERT in the table (MS-BPAU 3.1.6.1)?  Exit 0 if so, 1 if not.\n"
	"  table add BLOB [--principal NAME] [--table FILE] [--capacity N]\n"
	"      Insert a CERTIFICATE_BLOB under the SID in its subject, with the\n"
	"      Windows rules: the SID's old entry is replaced; when the table is\n"
	"      full the oldest entry is evicted if older than a minute, else the\n"
	"      insert is refused.\n"
	"  table remove SID [--table FILE]\n"
	"      Remove the entry for SID.\n"
	"  exchange HOST [--address IP] [--principal NAME] [--cert CERT]\n"
	"               [--table FILE] [--ccache CCACHE] [--dc FQDN [--dc-address IP]]\n"
	"               [--server-sid SID] [--timeout SECONDS]\n"
	"      ExchangePublicKeys with the BPAU server HOST (its FQDN): endpoint\n"
	"      mapper lookup, Kerberos bind with mutual authentication and packet\n"
	"      privacy as HOST's computer account (host$@REALM), send our\n"
	"      certificate, check the server's against its account's SID (from\n"
	"      winbind on a joined member, which caches it; else give --dc, a\n"
	"      domain controller asked over SAMR) and store it in our table.\n"
	"      Uses the Kerberos ticket cache (KRB5CCNAME; kinit -k first).\n"
	"  help\n"
	"      This text.  Every command also takes --help.\n"
	"\n"
	"The table file defaults to " DEFAULT_TABLE " (or $BPAU_TABLE);\n"
	"--capacity N sets the table's size limit, which the table then records;\n"
	"without it a command uses the limit the table records (100 if none).\n"
	"\n"
	"Exit status:\n"
	"  0  success (table check: the certificate is in the table)\n"
	"  1  table check: the certificate is not in the table\n"
	"  2  usage error\n"
	"  3  invalid input: a malformed blob, certificate, SID or OID\n"
	"  4  the table refused the insert (full, oldest entry younger than 60 s)\n"
	"  5  system error: a file could not be read or written, no memory,\n"
	"     or a damaged table file\n"
	"  6  exchange: cannot connect or authenticate to the server\n"
	"  7  exchange: the server refused (its HRESULT is printed) or the call faulted\n"
	"  8  exchange: the server's certificate is missing, malformed, or not\n"
	"     its account's SID, or the SID lookup failed\n"
	"  9  exchange: timed out\n";

static const struct command {
	const char *group, *name;
	int (*fn)(TALLOC_CTX *t, int argc, char **argv);
} commands[] = {
	{"blob", "decode", cmd_blob_decode}, {"blob", "encode", cmd_blob_encode},
	{"cert", "create", cmd_cert_create}, {"table", "list", cmd_table_list},
	{"table", "check", cmd_table_check}, {"table", "add", cmd_table_add},
	{"table", "remove", cmd_table_remove},
};

/* Commands without a subcommand. */
static const struct {
	const char *name;
	int (*fn)(TALLOC_CTX *t, int argc, char **argv);
} top_commands[] = {
	{"exchange", cmd_exchange},
};

int main(int argc, char **argv)
{
	TALLOC_CTX *t;
	int rc;

	if (argc < 2 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		fputs(usage_text, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(top_commands) / sizeof(top_commands[0]); i++) {
		if (strcmp(argv[1], top_commands[i].name) == 0) {
			t = talloc_new(NULL);
			if (t == NULL) {
				fprintf(stderr, "%s: out of memory\n", progname);
				return EXIT_SYSTEM;
			}
			rc = top_commands[i].fn(t, argc - 1, argv + 1);
			talloc_free(t);
			return rc;
		}
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].group) != 0) {
			continue;
		}
		if (argc < 3) {
			return usage_error("'%s' needs a subcommand", argv[1]);
		}
		for (size_t j = i; j < sizeof(commands) / sizeof(commands[0]); j++) {
			if (strcmp(argv[1], commands[j].group) == 0 &&
			    strcmp(argv[2], commands[j].name) == 0) {
				t = talloc_new(NULL);
				if (t == NULL) {
					fprintf(stderr, "%s: out of memory\n", progname);
					return EXIT_SYSTEM;
				}
				/* getopt sees "bpau-blob-decode ARGS...". */
				rc = commands[j].fn(t, argc - 2, argv + 2);
				talloc_free(t);
				return rc;
			}
		}
		return usage_error("unknown subcommand '%s'", argv[2]);
	}
	return usage_error("unknown command '%s'", argv[1]);
}
