/*
 * test_ncacn_krb5.c: the bpau client's sealed responses (rpc/ncacn.c)
 * against a fake server holding a real Heimdal DCE-style Kerberos
 * acceptor: the test makes its own service ticket (a MEMORY ticket cache
 * for the client, the service key in a MEMORY keytab for the server), so
 * no KDC is involved.  The server answers the first call genuinely, then
 * the second one as the script says:
 *
 *   GENUINE   sealed by the acceptor: accepted;
 *   FORGED    what someone on the path without the key can send: the stub
 *             in clear and a token numbered 5 past the next one.  Heimdal
 *             answers such a token GSS_S_GAP_TOKEN before checking it, a
 *             supplementary code, not an error: refused;
 *   REPLAYED  the first call's sealed response again, call id changed
 *             (Heimdal: GSS_S_DUPLICATE_TOKEN, again before any check):
 *             refused;
 *   TAMPERED  sealed, one bit of the ciphertext flipped: refused.
 *
 * NAK: the bind is answered with a bind_nak of reason 0, which Samba sends
 * when it does not accept the ticket: a logon failure, with advice.
 */
#include "helpers.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>
#include <krb5.h>
#include <krb5_asn1.h>

#include "crypto/kwrap.h"
#include "rpc/ncacn.h"
#include "tests/unit/fake_peer.h"

#define SERVICE "srv$@TEST.EXAMPLE"
#define CLIENT "peer$@TEST.EXAMPLE"
#define CCACHE "MEMORY:test_ncacn_krb5"
#define TOKEN_LEN 76 /* AES: header 16; confounder, EC filler, header copy (48) encrypted; checksum 12 */

enum script { GENUINE, FORGED, REPLAYED, TAMPERED, NAK };

static krb5_context kctx;
static krb5_keytab keytab;

/* token_of: the auth token at the end of a PDU. */
static gss_buffer_desc token_of(uint8_t *pdu, size_t len)
{
	uint16_t auth_len = get16(pdu + 10);
	gss_buffer_desc b = {auth_len, pdu + len - auth_len};
	return b;
}

/* make_ticket: a service ticket for SERVICE under a fresh key, in the
 * client's MEMORY cache; the key in the server's MEMORY keytab. */
static void make_ticket(void)
{
	krb5_keyblock skey, session;
	krb5_principal cp, sp;
	krb5_ccache cc;
	krb5_keytab_entry ent;
	krb5_crypto kc;
	krb5_creds cr;
	EncTicketPart et;
	Ticket tkt;
	unsigned char *buf;
	size_t len, size;
	time_t now = time(NULL);
	int ret;

	assert_int_equal(krb5_init_context(&kctx), 0);
	assert_int_equal(krb5_parse_name(kctx, CLIENT, &cp), 0);
	assert_int_equal(krb5_parse_name(kctx, SERVICE, &sp), 0);
	assert_int_equal(krb5_generate_random_keyblock(kctx, ETYPE_AES256_CTS_HMAC_SHA1_96, &skey),
			 0);
	assert_int_equal(
		krb5_generate_random_keyblock(kctx, ETYPE_AES256_CTS_HMAC_SHA1_96, &session), 0);

	memset(&et, 0, sizeof(et));
	et.flags.initial = 1;
	et.key = session;
	et.crealm = cp->realm;
	et.cname = cp->name;
	et.transited.tr_type = DOMAIN_X500_COMPRESS;
	et.authtime = now;
	et.endtime = now + 3600;
	ASN1_MALLOC_ENCODE(EncTicketPart, buf, len, &et, &size, ret);
	assert_int_equal(ret, 0);
	memset(&tkt, 0, sizeof(tkt));
	tkt.tkt_vno = 5;
	tkt.realm = sp->realm;
	tkt.sname = sp->name;
	assert_int_equal(krb5_crypto_init(kctx, &skey, 0, &kc), 0);
	assert_int_equal(
		krb5_encrypt_EncryptedData(kctx, kc, KRB5_KU_TICKET, buf, len, 1, &tkt.enc_part), 0);
	krb5_crypto_destroy(kctx, kc);
	free(buf);
	ASN1_MALLOC_ENCODE(Ticket, buf, len, &tkt, &size, ret);
	assert_int_equal(ret, 0);
	free_EncryptedData(&tkt.enc_part);

	memset(&cr, 0, sizeof(cr));
	cr.client = cp;
	cr.server = sp;
	cr.session = session;
	cr.times.authtime = cr.times.starttime = now;
	cr.times.endtime = now + 3600;
	cr.ticket.data = buf;
	cr.ticket.length = len;
	assert_int_equal(krb5_cc_resolve(kctx, CCACHE, &cc), 0);
	assert_int_equal(krb5_cc_initialize(kctx, cc, cp), 0);
	assert_int_equal(krb5_cc_store_cred(kctx, cc, &cr), 0);
	krb5_cc_close(kctx, cc);
	free(buf);

	assert_int_equal(krb5_kt_resolve(kctx, "MEMORY:test_ncacn_krb5", &keytab), 0);
	memset(&ent, 0, sizeof(ent));
	ent.principal = sp;
	ent.vno = 1;
	ent.keyblock = skey;
	assert_int_equal(krb5_kt_add_entry(kctx, keytab, &ent), 0);
	krb5_free_keyblock_contents(kctx, &skey);
	krb5_free_keyblock_contents(kctx, &session);
	krb5_free_principal(kctx, cp);
	krb5_free_principal(kctx, sp);
}

