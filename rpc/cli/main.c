/*
 * bpau: command-line tool for BITS peer authentication (MS-BPAU).
 *
 * Decodes and encodes CERTIFICATE_BLOBs, creates the self-signed
 * certificate a peer presents, and inspects the peer certificate table.
 * Run "bpau help" for the commands and exit codes.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <signal.h>

#include "certtable/certtable.h"
#include "crypto/wire/file.h"
#include "crypto/wire/text.h"
#include "rpc/client/client.h"
#include "rpc/samba_compat/gss_seq_check.h"
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

/* ---- table ------------------------------------------------------------------- */

struct table_opts {
	const char *path;
	unsigned capacity;
	const char *principal;
	bool json;
};

static int parse_table_opts(int argc, char **argv, struct table_opts *o, const char *help)
{
	static const struct option opts[] = {{"table", required_argument, NULL, 't'},
					     {"capacity", required_argument, NULL, 'n'},
					     {"principal", required_argument, NULL, 'p'},
					     {"json", no_argument, NULL, 'j'},
					     {"help", no_argument, NULL, 'h'},
					     {0}};
	int ch, cap;

	o->capacity = 0; /* the table's own */
	while ((ch = getopt_long(argc, argv, "t:n:p:jh", opts, NULL)) != -1) {
		switch (ch) {
		case 't':
			o->path = optarg;
			break;
		case 'n':
			if (!parse_int(optarg, 1, CERTTABLE_MAX_CAPACITY, &cap)) {
				return usage_error("--capacity must be 1 to 10000000, not '%s'", optarg);
			}
			o->capacity = (unsigned)cap;
			break;
		case 'p':
			o->principal = optarg;
			break;
		case 'j':
			o->json = true;
			break;
		case 'h':
			printf("%s", help);
			return -1;
		default:
			return EXIT_USAGE;
		}
	}
	o->path = table_path(o->path);
	return EXIT_OK;
}

/*
 * open_table opens the table for "bpau table X".  With |create| false (the
 * commands that only read, and remove) a table file that does not exist is
 * not created: *table is set to NULL, which the caller reads as empty.
 */
static int open_table(TALLOC_CTX *t, const struct table_opts *o, struct certtable **table,
		      bool create)
{
	const char *reason = NULL;
	struct stat st;

	if (!create && stat(o->path, &st) != 0 && errno == ENOENT) {
		/* Only the file is missing, not its directory (a typo there is
		 * an error, reported by certtable_open below). */
		char *dir = talloc_strdup(t, o->path);
		if (dir != NULL && stat(dirname(dir), &st) == 0 && S_ISDIR(st.st_mode)) {
			*table = NULL;
			return EXIT_OK;
		}
	}
	NTSTATUS status = certtable_open(t, o->path, o->capacity, table, &reason);
	if (!NT_STATUS_IS_OK(status)) {
		fprintf(stderr, "%s: cannot open the table %s: %s\n", progname, o->path,
			reason ? reason : crypto_status_name(status));
		return status_exit(status);
	}
	return EXIT_OK;
}

/*
 * table_command: the common start of "bpau table X": options, then exactly
 * |nargs| arguments.  Returns EXIT_OK to go on, -1 after --help, or the
 * exit code of a usage error.
 */
static int table_command(int argc, char **argv, struct table_opts *o, const char *help,
			 int nargs, const char *what)
{
	int rc = parse_table_opts(argc, argv, o, help);
	if (rc != EXIT_OK) {
		return rc;
	}
	if (argc - optind != nargs) {
		return usage_error("table %s", what);
	}
	return EXIT_OK;
}

