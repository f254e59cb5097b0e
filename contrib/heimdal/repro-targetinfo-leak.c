/*
 * repro-targetinfo-leak.c: feeds Heimdal's heim_ntlm_decode_targetinfo()
 * the three AV pair lists that make it leak (fixed by
 * 0001-lib-ntlm-do-not-leak-in-heim_ntlm_decode_targetinfo.patch).
 * Build and run it with repro-targetinfo-leak.sh, which reads
 * LeakSanitizer's report.
 *
 * Each case is decoded as Heimdal's own callers do
 * (lib/gssapi/ntlm/init_sec_context.c, kcm/protocol.c):
 * heim_ntlm_free_targetinfo() after success, nothing after failure, as
 * heim_ntlm_decode_type1/2/3() free their output themselves when they fail.
 * Anything still allocated at exit was lost inside the decoder.
 *
 * The pairs are MS-NLMP 2.2.2.1 AV_PAIRs: AvId (2 bytes LE), AvLen (2 bytes
 * LE), then AvLen bytes; strings are UTF-16LE.
 *
 * Exit status: 0 when every case decoded with the expected result (success
 * for cases 1 and 3, failure for case 2), 2 otherwise.  Leaks are reported
 * by LeakSanitizer, not by this exit status.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* heimntlm.h uses uint32_t and time_t without including their headers. */
#include <heimntlm.h>

struct leak_case {
	const char *what;
	unsigned char bytes[64];
	size_t len;
	int must_fail;
};

static const struct leak_case cases[] = {
	{
		"MsvAvNbComputerName twice: the first string is overwritten",
		{ 0x01, 0x00, 0x04, 0x00, 'A', 0x00, 'B', 0x00,
		  0x01, 0x00, 0x04, 0x00, 'C', 0x00, 'D', 0x00,
		  0x00, 0x00, 0x00, 0x00 },
		20, 0,
	},
	{
		"MsvAvNbDomainName, then MsvAvDnsComputerName claiming 200 bytes"
		" of 4: both strings are kept when the decoder fails",
		{ 0x02, 0x00, 0x04, 0x00, 'E', 0x00, 'F', 0x00,
		  0x03, 0x00, 0xc8, 0x00, 'G', 0x00, 'H', 0x00 },
		16, 1,
	},
	{
		"MsvAvChannelBindings twice: the first buffer is overwritten",
		{ 0x0a, 0x00, 0x10, 0x00,
		  1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
		  0x0a, 0x00, 0x10, 0x00,
		  1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
		  0x00, 0x00, 0x00, 0x00 },
		44, 0,
	},
};

int main(void)
{
	int unexpected = 0;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ntlm_buf in;
		struct ntlm_targetinfo ti;
		int ret;

		in.data = (void *)cases[i].bytes;
		in.length = cases[i].len;
		ret = heim_ntlm_decode_targetinfo(&in, 1, &ti);
		printf("case %zu: %s: decoder returned %d\n", i + 1, cases[i].what, ret);
		if (ret == 0)
			heim_ntlm_free_targetinfo(&ti);
		if ((ret != 0) != cases[i].must_fail) {
			printf("case %zu: expected %s\n", i + 1,
			       cases[i].must_fail ? "failure" : "success");
			unexpected = 1;
		}
	}
	/* LeakSanitizer ends the process without flushing stdio. */
	fflush(stdout);
	return unexpected ? 2 : 0;
}
