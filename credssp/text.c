/*
 * text.c: the CredSSP strings (the names, hints, passwords and PINs of
 * MS-CSSP 2.2.1.2, UTF-16LE OCTET STRINGs) to and from UTF-8, by
 * crypto/wire/text.h's rules.  See credssp_msg.h.
 */
#include "credssp/credssp_msg.h"
#include "crypto/wire/text.h"

#include <stdint.h>
#include <string.h>

/* ---- UTF-16LE <-> UTF-8 ------------------------------------------------- */

NTSTATUS credssp_octets_to_utf8(TALLOC_CTX *mem_ctx, const struct credssp_octets *s,
				char **out, const char **reason)
{
	return crypto_utf16le_to_utf8(mem_ctx, s->data, s->len, out, reason);
}

NTSTATUS credssp_utf8_to_octets(TALLOC_CTX *mem_ctx, const char *text,
				struct credssp_octets **out, const char **reason)
{
	struct credssp_octets *o = talloc_zero(mem_ctx, struct credssp_octets);
	NTSTATUS status;

	if (o == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	status = crypto_utf8_to_utf16le(o, text, &o->data, &o->len, reason);
	if (!NT_STATUS_IS_OK(status)) {
		talloc_free(o);
		return status;
	}
	*out = o;
	return NT_STATUS_OK;
}

/*
 * The secret conversions go one code point at a time through text.h, so
 * text.h's growing buffer never reallocates (and so never frees an
 * unwiped copy): each piece is at most 4 bytes, each scratch copy is
 * wiped, and the result is assembled in a crypto_secret sized for the
 * worst case, then copied to its exact size.
 */
static NTSTATUS secret_finish(TALLOC_CTX *mem_ctx, struct crypto_secret *scratch, size_t used,
			      struct crypto_secret **out)
{
	struct crypto_secret *s = crypto_secret_dup(mem_ctx, scratch->data, used);

	talloc_free(scratch);
	if (s == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	*out = s;
	return NT_STATUS_OK;
}

NTSTATUS credssp_secret_to_utf8(TALLOC_CTX *mem_ctx, const struct crypto_secret *s,
				struct crypto_secret **out, const char **reason)
{
	struct crypto_secret *scratch;
	size_t used = 0, i = 0;

	if (s->len % 2 != 0) {
		crypto_set_reason(reason, "UTF-16 text has an odd length");
		return NT_STATUS_INVALID_PARAMETER;
	}
	/* each 16-bit unit gives at most 3 bytes; a pair gives 4 */
	scratch = crypto_secret_new(NULL, s->len / 2 * 3);
	if (scratch == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	while (i < s->len) {
		uint16_t u = (uint16_t)(s->data[i] | (s->data[i + 1] << 8));
		size_t take = (u >= 0xd800 && u <= 0xdbff && s->len - i >= 4) ? 4 : 2;
		char *piece = NULL;
		size_t n;
		NTSTATUS status = crypto_utf16le_to_utf8(scratch, s->data + i, take, &piece, reason);

		if (!NT_STATUS_IS_OK(status)) {
			talloc_free(scratch);
			return status;
		}
		n = strlen(piece);
		memcpy(scratch->data + used, piece, n);
		crypto_wipe(piece, n);
		talloc_free(piece);
		used += n;
		i += take;
	}
	return secret_finish(mem_ctx, scratch, used, out);
}

NTSTATUS credssp_utf8_to_secret(TALLOC_CTX *mem_ctx, const char *text,
				struct crypto_secret **out, const char **reason)
{
	size_t len = strlen(text), used = 0, i = 0;
	struct crypto_secret *scratch;

	if (len > (SIZE_MAX - 1) / 2) {
		return NT_STATUS_NO_MEMORY;
	}
	/* each byte gives at most one 16-bit unit */
	scratch = crypto_secret_new(NULL, len * 2);
	if (scratch == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	while (i < len) {
		uint8_t b0 = (uint8_t)text[i];
		size_t take = b0 >= 0xf0 ? 4 : b0 >= 0xe0 ? 3 : b0 >= 0xc0 ? 2 : 1;
		char one[5] = {0};
		uint8_t *piece = NULL;
		size_t n = 0;
		NTSTATUS status;

		if (take > len - i) {
			take = len - i; /* truncated: text.h says why */
		}
		memcpy(one, text + i, take);
		status = crypto_utf8_to_utf16le(scratch, one, &piece, &n, reason);
		crypto_wipe(one, sizeof(one));
		if (!NT_STATUS_IS_OK(status)) {
			talloc_free(scratch);
			return status;
		}
		memcpy(scratch->data + used, piece, n);
		crypto_wipe(piece, n);
		talloc_free(piece);
		used += n;
		i += take;
	}
	return secret_finish(mem_ctx, scratch, used, out);
}
