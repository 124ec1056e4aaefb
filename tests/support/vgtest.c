/*
 * vgtest.c - test helpers (see vgtest.h).
 */
#include "vgtest.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

const char *vgt_data(const char *rel)
{
	static char buf[4096];
	const char *d = getenv("VG_DATA");
	snprintf(buf, sizeof(buf), "%s/%s", d ? d : "../shared/data", rel);
	return buf;
}

const char *vgt_bin(const char *name)
{
	static char buf[4096];
	const char *d = getenv("VG_BIN");
	snprintf(buf, sizeof(buf), "%s/%s", d ? d : "build/bin", name);
	return buf;
}

int vgt_free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	struct sockaddr_in a = { .sin_family = AF_INET };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof(a);
	int port = -1;
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	close(fd);
	return port;
}
