/*
 * common.c: the helpers the bpau commands share (cli.h): usage errors and
 * exit codes, files, times, JSON strings, integer options, and the setup
 * before a command talks to servers.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "certtable/certtable.h"
#include "crypto/wire/file.h"
#include "rpc/cli/cli.h"
#include "rpc/samba_compat/gss_seq_check.h"

#define BLOB_FILE_MAX (CERTBLOB_MAX_LEN + 1)

int usage_error(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nRun '%s help' for usage.\n", progname);
	return EXIT_USAGE;
}

int status_exit(NTSTATUS status)
{
	/* A file given as a table that is not one (certtable_open) is bad input too. */
	if (NT_STATUS_EQUAL(status, NT_STATUS_INVALID_PARAMETER) ||
	    NT_STATUS_EQUAL(status, NT_STATUS_NOT_SUPPORTED) ||
	    NT_STATUS_EQUAL(status, NT_STATUS_OBJECT_TYPE_MISMATCH) ||
	    NT_STATUS_EQUAL(status, NT_STATUS_FILE_CORRUPT_ERROR)) {
		return EXIT_INPUT;
	}
	if (NT_STATUS_EQUAL(status, NT_STATUS_CERTTABLE_FULL)) {
		return EXIT_REFUSED;
	}
	return EXIT_SYSTEM;
}

int fail(NTSTATUS status, const char *what, const char *reason)
{
	if (reason != NULL) {
		fprintf(stderr, "%s: %s: %s\n", progname, what, reason);
	} else {
		fprintf(stderr, "%s: %s: %s\n", progname, what, crypto_status_name(status));
	}
	return status_exit(status);
}

/* read_blob_file reads a file ("-": standard input) of at most 64 KiB + 1
 * (so an oversized blob is reported as such by the parser). */
static NTSTATUS read_blob_file(TALLOC_CTX *mem_ctx, const char *path, uint8_t **out, size_t *len,
			       const char **reason)
{
	int err;
	NTSTATUS status = crypto_read_file(mem_ctx, path, true, BLOB_FILE_MAX, out, len, &err);

	if (!NT_STATUS_IS_OK(status)) {
		*reason = NT_STATUS_EQUAL(status, NT_STATUS_IO_DEVICE_ERROR) ? "read error"
									   : strerror(err);
	}
	return status;
}

int read_blob(TALLOC_CTX *mem_ctx, const char *path, struct certblob **out)
{
	const char *reason = NULL;
	uint8_t *buf;
	size_t len;
	NTSTATUS status;

	status = read_blob_file(mem_ctx, path, &buf, &len, &reason);
	if (!NT_STATUS_IS_OK(status)) {
		return fail(status, path, reason);
	}
	status = certblob_parse(mem_ctx, buf, len, out, &reason);
	if (!NT_STATUS_IS_OK(status)) {
		return fail(status, "not a valid CERTIFICATE_BLOB", reason);
	}
	return EXIT_OK;
}

const char *table_path(const char *opt)
{
	const char *env = getenv("BPAU_TABLE");
	if (opt != NULL) {
		return opt;
	}
	return env != NULL && *env != '\0' ? env : DEFAULT_TABLE;
}

void format_time(int64_t t, char buf[32])
{
	struct tm tm;
	time_t tt = (time_t)t;
	if (gmtime_r(&tt, &tm) == NULL || strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		snprintf(buf, 32, "%lld", (long long)t);
	}
}

/* ---- JSON output ----------------------------------------------------------- */

void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\') {
			fprintf(f, "\\%c", *p);
		} else if (*p < 0x20) {
			fprintf(f, "\\u%04x", *p);
		} else {
			fputc(*p, f);
		}
	}
	fputc('"', f);
}

/* ---- files ------------------------------------------------------------------- */

int write_all(const char *path, const uint8_t *p, size_t len, mode_t mode, bool force)
{
	int fd = strcmp(path, "-") == 0
			 ? STDOUT_FILENO
			 : open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (force ? O_TRUNC : O_EXCL),
				mode);
	if (fd < 0) {
		fprintf(stderr, "%s: %s: %s%s\n", progname, path, strerror(errno),
			errno == EEXIST ? " (use --force to overwrite)" : "");
		return EXIT_SYSTEM;
	}
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			fprintf(stderr, "%s: %s: %s\n", progname, path, strerror(errno));
			if (fd != STDOUT_FILENO) {
				close(fd);
			}
			return EXIT_SYSTEM;
		}
		p += n;
		len -= (size_t)n;
	}
	if (fd != STDOUT_FILENO && close(fd) != 0) {
		fprintf(stderr, "%s: %s: %s\n", progname, path, strerror(errno));
		return EXIT_SYSTEM;
	}
	return EXIT_OK;
}

/* ---- integer options --------------------------------------------------------- */

bool parse_int(const char *s, long lo, long hi, int *out)
{
	char *end;
	long v;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *s == '\0' || *end != '\0' || v < lo || v > hi) {
		return false;
	}
	*out = (int)v;
	return true;
}

/* ---- talking to servers ------------------------------------------------------ */

static unsigned deadline_seconds;

/* on_deadline: a step (client.c: connect, each call) or the whole
 * exchange ran out of time. */
static void on_deadline(int sig)
{
	char msg[160];
	int n;
	(void)sig;
	n = snprintf(msg, sizeof(msg), "bpau: timed out (a step took longer than its timeout, "
		     "or the whole command longer than %u seconds)\n", deadline_seconds);
	if (n > 0 && write(STDERR_FILENO, msg, (size_t)n) < 0) {
		_exit(EXIT_TIMEOUT);
	}
	_exit(EXIT_TIMEOUT);
}

/* network_setup: before a command that talks to servers: the sequence
 * check on Samba's GSSAPI (gss_seq_check.h: without it nothing Samba's
 * gensec unseals would be accepted, so say why now), and the deadline. */
bool network_setup(unsigned timeout)
{
	struct sigaction sa;

	if (!gss_seq_check_setup(NULL)) {
		fprintf(stderr, "%s: cannot find gss_unwrap_iov and gss_verify_mic, version "
			SAMBA_GSS_VERSION ", in Samba's GSSAPI library; rebuild bpau against "
			"this Samba\n", progname);
		return false;
	}
	/* Each step has its own timeout; bound the whole command (connect
	 * with the endpoint mapper and bind, call, SID lookup) as well. */
	deadline_seconds = 3 * timeout;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_deadline;
	sigaction(SIGALRM, &sa, NULL);
	alarm(deadline_seconds);
	return true;
}
