/*
 * fuzz_drv_openbci.c - libFuzzer target for drv_openbci's feed() (see fuzz_framed.h for
 * what is checked). Seed corpus: tests/fuzz/corpus/fuzz_drv_openbci/ (the
 * tests/vectors/openbci captures and emulator output with faults, each behind
 * the two selector bytes).
 */
#include "fuzz_framed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const opts[] = { NULL, "ch1=emg,ch2=emg,ch3=emg,ch4=emg,ch5=emg,ch6=emg,ch7=emg,ch8=emg,accel=1", "ch1=ecg:lead-II,ch8=emg,gain=8" };
	return fz_run("openbci", opts, sizeof(opts) / sizeof(opts[0]), data, size);
}
