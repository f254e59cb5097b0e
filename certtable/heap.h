/*
 * heap.h: the table's eviction heap, which finds the oldest entry for
 * MS-BPAU 3.1.4.1 note 3 ("the oldest entry is evicted if more than one
 * minute has elapsed since its insertion") without a walk of the table.
 * Used by table.c only; see heap.c for how it works.
 *
 * Every function runs inside the caller's tdb transaction and takes the
 * heap's size (from the table's header record) in and out; the caller
 * stores it back with the entry count.
 */
#ifndef CERTTABLE_HEAP_H
#define CERTTABLE_HEAP_H

#include "certtable/format.h"
#include "certtable/tdbfile.h"

/* certtable_heap_open: the heap's size for |count| entries, the heap
 * rebuilt if the header has none (CERTTABLE_HEAP_NONE) or stale items
 * have piled up. */
NTSTATUS certtable_heap_open(struct tdb_context *tdb, uint32_t count, uint32_t *size);

/* certtable_heap_push adds |it|; a damaged heap is rebuilt from the
 * entries first (without |it|'s SID, whose entry is not stored yet). */
NTSTATUS certtable_heap_push(struct tdb_context *tdb, uint32_t *size,
			     const struct certtable_heap_item *it);

/*
 * certtable_heap_find_victim: the oldest entry's key into |key|, its heap
 * item popped, or NT_STATUS_CERTTABLE_FULL if it was written a minute ago
 * or less (MS-BPAU 3.1.4.1 note 3), or less than a minute after |now| (a
 * clock that went back).  Call it only on a full table.
 */
NTSTATUS certtable_heap_find_victim(struct tdb_context *tdb, uint32_t *size, uint64_t now,
				    char key[CERTTABLE_ENTRY_KEY_SIZE]);

#endif
