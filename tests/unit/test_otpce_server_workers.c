/*
 * test_otpce_server_workers.c: otpced's worker processes (workers.c) and
 * the challenge table they share (challenge.c), with real processes.
 * Every wait is on a pipe or on waitpid, bounded by WAIT_MS only so that
 * a broken build fails instead of hanging.
 */
#include "otpce_server_fakes.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#define WAIT_MS 20000

/* A challenge a child process puts is taken by its parent, and the other
 * way round: the table is one for all the processes forked after it. */
static void test_challenge_table_shared(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	struct otpced_challenges *c = otpced_challenges_new(t, 60);
	uint8_t k[CRYPTO_SHA256_LEN] = { 7 }, s[253];
	size_t sl = 0;
	int status;
	pid_t pid;

	fake_reset();
	assert_non_null(c);
	otpced_challenge_put(c, "D\\parent", k, (const uint8_t *)"from-parent", 11, 1000);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		bool ok = otpced_challenge_take(c, "D\\parent", k, s, &sl, 1001) && sl == 11 &&
			  memcmp(s, "from-parent", 11) == 0;
		otpced_challenge_put(c, "D\\child", k, (const uint8_t *)"from-child", 10, 1000);
		talloc_free(t); /* a worker's exit: unmaps, wipes nothing */
		_exit(ok ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* The child took the parent's (it is spent) and left its own. */
	assert_false(otpced_challenge_take(c, "D\\parent", k, s, &sl, 1001));
	assert_true(otpced_challenge_take(c, "D\\child", k, s, &sl, 1001));
	assert_int_equal(sl, 10);
	assert_memory_equal(s, "from-child", 10);
	talloc_free(t);
}

/* ---- the supervisor ------------------------------------------------------ */

static int report_fd = -1;

/* A worker that says "<i> <pid>" and waits for SIGTERM. */
static int worker_waits(unsigned i, void *arg)
{
	char line[64];
	int n = snprintf(line, sizeof(line), "%u %ld\n", i, (long)getpid());

	if (write(report_fd, line, (size_t)n) != n) {
		return 9;
	}
	for (;;) {
		pause();
	}
}

/* A worker that says so and ends at once. */
static int worker_exits(unsigned i, void *arg)
{
	char line[64];
	int n = snprintf(line, sizeof(line), "%u %ld\n", i, (long)getpid());

	return write(report_fd, line, (size_t)n) == n ? 7 : 9;
}

/* read_report: the next "<i> <pid>" line from the workers. */
static void read_report(int fd, unsigned *i, pid_t *pid)
{
	char line[64];
	size_t n = 0;
	long p;

	while (n == 0 || line[n - 1] != '\n') {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t r;
		assert_int_equal(poll(&pfd, 1, WAIT_MS), 1);
		r = read(fd, line + n, 1);
		assert_int_equal(r, 1);
		n++;
		assert_true(n < sizeof(line));
	}
	line[n] = '\0';
	assert_int_equal(sscanf(line, "%u %ld", i, &p), 2);
	*pid = (pid_t)p;
}

/* supervise forks a process running otpced_run_workers(n, fn). */
static pid_t supervise(unsigned n, otpced_worker_fn fn, int *read_fd)
{
	int fds[2];
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		report_fd = fds[1];
		_exit(otpced_run_workers(n, fn, NULL));
	}
	close(fds[1]);
	*read_fd = fds[0];
	return pid;
}

static int wait_exit(pid_t pid)
{
	int status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void test_workers_restart_and_stop(void **state)
{
	pid_t workers[2] = { 0 }, pid, sup;
	unsigned i;
	int fd;

	sup = supervise(2, worker_waits, &fd);
	for (int k = 0; k < 2; k++) {
		read_report(fd, &i, &pid);
		assert_true(i < 2);
		assert_int_equal(workers[i], 0);
		workers[i] = pid;
	}
	/* A worker killed is started again, with the same index. */
	assert_int_equal(kill(workers[0], SIGKILL), 0);
	read_report(fd, &i, &pid);
	assert_int_equal(i, 0);
	assert_true(pid != workers[0]);
	workers[0] = pid;
	/* SIGTERM to the supervisor stops them all, and it exits 0. */
	assert_int_equal(kill(sup, SIGTERM), 0);
	assert_int_equal(wait_exit(sup), 0);
	for (int k = 0; k < 2; k++) {
		assert_int_equal(kill(workers[k], 0), -1);
		assert_int_equal(errno, ESRCH);
	}
	close(fd);
}

/* Workers that keep ending: the supervisor gives up (exit 3) after
 * OTPCED_WORKER_DEATHS_MAX ends, having started them that many times. */
static void test_workers_give_up(void **state)
{
	char buf[1024];
	size_t n = 0, starts = 0;
	pid_t sup;
	int fd;

	sup = supervise(1, worker_exits, &fd);
	assert_int_equal(wait_exit(sup), 3);
	/* Every writer is gone: read to the end. */
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t r;
		assert_int_equal(poll(&pfd, 1, WAIT_MS), 1);
		r = read(fd, buf + n, sizeof(buf) - 1 - n);
		assert_true(r >= 0);
		if (r == 0) {
			break;
		}
		n += (size_t)r;
		assert_true(n < sizeof(buf) - 1);
	}
	buf[n] = '\0';
	for (char *p = buf; (p = strstr(p, "0 ")) != NULL; p = strchr(p, '\n')) {
		starts++;
	}
	assert_int_equal(starts, OTPCED_WORKER_DEATHS_MAX);
	close(fd);
}

static void test_workers_bad_count(void **state)
{
	assert_int_equal(otpced_run_workers(0, worker_exits, NULL), 3);
	assert_int_equal(otpced_run_workers(OTPCED_MAX_WORKERS + 1, worker_exits, NULL), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_challenge_table_shared),
		cmocka_unit_test(test_workers_restart_and_stop),
		cmocka_unit_test(test_workers_give_up),
		cmocka_unit_test(test_workers_bad_count),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
