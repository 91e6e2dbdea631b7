#!/usr/bin/env python3
"""Time from starting `why401 URL` in a pseudo-terminal to its first frame on screen.

Baseline in the same run: starting `why401 --version` and reading its output, i.e. what
process start-up alone costs. Usage: benches/first_frame.py [BINARY] [RUNS]
(BINARY defaults to target/release/why401). Only loopback addresses are used.
"""
import fcntl
import os
import pty
import select
import statistics
import struct
import subprocess
import sys
import termios
import time

BIN = sys.argv[1] if len(sys.argv) > 1 else "target/release/why401"
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 30
URL = "http://127.0.0.1:9/admin"


def time_until(args, needle, quit_keys=b""):
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    os.set_blocking(leader, False)
    env = dict(os.environ, TERM="xterm-256color")
    started = time.perf_counter()
    proc = subprocess.Popen(args, stdin=follower, stdout=follower, stderr=follower, env=env)
    seen, elapsed = b"", None
    deadline = started + 5
    while time.perf_counter() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.5)
        if ready:
            try:
                seen += os.read(leader, 65536)
            except OSError:
                break
            if needle in seen:
                elapsed = time.perf_counter() - started
                break
    if quit_keys:
        os.write(leader, quit_keys)
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    os.close(leader)
    os.close(follower)
    if elapsed is None:
        sys.exit(f"{args} never showed {needle!r}; output: {seen[-400:]!r}")
    return elapsed * 1000


def report(name, samples):
    samples.sort()
    p95 = samples[int(len(samples) * 0.95) - 1]
    print(f"{name:<34} median {statistics.median(samples):6.1f} ms   p95 {p95:6.1f} ms   (n={len(samples)})")


def main():
    base = [time_until([BIN, "--version"], b"why401") for _ in range(RUNS)]
    # Ctrl+C leaves the wizard at once (the start screen has nothing to save).
    first = [time_until([BIN, URL], "Who are you?".encode(), b"\x03") for _ in range(RUNS)]
    report("baseline: why401 --version", base)
    report("first frame: why401 URL", first)


main()
