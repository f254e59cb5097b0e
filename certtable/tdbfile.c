/*
 * tdbfile.c: see tdbfile.h.
 */
#include "certtable/tdbfile.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <tdb.h>
#include <unistd.h>

/* header_ok: whether the first |len| bytes of a file may be a tdb's. */
static bool header_ok(const uint8_t *p, size_t len)
{
	return len >= TDBFILE_MAGIC_LEN && memcmp(p, TDBFILE_MAGIC, TDBFILE_MAGIC_LEN) == 0;
}

/* check_existing: OK if |path| is absent or empty (*create: tdb may set it
 * up) or begins like a tdb (*create false: tdb must not touch a header it
 * does not like, so O_CREAT is left out and it fails instead). */
static NTSTATUS check_existing(const char *path, bool *create, const char **reason)
{
	uint8_t head[TDBFILE_MAGIC_LEN];
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	*create = true;
	if (fd < 0) {
		if (errno == ENOENT) {
			return NT_STATUS_OK;
		}
		crypto_set_reason(reason, strerror(errno));
		return crypto_status_from_errno(errno);
	}
	if (fstat(fd, &st) != 0) {
		int err = errno;
		close(fd);
		crypto_set_reason(reason, strerror(err));
		return crypto_status_from_errno(err);
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		crypto_set_reason(reason, "not a regular file");
		return NT_STATUS_OBJECT_TYPE_MISMATCH;
	}
	if (st.st_size == 0) {
		close(fd);
		return NT_STATUS_OK;
	}
	*create = false;
	n = pread(fd, head, sizeof(head), 0);
	close(fd);
	if (n < 0 || !header_ok(head, (size_t)n)) {
		crypto_set_reason(reason, "not a tdb file (its first bytes are not a tdb header); "
					  "left as it is");
		return NT_STATUS_OBJECT_TYPE_MISMATCH;
	}
	return NT_STATUS_OK;
}

NTSTATUS tdbfile_status(struct tdb_context *tdb)
{
	switch (tdb_error(tdb)) {
	case TDB_SUCCESS:
		return NT_STATUS_OK;
	case TDB_ERR_OOM:
		return NT_STATUS_NO_MEMORY;
	case TDB_ERR_NOEXIST:
		return NT_STATUS_NOT_FOUND;
	case TDB_ERR_CORRUPT:
		return NT_STATUS_FILE_CORRUPT_ERROR;
	case TDB_ERR_RDONLY:
		return NT_STATUS_ACCESS_DENIED;
	default:
		return NT_STATUS_INTERNAL_DB_ERROR;
	}
}

/* nearly_full: the file system under |fd| has less room for us than the
 * file's size (and under 4 MiB at the least): too little for tdb to grow
 * the file by its usual step. */
static bool nearly_full(int fd)
{
	struct statvfs vfs;
	struct stat st;
	uint64_t room, need;

	if (fd < 0 || fstatvfs(fd, &vfs) != 0 || fstat(fd, &st) != 0) {
		return false;
	}
	room = (uint64_t)vfs.f_bavail * vfs.f_frsize;
	need = (uint64_t)st.st_size < (4u << 20) ? (4u << 20) : (uint64_t)st.st_size;
	return room < need;
}

static void write_begin(struct tdb_context *tdb)
{
	struct tdbfile_log *log = tdb_get_logging_private(tdb);

	errno = 0;
	if (log != NULL) {
		log->last_errno = 0;
	}
}

/* tdb does not always set its error code when the file cannot grow (its
 * last code may still be an earlier lookup's "no such record"), so errno
 * tells a full disk or a file size limit first. */
