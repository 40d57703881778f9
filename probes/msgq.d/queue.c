/*
 * queue.c - the message queue probe's queues and messages: made, removed,
 * filled and read the same way by every section.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msgq.h"

/* ---- queues: made and removed with signals held (sysv.c) -------------- */

int new_queue(key_t key, int flags)
{
	struct outcome o = sysv_msgget(key, flags);

	if (o.ret == -1)
		probe_fail("msgget", o.err);
	return (int)o.ret;
}

int private_queue(void)
{
	return new_queue(IPC_PRIVATE, 0600);
}

void drop_queue(int id)
{
	struct outcome o = sysv_msgrmid(id);

	if (o.ret == -1)
		probe_fail("msgctl IPC_RMID", o.err);
}

void stat_queue(int id, struct msqid_ds *ds)
{
	SETUP(msgctl(id, IPC_STAT, ds));
}

void set_qbytes(int id, unsigned long bytes)
{
	struct msqid_ds ds;

	stat_queue(id, &ds);
	ds.msg_qbytes = bytes;
	SETUP(msgctl(id, IPC_SET, &ds));
}

/* ---- keys unique to the run (sysv.c) ---------------------------------- */

key_t fresh_key(const char *name, char *path, size_t size)
{
	return sysv_fresh_key(name, PROJ, path, size);
}

key_t new_key(const char *name)
{
	return sysv_fresh_key(name, PROJ, NULL, 0);
}

struct msginfo ipc_info(int cmd)
{
	struct msginfo mi;

	memset(&mi, 0, sizeof(mi));
	SETUP(msgctl(0, cmd, (struct msqid_ds *)(void *)&mi));
	return mi;
}

/* ---- messages ------------------------------------------------------------ */

struct outcome send_text(int id, long type, const char *text, int flags)
{
	struct msg m = { .mtype = type };
	size_t len = strlen(text);

	memcpy(m.mtext, text, len);
	return TRY(hang_ms(), msgsnd(id, &m, len, flags));
}

void put(int id, long type, const char *text)
{
	struct outcome o = send_text(id, type, text, IPC_NOWAIT);

	if (o.ret == -1)
		probe_fail("msgsnd", o.err);
}

struct outcome recv_text(int id, struct msg *m, size_t size, long type,
			 int flags, int ms)
{
	struct outcome o;

	memset(m, 0, sizeof(*m));
	o = TRY(ms, msgrcv(id, m, size, type, flags));
	if (o.ret >= 0 && (size_t)o.ret < sizeof(m->mtext))
		m->mtext[o.ret] = '\0';
	return o;
}

void obs_received(const char *name, struct outcome o, const struct msg *m)
{
	if (o.ret == -1)
		obs_outcome(name, o);
	else
		obs_str(name, o.ret > 0 ? m->mtext : "empty");
}

struct msg *big_msg(size_t len)
{
	struct msg *m = calloc(1, sizeof(struct msg) + len);

	if (!m)
		probe_fail("calloc", errno);
	m->mtype = 1;
	return m;
}

long long fill(int id, size_t len, long long max_msgs, struct outcome *last)
{
	struct msg *m = big_msg(len);
	long long bytes = 0;

	for (long long i = 0; i < max_msgs; i++) {
		*last = TRY(0, msgsnd(id, m, len, IPC_NOWAIT));
		if (last->ret == -1)
			break;
		bytes += (long long)len;
	}
	free(m);
	return bytes;
}

long long fill_count(int id, long long max_msgs, struct outcome *last)
{
	struct msg m = { .mtype = 1 };
	long long n = 0;

	while (n < max_msgs) {
		*last = TRY(0, msgsnd(id, &m, 0, IPC_NOWAIT));
		if (last->ret == -1)
			break;
		n++;
	}
	return n;
}

/* ---- the mixed queue the type claims receive from ------------------------ */

static const struct { long type; const char *text; } mixed[] = {
	{ 3, "3a" }, { 2, "2a" }, { 1, "1a" }, { 2, "2b" }, { 1, "1b" },
};

int mixed_queue(void)
{
	int id = private_queue();

	for (size_t i = 0; i < sizeof(mixed) / sizeof(mixed[0]); i++)
		put(id, mixed[i].type, mixed[i].text);
	return id;
}

void mixed_sent(char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(mixed) / sizeof(mixed[0]) && n < size; i++) {
		int w = snprintf(buf + n, size - n, "%s%s", i > 0 ? "-" : "", mixed[i].text);

		if (w < 0)
			break;
		n += (size_t)w;
	}
}
