/*
 * config.c: bpaud's options and configuration file.  Every option but
 * --config, --epm-port, --pid-file, --daemon and --debug can also be set
 * in the file, as "bitspeerauth:NAME" in [global]; the command line wins.
 */
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <talloc.h>
#include <param.h>
#include <dcerpc.h>

#include "certtable/certtable.h"
#include "rpc/bpaud/config.h"
#include "rpc/bpaud/log.h"

static const char usage_text[] =
	"Usage: bpaud [options]\n"
	"\n"
	"The BITS peer-authentication service (MS-BPAU ExchangePublicKeys) for a\n"
	"domain member: Kerberos acceptor from the machine account's keytab,\n"
	"caller identity from the PAC, the same rules and table as the Samba AD DC\n"
	"module, and an endpoint mapper on port 135 answering for its interface.\n"
	"\n"
	"Options (each overrides the configuration file):\n"
	"  -s, --config FILE      smb.conf-style file (default " BPAUD_DEFAULT_CONFIG
	", if present)\n"
	"  -l, --listen IP        address to listen on (bitspeerauth:listen, 0.0.0.0)\n"
	"  -p, --port N           bitspeerauth port (bitspeerauth:port, 0 = dynamic)\n"
	"      --no-epm           do not serve the endpoint mapper (clients then need\n"
	"                         the port)\n"
	"      --epm-port N       endpoint mapper port (default 135)\n"
	"  -k, --keytab FILE      machine keytab (bitspeerauth:keytab, /etc/krb5.keytab)\n"
	"  -c, --cert FILE        our certificate (bitspeerauth:certificate)\n"
	"  -t, --table FILE       peer table (bitspeerauth:table,\n"
	"                         " BPAUD_DEFAULT_STATE "/peercerts.tdb)\n"
	"      --table-size N     table size limit (bitspeerauth:table size, 100)\n"
	"      --auth-level L     privacy or integrity (bitspeerauth:auth level)\n"
	"      --state-dir DIR    runtime state (bitspeerauth:state directory,\n"
	"                         " BPAUD_DEFAULT_STATE ")\n"
	"  -D, --daemon           detach (once the pid file is written); default is\n"
	"                         to stay in the foreground\n"
	"      --log-file FILE    log there (default: standard error; with --daemon\n"
	"                         STATE-DIR/bpaud.log)\n"
	"      --pid-file FILE    write the process id\n"
	"  -d, --debug N          log level (0 errors, 1 decisions [default], 2 more;\n"
	"                         3: SIGUSR1 prints a talloc memory report)\n"
	"  -h, --help             this text\n"
	"\n"
	"Signals: SIGTERM/SIGINT stop cleanly (every table change is already a\n"
	"committed transaction); SIGHUP reloads the certificate and reopens the\n"
	"log file (after a rotation).  Relative paths are taken from the directory\n"
	"bpaud starts in.\n"
	"Logs go to standard error (the journal under systemd) unless --log-file.\n";

static bool parse_port(const char *s, uint16_t *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < 0 || v > 65535) {
		return false;
	}
	*out = (uint16_t)v;
	return true;
}

