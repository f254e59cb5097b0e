/*
 * log.c: otpced's log lines, on stderr (systemd's journal takes them).
 * One line per request; the one-time password is never passed in.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "otpce/server/server.h"

#define FIELD_MAX 256

/* escape copies |in| into |out| with quotes, backslashes and everything
 * outside printable ASCII as \xHH, cut at FIELD_MAX input bytes. */
static void escape(const char *in, char *out, size_t outlen)
{
	size_t o = 0, i;

	for (i = 0; in != NULL && in[i] != '\0' && i < FIELD_MAX && o + 5 < outlen; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
			o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", c);
		} else {
			out[o++] = (char)c;
		}
	}
	if (in != NULL && in[i] != '\0' && o + 4 < outlen) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

/* emit writes |line| (with its newline) with one write(2): the workers
 * share stderr, and one write keeps each line whole. */
static void emit(const char *line, size_t len)
{
	while (len > 0) {
		ssize_t n = write(STDERR_FILENO, line, len);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			return;
		}
		line += n;
		len -= (size_t)n;
	}
}

/* finish_line ends |buf| (|n| as snprintf returned it) with a newline,
 * cutting a line that did not fit. */
static size_t finish_line(char *buf, size_t size, int n)
{
	size_t len = n < 0 ? 0 : (size_t)n >= size - 1 ? size - 2 : (size_t)n;

	buf[len++] = '\n';
	return len;
}

void otpced_log_request(const char *client, const char *user, const char *outcome,
			const char *radius_server, const char *detail)
{
	char u[FIELD_MAX * 4 + 8], d[FIELD_MAX * 4 + 8], c[FIELD_MAX * 4 + 8],
		r[FIELD_MAX * 4 + 8], line[sizeof(u) * 4 + 128];
	int n;

	escape(client, c, sizeof(c));
	escape(user != NULL ? user : "-", u, sizeof(u));
	escape(radius_server != NULL && radius_server[0] != '\0' ? radius_server : "-", r, sizeof(r));
	escape(detail != NULL ? detail : "", d, sizeof(d));
	n = snprintf(line, sizeof(line),
		     "otpced: request client=%s user=\"%s\" outcome=%s radius=%s detail=\"%s\"", c, u,
		     outcome, r, d);
	emit(line, finish_line(line, sizeof(line), n));
}

void otpced_log(const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	int n;

	memcpy(line, "otpced: ", 8);
	va_start(ap, fmt);
	n = vsnprintf(line + 8, sizeof(line) - 8, fmt, ap);
	va_end(ap);
	emit(line, finish_line(line, sizeof(line), n < 0 ? -1 : n + 8));
}
