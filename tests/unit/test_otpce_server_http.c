/*
 * test_otpce_server_http.c: otpced's HTTPS side (otpce/server/http.c) with
 * the fake backends of otpce_server_fakes.h: the server runs in a forked
 * child on 127.0.0.80 (a port the kernel picks), the test talks to it with
 * libcurl and OpenSSL.  Each hostile request gets a clean error within a
 * second while the server keeps serving: missing or wrong
 * X-OTPCEP-version, wrong Content-Type, entity bombs and external
 * entities, oversize bodies, wrong path and method, slow-loris clients.
 * The log has one line per request and never the password.
 */
#include "otpce_server_fakes.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define IP "127.0.0.80"
#define PATH "/otpcep"
#define OTP "918273645"
#define TIMEOUT_MS 500

static struct {
	char dir[64];
	pid_t child;
	int log_fd;
	uint16_t port;
	char *csr_b64;
	char *cas[2];
	struct otpced *srv;
	TALLOC_CTX *t;
} g;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int setup(void **state)
{
	struct otpced *srv = talloc_zero(NULL, struct otpced); /* a talloc context (server.h) */
	static struct otpced_config cfg;
	static struct otpce_radius_server rs = { .host = "127.0.0.81", .port = 1812, .secret = "s" };
	TALLOC_CTX *t = talloc_new(NULL);
	char err[256], cert[128], key[128];
	uint8_t *csr;
	size_t csr_len;
	int fds[2];

	fake_reset();
	snprintf(g.dir, sizeof(g.dir), "/tmp/otpced-http-XXXXXX");
	assert_non_null(mkdtemp(g.dir));
	snprintf(cert, sizeof(cert), "%s/tls.pem", g.dir);
	snprintf(key, sizeof(key), "%s/tls.key", g.dir);
	make_tls_files(cert, key);
	csr = make_csr(t, &csr_len);
	g.csr_b64 = malloc(csr_len * 2 + 8);
	EVP_EncodeBlock((unsigned char *)g.csr_b64, csr, (int)csr_len);

	g.cas[0] = "dc1.domain1.test\\CA-1";
	g.cas[1] = "dc2.domain1.test\\CA-2";
	cfg.listen_host = IP;
	cfg.listen_port = 0;
	cfg.url_path = PATH;
	cfg.tls_cert = cert;
	cfg.tls_key = key;
	cfg.http_timeout_ms = TIMEOUT_MS;
	cfg.max_body = 8192;
	cfg.max_pending = 100;
	cfg.template_name = "OTPLogon";
	cfg.directory.dn_container = "CN=Users";
	cfg.otp_servers = &rs;
	cfg.num_otp_servers = 1;
	cfg.cas = g.cas;
	cfg.num_cas = 2;
	srv->cfg = &cfg;
	srv->base = event_base_new();
	srv->challenges = otpced_challenges_new(srv, 60);
	assert_true(NT_STATUS_IS_OK(otpce_msg_init()));
	cfg.workers = 1;
	if (otpced_tls_setup(srv, err, sizeof(err)) != 0 ||
	    otpced_http_listen(srv, err, sizeof(err)) != 0 ||
	    otpced_http_start(srv, 0, err, sizeof(err)) != 0) {
		fail_msg("otpced_http_start: %s", err);
	}
	g.port = otpced_http_port(srv);
	g.srv = srv;
	assert_true(g.port != 0);
	assert_int_equal(pipe(fds), 0);
	g.child = fork();
	if (g.child < 0) {
		fail_msg("fork failed");
	}
	if (g.child == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM); /* never outlive the test */
		if (getenv("OTPCED_TEST_CHILD_LOG") == NULL) {
			dup2(fds[1], 2);
		}
		close(fds[0]);
		event_reinit(srv->base);
		event_base_dispatch(srv->base);
		_exit(0);
	}
	close(fds[1]);
	g.log_fd = fds[0];
	/* the parent keeps its copy of the listening socket: evhttp_free would
	 * also stop the child (the listener shares the socket). */
	curl_global_init(CURL_GLOBAL_DEFAULT);
	talloc_free(t);
	return 0;
}

