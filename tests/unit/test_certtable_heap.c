/*
 * test_certtable_heap.c: the peer certificate table's eviction heap
 * (MS-BPAU 3.1.4.1 note 3): against a model of the table, with the heap
 * damaged between opens and the clock stepped back, and with two processes
 * evicting from one file at once.
 */
#include "certtable_fixtures.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <tdb.h>
#include <unistd.h>

/* tamper_heap: between two opens, the heap as another program or a damaged
 * disk may leave it: 0 drops its size from the header, 1 damages item |i|,
 * 2 deletes item |i|. */
static void tamper_heap(const char *path, int how, uint32_t i)
{
	struct tdb_context *tdb = tdb_open(path, 0, TDB_DEFAULT, O_RDWR, 0);
	uint8_t kb[6] = {'Q', ':', (uint8_t)i, (uint8_t)(i >> 8), (uint8_t)(i >> 16),
			 (uint8_t)(i >> 24)};
	TDB_DATA q = {kb, sizeof(kb)};
	TDB_DATA junk = {(uint8_t *)"\x01\x02rot", 5};

	assert_non_null(tdb);
	if (how == 0) {
		(void)drop_heap_size(tdb);
	} else if (how == 1) {
		tdb_store(tdb, q, junk, TDB_MODIFY);
	} else {
		tdb_delete(tdb, q);
	}
	tdb_close(tdb);
}

/*
 * The eviction heap against a model of the table (MS-BPAU 3.1.4.1 note 3
 * by brute force: the oldest entry by time, refused within a minute):
 * random inserts of new and present SIDs (some with a hex authority),
 * refreshes, removals, now and then a heap damaged or deleted between
 * opens, and now and then the clock stepped back.  Every outcome, and
 * after every step the entries and their times, must be the model's.
 * With clock steps: young is within a minute either way; a refresh never
 * moves a time back; a replacement takes the clock's time.
 */
static void test_eviction_heap_model(void **state)
{
	enum { CAP = 8, SIDS = 20, STEPS = 3000 };
	TALLOC_CTX *t = talloc_new(NULL);
	char *path = talloc_asprintf(t, "%s/heapmodel.tdb", dir);
	struct certtable *table;
	uint64_t when[SIDS] = {0}; /* 0: absent */
	unsigned seed = 12345, evictions = 0, refusals = 0, rebuilds = 0, steps_back = 0;
	unsigned future_evictions = 0;
	(void)state;

	unlink(path);
	table = open_at(t, path, CAP);
	fake_now = 100000 * SEC;
	for (int step = 0; step < STEPS; step++) {
		int op = rand_r(&seed) % 10, i = rand_r(&seed) % SIDS, n = 0, oldest = -1;
		struct crypto_sid sid = sid_of(i);
		enum certtable_outcome o;
		NTSTATUS st;

		fake_now += 1 + (uint64_t)(rand_r(&seed) % (8 * SEC));
		if (rand_r(&seed) % 100 == 0) { /* the clock stepped back, up to 10 min */
			fake_now -= (uint64_t)(rand_r(&seed) % (600 * SEC));
			steps_back++;
		}
		for (int k = 0; k < SIDS; k++) {
			if (when[k] != 0) {
				n++;
				if (oldest < 0 || when[k] < when[oldest]) {
					oldest = k;
				}
			}
		}
		if (op < 6) { /* insert */
			st = put(table, i, &o);
			if (when[i] != 0) {
				assert_true(NT_STATUS_IS_OK(st));
				assert_int_equal(o, CERTTABLE_REPLACED);
				when[i] = fake_now;
			} else if (n < CAP) {
				assert_true(NT_STATUS_IS_OK(st));
				assert_int_equal(o, CERTTABLE_ADDED);
				when[i] = fake_now;
			} else if ((fake_now >= when[oldest] ? fake_now - when[oldest]
							     : when[oldest] - fake_now) <= 60 * SEC) {
				assert_true(NT_STATUS_EQUAL(st, NT_STATUS_CERTTABLE_FULL));
				refusals++;
			} else {
				assert_true(NT_STATUS_IS_OK(st));
				assert_int_equal(o, CERTTABLE_EVICTED);
				future_evictions += when[oldest] > fake_now;
				when[oldest] = 0;
				when[i] = fake_now;
				evictions++;
			}
		} else if (op < 8) { /* a repeated exchange, same certificate */
			bool refreshed;
			assert_true(NT_STATUS_IS_OK(certtable_refresh(table, &sid, "PEER$@BPAU.TEST",
								      pool[i]->raw, pool[i]->raw_len,
								      &refreshed)));
			assert_int_equal(refreshed, when[i] != 0);
			if (when[i] != 0 && fake_now > when[i]) {
				when[i] = fake_now;
			}
		} else if (op < 9) { /* bpau table remove */
			st = certtable_remove(table, &sid);
			assert_int_equal(NT_STATUS_IS_OK(st), when[i] != 0);
			when[i] = 0;
		} else if (rand_r(&seed) % 4 == 0) { /* the heap damaged between opens */
			talloc_free(table);
			tamper_heap(path, rand_r(&seed) % 3, (uint32_t)(rand_r(&seed) % CAP));
			rebuilds++;
			table = open_at(t, path, CAP);
		}
		/* The table's entries and times are the model's. */
		struct certtable_entry **list;
		size_t got;
		assert_true(NT_STATUS_IS_OK(certtable_list(table, t, &list, &got)));
		n = 0;
		for (int k = 0; k < SIDS; k++) {
			n += when[k] != 0;
		}
		assert_int_equal(got, n);
		assert_int_equal(count(table), n);
		for (size_t e = 0; e < got; e++) {
			int k = -1;
			for (int j = 0; j < SIDS; j++) {
				struct crypto_sid sj = sid_of(j);
				if (crypto_sid_equal(&list[e]->sid, &sj)) {
					k = j;
				}
			}
			assert_true(k >= 0);
			assert_int_equal(list[e]->inserted_us, when[k]);
		}
		talloc_free(list);
	}
	print_message("evictions %u (%u of entries dated ahead of the clock), refusals %u, "
		      "heap tampered %u, clock stepped back %u\n",
		      evictions, future_evictions, refusals, rebuilds, steps_back);
	/* The run exercised what it is for. */
	assert_true(evictions > 100 && refusals > 100 && rebuilds > 10 && steps_back > 10 &&
		    future_evictions > 0);
	talloc_free(t);
}