/* respond: a RESPONSE to |call_id| carrying |stub| (16 bytes), sealed by
 * |gss| with the header signed; its length. */
static size_t respond(gss_ctx_id_t gss, uint8_t *pdu, uint32_t call_id, const uint8_t *stub)
{
	const size_t off = 24 + 16, len = off + 8 + TOKEN_LEN;
	OM_uint32 minor;
	int conf = 0;

	header(pdu, 2 /* response */, 3, (uint16_t)len, TOKEN_LEN, call_id);
	put32(pdu + 16, 16); /* alloc hint; context id 0, cancel count 0 */
	memset(pdu + 20, 0, 4);
	memcpy(pdu + 24, stub, 16);
	pdu[off] = 16; /* Kerberos */
	pdu[off + 1] = 6; /* privacy */
	pdu[off + 2] = 0;
	pdu[off + 3] = 0;
	put32(pdu + off + 4, 1);
	gss_iov_buffer_desc iov[4] = {
		{GSS_IOV_BUFFER_TYPE_HEADER, {TOKEN_LEN, pdu + off + 8}},
		{GSS_IOV_BUFFER_TYPE_SIGN_ONLY, {24, pdu}},
		{GSS_IOV_BUFFER_TYPE_DATA, {16, pdu + 24}},
		{GSS_IOV_BUFFER_TYPE_SIGN_ONLY, {8, pdu + off}},
	};
	if (gss_wrap_iov(&minor, gss, 1, GSS_C_QOP_DEFAULT, &conf, iov, 4) != GSS_S_COMPLETE ||
	    !conf || iov[0].buffer.length != TOKEN_LEN) {
		_exit(3);
	}
	return len;
}

