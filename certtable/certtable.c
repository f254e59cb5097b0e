/*
 * certtable.c: the peer certificate table on tdb.  See certtable.h.
 *
 * Layout of the tdb file (all integers little-endian):
 *   "M"                -> magic "BPAUTBL1", u32 entry count, then (absent
 *                         in a table written by an earlier build) u32 size
 *                         of the eviction heap (0xffffffff: rebuild it),
 *                         u32 the capacity its last writer set
 *   "S:" SID string    -> u32 version (1), u64 inserted_us,
 *                         u32 principal length, principal (UTF-8),
 *                         u32 certificate offset in the blob,
 *                         u32 certificate length, u32 blob length, blob
 *   "C:" SHA-256(cert) -> SID string (the index for certtable_verify)
 *   "Q:" u32 index     -> u64 time_us, SID string: the eviction heap, a
 *                         binary min-heap on time_us (see "The eviction
 *                         heap" below)
 * Every change is one tdb transaction (fsync on commit), which gives
 * atomicity across processes and recovery from a torn write on the next
 * open.
 */
#include "certtable/certtable.h"
#include "certtable/record.h"
#include "certtable/tdbfile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h> /* mode_t, which tdb.h uses */
#include <tdb.h>
#include <time.h>

#define META_KEY "M"
#define META_MAGIC "BPAUTBL1"
#define META_LEN (8 + 4 + 4 + 4)
#define SID_PREFIX "S:"
#define CERT_PREFIX "C:"
#define RECORD_VERSION 1
#define PRINCIPAL_MAX 1024
#define HEAP_PREFIX "Q:"
#define HEAP_NONE UINT32_MAX /* no heap size in "M": rebuild the heap */
#define SHED_MAX 64          /* extra evictions an insert, over capacity */

struct certtable {
	struct tdb_context *tdb;
	struct tdbfile_log log;
	unsigned capacity;
	certtable_clock_fn clock;
	void *clock_data;
};

/* A decoded "S:" record; pointers into the tdb_fetch buffer. */
#define record certtable_record

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

/* TDB_WRITE runs a tdb call that writes: NT_STATUS_OK, or what failed
 * (tdbfile_write_status). */
#define TDB_WRITE(tdb, call)                                                               \
	(tdbfile_write_begin(tdb), (call) == 0 ? NT_STATUS_OK : tdbfile_write_status((tdb), errno))

static unsigned hash_size_for(unsigned capacity)
{
	/* Three keys an entry (the entry, its index entry, its heap item);
	 * keep the chains short so a lookup costs the same at 100 entries as
	 * at a million. */
	unsigned n = capacity * 3 + 1;
	return n < 131 ? 131 : n;
}

static NTSTATUS meta_count(struct certtable *t, uint32_t *count);
static NTSTATUS meta_read(struct certtable *t, uint32_t *count, uint32_t *heap_size,
			  uint32_t *capacity);
static TDB_DATA string_key(const char *s);

/*
 * check_identity: a tdb with our header record, or an empty one (a new
 * table has no header record until its first insert, which writes both in
 * one transaction).  Records without our header are someone else's file.
 */
