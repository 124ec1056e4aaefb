#!/usr/bin/env python3
"""make_vectors.py - build the byte-exact driver vectors in tests/vectors/.

Problem: each driver needs captures with known content (documented example
frames, leading garbage, corrupted checksums/CRCs, counter wraps and gaps)
and the exact JSON lines vagus-decode must print for them.
Approach: this script encodes frames from the layouts in
../shared/docs/protocols.md (sections 2-4) independently of the C drivers,
writes NAME.bin (the capture), NAME.opts (driver options, one line) and
NAME.json (the expected output, computed here from the values encoded and
the counting rules documented in each driver's header). Sample values are
rounded to float32 like the drivers' output. tests/unit/test_vectors.c
decodes every NAME.bin with several read splits and compares.
Run from the project root: python3 tests/vectors/make_vectors.py
Limits: covers OpenBCI, BITalino and P2 (the other drivers' vectors come
from their own script); values are compared with a small tolerance.
"""
import os
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)))


def f32(x):
    return struct.unpack('<f', struct.pack('<f', x))[0]


class Out:
    """Collects the expected JSON lines and the stats of one vector."""

    def __init__(self, channels):
        self.lines = []
        self.channels = channels  # list of (label, kind, rate, unit)
        self.index = [0] * len(channels)
        self.st = dict(frames_ok=0, garbage_bytes=0, checksum_errors=0,
                       gaps=0, samples_missing=0)
        for i, (label, kind, rate, unit) in enumerate(channels):
            self.lines.append('{"topic":"channel","ch":%d,"label":"%s","kind":"%s",'
                              '"rate_hz":%.3f,"unit":"%s"}' % (i, label, kind, rate, unit))

    def row(self, values):
        for ch, v in enumerate(values):
            unit = self.channels[ch][3]
            prec = 6 if unit == 'mV' else 4
            self.lines.append('{"topic":"sample","ch":%d,"label":"%s","index":%d,'
                              '"value":%.*f}' % (ch, self.channels[ch][0],
                                                 self.index[ch], prec, f32(v)))
            self.index[ch] += 1
        self.st['frames_ok'] += 1

    def gap(self, n):
        self.lines.append('{"topic":"gap","missing":%d}' % n)
        self.st['gaps'] += 1
        self.st['samples_missing'] += n
        self.index = [i + n for i in self.index]

    def info(self, key, value):
        self.lines.append('{"topic":"info","key":"%s","value":"%s"}' % (key, value))

    def finish(self, nbytes):
        s = self.st
        self.lines.append('{"topic":"stats","bytes_in":%d,"frames_ok":%d,"garbage_bytes":%d,'
                          '"checksum_errors":%d,"gaps":%d,"samples_missing":%d,"beats":0}'
                          % (nbytes, s['frames_ok'], s['garbage_bytes'], s['checksum_errors'],
                             s['gaps'], s['samples_missing']))
        return '\n'.join(self.lines) + '\n'


def write(driver, name, data, opts, expected):
    d = os.path.join(ROOT, driver)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name + '.bin'), 'wb') as f:
        f.write(data)
    with open(os.path.join(d, name + '.opts'), 'w') as f:
        f.write(opts + '\n')
    with open(os.path.join(d, name + '.json'), 'w') as f:
        f.write(expected)


# Garbage with no printable runs, including the sync/footer bytes of all
# three protocols (A0, C0, A5, 5A) in harmless positions.
GARBAGE = bytes([0x00, 0xA0, 0x01, 0xFF, 0xC0, 0x5A, 0xA5, 0x13, 0x80, 0xA0,
                 0x99, 0x0E, 0xC3, 0xFE])

# ---------------------------------------------------------------- OpenBCI
OB_SCALE = 4.5 / 24.0 / 8388607.0 * 1e6  # uV per count, gain 24
OB_ALL_EMG = ','.join('ch%d=emg' % c for c in range(1, 9))


def ob_packet(seq, counts, aux=b'\x00' * 6, footer=0xC0):
    b = bytearray([0xA0, seq & 0xFF])
    for c in counts:
        b += struct.pack('>i', c)[1:]
    b += aux + bytes([footer])
    assert len(b) == 33
    return bytes(b)


def ob_channels(kinds):
    out = []
    for k in kinds:
        out.append(('ECG', 'ecg', 250.0, 'mV') if k == 'ecg' else ('EMG', 'emg', 250.0, 'uV'))
    return out


