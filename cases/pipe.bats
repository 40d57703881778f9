#!/usr/bin/env bats
# Anonymous pipes: what the notes say (section 1: a kernel buffer between
# parent and child, half-duplex, fd[0] reads and fd[1] writes, blocking or
# non-blocking through fcntl) and what pipe(2), pipe(7), fcntl(2), read(2),
# write(2) and lseek(2) document.  Judges probes/pipe.d/'s observations.

load ../harness/ipcvm

setup_file() { observe pipe; }

# The per-user pipe limits (fs/pipe.c; pipe(7) /proc files): since Linux
# 4.9 (086e774a57fb "pipe: cap initial pipe capacity according to
# pipe-max-size limit") alloc_pipe_info caps a new pipe at
# fs.pipe-max-size unless capable(CAP_SYS_RESOURCE), and since 4.5
# (759c01142a "pipe: limit the per-user amount of pages allocated in
# pipes") it gives a user charged more than fs.pipe-user-pages-soft who is
# neither capable(CAP_SYS_RESOURCE) nor capable(CAP_SYS_ADMIN)
# (pipe_is_unprivileged_user) a small pipe: 1 page, and 2 pages
# (PIPE_MIN_DEF_BUFFERS) since 46c4c9d1beb7 ("pipe: increase minimum
# default pipe size to 2 pages", 5.14, backported to the stable series of
# August 2021, 4.19 among them); pipe_set_size then refuses to grow any of
# that user's pipes with EPERM.  capable() asks the initial user namespace
# (has_init_cap), not the recording process's own.

# unprivileged_pipe_user: pipe_is_unprivileged_user() held for the recording
unprivileged_pipe_user() {
	! has_init_cap CAP_SYS_RESOURCE && ! has_init_cap CAP_SYS_ADMIN
}

# pipe_pages_spent: the recording user was past fs.pipe-user-pages-soft:
# unprivileged, and a fresh pipe shrunk to one page could not grow back to
# what a new pipe gets (the probe's capacity.regrow_to_default; a case
# that asks reads it first with read_obs, so a run without it fails)
pipe_pages_spent() {
	local regrow
	unprivileged_pipe_user && lookup_into regrow pipe.capacity.regrow_to_default && [[ $regrow == EPERM ]]
}

# require_regrow: fail the case when the run lacks capacity.regrow_to_default
require_regrow() {
	# shellcheck disable=SC2034 # read only to be sure it was recorded
	local regrow
	read_obs regrow pipe.capacity.regrow_to_default
}

# new_pipe_bytes: sets bytes to what alloc_pipe_info gives a user within
# the soft limit: 16 pages (PIPE_DEF_BUFFERS), capped at fs.pipe-max-size
# (whole pages) without CAP_SYS_RESOURCE in the initial user namespace
new_pipe_bytes() {
	local page max
	read_obs page pipe.capacity.page_size_bytes || return 1
	read_obs max pipe.setsz.pipe_max_size_bytes || return 1
	bytes=$((16 * page))
	if kernel_at_least 4.9 && ! has_init_cap CAP_SYS_RESOURCE && ((max > 0 && max < bytes)); then
		bytes=$((max / page * page))
	fi
	return 0
}

# ---- ends ---------------------------------------------------------------

@test "PIPE-END-READ: fd[0] is only for reading: write(fd[0]) fails with EBADF (pipe(2), write(2))" {
	expect pipe.ends.write_on_read_end = EBADF
}

@test "PIPE-END-WRITE: fd[1] is only for writing: read(fd[1]) fails with EBADF (pipe(2), read(2))" {
	expect pipe.ends.read_on_write_end = EBADF
}

@test "PIPE-LSEEK: a pipe has no file offset: lseek on either end fails with ESPIPE (lseek(2))" {
	expect pipe.lseek.read_end = ESPIPE
	expect pipe.lseek.write_end = ESPIPE
}

@test "PIPE-ONE-CHANNEL: one pipe carries one stream: a process reads back what it wrote, so replies need a second pipe (notes; pipe(7))" {
	expect pipe.one_channel.read_back_bytes -eq 4
	expect pipe.one_channel.read_back_data = ping
}

# ---- the notes' example, and two pipes for two directions -----------------

@test "PIPE-NOTES-EXAMPLE: the child writes 6 bytes of \"hdsjdskjhdsjk\"; the parent reads exactly \"hdsjds\" (notes section 1; write(2))" {
	expect pipe.notes_example.child_exit -eq 0
	expect pipe.notes_example.read_bytes -eq 6
	expect pipe.notes_example.data = hdsjds
}

