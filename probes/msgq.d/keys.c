/*
 * keys.c - msgget and its keys: IPC_CREAT, IPC_EXCL, IPC_PRIVATE
 * (msgget(2)), errno after a msgget that succeeded (errno(3)), and the key
 * as the bridge between unrelated processes (the notes; ftok(3)).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>

#include "msgq.h"
#include "names.h"

/* ---- msgget: keys, IPC_CREAT, IPC_EXCL, IPC_PRIVATE (msgget(2)) -------- */

void keys(void)
{
	key_t key, other;
	struct outcome a, b, c;

	msgq_require();
	key = new_key("get");
	other = new_key("excl");
	obs_outcome("get.unused_key", sysv_msgget(key, 0600));
	a = sysv_msgget(key, IPC_CREAT | 0600);
	obs_outcome("get.creat", a);
	b = sysv_msgget(key, IPC_CREAT | 0600);
	c = sysv_msgget(key, 0600);
	obs_bool("get.same_id_with_creat", a.ret != -1 && b.ret == a.ret);
	obs_bool("get.same_id_without_creat", a.ret != -1 && c.ret == a.ret);
	obs_outcome("get.excl_existing", sysv_msgget(key, IPC_CREAT | IPC_EXCL | 0600));
	obs_outcome("get.excl_new", sysv_msgget(other, IPC_CREAT | IPC_EXCL | 0600));

	/* IPC_PRIVATE needs no IPC_CREAT and never finds an old queue */
	a = sysv_msgget(IPC_PRIVATE, 0600);
	b = sysv_msgget(IPC_PRIVATE, 0600);
	obs_outcome("get.private.first", a);
	obs_outcome("get.private.second", b);
	obs_bool("get.private.distinct_ids", a.ret != -1 && b.ret != -1 && a.ret != b.ret);
}

/* ---- errno after a call that succeeded (errno(3)) ----------------------- */

/*
 * The notes test errno after msgget without looking at its return value.
 * A failed msgget sets errno; a later msgget that succeeds leaves it as it
 * was, so the notes' `if (errno == ENOENT)` reports a missing queue that
 * was just created.  The second msgget is sysv_msgget's made-and-registered
 * window written out: sysv_msgget's TRY() would clear errno first.
 */
void stale_errno(void)
{
	key_t key;
	struct outcome o;
	sigset_t old;
	int id, after;

	msgq_require();
	key = new_key("stale");
	o = sysv_msgget(key, 0600);
	obs_outcome("stale.failed_call", o);
	errno = o.err;		/* as the failed call left it */
	hold_signals(&old);
	id = msgget(key, IPC_CREAT | 0600);	/* no TRY: it would reset errno */
	after = errno;
	if (id != -1)
		cleanup_msgq(id);
	release_signals(&old);
	obs_str("stale.successful_call", id == -1 ? errno_name(after) : "OK");
	obs_errno("stale.errno_after_success", after);
	obs_bool("stale.notes_check_says_missing", id != -1 && after == ENOENT);
}

/* ---- the key is the bridge between unrelated processes (notes) ---------- */

/* argv: keyuser PATH.  Finds the queue from ftok(PATH) alone, takes the
 * type-1 request and answers "got-" + it as type 2.  Exit 0, or 100+. */
int peer_keyuser(int argc, char **argv)
{
	struct msg m;
	char reply[TEXT_MAX + 8];
	key_t key;
	int id;

	if (argc != 2)
		return 100;
	key = ftok(argv[1], PROJ);
	if (key == -1)
		return 101;
	id = msgget(key, 0600);		/* no IPC_CREAT: it must exist */
	if (id == -1)
		return 102;
	if (recv_text(id, &m, TEXT_MAX - 1, 1, 0, hang_ms()).ret < 0)
		return 103;
	snprintf(reply, sizeof(reply), "got-%.32s", m.mtext);
	if (send_text(id, 2, reply, 0).ret == -1)
		return 104;
	return 0;
}

void bridge(void)
{
	char path[PATH_MAX];
	const char *args[] = { path, NULL };
	struct msg m;
	pid_t peer;
	int id;

	msgq_require();
	id = new_queue(fresh_key("bridge", path, sizeof(path)), IPC_CREAT | IPC_EXCL | 0600);
	put(id, 1, "ping");
	peer = spawn_peer("keyuser", args);
	obs_received("bridge.reply", recv_text(id, &m, TEXT_MAX - 1, 2, 0, hang_ms()), &m);
	obs_int("bridge.peer_exit", status_code(reap(peer, hang_ms())));
}
