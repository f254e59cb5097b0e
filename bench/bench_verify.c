/*
 * bench_verify.c: "Verifying authentication status" (MS-BPAU 3.1.6.1)
 * lookups per second at 100, 10^4 and 10^6 table entries.
 *
 * The tables are filled with synthetic entries (distinct SIDs, random
 * 64-byte "certificates": the lookup hashes and compares bytes, it does not
 * decode them) in one batch transaction each.  Prints ns per lookup, the
 * median of 5 rounds with min-max, for certificates present and absent;
 * then, the table being full, the cost of a durable insert that evicts
 * its oldest entry (us, median of 21 with min-max): the eviction heap's
 * work and tdb's commit on a file of that size.
 *
 *   bench_verify [DIR]     (default: a new directory under /tmp)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench.h"
#include "certtable/certtable.h"

#define CERT_LEN 64
#define ROUNDS 5
#define LOOKUPS 200000
#define EVICTIONS 21

/* Two minutes after the fill, so that every entry may be evicted. */
static uint64_t later_us;
static uint64_t later_clock(void *private_data)
{
	(void)private_data;
	return later_us++;
}

static uint8_t *cert_bytes(uint8_t *buf, size_t i)
{
	/* Deterministic per index, so lookups can rebuild any entry. */
	uint64_t x = 0x9e3779b97f4a7c15ull * (i + 1);
	for (size_t k = 0; k < CERT_LEN; k++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		buf[k] = (uint8_t)x;
	}
	return buf;
}

static double run(struct certtable *t, size_t n, bool present)
{
	uint8_t cert[CERT_LEN];
	double t0 = now_ns();
	size_t hits = 0;
	for (size_t k = 0; k < LOOKUPS; k++) {
		size_t i = (k * 7919) % n;
		cert_bytes(cert, present ? i : n + i);
		hits += certtable_verify(t, cert, CERT_LEN, NULL);
	}
	double ns = (now_ns() - t0) / LOOKUPS;
	if (hits != (present ? LOOKUPS : 0)) {
		fprintf(stderr, "bench_verify: wrong answers (%zu hits)\n", hits);
		exit(1);
	}
	return ns;
}

int main(int argc, char **argv)
{
	static const size_t sizes[] = {100, 10000, 1000000};
	char dir[] = "/tmp/bpau-bench-verify-XXXXXX";
	const char *base = argc > 1 ? argv[1] : mkdtemp(dir);

	if (base == NULL) {
		perror("mkdtemp");
		return 1;
	}
	printf("%-10s %24s %24s %12s %26s\n", "entries", "present ns/lookup", "absent ns/lookup",
	       "fill s", "evicting insert us");
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		TALLOC_CTX *t = talloc_new(NULL);
		size_t n = sizes[s];
		char *path = talloc_asprintf(t, "%s/verify-%zu.tdb", base, n);
		struct certtable *table;
		uint8_t raw[CERT_LEN];
		double fill0 = now_ns();

		unlink(path);
		if (!NT_STATUS_IS_OK(certtable_open(t, path, (unsigned)n, &table, NULL)) ||
		    !NT_STATUS_IS_OK(certtable_batch_begin(table))) {
			fprintf(stderr, "bench_verify: cannot create %s\n", path);
			return 1;
		}
		for (size_t i = 0; i < n; i++) {
			struct certblob blob = {.raw = raw, .raw_len = CERT_LEN, .cert = raw,
						.cert_len = CERT_LEN};
			struct crypto_sid sid = {.revision = 1, .num_auths = 5, .authority = 5,
						 .sub_auths = {21, 1, 2, 3, (uint32_t)(1000 + i)}};
			enum certtable_outcome o;
			cert_bytes(raw, i);
			if (!NT_STATUS_IS_OK(certtable_insert(table, &sid, "BENCH$@BPAU.TEST", &blob, &o))) {
				fprintf(stderr, "bench_verify: insert %zu failed\n", i);
				return 1;
			}
		}
		if (!NT_STATUS_IS_OK(certtable_batch_commit(table))) {
			fprintf(stderr, "bench_verify: commit failed\n");
			return 1;
		}
		double fill = (now_ns() - fill0) / 1e9;
		double p[ROUNDS], a[ROUNDS];
		for (int r = 0; r < ROUNDS; r++) {
			p[r] = run(table, n, true);
			a[r] = run(table, n, false);
		}
		qsort(p, ROUNDS, sizeof(double), cmp_double);
		qsort(a, ROUNDS, sizeof(double), cmp_double);
		/* The table is full: each insert of a new SID evicts. */
		double ev[EVICTIONS];
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		later_us = ((uint64_t)ts.tv_sec + 120) * 1000000u;
		certtable_set_clock(table, later_clock, NULL);
		for (int k = 0; k < EVICTIONS; k++) {
			struct certblob blob = {.raw = raw, .raw_len = CERT_LEN, .cert = raw,
						.cert_len = CERT_LEN};
			struct crypto_sid sid = {.revision = 1, .num_auths = 5, .authority = 5,
						 .sub_auths = {21, 1, 2, 4, (uint32_t)k}};
			enum certtable_outcome o;
			cert_bytes(raw, 2 * n + (size_t)k);
			double e0 = now_ns();
			if (!NT_STATUS_IS_OK(certtable_insert(table, &sid, "BENCH$@BPAU.TEST", &blob, &o)) ||
			    o != CERTTABLE_EVICTED) {
				fprintf(stderr, "bench_verify: evicting insert %d failed\n", k);
				return 1;
			}
			ev[k] = (now_ns() - e0) / 1e3;
		}
		qsort(ev, EVICTIONS, sizeof(double), cmp_double);
		printf("%-10zu %8.0f (%6.0f-%6.0f) %8.0f (%6.0f-%6.0f) %12.1f %8.0f (%6.0f-%6.0f)\n", n,
		       p[ROUNDS / 2], p[0], p[ROUNDS - 1], a[ROUNDS / 2], a[0], a[ROUNDS - 1], fill,
		       ev[EVICTIONS / 2], ev[0], ev[EVICTIONS - 1]);
		fflush(stdout);
		talloc_free(t);
		unlink(path);
	}
	if (argc <= 1) {
		rmdir(base);
	}
	return 0;
}
