/*
 * file.h: reading a whole (small) file, the one way every tool and parser
 * input in this project does it (certificates, blobs, keys).
 */
#ifndef CRYPTO_WIRE_FILE_H
#define CRYPTO_WIRE_FILE_H

#include <talloc.h>

#include "crypto/ms/status.h"

/*
 * crypto_read_file reads at most |max| bytes of |path| (standard input for
 * "-" when |dash_is_stdin|) into a buffer on mem_ctx.  Ask for one byte
 * more than you accept to learn that a file is too large.  On failure
 * *err is the errno (EIO for a read error) and nothing is allocated.
 */
NTSTATUS crypto_read_file(TALLOC_CTX *mem_ctx, const char *path, bool dash_is_stdin, size_t max,
			  uint8_t **out, size_t *len, int *err);

#endif
