/*
 * pipe.d/pipe.c - what the kernel does with anonymous pipes: ends, EOF, SIGPIPE,
 * blocking and O_NONBLOCK, capacity and F_SETPIPE_SZ (with the per-user
 * limits), PIPE_BUF atomicity and its control, pipes between any holders
 * of the descriptors, and the buffer that outlives its writer.  Records
 * only; cases/pipe.bats judges.
 *
 * One program in sections (probes/lib/probe.h), one file per group:
 * channel.c (ends, the notes' example, two pipes for two directions),
 * holders.c (who holds the ends: siblings, a passed descriptor, EOF, no
 * reader), flags.c (blocking, O_NONBLOCK, capacity, F_SETPIPE_SZ) and
 * buffer.c (PIPE_BUF atomicity, the kernel buffer).
 */
#include "config.h"

#include <fcntl.h>
#include <unistd.h>

#include "probe.h"
#include "pipe.h"

const char PROBE_NAME[] = "pipe";

const struct peer_role probe_peers[] = {
	{ "scm", peer_scm },
	{ 0 },
};

const struct probe_section probe_sections[] = {
	SECTION(channel, "PIPE-END-READ PIPE-END-WRITE PIPE-LSEEK PIPE-ONE-CHANNEL "
		"PIPE-NOTES-EXAMPLE PIPE-DUPLEX"),
	SECTION(holders, "PIPE-SIBLINGS PIPE-PASSED-FD PIPE-EOF PIPE-EOF-OWN-COPY "
		"PIPE-EOF-OTHER-WRITER"),
	SECTION(no_reader, "PIPE-SIGPIPE PIPE-EPIPE"),
	SECTION(flags, "PIPE-BLOCKING PIPE2-FLAGS PIPE-SETFL PIPE-NONBLOCK-EMPTY "
		"PIPE-NONBLOCK-FULL PIPE-CAPACITY-FILL"),
	SECTION(capacity, "PIPE-CAPACITY PIPE-SETSZ-ROUND PIPE-SETSZ-MAX "
		"PIPE-SETSZ-ABOVE-MAX PIPE-SETSZ-BUSY"),
	SECTION(buffer, "PIPE-BUF PIPE-ATOMIC PIPE-ATOMIC-CONTROL PIPE-FIONREAD "
		"PIPE-KERNEL-BUFFER"),
	{ 0 }
};

void make_pipe(int fds[2], int flags)
{
	SETUP(pipe2(fds, flags));
}

void close_pipe(int fds[2])
{
	close(fds[0]);
	close(fds[1]);
}

int flag_set(int fd, int cmd, int bit)
{
	return (SETUP(fcntl(fd, cmd)) & bit) != 0;
}

void set_nonblock(int fd)
{
	SETUP(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK));
}
