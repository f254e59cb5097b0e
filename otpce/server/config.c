/*
 * config.c: otpced's configuration file.
 *
 * An INI-like file: "[section]" lines, "key = value" lines, '#' or ';'
 * comments.  Written here because the order of repeated sections and
 * keys is meaning (the OTP servers and the CAs are ordered lists, 3.2.1),
 * which the INI readers on this system do not keep (GKeyFile merges
 * repeated groups; Samba's tini is not a public API).  Lines are at most
 * 4096 bytes; values are taken verbatim after trimming.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "otpce/msg/otpce_msg.h"
#include "otpce/server/config.h"

#define LINE_MAX_LEN 4096

struct reader {
	const char *path;
	unsigned line;
	char *err;
	size_t errlen;
};

static int fail(struct reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct reader *r, const char *fmt, ...)
{
	va_list ap;
	int n = r->line > 0 ? snprintf(r->err, r->errlen, "%s:%u: ", r->path, r->line)
			    : snprintf(r->err, r->errlen, "%s: ", r->path);

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < r->errlen) {
		vsnprintf(r->err + n, r->errlen - (size_t)n, fmt, ap);
	}
	va_end(ap);
	return -1;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t') {
		s++;
	}
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n')) {
		*--e = '\0';
	}
	return s;
}

/* default_workers: "auto", one worker per online CPU. */
static unsigned default_workers(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > OTPCED_MAX_WORKERS ? OTPCED_MAX_WORKERS : (unsigned)n;
}

static int parse_uint(struct reader *r, const char *key, const char *v, unsigned long min,
		      unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || v[0] == '-' || n < min || n > max) {
		return fail(r, "%s must be a number from %lu to %lu", key, min, max);
	}
	*out = n;
	return 0;
}

static int parse_bool(struct reader *r, const char *key, const char *v, int *out)
{
	if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 || strcmp(v, "1") == 0) {
		*out = 1;
	} else if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0 || strcmp(v, "0") == 0) {
		*out = 0;
	} else {
		return fail(r, "%s must be yes or no", key);
	}
	return 0;
}

/* read_secret_file: the first line of |path|, which must not be readable
 * by others. */
