/*
 * client.c: the RADIUS client's state machine on libevent (radius.h):
 * UDP sends, resends and reply matching here; TLS in radsec.c; packets in
 * packet.c.
 *
 * One request is one socket per server tried (a fresh ephemeral port), so
 * the Identifier space is never shared and a reply can only match the
 * packet this request sent.  The UDP socket is connect()ed, so the kernel
 * drops datagrams from anyone but the server; recvfrom's address is
 * checked as well.  RFC 2865 section 2.5 (retransmission): a resend to the
 * same server is the same packet, Identifier and Request Authenticator
 * included; the next server gets its own packet (its own secret), built,
 * with all the others, before the password copy is wiped.
 */
#include "otpce/radius/radius.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>
#include <talloc.h>

#include "crypto/crypto.h"
#include "otpce/radius/packet.h"
#include "otpce/radius/radsec.h"

#define DEFAULT_TIMEOUT_MS 3000
#define DEFAULT_PORT 1812
#define DEFAULT_TLS_PORT 2083
#define DEFAULT_NAS_IDENTIFIER "otpced"
/* RFC 6614 2.3: the shared secret over TLS. */
#define RADSEC_SECRET "radsec"

struct attempt {
	char *host;
	uint16_t port;
	char label[300]; /* "host:port", for the reply and the logs */
	struct crypto_secret *secret;
	unsigned timeout_ms;
	unsigned retries;
	bool tls;
	char *ca, *cert, *key;
	uint8_t identifier;
	uint8_t authenticator[RADIUS_AUTH_LEN];
	struct crypto_secret *packet; /* holds the hidden password: wiped */
};

struct otpce_radius_req {
	struct event_base *base;
	struct attempt *attempts;
	size_t n;
	size_t cur;
	unsigned sends;
	bool tried_any; /* a server was actually sent to */

	evutil_socket_t fd;
	struct sockaddr_storage peer;
	socklen_t peer_len;
	struct event *ev_read;
	struct event *ev_timer;
	struct event *ev_start;
	struct radsec_conn *tls;

	otpce_radius_done_fn done;
	void *arg;
	otpce_radius_log_fn log;
	void *log_arg;
};

static void try_servers(struct otpce_radius_req *req);

