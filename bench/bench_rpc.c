/*
 * bench_rpc.c: one measurement of the BPAU RPC benchmark (bench/run.sh
 * drives it: domain, identities, repetitions, medians, ratios).
 *
 *   bench_rpc MODE --host FQDN --address IP --principal P [--ccache CC]
 *             [--blob FILE] [--count N] [--concurrency C] [--pool FILE]
 *             [--server-pid PID]
 *
 * MODE
 *   exchange-one    one association, N ExchangePublicKeys with --blob
 *   exchange-first  one association per identity in --pool (lines
 *                   "CCACHE BLOBFILE"), set up first; then each makes its
 *                   first exchange (a new certificate: decode + insert)
 *   exchange-new    C processes x N: endpoint mapper, connect, Kerberos
 *                   bind, exchange, close
 *   samr-enum       one association to SAMR at --host, N EnumDomains
 *   samr-first      as exchange-first, to SAMR: each association's first
 *                   call is Connect2 (Samba's own first call, for scale)
 *   samr-new        C processes x N: connect, bind, Connect2, close
 *   enum-once       what bpau exchange does, with Samba's call instead of
 *                   ours: set up the client library, endpoint mapper,
 *                   connect, Kerberos bind at privacy to SAMR, Connect2 (for
 *                   the handle), one EnumDomains, exit; run.sh times the
 *                   whole process
 *   noop            load the same libraries (this program) and exit: the
 *                   process start-up alone, for scale
 * Prints "rate CALLS_PER_SECOND" (timed part only; not for enum-once and
 * noop).  The two first-call
 * modes also print each timed call's latency ("median_us", and "head_us":
 * the mean of the first quarter of the calls, which pay for what the
 * binds before them left behind in both processes) and, with
 * --server-pid (a server on this machine), "server_cpu_us": that
 * process's CPU time, all its threads, per timed call.
 */
#include <dirent.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gen_ndr/ndr_samr.h>

#include "bench/bench.h"
#include "gen/ndr_bitspeerauth_c.h"
#include "rpc/client/session.h"
#include "crypto/wire/file.h"

struct args {
	const char *mode, *host, *address, *principal, *ccache, *blob, *pool;
	int count, concurrency;
	long server_pid;
};

/* cpu_ns: CPU time of all of PID's threads so far (schedstat), or -1. */
static double cpu_ns(long pid)
{
	char path[320];
	double total = 0;
	snprintf(path, sizeof(path), "/proc/%ld/task", pid);
	DIR *d = opendir(path);
	struct dirent *e;
	if (d == NULL) {
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		uint64_t run;
		if (e->d_name[0] == '.') {
			continue;
		}
		snprintf(path, sizeof(path), "/proc/%ld/task/%s/schedstat", pid, e->d_name);
		FILE *f = fopen(path, "r");
		if (f != NULL && fscanf(f, "%" SCNu64, &run) == 1) {
			total += (double)run;
		}
		if (f != NULL) {
			fclose(f);
		}
	}
	closedir(d);
	return total;
}

static double now_s(void)
{
	return now_ns() / 1e9;
}

static void die(const char *what, NTSTATUS status, const struct bpau_client_result *r)
{
	fprintf(stderr, "bench_rpc: %s: %s%s%s\n", what, nt_errstr(status), r && r->message ? ": " : "",
		r && r->message ? r->message : "");
	exit(1);
}

static uint8_t *read_blob(TALLOC_CTX *t, const char *path, size_t *len)
{
	uint8_t *b;
	int err;
	if (!NT_STATUS_IS_OK(crypto_read_file(t, path, false, CERTBLOB_MAX_LEN + 1, &b, len, &err))) {
		fprintf(stderr, "bench_rpc: cannot read %s: %s\n", path, strerror(err));
		exit(1);
	}
	return b;
}

static struct dcerpc_pipe *connect_as(TALLOC_CTX *t, const struct args *a, const char *ccache,
				      const struct ndr_interface_table *table)
{
	struct bpau_client_opts o = {.ccache = ccache, .timeout = BPAU_CALL_TIMEOUT};
	struct bpau_client_result *r = talloc_zero(t, struct bpau_client_result);
	struct bpau_session *s = talloc_zero(t, struct bpau_session);
	struct dcerpc_pipe *p;
	NTSTATUS status = bpau_session_setup(t, &o, s, r);
	if (!NT_STATUS_IS_OK(status)) {
		die("setup", status, r);
	}
	status = bpau_session_connect(t, s, a->host, a->address, a->principal, table, &p, r);
	if (!NT_STATUS_IS_OK(status)) {
		die("connect", status, r);
	}
	dcerpc_binding_handle_set_timeout(p->binding_handle, BPAU_CALL_TIMEOUT);
	return p;
}

