#!/usr/bin/python3
"""negoex_relay.py: run a GSSAPI initiator and an acceptor that speak the
token line protocol, relay their tokens, and report how the exchange ended.

usage: negoex_relay.py --initiator CMD --acceptor CMD [--timeout SECONDS]
                       [--transcript FILE] [--tokens FILE]
       negoex_relay.py [options] INITIATOR_CMD ACCEPTOR_CMD

CMD is one command line, split as a POSIX shell would split it (shlex) but
run without a shell; put environment settings in front with env(1), e.g.
  --initiator 'env HOPS=2 KRB5_TRACE=/tmp/i.trace mit-gss-peer --role initiator'

The line protocol (tests/tools/mit-gss-peer.c, tests/tools/negoex-peer.c):
  a peer writes each of its output tokens as one line "TOKEN <hex>" on its
  standard output and reads the other side's as "TOKEN <hex>" lines on its
  standard input (the initiator speaks first); it ends with "DONE" (context
  established, exit 0) or "ERROR <message>" (exit 1), after any last token.
The relay forwards every token to the other side while that side still runs.
A token written after the other side has ended cannot be delivered; that is
allowed only as a side's last word before its own ERROR (MIT sends SPNEGO's
reject token when it fails, spnego_mech.c), and reported.
Once a side has ended, the other side's standard input is closed after the
last token reaches it, so a side that still wants a token sees end of input
and reports it, instead of waiting forever.  Readiness-driven (select), no
sleeps; --timeout (default $NEGOEX_RELAY_TIMEOUT, else 60 s) bounds the
whole exchange: a failsafe, not a synchronisation.

--transcript FILE: every NEGOEX message seen on the wire, one line each, in
MIT's trace wording (src/lib/gssapi/spnego/negoex_util.c:
trace_outgoing_message, trace_received_message), e.g.
  initiator NegoEx sending [0]INITIATOR_NEGO: c0a28569-66ac-0000-... d1b0...
  acceptor NegoEx received [0]INITIATOR_NEGO: c0a28569-66ac-0000-... d1b0...
For each token, the sender's "sending" lines and then the receiver's
"received" lines, as MIT's own one-process test (tests/gssapi/t_negoex.py)
sees them in its trace, so its expected message lists apply as they are.
The messages are found by their "NEGOEXTS" signature in the SPNEGO token and
walked by their header's cbMessageLength (the relay is an observer, not a
validator; a message it cannot walk is reported as "unparsed").
--tokens FILE: every token, one line "<from>-><to> <hex>".
--tamper-verify N: the N-th token reaches its receiver with one bit of its
first VERIFY's checksum flipped (a hostile path), to see the receiver refuse.

Prints, in the order they arrive, every line a side writes on standard
error, prefixed "I " (initiator) or "A " (acceptor) (negoex-peer's message
trace, MIT's assertion failures), its DONE or ERROR line likewise prefixed
("I DONE", "A ERROR ..."), one line per relayed token, and a summary:
  relay: initiator exit 0, acceptor exit 0
  initiator: DONE, exit 0, 3 token(s) sent
  acceptor: ERROR <message>, exit 1, 2 token(s) sent
  wire: 14 NEGOEX message(s), 1 conversation id(s)
  result: success | failure | broken (<why>)

Exit status: 0 both sides DONE; 1 a side reported ERROR (an exchange that
failed as the protocol allows); 2 the harness broke: bad usage, a side that
exited without DONE or ERROR, an unknown line, a token after its receiver
ended that was not followed by its ERROR, a DONE/ERROR that disagrees with
the exit status, or the timeout.
"""
import argparse
import os
import selectors
import shlex
import signal
import subprocess
import sys
import time

MAX_LINE = 8 << 20
SIGNATURE = b'NEGOEXTS'
HEADER_LEN = 40
TYPES = ['INITIATOR_NEGO', 'ACCEPTOR_NEGO', 'INITIATOR_META_DATA',
         'ACCEPTOR_META_DATA', 'CHALLENGE', 'AP_REQUEST', 'VERIFY', 'ALERT']


def guid_str(b):
    """A GUID as MIT's negoex_util.c:add_guid() prints it."""
    d1 = int.from_bytes(b[0:4], 'little')
    d2 = int.from_bytes(b[4:6], 'little')
    d3 = int.from_bytes(b[6:8], 'little')
    return '%08x-%04x-%04x-%s-%s' % (d1, d2, d3, b[8:10].hex(), b[10:16].hex())


