/*
 * cli.h: what the files of the bpau command-line tool share: the exit
 * codes, the option and argument helpers, error reporting, and the entry
 * point of each command (main.c dispatches to them).
 *
 * Every entry point is called with the command's own arguments (argv[0]
 * is the subcommand, so getopt sees "decode ARGS..."), a fresh talloc
 * context that main.c frees afterwards, and returns the exit status.
 */
#ifndef RPC_CLI_CLI_H
#define RPC_CLI_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <talloc.h>

#include "crypto/ms/status.h"

struct certblob;

/* Exit codes (documented in main.c's usage text, "bpau help"). */
enum {
	EXIT_OK = 0,
	EXIT_NEGATIVE = 1,
	EXIT_USAGE = 2,
	EXIT_INPUT = 3,
	EXIT_REFUSED = 4,
	EXIT_SYSTEM = 5,
	EXIT_CONNECT = 6,
	EXIT_SERVER = 7,
	EXIT_VERIFY = 8,
	EXIT_TIMEOUT = 9,
};

#define DEFAULT_TABLE "/var/lib/bpau/peercerts.tdb"

/* progname: "bpau", the prefix of every message on standard error. */
extern const char *const progname;

/* ---- the commands (cmd_blob.c, cmd_cert.c, cmd_table.c, cmd_exchange.c) ---- */

int cmd_blob_decode(TALLOC_CTX *t, int argc, char **argv);
int cmd_blob_encode(TALLOC_CTX *t, int argc, char **argv);
int cmd_cert_create(TALLOC_CTX *t, int argc, char **argv);
int cmd_table_list(TALLOC_CTX *t, int argc, char **argv);
int cmd_table_check(TALLOC_CTX *t, int argc, char **argv);
int cmd_table_add(TALLOC_CTX *t, int argc, char **argv);
int cmd_table_remove(TALLOC_CTX *t, int argc, char **argv);
int cmd_exchange(TALLOC_CTX *t, int argc, char **argv);

/* ---- shared helpers (common.c) ---------------------------------------------- */

/*
 * usage_error prints "bpau: MESSAGE" and a pointer to "bpau help" on
 * standard error and returns EXIT_USAGE.
 */
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * status_exit maps an NTSTATUS from the libraries to an exit code:
 * EXIT_INPUT for malformed input, EXIT_REFUSED for a full table,
 * EXIT_SYSTEM for everything else.
 */
int status_exit(NTSTATUS status);

/*
 * fail prints "bpau: WHAT: REASON" (the status's name without a reason)
 * on standard error and returns status_exit(status).
 */
int fail(NTSTATUS status, const char *what, const char *reason);

/*
 * read_blob reads a CERTIFICATE_BLOB file ("-": standard input) and
 * decodes it into *out on mem_ctx.  Returns EXIT_OK, or fail()'s exit
 * status after saying why.
 */
int read_blob(TALLOC_CTX *mem_ctx, const char *path, struct certblob **out);

/*
 * table_path returns the table file to use: |opt| (--table) if given,
 * else $BPAU_TABLE if set and not empty, else DEFAULT_TABLE.
 */
const char *table_path(const char *opt);

/*
 * format_time writes the Unix time |t| to |buf| as ISO 8601 UTC
 * (2006-01-02T15:04:05Z), or as the plain number if it cannot be shown so.
 */
void format_time(int64_t t, char buf[32]);

/* json_string writes |s| to |f| as a quoted, escaped JSON string. */
void json_string(FILE *f, const char *s);

/*
 * parse_int parses |s| as a decimal integer from |lo| to |hi| into *out.
 * Returns false, leaving *out alone, for anything else.
 */
bool parse_int(const char *s, long lo, long hi, int *out);

/*
 * write_all writes |len| bytes to |path| ("-": standard output), creating
 * it with |mode|; an existing file is truncated with |force|, else kept
 * and reported.  Returns EXIT_OK, or EXIT_SYSTEM after saying why.
 */
int write_all(const char *path, const uint8_t *p, size_t len, mode_t mode, bool force);

/*
 * network_setup prepares a command that talks to servers: the sequence
 * check on Samba's GSSAPI (gss_seq_check.h) and a deadline of three times
 * |timeout| seconds for the whole command, after which the process exits
 * with EXIT_TIMEOUT (cancel it with alarm(0)).  Returns false, after
 * saying why, if the check cannot be installed.
 */
bool network_setup(unsigned timeout);

#endif