static void exchange(struct dcerpc_pipe *p, const uint8_t *blob, size_t len)
{
	TALLOC_CTX *t = talloc_new(p);
	uint32_t out_len = 0;
	uint8_t *out = NULL;
	HRESULT hr;
	NTSTATUS status = dcerpc_bitspeerauth_ExchangePublicKeys(p->binding_handle, t, (uint32_t)len,
								 discard_const_p(uint8_t, blob),
								 &out_len, &out, &hr);
	if (!NT_STATUS_IS_OK(status) || HRES_ERROR_V(hr) != 0 || out_len == 0) {
		fprintf(stderr, "bench_rpc: exchange: %s, HRESULT 0x%08x\n", nt_errstr(status),
			(unsigned)HRES_ERROR_V(hr));
		exit(1);
	}
	talloc_free(t);
}

static void samr_connect2(struct dcerpc_pipe *p, struct policy_handle *h)
{
	struct samr_Connect2 c = {.in.access_mask = SAMR_ACCESS_CONNECT_TO_SERVER |
						    SAMR_ACCESS_ENUM_DOMAINS,
				  .out.connect_handle = h};
	NTSTATUS status = dcerpc_binding_handle_call(p->binding_handle, NULL, &ndr_table_samr,
						     NDR_SAMR_CONNECT2, p, &c);
	if (!NT_STATUS_IS_OK(status) || !NT_STATUS_IS_OK(c.out.result)) {
		die("samr Connect2", NT_STATUS_IS_OK(status) ? c.out.result : status, NULL);
	}
}

static void samr_enum(struct dcerpc_pipe *p, struct policy_handle *h)
{
	TALLOC_CTX *t = talloc_new(p);
	uint32_t resume = 0, n = 0;
	struct samr_SamArray *sam = NULL;
	struct samr_EnumDomains e = {.in.connect_handle = h, .in.resume_handle = &resume,
				     .in.buf_size = (uint32_t)-1, .out.resume_handle = &resume,
				     .out.sam = &sam, .out.num_entries = &n};
	NTSTATUS status = dcerpc_binding_handle_call(p->binding_handle, NULL, &ndr_table_samr,
						     NDR_SAMR_ENUMDOMAINS, t, &e);
	if (!NT_STATUS_IS_OK(status) || !NT_STATUS_IS_OK(e.out.result) || n == 0) {
		die("samr EnumDomains", NT_STATUS_IS_OK(status) ? e.out.result : status, NULL);
	}
	talloc_free(t);
}

/* new_associations: C children, each N times a whole association. */
static double new_associations(const struct args *a, bool samr, const uint8_t *blob, size_t len)
{
	double t0 = now_s();
	for (int c = 0; c < a->concurrency; c++) {
		pid_t pid = fork();
		if (pid < 0) {
			perror("fork");
			exit(1);
		}
		if (pid == 0) {
			for (int i = 0; i < a->count; i++) {
				TALLOC_CTX *t = talloc_new(NULL);
				struct dcerpc_pipe *p = connect_as(
					t, a, a->ccache, samr ? &ndr_table_samr : &ndr_table_bitspeerauth);
				if (samr) {
					struct policy_handle h;
					samr_connect2(p, &h);
				} else {
					exchange(p, blob, len);
				}
				talloc_free(t);
			}
			_exit(0);
		}
	}
	for (int c = 0; c < a->concurrency; c++) {
		int st;
		if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "bench_rpc: a client failed\n");
			exit(1);
		}
	}
	return (double)a->count * a->concurrency / (now_s() - t0);
}