static int read_secret_file(struct reader *r, TALLOC_CTX *mem_ctx, const char *path,
			    struct crypto_secret **out)
{
	/* Opened without blocking and checked to be a regular file before
	 * anything is read: a FIFO, a terminal or a device named here must
	 * not hold otpced's start. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	FILE *f = NULL;
	char buf[LINE_MAX_LEN];
	struct stat st;
	char *s;

	if (fd < 0) {
		return fail(r, "secret_file %s: %s", path, strerror(errno));
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return fail(r, "secret_file %s is not a regular file", path);
	}
	if ((st.st_mode & S_IROTH) != 0) {
		close(fd);
		return fail(r, "secret_file %s is readable by others (chmod o-r)", path);
	}
	f = fdopen(fd, "r");
	if (f == NULL) {
		close(fd);
		return fail(r, "secret_file %s: %s", path, strerror(errno));
	}
	if (fgets(buf, sizeof(buf), f) == NULL) {
		buf[0] = '\0';
	}
	fclose(f);
	s = trim(buf);
	*out = crypto_secret_dup(mem_ctx, (const uint8_t *)s, strlen(s));
	crypto_wipe(buf, sizeof(buf));
	if (*out == NULL) {
		return fail(r, "out of memory");
	}
	return 0;
}

enum section { S_NONE, S_SERVER, S_SIGNING, S_DIRECTORY, S_OTP, S_CA };

static int server_key(struct reader *r, struct otpced_config *c, const char *k, const char *v)
{
	unsigned long n;

	if (strcmp(k, "listen") == 0) {
		const char *colon = strrchr(v, ':');
		char *host;
		if (colon == NULL || colon == v) {
			return fail(r, "listen must be address:port");
		}
		host = talloc_strndup(c, v, (size_t)(colon - v));
		if (host[0] == '[' && host[strlen(host) - 1] == ']') {
			host[strlen(host) - 1] = '\0';
			memmove(host, host + 1, strlen(host));
		}
		c->listen_host = host;
		if (parse_uint(r, "listen port", colon + 1, 0, 65535, &n) != 0) {
			return -1;
		}
		c->listen_port = (uint16_t)n;
	} else if (strcmp(k, "url_path") == 0) {
		if (v[0] != '/' || strpbrk(v, "?# \t") != NULL) {
			return fail(r, "url_path must start with '/' and have no query");
		}
		c->url_path = talloc_strdup(c, v);
	} else if (strcmp(k, "tls_cert") == 0) {
		c->tls_cert = talloc_strdup(c, v);
	} else if (strcmp(k, "tls_key") == 0) {
		c->tls_key = talloc_strdup(c, v);
	} else if (strcmp(k, "client_ca") == 0) {
		c->client_ca = talloc_strdup(c, v);
	} else if (strcmp(k, "client_cert") == 0) {
		if (strcmp(v, "none") == 0) {
			c->client_cert = OTPCED_CLIENT_CERT_NONE;
		} else if (strcmp(v, "optional") == 0) {
			c->client_cert = OTPCED_CLIENT_CERT_OPTIONAL;
		} else if (strcmp(v, "require") == 0) {
			c->client_cert = OTPCED_CLIENT_CERT_REQUIRE;
		} else {
			return fail(r, "client_cert must be none, optional or require");
		}
	} else if (strcmp(k, "http_timeout_ms") == 0) {
		if (parse_uint(r, k, v, 100, 600000, &n) != 0) {
			return -1;
		}
		c->http_timeout_ms = (unsigned)n;
	} else if (strcmp(k, "max_body") == 0) {
		if (parse_uint(r, k, v, 1024, OTPCE_MSG_MAX_LEN, &n) != 0) {
			return -1;
		}
		c->max_body = n;
	} else if (strcmp(k, "max_pending") == 0) {
		if (parse_uint(r, k, v, 1, 100000, &n) != 0) {
			return -1;
		}
		c->max_pending = (unsigned)n;
	} else if (strcmp(k, "workers") == 0) {
		if (strcmp(v, "auto") == 0) {
			c->workers = default_workers();
			return 0;
		}
		if (parse_uint(r, k, v, 1, OTPCED_MAX_WORKERS, &n) != 0) {
			return -1;
		}
		c->workers = (unsigned)n;
	} else if (strcmp(k, "challenge_lifetime") == 0) {
		if (parse_uint(r, k, v, 10, 3600, &n) != 0) {
			return -1;
		}
		c->challenge_lifetime_s = (unsigned)n;
	} else {
		return fail(r, "unknown key %s in [server]", k);
	}
	return 0;
}

static int otp_key(struct reader *r, struct otpced_config *c, const char *k, const char *v)
{
	size_t i = c->num_otp_servers - 1;
	struct otpce_radius_server *s = &c->otp_servers[i];
	unsigned long n;

	if (strcmp(k, "host") == 0) {
		s->host = talloc_strdup(c, v);
	} else if (strcmp(k, "port") == 0) {
		if (parse_uint(r, k, v, 1, 65535, &n) != 0) {
			return -1;
		}
		s->port = (uint16_t)n;
	} else if (strcmp(k, "secret") == 0 || strcmp(k, "secret_file") == 0) {
		if (c->otp_secrets[i] != NULL) {
			return fail(r, "secret given twice for this OTP server");
		}
		if (k[6] == '_') {
			if (read_secret_file(r, c, v, &c->otp_secrets[i]) != 0) {
				return -1;
			}
		} else {
			c->otp_secrets[i] = crypto_secret_dup(c, (const uint8_t *)v, strlen(v));
		}
		if (c->otp_secrets[i] == NULL || c->otp_secrets[i]->len == 0) {
			return fail(r, "the shared secret is empty");
		}
		s->secret = (const char *)c->otp_secrets[i]->data;
	} else if (strcmp(k, "timeout_ms") == 0) {
		if (parse_uint(r, k, v, 10, 120000, &n) != 0) {
			return -1;
		}
		s->timeout_ms = (unsigned)n;
	} else if (strcmp(k, "retries") == 0) {
		if (parse_uint(r, k, v, 0, 10, &n) != 0) {
			return -1;
		}
		s->retries = (unsigned)n;
	} else if (strcmp(k, "tls") == 0) {
		return parse_bool(r, k, v, &s->tls);
	} else if (strcmp(k, "tls_ca") == 0) {
		s->tls_ca = talloc_strdup(c, v);
	} else if (strcmp(k, "tls_cert") == 0) {
		s->tls_cert = talloc_strdup(c, v);
	} else if (strcmp(k, "tls_key") == 0) {
		s->tls_key = talloc_strdup(c, v);
	} else {
		return fail(r, "unknown key %s in [otp_server]", k);
	}
	return 0;
}

static int key_value(struct reader *r, struct otpced_config *c, enum section sec, bool *inline_secret,
		     const char *k, const char *v)
{
	switch (sec) {
	case S_SERVER:
		return server_key(r, c, k, v);
	case S_SIGNING:
		if (strcmp(k, "template") == 0) {
			c->template_name = talloc_strdup(c, v);
		} else if (strcmp(k, "cert") == 0) {
			c->signing_cert = talloc_strdup(c, v);
		} else if (strcmp(k, "key") == 0) {
			c->signing_key = talloc_strdup(c, v);
		} else {
			return fail(r, "unknown key %s in [signing]", k);
		}
		return 0;
	case S_DIRECTORY:
		if (strcmp(k, "backend") == 0) {
			if (strcmp(v, "winbind") != 0 && strcmp(v, "ldap") != 0) {
				return fail(r, "backend must be winbind or ldap");
			}
			c->directory_backend = talloc_strdup(c, v);
			c->directory.use_ldap = strcmp(v, "ldap") == 0;
		} else if (strcmp(k, "ldap_uri") == 0) {
			if (strncmp(v, "ldap://", 7) != 0 && strncmp(v, "ldaps://", 8) != 0) {
				return fail(r, "ldap_uri must start with ldap:// or ldaps://");
			}
			c->directory.ldap_uri = talloc_strdup(c, v);
		} else if (strcmp(k, "ldap_keytab") == 0) {
			c->directory.ldap_keytab = talloc_strdup(c, v);
		} else if (strcmp(k, "ldap_principal") == 0) {
			c->directory.ldap_principal = talloc_strdup(c, v);
		} else if (strcmp(k, "ldap_timeout_ms") == 0) {
			unsigned long n;
			if (parse_uint(r, k, v, 100, 120000, &n) != 0) {
				return -1;
			}
			c->directory.ldap_timeout_ms = (unsigned)n;
		} else if (strcmp(k, "dn_container") == 0) {
			c->directory.dn_container = talloc_strdup(c, v);
		} else if (strcmp(k, "radius_user") == 0) {
			if (strcmp(v, "request") == 0) {
				c->radius_user = OTPCED_RADIUS_USER_REQUEST;
			} else if (strcmp(v, "account") == 0) {
				c->radius_user = OTPCED_RADIUS_USER_ACCOUNT;
			} else if (strcmp(v, "upn") == 0) {
				c->radius_user = OTPCED_RADIUS_USER_UPN;
			} else {
				return fail(r, "radius_user must be request, account or upn");
			}
		} else if (strcmp(k, "upn_suffix") == 0) {
			c->directory.upn_suffix = talloc_strdup(c, v);
		} else if (strcmp(k, "cache_seconds") == 0) {
			unsigned long n;
			if (parse_uint(r, k, v, 0, 3600, &n) != 0) {
				return -1;
			}
			c->cache_seconds = (unsigned)n;
		} else {
			return fail(r, "unknown key %s in [directory]", k);
		}
		return 0;
	case S_OTP:
		if (strcmp(k, "secret") == 0) {
			*inline_secret = true;
		}
		return otp_key(r, c, k, v);
	case S_CA:
		if (strcmp(k, "name") != 0) {
			return fail(r, "unknown key %s in [ca] (name = HOST\\CA-NAME)", k);
		}
		if (c->num_cas == OTPCED_MAX_CAS) {
			return fail(r, "more than %d CAs", OTPCED_MAX_CAS);
		}
		c->cas[c->num_cas++] = talloc_strdup(c, v);
		return 0;
	default:
		return fail(r, "key outside a section");
	}
}

static enum section section_of(const char *name)
{
	static const struct { const char *name; enum section sec; } names[] = {
		{ "server", S_SERVER }, { "signing", S_SIGNING }, { "directory", S_DIRECTORY },
		{ "otp_server", S_OTP }, { "ca", S_CA },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(name, names[i].name) == 0) {
			return names[i].sec;
		}
	}
	return S_NONE;
}

static int check_complete(struct reader *r, struct otpced_config *c)
{
	r->line = 0;
	if (c->listen_host == NULL || c->tls_cert == NULL || c->tls_key == NULL) {
		return fail(r, "[server] needs listen, tls_cert and tls_key");
	}
	if (c->client_cert != OTPCED_CLIENT_CERT_NONE && c->client_ca == NULL) {
		return fail(r, "client_cert = %s needs client_ca",
			    c->client_cert == OTPCED_CLIENT_CERT_REQUIRE ? "require" : "optional");
	}
	if (c->template_name == NULL || c->signing_cert == NULL || c->signing_key == NULL) {
		return fail(r, "[signing] needs template, cert and key");
	}
	for (size_t i = 0; i < c->num_otp_servers; i++) {
		if (c->otp_servers[i].host == NULL || c->otp_secrets[i] == NULL) {
			return fail(r, "[otp_server] number %zu needs host and secret or secret_file",
				    i + 1);
		}
		if (c->otp_servers[i].port == 0) {
			c->otp_servers[i].port = c->otp_servers[i].tls ? 2083 : 1812;
		}
	}
	return 0;
}

int otpced_config_load(TALLOC_CTX *mem_ctx, const char *path, struct otpced_config **out,
		       char *err, size_t errlen)
{
	struct reader r = { .path = path, .line = 0, .err = err, .errlen = errlen };
	struct otpced_config *c = talloc_zero(mem_ctx, struct otpced_config);
	enum section sec = S_NONE;
	bool inline_secret = false;
	char line[LINE_MAX_LEN + 2];
	struct stat st;
	FILE *f;
	int rc = -1;

	if (c == NULL) {
		return fail(&r, "out of memory");
	}
	c->url_path = talloc_strdup(c, "/");
	c->http_timeout_ms = 10000;
	c->max_body = OTPCE_MSG_MAX_LEN;
	c->max_pending = 1024;
	c->challenge_lifetime_s = 300;
	c->workers = default_workers();
	c->directory_backend = talloc_strdup(c, "winbind");
	c->directory.dn_container = talloc_strdup(c, "CN=Users");
	c->cache_seconds = 30;
	c->directory.ldap_timeout_ms = 5000;
	c->otp_servers = talloc_zero_array(c, struct otpce_radius_server, OTPCED_MAX_OTP_SERVERS);
	c->otp_secrets = talloc_zero_array(c, struct crypto_secret *, OTPCED_MAX_OTP_SERVERS);
	c->cas = talloc_zero_array(c, char *, OTPCED_MAX_CAS + 1);
	f = fopen(path, "r");
	if (f == NULL) {
		fail(&r, "%s", strerror(errno));
		goto out;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *s, *eq;
		r.line++;
		if (strlen(line) > LINE_MAX_LEN) {
			fail(&r, "line longer than %d bytes", LINE_MAX_LEN);
			goto out_close;
		}
		s = trim(line);
		if (*s == '\0' || *s == '#' || *s == ';') {
			continue;
		}
		if (*s == '[') {
			char *e = strchr(s, ']');
			if (e == NULL || e[1] != '\0') {
				fail(&r, "bad section line");
				goto out_close;
			}
			*e = '\0';
			sec = section_of(trim(s + 1));
			if (sec == S_NONE) {
				fail(&r, "unknown section [%s]", trim(s + 1));
				goto out_close;
			}
			if (sec == S_OTP) {
				if (c->num_otp_servers == OTPCED_MAX_OTP_SERVERS) {
					fail(&r, "more than %d OTP servers", OTPCED_MAX_OTP_SERVERS);
					goto out_close;
				}
				c->otp_servers[c->num_otp_servers].timeout_ms = 3000;
				c->otp_servers[c->num_otp_servers].retries = 2;
				c->num_otp_servers++;
			}
			continue;
		}
		eq = strchr(s, '=');
		if (eq == NULL) {
			fail(&r, "expected key = value");
			goto out_close;
		}
		*eq = '\0';
		if (key_value(&r, c, sec, &inline_secret, trim(s), trim(eq + 1)) != 0) {
			goto out_close;
		}
	}
	if (inline_secret && (fstat(fileno(f), &st) != 0 || (st.st_mode & S_IROTH) != 0)) {
		r.line = 0;
		fail(&r, "holds a RADIUS secret but is readable by others (chmod o-r, or use "
			 "secret_file)");
		goto out_close;
	}
	if (check_complete(&r, c) != 0) {
		goto out_close;
	}
	*out = c;
	c = NULL;
	rc = 0;
out_close:
	crypto_wipe(line, sizeof(line));
	fclose(f);
out:
	talloc_free(c);
	return rc;
}
