/*
 * certtable_fixtures.h: what the certtable test programs share: a pool of
 * blobs with their SIDs, a temporary directory for the tables, a fake clock
 * (fake_now), and helpers to open, fill and query a table.  Each program
 * runs group_setup/group_teardown around its own tests; helpers a program
 * does not use are static inline so that -Werror stays quiet.
 */
#ifndef TESTS_UNIT_CERTTABLE_FIXTURES_H
#define TESTS_UNIT_CERTTABLE_FIXTURES_H

#include "helpers.h"

#include <sys/wait.h>

#include <tdb.h>
#include <unistd.h>

#include "certtable/certtable.h"

#define POOL 102
#define SEC 1000000ull

static struct certblob *pool[POOL];
static char pool_sid[POOL][64];
static TALLOC_CTX *pool_ctx;
static char dir[] = "/tmp/certtable-test-XXXXXX";
static uint64_t fake_now;

static inline uint64_t fake_clock(void *p)
{
	(void)p;
	return fake_now;
}

static inline int group_setup(void **state)
{
	(void)state;
	pool_ctx = talloc_new(NULL);
	if (mkdtemp(dir) == NULL) {
		return -1;
	}
	for (int i = 0; i < POOL; i++) {
		/* Every fifth SID has a 48-bit identifier authority, written
		 * "0x" and 12 hex digits (MS-DTYP 2.4.2.1). */
		snprintf(pool_sid[i], sizeof(pool_sid[i]),
			 i % 5 == 4 ? "S-1-0x010000000000-21-1000-2000-3000-%d"
				    : "S-1-5-21-1000-2000-3000-%d",
			 1100 + i);
		pool[i] = make_blob(pool_ctx, pool_sid[i]);
	}
	return 0;
}

static inline int group_teardown(void **state)
{
	char cmd[128];
	(void)state;
	talloc_free(pool_ctx);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* open_at: the table at |path|, on the fake clock. */
static inline struct certtable *open_at(TALLOC_CTX *t, const char *path, unsigned capacity)
{
	struct certtable *table;
	assert_true(NT_STATUS_IS_OK(certtable_open(t, path, capacity, &table, NULL)));
	certtable_set_clock(table, fake_clock, NULL);
	return table;
}

static inline struct certtable *open_fresh(TALLOC_CTX *t, const char *name, unsigned capacity)
{
	char *path = talloc_asprintf(t, "%s/%s.tdb", dir, name);
	unlink(path);
	return open_at(t, path, capacity);
}

static inline struct crypto_sid sid_of(int i)
{
	struct crypto_sid sid;
	assert_true(NT_STATUS_IS_OK(crypto_sid_parse(pool_sid[i], &sid, NULL)));
	return sid;
}

static inline NTSTATUS put(struct certtable *table, int i, enum certtable_outcome *o)
{
	struct crypto_sid sid = sid_of(i);
	return certtable_insert(table, &sid, "PEER$@BPAU.TEST", pool[i], o);
}

static inline bool has(struct certtable *table, int i)
{
	return certtable_verify(table, pool[i]->cert, pool[i]->cert_len, NULL);
}

/* fill: SIDs 0..n-1 inserted one a second from |first_s| seconds on. */
static inline void fill(struct certtable *table, int n, uint64_t first_s)
{
	enum certtable_outcome o;
	for (int i = 0; i < n; i++) {
		fake_now = (first_s + (uint64_t)i) * SEC;
		assert_true(NT_STATUS_IS_OK(put(table, i, &o)));
	}
}

static inline size_t count(struct certtable *table)
{
	size_t n = 0;
	assert_true(NT_STATUS_IS_OK(certtable_count(table, &n)));
	return n;
}

/* drop_heap_size: the table's header as an earlier build wrote it (magic
 * and count: no heap size, no capacity). */
static inline bool drop_heap_size(struct tdb_context *tdb)
{
	TDB_DATA m = {(uint8_t *)"M", 1}, d = tdb_fetch(tdb, m);
	bool had = d.dptr != NULL && d.dsize == 20;
	if (had) {
		d.dsize = 12;
		assert_int_equal(tdb_store(tdb, m, d, TDB_MODIFY), 0);
	}
	free(d.dptr);
	return had;
}

/* wait_children_ok: each of the |n| forked children exited with 0. */
static inline void wait_children_ok(const pid_t *pids, int n)
{
	for (int p = 0; p < n; p++) {
		int wstatus;
		assert_int_equal(waitpid(pids[p], &wstatus, 0), pids[p]);
		assert_true(WIFEXITED(wstatus));
		assert_int_equal(WEXITSTATUS(wstatus), 0);
	}
}

#endif
