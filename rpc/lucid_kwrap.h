/*
 * lucid_kwrap.h: crypto/kwrap.h contexts from GSSAPI's lucid export, for
 * bpau's client (rpc/ncacn.c) and the servers (rpc/samba_seal.c).  Both keep
 * Heimdal's gss_wrap_iov for an association's first calls and move to
 * kwrap at the LUCID_KWRAP_AFTER_CALLS'th: the export builds a krb5
 * context and OpenSSL sets up its AES and HMAC (about 110 page faults and
 * 1-5 ms of CPU on our test VM), while Heimdal's software crypto costs
 * about 17 us per 1 kB call, so only an association that goes on calling
 * gains.  Uses Heimdal's public header for the struct only: bpaud's
 * export comes from Samba's private copy, with the same layout.
 */
#ifndef RPC_LUCID_KWRAP_H
#define RPC_LUCID_KWRAP_H

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>

#include "crypto/kwrap.h"

#define LUCID_KWRAP_AFTER_CALLS 8

/*
 * lucid_kwrap_new: a kwrap context for our side (|initiator| or not) of
 * the RFC 4121 context |l|, exported after Heimdal's own code made a token
 * with SND_SEQ |last_sent| and accepted one with |last_recv|
 * (crypto_kwrap_token_seq).  NULL unless |l| is a version 1 CFX context
 * of our side whose next sequence number out follows |last_sent| and
 * whose token key is AES.
 */
struct crypto_kwrap *lucid_kwrap_new(TALLOC_CTX *mem_ctx, const gss_krb5_lucid_context_v1_t *l,
				     bool initiator, uint64_t last_sent, uint64_t last_recv);

#endif