def ob_row(counts, kinds):
    vals = []
    for c, k in zip(counts, kinds):
        uv = c * OB_SCALE
        vals.append(uv / 1000.0 if k == 'ecg' else uv)
    return vals


def openbci():
    doc = [0, 1, -1, 0x1000, -0x1000, 0x7FFFFF, -0x800000, 0x1BF]
    aux = bytes([0, 0, 0, 0, 0x1F, 0x40])
    # 1. documented packet, then two more with the same content
    kinds = ['emg'] * 8
    chans = ob_channels(kinds) + [('ACC X', 'aux', 250.0, 'g'), ('ACC Y', 'aux', 250.0, 'g'),
                                  ('ACC Z', 'aux', 250.0, 'g')]
    o = Out(chans)
    data = b''
    for seq in (5, 6, 7):
        data += ob_packet(seq, doc, aux)
        o.row(ob_row(doc, kinds) + [0.0, 0.0, 8000 * (0.002 / 16.0)])
    write('openbci', 'example', data, OB_ALL_EMG + ',accel=1', o.finish(len(data)))

    # 2. leading garbage, default map (ch1 ECG, ch2-3 EMG), counter wrap
    kinds = ['ecg', 'emg', 'emg']
    o = Out(ob_channels(kinds))
    data = GARBAGE
    o.st['garbage_bytes'] += len(GARBAGE)
    for i, seq in enumerate((253, 254, 255, 0, 1, 2)):
        counts = [40000 + 1000 * i, -2000 * i, 123 * i, 0, 0, 0, 0, 0]
        data += ob_packet(seq, counts)
        o.row(ob_row(counts[:3], kinds))
    write('openbci', 'garbage_wrap', data, '', o.finish(len(data)))

    # 3. a packet with a bad footer while locked: one checksum error, its
    # 33 bytes skipped as garbage, resync, gap of one
    o = Out(ob_channels(kinds))
    data = b''
    for seq in range(10, 16):
        counts = [seq * 100, -seq, seq, 0, 0, 0, 0, 0]
        if seq == 12:
            data += ob_packet(seq, counts, footer=0x7E)
            o.st['checksum_errors'] += 1
            o.st['garbage_bytes'] += 33
            continue
        if seq == 13:
            o.gap(1)
        data += ob_packet(seq, counts)
        o.row(ob_row(counts[:3], kinds))
    write('openbci', 'bad_footer', data, '', o.finish(len(data)))

    # 4. real gap (packets 22-24 lost) and a corrupted counter (packet 30
    # carries 0x9E): dropped, checksum error, gap of one
    o = Out(ob_channels(kinds))
    data = b''
    for seq in list(range(20, 22)) + list(range(25, 34)):
        counts = [seq * 1000, seq * -10, seq, 0, 0, 0, 0, 0]
        if seq == 25:
            o.gap(3)
        if seq == 30:
            data += ob_packet(0x9E, counts)
            o.st['checksum_errors'] += 1
            o.gap(1)
            continue
        data += ob_packet(seq, counts)
        o.row(ob_row(counts[:3], kinds))
    write('openbci', 'gaps', data, '', o.finish(len(data)))

    # 5. the start-up replies before the packets (text counts as garbage)
    text = (b'OpenBCI V3 8-16 channel\nOn Board ADS1299 Device ID: 0x3E\n'
            b'LIS3DH Device ID: 0x33\nFirmware: v3.1.2\n$$$'
            b'Updating channel settings to default$$$')
    kinds = ['ecg', 'emg']
    o = Out([('ECG lead-II', 'ecg', 250.0, 'mV'), ('EMG trapezius-left', 'emg', 250.0, 'uV')])
    for line in (b'OpenBCI V3 8-16 channel', b'On Board ADS1299 Device ID: 0x3E',
                 b'LIS3DH Device ID: 0x33', b'Firmware: v3.1.2',
                 b'Updating channel settings to default'):
        o.info('reply', line.decode())
    data = text
    o.st['garbage_bytes'] += len(text)
    for seq in range(0, 4):
        counts = [44739 * seq, 4474 * seq, 0, 0, 0, 0, 0, 0]
        data += ob_packet(seq, counts)
        o.row(ob_row(counts[:2], kinds))
    write('openbci', 'handshake', data, 'ch1=ecg:lead-II,ch2=emg:trapezius-left',
          o.finish(len(data)))


# ---------------------------------------------------------------- BITalino
CRC4 = [0, 3, 6, 5, 0xC, 0xF, 0xA, 9, 0xB, 8, 0xD, 0xE, 7, 4, 1, 2]