@test "PIPE-DUPLEX: two pipes give a request/response round trip between parent and child (notes; pipe(7))" {
	expect pipe.duplex.reply_bytes -eq 8
	expect pipe.duplex.reply = got-ping
}

# ---- any holders of the descriptors ------------------------------------------

@test "PIPE-SIBLINGS: a pipe joins any processes that hold its ends, not only parent and child: two siblings talk through one (pipe(7), fork(2))" {
	expect pipe.siblings.writer_exit -eq 0 "the writing sibling put in its 7 bytes"
	expect pipe.siblings.reader_exit -eq 0 \
		"the reading sibling read \"sibling\" and then end of file (1 short, 2 other bytes, 3 no end of file)"
}

@test "PIPE-PASSED-FD: a write end passed over SCM_RIGHTS to an unrelated program carries its bytes to the reader (unix(7) SCM_RIGHTS, pipe(7))" {
	expect pipe.passed_fd.peer_exit -eq 0 "the peer got the descriptor and wrote through it"
	expect pipe.passed_fd.read_bytes -eq 6
	expect pipe.passed_fd.data = passed
}

# ---- end of file -----------------------------------------------------------

@test "PIPE-EOF: read returns 0 once every write end is closed (pipe(7) I/O on pipes)" {
	expect pipe.eof.all_writers_closed.read -eq 0
}

@test "PIPE-EOF-OWN-COPY: while the reader keeps its own inherited write end, read blocks instead of returning 0 (pipe(7))" {
	expect pipe.eof.reader_holds_write_end.read = TIMEOUT \
		"a blocking read must wait while any write end is open; TIMEOUT means it was still waiting at the deadline"
}

@test "PIPE-EOF-OTHER-WRITER: while another process holds a write end, read blocks (pipe(7))" {
	expect pipe.eof.other_writer_open.read = TIMEOUT
}

# ---- no reader ---------------------------------------------------------------

@test "PIPE-SIGPIPE: writing with no reader left kills the writer with SIGPIPE (pipe(7), write(2))" {
	expect pipe.no_reader.default.killed_by = SIGPIPE
}

@test "PIPE-EPIPE: with SIGPIPE ignored, the same write fails with EPIPE (pipe(7), write(2))" {
	expect pipe.no_reader.sigpipe_ignored.write = EPIPE
}

# ---- blocking and O_NONBLOCK ----------------------------------------------

@test "PIPE-BLOCKING: pipe() gives blocking ends without close-on-exec, and an empty read waits (pipe(2))" {
	expect pipe.flags.pipe.read_end.nonblock = no
	expect pipe.flags.pipe.write_end.nonblock = no
	expect pipe.flags.pipe.read_end.cloexec = no
	expect pipe.flags.pipe.empty_read = TIMEOUT
}

@test "PIPE2-FLAGS: pipe2(O_NONBLOCK|O_CLOEXEC) sets both flags on both ends (pipe(2))" {
	expect pipe.flags.pipe2.read_end.nonblock = yes
	expect pipe.flags.pipe2.write_end.nonblock = yes
	expect pipe.flags.pipe2.read_end.cloexec = yes
	expect pipe.flags.pipe2.write_end.cloexec = yes
}

@test "PIPE-SETFL: F_GETFL shows O_NONBLOCK after the notes' F_GETFL|O_NONBLOCK, F_SETFL (fcntl(2))" {
	expect pipe.nonblock.setfl.read_end = yes
	expect pipe.nonblock.setfl.write_end = yes
}

@test "PIPE-NONBLOCK-EMPTY: a non-blocking read of an empty pipe fails with EAGAIN (pipe(7), read(2))" {
	expect pipe.nonblock.empty_read = EAGAIN
}

@test "PIPE-NONBLOCK-FULL: a non-blocking writer fills the pipe and then gets EAGAIN (pipe(7), write(2))" {
	expect pipe.nonblock.full_write = EAGAIN
	expect pipe.nonblock.filled_page_writes_bytes -gt 0
}

# ---- capacity ------------------------------------------------------------

