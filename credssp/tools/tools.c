/*
 * tools.c: the socket, file and option helpers of credssp-client and
 * credssp-server (tools.h).
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "credssp/rdp/rdp_nego.h"
#include "credssp/tools/tools.h"
#include "crypto/wire/file.h"

bool tool_split_addr(TALLOC_CTX *mem_ctx, const char *addr, char **host, char **port)
{
	const char *colon;

	if (addr[0] == '[') {
		const char *end = strchr(addr, ']');

		if (end == NULL || end[1] != ':') {
			return false;
		}
		*host = talloc_strndup(mem_ctx, addr + 1, (size_t)(end - addr - 1));
		*port = talloc_strdup(mem_ctx, end + 2);
	} else {
		colon = strrchr(addr, ':');
		if (colon == NULL) {
			return false;
		}
		*host = talloc_strndup(mem_ctx, addr, (size_t)(colon - addr));
		*port = talloc_strdup(mem_ctx, colon + 1);
	}
	return *host != NULL && *port != NULL && (*port)[0] != '\0';
}

void tool_set_timeouts(int fd, int seconds)
{
	struct timeval tv = { seconds, 0 };
	int one = 1;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	/* NLA is a ping-pong of small messages, and a TLS 1.3 server writes
	 * its session tickets after its handshake flight: with Nagle, such a
	 * second small write waits for the peer's delayed ACK (tens of ms
	 * per login).  RDP stacks set TCP_NODELAY too. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static int tool_socket(const char *host, const char *port, bool listening)
{
	struct addrinfo hints = { 0 }, *res = NULL, *ai;
	int fd = -1, rc, one = 1;

	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = listening ? AI_PASSIVE : 0;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0) {
		fprintf(stderr, "%s:%s: %s\n", host, port, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd < 0) {
			continue;
		}
		if (listening) {
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
			if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 64) == 0) {
				break;
			}
		} else if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			tool_set_timeouts(fd, 30);
			break;
		}
		close(fd);
		fd = -1;
	}
	if (fd < 0) {
		fprintf(stderr, "%s %s:%s: %s\n", listening ? "cannot listen on" : "cannot connect to",
			host, port, strerror(errno));
	}
	freeaddrinfo(res);
	return fd;
}

int tool_connect(const char *host, const char *port)
{
	return tool_socket(host, port, false);
}

int tool_listen(const char *host, const char *port)
{
	return tool_socket(host, port, true);
}

struct crypto_secret *tool_read_secret(TALLOC_CTX *mem_ctx, const char *path)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int err = 0;
	struct crypto_secret *s;

	if (!NT_STATUS_IS_OK(crypto_read_file(mem_ctx, path, true, 4097, &buf, &len, &err))) {
		fprintf(stderr, "%s: %s\n", path, strerror(err));
		return NULL;
	}
	if (len > 4096) {
		crypto_wipe(buf, len);
		talloc_free(buf);
		fprintf(stderr, "%s: longer than 4 KiB\n", path);
		return NULL;
	}
	if (len > 0 && buf[len - 1] == '\n') {
		len--;
		if (len > 0 && buf[len - 1] == '\r') {
			len--;
		}
	}
	s = crypto_secret_dup(mem_ctx, buf, len);
	crypto_wipe(buf, len);
	talloc_free(buf);
	if (s == NULL) {
		fprintf(stderr, "out of memory\n");
	}
	return s;
}

static int read_all(int fd, uint8_t *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			return -1;
		}
		got += (size_t)n;
	}
	return 0;
}

int tool_read_tpkt(int fd, uint8_t *buf, size_t cap, size_t *len)
{
	size_t need = 0;

	if (cap < RDP_TPKT_HEADER_LEN || read_all(fd, buf, RDP_TPKT_HEADER_LEN) != 0 ||
	    !NT_STATUS_IS_OK(rdp_tpkt_length(buf, RDP_TPKT_HEADER_LEN, &need)) || need > cap ||
	    read_all(fd, buf + RDP_TPKT_HEADER_LEN, need - RDP_TPKT_HEADER_LEN) != 0) {
		return -1;
	}
	*len = need;
	return 0;
}

int tool_write(int fd, const uint8_t *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(fd, buf + done, len - done);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			return -1;
		}
		done += (size_t)n;
	}
	return 0;
}

bool tool_parse_version(const char *s, uint32_t *out)
{
	char *end = NULL;
	long v = strtol(s, &end, 10);

	if (end == s || *end != '\0' || v < 2 || v > 6) {
		return false;
	}
	*out = (uint32_t)v;
	return true;
}
