/*
 * fuzz_drv_pulse.c - libFuzzer target for the PulseSensor Amped driver
 * (drivers/drv_pulse.c): line splitting, both output formats, beat
 * detection.
 * Input layout and checks: tests/fuzz/fuzz_drv.h. Seed corpus:
 * tests/fuzz/corpus/fuzz_drv_pulse/ (the vectors of tests/vectors/pulse/ behind
 * the two control bytes, and an emulator capture).
 */
#include "fuzz_drv.h"

extern const struct drv_ops drv_pulse_ops;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fz_run(&drv_pulse_ops, NULL, 2000.0, data, size);
}
