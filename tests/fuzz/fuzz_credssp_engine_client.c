/*
 * fuzz_credssp_engine_client.c: libFuzzer target for the CredSSP client
 * engine (credssp/credssp.h) fed hostile server messages: replaced
 * outright, or the genuine server's edited in flight
 * (credssp_engine_fuzz.h says how the input is read).
 */
#include "credssp_engine_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_run(data, size, false);
	return 0;
}
