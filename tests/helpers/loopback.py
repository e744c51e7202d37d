"""loopback.py - how the test servers (fake-llm.py, ollama-proxy.py) serve:
on a free port of 127.0.0.1, printed on stdout as the first line so the
test that started them knows where to connect, until interrupted."""
from http.server import ThreadingHTTPServer


def serve(handler):
    """Serve handler on a free loopback port, printing the port first."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever(poll_interval=0.05)
    except KeyboardInterrupt:
        pass
    server.server_close()
