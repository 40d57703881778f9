/*
 * netlink.c - rtnetlink, just enough to make a veth pair, give its ends
 * addresses, bring them up and hear that they are up.
 */
#include "config.h"

#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include "probe.h"
#include "socket.h"

/* ---- rtnetlink: just enough to make a veth pair and give it addresses ---- */

#define NL_BUF 2048
/* RFC 2863 "up", enum in <linux/if.h>, which cannot be included beside
 * <net/if.h>; the value is kernel ABI */
#define OPER_UP 6

struct nl_msg {
	struct nlmsghdr h;
	char room[NL_BUF - sizeof(struct nlmsghdr)];
};

static void nl_init(struct nl_msg *m, int type, int flags, const void *body, size_t len)
{
	memset(m, 0, sizeof(*m));
	m->h.nlmsg_len = NLMSG_LENGTH(len);
	m->h.nlmsg_type = (unsigned short)type;
	m->h.nlmsg_flags = (unsigned short)(NLM_F_REQUEST | NLM_F_ACK | flags);
	memcpy(NLMSG_DATA(&m->h), body, len);
}

/* append an attribute; returns it so that a nest can be closed later */
static struct rtattr *nl_attr(struct nl_msg *m, int type, const void *data, size_t len)
{
	size_t at = NLMSG_ALIGN(m->h.nlmsg_len);
	struct rtattr *a = (struct rtattr *)((char *)m + at);

	if (at + RTA_SPACE(len) > sizeof(*m))
		probe_fail("netlink message longer than its buffer", EMSGSIZE);
	a->rta_type = (unsigned short)type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(a), data, len);
	m->h.nlmsg_len = (unsigned)(at + RTA_SPACE(len));
	return a;
}

static void nl_nest_end(struct nl_msg *m, struct rtattr *nest)
{
	nest->rta_len = (unsigned short)((char *)m + m->h.nlmsg_len - (char *)nest);
}

/* send M, wait for its acknowledgement: 0 or the errno the kernel answered
 * (ETIMEDOUT when no answer came before the deadline) */
static int nl_talk(int fd, struct nl_msg *m)
{
	static unsigned seq;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	union { struct nlmsghdr h; char b[8192]; } r;

	m->h.nlmsg_seq = ++seq;
	if (sendto(fd, m, m->h.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) == -1)
		return errno;
	for (;;) {
		struct outcome o = TRY(hang_ms(), recv(fd, &r, sizeof(r), 0));
		unsigned len = (unsigned)o.ret;

		if (o.ret == -1)
			return outcome_blocked(o) ? ETIMEDOUT : o.err;
		for (struct nlmsghdr *h = &r.h; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_seq != m->h.nlmsg_seq || h->nlmsg_type != NLMSG_ERROR)
				continue;
			return -((struct nlmsgerr *)NLMSG_DATA(h))->error;
		}
	}
}

int nl_open(void)
{
	return socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
}

/*
 * NAME here, PEER in the network namespace open as NETNS_FD, with the
 * interface indexes INDEX and PEER_INDEX when those are not 0.
 */
int veth_create(int fd, const char *name, const char *peer, int netns_fd,
		       int index, int peer_index)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = index };
	struct ifinfomsg peer_ifi = { .ifi_family = AF_UNSPEC, .ifi_index = peer_index };
	struct rtattr *info, *data, *end;
	struct nl_msg m;
	unsigned ns = (unsigned)netns_fd;

	nl_init(&m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof(ifi));
	nl_attr(&m, IFLA_IFNAME, name, strlen(name) + 1);
	info = nl_attr(&m, IFLA_LINKINFO, NULL, 0);
	nl_attr(&m, IFLA_INFO_KIND, "veth", 4);
	data = nl_attr(&m, IFLA_INFO_DATA, NULL, 0);
	/* VETH_INFO_PEER holds an ifinfomsg, then the peer's attributes */
	end = nl_attr(&m, VETH_INFO_PEER, &peer_ifi, sizeof(peer_ifi));
	nl_attr(&m, IFLA_IFNAME, peer, strlen(peer) + 1);
	nl_attr(&m, IFLA_NET_NS_FD, &ns, sizeof(ns));
	nl_nest_end(&m, end);
	nl_nest_end(&m, data);
	nl_nest_end(&m, info);
	return nl_talk(fd, &m);
}

int link_up(int fd, int ifindex)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex,
				 .ifi_flags = IFF_UP, .ifi_change = IFF_UP };
	struct nl_msg m;

	nl_init(&m, RTM_NEWLINK, 0, &ifi, sizeof(ifi));
	return nl_talk(fd, &m);
}

int addr_add(int fd, int ifindex, struct in_addr addr, int prefix)
{
	struct ifaddrmsg ifa = { .ifa_family = AF_INET, .ifa_prefixlen = (unsigned char)prefix,
				 .ifa_scope = RT_SCOPE_UNIVERSE, .ifa_index = (unsigned)ifindex };
	struct nl_msg m;

	nl_init(&m, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &ifa, sizeof(ifa));
	nl_attr(&m, IFA_LOCAL, &addr, sizeof(addr));
	nl_attr(&m, IFA_ADDRESS, &addr, sizeof(addr));
	return nl_talk(fd, &m);
}

/*
 * Wait for the kernel to announce that IFINDEX is operationally up: from
 * then on it carries packets, so the first SYN is not dropped by a device
 * that link-watch has not activated yet.  MON is subscribed to RTMGRP_LINK
 * since before the device came up, so no announcement is missed.
 */
int wait_oper_up(int mon, int ifindex)
{
	union { struct nlmsghdr h; char b[8192]; } r;

	for (;;) {
		struct outcome o = TRY(hang_ms(), recv(mon, &r, sizeof(r), 0));
		unsigned len = (unsigned)o.ret;

		if (o.ret == -1)
			return outcome_blocked(o) ? ETIMEDOUT : o.err;
		for (struct nlmsghdr *h = &r.h; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			struct ifinfomsg *ifi = NLMSG_DATA(h);
			int alen = (int)IFLA_PAYLOAD(h);

			if (h->nlmsg_type != RTM_NEWLINK || ifi->ifi_index != ifindex)
				continue;
			for (struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, alen); a = RTA_NEXT(a, alen))
				if (a->rta_type == IFLA_OPERSTATE &&
				    *(unsigned char *)RTA_DATA(a) == OPER_UP)
					return 0;
		}
	}
}

int nl_monitor(void)
{
	struct sockaddr_nl me = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
	int fd = nl_open();

	if (fd != -1 && bind(fd, (struct sockaddr *)&me, sizeof(me)) == -1) {
		int err = errno;

		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

