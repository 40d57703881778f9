/*
 * addr.c - how wide the address space really is (the notes' "32-bit
 * address bus -> 4 GiB"), and more virtual pages than the machine has
 * frames.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "vm.h"

/* ---- how wide the address space really is --------------------------------- */

/* bits needed to write ADDR: 47 for 0x7f..., the width of an address,
 * never the address itself */
static int bits_of(uintptr_t addr)
{
	return addr ? 64 - __builtin_clzll((unsigned long long)addr) : 0;
}

/* One page at ADDR, exactly there or not at all (MAP_FIXED_NOREPLACE,
 * Linux 4.17; older kernels take it as a hint, so the result is checked).
 * OK; EEXIST when something is mapped there already (then the address is
 * in range too); ENOMEM when it is beyond the user address space; MOVED
 * when the kernel put it elsewhere. */
static const char *map_exactly(uintptr_t addr)
{
	void *p = mmap((void *)addr, (size_t)pg, PROT_READ,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	int err = errno;

	if (p == MAP_FAILED)
		return err == EEXIST ? "EEXIST" : err == ENOMEM ? "ENOMEM" : "other";
	munmap(p, (size_t)pg);
	return (uintptr_t)p == addr ? "OK" : "MOVED";
}

static int mappable(uintptr_t addr)
{
	const char *r = map_exactly(addr);

	return strcmp(r, "OK") == 0 || strcmp(r, "EEXIST") == 0;
}

static void cpu_address_sizes(void)
{
	int phys = -1, virt = -1;
	const char *line;

	/* x86 /proc/cpuinfo: "address sizes : 46 bits physical, 48 bits virtual" */
	if (slurp("/proc/cpuinfo") > 0 && (line = strstr(text, "address sizes")) &&
	    sscanf(strchr(line, ':') + 1, " %d bits physical, %d bits virtual",
		   &phys, &virt) == 2) {
		obs_int("addr.cpu_physical_bits", phys);
		obs_int("addr.cpu_virtual_bits", virt);
	} else {
		obs_skip("addr.cpu_physical_bits", "no-address-sizes-in-cpuinfo");
		obs_skip("addr.cpu_virtual_bits", "no-address-sizes-in-cpuinfo");
	}
	obs_bool("addr.cpu_la57", slurp("/proc/cpuinfo") > 0 && strstr(text, " la57"));
	/* user-mode Linux says "x86_64" in uname but has page tables of its
	 * own (arch/um/kernel/um_arch.c show_cpuinfo: "vendor_id : User Mode
	 * Linux") */
	obs_bool("addr.user_mode_linux", slurp("/proc/cpuinfo") > 0 && strstr(text, "User Mode Linux"));
}

/* x86-64 around 2^47, where 4-level paging ends user space */
static void around_2p47(void)
{
#if UINTPTR_MAX > 0xffffffffu
	uintptr_t at = (uintptr_t)1 << 47;
	void *p;

	obs_str("addr.fixed_last_page_below_2p47", map_exactly(at - (uintptr_t)pg));
	obs_str("addr.fixed_at_2p47", map_exactly(at));
	/* only a hint above 47 bits opens the 56-bit space (x86 5-level
	 * paging); without it the kernel looks below */
	p = mmap((void *)at, (size_t)pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		probe_fail("mmap", errno);
	obs_bool("addr.hint_2p47.at_hint", (uintptr_t)p == at);
	obs_int("addr.hint_2p47.result_bits", bits_of((uintptr_t)p));
	munmap(p, (size_t)pg);
#else
	obs_skip("addr.fixed_last_page_below_2p47", "32-bit-process");
	obs_skip("addr.fixed_at_2p47", "32-bit-process");
	obs_skip("addr.hint_2p47.at_hint", "32-bit-process");
#endif
}

/* More virtual pages than frames: address space only (PROT_NONE and
 * MAP_NORESERVE: no frame, no commit charge, mm/mmap.c accountable_mapping
 * wants VM_WRITE) twice the size of RAM, held while VmSize is read */
void beyond_ram(void)
{
	long long mem, before, after;
	void *p;

	vm_setup();
	mem = meminfo_kib("MemTotal");
	obs_int("pages.beyond_ram.size_kib", 2 * mem);
	if ((unsigned long long)(2 * mem) * KIB > SIZE_MAX / 2) {
		obs_skip("pages.beyond_ram.mmap", "length-beyond-size-t");
		return;
	}
	before = status_kib("VmSize");
	p = mmap(NULL, (size_t)(2 * mem * KIB), PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	obs_errno("pages.beyond_ram.mmap", p == MAP_FAILED ? errno : 0);
	if (p == MAP_FAILED)
		return;
	after = status_kib("VmSize");
	obs_int("pages.beyond_ram.vmsize_delta_kib", after - before);
	munmap(p, (size_t)(2 * mem * KIB));
}

void address_space(void)
{
	int width = (int)sizeof(void *) * CHAR_BIT, top = 0;
	void *p;

	vm_setup();
	obs_int("addr.pointer_bits", width);
	cpu_address_sizes();

	/* User space is b bits wide when a page at 2^(b-1), the bottom of
	 * the upper half of a b-bit space, can be mapped: the widest such b */
	for (int b = width; b > 1 && !top; b--)
		if (mappable((uintptr_t)1 << (b - 1)))
			top = b;
	obs_int("addr.max_user_bits", top);

	/* where the kernel puts a mapping when asked nothing */
	p = mmap(NULL, (size_t)pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		probe_fail("mmap", errno);
	obs_int("addr.default_mmap_bits", bits_of((uintptr_t)p));
	munmap(p, (size_t)pg);
	around_2p47();
}
