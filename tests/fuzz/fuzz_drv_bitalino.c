/*
 * fuzz_drv_bitalino.c - libFuzzer target for drv_bitalino's feed() (see fuzz_framed.h for
 * what is checked). Seed corpus: tests/fuzz/corpus/fuzz_drv_bitalino/ (the
 * tests/vectors/bitalino captures and emulator output with faults, each behind
 * the two selector bytes).
 */
#include "fuzz_framed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const opts[] = { NULL, "ch1=ecg", "ch1=emg,ch2=emg,ch3=emg", "ch1=emg,ch2=emg,ch3=emg,ch4=emg", "ch1=emg,ch2=emg,ch3=emg,ch4=emg,ch5=emg", "ch1=emg,ch2=emg,ch3=emg,ch4=emg,ch5=emg,ch6=emg,rate=100" };
	return fz_run("bitalino", opts, sizeof(opts) / sizeof(opts[0]), data, size);
}
