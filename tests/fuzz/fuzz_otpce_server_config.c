/*
 * fuzz_otpce_server_config.c: libFuzzer target for otpced's configuration
 * reader (otpce/server/config.c) on hostile file contents, handed over as
 * an in-memory file.  A refusal must say why and leave no configuration;
 * an accepted one must have what otpced needs to start (a listen address,
 * the TLS and signing files, a template, at least one worker) and no more
 * OTP servers or CAs than the limits.  The input may name other files
 * (secret_file): they are only read if regular and not readable by others.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memfd_create, memmem */
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "otpce/server/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct otpced_config *c = NULL;
	char path[64], err[1024];
	int fd = memfd_create("otpced-fuzz.conf", MFD_CLOEXEC);

	if (fd < 0 || t == NULL || (size > 0 && write(fd, data, size) != (ssize_t)size)) {
		abort();
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	err[0] = '\0';
	if (otpced_config_load(t, path, &c, err, sizeof(err)) == 0) {
		if (c == NULL || c->listen_host == NULL || c->tls_cert == NULL ||
		    c->tls_key == NULL || c->template_name == NULL || c->signing_cert == NULL ||
		    c->signing_key == NULL || c->workers < 1 || c->workers > OTPCED_MAX_WORKERS ||
		    c->num_cas > OTPCED_MAX_CAS || c->num_otp_servers > OTPCED_MAX_OTP_SERVERS) {
			abort();
		}
		for (size_t i = 0; i < c->num_otp_servers; i++) {
			if (c->otp_servers[i].host == NULL || c->otp_servers[i].secret == NULL) {
				abort();
			}
		}
	} else if (c != NULL || err[0] == '\0' || strlen(err) >= sizeof(err)) {
		abort();
	}
	close(fd);
	talloc_free(t);
	return 0;
}
