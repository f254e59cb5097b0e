/*
 * main.c: bpaud, the MS-BPAU ExchangePublicKeys service for domain
 * members, on Samba's DCE/RPC server core and tevent, without a domain
 * controller.  Run "bpaud --help"; README.md describes the parts.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <talloc.h>
#include <tevent.h>
#include <param.h>

#include "rpc/bpaud/bpaud.h"
#include "rpc/bpaud/config.h"
#include "rpc/bpaud/daemon.h"
#include "rpc/bpaud/log.h"
#include "rpc/bpaud/server.h"

int main(int argc, char **argv)
{
	TALLOC_CTX *top = talloc_new(NULL);
	struct bpaud *d = talloc_zero(top, struct bpaud);
	struct bpaud_cmdline cmdline = {0};
	int rc;

	if (d == NULL) {
		return 1;
	}
	rc = bpaud_config_parse_args(&d->cfg, &cmdline, argc, argv);
	if (rc != -1) {
		return rc;
	}
	bpaud_log_set_level(d->cfg.log_level);
	if (d->cfg.log_level >= 3) {
		talloc_enable_null_tracking();
	}
	if (!bpaud_server_samba_ok()) {
		return 1;
	}
	d->lp = loadparm_init_global(false);
	if (d->lp == NULL) {
		return 1;
	}
	rc = bpaud_config_load(d, d->lp, &cmdline, &d->cfg);
	if (rc != 0) {
		return rc;
	}
	d->ev = tevent_context_init(d);
	if (d->ev == NULL || !bpaud_server_start(d) || !bpaud_server_listen(d) ||
	    !bpaud_log_open(d->cfg.log_file) || !bpaud_daemon_start(d)) {
		return 1;
	}

	bpaud_log(0, "serving bitspeerauth on %s%s%s (auth level %s, keytab %s, table %s)", d->ep,
		  d->epm_ep ? ", endpoint mapper on " : "", d->epm_ep ? d->epm_ep : "",
		  d->cfg.auth_level_name, d->cfg.keytab, d->cfg.table_file);
	while (!d->stopping) {
		if (tevent_loop_once(d->ev) != 0) {
			bpaud_log(0, "tevent_loop_once: %s", strerror(errno));
			rc = 1; /* a service manager restarts a failed bpaud */
			break;
		}
	}
	bpaud_daemon_stop(d);
	talloc_free(top);
	return rc;
}
