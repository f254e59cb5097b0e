/*
 * cmd_blob.c: "bpau blob decode" and "bpau blob encode": a
 * CERTIFICATE_BLOB (MS-BPAU 2.2.2) shown for people or as JSON, and built
 * from a certificate as a Windows peer sends it.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "certtable/certblob.h"
#include "crypto/ms/sid.h"
#include "crypto/wire/cursor.h"
#include "crypto/wire/text.h"
#include "rpc/cli/cli.h"

/* ---- blob decode ------------------------------------------------------------- */

static const char *eku_name(const char *oid)
{
	static const struct {
		const char *oid, *name;
	} names[] = {
		{"1.3.6.1.5.5.7.3.1", "serverAuth"},
		{"1.3.6.1.5.5.7.3.2", "clientAuth"},
		{"1.3.6.1.5.5.7.3.3", "codeSigning"},
		{"1.3.6.1.5.5.7.3.4", "emailProtection"},
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(oid, names[i].oid) == 0) {
			return names[i].name;
		}
	}
	return NULL;
}

/* prop_text renders a property value for people (the hex for hashes). */
static char *prop_text(TALLOC_CTX *t, const struct certblob_prop *p)
{
	char **oids, *s, buf[32];
	uint64_t stamp;
	struct cursor c;

	switch (p->id) {
	case CERTBLOB_ENHKEY_USAGE:
		if (!NT_STATUS_IS_OK(crypto_eku_parse(t, p->value, p->len, &oids, NULL))) {
			break;
		}
		s = talloc_strdup(t, "");
		for (size_t i = 0; oids[i] != NULL && s != NULL; i++) {
			const char *n = eku_name(oids[i]);
			s = talloc_asprintf_append(s, "%s%s%s%s%s", i > 0 ? ", " : "", oids[i],
						   n ? " (" : "", n ? n : "", n ? ")" : "");
		}
		return s;
	case CERTBLOB_FRIENDLY_NAME:
	case CERTBLOB_DESCRIPTION:
	case CERTBLOB_AUTO_ENROLL:
		if (NT_STATUS_IS_OK(crypto_utf16le_to_utf8(t, p->value, p->len - 2, &s, NULL))) {
			return s;
		}
		break;
	case CERTBLOB_KEY_SPEC:
		return talloc_strdup(t, "1 (AT_KEYEXCHANGE)");
	case CERTBLOB_DATE_STAMP:
		cursor_init(&c, p->value, p->len);
		if (cursor_get_u64le(&c, &stamp)) {
			/* 100 ns intervals since 1601-01-01. */
			format_time((int64_t)(stamp / 10000000u) - 11644473600ll, buf);
			return talloc_strdup(t, buf);
		}
		break;
	case CERTBLOB_KEY_PROV_INFO:
		return talloc_asprintf(t, "%zu bytes (valid; ignored, MS-BPAU 3.1.4.1)", p->len);
	default:
		break;
	}
	return crypto_hex(t, p->value, p->len);
}

