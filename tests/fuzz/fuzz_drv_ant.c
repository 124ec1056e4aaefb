/*
 * fuzz_drv_ant.c - libFuzzer target for the ANT+ heart-rate driver
 * (drivers/drv_ant.c): framing, rescans after false syncs, the start-up
 * state machine, HRM page decoding and RR.
 * Input layout and checks: tests/fuzz/fuzz_drv.h. Seed corpus:
 * tests/fuzz/corpus/fuzz_drv_ant/ (the vectors of tests/vectors/ant/ behind
 * the two control bytes, and an emulator capture).
 */
#include "fuzz_drv.h"

extern const struct drv_ops drv_ant_ops;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fz_run(&drv_ant_ops, "network_key=00 11 22 33 44 55 66 77", 2000.0, data, size);
}
