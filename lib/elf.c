// SPDX-License-Identifier: GPL-2.0-only
/*
 * The test binary as guest code: its loadable segments are copied into
 * guest memory at their link addresses, and its symbol table names guest
 * addresses in reports.
 */
#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest_memory.h"

static struct guest_image image;
static uint8_t *file;
static size_t file_size;

static void read_self(void)
{
	struct stat st;
	size_t done = 0;
	int fd;

	fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	TEST_ASSERT(fd >= 0, "cannot open /proc/self/exe");
	TEST_ASSERT(!fstat(fd, &st), "fstat of /proc/self/exe failed");
	file_size = st.st_size;
	file = malloc(file_size);
	TEST_ASSERT(file, "out of memory");
	while (done < file_size) {
		ssize_t n = read(fd, file + done, file_size - done);

		TEST_ASSERT(n > 0, "reading /proc/self/exe failed");
		done += n;
	}
	close(fd);
}

static void parse_segments(void)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)file;

	TEST_ASSERT(file_size >= sizeof(*eh) && !memcmp(eh->e_ident, ELFMAG, SELFMAG) &&
		    eh->e_ident[EI_CLASS] == ELFCLASS64,
		    "/proc/self/exe is not a 64-bit ELF file");
	TEST_ASSERT(eh->e_type == ET_EXEC,
		    "the test binary must be linked at fixed addresses (-no-pie): guest code runs at the addresses it was linked at");
	TEST_ASSERT(eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) <= file_size,
		    "truncated ELF program headers");

	image.low = UINT64_MAX;
	for (unsigned int i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const Elf64_Phdr *)(file + eh->e_phoff) + i;
		struct guest_image_segment *seg;

		if (ph->p_type != PT_LOAD || !ph->p_memsz)
			continue;
		TEST_ASSERT(image.nr_segments < ARRAY_SIZE(image.segments),
			    "too many loadable segments in the test binary");
		TEST_ASSERT(ph->p_offset + ph->p_filesz <= file_size &&
			    ph->p_filesz <= ph->p_memsz, "malformed PT_LOAD segment");
		seg = &image.segments[image.nr_segments++];
		seg->vaddr = ph->p_vaddr;
		seg->filesz = ph->p_filesz;
		seg->memsz = ph->p_memsz;
		seg->data = file + ph->p_offset;
		if (seg->vaddr < image.low)
			image.low = seg->vaddr;
		if (seg->vaddr + seg->memsz > image.high)
			image.high = seg->vaddr + seg->memsz;
	}
	TEST_ASSERT(image.nr_segments, "no loadable segment in the test binary");
	/* The first 2 MiB are the guest's null guard and system area. */
	TEST_ASSERT(image.low >= GUEST_HUGE_PAGE_SIZE && image.high < GUEST_MEM_LIMIT,
		    "test binary linked at 0x%llx-0x%llx; guest memory needs it between 2 MiB and 3 GiB",
		    (unsigned long long)image.low,
		    (unsigned long long)image.high);
}

const struct guest_image *guest_image_get(void)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

	pthread_mutex_lock(&lock);
	if (!file) {
		read_self();
		parse_segments();
	}
	pthread_mutex_unlock(&lock);
	return &image;
}

void guest_image_load(struct kvm_vm *vm)
{
	const struct guest_image *img = guest_image_get();

	/* Guest memory starts zeroed, which covers each segment's .bss part. */
	for (unsigned int i = 0; i < img->nr_segments; i++) {
		const struct guest_image_segment *seg = &img->segments[i];

		memcpy(addr_gpa2hva(vm, seg->vaddr), seg->data, seg->filesz);
	}
}

const char *guest_image_symbol(uint64_t addr, char *buf, size_t len)
{
	const Elf64_Ehdr *eh;
	const Elf64_Shdr *sh;
	const Elf64_Sym *best = NULL;
	const char *strtab = NULL;

	guest_image_get();
	eh = (const Elf64_Ehdr *)file;
	if (!eh->e_shoff || eh->e_shoff + (uint64_t)eh->e_shnum * sizeof(*sh) > file_size)
		return NULL;
	sh = (const Elf64_Shdr *)(file + eh->e_shoff);

	for (unsigned int i = 0; i < eh->e_shnum; i++) {
		const Elf64_Sym *syms;
		size_t nsyms;

		if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum ||
		    sh[i].sh_offset + sh[i].sh_size > file_size)
			continue;
		syms = (const Elf64_Sym *)(file + sh[i].sh_offset);
		nsyms = sh[i].sh_size / sizeof(*syms);
		strtab = (const char *)file + sh[sh[i].sh_link].sh_offset;
		for (size_t s = 0; s < nsyms; s++) {
			unsigned int type = ELF64_ST_TYPE(syms[s].st_info);

			if ((type != STT_FUNC && type != STT_NOTYPE && type != STT_OBJECT) ||
			    !syms[s].st_name || syms[s].st_shndx == SHN_UNDEF ||
			    syms[s].st_value > addr)
				continue;
			if (syms[s].st_size && addr >= syms[s].st_value + syms[s].st_size)
				continue;
			if (!best || syms[s].st_value > best->st_value ||
			    (syms[s].st_value == best->st_value && syms[s].st_size))
				best = &syms[s];
		}
		break;
	}
	if (!best)
		return NULL;
	snprintf(buf, len, "%s+0x%llx", strtab + best->st_name,
		 (unsigned long long)(addr - best->st_value));
	return buf;
}