int cmd_table_list(TALLOC_CTX *t, int argc, char **argv)
{
	struct table_opts o = {0};
	struct certtable *table;
	struct certtable_entry **list;
	size_t n;
	NTSTATUS status;
	int rc = table_command(argc, argv, &o,
				  "Usage: bpau table list [--table FILE] [--json]\n"
				  "List the peer certificate table, oldest entry first.\n",
			       0, "list takes no arguments");
	if (rc != EXIT_OK) {
		return rc < 0 ? EXIT_OK : rc;
	}
	if ((rc = open_table(t, &o, &table, false)) != EXIT_OK) {
		return rc;
	}
	if (table == NULL) {
		if (o.json) {
			printf("[]\n");
		} else {
			printf("0 of %u entries in %s (no table file yet)\n",
			       o.capacity ? o.capacity : CERTTABLE_DEFAULT_CAPACITY, o.path);
		}
		return EXIT_OK;
	}
	status = certtable_list(table, t, &list, &n);
	if (!NT_STATUS_IS_OK(status)) {
		return fail(status, o.path, NULL);
	}
	if (o.json) {
		printf("[");
	} else {
		printf("%zu of %u entries in %s\n", n, certtable_capacity(table), o.path);
	}
	for (size_t i = 0; i < n; i++) {
		struct certblob *b = NULL;
		uint8_t thumb[CRYPTO_SHA1_LEN] = {0};
		char when[32];
		const char *sid = crypto_sid_string(t, &list[i]->sid);
		if (list[i]->damaged) {
			if (o.json) {
				printf("%s\n {\"sid\": \"%s\", \"damaged\": true}", i ? "," : "", sid);
			} else {
				printf("  %-46s (damaged record; 'bpau table remove %s' deletes it)\n",
				       sid, sid);
			}
			continue;
		}
		if (NT_STATUS_IS_OK(certblob_parse(t, list[i]->blob, list[i]->blob_len, &b, NULL))) {
			(void)crypto_sha1(b->cert, b->cert_len, thumb);
		}
		format_time((int64_t)(list[i]->inserted_us / 1000000u), when);
		if (o.json) {
			printf("%s\n {\"sid\": \"%s\", \"principal\": ", i ? "," : "", sid);
			json_string(stdout, list[i]->principal);
			printf(", \"inserted\": \"%s\", \"inserted_us\": %llu, \"cert_sha1\": \"%s\"}",
			       when, (unsigned long long)list[i]->inserted_us,
			       crypto_hex(t, thumb, sizeof(thumb)));
		} else {
			printf("  %-46s %-28s %s  %s\n", sid, list[i]->principal, when,
			       crypto_hex(t, thumb, sizeof(thumb)));
		}
	}
	if (o.json) {
		printf("%s]\n", n ? "\n" : "");
	}
	return EXIT_OK;
}

int cmd_table_check(TALLOC_CTX *t, int argc, char **argv)
{
	struct table_opts o = {0};
	struct certtable *table;
	struct crypto_x509 *x;
	struct crypto_sid sid;
	const char *reason = NULL;
	NTSTATUS status;
	int rc = table_command(argc, argv, &o,
				  "Usage: bpau table check CERT [--table FILE]\n"
				  "Verifying authentication status (MS-BPAU 3.1.6.1): exit 0 and print\n"
				  "the principal if CERT (DER or PEM) is in the table, else exit 1.\n",
			       1, "check takes one CERT");
	if (rc != EXIT_OK) {
		return rc < 0 ? EXIT_OK : rc;
	}
	status = crypto_x509_read_file(t, argv[optind], &x, &reason);
	if (!NT_STATUS_IS_OK(status)) {
		return fail(status, argv[optind], reason);
	}
	if ((rc = open_table(t, &o, &table, false)) != EXIT_OK) {
		return rc;
	}
	struct cursor der = crypto_x509_der(x);
	if (table == NULL || !certtable_verify(table, der.data, der.len, &sid)) {
		printf("FALSE: the certificate is not in the table\n");
		return EXIT_NEGATIVE;
	}
	printf("TRUE: the certificate belongs to %s\n", crypto_sid_string(t, &sid));
	return EXIT_OK;
}

