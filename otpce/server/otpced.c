/*
 * otpced.c: the MS-OTPCE server's main: options, configuration, the
 * signing key, signals, the event loop.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "otpce/server/server.h"

#define DEFAULT_CONFIG "/etc/otpced/otpced.conf"

enum { EXIT_CONFIG = 1, EXIT_USAGE = 2, EXIT_START = 3 };

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: otpced [-c FILE] [--check-config]\n"
		"\n"
		"The One-Time Password Certificate Enrollment server (MS-OTPCE).  It takes\n"
		"signCertRequest messages over HTTPS (POST to the configured path, header\n"
		"X-OTPCEP-version: 1.0), checks the PKCS#10, looks the user up in Active\n"
		"Directory through winbind (and, with [directory] backend = ldap, reads the\n"
		"user's DN and UPN over LDAP as this member's machine account), checks the\n"
		"one-time password with the first OTP server that answers RADIUS PAP, and\n"
		"returns the request signed with the enrollment agent key, with the CA names\n"
		"to submit it to.\n"
		"\n"
		"  -c, --config FILE  configuration file (default " DEFAULT_CONFIG ");\n"
		"                     its format is in the sample otpced.conf installed\n"
		"                     beside the unit, and in otpce/server/README.md\n"
		"      --check-config read the configuration, the TLS and signing keys\n"
		"                     and the CA names, report, and exit\n"
		"  -h, --help         this text\n"
		"\n"
		"It runs [server] workers processes (default: one per CPU), which share the\n"
		"listening address (SO_REUSEPORT) and the table of pending RADIUS challenges;\n"
		"the first process supervises them and restarts one that dies.\n"
		"\n"
		"Logs go to stderr: one line per request (client, user, outcome, the RADIUS\n"
		"server that answered, why); never a password or a secret.  When the\n"
		"server is ready it logs \"otpced: listening on HOST:PORT path PATH\".\n"
		"SIGTERM or SIGINT stops it.\n"
		"\n"
		"Exit codes: 0 stopped by a signal, or --check-config found no error;\n"
		"1 configuration error (file, keys, certificates, CA names); 2 usage\n"
		"error; 3 could not start (the listening socket, the event loop).\n");
}

static void on_signal(evutil_socket_t fd, short what, void *arg)
{
	struct event_base *base = arg;

	otpced_log("signal %d: stopping", (int)fd);
	event_base_loopbreak(base);
}

/* teardown frees everything main() made.  Requests still in flight go
 * with srv (their RADIUS exchanges are cancelled) before the base they
 * use. */
static void teardown(struct otpced *srv)
{
	struct event_base *base = srv->base;

	otpced_http_stop(srv);
	if (srv->signer != NULL) {
		otpce_signer_free(srv->signer);
	}
	talloc_free(srv);
	if (base != NULL) {
		event_base_free(base);
	}
}

/* serve: worker |i| (or otpced itself with one worker), on the listening
 * socket |i|, until SIGTERM or SIGINT.  It frees |arg| (the server). */
static int serve(unsigned i, void *arg)
{
	struct otpced *srv = arg;
	struct event *sigterm = NULL, *sigint = NULL;
	char err[512] = "";
	int rc = 0;

	for (unsigned j = 0; j < srv->num_listen_fds; j++) {
		if (j != i && srv->listen_fds[j] >= 0) {
			close(srv->listen_fds[j]); /* the other workers' */
			srv->listen_fds[j] = -1;
		}
	}
	srv->base = event_base_new();
	if (srv->base == NULL || otpced_http_start(srv, i, err, sizeof(err)) != 0) {
		otpced_log("cannot set up the event loop%s%s", err[0] ? ": " : "", err);
		rc = EXIT_START;
		goto out;
	}
	sigterm = evsignal_new(srv->base, SIGTERM, on_signal, srv->base);
	sigint = evsignal_new(srv->base, SIGINT, on_signal, srv->base);
	if (sigterm == NULL || sigint == NULL || evsignal_add(sigterm, NULL) != 0 ||
	    evsignal_add(sigint, NULL) != 0) {
		otpced_log("cannot set up signals");
		rc = EXIT_START;
		goto out;
	}
	if (event_base_dispatch(srv->base) < 0) {
		rc = EXIT_START;
	}
out:
	if (sigterm != NULL) {
		event_free(sigterm);
	}
	if (sigint != NULL) {
		event_free(sigint);
	}
	teardown(srv);
	return rc;
}