def u32(b, off):
    return int.from_bytes(b[off:off + 4], 'little')


def u16(b, off):
    return int.from_bytes(b[off:off + 2], 'little')


def negoex_messages(token):
    """[(text, conversation id)] for the NEGOEX messages in one token."""
    out = []
    pos = token.find(SIGNATURE)
    if pos < 0:
        return out
    while pos + HEADER_LEN <= len(token) and token[pos:pos + 8] == SIGNATURE:
        mtype, seq = u32(token, pos + 8), u32(token, pos + 12)
        mlen = u32(token, pos + 20)
        conv = token[pos + 24:pos + 40].hex()
        if mlen < HEADER_LEN or mlen > len(token) - pos:
            out.append(('unparsed message at offset %d (length %d)' % (pos, mlen), conv))
            break
        m = token[pos:pos + mlen]
        name = TYPES[mtype] if mtype < len(TYPES) else 'UNKNOWN(%d)' % mtype
        info = None
        if mtype in (0, 1) and mlen >= 88:
            off, cnt = u32(m, 80), u16(m, 84)
            if off <= mlen and cnt * 16 <= mlen - off:
                info = ' '.join(guid_str(m[off + 16 * i:off + 16 * i + 16])
                                for i in range(cnt))
        elif mtype >= 2 and mtype < len(TYPES) and mlen >= 56:
            info = guid_str(m[40:56])
        out.append(('[%d]%s%s' % (seq, name, '' if info is None else ': ' + info), conv))
        pos += mlen
    return out


def flip_verify(token):
    """token with the last checksum byte of its first VERIFY flipped, or None."""
    pos = token.find(SIGNATURE)
    while pos >= 0 and pos + HEADER_LEN <= len(token) and token[pos:pos + 8] == SIGNATURE:
        mlen = u32(token, pos + 20)
        if mlen < HEADER_LEN or mlen > len(token) - pos:
            return None
        if u32(token, pos + 8) == 6 and mlen > 80:
            t = bytearray(token)
            t[pos + mlen - 1] ^= 0x01
            return bytes(t)
        pos += mlen
    return None


class Peer:
    def __init__(self, role, cmd):
        self.role = role
        self.cmd = cmd
        self.proc = None
        self.inbuf = b''        # bytes read from its stdout, not yet a line
        self.outq = b''         # bytes waiting to be written to its stdin
        self.close_after_flush = False
        self.stdin_open = True
        self.stdout_open = True
        self.stderr_open = True
        self.errbuf = b''       # bytes read from its stderr, not yet a line
        self.tag = role[0].upper()
        self.state = 'running'  # running, DONE, ERROR, vanished
        self.message = ''
        self.sent = 0
        self.undelivered = 0    # tokens sent after the other side ended
        self.rc = None