static void req_log(struct otpce_radius_req *req, enum otpce_radius_log_level level,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void req_log(struct otpce_radius_req *req, enum otpce_radius_log_level level,
		    const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (req->log == NULL) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	req->log(level, line, req->log_arg);
}

const char *otpce_radius_result_name(enum otpce_radius_result result)
{
	switch (result) {
	case OTPCE_RADIUS_ACCEPT:
		return "accept";
	case OTPCE_RADIUS_REJECT:
		return "reject";
	case OTPCE_RADIUS_CHALLENGE:
		return "challenge";
	case OTPCE_RADIUS_NO_ANSWER:
		return "no answer";
	case OTPCE_RADIUS_ERROR:
		return "error";
	}
	return "?";
}

/* close_transport ends whatever the current server attempt has open. */
static void close_transport(struct otpce_radius_req *req)
{
	if (req->ev_read != NULL) {
		event_free(req->ev_read);
		req->ev_read = NULL;
	}
	if (req->ev_timer != NULL) {
		event_del(req->ev_timer);
	}
	if (req->fd >= 0) {
		close(req->fd);
		req->fd = -1;
	}
	TALLOC_FREE(req->tls);
}

static int req_destructor(struct otpce_radius_req *req)
{
	close_transport(req);
	if (req->ev_timer != NULL) {
		event_free(req->ev_timer);
	}
	if (req->ev_start != NULL) {
		event_free(req->ev_start);
	}
	return 0;
}

/* finish ends the request: |done| runs after the request is freed, with a
 * copy of the outcome, so it may start another. */
static void finish(struct otpce_radius_req *req, enum otpce_radius_result result,
		   const struct radius_reply *r, const char *server)
{
	struct otpce_radius_reply out;
	otpce_radius_done_fn done = req->done;
	void *arg = req->arg;

	memset(&out, 0, sizeof(out));
	out.result = result;
	if (server != NULL) {
		snprintf(out.server, sizeof(out.server), "%s", server);
	}
	if (r != NULL) {
		if (r->state_len > 0 && r->state_len <= sizeof(out.state)) {
			memcpy(out.state, r->state, r->state_len);
			out.state_len = r->state_len;
		}
		snprintf(out.reply_message, sizeof(out.reply_message), "%s", r->reply_message);
	}
	talloc_free(req);
	done(&out, arg);
}

/* result_of maps a code radius_reply_parse accepted (one of three). */
static enum otpce_radius_result result_of(uint8_t code)
{
	switch (code) {
	case RADIUS_CODE_ACCESS_ACCEPT:
		return OTPCE_RADIUS_ACCEPT;
	case RADIUS_CODE_ACCESS_CHALLENGE:
		return OTPCE_RADIUS_CHALLENGE;
	case RADIUS_CODE_ACCESS_REJECT:
		return OTPCE_RADIUS_REJECT;
	default:
		return OTPCE_RADIUS_ERROR;
	}
}

/* take_reply checks one packet from the current server; true (and the
 * request finished and freed) when it is the answer. */
static bool take_reply(struct otpce_radius_req *req, const uint8_t *pkt, size_t len)
{
	struct attempt *a = &req->attempts[req->cur];
	struct radius_reply r;
	const char *why = "?";
	NTSTATUS status;

	status = radius_reply_parse(pkt, len, a->identifier, a->authenticator,
				    a->secret->data, a->secret->len, &r, &why);
	if (!NT_STATUS_IS_OK(status)) {
		/* RFC 2865 section 3: silently discard; we log it. */
		req_log(req, OTPCE_RADIUS_LOG_WARNING,
			"radius: %s: discarded a reply: %s", a->label, why);
		return false;
	}
	req_log(req, OTPCE_RADIUS_LOG_INFO, "radius: %s: %s", a->label,
		otpce_radius_result_name(result_of(r.code)));
	finish(req, result_of(r.code), &r, a->label);
	return true;
}

/* next_server gives up on the current server. */
static void next_server(struct otpce_radius_req *req)
{
	close_transport(req);
	req->cur++;
	try_servers(req);
}

/* ---- UDP ------------------------------------------------------------------ */

static bool same_peer(const struct sockaddr_storage *a, socklen_t a_len,
		      const struct sockaddr_storage *b, socklen_t b_len)
{
	if (a->ss_family != b->ss_family) {
		return false;
	}
	if (a->ss_family == AF_INET && a_len >= sizeof(struct sockaddr_in) &&
	    b_len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->ss_family == AF_INET6 && a_len >= sizeof(struct sockaddr_in6) &&
	    b_len >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
		return x->sin6_port == y->sin6_port &&
		       memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) == 0;
	}
	return false;
}

static bool udp_send(struct otpce_radius_req *req)
{
	struct attempt *a = &req->attempts[req->cur];
	struct timeval tv = { a->timeout_ms / 1000, (a->timeout_ms % 1000) * 1000 };
	ssize_t n = send(req->fd, a->packet->data, a->packet->len, 0);

	if (n < 0 || (size_t)n != a->packet->len) {
		req_log(req, OTPCE_RADIUS_LOG_WARNING, "radius: %s: cannot send: %s",
			a->label, n < 0 ? strerror(errno) : "short write");
		return false;
	}
	req->sends++;
	return event_add(req->ev_timer, &tv) == 0;
}

static void udp_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct otpce_radius_req *req = arg;
	struct attempt *a = &req->attempts[req->cur];

	for (;;) {
		/* One octet more than a packet can be, so that an oversize
		 * datagram is seen whole enough to be refused by its Length. */
		uint8_t buf[RADIUS_MAX_PACKET + 1];
		struct sockaddr_storage from;
		socklen_t from_len = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT,
				     (struct sockaddr *)&from, &from_len);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
				return;
			}
			/* ECONNREFUSED: an ICMP port unreachable, the port is closed. */
			req_log(req, OTPCE_RADIUS_LOG_WARNING, "radius: %s: %s", a->label,
				errno == ECONNREFUSED ? "port unreachable" : strerror(errno));
			next_server(req);
			return;
		}
		if (!same_peer(&from, from_len, &req->peer, req->peer_len)) {
			req_log(req, OTPCE_RADIUS_LOG_WARNING,
				"radius: %s: discarded a datagram from another address", a->label);
			continue;
		}
		if (take_reply(req, buf, (size_t)n)) {
			return;
		}
	}
}

