/*
 * test_certtable_durability.c: the peer certificate table across kill -9
 * mid-insert, with two processes on one file, on a full disk, and with a
 * damaged record.
 */
#include "certtable_fixtures.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <tdb.h>
#include <unistd.h>

/* Child: insert pool entries in order, acknowledging each one on |fd|
 * only after certtable_insert has returned. */
static void crash_child(const char *path, int fd)
{
	struct certtable *table;
	enum certtable_outcome o;

	if (!NT_STATUS_IS_OK(certtable_open(NULL, path, 1000, &table, NULL))) {
		_exit(2);
	}
	for (int i = 0; i < POOL; i++) {
		uint8_t ack = (uint8_t)i;
		if (!NT_STATUS_IS_OK(put(table, i, &o))) {
			_exit(3);
		}
		if (write(fd, &ack, 1) != 1) {
			_exit(4);
		}
	}
	pause();
	_exit(0);
}

static void test_kill_mid_insert(void **state)
{
	(void)state;
	/* Kill the child at several points; each time every acknowledged
	 * insert must be there and the table must be consistent. */
	for (int round = 0; round < 4; round++) {
		TALLOC_CTX *t = talloc_new(NULL);
		char *path = talloc_asprintf(t, "%s/crash%d.tdb", dir, round);
		struct certtable *table;
		struct certtable_entry **list;
		size_t n, acked = 0;
		int fds[2], wstatus;
		uint8_t ack;
		pid_t pid;

		unlink(path);
		assert_int_equal(pipe(fds), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			close(fds[0]);
			crash_child(path, fds[1]);
		}
		close(fds[1]);
		/* Wait for some acknowledgements, then kill without warning;
		 * the child is usually inside its next transaction. */
		while (acked < (size_t)(5 + round * 17) && read(fds[0], &ack, 1) == 1) {
			acked++;
		}
		usleep((useconds_t)(round * 700));
		kill(pid, SIGKILL);
		while (read(fds[0], &ack, 1) == 1) {
			acked++;
		}
		close(fds[0]);
		assert_int_equal(waitpid(pid, &wstatus, 0), pid);
		assert_true(WIFSIGNALED(wstatus));

		assert_true(NT_STATUS_IS_OK(certtable_open(t, path, 1000, &table, NULL)));
		assert_true(NT_STATUS_IS_OK(certtable_list(table, t, &list, &n)));
		assert_int_equal(count(table), n);
		assert_true(n >= acked);
		assert_true(n <= acked + 1); /* at most the one in flight */
		for (size_t i = 0; i < acked; i++) {
			assert_true(has(table, (int)i));
		}
		talloc_free(t);
	}
}

/* damage overwrites |i|'s record in the file at |path| with bytes that do
 * not parse (the table must be closed: tdb opens a file once a process). */
static void damage(const char *path, int i)
{
	char key[80];
	struct tdb_context *tdb = tdb_open(path, 0, TDB_DEFAULT, O_RDWR, 0);
	TDB_DATA k, v = {(uint8_t *)"\x01\x00\x00\x00rot", 7};

	assert_non_null(tdb);
	snprintf(key, sizeof(key), "S:%s", pool_sid[i]);
	k.dptr = (uint8_t *)key;
	k.dsize = strlen(key);
	assert_int_equal(tdb_store(tdb, k, v, TDB_MODIFY), 0);
	tdb_close(tdb);
}

/*
 * A damaged record (bytes that do not parse) never blocks the table: it is
 * listed by its SID, evicted in its turn when the table is full (the
 * eviction heap holds its time), first once the heap has been rebuilt
 * (its time is unreadable then), replaced when its SID exchanges again,
 * and removable.
 */