static NTSTATUS write_status(struct tdb_context *tdb, int err)
{
	enum TDB_ERROR e = tdb_error(tdb);
	struct tdbfile_log *log = tdb_get_logging_private(tdb);

	if (log != NULL && log->last_errno != 0) {
		err = log->last_errno; /* errno when tdb met the failure */
	}
	if (err == ENOSPC || err == EDQUOT || err == EFBIG) {
		return NT_STATUS_DISK_FULL;
	}
	/* tdb 1.4 loses ENOSPC when posix_fallocate() fails to grow the file
	 * (it returns the error without setting errno, and tdb then reads
	 * errno, and leaves its own error code as it was; lib/tdb/common/io.c,
	 * tdb_expand_file).  A failed write with no errno on a file system with
	 * less room left than the file's own size is taken for what it most
	 * likely is. */
	if (err == 0 &&
	    (e == TDB_SUCCESS || e == TDB_ERR_NOEXIST || e == TDB_ERR_IO || e == TDB_ERR_OOM) &&
	    nearly_full(tdb_fd(tdb))) {
		return NT_STATUS_DISK_FULL;
	}
	if (e == TDB_SUCCESS || e == TDB_ERR_NOEXIST) {
		return err != 0 ? crypto_status_from_errno(err) : NT_STATUS_INTERNAL_DB_ERROR;
	}
	return tdbfile_status(tdb);
}

/* log_fn: tdb reports a failure; keep the first errno of an error. */
static void log_fn(struct tdb_context *tdb, enum tdb_debug_level level, const char *fmt, ...)
{
	struct tdbfile_log *log = tdb_get_logging_private(tdb);
	(void)fmt;
	if (log != NULL && level <= TDB_DEBUG_ERROR && log->last_errno == 0) {
		log->last_errno = errno;
	}
}

NTSTATUS tdbfile_open(const char *path, int hash_size, int tdb_flags,
		      struct tdbfile_log *log, struct tdb_context **out,
		      const char **reason)
{
	struct tdb_logging_context log_ctx = {.log_fn = log_fn, .log_private = log};
	struct tdb_context *tdb;
	bool create;
	NTSTATUS status = check_existing(path, &create, reason);

	if (!NT_STATUS_IS_OK(status)) {
		return status;
	}
	errno = 0;
	tdb = tdb_open_ex(path, hash_size, tdb_flags, O_RDWR | (create ? O_CREAT : 0), 0600,
			  &log_ctx, NULL);
	if (tdb == NULL) {
		int err = errno;
		if (err == EINVAL) {
			/* tdb refuses a file made with options we do not
			 * open it with (mutex locking, say). */
			crypto_set_reason(reason, "a tdb file made with other tdb options (mutex "
						  "locking?); left as it is");
			return NT_STATUS_OBJECT_TYPE_MISMATCH;
		}
		if (err == 0 || err == EIO) {
			/* tdb's word for a header it cannot use (another
			 * version, a truncated file). */
			crypto_set_reason(reason, "a damaged or incompatible tdb file");
			return NT_STATUS_FILE_CORRUPT_ERROR;
		}
		crypto_set_reason(reason, strerror(err));
		return crypto_status_from_errno(err);
	}
	*out = tdb;
	return NT_STATUS_OK;
}

/* write_result: what write_begin and a write returning |rc| came to. */
static NTSTATUS write_result(struct tdb_context *tdb, int rc)
{
	return rc == 0 ? NT_STATUS_OK : write_status(tdb, errno);
}

NTSTATUS tdbfile_store(struct tdb_context *tdb, TDB_DATA key, TDB_DATA data)
{
	write_begin(tdb);
	return write_result(tdb, tdb_store(tdb, key, data, TDB_REPLACE));
}

NTSTATUS tdbfile_delete(struct tdb_context *tdb, TDB_DATA key)
{
	write_begin(tdb);
	return write_result(tdb, tdb_delete(tdb, key));
}

NTSTATUS tdbfile_transaction_start(struct tdb_context *tdb)
{
	write_begin(tdb);
	return write_result(tdb, tdb_transaction_start(tdb));
}

NTSTATUS tdbfile_transaction_commit(struct tdb_context *tdb)
{
	write_begin(tdb);
	return write_result(tdb, tdb_transaction_commit(tdb));
}