def crc4(frame):
    crc = 0
    for b in frame[:-1]:
        crc = CRC4[crc] ^ (b >> 4)
        crc = CRC4[crc] ^ (b & 0xF)
    crc = CRC4[crc] ^ (frame[-1] >> 4)
    return CRC4[crc]


def bit_frame(seq, adcs, digital=0):
    n = len(adcs)
    size = n + 2 + (1 if 3 <= n <= 5 else 0)
    f = bytearray(size)
    q = size

    def at(k):
        return q + k  # k negative
    for k, v in enumerate(adcs):
        if k == 0:
            f[at(-2)] |= (v >> 6) & 0xF
            f[at(-3)] |= (v & 0x3F) << 2
        elif k == 1:
            f[at(-3)] |= (v >> 8) & 3
            f[at(-4)] = v & 0xFF
        elif k == 2:
            f[at(-5)] = v >> 2
            f[at(-6)] |= (v & 3) << 6
        elif k == 3:
            f[at(-6)] |= (v >> 4) & 0x3F
            f[at(-7)] |= (v & 0xF) << 4
        elif k == 4:
            f[at(-7)] |= (v >> 2) & 0xF
            f[at(-8)] |= (v & 3) << 6
        else:
            f[at(-8)] |= v & 0x3F
    f[at(-2)] |= (digital & 0xF) << 4
    f[-1] = (seq & 0xF) << 4
    f[-1] |= crc4(f)
    return bytes(f)


def bit_value(adc, pos, kind, ecg_gain=1100.0, emg_gain=1009.0):
    full = 1024.0 if pos < 4 else 64.0
    rel = adc / full - 0.5
    if kind == 'ecg':
        return rel * 3.3 / ecg_gain * 1000.0
    return rel * 3.3 / emg_gain * 1000.0 * 1000.0


def bit_channels(kinds, rate=1000.0):
    return [('ECG', 'ecg', rate, 'mV') if k == 'ecg' else ('EMG', 'emg', rate, 'uV')
            for k in kinds]


def bitalino():
    # check the documented frames first
    assert bit_frame(5, [512, 600, 1023, 0, 33, 63], 0b1010) == bytes.fromhex('7F08C0FF5802A853')
    assert bit_frame(0, [512]) == bytes.fromhex('00080E')
    assert bit_frame(15, [700, 300]) == bytes.fromhex('2CF10AF8')
    assert bit_frame(3, [1, 2, 3], 0xF) == bytes.fromhex('C0000204F036')

    # 1. six channels: the documented frame and two more
    kinds = ['emg'] * 6
    o = Out(bit_channels(kinds))
    data = b''
    for seq, adcs in ((5, [512, 600, 1023, 0, 33, 63]), (6, [100, 200, 300, 400, 10, 20]),
                      (7, [1023, 0, 512, 511, 63, 0])):
        data += bit_frame(seq, adcs, 0b1010)
        o.row([bit_value(a, k, 'emg') for k, a in enumerate(adcs)])
    write('bitalino', 'six_channels', data, ','.join('ch%d=emg' % c for c in range(1, 7)),
          o.finish(len(data)))

    # 2. one channel (ECG) behind the version reply and garbage; seq wrap
    kinds = ['ecg']
    o = Out(bit_channels(kinds))
    text = b'BITalino_v5.2\n'
    o.info('version', 'BITalino_v5.2')
    data = text + GARBAGE
    o.st['garbage_bytes'] += len(text) + len(GARBAGE)
    for i in range(20):
        adc = 512 + 20 * i
        data += bit_frame((13 + i) & 15, [adc])
        o.row([bit_value(adc, 0, 'ecg')])
    write('bitalino', 'one_channel_wrap', data, 'ch1=ecg', o.finish(len(data)))

    # 3. two channels, default map (A1 ECG, A2 EMG); a frame with one bit
    # flipped (CRC fails) while locked: checksum error, its bytes skipped,
    # relock after 3 good frames, gap of one
    kinds = ['ecg', 'emg']
    o = Out(bit_channels(kinds))
    data = b''
    for i in range(12):
        adcs = [700 - 10 * i, 300 + 7 * i]
        f = bit_frame(i, adcs)
        if i == 5:
            f = bytearray(f)
            f[1] ^= 0x10
            data += bytes(f)
            o.st['checksum_errors'] += 1
            o.st['garbage_bytes'] += len(f)
            continue
        if i == 6:
            o.gap(1)
        data += f
        o.row([bit_value(adcs[0], 0, 'ecg'), bit_value(adcs[1], 1, 'emg')])
    write('bitalino', 'bad_crc', data, '', o.finish(len(data)))

    # 4. three channels: lock on 1, 2 and the documented frame 3, then
    # frames 4..9 lost
    kinds = ['ecg', 'emg', 'emg']
    o = Out(bit_channels(kinds))
    data = b''
    for seq in (1, 2, 3, 10, 11, 12, 13):
        adcs = [1, 2, 3] if seq == 3 else [seq, 1000 - seq, 512]
        if seq == 10:
            o.gap(6)
        data += bit_frame(seq, adcs, 0xF)
        o.row([bit_value(adcs[0], 0, 'ecg'), bit_value(adcs[1], 1, 'emg'),
               bit_value(adcs[2], 2, 'emg')])
    write('bitalino', 'three_channels_gap', data, 'ch1=ecg,ch2=emg,ch3=emg',
          o.finish(len(data)))


