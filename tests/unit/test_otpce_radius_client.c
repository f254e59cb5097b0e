/*
 * test_otpce_radius_client.c: the event client of otpce/radius
 * (otpce_radius_pap_start) against fake UDP servers on 127.0.0.1 in the
 * same event loop (radius_fixtures.h reads their requests and signs their
 * replies): what the request carries, challenge rounds, resends of the
 * same packet, failover on silence and on a closed port, forged replies
 * discarded while waiting for the genuine one, cancel, argument checks.
 * Real servers: tests/integration/test_otpce_radius.sh.
 */
#include "helpers.h"
#include "radius_fixtures.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "otpce/radius/radius.h"

enum fake_mode { FAKE_ANSWER, FAKE_FORGE_FIRST };

struct fake {
	int fd;
	uint16_t port;
	struct event *ev;
	const char *secret;
	enum fake_mode mode;
	unsigned ignore;	/* requests to leave unanswered first */
	unsigned seen;
	bool all_same;		/* every request had the same bytes */
	uint8_t first[4096];
	size_t first_len;
	struct fx_request req; /* the last request */
	uint8_t code;
	const char *message;
	const char *state;
};

struct outcome {
	struct event_base *base;
	bool called;
	struct otpce_radius_reply reply;
	char log[4096];
};

static void fake_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fake *f = arg;
	uint8_t pkt[4096], out[8192];
	struct sockaddr_storage from;
	socklen_t from_len = sizeof(from);
	ssize_t n = recvfrom(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&from, &from_len);
	struct fx_reply r;
	size_t len;

	assert_true(n > 0);
	if (f->seen == 0) {
		memcpy(f->first, pkt, (size_t)n);
		f->first_len = (size_t)n;
		f->all_same = true;
	} else if ((size_t)n != f->first_len || memcmp(pkt, f->first, (size_t)n) != 0) {
		f->all_same = false;
	}
	f->seen++;
	fx_read_request(pkt, (size_t)n, (const uint8_t *)f->secret, strlen(f->secret), &f->req);
	if (f->seen <= f->ignore) {
		return;
	}
	memset(&r, 0, sizeof(r));
	r.code = f->code;
	r.identifier = f->req.identifier;
	memcpy(r.request_auth, f->req.auth, RADIUS_AUTH_LEN);
	r.secret = (const uint8_t *)f->secret;
	r.secret_len = strlen(f->secret);
	r.ma_first = true;
	if (f->message != NULL) {
		r.attrs[r.n_attrs++] = (struct fx_attr){ RADIUS_ATTR_REPLY_MESSAGE, 0, f->message,
							 strlen(f->message) };
	}
	if (f->state != NULL) {
		r.attrs[r.n_attrs++] = (struct fx_attr){ RADIUS_ATTR_STATE, 0, f->state,
							 strlen(f->state) };
	}
	if (f->mode == FAKE_FORGE_FIRST) {
		/* An accept without Message-Authenticator, then one for
		 * another Identifier, both before the genuine answer. */
		struct fx_reply forged = r;
		forged.code = RADIUS_CODE_ACCESS_ACCEPT;
		forged.no_ma = true;
		len = fx_build_reply(&forged, out, sizeof(out));
		assert_int_equal(sendto(fd, out, len, 0, (struct sockaddr *)&from, from_len), len);
		forged = r;
		forged.code = RADIUS_CODE_ACCESS_ACCEPT;
		forged.identifier ^= 0x80;
		len = fx_build_reply(&forged, out, sizeof(out));
		assert_int_equal(sendto(fd, out, len, 0, (struct sockaddr *)&from, from_len), len);
	}
	len = fx_build_reply(&r, out, sizeof(out));
	assert_int_equal(sendto(fd, out, len, 0, (struct sockaddr *)&from, from_len), len);
}

/* fake_start6 binds to ::1 when |v6|, else 127.0.0.1. */
static void fake_start6(struct event_base *base, struct fake *f, const char *secret, bool v6)
{
	struct sockaddr_storage ss;
	socklen_t ss_len = v6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);

	memset(f, 0, sizeof(*f));
	f->secret = secret;
	f->code = RADIUS_CODE_ACCESS_ACCEPT;
	memset(&ss, 0, sizeof(ss));
	if (v6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = in6addr_loopback;
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	}
	f->fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	assert_true(f->fd >= 0);
	assert_int_equal(bind(f->fd, (struct sockaddr *)&ss, ss_len), 0);
	assert_int_equal(getsockname(f->fd, (struct sockaddr *)&ss, &ss_len), 0);
	f->port = ntohs(v6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
			   : ((struct sockaddr_in *)&ss)->sin_port);
	f->ev = event_new(base, f->fd, EV_READ | EV_PERSIST, fake_read_cb, f);
	assert_non_null(f->ev);
	assert_int_equal(event_add(f->ev, NULL), 0);
}