/* stop_child stops the server child this test forked, by its pid; never
 * kill() anything else (a pid of 0 or -1 would signal a whole group or
 * every process). */
static void stop_child(void)
{
	if (g.child > 0) {
		kill(g.child, SIGTERM);
		waitpid(g.child, NULL, 0);
	}
	g.child = 0;
}

static int teardown(void **state)
{
	char cmd[128];

	stop_child();
	close(g.log_fd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g.dir);
	if (system(cmd) != 0) {
		return -1;
	}
	free(g.csr_b64);
	curl_global_cleanup();
	{
		struct event_base *base = g.srv->base;
		otpced_http_stop(g.srv);
		talloc_free(g.srv);
		event_base_free(base);
	}
	return 0;
}

struct reply {
	long code;
	char body[16384];
	size_t body_len;
	char headers[8192];
	size_t headers_len;
	double seconds;
};

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct reply *r = arg;
	size_t l = size * n;

	if (r->body_len + l < sizeof(r->body)) {
		memcpy(r->body + r->body_len, p, l);
		r->body_len += l;
		r->body[r->body_len] = '\0';
	}
	return l;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	struct reply *r = arg;
	size_t l = size * n;

	if (r->headers_len + l < sizeof(r->headers)) {
		memcpy(r->headers + r->headers_len, p, l);
		r->headers_len += l;
		r->headers[r->headers_len] = '\0';
	}
	return l;
}

/* http sends |method| |path| with |headers| (NULL-terminated) and |body|. */
static struct reply http(const char *method, const char *path, const char *const *headers,
			 const char *body, size_t body_len)
{
	struct reply r = { 0 };
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	char url[256];
	double t0;

	snprintf(url, sizeof(url), "https://" IP ":%u%s", (unsigned)g.port, path);
	for (size_t i = 0; headers != NULL && headers[i] != NULL; i++) {
		h = curl_slist_append(h, headers[i]);
	}
	h = curl_slist_append(h, "Expect:");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 5000L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)body_len);
	}
	t0 = now();
	CURLcode cc = curl_easy_perform(c);
	if (cc != CURLE_OK) {
		r.code = -1;
		snprintf(r.body, sizeof(r.body), "curl: %s", curl_easy_strerror(cc));
	} else {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.code);
	}
	r.seconds = now() - t0;
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return r;
}

static const char *const good_headers[] = { "X-OTPCEP-version: 1.0",
					    "Content-Type: application/xml;charset=utf-8", NULL };

static char *request_body(const char *user, const char *otp)
{
	return talloc_asprintf(NULL,
			       "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<signCertRequest "
			       "xmlns=\"http://schemas.microsoft.com/otpcep/1.0/protocol\" "
			       "certRequest=\"%s\" oneTimePassword=\"%s\" username=\"%s\"/>",
			       g.csr_b64, otp, user);
}

/* assert_answer: |r| has |code|, our version header and, if |status| is
 * not NULL, a signCertResponse with that status. */
static struct otpce_sign_cert_response *assert_answer(TALLOC_CTX *t, const struct reply *r,
						       long code, const char *status)
{
	struct otpce_sign_cert_response *resp = NULL;
	const char *reason = NULL;

	if (r->code != code) {
		fail_msg("HTTP %ld, expected %ld; body %s", r->code, code, r->body);
	}
	assert_non_null(strcasestr(r->headers, "X-OTPCEP-version: 1.0\r\n"));
	assert_true(r->seconds < 1.0);
	if (status == NULL) {
		return NULL;
	}
	assert_non_null(strcasestr(r->headers, "Content-Type: application/xml;charset=utf-8\r\n"));
	if (!NT_STATUS_IS_OK(otpce_sign_cert_response_parse(t, (const uint8_t *)r->body, r->body_len,
							    &resp, &reason))) {
		fail_msg("response does not parse (%s): %s", reason, r->body);
	}
	assert_string_equal(otpce_status_name(resp->status), status);
	return resp;
}

