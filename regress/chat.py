#!/usr/bin/env python3
# Raw SMTP test client: exact bytes out, replies in, codes checked.
#
# As a module:
#	from chat import Chat
#	c = Chat(port)			# connects, reads nothing yet
#	code, lines = c.reply()		# one (multi-line) reply
#	c.send(b"EHLO x\r\n")		# exact bytes
#	code, lines = c.cmd("NOOP")	# send a line + CRLF, read one reply
#	c.eof()				# True when the server closed
#
# As a program: chat.py [-H host] -p port [-t secs] [script]; the script
# (default stdin) has one step per line:
#	C text		send text + CRLF
#	S text		send text as is; \r \n \0 \xHH \\ are decoded
#	E code [re]	read a reply, want this code (and the regex in it)
#	X		want the server to close the connection
#	W secs		sleep
#	# ...		comment
# It prints each reply with "< " and each step with "> "; exit 0 when
# every step held, 1 at the first one that did not.
import re
import socket
import sys
import time


class Chat:
    def __init__(self, port, host="127.0.0.1", timeout=10):
        self.sock = socket.create_connection((host, int(port)), timeout)
        self.sock.settimeout(timeout)
        self.buf = b""
        self.closed = False

    def send(self, data):
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        self.sock.sendall(data)

    def _line(self):
        while b"\r\n" not in self.buf:
            try:
                d = self.sock.recv(65536)
            except (ConnectionResetError, socket.timeout):
                d = b""
            if not d:
                self.closed = True
                return None
            self.buf += d
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode("utf-8", "replace")

    def reply(self):
        """One reply: (code, [text lines]); (None, []) on close."""
        lines = []
        while True:
            line = self._line()
            if line is None:
                return None, lines
            lines.append(line)
            if len(line) < 4 or line[3] != "-":
                try:
                    return int(line[:3]), lines
                except ValueError:
                    return None, lines

    def replies(self, n):
        return [self.reply() for _ in range(n)]

    def cmd(self, line):
        self.send(line + "\r\n")
        return self.reply()

    def eof(self, wait=5):
        """True if the server closes the connection within wait seconds."""
        self.sock.settimeout(wait)
        try:
            while True:
                d = self.sock.recv(65536)
                if not d:
                    return True
                self.buf += d
        except ConnectionResetError:
            return True
        except socket.timeout:
            return False

    def close(self):
        self.sock.close()


def decode(s):
    return s.encode("utf-8", "surrogateescape").decode("unicode_escape").encode("latin-1")


def main(argv):
    host, port, timeout, script = "127.0.0.1", None, 10, None
    i = 1
    while i < len(argv):
        a = argv[i]
        if a in ("-H", "-p", "-t"):
            i += 1
            v = argv[i]
            if a == "-H":
                host = v
            elif a == "-p":
                port = int(v)
            else:
                timeout = float(v)
        else:
            script = a
        i += 1
    if port is None:
        print("usage: chat.py [-H host] -p port [-t secs] [script]", file=sys.stderr)
        return 2
    steps = open(script).read().splitlines() if script else sys.stdin.read().splitlines()
    c = Chat(port, host, timeout)
    for st in steps:
        if not st.strip() or st.startswith("#"):
            continue
        op, _, arg = st.partition(" ")
        print("> " + st)
        if op == "C":
            c.send(arg.encode() + b"\r\n")
        elif op == "S":
            c.send(decode(arg))
        elif op == "W":
            time.sleep(float(arg))
        elif op == "X":
            if not c.eof(timeout):
                print("# connection still open")
                return 1
        elif op == "E":
            want, _, rx = arg.partition(" ")
            code, lines = c.reply()
            for l in lines:
                print("< " + l)
            if code is None or str(code) != want or (rx and not re.search(rx, "\n".join(lines))):
                print("# wanted %s %s" % (want, rx))
                return 1
        else:
            print("# bad step: " + st)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
