#!/usr/bin/python3
"""negoex_spnego_shim.py --role initiator|acceptor -- CMD...: put SPNEGO
framing around a peer that speaks bare NEGOEX (negoex-peer --raw), so that
our NEGOEX engine can be tested against MIT krb5's SPNEGO on its own,
whatever the state of our SPNEGO layer.  Test-only scaffolding.

Both sides of the shim speak the token line protocol of negoex_relay.py:
the relay (MIT's peer) on the shim's stdin/stdout, CMD on the pipes the shim
gives it; CMD's standard error passes through.  DER is built and read by
OpenSSL (openssl asn1parse -genconf / asn1parse), never by hand.

As initiator: CMD's first token goes out as a GSS-framed NegTokenInit
(mechTypes: NEGOEX 1.3.6.1.4.1.311.2.2.30 only, mechToken), later ones as
NegTokenResp with negState accept-incomplete and responseToken, as MIT's
initiator sends them.  The responseToken of each NegTokenResp from the peer
goes to CMD.  When CMD says DONE right after sending a token, the shim waits
for the acceptor's last NegTokenResp (accept-completed, no NEGOEX) first.

As acceptor: the mechToken of the NegTokenInit, then the responseToken of
each NegTokenResp, goes to CMD; each token of CMD goes out at once as
NegTokenResp (supportedMech NEGOEX on the first) with negState
accept-incomplete: whether CMD will say DONE next cannot be known before
it does, and MIT's initiator completes on its NEGOEX context whatever
negState says (tried: accept-completed rewritten to accept-incomplete in
MIT against MIT, one to three hops, still established).  When CMD says
DONE having sent nothing for the last token it received, the shim sends a
NegTokenResp accept-completed without a token, as MIT's acceptor does.

A NegTokenResp with negState reject, or a token the shim cannot read,
ends with ERROR.  Exit status: CMD's (0 DONE, 1 ERROR), 2 usage."""
import os
import re
import selectors
import subprocess
import sys
import tempfile

NEGOEX_OID = '1.3.6.1.4.1.311.2.2.30'
SPNEGO_OID = '1.3.6.1.5.5.2'


def genconf(text):
    with tempfile.TemporaryDirectory() as d:
        cnf, der = os.path.join(d, 'cnf'), os.path.join(d, 'der')
        with open(cnf, 'w') as f:
            f.write(text)
        subprocess.run(['openssl', 'asn1parse', '-genconf', cnf, '-out', der, '-noout'],
                       check=True, stdout=subprocess.DEVNULL)
        with open(der, 'rb') as f:
            return f.read()


def neg_token_init(mech_token):
    return genconf('asn1 = IMPLICIT:0A,SEQUENCE:gss\n[gss]\nmech = OID:%s\n'
                   'init = EXPLICIT:0C,SEQUENCE:nti\n[nti]\n'
                   'types = EXPLICIT:0C,SEQUENCE:mechtypes\n'
                   'tok = EXPLICIT:2C,FORMAT:HEX,OCTETSTRING:%s\n'
                   '[mechtypes]\nm1 = OID:%s\n' % (SPNEGO_OID, mech_token.hex(), NEGOEX_OID))


def neg_token_resp(state, token=None, mech=False):
    lines = ['asn1 = EXPLICIT:1C,SEQUENCE:resp', '[resp]',
             'negState = EXPLICIT:0C,ENUMERATED:%d' % state]
    if mech:
        lines.append('mech = EXPLICIT:1C,OID:%s' % NEGOEX_OID)
    if token:
        lines.append('tok = EXPLICIT:2C,FORMAT:HEX,OCTETSTRING:%s' % token.hex())
    return genconf('\n'.join(lines) + '\n')


LINE = re.compile(r'^\s*(\d+):d=(\d+)\s+hl=(\d+)\s+l=\s*(\d+)\s+(prim|cons):\s*(.*?)\s*$')


