#!/usr/bin/env python3
# A real HTTPS server (Python's http.server over ssl) for the MTA-STS tests:
#	stshttps.py ADDR PORT CHAIN KEY WWWDIR LOG
# GET /.well-known/mta-sts.txt with "Host: H" answers WWWDIR/H as
# text/plain; WWWDIR/H.status (e.g. "301 https://elsewhere/") and
# WWWDIR/H.type (a Content-Type) change the answer for H, WWWDIR/H.delay
# (seconds) delays it.  Every request is appended to LOG as
# "HOST PATH STATUS".  Runs until killed.
import http.server
import os
import ssl
import sys
import time

addr, port, chain, key, www, log = sys.argv[1:7]


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        pass

    def record(self, host, status):
        with open(log, "a") as f:
            f.write("%s %s %d\n" % (host, self.path, status))

    def do_GET(self):
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        base = os.path.join(www, os.path.basename(host))
        status, location = 200, None
        if os.path.exists(base + ".status"):
            with open(base + ".status") as f:
                parts = f.read().split()
            status = int(parts[0])
            location = parts[1] if len(parts) > 1 else None
        if self.path != "/.well-known/mta-sts.txt" or not host or \
                not os.path.exists(base):
            status = 404
        ctype = "text/plain"
        if os.path.exists(base + ".type"):
            with open(base + ".type") as f:
                ctype = f.read().strip()
        if os.path.exists(base + ".delay"):
            with open(base + ".delay") as f:
                time.sleep(float(f.read().strip()))
        body = b"not found\n"
        if status == 200:
            with open(base, "rb") as f:
                body = f.read()
        self.record(host, status)
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(chain, key)
srv = http.server.ThreadingHTTPServer((addr, int(port)), Handler)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
print("listening", flush=True)
srv.serve_forever()
