/*
 * heap.c: the eviction heap.  See heap.h.
 *
 * A full table evicts  its oldest entry (MS-BPAU 3.1.4.1
 * note 3), "oldest" by each entry's time, which a repeated exchange with an
 * unchanged certificate moves forward in place (certtable_refresh, outside
 * any transaction).  Found by a walk of the table, it would cost an insert
 * into a full table time in proportion to the table's size, with the table
 * locked; the heap finds it in O(log n) tdb operations.
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
#include "certtable/heap.h"
#include "certtable/certtable.h"

#include <stdlib.h>
#include <string.h>

static NTSTATUS heap_get(struct tdb_context *tdb, uint32_t i, struct certtable_heap_item *it)
{
	uint8_t kb[CERTTABLE_HEAP_KEY_LEN];
	TDB_DATA k = {kb, sizeof(kb)}, d;
	const uint8_t *sid;
	size_t sid_len;
	bool ok;

	certtable_heap_key(i, kb);
	d = tdb_fetch(tdb, k);
	if (d.dptr == NULL) {
		return tdb_error(tdb) == TDB_ERR_NOEXIST ? NT_STATUS_FILE_CORRUPT_ERROR
							      : tdbfile_status(tdb);
	}
	ok = certtable_heap_item_parse(d.dptr, d.dsize, &it->time_us, &sid, &sid_len);
	if (ok) {
		memcpy(it->sid, sid, sid_len);
		it->sid[sid_len] = '\0';
	}
	free(d.dptr);
	return ok ? NT_STATUS_OK : NT_STATUS_FILE_CORRUPT_ERROR;
}

static NTSTATUS heap_put(struct tdb_context *tdb, uint32_t i, const struct certtable_heap_item *it)
{
	uint8_t kb[CERTTABLE_HEAP_KEY_LEN], vb[8 + CRYPTO_SID_MAX_STRING];
	TDB_DATA k = {kb, sizeof(kb)}, d = {vb, 0};

	certtable_heap_key(i, kb);
	d.dsize = certtable_heap_item_build(it, vb);
	return tdbfile_store(tdb, k, d);
}

static NTSTATUS heap_drop(struct tdb_context *tdb, uint32_t i)
{
	uint8_t kb[CERTTABLE_HEAP_KEY_LEN];
	TDB_DATA k = {kb, sizeof(kb)};

	certtable_heap_key(i, kb);
	return tdbfile_delete(tdb, k);
}

/* heap_sift_down places |it| at |i| or below, moving smaller children up. */
static NTSTATUS heap_sift_down(struct tdb_context *tdb, uint32_t size, uint32_t i,
			       const struct certtable_heap_item *it)
{
	struct certtable_heap_item a, b;
	NTSTATUS status;

	while ((uint64_t)i * 2 + 1 < size) {
		uint32_t c = i * 2 + 1;
		status = heap_get(tdb, c, &a);
		if (NT_STATUS_IS_OK(status) && c + 1 < size) {
			status = heap_get(tdb, c + 1, &b);
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
		status = heap_put(tdb, i, &a);
		if (!NT_STATUS_IS_OK(status)) {
			return status;
		}
		i = c;
	}
	return heap_put(tdb, i, it);
}

static NTSTATUS heap_push(struct tdb_context *tdb, uint32_t *size,
			  const struct certtable_heap_item *it)
{
	uint32_t i = *size;
	struct certtable_heap_item p;
	NTSTATUS status;

	while (i > 0) {
		uint32_t parent = (i - 1) / 2;
		status = heap_get(tdb, parent, &p);
		if (!NT_STATUS_IS_OK(status)) {
			return status;
		}
		if (p.time_us <= it->time_us) {
			break;
		}
		status = heap_put(tdb, i, &p);
		if (!NT_STATUS_IS_OK(status)) {
			return status;
		}
		i = parent;
	}
	status = heap_put(tdb, i, it);
	if (NT_STATUS_IS_OK(status)) {
		(*size)++;
	}
	return status;
}

static NTSTATUS heap_pop(struct tdb_context *tdb, uint32_t *size)
{
	struct certtable_heap_item last;
	NTSTATUS status;

	if (*size == 0) {
		return NT_STATUS_FILE_CORRUPT_ERROR;
	}
	if (*size == 1) {
		status = heap_drop(tdb, 0);
	} else {
		status = heap_get(tdb, *size - 1, &last);
		if (NT_STATUS_IS_OK(status)) {
			status = heap_drop(tdb, *size - 1);
		}
		if (NT_STATUS_IS_OK(status)) {
			status = heap_sift_down(tdb, *size - 1, 0, &last);
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
	struct certtable_entry_record r;

	if (key.dsize > CERTTABLE_PREFIX_LEN &&
	    memcmp(key.dptr, CERTTABLE_HEAP_PREFIX, CERTTABLE_PREFIX_LEN) == 0) {
		if (tdb_delete(tdb, key) != 0) {
			st->failed = true;
			return -1;
		}
		return 0;
	}
	if (key.dsize <= CERTTABLE_PREFIX_LEN ||
	    memcmp(key.dptr, CERTTABLE_ENTRY_PREFIX, CERTTABLE_PREFIX_LEN) != 0 ||
	    key.dsize - CERTTABLE_PREFIX_LEN >= CRYPTO_SID_MAX_STRING) {
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
	st->items[st->n].time_us =
		certtable_entry_record_parse(data.dptr, data.dsize, &r) ? r.inserted_us : 0;
	st->items[st->n].sid_off = (uint32_t)st->sids_len;
	memcpy(st->sids + st->sids_len, key.dptr + CERTTABLE_PREFIX_LEN, key.dsize - CERTTABLE_PREFIX_LEN);
	st->sids_len += key.dsize - CERTTABLE_PREFIX_LEN;
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
static NTSTATUS heap_rebuild(struct tdb_context *tdb, uint32_t *size)
{
	struct rebuild_state st = {.mem = talloc_new(NULL)};
	NTSTATUS status = NT_STATUS_OK;

	if (st.mem == NULL) {
		return NT_STATUS_NO_MEMORY;
	}
	if (tdb_traverse(tdb, rebuild_one, &st) < 0 || st.failed || st.no_memory) {
		status = st.no_memory ? NT_STATUS_NO_MEMORY : tdbfile_status(tdb);
		talloc_free(st.mem);
		return NT_STATUS_IS_OK(status) ? NT_STATUS_INTERNAL_DB_ERROR : status;
	}
	if (st.n > 1) {
		qsort(st.items, st.n, sizeof(st.items[0]), by_item_time);
	}
	for (size_t i = 0; i < st.n && NT_STATUS_IS_OK(status); i++) {
		struct certtable_heap_item it = {.time_us = st.items[i].time_us};
		memcpy(it.sid, st.sids + st.items[i].sid_off,
		       strlen(st.sids + st.items[i].sid_off) + 1);
		status = heap_put(tdb, (uint32_t)i, &it);
	}
	if (NT_STATUS_IS_OK(status)) {
		*size = (uint32_t)st.n;
	}
	talloc_free(st.mem);
	return status;
}

NTSTATUS certtable_heap_open(struct tdb_context *tdb, uint32_t count, uint32_t *size)
{
	if (*size == CERTTABLE_HEAP_NONE || *size > 2 * (uint64_t)count + 64) {
		return heap_rebuild(tdb, size);
	}
	return NT_STATUS_OK;
}

NTSTATUS certtable_heap_find_victim(struct tdb_context *tdb, uint32_t *size, uint64_t now,
				    char key[CERTTABLE_ENTRY_KEY_SIZE])
{
	bool rebuilt = false;
	/* Each item is dropped or fixed at most once: more steps than that
	 * means a heap that does not add up. */
	uint64_t steps = 0, limit = 2 * (uint64_t)*size + 2;

	for (;;) {
		struct certtable_heap_item top;
		struct certtable_entry_record r;
		NTSTATUS status = *size > 0 ? heap_get(tdb, 0, &top) : NT_STATUS_FILE_CORRUPT_ERROR;
		TDB_DATA d;

		if (NT_STATUS_IS_OK(status)) {
			TDB_DATA k = {(uint8_t *)key, CERTTABLE_PREFIX_LEN + strlen(top.sid)};
			memcpy(key, CERTTABLE_ENTRY_PREFIX, CERTTABLE_PREFIX_LEN);
			memcpy(key + CERTTABLE_PREFIX_LEN, top.sid, strlen(top.sid) + 1);
			d = tdb_fetch(tdb, k);
			if (d.dptr == NULL) {
				/* Stale: its entry was removed or evicted. */
				status = tdb_error(tdb) == TDB_ERR_NOEXIST ? heap_pop(tdb, size)
									     : tdbfile_status(tdb);
			} else if (!certtable_entry_record_parse(d.dptr, d.dsize, &r)) {
				/* An entry nobody can use: it goes in its turn. */
				free(d.dptr);
				status = heap_pop(tdb, size);
				if (NT_STATUS_IS_OK(status)) {
					return status;
				}
			} else if (r.inserted_us != top.time_us) {
				/* Refreshed since (or replaced): its time moves on. */
				free(d.dptr);
				top.time_us = r.inserted_us;
				status = heap_sift_down(tdb, *size, 0, &top);
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
				status = heap_pop(tdb, size);
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
			status = heap_rebuild(tdb, size);
			steps = 0;
			limit = 2 * (uint64_t)*size + 2;
		}
		if (!NT_STATUS_IS_OK(status)) {
			return status;
		}
	}
}

NTSTATUS certtable_heap_push(struct tdb_context *tdb, uint32_t *heap_size,
			     const struct certtable_heap_item *it)
{
	NTSTATUS status = heap_push(tdb, heap_size, it);

	if (NT_STATUS_EQUAL(status, NT_STATUS_FILE_CORRUPT_ERROR)) {
		status = heap_rebuild(tdb, heap_size);
		if (NT_STATUS_IS_OK(status)) {
			status = heap_push(tdb, heap_size, it);
		}
	}
	return status;
}
