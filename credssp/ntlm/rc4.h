/*
 * rc4.h: RC4 (private to credssp/ntlm/).  MS-NLMP seals with RC4
 * (3.4.3), which OpenSSL 3 keeps in its "legacy" provider only.  rc4.c
 * loads that provider into a library context of its own, so the
 * process's default context (and every other user of OpenSSL in it) is
 * left as it was.  Not written by hand: Debian's libssl3 ships the
 * legacy provider (ossl-modules/legacy.so).
 */
#ifndef CREDSSP_NTLM_RC4_H
#define CREDSSP_NTLM_RC4_H

#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "crypto/ms/status.h"

struct ntlm_rc4; /* a keystream position; talloc object, freed with the cipher state */

/* ntlm_rc4_new keys a new stream with |key_len| bytes.  NT_STATUS_NOT_SUPPORTED
 * when OpenSSL's legacy provider cannot be loaded. */
NTSTATUS ntlm_rc4_new(TALLOC_CTX *mem_ctx, const uint8_t *key, size_t key_len,
		      struct ntlm_rc4 **out) CRYPTO_WARN_UNUSED;
/* ntlm_rc4_dup copies the stream position (so a caller can try, and keep
 * the copy only on success). */
NTSTATUS ntlm_rc4_dup(TALLOC_CTX *mem_ctx, const struct ntlm_rc4 *r,
		      struct ntlm_rc4 **out) CRYPTO_WARN_UNUSED;
/* ntlm_rc4_crypt runs |len| bytes through the stream (in == out allowed). */
NTSTATUS ntlm_rc4_crypt(struct ntlm_rc4 *r, const uint8_t *in, uint8_t *out,
			size_t len) CRYPTO_WARN_UNUSED;

#endif
