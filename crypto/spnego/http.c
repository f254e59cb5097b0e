/*
 * http.c: SPNEGO tokens in HTTP (RFC 4559): the base64 of an
 * "Authorization: Negotiate <token>" or "WWW-Authenticate: Negotiate
 * <token>" header value (spnego.h).
 *
 * Base64 is OpenSSL's (EVP_DecodeBlock, EVP_EncodeBlock); what is checked
 * here is what EVP_DecodeBlock does not: the alphabet (it skips some
 * characters), where padding may stand, and the canonical form (the unused
 * low bits of the last group must be zero, checked by encoding back).
 */
#include "crypto/spnego/spnego.h"

#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

static bool is_b64(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/';
}

NTSTATUS spnego_base64_decode(TALLOC_CTX *mem_ctx, const char *text, size_t len, uint8_t **out,
			      size_t *out_len, const char **reason)
{
	size_t data = 0, pad = 0, padded_len, n;
	char *padded, *again;
	uint8_t *buf;
	int got;

	if (text == NULL || len == 0) {
		crypto_set_reason(reason, "base64: empty");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (len > (SPNEGO_MAX_TOKEN_LEN / 3) * 4 + 4) {
		crypto_set_reason(reason, "base64: longer than a 2 MiB token");
		return NT_STATUS_INVALID_PARAMETER;
	}
	while (data < len && is_b64(text[data])) {
		data++;
	}
	while (data + pad < len && pad < 2 && text[data + pad] == '=') {
		pad++;
	}
	if (data + pad != len) {
		crypto_set_reason(reason, "base64: a character outside the alphabet, or '=' "
					  "before the end");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (data % 4 == 1 || (pad > 0 && len % 4 != 0)) {
		crypto_set_reason(reason, "base64: length is not a whole number of groups");
		return NT_STATUS_INVALID_PARAMETER;
	}
	/* Padding is optional on input (some clients strip it). */
	padded_len = (data + 3) / 4 * 4;
	padded = talloc_array(mem_ctx, char, padded_len + 1);
	buf = talloc_array(mem_ctx, uint8_t, padded_len / 4 * 3 + 1);
	again = talloc_array(mem_ctx, char, padded_len + 1);
	if (padded == NULL || buf == NULL || again == NULL) {
		talloc_free(padded);
		talloc_free(buf);
		talloc_free(again);
		return NT_STATUS_NO_MEMORY;
	}
	memcpy(padded, text, data);
	memset(padded + data, '=', padded_len - data);
	padded[padded_len] = '\0';
	got = EVP_DecodeBlock(buf, (const unsigned char *)padded, (int)padded_len);
	n = padded_len / 4 * 3 - (padded_len - data);
	if (got < 0 || (size_t)got != padded_len / 4 * 3 ||
	    EVP_EncodeBlock((unsigned char *)again, buf, (int)n) != (int)padded_len ||
	    memcmp(again, padded, padded_len) != 0) {
		talloc_free(padded);
		talloc_free(buf);
		talloc_free(again);
		crypto_set_reason(reason, "base64: not in canonical form (non-zero bits in the "
					  "last group)");
		return NT_STATUS_INVALID_PARAMETER;
	}
	talloc_free(padded);
	talloc_free(again);
	*out = buf;
	*out_len = n;
	return NT_STATUS_OK;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* skip_prefix: |*p| starts with |word| (ASCII case-insensitive). */
static bool skip_prefix(const char **p, const char *end, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(end - *p) < n || strncasecmp(*p, word, n) != 0) {
		return false;
	}
	*p += n;
	return true;
}

NTSTATUS spnego_http_negotiate_decode(TALLOC_CTX *mem_ctx, const char *text, size_t len,
				      uint8_t **out, size_t *out_len, const char **reason)
{
	static const char *const names[] = { "Authorization:", "WWW-Authenticate:",
					     "Proxy-Authorization:", "Proxy-Authenticate:" };
	const char *p = text, *end = text + len;

	if (text == NULL) {
		crypto_set_reason(reason, "HTTP header: empty");
		return NT_STATUS_INVALID_PARAMETER;
	}
	while (p < end && is_space(*p)) {
		p++;
	}
	while (end > p && is_space(end[-1])) {
		end--;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (skip_prefix(&p, end, names[i])) {
			while (p < end && is_space(*p)) {
				p++;
			}
			break;
		}
	}
	/* RFC 7235 2.1: the auth-scheme is case-insensitive, then 1*SP token68. */
	if (!skip_prefix(&p, end, "Negotiate")) {
		crypto_set_reason(reason, "HTTP header: the scheme is not Negotiate");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (p == end) {
		crypto_set_reason(reason, "HTTP header: a bare Negotiate challenge, no token");
		return NT_STATUS_INVALID_PARAMETER;
	}
	if (*p != ' ') {
		crypto_set_reason(reason, "HTTP header: the scheme is not Negotiate");
		return NT_STATUS_INVALID_PARAMETER;
	}
	while (p < end && *p == ' ') {
		p++;
	}
	return spnego_base64_decode(mem_ctx, p, (size_t)(end - p), out, out_len, reason);
}
