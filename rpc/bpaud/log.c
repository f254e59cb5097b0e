/*
 * log.c: bpaud's log.  Process-wide state, as standard error is: the
 * level and the log file's name (for reopening it on SIGHUP).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rpc/bpaud/log.h"

static int log_level = 1;
static const char *log_path; /* NULL: standard error */

void bpaud_log_set_level(int level)
{
	log_level = level;
}

void bpaud_log(int level, const char *fmt, ...)
{
	va_list ap;
	char ts[32];
	struct timespec now;
	struct tm tm;

	if (level > log_level) {
		return;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	localtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%H:%M:%S", &tm);
	fprintf(stderr, "bpaud[%d] %s.%03ld: ", (int)getpid(), ts, now.tv_nsec / 1000000);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

bool bpaud_log_open(const char *path)
{
	if (path == NULL) {
		return true;
	}
	if (freopen(path, "a", stderr) == NULL) {
		fprintf(stdout, "bpaud: cannot open the log file %s: %s\n", path, strerror(errno));
		return false;
	}
	setvbuf(stderr, NULL, _IOLBF, 0);
	log_path = path;
	return true;
}

void bpaud_log_reopen(void)
{
	int fd;

	if (log_path == NULL) {
		return;
	}
	/* The old file was renamed.  Opened before it replaces descriptor 2:
	 * freopen closes that when the open fails, and the next connection
	 * would then get descriptor 2 and the log lines. */
	fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd == -1) {
		bpaud_log(0, "SIGHUP: cannot reopen the log file %s: %s; still writing to "
			  "the old one", log_path, strerror(errno));
		return;
	}
	fflush(stderr);
	(void)dup2(fd, STDERR_FILENO);
	close(fd);
}
