/*
 * fake_peer.h: the bits of a scripted DCE/RPC server for the client's unit
 * tests (test_ncacn.c, test_ncacn_krb5.c): little-endian stores, a PDU
 * header, reading one PDU, and a forked child serving one connection.
 * Include after helpers.h.
 */
#ifndef TESTS_UNIT_FAKE_PEER_H
#define TESTS_UNIT_FAKE_PEER_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <unistd.h>

static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static inline uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* header: a PDU header (C706 12.6.3.1): version 5.0, little-endian. */
static inline void header(uint8_t *p, uint8_t ptype, uint8_t flags, uint16_t frag_len,
			  uint16_t auth_len, uint32_t call_id)
{
	memset(p, 0, 16);
	p[0] = 5;
	p[2] = ptype;
	p[3] = flags;
	p[4] = 0x10;
	put16(p + 8, frag_len);
	put16(p + 10, auth_len);
	put32(p + 12, call_id);
}

static inline bool read_exact(int fd, uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t r = read(fd, p, n);
		if (r <= 0) {
			return false;
		}
		p += r;
		n -= (size_t)r;
	}
	return true;
}

/* read_pdu: one PDU into |buf| (|size| bytes); its length, 0 on failure. */
static inline size_t read_pdu(int fd, uint8_t *buf, size_t size)
{
	size_t len;

	if (!read_exact(fd, buf, 16)) {
		return 0;
	}
	len = get16(buf + 8);
	if (len < 16 || len > size || !read_exact(fd, buf + 16, len - 16)) {
		return 0;
	}
	return len;
}

/* serve_once: a forked child listening on |ip| (|port|, 0: any) that
 * accepts one connection and runs serve(fd, script), which exits; returns
 * the port, the child in *pid. */
static inline uint16_t serve_once(const char *ip, uint16_t port, void (*serve)(int, int),
				  int script, pid_t *pid)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
	socklen_t sl = sizeof(sa);
	int one = 1, lfd = socket(AF_INET, SOCK_STREAM, 0);

	assert_int_equal(inet_pton(AF_INET, ip, &sa.sin_addr), 1);
	assert_true(lfd >= 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lfd, 1), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&sa, &sl), 0);
	*pid = fork();
	assert_true(*pid >= 0);
	if (*pid == 0) {
		int fd = accept(lfd, NULL, NULL);
		if (fd < 0) {
			_exit(1);
		}
		serve(fd, script);
		_exit(0);
	}
	close(lfd);
	return ntohs(sa.sin_port);
}

#endif
