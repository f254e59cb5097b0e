/*
 * daemon.h: bpaud as a service: the pid file, --daemon, and the signals
 * (SIGTERM/SIGINT stop, SIGHUP reloads, SIGUSR1 reports memory).
 */
#ifndef RPC_BPAUD_DAEMON_H
#define RPC_BPAUD_DAEMON_H

#include <stdbool.h>

#include "rpc/bpaud/bpaud.h"

/*
 * bpaud_daemon_start: detach (--daemon) or stay, write the pid file, and
 * handle the signals on |d|->ev from then on (SIGTERM and SIGINT set
 * |d|->stopping).  Signals arriving meanwhile wait for their handlers.
 * Logs why and returns false on failure.
 */
bool bpaud_daemon_start(struct bpaud *d);

/* bpaud_daemon_stop: removes the pid file. */
void bpaud_daemon_stop(struct bpaud *d);

#endif