/* serve: the DCE-style bind (AP-REQ, AP-REP, auth3), two calls. */
static void serve(int fd, int script)
{
	static uint8_t buf[4096], first[512];
	static const uint8_t answer[16] = "sealed answer..";
	gss_ctx_id_t gss = GSS_C_NO_CONTEXT;
	gss_cred_id_t cred;
	gss_buffer_desc in, out = GSS_C_EMPTY_BUFFER;
	OM_uint32 major, minor;
	size_t len, first_len;

	if (gss_krb5_import_cred(&minor, NULL, NULL, keytab, &cred) != GSS_S_COMPLETE ||
	    (len = read_pdu(fd, buf, sizeof(buf))) == 0) {
		_exit(1);
	}
	if (script == NAK) {
		header(buf, 13 /* bind_nak */, 3, 20, 0, 1);
		memset(buf + 16, 0, 4); /* reason 0, no versions */
		if (write(fd, buf, 20) != 20) {
			_exit(1);
		}
		sleep(1);
		_exit(0);
	}
	in = token_of(buf, len);
	major = gss_accept_sec_context(&minor, &gss, cred, &in, GSS_C_NO_CHANNEL_BINDINGS, NULL,
				       NULL, &out, NULL, NULL, NULL);
	if (major != GSS_S_CONTINUE_NEEDED || out.length == 0 || out.length > 1024) {
		_exit(1);
	}
	{
		/* bind_ack: max sizes, group, secondary address "135" (4 bytes
		 * with its NUL, then pad to 4), one result: accepted, NDR. */
		static const uint8_t ndr[20] = {0x04, 0x5d, 0x88, 0x8a, 0xeb, 0x1c, 0xc9, 0x11,
						0x9f, 0xe8, 0x08, 0x00, 0x2b, 0x10, 0x48, 0x60,
						0x02, 0x00, 0x00, 0x00};
		uint8_t *p = buf;
		size_t body = 16 + 8 + 2 + 4 + 2 + 4 + 24, total = body + 8 + out.length;

		header(p, 12 /* bind_ack */, 3 | 0x04 /* header signing */, (uint16_t)total,
		       (uint16_t)out.length, 1);
		put16(p + 16, 4280);
		put16(p + 18, 4280);
		put32(p + 20, 0x1234);
		put16(p + 24, 4);
		memcpy(p + 26, "135", 4);
		memset(p + 30, 0, 2);
		p[32] = 1;
		memset(p + 33, 0, 3);
		put16(p + 36, 0);
		put16(p + 38, 0);
		memcpy(p + 40, ndr, 20);
		p[60] = 16;
		p[61] = 6;
		p[62] = 0;
		p[63] = 0;
		put32(p + 64, 1);
		memcpy(p + 68, out.value, out.length);
		gss_release_buffer(&minor, &out);
		if (write(fd, buf, total) != (ssize_t)total) {
			_exit(1);
		}
	}
	/* auth3: the client's AP-REP completes the context. */
	if ((len = read_pdu(fd, buf, sizeof(buf))) == 0 || buf[2] != 16) {
		_exit(1);
	}
	in = token_of(buf, len);
	major = gss_accept_sec_context(&minor, &gss, cred, &in, GSS_C_NO_CHANNEL_BINDINGS, NULL,
				       NULL, &out, NULL, NULL, NULL);
	if (major != GSS_S_COMPLETE) {
		_exit(2);
	}
	/* Call 2 (the first after the bind), answered genuinely. */
	if (read_pdu(fd, buf, sizeof(buf)) == 0) {
		_exit(1);
	}
	first_len = respond(gss, first, 2, answer);
	if (write(fd, first, first_len) != (ssize_t)first_len) {
		_exit(1);
	}
	/* Call 3, as the script says. */
	if (read_pdu(fd, buf, sizeof(buf)) == 0) {
		_exit(1);
	}
	if (script == REPLAYED) {
		memcpy(buf, first, first_len);
		put32(buf + 12, 3);
		len = first_len;
	} else {
		len = respond(gss, buf, 3, answer);
		if (script == TAMPERED) {
			buf[24] ^= 0x01;
		} else if (script == FORGED) {
			/* The token's own first 8 bytes, its sequence number
			 * plus 5, garbage for the rest; the stub in clear. */
			uint8_t *tok = buf + len - TOKEN_LEN;
			uint64_t seq = 0;

			memcpy(buf + 24, "forged by nobody", 16);
			(void)crypto_kwrap_token_seq(tok, TOKEN_LEN, &seq);
			seq += 5;
			for (int i = 0; i < 8; i++) {
				tok[8 + i] = (uint8_t)(seq >> (56 - 8 * i));
			}
			memset(tok + 16, 0x41, TOKEN_LEN - 16);
		}
	}
	if (write(fd, buf, len) != (ssize_t)len) {
		_exit(1);
	}
	sleep(1); /* let the client read before the close */
	_exit(0);
}

