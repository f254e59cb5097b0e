/*
 * bench_negoex_mit.c: MIT krb5's NEGOEX codec per message
 * (src/lib/gssapi/spnego/negoex_util.c), measured as bench_negoex.c
 * measures ours (bench/negoex/README.md).  Not built by waf: run.sh
 * compiles it against MIT's static libraries, built from .deps/krb5 at
 * bench time, because MIT's NEGOEX functions are internal to
 * libgssapi_krb5 (not exported by the shared library).
 *
 *   bench_negoex_mit ITERATIONS REPS FILE...
 *   bench_negoex_mit --write-alert FILE
 *
 * Parse: negoex_parse_token on the one message, with the context's
 * sequence number and conversation ID set to the message's (MIT checks
 * both there), then free() of the result, as MIT's callers do; MIT's
 * parse also formats its trace strings (trace_received_message) whether
 * or not tracing is on, which is part of its cost as it runs.  Build:
 * the negoex_add_* call for the type (the transcript buffer emptied
 * first), from the fields MIT parsed; a NEGO_MESSAGE's schemes come from
 * the context's mechanism list, set up once.  The output line is
 * bench_negoex.c's.
 */
#include "k5-int.h"
#include "gssapiP_spnego.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static const char *type_name(uint32_t t)
{
	static const char *const names[] = { "INITIATOR_NEGO", "ACCEPTOR_NEGO",
					     "INITIATOR_META_DATA", "ACCEPTOR_META_DATA",
					     "CHALLENGE", "AP_REQUEST", "VERIFY", "ALERT" };

	return t < 8 ? names[t] : "?";
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static OM_uint32 parse(spnego_gss_ctx_id_t ctx, const uint8_t *buf, size_t len,
		       struct negoex_message **msgs, size_t *count)
{
	gss_buffer_desc b;
	OM_uint32 minor;

	b.length = len;
	b.value = (void *)buf;
	ctx->negoex_seqnum = le32(buf + 12);
	memcpy(ctx->negoex_conv_id, buf + 24, GUID_LENGTH);
	return negoex_parse_token(&minor, ctx, &b, msgs, count);
}

static void set_schemes(spnego_gss_ctx_id_t ctx, const struct nego_message *n)
{
	struct negoex_auth_mech *mech;

	for (uint16_t i = 0; i < n->nschemes; i++) {
		mech = calloc(1, sizeof(*mech));
		if (mech == NULL)
			abort();
		memcpy(mech->scheme, n->schemes + i * GUID_LENGTH, GUID_LENGTH);
		K5_TAILQ_INSERT_TAIL(&ctx->negoex_mechs, mech, links);
	}
}

static void clear_schemes(spnego_gss_ctx_id_t ctx)
{
	struct negoex_auth_mech *mech;

	while ((mech = K5_TAILQ_FIRST(&ctx->negoex_mechs)) != NULL) {
		K5_TAILQ_REMOVE(&ctx->negoex_mechs, mech, links);
		free(mech);
	}
}

static void build(spnego_gss_ctx_id_t ctx, const struct negoex_message *m, uint32_t seq)
{
	gss_buffer_desc tok;
	uint8_t random[32];

	k5_buf_truncate(&ctx->negoex_transcript, 0);
	ctx->negoex_seqnum = seq;
	switch (m->type) {
	case INITIATOR_NEGO:
	case ACCEPTOR_NEGO:
		memcpy(random, m->u.n.random, sizeof(random));
		negoex_add_nego_message(ctx, m->type, random);
		break;
	case VERIFY:
		negoex_add_verify_message(ctx, m->u.v.scheme, m->u.v.cksum_type, m->u.v.cksum,
					  (uint32_t)m->u.v.cksum_len);
		break;
	case ALERT:
		negoex_add_verify_no_key_alert(ctx, m->u.a.scheme);
		break;
	default:
		tok = m->u.e.token;
		negoex_add_exchange_message(ctx, m->type, m->u.e.scheme, &tok);
		break;
	}
}

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = malloc(1 << 20);

	if (f == NULL || buf == NULL)
		return NULL;
	*len = fread(buf, 1, 1 << 20, f);
	fclose(f);
	return buf;
}

