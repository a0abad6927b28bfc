/*
 * Copyright (c) 2026 The upas-smtp authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
 * WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
 * MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
 * ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
 * WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
 * ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
 * OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
 */

#ifndef SANDBOX_H
#define SANDBOX_H

#include <stddef.h>

/*
 * The whole OS-specific sandbox interface.  One implementation is compiled
 * per OS: sandbox_seccomp.c (Linux: rlimits, PR_SET_DUMPABLE 0, Landlock,
 * seccomp-BPF), sandbox_pledge.c (OpenBSD), sandbox_capsicum.c (FreeBSD),
 * sandbox_null.c (rlimits only).
 */

/*
 * SANDBOX_LAX: an ASan/UBSan build, whose runtime needs more than the
 * filters allow (sandbox_seccomp.c lets it; the tests expect it).
 */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANDBOX_LAX	1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(SANDBOX_LAX)
#define SANDBOX_LAX	1
#endif

/* Before the privilege drop: anything that needs the file system. */
void	sandbox_init(void);

/* After chroot and setresuid: irreversible no_new_privs where it exists. */
void	sandbox_nonewprivs(void);

/*
 * Seal the calling process.  fds lists the descriptors it keeps (network
 * in/out, the privsep socket, ...); maxfsize bounds the size of any file it
 * may write to (the spool file it was handed); 0 forbids file growth.
 * Fatal if the sandbox cannot be installed.
 */
void	sandbox_child(const int *, size_t, size_t);

/*
 * The parent, after it dropped to the mail user: what it may still reach.
 * paths lists the files and directories it uses, each with unveil(2)
 * permissions ("r", "rwc", "x"; a directory covers what is below it);
 * flags says which work is left besides (SANDBOX_EXEC: it runs an external
 * mailer; SANDBOX_NET: it sends DNS queries).  OpenBSD: unveil(2) and
 * pledge(2).  Elsewhere a no-op: Capsicum's capability mode and seccomp
 * cannot keep a set of paths (the parent's jail is its uid).  Fatal if the
 * restriction cannot be installed.
 */
struct sandbox_path {
	const char	*path;
	const char	*perm;
};
#define SANDBOX_EXEC	0x01
#define SANDBOX_NET	0x02
void	sandbox_parent(const struct sandbox_path *, size_t, int);
/* Nonzero where sandbox_parent uses its paths: the caller may skip them. */
extern const int sandbox_parent_paths;

/*
 * The smtp client (smtp(8)), once it has read its message, configuration,
 * credentials and CA file and set up its resolver: what it still does is
 * talk to the network (TCP to servers, UDP/TCP to the resolver, a UNIX
 * socket for LMTP) on descriptors it opens itself.  No file is opened, no
 * process started, no privilege gained.  Linux: no_new_privs, Landlock
 * without file access, seccomp-BPF; OpenBSD: pledge("stdio inet unix") and
 * an empty unveil; FreeBSD: rlimits only (capability mode forbids
 * connect(2) to a new address, which the client must do).  Fatal if it
 * cannot be installed.
 */
void	sandbox_client(void);

/*
 * A process that writes files in one directory and nothing else (the
 * MTA-STS policy cache writer, smtp/sts_cache.c): it reads what to write
 * from socket s and answers on it, and creates, writes, fsyncs, renames
 * and removes files beneath the directory dfd (whose path is dir); no
 * file is larger than maxfsize.  Linux: no_new_privs, seccomp-BPF;
 * OpenBSD: unveil(dir, "rwc") and pledge("stdio rpath wpath cpath");
 * FreeBSD: capability mode, dfd and s limited to those rights.  Fatal if
 * it cannot be installed.
 */
void	sandbox_dirwriter(int, int, const char *, size_t);

/* For status output and tests: "seccomp", "pledge", "capsicum", "rlimit". */
const char *sandbox_name(void);

#endif /* SANDBOX_H */
