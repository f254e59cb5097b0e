/*
 * certtable.h: the table of peer certificates (MS-BPAU 3.1.1.2, 3.2.1.2),
 * shared by the server and the client roles.
 *
 * Keyed by SID.  An entry holds the SID, the principal name, the
 * CERTIFICATE_BLOB as received (the DER certificate with its properties)
 * and the insertion time.  Windows' rules (MS-BPAU Appendix B notes 3, 4,
 * 6, 7):
 *   - capacity 100 entries by default;
 *   - an insert for a SID already present replaces its entry;
 *   - when full, the oldest entry is evicted if it was inserted more than
 *     60 seconds ago; otherwise the insert is refused (the server returns
 *     0x80040006 for that).
 *
 * The table is a tdb file: every insert or remove is one tdb transaction,
 * so an acknowledged change survives kill -9 and a torn write cannot
 * corrupt it, and every process that opens the file (Samba's workers, a
 * daemon, the CLI) sees one consistent table.
 */
#ifndef CERTTABLE_CERTTABLE_H
#define CERTTABLE_CERTTABLE_H

#include "certtable/certblob.h"
#include "crypto/ms/sid.h"

#define CERTTABLE_DEFAULT_CAPACITY 100
#define CERTTABLE_MAX_CAPACITY 10000000
/* "If more than one minute has elapsed since its insertion" (note 3). */
#define CERTTABLE_EVICT_AFTER_US (60ull * 1000 * 1000)
/* The result of an insert refused under the one-minute rule. */
#define NT_STATUS_CERTTABLE_FULL NT_STATUS_QUOTA_EXCEEDED

struct certtable;

struct certtable_entry {
	struct crypto_sid sid;
	char *principal;
	uint64_t inserted_us; /* microseconds since the Unix epoch */
	uint8_t *blob; /* CERTIFICATE_BLOB as received */
	size_t blob_len;
	/* certtable_list only: the record could not be read (damaged on
	 * disk); only |sid| is set.  Such an entry is the first evicted and
	 * can be removed by its SID. */
	bool damaged;
};

enum certtable_outcome {
	CERTTABLE_ADDED,    /* a new entry, nothing removed */
	CERTTABLE_REPLACED, /* the SID's previous entry was replaced */
	CERTTABLE_EVICTED,  /* the oldest entry was evicted to make room */
	CERTTABLE_REFRESHED, /* the SID's entry held this blob: new time only */
};

/* The clock, in microseconds since the Unix epoch; injectable for tests. */
typedef uint64_t (*certtable_clock_fn)(void *private_data);

/*
 * certtable_open opens (creating if needed, mode 0600) the table at |path|
 * with room for |capacity| entries, which its next write records in the
 * file; 0 takes the capacity the table records (its last writer's), or
 * CERTTABLE_DEFAULT_CAPACITY for a table that records none.  The table is freed, and the file
 * closed, with talloc_free.  A file that is there already and is not a
 * peer certificate table (not a tdb, or a tdb of something else) is
 * refused with NT_STATUS_OBJECT_TYPE_MISMATCH and left as it was; *reason
 * (if |reason| is not NULL) then says why.
 */
NTSTATUS certtable_open(TALLOC_CTX *mem_ctx, const char *path, unsigned capacity,
			struct certtable **out, const char **reason);

/* certtable_set_clock replaces the wall clock (NULL restores it). */
void certtable_set_clock(struct certtable *t, certtable_clock_fn fn,
			 void *private_data);

unsigned certtable_capacity(const struct certtable *t);

/*
 * certtable_insert adds |blob| (already validated by certblob_parse) for
 * |sid| and |principal| under the rules above, in one transaction.
 * Returns NT_STATUS_OK with |outcome| set, NT_STATUS_CERTTABLE_FULL when
 * refused (nothing changed), or another error (nothing changed).
 */
NTSTATUS certtable_insert(struct certtable *t, const struct crypto_sid *sid,
			  const char *principal, const struct certblob *blob,
			  enum certtable_outcome *outcome) CRYPTO_WARN_UNUSED;

/*
 * certtable_refresh: if the entry for |sid| holds exactly this blob (|len|
 * bytes) under the same principal, give it a new insertion time, as note 3's
 * "deleted and ... inserted" would, without decoding the blob again, and set
 * *refreshed.  Otherwise change nothing and clear *refreshed; the caller
 * then decodes and inserts.  The new time is written in place without a
 * transaction (see table.c): a crash may lose the refresh, not the
 * entry.  A time never moves back: after the clock was stepped back, a
 * refresh keeps the later time.
 *
 * Clock steps: an entry dated more than a minute ahead of the clock is
 * not young (its time cannot be right) and may be evicted when it is the
 * oldest by time; a replacement takes the clock's time, even if earlier.
 * Entries dated ahead are the newest by time, so after the clock went
 * back a full table evicts them only once every entry dated before them
 * has gone or aged a minute: until the clock catches up, a full table
 * takes new peers more slowly (never none, as it did before).
 */
NTSTATUS certtable_refresh(struct certtable *t, const struct crypto_sid *sid,
			   const char *principal, const uint8_t *blob, size_t len,
			   bool *refreshed) CRYPTO_WARN_UNUSED;

/* certtable_lookup fetches the entry for |sid|: NT_STATUS_NOT_FOUND if
 * there is none. */
NTSTATUS certtable_lookup(struct certtable *t, TALLOC_CTX *mem_ctx,
			  const struct crypto_sid *sid,
			  struct certtable_entry **out);

/*
 * certtable_verify is "Verifying authentication status" (3.1.6.1,
 * 3.2.6.1): true iff an entry maps the DER certificate |cert| to a
 * principal.  One hash lookup whatever the table's size.  If |sid_out| is
 * not NULL it receives the entry's SID.
 */
bool certtable_verify(struct certtable *t, const uint8_t *cert, size_t len,
		      struct crypto_sid *sid_out);

/* certtable_remove deletes the entry for |sid|: NT_STATUS_NOT_FOUND if
 * there is none. */
NTSTATUS certtable_remove(struct certtable *t, const struct crypto_sid *sid);

/* certtable_list returns every entry, oldest first (damaged ones, which
 * have no time, before all others). */
NTSTATUS certtable_list(struct certtable *t, TALLOC_CTX *mem_ctx,
			struct certtable_entry ***entries, size_t *count);

/*
 * certtable_batch_begin / certtable_batch_commit group many inserts into
 * one transaction (bulk loads, benchmarks): the changes become durable,
 * all together, at the commit.  certtable_batch_cancel drops them.  A
 * batch is all or nothing: an insert refused inside it (the table full
 * of young entries) or any other failure voids it, and
 * certtable_batch_commit then fails, keeping none of its inserts (tdb
 * cannot undo one step of a transaction).  Fill a batch only up to the
 * capacity, or evict only entries older than a minute.
 */
NTSTATUS certtable_batch_begin(struct certtable *t);
NTSTATUS certtable_batch_commit(struct certtable *t);
void certtable_batch_cancel(struct certtable *t);

/* certtable_count returns the number of entries. */
NTSTATUS certtable_count(struct certtable *t, size_t *count);

const char *certtable_outcome_name(enum certtable_outcome o);

#endif
