/*
 * http.c: the HTTP header rules of MS-OTPCE 1.7 and 2.2.
 */
#include <strings.h>
#include <string.h>

#include "otpce/msg/otpce_msg.h"

static const char *skip_ows(const char *p)
{
	while (*p == ' ' || *p == '\t') {
		p++;
	}
	return p;
}

/* rtrim_len: |p|'s length without trailing optional whitespace. */
static size_t rtrim_len(const char *p, size_t n)
{
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t')) {
		n--;
	}
	return n;
}

bool otpce_http_version_ok(const char *value)
{
	const char *p;

	if (value == NULL) {
		return false;
	}
	p = skip_ows(value);
	return rtrim_len(p, strlen(p)) == strlen(OTPCE_HTTP_VERSION) &&
	       strncmp(p, OTPCE_HTTP_VERSION, strlen(OTPCE_HTTP_VERSION)) == 0;
}

/* token_is: |p|[0..n) equals |want| ignoring case (RFC 7231 3.1.1.1:
 * type, subtype and parameter names are case-insensitive, and so is the
 * charset value, RFC 7231 3.1.1.2). */
static bool token_is(const char *p, size_t n, const char *want)
{
	return n == strlen(want) && strncasecmp(p, want, n) == 0;
}

bool otpce_http_content_type_ok(const char *value)
{
	const char *p, *semi, *eq;
	size_t n;
	bool seen_charset = false;

	if (value == NULL) {
		return false;
	}
	p = skip_ows(value);
	semi = strchr(p, ';');
	n = rtrim_len(p, semi != NULL ? (size_t)(semi - p) : strlen(p));
	if (!token_is(p, n, "application/xml")) {
		return false;
	}
	while (semi != NULL) {
		const char *name = skip_ows(semi + 1), *val;
		size_t vlen;

		semi = strchr(name, ';');
		eq = strchr(name, '=');
		if (eq == NULL || (semi != NULL && eq > semi)) {
			return false;
		}
		if (!token_is(name, rtrim_len(name, (size_t)(eq - name)), "charset") ||
		    seen_charset) {
			return false;
		}
		seen_charset = true;
		val = skip_ows(eq + 1);
		vlen = rtrim_len(val, semi != NULL ? (size_t)(semi - val) : strlen(val));
		if (vlen >= 2 && val[0] == '"' && val[vlen - 1] == '"') {
			val++;
			vlen -= 2;
		}
		if (!token_is(val, vlen, "utf-8")) {
			return false;
		}
	}
	return true;
}