static void test_success(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	char *body = request_body("DOMAIN1\\user1", OTP);
	struct reply r;
	struct otpce_sign_cert_response *resp;

	talloc_steal(t, body);
	r = http("POST", PATH, good_headers, body, strlen(body));
	resp = assert_answer(t, &r, 200, "Success");
	assert_int_equal(resp->num_issuing_cas, 2);
	assert_string_equal(resp->issuing_cas[0], g.cas[0]);
	assert_string_equal(resp->issuing_cas[1], g.cas[1]);
	assert_memory_equal(resp->signed_cert_request, "SIGNED:", 7);
	talloc_free(t);
}

static void test_http_rules(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	char *body = talloc_steal(t, request_body("DOMAIN1\\user1", OTP));
	static const char *const no_version[] = { "Content-Type: application/xml;charset=utf-8",
						  NULL };
	static const char *const bad_version[] = { "X-OTPCEP-version: 2.0",
						   "Content-Type: application/xml;charset=utf-8", NULL };
	static const char *const bad_type[] = { "X-OTPCEP-version: 1.0",
						"Content-Type: text/plain", NULL };
	static const char *const utf16[] = { "X-OTPCEP-version: 1.0",
					     "Content-Type: application/xml;charset=utf-16", NULL };
	struct reply r;

	r = http("POST", PATH, no_version, body, strlen(body));
	assert_answer(t, &r, 400, "OtherError");
	r = http("POST", PATH, bad_version, body, strlen(body));
	assert_answer(t, &r, 400, "OtherError");
	r = http("POST", PATH, bad_type, body, strlen(body));
	assert_answer(t, &r, 415, "OtherError");
	r = http("POST", PATH, utf16, body, strlen(body));
	assert_answer(t, &r, 415, "OtherError");
	r = http("GET", PATH, good_headers, NULL, 0);
	assert_answer(t, &r, 405, NULL);
	r = http("POST", "/other", good_headers, body, strlen(body));
	assert_answer(t, &r, 404, NULL);
	r = http("POST", PATH "?x=1", good_headers, body, strlen(body));
	assert_answer(t, &r, 404, NULL);
	r = http("POST", PATH, good_headers, "", 0);
	assert_answer(t, &r, 400, "OtherError");
	/* And it still serves. */
	r = http("POST", PATH, good_headers, body, strlen(body));
	assert_answer(t, &r, 200, "Success");
	talloc_free(t);
}

static void test_hostile_xml(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	char *body = talloc_steal(t, request_body("DOMAIN1\\user1", OTP));
	char *bomb = talloc_asprintf(
		t, "<!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">"
		   "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\"><!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;\">]>"
		   "<signCertRequest xmlns=\"http://schemas.microsoft.com/otpcep/1.0/protocol\" "
		   "certRequest=\"%s\" oneTimePassword=\"1\" username=\"&d;\"/>", g.csr_b64);
	char *xxe = talloc_asprintf(
		t, "<!DOCTYPE l [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
		   "<signCertRequest xmlns=\"http://schemas.microsoft.com/otpcep/1.0/protocol\" "
		   "certRequest=\"%s\" oneTimePassword=\"1\" username=\"&x;\"/>", g.csr_b64);
	char *wrong_ns = talloc_asprintf(
		t, "<signCertRequest xmlns=\"urn:wrong\" certRequest=\"%s\" oneTimePassword=\"1\" "
		   "username=\"D\\u\"/>", g.csr_b64);
	char *bad_b64 = talloc_strdup(
		t, "<signCertRequest xmlns=\"http://schemas.microsoft.com/otpcep/1.0/protocol\" "
		   "certRequest=\"MIIB!!!\" oneTimePassword=\"1\" username=\"D\\u\"/>");
	char *huge = talloc_array(t, char, 9000);
	char *trailing = talloc_asprintf(t, "%sjunk", body);
	/* The spec's 4.4: a valid message whose certRequest is no PKCS#10. */
	const char *ex44 = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<signCertRequest "
			   "xmlns=\"http://schemas.microsoft.com/otpcep/1.0/protocol\" "
			   "certRequest=\"asdf\" oneTimePassword=\"Pa$$word1\" username=\"domain1\\user1\" "
			   "xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" "
			   "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"/>";
	struct reply r;

	r = http("POST", PATH, good_headers, bomb, strlen(bomb));
	assert_answer(t, &r, 400, "OtherError");
	r = http("POST", PATH, good_headers, xxe, strlen(xxe));
	assert_answer(t, &r, 400, "OtherError");
	assert_null(strstr(r.body, "root:"));
	r = http("POST", PATH, good_headers, wrong_ns, strlen(wrong_ns));
	assert_answer(t, &r, 400, "OtherError");
	r = http("POST", PATH, good_headers, bad_b64, strlen(bad_b64));
	assert_answer(t, &r, 400, "OtherError");
	r = http("POST", PATH, good_headers, trailing, strlen(trailing));
	assert_answer(t, &r, 400, "OtherError");
	r = http("POST", PATH, good_headers, ex44, strlen(ex44));
	assert_answer(t, &r, 200, "OtherError");
	/* Over max_body (8192): evhttp answers 413 itself. */
	memset(huge, 'x', 9000);
	r = http("POST", PATH, good_headers, huge, 9000);
	assert_int_equal(r.code, 413);
	assert_true(r.seconds < 1.0);
	r = http("POST", PATH, good_headers, body, strlen(body));
	assert_answer(t, &r, 200, "Success");
	talloc_free(t);
}

