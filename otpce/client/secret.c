/*
 * secret.c: the one-time password and challenge responses, from a file or
 * the terminal, into wiped secrets (crypto_secret).  Nothing here prints
 * a secret.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "crypto/wire/file.h"
#include "otpce/client/client.h"

#define SECRET_FILE_MAX 16384
#define SECRET_LINE_MAX 1024

/* Standard input can be read once: keep it for the later lines. */
static uint8_t *stdin_buf;
static size_t stdin_len;

int read_secret_line(TALLOC_CTX *mem_ctx, const char *path, unsigned int index,
		     struct crypto_secret **out, char *err, size_t errlen)
{
	uint8_t *buf = NULL;
	size_t len = 0, start = 0, end;
	int e = 0, rc = -1;
	unsigned int line = 0;
	int is_stdin = strcmp(path, "-") == 0;

	if (is_stdin && stdin_buf != NULL) {
		buf = stdin_buf;
		len = stdin_len;
	} else {
		if (!NT_STATUS_IS_OK(crypto_read_file(is_stdin ? NULL : mem_ctx, path, true,
						      SECRET_FILE_MAX + 1, &buf, &len, &e))) {
			snprintf(err, errlen, "cannot read %s: %s", path, strerror(e));
			return -1;
		}
		if (len > SECRET_FILE_MAX) {
			snprintf(err, errlen, "%s is larger than %d bytes", path, SECRET_FILE_MAX);
			goto out;
		}
		if (is_stdin) {
			stdin_buf = buf;
			stdin_len = len;
		}
	}
	for (;;) {
		end = start;
		while (end < len && buf[end] != '\n') {
			end++;
		}
		if (start >= len) {
			snprintf(err, errlen, "%s has no line %u", path, index + 1);
			goto out;
		}
		if (line == index) {
			size_t n = end - start;

			if (n > 0 && buf[start + n - 1] == '\r') {
				n--;
			}
			if (n == 0 || n > SECRET_LINE_MAX || memchr(buf + start, '\0', n) != NULL) {
				snprintf(err, errlen, "line %u of %s is empty, too long or holds a NUL",
					 index + 1, path);
				goto out;
			}
			*out = crypto_secret_dup(mem_ctx, buf + start, n);
			if (*out == NULL) {
				snprintf(err, errlen, "out of memory");
				goto out;
			}
			rc = 0;
			goto out;
		}
		line++;
		start = end + 1;
	}
out:
	if (!is_stdin) {
		crypto_wipe(buf, len);
		talloc_free(buf);
	}
	return rc;
}

void secret_cleanup(void)
{
	if (stdin_buf != NULL) {
		crypto_wipe(stdin_buf, stdin_len);
		talloc_free(stdin_buf);
		stdin_buf = NULL;
		stdin_len = 0;
	}
}

int prompt_secret(TALLOC_CTX *mem_ctx, const char *prompt, struct crypto_secret **out,
		  char *err, size_t errlen)
{
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
	struct termios old, quiet;
	char buf[SECRET_LINE_MAX + 2];
	ssize_t n;
	size_t len = 0;
	int rc = -1;

	if (fd < 0 || tcgetattr(fd, &old) != 0) {
		snprintf(err, errlen, "no terminal to ask on (give --otp-file / --response-file)");
		if (fd >= 0) {
			close(fd);
		}
		return -1;
	}
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	if (write(fd, prompt, strlen(prompt)) < 0 || tcsetattr(fd, TCSAFLUSH, &quiet) != 0) {
		snprintf(err, errlen, "cannot prompt on the terminal: %s", strerror(errno));
		close(fd);
		return -1;
	}
	while (len < sizeof(buf) - 1 && (n = read(fd, buf + len, 1)) == 1 && buf[len] != '\n') {
		len++;
	}
	(void)tcsetattr(fd, TCSAFLUSH, &old);
	(void)!write(fd, "\n", 1);
	close(fd);
	if (len > 0 && buf[len - 1] == '\r') {
		len--;
	}
	if (len == 0 || len > SECRET_LINE_MAX) {
		snprintf(err, errlen, "no answer given, or longer than %d bytes", SECRET_LINE_MAX);
	} else if ((*out = crypto_secret_dup(mem_ctx, (const uint8_t *)buf, len)) == NULL) {
		snprintf(err, errlen, "out of memory");
	} else {
		rc = 0;
	}
	crypto_wipe(buf, sizeof(buf));
	return rc;
}
