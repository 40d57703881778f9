/*
 * channel.c - the pipe probe's section "channel": which end reads and
 * which writes, the notes' example, and two pipes for two directions.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "probe.h"
#include "pipe.h"

/* the notes' own example string and byte count */
static const char notes_text[] = "hdsjdskjhdsjk";
enum { NOTES_COUNT = 6 };

/* ---- ends: fd[0] reads, fd[1] writes (pipe(2)) ------------------------- */

static void ends(void)
{
	int fds[2];
	char c = 'x';

	make_pipe(fds, O_NONBLOCK);
	obs_outcome("ends.write_on_read_end", TRY(hang_ms(), write(fds[0], &c, 1)));
	obs_outcome("ends.read_on_write_end", TRY(hang_ms(), read(fds[1], &c, 1)));
	obs_outcome("lseek.read_end", TRY(0, lseek(fds[0], 0, SEEK_CUR)));
	obs_outcome("lseek.write_end", TRY(0, lseek(fds[1], 0, SEEK_CUR)));

	/* one pipe is one channel: a process that writes and then reads the
	 * same pipe gets its own bytes back, which is why a reply needs a
	 * second pipe */
	char back[5] = "";
	SETUP(write_all(fds[1], "ping", 4));
	obs_outcome_count("one_channel.read_back_bytes",
			  TRY(hang_ms(), read(fds[0], back, 4)));
	obs_str("one_channel.read_back_data", strcmp(back, "ping") ? "other" : "ping");
	close_pipe(fds);
}

/* ---- the notes' example: child writes 6 bytes, parent reads ------------ */

static int notes_child(void *arg)
{
	int *fds = arg;

	close(fds[0]);
	if (write(fds[1], notes_text, NOTES_COUNT) != NOTES_COUNT)
		return 1;
	close(fds[1]);
	return 0;
}

static void notes_example(void)
{
	int fds[2];
	char buf[1024] = { 0 };
	pid_t pid;

	make_pipe(fds, 0);
	pid = spawn(notes_child, fds);
	close(fds[1]);
	struct outcome o = TRY(hang_ms(), read(fds[0], buf, sizeof(buf)));
	obs_outcome_count("notes_example.read_bytes", o);
	obs_str("notes_example.data", o.ret > 0 ? buf : "none");
	obs_int("notes_example.child_exit", status_code(reap(pid, hang_ms())));
	close(fds[0]);
}

/* ---- two pipes make a full-duplex request/response --------------------- */

struct duplex { int to_child[2], to_parent[2]; };

static int duplex_child(void *arg)
{
	struct duplex *d = arg;
	char req[5];

	close(d->to_child[1]);
	close(d->to_parent[0]);
	return echo_answer(d->to_child[0], d->to_parent[1], req) ? 1 : 0;
}

static void duplex(void)
{
	struct duplex d;
	struct outcome o = { -1, 0, 0 };
	char reply[9];
	pid_t pid;
	int rc;

	make_pipe(d.to_child, 0);
	make_pipe(d.to_parent, 0);
	pid = spawn(duplex_child, &d);
	close(d.to_child[0]);
	close(d.to_parent[1]);
	rc = echo_ask(d.to_child[1], d.to_parent[0], "ping", reply, &o);
	if (rc == 1)
		probe_fail("write of the request", errno);
	obs_outcome_count("duplex.reply_bytes", o);
	obs_str("duplex.reply", rc == 0 ? "got-ping" : "other");
	reap(pid, hang_ms());
	close(d.to_child[1]);
	close(d.to_parent[0]);
}

void channel(void)
{
	ends();
	notes_example();
	duplex();
}
