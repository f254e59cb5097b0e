/*
 * test_certtable.c: the peer certificate table's rules (MS-BPAU Appendix B
 * notes 3, 4, 6, 7) with an injected clock: insert, lookup, verify and
 * refresh, replacement, the capacity rules, removal and reopening, and
 * refusing files that are not tables.  Durability (kill -9, two processes,
 * a full disk, a damaged record) is in test_certtable_durability.c, the
 * eviction heap in test_certtable_heap.c.
 */
#include "certtable_fixtures.h"

#include <fcntl.h>
#include <tdb.h>
#include <unistd.h>

static void test_insert_lookup_verify(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct certtable *table = open_fresh(t, "basic", 100);
	enum certtable_outcome o;
	struct certtable_entry *e;
	struct crypto_sid sid = sid_of(0), got;
	(void)state;

	fake_now = 1000 * SEC;
	assert_false(has(table, 0));
	assert_true(NT_STATUS_IS_OK(put(table, 0, &o)));
	assert_int_equal(o, CERTTABLE_ADDED);
	assert_true(certtable_verify(table, pool[0]->cert, pool[0]->cert_len, &got));
	assert_true(crypto_sid_equal(&got, &sid));
	assert_false(has(table, 1));
	assert_false(certtable_verify(table, pool[0]->cert, pool[0]->cert_len - 1, NULL));
	assert_false(certtable_verify(table, NULL, 0, NULL));
	assert_true(NT_STATUS_IS_OK(certtable_lookup(table, t, &sid, &e)));
	assert_string_equal(e->principal, "PEER$@BPAU.TEST");
	assert_int_equal(e->inserted_us, 1000 * SEC);
	assert_int_equal(e->blob_len, pool[0]->raw_len);
	assert_memory_equal(e->blob, pool[0]->raw, e->blob_len);
	/* The same blob again is refreshed in place, without a decode. */
	bool refreshed = false;
	fake_now = 1005 * SEC;
	assert_true(NT_STATUS_IS_OK(certtable_refresh(table, &sid, "PEER$@BPAU.TEST", pool[0]->raw,
						      pool[0]->raw_len, &refreshed)));
	assert_true(refreshed);
	assert_true(NT_STATUS_IS_OK(certtable_lookup(table, t, &sid, &e)));
	assert_int_equal(e->inserted_us, 1005 * SEC);
	assert_memory_equal(e->blob, pool[0]->raw, e->blob_len);
	assert_true(has(table, 0));
	/* Another blob, or another principal, is not a refresh. */
	assert_true(NT_STATUS_IS_OK(certtable_refresh(table, &sid, "PEER$@BPAU.TEST", pool[1]->raw,
						      pool[1]->raw_len, &refreshed)));
	assert_false(refreshed);
	assert_true(NT_STATUS_IS_OK(certtable_refresh(table, &sid, "OTHER$@BPAU.TEST", pool[0]->raw,
						      pool[0]->raw_len, &refreshed)));
	assert_false(refreshed);
	assert_true(NT_STATUS_IS_OK(certtable_lookup(table, t, &sid, &e)));
	assert_int_equal(e->inserted_us, 1005 * SEC);
	sid = sid_of(1);
	assert_true(NT_STATUS_EQUAL(certtable_lookup(table, t, &sid, &e), NT_STATUS_NOT_FOUND));
	assert_int_equal(count(table), 1);
	talloc_free(t);
}

static void test_same_sid_replaces(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct certtable *table = open_fresh(t, "replace", 100);
	struct crypto_sid sid = sid_of(0);
	enum certtable_outcome o;
	struct certtable_entry *e;
	(void)state;

	fake_now = 10 * SEC;
	assert_true(NT_STATUS_IS_OK(put(table, 0, &o)));
	/* Note 3: "that certificate is deleted and the new one is inserted"
	 * -- here a second certificate for the same SID. */
	fake_now = 11 * SEC;
	assert_true(NT_STATUS_IS_OK(certtable_insert(table, &sid, "NEW$@BPAU.TEST", pool[1], &o)));
	assert_int_equal(o, CERTTABLE_REPLACED);
	assert_int_equal(count(table), 1);
	assert_false(has(table, 0));
	assert_true(has(table, 1));
	assert_true(NT_STATUS_IS_OK(certtable_lookup(table, t, &sid, &e)));
	assert_string_equal(e->principal, "NEW$@BPAU.TEST");
	assert_int_equal(e->inserted_us, 11 * SEC);
	talloc_free(t);
}

