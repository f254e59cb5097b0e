/*
 * sidcache.c: the client's cache of server account SIDs.  See sidcache.h.
 */
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <tdb.h>

#include "rpc/sidcache.h"

#define RECORD_MAX 200

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

NTSTATUS sidcache_open(TALLOC_CTX *mem_ctx, const char *path, struct sidcache **out)
{
	struct sidcache *c = talloc_zero(mem_ctx, struct sidcache);

	if (c == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	c->tdb = tdb_open(path, 0, TDB_DEFAULT, O_RDWR | O_CREAT, 0600);
	if (c->tdb == NULL) {
		talloc_free(c);
		return NT_STATUS_ACCESS_DENIED;
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

bool sidcache_parse_record(const uint8_t *p, size_t len, uint64_t *when, struct crypto_sid *sid)
{
	char buf[RECORD_MAX + 1], *end, *s;
	unsigned long long t;

	if (len < 5 || len > RECORD_MAX) {
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
	s = end + 1;
	if (!NT_STATUS_IS_OK(crypto_sid_parse(s, sid, NULL))) {
		return false;
	}
	*when = t;
	return true;
}

bool sidcache_get(struct sidcache *c, const char *principal, unsigned ttl, struct crypto_sid *sid)
{
	char key[512];
	TDB_DATA d;
	uint64_t when;
	uint64_t now = (uint64_t)time(NULL);
	bool ok;

	if (c == NULL || ttl == 0 || !make_key(principal, key, sizeof(key))) {
		return false;
	}
	d = tdb_fetch(c->tdb, (TDB_DATA){(unsigned char *)key, strlen(key)});
	if (d.dptr == NULL) {
		return false;
	}
	ok = sidcache_parse_record(d.dptr, d.dsize, &when, sid) && when <= now &&
	     now - when < ttl;
	free(d.dptr);
	return ok;
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
	(void)tdb_store(c->tdb, (TDB_DATA){(unsigned char *)key, strlen(key)},
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
