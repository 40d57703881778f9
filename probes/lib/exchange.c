/*
 * exchange.c - the request and reply every family shows across its
 * channel: the asker sends a 4-byte request ("ping"), the answerer replies
 * "got-" and the request, 8 bytes.
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "probe.h"

/* write all of BUF under hang_ms(); a reader that has gone makes it fail
 * with EPIPE instead of killing this process with SIGPIPE */
static int put_all(int fd, const void *buf, size_t len)
{
	struct sigaction old;
	struct outcome o;

	ignore_sigpipe(&old);
	o = TRY(hang_ms(), write_all(fd, buf, len));
	restore_sigpipe(&old);
	return o.ret == (long)len ? 0 : -1;
}

int echo_answer(int in, int out, char req[5])
{
	char reply[8] = "got-";

	memset(req, 0, 5);
	if (TRY(hang_ms(), read_full(in, req, 4)).ret != 4)
		return 1;
	memcpy(reply + 4, req, 4);
	return put_all(out, reply, 8) ? 2 : 0;
}

int echo_ask(int out, int in, const char *req, char reply[9], struct outcome *read)
{
	char want[9] = "got-";
	struct outcome o;

	memset(reply, 0, 9);
	memcpy(want + 4, req, 4);
	if (put_all(out, req, 4))
		return 1;
	o = TRY(hang_ms(), read_full(in, reply, 8));
	if (read)
		*read = o;
	if (o.ret != 8)
		return 2;
	return strcmp(reply, want) ? 3 : 0;
}
