#!/usr/bin/env python3
"""The interactive shell on a pseudo-terminal: prompt, tab completion, history, multi-line Lua,
Ctrl-C at the prompt and during a command. Prints TAP lines."""
import os, pty, re, select, signal, sys, tempfile, time

BATON = os.environ.get("BATON", "./baton")
tmp = tempfile.mkdtemp(prefix="baton-pty.", dir=os.environ.get("TMPROOT", "/tmp"))
hist = os.path.join(tmp, "history")
failed = 0


def report(ok, name, detail=""):
    global failed
    print(("ok - " if ok else "not ok - ") + name)
    if not ok:
        failed += 1
        for line in detail.splitlines()[-15:]:
            print("#   " + line)
    sys.stdout.flush()


class Shell:
    def __init__(self):
        env = dict(os.environ, TERM="dumb", BATON_HISTORY=hist, INPUTRC="/dev/null")
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execve(BATON, [BATON, "-q"], env)
        self.buf = b""

    def read_until(self, pattern, timeout=10.0):
        """Reads until 'pattern' (a regex on bytes) matches what came since the last call."""
        end = time.time() + timeout
        rx = re.compile(pattern)
        while not rx.search(self.buf):
            left = end - time.time()
            if left <= 0:
                return None
            r, _, _ = select.select([self.fd], [], [], left)
            if r:
                try:
                    data = os.read(self.fd, 4096)
                except OSError:
                    return None
                if not data:
                    return None
                self.buf += data
        m = rx.search(self.buf)
        got, self.buf = self.buf[:m.end()], self.buf[m.end():]
        return got

    def send(self, s):
        os.write(self.fd, s.encode())

    def close(self):
        try:
            self.send("\x04")
        except OSError:
            pass
        for _ in range(50):
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(status)
            time.sleep(0.1)
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        return None


PROMPT = rb"baton> $"

sh = Shell()
got = sh.read_until(PROMPT)
report(got is not None, "the prompt is 'baton> '", repr(sh.buf))

sh.send("ech\t")
got = sh.read_until(rb"echo ")
report(got is not None, "tab completes a command name", repr(sh.buf))
sh.send("completed\r")
got = sh.read_until(rb"\ncompleted\r?\n.*baton> $")
report(got is not None, "the completed command runs", repr(sh.buf))

sh.send("pcap g\t")
got = sh.read_until(rb"pcap gen ")
report(got is not None, "tab completes a subcommand", repr(sh.buf))
sh.send("un\t")
got = sh.read_until(rb"uniform ")
report(got is not None, "tab completes a sub-word from the table", repr(sh.buf))
sh.send("--flo\t")
got = sh.read_until(rb"--flows ")
report(got is not None, "tab completes an option", repr(sh.buf))
# Ctrl-C at the prompt drops the line and gives a fresh prompt.
sh.send("\x03")
got = sh.read_until(PROMPT)
report(got is not None, "Ctrl-C at the prompt gives a new prompt", repr(sh.buf))
sh.send("echo fresh\r")
got = sh.read_until(rb"\nfresh\r?\n.*baton> $")
report(got is not None and b"usage" not in got and b"error" not in got,
       "the line dropped by Ctrl-C did not run", repr(got if got else sh.buf))

sh.send("lua for i = 1, 2 do\r")
got = sh.read_until(rb"\.\.\.> $")
report(got is not None, "an unfinished Lua chunk shows the continuation prompt", repr(sh.buf))
sh.send("print(i * 10)\r")
sh.read_until(rb"\.\.\.> $")
sh.send("end\r")
got = sh.read_until(PROMPT)
report(got is not None and re.search(rb"10\r?\n20", got) is not None,
       "a multi-line Lua chunk runs when complete", repr(got))

# Ctrl-C during a running command stops the command, not the shell.
sh.send("lua while true do end\r")
time.sleep(0.5)
sh.send("\x03")
got = sh.read_until(PROMPT, timeout=5)
report(got is not None and b"interrupted" in got, "Ctrl-C stops a running Lua loop",
       repr(got if got else sh.buf))
gen = os.path.join(tmp, "big.pcap")
sh.send("pcap gen uniform --flows 1000 --packets 500M -o %s\r" % gen)
time.sleep(2.5)
sh.send("\x03")
got = sh.read_until(PROMPT, timeout=10)
report(got is not None and b"interrupted" in got.lower(), "Ctrl-C stops a long pcap gen",
       repr(got if got else sh.buf))
report(got is not None and re.search(rb"writing: [0-9.]+[kM]?/500\.0M \([0-9]+%\)", got) is not None,
       "a long pcap gen shows a progress line", repr(got if got else sh.buf))
report(not os.path.exists(gen) and not os.path.exists(gen + ".tmp"),
       "an interrupted pcap gen leaves no file", str(os.listdir(tmp)))
# Ctrl-C during check shows what was seen so far, and the shell goes on.
trace = os.path.join(tmp, "check.pcap")
sh.send("pcap gen bidir --flows 1000 --packets 4M --size 64 -o %s\r" % trace)
sh.read_until(PROMPT, timeout=60)
sh.send("load fw\r")
sh.read_until(PROMPT, timeout=60)
sh.send("check %s --lan 192.168.0.0/16\r" % trace)
time.sleep(0.4)
sh.send("\x03")
got = sh.read_until(PROMPT, timeout=20)
report(got is not None and b"stopped early" in got and b"check stopped after" in got,
       "Ctrl-C stops check and shows what was seen so far", repr(got if got else sh.buf))
report(got is not None and re.search(rb"\n +3 +[0-9]+ +[0-9.]+% +[0-9]+", got) is not None,
       "a stopped check still shows the per-core table", repr(got if got else sh.buf))
os.unlink(trace)

sh.send("echo alive\r")
got = sh.read_until(rb"\nalive\r?\n.*baton> $")
report(got is not None, "the shell goes on after Ctrl-C", repr(sh.buf))

code = sh.close()
report(code == 1, "Ctrl-D leaves with status 1: interrupted commands did not succeed", str(code))
try:
    saved = open(hist).read()
except OSError:
    saved = ""
report("echo fresh" in saved and "lua for i = 1, 2 do\nprint(i * 10)\nend" in saved,
       "history is saved to the history file", saved)
report("echo partial" not in saved, "a line dropped by Ctrl-C is not in the history", saved)

# A new shell recalls the history with the up arrow.
sh = Shell()
sh.read_until(PROMPT)
sh.send("\x1b[A\r")
got = sh.read_until(rb"alive\r?\n.*baton> $")
report(got is not None, "the up arrow recalls the previous session's last line", repr(sh.buf))
code = sh.close()
report(code == 0, "Ctrl-D leaves with status 0 when every command succeeded", str(code))

sh = Shell()
sh.read_until(PROMPT)
sh.send("nosuchcommand\r")
sh.read_until(PROMPT)
code = sh.close()
report(code == 1, "the interactive shell exits 1 when a command failed", str(code))

os.system("rm -rf '%s'" % tmp)
sys.exit(1 if failed else 0)