int cmd_blob_decode(TALLOC_CTX *t, int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'}, {"help", no_argument, NULL, 'h'}, {0}};
	bool json = false;
	struct certblob *blob;
	char *subject, *issuer, *cn = NULL, **dns = NULL, nb_s[32], na_s[32];
	int64_t nb = 0, na = 0;
	struct crypto_sid sid;
	bool is_sid;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = true;
			break;
		case 'h':
			printf("Usage: bpau blob decode FILE [--json]\n"
			       "Show a CERTIFICATE_BLOB (MS-BPAU 2.2.2); FILE may be - for stdin.\n");
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		return usage_error("%s", "blob decode takes one FILE");
	}
	if ((rc = read_blob(t, argv[optind], &blob)) != EXIT_OK) {
		return rc;
	}
	subject = crypto_x509_subject_text(t, blob->x509);
	issuer = crypto_x509_issuer_text(t, blob->x509);
	(void)crypto_x509_subject_cn(t, blob->x509, &cn);
	(void)crypto_x509_dns_names(t, blob->x509, &dns);
	(void)crypto_x509_validity(blob->x509, &nb, &na);
	format_time(nb, nb_s);
	format_time(na, na_s);
	is_sid = cn != NULL && NT_STATUS_IS_OK(crypto_sid_parse(cn, &sid, NULL));
	struct cursor serial = crypto_x509_serial(blob->x509);
	char *serial_hex = crypto_hex(t, serial.data, serial.len);
	uint8_t thumb[CRYPTO_SHA1_LEN];
	(void)crypto_sha1(blob->cert, blob->cert_len, thumb);

	if (json) {
		printf("{\"length\": %zu, \"properties\": [", blob->raw_len);
		for (size_t i = 0; i < blob->num_props; i++) {
			const struct certblob_prop *p = &blob->props[i];
			printf("%s\n  {\"id\": %u, \"name\": ", i ? "," : "", p->id);
			json_string(stdout, certblob_prop_name(p->id));
			printf(", \"length\": %zu, \"hex\": ", p->len);
			json_string(stdout, crypto_hex(t, p->value, p->len));
			printf(", \"text\": ");
			json_string(stdout, prop_text(t, p));
			printf("}");
		}
		printf("],\n \"certificate\": {\"length\": %zu, \"subject\": ", blob->cert_len);
		json_string(stdout, subject ? subject : "");
		printf(", \"subject_sid\": ");
		if (is_sid) {
			json_string(stdout, crypto_sid_string(t, &sid));
		} else {
			printf("null");
		}
		printf(", \"issuer\": ");
		json_string(stdout, issuer ? issuer : "");
		printf(", \"serial\": ");
		json_string(stdout, serial_hex);
		printf(", \"not_before\": \"%s\", \"not_after\": \"%s\", \"key\": \"RSA\", "
		       "\"key_bits\": %d, \"sha1\": \"%s\", \"dns_names\": [",
		       nb_s, na_s, crypto_x509_key_bits(blob->x509),
		       crypto_hex(t, thumb, sizeof(thumb)));
		for (size_t i = 0; dns != NULL && dns[i] != NULL; i++) {
			printf("%s", i ? ", " : "");
			json_string(stdout, dns[i]);
		}
		printf("]}}\n");
		return EXIT_OK;
	}
	printf("CERTIFICATE_BLOB: %zu bytes, %zu properties\n", blob->raw_len, blob->num_props);
	for (size_t i = 0; i < blob->num_props; i++) {
		const struct certblob_prop *p = &blob->props[i];
		printf("  %-28s (%2u) %3zu bytes  %s\n", certblob_prop_name(p->id), p->id, p->len,
		       prop_text(t, p));
	}
	printf("Certificate: %zu bytes (SHA-1 %s)\n", blob->cert_len,
	       crypto_hex(t, thumb, sizeof(thumb)));
	printf("  Subject:     %s\n", subject ? subject : "?");
	printf("  Subject SID: %s\n", is_sid ? crypto_sid_string(t, &sid)
					     : "(none: the subject CN is not a SID)");
	printf("  Issuer:      %s\n", issuer ? issuer : "?");
	printf("  Serial:      %s\n", serial_hex);
	printf("  Valid:       %s to %s\n", nb_s, na_s);
	printf("  Key:         RSA, %d bits\n", crypto_x509_key_bits(blob->x509));
	for (size_t i = 0; dns != NULL && dns[i] != NULL; i++) {
		printf("  DNS name:    %s\n", dns[i]);
	}
	return EXIT_OK;
}

/* ---- blob encode ------------------------------------------------------------- */

int cmd_blob_encode(TALLOC_CTX *t, int argc, char **argv)
{
	static const struct option opts[] = {{"cert", required_argument, NULL, 'c'},
					     {"eku", required_argument, NULL, 'e'},
					     {"out", required_argument, NULL, 'o'},
					     {"help", no_argument, NULL, 'h'},
					     {0}};
	const char *cert_path = NULL, *out = "-", *reason = NULL;
	const char **ekus = talloc_zero_array(t, const char *, (size_t)argc + 1);
	size_t num_ekus = 0;
	struct crypto_x509 *x;
	struct certblob *blob;
	NTSTATUS status;
	int ch;

	while ((ch = getopt_long(argc, argv, "c:e:o:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			cert_path = optarg;
			break;
		case 'e':
			ekus[num_ekus++] = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			printf("Usage: bpau blob encode --cert CERT [--eku OID]... [--out FILE]\n"
			       "Encode CERT (DER or PEM) as a CERTIFICATE_BLOB with the properties a\n"
			       "Windows Vista peer sends; each --eku adds an ENHKEY_USAGE OID.\n");
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (cert_path == NULL || optind != argc) {
		return usage_error("%s", "blob encode needs --cert CERT and no other arguments");
	}
	if (strcmp(out, "-") == 0 && isatty(STDOUT_FILENO)) {
		return usage_error("%s", "refusing to write binary to a terminal; use --out FILE");
	}
	status = crypto_x509_read_file(t, cert_path, &x, &reason);
	if (!NT_STATUS_IS_OK(status)) {
		return fail(status, cert_path, reason);
	}
	status = certblob_build(t, x, ekus, num_ekus, &blob, &reason);
	if (!NT_STATUS_IS_OK(status)) {
		return fail(status, "cannot encode the certificate", reason);
	}
	return write_all(out, blob->raw, blob->raw_len, 0644, true);
}