static void test_capacity_one(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct certtable *table = open_fresh(t, "cap1", 1);
	enum certtable_outcome o = CERTTABLE_ADDED;
	(void)state;

	fake_now = 100 * SEC;
	assert_true(NT_STATUS_IS_OK(put(table, 0, &o)));
	/* Full, the oldest is younger than a minute: refused, unchanged. */
	fake_now = 130 * SEC;
	assert_true(NT_STATUS_EQUAL(put(table, 1, &o), NT_STATUS_CERTTABLE_FULL));
	assert_true(has(table, 0));
	assert_false(has(table, 1));
	assert_int_equal(count(table), 1);
	/* Exactly one minute is not "more than one minute". */
	fake_now = 160 * SEC;
	assert_true(NT_STATUS_EQUAL(put(table, 1, &o), NT_STATUS_CERTTABLE_FULL));
	/* A clock that went backwards never evicts. */
	fake_now = 50 * SEC;
	assert_true(NT_STATUS_EQUAL(put(table, 1, &o), NT_STATUS_CERTTABLE_FULL));
	/* Replacing the present SID is always allowed. */
	fake_now = 101 * SEC;
	assert_true(NT_STATUS_IS_OK(put(table, 0, &o)));
	assert_int_equal(o, CERTTABLE_REPLACED);
	/* More than a minute after that: evicted. */
	fake_now = 161 * SEC + 1;
	assert_true(NT_STATUS_IS_OK(put(table, 1, &o)));
	assert_int_equal(o, CERTTABLE_EVICTED);
	assert_false(has(table, 0));
	assert_true(has(table, 1));
	assert_int_equal(count(table), 1);
	talloc_free(t);
}

static void test_capacity_hundred(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct certtable *table = open_fresh(t, "cap100", CERTTABLE_DEFAULT_CAPACITY);
	struct certtable_entry **list;
	size_t n;
	enum certtable_outcome o;
	(void)state;

	/* 100 entries, one a second, inserted in a shuffled order of SIDs so
	 * that "oldest" is by time, not by key. */
	for (int k = 0; k < 100; k++) {
		int i = (k * 37) % 100;
		fake_now = (1000 + (uint64_t)k) * SEC;
		assert_true(NT_STATUS_IS_OK(put(table, i, &o)));
		assert_int_equal(o, CERTTABLE_ADDED);
	}
	assert_int_equal(count(table), 100);
	/* Entry 101 within a minute of the oldest: refused. */
	fake_now = 1059 * SEC;
	assert_true(NT_STATUS_EQUAL(put(table, 100, &o), NT_STATUS_CERTTABLE_FULL));
	assert_int_equal(count(table), 100);
	/* After the window the oldest (k = 0, SID index 0) goes. */
	fake_now = 1060 * SEC + 1;
	assert_true(NT_STATUS_IS_OK(put(table, 100, &o)));
	assert_int_equal(o, CERTTABLE_EVICTED);
	assert_false(has(table, 0));
	assert_true(has(table, 100));
	assert_int_equal(count(table), 100);
	/* The next oldest (k = 1, SID 37) was inserted at 1001 s: still within
	 * the window at 1060 s. */
	assert_true(NT_STATUS_EQUAL(put(table, 101, &o), NT_STATUS_CERTTABLE_FULL));
	assert_true(has(table, 37));
	fake_now = 1061 * SEC + 1;
	assert_true(NT_STATUS_IS_OK(put(table, 101, &o)));
	assert_false(has(table, 37));
	/* Listing is oldest first and complete. */
	assert_true(NT_STATUS_IS_OK(certtable_list(table, t, &list, &n)));
	assert_int_equal(n, 100);
	for (size_t k = 1; k < n; k++) {
		assert_true(list[k - 1]->inserted_us <= list[k]->inserted_us);
	}
	talloc_free(t);
}

static void test_remove_and_reopen(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct certtable *table = open_fresh(t, "reopen", 100);
	struct crypto_sid sid = sid_of(2);
	char *path = talloc_asprintf(t, "%s/reopen.tdb", dir);
	enum certtable_outcome o;
	(void)state;

	fake_now = 5 * SEC;
	for (int i = 0; i < 5; i++) {
		assert_true(NT_STATUS_IS_OK(put(table, i, &o)));
	}
	assert_true(NT_STATUS_IS_OK(certtable_remove(table, &sid)));
	assert_true(NT_STATUS_EQUAL(certtable_remove(table, &sid), NT_STATUS_NOT_FOUND));
	assert_false(has(table, 2));
	talloc_free(table);

	assert_true(NT_STATUS_IS_OK(certtable_open(t, path, 100, &table, NULL)));
	assert_int_equal(count(table), 4);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(has(table, i), i != 2);
	}
	assert_false(NT_STATUS_IS_OK(certtable_open(t, path, 0, &table, NULL)));
	assert_false(NT_STATUS_IS_OK(certtable_open(t, "/nonexistent/dir/t.tdb", 100, &table, NULL)));
	talloc_free(t);
}