static void fake_start(struct event_base *base, struct fake *f, const char *secret)
{
	fake_start6(base, f, secret, false);
}

static void fake_stop(struct fake *f)
{
	event_free(f->ev);
	close(f->fd);
}

static void done_cb(const struct otpce_radius_reply *reply, void *arg)
{
	struct outcome *o = arg;

	assert_false(o->called);
	o->called = true;
	o->reply = *reply;
	event_base_loopbreak(o->base);
}

static void log_cb(enum otpce_radius_log_level level, const char *line, void *arg)
{
	struct outcome *o = arg;
	size_t used = strlen(o->log);

	snprintf(o->log + used, sizeof(o->log) - used, "%s\n", line);
}

static struct otpce_radius_server udp_server(const struct fake *f, unsigned timeout_ms,
					     unsigned retries)
{
	struct otpce_radius_server s;

	memset(&s, 0, sizeof(s));
	s.host = "127.0.0.1";
	s.port = f->port;
	s.secret = f->secret;
	s.timeout_ms = timeout_ms;
	s.retries = retries;
	return s;
}

/* run starts a request and runs the loop until it is done. */
static void run(struct outcome *o, const struct otpce_radius_server *servers, size_t n,
		const char *user, const char *password, const char *state)
{
	struct otpce_radius_options opts = { NULL, log_cb, o };
	struct otpce_radius_req *req;

	req = otpce_radius_pap_start_opts(o->base, servers, n, user, password,
					  (const uint8_t *)state, state ? strlen(state) : 0, &opts,
					  done_cb, o);
	assert_non_null(req);
	/* Never from inside the start. */
	assert_false(o->called);
	assert_int_equal(event_base_dispatch(o->base), 0);
	assert_true(o->called);
}

static void label(char *buf, size_t len, const struct fake *f)
{
	snprintf(buf, len, "127.0.0.1:%u", f->port);
}

static void test_client_accept(void **state)
{
	struct outcome o = { .base = event_base_new() };
	struct fake f;
	struct otpce_radius_server s;
	char want[64];

	fake_start(o.base, &f, "secret-a");
	f.message = "welcome";
	s = udp_server(&f, 2000, 0);
	run(&o, &s, 1, "alice", "otp-123456", NULL);
	assert_int_equal(o.reply.result, OTPCE_RADIUS_ACCEPT);
	label(want, sizeof(want), &f);
	assert_string_equal(o.reply.server, want);
	assert_string_equal(o.reply.reply_message, "welcome");
	assert_int_equal(o.reply.state_len, 0);
	/* What the server got. */
	assert_int_equal(f.seen, 1);
	assert_string_equal(f.req.user, "alice");
	assert_string_equal(f.req.password, "otp-123456");
	assert_string_equal(f.req.nas, "otpced");
	assert_true(f.req.ma_first);
	assert_true(f.req.ma_ok);
	assert_int_equal(f.req.state_len, 0);
	/* The log names the server, never the password. */
	assert_non_null(strstr(o.log, want));
	assert_null(strstr(o.log, "otp-123456"));
	fake_stop(&f);
	event_base_free(o.base);
}

static void test_client_ipv6(void **state)
{
	struct outcome o = { .base = event_base_new() };
	struct fake f;
	struct otpce_radius_server s;
	char want[64];

	fake_start6(o.base, &f, "secret-6", true);
	s = udp_server(&f, 2000, 0);
	s.host = "::1";
	run(&o, &s, 1, "alice", "otp", NULL);
	assert_int_equal(o.reply.result, OTPCE_RADIUS_ACCEPT);
	snprintf(want, sizeof(want), "[::1]:%u", f.port);
	assert_string_equal(o.reply.server, want);
	fake_stop(&f);
	event_base_free(o.base);
}

static void test_client_challenge_round(void **state)
{
	struct outcome o = { .base = event_base_new() };
	struct fake f;
	struct otpce_radius_server s;

	fake_start(o.base, &f, "secret-c");
	f.code = RADIUS_CODE_ACCESS_CHALLENGE;
	f.message = "Enter the code";
	f.state = "state-xyz";
	s = udp_server(&f, 2000, 0);
	run(&o, &s, 1, "carol", "pin", NULL);
	assert_int_equal(o.reply.result, OTPCE_RADIUS_CHALLENGE);
	assert_int_equal(o.reply.state_len, 9);
	assert_memory_equal(o.reply.state, "state-xyz", 9);
	assert_string_equal(o.reply.reply_message, "Enter the code");

	/* The answer carries the State. */
	f.code = RADIUS_CODE_ACCESS_ACCEPT;
	f.message = NULL;
	f.state = NULL;
	o.called = false;
	run(&o, &s, 1, "carol", "424242", "state-xyz");
	assert_int_equal(o.reply.result, OTPCE_RADIUS_ACCEPT);
	assert_int_equal(f.req.state_len, 9);
	assert_memory_equal(f.req.state, "state-xyz", 9);
	assert_string_equal(f.req.password, "424242");
	fake_stop(&f);
	event_base_free(o.base);
}