def main():
    ap = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        epilog=__doc__[__doc__.index('CMD is'):],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--initiator', help='the initiator command line')
    ap.add_argument('--acceptor', help='the acceptor command line')
    ap.add_argument('commands', nargs='*', metavar='CMD',
                    help='INITIATOR_CMD ACCEPTOR_CMD, instead of the two options')
    ap.add_argument('--timeout', type=float,
                    default=float(os.environ.get('NEGOEX_RELAY_TIMEOUT', '60')),
                    help='seconds for the whole exchange (default: '
                    '$NEGOEX_RELAY_TIMEOUT, else 60)')
    ap.add_argument('--transcript', help='write the NEGOEX messages seen here')
    ap.add_argument('--tokens', help='write every token here')
    ap.add_argument('--tamper-verify', type=int, metavar='N', default=0,
                    help='flip one bit of the checksum of the first VERIFY in '
                    'the N-th token (counting both ways from 1), as someone '
                    'on the path would; the transcript and --tokens show what '
                    'was sent, the receiver gets the flipped token')
    try:
        args = ap.parse_args()
    except SystemExit as e:
        sys.exit(0 if e.code == 0 else 2)
    if args.commands:
        if len(args.commands) != 2 or args.initiator or args.acceptor:
            ap.print_usage(sys.stderr)
            print('negoex_relay.py: give the two commands either as options or as '
                  'INITIATOR_CMD ACCEPTOR_CMD', file=sys.stderr)
            sys.exit(2)
        args.initiator, args.acceptor = args.commands
    if not args.initiator or not args.acceptor:
        ap.print_usage(sys.stderr)
        print('negoex_relay.py: an initiator and an acceptor command are required',
              file=sys.stderr)
        sys.exit(2)

    peers = {'initiator': Peer('initiator', shlex.split(args.initiator)),
             'acceptor': Peer('acceptor', shlex.split(args.acceptor))}
    other = {'initiator': 'acceptor', 'acceptor': 'initiator'}
    broken = []
    transcript = []
    tokens = []
    convs = []
    nmsgs = 0
    ntokens = 0

    for p in peers.values():
        try:
            p.proc = subprocess.Popen(p.cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, bufsize=0)
        except OSError as e:
            print('relay: cannot start the %s (%s): %s' % (p.role, p.cmd[0] if p.cmd else '', e))
            for q in peers.values():
                if q.proc:
                    q.proc.kill()
                    q.proc.wait()
            print('result: broken (cannot start the %s)' % p.role)
            sys.exit(2)
        os.set_blocking(p.proc.stdin.fileno(), False)

    sel = selectors.DefaultSelector()
    for p in peers.values():
        sel.register(p.proc.stdout, selectors.EVENT_READ, (p, 'r'))
        sel.register(p.proc.stderr, selectors.EVENT_READ, (p, 'e'))

    def close_stdin(p):
        if p.stdin_open:
            try:
                sel.unregister(p.proc.stdin)
            except (KeyError, ValueError):
                pass
            try:
                p.proc.stdin.close()
            except OSError:
                pass  # it has gone; its own report says why
            p.stdin_open = False

    def want_write(p):
        if not p.stdin_open:
            return
        try:
            sel.get_key(p.proc.stdin)
        except KeyError:
            sel.register(p.proc.stdin, selectors.EVENT_WRITE, (p, 'w'))

    def ended(p):
        """p will send nothing more: its peer's input ends after the queue."""
        q = peers[other[p.role]]
        q.close_after_flush = True
        if not q.outq:
            close_stdin(q)

    def on_line(p, line):
        nonlocal nmsgs, ntokens
        q = peers[other[p.role]]
        if p.state != 'running':
            broken.append('%s wrote after %s: %r' % (p.role, p.state, line[:60]))
            return
        if line.startswith(b'TOKEN '):
            try:
                tok = bytes.fromhex(line[6:].decode('ascii'))
            except ValueError:
                broken.append('%s wrote a TOKEN line that is not hex' % p.role)
                return
            if not tok:
                broken.append('%s wrote an empty token' % p.role)
                return
            p.sent += 1
            ntokens += 1
            msgs = negoex_messages(tok)
            nmsgs += len(msgs)
            for text, conv in msgs:
                if conv not in convs:
                    convs.append(conv)
            transcript.extend('%s NegoEx sending %s' % (p.role, t) for t, _ in msgs)
            transcript.extend('%s NegoEx received %s' % (q.role, t) for t, _ in msgs)
            tokens.append('%s->%s %s' % (p.role, q.role, tok.hex()))
            print('relay: %s -> %s token %d: %d bytes, %d NEGOEX message(s)%s'
                  % (p.role, q.role, p.sent, len(tok), len(msgs),
                     (' ' + ' '.join(t.split(':')[0] for t, _ in msgs)) if msgs else ''),
                  flush=True)
            if q.state != 'running' or not q.stdin_open or q.close_after_flush:
                # Its last word, such as SPNEGO's reject token (RFC 4178
                # 4.2.2) after the peer already failed or finished: fine if
                # ERROR follows, checked at the end.
                p.undelivered += 1
                print('relay: %s ended before it: token %d not delivered'
                      % (q.role, p.sent), flush=True)
                return
            if ntokens == args.tamper_verify:
                flipped = flip_verify(tok)
                if flipped is None:
                    broken.append('token %d has no VERIFY to tamper with' % ntokens)
                    return
                line = b'TOKEN ' + flipped.hex().encode()
                print('relay: token %d: one bit of its VERIFY checksum flipped' % ntokens,
                      flush=True)
            q.outq += line + b'\n'
            want_write(q)
        elif line == b'DONE':
            print('%s DONE' % p.tag, flush=True)
            p.state = 'DONE'
            close_stdin(p)
            ended(p)
        elif line.startswith(b'ERROR'):
            p.state = 'ERROR'
            p.message = line[5:].strip().decode('utf-8', 'replace')
            print('%s ERROR %s' % (p.tag, p.message), flush=True)
            close_stdin(p)
            ended(p)
        else:
            broken.append('%s wrote an unknown line: %r' % (p.role, line[:80]))

    deadline = time.monotonic() + args.timeout
    timed_out = False
    while any(p.stdout_open or p.stderr_open for p in peers.values()):
        left = deadline - time.monotonic()
        if left <= 0:
            timed_out = True
            break
        for key, _ in sel.select(timeout=left):
            p, what = key.data
            if ((what == 'w' and not p.stdin_open) or (what == 'r' and not p.stdout_open) or
                    (what == 'e' and not p.stderr_open)):
                continue  # closed while handling an earlier event of this round
            if what == 'e':
                data = os.read(p.proc.stderr.fileno(), 65536)
                if not data:
                    sel.unregister(p.proc.stderr)
                    p.stderr_open = False
                    data = b'\n' if p.errbuf else b''
                p.errbuf += data
                while b'\n' in p.errbuf:
                    line, p.errbuf = p.errbuf.split(b'\n', 1)
                    print('%s %s' % (p.tag, line.decode('utf-8', 'replace')), flush=True)
                p.errbuf = p.errbuf[-MAX_LINE:]
                continue
            if what == 'w':
                try:
                    n = os.write(p.proc.stdin.fileno(), p.outq)
                    p.outq = p.outq[n:]
                except BlockingIOError:
                    continue
                except BrokenPipeError:
                    p.outq = b''
                    broken.append('the %s closed its input before reading a token' % p.role)
                if not p.outq:
                    sel.unregister(p.proc.stdin)
                    if p.close_after_flush:
                        close_stdin(p)
                continue
            data = os.read(p.proc.stdout.fileno(), 65536)
            if not data:
                sel.unregister(p.proc.stdout)
                p.stdout_open = False
                if p.inbuf:
                    broken.append('%s ended with an unterminated line' % p.role)
                if p.state == 'running':
                    p.state = 'vanished'
                    close_stdin(p)
                    ended(p)
                continue
            p.inbuf += data
            while b'\n' in p.inbuf:
                line, p.inbuf = p.inbuf.split(b'\n', 1)
                on_line(p, line)
            if len(p.inbuf) > MAX_LINE:
                broken.append('%s wrote a line longer than %d bytes' % (p.role, MAX_LINE))
                p.inbuf = b''
            if broken:
                break
        if broken:
            break

    if timed_out or broken:
        for p in peers.values():
            if p.proc.poll() is None:
                p.proc.send_signal(signal.SIGKILL)
    for p in peers.values():
        close_stdin(p)
        try:
            p.rc = p.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            timed_out = True
            p.proc.kill()
            p.rc = p.proc.wait()
        p.proc.stdout.close()
        p.proc.stderr.close()

    if args.transcript:
        with open(args.transcript, 'w') as f:
            f.write(''.join(t + '\n' for t in transcript))
    if args.tokens:
        with open(args.tokens, 'w') as f:
            f.write(''.join(t + '\n' for t in tokens))

    print('relay: initiator exit %d, acceptor exit %d'
          % (peers['initiator'].rc, peers['acceptor'].rc))
    for p in peers.values():
        what = p.state if p.state != 'ERROR' else 'ERROR ' + p.message
        if p.state == 'vanished':
            what = 'exited without DONE or ERROR'
        rcs = 'signal %d' % -p.rc if p.rc < 0 else 'exit %d' % p.rc
        print('%s: %s, %s, %d token(s) sent%s' % (p.role, what, rcs, p.sent,
              ' (%d not delivered)' % p.undelivered if p.undelivered else ''))
        if p.state == 'DONE' and p.rc != 0:
            broken.append('%s said DONE but exited with %s' % (p.role, rcs))
        if p.state == 'ERROR' and p.rc != 1:
            broken.append('%s said ERROR but exited with %s' % (p.role, rcs))
        if p.state == 'vanished':
            broken.append('%s exited (%s) without DONE or ERROR' % (p.role, rcs))
        if p.undelivered and p.state != 'ERROR':
            broken.append('%s sent a token after the %s had ended, then said %s'
                          % (p.role, other[p.role], p.state))
    print('wire: %d NEGOEX message(s), %d conversation id(s)' % (nmsgs, len(convs)))
    if timed_out:
        broken.insert(0, 'no end within %g s' % args.timeout)
    if broken:
        print('result: broken (%s)' % '; '.join(broken))
        sys.exit(2)
    if all(p.state == 'DONE' for p in peers.values()):
        print('result: success')
        sys.exit(0)
    print('result: failure')
    sys.exit(1)


if __name__ == '__main__':
    main()