/* write_file puts |len| bytes in |path|; read_back compares them. */
static void write_file(const char *path, const void *p, size_t len)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static bool file_is(const char *path, const void *p, size_t len)
{
	uint8_t buf[8192];
	FILE *f = fopen(path, "rb");
	size_t n;
	if (f == NULL) {
		return false;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return n == len && memcmp(buf, p, len) == 0;
}

/* A file that is not a table is refused with a reason and left as it was:
 * tdb_open with O_CREAT would replace it with an empty database. */
static void test_open_refuses_other_files(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct certtable *table = NULL;
	const char *reason = NULL;
	char *text = talloc_asprintf(t, "%s/notes.txt", dir);
	char *other = talloc_asprintf(t, "%s/other.tdb", dir);
	char *empty = talloc_asprintf(t, "%s/empty.tdb", dir);
	static const char words[] = "a file that is not a table\n";
	uint8_t magic_only[64] = "TDB file\n";
	enum certtable_outcome o;
	struct tdb_context *tdb;
	TDB_DATA k = {(uint8_t *)"key", 3}, v = {(uint8_t *)"value", 5};
	(void)state;

	/* Text, and even a tdb's magic with nothing valid behind it. */
	write_file(text, words, sizeof(words) - 1);
	assert_true(NT_STATUS_EQUAL(certtable_open(t, text, 100, &table, &reason),
				    NT_STATUS_OBJECT_TYPE_MISMATCH));
	assert_non_null(strstr(reason, "not a tdb file"));
	assert_true(file_is(text, words, sizeof(words) - 1));
	write_file(text, magic_only, sizeof(magic_only));
	reason = NULL;
	assert_false(NT_STATUS_IS_OK(certtable_open(t, text, 100, &table, &reason)));
	assert_non_null(reason);
	assert_true(file_is(text, magic_only, sizeof(magic_only)));

	/* Another program's tdb: records, none of them our header. */
	unlink(other);
	tdb = tdb_open(other, 0, TDB_DEFAULT, O_RDWR | O_CREAT, 0600);
	assert_non_null(tdb);
	assert_int_equal(tdb_store(tdb, k, v, TDB_INSERT), 0);
	tdb_close(tdb);
	assert_true(NT_STATUS_EQUAL(certtable_open(t, other, 100, &table, &reason),
				    NT_STATUS_OBJECT_TYPE_MISMATCH));
	assert_non_null(strstr(reason, "something else"));
	tdb = tdb_open(other, 0, TDB_DEFAULT, O_RDONLY, 0);
	assert_non_null(tdb);
	TDB_DATA still = tdb_fetch(tdb, k);
	assert_int_equal(still.dsize, 5);
	free(still.dptr);
	tdb_close(tdb);

	/* A directory. */
	assert_true(NT_STATUS_EQUAL(certtable_open(t, dir, 100, &table, &reason),
				    NT_STATUS_OBJECT_TYPE_MISMATCH));

	/* An empty file is set up as a new table, and a table opens again. */
	write_file(empty, "", 0);
	assert_true(NT_STATUS_IS_OK(certtable_open(t, empty, 100, &table, NULL)));
	assert_true(NT_STATUS_IS_OK(put(table, 0, &o)));
	talloc_free(table);
	assert_true(NT_STATUS_IS_OK(certtable_open(t, empty, 100, &table, NULL)));
	assert_int_equal(count(table), 1);
	talloc_free(t);
}

/*
 * A table whose capacity was lowered sheds its oldest entries (those more
 * than a minute old) as new SIDs come in, up to 64 extra an insert, until
 * it fits; it never grows while over its capacity.
 */
static void test_capacity_lowered(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	char *path = talloc_asprintf(t, "%s/lowered.tdb", dir);
	struct certtable *table;
	struct certtable_entry **list;
	enum certtable_outcome o;
	size_t n;
	(void)state;

	unlink(path);
	table = open_at(t, path, 100);
	fill(table, 90, 20000);
	talloc_free(table);

	/* Now 10.  At 20150 s, entries 0-89 are 61-150 s old: 0-88 may go. */
	table = open_at(t, path, 10);
	fake_now = 20149 * SEC;
	assert_true(NT_STATUS_IS_OK(put(table, 90, &o)));
	assert_int_equal(o, CERTTABLE_EVICTED);
	/* 65 evicted (one, and 64 more), the oldest: 0-64 are gone. */
	assert_int_equal(count(table), 90 - 65 + 1);
	assert_false(has(table, 0) || has(table, 64));
	assert_true(has(table, 65) && has(table, 90));
	/* The next brings it down to 10: 26 less 17 (65-81), plus itself. */
	fake_now = 20150 * SEC;
	assert_true(NT_STATUS_IS_OK(put(table, 91, &o)));
	assert_int_equal(count(table), 10);
	assert_true(NT_STATUS_IS_OK(certtable_list(table, t, &list, &n)));
	assert_int_equal(n, 10);
	assert_false(has(table, 81));
	for (int i = 82; i < 92; i++) {
		assert_true(has(table, i));
	}
	/* At capacity again: one out (82), one in. */
	fake_now = 20300 * SEC;
	assert_true(NT_STATUS_IS_OK(put(table, 92, &o)));
	assert_int_equal(count(table), 10);
	assert_false(has(table, 82));
	talloc_free(table);

	/* Lowered again, to 4, when only the oldest is more than a minute
	 * old: it goes, the young ones stay, and the table does not grow. */
	table = open_at(t, path, 4);
	fake_now = 20143 * SEC + 1; /* 83 is 60 s + 1 us old, 84 only 59 s */
	assert_true(NT_STATUS_IS_OK(put(table, 93, &o)));
	assert_int_equal(o, CERTTABLE_EVICTED);
	assert_int_equal(count(table), 10);
	assert_false(has(table, 83));
	assert_true(has(table, 84) && has(table, 93));
	talloc_free(t);
}

/*
 * The capacity is the table's: its writer records it, and an opener that
 * brings none (capacity 0: "bpau table" without --capacity) uses it, or
 * 100 for a table that records none.
 */
static void test_capacity_recorded(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	char *path = talloc_asprintf(t, "%s/recorded.tdb", dir);
	struct certtable *table;
	enum certtable_outcome o;
	(void)state;

	unlink(path);
	assert_true(NT_STATUS_IS_OK(certtable_open(t, path, 0, &table, NULL)));
	assert_int_equal(certtable_capacity(table), CERTTABLE_DEFAULT_CAPACITY);
	talloc_free(table);
	table = open_at(t, path, 3);
	fake_now = 30000 * SEC;
	for (int i = 0; i < 3; i++) {
		assert_true(NT_STATUS_IS_OK(put(table, i, &o)));
	}
	talloc_free(table);

	/* No capacity of its own: the table's 3, so the table is full. */
	table = open_at(t, path, 0);
	assert_int_equal(certtable_capacity(table), 3);
	assert_true(NT_STATUS_EQUAL(put(table, 3, &o), NT_STATUS_CERTTABLE_FULL));
	talloc_free(table);

	/* A writer with its own (5) records it; a removal keeps it. */
	table = open_at(t, path, 5);
	assert_true(NT_STATUS_IS_OK(put(table, 3, &o)));
	assert_int_equal(o, CERTTABLE_ADDED);
	talloc_free(table);
	assert_true(NT_STATUS_IS_OK(certtable_open(t, path, 0, &table, NULL)));
	{
		struct crypto_sid sid = sid_of(0);
		assert_true(NT_STATUS_IS_OK(certtable_remove(table, &sid)));
	}
	talloc_free(table);
	assert_true(NT_STATUS_IS_OK(certtable_open(t, path, 0, &table, NULL)));
	assert_int_equal(certtable_capacity(table), 5);
	talloc_free(table);

	/* A header from an earlier build records none: 100. */
	{
		struct tdb_context *tdb = tdb_open(path, 0, TDB_DEFAULT, O_RDWR, 0);
		assert_non_null(tdb);
		assert_true(drop_heap_size(tdb));
		tdb_close(tdb);
	}
	assert_true(NT_STATUS_IS_OK(certtable_open(t, path, 0, &table, NULL)));
	assert_int_equal(certtable_capacity(table), CERTTABLE_DEFAULT_CAPACITY);
	assert_int_equal(count(table), 3);
	talloc_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_insert_lookup_verify),
		cmocka_unit_test(test_same_sid_replaces),
		cmocka_unit_test(test_capacity_one),
		cmocka_unit_test(test_capacity_hundred),
		cmocka_unit_test(test_capacity_lowered),
		cmocka_unit_test(test_capacity_recorded),
		cmocka_unit_test(test_remove_and_reopen),
		cmocka_unit_test(test_open_refuses_other_files),
	};
	return cmocka_run_group_tests_name("certtable", tests, group_setup, group_teardown);
}
