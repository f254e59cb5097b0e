/*
 * bpaud.h: the state shared by the parts of bpaud, the standalone BPAU
 * service for domain members (README.md says which file does what).
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
	const char *auth_level_name; /* as configured, for the log */
	const char *state_dir;    /* Samba's private/lock/cache dirs */
	const char *pid_file;
	const char *log_file;     /* reopened on SIGHUP; NULL: stderr */
	int log_level;
	bool daemon;
};

struct bpaud {
	struct bpaud_config cfg;
	struct tevent_context *ev;
	struct loadparm_context *lp;
	struct dcesrv_context *dce;
	/* dce's callbacks; each private_data is this struct */
	struct dcesrv_context_callbacks callbacks;
	struct cli_credentials *server_creds;   /* the keytab, acceptor only */
	struct auth_session_info *anonymous;    /* the pre-bind session */
	struct bpau_server *srv;                /* rpc/server/exchange_server.c state */
	const char *ep;                         /* our endpoint's binding */
	const char *epm_ep;                     /* the endpoint mapper's; NULL: none */
	bool stopping;                          /* SIGTERM or SIGINT seen */
};

#endif
