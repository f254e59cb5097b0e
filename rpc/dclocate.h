/*
 * dclocate.h: finding the domain controllers of a realm in DNS, as
 * Windows' DC locator does (MS-ADTS 6.3.6.1: the SRV records
 * "_ldap._tcp.dc._msdcs.DNSDOMAIN"), for the client's SID lookups when
 * no --dc is given.  The peer being checked never answers for its own
 * SID: only a domain controller does.
 */
#ifndef RPC_DCLOCATE_H
#define RPC_DCLOCATE_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"

#define BPAU_DC_MAX 16

/* bpau_dc_srv_name: "_ldap._tcp.dc._msdcs." and the realm in lower case
 * (an AD realm is its DNS domain in capitals), on mem_ctx. */
char *bpau_dc_srv_name(TALLOC_CTX *mem_ctx, const char *realm);

/*
 * bpau_dc_srv_parse: the SRV targets of a DNS answer |msg| (RFC 1035
 * message, RFC 2782 records): the best BPAU_DC_MAX of its first 64, lowest
 * priority first and, within a priority, highest weight first, equals in
 * a random order (spreading clients over the DCs); a target "." (the
 * service is not offered there) is left out.  *names is a NULL-terminated array on
 * mem_ctx.  NT_STATUS_INVALID_NETWORK_RESPONSE for a malformed message
 * (*reason says what), NT_STATUS_NOT_FOUND when it holds no target.
 */
NTSTATUS bpau_dc_srv_parse(TALLOC_CTX *mem_ctx, const uint8_t *msg, size_t len, char ***names,
			   const char **reason) CRYPTO_WARN_UNUSED;

/* bpau_dc_locate: ask DNS (the system's resolver, /etc/resolv.conf) for
 * the realm's domain controllers; |timeout| seconds per try.  *reason
 * says why none was found. */
NTSTATUS bpau_dc_locate(TALLOC_CTX *mem_ctx, const char *realm, unsigned timeout,
			char ***names, const char **reason) CRYPTO_WARN_UNUSED;

#endif
