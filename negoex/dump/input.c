/*
 * input.c: negoex-dump's input decoding (layers.h).  Base64 and the HTTP
 * header are crypto/spnego's (spnego_base64_decode,
 * spnego_http_negotiate_decode, on OpenSSL); hex is read here, two digits
 * a byte, because no library at hand reads it strictly (crypto/wire/text.h
 * only writes it).
 */
#include "negoex/dump/layers.h"

#include <string.h>
#include <strings.h>

#include "crypto/spnego/spnego.h"

static bool starts_with(const uint8_t *in, size_t len, const char *s, size_t n)
{
	return len >= n && memcmp(in, s, n) == 0;
}

/* looks_binary: the first bytes of a token rather than of text. */
static bool looks_binary(const uint8_t *in, size_t len)
{
	return starts_with(in, len, "NEGOEXTS", 8) || starts_with(in, len, "NTLMSSP\0", 8) ||
	       (len > 0 && (in[0] == SPNEGO_GSS_FRAMING_TAG || in[0] == 0xa0 || in[0] == 0xa1));
}

static bool is_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static int hex_digit(uint8_t c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}
	if (c >= 'A' && c <= 'F') {
		return c - 'A' + 10;
	}
	return -1;
}

/* compact copies |in| without whitespace (and ':' for hex), NUL-ended. */
static char *compact(TALLOC_CTX *t, const uint8_t *in, size_t len, bool colons, size_t *n)
{
	char *s = talloc_array(t, char, len + 1);
	size_t w = 0;

	if (s == NULL) {
		return NULL;
	}
	for (size_t i = 0; i < len; i++) {
		if (is_space(in[i]) || (colons && in[i] == ':')) {
			continue;
		}
		s[w++] = (char)in[i];
	}
	s[w] = '\0';
	*n = w;
	return s;
}

static NTSTATUS decode_hex(TALLOC_CTX *mem_ctx, const uint8_t *in, size_t len, uint8_t **out,
			   size_t *out_len, const char **reason)
{
	size_t n = 0;
	char *s = compact(mem_ctx, in, len, true, &n);
	const char *p = s;
	uint8_t *buf;

	if (s == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	if (n >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		p += 2;
		n -= 2;
	}
	if (n == 0 || n % 2 != 0) {
		talloc_free(s);
		crypto_set_reason(reason, n == 0 ? "hex: empty" : "hex: an odd number of digits");
		return NT_STATUS_INVALID_PARAMETER;
	}
	buf = talloc_array(mem_ctx, uint8_t, n / 2);
	if (buf == NULL) {
		talloc_free(s);
		return NT_STATUS_NO_MEMORY;
	}
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hex_digit((uint8_t)p[2 * i]), lo = hex_digit((uint8_t)p[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			talloc_free(s);
			talloc_free(buf);
			crypto_set_reason(reason, "hex: a character that is not a hex digit");
			return NT_STATUS_INVALID_PARAMETER;
		}
		buf[i] = (uint8_t)(hi << 4 | lo);
	}
	talloc_free(s);
	*out = buf;
	*out_len = n / 2;
	return NT_STATUS_OK;
}

static NTSTATUS decode_base64(TALLOC_CTX *mem_ctx, const uint8_t *in, size_t len, uint8_t **out,
			      size_t *out_len, const char **reason)
{
	size_t n = 0;
	char *s = compact(mem_ctx, in, len, false, &n);
	NTSTATUS status;

	if (s == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	status = spnego_base64_decode(mem_ctx, s, n, out, out_len, reason);
	talloc_free(s);
	return status;
}

/* names_negotiate: the text is an HTTP header line or a "Negotiate ..."
 * value (after leading whitespace). */
static bool names_negotiate(const uint8_t *in, size_t len)
{
	static const char *const starts[] = { "Negotiate", "Authorization:", "WWW-Authenticate:",
					      "Proxy-Authorization:", "Proxy-Authenticate:" };
	size_t i = 0;

	while (i < len && is_space(in[i])) {
		i++;
	}
	for (size_t k = 0; k < sizeof(starts) / sizeof(starts[0]); k++) {
		size_t n = strlen(starts[k]);

		if (len - i >= n && strncasecmp((const char *)in + i, starts[k], n) == 0) {
			return true;
		}
	}
	return false;
}

NTSTATUS dump_decode_input(TALLOC_CTX *mem_ctx, const uint8_t *in, size_t len,
			   enum dump_input_form want, uint8_t **out, size_t *out_len,
			   const char **form, const char **reason)
{
	const char *why = NULL;
	NTSTATUS status;
	uint8_t *copy;

	if (in == NULL || len == 0) {
		crypto_set_reason(reason, "the input is empty");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (len > DUMP_MAX_INPUT_LEN) {
		crypto_set_reason(reason, "the input is longer than 4 MiB");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (want == DUMP_INPUT_HEX) {
		*form = "hex";
		return decode_hex(mem_ctx, in, len, out, out_len, reason);
	}
	if (want == DUMP_INPUT_BASE64) {
		*form = "base64";
		if (names_negotiate(in, len)) {
			char *text = talloc_strndup(mem_ctx, (const char *)in, len);

			if (text == NULL) {
				return NT_STATUS_NO_MEMORY;
			}
			*form = "http-negotiate";
			status = spnego_http_negotiate_decode(mem_ctx, text, strlen(text), out,
							      out_len, reason);
			talloc_free(text);
			return status;
		}
		return decode_base64(mem_ctx, in, len, out, out_len, reason);
	}
	if (want == DUMP_INPUT_BINARY || looks_binary(in, len)) {
		copy = talloc_memdup(mem_ctx, in, len);
		if (copy == NULL) {
			return NT_STATUS_NO_MEMORY;
		}
		*form = "binary";
		*out = copy;
		*out_len = len;
		return NT_STATUS_OK;
	}
	if (memchr(in, '\0', len) != NULL) {
		crypto_set_reason(reason, "the input is neither a token nor text (a NUL byte)");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (names_negotiate(in, len)) {
		char *text = talloc_strndup(mem_ctx, (const char *)in, len);

		if (text == NULL) {
			return NT_STATUS_NO_MEMORY;
		}
		*form = "http-negotiate";
		status = spnego_http_negotiate_decode(mem_ctx, text, len, out, out_len, reason);
		talloc_free(text);
		return status;
	}
	status = decode_hex(mem_ctx, in, len, out, out_len, &why);
	if (NT_STATUS_IS_OK(status) || NT_STATUS_EQUAL(status, NT_STATUS_NO_MEMORY)) {
		*form = "hex";
		return status;
	}
	status = decode_base64(mem_ctx, in, len, out, out_len, &why);
	if (NT_STATUS_IS_OK(status) || NT_STATUS_EQUAL(status, NT_STATUS_NO_MEMORY)) {
		*form = "base64";
		return status;
	}
	crypto_set_reason(reason, "the input is neither hex, base64, an HTTP Negotiate header "
				  "nor a binary token");
	return NT_STATUS_INVALID_PARAMETER;
}
