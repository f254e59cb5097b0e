/*
 * bench_credssp.c: the load generator of the CredSSP benchmark
 * (bench/credssp/README.md).  One long-lived process per side and worker:
 * the parent opens the listening socket and both TLS contexts, forks C
 * server workers (each accepting in a loop) and C client workers (each
 * doing its share of the N logins), releases the clients at once and
 * times them until the last finishes.
 *
 *   --mode credssp  TLS, then the whole CredSSP exchange (credssp_tls_run:
 *                   NTLM through credssp/ntlmclient and credssp/ntlm's
 *                   SAM-file acceptor, the public-key binding, the
 *                   delegated password credential);
 *   --mode floor    the same TLS handshake (same contexts, certificate and
 *                   key), then the same NTLM exchange through the same two
 *                   mechanisms, framed by a 4-byte length instead of
 *                   TSRequests: no binding, no credentials, no CredSSP.
 *
 * Output, one line: "mode=M clients=C logins=N failures=F seconds=S
 * logins_per_s=R cpu_ms_per_login=P" (P: the CPU time of all workers,
 * client and server sides, per login).  Exit codes: 0 every login succeeded, 1 some failed,
 * 2 bad options or files, 3 cannot listen or fork.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "credssp/credssp.h"
#include "credssp/ntlm/ntlm.h"
#include "credssp/ntlmclient/ntlm_client.h"
#include "credssp/tls/credssp_tls.h"
#include "credssp/tools/tools.h"

#define MAX_WORKERS 256
#define MAX_TOKEN (64 * 1024)

struct bench_opts {
	bool floor;
	const char *sam;
	const char *user;
	const char *domain;
	struct crypto_secret *password;
	struct ntlm_server_names names;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: bench_credssp --mode credssp|floor --listen IP:PORT --cert F --key F\n"
		"                     --sam F --user U --domain D --password-file F\n"
		"                     [--clients C] [--logins N]\n"
		"The CredSSP benchmark's load generator (bench/credssp/README.md): C client\n"
		"and C server worker processes, kept alive, doing N logins in all over\n"
		"loopback TCP.  credssp: TLS + CredSSP (NTLM against the SAM file, binding,\n"
		"password credential); floor: the same TLS handshake and NTLM exchange only.\n"
		"Defaults: --clients 1 --logins 1000.\n"
		"Output: mode=M clients=C logins=N failures=F seconds=S logins_per_s=R\n"
		"        cpu_ms_per_login=P (both sides' CPU time per login)\n"
		"Exit codes: 0 all logins succeeded, 1 some failed, 2 bad options or files,\n"
		"3 cannot listen or fork.\n");
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The floor's framing: a status byte (server to client only: 0 continue,
 * 1 authenticated, 2 refused), a 4-byte big-endian length, then the
 * token, in one TLS record as credssp_tls_run writes one TSRequest. */
static int frame_write(SSL *ssl, int st, const uint8_t *buf, size_t len)
{
	uint8_t msg[1 + 4 + MAX_TOKEN], *p = msg;
	char err[128];

	if (len > MAX_TOKEN) {
		return -1;
	}
	if (st >= 0) {
		*p++ = (uint8_t)st;
	}
	*p++ = (uint8_t)(len >> 24);
	*p++ = (uint8_t)(len >> 16);
	*p++ = (uint8_t)(len >> 8);
	*p++ = (uint8_t)len;
	if (len > 0) {
		memcpy(p, buf, len);
	}
	return credssp_tls_write_all(ssl, msg, (size_t)(p - msg) + len, err, sizeof(err));
}

static int frame_read(SSL *ssl, uint8_t *buf, size_t cap, size_t *len)
{
	uint8_t hdr[4];
	char err[128];
	size_t n;

	if (credssp_tls_read_exact(ssl, hdr, sizeof(hdr), err, sizeof(err)) != 0) {
		return -1;
	}
	n = (size_t)hdr[0] << 24 | (size_t)hdr[1] << 16 | (size_t)hdr[2] << 8 | hdr[3];
	if (n > cap) {
		return -1;
	}
	*len = n;
	return n == 0 ? 0 : credssp_tls_read_exact(ssl, buf, n, err, sizeof(err));
}

