#!/usr/bin/env bash
# vectors_drvb.sh - the golden files of the ANT+, PulseSensor and HRMI
# vectors (tests/vectors/{ant,pulse,hrmi}/NAME.json, vagus-decode's JSON
# lines) must be reproduced exactly by vagus-decode for reads of 1, 3, 13
# and 4096 bytes. The documented values behind them (NAME.expect) are
# checked under every split by tests/unit/test_drv_{ant,pulse,hrmi}.c.
# Prints PASS/FAIL lines (tests/run.sh counts them).
set -u
root=${VG_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
dec=${VG_BIN:-$root/build/bin}/vagus-decode
if [ ! -x "$dec" ]; then echo "FAIL vectors_drvb: $dec not built"; exit 1; fi
for drv in ant pulse hrmi; do
  for bin in "$root"/tests/vectors/$drv/*.bin; do
    name=$drv/$(basename "$bin" .bin)
    base=${bin%.bin}
    opts=$(head -n1 "$base.opts" 2>/dev/null)
    ok=1
    for chunk in 1 3 13 4096; do
      if ! "$dec" -c "$chunk" -o "$opts" "$drv" "$bin" 2>/dev/null | cmp -s - "$base.json"; then
        echo "FAIL $name (reads of $chunk bytes differ from $base.json)"; ok=0
      fi
    done
    [ $ok = 1 ] && echo "PASS $name"
  done
done
exit 0
