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

/*
 * The session child's last words: its log lines, which travel to the
 * parent as PS_LOG (it cannot reach syslog), and its exit.
 */

#include <sys/types.h>

#include <stdint.h>
#include <unistd.h>

#include "log.h"
#include "session.h"

static int	logfd = -1;

/* The sandboxed child cannot reach syslog: its lines go to the parent. */
static void
logsink(int prio, const char *line)
{
	struct ps_buf	b;

	if (logfd == -1)
		return;
	ps_buf_init(&b);
	ps_add_u32(&b, (uint32_t)prio);
	ps_add_str(&b, line);
	(void)ps_sendbuf(logfd, PS_LOG, 0, -1, &b);
}

/* Leave without another word: the peer is gone or cannot be told. */
void
session_exit(struct session *s, const char *reason)
{
	if (s->spoolopen)
		(void)ps_send(s->psfd, PS_QUEUE_ABORT, 0, -1, NULL, 0);
	s->spoolopen = 0;
	log_info("disconnect reason=%s messages=%d", reason, s->nmsg);
	_exit(0);
}

/* From here on log lines go to the parent over fd. */
void
session_logto(int fd)
{
	logfd = fd;
	log_setsink(logsink);
}
