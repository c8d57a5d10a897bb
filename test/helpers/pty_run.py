"""Runs a command in a real pseudo-terminal and plays a script of expect/send steps.

The script arrives as JSON on stdin (never argv, so typed test values stay out of `ps`):
  {"argv": [...], "env": {...}, "steps": [{"expect": "regex"}, {"send": "text"}, {"signal": "INT"}],
   "timeout": 20}
Prints one JSON document: {"output": <everything the terminal showed>, "exit": <code or -signal>}.
"""
import fcntl
import json
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time

spec = json.load(sys.stdin)
deadline = time.time() + spec.get("timeout", 20)
pid, fd = pty.fork()
if pid == 0:
    os.execvpe(spec["argv"][0], spec["argv"], spec["env"])

# A real terminal has a size; programs that draw (spinners, prompts) rely on it.
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))

output = b""


def read_some(wait):
    global output
    ready, _, _ = select.select([fd], [], [], wait)
    if not ready:
        return False
    try:
        chunk = os.read(fd, 65536)
    except OSError:
        return None
    if not chunk:
        return None
    output += chunk
    return True


def bytes_read_by_child():
    """What the child has read so far, of any file (rchar in /proc/PID/io); None where it cannot be seen."""
    try:
        with open("/proc/%d/io" % pid) as io:
            for line in io:
                if line.startswith("rchar:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def wait_until_read(count, since):
    """Waits until the child has read `count` more bytes than `since`: the keys sent are then past the
    terminal's line discipline, which decides echo when it processes them (in a kernel worker, later
    than the write). A signal sent before that can let the child restore echo first, and the kernel
    then echoes keys the program never saw: a race of the test bed, not a leak of the program."""
    if since is None:
        return
    while time.time() < deadline:
        now = bytes_read_by_child()
        if now is None or now - since >= count:
            return
        read_some(0.01)


failure = None
seen = 0
sent = 0
read_before_sends = None
for step in spec["steps"]:
    if "expect" in step:
        pattern = re.compile(step["expect"].encode())
        while True:
            match = pattern.search(output, seen)
            if match:
                seen = match.end()
                break
            if time.time() > deadline or read_some(0.05) is None:
                failure = "did not see %r" % step["expect"]
                break
        if failure:
            break
    elif "send" in step:
        time.sleep(0.05)
        if read_before_sends is None:
            read_before_sends = bytes_read_by_child()
        data = step["send"].encode()
        os.write(fd, data)
        sent += len(data)
    elif "signal" in step:
        wait_until_read(sent, read_before_sends)
        os.kill(pid, getattr(signal, "SIG" + step["signal"]))

status = None
while status is None:
    done, raw = os.waitpid(pid, os.WNOHANG)
    if done:
        status = raw
        while read_some(0.05):
            pass
        break
    if time.time() > deadline:
        failure = failure or "timed out"
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        break
    read_some(0.05)

print(json.dumps({"output": output.decode("utf-8", "replace"), "exit": os.waitstatus_to_exitcode(status), "failure": failure}))
