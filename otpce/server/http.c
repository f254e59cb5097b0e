/*
 * http.c: otpced's HTTPS side: libevent's evhttp on bufferevent_openssl
 * (one TLS library in the process), and the HTTP rules of MS-OTPCE:
 * "Every protocol request is a single pair of HTTP POST and HTTP response
 * messages" (1.4); X-OTPCEP-version: 1.0 both ways (1.7); Content-Type
 * application/xml;charset=utf-8 (2.2).
 *
 * Every answer this file writes carries X-OTPCEP-version and, unless the
 * request never reached the protocol (wrong path or method, overload), a
 * signCertResponse with OtherError: a client that only reads the XML
 * still sees a failure.  Hostile clients:
 *  - bodies over max_body: evhttp answers 413 itself before our callback
 *    (evhttp_set_max_body_size), without our header;
 *  - slow clients (slow-loris, a stalled TLS handshake): the read and
 *    write timeouts (evhttp_set_timeout_tv, http_timeout_ms) close the
 *    connection;
 *  - bombs and other hostile XML: otpce/msg refuses them;
 *  - too many requests in flight: 503 above max_pending.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "otpce/server/server.h"

/* One request in flight. */
struct http_call {
	struct otpced *srv;
	struct evhttp_request *req;
	char client[INET6_ADDRSTRLEN + 8];
	char *user;
};

static void client_address(struct evhttp_request *req, char *out, size_t outlen)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	char *host = NULL;
	ev_uint16_t port = 0;

	if (evcon == NULL) {
		snprintf(out, outlen, "-");
		return;
	}
	evhttp_connection_get_peer(evcon, &host, &port);
	snprintf(out, outlen, "%s:%u", host != NULL ? host : "?", (unsigned)port);
}

/* send_xml sends |status_code| with a signCertResponse of |status|. */
static void send_xml(struct evhttp_request *req, int code, const char *phrase,
		     const struct otpce_sign_cert_response *resp)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	struct evbuffer *body = evbuffer_new();
	TALLOC_CTX *t = talloc_new(NULL);
	uint8_t *xml = NULL;
	size_t len = 0;
	const char *reason = NULL;

	evhttp_add_header(h, OTPCE_HTTP_VERSION_HEADER, OTPCE_HTTP_VERSION);
	evhttp_add_header(h, "Cache-Control", "no-store");
	if (t != NULL && body != NULL &&
	    NT_STATUS_IS_OK(otpce_sign_cert_response_build(t, resp, &xml, &len, &reason))) {
		evhttp_add_header(h, "Content-Type", OTPCE_HTTP_CONTENT_TYPE);
		evbuffer_add(body, xml, len);
		evhttp_send_reply(req, code, phrase, body);
	} else {
		otpced_log("cannot build a response (%s): answering 500",
			   reason != NULL ? reason : "out of memory");
		evhttp_send_reply(req, HTTP_INTERNAL, "Internal Server Error", NULL);
	}
	if (body != NULL) {
		evbuffer_free(body);
	}
	talloc_free(t);
}

static void send_error(struct evhttp_request *req, int code, const char *phrase)
{
	struct otpce_sign_cert_response resp = { .status = OTPCE_STATUS_OTHER_ERROR };

	send_xml(req, code, phrase, &resp);
}

static void send_plain(struct evhttp_request *req, int code, const char *phrase)
{
	evhttp_add_header(evhttp_request_get_output_headers(req), OTPCE_HTTP_VERSION_HEADER,
			  OTPCE_HTTP_VERSION);
	evhttp_send_reply(req, code, phrase, NULL);
}

static void processed(const struct otpced_outcome *o, void *arg)
{
	struct http_call *call = arg;
	struct otpce_sign_cert_response resp = { .status = o->status };

	if (o->status == OTPCE_STATUS_SUCCESS) {
		resp.signed_cert_request = o->signed_request;
		resp.signed_cert_request_len = o->signed_request_len;
		resp.num_issuing_cas = call->srv->cfg->num_cas;
		resp.issuing_cas = call->srv->cfg->cas;
	}
	otpced_log_request(call->client, call->user, otpce_status_name(o->status),
			   o->radius_server, o->detail);
	/* If the client has gone, evhttp frees the request here. */
	send_xml(call->req, HTTP_OK, "OK", &resp);
	call->srv->pending--;
	talloc_free(call);
}

