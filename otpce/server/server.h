/*
 * server.h: otpced's parts (the program is otpced.c; the library
 * otpcedcore holds the rest, so unit tests can run it with fake backends).
 *
 *   challenge.c  the RADIUS State kept between a challenge and its answer
 *   dircache.c   the directory's positive answers, kept a few seconds
 *   process.c    MS-OTPCE 3.2.5.1 steps 1-6 for one parsed request
 *   http.c       HTTPS (evhttp on bufferevent_openssl), the HTTP rules
 *   workers.c    the worker processes and their supervisor
 *   log.c        one line per request
 *   config.c     the configuration file (config.h)
 */
#ifndef OTPCE_SERVER_SERVER_H
#define OTPCE_SERVER_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <talloc.h>

#include "otpce/msg/otpce_msg.h"
#include "otpce/server/backends.h"
#include "otpce/server/config.h"

struct event_base;
struct evhttp;
struct evhttp_bound_socket;
struct otpced_challenges;
struct otpced_dircache;

/* struct otpced is a talloc object: requests in flight are its children. */
struct otpced {
	struct event_base *base;
	struct otpced_config *cfg;
	struct otpce_signer *signer;
	struct otpced_challenges *challenges;
	struct otpced_dircache *dircache;  /* NULL: every request asks the directory */
	unsigned pending;     /* requests being processed */
	struct evhttp *http;
	struct evhttp_bound_socket *bound;
	void *ssl_ctx;        /* SSL_CTX (http.c) */
	int *listen_fds;      /* one listening socket per worker (http.c) */
	unsigned num_listen_fds;
};

/* ---- challenge.c ---------------------------------------------------------- */

/*
 * A RADIUS Access-Challenge's State (RFC 2865 5.24) must come back in the
 * next Access-Request of the same exchange.  MS-OTPCE is stateless over
 * HTTP (1.3), so otpced keeps the State, keyed by the user name (case
 * insensitive) and the SHA-256 of the PKCS#10: the client answers the
 * challenge by sending the same request again with the response as its
 * oneTimePassword.  An entry is used once and expires after
 * challenge_lifetime seconds; the table holds OTPCED_CHALLENGES_MAX.  The
 * table is shared by the worker processes: make it before forking them.
 */
#define OTPCED_CHALLENGES_MAX 4096

struct otpced_challenges *otpced_challenges_new(TALLOC_CTX *mem_ctx, unsigned lifetime_s);
/* otpced_challenge_put stores |state| (replacing the user's entry). */
void otpced_challenge_put(struct otpced_challenges *t, const char *user,
			  const uint8_t key[CRYPTO_SHA256_LEN], const uint8_t *state,
			  size_t state_len, time_t now);
/* otpced_challenge_take: the State for (user, key), removed from the
 * table; false if none or expired. */
bool otpced_challenge_take(struct otpced_challenges *t, const char *user,
			   const uint8_t key[CRYPTO_SHA256_LEN], uint8_t state[253],
			   size_t *state_len, time_t now);

/* ---- dircache.c ----------------------------------------------------------- */

/*
 * Step 2 asks winbind four questions per request (directory.c), each a
 * synchronous round trip to winbindd that holds up the event loop, and
 * the same users enrol again and again (a challenge round is two requests).
 * So otpced keeps the directory's FOUND answers for cache_seconds
 * ([directory], 0 turns it off) per user name (case-insensitive).  Only
 * positive answers are kept: a new account is seen at once and an unknown
 * name always asks the directory.  A removed, disabled or renamed account
 * can pass step 2 for at most cache_seconds more (winbindd itself keeps
 * its answers for "winbind cache time", 300 s by default); the OTP server
 * and the CA still decide.
 */
#define OTPCED_DIRCACHE_SLOTS 1024

