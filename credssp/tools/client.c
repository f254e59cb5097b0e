/*
 * client.c: credssp-client, a CredSSP (NLA) client: TLS, then the engine
 * with Heimdal's SPNEGO/Kerberos initiator, delegating a password, smart
 * card, Remote Credential Guard or Restricted Admin credential to a
 * server the --allow-server policy names; optionally inside the RDP
 * connection sequence.
 */
#include <ctype.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "credssp/gss/credssp_gss.h"
#include "credssp/ntlmclient/ntlm_client.h"
#include "credssp/spnego_ntlm/spnego_ntlm.h"
#include "credssp/rdp/rdp_nego.h"
#include "credssp/tls/credssp_tls.h"
#include "credssp/tools/tools.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: credssp-client --connect HOST:PORT --allow-server NAME [options]\n"
		"A CredSSP (MS-CSSP, NLA) client: TLS, SPNEGO/Kerberos, the server's key\n"
		"verified, then the credentials delegated.\n"
		"Options:\n"
		"  --connect HOST:PORT  the server\n"
		"  --server-name NAME   its name, for the Kerberos service TERMSRV/NAME and the\n"
		"                       policy (default: HOST)\n"
		"  --allow-server NAME  a server that may receive credentials (MS-CSSP 3.1.1):\n"
		"                       exact name, *.suffix or *; repeatable; required\n"
		"  --user USER --domain DOMAIN\n"
		"  --password-file F    the password (first line); Kerberos then logs on with\n"
		"                       it as USER@DOMAIN (upper-cased) or --principal; without\n"
		"                       it Kerberos uses the default ccache (KRB5CCNAME)\n"
		"  --principal P        the Kerberos principal (default USER@DOMAIN)\n"
		"  --raw-kerberos       Kerberos without SPNEGO around it\n"
		"  --ntlm               NTLM (raw NTLMSSP, as FreeRDP and mstsc send it) as\n"
		"                       USER in DOMAIN with --password-file, instead of Kerberos\n"
		"  --ntlm-spnego        the same NTLM inside SPNEGO (what Windows' Negotiate\n"
		"                       sends when it picks NTLM), with the mechListMIC\n"
		"  --smartcard          delegate smart card credentials: the PIN from\n"
		"                       --pin-file, with --reader, --card, --csp, --container\n"
		"  --remote-guard FILE  delegate Remote Credential Guard credentials: the\n"
		"                       Kerberos package's buffer read from FILE\n"
		"  --restricted-admin   delegate nothing (empty credentials)\n"
		"  --version N          the CredSSP version we send (2-6, default 6)\n"
		"  --min-version N      refuse servers below N (2-6, default 5)\n"
		"  --rdp                RDP mode: X.224 negotiation asking for HYBRID\n"
		"  --hybrid-ex          ... and HYBRID_EX (then read the Early User\n"
		"                       Authorization Result)\n"
		"  -h, --help           this text\n"
		"Output: \"authenticated version=V\" on success; errors on stderr.\n"
		"Exit codes: 0 authenticated and credentials delivered, 1 refused\n"
		"(authentication, policy, version or key binding), 2 bad options or files,\n"
		"3 connection, TLS or RDP negotiation failed, or the server closed the\n"
		"connection without an errorCode (as it must for versions 2 and 5).\n");
}

struct client_opts {
	const char *connect, *server_name, *user, *domain, *password_file, *principal;
	const char *pin_file, *reader, *card, *csp, *container, *remote_guard;
	const char **allowed;
	size_t num_allowed;
	bool raw_kerberos, ntlm, ntlm_spnego, smartcard, restricted_admin, rdp, hybrid_ex;
	uint32_t version, min_version;
};

/* build_creds: what to delegate; NULL with a message. */
static struct credssp_credentials *build_creds(TALLOC_CTX *t, const struct client_opts *o,
					       struct crypto_secret *password)
{
	struct credssp_credentials *c = talloc_zero(t, struct credssp_credentials);