static bool path_matches(struct evhttp_request *req, const char *want)
{
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;

	return path != NULL && strcmp(path, want) == 0 && evhttp_uri_get_query(uri) == NULL;
}

static void on_request(struct evhttp_request *req, void *arg)
{
	struct otpced *srv = arg;
	struct evkeyvalq *in = evhttp_request_get_input_headers(req);
	struct evbuffer *body = evhttp_request_get_input_buffer(req);
	char client[INET6_ADDRSTRLEN + 8];
	struct otpce_sign_cert_request *parsed = NULL;
	struct http_call *call;
	const char *reason = NULL;
	size_t len;
	uint8_t *bytes;
	NTSTATUS st;

	client_address(req, client, sizeof(client));
	if (!path_matches(req, srv->cfg->url_path)) {
		otpced_log_request(client, NULL, "HTTP-404", NULL, "not the configured path");
		send_plain(req, HTTP_NOTFOUND, "Not Found");
		return;
	}
	if (evhttp_request_get_command(req) != EVHTTP_REQ_POST) {
		otpced_log_request(client, NULL, "HTTP-405", NULL, "not a POST (1.4)");
		evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", "POST");
		send_plain(req, HTTP_BADMETHOD, "Method Not Allowed");
		return;
	}
	if (srv->pending >= srv->cfg->max_pending) {
		otpced_log_request(client, NULL, "HTTP-503", NULL, "max_pending requests in flight");
		send_plain(req, HTTP_SERVUNAVAIL, "Service Unavailable");
		return;
	}
	if (!otpce_http_version_ok(evhttp_find_header(in, OTPCE_HTTP_VERSION_HEADER))) {
		otpced_log_request(client, NULL, "OtherError", NULL,
				   "X-OTPCEP-version missing or not 1.0 (1.7)");
		send_error(req, HTTP_BADREQUEST, "Bad Request");
		return;
	}
	if (!otpce_http_content_type_ok(evhttp_find_header(in, "Content-Type"))) {
		otpced_log_request(client, NULL, "OtherError", NULL,
				   "Content-Type is not application/xml;charset=utf-8 (2.2)");
		send_error(req, 415, "Unsupported Media Type");
		return;
	}
	len = evbuffer_get_length(body);
	if (len == 0 || len > srv->cfg->max_body) {
		otpced_log_request(client, NULL, "OtherError", NULL, "empty or oversize body");
		send_error(req, len == 0 ? HTTP_BADREQUEST : 413, len == 0 ? "Bad Request"
									  : "Payload Too Large");
		return;
	}
	/* Parse in place, then wipe: the body holds the one-time password. */
	bytes = evbuffer_pullup(body, -1);
	if (bytes == NULL) {
		send_error(req, HTTP_INTERNAL, "Internal Server Error");
		return;
	}
	call = talloc_zero(srv, struct http_call);
	st = call != NULL ? otpce_sign_cert_request_parse(call, bytes, len, &parsed, &reason)
			  : NT_STATUS_NO_MEMORY;
	crypto_wipe(bytes, len);
	evbuffer_drain(body, len);
	if (!NT_STATUS_IS_OK(st)) {
		otpced_log_request(client, NULL, "OtherError", NULL,
				   reason != NULL ? reason : "out of memory");
		send_error(req, NT_STATUS_EQUAL(st, NT_STATUS_NO_MEMORY) ? HTTP_INTERNAL
									  : HTTP_BADREQUEST,
			   NT_STATUS_EQUAL(st, NT_STATUS_NO_MEMORY) ? "Internal Server Error"
								    : "Bad Request");
		talloc_free(call);
		return;
	}
	call->srv = srv;
	call->req = req;
	memcpy(call->client, client, sizeof(client));
	call->user = talloc_strdup(call, parsed->username);
	srv->pending++;
	otpced_process(call, srv, parsed, processed, call);
}