/* RFC 2865 2.5: a resend is the same packet. */
static void test_client_resends_same_packet(void **state)
{
	struct outcome o = { .base = event_base_new() };
	struct fake f;
	struct otpce_radius_server s;

	fake_start(o.base, &f, "secret-r");
	f.ignore = 2;
	f.code = RADIUS_CODE_ACCESS_REJECT;
	s = udp_server(&f, 100, 2);
	run(&o, &s, 1, "bob", "wrong", NULL);
	assert_int_equal(o.reply.result, OTPCE_RADIUS_REJECT);
	assert_int_equal(f.seen, 3);
	assert_true(f.all_same);
	assert_non_null(strstr(o.log, "resending"));
	fake_stop(&f);
	event_base_free(o.base);
}

static void test_client_no_answer(void **state)
{
	struct outcome o = { .base = event_base_new() };
	struct fake f;
	struct otpce_radius_server s;

	fake_start(o.base, &f, "secret-n");
	f.ignore = 100;
	s = udp_server(&f, 50, 1);
	run(&o, &s, 1, "bob", "x", NULL);
	assert_int_equal(o.reply.result, OTPCE_RADIUS_NO_ANSWER);
	assert_string_equal(o.reply.server, "");
	assert_int_equal(f.seen, 2);
	assert_non_null(strstr(o.log, "no answer after 2 sends"));
	fake_stop(&f);
	event_base_free(o.base);
}

static void test_client_failover(void **state)
{
	struct outcome o = { .base = event_base_new() };
	struct fake a, b;
	struct otpce_radius_server s[2];
	char want[64];

	fake_start(o.base, &a, "secret-of-a");
	fake_start(o.base, &b, "secret-of-b");
	a.ignore = 100;
	s[0] = udp_server(&a, 50, 1);
	s[1] = udp_server(&b, 2000, 0);
	run(&o, s, 2, "alice", "otp", NULL);
	assert_int_equal(o.reply.result, OTPCE_RADIUS_ACCEPT);
	label(want, sizeof(want), &b);
	assert_string_equal(o.reply.server, want);
	assert_int_equal(a.seen, 2);
	assert_int_equal(b.seen, 1);
	/* Each server got a packet of its own, under its own secret. */
	assert_true(a.req.ma_ok);
	assert_true(b.req.ma_ok);
	assert_string_equal(a.req.password, "otp");
	assert_string_equal(b.req.password, "otp");
	assert_memory_not_equal(a.req.auth, b.req.auth, RADIUS_AUTH_LEN);
	fake_stop(&a);
	fake_stop(&b);
	event_base_free(o.base);
}

/* A closed port answers with ICMP port unreachable: the next server at
 * once, not after the closed one's long timeout. */
static void test_client_closed_port(void **state)
{
	struct outcome o = { .base = event_base_new() };
	struct fake closed, b;
	struct otpce_radius_server s[2];

	fake_start(o.base, &closed, "secret-x");
	fake_start(o.base, &b, "secret-b");
	s[0] = udp_server(&closed, 60000, 5);
	s[1] = udp_server(&b, 2000, 0);
	fake_stop(&closed);
	run(&o, s, 2, "alice", "otp", NULL);
	assert_int_equal(o.reply.result, OTPCE_RADIUS_ACCEPT);
	assert_non_null(strstr(o.log, "port unreachable"));
	assert_null(strstr(o.log, "resending"));
	fake_stop(&b);
	event_base_free(o.base);
}

static void test_client_discards_forgeries(void **state)
{
	struct outcome o = { .base = event_base_new() };
	struct fake f;
	struct otpce_radius_server s;

	fake_start(o.base, &f, "secret-f");
	f.mode = FAKE_FORGE_FIRST;
	f.code = RADIUS_CODE_ACCESS_REJECT;
	s = udp_server(&f, 2000, 0);
	run(&o, &s, 1, "alice", "otp", NULL);
	assert_int_equal(o.reply.result, OTPCE_RADIUS_REJECT);
	assert_non_null(strstr(o.log, "discarded a reply: no Message-Authenticator"));
	assert_non_null(strstr(o.log, "discarded a reply: the Identifier is not the request's"));
	fake_stop(&f);
	event_base_free(o.base);
}

static void cancel_cb(evutil_socket_t fd, short what, void *arg)
{
	otpce_radius_cancel(arg);
}

