/*
 * test_ncacn.c: the bpau client's DCE/RPC framing (rpc/ncacn.c) against a
 * scripted fake server on loopback (a forked child), without
 * authentication (the Kerberos path is covered by the integration tests
 * against Samba): request fragmentation at the negotiated size, response
 * reassembly, faults, a server that never answers, bind_nak, malformed
 * and out-of-sequence PDUs.
 */
#include "helpers.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sched.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rpc/ncacn.h"
#include "tests/unit/fake_peer.h"

enum script { ECHO, FAULT, SILENT, NAK, BAD_VERSION, WRONG_CALL_ID };

#define SERVER_MAX_RECV 2048 /* forces the client to fragment */
#define RESPONSE_FRAG 1000

static void serve(int fd, int script)
{
	static uint8_t buf[70000], stub[200000];
	size_t len, stub_len = 0;
	uint32_t call_id;
	uint8_t ack[72];

	if ((len = read_pdu(fd, buf, sizeof(buf))) == 0 || buf[2] != NCACN_PKT_BIND) {
		_exit(1);
	}
	call_id = (uint32_t)(buf[12] | buf[13] << 8);
	if (script == NAK) {
		uint8_t nak[24];
		header(nak, NCACN_PKT_BIND_NAK, 3, sizeof(nak), 0, call_id);
		put16(nak + 16, 4); /* reason */
		(void)!write(fd, nak, sizeof(nak));
		_exit(0);
	}
	/* bind_ack: max_xmit, max_recv SERVER_MAX_RECV, address "", one result
	 * accepting NDR (buf + 52: the transfer syntax the client offered). */
	header(ack, NCACN_PKT_BIND_ACK, 3, 16 + 8 + 4 + 4 + 24, 0, call_id);
	put16(ack + 16, SERVER_MAX_RECV);
	put16(ack + 18, SERVER_MAX_RECV);
	put32(ack + 20, 0x1234);
	put16(ack + 24, 0); /* empty secondary address, then 2 bytes to align */
	ack[28] = 1;        /* one result */
	memset(ack + 32, 0, 4);
	memcpy(ack + 36, buf + 52, 20);
	put16(ack + 8, 56);
	(void)!write(fd, ack, 56);

	/* The request, in fragments no larger than we said. */
	for (;;) {
		if ((len = read_pdu(fd, buf, sizeof(buf))) == 0 || buf[2] != NCACN_PKT_REQUEST ||
		    len > SERVER_MAX_RECV) {
			_exit(2);
		}
		call_id = (uint32_t)(buf[12] | buf[13] << 8);
		memcpy(stub + stub_len, buf + 24, len - 24);
		stub_len += len - 24;
		if (buf[3] & NCACN_PFC_LAST) {
			break;
		}
	}
	switch (script) {
	case ECHO:
		/* The stub back, in fragments of RESPONSE_FRAG. */
		for (size_t off = 0; off < stub_len || off == 0;) {
			size_t n = stub_len - off > RESPONSE_FRAG ? RESPONSE_FRAG : stub_len - off;
			uint8_t flags = (off == 0 ? NCACN_PFC_FIRST : 0) |
					(off + n == stub_len ? NCACN_PFC_LAST : 0);
			header(buf, NCACN_PKT_RESPONSE, flags, (uint16_t)(24 + n), 0, call_id);
			put32(buf + 16, (uint32_t)(stub_len - off));
			memset(buf + 20, 0, 4);
			memcpy(buf + 24, stub + off, n);
			(void)!write(fd, buf, 24 + n);
			off += n;
			if (n == 0) {
				break;
			}
		}
		break;
	case FAULT:
		header(buf, NCACN_PKT_FAULT, 3, 32, 0, call_id);
		memset(buf + 16, 0, 16);
		put32(buf + 24, 5); /* access denied */
		(void)!write(fd, buf, 32);
		break;
	case SILENT:
		sleep(5);
		break;
	case BAD_VERSION:
		header(buf, NCACN_PKT_RESPONSE, 3, 24, 0, call_id);
		buf[0] = 4;
		(void)!write(fd, buf, 24);
		break;
	case WRONG_CALL_ID:
		header(buf, NCACN_PKT_RESPONSE, 3, 24, 0, call_id + 1);
		memset(buf + 16, 0, 8);
		(void)!write(fd, buf, 24);
		break;
	default:
		break;
	}
	sleep(1); /* let the client read before the close */
	_exit(0);
}

/* start_at: a child serving one connection on |ip| (|port|, 0: any) with
 * |script|; returns its port. */
static uint16_t start_at(const char *ip, uint16_t port, enum script script, pid_t *pid)
{
	return serve_once(ip, port, serve, script, pid);
}

static uint16_t start(enum script script, pid_t *pid)
{
	return start_at("127.0.0.1", 0, script, pid);
}

static void reap(pid_t pid)
{
	int st;
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
}

static NTSTATUS run(enum script script, size_t stub_len, unsigned timeout, uint8_t **out,
		    size_t *out_len, TALLOC_CTX *t)
{
	pid_t pid;
	uint16_t port = start(script, &pid);
	struct ncacn_conn *c;
	uint8_t *stub = talloc_array(t, uint8_t, stub_len ? stub_len : 1);
	NTSTATUS status;

	for (size_t i = 0; i < stub_len; i++) {
		stub[i] = (uint8_t)(i * 31 + 7);
	}
	assert_true(NT_STATUS_IS_OK(ncacn_connect(t, "127.0.0.1", port, timeout, &c)));
	status = ncacn_bind(c, &ncacn_syntax_bitspeerauth, NULL);
	if (NT_STATUS_IS_OK(status)) {
		status = ncacn_call(c, t, 0, stub, stub_len, out, out_len);
	}
	if (NT_STATUS_IS_OK(status) && script == ECHO) {
		assert_int_equal(*out_len, stub_len);
		assert_memory_equal(*out, stub, stub_len);
	}
	talloc_free(c);
	reap(pid);
	return status;
}

