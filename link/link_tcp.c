/*
 * link_tcp.c - the tcp link: a byte stream from a serial-to-TCP bridge
 * (ser2net, ESP-Link, socat), target "tcp:HOST:PORT".
 *
 * Problem: a bridge may be slow to answer or absent, yet the daemon's poll
 * loop must never stall on a connect().
 * Approach: a non-blocking socket; open() waits at most TCP_OPEN_WAIT_MS
 * for the connect to finish (so a refused local port is reported at once),
 * otherwise the link stays "connecting": pollfds asks for POLLOUT, read()
 * returns VG_ERR_AGAIN until the connect completes, then the socket error
 * (SO_ERROR) decides. TCP_NODELAY keeps commands small and prompt;
 * SO_KEEPALIVE notices a dead bridge. Refused, unreachable or timed-out
 * connects are VG_ERR_NODEV (the device is not there; the core retries);
 * a peer close is VG_ERR_EOF.
 * References: connect(2) (EINPROGRESS, SO_ERROR), ser2net(8).
 * Limits: name resolution (getaddrinfo) blocks: use numeric addresses or
 * names from /etc/hosts for a daemon that must not stall; the first address
 * returned is used; no TLS, no RFC 2217 (baud is the bridge's business).
 */
#include "link.h"
#include "link_impl.h"
#include "link_posix.h"
#include "link_target.h"
#include "vg_err.h"
#include "vg_log.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define TCP_OPEN_WAIT_MS 50
#define TCP_WRITE_TIMEOUT_MS 100
#define TCP_HOST_MAX 256

struct tcp_priv {
	int fd;         /* -1 when closed */
	int connecting; /* connect() in progress */
	int dead;       /* EOF or NODEV was reported */
	int dead_err;
};

static int tcp_connect_err(int errnum)
{
	switch (errnum) {
	case ECONNREFUSED:
	case ENETUNREACH:
	case EHOSTUNREACH:
	case ETIMEDOUT:
	case EHOSTDOWN:
	case ENETDOWN:
		return VG_ERR_NODEV;
	default:
		return vg_err_from_errno(errnum);
	}
}

/* Result of a connect in progress: 0 done, AGAIN still going, or error. */
static int tcp_finish_connect(struct link *l, struct tcp_priv *p, int wait_ms)
{
	int r = link_posix_wait(p->fd, POLLOUT, wait_ms);
	if (r < 0)
		return r;
	if (r == 0)
		return VG_ERR_AGAIN;
	int soerr = 0;
	socklen_t len = sizeof(soerr);
	if (getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
		soerr = errno;
	if (soerr) {
		vg_warnx("%s: connect: %s", link_target(l), strerror(soerr));
		p->dead = 1;
		p->dead_err = tcp_connect_err(soerr);
		return p->dead_err;
	}
	p->connecting = 0;
	vg_info("%s: connected", link_target(l));
	return VG_OK;
}

static int tcp_open(struct link *l, const char *addr, int baud)
{
	struct tcp_priv *p = link_priv(l);
	p->fd = -1;
	char host[TCP_HOST_MAX], port_s[8];
	uint16_t port;
	if (link_parse_host_port(addr, host, sizeof(host), &port) < 0) {
		vg_warnx("%s: expected HOST:PORT or [IPV6]:PORT", addr);
		return VG_ERR_INVAL;
	}
	snprintf(port_s, sizeof(port_s), "%u", (unsigned)port);
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_STREAM,
		.ai_flags = AI_NUMERICSERV,
	};
	struct addrinfo *ai = NULL;
	int gr = getaddrinfo(host, port_s, &hints, &ai);
	if (gr != 0 || !ai) {
		vg_warnx("%s: %s", host, gai_strerror(gr));
		if (gr == EAI_MEMORY)
			return VG_ERR_NOMEM;
		return gr == EAI_AGAIN ? VG_ERR_NODEV : VG_ERR_NOTFOUND;
	}
	p->fd = socket(ai->ai_family,
		       ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       ai->ai_protocol);
	if (p->fd < 0) {
		int e = vg_err_from_errno(errno);
		vg_warn("socket");
		freeaddrinfo(ai);
		return e;
	}
	int one = 1;
	setsockopt(p->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(p->fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
	int r = connect(p->fd, ai->ai_addr, ai->ai_addrlen);
	int cerr = errno;
	freeaddrinfo(ai);
	if (r == 0)
		return VG_OK;
	if (cerr != EINPROGRESS) {
		vg_warnx("%s: connect: %s", link_target(l), strerror(cerr));
		return tcp_connect_err(cerr);
	}
	p->connecting = 1;
	int e = tcp_finish_connect(l, p, TCP_OPEN_WAIT_MS);
	if (e == VG_ERR_AGAIN)
		return VG_OK; /* completes later, see tcp_read */
	return e;
}

static void tcp_close(struct link *l)
{
	struct tcp_priv *p = link_priv(l);
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
}

static int tcp_read(struct link *l, uint8_t *buf, size_t cap)
{
	struct tcp_priv *p = link_priv(l);
	if (p->dead)
		return p->dead_err;
	if (p->connecting) {
		int e = tcp_finish_connect(l, p, 0);
		if (e < 0)
			return e;
	}
	ssize_t n = recv(p->fd, buf, cap, 0);
	if (n > 0)
		return (int)n;
	int e = n == 0 ? VG_ERR_EOF : link_posix_read_err(errno);
	if (e == VG_ERR_AGAIN)
		return e;
	if (n < 0 && e != VG_ERR_EOF && e != VG_ERR_NODEV)
		vg_warn("%s: recv", link_target(l));
	else
		vg_info("%s: connection closed (%s)", link_target(l),
			vg_strerror(e));
	p->dead = 1;
	p->dead_err = e;
	return e;
}

static int tcp_write(struct link *l, const uint8_t *buf, size_t n)
{
	struct tcp_priv *p = link_priv(l);
	if (p->dead)
		return p->dead_err;
	if (p->connecting) {
		int e = tcp_finish_connect(l, p, TCP_WRITE_TIMEOUT_MS);
		if (e == VG_ERR_AGAIN)
			return VG_ERR_TIMEOUT;
		if (e < 0)
			return e;
	}
	int e = link_posix_write_all(p->fd, buf, n, TCP_WRITE_TIMEOUT_MS, 1);
	if (e == VG_ERR_EOF || e == VG_ERR_NODEV) {
		p->dead = 1;
		p->dead_err = e;
	}
	return e;
}

static int tcp_pollfds(struct link *l, struct pollfd *fds, int max)
{
	struct tcp_priv *p = link_priv(l);
	if (max < 1 || p->fd < 0)
		return 0;
	fds[0].fd = p->fd;
	fds[0].events = p->connecting ? POLLOUT : POLLIN;
	return 1;
}

/* After poll(): finish a pending connect so the next pollfds asks for
 * POLLIN. Never blocks. */
static int tcp_handle(struct link *l)
{
	struct tcp_priv *p = link_priv(l);
	if (p->dead)
		return p->dead_err;
	if (p->connecting) {
		int e = tcp_finish_connect(l, p, 0);
		return e == VG_ERR_AGAIN ? VG_OK : e;
	}
	return VG_OK;
}

const struct link_ops link_tcp_ops = {
	.scheme = "tcp",
	.priv_size = sizeof(struct tcp_priv),
	.open = tcp_open,
	.close = tcp_close,
	.read = tcp_read,
	.write = tcp_write,
	.pollfds = tcp_pollfds,
	.handle = tcp_handle,
	.options = NULL,
};
