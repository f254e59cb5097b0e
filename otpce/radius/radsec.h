/*
 * radsec.h: RADIUS over TLS (RFC 6614), the TLS adaptor of otpce/radius:
 * one connection on libevent's OpenSSL bufferevent, mutual TLS, one
 * request sent, replies framed by their Length field.  The only file of
 * otpce/radius that includes OpenSSL's headers.  Private to otpce/radius/.
 */
#ifndef OTPCE_RADIUS_RADSEC_H
#define OTPCE_RADIUS_RADSEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <talloc.h>

struct event_base;
struct radsec_conn;

/* radsec_packet_fn gets each complete packet the server sends (|len| is
 * its Length field, 20 to 4096, checked).  It returns true when it has
 * finished with the connection (which it may have freed: radsec touches
 * nothing afterwards), false to keep reading. */
typedef bool (*radsec_packet_fn)(const uint8_t *pkt, size_t len, void *arg);
/* radsec_fail_fn is told once why the connection failed (handshake,
 * certificate, reset, closed, bad framing); it may free the connection. */
typedef void (*radsec_fail_fn)(const char *why, void *arg);

/*
 * radsec_connect starts a TCP connection to |sa|, a TLS 1.2+ handshake
 * that presents |cert_file| / |key_file| (PEM) and requires the server's
 * certificate to chain to |ca_file| (PEM) and to name |host| (its
 * subjectAltName IP address when |host| is an address, DNS name
 * otherwise), and queues |pkt| to be sent once the handshake is done.
 * Returns NULL with |why| (a static string, or one on |mem_ctx|) when the
 * local TLS settings do not load or the socket cannot be made, or when
 * the connection is refused at once (then |*network| is true: the server
 * was tried); nothing is called then.  Writes never raise SIGPIPE.  Freed
 * with talloc_free, which closes the connection.
 */
struct radsec_conn *radsec_connect(TALLOC_CTX *mem_ctx, struct event_base *base,
				   const struct sockaddr *sa, socklen_t sa_len,
				   const char *host, const char *ca_file,
				   const char *cert_file, const char *key_file,
				   const uint8_t *pkt, size_t len,
				   radsec_packet_fn on_packet, radsec_fail_fn on_fail,
				   void *arg, const char **why, bool *network);

#endif
