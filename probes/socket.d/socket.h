/*
 * socket.h - what the files of the socket probe share: small helpers, the
 * bit of rtnetlink the two hosts need, and the sections (their table is
 * in socket.c).
 */
#ifndef IPCVM_SOCKET_H
#define IPCVM_SOCKET_H

#include <netinet/in.h>
#include <stddef.h>
#include <sys/types.h>

/* ---- socket.c: small helpers ---- */

/* socketpair(AF_UNIX, TYPE), a hard error when it fails */
void make_pair(int type, int sv[2]);
void close_pair(int sv[2]);
/* write all of BUF to a connected socket; a peer that has gone makes it
 * fail with EPIPE rather than kill this process with SIGPIPE */
ssize_t send_all(int fd, const void *buf, size_t len);
/* the server half of every exchange (exchange.c): what was asked ("ping"
 * or "other") for the record */
const char *answer(int fd);

/* ---- netlink.c: just enough rtnetlink to make a veth pair ---- */

int nl_open(void);
/* a netlink socket subscribed to RTMGRP_LINK; -1 with errno */
int nl_monitor(void);
/* NAME here, PEER in the network namespace open as NETNS_FD, with the
 * interface indexes INDEX and PEER_INDEX when those are not 0 */
int veth_create(int fd, const char *name, const char *peer, int netns_fd,
		int index, int peer_index);
int link_up(int fd, int ifindex);
int addr_add(int fd, int ifindex, struct in_addr addr, int prefix);
/* wait for the announcement that IFINDEX is operationally up */
int wait_oper_up(int mon, int ifindex);
/* (each: 0, or the errno the kernel answered; ETIMEDOUT for no answer) */

/* ---- the sections, in the order they run ---- */

/* pair.c: socketpair, message boundaries, a closed peer */
void pair_duplex(void);
void pair_other_end(void);
void boundaries_all(void);
void peer_closed(void);
void pair_inet(void);
/* address.c: listening, and a peer that knows only the address */
void unix_path(void);
void tcp_loopback(void);
/* two_hosts.c: two network namespaces and a veth pair (hosts.c) */
void two_hosts(void);

#endif
