/*
 * fuzz_credssp_engine_server.c: libFuzzer target for the CredSSP server
 * engine (credssp/credssp.h) fed hostile client messages: replaced
 * outright, or the genuine client's edited in flight
 * (credssp_engine_fuzz.h says how the input is read).
 */
#include "credssp_engine_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_run(data, size, true);
	return 0;
}
