/*
 * bench_negoex_mit_exchange.c: full SPNEGO/NEGOEX exchanges in one
 * process on MIT krb5's libgssapi_krb5 (Debian's), initiator against
 * acceptor, with MIT's negoextest plugin registered through
 * GSS_MECH_CONFIG (one scheme, HOPS as negoextest reads it): the MIT side
 * of bench_negoex_exchange.c.  Compiled by run.sh against pkg-config
 * mit-krb5-gssapi, never by waf (the waf build is Heimdal's).
 *
 *   GSS_MECH_CONFIG=FILE bench_negoex_mit_exchange ITER REPS
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gssapi/gssapi.h>

static gss_OID_desc spnego = {6, "\x2b\x06\x01\x05\x05\x02"};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void one_exchange(gss_name_t target)
{
	gss_ctx_id_t ic = GSS_C_NO_CONTEXT, ac = GSS_C_NO_CONTEXT;
	gss_buffer_desc itok = GSS_C_EMPTY_BUFFER, atok = GSS_C_EMPTY_BUFFER;
	OM_uint32 imaj = GSS_S_CONTINUE_NEEDED, amaj = GSS_S_CONTINUE_NEEDED, min;

	for (int turn = 0; turn < 32; turn++) {
		imaj = gss_init_sec_context(&min, GSS_C_NO_CREDENTIAL, &ic, target, &spnego, 0, 0,
					    GSS_C_NO_CHANNEL_BINDINGS, turn ? &atok : GSS_C_NO_BUFFER,
					    NULL, &itok, NULL, NULL);
		gss_release_buffer(&min, &atok);
		if (GSS_ERROR(imaj) || itok.length == 0) {
			break;
		}
		amaj = gss_accept_sec_context(&min, &ac, GSS_C_NO_CREDENTIAL, &itok,
					      GSS_C_NO_CHANNEL_BINDINGS, NULL, NULL, &atok, NULL,
					      NULL, NULL);
		gss_release_buffer(&min, &itok);
		/* the initiator done: the acceptor's last word (a bare
		 * accept-completed, if any) is not for it */
		if (GSS_ERROR(amaj) || imaj == GSS_S_COMPLETE || atok.length == 0) {
			break;
		}
	}
	gss_release_buffer(&min, &itok);
	gss_release_buffer(&min, &atok);
	gss_delete_sec_context(&min, &ic, GSS_C_NO_BUFFER);
	gss_delete_sec_context(&min, &ac, GSS_C_NO_BUFFER);
	if (imaj != GSS_S_COMPLETE || amaj != GSS_S_COMPLETE) {
		fprintf(stderr, "bench_negoex_mit_exchange: the exchange failed (%u, %u)\n",
			imaj, amaj);
		exit(1);
	}
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	gss_buffer_desc name = {4, "host"};
	gss_name_t target;
	OM_uint32 min;
	long iter, reps;
	double *t;

	if (argc != 3 || (iter = strtol(argv[1], NULL, 10)) < 1 ||
	    (reps = strtol(argv[2], NULL, 10)) < 1 || reps > 1000) {
		fprintf(stderr, "usage: GSS_MECH_CONFIG=FILE bench_negoex_mit_exchange ITER REPS\n");
		return 2;
	}
	if (GSS_ERROR(gss_import_name(&min, &name, GSS_C_NT_HOSTBASED_SERVICE, &target))) {
		return 1;
	}
	t = calloc((size_t)reps, sizeof(*t));
	if (t == NULL) {
		return 1;
	}
	one_exchange(target);
	for (long r = 0; r < reps; r++) {
		double start = now();

		for (long i = 0; i < iter; i++) {
			one_exchange(target);
		}
		t[r] = (now() - start) / (double)iter;
	}
	qsort(t, (size_t)reps, sizeof(*t), cmp);
	printf("MIT %.0f %.1f\n", 1.0 / t[reps / 2], t[reps / 2] * 1e6);
	gss_release_name(&min, &target);
	free(t);
	return 0;
}
