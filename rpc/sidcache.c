/*
 * sidcache.c: the client's cache of server account SIDs.  See sidcache.h.
 */
#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/types.h> /* mode_t, which tdb.h uses */
#include <tdb.h>

#include "crypto/wire/cursor.h"
#include "certtable/tdbfile.h"
#include "rpc/sidcache.h"

#define RECORD_MAX 200

/*
 * The own-certificate record.  Key: a leading NUL byte, then "own-cert"
 * (a principal's key is a C string, so the two never meet).  Value:
 * "BPAUOWN1", a little-endian u32 checksum (tdb_jenkins_hash) of what
 * follows it, a u32 file length, the file's bytes, the blob.
 */
static const uint8_t own_key[] = "\0own-cert";
#define OWN_MAGIC "BPAUOWN1"
#define OWN_FILE_MAX (64 * 1024) /* larger files are not remembered */
#define OWN_BLOB_MAX 65536       /* CERTBLOB_MAX_LEN */

struct sidcache {
	struct tdb_context *tdb;
};

static int sidcache_destructor(struct sidcache *c)
{
	if (c->tdb != NULL) {
		tdb_close(c->tdb);
	}
	return 0;
}

NTSTATUS sidcache_open(TALLOC_CTX *mem_ctx, const char *path, struct sidcache **out,
		       const char **reason)
{
	struct sidcache *c = talloc_zero(mem_ctx, struct sidcache);
	NTSTATUS status;

	if (c == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	status = tdbfile_open(path, 0, TDB_DEFAULT, NULL, &c->tdb, reason);
	if (!NT_STATUS_IS_OK(status)) {
		talloc_free(c);
		return status;
	}
	talloc_set_destructor(c, sidcache_destructor);
	*out = c;
	return NT_STATUS_OK;
}

/* key: the principal, lower-cased (Kerberos realms and sAMAccountNames
 * compare without case in AD). */
static bool make_key(const char *principal, char *buf, size_t n)
{
	size_t len = strlen(principal);
	if (len == 0 || len >= n) {
		return false;
	}
	for (size_t i = 0; i <= len; i++) {
		buf[i] = (char)tolower((unsigned char)principal[i]);
	}
	return true;
}

/*
 * parse_stamped: a record "1 <unix time> <rest>" (|len| < |n|) copied into
 * |buf| as a string; *rest points at <rest> in it.
 */
static bool parse_stamped(const uint8_t *p, size_t len, char *buf, size_t n, uint64_t *when,
			  char **rest)
{
	char *end;
	unsigned long long t;

	if (len < 5 || len >= n) {
		return false;
	}
	memcpy(buf, p, len);
	buf[len] = '\0';
	if (strlen(buf) != len || buf[0] != '1' || buf[1] != ' ' || !isdigit((unsigned char)buf[2])) {
		return false;
	}
	t = strtoull(buf + 2, &end, 10);
	if (*end != ' ' || end - (buf + 2) > 20) {
		return false;
	}
	*when = t;
	*rest = end + 1;
	return true;
}

bool sidcache_parse_record(const uint8_t *p, size_t len, uint64_t *when, struct crypto_sid *sid)
{
	char buf[RECORD_MAX + 1], *s;
	uint64_t t;

	if (!parse_stamped(p, len, buf, sizeof(buf), &t, &s) ||
	    !NT_STATUS_IS_OK(crypto_sid_parse(s, sid, NULL))) {
		return false;
	}
	*when = t;
	return true;
}

/* written less than |ttl| seconds ago, and not in the future */
static bool fresh(uint64_t when, unsigned ttl)
{
	uint64_t now = (uint64_t)time(NULL);
	return when <= now && now - when < ttl;
}

bool sidcache_get(struct sidcache *c, const char *principal, unsigned ttl, struct crypto_sid *sid)
{
	char key[512];
	TDB_DATA d;
	uint64_t when;
	bool ok;

	if (c == NULL || ttl == 0 || !make_key(principal, key, sizeof(key))) {
		return false;
	}
	d = tdb_fetch(c->tdb, (TDB_DATA){(unsigned char *)key, strlen(key)});
	if (d.dptr == NULL) {
		return false;
	}
	ok = sidcache_parse_record(d.dptr, d.dsize, &when, sid) && fresh(when, ttl);
	free(d.dptr);
	return ok;
}

/* store: one record, with the signals that end bpau blocked meanwhile
 * (the exchange's deadline alarm calls _exit): a plain tdb_store cut in
 * the middle can leave the file damaged, and a damaged cache named with
 * --sid-cache stops every later exchange at its start. */
static void store(struct sidcache *c, TDB_DATA key, TDB_DATA value, int flag)
{
	sigset_t block, old;

	/* The record's lock first, with the signals free: waiting for
	 * another bpau (one stopped with ^Z, say) must not hold off the
	 * deadline.  tdb_store then takes it again (nested). */
	if (tdb_chainlock(c->tdb, key) != 0) {
		return;
	}
	sigemptyset(&block);
	sigaddset(&block, SIGALRM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &old);
	(void)tdb_store(c->tdb, key, value, flag);
	sigprocmask(SIG_SETMASK, &old, NULL);
	tdb_chainunlock(c->tdb, key);
}


void sidcache_put(struct sidcache *c, const char *principal, const struct crypto_sid *sid)
{
	char key[512], value[RECORD_MAX + 1], s[CRYPTO_SID_MAX_STRING];
	int n;

	if (c == NULL || !make_key(principal, key, sizeof(key))) {
		return;
	}
	crypto_sid_format(sid, s);
	n = snprintf(value, sizeof(value), "1 %llu %s", (unsigned long long)time(NULL), s);
	if (n <= 0 || (size_t)n >= sizeof(value)) {
		return;
	}
	store(c, (TDB_DATA){(unsigned char *)key, strlen(key)},
			(TDB_DATA){(unsigned char *)value, (size_t)n}, TDB_REPLACE);
}

static uint32_t own_checksum(const uint8_t *p, size_t len)
{
	TDB_DATA d = {(unsigned char *)p, len};
	return tdb_jenkins_hash(&d);
}

bool sidcache_parse_own_record(const uint8_t *p, size_t len, const uint8_t **file,
			       size_t *file_len, const uint8_t **blob, size_t *blob_len)
{
	const size_t magic = sizeof(OWN_MAGIC) - 1;
	struct cursor c;
	const uint8_t *m;
	uint32_t sum, flen;

	cursor_init(&c, p, len);
	if (!cursor_get_bytes(&c, &m, magic) || memcmp(m, OWN_MAGIC, magic) != 0 ||
	    !cursor_get_u32le(&c, &sum) || sum != own_checksum(c.data, cursor_left(&c)) ||
	    !cursor_get_u32le(&c, &flen) || flen == 0 || flen > OWN_FILE_MAX ||
	    !cursor_get_bytes(&c, file, flen)) {
		return false;
	}
	*file_len = flen;
	*blob = c.data;
	*blob_len = cursor_left(&c);
	return *blob_len > 0 && *blob_len <= OWN_BLOB_MAX;
}

bool sidcache_get_own(struct sidcache *c, TALLOC_CTX *mem_ctx, const uint8_t *file,
		      size_t file_len, uint8_t **blob, size_t *blob_len)
{
	const uint8_t *f, *b;
	size_t fl, bl;
	TDB_DATA d;
	bool ok;

	if (c == NULL) {
		return false;
	}
	d = tdb_fetch(c->tdb, (TDB_DATA){(unsigned char *)own_key, sizeof(own_key) - 1});
	if (d.dptr == NULL) {
		return false;
	}
	ok = sidcache_parse_own_record(d.dptr, d.dsize, &f, &fl, &b, &bl) && fl == file_len &&
	     memcmp(f, file, fl) == 0 && (*blob = talloc_memdup(mem_ctx, b, bl)) != NULL;
	if (ok) {
		*blob_len = bl;
	}
	free(d.dptr);
	return ok;
}

void sidcache_put_own(struct sidcache *c, const uint8_t *file, size_t file_len,
		      const uint8_t *blob, size_t blob_len)
{
	struct builder b;
	uint8_t *rest, *v;
	size_t rest_len, len;

	if (c == NULL || file_len == 0 || file_len > OWN_FILE_MAX || blob_len == 0 ||
	    blob_len > OWN_BLOB_MAX) {
		return;
	}
	/* what the checksum covers, then the record around it */
	builder_init(&b, c);
	builder_add_u32le(&b, (uint32_t)file_len);
	builder_add_bytes(&b, file, file_len);
	builder_add_bytes(&b, blob, blob_len);
	if (!builder_finish(&b, &rest, &rest_len)) {
		return;
	}
	builder_init(&b, c);
	builder_add_bytes(&b, (const uint8_t *)OWN_MAGIC, sizeof(OWN_MAGIC) - 1);
	builder_add_u32le(&b, own_checksum(rest, rest_len));
	builder_add_bytes(&b, rest, rest_len);
	talloc_free(rest);
	if (builder_finish(&b, &v, &len)) {
		store(c, (TDB_DATA){(unsigned char *)own_key, sizeof(own_key) - 1},
				(TDB_DATA){v, len}, TDB_REPLACE);
		talloc_free(v);
	}
}

/* The endpoint key: NUL, "endpoint <host> <uuid>", host lower-cased. */
static bool endpoint_key(const char *host, const uint8_t u[16], char *buf, size_t n, size_t *len)
{
	int k;

	if (strlen(host) == 0 || strlen(host) > 255) {
		return false;
	}
	buf[0] = '\0';
	k = snprintf(buf + 1, n - 1,
		     "endpoint %s %02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		     "%02x%02x%02x%02x%02x%02x",
		     host, u[3], u[2], u[1], u[0], u[5], u[4], u[7], u[6], u[8], u[9], u[10],
		     u[11], u[12], u[13], u[14], u[15]);
	if (k <= 0 || (size_t)k >= n - 1) {
		return false;
	}
	for (size_t i = 10; i < 10 + strlen(host); i++) {
		buf[i] = (char)tolower((unsigned char)buf[i]);
	}
	*len = (size_t)k + 1;
	return true;
}

bool sidcache_parse_endpoint_record(const uint8_t *p, size_t len, uint64_t *when,
				    uint16_t *port)
{
	char buf[64], *s, *end;
	uint64_t t;
	unsigned long v;

	if (!parse_stamped(p, len, buf, sizeof(buf), &t, &s) || !isdigit((unsigned char)*s)) {
		return false;
	}
	v = strtoul(s, &end, 10);
	if (*end != '\0' || v == 0 || v > 65535) {
		return false;
	}
	*when = t;
	*port = (uint16_t)v;
	return true;
}

bool sidcache_get_endpoint(struct sidcache *c, const char *host, const uint8_t uuid[16],
			   unsigned ttl, uint16_t *port)
{
	char key[300];
	size_t klen;
	uint64_t when;
	TDB_DATA d;
	bool ok;

	if (c == NULL || ttl == 0 || !endpoint_key(host, uuid, key, sizeof(key), &klen)) {
		return false;
	}
	d = tdb_fetch(c->tdb, (TDB_DATA){(unsigned char *)key, klen});
	if (d.dptr == NULL) {
		return false;
	}
	ok = sidcache_parse_endpoint_record(d.dptr, d.dsize, &when, port) && fresh(when, ttl);
	free(d.dptr);
	return ok;
}

void sidcache_put_endpoint(struct sidcache *c, const char *host, const uint8_t uuid[16],
			   uint16_t port)
{
	char key[300], value[64];
	size_t klen;
	int n;

	if (c == NULL || port == 0 || !endpoint_key(host, uuid, key, sizeof(key), &klen)) {
		return;
	}
	n = snprintf(value, sizeof(value), "1 %llu %u", (unsigned long long)time(NULL),
		     (unsigned)port);
	if (n <= 0 || (size_t)n >= sizeof(value)) {
		return;
	}
	store(c, (TDB_DATA){(unsigned char *)key, klen},
			(TDB_DATA){(unsigned char *)value, (size_t)n}, TDB_REPLACE);
}

char *sidcache_default_path(TALLOC_CTX *mem_ctx, const char *table)
{
	const char *slash = strrchr(table, '/');

	if (slash == NULL) {
		return talloc_strdup(mem_ctx, "sid-cache.tdb");
	}
	return talloc_asprintf(mem_ctx, "%.*s/sid-cache.tdb", (int)(slash - table), table);
}
