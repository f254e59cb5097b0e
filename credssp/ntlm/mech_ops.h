/*
 * mech_ops.h: the CredSSP engine's mechanism interface, as the engine
 * defines it in credssp/mech.h (branch credssp-engine).  Declared here,
 * word for word, until that branch merges; then this file is replaced by
 * an include of credssp/mech.h.
 */
#ifndef CREDSSP_NTLM_MECH_OPS_H
#define CREDSSP_NTLM_MECH_OPS_H

#include <stddef.h>
#include <stdint.h>

#ifndef CREDSSP_MECH_OPS_DECLARED
#define CREDSSP_MECH_OPS_DECLARED
struct credssp_mech_ops {
	const char *name;
	/* 1 = complete, 0 = continue (send *out), <0 = failure (err filled,
	 * NTSTATUS in *status if known) */
	int (*step)(void *ctx, const uint8_t *in, size_t in_len, uint8_t **out,
		    size_t *out_len, uint32_t *status, char *err, size_t errlen);
	int (*wrap)(void *ctx, const uint8_t *in, size_t in_len, uint8_t **out,
		    size_t *out_len); /* seal, 0 ok */
	int (*unwrap)(void *ctx, const uint8_t *in, size_t in_len, uint8_t **out,
		      size_t *out_len); /* unseal+verify, 0 ok */
	const char *(*peer_name)(void *ctx); /* DOMAIN\user after completion */
	void (*free)(void *ctx);
};
/* outputs are malloc'd; the caller frees */
#endif

#endif
