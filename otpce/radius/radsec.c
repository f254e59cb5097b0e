/*
 * radsec.c: RADIUS over TLS (RFC 6614) on libevent's OpenSSL bufferevent.
 * See radsec.h.  RFC 6614 2.3: the same packets as over UDP, framed by
 * their own Length field; no retransmission (TCP is reliable), so the
 * caller's deadline is the only timer.
 */
#include "otpce/radius/radsec.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "otpce/radius/packet.h"

struct radsec_conn {
	SSL_CTX *ctx;
	struct bufferevent *bev;
	radsec_packet_fn on_packet;
	radsec_fail_fn on_fail;
	void *arg;
	/* Inside radsec_connect: a failure reported from within
	 * bufferevent_socket_connect is returned, not called back. */
	bool starting;
	bool failed_starting;
	bool connected; /* the handshake is done */
	char why[200];
};

static int radsec_destructor(struct radsec_conn *c)
{
	if (c->bev != NULL) {
		/* BEV_OPT_CLOSE_ON_FREE: closes the socket and frees the SSL. */
		bufferevent_free(c->bev);
	}
	SSL_CTX_free(c->ctx);
	return 0;
}

/* fail tells the caller why the connection is no use; the caller may free
 * |c|, so nothing touches it afterwards. */
static void fail(struct radsec_conn *c, const char *why)
{
	bufferevent_disable(c->bev, EV_READ | EV_WRITE);
	if (c->starting) {
		c->failed_starting = true;
		return;
	}
	c->on_fail(why, c->arg);
}

static void read_cb(struct bufferevent *bev, void *arg)
{
	struct radsec_conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);

	for (;;) {
		uint8_t pkt[RADIUS_MAX_PACKET];
		size_t have = evbuffer_get_length(in), n;

		if (have < 4) {
			return;
		}
		if (evbuffer_copyout(in, pkt, 4) != 4) {
			fail(c, "cannot read the TLS input buffer");
			return;
		}
		n = radius_packet_length(pkt, 4);
		if (n < RADIUS_HEADER_LEN || n > RADIUS_MAX_PACKET) {
			fail(c, "the server sent a packet whose Length is not 20 to 4096");
			return;
		}
		if (have < n) {
			return;
		}
		if (evbuffer_remove(in, pkt, n) != (int)n) {
			fail(c, "cannot read the TLS input buffer");
			return;
		}
		if (c->on_packet(pkt, n, c->arg)) {
			return;
		}
	}
}

static void event_cb(struct bufferevent *bev, short what, void *arg)
{
	int saved_errno = EVUTIL_SOCKET_ERROR();
	struct radsec_conn *c = arg;
	SSL *ssl = bufferevent_openssl_get_ssl(bev);
	unsigned long err;
	long verify;

	if (what & BEV_EVENT_CONNECTED) {
		c->connected = true;
		return;
	}
	if ((what & BEV_EVENT_EOF) && c->connected) {
		fail(c, "the server closed the connection");
		return;
	}
	verify = ssl != NULL ? SSL_get_verify_result(ssl) : X509_V_OK;
	err = bufferevent_get_openssl_error(bev);
	if (verify != X509_V_OK) {
		snprintf(c->why, sizeof(c->why), "the server's certificate: %s",
			 X509_verify_cert_error_string(verify));
	} else if (err != 0 && (ERR_SYSTEM_ERROR(err) || ERR_GET_LIB(err) == 0)) {
		/* A failed system call: OpenSSL 3 keeps its errno as the
		 * reason; libevent queues SSL_get_error()'s SSL_ERROR_SYSCALL
		 * itself (no library code), errno saying what failed. */
		int e = ERR_SYSTEM_ERROR(err) ? ERR_GET_REASON(err) : saved_errno;
		snprintf(c->why, sizeof(c->why), "connection: %s",
			 e != 0 ? evutil_socket_error_to_string(e) : "failed");
	} else if (err != 0) {
		snprintf(c->why, sizeof(c->why), "TLS: %s",
			 ERR_reason_error_string(err) != NULL ? ERR_reason_error_string(err)
							      : "error");
	} else {
		/* A refused or reset TCP connection shows as EOF or a
		 * syscall error of the handshake; the socket says which. */
		int e = 0;
		socklen_t e_len = sizeof(e);
		evutil_socket_t fd = bufferevent_getfd(bev);

		if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &e_len) != 0 || e == 0) {
			e = EVUTIL_SOCKET_ERROR();
		}
		snprintf(c->why, sizeof(c->why), "connection: %s",
			 e != 0 ? evutil_socket_error_to_string(e)
				: "closed before the TLS handshake completed");
	}
	/* Other errors queued by this connection are not ours to keep. */
	while (bufferevent_get_openssl_error(bev) != 0) {
	}
	fail(c, c->why);
}

