/*
 * text.h: UTF-16LE <-> UTF-8 (the protocols' strings) and hex (for
 * people).  No OpenSSL: these are small and strictness is easier to see
 * in our own code.
 */
#ifndef CRYPTO_WIRE_TEXT_H
#define CRYPTO_WIRE_TEXT_H

#include <talloc.h>

#include "crypto/ms/status.h"

/*
 * crypto_utf16le_to_utf8 converts |len| bytes of UTF-16LE (no terminator
 * expected; an embedded NUL is refused) into a NUL-terminated UTF-8 string
 * on mem_ctx.  Unpaired surrogates and odd lengths are malformed.
 */
NTSTATUS crypto_utf16le_to_utf8(TALLOC_CTX *mem_ctx, const uint8_t *p,
				size_t len, char **out, const char **reason);
/* crypto_utf8_to_utf16le converts a UTF-8 string (without terminator in
 * the output).  Overlong forms, surrogates and > U+10FFFF are malformed. */
NTSTATUS crypto_utf8_to_utf16le(TALLOC_CTX *mem_ctx, const char *s,
				uint8_t **out, size_t *out_len,
				const char **reason);

/* crypto_hex formats |len| bytes as lower-case hex on mem_ctx. */
char *crypto_hex(TALLOC_CTX *mem_ctx, const uint8_t *p, size_t len);

#endif
