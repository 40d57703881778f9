/* wire.c - time and deadlines, the data patterns and their verification,
 * the shared-memory counters (see bench.h) */
#include "bench.h"

/* ---- time, deadlines ----------------------------------------------------- */

long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Blocking calls of the parent are bounded by the itimer of probe.h (they
 * fail with EINTR when it fires); busy-waits look at this instead. */
static long long spin_deadline;

void arm(void)
{
	spin_deadline = now_ns() + (long long)hang_ms() * 1000000LL;
	deadline_start(hang_ms());
}

/* 1 when the deadline fired */
int disarm(void)
{
	return deadline_stop();
}

/* ---- data patterns and verification --------------------------------------- */

static char *wire_at(const struct wire *w, size_t off)
{
	return w->base + off / w->piece * w->stride + w->hdr + off % w->piece;
}

size_t piece_len(const struct wire *w, size_t i)
{
	return i + 1 < w->npieces ? w->piece : w->len - i * w->piece;
}

unsigned char pattern(size_t off)
{
	return (unsigned char)((off * 131u) ^ (off >> 8) ^ 0x5a);
}

void wire_init(struct wire *w, size_t len, size_t piece, size_t hdr,
		      long mtype)
{
	void *p;

	w->len = len;
	w->piece = piece;
	w->hdr = hdr;
	w->stride = hdr + piece;
	w->npieces = (len + piece - 1) / piece;
	if (posix_memalign(&p, 4096, w->npieces * w->stride))
		probe_fail("posix_memalign", ENOMEM);
	w->base = p;
	for (size_t i = 0; i < w->npieces; i++)
		if (hdr)
			memcpy(w->base + i * w->stride, &mtype, sizeof(mtype));
	for (size_t off = 0; off < len; off++)
		*wire_at(w, off) = (char)pattern(off);
}

void wire_free(struct wire *w)
{
	free(w->base);
	w->base = NULL;
}

static uint64_t stamp_value(uint64_t seq, size_t off)
{
	return 0x6970637662656e63ULL ^ (seq << 24) ^ off;
}

/* the chunk's sequence number every STAMP_STRIDE bytes and at its end;
 * pieces are multiples of STAMP_STRIDE, so no stamp straddles two */
void stamp(struct wire *w, uint64_t seq)
{
	uint64_t v;
	size_t off;

	for (off = 0; off + 8 <= w->len; off += STAMP_STRIDE) {
		v = stamp_value(seq, off);
		memcpy(wire_at(w, off), &v, 8);
	}
	v = stamp_value(seq, w->len - 8);
	memcpy(wire_at(w, w->len - 8), &v, 8);
}

int stamps_ok(const struct wire *w, uint64_t seq)
{
	uint64_t v;
	size_t off;

	for (off = 0; off + 8 <= w->len; off += STAMP_STRIDE) {
		memcpy(&v, wire_at(w, off), 8);
		if (v != stamp_value(seq, off))
			return 0;
	}
	memcpy(&v, wire_at(w, w->len - 8), 8);
	return v == stamp_value(seq, w->len - 8);
}

/* every byte: REF (the pattern) stamped with SEQ must equal W */
int content_ok(const struct wire *w, struct wire *ref, uint64_t seq)
{
	stamp(ref, seq);
	for (size_t i = 0; i < w->npieces; i++)
		if (memcmp(w->base + i * w->stride + w->hdr,
			   ref->base + i * ref->stride + ref->hdr,
			   piece_len(w, i)))
			return 0;
	return 1;
}

/* a latency message: its first word (or byte) is the sequence number, the
 * rest the pattern; the reply is the same with that word inverted */
void msg_make(unsigned char *m, size_t len, uint64_t seq)
{
	if (len >= 8)
		memcpy(m, &seq, 8);
	else
		m[0] = (unsigned char)seq;
}

void msg_reply(unsigned char *m, size_t len)
{
	size_t n = len >= 8 ? 8 : len;

	for (size_t i = 0; i < n; i++)
		m[i] = (unsigned char)~m[i];
}

int reply_ok(const unsigned char *r, const unsigned char *ref,
		    size_t len, uint64_t seq)
{
	if (len >= 8) {
		uint64_t v;

		memcpy(&v, r, 8);
		return v == ~seq && memcmp(r + 8, ref + 8, len - 8) == 0;
	}
	return r[0] == (unsigned char)~(unsigned char)seq;
}

/* ---- shared memory: futex-woken or busy-waiting counters -------------- */

static long futex(uint32_t *word, int op, uint32_t val)
{
	/* not FUTEX_PRIVATE_FLAG: the word is in memory two processes share */
	return syscall(SYS_futex, word, op, val, NULL, NULL, 0);
}

/* publish VALUE; wake the reader only when it said it sleeps */
void post(uint32_t *word, uint32_t *waiting, uint32_t value, int spin)
{
	__atomic_store_n(word, value, __ATOMIC_SEQ_CST);
	if (!spin && __atomic_load_n(waiting, __ATOMIC_SEQ_CST))
		futex(word, FUTEX_WAKE, 1);
}

/*
 * Wait until WORD has reached TARGET (serial arithmetic).  The waiter sets
 * WAITING before it looks again and sleeps only on the value it saw, the
 * poster stores before it looks at WAITING: one of them sees the other.
 * TIMED: the parent, whose wait ends at the deadline (-1, ETIMEDOUT).
 */
int wait_for(uint32_t *word, uint32_t *waiting, uint32_t target,
		    int spin, int timed)
{
	unsigned spins = 0;
	uint32_t cur;

	for (;;) {
		cur = __atomic_load_n(word, __ATOMIC_ACQUIRE);
		if ((int32_t)(cur - target) >= 0)
			return 0;
		if (spin) {
			cpu_relax();
			if (timed && (++spins & 0x3fff) == 0 &&
			    now_ns() > spin_deadline) {
				errno = ETIMEDOUT;
				return -1;
			}
			continue;
		}
		__atomic_store_n(waiting, 1, __ATOMIC_SEQ_CST);
		cur = __atomic_load_n(word, __ATOMIC_SEQ_CST);
		if ((int32_t)(cur - target) < 0 &&
		    futex(word, FUTEX_WAIT, cur) == -1 && errno == EINTR &&
		    timed) {
			__atomic_store_n(waiting, 0, __ATOMIC_SEQ_CST);
			errno = ETIMEDOUT;
			return -1;
		}
		__atomic_store_n(waiting, 0, __ATOMIC_SEQ_CST);
	}
}
