/*
 * tools.h: what credssp-client and credssp-server share: addresses,
 * sockets, secret files, the RDP negotiation over a socket, and the
 * exit codes their --help documents.
 */
#ifndef CREDSSP_TOOLS_TOOLS_H
#define CREDSSP_TOOLS_TOOLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "credssp/credssp.h"

enum tool_exit {
	TOOL_OK = 0,          /* authenticated (and, client, credentials delivered) */
	TOOL_REFUSED = 1,     /* authentication, policy or binding refused */
	TOOL_USAGE = 2,       /* bad options or files */
	TOOL_NETWORK = 3,     /* connection, TLS or RDP negotiation failed */
};

/* tool_split_addr: "HOST:PORT" or "[V6]:PORT" into its parts (on mem_ctx). */
bool tool_split_addr(TALLOC_CTX *mem_ctx, const char *addr, char **host, char **port);
/* tool_connect / tool_listen: a TCP socket, -1 with a message on stderr.
 * Both set 30-second send/receive timeouts on connections. */
int tool_connect(const char *host, const char *port);
int tool_listen(const char *host, const char *port);
/* tool_set_timeouts: send/receive timeouts on a connection, and
 * TCP_NODELAY (NLA's small messages must not wait for delayed ACKs). */
void tool_set_timeouts(int fd, int seconds);
/* tool_read_secret: a file's contents (at most 4 KiB, one trailing
 * newline dropped) as a secret, NUL-terminated; NULL with a message. */
struct crypto_secret *tool_read_secret(TALLOC_CTX *mem_ctx, const char *path);
/* tool_read_tpkt / tool_write: one TPKT from a plain socket; all bytes. */
int tool_read_tpkt(int fd, uint8_t *buf, size_t cap, size_t *len);
int tool_write(int fd, const uint8_t *buf, size_t len);
/* tool_parse_version: 2..6 into *out; false otherwise. */
bool tool_parse_version(const char *s, uint32_t *out);

#endif
