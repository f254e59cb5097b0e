/*
 * test_credssp_spnego_ntlm_samba.c: our SPNEGO-NTLM acceptor and initiator
 * (credssp/spnego_ntlm/ around credssp/ntlm/) against a real SPNEGO-NTLM
 * initiator other than ours: Samba's gensec SPNEGO with its NTLMSSP
 * client, driven through `ntlm_auth --helper-protocol=gss-spnego-client`
 * (source3/utils/ntlm_auth.c manage_gensec_request: "YR" starts, "TT
 * <base64>" feeds a server token, answers "YR/KK <base64>" while more is
 * needed and "AF <base64>|*" once Samba's SPNEGO has completed, i.e.
 * after it verified our mechListMIC; "GK" returns its session key).
 * Samba signs and seals only on request ("SF NTLMSSP_FEATURE_SIGN ..."),
 * and CredSSP needs both, so they are asked for.
 * Checks: Samba completes (our mechListMIC verified by Samba), we complete
 * (Samba's verified by us), the peer is named, the session keys agree;
 * a wrong password is refused.
 * And the other way: our initiator (credssp/spnego_ntlm/ around
 * credssp/ntlmclient/) against Samba's SPNEGO acceptor with its NTLMSSP
 * server (`ntlm_auth --helper-protocol=gss-spnego --password=...`): Samba
 * completes (it verified our mechListMIC) and we verify Samba's; Samba
 * refuses a response made with another password.
 * Skipped when ntlm_auth is not installed.
 */
#include "ntlm_fixtures.h"

#include <signal.h>
#include <sys/wait.h>
#include <openssl/evp.h>

#include "credssp/mech.h"
#include "credssp/ntlmclient/ntlm_client.h"
#include "credssp/spnego_ntlm/spnego_ntlm.h"
#include "crypto/spnego/spnego.h"

#define PASSWORD "Samba-Spn3go!"
#define NTLM_AUTH "/usr/bin/ntlm_auth"


static int setup(void **state)
{
	*state = ntlm_sam_fixture_new(PASSWORD);
	return 0;
}

static int teardown(void **state)
{
	ntlm_sam_fixture_free(*state);
	return 0;
}

struct helper {
	pid_t pid;
	FILE *to, *from;
};

static void helper_start(struct ntlm_sam_fixture *f, struct helper *h, const char *password,
			 bool server)
{
	int in[2], out[2];
	char *pw = talloc_asprintf(f->t, "--password=%s", password);
	char *conf = ntlm_write_file(f->t, f->dir, "smb.conf", "[global]\n", 9);
	char *cfg = talloc_asprintf(f->t, "--configfile=%s", conf);

	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(out), 0);
	h->pid = fork();
	assert_true(h->pid >= 0);
	if (h->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		if (server) {
			/* --password: Samba checks the response against it
			 * (ntlm_auth.c local_pw_check_send), no winbind */
			execl(NTLM_AUTH, "ntlm_auth", "--helper-protocol=gss-spnego", pw, cfg,
			      (char *)NULL);
		} else {
			execl(NTLM_AUTH, "ntlm_auth", "--helper-protocol=gss-spnego-client",
			      "--username=alice", "--domain=DOMAIN", pw, cfg, (char *)NULL);
		}
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	h->to = fdopen(in[1], "w");
	h->from = fdopen(out[0], "r");
	assert_non_null(h->to);
	assert_non_null(h->from);
}

static void helper_stop(struct helper *h)
{
	int st;

	fclose(h->to);
	fclose(h->from);
	waitpid(h->pid, &st, 0);
}

/* say LINE, read the answer's code (2 letters) and its argument */
static char *ask(TALLOC_CTX *t, struct helper *h, const char *line, char code[3])
{
	char buf[8192];
	size_t n;

	fprintf(h->to, "%s\n", line);
	fflush(h->to);
	assert_non_null(fgets(buf, sizeof(buf), h->from));
	n = strlen(buf);
	if (n > 0 && buf[n - 1] == '\n') {
		buf[--n] = '\0';
	}
	assert_true(n >= 2);
	memcpy(code, buf, 2);
	code[2] = '\0';
	return talloc_strdup(t, n > 3 ? buf + 3 : "");
}