static void test_damaged_record(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	char *path = talloc_asprintf(t, "%s/damaged.tdb", dir);
	struct certtable *table;
	struct certtable_entry **list;
	enum certtable_outcome o;
	struct crypto_sid sid;
	size_t n;
	(void)state;

	unlink(path);
	table = open_at(t, path, 3);
	fill(table, 3, 5000);
	talloc_free(table);
	damage(path, 1);

	table = open_at(t, path, 3);
	assert_true(NT_STATUS_IS_OK(certtable_list(table, t, &list, &n)));
	assert_int_equal(n, 3);
	assert_true(list[0]->damaged); /* no time: listed first */
	sid = sid_of(1);
	assert_true(crypto_sid_equal(&list[0]->sid, &sid));
	assert_false(list[1]->damaged || list[2]->damaged);
	assert_false(has(table, 1));

	/* Full, every entry younger than a minute: refused, damaged or not. */
	fake_now = 5010 * SEC;
	assert_true(NT_STATUS_EQUAL(put(table, 3, &o), NT_STATUS_CERTTABLE_FULL));
	/* Later: the oldest (0) goes, then the damaged one (1) in its turn. */
	fake_now = 5100 * SEC;
	assert_true(NT_STATUS_IS_OK(put(table, 3, &o)));
	assert_int_equal(o, CERTTABLE_EVICTED);
	assert_false(has(table, 0));
	assert_true(NT_STATUS_IS_OK(put(table, 4, &o)));
	assert_int_equal(o, CERTTABLE_EVICTED);
	assert_int_equal(count(table), 3);
	assert_true(has(table, 2) && has(table, 3) && has(table, 4));
	assert_true(NT_STATUS_IS_OK(certtable_list(table, t, &list, &n)));
	assert_int_equal(n, 3);
	assert_false(list[0]->damaged || list[1]->damaged || list[2]->damaged);

	/* With its heap size gone from the header (as a program without the
	 * heap writes it), the heap is rebuilt and a damaged entry, the newest
	 * here, goes first. */
	talloc_free(table);
	damage(path, 4);
	{
		struct tdb_context *tdb = tdb_open(path, 0, TDB_DEFAULT, O_RDWR, 0);
		assert_non_null(tdb);
		assert_true(drop_heap_size(tdb));
		tdb_close(tdb);
	}
	table = open_at(t, path, 3);
	fake_now = 5200 * SEC;
	assert_true(NT_STATUS_IS_OK(put(table, 5, &o)));
	assert_int_equal(o, CERTTABLE_EVICTED);
	assert_true(has(table, 2) && has(table, 3) && has(table, 5));
	assert_int_equal(count(table), 3);
	fake_now = 5000 * SEC;

	/* A damaged entry whose SID exchanges again is replaced. */
	talloc_free(table);
	damage(path, 2);
	table = open_at(t, path, 3);
	assert_true(NT_STATUS_IS_OK(put(table, 2, &o)));
	assert_int_equal(o, CERTTABLE_REPLACED);
	assert_true(has(table, 2));
	assert_int_equal(count(table), 3);

	/* And one can be removed by its SID, its index entry with it. */
	talloc_free(table);
	damage(path, 3);
	assert_true(NT_STATUS_IS_OK(certtable_open(t, path, 3, &table, NULL)));
	sid = sid_of(3);
	assert_true(NT_STATUS_IS_OK(certtable_remove(table, &sid)));
	assert_int_equal(count(table), 2);
	assert_true(NT_STATUS_IS_OK(certtable_list(table, t, &list, &n)));
	assert_int_equal(n, 2);
	assert_false(list[0]->damaged || list[1]->damaged);
	talloc_free(table);
	{
		/* no index entry is left naming the removed SID */
		struct tdb_context *tdb = tdb_open(path, 0, TDB_DEFAULT, O_RDONLY, 0);
		uint8_t ckey[2 + CRYPTO_SHA256_LEN] = "C:";
		TDB_DATA k = {ckey, sizeof(ckey)};
		assert_non_null(tdb);
		assert_true(NT_STATUS_IS_OK(crypto_sha256(pool[3]->cert, pool[3]->cert_len, ckey + 2)));
		assert_int_equal(tdb_exists(tdb, k), 0);
		tdb_close(tdb);
	}
	talloc_free(t);
}

