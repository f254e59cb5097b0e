/*
 * fuzz_credssp_ntlm_samfile.c: libFuzzer target for the FreeRDP SAM file
 * reader of the NTLM acceptor (credssp/ntlm/samfile.c) on hostile file
 * contents, handed over as an in-memory file, looking up "alice" in
 * "DOM".  Every result must be one the header names: a hash only for a
 * file that has an "alice:" line, a malformed file with its reason and the
 * line number, else no such user.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memfd_create, memmem */
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "credssp/ntlm/ntlm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t hash[NTLM_KEY_LEN];
	const char *reason = NULL;
	size_t line_no = 0;
	char path[64];
	NTSTATUS st;
	int fd = memfd_create("samfile-fuzz", MFD_CLOEXEC);

	if (fd < 0 || (size > 0 && write(fd, data, size) != (ssize_t)size)) {
		abort();
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	st = ntlm_samfile_lookup(path, "alice", "DOM", hash, &line_no, &reason);
	if (NT_STATUS_IS_OK(st)) {
		if (size < 6 || (memcmp(data, "alice:", 6) != 0 && memmem(data, size, "\nalice:", 7) == NULL)) {
			abort();
		}
	} else if (NT_STATUS_EQUAL(st, NT_STATUS_INVALID_PARAMETER)) {
		if (reason == NULL || (line_no == 0 && size <= (4u << 20) && memchr(data, 0, size) == NULL)) {
			abort();
		}
	} else if (!NT_STATUS_EQUAL(st, NT_STATUS_NO_SUCH_USER) || reason == NULL) {
		abort();
	}
	close(fd);
	return 0;
}
