/*
 * listener.h: bpaud's listening sockets, and the connections accepted on
 * them, each handed to the dcesrv core.
 */
#ifndef RPC_BPAUD_LISTENER_H
#define RPC_BPAUD_LISTENER_H

#include <stdbool.h>
#include <stdint.h>

#include "rpc/bpaud/bpaud.h"

/*
 * bpaud_listen_socket: a listening, non-blocking TCP socket on |ip|
 * (IPv4), |port| (0: any); the port bound in |bound|.  -1 with errno set
 * on failure.
 */
int bpaud_listen_socket(const char *ip, uint16_t port, uint16_t *bound);

/*
 * bpaud_listener_start: accept on |fd| for the endpoint of |d|->dce whose
 * binding is |ep_string|; the listener owns |fd| from then on.  False
 * when there is no such endpoint (logged) or no memory.
 */
bool bpaud_listener_start(struct bpaud *d, const char *ep_string, int fd);

#endif