static uint16_t start(enum script script, pid_t *pid)
{
	return serve_once("127.0.0.1", 0, serve, script, pid);
}

/* run: bind as CLIENT to SERVICE, two calls; the second call's status
 * (the first must succeed with the server's answer). */
static NTSTATUS run(enum script script, TALLOC_CTX *t, char **reason)
{
	pid_t pid;
	uint16_t port = start(script, &pid);
	struct ncacn_conn *c;
	uint8_t *out;
	size_t out_len;
	NTSTATUS status;
	int st;

	assert_true(NT_STATUS_IS_OK(ncacn_connect(t, "127.0.0.1", port, 5, &c)));
	status = ncacn_bind(c, &ncacn_syntax_bitspeerauth, SERVICE);
	if (!NT_STATUS_IS_OK(status)) {
		fail_msg("bind: %s", ncacn_reason(c));
	}
	status = ncacn_call(c, t, 0, (const uint8_t *)"request", 7, &out, &out_len);
	assert_true(NT_STATUS_IS_OK(status));
	assert_int_equal(out_len, 16);
	assert_memory_equal(out, "sealed answer..", 16);
	status = ncacn_call(c, t, 0, (const uint8_t *)"request", 7, &out, &out_len);
	if (NT_STATUS_IS_OK(status)) {
		assert_int_equal(out_len, 16);
		assert_memory_equal(out, "sealed answer..", 16);
	}
	*reason = talloc_strdup(t, ncacn_reason(c));
	talloc_free(c);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return status;
}

static void test_genuine(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	char *reason;
	(void)state;
	assert_true(NT_STATUS_IS_OK(run(GENUINE, t, &reason)));
	talloc_free(t);
}

static void test_refused(void **state)
{
	const enum script scripts[] = {FORGED, REPLAYED, TAMPERED};
	(void)state;

	for (size_t i = 0; i < sizeof(scripts) / sizeof(scripts[0]); i++) {
		TALLOC_CTX *t = talloc_new(NULL);
		char *reason;
		NTSTATUS status = run(scripts[i], t, &reason);

		assert_int_equal(NT_STATUS_V(status), NT_STATUS_V(NT_STATUS_ACCESS_DENIED));
		assert_non_null(strstr(reason, "failed its Kerberos check"));
		talloc_free(t);
	}
}

static void test_nak(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	pid_t pid;
	uint16_t port = start(NAK, &pid);
	struct ncacn_conn *c;
	int st;
	(void)state;

	assert_true(NT_STATUS_IS_OK(ncacn_connect(t, "127.0.0.1", port, 5, &c)));
	assert_int_equal(NT_STATUS_V(ncacn_bind(c, &ncacn_syntax_bitspeerauth, SERVICE)),
			 NT_STATUS_V(NT_STATUS_LOGON_FAILURE));
	assert_non_null(strstr(ncacn_reason(c), "reason 0: not specified"));
	assert_non_null(strstr(ncacn_reason(c), "does not accept the Kerberos ticket"));
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	talloc_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_genuine),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_nak),
	};
	int rc;

	setenv("KRB5_CONFIG", "/dev/null", 1);
	signal(SIGPIPE, SIG_IGN);
	make_ticket();
	assert_true(NT_STATUS_IS_OK(ncacn_set_ccache(CCACHE, NULL)));
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	krb5_kt_close(kctx, keytab);
	krb5_free_context(kctx);
	return rc;
}
