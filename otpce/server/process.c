/*
 * process.c: MS-OTPCE 3.2.5.1, "Processing A SignCert Request Message",
 * for one parsed request.
 *
 * Order.  Step 1 compares the names in the PKCS#10 with the user, which
 * needs the directory's answer of step 2 (the XML names DOMAIN\user; the
 * request carries a DN and a UPN).  So:
 *   1a. the request is one DER PKCS#10 whose signature verifies
 *       (otpce_request_decode, otpce_request_verify: before the
 *       directory, so the statuses below keep the spec's order) ->
 *       OtherError;
 *   2.  the user is in Active Directory -> AuthenticationError (the
 *       directory cannot be asked: OtherError); a positive answer is
 *       kept a few seconds (dircache.c);
 *   1b. otpce_check_request_names (on the request decoded and verified
 *       once in 1a): template, every name -> OtherError;
 *   3.  RADIUS PAP: Access-Reject -> AuthenticationError, Access-Challenge
 *       -> ChallengeResponseRequired (its State is kept, challenge.c), no
 *       answer from any server -> OtherError;
 *   4.  sign -> OtherError;
 *   5.  no CA configured -> OtherError;
 *   6.  Success, SignedCertRequest, one IssuingCA per configured CA.
 * The one difference this order makes: a request from a user the
 * directory does not know, whose PKCS#10 verifies but names the wrong
 * template, gets AuthenticationError where the spec's order gives
 * OtherError.  Either way nothing is signed.
 */
#include <string.h>
#include <time.h>

#include <openssl/x509.h>

#include "otpce/server/server.h"

struct otpced_job {
	struct otpced *srv;
	struct otpce_sign_cert_request *req;
	struct otpce_radius_req *radius;   /* in flight, or NULL */
	const char *radius_user;           /* the User-Name sent */
	X509_REQ *csr;                     /* certRequest decoded once (1a), or NULL */
	uint8_t csr_hash[CRYPTO_SHA256_LEN];
	bool *called_back;                 /* set while otpce_radius_pap_start runs */
	otpced_done_fn done;
	void *arg;
	struct otpced_outcome out;
};

static int job_destructor(struct otpced_job *job)
{
	if (job->radius != NULL) {
		otpce_radius_cancel(job->radius);
		job->radius = NULL;
	}
	if (job->out.signed_request != NULL) {
		free(job->out.signed_request);
	}
	X509_REQ_free(job->csr);
	return 0;
}

static time_t now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* finish reports the outcome and frees the job. */
static void finish(struct otpced_job *job, enum otpce_status status, const char *step,
		   const char *detail)
{
	/* |done| may free the job's parent (the HTTP call): detach it. */
	talloc_steal(NULL, job);
	job->out.status = status;
	job->out.step = step;
	if (detail != NULL && job->out.detail[0] == '\0') {
		snprintf(job->out.detail, sizeof(job->out.detail), "%s", detail);
	}
	job->done(&job->out, job->arg);
	talloc_free(job);
}

/* pkcs10_verifies: step 1a.  The request is decoded and verified here
 * once and kept in the job for 1b and step 4: decoding its public key is
 * the costly part in OpenSSL 3.0 (bench/otpce/README.md). */
static bool pkcs10_verifies(struct otpced_job *job, char *err, size_t errlen)
{
	job->csr = otpce_request_decode(job->req->cert_request, job->req->cert_request_len);
	if (job->csr == NULL) {
		snprintf(err, errlen, "certRequest is not one DER PKCS#10");
		return false;
	}
	return otpce_request_verify(job->csr, err, errlen) == 0;
}

/* directory_lookup: step 2, through the cache of positive answers.  An
 * answer is kept for cache_seconds from when the directory gave it (a hit
 * does not extend it). */
static enum otpce_directory_result directory_lookup(struct otpced *srv, const char *username,
						    struct otpce_directory_user *user, char *err,
						    size_t errlen)
{
	enum otpce_directory_result r;

	if (otpced_dircache_get(srv->dircache, username, user, now_s())) {
		return OTPCE_DIRECTORY_FOUND;
	}
	r = otpce_directory_lookup(&srv->cfg->directory, username, user, err, errlen);
	if (r == OTPCE_DIRECTORY_FOUND) {
		otpced_dircache_put(srv->dircache, username, user, now_s());
	}
	return r;
}

/* steps 4-6 */
static void sign_and_answer(struct otpced_job *job)
{
	struct otpced *srv = job->srv;
	char err[256] = "";

	if (otpce_sign_request_decoded(srv->signer, job->csr, job->req->cert_request,
				       job->req->cert_request_len, &job->out.signed_request,
				       &job->out.signed_request_len, err, sizeof(err)) != 0) {
		job->out.signed_request = NULL;
		finish(job, OTPCE_STATUS_OTHER_ERROR, "sign", err[0] ? err : "signing failed");
		return;
	}
	if (srv->cfg->num_cas == 0) {
		finish(job, OTPCE_STATUS_OTHER_ERROR, "ca", "no CA configured (3.2.5.1 step 5)");
		return;
	}
	finish(job, OTPCE_STATUS_SUCCESS, "done", "signed");
}

