/*
 * status.h: the error convention of crypto/ and of everything built on it,
 * and NTSTATUS names for programs that do not load Samba's libraries.
 *
 * Functions return NTSTATUS (Samba's core/ntstatus.h):
 *   NT_STATUS_OK                    success; outputs are set
 *   NT_STATUS_INVALID_PARAMETER     the input is malformed
 *   NT_STATUS_NOT_SUPPORTED         well-formed input this code refuses
 *                                   (a non-RSA key, an unknown algorithm)
 *   NT_STATUS_NO_MEMORY             allocation failed
 *   NT_STATUS_INTERNAL_ERROR        a library failed for another reason
 * Parsers take an optional |reason| out-parameter which on failure points
 * at a static string saying what was wrong with the input.  Outputs are
 * assigned only on success.
 */
#ifndef CRYPTO_MS_STATUS_H
#define CRYPTO_MS_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <core/ntstatus.h>
#include <core/error.h>

#define CRYPTO_WARN_UNUSED __attribute__((warn_unused_result))

/* crypto_set_reason stores |why| in |*reason| when |reason| is not NULL. */
static inline void crypto_set_reason(const char **reason, const char *why)
{
	if (reason != NULL) {
		*reason = why;
	}
}

/* crypto_status_name: "NT_STATUS_ACCESS_DENIED" for the codes this project
 * produces, else "NT_STATUS 0x%08x" (a thread-local buffer).  Used instead
 * of Samba's nt_errstr() where Samba's libraries are not loaded. */
const char *crypto_status_name(NTSTATUS status);

/* crypto_status_from_errno maps an errno value to an NTSTATUS. */
NTSTATUS crypto_status_from_errno(int err);

#endif
