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

GetParametersByPath is answered from one listing per walk. moto 5.2 scans and filters every
parameter of the account for each page of 10, so walking 10,000 parameters made 1,000 full scans
(about 0.15 s each, under the lock above, holding up every other call): the test bed then measured
the emulator, not the CLI, whose first write came minutes after the start. Here the first page is
moto's own answer, and the pages after it (those with a NextToken) slice one listing made once for
that walk. The answers are the same as moto's: the listing is dropped whenever any SSM call that is
not a read (PutParameter, DeleteParameters, tags, labels ...) or a call to moto's own API (a reset)
reaches the server, so a change made during a walk shows in its later pages as it does in moto's.

Secrets are found by name through the dict moto keeps them in. moto 5.2 looks a secret up (to create,
read, describe or tag it) by scanning every secret of the region for a matching name or ARN, so each
call cost time in proportion to the account's secrets: at 10,000 secrets the read-back of a migration
(500 BatchGetSecretValue calls of 20) took minutes. A name (anything not starting `arn:`) is now
looked up directly; an ARN, and any store holding an entry under another key than its name (a
replica, kept under its ARN), is still scanned as moto does, so the answers do not change.

Usage: python3 serial_moto.py HOST PORT
"""
import logging
import signal
import sys
import threading

from werkzeug.serving import run_simple
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from moto.secretsmanager.models import SecretsStore
from moto.ssm.models import SimpleSystemManagerBackend

SSM_READS = ("AmazonSSM.Get", "AmazonSSM.Describe", "AmazonSSM.List")

# (backend, path, recursive, filters) -> the parameters of that walk, in moto's order.
walks: dict = {}
moto_get_parameters_by_path = SimpleSystemManagerBackend.get_parameters_by_path


def get_parameters_by_path(self, path, recursive, filters=None, next_token=None, max_results=10):
    key = (id(self), path, recursive, repr(filters))
    if next_token is None:
        # A new walk: moto's own answer (with its checks and errors); its later pages share one listing.
        walks.pop(key, None)
        return moto_get_parameters_by_path(self, path, recursive, filters, next_token=next_token, max_results=max_results)
    listing = walks.get(key)
    if listing is None:
        # Validates the filters and the page size, and scans as moto does, keeping every match.
        moto_get_parameters_by_path(self, path, recursive, filters, next_token=next_token, max_results=max_results)
        prefix = path.rstrip("/") + "/"
        listing = [
            parameter
            for parameter in (self.get_parameter(name) for name in self._parameters.get_keys_beginning_with(prefix, recursive))
            if self._match_filters(parameter, filters)
        ]
        walks[key] = listing
    return self._get_values_nexttoken(listing, max_results, next_token)


SimpleSystemManagerBackend.get_parameters_by_path = get_parameters_by_path


def index_secrets_by_name() -> None:
    moto_lookups = {name: getattr(SecretsStore, name) for name in ("__getitem__", "__contains__", "get", "pop")}

    def by_name(store, key) -> bool:
        return isinstance(key, str) and not key.startswith("arn:") and not getattr(store, "keyed_otherwise", False)

    def set_item(store, key, secret):
        if key != getattr(secret, "name", key):
            store.keyed_otherwise = True
        dict.__setitem__(store, key, secret)

    SecretsStore.__setitem__ = set_item
    SecretsStore.__getitem__ = lambda store, key: dict.__getitem__(store, key) if by_name(store, key) else moto_lookups["__getitem__"](store, key)
    SecretsStore.__contains__ = lambda store, key: dict.__contains__(store, key) if by_name(store, key) else moto_lookups["__contains__"](store, key)
    SecretsStore.get = lambda store, key: dict.get(store, key) if by_name(store, key) else moto_lookups["get"](store, key)
    SecretsStore.pop = lambda store, key: dict.pop(store, key, None) if by_name(store, key) else moto_lookups["pop"](store, key)


index_secrets_by_name()


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    app = DomainDispatcherApplication(create_backend_app)
    lock = threading.Lock()

    def serial(environ, start_response):
        with lock:
            target = environ.get("HTTP_X_AMZ_TARGET", "")
            changes_ssm = target.startswith("AmazonSSM.") and not target.startswith(SSM_READS)
            if changes_ssm or environ.get("PATH_INFO", "").startswith("/moto-api"):
                walks.clear()
            # The whole answer is produced under the lock: a lazy body could still read the model.
            return [b"".join(app(environ, start_response))]

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
    run_simple(host, port, serial, threaded=True)


if __name__ == "__main__":
    main()
