/*
 * vm.c - virtual versus resident memory, as the notes' section 2 tells it:
 * pages and frames, lazy commit (the notes' new char[512 MiB] experiment at
 * its real size), the page table seen through /proc/self/pagemap, page
 * faults and eviction, overcommit, how wide the address space really is,
 * and top's VIRT/RES/SHR.  Records only; cases/vm.bats judges.
 *
 * Each section runs in a process of its own (probes/lib/probe.h), and
 * starts with vm_setup() (common.c): the page size, the /proc buffer made
 * resident, the process pinned to one CPU.  The files:
 *   common.c      /proc read without a fault of its own, snapshots, mappings
 *   budget.c      the size of the notes' experiment
 *   pages.c       page_sizes, page_table
 *   lazy.c        lazy_commit (with the THP settings, top's view of it and
 *                 zero.c's read of untouched memory), lazy_malloc
 *   evict.c       evict_fadvise, evict_pageout, evict_anon
 *   overcommit.c  overcommit (with RAM and swap)
 *   addr.c        address_space, beyond_ram
 *   top.c         top_shr
 */
#include "config.h"

#include "vm.h"

const char PROBE_NAME[] = "vm";
const struct peer_role probe_peers[] = { { 0 } };

const struct probe_section probe_sections[] = {
	SECTION(page_sizes, "VM-PAGE-SIZE VM-PAGE-FRAME"),
	SECTION(lazy_commit, "VM-LAZY-ALLOC VM-LAZY-WRITE-PART VM-LAZY-WRITE-ALL VM-LAZY-FAULTS VM-LAZY-THP VM-RSS-COUNTER VM-TOP-VIRT-RES VM-TOP-SHR VM-ZERO-PAGE VM-ZERO-FRAME"),
	SECTION(lazy_malloc, "VM-LAZY-MALLOC"),
	SECTION(page_table, "VM-PAGEMAP-PRESENT VM-PAGEMAP-PFN VM-PAGEMAP-SHARED-FRAME VM-PAGEMAP-PRIVATE-FRAMES VM-PAGE-OFFSET"),
	SECTION(evict_fadvise, "VM-EVICT-FADVISE"),
	SECTION(evict_pageout, "VM-EVICT-PAGEOUT"),
	SECTION(evict_anon, "VM-ANON-NO-SWAP"),
	SECTION(overcommit, "VM-COMMIT-LIMIT VM-OVERCOMMIT-NOTES VM-OVERCOMMIT-HUGE VM-OVERCOMMIT-NORESERVE"),
	SECTION(address_space, "VM-ADDR-WIDTH VM-ADDR-TOP-PAGE VM-ADDR-HINT"),
	SECTION(beyond_ram, "VM-PAGES-FRAMES"),
	SECTION(top_shr, "VM-TOP-SHR-SHMEM"),
	{ 0 }
};
