/*
 * fuzz_drv_hrmi.c - libFuzzer target for the HRMI driver
 * (drivers/drv_hrmi.c): answer lines, field parsing, polling and timeouts.
 * Input layout and checks: tests/fuzz/fuzz_drv.h. Seed corpus:
 * tests/fuzz/corpus/fuzz_drv_hrmi/ (the vectors of tests/vectors/hrmi/ behind
 * the two control bytes, and an emulator capture).
 */
#include "fuzz_drv.h"

extern const struct drv_ops drv_hrmi_ops;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fz_run(&drv_hrmi_ops, NULL, 2000.0, data, size);
}
