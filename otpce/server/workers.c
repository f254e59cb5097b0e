/*
 * workers.c: otpced's worker processes and their supervisor (server.h).
 *
 * Why processes: one event loop uses one core, and a signed response
 * costs several RSA-sized operations (bench/otpce/README.md).  The
 * workers share the listening address through SO_REUSEPORT sockets made
 * before the fork (http.c) and the challenge table through shared memory
 * (challenge.c); everything else a worker has is its own.
 *
 * The supervisor does nothing but wait for signals: SIGTERM and SIGINT
 * are passed on to the workers, SIGCHLD reaps and restarts them.  It
 * keeps every listening socket open, so a restarted worker takes over the
 * connections that queued on its socket meanwhile.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "otpce/server/server.h"

struct pool {
	unsigned n;
	pid_t *pid;                /* 0: not running */
	otpced_worker_fn worker;
	void *arg;
	sigset_t old_mask;
	time_t deaths[OTPCED_WORKER_DEATHS_MAX];
	unsigned num_deaths;
};

static time_t now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static pid_t start(struct pool *p, unsigned i)
{
	pid_t parent = getpid(), pid;

	fflush(NULL);
	pid = fork();
	if (pid != 0) {
		return pid; /* the supervisor, or -1 */
	}
	/* The worker: its supervisor's death ends it too. */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent) {
		_exit(EXIT_FAILURE);
	}
	sigprocmask(SIG_SETMASK, &p->old_mask, NULL);
	exit(p->worker(i, p->arg));
}

static void stop_all(struct pool *p)
{
	for (unsigned i = 0; i < p->n; i++) {
		if (p->pid[i] > 0) {
			kill(p->pid[i], SIGTERM);
		}
	}
	for (unsigned i = 0; i < p->n; i++) {
		while (p->pid[i] > 0 && waitpid(p->pid[i], NULL, 0) < 0 && errno == EINTR) {
		}
		p->pid[i] = 0;
	}
}

/* too_many_deaths records one death: true when OTPCED_WORKER_DEATHS_MAX
 * of them fall within a minute. */
static bool too_many_deaths(struct pool *p)
{
	time_t now = now_s();

	memmove(p->deaths + 1, p->deaths, sizeof(p->deaths) - sizeof(p->deaths[0]));
	p->deaths[0] = now;
	if (p->num_deaths < OTPCED_WORKER_DEATHS_MAX) {
		p->num_deaths++;
	}
	return p->num_deaths == OTPCED_WORKER_DEATHS_MAX &&
	       now - p->deaths[OTPCED_WORKER_DEATHS_MAX - 1] < 60;
}

/* reap collects ended workers and starts them again: false if it gave up. */
static bool reap(struct pool *p)
{
	pid_t pid;
	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		unsigned i;
		for (i = 0; i < p->n && p->pid[i] != pid; i++) {
		}
		if (i == p->n) {
			continue;
		}
		p->pid[i] = 0;
		if (WIFSIGNALED(status)) {
			otpced_log("worker %u (pid %ld) was killed by signal %d", i, (long)pid,
				   WTERMSIG(status));
		} else {
			otpced_log("worker %u (pid %ld) exited with status %d", i, (long)pid,
				   WEXITSTATUS(status));
		}
		if (too_many_deaths(p)) {
			otpced_log("workers ended %d times within a minute: stopping",
				   OTPCED_WORKER_DEATHS_MAX);
			return false;
		}
		p->pid[i] = start(p, i);
		if (p->pid[i] < 0) {
			otpced_log("cannot start worker %u again: %s", i, strerror(errno));
			p->pid[i] = 0;
			return false;
		}
		otpced_log("worker %u started again (pid %ld)", i, (long)p->pid[i]);
	}
	return true;
}

int otpced_run_workers(unsigned n, otpced_worker_fn worker, void *arg)
{
	struct pool p = { .n = n, .worker = worker, .arg = arg };
	pid_t pids[OTPCED_MAX_WORKERS] = { 0 };
	sigset_t set;
	int rc = 0;

	if (n == 0 || n > OTPCED_MAX_WORKERS) {
		return 3;
	}
	p.pid = pids;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, &p.old_mask) != 0) {
		return 3;
	}
	for (unsigned i = 0; i < n; i++) {
		pids[i] = start(&p, i);
		if (pids[i] < 0) {
			otpced_log("cannot start worker %u: %s", i, strerror(errno));
			pids[i] = 0;
			rc = 3;
			goto out;
		}
	}
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&set, &si);

		if (sig < 0) {
			if (errno == EINTR) {
				continue;
			}
			rc = 3;
			break;
		}
		if (sig == SIGCHLD) {
			if (!reap(&p)) {
				rc = 3;
				break;
			}
			continue;
		}
		otpced_log("signal %d: stopping the workers", sig);
		break;
	}
out:
	stop_all(&p);
	sigprocmask(SIG_SETMASK, &p.old_mask, NULL);
	return rc;
}