struct otpced_dircache *otpced_dircache_new(TALLOC_CTX *mem_ctx, unsigned lifetime_s);
/* otpced_dircache_get: the answer kept for |username| if it has not expired. */
bool otpced_dircache_get(struct otpced_dircache *c, const char *username,
			 struct otpce_directory_user *out, time_t now);
/* otpced_dircache_put keeps |user| for |username| (replacing whatever
 * shared its slot). */
void otpced_dircache_put(struct otpced_dircache *c, const char *username,
			 const struct otpce_directory_user *user, time_t now);

/* ---- process.c ------------------------------------------------------------- */

/* The outcome of one request, handed to the reply callback. */
struct otpced_outcome {
	enum otpce_status status;
	const char *step;          /* "pkcs10", "directory", "radius", "sign", "ca", "done" */
	char detail[256];          /* why (no secret) */
	char radius_server[300];   /* the server that answered, "" if none */
	uint8_t *signed_request;   /* DER, with Success */
	size_t signed_request_len;
};

typedef void (*otpced_done_fn)(const struct otpced_outcome *outcome, void *arg);

/*
 * otpced_process runs 3.2.5.1 on |req| (stolen onto the job).  |done| is
 * called exactly once, possibly before otpced_process returns, unless the
 * returned job is freed first (talloc_free cancels a RADIUS exchange in
 * flight).  The job is a talloc child of |mem_ctx| and frees itself after
 * |done| returns... unless |mem_ctx| is freed first.
 */
struct otpced_job *otpced_process(TALLOC_CTX *mem_ctx, struct otpced *srv,
				  struct otpce_sign_cert_request *req, otpced_done_fn done,
				  void *arg);

/* ---- http.c ---------------------------------------------------------------- */

/*
 * otpced_http_listen opens srv->cfg->workers listening sockets on the
 * configured address (srv->listen_fds), all with TCP_NODELAY, and with
 * SO_REUSEPORT when there are several, so that the kernel spreads new
 * connections over the workers (port 0: the first socket's port for all).
 * otpced_tls_setup loads the TLS certificate, key and client CAs.  Both
 * run before the workers are forked, so that a bad address or key stops
 * otpced at once.  0 or -1 with |err| filled.
 */
int otpced_http_listen(struct otpced *srv, char *err, size_t errlen);
int otpced_tls_setup(struct otpced *srv, char *err, size_t errlen);
/* otpced_http_start serves HTTPS on srv->base from srv->listen_fds[i]. */
int otpced_http_start(struct otpced *srv, unsigned i, char *err, size_t errlen);
void otpced_http_stop(struct otpced *srv);
/* otpced_http_port: the port listened on (listen = host:0 picks one). */
uint16_t otpced_http_port(const struct otpced *srv);

/* ---- workers.c ------------------------------------------------------------- */

/*
 * otpced_run_workers forks |n| processes, each running worker(i, arg) and
 * exiting with what it returns, and supervises them until SIGTERM or
 * SIGINT, which it passes on to them; it then waits for them and returns
 * 0.  A worker that ends otherwise is logged and started again, unless
 * workers have ended OTPCED_WORKER_DEATHS_MAX times within a minute: then
 * it stops them all and returns 3.  Each worker starts with the signal
 * mask otpced_run_workers was called with and gets SIGTERM if the
 * supervisor dies.  Call it with nothing buffered in stdio.
 */
#define OTPCED_WORKER_DEATHS_MAX 5
typedef int (*otpced_worker_fn)(unsigned i, void *arg);
int otpced_run_workers(unsigned n, otpced_worker_fn worker, void *arg);

/* ---- log.c ----------------------------------------------------------------- */

/* otpced_log_request writes one line to stderr: client, user, outcome,
 * the RADIUS server that answered, and why.  Attacker text is escaped. */
void otpced_log_request(const char *client, const char *user, const char *outcome,
			const char *radius_server, const char *detail);
/* otpced_log writes a free-form line (start, stop, errors). */
void otpced_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