	if (c == NULL) {
		return NULL;
	}
	if (o->restricted_admin) {
		c->type = CREDSSP_CRED_PASSWORD; /* all three empty */
	} else if (o->smartcard) {
		c->type = CREDSSP_CRED_SMARTCARD;
		if (o->pin_file == NULL ||
		    (c->smartcard.pin = tool_read_secret(c, o->pin_file)) == NULL) {
			fprintf(stderr, "credssp-client: --smartcard needs --pin-file\n");
			return NULL;
		}
		c->smartcard.key_spec = 1; /* AT_KEYEXCHANGE */
		c->smartcard.reader_name = o->reader != NULL ? talloc_strdup(c, o->reader) : NULL;
		c->smartcard.card_name = o->card != NULL ? talloc_strdup(c, o->card) : NULL;
		c->smartcard.csp_name = o->csp != NULL ? talloc_strdup(c, o->csp) : NULL;
		c->smartcard.container_name =
			o->container != NULL ? talloc_strdup(c, o->container) : NULL;
		c->smartcard.user_hint = o->user != NULL ? talloc_strdup(c, o->user) : NULL;
		c->smartcard.domain_hint = o->domain != NULL ? talloc_strdup(c, o->domain) : NULL;
	} else if (o->remote_guard != NULL) {
		c->type = CREDSSP_CRED_REMOTE_GUARD;
		c->remote_guard.logon.package_name = talloc_strdup(c, "Kerberos");
		c->remote_guard.logon.cred_buffer = tool_read_secret(c, o->remote_guard);
		if (c->remote_guard.logon.cred_buffer == NULL) {
			return NULL;
		}
	} else {
		if (password == NULL || o->user == NULL) {
			fprintf(stderr, "credssp-client: nothing to delegate: give --user and "
					"--password-file, --smartcard, --remote-guard or "
					"--restricted-admin\n");
			return NULL;
		}
		c->type = CREDSSP_CRED_PASSWORD;
		c->password.domain = talloc_strdup(c, o->domain != NULL ? o->domain : "");
		c->password.user = talloc_strdup(c, o->user);
		c->password.password = crypto_secret_dup(c, password->data, password->len);
	}
	return c;
}

/* rdp_negotiate: send the Connection Request, read the Confirm. */
static int rdp_negotiate(int fd, const struct client_opts *o, uint32_t *selected)
{
	TALLOC_CTX *t = talloc_new(NULL);
	uint32_t want = RDP_PROTOCOL_SSL | RDP_PROTOCOL_HYBRID |
			(o->hybrid_ex ? RDP_PROTOCOL_HYBRID_EX : 0);
	uint8_t buf[RDP_X224_MAX_LEN], *out = NULL;
	size_t len = 0, out_len = 0;
	uint32_t failure = 0;
	const char *reason = NULL;
	int rc = -1;

	if (!NT_STATUS_IS_OK(rdp_connection_request_build(t, o->user, want, &out, &out_len)) ||
	    tool_write(fd, out, out_len) != 0 || tool_read_tpkt(fd, buf, sizeof(buf), &len) != 0) {
		fprintf(stderr, "credssp-client: X.224 Connection Request/Confirm failed\n");
		goto out;
	}
	if (!NT_STATUS_IS_OK(rdp_connection_confirm_parse(buf, len, selected, &failure, &reason))) {
		fprintf(stderr, "credssp-client: bad X.224 Connection Confirm: %s\n", reason);
		goto out;
	}
	if (failure != 0) {
		fprintf(stderr, "credssp-client: the server refused the negotiation "
				"(RDP_NEG_FAILURE 0x%08x)\n", (unsigned)failure);
		goto out;
	}
	if (*selected != RDP_PROTOCOL_HYBRID &&
	    !(o->hybrid_ex && *selected == RDP_PROTOCOL_HYBRID_EX)) {
		fprintf(stderr, "credssp-client: the server selected protocol 0x%08x, not NLA\n",
			(unsigned)*selected);
		goto out;
	}
	rc = 0;
out:
	talloc_free(t);
	return rc;
}

