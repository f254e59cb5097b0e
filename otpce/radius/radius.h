/*
 * radius.h: the RADIUS client of otpce (otpce/radius/README.md): one PAP
 * Access-Request, with its challenge rounds, to an ordered list of OTP
 * servers over UDP (RFC 2865) or TLS (RFC 6614), on libevent.
 *
 * Every request carries a Message-Authenticator (RFC 3579); every reply
 * must carry a valid one and a valid Response Authenticator, come from the
 * server asked, over the socket asked on, and answer the Identifier sent,
 * or it is discarded (and logged) as RFC 2865 says, and the client waits
 * on.  For each server in turn: send, resend after timeout_ms up to
 * retries times (UDP; over TLS one send and a deadline of
 * (retries + 1) * timeout_ms, connection and handshake included), then the
 * next server.  A closed UDP port (ICMP port unreachable) or a refused or
 * failed TLS connection moves to the next server at once.
 *
 * The one-time password is copied at start, hidden once for each server
 * (each has its own secret), then wiped; it is never logged.
 *
 * Nothing here raises SIGPIPE (TLS writes use MSG_NOSIGNAL) or changes the
 * process's signal handling.
 */
#ifndef OTPCE_RADIUS_RADIUS_H
#define OTPCE_RADIUS_RADIUS_H

#include <stddef.h>
#include <stdint.h>

struct event_base;

enum otpce_radius_result {
	OTPCE_RADIUS_ACCEPT,	/* Access-Accept */
	OTPCE_RADIUS_REJECT,	/* Access-Reject */
	OTPCE_RADIUS_CHALLENGE, /* Access-Challenge: answer with reply.state */
	OTPCE_RADIUS_NO_ANSWER, /* no server gave a valid answer in time */
	OTPCE_RADIUS_ERROR,	/* no server could even be tried (bad local
				 * configuration: a TLS key that does not load,
				 * a host that does not resolve), or no memory */
};

/*
 * struct otpce_radius_server: one OTP server.  |host| is an IPv4 or IPv6
 * address, or a name (resolved with getaddrinfo when its turn comes:
 * blocking, so a server should configure addresses).  |port| 0 means 1812,
 * or 2083 with |tls|.  |secret| is the shared secret (1 to 256 octets);
 * with |tls|, NULL or "" means "radsec" (RFC 6614 2.3).  |timeout_ms| 0
 * means 3000; |retries| is the number of resends after the first send.
 * With |tls|: |tls_ca| (PEM, the CAs that may issue the server's
 * certificate), |tls_cert| and |tls_key| (PEM, our client certificate and
 * key) are required; the server's certificate must name |host| (its
 * subjectAltName IP address for an address, DNS name otherwise).
 */
struct otpce_radius_server {
	const char *host;
	uint16_t port;
	const char *secret;
	unsigned timeout_ms;
	unsigned retries;
	int tls;
	const char *tls_ca, *tls_cert, *tls_key;
};

/*
 * struct otpce_radius_reply: the outcome.  |server| is "host:port" of the
 * server that answered ("[v6]:port" for IPv6), "" when none did.  |state|
 * and |reply_message| come with OTPCE_RADIUS_CHALLENGE (Reply-Message with
 * the others too, when the server sends one); reply_message is the
 * server's text, NUL-terminated, several Reply-Messages joined by '\n':
 * sanitise it before logging it.
 */
struct otpce_radius_reply {
	enum otpce_radius_result result;
	char server[300];
	uint8_t state[253];
	size_t state_len;
	char reply_message[254];
};

typedef void (*otpce_radius_done_fn)(const struct otpce_radius_reply *reply, void *arg);

/* Log lines (never a secret): which server was asked, replies discarded
 * and why, timeouts, failover. */
enum otpce_radius_log_level { OTPCE_RADIUS_LOG_INFO, OTPCE_RADIUS_LOG_WARNING };
typedef void (*otpce_radius_log_fn)(enum otpce_radius_log_level level, const char *line,
				    void *arg);

/*
 * struct otpce_radius_options: optional settings (NULL: all defaults).
 * |nas_identifier| is the NAS-Identifier sent (default "otpced"); |log|
 * receives the log lines (default: none).
 */
struct otpce_radius_options {
	const char *nas_identifier;
	otpce_radius_log_fn log;
	void *log_arg;
};

/*
 * otpce_radius_pap_start sends a PAP Access-Request for |user| (1 to 253
 * octets) with |password| (at most 128 octets) and, for the second round
 * of a challenge, the |state| the challenge carried (|state_len| 0 for
 * none), to |servers| (|n| of them, tried in order).  Everything is copied;
 * the password copy is wiped as soon as it has been hidden.  |done| runs
 * once from |base|'s loop (never from inside this call) with the outcome,
 * after which the request is gone.  Returns NULL without calling |done|
 * when the arguments are invalid or memory is short.
 */
struct otpce_radius_req *otpce_radius_pap_start(struct event_base *base,
						const struct otpce_radius_server *servers,
						size_t n, const char *user, const char *password,
						const uint8_t *state, size_t state_len,
						otpce_radius_done_fn done, void *arg);
/* otpce_radius_pap_start_opts is otpce_radius_pap_start with options. */
struct otpce_radius_req *otpce_radius_pap_start_opts(struct event_base *base,
						     const struct otpce_radius_server *servers,
						     size_t n, const char *user,
						     const char *password,
						     const uint8_t *state, size_t state_len,
						     const struct otpce_radius_options *opts,
						     otpce_radius_done_fn done, void *arg);

/* otpce_radius_cancel drops a request whose |done| has not run yet; |done|
 * will not run.  NULL is allowed. */
void otpce_radius_cancel(struct otpce_radius_req *req);

/*
 * otpce_radius_pap is the blocking form, for tools and tests: it runs an
 * event_base of its own until the outcome, which it stores in |reply| and
 * returns.  |opts| may be NULL.  Invalid arguments give
 * OTPCE_RADIUS_ERROR.
 */
enum otpce_radius_result otpce_radius_pap(const struct otpce_radius_server *servers, size_t n,
					  const char *user, const char *password,
					  const uint8_t *state, size_t state_len,
					  const struct otpce_radius_options *opts,
					  struct otpce_radius_reply *reply);

/* otpce_radius_result_name: "accept", "reject", "challenge", "no answer",
 * "error". */
const char *otpce_radius_result_name(enum otpce_radius_result result);

#endif