@test "PIPE-CAPACITY: a new pipe holds 16 pages, no more than pipe-max-size without CAP_SYS_RESOURCE, 2 pages for a user past pipe-user-pages-soft (pipe(7) Pipe capacity; fs/pipe.c alloc_pipe_info)" {
	local page bytes soft upstream
	read_obs page pipe.capacity.page_size_bytes
	require_regrow || return 1
	new_pipe_bytes || return 1
	if pipe_pages_spent && kernel_at_least 5.14; then
		meta_into soft sysctl.fs.pipe-user-pages-soft || soft=unknown
		expect pipe.capacity.default_bytes -eq $((2 * page)) \
			"the user is past fs.pipe-user-pages-soft ($soft pages: a fresh pipe could not grow back to $bytes bytes): PIPE_MIN_DEF_BUFFERS, 2 pages of $page bytes"
	elif pipe_pages_spent; then
		kernel_upstream_into upstream
		expect pipe.capacity.default_bytes in "$page,$((2 * page))" \
			"the user is past fs.pipe-user-pages-soft: 1 page before 46c4c9d1beb7, 2 with it (Linux $upstream is older than 5.14, where it landed; stable series got it in August 2021)"
	else
		if unprivileged_pipe_user; then
			expect pipe.capacity.regrow_to_default = OK \
				"growing back to what a new pipe gets succeeds (EPERM: the user is past the soft limit)"
		else
			# the limits do not apply to a process capable of
			# CAP_SYS_RESOURCE or CAP_SYS_ADMIN: growing never fails here
			expect pipe.capacity.regrow_to_default = OK \
				"capable(CAP_SYS_RESOURCE or CAP_SYS_ADMIN): fs/pipe.c pipe_is_unprivileged_user is false"
		fi
		expect pipe.capacity.default_bytes -eq "$bytes" \
			"16 pages of $page bytes, capped at pipe-max-size without CAP_SYS_RESOURCE in the initial user namespace"
	fi
}

@test "PIPE-CAPACITY-FILL: F_GETPIPE_SZ equals the bytes a non-blocking writer puts in with page-sized writes (fcntl(2), pipe(7))" {
	local capacity
	read_obs capacity pipe.nonblock.filled.getpipe_bytes
	expect pipe.nonblock.filled_page_writes_bytes -eq "$capacity" \
		"what the pipe accepted before EAGAIN is its capacity"
}

@test "PIPE-SETSZ-ROUND: F_SETPIPE_SZ rounds a request up to a power-of-two number of pages, at least one (fcntl(2))" {
	local page max
	read_obs page pipe.capacity.page_size_bytes
	read_obs max pipe.setsz.pipe_max_size_bytes
	require_regrow || return 1
	expect pipe.setsz.one_byte.result_bytes -eq "$page" "1 byte rounds up to one page (shrinking is always allowed)"
	if ! has_init_cap CAP_SYS_RESOURCE && ((8 * page > max)); then
		# fs/pipe.c pipe_set_size: growing above pipe-max-size
		expect pipe.setsz.five_pages_plus_one.result_bytes = EPERM \
			"8 pages are above pipe-max-size ($max bytes) and the recording process lacked CAP_SYS_RESOURCE in the initial user namespace"
		expect pipe.setsz.five_pages_plus_one.getpipe_bytes -eq "$page" "the refused pipe keeps its one page"
	elif pipe_pages_spent; then
		# growing from 1 to 8 pages may fit under the soft limit or not,
		# by how far past it the user's other pipes are
		local result
		expect pipe.setsz.five_pages_plus_one.result_bytes in "$((8 * page)),EPERM" \
			"the user is past fs.pipe-user-pages-soft: growing may be refused (fs/pipe.c pipe_set_size)"
		read_obs result pipe.setsz.five_pages_plus_one.result_bytes
		if [[ $result == EPERM ]]; then
			expect pipe.setsz.five_pages_plus_one.getpipe_bytes -eq "$page" "the refused pipe keeps its one page"
		else
			expect pipe.setsz.five_pages_plus_one.getpipe_bytes -eq $((8 * page)) \
				"F_GETPIPE_SZ reports what F_SETPIPE_SZ set"
		fi
	else
		expect pipe.setsz.five_pages_plus_one.result_bytes -eq $((8 * page)) \
			"5 pages + 1 byte rounds up to 8 pages"
		expect pipe.setsz.five_pages_plus_one.getpipe_bytes -eq $((8 * page)) \
			"F_GETPIPE_SZ reports what F_SETPIPE_SZ set"
	fi
}