static void udp_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct otpce_radius_req *req = arg;
	struct attempt *a = &req->attempts[req->cur];

	if (req->sends <= a->retries) {
		req_log(req, OTPCE_RADIUS_LOG_INFO, "radius: %s: no answer in %u ms, resending",
			a->label, a->timeout_ms);
		if (udp_send(req)) {
			return;
		}
	} else {
		req_log(req, OTPCE_RADIUS_LOG_WARNING, "radius: %s: no answer after %u sends",
			a->label, req->sends);
	}
	next_server(req);
}

static bool udp_start(struct otpce_radius_req *req)
{
	struct attempt *a = &req->attempts[req->cur];

	req->fd = socket(req->peer.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (req->fd < 0 || connect(req->fd, (struct sockaddr *)&req->peer, req->peer_len) != 0) {
		req_log(req, OTPCE_RADIUS_LOG_WARNING, "radius: %s: cannot open a socket: %s",
			a->label, strerror(errno));
		return false;
	}
	req->ev_read = event_new(req->base, req->fd, EV_READ | EV_PERSIST, udp_read_cb, req);
	if (req->ev_read == NULL || event_add(req->ev_read, NULL) != 0 ||
	    event_assign(req->ev_timer, req->base, -1, 0, udp_timer_cb, req) != 0) {
		req_log(req, OTPCE_RADIUS_LOG_WARNING, "radius: %s: cannot add an event", a->label);
		return false;
	}
	req->sends = 0;
	req->tried_any = true;
	return udp_send(req);
}

/* ---- TLS ------------------------------------------------------------------ */

static bool tls_packet_cb(const uint8_t *pkt, size_t len, void *arg)
{
	return take_reply(arg, pkt, len);
}

static void tls_fail_cb(const char *why, void *arg)
{
	struct otpce_radius_req *req = arg;

	req_log(req, OTPCE_RADIUS_LOG_WARNING, "radius: %s: %s",
		req->attempts[req->cur].label, why);
	next_server(req);
}

static void tls_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct otpce_radius_req *req = arg;

	req_log(req, OTPCE_RADIUS_LOG_WARNING, "radius: %s: no answer over TLS in time",
		req->attempts[req->cur].label);
	next_server(req);
}

static bool tls_start(struct otpce_radius_req *req)
{
	struct attempt *a = &req->attempts[req->cur];
	uint64_t ms = (uint64_t)a->timeout_ms * ((uint64_t)a->retries + 1);
	struct timeval tv;
	const char *why = "?";
	bool network = false;

	if (ms > 3600 * 1000) {
		ms = 3600 * 1000;
	}
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	req->tls = radsec_connect(req, req->base, (struct sockaddr *)&req->peer, req->peer_len,
				  a->host, a->ca, a->cert, a->key, a->packet->data, a->packet->len,
				  tls_packet_cb, tls_fail_cb, req, &why, &network);
	if (req->tls == NULL) {
		req_log(req, OTPCE_RADIUS_LOG_WARNING, "radius: %s: %s", a->label, why);
		req->tried_any |= network;
		return false;
	}
	if (event_assign(req->ev_timer, req->base, -1, 0, tls_timer_cb, req) != 0 ||
	    event_add(req->ev_timer, &tv) != 0) {
		req_log(req, OTPCE_RADIUS_LOG_WARNING, "radius: %s: cannot add an event", a->label);
		return false;
	}
	req->tried_any = true;
	return true;
}

/* ---- the server list -------------------------------------------------------- */

static bool resolve(struct otpce_radius_req *req, struct attempt *a)
{
	struct addrinfo hints, *res = NULL;
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = a->tls ? SOCK_STREAM : SOCK_DGRAM;
	rc = getaddrinfo(a->host, NULL, &hints, &res);
	if (rc != 0 || res == NULL || res->ai_addrlen > sizeof(req->peer)) {
		req_log(req, OTPCE_RADIUS_LOG_WARNING, "radius: %s: cannot resolve: %s", a->label,
			rc != 0 ? gai_strerror(rc) : "no address");
		if (res != NULL) {
			freeaddrinfo(res);
		}
		return false;
	}
	memset(&req->peer, 0, sizeof(req->peer));
	memcpy(&req->peer, res->ai_addr, res->ai_addrlen);
	req->peer_len = res->ai_addrlen;
	freeaddrinfo(res);
	if (req->peer.ss_family == AF_INET) {
		((struct sockaddr_in *)&req->peer)->sin_port = htons(a->port);
	} else if (req->peer.ss_family == AF_INET6) {
		((struct sockaddr_in6 *)&req->peer)->sin6_port = htons(a->port);
	} else {
		req_log(req, OTPCE_RADIUS_LOG_WARNING, "radius: %s: not an IP address", a->label);
		return false;
	}
	return true;
}