static uint8_t *unb64(TALLOC_CTX *t, const char *s, size_t *len)
{
	uint8_t *out = NULL;
	assert_true(NT_STATUS_IS_OK(spnego_base64_decode(t, s, strlen(s), &out, len, NULL)));
	return out;
}

static char *b64(TALLOC_CTX *t, const uint8_t *p, size_t len)
{
	char *s = talloc_zero_size(t, 4 * ((len + 2) / 3) + 1);
	assert_non_null(s);
	EVP_EncodeBlock((unsigned char *)s, p, (int)len);
	return s;
}

static bool have_ntlm_auth(void)
{
	return access(NTLM_AUTH, X_OK) == 0;
}

/* run one exchange; returns our acceptor's last step result */
static int exchange(struct ntlm_sam_fixture *f, const char *password, char last_code[3],
		    const struct credssp_mech_ops **ops, void **ctx, uint32_t *status)
{
	struct helper h;
	char code[3], err[300], *arg;
	uint8_t *tok, *out = NULL;
	size_t len, out_len = 0;
	int r = 0, i;

	void *inner;

	assert_int_equal(credssp_ntlm_acceptor_new_samfile(f->sam, NULL, ops, &inner, err,
							   sizeof(err)), 0);
	assert_int_equal(credssp_spnego_ntlm_acceptor(*ops, inner, ops, ctx, err, sizeof(err)), 0);
	helper_start(f, &h, password, false);
	arg = ask(f->t, &h, "SF NTLMSSP_FEATURE_SIGN NTLMSSP_FEATURE_SEAL "
			    "NTLMSSP_FEATURE_SESSION_KEY", code);
	assert_string_equal(code, "OK");
	arg = ask(f->t, &h, "YR", code);
	assert_string_equal(code, "YR");
	for (i = 0; i < 4; i++) {
		tok = unb64(f->t, arg, &len);
		if (i == 1) {
			/* Samba's AUTHENTICATE comes with its mechListMIC
			 * (NTLM's MIC makes it "new_spnego") */
			struct spnego_token *sp = NULL;

			assert_true(NT_STATUS_IS_OK(spnego_token_parse(f->t, tok, len, &sp, NULL)));
			assert_int_equal(sp->type, SPNEGO_NEG_TOKEN_RESP);
			assert_non_null(sp->resp->mech_list_mic);
		}
		*status = 0;
		r = (*ops)->step(*ctx, tok, len, &out, &out_len, status, err, sizeof(err));
		if (r < 0) {
			print_message("acceptor: %s\n", err);
			break;
		}
		arg = ask(f->t, &h, talloc_asprintf(f->t, "TT %s", b64(f->t, out, out_len)), code);
		free(out);
		out = NULL;
		if (r == 1 || strcmp(code, "KK") != 0) {
			break;
		}
	}
	memcpy(last_code, code, 3);
	if (r == 1 && strcmp(code, "AF") == 0) {
		uint8_t key[NTLM_KEY_LEN], *sk;
		size_t sk_len;

		arg = ask(f->t, &h, "GK", code);
		assert_string_equal(code, "GK");
		sk = unb64(f->t, arg, &sk_len);
		assert_int_equal(sk_len, NTLM_KEY_LEN);
		/* the same ExportedSessionKey on both sides */
		assert_true(ntlm_acceptor_session_key(credssp_ntlm_mech_acceptor(inner), key));
		assert_memory_equal(sk, key, NTLM_KEY_LEN);
	}
	helper_stop(&h);
	return r;
}

static void test_samba_initiator(void **state)
{
	struct ntlm_sam_fixture *f = *state;
	const struct credssp_mech_ops *ops;
	void *ctx;
	uint32_t status;
	char code[3];
	uint8_t *w = NULL;
	size_t wl;

	if (!have_ntlm_auth()) {
		skip();
	}
	assert_int_equal(exchange(f, PASSWORD, code, &ops, &ctx, &status), 1);
	/* Samba's SPNEGO completed: it verified our mechListMIC */
	assert_string_equal(code, "AF");
	assert_string_equal(ops->peer_name(ctx), "DOMAIN\\alice");
	assert_int_equal(ops->wrap(ctx, (const uint8_t *)"x", 1, &w, &wl), 0);
	free(w);
	ops->free(ctx);
}

