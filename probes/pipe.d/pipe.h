/*
 * pipe.h - what the files of the pipe probe share: the helpers every
 * section uses, and the sections themselves (listed in pipe.c).
 */
#ifndef IPCVM_PIPE_H
#define IPCVM_PIPE_H

/* pipe2(FDS, FLAGS), a hard error when it fails */
void make_pipe(int fds[2], int flags);
void close_pipe(int fds[2]);
/* is BIT set in what fcntl(FD, CMD) returns (F_GETFL, F_GETFD)? */
int flag_set(int fd, int cmd, int bit);
/* the notes' recipe: F_GETFL, or in O_NONBLOCK, F_SETFL */
void set_nonblock(int fd);

/* the peer that takes a write end over SCM_RIGHTS (holders.c) */
int peer_scm(int argc, char **argv);

/* the sections, in the order they run */
void channel(void);	/* channel.c */
void holders(void);	/* holders.c */
void no_reader(void);
void flags(void);	/* flags.c */
void capacity(void);
void buffer(void);	/* buffer.c */

#endif