/* A clock shared by forked processes that moves 10 s at every reading: a
 * full table of CAP entries always has one more than a minute old, however
 * fast or slow the machine runs the inserts (a wall clock sped up 10,000
 * times failed that on a fast disk, with inserts under 0.6 ms apart).  The
 * counter lives in a shared anonymous mapping. */
static uint64_t *shared_ticks;
static uint64_t ticking_clock(void *p)
{
	(void)p;
	return 1700000000ull * SEC + __atomic_fetch_add(shared_ticks, 1, __ATOMIC_SEQ_CST) * 10 * SEC;
}

/*
 * Two processes filling a small table past its capacity at once, one of
 * them also refreshing entries: every insert succeeds (by eviction), the
 * table ends full and consistent, and its heap still gives up entries
 * oldest first.
 */
static void test_two_processes_evicting(void **state)
{
	enum { CAP = 10 };
	TALLOC_CTX *t = talloc_new(NULL);
	char *path = talloc_asprintf(t, "%s/shared-evict.tdb", dir);
	struct certtable *table;
	struct certtable_entry **list, *e;
	size_t n;
	pid_t pids[2];
	(void)state;

	unlink(path);
	shared_ticks = mmap(NULL, sizeof(*shared_ticks), PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(shared_ticks != MAP_FAILED);
	*shared_ticks = 0;
	for (int p = 0; p < 2; p++) {
		pids[p] = fork();
		assert_true(pids[p] >= 0);
		if (pids[p] == 0) {
			struct certtable *mine;
			enum certtable_outcome o;
			bool refreshed;
			if (!NT_STATUS_IS_OK(certtable_open(NULL, path, CAP, &mine, NULL))) {
				_exit(2);
			}
			certtable_set_clock(mine, ticking_clock, NULL);
			for (int i = p; i < 60; i += 2) {
				if (!NT_STATUS_IS_OK(put(mine, i, &o))) {
					_exit(3);
				}
				if (p == 1 && i >= 4) { /* a repeated exchange of an earlier peer */
					struct crypto_sid sid = sid_of(i - 4);
					if (!NT_STATUS_IS_OK(certtable_refresh(mine, &sid, "PEER$@BPAU.TEST",
									       pool[i - 4]->raw,
									       pool[i - 4]->raw_len,
									       &refreshed))) {
						_exit(4);
					}
				}
			}
			_exit(0);
		}
	}
	wait_children_ok(pids, 2);
	table = open_at(t, path, CAP);
	assert_int_equal(count(table), CAP);
	assert_true(NT_STATUS_IS_OK(certtable_list(table, t, &list, &n)));
	assert_int_equal(n, CAP);
	/* Later on, each new peer evicts what the list says is the oldest. */
	fake_now = list[CAP - 1]->inserted_us + 3600 * SEC;
	for (int k = 0; k < CAP; k++) {
		enum certtable_outcome o;
		struct crypto_sid oldest;
		assert_true(NT_STATUS_IS_OK(certtable_list(table, t, &list, &n)));
		assert_int_equal(n, CAP);
		oldest = list[0]->sid;
		fake_now += SEC;
		assert_true(NT_STATUS_IS_OK(put(table, 60 + k, &o)));
		assert_int_equal(o, CERTTABLE_EVICTED);
		assert_true(NT_STATUS_EQUAL(certtable_lookup(table, t, &oldest, &e),
					    NT_STATUS_NOT_FOUND));
		for (size_t j = 1; j < n; j++) {
			assert_true(NT_STATUS_IS_OK(certtable_lookup(table, t, &list[j]->sid, &e)));
		}
	}
	munmap(shared_ticks, sizeof(*shared_ticks));
	talloc_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_processes_evicting),
		cmocka_unit_test(test_eviction_heap_model),
	};
	return cmocka_run_group_tests_name("certtable_heap", tests, group_setup, group_teardown);
}
