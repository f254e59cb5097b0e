/*
 * base64.c: xs:base64Binary (XML Schema Part 2, 3.2.16) on OpenSSL's EVP
 * decoder and encoder.  crypto/ has no base64 yet; this file is the only
 * place in otpce/msg that includes OpenSSL, and moves to crypto/ when
 * another module needs the same.
 *
 * The schema has already checked the lexical form when a parser calls
 * otpce_base64_decode; the checks here are repeated so the function is
 * safe on its own: the base64 alphabet, XML whitespace anywhere (the
 * whiteSpace facet is collapse, and the spec's examples carry "&#xA;"),
 * '=' only as the last one or two characters, a multiple of four.
 * EVP_DecodeUpdate would also stop at '-' and skip other bytes; the
 * filter refuses them first.
 */
#include <string.h>

#include <openssl/evp.h>

#include "otpce/msg/msg_internal.h"

static bool is_xml_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_b64(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/';
}

NTSTATUS otpce_base64_decode(TALLOC_CTX *mem_ctx, const char *text, size_t max_len,
			     uint8_t **out, size_t *out_len, const char **reason)
{
	size_t n = 0, pad = 0, text_len = strlen(text);
	char *clean;
	uint8_t *bin = NULL;
	EVP_ENCODE_CTX *ctx = NULL;
	int l1 = 0, l2 = 0;
	NTSTATUS status = NT_STATUS_INVALID_PARAMETER;

	clean = talloc_array(mem_ctx, char, text_len + 1);
	if (clean == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	for (size_t i = 0; i < text_len; i++) {
		char c = text[i];
		if (is_xml_space(c)) {
			continue;
		}
		if (c == '=') {
			pad++;
		} else if (!is_b64(c) || pad > 0) {
			crypto_set_reason(reason, "base64Binary: a character outside the alphabet, "
						  "or data after '='");
			goto out;
		}
		clean[n++] = c;
	}
	if (n % 4 != 0 || pad > 2) {
		crypto_set_reason(reason, "base64Binary: length not a multiple of four or bad padding");
		goto out;
	}
	if (n == 0) {
		*out = NULL;
		*out_len = 0;
		status = NT_STATUS_OK;
		goto out;
	}
	if (n / 4 * 3 - pad > max_len) {
		crypto_set_reason(reason, "base64Binary: the value is over its size limit");
		goto out;
	}
	bin = talloc_array(mem_ctx, uint8_t, n / 4 * 3 + 3);
	ctx = EVP_ENCODE_CTX_new();
	if (bin == NULL || ctx == NULL) {
		status = NT_STATUS_NO_MEMORY;
		goto out;
	}
	EVP_DecodeInit(ctx);
	if (EVP_DecodeUpdate(ctx, bin, &l1, (const unsigned char *)clean, (int)n) < 0 ||
	    EVP_DecodeFinal(ctx, bin + l1, &l2) != 1 || (size_t)(l1 + l2) != n / 4 * 3 - pad) {
		crypto_set_reason(reason, "base64Binary: does not decode");
		goto out;
	}
	*out_len = (size_t)(l1 + l2);
	*out = bin;
	bin = NULL;
	status = NT_STATUS_OK;
out:
	EVP_ENCODE_CTX_free(ctx);
	TALLOC_FREE(bin);
	TALLOC_FREE(clean);
	return status;
}

NTSTATUS otpce_base64_encode(TALLOC_CTX *mem_ctx, const uint8_t *data, size_t len, char **out)
{
	char *s;

	if (len > INT32_MAX / 2) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	s = talloc_array(mem_ctx, char, (len + 2) / 3 * 4 + 1);
	if (s == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	EVP_EncodeBlock((unsigned char *)s, data, (int)len);
	*out = s;
	return NT_STATUS_OK;
}
