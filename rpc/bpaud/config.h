/*
 * config.h: bpaud's options, its smb.conf-style configuration file
 * ([global] "bitspeerauth:..." parameters) and --help.
 */
#ifndef RPC_BPAUD_CONFIG_H
#define RPC_BPAUD_CONFIG_H

#include <stdbool.h>
#include <talloc.h>

#include "rpc/bpaud/bpaud.h"

struct loadparm_context;

/* The options that the configuration file may also set, as given on the
 * command line (NULL: not given). */
struct bpaud_cmdline {
	const char *listen;
	const char *port;
	const char *keytab;
	const char *cert;
	const char *table;
	const char *table_size;
	const char *auth_level;
	const char *state_dir;
	const char *log_file;
	bool no_epm;
};

/*
 * bpaud_config_parse_args: the command line.  Options that only the
 * command line sets go into |cfg|, the others into |cmdline|.  Returns
 * -1 to go on, or the exit status (0 after --help, 2 for a usage error,
 * said on standard error).
 */
int bpaud_config_parse_args(struct bpaud_config *cfg, struct bpaud_cmdline *cmdline,
			    int argc, char **argv);

/*
 * bpaud_config_load: load the configuration file (|cfg|->config_file, or
 * the default one if present) into |lp|, then complete |cfg| from
 * |cmdline|, the file and the defaults, with every path made absolute.
 * Strings are allocated on |mem_ctx|.  Returns 0, or the exit status
 * after logging why (1: the file cannot be loaded, 2: a bad value).
 */
int bpaud_config_load(TALLOC_CTX *mem_ctx, struct loadparm_context *lp,
		      const struct bpaud_cmdline *cmdline, struct bpaud_config *cfg);

#endif