def read_spnego(der):
    """(negState or None, inner token or None) of a NegTokenInit/Resp."""
    r = subprocess.run(['openssl', 'asn1parse', '-inform', 'DER', '-i'], input=der,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode != 0:
        raise ValueError('not DER: ' + r.stderr.decode(errors='replace').strip()[:80])
    rows = [LINE.match(l) for l in r.stdout.decode(errors='replace').splitlines()]
    rows = [(int(m[1]), int(m[2]), int(m[3]), int(m[4]), m[6]) for m in rows if m]
    if not rows:
        raise ValueError('empty token')
    # NegTokenInit: appl [0] { OID, [0] SEQUENCE { fields } }: fields at depth 3;
    # NegTokenResp: [1] SEQUENCE { fields }: fields at depth 2.
    depth = 3 if rows[0][4].startswith('appl [ 0 ]') else 2
    if depth == 2 and not rows[0][4].startswith('cont [ 1 ]'):
        raise ValueError('neither NegTokenInit nor NegTokenResp')
    state = token = None
    for i, (off, d, hl, ln, what) in enumerate(rows):
        if d != depth or i + 1 >= len(rows):
            continue
        inner = rows[i + 1]
        if what.startswith('cont [ 0 ]') and depth == 2 and 'ENUMERATED' in inner[4]:
            state = int(inner[4].split(':')[-1], 16)
        if what.startswith('cont [ 2 ]') and 'OCTET STRING' in inner[4]:
            token = der[inner[0] + inner[2]:inner[0] + inner[2] + inner[3]]
    return state, token


def say(line):
    sys.stdout.write(line + '\n')
    sys.stdout.flush()


class Lines:
    """Lines from a file descriptor, read as they come."""

    def __init__(self, fd):
        self.fd, self.buf, self.eof = fd, b'', False

    def feed(self):
        data = os.read(self.fd, 65536)
        self.eof = not data
        self.buf += data

    def take(self):
        out = []
        while b'\n' in self.buf:
            line, self.buf = self.buf.split(b'\n', 1)
            out.append(line.decode(errors='replace'))
        return out


def unwrap(line):
    """The NEGOEX part of a peer's TOKEN line (b'' if none), or an ERROR text."""
    if not line.startswith('TOKEN '):
        return None, 'ERROR shim: the peer wrote something else than a TOKEN line'
    try:
        state, token = read_spnego(bytes.fromhex(line[6:].strip()))
    except ValueError as e:
        return None, 'ERROR shim: unreadable SPNEGO token: %s' % e
    if state == 2:
        return None, 'ERROR shim: the peer rejected the exchange (negState reject)'
    return token or b'', None


def main():
    args = sys.argv[1:]
    if args[:1] in (['-h'], ['--help']):
        print(__doc__)
        return 0
    if len(args) < 4 or args[0] != '--role' or args[1] not in ('initiator', 'acceptor') \
            or args[2] != '--':
        print('usage: negoex_spnego_shim.py --role initiator|acceptor -- CMD...',
              file=sys.stderr)
        return 2
    initiator = args[1] == 'initiator'
    child = subprocess.Popen(args[3:], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             bufsize=0)
    peer, kid = Lines(sys.stdin.fileno()), Lines(child.stdout.fileno())
    sel = selectors.DefaultSelector()
    sel.register(peer.fd, selectors.EVENT_READ, peer)
    sel.register(kid.fd, selectors.EVENT_READ, kid)
    sent_init = sent_mech = False  # NegTokenInit sent; supportedMech sent
    last_was_send = False          # CMD's last act was a token to the peer
    awaiting_final = False         # initiator: CMD is DONE, the peer is not
    result = None

    while result is None:
        for key, _ in sel.select():
            src = key.data
            src.feed()
            for line in src.take():
                if result is not None:
                    break
                if src is peer:
                    tok, err = unwrap(line)
                    if err:
                        say(err)
                        result = 1
                    elif awaiting_final:
                        if tok:
                            say('ERROR shim: NEGOEX data after our side completed')
                            result = 1
                        else:
                            say('DONE')
                            result = 0
                    else:
                        child.stdin.write(b'TOKEN ' + tok.hex().encode() + b'\n')
                        child.stdin.flush()
                        last_was_send = False
                elif line.startswith('TOKEN '):
                    tok = bytes.fromhex(line[6:])
                    if initiator and not sent_init:
                        out, sent_init = neg_token_init(tok), True
                    else:
                        out = neg_token_resp(1, tok, mech=not initiator and not sent_mech)
                        sent_mech = True
                    say('TOKEN ' + out.hex())
                    last_was_send = True
                elif line == 'DONE':
                    if initiator and last_was_send:
                        awaiting_final = True  # the acceptor's accept-completed
                        continue
                    if not initiator and not last_was_send:
                        say('TOKEN ' + neg_token_resp(0, mech=not sent_mech).hex())
                    say('DONE')
                    result = 0
                elif line.startswith('ERROR'):
                    say(line)
                    result = 1
                else:
                    print('shim: ignored line from CMD: %s' % line[:60], file=sys.stderr)
            if result is None and src.eof:
                sel.unregister(src.fd)
                if src is peer and awaiting_final:
                    say('ERROR shim: end of input before the acceptor completed')
                    result = 1
                elif src is peer:
                    child.stdin.close()  # CMD finishes on its own: DONE or ERROR
                elif not awaiting_final:
                    say('ERROR shim: CMD ended without DONE or ERROR')
                    result = 1
    try:
        child.stdin.close()
    except OSError:
        pass
    if child.poll() is None and result != 0:
        child.kill()
    child.wait()
    return result


if __name__ == '__main__':
    sys.exit(main())
