/*
 * layers.h: negoex-dump's layers: decoding the input text (hex, base64, an
 * HTTP Negotiate header, raw bytes), then unwrapping GSS framing and
 * SPNEGO down to NEGOEX, each layer printed with its offsets.
 */
#ifndef NEGOEX_DUMP_LAYERS_H
#define NEGOEX_DUMP_LAYERS_H

#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "crypto/ms/status.h"
#include "negoex/dump/emit.h"

enum dump_input_form {
	DUMP_INPUT_AUTO = 0,
	DUMP_INPUT_HEX,
	DUMP_INPUT_BASE64,
	DUMP_INPUT_BINARY, /* the bytes as they are (a file) */
};

/* The most input read: a 2 MiB token as base64 with some slack. */
#define DUMP_MAX_INPUT_LEN (4U << 20)

/*
 * dump_decode_input turns |in| into token bytes.  AUTO: bytes that look
 * like a token (starting "NEGOEXTS", "NTLMSSP", 0x60, 0xa0 or 0xa1) are
 * taken as they are; otherwise, as text: an HTTP header or value naming
 * Negotiate, else hex (whitespace and ':' ignored, an optional "0x"),
 * else base64 (whitespace ignored).  |*form| is set to "binary", "hex",
 * "base64" or "http-negotiate".  *out is on mem_ctx.
 */
NTSTATUS dump_decode_input(TALLOC_CTX *mem_ctx, const uint8_t *in, size_t len,
			   enum dump_input_form want, uint8_t **out, size_t *out_len,
			   const char **form, const char **reason) CRYPTO_WARN_UNUSED;

/*
 * dump_token prints |buf|: a bare NEGOEX token, a SPNEGO token (framed or
 * not) with the NEGOEX token inside, a GSS token of another mechanism, or
 * an NTLM message (named, not decoded).  Problems go to |o|.
 */
void dump_token(struct dump_out *o, const uint8_t *buf, size_t len);

#endif