static void test_client_cancel(void **state)
{
	struct outcome o = { .base = event_base_new() };
	struct fake f;
	struct otpce_radius_server s;
	struct otpce_radius_req *req;
	struct event *cancel;
	struct timeval later = { 0, 300000 }, soon = { 0, 50000 };

	fake_start(o.base, &f, "secret-k");
	f.ignore = 100;
	s = udp_server(&f, 100, 5);
	/* Cancelled before the loop runs: nothing is sent, done never runs. */
	req = otpce_radius_pap_start(o.base, &s, 1, "a", "b", NULL, 0, done_cb, &o);
	assert_non_null(req);
	otpce_radius_cancel(req);
	otpce_radius_cancel(NULL);
	/* Cancelled while waiting for an answer. */
	req = otpce_radius_pap_start(o.base, &s, 1, "a", "b", NULL, 0, done_cb, &o);
	assert_non_null(req);
	cancel = evtimer_new(o.base, cancel_cb, req);
	assert_int_equal(evtimer_add(cancel, &soon), 0);
	/* The loop ends at |later| (the fake's event stays): by then a
	 * request left alone would have resent twice. */
	assert_int_equal(event_base_loopexit(o.base, &later), 0);
	assert_int_equal(event_base_dispatch(o.base), 0);
	assert_false(o.called);
	assert_int_equal(f.seen, 1);
	event_free(cancel);
	fake_stop(&f);
	event_base_free(o.base);
}

static void test_client_arguments(void **state)
{
	struct event_base *base = event_base_new();
	struct outcome o = { .base = base };
	struct otpce_radius_server good = { "127.0.0.1", 1812, "s", 100, 0, 0, NULL, NULL, NULL };
	struct otpce_radius_server bad;
	struct otpce_radius_reply reply;
	char long_pw[130];
	uint8_t st[254] = { 0 };

	memset(long_pw, 'p', 129);
	long_pw[129] = '\0';
#define NO(servers, n, user, pw, state, state_len) \
	assert_null(otpce_radius_pap_start(base, servers, n, user, pw, state, state_len, done_cb, &o))
	NO(&good, 0, "u", "p", NULL, 0);
	NO(NULL, 1, "u", "p", NULL, 0);
	NO(&good, 1, "", "p", NULL, 0);
	NO(&good, 1, NULL, "p", NULL, 0);
	NO(&good, 1, "u", NULL, NULL, 0);
	NO(&good, 1, "u", long_pw, NULL, 0);
	NO(&good, 1, "u", "p", st, 254);
	NO(&good, 1, "u", "p", NULL, 3);
	bad = good;
	bad.secret = "";
	NO(&bad, 1, "u", "p", NULL, 0);
	bad.secret = NULL;
	NO(&bad, 1, "u", "p", NULL, 0);
	bad = good;
	bad.host = NULL;
	NO(&bad, 1, "u", "p", NULL, 0);
	bad = good;
	bad.tls = 1;
	NO(&bad, 1, "u", "p", NULL, 0);
#undef NO
	assert_null(otpce_radius_pap_start(base, &good, 1, "u", "p", NULL, 0, NULL, NULL));
	assert_int_equal(otpce_radius_pap(&good, 1, "u", long_pw, NULL, 0, NULL, &reply),
			 OTPCE_RADIUS_ERROR);
	assert_int_equal(reply.result, OTPCE_RADIUS_ERROR);
	assert_false(o.called);
	event_base_free(base);
}

/* No server could be tried (its TLS files do not load): an error, not "no
 * answer", and the log says why. */
static void test_client_local_error(void **state)
{
	struct outcome o = { .base = event_base_new() };
	struct otpce_radius_server s = { "127.0.0.1", 1, NULL, 100, 0, 1,
					 "/nonexistent/ca.pem", "/nonexistent/c.pem",
					 "/nonexistent/k.pem" };

	run(&o, &s, 1, "u", "p", NULL);
	assert_int_equal(o.reply.result, OTPCE_RADIUS_ERROR);
	assert_non_null(strstr(o.log, "cannot load the TLS CA file"));
	assert_string_equal(otpce_radius_result_name(OTPCE_RADIUS_NO_ANSWER), "no answer");
	event_base_free(o.base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_client_accept),
		cmocka_unit_test(test_client_ipv6),
		cmocka_unit_test(test_client_challenge_round),
		cmocka_unit_test(test_client_resends_same_packet),
		cmocka_unit_test(test_client_no_answer),
		cmocka_unit_test(test_client_failover),
		cmocka_unit_test(test_client_closed_port),
		cmocka_unit_test(test_client_discards_forgeries),
		cmocka_unit_test(test_client_cancel),
		cmocka_unit_test(test_client_arguments),
		cmocka_unit_test(test_client_local_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
