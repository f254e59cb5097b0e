/*
 * sidcache.h: the client's cache of server account SIDs.
 *
 * Checking a server's certificate needs its computer account's SID
 * (MS-BPAU 3.2.4.1), which only the domain knows: a SAMR lookup at a DC,
 * one more Kerberos association per exchange.  Windows answers such
 * lookups from the LSA's lookup cache; this is ours.  An entry is written
 * only from a successful authenticated lookup and used for at most its
 * time to live; a certificate that does not match a cached SID is never
 * refused on the cache's word: the client looks the SID up again first.
 *
 * A small tdb beside the peer table, keyed by the lower-cased principal;
 * the value is the text "1 <unix time> <SID>".  Any damage reads as a miss.
 */
#ifndef RPC_SIDCACHE_H
#define RPC_SIDCACHE_H

#include "crypto/crypto.h"

#define SIDCACHE_DEFAULT_TTL 3600 /* seconds */

struct sidcache;

/* sidcache_open opens (creating, mode 0600) the cache at |path|. */
NTSTATUS sidcache_open(TALLOC_CTX *mem_ctx, const char *path, struct sidcache **out);

/* sidcache_get: the SID cached for |principal| if written less than |ttl|
 * seconds ago (and not in the future). */
bool sidcache_get(struct sidcache *c, const char *principal, unsigned ttl,
		  struct crypto_sid *sid);

/* sidcache_put records |sid| for |principal| now; failures are ignored
 * (the cache is an optimisation). */
void sidcache_put(struct sidcache *c, const char *principal, const struct crypto_sid *sid);

/* sidcache_parse_record reads a stored value (exposed for fuzzing). */
bool sidcache_parse_record(const uint8_t *p, size_t len, uint64_t *when, struct crypto_sid *sid);

/* sidcache_default_path: "sid-cache.tdb" in the directory of |table|. */
char *sidcache_default_path(TALLOC_CTX *mem_ctx, const char *table);

#endif
