/*
 * samba_seal.c: a long association's messages sealed and checked with
 * OpenSSL (crypto/kwrap.h), as bpau's client does (rpc/ncacn.c), instead
 * of by Samba's private Heimdal, whose AES and SHA-1 are software (hcrypto
 * without OpenSSL): about 17-20 us of the 50-55 us a server spends per
 * repeated ExchangePublicKeys on our machines (bench/README.md).
 *
 * Samba's gensec seals DCE/RPC packet privacy with gss_wrap_iov and checks
 * it with gss_unwrap_iov (auth/kerberos/gssapi_helper.c).  Our hooks stand
 * in for those and for gss_delete_sec_context (samba_seal.h says how each
 * host routes the calls here).  Each context's first
 * LUCID_KWRAP_AFTER_CALLS responses go to the real functions (Samba's,
 * found by their version tag); then, for an AES context, the token key is
 * taken with gss_krb5_export_lucid_sec_context (which leaves the context
 * usable) and every later message of that context is sealed and checked
 * here, with the sequence numbers carried on from the last tokens Samba's
 * code made and accepted.  The bytes on the wire are the same either way
 * (test_kwrap checks ours against Heimdal's); anything we do not expect
 * -- another enctype, another buffer layout, a failed export -- stays on
 * the real functions for the context's whole life.
 *
 * Not from the first call, for the reason lucid_kwrap.h gives: the export
 * builds a krb5 context (about a millisecond), more than a short
 * association saves.
 *
 * A context's state lives from its first wrap or unwrap (or its marking)
 * to gss_delete_sec_context, which gensec calls when the association
 * ends (gensec_gssapi's destructor, in libgensec-samba4, one of the
 * libraries loaded when Samba starts our endpoint, which the module hooks).
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <talloc.h>

#include "rpc/lucid_kwrap.h"
#include "rpc/samba_seal.h"

#define BUCKETS 256

typedef OM_uint32 (*wrap_iov_fn)(OM_uint32 *, gss_ctx_id_t, int, gss_qop_t, int *,
				 gss_iov_buffer_desc *, int);
typedef OM_uint32 (*unwrap_iov_fn)(OM_uint32 *, gss_ctx_id_t, int *, gss_qop_t *,
				   gss_iov_buffer_desc *, int);
typedef OM_uint32 (*delete_fn)(OM_uint32 *, gss_ctx_id_t *, gss_buffer_t);
typedef OM_uint32 (*verify_mic_fn)(OM_uint32 *, gss_const_ctx_id_t, const gss_buffer_t,
				   const gss_buffer_t, gss_qop_t *);
typedef OM_uint32 (*export_lucid_fn)(OM_uint32 *, gss_ctx_id_t *, OM_uint32, void **);
typedef OM_uint32 (*free_lucid_fn)(OM_uint32 *, void *);

static wrap_iov_fn real_wrap;
static unwrap_iov_fn real_unwrap;
static delete_fn real_delete;
static verify_mic_fn real_verify_mic;
static export_lucid_fn real_export;
static free_lucid_fn real_free_lucid;
static bool ready;
static enum samba_seal_scope scope;
static samba_seal_log_fn log_fn;

struct wctx {
	struct wctx *next;
	gss_ctx_id_t gss;
	unsigned responses;
	bool sent, recvd, off;
	uint64_t sent_seq, recv_seq; /* of the last tokens made and accepted */
	struct crypto_kwrap *kw;
};

static struct wctx *table[BUCKETS];
/* recursive: nothing here should re-enter, but a deadlock would be worse */
static pthread_mutex_t lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static bool announced;

/* This thread's last request that Samba's code accepted, for
 * samba_seal_mark_request(); the DC serves a request on the thread that
 * checked it, with no other unwrap in between. */
static __thread gss_ctx_id_t last_request_gss;
static __thread uint64_t last_request_seq;