/* check_cas: each configured CA name must go into IssuingCA (xs:anyURI):
 * build the Success response it would be part of. */
static int check_cas(const struct otpced_config *cfg, char *err, size_t errlen)
{
	uint8_t dummy = 0x30, *xml;
	size_t len;
	const char *reason = NULL;
	TALLOC_CTX *t = talloc_new(NULL);
	int rc = 0;

	for (size_t i = 0; i < cfg->num_cas; i++) {
		char *one[1] = { cfg->cas[i] };
		struct otpce_sign_cert_response r = { .status = OTPCE_STATUS_SUCCESS,
						      .signed_cert_request = &dummy,
						      .signed_cert_request_len = 1,
						      .num_issuing_cas = 1, .issuing_cas = one };
		if (!NT_STATUS_IS_OK(otpce_sign_cert_response_build(t, &r, &xml, &len, &reason))) {
			snprintf(err, errlen, "[ca] name %zu cannot be an IssuingCA: %s", i + 1,
				 reason != NULL ? reason : "out of memory");
			rc = -1;
			break;
		}
	}
	talloc_free(t);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = DEFAULT_CONFIG;
	bool check_only = false;
	struct otpced *srv;
	char err[512] = "";
	int o, rc = 0;

	while ((o = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (o) {
		case 'c':
			config = optarg;
			break;
		case 'C':
			check_only = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	signal(SIGPIPE, SIG_IGN);
	if (!NT_STATUS_IS_OK(otpce_msg_init())) {
		otpced_log("the OTPCE schema does not load");
		return EXIT_START;
	}
	srv = talloc_zero(NULL, struct otpced);
	if (srv == NULL) {
		return EXIT_START;
	}
	if (otpced_config_load(srv, config, &srv->cfg, err, sizeof(err)) != 0 ||
	    check_cas(srv->cfg, err, sizeof(err)) != 0) {
		otpced_log("configuration: %s", err);
		talloc_free(srv);
		return EXIT_CONFIG;
	}
	srv->signer = otpce_signer_load(srv->cfg->signing_cert, srv->cfg->signing_key, err,
					sizeof(err));
	if (srv->signer == NULL) {
		otpced_log("signing certificate or key: %s", err);
		talloc_free(srv);
		return EXIT_CONFIG;
	}
	srv->challenges = otpced_challenges_new(srv, srv->cfg->challenge_lifetime_s);
	srv->dircache = otpced_dircache_new(srv, srv->cfg->cache_seconds);
	if (srv->challenges == NULL || srv->dircache == NULL) {
		otpced_log("cannot set up the challenge table");
		teardown(srv);
		return EXIT_START;
	}
	if (otpced_tls_setup(srv, err, sizeof(err)) != 0) {
		otpced_log("%s", err);
		teardown(srv);
		return EXIT_CONFIG;
	}
	if (otpced_http_listen(srv, err, sizeof(err)) != 0) {
		otpced_log("%s", err);
		teardown(srv);
		return EXIT_START;
	}
	if (check_only) {
		printf("otpced: %s: configuration OK (%zu OTP servers, %zu CAs, %u workers)\n",
		       config, srv->cfg->num_otp_servers, srv->cfg->num_cas, srv->cfg->workers);
		teardown(srv);
		return 0;
	}
	/* An IPv6 address in brackets, as in the configuration: [::1]:443. */
	otpced_log("listening on %s%s%s:%u path %s (%zu OTP servers, %zu CAs, client certificates %s, "
		   "%u worker%s)",
		   strchr(srv->cfg->listen_host, ':') != NULL ? "[" : "", srv->cfg->listen_host,
		   strchr(srv->cfg->listen_host, ':') != NULL ? "]" : "",
		   (unsigned)otpced_http_port(srv), srv->cfg->url_path,
		   srv->cfg->num_otp_servers, srv->cfg->num_cas,
		   srv->cfg->client_cert == OTPCED_CLIENT_CERT_NONE
			   ? "not asked"
			   : srv->cfg->client_cert == OTPCED_CLIENT_CERT_OPTIONAL ? "optional"
										   : "required",
		   srv->cfg->workers, srv->cfg->workers == 1 ? "" : "s");
	if (srv->cfg->workers == 1) {
		return serve(0, srv);
	}
	rc = otpced_run_workers(srv->cfg->workers, serve, srv);
	teardown(srv);
	return rc;
}
