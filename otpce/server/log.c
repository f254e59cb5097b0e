/*
 * log.c: otpced's log lines, on stderr (systemd's journal takes them).
 * One line per request; the one-time password is never passed in.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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

void otpced_log_request(const char *client, const char *user, const char *outcome,
			const char *radius_server, const char *detail)
{
	char u[FIELD_MAX * 4 + 8], d[FIELD_MAX * 4 + 8], c[FIELD_MAX * 4 + 8],
		r[FIELD_MAX * 4 + 8];

	escape(client, c, sizeof(c));
	escape(user != NULL ? user : "-", u, sizeof(u));
	escape(radius_server != NULL && radius_server[0] != '\0' ? radius_server : "-", r, sizeof(r));
	escape(detail != NULL ? detail : "", d, sizeof(d));
	fprintf(stderr, "otpced: request client=%s user=\"%s\" outcome=%s radius=%s detail=\"%s\"\n",
		c, u, outcome, r, d);
	fflush(stderr);
}

void otpced_log(const char *fmt, ...)
{
	va_list ap;

	fputs("otpced: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}
