/*
 * exchange_client.h: the ExchangePublicKeys rules on the client side
 * (MS-BPAU 3.2.4.1), independent of the RPC library that carries the
 * call: client.c calls bpau_client_accept() with what the server
 * returned.
 */
#ifndef RPC_CLIENT_EXCHANGE_CLIENT_H
#define RPC_CLIENT_EXCHANGE_CLIENT_H

#include "certtable/certtable.h"
#include "rpc/protocol/bpau.h"

/*
 * bpau_client_accept is the client's processing of the reply (3.2.4.1):
 * |hresult| is what the call returned (the caller has already failed on
 * an RPC fault); the server's blob must be present, decode, and name
 * |server_sid| (the server account's SID as the domain reports it, never
 * taken from the certificate); then it goes into |table| under the usual
 * rules.  Returns NT_STATUS_OK with |outcome|, or (RPC errors are the
 * caller's): NT_STATUS_ACCESS_DENIED for a nonzero HRESULT or a
 * certificate naming another SID; NT_STATUS_INVALID_NETWORK_RESPONSE for
 * an empty or undecodable blob; NT_STATUS_CERTTABLE_FULL.
 * |reason| says which in words.
 */
NTSTATUS bpau_client_accept(struct certtable *table, uint32_t hresult, uint32_t server_len,
			    const uint8_t *server_key, const struct crypto_sid *server_sid,
			    const char *server_principal, enum certtable_outcome *outcome,
			    const char **reason);

#endif
