/*
 * text.c: UTF-16LE <-> UTF-8 and hex.  See text.h.
 */
#include "crypto/wire/text.h"
#include "crypto/wire/cursor.h"

#include <string.h>

NTSTATUS crypto_utf16le_to_utf8(TALLOC_CTX *mem_ctx, const uint8_t *p,
				size_t len, char **out, const char **reason)
{
	struct cursor c;
	struct builder b;
	uint8_t *res;

	if (len % 2 != 0) {
		crypto_set_reason(reason, "UTF-16 text has an odd length");
		return NT_STATUS_INVALID_PARAMETER;
	}
	cursor_init(&c, p, len);
	builder_init(&b, mem_ctx);
	while (cursor_left(&c) > 0) {
		uint16_t u, u2;
		uint32_t cp;

		(void)cursor_get_u16le(&c, &u);
		if (u == 0) {
			builder_abort(&b);
			crypto_set_reason(reason, "UTF-16 text has an embedded NUL");
			return NT_STATUS_INVALID_PARAMETER;
		}
		if (u >= 0xd800 && u <= 0xdbff) {
			if (!cursor_get_u16le(&c, &u2) || u2 < 0xdc00 ||
			    u2 > 0xdfff) {
				builder_abort(&b);
				crypto_set_reason(reason,
						  "UTF-16 text has an unpaired surrogate");
				return NT_STATUS_INVALID_PARAMETER;
			}
			cp = 0x10000 + (((uint32_t)u - 0xd800) << 10) +
			     ((uint32_t)u2 - 0xdc00);
		} else if (u >= 0xdc00 && u <= 0xdfff) {
			builder_abort(&b);
			crypto_set_reason(reason,
					  "UTF-16 text has an unpaired surrogate");
			return NT_STATUS_INVALID_PARAMETER;
		} else {
			cp = u;
		}
		if (cp < 0x80) {
			builder_add_u8(&b, (uint8_t)cp);
		} else if (cp < 0x800) {
			builder_add_u8(&b, (uint8_t)(0xc0 | (cp >> 6)));
			builder_add_u8(&b, (uint8_t)(0x80 | (cp & 0x3f)));
		} else if (cp < 0x10000) {
			builder_add_u8(&b, (uint8_t)(0xe0 | (cp >> 12)));
			builder_add_u8(&b, (uint8_t)(0x80 | ((cp >> 6) & 0x3f)));
			builder_add_u8(&b, (uint8_t)(0x80 | (cp & 0x3f)));
		} else {
			builder_add_u8(&b, (uint8_t)(0xf0 | (cp >> 18)));
			builder_add_u8(&b, (uint8_t)(0x80 | ((cp >> 12) & 0x3f)));
			builder_add_u8(&b, (uint8_t)(0x80 | ((cp >> 6) & 0x3f)));
			builder_add_u8(&b, (uint8_t)(0x80 | (cp & 0x3f)));
		}
	}
	builder_add_u8(&b, 0);
	if (!builder_finish(&b, &res, NULL)) {
		return NT_STATUS_NO_MEMORY;
	}
	*out = (char *)res;
	return NT_STATUS_OK;
}

/* utf8_next decodes one code point; false on any malformation. */
static bool utf8_next(struct cursor *c, uint32_t *cp)
{
	uint8_t b0, bx;
	size_t n;
	uint32_t v, min;

	if (!cursor_get_u8(c, &b0)) {
		return false;
	}
	if (b0 < 0x80) {
		*cp = b0;
		return true;
	} else if ((b0 & 0xe0) == 0xc0) {
		n = 1, v = b0 & 0x1f, min = 0x80;
	} else if ((b0 & 0xf0) == 0xe0) {
		n = 2, v = b0 & 0x0f, min = 0x800;
	} else if ((b0 & 0xf8) == 0xf0) {
		n = 3, v = b0 & 0x07, min = 0x10000;
	} else {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (!cursor_get_u8(c, &bx) || (bx & 0xc0) != 0x80) {
			return false;
		}
		v = (v << 6) | (bx & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) {
		return false;
	}
	*cp = v;
	return true;
}

NTSTATUS crypto_utf8_to_utf16le(TALLOC_CTX *mem_ctx, const char *s,
				uint8_t **out, size_t *out_len,
				const char **reason)
{
	struct cursor c;
	struct builder b;

	cursor_init(&c, (const uint8_t *)s, strlen(s));
	builder_init(&b, mem_ctx);
	while (cursor_left(&c) > 0) {
		uint32_t cp;
		if (!utf8_next(&c, &cp)) {
			builder_abort(&b);
			crypto_set_reason(reason, "text is not valid UTF-8");
			return NT_STATUS_INVALID_PARAMETER;
		}
		if (cp >= 0x10000) {
			cp -= 0x10000;
			builder_add_u16le(&b, (uint16_t)(0xd800 + (cp >> 10)));
			builder_add_u16le(&b, (uint16_t)(0xdc00 + (cp & 0x3ff)));
		} else {
			builder_add_u16le(&b, (uint16_t)cp);
		}
	}
	if (!builder_finish(&b, out, out_len)) {
		return NT_STATUS_NO_MEMORY;
	}
	return NT_STATUS_OK;
}

char *crypto_hex(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	char *res;

	if (len > (SIZE_MAX - 1) / 2) {
		return NULL;
	}
	res = talloc_array(mem_ctx, char, len * 2 + 1);
	if (res == NULL) {
		return NULL;
	}
	for (size_t i = 0; i < len; i++) {
		res[2 * i] = hex[p[i] >> 4];
		res[2 * i + 1] = hex[p[i] & 15];
	}
	res[len * 2] = '\0';
	return res;
}
