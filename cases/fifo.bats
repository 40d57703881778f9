#!/usr/bin/env bats
# Named pipes (FIFOs): what the notes say (section 1: unrelated processes
# meet through a name; half-duplex) and what mkfifo(3), fifo(7), open(2) and
# pipe(7) document.  Judges probes/fifo.c's observations.

load ../harness/ipcvm

setup_file() { observe fifo; }

# ---- mkfifo --------------------------------------------------------------

@test "FIFO-MKFIFO: mkfifo makes a FIFO node (mkfifo(3), S_ISFIFO in inode(7))" {
	expect fifo.mkfifo.result = OK
	expect fifo.mkfifo.is_fifo = yes
}

# report-only: fifo.mkfifo.requested_mode_octal: the probe's input, not the kernel's answer
# report-only: fifo.mkfifo.umask_octal: the probe's input, not the kernel's answer
@test "FIFO-MODE: the node's permissions are the requested mode less the umask, or, under a default ACL on the directory, the requested mode within the ACL's owner, group-class (mask) and other entries, the umask ignored (mkfifo(3), open(2), acl(5); fs/posix_acl.c posix_acl_create)" {
	local requested umask acl mode
	read_obs requested fifo.mkfifo.requested_mode_octal
	read_obs umask fifo.mkfifo.umask_octal
	read_obs acl fifo.mkfifo.dir_default_acl_octal
	if [[ $acl == none ]]; then
		printf -v mode %o $((8#$requested & ~8#$umask))
		expect fifo.mkfifo.mode_octal = "$mode" \
			"mode $requested with umask $umask; the directory has no default ACL"
	elif [[ $acl =~ ^[0-7]{1,3}$ ]]; then
		printf -v mode %o $((8#$requested & 8#$acl))
		expect fifo.mkfifo.mode_octal = "$mode" \
			"mode $requested within the directory's default ACL ($acl as owner, group class, other); the umask $umask does not apply"
	else
		fail "fifo.mkfifo.dir_default_acl_octal=$acl: the probe could not read the directory's default ACL, so the expected mode is unknown"
	fi
}

@test "FIFO-EEXIST: mkfifo on an existing path fails with EEXIST (mkfifo(3))" {
	expect fifo.mkfifo.existing_path = EEXIST
}

# ---- opening: each side waits for the other --------------------------------

@test "FIFO-OPEN-READ-WAITS: a blocking O_RDONLY open waits for a writer (fifo(7))" {
	expect fifo.open.rdonly_no_writer = TIMEOUT \
		"TIMEOUT means open(2) was still waiting at the deadline"
}

@test "FIFO-OPEN-WRITE-WAITS: a blocking O_WRONLY open waits for a reader (fifo(7))" {
	expect fifo.open.wronly_no_reader = TIMEOUT
}

@test "FIFO-OPEN-READ-NONBLOCK: O_RDONLY|O_NONBLOCK opens at once with no writer (fifo(7), open(2))" {
	expect fifo.open.rdonly_nonblock_no_writer = OK
}

@test "FIFO-OPEN-WRITE-ENXIO: O_WRONLY|O_NONBLOCK fails with ENXIO when no reader has it open (fifo(7), open(2) ENXIO)" {
	expect fifo.open.wronly_nonblock_no_reader = ENXIO
}

@test "FIFO-OPEN-WRITE-NONBLOCK: O_WRONLY|O_NONBLOCK opens once a reader is there (fifo(7))" {
	expect fifo.open.wronly_nonblock_with_reader = OK
}

# ---- non-blocking reads and writes ------------------------------------------

@test "FIFO-NONBLOCK-NO-WRITER: a non-blocking read of a FIFO no process has open for writing returns 0, end of file (pipe(7), fifo(7))" {
	expect fifo.nonblock.open_reader = OK "O_RDONLY|O_NONBLOCK opens at once with no writer"
	expect fifo.nonblock.read_no_writer -eq 0
}

@test "FIFO-NONBLOCK-EMPTY: with a writer present, a non-blocking read of an empty FIFO fails with EAGAIN (pipe(7), read(2))" {
	expect fifo.nonblock.read_empty_with_writer = EAGAIN
}

@test "FIFO-NONBLOCK-FULL: a non-blocking writer fills the FIFO and then gets EAGAIN (pipe(7), write(2))" {
	expect fifo.nonblock.filled_bytes -gt 0 "page-sized writes went in before the FIFO was full"
	expect fifo.nonblock.write_full = EAGAIN
}

# ---- unrelated processes meet through the name ---------------------------

@test "FIFO-UNRELATED: two unrelated processes exchange data through the path alone (notes; fifo(7))" {
	# the peer is a fresh program in its own session that gets only the
	# path; it exits with the number of descriptors it inherited
	expect fifo.unrelated.peer_exit -eq 0 "the peer inherited no descriptor and wrote its message"
	expect fifo.unrelated.open_rdonly_with_writer = OK "the blocking open returns once the peer opens for writing"
	expect fifo.unrelated.read_bytes -eq 9
	expect fifo.unrelated.data = from-peer
}

# ---- the data lives in the kernel, not in the file -----------------------

@test "FIFO-NO-FILE-DATA: st_size stays 0 while data sits in the FIFO (fifo(7): no data goes to the file system)" {
	expect fifo.buffer.fionread_after_100_bytes -eq 100 "100 bytes were queued"
	expect fifo.buffer.st_size_bytes -eq 0
}

@test "FIFO-EOF: after the last writer closes, the reader gets the rest of the data, then 0 (pipe(7))" {
	expect fifo.buffer.read_after_writer_closed_bytes -eq 100
	expect fifo.buffer.read_at_eof -eq 0
}

# ---- one FIFO, one direction ---------------------------------------------

@test "FIFO-ONE-CHANNEL: a FIFO is one stream: a process with it open O_RDWR reads back its own bytes (notes: half-duplex; fifo(7) Linux O_RDWR)" {
	expect fifo.one_channel.open_rdwr = OK "fifo(7): under Linux, O_RDWR open succeeds"
	expect fifo.one_channel.read_back_bytes -eq 4
	expect fifo.one_channel.read_back_data = ping
}

@test "FIFO-DUPLEX: a request/response needs two FIFOs, and over two it works (notes; fifo(7))" {
	expect fifo.duplex.peer_exit -eq 0
	expect fifo.duplex.reply_bytes -eq 8
	expect fifo.duplex.reply = got-ping
}
