/*
 * table.c: the peer certificate table on tdb: open, insert (replace,
 * evict), refresh, lookup, verify, remove, list.  See certtable.h; the
 * file's records are in format.h, the eviction heap in heap.c.
 *
 * Every change is one tdb transaction (fsync on commit), which gives
 * atomicity across processes and recovery from a torn write on the next
 * open.  The one exception is certtable_refresh (see there).
 */
#include "certtable/certtable.h"
#include "certtable/format.h"
#include "certtable/heap.h"
#include "certtable/tdbfile.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SHED_MAX 64 /* extra evictions an insert, over capacity */

struct certtable {
	struct tdb_context *tdb;
	struct tdbfile_log log;
	unsigned capacity;
	certtable_clock_fn clock;
	void *clock_data;
};

static uint64_t wall_clock_us(void *private_data)
{
	struct timespec ts;
	(void)private_data;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int certtable_destructor(struct certtable *t)
{
	if (t->tdb != NULL) {
		tdb_close(t->tdb);
	}
	return 0;
}

static unsigned hash_size_for(unsigned capacity)
{
	/* Three keys an entry (the entry, its index entry, its heap item);
	 * keep the chains short so a lookup costs the same at 100 entries as
	 * at a million. */
	unsigned n = capacity * 3 + 1;
	return n < 131 ? 131 : n;
}

static TDB_DATA string_key(const char *s)
{
	TDB_DATA k = {(unsigned char *)(char *)(uintptr_t)s, strlen(s)};
	return k;
}

static bool parse_record(TDB_DATA d, struct certtable_entry_record *r)
{
	return certtable_entry_record_parse(d.dptr, d.dsize, r);
}

/* header_read: the entry count, the eviction heap's size
 * (CERTTABLE_HEAP_NONE if the header has none) and the recorded capacity
 * (0 if none). */
static NTSTATUS header_read(struct certtable *t, uint32_t *count, uint32_t *heap_size,
			  uint32_t *capacity)
{
	TDB_DATA d = tdb_fetch(t->tdb, string_key(CERTTABLE_HEADER_KEY));
	bool ok;

	*heap_size = CERTTABLE_HEAP_NONE;
	*capacity = 0;
	if (d.dptr == NULL) {
		if (tdb_error(t->tdb) == TDB_ERR_NOEXIST) {
			*count = 0;
			return NT_STATUS_OK;
		}
		return tdbfile_status(t->tdb);
	}
	ok = certtable_header_parse(d.dptr, d.dsize, count, heap_size, capacity);
	free(d.dptr);
	return ok ? NT_STATUS_OK : NT_STATUS_FILE_CORRUPT_ERROR;
}

static NTSTATUS header_count(struct certtable *t, uint32_t *count)
{
	uint32_t heap_size, capacity;
	return header_read(t, count, &heap_size, &capacity);
}

static NTSTATUS store(struct certtable *t, TDB_DATA key, const uint8_t *p, size_t len)
{
	TDB_DATA d = {(unsigned char *)(uintptr_t)p, len};
	return tdbfile_store(t->tdb, key, d);
}

/* header_store writes the header: the count, the heap's size and this
 * table's capacity (which the next opener without one of its own uses). */
static NTSTATUS header_store(struct certtable *t, uint32_t count, uint32_t heap_size)
{
	uint8_t buf[CERTTABLE_HEADER_LEN];

	certtable_header_build(buf, count, heap_size, t->capacity);
	return store(t, string_key(CERTTABLE_HEADER_KEY), buf, sizeof(buf));
}

/*
 * check_identity: a tdb with our header record, or an empty one (a new
 * table has no header record until its first insert, which writes both in
 * one transaction).  Records without our header are someone else's file.
 */
static NTSTATUS check_identity_locked(struct certtable *t, const char **reason)
{
	uint32_t count;
	TDB_DATA k;

	if (tdb_exists(t->tdb, string_key(CERTTABLE_HEADER_KEY))) {
		if (!NT_STATUS_IS_OK(header_count(t, &count))) {
			crypto_set_reason(reason, "its header record is damaged or not a peer "
						  "certificate table's");
			return NT_STATUS_FILE_CORRUPT_ERROR;
		}
		return NT_STATUS_OK;
	}
	k = tdb_firstkey(t->tdb);
	if (k.dptr != NULL) {
		free(k.dptr);
		crypto_set_reason(reason, "a tdb file of something else (it has records but no "
					  "peer certificate table header); left as it is");
		return NT_STATUS_OBJECT_TYPE_MISMATCH;
	}
	return NT_STATUS_OK;
}

/*
 * check_identity, under tdb's read lock on the whole file, so that its two
 * reads see one state.  Without it, a process opening the table while
 * another commits its first insert (the header and the entry in one
 * transaction) could look for the header just before the commit and find
 * the entry just after, and take the table for someone else's file:
 * tests/unit/test_certtable_durability.c test_two_processes failed that
 * way in 7 of 150 runs, and in none of 200 with the lock.
 */
static NTSTATUS check_identity(struct certtable *t, const char **reason)
{
	NTSTATUS status;

	if (tdb_lockall_read(t->tdb) != 0) {
		crypto_set_reason(reason, "cannot lock the table to read it");
		return NT_STATUS_FILE_LOCK_CONFLICT;
	}
	status = check_identity_locked(t, reason);
	tdb_unlockall_read(t->tdb);
	return status;
}

NTSTATUS certtable_open(TALLOC_CTX *mem_ctx, const char *path, unsigned capacity,
			struct certtable **out, const char **reason)
{
	struct certtable *t;
	NTSTATUS status;

	if (path == NULL || capacity > CERTTABLE_MAX_CAPACITY) {
		crypto_set_reason(reason, "no path, or a capacity out of range");
		return NT_STATUS_INVALID_PARAMETER;
	}
	t = talloc_zero(mem_ctx, struct certtable);
	if (t == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	t->capacity = capacity;
	t->clock = wall_clock_us;
	/* Not TDB_CLEAR_IF_FIRST: the table must outlive its processes.
	 * TDB_INCOMPATIBLE_HASH selects the Jenkins hash (even chains). */
	status = tdbfile_open(path,
			      (int)hash_size_for(capacity ? capacity : CERTTABLE_DEFAULT_CAPACITY),
			      TDB_DEFAULT | TDB_INCOMPATIBLE_HASH, &t->log, &t->tdb, reason);
	if (!NT_STATUS_IS_OK(status)) {
		talloc_free(t);
		return status;
	}
	talloc_set_destructor(t, certtable_destructor);
	status = check_identity(t, reason);
	if (NT_STATUS_IS_OK(status) && capacity == 0) {
		/* The capacity the table's last writer set, else the default. */
		uint32_t count, heap_size, recorded;
		status = header_read(t, &count, &heap_size, &recorded);
		t->capacity = recorded != 0 ? recorded : CERTTABLE_DEFAULT_CAPACITY;
	}
	if (!NT_STATUS_IS_OK(status)) {
		talloc_free(t);
		return status;
	}
	*out = t;
	return NT_STATUS_OK;
}

void certtable_set_clock(struct certtable *t, certtable_clock_fn fn,
			 void *private_data)
{
	t->clock = fn == NULL ? wall_clock_us : fn;
	t->clock_data = fn == NULL ? NULL : private_data;
}

unsigned certtable_capacity(const struct certtable *t)
{
	return t->capacity;
}

const char *certtable_outcome_name(enum certtable_outcome o)
{
	switch (o) {
	case CERTTABLE_ADDED:
		return "added";
	case CERTTABLE_REPLACED:
		return "replaced";
	case CERTTABLE_EVICTED:
		return "added, oldest entry evicted";
	case CERTTABLE_REFRESHED:
		return "unchanged, refreshed";
	}
	return "?";
}

struct unindex_state {
	const char *sid; /* the SID string the index entries must name */
	bool failed;
};

static int unindex_one(struct tdb_context *tdb, TDB_DATA key, TDB_DATA data, void *private_data)
{
	struct unindex_state *st = private_data;

	if (key.dsize > 2 && memcmp(key.dptr, CERTTABLE_INDEX_PREFIX, CERTTABLE_PREFIX_LEN) == 0 &&
	    data.dsize == strlen(st->sid) && memcmp(data.dptr, st->sid, data.dsize) == 0) {
		if (tdb_delete(tdb, key) != 0) {
			st->failed = true;
			return -1;
		}
	}
	return 0;
}

/* delete_damaged: a damaged "S:" record does not say which certificate it
 * held, so its index entries are found by the SID they name (a walk of the
 * table: this is repair, not the common path). */
static NTSTATUS delete_damaged(struct certtable *t, const char *skey)
{
	struct unindex_state st = {.sid = skey + CERTTABLE_PREFIX_LEN};

	/* (A callback that stops the walk does not make it return -1.) */
	if (tdb_traverse(t->tdb, unindex_one, &st) < 0 || st.failed) {
		return tdbfile_status(t->tdb);
	}
	return tdbfile_delete(t->tdb, string_key(skey));
}

/* delete_entry removes the entry under |skey| and its index entry, inside
 * the caller's transaction; *time_us (if given) is its time, 0 for a
 * damaged record.  A damaged record goes too (replaced, evicted or
 * removed like any other), so one damaged entry can never block the
 * table. */
static NTSTATUS delete_entry(struct certtable *t, const char *skey, uint64_t *time_us)
{
	TDB_DATA d = tdb_fetch(t->tdb, string_key(skey));
	struct certtable_entry_record r;
	uint8_t ckey[CERTTABLE_INDEX_KEY_LEN];
	NTSTATUS status;

	if (time_us != NULL) {
		*time_us = 0;
	}
	if (d.dptr == NULL) {
		return tdbfile_status(t->tdb);
	}
	if (!parse_record(d, &r)) {
		free(d.dptr);
		return delete_damaged(t, skey);
	}
	if (time_us != NULL) {
		*time_us = r.inserted_us;
	}
	status = certtable_index_key(r.blob + r.cert_off, r.cert_len, ckey);
	free(d.dptr);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	/* The index entry goes only if it still points at this SID. */
	TDB_DATA ck = {ckey, sizeof(ckey)};
	TDB_DATA owner = tdb_fetch(t->tdb, ck);
	if (owner.dptr != NULL) {
		bool mine = owner.dsize == strlen(skey) - CERTTABLE_PREFIX_LEN &&
			    memcmp(owner.dptr, skey + CERTTABLE_PREFIX_LEN, owner.dsize) == 0;
		free(owner.dptr);
		if (mine) {
			status = tdbfile_delete(t->tdb, ck);
			if (!NT_STATUS_IS_OK(status)) {
				return status;
			}
		}
	}
	return tdbfile_delete(t->tdb, string_key(skey));
}

static NTSTATUS insert_locked(struct certtable *t, const struct crypto_sid *sid,
			      const char *principal, const struct certblob *blob,
			      enum certtable_outcome *outcome)
{
	char skey[CERTTABLE_ENTRY_KEY_SIZE];
	uint8_t ckey[CERTTABLE_INDEX_KEY_LEN];
	uint32_t count, heap_size, recorded;
	uint64_t now = t->clock(t->clock_data);
	enum certtable_outcome result = CERTTABLE_ADDED;
	uint8_t *rec;
	size_t rec_len;
	NTSTATUS status;

	certtable_entry_key(sid, skey);
	status = header_read(t, &count, &heap_size, &recorded);
	if (NT_STATUS_IS_OK(status)) {
		status = certtable_heap_open(t->tdb, count, &heap_size);
	}
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	if (tdb_exists(t->tdb, string_key(skey))) {
		/* Note 3: the SID's certificate is deleted and the new one
		 * inserted.  Its heap item stays: its time is no later than
		 * the old entry's, so no later than now, unless the clock
		 * went back. */
		uint64_t was;
		status = delete_entry(t, skey, &was);
		if (NT_STATUS_IS_OK(status) && was > now) {
			/* The clock went back: the old item's time is later
			 * than the entry's new one, so it gets an item of its
			 * own (the old one is stale from now on). */
			struct certtable_heap_item it = {.time_us = now};
			memcpy(it.sid, skey + CERTTABLE_PREFIX_LEN, strlen(skey + CERTTABLE_PREFIX_LEN) + 1);
			status = certtable_heap_push(t->tdb, &heap_size, &it);
		}
		if (!NT_STATUS_IS_OK(status)) {
			return status;
		}
		count--;
		result = CERTTABLE_REPLACED;
	} else {
		struct certtable_heap_item it = {.time_us = now};
		unsigned evicted = 0;
		memcpy(it.sid, skey + CERTTABLE_PREFIX_LEN, strlen(skey + CERTTABLE_PREFIX_LEN) + 1);
		/* Note 3: when full, evict the oldest if inserted more than
		 * one minute ago, else refuse.  A table over its capacity (the
		 * capacity was lowered) also sheds up to SHED_MAX more of its
		 * oldest entries, as old, each insert, until it fits. */
		while (count >= t->capacity && evicted <= SHED_MAX) {
			char victim[CERTTABLE_ENTRY_KEY_SIZE];
			status = certtable_heap_find_victim(t->tdb, &heap_size, now, victim);
			if (NT_STATUS_EQUAL(status, NT_STATUS_CERTTABLE_FULL) && evicted > 0) {
				break;
			}
			if (NT_STATUS_IS_OK(status)) {
				status = delete_entry(t, victim, NULL);
			}
			if (!NT_STATUS_IS_OK(status)) {
				return status;
			}
			count--;
			evicted++;
			result = CERTTABLE_EVICTED;
		}
		status = certtable_heap_push(t->tdb, &heap_size, &it);
		if (!NT_STATUS_IS_OK(status)) {
			return status;
		}
	}

	status = certtable_entry_record_build(NULL, now, principal, blob, &rec, &rec_len);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	status = store(t, string_key(skey), rec, rec_len);
	talloc_free(rec);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	status = certtable_index_key(blob->cert, blob->cert_len, ckey);
	if (NT_STATUS_IS_OK(status)) {
		TDB_DATA ck = {ckey, sizeof(ckey)};
		status = store(t, ck, (const uint8_t *)skey + CERTTABLE_PREFIX_LEN,
			       strlen(skey) - CERTTABLE_PREFIX_LEN);
	}
	if (NT_STATUS_IS_OK(status)) {
		status = header_store(t, count + 1, heap_size);
	}
	if (NT_STATUS_IS_OK(status)) {
		*outcome = result;
	}
	return status;
}

NTSTATUS certtable_insert(struct certtable *t, const struct crypto_sid *sid,
			  const char *principal, const struct certblob *blob,
			  enum certtable_outcome *outcome)
{
	enum certtable_outcome result;
	NTSTATUS status;

	if (principal == NULL || strlen(principal) > CERTTABLE_PRINCIPAL_MAX || blob == NULL ||
	    blob->raw_len > CERTBLOB_MAX_LEN || blob->cert == NULL) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	status = tdbfile_transaction_start(t->tdb);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	status = insert_locked(t, sid, principal, blob, &result);
	if (!NT_STATUS_IS_OK(status)) {
		tdb_transaction_cancel(t->tdb);
		return status;
	}
	status = tdbfile_transaction_commit(t->tdb);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	*outcome = result;
	return NT_STATUS_OK;
}

static NTSTATUS fetch_entry(struct certtable *t, TALLOC_CTX *mem_ctx,
			    const char *skey, TDB_DATA d,
			    struct certtable_entry **out)
{
	struct certtable_entry *e;
	struct certtable_entry_record r;
	NTSTATUS status;

	if (!parse_record(d, &r)) {
		return NT_STATUS_FILE_CORRUPT_ERROR;
	}
	e = talloc_zero(mem_ctx, struct certtable_entry);
	if (e == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	status = crypto_sid_parse(skey + CERTTABLE_PREFIX_LEN, &e->sid, NULL);
	if (!NT_STATUS_IS_OK(status)) {
		talloc_free(e);
		return NT_STATUS_FILE_CORRUPT_ERROR;
	}
	e->inserted_us = r.inserted_us;
	e->principal = talloc_strndup(e, (const char *)r.principal, r.principal_len);
	e->blob = talloc_memdup(e, r.blob, r.blob_len);
	e->blob_len = r.blob_len;
	if (e->principal == NULL || (e->blob == NULL && r.blob_len > 0)) {
		talloc_free(e);
		return NT_STATUS_NO_MEMORY;
	}
	*out = e;
	return NT_STATUS_OK;
}

NTSTATUS certtable_lookup(struct certtable *t, TALLOC_CTX *mem_ctx,
			  const struct crypto_sid *sid, struct certtable_entry **out)
{
	char skey[CERTTABLE_ENTRY_KEY_SIZE];
	TDB_DATA d;
	NTSTATUS status;

	certtable_entry_key(sid, skey);
	d = tdb_fetch(t->tdb, string_key(skey));
	if (d.dptr == NULL) {
		return tdbfile_status(t->tdb);
	}
	status = fetch_entry(t, mem_ctx, skey, d, out);
	free(d.dptr);
	return status;
}

NTSTATUS certtable_refresh(struct certtable *t, const struct crypto_sid *sid,
			   const char *principal, const uint8_t *blob, size_t len,
			   bool *refreshed)
{
	char skey[CERTTABLE_ENTRY_KEY_SIZE];
	TDB_DATA key, d;
	struct certtable_entry_record r;
	bool same;
	NTSTATUS status = NT_STATUS_OK;

	*refreshed = false;
	certtable_entry_key(sid, skey);
	key = string_key(skey);
	/*
	 * Not a transaction: only the entry's insertion time changes, and a
	 * record of unchanged size is rewritten in place by tdb_store, so a
	 * crash can at worst lose the new time (the entry keeps its older
	 * one) -- never the entry, never the file's structure.  Inserts and
	 * removals stay fully durable transactions.  This keeps a repeated
	 * exchange with an unchanged certificate free of an fsync.
	 */
	if (tdb_chainlock(t->tdb, key) != 0) {
		return tdbfile_status(t->tdb);
	}
	d = tdb_fetch(t->tdb, key);
	if (d.dptr == NULL) {
		status = tdb_error(t->tdb) == TDB_ERR_NOEXIST ? NT_STATUS_OK : tdbfile_status(t->tdb);
		tdb_chainunlock(t->tdb, key);
		return status;
	}
	same = parse_record(d, &r) && r.blob_len == len && memcmp(r.blob, blob, len) == 0 &&
	       r.principal_len == strlen(principal) &&
	       memcmp(r.principal, principal, r.principal_len) == 0;
	if (same) {
		/* The time only moves forward: its heap item's time must
		 * stay no later than the entry's (if the clock went back,
		 * the entry keeps its time). */
		uint64_t now = t->clock(t->clock_data);
		if (now > r.inserted_us) {
			certtable_entry_record_set_time(d.dptr, now);
			status = store(t, key, d.dptr, d.dsize);
		}
	}
	free(d.dptr);
	tdb_chainunlock(t->tdb, key);
	if (same && NT_STATUS_IS_OK(status)) {
		*refreshed = true;
	}
	return status;
}

bool certtable_verify(struct certtable *t, const uint8_t *cert, size_t len,
		      struct crypto_sid *sid_out)
{
	uint8_t ckey[CERTTABLE_INDEX_KEY_LEN];
	char skey[CERTTABLE_ENTRY_KEY_SIZE];
	TDB_DATA ck = {ckey, sizeof(ckey)}, owner, d;
	struct crypto_sid sid;
	struct certtable_entry_record r;
	bool ok;

	if (cert == NULL || len == 0 || !NT_STATUS_IS_OK(certtable_index_key(cert, len, ckey))) {
		return false;
	}
	owner = tdb_fetch(t->tdb, ck);
	if (owner.dptr == NULL) {
		return false;
	}
	ok = NT_STATUS_IS_OK(crypto_sid_parse_len((const char *)owner.dptr,
						  owner.dsize, &sid, NULL));
	free(owner.dptr);
	if (!ok) {
		return false;
	}
	certtable_entry_key(&sid, skey);
	d = tdb_fetch(t->tdb, string_key(skey));
	if (d.dptr == NULL) {
		return false;
	}
	/* The index says who; the entry must hold these very bytes. */
	ok = parse_record(d, &r) && r.cert_len == len &&
	     memcmp(r.blob + r.cert_off, cert, len) == 0;
	free(d.dptr);
	if (ok && sid_out != NULL) {
		*sid_out = sid;
	}
	return ok;
}

NTSTATUS certtable_remove(struct certtable *t, const struct crypto_sid *sid)
{
	char skey[CERTTABLE_ENTRY_KEY_SIZE];
	uint32_t count, heap_size, recorded;
	NTSTATUS status;

	certtable_entry_key(sid, skey);
	status = tdbfile_transaction_start(t->tdb);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	status = header_read(t, &count, &heap_size, &recorded);
	if (NT_STATUS_IS_OK(status)) {
		status = delete_entry(t, skey, NULL);
	}
	if (NT_STATUS_IS_OK(status)) {
		/* The entry's heap item stays behind, stale. */
		status = header_store(t, count > 0 ? count - 1 : 0, heap_size);
	}
	if (!NT_STATUS_IS_OK(status)) {
		tdb_transaction_cancel(t->tdb);
		return status;
	}
	return tdbfile_transaction_commit(t->tdb);
}

NTSTATUS certtable_batch_begin(struct certtable *t)
{
	/* tdb transactions nest (TDB_ALLOW_NESTING is the default): each
	 * insert's own transaction joins this one. */
	return tdbfile_transaction_start(t->tdb);
}

NTSTATUS certtable_batch_commit(struct certtable *t)
{
	return tdbfile_transaction_commit(t->tdb);
}

void certtable_batch_cancel(struct certtable *t)
{
	tdb_transaction_cancel(t->tdb);
}

NTSTATUS certtable_count(struct certtable *t, size_t *count)
{
	uint32_t n;
	NTSTATUS status = header_count(t, &n);
	if (NT_STATUS_IS_OK(status)) {
		*count = n;
	}
	return status;
}

struct list_state {
	struct certtable *t;
	TALLOC_CTX *mem_ctx;
	struct certtable_entry **entries;
	size_t count;
	NTSTATUS status;
};

static int list_one(struct tdb_context *tdb, TDB_DATA key, TDB_DATA data,
		    void *private_data)
{
	struct list_state *st = private_data;
	char skey[CERTTABLE_ENTRY_KEY_SIZE];
	struct certtable_entry **grown;
	(void)tdb;

	if (key.dsize < 2 || memcmp(key.dptr, CERTTABLE_ENTRY_PREFIX, CERTTABLE_PREFIX_LEN) != 0) {
		return 0;
	}
	if (key.dsize >= sizeof(skey)) {
		st->status = NT_STATUS_FILE_CORRUPT_ERROR;
		return -1;
	}
	memcpy(skey, key.dptr, key.dsize);
	skey[key.dsize] = '\0';
	grown = talloc_realloc(st->mem_ctx, st->entries, struct certtable_entry *,
			       st->count + 1);
	if (grown == NULL) {
		st->status = NT_STATUS_NO_MEMORY;
		return -1;
	}
	st->entries = grown;
	st->status = fetch_entry(st->t, st->entries, skey, data, &st->entries[st->count]);
	if (NT_STATUS_EQUAL(st->status, NT_STATUS_FILE_CORRUPT_ERROR)) {
		/* A damaged record: listed by its SID, so it can be removed. */
		struct certtable_entry *e = talloc_zero(st->entries, struct certtable_entry);
		if (e == NULL || !NT_STATUS_IS_OK(crypto_sid_parse(skey + CERTTABLE_PREFIX_LEN, &e->sid, NULL))) {
			talloc_free(e);
			return -1;
		}
		e->damaged = true;
		e->principal = talloc_strdup(e, "");
		st->entries[st->count] = e;
		st->status = e->principal != NULL ? NT_STATUS_OK : NT_STATUS_NO_MEMORY;
	}
	if (!NT_STATUS_IS_OK(st->status)) {
		return -1;
	}
	st->count++;
	return 0;
}

static int by_time(const void *a, const void *b)
{
	const struct certtable_entry *x = *(struct certtable_entry *const *)a;
	const struct certtable_entry *y = *(struct certtable_entry *const *)b;
	return x->inserted_us < y->inserted_us ? -1 : x->inserted_us > y->inserted_us;
}

NTSTATUS certtable_list(struct certtable *t, TALLOC_CTX *mem_ctx,
			struct certtable_entry ***entries, size_t *count)
{
	struct list_state st = {.t = t, .mem_ctx = mem_ctx, .status = NT_STATUS_OK};

	if (tdb_traverse_read(t->tdb, list_one, &st) < 0 && NT_STATUS_IS_OK(st.status)) {
		st.status = tdbfile_status(t->tdb);
	}
	if (!NT_STATUS_IS_OK(st.status)) {
		talloc_free(st.entries);
		return st.status;
	}
	if (st.count > 1) {
		qsort(st.entries, st.count, sizeof(st.entries[0]), by_time);
	}
	*entries = st.entries;
	*count = st.count;
	return NT_STATUS_OK;
}