static int start_mech(void *arg, enum credssp_mech_kind kind, const struct credssp_mech_ops **ops,
		      void **mech_ctx, char *err, size_t errlen)
{
	const struct bench_opts *o = arg;

	if (kind != CREDSSP_MECH_NTLM_RAW) {
		snprintf(err, errlen, "only raw NTLM");
		return -1;
	}
	return credssp_ntlm_acceptor_new_samfile(o->sam, &o->names, ops, mech_ctx, err, errlen);
}

/* floor_server / floor_client: the NTLM exchange alone.  The server
 * answers each token with a status byte and its reply, so the client
 * learns the outcome as a CredSSP client does. */
static bool floor_server(SSL *ssl, const struct bench_opts *o)
{
	const struct credssp_mech_ops *ops = NULL;
	void *mech = NULL;
	uint8_t in[MAX_TOKEN];
	char err[256];
	bool ok = false;

	if (credssp_ntlm_acceptor_new_samfile(o->sam, &o->names, &ops, &mech, err, sizeof(err)) !=
	    0) {
		return false;
	}
	for (;;) {
		uint8_t *out = NULL, st;
		size_t in_len = 0, out_len = 0;
		uint32_t status = 0;
		int rc;

		if (frame_read(ssl, in, sizeof(in), &in_len) != 0) {
			break;
		}
		rc = ops->step(mech, in, in_len, &out, &out_len, &status, err, sizeof(err));
		st = rc == 0 ? 0 : rc == 1 ? 1 : 2;
		if (frame_write(ssl, st, out, out_len) != 0) {
			free(out);
			break;
		}
		free(out);
		if (rc != 0) {
			ok = rc == 1;
			break;
		}
	}
	ops->free(mech);
	return ok;
}

static bool floor_client(SSL *ssl, const struct bench_opts *o)
{
	struct credssp_ntlm_client_opts n = { .user = o->user, .domain = o->domain,
					      .password = o->password };
	const struct credssp_mech_ops *ops = NULL;
	void *mech = NULL;
	uint8_t in[MAX_TOKEN], *out = NULL;
	size_t in_len = 0, out_len = 0;
	uint32_t status = 0;
	char err[256];
	bool ok = false;
	int rc;

	if (credssp_ntlm_client_new(&n, &ops, &mech, err, sizeof(err)) != 0) {
		return false;
	}
	rc = ops->step(mech, NULL, 0, &out, &out_len, &status, err, sizeof(err));
	while (rc >= 0) {
		uint8_t st;

		if (frame_write(ssl, -1, out, out_len) != 0) {
			break;
		}
		free(out);
		out = NULL;
		if (credssp_tls_read_exact(ssl, &st, 1, err, sizeof(err)) != 0 ||
		    frame_read(ssl, in, sizeof(in), &in_len) != 0 || st == 2) {
			break;
		}
		if (st == 1) {
			ok = rc == 1;
			break;
		}
		rc = ops->step(mech, in, in_len, &out, &out_len, &status, err, sizeof(err));
	}
	free(out);
	ops->free(mech);
	return ok;
}

static bool credssp_server(TALLOC_CTX *t, SSL *ssl, struct bench_opts *o,
			   struct credssp_nonce_cache *nonces)
{
	struct credssp_server_settings ss = { .start_mech = start_mech, .start_arg = o,
					      .nonces = nonces };
	struct credssp_ctx *ctx = NULL;
	uint8_t *key = NULL;
	size_t key_len = 0;
	char err[256];

	if (!NT_STATUS_IS_OK(credssp_tls_public_key(t, ssl, false, &key, &key_len)) ||
	    !NT_STATUS_IS_OK(credssp_server_new(t, &ss, key, key_len, &ctx, NULL))) {
		return false;
	}
	return credssp_tls_run(ssl, ctx, false, err, sizeof(err)) == CREDSSP_DONE &&
	       credssp_server_credentials(ctx) != NULL;
}

