/*
 * ant_msg.h - ANT serial message framing shared by the ANT driver and its
 * emulator: SYNC(A4) LEN ID payload[LEN] CHK, CHK = XOR of SYNC..payload.
 *
 * Problem: the driver (drv_ant.c) and the emulator (emu_ant.c) both build and
 * check ANT messages; the message ids, HRM constants and the checksum must
 * agree in one place.
 * Approach: constants named after the ANT message protocol (ids from
 * Tigge/openant openant/base/message.py, event codes from Dynastream's
 * antdefines.h, as summarised in ../shared/docs/protocols.md section 1) and
 * two small inline functions. Header-only on purpose: the emulator in sim/
 * includes it without linking anything of drivers/ (docs/ARCHITECTURE.md).
 * Limits: payload up to ANT_MAX_LEN (41) bytes, as in MESG_MAX_SIZE_VALUE.
 */
#ifndef DRV_ANT_MSG_H
#define DRV_ANT_MSG_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define ANT_SYNC 0xA4u
#define ANT_MAX_LEN 41u          /* largest payload (extended messages) */
#define ANT_MSG_MAX (ANT_MAX_LEN + 4u) /* sync + len + id + payload + chk */

/* message ids */
#define ANT_ID_EVENT 0x01u        /* in a channel response: a channel event */
#define ANT_ID_CHAN_RESPONSE 0x40u
#define ANT_ID_UNASSIGN 0x41u
#define ANT_ID_ASSIGN 0x42u
#define ANT_ID_PERIOD 0x43u
#define ANT_ID_SEARCH_TIMEOUT 0x44u
#define ANT_ID_RF_FREQ 0x45u
#define ANT_ID_NETWORK_KEY 0x46u
#define ANT_ID_RESET 0x4Au
#define ANT_ID_OPEN 0x4Bu
#define ANT_ID_CLOSE 0x4Cu
#define ANT_ID_REQUEST 0x4Du
#define ANT_ID_BROADCAST 0x4Eu
#define ANT_ID_ACK_DATA 0x4Fu
#define ANT_ID_CHANNEL_ID 0x51u
#define ANT_ID_LIB_CONFIG 0x66u   /* extended messages on/off */
#define ANT_ID_STARTUP 0x6Fu

/* channel events (ANT_ID_CHAN_RESPONSE with msg id ANT_ID_EVENT) */
#define ANT_EV_RX_SEARCH_TIMEOUT 0x01u
#define ANT_EV_RX_FAIL 0x02u
#define ANT_EV_CHANNEL_CLOSED 0x07u
#define ANT_EV_RX_FAIL_GO_TO_SEARCH 0x08u

/* ANT+ heart-rate monitor profile */
#define ANT_HRM_DEVICE_TYPE 0x78u /* 120 */
#define ANT_HRM_PERIOD 8070u      /* 32768/8070 = 4.06 messages/s */
#define ANT_HRM_RF 57u            /* 2457 MHz */
#define ANT_EXT_FLAG_ID 0x80u     /* extended data carries the channel id */

/* XOR of n bytes. */
static inline uint8_t ant_xor(const uint8_t *p, size_t n)
{
	uint8_t x = 0;
	for (size_t i = 0; i < n; i++)
		x ^= p[i];
	return x;
}

/* Build a message into out (>= n + 4 bytes); returns its length, or 0 when
 * n > ANT_MAX_LEN. */
static inline size_t ant_msg_build(uint8_t *out, uint8_t id,
				   const uint8_t *payload, size_t n)
{
	if (n > ANT_MAX_LEN)
		return 0;
	out[0] = ANT_SYNC;
	out[1] = (uint8_t)n;
	out[2] = id;
	if (n)
		memcpy(out + 3, payload, n);
	out[3 + n] = ant_xor(out, 3 + n);
	return n + 4;
}

#endif