static void test_samba_initiator_wrong_password(void **state)
{
	struct ntlm_sam_fixture *f = *state;
	const struct credssp_mech_ops *ops;
	void *ctx;
	uint32_t status;
	char code[3];

	if (!have_ntlm_auth()) {
		skip();
	}
	assert_true(exchange(f, "not-it", code, &ops, &ctx, &status) < 0);
	assert_int_equal(status, NT_STATUS_V(NT_STATUS_LOGON_FAILURE));
	ops->free(ctx);
}

/* Our initiator (credssp-client --ntlm-spnego's mechanism) against Samba's
 * SPNEGO acceptor with its NTLMSSP server: ntlm_auth
 * --helper-protocol=gss-spnego ("YR <token>" first, "KK <token>" next;
 * answers "TT <token> *" while more is needed, "AF <token> user" once
 * Samba verified our mechListMIC and signed its own, "NA * status" on a
 * refusal).  Our initiator then verifies Samba's mechListMIC. */
static int samba_acceptor(struct ntlm_sam_fixture *f, const char *samba_password, char code[3])
{
	struct crypto_secret *pw = crypto_secret_dup(f->t, (const uint8_t *)PASSWORD,
						     strlen(PASSWORD) + 1);
	struct credssp_ntlm_client_opts o = { .user = "alice", .domain = "DOMAIN",
					      .password = pw };
	const struct credssp_mech_ops *ops;
	void *ctx;
	struct helper h;
	char err[300], *arg, *sp;
	uint8_t *out = NULL, *tok;
	size_t out_len = 0, len;
	uint32_t status = 0;
	int r, i;

	assert_int_equal(credssp_ntlm_client_new(&o, &ops, &ctx, err, sizeof(err)), 0);
	assert_int_equal(credssp_spnego_ntlm_initiator(ops, ctx, &ops, &ctx, err, sizeof(err)), 0);
	helper_start(f, &h, samba_password, true);
	r = ops->step(ctx, NULL, 0, &out, &out_len, &status, err, sizeof(err));
	assert_int_equal(r, 0);
	arg = ask(f->t, &h, talloc_asprintf(f->t, "YR %s", b64(f->t, out, out_len)), code);
	free(out);
	out = NULL;
	for (i = 0; i < 3; i++) {
		if (strcmp(code, "TT") != 0 && strcmp(code, "AF") != 0) {
			r = -2; /* Samba refused */
			break;
		}
		sp = strchr(arg, ' ');
		if (sp != NULL) {
			*sp = '\0';
		}
		tok = unb64(f->t, arg, &len);
		r = ops->step(ctx, tok, len, &out, &out_len, &status, err, sizeof(err));
		if (r < 0) {
			print_message("initiator: %s\n", err);
		}
		if (r != 0 || strcmp(code, "AF") == 0) {
			break;
		}
		arg = ask(f->t, &h, talloc_asprintf(f->t, "KK %s", b64(f->t, out, out_len)), code);
		free(out);
		out = NULL;
	}
	free(out);
	helper_stop(&h);
	ops->free(ctx);
	return r;
}

static void test_samba_acceptor(void **state)
{
	struct ntlm_sam_fixture *f = *state;
	char code[3];

	if (!have_ntlm_auth()) {
		skip();
	}
	/* Samba completes (AF) and our initiator verifies its MIC (1) */
	assert_int_equal(samba_acceptor(f, PASSWORD, code), 1);
	assert_string_equal(code, "AF");
	/* Samba knows another password: it refuses (NA) */
	assert_int_equal(samba_acceptor(f, "other-password", code), -2);
	assert_string_equal(code, "NA");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_samba_initiator, setup, teardown),
		cmocka_unit_test_setup_teardown(test_samba_initiator_wrong_password, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_samba_acceptor, setup, teardown),
	};
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
