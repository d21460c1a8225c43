"""A one-peer HTTP tracker for the load generator (BEP 3 announce, BEP 23
compact reply): every announce gets the seeder's address and nothing else.

Why a tracker at all, when handle.connect_peer exists: libtorrent makes
outgoing connections from its once-per-second session tick, whose phase is
set when the session is constructed (~20 ms each, serially), so N sessions
given connect_peer at the same instant connect spread over up to a second.
A tracker reply instead triggers libtorrent's connect boost
(torrent_connect_boost): the downloader dials at once, and N downloaders
resumed together reach the seeder within a few tens of milliseconds.
"""
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Long enough that nobody re-announces during a run.
INTERVAL_S = 3600
# The default listen backlog of 5 drops SYNs from N simultaneous announces
# and the kernel retries them a second later: that would recreate the stagger.
BACKLOG = 1024


class _Server(ThreadingHTTPServer):
    request_queue_size = BACKLOG
    daemon_threads = True


def _reply(peer_ip, peer_port):
    peers = socket.inet_aton(peer_ip) + peer_port.to_bytes(2, 'big')
    return b'd8:intervali%de5:peers6:%se' % (INTERVAL_S, peers)


class AnnounceStub:
    """Listens on bind_ip:0; .url is the announce URL; .count announces served."""

    def __init__(self, bind_ip, peer_ip, peer_port):
        body = _reply(peer_ip, peer_port)
        stub = self
        self.count = 0

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                stub.count += 1
                self.send_response(200)
                self.send_header('Content-Type', 'text/plain')
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args):
                pass

        self._httpd = _Server((bind_ip, 0), Handler)
        self.url = f'http://{bind_ip}:{self._httpd.server_address[1]}/announce'
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={'poll_interval': 0.1}, daemon=True)
        self._thread.start()

    def close(self):
        self._httpd.shutdown()
        self._httpd.server_close()