static SSL_CTX *make_ctx(const char *ca_file, const char *cert_file,
			 const char *key_file, const char **why)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (ctx == NULL) {
		*why = "cannot make an OpenSSL context";
		return NULL;
	}
	/* RFC 6614 2.3 asks for TLS 1.1 at least; we take 1.2 and up. */
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
		*why = "cannot set the TLS version";
		goto fail;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	if (SSL_CTX_load_verify_locations(ctx, ca_file, NULL) != 1) {
		*why = "cannot load the TLS CA file";
		goto fail;
	}
	if (SSL_CTX_use_certificate_chain_file(ctx, cert_file) != 1) {
		*why = "cannot load the TLS client certificate";
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key_file, SSL_FILETYPE_PEM) != 1) {
		*why = "cannot load the TLS client key";
		goto fail;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		*why = "the TLS client key does not match its certificate";
		goto fail;
	}
	return ctx;
fail:
	ERR_clear_error();
	SSL_CTX_free(ctx);
	return NULL;
}

/*
 * The socket BIO: OpenSSL's own writes with send(..., 0), and libevent's
 * with writev(), so a server closing the connection mid-handshake raises
 * SIGPIPE, which ends a process that has not ignored it.  This BIO sends
 * with MSG_NOSIGNAL instead (Linux), so the library needs nothing from the
 * process.  It holds only the descriptor (libevent frees the SSL, and the
 * BIO with it, possibly after radsec_conn is gone); libevent closes the
 * descriptor through BIO_get_fd when it frees the bufferevent
 * (BEV_OPT_CLOSE_ON_FREE).
 */
static BIO_METHOD *nosig_method;
static pthread_once_t nosig_once = PTHREAD_ONCE_INIT;

static int nosig_fd(BIO *b)
{
	return (int)(intptr_t)BIO_get_data(b);
}

static int nosig_write(BIO *b, const char *buf, int len)
{
	ssize_t n;

	BIO_clear_retry_flags(b);
	n = send(nosig_fd(b), buf, (size_t)len, MSG_NOSIGNAL);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
			BIO_set_retry_write(b);
		}
		return -1;
	}
	return (int)n;
}

static int nosig_read(BIO *b, char *buf, int len)
{
	ssize_t n;

	BIO_clear_retry_flags(b);
	n = recv(nosig_fd(b), buf, (size_t)len, 0);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
			BIO_set_retry_read(b);
		}
		return -1;
	}
	return (int)n;
}

static long nosig_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	switch (cmd) {
	case BIO_C_GET_FD:
		if (ptr != NULL) {
			*(int *)ptr = nosig_fd(b);
		}
		return nosig_fd(b);
	case BIO_CTRL_FLUSH:
		return 1;
	default:
		return 0;
	}
}

static void nosig_init(void)
{
	BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK |
					     BIO_TYPE_DESCRIPTOR,
				     "otpce radsec socket");

	if (m != NULL && (BIO_meth_set_write(m, nosig_write) != 1 ||
			  BIO_meth_set_read(m, nosig_read) != 1 ||
			  BIO_meth_set_ctrl(m, nosig_ctrl) != 1)) {
		BIO_meth_free(m);
		m = NULL;
	}
	nosig_method = m;
}

