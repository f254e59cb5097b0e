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
 *
 * The same file remembers our own certificate as a CERTIFICATE_BLOB.
 * Building the blob decodes and hashes the certificate, which starts
 * OpenSSL: about 80 page faults, 2-3 ms of a 20 ms `bpau exchange` on our
 * 2-core machine, and the only use of OpenSSL in an exchange whose server
 * certificate is unchanged.  The record holds the certificate file's
 * bytes and the blob built from them, and is used only when the file read
 * now is byte-for-byte the same and the record's checksum holds; anything
 * else reads as a miss and the blob is built again.
 *
 * And it remembers endpoints: the dynamic port the endpoint mapper gave
 * for an interface at a host, under a key of a NUL byte, then "endpoint
 * <host, lower-cased> <interface UUID>", with the value "1 <unix time>
 * <port>".  A remembered port is only a first try; see client.c.
 */
#ifndef RPC_SIDCACHE_H
#define RPC_SIDCACHE_H

#include "crypto/crypto.h"
#include "crypto/ms/sid.h"

#define SIDCACHE_DEFAULT_TTL 3600 /* seconds */
#define SIDCACHE_ENDPOINT_DEFAULT_TTL 3600 /* seconds */

struct sidcache;

/* sidcache_open opens (creating, mode 0600) the cache at |path|.  A file
 * there that is not a tdb is refused (NT_STATUS_OBJECT_TYPE_MISMATCH, with
 * *reason if |reason| is not NULL) and left as it was. */
NTSTATUS sidcache_open(TALLOC_CTX *mem_ctx, const char *path, struct sidcache **out,
		       const char **reason);

/* sidcache_get: the SID cached for |principal| if written less than |ttl|
 * seconds ago (and not in the future). */
bool sidcache_get(struct sidcache *c, const char *principal, unsigned ttl,
		  struct crypto_sid *sid);

/* sidcache_put records |sid| for |principal| now; failures are ignored
 * (the cache is an optimisation). */
void sidcache_put(struct sidcache *c, const char *principal, const struct crypto_sid *sid);

/* sidcache_parse_record reads a stored value (exposed for fuzzing). */
bool sidcache_parse_record(const uint8_t *p, size_t len, uint64_t *when, struct crypto_sid *sid);

/* sidcache_get_own: the blob remembered for a certificate file holding
 * exactly |file| (|file_len| bytes), copied onto |mem_ctx|. */
bool sidcache_get_own(struct sidcache *c, TALLOC_CTX *mem_ctx, const uint8_t *file,
		      size_t file_len, uint8_t **blob, size_t *blob_len);

/* sidcache_put_own remembers |blob| as built from the certificate file
 * |file|; failures are ignored. */
void sidcache_put_own(struct sidcache *c, const uint8_t *file, size_t file_len,
		      const uint8_t *blob, size_t blob_len);

/* sidcache_parse_own_record reads a stored own-certificate record (exposed
 * for fuzzing); the outputs point into |p|. */
bool sidcache_parse_own_record(const uint8_t *p, size_t len, const uint8_t **file,
			       size_t *file_len, const uint8_t **blob, size_t *blob_len);

/* sidcache_get_endpoint: the port remembered for interface |uuid| (its 16
 * wire bytes) at |host| if written less than |ttl| seconds ago. */
bool sidcache_get_endpoint(struct sidcache *c, const char *host, const uint8_t uuid[16],
			   unsigned ttl, uint16_t *port);

/* sidcache_put_endpoint remembers |port| for |uuid| at |host| now. */
void sidcache_put_endpoint(struct sidcache *c, const char *host, const uint8_t uuid[16],
			   uint16_t port);

/* sidcache_parse_endpoint_record reads a stored endpoint value (exposed
 * for fuzzing). */
bool sidcache_parse_endpoint_record(const uint8_t *p, size_t len, uint64_t *when,
				    uint16_t *port);

/* sidcache_default_path: "sid-cache.tdb" in the directory of |table|. */
char *sidcache_default_path(TALLOC_CTX *mem_ctx, const char *table);

#endif