/* try_servers starts the current server, or the next that can be started;
 * after the last, the request ends with no answer. */
static void try_servers(struct otpce_radius_req *req)
{
	for (; req->cur < req->n; req->cur++) {
		struct attempt *a = &req->attempts[req->cur];
		bool started;

		req_log(req, OTPCE_RADIUS_LOG_INFO, "radius: asking %s%s", a->label,
			a->tls ? " over TLS" : "");
		started = resolve(req, a) && (a->tls ? tls_start(req) : udp_start(req));
		if (started) {
			return;
		}
		close_transport(req);
	}
	req_log(req, OTPCE_RADIUS_LOG_WARNING, "radius: no server answered");
	finish(req, req->tried_any ? OTPCE_RADIUS_NO_ANSWER : OTPCE_RADIUS_ERROR, NULL, NULL);
}

static void start_cb(evutil_socket_t fd, short what, void *arg)
{
	try_servers(arg);
}

/* ---- start ------------------------------------------------------------------ */

static char *label_of(const char *host, uint16_t port, char *buf, size_t len)
{
	snprintf(buf, len, strchr(host, ':') != NULL ? "[%s]:%u" : "%s:%u", host, port);
	return buf;
}

/* setup_attempt copies server |s| and builds its packet; NULL on success,
 * else what is wrong. */
static const char *setup_attempt(struct otpce_radius_req *req, struct attempt *a,
				 const struct otpce_radius_server *s,
				 const struct radius_request_fields *proto,
				 const struct crypto_secret *password)
{
	struct radius_request_fields f = *proto;
	const char *secret = s->secret;
	const char *why = "?";
	uint8_t *pkt = NULL;
	size_t len = 0;
	NTSTATUS status;

	if (s->host == NULL || s->host[0] == '\0' || strlen(s->host) > 255) {
		return "no host, or a host name over 255 octets";
	}
	if (s->tls) {
		if (s->tls_ca == NULL || s->tls_cert == NULL || s->tls_key == NULL) {
			return "TLS needs a CA file, a certificate and a key";
		}
		if (secret == NULL || secret[0] == '\0') {
			secret = RADSEC_SECRET;
		}
	}
	if (secret == NULL || secret[0] == '\0' || strlen(secret) > RADIUS_MAX_SECRET) {
		return "the shared secret is empty or over 256 octets";
	}
	a->host = talloc_strdup(req->attempts, s->host);
	a->port = s->port != 0 ? s->port : s->tls ? DEFAULT_TLS_PORT : DEFAULT_PORT;
	label_of(s->host, a->port, a->label, sizeof(a->label));
	a->secret = crypto_secret_dup(req->attempts, (const uint8_t *)secret, strlen(secret));
	a->timeout_ms = s->timeout_ms != 0 ? s->timeout_ms : DEFAULT_TIMEOUT_MS;
	a->retries = s->retries;
	a->tls = s->tls != 0;
	if (a->tls) {
		a->ca = talloc_strdup(req->attempts, s->tls_ca);
		a->cert = talloc_strdup(req->attempts, s->tls_cert);
		a->key = talloc_strdup(req->attempts, s->tls_key);
		if (a->ca == NULL || a->cert == NULL || a->key == NULL) {
			return "no memory";
		}
	}
	if (a->host == NULL || a->secret == NULL) {
		return "no memory";
	}
	if (!NT_STATUS_IS_OK(crypto_random(&f.identifier, 1)) ||
	    !NT_STATUS_IS_OK(crypto_random(f.authenticator, sizeof(f.authenticator)))) {
		return "no random numbers";
	}
	f.password = password->data;
	f.password_len = password->len;
	status = radius_request_build(req, &f, a->secret->data, a->secret->len, &pkt, &len, &why);
	if (!NT_STATUS_IS_OK(status)) {
		return NT_STATUS_EQUAL(status, NT_STATUS_INVALID_PARAMETER) ? why : "cannot build the request";
	}
	a->packet = crypto_secret_dup(req->attempts, pkt, len);
	crypto_wipe(pkt, len);
	talloc_free(pkt);
	if (a->packet == NULL) {
		return "no memory";
	}
	a->identifier = f.identifier;
	memcpy(a->authenticator, f.authenticator, sizeof(a->authenticator));
	return NULL;
}