static bool credssp_client(TALLOC_CTX *t, SSL *ssl, const struct bench_opts *o,
			   const char *server)
{
	struct credssp_ntlm_client_opts n = { .user = o->user, .domain = o->domain,
					      .password = o->password };
	const char *allowed[] = { server, NULL };
	struct credssp_client_settings cs = { .server_name = server, .allowed_servers = allowed };
	struct credssp_credentials *c = talloc_zero(t, struct credssp_credentials);
	const struct credssp_mech_ops *ops = NULL;
	struct credssp_ctx *ctx = NULL;
	void *mech = NULL;
	uint8_t *key = NULL;
	size_t key_len = 0;
	char err[256];

	if (c == NULL) {
		return false;
	}
	c->type = CREDSSP_CRED_PASSWORD;
	c->password.domain = talloc_strdup(c, o->domain);
	c->password.user = talloc_strdup(c, o->user);
	c->password.password = crypto_secret_dup(c, o->password->data, o->password->len);
	cs.creds = c;
	if (!NT_STATUS_IS_OK(credssp_tls_public_key(t, ssl, true, &key, &key_len)) ||
	    credssp_ntlm_client_new(&n, &ops, &mech, err, sizeof(err)) != 0 ||
	    !NT_STATUS_IS_OK(credssp_client_new(t, &cs, ops, mech, key, key_len, &ctx, NULL))) {
		return false;
	}
	return credssp_tls_run(ssl, ctx, true, err, sizeof(err)) == CREDSSP_DONE;
}

static void server_worker(SSL_CTX *tls, int lfd, struct bench_opts *o)
{
	TALLOC_CTX *top = talloc_new(NULL);
	struct credssp_nonce_cache *nonces = credssp_nonce_cache_new(top, 4096);

	for (;;) {
		TALLOC_CTX *t = talloc_new(top);
		int fd = accept(lfd, NULL, NULL);
		SSL *ssl;

		if (fd < 0) {
			talloc_free(t);
			continue;
		}
		tool_set_timeouts(fd, 30);
		ssl = SSL_new(tls);
		if (ssl != NULL && SSL_set_fd(ssl, fd) == 1 && SSL_accept(ssl) == 1) {
			if (o->floor) {
				(void)floor_server(ssl, o);
			} else {
				(void)credssp_server(t, ssl, o, nonces);
			}
			SSL_shutdown(ssl);
		}
		SSL_free(ssl);
		close(fd);
		talloc_free(t);
	}
}

