/*
 * msgq.h - what the System V message queue probe's files share: its
 * constants, the message layout, the queue and message helpers (queue.c)
 * and the sections each file defines (msgq.c lists them).
 */
#ifndef IPCVM_MSGQ_H
#define IPCVM_MSGQ_H

#include <stddef.h>
#include <sys/ipc.h>
#include <sys/msg.h>

#include "probe.h"

#ifndef MSG_COPY
#define MSG_COPY 040000		/* Linux 3.8, <linux/msg.h> */
#endif

/* capability bits (capabilities(7)); <linux/capability.h> clashes with libc */
enum {
	CAPBIT_SETGID = 6,
	CAPBIT_SETUID = 7,
	CAPBIT_IPC_OWNER = 15,
	CAPBIT_SYS_ADMIN = 21,
	CAPBIT_SYS_RESOURCE = 24,
};

/* the ftok() project id of every key this probe makes */
enum { PROJ = 'q' };

/* a message as msgop(2) describes it */
enum { TEXT_MAX = 64, MIN_MSGMNB = 128 };
struct msg {
	long mtype;
	char mtext[TEXT_MAX];
};

/* the largest queue the probe fills byte by byte, or message by message */
enum { FILL_BYTES_MAX = 1 << 20, FILL_COUNT_MAX = 1 << 16 };

/* ---- every section first: skip where the probe's messages cannot go -- */
void msgq_require(void);

/* ---- queues (queue.c): made and removed with signals held (sysv.c) ---- */
int new_queue(key_t key, int flags);
int private_queue(void);
void drop_queue(int id);
void stat_queue(int id, struct msqid_ds *ds);
void set_qbytes(int id, unsigned long bytes);
/* a key no object uses, from a file NAME.N in the scratch directory; PATH
 * (SIZE bytes) gets the file for a peer */
key_t fresh_key(const char *name, char *path, size_t size);
key_t new_key(const char *name);
/* msgctl(0, CMD) for IPC_INFO or MSG_INFO */
struct msginfo ipc_info(int cmd);

/* ---- messages (queue.c) ------------------------------------------------ */
struct outcome send_text(int id, long type, const char *text, int flags);
/* send with IPC_NOWAIT; a refusal is a hard error */
void put(int id, long type, const char *text);
/* receive into M as a NUL-terminated string; the outcome's ret is the length */
struct outcome recv_text(int id, struct msg *m, size_t size, long type,
			 int flags, int ms);
/* the text received, "empty", or the errno / TIMEOUT token */
void obs_received(const char *name, struct outcome o, const struct msg *m);
/* a zero-filled message buffer of type 1 for LEN bytes of text */
struct msg *big_msg(size_t len);
/* LEN-byte messages with IPC_NOWAIT until refused or MAX_MSGS sent: the
 * bytes accepted; *LAST gets the last outcome */
long long fill(int id, size_t len, long long max_msgs, struct outcome *last);
/* zero-length messages the same way: how many went in */
long long fill_count(int id, long long max_msgs, struct outcome *last);
/* a queue holding, in order: type 3 "3a", 2 "2a", 1 "1a", 2 "2b", 1 "1b" */
int mixed_queue(void);
/* those texts joined by '-', in the order sent */
void mixed_sent(char *buf, size_t size);

/* ---- the peer (keys.c) -------------------------------------------------- */
int peer_keyuser(int argc, char **argv);

/* ---- sections --------------------------------------------------------- */
void keys(void);		/* keys.c */
void stale_errno(void);
void bridge(void);
void perm_mode(void);		/* perm.c */
void perm_other(void);
void stat_use(void);		/* ctl.c */
void removal(void);
void fifo_order(void);		/* order.c */
void types(void);
void truncation(void);
void msg_copy(void);
void blocking(void);		/* blocking.c */
void eintr(void);
void limits(void);		/* limits.c */
void namespace_limits(void);	/* namespace.c */

/* ---- parts of the limits section (ctl.c): they judge against msgmnb ---- */
void stat_new(void);
void set_limits(long long msgmnb);

#endif
