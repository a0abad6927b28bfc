/*
 * A model of FreeBSD's Capsicum for capsicum-test.c, which runs
 * privsep/sandbox_capsicum.c on Linux.  Rights are bits here (FreeBSD
 * packs them in two words); what the model keeps is the kernel's rule:
 * a limit may only take rights away, never add (cap_rights_limit(2),
 * cap_fcntls_limit(2): ENOTCAPABLE).
 */
#ifndef FAKE_CAPSICUM_H
#define FAKE_CAPSICUM_H

#include <stdint.h>

#define ENOTCAPABLE	93

#define CAP_READ	(1ULL << 0)
#define CAP_WRITE	(1ULL << 1)
#define CAP_SEEK	(1ULL << 2)
#define CAP_FCNTL	(1ULL << 3)
#define CAP_FSTAT	(1ULL << 4)
#define CAP_EVENT	(1ULL << 5)
#define CAP_IOCTL	(1ULL << 6)
#define CAP_SHUTDOWN	(1ULL << 7)
#define CAP_GETPEERNAME	(1ULL << 8)
#define CAP_GETSOCKNAME	(1ULL << 9)
#define CAP_LOOKUP	(1ULL << 10)
#define CAP_CREATE	(1ULL << 11)
#define CAP_FSYNC	(1ULL << 12)
#define CAP_RENAMEAT_SOURCE	(1ULL << 13)
#define CAP_RENAMEAT_TARGET	(1ULL << 14)
#define CAP_UNLINKAT	(1ULL << 15)
#define CAP_RECV	CAP_READ
#define CAP_SEND	CAP_WRITE
#define CAP_ALL		((1ULL << 16) - 1)

#define CAP_FCNTL_GETFL	(1U << 3)	/* 1 << F_GETFL */
#define CAP_FCNTL_SETFL	(1U << 4)	/* 1 << F_SETFL */
#define CAP_FCNTL_ALL	(CAP_FCNTL_GETFL | CAP_FCNTL_SETFL)

typedef struct { uint64_t r; } cap_rights_t;

cap_rights_t	*fake_rights_init(cap_rights_t *, ...);
#define cap_rights_init(r, ...)	fake_rights_init((r), __VA_ARGS__, 0ULL)
int	cap_rights_limit(int, const cap_rights_t *);
int	cap_fcntls_limit(int, uint32_t);
int	cap_ioctls_limit(int, const unsigned long *, size_t);
int	cap_enter(void);

#endif