static BIO *nosig_bio(int fd)
{
	BIO *b;

	if (pthread_once(&nosig_once, nosig_init) != 0 || nosig_method == NULL) {
		return NULL;
	}
	b = BIO_new(nosig_method);
	if (b != NULL) {
		BIO_set_data(b, (void *)(intptr_t)fd);
		BIO_set_init(b, 1);
	}
	return b;
}

/* name_peer makes the handshake require a certificate for |host|. */
static bool name_peer(SSL *ssl, const char *host)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (inet_pton(AF_INET, host, &a4) == 1 || inet_pton(AF_INET6, host, &a6) == 1) {
		return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host) == 1;
	}
	SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	return SSL_set1_host(ssl, host) == 1 && SSL_set_tlsext_host_name(ssl, host) == 1;
}

struct radsec_conn *radsec_connect(TALLOC_CTX *mem_ctx, struct event_base *base,
				   const struct sockaddr *sa, socklen_t sa_len,
				   const char *host, const char *ca_file,
				   const char *cert_file, const char *key_file,
				   const uint8_t *pkt, size_t len,
				   radsec_packet_fn on_packet, radsec_fail_fn on_fail,
				   void *arg, const char **why, bool *network)
{
	struct radsec_conn *c = talloc_zero(mem_ctx, struct radsec_conn);
	SSL *ssl;
	BIO *bio;
	int fd;

	*network = false;
	if (c == NULL) {
		*why = "no memory";
		return NULL;
	}
	talloc_set_destructor(c, radsec_destructor);
	c->on_packet = on_packet;
	c->on_fail = on_fail;
	c->arg = arg;
	c->ctx = make_ctx(ca_file, cert_file, key_file, why);
	if (c->ctx == NULL) {
		talloc_free(c);
		return NULL;
	}
	ssl = SSL_new(c->ctx);
	if (ssl == NULL || !name_peer(ssl, host)) {
		SSL_free(ssl);
		ERR_clear_error();
		*why = "cannot set up the TLS session";
		talloc_free(c);
		return NULL;
	}
	/* Our own non-blocking connect: libevent's would put OpenSSL's socket
	 * BIO on the SSL (see nosig_bio). */
	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		SSL_free(ssl);
		*why = "cannot make a socket";
		talloc_free(c);
		return NULL;
	}
	if (connect(fd, sa, sa_len) != 0 && errno != EINPROGRESS) {
		/* Refused at once (a closed port on this host). */
		snprintf(c->why, sizeof(c->why), "connection: %s", strerror(errno));
		close(fd);
		SSL_free(ssl);
		*network = true;
		*why = talloc_strdup(mem_ctx, c->why);
		talloc_free(c);
		if (*why == NULL) {
			*why = "connection failed";
		}
		return NULL;
	}
	bio = nosig_bio(fd);
	if (bio == NULL) {
		close(fd);
		SSL_free(ssl);
		ERR_clear_error();
		*why = "cannot make the TLS socket BIO";
		talloc_free(c);
		return NULL;
	}
	SSL_set_bio(ssl, bio, bio);
	/* From here the SSL (and through it the descriptor) is the
	 * bufferevent's. */
	c->bev = bufferevent_openssl_socket_new(base, fd, ssl, BUFFEREVENT_SSL_CONNECTING,
						BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL) {
		SSL_free(ssl);
		close(fd);
		*why = "cannot make a TLS bufferevent";
		talloc_free(c);
		return NULL;
	}
	bufferevent_openssl_set_allow_dirty_shutdown(c->bev, 1);
	bufferevent_setcb(c->bev, read_cb, NULL, event_cb, c);
	c->starting = true;
	if (bufferevent_write(c->bev, pkt, len) != 0 ||
	    bufferevent_enable(c->bev, EV_READ | EV_WRITE) != 0 || c->failed_starting) {
		*why = "cannot start the TLS connection";
		talloc_free(c);
		return NULL;
	}
	c->starting = false;
	return c;
}