# ---------------------------------------------------------------- P2
P2_UV = 5.0 / 1024.0 / 2848.0 * 1e6


def p2_packet(seq, adcs, switches=1, version=2):
    b = bytearray([0xA5, 0x5A, version, seq & 0xFF])
    for a in adcs:
        b += struct.pack('>H', a)
    b.append(switches)
    return bytes(b)


def p2():
    assert p2_packet(0, [512] * 6) == bytes.fromhex('A55A020002000200020002000200020001')
    assert p2_packet(0xFF, [600, 512, 1023, 0, 300, 512]) == \
        bytes.fromhex('A55A02FF025802000 3FF0000012C020001'.replace(' ', ''))

    # 1. the documented packets (all channels EMG in uV, baseline 512)
    kinds = ['emg'] * 6
    o = Out([('EMG', 'emg', 256.0, 'uV')] * 6)
    data = b''
    for seq, adcs in ((0xFE, [512] * 6), (0xFF, [600, 512, 1023, 0, 300, 512]),
                      (0x00, [430, 512, 512, 512, 512, 512]), (0x01, [512, 513, 511, 0, 1, 2])):
        data += p2_packet(seq, adcs)
        o.row([(a - 512.0) * P2_UV for a in adcs])
    write('p2', 'example_wrap', data, ','.join('ch%d=emg' % c for c in range(1, 7)) +
          ',baseline=512', o.finish(len(data)))

    # 2. default map (ch1 ECG mV, ch2 EMG uV), baseline estimated at run
    # time; leading garbage; a packet with CR LF after it (forks)
    o = Out([('ECG', 'ecg', 256.0, 'mV'), ('EMG', 'emg', 256.0, 'uV')])
    data = GARBAGE
    o.st['garbage_bytes'] += len(GARBAGE)
    base = [None, None]
    alpha = 1.0 / (2.0 * 256.0)
    for i in range(10):
        adcs = [300 + 37 * (i % 4), 512 + (-1) ** i * 50, 512, 512, 512, 512]
        data += p2_packet(i, adcs)
        if i == 4:
            data += b'\r\n'
        vals = []
        for k in range(2):
            raw = float(adcs[k])
            if base[k] is None:
                base[k] = raw
            else:
                base[k] += (raw - base[k]) * alpha
            uv = (raw - base[k]) * P2_UV
            vals.append(uv / 1000.0 if k == 0 else uv)
        o.row(vals)
    write('p2', 'garbage_crlf_baseline', data, '', o.finish(len(data)))

    # 3. a packet whose high byte is damaged (> 03): checksum error, its
    # bytes skipped as garbage, gap of one; then packets 7..9 lost
    o = Out([('ECG', 'ecg', 256.0, 'mV'), ('EMG', 'emg', 256.0, 'uV')])
    data = b''
    for seq in (1, 2, 3, 4, 5, 9, 10, 11):
        adcs = [300 + seq, 512 - seq, 512, 512, 512, 512]
        p = bytearray(p2_packet(seq, adcs))
        if seq == 3:
            p[6] |= 0x40
            data += bytes(p)
            o.st['checksum_errors'] += 1
            o.st['garbage_bytes'] += 17
            continue
        if seq == 4:
            o.gap(1)
        if seq == 9:
            o.gap(3)
        data += bytes(p)
        o.row([(adcs[0] - 300.0) * P2_UV / 1000.0, (adcs[1] - 512.0) * P2_UV])
    write('p2', 'damaged_gap', data, 'baseline1=300,baseline2=512', o.finish(len(data)))


if __name__ == '__main__':
    openbci()
    bitalino()
    p2()
