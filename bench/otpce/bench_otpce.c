/*
 * bench_otpce.c: the load generator of the otpced benchmark
 * (bench/otpce/README.md).
 *
 * N threads, each with one keep-alive HTTPS connection (OpenSSL, TLS 1.2+,
 * the server's certificate checked against --cacert), POST the same
 * signCertRequest again and again for --seconds seconds after a warm-up
 * request each, and count the answers that are HTTP 200 with
 * statusCode="Success".  Any other answer, or a closed connection, is a
 * failure and ends that client.  Prints one line:
 *   clients=N seconds=S success=K failed=F rate=R/s p50_ms=.. p99_ms=..
 *
 * The HTTP/1.1 framing here is the minimum a benchmark needs (a fixed
 * request, a response with Content-Length); no HTTP library is used so
 * that the client's own cost stays small and known.
 */
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "../bench.h"

static const char *host, *port, *path, *cafile, *bodyfile;
static int nclients = 1;
static double seconds = 10;
static char *request;
static size_t request_len;
static SSL_CTX *ctx;
static volatile int go;
static double t_end;

struct client {
	pthread_t th;
	long ok, failed;
	double *lat;
	size_t nlat, cap;
	char err[200];
};

static int tcp_connect(void)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai;
	int fd, one = 1;

	if (getaddrinfo(host, port, &hints, &ai) != 0) {
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	if (fd >= 0) {
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	return fd;
}

/* One exchange on SSL; 1 on a Success answer, 0 on another answer, -1 on
 * a transport error. */
static int exchange(SSL *ssl, char *buf, size_t cap)
{
	size_t have = 0, need = 0, hdr = 0;
	char *p;

	if (SSL_write(ssl, request, (int)request_len) != (int)request_len) {
		return -1;
	}
	for (;;) {
		int n;

		if (have == cap - 1) {
			return -1;
		}
		n = SSL_read(ssl, buf + have, (int)(cap - 1 - have));
		if (n <= 0) {
			return -1;
		}
		have += (size_t)n;
		buf[have] = '\0';
		if (hdr == 0 && (p = strstr(buf, "\r\n\r\n")) != NULL) {
			char *cl = strcasestr(buf, "\r\nContent-Length:");

			hdr = (size_t)(p - buf) + 4;
			if (cl == NULL || cl > p) {
				return -1;
			}
			need = hdr + strtoul(cl + 17, NULL, 10);
		}
		if (hdr != 0 && have >= need) {
			break;
		}
	}
	return strncmp(buf, "HTTP/1.1 200", 12) == 0 &&
	       strstr(buf + hdr, "statusCode=\"Success\"") != NULL;
}

static void *run_client(void *arg)
{
	struct client *c = arg;
	char *buf = malloc(65536);
	SSL *ssl = NULL;
	int fd = tcp_connect(), r;

	if (buf == NULL || fd < 0) {
		snprintf(c->err, sizeof(c->err), "connect: %s", strerror(errno));
		goto out;
	}
	ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	SSL_set1_host(ssl, host);
	if (SSL_connect(ssl) != 1) {
		snprintf(c->err, sizeof(c->err), "TLS: %s",
			 ERR_error_string(ERR_get_error(), NULL));
		goto out;
	}
	/* warm-up: the TLS handshake and the first request are not timed */
	if ((r = exchange(ssl, buf, 65536)) != 1) {
		snprintf(c->err, sizeof(c->err), "warm-up: %s",
			 r < 0 ? "connection lost" : buf);
		goto out;
	}
	while (!go) {
		usleep(1000);
	}
	for (;;) {
		double t0 = now_ns();

		if (t0 >= t_end) {
			break;
		}
		r = exchange(ssl, buf, 65536);
		if (r != 1) {
			c->failed++;
			snprintf(c->err, sizeof(c->err), "%s",
				 r < 0 ? "connection lost" : buf);
			break;
		}
		c->ok++;
		if (c->nlat == c->cap) {
			c->cap = c->cap ? c->cap * 2 : 1024;
			c->lat = realloc(c->lat, c->cap * sizeof(double));
		}
		c->lat[c->nlat++] = (now_ns() - t0) / 1e6;
	}
out:
	if (ssl != NULL) {
		SSL_shutdown(ssl);
		SSL_free(ssl);
	}
	if (fd >= 0) {
		close(fd);
	}
	free(buf);
	return NULL;
}

static int usage(void)
{
	fprintf(stderr,
		"Usage: bench_otpce --host IP --port PORT --path /PATH --cacert FILE\n"
		"                   --body FILE [--clients N] [--seconds S]\n"
		"POSTs the signCertRequest in FILE over N keep-alive HTTPS connections\n"
		"for S seconds and prints the Success answers per second.\n"
		"Exit codes: 0 every answer Success, 1 a failure, 2 usage.\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct client *cl;
	char *body;
	long len, ok = 0, failed = 0;
	size_t nlat = 0;
	double *lat, t0;
	FILE *f;
	int i;

	for (i = 1; i + 1 < argc; i += 2) {
		const char *k = argv[i], *v = argv[i + 1];

		if (strcmp(k, "--host") == 0) host = v;
		else if (strcmp(k, "--port") == 0) port = v;
		else if (strcmp(k, "--path") == 0) path = v;
		else if (strcmp(k, "--cacert") == 0) cafile = v;
		else if (strcmp(k, "--body") == 0) bodyfile = v;
		else if (strcmp(k, "--clients") == 0) nclients = atoi(v);
		else if (strcmp(k, "--seconds") == 0) seconds = atof(v);
		else return usage();
	}
	if (i != argc || !host || !port || !path || !cafile || !bodyfile ||
	    nclients < 1 || nclients > 1024 || seconds <= 0) {
		return usage();
	}
	f = fopen(bodyfile, "rb");
	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) <= 0) {
		fprintf(stderr, "bench_otpce: cannot read %s\n", bodyfile);
		return 2;
	}
	rewind(f);
	body = malloc((size_t)len);
	if (body == NULL || fread(body, 1, (size_t)len, f) != (size_t)len) {
		return 2;
	}
	fclose(f);
	request = malloc((size_t)len + 512);
	request_len = (size_t)snprintf(request, 512,
		"POST %s HTTP/1.1\r\nHost: %s\r\nX-OTPCEP-version: 1.0\r\n"
		"Content-Type: application/xml;charset=utf-8\r\n"
		"Content-Length: %ld\r\n\r\n", path, host, len);
	memcpy(request + request_len, body, (size_t)len);
	request_len += (size_t)len;

	ctx = SSL_CTX_new(TLS_client_method());
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	if (SSL_CTX_load_verify_locations(ctx, cafile, NULL) != 1) {
		fprintf(stderr, "bench_otpce: cannot load %s\n", cafile);
		return 2;
	}
	cl = calloc((size_t)nclients, sizeof(*cl));
	t_end = now_ns() + 3600e9;
	for (i = 0; i < nclients; i++) {
		pthread_create(&cl[i].th, NULL, run_client, &cl[i]);
	}
	/* start once every client is connected and warm (or gave up) */
	usleep(200000);
	t0 = now_ns();
	t_end = t0 + seconds * 1e9;
	go = 1;
	for (i = 0; i < nclients; i++) {
		pthread_join(cl[i].th, NULL);
		ok += cl[i].ok;
		failed += cl[i].failed;
		nlat += cl[i].nlat;
		if (cl[i].err[0] != '\0') {
			failed += cl[i].failed == 0;
			fprintf(stderr, "bench_otpce: client %d: %.150s\n", i, cl[i].err);
		}
	}
	lat = malloc((nlat + 1) * sizeof(double));
	nlat = 0;
	for (i = 0; i < nclients; i++) {
		memcpy(lat + nlat, cl[i].lat, cl[i].nlat * sizeof(double));
		nlat += cl[i].nlat;
	}
	qsort(lat, nlat, sizeof(double), cmp_double);
	printf("clients=%d seconds=%.1f success=%ld failed=%ld rate=%.1f p50_ms=%.2f p99_ms=%.2f\n",
	       nclients, seconds, ok, failed, ok / seconds,
	       nlat ? lat[nlat / 2] : 0.0, nlat ? lat[(nlat * 99) / 100] : 0.0);
	return failed != 0 || ok == 0;
}