int main(int argc, char **argv)
{
	struct spnego_ctx_st ctx;
	long iterations, reps;

	memset(&ctx, 0, sizeof(ctx));
	k5_buf_init_dynamic(&ctx.negoex_transcript);
	K5_TAILQ_INIT(&ctx.negoex_mechs);
	if (krb5_init_context(&ctx.kctx) != 0) {
		fprintf(stderr, "bench_negoex_mit: krb5_init_context failed\n");
		return 1;
	}
	if (argc == 3 && strcmp(argv[1], "--write-alert") == 0) {
		/* an ALERT as MIT sends it: sequence 5, a PKU2U scheme */
		static const uint8_t conv[GUID_LENGTH] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
							   0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
							   0xcc, 0xdd, 0xee, 0xff };
		static const uint8_t pku2u[GUID_LENGTH] = { 0x5c, 0x33, 0x53, 0x0d, 0xea, 0xf9,
							    0x0d, 0x4d, 0xb2, 0xec, 0x4a, 0xe3,
							    0x78, 0x6e, 0xc3, 0x08 };
		FILE *f = fopen(argv[2], "wb");

		memcpy(ctx.negoex_conv_id, conv, GUID_LENGTH);
		ctx.negoex_seqnum = 5;
		negoex_add_verify_no_key_alert(&ctx, pku2u);
		if (f == NULL || fwrite(ctx.negoex_transcript.data, 1, ctx.negoex_transcript.len,
					f) != ctx.negoex_transcript.len || fclose(f) != 0) {
			fprintf(stderr, "bench_negoex_mit: cannot write %s\n", argv[2]);
			return 1;
		}
		return 0;
	}
	if (argc < 4 || (iterations = atol(argv[1])) <= 0 || (reps = atol(argv[2])) <= 0 ||
	    reps > 99) {
		fprintf(stderr, "usage: bench_negoex_mit ITERATIONS REPS FILE...\n");
		return 2;
	}
	for (int f = 3; f < argc; f++) {
		double parse_ns[99], build_ns[99];
		struct negoex_message *msgs = NULL;
		size_t len = 0, count = 0;
		uint8_t *buf = read_file(argv[f], &len);
		uint32_t seq;
		int identical;

		if (buf == NULL || len < 40 || parse(&ctx, buf, len, &msgs, &count) != GSS_S_COMPLETE ||
		    count != 1) {
			fprintf(stderr, "bench_negoex_mit: %s does not parse\n", argv[f]);
			return 1;
		}
		seq = le32(buf + 12);
		if (msgs[0].type == INITIATOR_NEGO || msgs[0].type == ACCEPTOR_NEGO)
			set_schemes(&ctx, &msgs[0].u.n);
		build(&ctx, &msgs[0], seq);
		identical = ctx.negoex_transcript.len == len &&
			    memcmp(ctx.negoex_transcript.data, buf, len) == 0;
		for (long r = 0; r < reps; r++) {
			double t0 = now_ns();

			for (long i = 0; i < iterations; i++) {
				struct negoex_message *p = NULL;
				size_t n = 0;

				if (parse(&ctx, buf, len, &p, &n) != GSS_S_COMPLETE)
					abort();
				free(p);
			}
			parse_ns[r] = (now_ns() - t0) / (double)iterations;
			t0 = now_ns();
			for (long i = 0; i < iterations; i++)
				build(&ctx, &msgs[0], seq);
			build_ns[r] = (now_ns() - t0) / (double)iterations;
		}
		qsort(parse_ns, (size_t)reps, sizeof(double), cmp_double);
		qsort(build_ns, (size_t)reps, sizeof(double), cmp_double);
		printf("%s %s %zu %.0f %.0f %s\n", argv[f], type_name(msgs[0].type), len,
		       parse_ns[reps / 2], build_ns[reps / 2], identical ? "identical" : "differs");
		clear_schemes(&ctx);
		free(msgs);
		free(buf);
	}
	k5_buf_free(&ctx.negoex_transcript);
	krb5_free_context(ctx.kctx);
	return 0;
}