static struct bufferevent *make_bev(struct event_base *base, void *arg)
{
	struct otpced *srv = arg;
	SSL *ssl = SSL_new(srv->ssl_ctx);

	if (ssl == NULL) {
		return NULL;
	}
	return bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING,
					      BEV_OPT_CLOSE_ON_FREE);
}

int otpced_tls_setup(struct otpced *srv, char *err, size_t errlen)
{
	const struct otpced_config *c = srv->cfg;
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (ctx == NULL) {
		snprintf(err, errlen, "SSL_CTX_new failed");
		return -1;
	}
	srv->ssl_ctx = ctx;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
	if (SSL_CTX_use_certificate_chain_file(ctx, c->tls_cert) != 1) {
		snprintf(err, errlen, "tls_cert %s: cannot load the certificate chain", c->tls_cert);
		return -1;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, c->tls_key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		snprintf(err, errlen, "tls_key %s: cannot load it, or it does not match tls_cert",
			 c->tls_key);
		return -1;
	}
	if (c->client_cert != OTPCED_CLIENT_CERT_NONE) {
		STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(c->client_ca);
		if (names == NULL || SSL_CTX_load_verify_locations(ctx, c->client_ca, NULL) != 1) {
			sk_X509_NAME_pop_free(names, X509_NAME_free);
			snprintf(err, errlen, "client_ca %s: cannot load it", c->client_ca);
			return -1;
		}
		SSL_CTX_set_client_CA_list(ctx, names);
		SSL_CTX_set_verify(ctx,
				   SSL_VERIFY_PEER |
					   (c->client_cert == OTPCED_CLIENT_CERT_REQUIRE
						    ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT
						    : 0),
				   NULL);
	}
	ERR_clear_error();
	return 0;
}

/* listen_one: a listening socket on |ai| (see otpced_http_listen). */
static int listen_one(const struct evutil_addrinfo *ai, bool reuseport)
{
	int one = 1;
	evutil_socket_t fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
				    ai->ai_protocol);

	if (fd < 0) {
		return -1;
	}
	/*
	 * TCP_NODELAY, set on the listener so that every accepted socket
	 * inherits it (Linux does; evhttp gives the bevcb no fd to set it
	 * on).  evhttp writes an answer's headers and body as two TLS
	 * records; with Nagle the second waits for the client's ACK of the
	 * first, which a client waiting for the whole answer delays (delayed
	 * ACK, up to 40 ms on Linux): every keep-alive request paid that.
	 */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0) ||
	    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0 ||
	    bind(fd, ai->ai_addr, (socklen_t)ai->ai_addrlen) != 0 || listen(fd, SOMAXCONN) != 0) {
		evutil_closesocket(fd);
		return -1;
	}
	return fd;
}

static int socket_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (fd < 0 || getsockname(fd, (struct sockaddr *)&ss, &len) != 0) {
		return 0;
	}
	if (ss.ss_family == AF_INET6) {
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	}
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

static int close_listeners(struct otpced *srv)
{
	for (unsigned i = 0; i < srv->num_listen_fds; i++) {
		if (srv->listen_fds[i] >= 0) {
			close(srv->listen_fds[i]);
		}
	}
	return 0;
}

