/*
 * bpaud.h: state shared by the parts of bpaud, the standalone BPAU
 * service for domain members.
 *
 *   bpaud.c       options and configuration, the DCE/RPC server context
 *                 and its callbacks, listeners, connections, signals
 *   endpoint.c    the bitspeerauth endpoint (shared with the DC module)
 *   bpaud_epm.c   a minimal endpoint mapper for our own interface
 */
#ifndef RPC_BPAUD_H
#define RPC_BPAUD_H

#include <stdbool.h>
#include <stdint.h>
#include <talloc.h>
#include <dcesrv_core.h>

struct bpau_server;

#define BPAUD_DEFAULT_CONFIG "/etc/bpau/bpaud.conf"
#define BPAUD_DEFAULT_STATE "/var/lib/bpau"

struct bpaud_config {
	const char *config_file;
	const char *listen_ip;    /* default 0.0.0.0 */
	uint16_t port;            /* 0: dynamic */
	bool epm;                 /* serve the endpoint mapper */
	uint16_t epm_port;        /* 135 */
	const char *keytab;       /* the machine account's keytab */
	const char *cert_file;
	const char *table_file;
	unsigned table_size;
	int min_auth_level;
	const char *state_dir;    /* Samba's private/lock/cache dirs */
	const char *pid_file;
	int log_level;
	bool daemon;
};

struct bpaud {
	struct bpaud_config cfg;
	struct tevent_context *ev;
	struct loadparm_context *lp;
	struct dcesrv_context *dce;
	struct cli_credentials *server_creds;   /* the keytab, acceptor only */
	struct auth_session_info *anonymous;    /* the pre-bind session */
	struct bpau_server *srv;                /* rpc/server/exchange.c state */
};

extern struct bpaud *bpaud_global;

#endif