/*
 * A write that fails for want of room is NT_STATUS_DISK_FULL and changes
 * nothing: every insert acknowledged before it is in the table, the failed
 * one is not, and the file is sound.  A file size limit (EFBIG) stands in
 * for a full disk (ENOSPC): both stop tdb from growing the file.
 */
static void test_full_disk(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	char *path = talloc_asprintf(t, "%s/full.tdb", dir);
	struct certtable *table;
	int fds[2], status, acked = -1, full = 0;
	pid_t pid;
	(void)state;

	unlink(path);
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct stat st;
		struct rlimit lim;
		enum certtable_outcome o;
		int i, r[2] = {0, 0};
		NTSTATUS st_ins = NT_STATUS_OK;

		close(fds[0]);
		signal(SIGXFSZ, SIG_IGN);
		if (!NT_STATUS_IS_OK(certtable_open(NULL, path, 1000, &table, NULL)) ||
		    !NT_STATUS_IS_OK(put(table, 0, &o)) || stat(path, &st) != 0) {
			_exit(2);
		}
		/* No more growth from here on. */
		lim.rlim_cur = lim.rlim_max = (rlim_t)st.st_size;
		if (setrlimit(RLIMIT_FSIZE, &lim) != 0) {
			_exit(3);
		}
		for (i = 1; i < POOL; i++) {
			st_ins = put(table, i, &o);
			if (!NT_STATUS_IS_OK(st_ins)) {
				break;
			}
		}
		r[0] = i; /* entries 0 .. i-1 acknowledged */
		r[1] = NT_STATUS_EQUAL(st_ins, NT_STATUS_DISK_FULL);
		if (write(fds[1], r, sizeof(r)) != (ssize_t)sizeof(r)) {
			_exit(4);
		}
		_exit(0);
	}
	close(fds[1]);
	{
		int r[2];
		assert_int_equal(read(fds[0], r, sizeof(r)), sizeof(r));
		acked = r[0];
		full = r[1];
	}
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_true(acked > 0 && acked < POOL); /* the limit was reached */
	assert_true(full);

	assert_true(NT_STATUS_IS_OK(certtable_open(t, path, 1000, &table, NULL)));
	assert_int_equal(count(table), acked);
	for (int i = 0; i < POOL; i++) {
		assert_int_equal(has(table, i), i < acked);
	}
	talloc_free(t);
}

static void test_two_processes(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	char *path = talloc_asprintf(t, "%s/shared.tdb", dir);
	struct certtable *table;
	pid_t pids[2];
	(void)state;

	unlink(path);
	for (int p = 0; p < 2; p++) {
		pids[p] = fork();
		assert_true(pids[p] >= 0);
		if (pids[p] == 0) {
			struct certtable *mine;
			enum certtable_outcome o;
			if (!NT_STATUS_IS_OK(certtable_open(NULL, path, 100, &mine, NULL))) {
				_exit(2);
			}
			for (int i = p; i < 60; i += 2) {
				if (!NT_STATUS_IS_OK(put(mine, i, &o))) {
					_exit(3);
				}
			}
			_exit(0);
		}
	}
	wait_children_ok(pids, 2);
	assert_true(NT_STATUS_IS_OK(certtable_open(t, path, 100, &table, NULL)));
	assert_int_equal(count(table), 60);
	for (int i = 0; i < 60; i++) {
		assert_true(has(table, i));
	}
	talloc_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kill_mid_insert),
		cmocka_unit_test(test_two_processes),
		cmocka_unit_test(test_full_disk),
		cmocka_unit_test(test_damaged_record),
	};
	return cmocka_run_group_tests_name("certtable_durability", tests, group_setup, group_teardown);
}
