/*
 * cmd_cert.c: "bpau cert create": the self-signed certificate a peer
 * presents (MS-BPAU 1.5, 4.2), subject and issuer CN=SID, the SID given
 * or looked up for a machine account (winbind, or SAMR at a DC).
 */
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "crypto/ms/sid.h"
#include "rpc/cli/cli.h"
#include "rpc/client/client.h"

int cmd_cert_create(TALLOC_CTX *t, int argc, char **argv)
{
	static const struct option opts[] = {{"sid", required_argument, NULL, 's'},
					     {"dns", required_argument, NULL, 'd'},
					     {"cert-out", required_argument, NULL, 'c'},
					     {"key-out", required_argument, NULL, 'k'},
					     {"days", required_argument, NULL, 'D'},
					     {"bits", required_argument, NULL, 'b'},
					     {"force", no_argument, NULL, 'f'},
					     {"account", required_argument, NULL, 'A'},
					     {"dc", required_argument, NULL, 'C'},
					     {"dc-address", required_argument, NULL, 'I'},
					     {"help", no_argument, NULL, 'h'},
					     {0}};
	const char *sid_s = NULL, *dns = NULL, *cert_out = "cert.der", *key_out = "key.pem";
	struct bpau_client_opts lookup = {0};
	const char *account = NULL;
	const char *reason = NULL;
	int days = 365, bits = 2048, ch, rc;
	bool force = false;
	struct crypto_sid sid;
	struct crypto_secret *key;
	uint8_t *der;
	size_t der_len;
	NTSTATUS status;

	while ((ch = getopt_long(argc, argv, "s:d:c:k:D:b:fh", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			sid_s = optarg;
			break;
		case 'A':
			account = optarg;
			break;
		case 'C':
			lookup.dc = optarg;
			break;
		case 'I':
			lookup.dc_address = optarg;
			break;
		case 'd':
			dns = optarg;
			break;
		case 'c':
			cert_out = optarg;
			break;
		case 'k':
			key_out = optarg;
			break;
		case 'D':
			if (!parse_int(optarg, 1, 36500, &days)) {
				return usage_error("--days must be 1 to 36500, not '%s'", optarg);
			}
			break;
		case 'b':
			if (!parse_int(optarg, 2048, 16384, &bits)) {
				return usage_error("--bits must be 2048 to 16384, not '%s'", optarg);
			}
			break;
		case 'f':
			force = true;
			break;
		case 'h':
			printf("Usage: bpau cert create (--sid SID | --account NAME$ [--dc FQDN\n"
			       "                        [--dc-address IP]]) [--dns NAME] [--cert-out FILE]\n"
			       "                        [--key-out FILE] [--days N] [--bits N] [--force]\n"
			       "Create a self-signed RSA certificate whose subject and issuer are\n"
			       "CN=SID, as Windows peers present (MS-BPAU 1.5, 4.2).  SID is the\n"
			       "machine account's SID, given, or looked up for --account through\n"
			       "winbind or at the domain controller --dc (SAMR, Kerberos: run\n"
			       "kinit -k first).\n"
			       "The certificate is written as DER (default\n"
			       "cert.der), the private key as PKCS#8 PEM with mode 0600 (default\n"
			       "key.pem).  Existing files are kept unless --force.\n");
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if ((sid_s == NULL) == (account == NULL) || optind != argc) {
		return usage_error("%s", "cert create needs either --sid SID or --account NAME$ "
					 "(with --dc without winbind), and no other arguments");
	}
	if (account != NULL) {
		struct bpau_client_result *res = NULL;
		if (!network_setup(BPAU_CALL_TIMEOUT)) {
			return EXIT_SYSTEM;
		}
		status = bpau_client_lookup_sid(t, &lookup, account, &sid, &res);
		alarm(0);
		if (!NT_STATUS_IS_OK(status)) {
			fprintf(stderr, "%s: cert create: %s\n", progname,
				res && res->message ? res->message : crypto_status_name(status));
			return res != NULL && res->stage == BPAU_STAGE_SETUP ? EXIT_USAGE : EXIT_CONNECT;
		}
	} else {
		status = crypto_sid_parse(sid_s, &sid, &reason);
		if (!NT_STATUS_IS_OK(status)) {
			return fail(status, sid_s, reason);
		}
	}
	status = crypto_x509_create_self_signed(t, crypto_sid_string(t, &sid), dns, bits, days,
						&der, &der_len, &key);
	if (!NT_STATUS_IS_OK(status)) {
		return fail(status, "cannot create the certificate",
			    NT_STATUS_EQUAL(status, NT_STATUS_INVALID_PARAMETER)
				    ? "invalid DNS name"
				    : NULL);
	}
	/* The key first, created 0600 from the start (never widened). */
	rc = write_all(key_out, key->data, key->len, 0600, force);
	if (rc == EXIT_OK) {
		rc = write_all(cert_out, der, der_len, 0644, force);
	}
	if (rc == EXIT_OK) {
		printf("certificate: %s (CN=%s)\nprivate key: %s\n", cert_out,
		       crypto_sid_string(t, &sid), key_out);
	}
	return rc;
}
