/*
 * test_ndr.c: the pidl-generated NDR for ExchangePublicKeys puts on the
 * wire what MIDL does for the MS-BPAU Appendix A IDL (C706 chapter 14,
 * MS-RPCE 2.2.5): for each call direction, push, compare with the bytes
 * written out by hand from the NDR rules, pull back and compare fields.
 */
#include "helpers.h"

#include <ndr.h>
#include "gen/ndr_bitspeerauth.h"

static const struct ndr_interface_call *call0(void)
{
	return &ndr_table_bitspeerauth.calls[NDR_BITSPEERAUTH_EXCHANGEPUBLICKEYS];
}

static DATA_BLOB push(TALLOC_CTX *t, int flags, struct bitspeerauth_ExchangePublicKeys *r)
{
	struct ndr_push *ndr = ndr_push_init_ctx(t);
	assert_non_null(ndr);
	assert_int_equal(call0()->ndr_push(ndr, flags, r), NDR_ERR_SUCCESS);
	return ndr_push_blob(ndr);
}

static enum ndr_err_code pull(TALLOC_CTX *t, int flags, const uint8_t *p, size_t n,
			      struct bitspeerauth_ExchangePublicKeys *r)
{
	DATA_BLOB b = data_blob_const(p, n);
	struct ndr_pull *ndr = ndr_pull_init_blob(&b, t);
	enum ndr_err_code err;
	assert_non_null(ndr);
	ndr->flags |= LIBNDR_FLAG_REF_ALLOC;
	err = call0()->ndr_pull(ndr, flags, r);
	if (err == NDR_ERR_SUCCESS && ndr->offset != n) {
		return NDR_ERR_UNREAD_BYTES;
	}
	return err;
}

static void test_request(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	uint8_t key[5] = {0xa1, 0xa2, 0xa3, 0xa4, 0xa5};
	struct bitspeerauth_ExchangePublicKeys r = {.in.ClientKeyLength = 5, .in.ClientKey = key};
	/* [in] KEY_LENGTH; [in,unique,size_is] byte *: referent ID, then the
	 * conformant array's max count and its bytes. */
	const uint8_t want[] = {0x05, 0, 0, 0, 0x00, 0x00, 0x02, 0x00, 0x05, 0, 0, 0,
				0xa1, 0xa2, 0xa3, 0xa4, 0xa5};
	const uint8_t want_null[] = {0, 0, 0, 0, 0, 0, 0, 0};
	struct bitspeerauth_ExchangePublicKeys back = {0};
	DATA_BLOB b;
	(void)state;

	b = push(t, NDR_IN, &r);
	assert_int_equal(b.length, sizeof(want));
	assert_memory_equal(b.data, want, sizeof(want));
	assert_int_equal(pull(t, NDR_IN, want, sizeof(want), &back), NDR_ERR_SUCCESS);
	assert_int_equal(back.in.ClientKeyLength, 5);
	assert_memory_equal(back.in.ClientKey, key, 5);

	/* ClientKeyLength 0 with a NULL ClientKey: two zero DWORDs. */
	r.in.ClientKeyLength = 0;
	r.in.ClientKey = NULL;
	b = push(t, NDR_IN, &r);
	assert_int_equal(b.length, sizeof(want_null));
	assert_memory_equal(b.data, want_null, sizeof(want_null));

	/* range(0, 65536): 65536 is accepted, 65537 is not. */
	uint8_t *big = talloc_zero_array(t, uint8_t, 12 + 65537);
	big[2] = 0x01;             /* 65536 */
	big[6] = 0x02;             /* referent 0x00020000 */
	big[10] = 0x01;            /* max count 65536 */
	assert_int_equal(pull(t, NDR_IN, big, 12 + 65536, &back), NDR_ERR_SUCCESS);
	big[0] = 0x01;             /* 65537 */
	big[8] = 0x01;
	assert_int_equal(pull(t, NDR_IN, big, 12 + 65537, &back), NDR_ERR_RANGE);
	/* Max count and ClientKeyLength must agree. */
	uint8_t mismatch[] = {0x05, 0, 0, 0, 0x00, 0x00, 0x02, 0x00, 0x04, 0, 0, 0, 1, 2, 3, 4};
	assert_int_not_equal(pull(t, NDR_IN, mismatch, sizeof(mismatch), &back), NDR_ERR_SUCCESS);
	talloc_free(t);
}

static void test_response(void **state)
{
	TALLOC_CTX *t = talloc_new(NULL);
	uint32_t len = 3;
	uint8_t key[3] = {0xb1, 0xb2, 0xb3}, *keyp = key;
	struct bitspeerauth_ExchangePublicKeys r = {
		.out.pServerKeyLength = &len, .out.pServerKey = &keyp, .out.result = HRES_ERROR(0)};
	/* [out,ref] KEY_LENGTH *; [out,ref,size_is(,*len)] byte **: the ref
	 * pointer is not on the wire, the inner (unique) one is; the array
	 * is padded to 4 before the HRESULT. */
	const uint8_t want[] = {0x03, 0, 0, 0, 0x00, 0x00, 0x02, 0x00, 0x03, 0, 0, 0,
				0xb1, 0xb2, 0xb3, 0x00, 0, 0, 0, 0};
	/* An error: length 0, NULL pointer, then the HRESULT. */
	const uint8_t want_err[] = {0, 0, 0, 0, 0, 0, 0, 0, 0x05, 0x00, 0x07, 0x80};
	struct bitspeerauth_ExchangePublicKeys back = {0};
	DATA_BLOB b;
	(void)state;

	b = push(t, NDR_OUT, &r);
	assert_int_equal(b.length, sizeof(want));
	assert_memory_equal(b.data, want, sizeof(want));
	assert_int_equal(pull(t, NDR_OUT, want, sizeof(want), &back), NDR_ERR_SUCCESS);
	assert_int_equal(*back.out.pServerKeyLength, 3);
	assert_memory_equal(*back.out.pServerKey, key, 3);

	len = 0;
	keyp = NULL;
	r.out.result = HRES_ERROR(0x80070005);
	b = push(t, NDR_OUT, &r);
	assert_int_equal(b.length, sizeof(want_err));
	assert_memory_equal(b.data, want_err, sizeof(want_err));
	assert_int_equal(pull(t, NDR_OUT, want_err, sizeof(want_err), &back), NDR_ERR_SUCCESS);
	assert_int_equal(HRES_ERROR_V(back.out.result), 0x80070005);
	assert_null(*back.out.pServerKey);
	talloc_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_response),
	};
	return cmocka_run_group_tests_name("ndr", tests, NULL, NULL);
}
