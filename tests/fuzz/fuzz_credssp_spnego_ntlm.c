/*
 * fuzz_credssp_spnego_ntlm.c: libFuzzer target for the SPNEGO layer of
 * NTLM (credssp/spnego_ntlm/) in the acceptor role, fed hostile client
 * tokens.
 *
 * Input: one byte of options (bit 0: the NTLM step completes on the
 * second token rather than the first; bit 1: NTLM reports its own MIC),
 * then up to three u16le-length-prefixed SPNEGO tokens.  The inner NTLM
 * mechanism is a fake that answers "CHALLENGE" and then completes, with a
 * real NTLM session on a fixed key, so MIC verification and signing run
 * on the fuzzer's bytes.  Checks: no crash; a failed step outputs
 * nothing and every later step fails; completion happens at most once and
 * only after a token; wrap works only after completion.
 */
#include <stdlib.h>
#include <string.h>

#include "credssp/ntlm/ntlm.h"
#include "credssp/spnego_ntlm/spnego_ntlm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fake {
	int steps, complete_at;
	bool mic;
	struct ntlm_session *session;
};

static int fake_step(void *ctx, const uint8_t *in, size_t in_len, uint8_t **out,
		     size_t *out_len, uint32_t *status, char *err, size_t errlen)
{
	struct fake *f = ctx;

	(void)in;
	(void)in_len;
	(void)status;
	(void)err;
	(void)errlen;
	*out = NULL;
	*out_len = 0;
	if (++f->steps >= f->complete_at) {
		uint8_t key[NTLM_KEY_LEN];

		memset(key, 0x42, sizeof(key));
		if (f->session == NULL &&
		    !NT_STATUS_IS_OK(ntlm_session_new(f, key,
						      NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY |
							      NTLMSSP_NEGOTIATE_128 |
							      NTLMSSP_NEGOTIATE_KEY_EXCH,
						      true, &f->session))) {
			return -1;
		}
		return 1;
	}
	*out = malloc(9);
	if (*out == NULL) {
		return -1;
	}
	memcpy(*out, "CHALLENGE", 9);
	*out_len = 9;
	return 0;
}

static int fake_wrap(void *ctx, const uint8_t *in, size_t in_len, uint8_t **out, size_t *out_len)
{
	(void)ctx;
	*out = malloc(in_len + 1);
	if (*out == NULL) {
		return -1;
	}
	memcpy(*out, in, in_len);
	*out_len = in_len;
	return 0;
}

static const char *fake_name(void *ctx)
{
	(void)ctx;
	return "FUZZ\\user";
}

static void fake_free(void *ctx)
{
	talloc_free(ctx);
}

static const struct credssp_mech_ops fake_ops = {
	"fake-ntlm", fake_step, fake_wrap, fake_wrap, fake_name, fake_free,
};

static struct ntlm_session *fake_session(void *ctx)
{
	return ((struct fake *)ctx)->session;
}

static bool fake_mic(void *ctx)
{
	return ((struct fake *)ctx)->mic;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fake *f;
	struct spnego_ntlm_inner inner;
	const struct credssp_mech_ops *ops;
	void *ctx;
	char err[256];
	bool failed = false, done = false;
	int i;

	if (size < 1) {
		return 0;
	}
	f = talloc_zero(NULL, struct fake);
	if (f == NULL) {
		return 0;
	}
	f->complete_at = (data[0] & 1) ? 3 : 2;
	f->mic = (data[0] & 2) != 0;
	inner = (struct spnego_ntlm_inner){ &fake_ops, f, fake_session, fake_mic };
	if (credssp_spnego_ntlm_new(false, &inner, &ops, &ctx, err, sizeof(err)) != 0) {
		return 0;
	}
	data++;
	size--;
	for (i = 0; i < 3 && size >= 2; i++) {
		size_t n = (size_t)data[0] | (size_t)data[1] << 8;
		uint8_t *out = NULL, *w = NULL;
		size_t out_len = 0, w_len = 0;
		uint32_t status = 0;
		int r;

		data += 2;
		size -= 2;
		if (n > size) {
			n = size;
		}
		r = ops->step(ctx, data, n, &out, &out_len, &status, err, sizeof(err));
		if (r < 0) {
			if (out != NULL || status == 0) {
				abort();
			}
			failed = true;
		} else {
			if (failed || done) {
				abort(); /* a step after the end must fail */
			}
			if (r == 0 && (out == NULL || out_len == 0)) {
				abort();
			}
			done = r == 1;
			if (!done && ops->wrap(ctx, data, n, &w, &w_len) == 0) {
				abort();
			}
		}
		if (done && ops->wrap(ctx, data, n, &w, &w_len) != 0) {
			abort();
		}
		free(w);
		free(out);
		data += n;
		size -= n;
	}
	ops->free(ctx);
	return 0;
}