static NTSTATUS check_identity(struct certtable *t, const char **reason)
{
	uint32_t count;
	TDB_DATA k;

	if (tdb_exists(t->tdb, string_key(META_KEY))) {
		if (!NT_STATUS_IS_OK(meta_count(t, &count))) {
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
		status = meta_read(t, &count, &heap_size, &recorded);
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

static TDB_DATA string_key(const char *s)
{
	TDB_DATA k = {(unsigned char *)(char *)(uintptr_t)s, strlen(s)};
	return k;
}

static void sid_key(const struct crypto_sid *sid, char buf[2 + CRYPTO_SID_MAX_STRING])
{
	memcpy(buf, SID_PREFIX, 2);
	crypto_sid_format(sid, buf + 2);
}

static NTSTATUS cert_key(const uint8_t *cert, size_t len,
			 uint8_t buf[2 + CRYPTO_SHA256_LEN])
{
	memcpy(buf, CERT_PREFIX, 2);
	return crypto_sha256(cert, len, buf + 2);
}

static bool parse_record(TDB_DATA d, struct record *r)
{
	return certtable_record_parse(d.dptr, d.dsize, r);
}

bool certtable_record_parse(const uint8_t *p, size_t len, struct certtable_record *r)
{
	struct cursor c;
	uint32_t version;

	cursor_init(&c, p, len);
	if (!cursor_get_u32le(&c, &version) || version != RECORD_VERSION ||
	    !cursor_get_u64le(&c, &r->inserted_us) ||
	    !cursor_get_u32le(&c, &r->principal_len) ||
	    r->principal_len > PRINCIPAL_MAX ||
	    !cursor_get_bytes(&c, &r->principal, r->principal_len) ||
	    !cursor_get_u32le(&c, &r->cert_off) || !cursor_get_u32le(&c, &r->cert_len) ||
	    !cursor_get_u32le(&c, &r->blob_len) ||
	    !cursor_get_bytes(&c, &r->blob, r->blob_len) || cursor_left(&c) != 0 ||
	    !vector_fits(r->cert_off, r->cert_len, 1, r->blob_len)) {
		return false;
	}
	return true;
}

/* meta_read: the entry count, the eviction heap's size (HEAP_NONE if the
 * header has none) and the recorded capacity (0 if none). */
static NTSTATUS meta_read(struct certtable *t, uint32_t *count, uint32_t *heap_size,
			  uint32_t *capacity)
{
	TDB_DATA d = tdb_fetch(t->tdb, string_key(META_KEY));
	bool ok;

	*heap_size = HEAP_NONE;
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

bool certtable_header_parse(const uint8_t *p, size_t len, uint32_t *count, uint32_t *heap_size,
			    uint32_t *capacity)
{
	struct cursor c;
	const uint8_t *magic;

	*heap_size = HEAP_NONE;
	*capacity = 0;
	cursor_init(&c, p, len);
	return cursor_get_bytes(&c, &magic, 8) && memcmp(magic, META_MAGIC, 8) == 0 &&
	       cursor_get_u32le(&c, count) &&
	       (cursor_left(&c) == 0 ||
		(cursor_get_u32le(&c, heap_size) && cursor_get_u32le(&c, capacity) &&
		 cursor_left(&c) == 0 && *capacity >= 1 && *capacity <= CERTTABLE_MAX_CAPACITY));
}

static NTSTATUS meta_count(struct certtable *t, uint32_t *count)
{
	uint32_t heap_size, capacity;
	return meta_read(t, count, &heap_size, &capacity);
}

static NTSTATUS store(struct certtable *t, TDB_DATA key, const uint8_t *p, size_t len)
{
	TDB_DATA d = {(unsigned char *)(uintptr_t)p, len};
	return TDB_WRITE(t->tdb, tdb_store(t->tdb, key, d, TDB_REPLACE));
}

/* meta_store writes the header: the count, the heap's size and this
 * table's capacity (which the next opener without one of its own uses). */
static NTSTATUS meta_store(struct certtable *t, uint32_t count, uint32_t heap_size)
{
	uint8_t buf[META_LEN];
	memcpy(buf, META_MAGIC, 8);
	for (int b = 0; b < 4; b++) {
		buf[8 + b] = (uint8_t)(count >> (8 * b));
		buf[12 + b] = (uint8_t)(heap_size >> (8 * b));
		buf[16 + b] = (uint8_t)(t->capacity >> (8 * b));
	}
	return store(t, string_key(META_KEY), buf, sizeof(buf));
}

struct unindex_state {
	const char *sid; /* the SID string the index entries must name */
	bool failed;
};

static int unindex_one(struct tdb_context *tdb, TDB_DATA key, TDB_DATA data, void *private_data)
{
	struct unindex_state *st = private_data;

	if (key.dsize > 2 && memcmp(key.dptr, CERT_PREFIX, 2) == 0 &&
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
	struct unindex_state st = {.sid = skey + 2};

	/* (A callback that stops the walk does not make it return -1.) */
	if (tdb_traverse(t->tdb, unindex_one, &st) < 0 || st.failed) {
		return tdbfile_status(t->tdb);
	}
	return TDB_WRITE(t->tdb, tdb_delete(t->tdb, string_key(skey)));
}

/* delete_entry removes the "S:" record for |sid_key_str| and its index
 * entry, inside the caller's transaction.  A damaged record goes too
 * (replaced, evicted or removed like any other), so one damaged entry can
 * never block the table. */
/* delete_entry: the entry and its index entry; *time_us (if given) its
 * time, 0 for a damaged record. */
static NTSTATUS delete_entry(struct certtable *t, const char *skey, uint64_t *time_us)
{
	TDB_DATA d = tdb_fetch(t->tdb, string_key(skey));
	struct record r;
	uint8_t ckey[2 + CRYPTO_SHA256_LEN];
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
	status = cert_key(r.blob + r.cert_off, r.cert_len, ckey);
	free(d.dptr);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	/* The index entry goes only if it still points at this SID. */
	TDB_DATA ck = {ckey, sizeof(ckey)};
	TDB_DATA owner = tdb_fetch(t->tdb, ck);
	if (owner.dptr != NULL) {
		bool mine = owner.dsize == strlen(skey) - 2 &&
			    memcmp(owner.dptr, skey + 2, owner.dsize) == 0;
		free(owner.dptr);
		if (mine) {
			status = TDB_WRITE(t->tdb, tdb_delete(t->tdb, ck));
			if (!NT_STATUS_IS_OK(status)) {
				return status;
			}
		}
	}
	return TDB_WRITE(t->tdb, tdb_delete(t->tdb, string_key(skey)));
}

/*
 * The eviction heap.  A full table evicts its oldest entry (MS-BPAU 3.1.4.1
 * note 3), "oldest" by each entry's time, which a repeated exchange with an
 * unchanged certificate moves forward in place (certtable_refresh, outside
 * any transaction).  Finding it by a walk of the table cost an insert into
 * a full table of 10^6 entries 0.7 s, with the table locked; the heap finds
 * it in O(log n) tdb operations.
 *
 * The heap is a binary min-heap of items (time, SID), item i in record
 * "Q:" i.  It is lazy: an item's time is only a lower bound of its entry's
 * time.  The invariant is that every entry has at least one item naming
 * its SID with a time no later than the entry's.  An insert of a new SID
 * pushes (now, SID); a replacement keeps the SID's item (its time was no
 * later than the old entry's, so no later than now); a refresh only moves
 * the entry's time forward; a removal leaves its item behind, stale.
 * So the top item is the oldest entry when that entry's time equals the
 * item's: every other entry's time is at or after its own item's, which is
 * at or after the top's.  Otherwise the top item is fixed first: dropped
 * when its SID has no entry, given its entry's time and sifted down when
 * the entry is newer.  Each item is fixed at most once per search, so the
 * search ends.  (If the wall clock steps back, an entry refreshed since
 * may be evicted a little out of turn; nothing worse.)
 *
 * A damaged entry goes in its turn: its item holds its time.
 *
 * A rebuild (a walk of the table, the cost the heap otherwise avoids)
 * makes a fresh heap when the header "M" has no heap size (a table written
 * by a program without the heap), when stale items have grown the heap
 * past twice the entries plus 64, or when an item is damaged.  A rebuilt
 * heap puts damaged entries first (their time is unreadable): the first
 * to go.  Every heap change is made inside the caller's transaction.
 */
struct heap_item {
	uint64_t time_us;
	char sid[CRYPTO_SID_MAX_STRING]; /* without the "S:" prefix */
};

bool certtable_heap_item_parse(const uint8_t *p, size_t len, uint64_t *time_us,
			       const uint8_t **sid, size_t *sid_len)
{
	struct cursor c;

	cursor_init(&c, p, len);
	if (!cursor_get_u64le(&c, time_us) || cursor_left(&c) < 3 ||
	    cursor_left(&c) >= CRYPTO_SID_MAX_STRING) {
		return false;
	}
	*sid_len = cursor_left(&c);
	if (!cursor_get_bytes(&c, sid, *sid_len)) {
		return false;
	}
	/* A SID in its canonical form (the form sid_key writes: a 48-bit
	 * authority is "0x" and 12 hex digits, MS-DTYP 2.4.2.1). */
	struct crypto_sid parsed;
	char canonical[CRYPTO_SID_MAX_STRING];
	if (!NT_STATUS_IS_OK(crypto_sid_parse_len((const char *)*sid, *sid_len, &parsed, NULL))) {
		return false;
	}
	crypto_sid_format(&parsed, canonical);
	return strlen(canonical) == *sid_len && memcmp(canonical, *sid, *sid_len) == 0;
}

static void heap_key(uint32_t i, uint8_t buf[6])
{
	memcpy(buf, HEAP_PREFIX, 2);
	buf[2] = (uint8_t)i;
	buf[3] = (uint8_t)(i >> 8);
	buf[4] = (uint8_t)(i >> 16);
	buf[5] = (uint8_t)(i >> 24);
}

static NTSTATUS heap_get(struct certtable *t, uint32_t i, struct heap_item *it)
{
	uint8_t kb[6];
	TDB_DATA k = {kb, sizeof(kb)}, d;
	const uint8_t *sid;
	size_t sid_len;
	bool ok;

	heap_key(i, kb);
	d = tdb_fetch(t->tdb, k);
	if (d.dptr == NULL) {
		return tdb_error(t->tdb) == TDB_ERR_NOEXIST ? NT_STATUS_FILE_CORRUPT_ERROR
							      : tdbfile_status(t->tdb);
	}
	ok = certtable_heap_item_parse(d.dptr, d.dsize, &it->time_us, &sid, &sid_len);
	if (ok) {
		memcpy(it->sid, sid, sid_len);
		it->sid[sid_len] = '\0';
	}
	free(d.dptr);
	return ok ? NT_STATUS_OK : NT_STATUS_FILE_CORRUPT_ERROR;
}

static NTSTATUS heap_put(struct certtable *t, uint32_t i, const struct heap_item *it)
{
	uint8_t kb[6], vb[8 + CRYPTO_SID_MAX_STRING];
	TDB_DATA k = {kb, sizeof(kb)};
	size_t n = strlen(it->sid);

	heap_key(i, kb);
	for (int b = 0; b < 8; b++) {
		vb[b] = (uint8_t)(it->time_us >> (8 * b));
	}
	memcpy(vb + 8, it->sid, n);
	return store(t, k, vb, 8 + n);
}

static NTSTATUS heap_drop(struct certtable *t, uint32_t i)
{
	uint8_t kb[6];
	TDB_DATA k = {kb, sizeof(kb)};

	heap_key(i, kb);
	return TDB_WRITE(t->tdb, tdb_delete(t->tdb, k));
}

/* heap_sift_down places |it| at |i| or below, moving smaller children up. */
static NTSTATUS heap_sift_down(struct certtable *t, uint32_t size, uint32_t i,
			       const struct heap_item *it)
{
	struct heap_item a, b;
	NTSTATUS status;

	while ((uint64_t)i * 2 + 1 < size) {
		uint32_t c = i * 2 + 1;
		status = heap_get(t, c, &a);
		if (NT_STATUS_IS_OK(status) && c + 1 < size) {
			status = heap_get(t, c + 1, &b);
			if (NT_STATUS_IS_OK(status) && b.time_us < a.time_us) {
				a = b;
				c++;
			}
		}
		if (!NT_STATUS_IS_OK(status)) {
			return status;
		}
		if (a.time_us >= it->time_us) {
			break;
		}
		status = heap_put(t, i, &a);
		if (!NT_STATUS_IS_OK(status)) {
			return status;
		}
		i = c;
	}
	return heap_put(t, i, it);
}

static NTSTATUS heap_push(struct certtable *t, uint32_t *size, const struct heap_item *it)
{
	uint32_t i = *size;
	struct heap_item p;
	NTSTATUS status;

	while (i > 0) {
		uint32_t parent = (i - 1) / 2;
		status = heap_get(t, parent, &p);
		if (!NT_STATUS_IS_OK(status)) {
			return status;
		}
		if (p.time_us <= it->time_us) {
			break;
		}
		status = heap_put(t, i, &p);
		if (!NT_STATUS_IS_OK(status)) {
			return status;
		}
		i = parent;
	}
	status = heap_put(t, i, it);
	if (NT_STATUS_IS_OK(status)) {
		(*size)++;
	}
	return status;
}

static NTSTATUS heap_pop(struct certtable *t, uint32_t *size)
{
	struct heap_item last;
	NTSTATUS status;

	if (*size == 0) {
		return NT_STATUS_FILE_CORRUPT_ERROR;
	}
	if (*size == 1) {
		status = heap_drop(t, 0);
	} else {
		status = heap_get(t, *size - 1, &last);
		if (NT_STATUS_IS_OK(status)) {
			status = heap_drop(t, *size - 1);
		}
		if (NT_STATUS_IS_OK(status)) {
			status = heap_sift_down(t, *size - 1, 0, &last);
		}
	}
	if (NT_STATUS_IS_OK(status)) {
		(*size)--;
	}
	return status;
}

struct rebuild_state {
	TALLOC_CTX *mem;
	struct rebuild_item {
		uint64_t time_us;
		uint32_t sid_off;
	} *items;
	size_t n, cap;
	char *sids; /* the SID strings, NUL-terminated, back to back */
	size_t sids_len, sids_cap;
	bool failed, no_memory;
};

static int rebuild_one(struct tdb_context *tdb, TDB_DATA key, TDB_DATA data, void *private_data)
{
	struct rebuild_state *st = private_data;
	struct record r;

	if (key.dsize > 2 && memcmp(key.dptr, HEAP_PREFIX, 2) == 0) {
		if (tdb_delete(tdb, key) != 0) {
			st->failed = true;
			return -1;
		}
		return 0;
	}
	if (key.dsize < 3 || memcmp(key.dptr, SID_PREFIX, 2) != 0 ||
	    key.dsize - 2 >= CRYPTO_SID_MAX_STRING) {
		return 0;
	}
	if (st->n == st->cap) {
		st->cap = st->cap ? st->cap * 2 : 128;
		st->items = talloc_realloc(st->mem, st->items, struct rebuild_item, st->cap);
	}
	if (st->sids_len + key.dsize > st->sids_cap) {
		st->sids_cap = (st->sids_cap + key.dsize) * 2;
		st->sids = talloc_realloc(st->mem, st->sids, char, st->sids_cap);
	}
	if (st->items == NULL || st->sids == NULL) {
		st->no_memory = true;
		return -1;
	}
	/* A damaged entry's time is unreadable: it goes first. */
	st->items[st->n].time_us = parse_record(data, &r) ? r.inserted_us : 0;
	st->items[st->n].sid_off = (uint32_t)st->sids_len;
	memcpy(st->sids + st->sids_len, key.dptr + 2, key.dsize - 2);
	st->sids_len += key.dsize - 2;
	st->sids[st->sids_len++] = '\0';
	st->n++;
	return 0;
}

static int by_item_time(const void *a, const void *b)
{
	const struct rebuild_item *x = a, *y = b;
	return x->time_us < y->time_us ? -1 : x->time_us > y->time_us;
}

/* heap_rebuild: a fresh heap of every entry, sorted (a sorted array is a
 * heap); the caller stores its size with the count. */
static NTSTATUS heap_rebuild(struct certtable *t, uint32_t *size)
{
	struct rebuild_state st = {.mem = talloc_new(NULL)};
	NTSTATUS status = NT_STATUS_OK;

	if (st.mem == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	if (tdb_traverse(t->tdb, rebuild_one, &st) < 0 || st.failed || st.no_memory) {
		status = st.no_memory ? NT_STATUS_NO_MEMORY : tdbfile_status(t->tdb);
		talloc_free(st.mem);
		return NT_STATUS_IS_OK(status) ? NT_STATUS_INTERNAL_DB_ERROR : status;
	}
	if (st.n > 1) {
		qsort(st.items, st.n, sizeof(st.items[0]), by_item_time);
	}
	for (size_t i = 0; i < st.n && NT_STATUS_IS_OK(status); i++) {
		struct heap_item it = {.time_us = st.items[i].time_us};
		memcpy(it.sid, st.sids + st.items[i].sid_off,
		       strlen(st.sids + st.items[i].sid_off) + 1);
		status = heap_put(t, (uint32_t)i, &it);
	}
	if (NT_STATUS_IS_OK(status)) {
		*size = (uint32_t)st.n;
	}
	talloc_free(st.mem);
	return status;
}

/* heap_open: the heap's size for |count| entries, rebuilt if the header
 * has none or stale items have piled up. */
static NTSTATUS heap_open(struct certtable *t, uint32_t count, uint32_t *size)
{
	if (*size == HEAP_NONE || *size > 2 * (uint64_t)count + 64) {
		return heap_rebuild(t, size);
	}
	return NT_STATUS_OK;
}

/*
 * find_victim: the oldest entry's key into |skey|, its heap item popped,
 * or NT_STATUS_CERTTABLE_FULL if it was written a minute ago or less
 * (MS-BPAU 3.1.4.1 note 3), or later than |now| (a clock that went back).
 */
static NTSTATUS find_victim(struct certtable *t, uint32_t *size, uint64_t now,
			    char skey[2 + CRYPTO_SID_MAX_STRING])
{
	bool rebuilt = false;
	/* Each item is dropped or fixed at most once: more steps than that
	 * means a heap that does not add up. */
	uint64_t steps = 0, limit = 2 * (uint64_t)*size + 2;

	for (;;) {
		struct heap_item top;
		struct record r;
		NTSTATUS status = *size > 0 ? heap_get(t, 0, &top) : NT_STATUS_FILE_CORRUPT_ERROR;
		TDB_DATA d;

		if (NT_STATUS_IS_OK(status)) {
			memcpy(skey, SID_PREFIX, 2);
			memcpy(skey + 2, top.sid, strlen(top.sid) + 1);
			d = tdb_fetch(t->tdb, string_key(skey));
			if (d.dptr == NULL) {
				/* Stale: its entry was removed or evicted. */
				status = tdb_error(t->tdb) == TDB_ERR_NOEXIST ? heap_pop(t, size)
									     : tdbfile_status(t->tdb);
			} else if (!parse_record(d, &r)) {
				/* An entry nobody can use: it goes in its turn. */
				free(d.dptr);
				status = heap_pop(t, size);
				if (NT_STATUS_IS_OK(status)) {
					return status;
				}
			} else if (r.inserted_us != top.time_us) {
				/* Refreshed since (or replaced): its time moves on. */
				free(d.dptr);
				top.time_us = r.inserted_us;
				status = heap_sift_down(t, *size, 0, &top);
			} else {
				free(d.dptr);
				/* Within a minute either way: young.  An entry
				 * dated more than a minute ahead (the clock
				 * was stepped back since) has a time that
				 * cannot be right; it may go when it is the
				 * oldest by time, or a table filled under a
				 * fast clock would refuse every new peer until
				 * the clock caught up.  (Entries dated ahead
				 * below others wait their turn: certtable.h,
				 * "Clock steps".) */
				uint64_t age = now >= r.inserted_us ? now - r.inserted_us
								     : r.inserted_us - now;
				if (age <= CERTTABLE_EVICT_AFTER_US) {
					return NT_STATUS_CERTTABLE_FULL;
				}
				status = heap_pop(t, size);
				if (NT_STATUS_IS_OK(status)) {
					return status;
				}
			}
		}
		/* The table is full, so an empty or damaged heap, or one that
		 * keeps needing fixes, is rebuilt from the entries, once. */
		if (NT_STATUS_EQUAL(status, NT_STATUS_FILE_CORRUPT_ERROR) ||
		    (NT_STATUS_IS_OK(status) && ++steps > limit)) {
			if (rebuilt) {
				return NT_STATUS_FILE_CORRUPT_ERROR;
			}
			rebuilt = true;
			status = heap_rebuild(t, size);
			steps = 0;
			limit = 2 * (uint64_t)*size + 2;
		}
		if (!NT_STATUS_IS_OK(status)) {
			return status;
		}
	}
}

/* push_item: heap_push; on a damaged heap item, the heap is rebuilt
 * (without the SID being inserted, whose entry is not stored yet) and the
 * item pushed. */
static NTSTATUS push_item(struct certtable *t, uint32_t *heap_size, const struct heap_item *it)
{
	NTSTATUS status = heap_push(t, heap_size, it);

	if (NT_STATUS_EQUAL(status, NT_STATUS_FILE_CORRUPT_ERROR)) {
		status = heap_rebuild(t, heap_size);
		if (NT_STATUS_IS_OK(status)) {
			status = heap_push(t, heap_size, it);
		}
	}
	return status;
}

static NTSTATUS insert_locked(struct certtable *t, const struct crypto_sid *sid,
			      const char *principal, const struct certblob *blob,
			      enum certtable_outcome *outcome)
{
	char skey[2 + CRYPTO_SID_MAX_STRING];
	uint8_t ckey[2 + CRYPTO_SHA256_LEN];
	uint32_t count, heap_size, recorded;
	uint64_t now = t->clock(t->clock_data);
	enum certtable_outcome result = CERTTABLE_ADDED;
	struct builder b;
	uint8_t *rec;
	size_t rec_len;
	NTSTATUS status;

	sid_key(sid, skey);
	status = meta_read(t, &count, &heap_size, &recorded);
	if (NT_STATUS_IS_OK(status)) {
		status = heap_open(t, count, &heap_size);
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
			struct heap_item it = {.time_us = now};
			memcpy(it.sid, skey + 2, strlen(skey + 2) + 1);
			status = push_item(t, &heap_size, &it);
		}
		if (!NT_STATUS_IS_OK(status)) {
			return status;
		}
		count--;
		result = CERTTABLE_REPLACED;
	} else {
		struct heap_item it = {.time_us = now};
		unsigned evicted = 0;
		memcpy(it.sid, skey + 2, strlen(skey + 2) + 1);
		/* Note 3: when full, evict the oldest if inserted more than
		 * one minute ago, else refuse.  A table over its capacity (the
		 * capacity was lowered) also sheds up to SHED_MAX more of its
		 * oldest entries, as old, each insert, until it fits. */
		while (count >= t->capacity && evicted <= SHED_MAX) {
			char victim[2 + CRYPTO_SID_MAX_STRING];
			status = find_victim(t, &heap_size, now, victim);
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
		status = push_item(t, &heap_size, &it);
		if (!NT_STATUS_IS_OK(status)) {
			return status;
		}
	}

	builder_init(&b, NULL);
	builder_add_u32le(&b, RECORD_VERSION);
	builder_add_u64le(&b, now);
	builder_add_u32le(&b, (uint32_t)strlen(principal));
	builder_add_bytes(&b, (const uint8_t *)principal, strlen(principal));
	builder_add_u32le(&b, (uint32_t)(blob->cert - blob->raw));
	builder_add_u32le(&b, (uint32_t)blob->cert_len);
	builder_add_u32le(&b, (uint32_t)blob->raw_len);
	builder_add_bytes(&b, blob->raw, blob->raw_len);
	if (!builder_finish(&b, &rec, &rec_len)) {
		return NT_STATUS_NO_MEMORY;
	}
	status = store(t, string_key(skey), rec, rec_len);
	talloc_free(rec);
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	status = cert_key(blob->cert, blob->cert_len, ckey);
	if (NT_STATUS_IS_OK(status)) {
		TDB_DATA ck = {ckey, sizeof(ckey)};
		status = store(t, ck, (const uint8_t *)skey + 2, strlen(skey) - 2);
	}
	if (NT_STATUS_IS_OK(status)) {
		status = meta_store(t, count + 1, heap_size);
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

	if (principal == NULL || strlen(principal) > PRINCIPAL_MAX || blob == NULL ||
	    blob->raw_len > CERTBLOB_MAX_LEN || blob->cert == NULL) {
		return NT_STATUS_INVALID_PARAMETER;
	}
	status = TDB_WRITE(t->tdb, tdb_transaction_start(t->tdb));
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	status = insert_locked(t, sid, principal, blob, &result);
	if (!NT_STATUS_IS_OK(status)) {
		tdb_transaction_cancel(t->tdb);
		return status;
	}
	status = TDB_WRITE(t->tdb, tdb_transaction_commit(t->tdb));
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
	struct record r;
	NTSTATUS status;

	if (!parse_record(d, &r)) {
		return NT_STATUS_FILE_CORRUPT_ERROR;
	}
	e = talloc_zero(mem_ctx, struct certtable_entry);
	if (e == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	status = crypto_sid_parse(skey + 2, &e->sid, NULL);
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
	char skey[2 + CRYPTO_SID_MAX_STRING];
	TDB_DATA d;
	NTSTATUS status;

	sid_key(sid, skey);
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
	char skey[2 + CRYPTO_SID_MAX_STRING];
	TDB_DATA key, d;
	struct record r;
	bool same;
	NTSTATUS status = NT_STATUS_OK;

	*refreshed = false;
	sid_key(sid, skey);
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
		/* The time is bytes 4..11 of the record (after the version).
		 * It only moves forward: its heap item's time must stay no
		 * later than the entry's (if the clock went back, the entry
		 * keeps its time). */
		uint64_t now = t->clock(t->clock_data);
		if (now > r.inserted_us) {
			for (int i = 0; i < 8; i++) {
				d.dptr[4 + i] = (uint8_t)(now >> (8 * i));
			}
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
	uint8_t ckey[2 + CRYPTO_SHA256_LEN];
	char skey[2 + CRYPTO_SID_MAX_STRING];
	TDB_DATA ck = {ckey, sizeof(ckey)}, owner, d;
	struct crypto_sid sid;
	struct record r;
	bool ok;

	if (cert == NULL || len == 0 || !NT_STATUS_IS_OK(cert_key(cert, len, ckey))) {
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
	sid_key(&sid, skey);
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
	char skey[2 + CRYPTO_SID_MAX_STRING];
	uint32_t count, heap_size, recorded;
	NTSTATUS status;

	sid_key(sid, skey);
	status = TDB_WRITE(t->tdb, tdb_transaction_start(t->tdb));
	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	status = meta_read(t, &count, &heap_size, &recorded);
	if (NT_STATUS_IS_OK(status)) {
		status = delete_entry(t, skey, NULL);
	}
	if (NT_STATUS_IS_OK(status)) {
		/* The entry's heap item stays behind, stale. */
		status = meta_store(t, count > 0 ? count - 1 : 0, heap_size);
	}
	if (!NT_STATUS_IS_OK(status)) {
		tdb_transaction_cancel(t->tdb);
		return status;
	}
	return TDB_WRITE(t->tdb, tdb_transaction_commit(t->tdb));
}

NTSTATUS certtable_batch_begin(struct certtable *t)
{
	/* tdb transactions nest (TDB_ALLOW_NESTING is the default): each
	 * insert's own transaction joins this one. */
	return TDB_WRITE(t->tdb, tdb_transaction_start(t->tdb));
}

NTSTATUS certtable_batch_commit(struct certtable *t)
{
	return TDB_WRITE(t->tdb, tdb_transaction_commit(t->tdb));
}

void certtable_batch_cancel(struct certtable *t)
{
	tdb_transaction_cancel(t->tdb);
}

NTSTATUS certtable_count(struct certtable *t, size_t *count)
{
	uint32_t n;
	NTSTATUS status = meta_count(t, &n);
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
	char skey[2 + CRYPTO_SID_MAX_STRING];
	struct certtable_entry **grown;
	(void)tdb;

	if (key.dsize < 2 || memcmp(key.dptr, SID_PREFIX, 2) != 0) {
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
		if (e == NULL || !NT_STATUS_IS_OK(crypto_sid_parse(skey + 2, &e->sid, NULL))) {
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
