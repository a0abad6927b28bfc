/*
 * The two helpers privsep/sandbox_capsicum.c uses, as FreeBSD 14's
 * capsicum_helpers.h defines them: caph_enter() is cap_enter() with ENOSYS
 * (a kernel without Capsicum) not an error; caph_cache_tzdata() is tzset().
 */
#ifndef FAKE_CAPSICUM_HELPERS_H
#define FAKE_CAPSICUM_HELPERS_H

#include <errno.h>
#include <time.h>

#include <sys/capsicum.h>

static inline int
caph_enter(void)
{
	if (cap_enter() < 0 && errno != ENOSYS)
		return -1;
	return 0;
}

static inline void
caph_cache_tzdata(void)
{
	tzset();
}

#endif