struct otpce_radius_req *otpce_radius_pap_start_opts(struct event_base *base,
						     const struct otpce_radius_server *servers,
						     size_t n, const char *user,
						     const char *password,
						     const uint8_t *state, size_t state_len,
						     const struct otpce_radius_options *opts,
						     otpce_radius_done_fn done, void *arg)
{
	struct otpce_radius_req *req;
	struct crypto_secret *pw;
	struct radius_request_fields f;
	const char *nas = opts != NULL && opts->nas_identifier != NULL ? opts->nas_identifier
								      : DEFAULT_NAS_IDENTIFIER;
	const char *why = NULL;

	if (base == NULL || servers == NULL || n == 0 || n > 64 || user == NULL ||
	    password == NULL || done == NULL || (state == NULL && state_len > 0) ||
	    state_len > RADIUS_MAX_VALUE) {
		return NULL;
	}
	req = talloc_zero(NULL, struct otpce_radius_req);
	if (req == NULL) {
		return NULL;
	}
	req->fd = -1;
	talloc_set_destructor(req, req_destructor);
	req->base = base;
	req->n = n;
	req->done = done;
	req->arg = arg;
	if (opts != NULL) {
		req->log = opts->log;
		req->log_arg = opts->log_arg;
	}
	req->attempts = talloc_zero_array(req, struct attempt, n);
	pw = crypto_secret_dup(req, (const uint8_t *)password, strlen(password));
	req->ev_timer = event_new(base, -1, 0, udp_timer_cb, req);
	req->ev_start = event_new(base, -1, 0, start_cb, req);
	if (req->attempts == NULL || pw == NULL || req->ev_timer == NULL ||
	    req->ev_start == NULL) {
		talloc_free(req);
		return NULL;
	}
	memset(&f, 0, sizeof(f));
	f.user = (const uint8_t *)user;
	f.user_len = strlen(user);
	f.nas_identifier = (const uint8_t *)nas;
	f.nas_identifier_len = strlen(nas);
	f.state = state;
	f.state_len = state_len;
	for (size_t i = 0; i < n && why == NULL; i++) {
		why = setup_attempt(req, &req->attempts[i], &servers[i], &f, pw);
		if (why != NULL) {
			req_log(req, OTPCE_RADIUS_LOG_WARNING, "radius: server %zu: %s", i + 1, why);
		}
	}
	/* Every server's packet is built: the password is not needed again. */
	talloc_free(pw);
	if (why != NULL) {
		talloc_free(req);
		return NULL;
	}
	event_active(req->ev_start, EV_TIMEOUT, 0);
	return req;
}

struct otpce_radius_req *otpce_radius_pap_start(struct event_base *base,
						const struct otpce_radius_server *servers,
						size_t n, const char *user, const char *password,
						const uint8_t *state, size_t state_len,
						otpce_radius_done_fn done, void *arg)
{
	return otpce_radius_pap_start_opts(base, servers, n, user, password, state, state_len,
					   NULL, done, arg);
}

void otpce_radius_cancel(struct otpce_radius_req *req)
{
	talloc_free(req);
}

/* ---- the blocking form ----------------------------------------------------- */

struct blocking {
	struct otpce_radius_reply *reply;
};

static void blocking_done(const struct otpce_radius_reply *reply, void *arg)
{
	struct blocking *b = arg;
	*b->reply = *reply;
}

enum otpce_radius_result otpce_radius_pap(const struct otpce_radius_server *servers, size_t n,
					  const char *user, const char *password,
					  const uint8_t *state, size_t state_len,
					  const struct otpce_radius_options *opts,
					  struct otpce_radius_reply *reply)
{
	struct event_base *base = event_base_new();
	struct blocking b = { reply };

	memset(reply, 0, sizeof(*reply));
	reply->result = OTPCE_RADIUS_ERROR;
	if (base == NULL) {
		return OTPCE_RADIUS_ERROR;
	}
	if (otpce_radius_pap_start_opts(base, servers, n, user, password, state, state_len, opts,
					blocking_done, &b) != NULL) {
		/* Returns once no event is left: the request has ended. */
		event_base_dispatch(base);
	}
	event_base_free(base);
	return reply->result;
}
