/*
 * tdbfile.h: open (creating if needed) a tdb file that this project owns,
 * without ever overwriting a file that is something else.
 *
 * tdb_open() with O_CREAT quietly replaces any file whose header is not a
 * tdb's with a new, empty database (lib/tdb/common/open.c: a bad magic and
 * O_CREAT lead to tdb_new_database()), so a mistyped --table or a damaged
 * header would lose the file.  tdbfile_open refuses instead and changes
 * nothing.
 */
#ifndef CERTTABLE_TDBFILE_H
#define CERTTABLE_TDBFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h> /* mode_t, which tdb.h uses */
#include <tdb.h>

#include "crypto/ms/status.h"

/* What a tdb file begins with ("TDB file\n" and its NUL). */
#define TDBFILE_MAGIC "TDB file\n"
#define TDBFILE_MAGIC_LEN 10

/*
 * What tdb last reported as failing, with errno as it was then: tdb does
 * not keep errno, nor always set its own error code, when a write to the
 * file fails (a full disk, say), and the calls it makes after the failure
 * can change errno.  The write wrappers (below) clear and read it.
 */
struct tdbfile_log {
	int last_errno;
};

/*
 * tdbfile_open opens |path| read-write with tdb_open(hash_size, tdb_flags),
 * creating it (mode 0600) if it does not exist.  An existing file must be
 * a regular file, and either empty (tdb then sets it up, as for a new one)
 * or a tdb file; otherwise NT_STATUS_OBJECT_TYPE_MISMATCH with a reason,
 * and the file is left as it was.  A non-empty file is opened without
 * O_CREAT, so a damaged tdb header fails (NT_STATUS_FILE_CORRUPT_ERROR)
 * instead of being replaced.  |log| (may be NULL; it must outlive the
 * tdb) receives tdb's failures as they happen.
 */
NTSTATUS tdbfile_open(const char *path, int hash_size, int tdb_flags,
		      struct tdbfile_log *log, struct tdb_context **out,
		      const char **reason) CRYPTO_WARN_UNUSED;

/* tdbfile_status: tdb's error code on the last failed call, as NTSTATUS. */
NTSTATUS tdbfile_status(struct tdb_context *tdb);

/*
 * The writes (a store, a delete, a transaction's start or commit), each
 * run between clearing errno and the log's last_errno and reading them:
 * NT_STATUS_OK, or why the write failed, with NT_STATUS_DISK_FULL for a
 * full disk or a file size limit.
 */
NTSTATUS tdbfile_store(struct tdb_context *tdb, TDB_DATA key, TDB_DATA data);
NTSTATUS tdbfile_delete(struct tdb_context *tdb, TDB_DATA key);
NTSTATUS tdbfile_transaction_start(struct tdb_context *tdb);
NTSTATUS tdbfile_transaction_commit(struct tdb_context *tdb);

#endif