static void say(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(int level, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (log_fn == NULL) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_fn(level, msg);
}

bool samba_seal_setup(void *handle, enum samba_seal_scope s, samba_seal_log_fn log)
{
	pthread_mutex_lock(&lock);
	if (!ready) {
		real_wrap = (wrap_iov_fn)dlvsym(handle, "gss_wrap_iov", SAMBA_GSS_VERSION);
		real_unwrap = (unwrap_iov_fn)dlvsym(handle, "gss_unwrap_iov", SAMBA_GSS_VERSION);
		real_delete = (delete_fn)dlvsym(handle, "gss_delete_sec_context",
						SAMBA_GSS_VERSION);
		real_export = (export_lucid_fn)dlvsym(handle, "gss_krb5_export_lucid_sec_context",
						      SAMBA_GSS_VERSION);
		real_free_lucid = (free_lucid_fn)dlvsym(handle, "gss_krb5_free_lucid_sec_context",
							SAMBA_GSS_VERSION);
		real_verify_mic = (verify_mic_fn)dlvsym(handle, "gss_verify_mic",
							SAMBA_GSS_VERSION);
		/* The check alone needs only the two checking functions. */
		ready = real_unwrap != NULL && real_verify_mic != NULL &&
			(s == SAMBA_SEAL_CHECK_ONLY ||
			 (real_wrap != NULL && real_delete != NULL && real_export != NULL &&
			  real_free_lucid != NULL));
		scope = s;
		log_fn = log;
	}
	pthread_mutex_unlock(&lock);
	return ready;
}

void *samba_seal_real(const char *name)
{
	if (!ready) {
		return NULL;
	}
	if (strcmp(name, "gss_wrap_iov") == 0) {
		return (void *)real_wrap;
	}
	if (strcmp(name, "gss_unwrap_iov") == 0) {
		return (void *)real_unwrap;
	}
	if (strcmp(name, "gss_delete_sec_context") == 0) {
		return (void *)real_delete;
	}
	if (strcmp(name, "gss_verify_mic") == 0) {
		return (void *)real_verify_mic;
	}
	return NULL;
}

static size_t bucket(gss_ctx_id_t gss)
{
	uintptr_t p = (uintptr_t)gss;
	return (size_t)((p >> 4) ^ (p >> 12)) % BUCKETS;
}

/* find: the state of |gss| (created when |create|), under the lock. */
static struct wctx *find(gss_ctx_id_t gss, bool create)
{
	struct wctx **head = &table[bucket(gss)], *w;

	for (w = *head; w != NULL; w = w->next) {
		if (w->gss == gss) {
			return w;
		}
	}
	if (!create || (w = talloc_zero(NULL, struct wctx)) == NULL) {
		return NULL;
	}
	w->gss = gss;
	w->next = *head;
	*head = w;
	return w;
}

/* forget: drop |gss|'s state, under the lock. */
static void forget(gss_ctx_id_t gss)
{
	struct wctx **p, *w;

	for (p = &table[bucket(gss)]; (w = *p) != NULL; p = &w->next) {
		if (w->gss == gss) {
			*p = w->next;
			talloc_free(w); /* the key schedules are wiped with it */
			return;
		}
	}
}

/*
 * regions: Samba's layout (gssapi_seal_packet, gssapi_unseal_packet):
 * HEADER (the token), then SIGN_ONLY or EMPTY, DATA, SIGN_ONLY or EMPTY.
 * Anything else is not ours to handle.
 */
static bool regions(gss_iov_buffer_desc *iov, int count, gss_buffer_desc **token,
		    struct crypto_kwrap_iov kiov[3], size_t *n)
{
	if (count != 4 || GSS_IOV_BUFFER_TYPE(iov[0].type) != GSS_IOV_BUFFER_TYPE_HEADER ||
	    iov[0].buffer.length != CRYPTO_KWRAP_DCE_TOKEN_LEN || iov[0].buffer.value == NULL ||
	    GSS_IOV_BUFFER_TYPE(iov[2].type) != GSS_IOV_BUFFER_TYPE_DATA) {
		return false;
	}
	*n = 0;
	for (int i = 1; i < 4; i++) {
		OM_uint32 type = GSS_IOV_BUFFER_TYPE(iov[i].type);
		if (type == GSS_IOV_BUFFER_TYPE_EMPTY) {
			continue;
		}
		if ((type != GSS_IOV_BUFFER_TYPE_DATA && type != GSS_IOV_BUFFER_TYPE_SIGN_ONLY) ||
		    (iov[i].buffer.value == NULL && iov[i].buffer.length != 0)) {
			return false;
		}
		kiov[(*n)++] = (struct crypto_kwrap_iov){
			type == GSS_IOV_BUFFER_TYPE_DATA ? CRYPTO_KWRAP_DATA : CRYPTO_KWRAP_SIGN_ONLY,
			iov[i].buffer.value, iov[i].buffer.length};
	}
	*token = &iov[0].buffer;
	return true;
}

/* token_seq: the sequence number of the token in Samba's layout |iov|. */
static bool token_seq(gss_iov_buffer_desc *iov, int count, uint64_t *seq)
{
	struct crypto_kwrap_iov kiov[3];
	gss_buffer_desc *token;
	size_t n;

	return regions(iov, count, &token, kiov, &n) &&
	       crypto_kwrap_token_seq(token->value, token->length, seq);
}

/* switch_to_kwrap: after a response sealed by Samba's code, move |w| to
 * crypto/kwrap.c if its key is AES; otherwise leave it there for good. */
static void switch_to_kwrap(struct wctx *w)
{
	OM_uint32 minor;
	void *lucid = NULL;
	gss_ctx_id_t ctx = w->gss;

	w->off = true;
	if (!w->sent || !w->recvd || GSS_ERROR(real_export(&minor, &ctx, 1, &lucid)) ||
	    lucid == NULL) {
		return;
	}
	w->kw = lucid_kwrap_new(w, lucid, false, w->sent_seq, w->recv_seq);
	real_free_lucid(&minor, lucid);
	if (w->kw != NULL) {
		w->off = false;
		if (!announced) {
			announced = true;
			say(1, "sealing: an association's AES messages move to OpenSSL at its %dth call",
			    LUCID_KWRAP_AFTER_CALLS);
		}
	}
}

/* kw_seal, kw_unseal: a message of a context on crypto/kwrap.c. */
static OM_uint32 kw_seal(struct wctx *w, int conf_req, gss_qop_t qop, int *conf_state,
			 gss_iov_buffer_desc *iov, int count)
{
	struct crypto_kwrap_iov kiov[3];
	gss_buffer_desc *token;
	size_t n;

	if (!conf_req || qop != GSS_C_QOP_DEFAULT || !regions(iov, count, &token, kiov, &n) ||
	    !NT_STATUS_IS_OK(crypto_kwrap_seal_dce(w->kw, token->value, kiov, n))) {
		return GSS_S_FAILURE;
	}
	if (conf_state != NULL) {
		*conf_state = 1;
	}
	return GSS_S_COMPLETE;
}

static OM_uint32 kw_unseal(struct wctx *w, int *conf_state, gss_qop_t *qop_state,
			   gss_iov_buffer_desc *iov, int count)
{
	struct crypto_kwrap_iov kiov[3];
	gss_buffer_desc *token;
	const char *why = "the buffers are not laid out as Samba's";
	NTSTATUS status = NT_STATUS_INVALID_PARAMETER;
	size_t n;

	if (regions(iov, count, &token, kiov, &n)) {
		status = crypto_kwrap_unseal_dce(w->kw, token->value, token->length, kiov, n, &why);
	}
	if (!NT_STATUS_IS_OK(status)) {
		say(2, "sealing: a request failed its Kerberos check: %s", why);
		return NT_STATUS_EQUAL(status, NT_STATUS_ACCESS_DENIED) ? GSS_S_BAD_SIG
									: GSS_S_DEFECTIVE_TOKEN;
	}
	if (conf_state != NULL) {
		*conf_state = 1;
	}
	if (qop_state != NULL) {
		*qop_state = GSS_C_QOP_DEFAULT;
	}
	return GSS_S_COMPLETE;
}

/* seen: after Samba's code made (|sent|) or accepted a token of |w|'s,
 * note its sequence number; a response may move |w| to kwrap. */
static void seen(struct wctx *w, bool sent, bool sealed, gss_iov_buffer_desc *iov, int count)
{
	uint64_t seq;

	if (!sealed || !token_seq(iov, count, &seq)) {
		w->off = true;
	} else if (!sent) {
		w->recvd = true;
		w->recv_seq = seq;
	} else {
		w->sent = true;
		w->sent_seq = seq;
		if (++w->responses >= LUCID_KWRAP_AFTER_CALLS) {
			switch_to_kwrap(w);
		}
	}
}

/* begin: setup succeeded; then the lock is held and *w is |gss|'s state
 * (NULL if not tracked or out of memory). */
static bool begin(gss_ctx_id_t gss, OM_uint32 *minor, struct wctx **w)
{
	*minor = 0;
	if (!ready) {
		return false;
	}
	pthread_mutex_lock(&lock);
	*w = find(gss, scope == SAMBA_SEAL_EVERY_CONTEXT);
	return true;
}

OM_uint32 samba_seal_wrap_iov(OM_uint32 *minor, gss_ctx_id_t gss, int conf_req, gss_qop_t qop,
			      int *conf_state, gss_iov_buffer_desc *iov, int count)
{
	struct wctx *w;
	OM_uint32 major;

	if (!begin(gss, minor, &w)) {
		return GSS_S_FAILURE;
	}
	if (w != NULL && w->kw != NULL) {
		major = kw_seal(w, conf_req, qop, conf_state, iov, count);
	} else {
		major = real_wrap(minor, gss, conf_req, qop, conf_state, iov, count);
		if (w != NULL && !w->off && major == GSS_S_COMPLETE) {
			seen(w, true, conf_req != 0, iov, count);
		}
	}
	pthread_mutex_unlock(&lock);
	return major;
}

/*
 * checked: Samba's status as gensec should have read it.  Heimdal (Samba
 * 4.17's copy, third_party/heimdal/lib/gssapi/krb5/cfx.c,
 * _gssapi_unwrap_cfx_iov and _gssapi_verify_mic_cfx) checks a token's
 * sequence number before its checksum and returns GSS_S_GAP_TOKEN,
 * DUPLICATE_TOKEN, OLD_TOKEN or UNSEQ_TOKEN at once: supplementary codes,
 * which gensec's GSS_ERROR test (auth/kerberos/gssapi_helper.c) takes for
 * success, on a message nobody checked or decrypted.  A request in clear
 * with a token numbered past the next one was served as the caller's.  On
 * a DCE/RPC association messages come in order, so anything but
 * GSS_S_COMPLETE is refused.
 */
static OM_uint32 checked(OM_uint32 major, OM_uint32 *minor, const char *kind)
{
	if (major == GSS_S_COMPLETE || GSS_ERROR(major)) {
		return major;
	}
	say(1, "sealing: refused a %smessage whose token is out of sequence "
	       "(GSSAPI status 0x%08x, before any check of its checksum)",
	    kind, (unsigned)major);
	*minor = 0;
	return GSS_S_BAD_SIG;
}

OM_uint32 samba_seal_unwrap_iov(OM_uint32 *minor, gss_ctx_id_t gss, int *conf_state,
				gss_qop_t *qop_state, gss_iov_buffer_desc *iov, int count)
{
	struct wctx *w;
	OM_uint32 major;
	uint64_t seq;

	if (!begin(gss, minor, &w)) {
		return GSS_S_FAILURE;
	}
	last_request_gss = GSS_C_NO_CONTEXT;
	if (w != NULL && w->kw != NULL) {
		major = kw_unseal(w, conf_state, qop_state, iov, count);
	} else {
		major = real_unwrap(minor, gss, conf_state, qop_state, iov, count);
		major = checked(major, minor, "");
		if (w != NULL && !w->off && major == GSS_S_COMPLETE) {
			seen(w, false, true, iov, count);
		}
		if (w == NULL && major == GSS_S_COMPLETE && (conf_state == NULL || *conf_state) &&
		    token_seq(iov, count, &seq)) {
			last_request_gss = gss;
			last_request_seq = seq;
		}
	}
	pthread_mutex_unlock(&lock);
	return major;
}

/*
 * samba_seal_verify_mic: packet integrity (auth level integrity) is
 * checked with gss_verify_mic, and Heimdal answers a MIC token numbered
 * out of sequence the same way as a wrap token: a supplementary status
 * before its checksum is looked at (see checked).  At that
 * level the stub travels in clear, so a request with such a token would
 * be served as the caller's.  Anything but GSS_S_COMPLETE is refused.
 */
OM_uint32 samba_seal_verify_mic(OM_uint32 *minor, gss_const_ctx_id_t gss,
				const gss_buffer_t message, const gss_buffer_t token,
				gss_qop_t *qop_state)
{
	OM_uint32 major;

	if (!ready || real_verify_mic == NULL) {
		*minor = 0;
		return GSS_S_FAILURE;
	}
	major = real_verify_mic(minor, gss, message, token, qop_state);
	return checked(major, minor, "signed ");
}

void samba_seal_mark_request(void)
{
	struct wctx *w;

	if (!ready || scope != SAMBA_SEAL_MARKED_CONTEXTS ||
	    last_request_gss == GSS_C_NO_CONTEXT) {
		return;
	}
	pthread_mutex_lock(&lock);
	if (find(last_request_gss, false) == NULL &&
	    (w = find(last_request_gss, true)) != NULL) {
		w->recvd = true;
		w->recv_seq = last_request_seq;
	}
	last_request_gss = GSS_C_NO_CONTEXT;
	pthread_mutex_unlock(&lock);
}

OM_uint32 samba_seal_delete_sec_context(OM_uint32 *minor, gss_ctx_id_t *gss,
					gss_buffer_t output)
{
	if (!ready) {
		*minor = 0;
		return GSS_S_FAILURE;
	}
	if (gss != NULL && *gss != GSS_C_NO_CONTEXT) {
		pthread_mutex_lock(&lock);
		forget(*gss);
		if (last_request_gss == *gss) {
			last_request_gss = GSS_C_NO_CONTEXT;
		}
		pthread_mutex_unlock(&lock);
	}
	return real_delete(minor, gss, output);
}
