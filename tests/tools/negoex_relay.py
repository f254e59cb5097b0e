#!/usr/bin/python3
"""negoex_relay.py INITIATOR_CMD ACCEPTOR_CMD: pairs two NEGOEX peers that
speak negoex-peer's line protocol (negoex-peer --help): each "TOKEN <hex>"
line one prints on stdout goes to the other's stdin.  Both commands are
shell command lines, run with this process's environment.

Prints, in the order they arrive, every line each peer writes, prefixed
"I " (initiator) or "A " (acceptor): the message trace from stderr, and
the TOKEN, DONE and ERROR lines from stdout.  When a peer exits, the other's
stdin is closed (after every token is passed on), so a peer still waiting
fails instead of hanging.

A failsafe, not a synchronisation: if the peers say nothing for
NEGOEX_RELAY_TIMEOUT seconds (default 60), both are killed and the relay
fails.

Exit status: 0 both peers printed DONE and exited 0; 1 otherwise."""
import os, queue, subprocess, sys, threading


def reader(name, stream, kind, q):
    for line in stream:
        q.put((name, kind, line.rstrip('\n')))
    q.put((name, kind + '-eof', None))


def main():
    if len(sys.argv) != 3 or sys.argv[1] in ('-h', '--help'):
        print(__doc__)
        return 0 if len(sys.argv) == 2 else 2
    q = queue.Queue()
    procs = {}
    for name, cmd in (('I', sys.argv[1]), ('A', sys.argv[2])):
        p = subprocess.Popen(cmd, shell=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, bufsize=1)
        procs[name] = p
        for stream, kind in ((p.stdout, 'out'), (p.stderr, 'err')):
            threading.Thread(target=reader, args=(name, stream, kind, q), daemon=True).start()
    other = {'I': 'A', 'A': 'I'}
    done = {'I': False, 'A': False}
    eofs = {'I': 0, 'A': 0}
    timeout = float(os.environ.get('NEGOEX_RELAY_TIMEOUT', '60'))
    while eofs['I'] < 2 or eofs['A'] < 2:
        try:
            name, kind, line = q.get(timeout=timeout)
        except queue.Empty:
            for p in procs.values():
                p.kill()
            print('relay: timeout: no output for %g seconds' % timeout, flush=True)
            return 1
        if line is None:
            eofs[name] += 1
            if eofs[name] == 2:
                procs[name].wait()
                peer = procs[other[name]]
                if peer.stdin and not peer.stdin.closed:
                    try:
                        peer.stdin.close()
                    except BrokenPipeError:
                        pass
            continue
        print('%s %s' % (name, line), flush=True)
        if kind == 'out' and line.startswith('TOKEN '):
            peer = procs[other[name]]
            try:
                peer.stdin.write(line + '\n')
                peer.stdin.flush()
            except (BrokenPipeError, ValueError):
                pass
        elif kind == 'out' and line == 'DONE':
            done[name] = True
    ok = all(done.values()) and all(p.returncode == 0 for p in procs.values())
    print('relay: initiator exit %d, acceptor exit %d' %
          (procs['I'].returncode, procs['A'].returncode), flush=True)
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
