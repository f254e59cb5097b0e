/*
 * file.c: reading a whole (small) file.  See file.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "crypto/wire/file.h"

NTSTATUS crypto_read_file(TALLOC_CTX *mem_ctx, const char *path, bool dash_is_stdin, size_t max,
			  uint8_t **out, size_t *len, int *err)
{
	bool use_stdin = dash_is_stdin && strcmp(path, "-") == 0;
	uint8_t *buf = talloc_array(mem_ctx, uint8_t, max ? max : 1);
	FILE *f;
	size_t n;
	bool failed;

	*err = 0;
	if (buf == NULL) {
		*err = ENOMEM;
		return NT_STATUS_NO_MEMORY;
	}
	f = use_stdin ? stdin : fopen(path, "rb");
	if (f == NULL) {
		*err = errno;
		talloc_free(buf);
		return crypto_status_from_errno(*err);
	}
	n = fread(buf, 1, max, f);
	failed = ferror(f) != 0;
	if (!use_stdin) {
		fclose(f);
	}
	if (failed) {
		*err = EIO;
		talloc_free(buf);
		return NT_STATUS_IO_DEVICE_ERROR;
	}
	*out = buf;
	*len = n;
	return NT_STATUS_OK;
}