# report-only: pipe.setsz.cap_sys_resource: CapEff, the probe's own namespace; the cases ask the initial namespace's (meta.env cap_init_ns), which capable() checks
@test "PIPE-SETSZ-MAX: a process within fs.pipe-user-pages-soft may set exactly /proc/sys/fs/pipe-max-size; past it (unprivileged) growing fails with EPERM (proc(5), fcntl(2); fs/pipe.c pipe_set_size)" {
	local page max
	read_obs page pipe.capacity.page_size_bytes
	read_obs max pipe.setsz.pipe_max_size_bytes
	require_regrow || return 1
	# proc(5): at least the page size, and rounded up on writing
	# (fs/pipe.c round_pipe_size: a power-of-two number of pages)
	if ! [[ $max =~ ^[0-9]+$ ]] || ((max < page || (max & (max - 1)) != 0)); then
		claim_fails pipe.setsz.pipe_max_size_bytes "a power of two, at least $page" "$max" \
			"the kernel keeps pipe-max-size a power-of-two number of pages"
		return 1
	fi
	if pipe_pages_spent; then
		expect pipe.setsz.at_max = EPERM \
			"the user is past fs.pipe-user-pages-soft and capable of neither CAP_SYS_RESOURCE nor CAP_SYS_ADMIN"
	else
		# A user whose other pipes hold between pipe-user-pages-soft
		# minus (pipe-max-size in pages) and the limit itself would be
		# refused too; nothing the probe can see tells that apart
		expect pipe.setsz.at_max = OK
	fi
}

@test "PIPE-SETSZ-ABOVE-MAX: above pipe-max-size F_SETPIPE_SZ fails with EPERM without CAP_SYS_RESOURCE in the initial user namespace (fcntl(2), proc(5); fs/pipe.c pipe_set_size: capable())" {
	local caps
	if has_init_cap CAP_SYS_RESOURCE; then
		# fcntl(2): a privileged process (CAP_SYS_RESOURCE) can override the limit
		expect pipe.setsz.above_max = OK "the recording process held CAP_SYS_RESOURCE in the initial user namespace"
	else
		meta_into caps cap_init_ns || meta_into caps cap_eff || caps=unknown
		expect pipe.setsz.above_max = EPERM \
			"the recording process lacked CAP_SYS_RESOURCE in the initial user namespace (cap_init_ns $caps); capable() does not count a user namespace's own capabilities"
	fi
}

@test "PIPE-SETSZ-BUSY: shrinking a pipe below the data it holds fails with EBUSY (fcntl(2))" {
	expect pipe.setsz.below_buffered = EBUSY
}

# ---- atomicity ---------------------------------------------------------------

# PIPE_BUF is 4096 on Linux whatever the page size (include/uapi/linux/
# limits.h); the probe records the constant it measured with.
@test "PIPE-BUF: a non-blocking write of exactly PIPE_BUF bytes goes in whole or not at all: with PIPE_BUF - 1 bytes of room it fails with EAGAIN, and PIPE_BUF - 1 bytes fit (pipe(7) O_NONBLOCK, n <= PIPE_BUF)" {
	local pipe_buf
	read_obs pipe_buf pipe.atomic.pipe_buf_bytes
	expect pipe.atomic.nonblock.pipe_buf_write = EAGAIN \
		"$pipe_buf bytes into $((pipe_buf - 1)) bytes of room: a number here is a PIPE_BUF write the kernel split"
	expect pipe.atomic.nonblock.room_write_bytes -eq $((pipe_buf - 1)) \
		"the control: the room the PIPE_BUF write was refused was really there"
}

@test "PIPE-ATOMIC: records of PIPE_BUF bytes from concurrent writers never interleave (pipe(7) PIPE_BUF, POSIX write())" {
	local sent
	read_obs sent pipe.atomic.pipe_buf_records_sent
	expect pipe.atomic.pipe_buf_records_read -eq "$sent" "every record arrives whole"
	expect pipe.atomic.pipe_buf_records_mixed -eq 0 "no record holds two writers' bytes"
}

# report-only: pipe.atomic.large_record_bytes: the size the probe chose (twice the pipe's capacity), not the kernel's answer
# report-only: pipe.atomic.writers: the number of writers the probe chose
@test "PIPE-ATOMIC-CONTROL: the same writers and loop with records above PIPE_BUF (twice the pipe's capacity) do come out interleaved, so the loop can see interleaving (pipe(7): writes above PIPE_BUF may interleave)" {
	# the probe tries 3 times and records a skip when no record came out mixed
	expect pipe.atomic.large_records_mixed -gt 0 \
		"-1 means the data stopped coming; 0 is never recorded (a skip instead)"
}

# ---- the kernel buffer --------------------------------------------------------

@test "PIPE-FIONREAD: FIONREAD reports the bytes queued in the pipe (pipe(7) ioctl FIONREAD)" {
	expect pipe.buffer.fionread_after_100_bytes -eq 100
}

@test "PIPE-KERNEL-BUFFER: data written stays in the kernel after the writer exits (notes; pipe(7))" {
	expect pipe.buffer.writer_exit_status -eq 0
	expect pipe.buffer.after_writer_exit.read_bytes -eq 12
	expect pipe.buffer.after_writer_exit.data = kernelbuffer
}
