/*
 * bench_negoex.c: our NEGOEX codec per message, the same measurement as
 * bench_negoex_mit.c makes of MIT krb5's (bench/negoex/README.md).
 *
 *   bench_negoex ITERATIONS REPS FILE...
 *
 * Each FILE holds one NEGOEX message.  For each: parse+validate
 * (negoex_<msg>_parse, which copies the message and checks every rule)
 * and build (negoex_message_build from the parsed structure, which lays
 * the message out and parses what it built), ITERATIONS times a round,
 * REPS rounds; prints "FILE TYPE LEN parse_ns build_ns identical" with the
 * median ns per operation and whether the build gave the input's bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>

#include "bench/bench.h"
#include "crypto/wire/file.h"
#include "negoex/msg.h"

static NTSTATUS parse_one(TALLOC_CTX *t, const uint8_t *buf, size_t len,
			  enum negoex_message_type type, struct negoex_message *m)
{
	const char *why = NULL;

	m->type = type;
	m->offset = 0;
	switch (type) {
	case NEGOEX_MESSAGE_TYPE_INITIATOR_NEGO:
	case NEGOEX_MESSAGE_TYPE_ACCEPTOR_NEGO:
		return negoex_nego_parse(t, buf, len, &m->u.nego, &why);
	case NEGOEX_MESSAGE_TYPE_VERIFY:
		return negoex_verify_parse(t, buf, len, &m->u.verify, &why);
	case NEGOEX_MESSAGE_TYPE_ALERT:
		return negoex_alert_parse(t, buf, len, &m->u.alert, &why);
	default:
		return negoex_exchange_parse(t, buf, len, &m->u.exchange, &why);
	}
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[n / 2];
}

int main(int argc, char **argv)
{
	TALLOC_CTX *top = talloc_new(NULL);
	long iterations, reps;

	if (argc < 4 || (iterations = atol(argv[1])) <= 0 || (reps = atol(argv[2])) <= 0 ||
	    reps > 99) {
		fprintf(stderr, "usage: bench_negoex ITERATIONS REPS FILE...\n");
		return 2;
	}
	for (int f = 3; f < argc; f++) {
		double parse_ns[99], build_ns[99];
		struct negoex_header h;
		struct negoex_message m;
		uint8_t *buf = NULL, *out = NULL;
		size_t len = 0, out_len = 0;
		const char *why = NULL;
		int err = 0;
		bool identical;

		if (!NT_STATUS_IS_OK(crypto_read_file(top, argv[f], false, 1 << 20, &buf, &len, &err)) ||
		    !NT_STATUS_IS_OK(negoex_header_parse(buf, len, &h, &why)) ||
		    !NT_STATUS_IS_OK(parse_one(top, buf, len, h.type, &m)) ||
		    !NT_STATUS_IS_OK(negoex_message_build(top, &m, &out, &out_len, &why))) {
			fprintf(stderr, "bench_negoex: %s does not parse and build\n", argv[f]);
			return 1;
		}
		identical = out_len == len && memcmp(out, buf, len) == 0;
		for (long r = 0; r < reps; r++) {
			double t0 = now_ns();

			for (long i = 0; i < iterations; i++) {
				struct negoex_message p;

				if (!NT_STATUS_IS_OK(parse_one(top, buf, len, h.type, &p))) {
					abort();
				}
				talloc_free(p.u.nego); /* the union's one pointer */
			}
			parse_ns[r] = (now_ns() - t0) / (double)iterations;
			t0 = now_ns();
			for (long i = 0; i < iterations; i++) {
				if (!NT_STATUS_IS_OK(negoex_message_build(top, &m, &out, &out_len, &why))) {
					abort();
				}
				talloc_free(out);
			}
			build_ns[r] = (now_ns() - t0) / (double)iterations;
		}
		printf("%s %s %zu %.0f %.0f %s\n", argv[f], negoex_message_type_name(h.type), len,
		       median(parse_ns, (int)reps), median(build_ns, (int)reps),
		       identical ? "identical" : "differs");
	}
	talloc_free(top);
	return 0;
}
