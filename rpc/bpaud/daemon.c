/*
 * daemon.c: the pid file, --daemon, and the signals.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <talloc.h>
#include <tevent.h>

#include "rpc/bpaud/daemon.h"
#include "rpc/bpaud/log.h"
#include "rpc/server/exchange_server.h"

static int write_pid_file(const char *path)
{
	FILE *f = fopen(path, "w");
	if (f == NULL) {
		bpaud_log(0, "pid file %s: %s", path, strerror(errno));
		return -1;
	}
	fprintf(f, "%d\n", (int)getpid());
	return fclose(f);
}

/*
 * detach: --daemon.  The parent returns (exits 0) only once the child has
 * written the pid file and is about to serve, so that whoever started
 * bpaud (a service manager reading the pid file) never sees a missing or
 * stale one; 1 if the child failed first.  The child leaves the session
 * and the working directory, and its standard input and output are
 * /dev/null (standard error is the log file).
 */
static int detach(const char *pid_file)
{
	int p[2], null;
	char ok = 0;
	pid_t pid;

	if (pipe(p) != 0) {
		bpaud_log(0, "pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid == -1) {
		bpaud_log(0, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid != 0) {
		close(p[1]);
		while (read(p[0], &ok, 1) == -1 && errno == EINTR) {
		}
		_exit(ok == '1' ? 0 : 1);
	}
	close(p[0]);
	if (setsid() == -1 || chdir("/") != 0) {
		bpaud_log(0, "detach: %s", strerror(errno));
		return -1;
	}
	null = open("/dev/null", O_RDWR);
	if (null == -1 || dup2(null, STDIN_FILENO) == -1 || dup2(null, STDOUT_FILENO) == -1) {
		bpaud_log(0, "/dev/null: %s", strerror(errno));
		return -1;
	}
	if (null > STDERR_FILENO) {
		close(null);
	}
	if (pid_file != NULL && write_pid_file(pid_file) != 0) {
		return -1;
	}
	ok = '1';
	if (write(p[1], &ok, 1) != 1) {
		return -1;
	}
	close(p[1]);
	return 0;
}

static void on_term(struct tevent_context *ev, struct tevent_signal *se, int signum, int count,
		    void *siginfo, void *private_data)
{
	struct bpaud *d = private_data;
	(void)ev, (void)se, (void)count, (void)siginfo;
	bpaud_log(0, "signal %d: shutting down", signum);
	d->stopping = true;
}

/* SIGHUP: reopen the log file; reload our certificate (MS-BPAU's "Local
 * Certificate"); on a bad file the old one stays in use. */
static void on_hup(struct tevent_context *ev, struct tevent_signal *se, int signum, int count,
		   void *siginfo, void *private_data)
{
	struct bpaud *d = private_data;
	const char *reason = NULL;
	NTSTATUS status;
	(void)ev, (void)se, (void)signum, (void)count, (void)siginfo;

	bpaud_log_reopen(); /* the log file first (rotated logs) */
	status = bpau_server_reload_cert(d->srv, &reason);
	if (NT_STATUS_IS_OK(status)) {
		bpaud_log(0, "SIGHUP: reloaded the certificate %s", d->cfg.cert_file);
	} else {
		bpaud_log(0, "SIGHUP: cannot reload %s (%s: %s); keeping the old certificate",
			  d->cfg.cert_file, reason ? reason : "", nt_errstr(status));
	}
}

/* SIGUSR1 (with --debug 3 or more): the talloc memory report, for
 * diagnosing growth. */
static void on_usr1(struct tevent_context *ev, struct tevent_signal *se, int signum, int count,
		    void *siginfo, void *private_data)
{
	struct bpaud *d = private_data;
	(void)ev, (void)se, (void)signum, (void)count, (void)siginfo;
	bpaud_log(0, "SIGUSR1: %zu bytes in talloc (%zu in the daemon state)",
		  talloc_total_size(NULL), talloc_total_size(d));
	talloc_report_full(d, stderr);
	talloc_report_full(NULL, stderr);
}

bool bpaud_daemon_start(struct bpaud *d)
{
	/* The signals bpaud handles are held from here until its handlers
	 * are in place: a service manager may send one as soon as --daemon
	 * returns, and the default action would leave a stale pid file. */
	sigset_t held, before;
	sigemptyset(&held);
	sigaddset(&held, SIGTERM);
	sigaddset(&held, SIGINT);
	sigaddset(&held, SIGHUP);
	sigaddset(&held, SIGUSR1);
	sigprocmask(SIG_BLOCK, &held, &before);
	if (d->cfg.daemon) {
		/* Keep stderr: it is the log file now.  No
		 * tevent_re_initialise(): that would drop the listeners
		 * already registered; tevent's epoll backend notices the new
		 * pid and re-creates its epoll set with them. */
		if (detach(d->cfg.pid_file) != 0) {
			return false;
		}
	} else if (d->cfg.pid_file != NULL && write_pid_file(d->cfg.pid_file) != 0) {
		return false;
	}
	tevent_add_signal(d->ev, d, SIGTERM, 0, on_term, d);
	tevent_add_signal(d->ev, d, SIGINT, 0, on_term, d);
	tevent_add_signal(d->ev, d, SIGHUP, 0, on_hup, d);
	if (d->cfg.log_level >= 3) {
		tevent_add_signal(d->ev, d, SIGUSR1, 0, on_usr1, d);
	}
	signal(SIGPIPE, SIG_IGN);
	sigprocmask(SIG_SETMASK, &before, NULL);
	return true;
}

void bpaud_daemon_stop(struct bpaud *d)
{
	if (d->cfg.pid_file != NULL) {
		unlink(d->cfg.pid_file);
	}
}
