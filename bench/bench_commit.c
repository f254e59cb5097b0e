/*
 * bench_commit.c: what a durable table insert costs on this machine's
 * disk, for the first-exchange line of bench/run.sh.
 *
 *   bench_commit DIR [N [RAMDIR]]     (N inserts, default 300)
 *
 * In DIR (put it where the tables live): the median and min-max of
 *   - certtable_insert of a new certificate for one of 32 SIDs (the
 *     first-exchange path's table write: one tdb transaction, durable);
 *   - one 4 KiB overwrite of an allocated block and fdatasync: the least
 *     any durable write can cost here, one device flush.
 * In RAMDIR, if given (a tmpfs, where fdatasync returns at once): the same
 * inserts again, which leaves tdb's own work in a transaction (its locks,
 * its recovery area, its remapping of the file) without the device.
 * Prints "commit_us M LO HI", "flush_us M LO HI" and, with RAMDIR,
 * "commit_ram_us M LO HI" (microseconds).
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench.h"
#include "certtable/certtable.h"

#define CERT_LEN 700

static void report(const char *name, double *v, int n)
{
	qsort(v, (size_t)n, sizeof(double), cmp_double);
	printf("%s %.1f %.1f %.1f\n", name, v[n / 2], v[0], v[n - 1]);
}

/* inserts times |n| inserts of new certificates into a fresh table in
 * |dir|; false (with a message) if one fails. */
static bool inserts(TALLOC_CTX *t, const char *dir, int n, double *out)
{
	char *path = talloc_asprintf(t, "%s/bench-commit.tdb", dir);
	struct certtable *table;
	uint8_t raw[CERT_LEN];

	unlink(path);
	if (!NT_STATUS_IS_OK(certtable_open(t, path, 100, &table, NULL))) {
		fprintf(stderr, "bench_commit: cannot create %s\n", path);
		return false;
	}
	for (int i = 0; i < n; i++) {
		struct certblob blob = {.raw = raw, .raw_len = CERT_LEN, .cert = raw,
					.cert_len = CERT_LEN};
		struct crypto_sid sid = {.revision = 1, .num_auths = 5, .authority = 5,
					 .sub_auths = {21, 1, 2, 3, (uint32_t)(1000 + i % 32)}};
		enum certtable_outcome o;
		double t0;

		memset(raw, 0, sizeof(raw));
		memcpy(raw, &i, sizeof(i)); /* a new certificate every time */
		t0 = now_ns();
		if (!NT_STATUS_IS_OK(certtable_insert(table, &sid, "BENCH$@BPAU.TEST", &blob, &o))) {
			fprintf(stderr, "bench_commit: insert %d failed\n", i);
			return false;
		}
		out[i] = (now_ns() - t0) / 1e3;
	}
	talloc_free(table);
	unlink(path);
	return true;
}

int main(int argc, char **argv)
{
	TALLOC_CTX *t = talloc_new(NULL);
	int n = argc > 2 ? atoi(argv[2]) : 300;
	const char *ramdir = argc > 3 ? argv[3] : NULL;
	uint8_t block[4096];
	double *commit, *commit_ram, *flush;
	char *path;
	int fd;

	if (argc < 2 || argc > 4 || n < 3 || n > 100000) {
		fprintf(stderr, "usage: bench_commit DIR [N [RAMDIR]]\n");
		return 2;
	}
	commit = talloc_array(t, double, n);
	commit_ram = talloc_array(t, double, n);
	flush = talloc_array(t, double, n);
	if (!inserts(t, argv[1], n, commit) ||
	    (ramdir != NULL && !inserts(t, ramdir, n, commit_ram))) {
		return 1;
	}

	path = talloc_asprintf(t, "%s/bench-flush", argv[1]);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	memset(block, 0x5a, sizeof(block));
	if (fd < 0 || pwrite(fd, block, sizeof(block), 0) != (ssize_t)sizeof(block) ||
	    fsync(fd) != 0) {
		perror(path);
		return 1;
	}
	for (int i = 0; i < n; i++) {
		double t0 = now_ns();
		block[0] = (uint8_t)i;
		if (pwrite(fd, block, sizeof(block), 0) != (ssize_t)sizeof(block) ||
		    fdatasync(fd) != 0) {
			perror(path);
			return 1;
		}
		flush[i] = (now_ns() - t0) / 1e3;
	}
	close(fd);
	unlink(path);
	report("commit_us", commit, n);
	report("flush_us", flush, n);
	if (ramdir != NULL) {
		report("commit_ram_us", commit_ram, n);
	}
	talloc_free(t);
	return 0;
}