/* connect_tcp: a TCP connection to the server. */
static int connect_tcp(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(g.port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	inet_pton(AF_INET, IP, &sin.sin_addr);
	assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	return fd;
}

/* Slow clients are dropped after http_timeout_ms, and others are served
 * meanwhile. */
static void test_slow_loris(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	char *body = talloc_steal(t, request_body("DOMAIN1\\user1", OTP));
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl = SSL_new(ctx);
	int fd = connect_tcp(), raw = connect_tcp();
	const char *partial = "POST " PATH " HTTP/1.1\r\nHost: x\r\nX-OTPCEP-version: 1.0\r\n";
	char buf[64];
	double t0;
	int n;
	struct reply r;

	SSL_set_fd(ssl, fd);
	assert_int_equal(SSL_connect(ssl), 1);
	assert_true(SSL_write(ssl, partial, (int)strlen(partial)) > 0);
	t0 = now();
	/* Another client is served while both slow ones hang. */
	r = http("POST", PATH, good_headers, body, strlen(body));
	assert_answer(t, &r, 200, "Success");
	/* The half-sent request: closed, no answer, within the timeout. */
	n = SSL_read(ssl, buf, sizeof(buf));
	assert_true(n <= 0);
	assert_true(now() - t0 < TIMEOUT_MS / 1000.0 + 1.0);
	/* The raw TCP client that never starts TLS: closed too. */
	n = (int)read(raw, buf, sizeof(buf));
	assert_true(n <= 0);
	assert_true(now() - t0 < TIMEOUT_MS / 1000.0 + 1.0);
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
	close(raw);
	talloc_free(t);
}

/* Last: one log line per request; the password never appears. */
static void test_log(void **state)
{
	char log[65536];
	size_t len = 0;
	ssize_t n;
	int lines = 0;

	stop_child();
	while ((n = read(g.log_fd, log + len, sizeof(log) - 1 - len)) > 0) {
		len += (size_t)n;
	}
	log[len] = '\0';
	print_message("%s", log);
	assert_null(strstr(log, OTP));
	assert_null(strstr(log, "Pa$$word1"));
	assert_non_null(strstr(log, "otpced: request client=127.0.0."));
	assert_non_null(strstr(log, "user=\"DOMAIN1\\x5cuser1\" outcome=Success radius=fake-radius:1812"));
	assert_non_null(strstr(log, "outcome=OtherError radius=- detail=\"X-OTPCEP-version missing"));
	assert_non_null(strstr(log, "document type declaration"));
	for (char *p = log; (p = strstr(p, "otpced: request ")) != NULL; p++) {
		lines++;
	}
	/* 3 in test_success/http_rules' POSTs ... counted: every request
	 * that reached the handler (413 and the slow clients never do). */
	assert_int_equal(lines, 1 + 9 + 7 + 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_success),
		cmocka_unit_test(test_http_rules),
		cmocka_unit_test(test_hostile_xml),
		cmocka_unit_test(test_slow_loris),
		cmocka_unit_test(test_log),
	};
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, setup, teardown);
}