static void test_fragments(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	uint8_t *out;
	size_t n;
	(void)state;
	/* 0 bytes, one fragment, exactly one fragment's room, many fragments
	 * each way (the server checks the negotiated size). */
	const size_t sizes[] = {0, 100, 2048 - 24, 2048 - 23, 65536 + 12};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		assert_true(NT_STATUS_IS_OK(run(ECHO, sizes[i], 5, &out, &n, t)));
	}
	talloc_free(t);
}

static void test_failures(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	uint8_t *out;
	size_t n;
	struct ncacn_conn *c;
	(void)state;

	assert_int_equal(NT_STATUS_V(run(FAULT, 8, 5, &out, &n, t)),
			 NT_STATUS_V(NT_STATUS_ACCESS_DENIED));
	assert_int_equal(NT_STATUS_V(run(SILENT, 8, 1, &out, &n, t)),
			 NT_STATUS_V(NT_STATUS_IO_TIMEOUT));
	assert_int_equal(NT_STATUS_V(run(NAK, 8, 5, &out, &n, t)),
			 NT_STATUS_V(NT_STATUS_RPC_PROTOCOL_ERROR));
	assert_int_equal(NT_STATUS_V(run(BAD_VERSION, 8, 5, &out, &n, t)),
			 NT_STATUS_V(NT_STATUS_RPC_PROTOCOL_ERROR));
	assert_int_equal(NT_STATUS_V(run(WRONG_CALL_ID, 8, 5, &out, &n, t)),
			 NT_STATUS_V(NT_STATUS_RPC_PROTOCOL_ERROR));
	/* Nobody listening: refused, with words. */
	{
		pid_t pid;
		uint16_t port = start(ECHO, &pid);
		reap(pid); /* the listener is gone with the child */
		assert_int_equal(NT_STATUS_V(ncacn_connect(t, "127.0.0.1", port, 2, &c)),
				 NT_STATUS_V(NT_STATUS_CONNECTION_REFUSED));
		assert_non_null(strstr(ncacn_reason(c), "cannot connect"));
	}
	talloc_free(t);
}

/*
 * A name with two addresses, the first of which never answers a SYN (a
 * listener on 127.0.0.2 whose accept queue is full): the connect gives
 * that one its share of the time and then reaches the second (127.0.0.3).
 * The name comes from an /etc/hosts bind-mounted in a private mount
 * namespace, in a child; skipped where there is none (not root).
 */
static void test_connect_second_address(void **state)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t sl = sizeof(sa);
	int lfd = socket(AF_INET, SOCK_STREAM, 0), fillers[8], nfill = 0;
	char hosts[] = "/tmp/test-ncacn-hosts-XXXXXX";
	pid_t server, child;
	uint16_t port;
	int st, hfd;
	(void)state;

	if (geteuid() != 0) {
		skip();
	}
	assert_true(lfd >= 0);
	assert_int_equal(inet_pton(AF_INET, "127.0.0.2", &sa.sin_addr), 1);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lfd, 0), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&sa, &sl), 0);
	port = ntohs(sa.sin_port);
	/* Fill the accept queue: further SYNs are dropped. */
	while (nfill < 8) {
		struct pollfd p;
		int f = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		(void)connect(f, (struct sockaddr *)&sa, sizeof(sa));
		p.fd = f;
		p.events = POLLOUT;
		fillers[nfill++] = f;
		if (poll(&p, 1, 200) == 0) {
			break; /* this one hangs: the queue is full */
		}
	}
	start_at("127.0.0.3", port, ECHO, &server);
	hfd = mkstemp(hosts);
	assert_true(hfd >= 0);
	assert_true(write(hfd, "127.0.0.2 twoaddr.test\n127.0.0.3 twoaddr.test\n", 46) == 46);
	close(hfd);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		TALLOC_CTX *t = talloc_new(NULL);
		struct ncacn_conn *c;
		uint8_t *out;
		size_t n;
		if (unshare(CLONE_NEWNS) != 0 ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
		    mount(hosts, "/etc/hosts", NULL, MS_BIND, NULL) != 0) {
			_exit(77);
		}
		if (!NT_STATUS_IS_OK(ncacn_connect(t, "twoaddr.test", port, 2, &c)) ||
		    !NT_STATUS_IS_OK(ncacn_bind(c, &ncacn_syntax_bitspeerauth, NULL)) ||
		    !NT_STATUS_IS_OK(ncacn_call(c, t, 0, (const uint8_t *)"ping", 4, &out, &n)) ||
		    n != 4 || memcmp(out, "ping", 4) != 0) {
			fprintf(stderr, "twoaddr.test: %s\n", c ? ncacn_reason(c) : "?");
			_exit(1);
		}
		_exit(0);
	}
	assert_int_equal(waitpid(child, &st, 0), child);
	reap(server);
	for (int i = 0; i < nfill; i++) {
		close(fillers[i]);
	}
	close(lfd);
	unlink(hosts);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 77) {
		skip();
	}
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fragments),
		cmocka_unit_test(test_failures),
		cmocka_unit_test(test_connect_second_address),
	};
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