static int client_worker(SSL_CTX *tls, const char *host, const char *port, long logins,
			 const struct bench_opts *o, int go)
{
	long failures = 0;
	char c;

	if (read(go, &c, 1) < 0) { /* released by the parent closing the pipe */
		return 1;
	}
	for (long i = 0; i < logins; i++) {
		TALLOC_CTX *t = talloc_new(NULL);
		int fd = tool_connect(host, port);
		SSL *ssl = NULL;
		bool ok = false;

		if (fd >= 0) {
			tool_set_timeouts(fd, 30);
			ssl = SSL_new(tls);
		}
		if (ssl != NULL && SSL_set_fd(ssl, fd) == 1 &&
		    SSL_set_tlsext_host_name(ssl, host) == 1 && SSL_connect(ssl) == 1) {
			ok = o->floor ? floor_client(ssl, o) : credssp_client(t, ssl, o, host);
			SSL_shutdown(ssl);
		}
		SSL_free(ssl);
		if (fd >= 0) {
			close(fd);
		}
		talloc_free(t);
		failures += ok ? 0 : 1;
	}
	return failures > 250 ? 250 : (int)failures; /* the exit status counts them */
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mode", required_argument, NULL, 'M' },
		{ "listen", required_argument, NULL, 'l' },
		{ "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "sam", required_argument, NULL, 'S' },
		{ "user", required_argument, NULL, 'u' },
		{ "domain", required_argument, NULL, 'd' },
		{ "password-file", required_argument, NULL, 'p' },
		{ "clients", required_argument, NULL, 'C' },
		{ "logins", required_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	TALLOC_CTX *t = talloc_new(NULL);
	struct bench_opts o = { .names = { .nb_computer = "BENCHHOST", .nb_domain = "TESTDOM" } };
	const char *mode = NULL, *addr = NULL, *cert = NULL, *key = NULL, *pwfile = NULL;
	char *host = NULL, *port = NULL, err[256];
	long clients = 1, logins = 1000, failed = 0;
	pid_t servers[MAX_WORKERS], cpids[MAX_WORKERS];
	SSL_CTX *stls, *ctls;
	int ch, lfd, go[2];
	struct rusage ru;
	double t0, t1, cpu = 0;

	signal(SIGPIPE, SIG_IGN);
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'M': mode = optarg; break;
		case 'l': addr = optarg; break;
		case 'c': cert = optarg; break;
		case 'k': key = optarg; break;
		case 'S': o.sam = optarg; break;
		case 'u': o.user = optarg; break;
		case 'd': o.domain = optarg; break;
		case 'p': pwfile = optarg; break;
		case 'C': clients = strtol(optarg, NULL, 10); break;
		case 'N': logins = strtol(optarg, NULL, 10); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || mode == NULL || (strcmp(mode, "credssp") != 0 &&
					       strcmp(mode, "floor") != 0) ||
	    addr == NULL || cert == NULL || key == NULL || o.sam == NULL || o.user == NULL ||
	    o.domain == NULL || pwfile == NULL || clients < 1 || clients > MAX_WORKERS ||
	    logins < clients || !tool_split_addr(t, addr, &host, &port)) {
		usage(stderr);
		return 2;
	}
	o.floor = strcmp(mode, "floor") == 0;
	if ((o.password = tool_read_secret(t, pwfile)) == NULL) {
		return 2;
	}
	stls = credssp_tls_server_ctx(cert, key, NULL, err, sizeof(err));
	ctls = credssp_tls_client_ctx(err, sizeof(err));
	if (stls == NULL || ctls == NULL) {
		fprintf(stderr, "bench_credssp: %s\n", err);
		return 2;
	}
	if ((lfd = tool_listen(host, port)) < 0 || pipe(go) != 0) {
		return 3;
	}
	for (long i = 0; i < clients; i++) {
		if ((servers[i] = fork()) == 0) {
			close(go[1]);
			server_worker(stls, lfd, &o);
			_exit(0);
		}
	}
	for (long i = 0; i < clients; i++) {
		if ((cpids[i] = fork()) == 0) {
			close(go[1]);
			close(lfd);
			_exit(client_worker(ctls, host, port,
					    logins / clients + (i < logins % clients ? 1 : 0), &o,
					    go[0]));
		}
	}
	close(go[0]);
	t0 = now();
	close(go[1]);
	for (long i = 0; i < clients; i++) {
		int st = 0;

		if (cpids[i] < 0 || waitpid(cpids[i], &st, 0) < 0 || !WIFEXITED(st)) {
			failed += logins / clients;
		} else {
			failed += WEXITSTATUS(st);
		}
	}
	t1 = now();
	for (long i = 0; i < clients; i++) {
		if (servers[i] > 0) {
			kill(servers[i], SIGTERM);
			waitpid(servers[i], NULL, 0);
		}
	}
	/* CPU of every worker (both sides), all reaped by now: steadier than
	 * the wall clock on a shared machine. */
	if (getrusage(RUSAGE_CHILDREN, &ru) == 0) {
		cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
		      (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	}
	printf("mode=%s clients=%ld logins=%ld failures=%ld seconds=%.3f logins_per_s=%.1f "
	       "cpu_ms_per_login=%.3f\n",
	       mode, clients, logins, failed, t1 - t0, (double)logins / (t1 - t0),
	       cpu * 1000.0 / (double)logins);
	SSL_CTX_free(stls);
	SSL_CTX_free(ctls);
	talloc_free(t);
	return failed > 0 ? 1 : 0;
}
