/*
 * fuzz_drv_p2.c - libFuzzer target for drv_p2's feed() (see fuzz_framed.h for
 * what is checked). Seed corpus: tests/fuzz/corpus/fuzz_drv_p2/ (the
 * tests/vectors/p2 captures and emulator output with faults, each behind
 * the two selector bytes).
 */
#include "fuzz_framed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const opts[] = { NULL, "ch1=emg,ch2=emg,ch3=emg,ch4=emg,ch5=emg,ch6=emg,baseline=512", "ch1=ecg,baseline1=300,gain1=1000,vref=3.3" };
	return fz_run("p2", opts, sizeof(opts) / sizeof(opts[0]), data, size);
}