static void radius_done(const struct otpce_radius_reply *reply, void *arg)
{
	struct otpced_job *job = arg;

	if (job->called_back != NULL) {
		*job->called_back = true;
	}
	job->radius = NULL;
	/* The password has been sent (or not): it is not needed again. */
	TALLOC_FREE(job->req->one_time_password);
	snprintf(job->out.radius_server, sizeof(job->out.radius_server), "%s", reply->server);
	switch (reply->result) {
	case OTPCE_RADIUS_ACCEPT:
		sign_and_answer(job);
		return;
	case OTPCE_RADIUS_REJECT:
		finish(job, OTPCE_STATUS_AUTHENTICATION_ERROR, "radius", "Access-Reject");
		return;
	case OTPCE_RADIUS_CHALLENGE:
		if (reply->state_len > 0) {
			otpced_challenge_put(job->srv->challenges, job->req->username, job->csr_hash,
					     reply->state, reply->state_len, now_s());
		}
		finish(job, OTPCE_STATUS_CHALLENGE_RESPONSE_REQUIRED, "radius", "Access-Challenge");
		return;
	case OTPCE_RADIUS_NO_ANSWER:
		finish(job, OTPCE_STATUS_OTHER_ERROR, "radius", "no OTP server answered");
		return;
	case OTPCE_RADIUS_ERROR:
	default:
		finish(job, OTPCE_STATUS_OTHER_ERROR, "radius", "RADIUS error");
		return;
	}
}

struct otpced_job *otpced_process(TALLOC_CTX *mem_ctx, struct otpced *srv,
				  struct otpce_sign_cert_request *req, otpced_done_fn done,
				  void *arg)
{
	struct otpced_job *job = talloc_zero(mem_ctx, struct otpced_job);
	struct otpce_directory_user *user;
	uint8_t state[253];
	size_t state_len = 0;
	char err[256] = "";

	if (job == NULL) {
		struct otpced_outcome o = { .status = OTPCE_STATUS_OTHER_ERROR, .step = "memory" };
		snprintf(o.detail, sizeof(o.detail), "out of memory");
		done(&o, arg);
		return NULL;
	}
	talloc_set_destructor(job, job_destructor);
	job->srv = srv;
	job->req = talloc_steal(job, req);
	job->done = done;
	job->arg = arg;

	/* 1a */
	if (!pkcs10_verifies(job, err, sizeof(err))) {
		finish(job, OTPCE_STATUS_OTHER_ERROR, "pkcs10", err);
		return NULL;
	}
	/* 2 */
	user = talloc_zero(job, struct otpce_directory_user);
	if (user == NULL) {
		finish(job, OTPCE_STATUS_OTHER_ERROR, "memory", "out of memory");
		return NULL;
	}
	switch (directory_lookup(srv, req->username, user, err, sizeof(err))) {
	case OTPCE_DIRECTORY_FOUND:
		break;
	case OTPCE_DIRECTORY_NOT_FOUND:
		finish(job, OTPCE_STATUS_AUTHENTICATION_ERROR, "directory", err);
		return NULL;
	default:
		finish(job, OTPCE_STATUS_OTHER_ERROR, "directory", err);
		return NULL;
	}
	/* 1b */
	if (otpce_check_request_names(job->csr, srv->cfg->template_name,
					user->upn[0] ? user->upn : NULL,
					user->dn[0] ? user->dn : NULL, err, sizeof(err)) != 0) {
		finish(job, OTPCE_STATUS_OTHER_ERROR, "pkcs10", err[0] ? err : "PKCS#10 checks failed");
		return NULL;
	}
	/* 3: the RADIUS User-Name, as configured (radius_user). */
	switch (srv->cfg->radius_user) {
	case OTPCED_RADIUS_USER_ACCOUNT: {
		const char *slash = strchr(user->account, '\\');
		job->radius_user = slash != NULL ? slash + 1 : user->account;
		break;
	}
	case OTPCED_RADIUS_USER_UPN:
		job->radius_user = user->upn;
		break;
	default:
		job->radius_user = req->username;
		break;
	}
	if (srv->cfg->num_otp_servers == 0) {
		finish(job, OTPCE_STATUS_OTHER_ERROR, "radius", "no OTP server configured");
		return NULL;
	}
	if (!NT_STATUS_IS_OK(crypto_sha256(req->cert_request, req->cert_request_len,
					   job->csr_hash))) {
		finish(job, OTPCE_STATUS_OTHER_ERROR, "memory", "hash failed");
		return NULL;
	}
	otpced_challenge_take(srv->challenges, req->username, job->csr_hash, state, &state_len,
			      now_s());
	{
		/* The RADIUS client may answer before it returns (radius_done
		 * then frees the job), or fail to start without answering. */
		bool called = false;
		struct otpce_radius_req *r;

		job->called_back = &called;
		r = otpce_radius_pap_start(srv->base, srv->cfg->otp_servers,
					   srv->cfg->num_otp_servers, job->radius_user,
					   (const char *)req->one_time_password->data,
					   state_len > 0 ? state : NULL, state_len, radius_done, job);
		crypto_wipe(state, sizeof(state));
		if (called) {
			return NULL;
		}
		job->called_back = NULL;
		if (r == NULL) {
			finish(job, OTPCE_STATUS_OTHER_ERROR, "radius", "the RADIUS exchange did not start");
			return NULL;
		}
		job->radius = r;
	}
	return job;
}
