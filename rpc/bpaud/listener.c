/*
 * listener.c: one listening TCP socket per endpoint on the tevent loop;
 * every accepted socket becomes a dcesrv_connection whose transport is a
 * tstream on the socket, as in Samba's own servers.  Out of descriptors,
 * a listener pauses for a second rather than spin on the queued
 * connection.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <talloc.h>
#include <tevent.h>
#include <tsocket.h>
#include <dcesrv_core.h>
#include <dcerpc.h>

#include "rpc/bpaud/listener.h"
#include "rpc/bpaud/log.h"

struct bpaud_conn {
	struct bpaud *d;
	struct dcesrv_connection *dce_conn;
	char *peer;
};

static void bpaud_terminate(struct dcesrv_connection *dce_conn, const char *reason)
{
	struct bpaud_conn *c = talloc_get_type_abort(dce_conn->transport.private_data,
						     struct bpaud_conn);
	bpaud_log(2, "connection from %s closed: %s", c->peer, reason ? reason : "?");
	/* Frees the dcesrv_connection and the tstream, which closes the fd. */
	talloc_free(c);
}

static void bpaud_new_connection(struct bpaud *d, const struct dcesrv_endpoint *ep, int fd,
				 const struct sockaddr_in *peer)
{
	struct bpaud_conn *c;
	struct dcesrv_connection *dc = NULL;
	struct sockaddr_in local;
	socklen_t ll = sizeof(local);
	struct tsocket_address *la = NULL, *ra = NULL;
	char pbuf[INET_ADDRSTRLEN];
	NTSTATUS status;
	int one = 1;

	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	dcesrv_cleanup_broken_connections(d->dce);

	c = talloc_zero(d, struct bpaud_conn);
	if (c == NULL) {
		close(fd);
		return;
	}
	c->d = d;
	c->peer = talloc_asprintf(c, "%s:%u", inet_ntop(AF_INET, &peer->sin_addr, pbuf, sizeof(pbuf)),
				  ntohs(peer->sin_port));

	status = dcesrv_endpoint_connect(d->dce, c, ep, d->anonymous, d->ev,
					 DCESRV_CALL_STATE_FLAG_MAY_ASYNC, &dc);
	if (!NT_STATUS_IS_OK(status)) {
		bpaud_log(0, "dcesrv_endpoint_connect: %s", nt_errstr(status));
		close(fd);
		talloc_free(c);
		return;
	}
	c->dce_conn = dc;
	dc->transport.private_data = c;
	dc->transport.report_output_data = dcesrv_sock_report_output_data;
	dc->transport.terminate_connection = bpaud_terminate;
	dc->send_queue = tevent_queue_create(dc, "bpaud send queue");

	if (getsockname(fd, (struct sockaddr *)&local, &ll) != 0 ||
	    tsocket_address_bsd_from_sockaddr(dc, (struct sockaddr *)&local, ll, &la) != 0 ||
	    tsocket_address_bsd_from_sockaddr(dc, (const struct sockaddr *)peer, sizeof(*peer),
					      &ra) != 0 ||
	    dc->send_queue == NULL) {
		bpaud_log(0, "connection setup failed: %s", strerror(errno));
		close(fd);
		talloc_free(c);
		return;
	}
	dc->local_address = la;
	dc->remote_address = ra;
	/* The tstream owns the fd from here on (closed when it is freed). */
	if (tstream_bsd_existing_socket(dc, fd, &dc->stream) != 0) {
		bpaud_log(0, "tstream_bsd_existing_socket: %s", strerror(errno));
		close(fd);
		talloc_free(c);
		return;
	}
	bpaud_log(2, "connection from %s to %s", c->peer,
		  dcerpc_binding_string(c, ep->ep_description));
	status = dcesrv_connection_loop_start(dc);
	if (!NT_STATUS_IS_OK(status)) {
		bpaud_log(0, "dcesrv_connection_loop_start: %s", nt_errstr(status));
		talloc_free(c);
	}
}

struct bpaud_listener {
	struct bpaud *d;
	const struct dcesrv_endpoint *ep;
	int fd;
	struct tevent_fd *fde;
	bool paused;
};

/* A listener paused (out of descriptors) listens again a second later. */
static void bpaud_accept_resume(struct tevent_context *ev, struct tevent_timer *te,
				struct timeval now, void *private_data)
{
	struct bpaud_listener *l = private_data;

	(void)ev, (void)te, (void)now;
	l->paused = false;
	tevent_fd_set_flags(l->fde, TEVENT_FD_READ);
}

static void bpaud_accept(struct tevent_context *ev, struct tevent_fd *fde, uint16_t flags,
			 void *private_data)
{
	struct bpaud_listener *l = private_data;
	struct sockaddr_in peer;
	socklen_t pl = sizeof(peer);
	int fd;

	(void)flags;
	fd = accept4(l->fd, (struct sockaddr *)&peer, &pl, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd == -1) {
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
			/* The connection stays queued and the listener readable:
			 * accepting again at once would spin and fill the log.
			 * Stop listening for a second instead, saying so once. */
			if (!l->paused) {
				bpaud_log(0, "accept: %s: not accepting connections for a second",
					  strerror(errno));
			}
			l->paused = true;
			tevent_fd_set_flags(fde, 0);
			if (tevent_add_timer(ev, l, tevent_timeval_current_ofs(1, 0),
					     bpaud_accept_resume, l) == NULL) {
				tevent_fd_set_flags(fde, TEVENT_FD_READ);
			}
		} else if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED) {
			bpaud_log(0, "accept: %s", strerror(errno));
		}
		return;
	}
	bpaud_new_connection(l->d, l->ep, fd, &peer);
}

int bpaud_listen_socket(const char *ip, uint16_t port, uint16_t *bound)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
	socklen_t sl = sizeof(sa);
	int one = 1;
	int fd;

	if (inet_pton(AF_INET, ip, &sa.sin_addr) != 1) {
		errno = EINVAL;
		return -1;
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		return -1;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 64) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &sl) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	*bound = ntohs(sa.sin_port);
	return fd;
}

/* Attach a listener for the endpoint whose binding is |ep_string|. */
bool bpaud_listener_start(struct bpaud *d, const char *ep_string, int fd)
{
	struct dcerpc_binding *b = NULL;
	struct dcesrv_endpoint *ep = NULL;
	struct bpaud_listener *l;
	struct tevent_fd *fde;

	if (!NT_STATUS_IS_OK(dcerpc_parse_binding(d, ep_string, &b)) ||
	    !NT_STATUS_IS_OK(dcesrv_find_endpoint(d->dce, b, &ep))) {
		bpaud_log(0, "no endpoint %s", ep_string);
		return false;
	}
	l = talloc_zero(d, struct bpaud_listener);
	if (l == NULL) {
		return false;
	}
	l->d = d;
	l->ep = ep;
	l->fd = fd;
	fde = tevent_add_fd(d->ev, l, fd, TEVENT_FD_READ, bpaud_accept, l);
	if (fde == NULL) {
		return false;
	}
	l->fde = fde;
	tevent_fd_set_auto_close(fde);
	return true;
}