int bpaud_config_parse_args(struct bpaud_config *cfg, struct bpaud_cmdline *cmdline,
			    int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 's'},
		{"listen", required_argument, NULL, 'l'},
		{"port", required_argument, NULL, 'p'},
		{"no-epm", no_argument, NULL, 'N'},
		{"epm-port", required_argument, NULL, 'E'},
		{"keytab", required_argument, NULL, 'k'},
		{"cert", required_argument, NULL, 'c'},
		{"table", required_argument, NULL, 't'},
		{"table-size", required_argument, NULL, 'T'},
		{"auth-level", required_argument, NULL, 'a'},
		{"state-dir", required_argument, NULL, 'S'},
		{"pid-file", required_argument, NULL, 'P'},
		{"daemon", no_argument, NULL, 'D'},
		{"log-file", required_argument, NULL, 'L'},
		{"debug", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int o;

	cfg->epm_port = 135;
	cfg->log_level = 1;
	while ((o = getopt_long(argc, argv, "s:l:p:k:c:t:Dd:h", opts, NULL)) != -1) {
		switch (o) {
		case 's': cfg->config_file = optarg; break;
		case 'l': cmdline->listen = optarg; break;
		case 'p': cmdline->port = optarg; break;
		case 'N': cmdline->no_epm = true; break;
		case 'E':
			if (!parse_port(optarg, &cfg->epm_port)) {
				fprintf(stderr, "bpaud: --epm-port: not a port: %s\n", optarg);
				return 2;
			}
			break;
		case 'k': cmdline->keytab = optarg; break;
		case 'c': cmdline->cert = optarg; break;
		case 't': cmdline->table = optarg; break;
		case 'T': cmdline->table_size = optarg; break;
		case 'a': cmdline->auth_level = optarg; break;
		case 'S': cmdline->state_dir = optarg; break;
		case 'P': cfg->pid_file = optarg; break;
		case 'D': cfg->daemon = true; break;
		case 'L': cmdline->log_file = optarg; break;
		case 'd': cfg->log_level = atoi(optarg); break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			fputs(usage_text, stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "bpaud: unexpected argument %s; see bpaud --help\n", argv[optind]);
		return 2;
	}
	return -1;
}

/* config_string: command line first, then the configuration file. */
static const char *config_string(TALLOC_CTX *mem_ctx, struct loadparm_context *lp,
				 const char *cmdline, const char *option, const char *dflt)
{
	const char *v = cmdline != NULL ? cmdline : lpcfg_parm_string(lp, NULL, "bitspeerauth",
									    option);
	return v != NULL ? talloc_strdup(mem_ctx, v) : dflt;
}

/* absolute: |path| against the working directory.  With --daemon bpaud
 * moves to "/", and reads the keytab (at every bind), the certificate
 * (SIGHUP) and the log file (SIGHUP) again later. */
static const char *absolute(TALLOC_CTX *mem_ctx, const char *path)
{
	char cwd[PATH_MAX];
	char *abs;

	if (path == NULL || path[0] == '/' || getcwd(cwd, sizeof(cwd)) == NULL) {
		return path;
	}
	abs = talloc_asprintf(mem_ctx, "%s/%s", cwd, path);
	return abs != NULL ? abs : path;
}

int bpaud_config_load(TALLOC_CTX *mem_ctx, struct loadparm_context *lp,
		      const struct bpaud_cmdline *cmdline, struct bpaud_config *cfg)
{
	const char *port, *size, *level, *def_table;

	/* The file (explicit, or the default if present), then the command
	 * line on top. */
	if (cfg->config_file == NULL && access(BPAUD_DEFAULT_CONFIG, R_OK) == 0) {
		cfg->config_file = BPAUD_DEFAULT_CONFIG;
	}
	if (cfg->config_file != NULL && !lpcfg_load(lp, cfg->config_file)) {
		bpaud_log(0, "cannot load the configuration %s", cfg->config_file);
		return 1;
	}
	cfg->listen_ip = config_string(mem_ctx, lp, cmdline->listen, "listen", "0.0.0.0");
	port = config_string(mem_ctx, lp, cmdline->port, "port", "0");
	if (!parse_port(port, &cfg->port)) {
		bpaud_log(0, "port: not a port number: %s", port);
		return 2;
	}
	cfg->epm = !cmdline->no_epm &&
		   lpcfg_parm_bool(lp, NULL, "bitspeerauth", "endpoint mapper", true);
	cfg->keytab = config_string(mem_ctx, lp, cmdline->keytab, "keytab", "/etc/krb5.keytab");
	cfg->cert_file = config_string(mem_ctx, lp, cmdline->cert, "certificate", NULL);
	cfg->state_dir = config_string(mem_ctx, lp, cmdline->state_dir, "state directory",
				       BPAUD_DEFAULT_STATE);
	def_table = talloc_asprintf(mem_ctx, "%s/peercerts.tdb", cfg->state_dir);
	cfg->table_file = config_string(mem_ctx, lp, cmdline->table, "table", def_table);
	size = config_string(mem_ctx, lp, cmdline->table_size, "table size", "100");
	cfg->table_size = (unsigned)atoi(size);
	level = config_string(mem_ctx, lp, cmdline->auth_level, "auth level", "privacy");
	if (strcasecmp(level, "privacy") == 0) {
		cfg->min_auth_level = DCERPC_AUTH_LEVEL_PRIVACY;
	} else if (strcasecmp(level, "integrity") == 0) {
		cfg->min_auth_level = DCERPC_AUTH_LEVEL_INTEGRITY;
	} else {
		bpaud_log(0, "auth level must be privacy or integrity, not %s", level);
		return 2;
	}
	cfg->auth_level_name = level;
	if (cfg->cert_file == NULL) {
		bpaud_log(0, "no certificate: give --cert or bitspeerauth:certificate "
			  "(create one with: bpau cert create --sid MACHINE-SID)");
		return 2;
	}
	cfg->keytab = absolute(mem_ctx, cfg->keytab);
	cfg->cert_file = absolute(mem_ctx, cfg->cert_file);
	cfg->table_file = absolute(mem_ctx, cfg->table_file);
	cfg->state_dir = absolute(mem_ctx, cfg->state_dir);
	cfg->pid_file = absolute(mem_ctx, cfg->pid_file);
	cfg->log_file = absolute(mem_ctx, cmdline->log_file);
	if (cfg->table_size == 0 || cfg->table_size > CERTTABLE_MAX_CAPACITY) {
		bpaud_log(0, "table size must be 1 to %u", CERTTABLE_MAX_CAPACITY);
		return 2;
	}
	if (cfg->daemon && cfg->log_file == NULL) {
		cfg->log_file = talloc_asprintf(mem_ctx, "%s/bpaud.log", cfg->state_dir);
	}
	return 0;
}