int otpced_http_listen(struct otpced *srv, char *err, size_t errlen)
{
	const struct otpced_config *c = srv->cfg;
	struct evutil_addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
					 .ai_protocol = IPPROTO_TCP,
					 .ai_flags = EVUTIL_AI_PASSIVE | EVUTIL_AI_NUMERICSERV };
	struct evutil_addrinfo *ai = NULL;
	char port[8];
	unsigned n = c->workers > 0 ? c->workers : 1;
	int *fds = talloc_array(srv, int, n);

	if (fds == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (unsigned i = 0; i < n; i++) {
		fds[i] = -1;
	}
	srv->listen_fds = fds;
	srv->num_listen_fds = n;
	snprintf(port, sizeof(port), "%u", (unsigned)c->listen_port);
	if (evutil_getaddrinfo(c->listen_host, port, &hints, &ai) != 0 || ai == NULL) {
		snprintf(err, errlen, "cannot listen on %s port %u: the address does not resolve",
			 c->listen_host, (unsigned)c->listen_port);
		return -1;
	}
	for (unsigned i = 0; i < n; i++) {
		fds[i] = listen_one(ai, n > 1);
		if (fds[i] < 0) {
			snprintf(err, errlen, "cannot listen on %s port %u: %s", c->listen_host,
				 (unsigned)c->listen_port, strerror(errno));
			evutil_freeaddrinfo(ai);
			return -1;
		}
		if (i == 0 && c->listen_port == 0) {
			/* port 0: the others join the port the kernel picked */
			int p = socket_port(fds[0]);
			if (ai->ai_family == AF_INET6) {
				((struct sockaddr_in6 *)ai->ai_addr)->sin6_port = htons((uint16_t)p);
			} else {
				((struct sockaddr_in *)ai->ai_addr)->sin_port = htons((uint16_t)p);
			}
		}
	}
	evutil_freeaddrinfo(ai);
	return 0;
}

int otpced_http_start(struct otpced *srv, unsigned i, char *err, size_t errlen)
{
	const struct otpced_config *c = srv->cfg;
	struct timeval tv = { .tv_sec = c->http_timeout_ms / 1000,
			      .tv_usec = (c->http_timeout_ms % 1000) * 1000 };

	if (srv->ssl_ctx == NULL || i >= srv->num_listen_fds) {
		snprintf(err, errlen, "otpced_http_start: no TLS context or socket");
		return -1;
	}
	srv->http = evhttp_new(srv->base);
	if (srv->http == NULL) {
		snprintf(err, errlen, "evhttp_new failed");
		return -1;
	}
	evhttp_set_bevcb(srv->http, make_bev, srv);
	evhttp_set_gencb(srv->http, on_request, srv);
	evhttp_set_timeout_tv(srv->http, &tv);
	evhttp_set_max_body_size(srv->http, (ev_ssize_t)c->max_body);
	/* An oversize body: read (and drop) what the client sends, then
	 * answer 413.  Closing at once with its bytes unread makes the kernel
	 * reset the connection, and the reset can reach the client before the
	 * 413 does (curl then sees no answer at all).  The connection timeout
	 * still bounds how long a client may keep sending. */
	evhttp_set_flags(srv->http, EVHTTP_SERVER_LINGERING_CLOSE);
	evhttp_set_max_headers_size(srv->http, 16384);
	evhttp_set_allowed_methods(srv->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
						      EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
						      EVHTTP_REQ_OPTIONS);
	/* evhttp owns the socket from here (it closes it when freed). */
	srv->bound = evhttp_accept_socket_with_handle(srv->http, srv->listen_fds[i]);
	if (srv->bound == NULL) {
		snprintf(err, errlen, "cannot accept on the listening socket");
		return -1;
	}
	srv->listen_fds[i] = -1;
	return 0;
}

uint16_t otpced_http_port(const struct otpced *srv)
{
	if (srv->bound != NULL) {
		return (uint16_t)socket_port(evhttp_bound_socket_get_fd(srv->bound));
	}
	return srv->num_listen_fds > 0 ? (uint16_t)socket_port(srv->listen_fds[0]) : 0;
}

void otpced_http_stop(struct otpced *srv)
{
	if (srv->http != NULL) {
		evhttp_free(srv->http);
		srv->http = NULL;
		srv->bound = NULL;
	}
	if (srv->listen_fds != NULL) {
		close_listeners(srv);
		TALLOC_FREE(srv->listen_fds);
		srv->num_listen_fds = 0;
	}
	if (srv->ssl_ctx != NULL) {
		SSL_CTX_free(srv->ssl_ctx);
		srv->ssl_ctx = NULL;
	}
}