static int run(TALLOC_CTX *t, const struct client_opts *o)
{
	struct credssp_gss_client_opts g = { 0 };
	struct credssp_client_settings cs = { 0 };
	const struct credssp_mech_ops *ops = NULL;
	struct crypto_secret *password = NULL;
	struct credssp_credentials *creds;
	struct credssp_ctx *ctx = NULL;
	char *host = NULL, *port = NULL, *principal = NULL, err[512] = "";
	const char *reason = NULL;
	uint32_t selected = RDP_PROTOCOL_HYBRID;
	uint8_t *key = NULL;
	size_t key_len = 0;
	void *mech = NULL;
	SSL_CTX *tls = NULL;
	SSL *ssl = NULL;
	enum credssp_result r;
	int fd = -1, rc = TOOL_NETWORK;
	NTSTATUS status;

	if (!tool_split_addr(t, o->connect, &host, &port)) {
		fprintf(stderr, "credssp-client: --connect HOST:PORT\n");
		return TOOL_USAGE;
	}
	if (o->password_file != NULL && (password = tool_read_secret(t, o->password_file)) == NULL) {
		return TOOL_USAGE;
	}
	creds = build_creds(t, o, password);
	if (creds == NULL) {
		return TOOL_USAGE;
	}
	principal = o->principal != NULL ? talloc_strdup(t, o->principal) : NULL;
	if (principal == NULL && password != NULL && o->user != NULL && o->domain != NULL) {
		principal = talloc_asprintf(t, "%s@%s", o->user, o->domain);
		for (char *p = strchr(principal, '@'); p != NULL && *p != '\0'; p++) {
			*p = (char)toupper((unsigned char)*p);
		}
	}
	cs.server_name = o->server_name != NULL ? o->server_name : host;
	cs.allowed_servers = o->allowed;
	cs.version = o->version;
	cs.min_version = o->min_version;
	cs.creds = creds;
	g.target_host = cs.server_name;
	g.principal = principal;
	g.password = password;
	g.raw_kerberos = o->raw_kerberos;

	fd = tool_connect(host, port);
	if (fd < 0) {
		return TOOL_NETWORK;
	}
	if (o->rdp && rdp_negotiate(fd, o, &selected) != 0) {
		goto out;
	}
	tls = credssp_tls_client_ctx(err, sizeof(err));
	ssl = tls != NULL ? SSL_new(tls) : NULL;
	if (ssl == NULL || SSL_set_fd(ssl, fd) != 1 ||
	    SSL_set_tlsext_host_name(ssl, cs.server_name) != 1 || SSL_connect(ssl) != 1) {
		fprintf(stderr, "credssp-client: TLS handshake with %s failed\n", o->connect);
		goto out;
	}
	if (!NT_STATUS_IS_OK(credssp_tls_public_key(t, ssl, true, &key, &key_len))) {
		fprintf(stderr, "credssp-client: the server sent no certificate key\n");
		goto out;
	}
	rc = TOOL_REFUSED;
	if (o->ntlm || o->ntlm_spnego) {
		struct credssp_ntlm_client_opts n = { .user = o->user, .domain = o->domain,
						      .password = password };

		if (credssp_ntlm_client_new(&n, &ops, &mech, err, sizeof(err)) != 0) {
			fprintf(stderr, "credssp-client: %s\n", err);
			goto out;
		}
		if (o->ntlm_spnego &&
		    credssp_spnego_ntlm_initiator(ops, mech, &ops, &mech, err, sizeof(err)) != 0) {
			fprintf(stderr, "credssp-client: %s\n", err);
			goto out;
		}
	} else if (credssp_gss_client_new(&g, &ops, &mech, err, sizeof(err)) != 0) {
		fprintf(stderr, "credssp-client: %s\n", err);
		goto out;
	}
	status = credssp_client_new(t, &cs, ops, mech, key, key_len, &ctx, &reason);
	if (!NT_STATUS_IS_OK(status)) {
		fprintf(stderr, "credssp-client: %s: %s\n", crypto_status_name(status), reason);
		goto out;
	}
	r = credssp_tls_run(ssl, ctx, true, err, sizeof(err));
	if (r != CREDSSP_DONE) {
		if (err[0] != '\0' && NT_STATUS_IS_OK(credssp_status(ctx))) {
			fprintf(stderr, "credssp-client: %s\n", err);
			rc = TOOL_NETWORK;
		} else {
			fprintf(stderr, "credssp-client: %s: %s\n",
				crypto_status_name(credssp_status(ctx)), credssp_error(ctx));
		}
		goto out;
	}
	if (selected == RDP_PROTOCOL_HYBRID_EX) {
		uint8_t res[RDP_EARLY_AUTH_RESULT_LEN];
		uint32_t v;

		if (credssp_tls_read_exact(ssl, res, sizeof(res), err, sizeof(err)) != 0) {
			fprintf(stderr, "credssp-client: no Early User Authorization Result: %s\n", err);
			rc = TOOL_NETWORK;
			goto out;
		}
		v = (uint32_t)res[0] | (uint32_t)res[1] << 8 | (uint32_t)res[2] << 16 |
		    (uint32_t)res[3] << 24;
		if (v != RDP_AUTHZ_SUCCESS) {
			fprintf(stderr, "credssp-client: the server denied access "
					"(Early User Authorization Result 0x%08x)\n", (unsigned)v);
			goto out;
		}
	}
	printf("authenticated version=%u peer-version=%u%s\n",
	       (unsigned)credssp_negotiated_version(ctx), (unsigned)credssp_peer_version(ctx),
	       selected == RDP_PROTOCOL_HYBRID_EX ? " rdp=hybrid-ex" : o->rdp ? " rdp=hybrid" : "");
	rc = TOOL_OK;
out:
	if (ssl != NULL) {
		SSL_shutdown(ssl);
		SSL_free(ssl);
	}
	SSL_CTX_free(tls);
	if (fd >= 0) {
		close(fd);
	}
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "connect", required_argument, NULL, 'c' },
		{ "server-name", required_argument, NULL, 'n' },
		{ "allow-server", required_argument, NULL, 'a' },
		{ "user", required_argument, NULL, 'u' },
		{ "domain", required_argument, NULL, 'd' },
		{ "password-file", required_argument, NULL, 'p' },
		{ "principal", required_argument, NULL, 'P' },
		{ "raw-kerberos", no_argument, NULL, 'K' },
		{ "ntlm", no_argument, NULL, 'T' },
		{ "ntlm-spnego", no_argument, NULL, 'J' },
		{ "smartcard", no_argument, NULL, 's' },
		{ "pin-file", required_argument, NULL, 'i' },
		{ "reader", required_argument, NULL, 'R' },
		{ "card", required_argument, NULL, 'C' },
		{ "csp", required_argument, NULL, 'X' },
		{ "container", required_argument, NULL, 'O' },
		{ "remote-guard", required_argument, NULL, 'g' },
		{ "restricted-admin", no_argument, NULL, 'A' },
		{ "version", required_argument, NULL, 'v' },
		{ "min-version", required_argument, NULL, 'm' },
		{ "rdp", no_argument, NULL, 'r' },
		{ "hybrid-ex", no_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	TALLOC_CTX *t = talloc_new(NULL);
	struct client_opts o = { 0 };
	int ch, rc, kinds;

	o.allowed = talloc_zero_array(t, const char *, argc + 1);
	/* A peer that closes first must not kill us on our next write
	 * (SSL_shutdown's close_notify): EPIPE is handled as an error. */
	signal(SIGPIPE, SIG_IGN);
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': o.connect = optarg; break;
		case 'n': o.server_name = optarg; break;
		case 'a': o.allowed[o.num_allowed++] = optarg; break;
		case 'u': o.user = optarg; break;
		case 'd': o.domain = optarg; break;
		case 'p': o.password_file = optarg; break;
		case 'P': o.principal = optarg; break;
		case 'K': o.raw_kerberos = true; break;
		case 'T': o.ntlm = true; break;
		case 'J': o.ntlm_spnego = true; break;
		case 's': o.smartcard = true; break;
		case 'i': o.pin_file = optarg; break;
		case 'R': o.reader = optarg; break;
		case 'C': o.card = optarg; break;
		case 'X': o.csp = optarg; break;
		case 'O': o.container = optarg; break;
		case 'g': o.remote_guard = optarg; break;
		case 'A': o.restricted_admin = true; break;
		case 'v':
			if (!tool_parse_version(optarg, &o.version)) {
				fprintf(stderr, "credssp-client: --version must be 2 to 6\n");
				{ rc = TOOL_USAGE; goto done; }
			}
			break;
		case 'm':
			if (!tool_parse_version(optarg, &o.min_version)) {
				fprintf(stderr, "credssp-client: --min-version must be 2 to 6\n");
				{ rc = TOOL_USAGE; goto done; }
			}
			break;
		case 'r': o.rdp = true; break;
		case 'x': o.rdp = true; o.hybrid_ex = true; break;
		case 'h': usage(stdout); rc = TOOL_OK; goto done;
		default: usage(stderr); rc = TOOL_USAGE; goto done;
		}
	}
	kinds = (o.smartcard ? 1 : 0) + (o.remote_guard != NULL ? 1 : 0) +
		(o.restricted_admin ? 1 : 0);
	if (o.ntlm && o.ntlm_spnego) {
		fprintf(stderr, "credssp-client: --ntlm or --ntlm-spnego, not both\n");
		rc = TOOL_USAGE;
		goto done;
	}
	if ((o.ntlm || o.ntlm_spnego) && (o.user == NULL || o.password_file == NULL)) {
		fprintf(stderr, "credssp-client: --ntlm/--ntlm-spnego need --user and --password-file\n");
		rc = TOOL_USAGE;
		goto done;
	}
	if (optind != argc || o.connect == NULL || o.num_allowed == 0 || kinds > 1) {
		if (o.num_allowed == 0 && o.connect != NULL) {
			fprintf(stderr, "credssp-client: name the servers that may receive "
					"credentials with --allow-server\n");
		}
		usage(stderr);
		{ rc = TOOL_USAGE; goto done; }
	}
	rc = run(t, &o);
done:
	talloc_free(t); /* wipes the password */
	return rc;
}
