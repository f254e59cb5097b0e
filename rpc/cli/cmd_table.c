/*
 * cmd_table.c: "bpau table list|check|add|remove": the peer certificate
 * table (MS-BPAU 3.1.1.2, 3.2.1.2; certtable/certtable.h) from the
 * command line.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "certtable/certtable.h"
#include "crypto/wire/text.h"
#include "rpc/cli/cli.h"

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
	if ((rc = read_blob(t, argv[optind], &blob)) != EXIT_OK) {
		return rc;
	}
	/* The servers' and the client's rule (certblob_names_sid): the
	 * subject is CN=<SID> and nothing else. */
	if (!NT_STATUS_IS_OK(crypto_x509_subject_sole_cn(t, blob->x509, &cn)) ||
	    !NT_STATUS_IS_OK(crypto_sid_parse(cn, &sid, &reason))) {
		return fail(NT_STATUS_INVALID_PARAMETER, "certificate subject",
			    "the subject is not CN=<SID> alone (MS-BPAU 3.1.4.1, MS-DTYP 2.4.2.1)");
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
