/*
 * bench_negoex_exchange.c: full SPNEGO/NEGOEX exchanges in one process,
 * our initiator against our acceptor (negoex/spnego around two
 * negoex/engine instances) with the test auth scheme, MIT negoextest's
 * twin (tests/tools/negoex_testscheme.h; it reads negoextest's HOPS).
 * Prints the median over REPS rounds of ITER exchanges, in exchanges per
 * second and microseconds per exchange.  bench/negoex/README.md.
 *
 *   bench_negoex_exchange [--shared-context] ITER REPS
 *
 * --shared-context: one krb5_context for every engine (as a server would
 * hold one), instead of one per engine (krb5_init_context each time).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <krb5.h>

#include "negoex/spnego/negoex_spnego.h"
#include "tests/tools/negoex_testscheme.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* a krb5_context shared by every engine (--shared-context); NULL: each
 * engine makes its own */
static krb5_context shared;

static struct negoex_spnego *side(TALLOC_CTX *mem, enum negoex_role role,
				  const struct negoex_scheme *scheme)
{
	struct negoex_engine_config cfg = {
		.role = role, .schemes = scheme, .num_schemes = 1, .krb5_context = shared};
	struct negoex_spnego_config scfg = {.role = role};
	struct negoex_spnego *sp;
	const char *reason = NULL;

	if (!NT_STATUS_IS_OK(negoex_engine_new(mem, &cfg, &scfg.engine, &reason)) ||
	    !NT_STATUS_IS_OK(negoex_spnego_new(mem, &scfg, &sp, &reason))) {
		fprintf(stderr, "bench_negoex_exchange: setup: %s\n", reason ? reason : "?");
		exit(1);
	}
	return sp;
}

/* one_exchange: initiator and acceptor until both are done. */
static void one_exchange(const struct negoex_scheme *scheme)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct negoex_spnego *ini = side(mem, NEGOEX_ROLE_INITIATOR, scheme);
	struct negoex_spnego *acc = side(mem, NEGOEX_ROLE_ACCEPTOR, scheme);
	NTSTATUS si, sa = NT_STATUS_MORE_PROCESSING_REQUIRED;
	uint8_t *tok = NULL;
	size_t len = 0;
	const char *reason = NULL;

	si = negoex_spnego_step(ini, mem, NULL, 0, &tok, &len, &reason);
	for (int turn = 0; len > 0 && turn < 64; turn++) {
		uint8_t *in = tok;
		size_t in_len = len;

		if (turn % 2 == 0) {
			sa = negoex_spnego_step(acc, mem, in, in_len, &tok, &len, &reason);
		} else {
			si = negoex_spnego_step(ini, mem, in, in_len, &tok, &len, &reason);
		}
	}
	if (!NT_STATUS_IS_OK(si) || !NT_STATUS_IS_OK(sa)) {
		fprintf(stderr, "bench_negoex_exchange: the exchange failed: %s\n",
			reason ? reason : "?");
		exit(1);
	}
	talloc_free(mem);
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	struct negoex_scheme scheme;
	long iter, reps;
	double *t;
	bool share = argc > 1 && strcmp(argv[1], "--shared-context") == 0;

	if (share) {
		argc--;
		argv++;
		if (krb5_init_context(&shared) != 0) {
			fprintf(stderr, "bench_negoex_exchange: krb5_init_context failed\n");
			return 1;
		}
	}
	if (argc != 3 || (iter = strtol(argv[1], NULL, 10)) < 1 ||
	    (reps = strtol(argv[2], NULL, 10)) < 1 || reps > 1000) {
		fprintf(stderr, "usage: bench_negoex_exchange [--shared-context] ITER REPS\n"
				"  exit 0 done, 1 an exchange failed, 2 usage\n");
		return 2;
	}
	negoex_testscheme_get(0, &scheme);
	t = calloc((size_t)reps, sizeof(*t));
	if (t == NULL) {
		return 1;
	}
	one_exchange(&scheme); /* warm-up, and proof it completes */
	for (long r = 0; r < reps; r++) {
		double start = now();

		for (long i = 0; i < iter; i++) {
			one_exchange(&scheme);
		}
		t[r] = (now() - start) / (double)iter;
	}
	qsort(t, (size_t)reps, sizeof(*t), cmp);
	printf("%s %.0f %.1f\n", share ? "ours(shared-krb5-context)" : "ours",
	       1.0 / t[reps / 2], t[reps / 2] * 1e6);
	if (shared != NULL) {
		krb5_free_context(shared);
	}
	free(t);
	return 0;
}
