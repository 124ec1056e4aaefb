/*
 * fuzz_console.c - libFuzzer target for vagus-console's model and keys:
 * whatever the network sends (any topic, any JSON, any size) and whatever
 * keys are pressed, the console must neither crash nor overrun a field.
 * Input: a message, optionally followed by a NUL and key bytes (bytes from
 * 0xf0 map to the CON_KEY_* codes); the message is also used as the reply
 * to any request the keys produce. The model persists across inputs (as
 * it does in the console) and is reset every 1000 inputs.
 */
#include "../../tools/vagus-console/keys.c"
#include "../../tools/vagus-console/model.c"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct con_model m;
	static struct con_ui u;
	static unsigned runs;
	if (runs++ % 1000 == 0) {
		con_model_init(&m);
		con_ui_init(&u);
	}
	const uint8_t *nul = memchr(data, 0, size);
	size_t mlen = nul ? (size_t)(nul - data) : size;
	/* exact-size copy so a read past the end is caught */
	char *msg = malloc(mlen + 1);
	if (!msg)
		return 0;
	memcpy(msg, data, mlen);
	double now = runs * 0.37;
	con_model_feed(&m, msg, mlen, now);
	msg[mlen] = '\0';
	char req[1024], out[512];
	for (size_t i = mlen + 1; nul && i < size; i++) {
		int key = data[i] >= 0xf0 ? CON_KEY_UP + (data[i] - 0xf0) : data[i];
		if (con_ui_key(&u, &m, key, req, sizeof(req), now))
			con_ui_reply(&u, &m, data[i] & 1 ? (int)mlen : VG_ERR_TIMEOUT, msg, now);
		u.quit = 0;
	}
	const char *from;
	con_ui_prompt(&u, &m, out, sizeof(out));
	con_model_problems(&m, now + 3, out, sizeof(out));
	con_model_breathing(&m, now, &from);
	con_model_session_s(&m, now);
	con_model_hold_s(&m, now);
	con_ui_region(&u, &m);
	free(msg);
	return 0;
}