int cmd_table_add(TALLOC_CTX *t, int argc, char **argv)
{
	struct table_opts o = {0};
	struct certtable *table;
	struct certblob *blob;
	struct crypto_sid sid;
	enum certtable_outcome outcome;
	const char *reason = NULL;
	uint8_t *buf;
	size_t len;
	char *cn = NULL;
	NTSTATUS status;
	int rc = table_command(argc, argv, &o,
				  "Usage: bpau table add BLOB [--principal NAME] [--table FILE]\n"
				  "                      [--capacity N]\n"
				  "Insert a CERTIFICATE_BLOB under the SID in its certificate's subject.\n"
				  "The principal defaults to the SID.  Windows' rules apply: the SID's\n"
				  "entry is replaced; when full, the oldest entry is evicted if inserted\n"
				  "more than 60 s ago, otherwise the insert is refused (exit 4).\n",
			       1, "add takes one BLOB file");
	if (rc != EXIT_OK) {
		return rc < 0 ? EXIT_OK : rc;
	}
	status = read_blob_file(t, argv[optind], &buf, &len, &reason);
	if (!NT_STATUS_IS_OK(status)) {
		return fail(status, argv[optind], reason);
	}
	status = certblob_parse(t, buf, len, &blob, &reason);
	if (!NT_STATUS_IS_OK(status)) {
		return fail(status, "not a valid CERTIFICATE_BLOB", reason);
	}
	if (!NT_STATUS_IS_OK(crypto_x509_subject_cn(t, blob->x509, &cn)) ||
	    !NT_STATUS_IS_OK(crypto_sid_parse(cn, &sid, &reason))) {
		return fail(NT_STATUS_INVALID_PARAMETER, "certificate subject",
			    "the subject CN is not a SID string (MS-DTYP 2.4.2.1)");
	}
	if ((rc = open_table(t, &o, &table, true)) != EXIT_OK) {
		return rc;
	}
	status = certtable_insert(table, &sid, o.principal ? o.principal : crypto_sid_string(t, &sid),
				  blob, &outcome);
	if (NT_STATUS_EQUAL(status, NT_STATUS_CERTTABLE_FULL)) {
		return fail(status, "insert refused",
			    "the table is full and its oldest entry is younger than a minute");
	}
	if (!NT_STATUS_IS_OK(status)) {
		return fail(status, o.path, NULL);
	}
	printf("%s: %s\n", crypto_sid_string(t, &sid), certtable_outcome_name(outcome));
	return EXIT_OK;
}

int cmd_table_remove(TALLOC_CTX *t, int argc, char **argv)
{
	struct table_opts o = {0};
	struct certtable *table;
	struct crypto_sid sid;
	const char *reason = NULL;
	NTSTATUS status;
	int rc = table_command(argc, argv, &o,
				  "Usage: bpau table remove SID [--table FILE]\n"
				  "Remove the entry for SID; exit 1 if there is none.\n",
			       1, "remove takes one SID");
	if (rc != EXIT_OK) {
		return rc < 0 ? EXIT_OK : rc;
	}
	status = crypto_sid_parse(argv[optind], &sid, &reason);
	if (!NT_STATUS_IS_OK(status)) {
		return fail(status, argv[optind], reason);
	}
	if ((rc = open_table(t, &o, &table, false)) != EXIT_OK) {
		return rc;
	}
	status = table == NULL ? NT_STATUS_NOT_FOUND : certtable_remove(table, &sid);
	if (NT_STATUS_EQUAL(status, NT_STATUS_NOT_FOUND)) {
		fprintf(stderr, "%s: %s is not in the table\n", progname, argv[optind]);
		return EXIT_NEGATIVE;
	}
	if (!NT_STATUS_IS_OK(status)) {
		return fail(status, o.path, NULL);
	}
	printf("%s: removed\n", crypto_sid_string(t, &sid));
	return EXIT_OK;
}

/* ---- exchange ---------------------------------------------------------------- */

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
