"""moto_server, answering one request at a time.

moto 5.2's server runs each request on its own thread, but its backends are plain dicts that are not
safe to change while another thread iterates them: concurrent CreateSecret calls fail with HTTP 500
("dictionary changed size during iteration" in SecretsStore.__contains__), and DescribeParameters
likewise while parameters are created or deleted. Those 500s are the emulator's bug, not AWS's
behaviour, and the SDK retries them, so call counts and account-wide reads became flaky. Connections
are still accepted on threads (no client waits to connect); the model itself runs under one lock.

Werkzeug's log of every request is turned off. A caller that starts this server and then blocks (the
demo runs each CLI command with spawnSync) does not read its stderr meanwhile; once the pipe's buffer
was full, the thread writing a log line blocked while holding the logging lock, and every request
after it hung. Errors and warnings are still logged.

Usage: python3 serial_moto.py HOST PORT
"""
import logging
import signal
import sys
import threading

from werkzeug.serving import run_simple
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    app = DomainDispatcherApplication(create_backend_app)
    lock = threading.Lock()

    def serial(environ, start_response):
        with lock:
            # The whole answer is produced under the lock: a lazy body could still read the model.
            return [b"".join(app(environ, start_response))]

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
    run_simple(host, port, serial, threaded=True)


if __name__ == "__main__":
    main()