int main(int argc, char **argv)
{
	struct args a = {.count = 200, .concurrency = 1};
	TALLOC_CTX *t = talloc_new(NULL);
	uint8_t *blob = NULL;
	size_t len = 0;
	double rate = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: bench_rpc MODE --host FQDN --address IP --principal P ...\n");
		return 2;
	}
	a.mode = argv[1];
	if (!strcmp(a.mode, "noop")) {
		talloc_free(t);
		return 0;
	}
	for (int i = 2; i + 1 < argc; i += 2) {
		const char *k = argv[i], *v = argv[i + 1];
		if (!strcmp(k, "--host")) a.host = v;
		else if (!strcmp(k, "--address")) a.address = v;
		else if (!strcmp(k, "--principal")) a.principal = v;
		else if (!strcmp(k, "--ccache")) a.ccache = v;
		else if (!strcmp(k, "--blob")) a.blob = v;
		else if (!strcmp(k, "--pool")) a.pool = v;
		else if (!strcmp(k, "--count")) a.count = atoi(v);
		else if (!strcmp(k, "--concurrency")) a.concurrency = atoi(v);
		else if (!strcmp(k, "--server-pid")) a.server_pid = atol(v);
		else { fprintf(stderr, "bench_rpc: unknown option %s\n", k); return 2; }
	}
	if (a.host == NULL || a.principal == NULL || a.count <= 0 || a.concurrency <= 0) {
		fprintf(stderr, "bench_rpc: --host and --principal are required\n");
		return 2;
	}
	if (a.blob != NULL) {
		blob = read_blob(t, a.blob, &len);
	}

	if (!strcmp(a.mode, "exchange-one")) {
		struct dcerpc_pipe *p = connect_as(t, &a, a.ccache, &ndr_table_bitspeerauth);
		exchange(p, blob, len); /* warm: the entry exists from here on */
		double t0 = now_s();
		for (int i = 0; i < a.count; i++) {
			exchange(p, blob, len);
		}
		rate = a.count / (now_s() - t0);
	} else if (!strcmp(a.mode, "exchange-first") || !strcmp(a.mode, "samr-first")) {
		bool samr = !strcmp(a.mode, "samr-first");
		FILE *f = fopen(a.pool ? a.pool : "", "r");
		char cc[512], bf[512];
		struct dcerpc_pipe **pipes = talloc_array(t, struct dcerpc_pipe *, 1024);
		uint8_t **blobs = talloc_array(t, uint8_t *, 1024);
		size_t *lens = talloc_array(t, size_t, 1024);
		int n = 0;
		if (f == NULL) {
			fprintf(stderr, "bench_rpc: --pool FILE is required\n");
			return 2;
		}
		while (n < 1024 && fscanf(f, "%511s %511s", cc, bf) == 2) {
			pipes[n] = connect_as(t, &a, talloc_strdup(t, cc),
					      samr ? &ndr_table_samr : &ndr_table_bitspeerauth);
			blobs[n] = read_blob(t, bf, &lens[n]);
			n++;
		}
		fclose(f);
		if (n == 0) {
			fprintf(stderr, "bench_rpc: --pool %s names no identity\n", a.pool);
			return 2;
		}
		double *lat = talloc_array(t, double, n);
		double s0 = a.server_pid > 0 ? cpu_ns(a.server_pid) : -1;
		double t0 = now_s();
		for (int i = 0; i < n; i++) {
			double c0 = now_s();
			if (samr) {
				struct policy_handle h;
				samr_connect2(pipes[i], &h);
			} else {
				exchange(pipes[i], blobs[i], lens[i]);
			}
			lat[i] = (now_s() - c0) * 1e6;
		}
		rate = n / (now_s() - t0);
		double s1 = s0 >= 0 ? cpu_ns(a.server_pid) : -1;
		double head = 0;
		int nhead = n >= 4 ? n / 4 : 1;
		for (int i = 0; i < nhead; i++) {
			head += lat[i];
		}
		qsort(lat, n, sizeof(*lat), cmp_double);
		printf("median_us %.0f\nhead_us %.0f\n", n % 2 ? lat[n / 2] : (lat[n / 2 - 1] + lat[n / 2]) / 2,
		       head / nhead);
		if (s0 >= 0 && s1 >= 0) {
			printf("server_cpu_us %.0f\n", (s1 - s0) / 1000.0 / n);
		}
	} else if (!strcmp(a.mode, "exchange-new")) {
		rate = new_associations(&a, false, blob, len);
	} else if (!strcmp(a.mode, "samr-enum")) {
		struct dcerpc_pipe *p = connect_as(t, &a, a.ccache, &ndr_table_samr);
		struct policy_handle h;
		samr_connect2(p, &h);
		samr_enum(p, &h);
		double t0 = now_s();
		for (int i = 0; i < a.count; i++) {
			samr_enum(p, &h);
		}
		rate = a.count / (now_s() - t0);
	} else if (!strcmp(a.mode, "enum-once")) {
		struct dcerpc_pipe *p = connect_as(t, &a, a.ccache, &ndr_table_samr);
		struct policy_handle h;
		samr_connect2(p, &h);
		samr_enum(p, &h);
		talloc_free(t);
		return 0;
	} else if (!strcmp(a.mode, "samr-new")) {
		rate = new_associations(&a, true, NULL, 0);
	} else {
		fprintf(stderr, "bench_rpc: unknown mode %s\n", a.mode);
		return 2;
	}
	printf("rate %.1f\n", rate);
	talloc_free(t);
	return 0;
}
