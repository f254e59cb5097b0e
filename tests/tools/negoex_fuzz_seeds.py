#!/usr/bin/python3
"""negoex_fuzz_seeds.py BUILD_DIR: writes the seed corpora of the NEGOEX
engine fuzz targets (tests/fuzz/corpus/negoex_engine_initiator/ and
.../negoex_engine_acceptor/) from real exchanges between two negoex-peer
processes (tests/tools/negoex_relay.py), in the input format of
tests/fuzz/negoex_engine_fuzz.h: the acceptor's tokens for the initiator
target, the initiator's for the acceptor target."""
import os, struct, subprocess, sys

top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KEYS = [None, 'always', 'init-always', 'accept-always']


def seed(config, tokens):
    return bytes([config]) + b''.join(struct.pack('<H', len(t)) + t for t in tokens)


def main():
    peer = os.path.join(sys.argv[1], 'tests', 'negoex-peer')
    relay = os.path.join(top, 'tests', 'tools', 'negoex_relay.py')
    cases = [(1, 0, 2, False), (2, 0, 2, False), (3, 1, 2, False), (3, 2, 2, False),
             (4, 3, 2, False), (1, 0, 1, False), (2, 0, 2, True)]
    for hops, key, nschemes, reverse in cases:
        config = (hops - 1) | key << 2 | (0x10 if nschemes == 2 else 0) | \
            (0x20 if reverse else 0) | 0x40
        env = dict(os.environ, HOPS=str(hops))
        env.pop('KEY', None)
        if KEYS[key]:
            env['KEY'] = KEYS[key]
        opts = '--raw --schemes %d%s' % (nschemes, ' --reverse' if reverse else '')
        out = subprocess.run([relay, '%s %s --role initiator' % (peer, opts),
                              '%s %s --role acceptor' % (peer, opts)],
                             env=env, capture_output=True, text=True, check=True).stdout
        toks = {'I': [], 'A': []}
        for line in out.splitlines():
            if line[2:].startswith('TOKEN '):
                toks[line[0]].append(bytes.fromhex(line[8:]))
        for target, side in (('negoex_engine_initiator', 'A'), ('negoex_engine_acceptor', 'I')):
            d = os.path.join(top, 'tests', 'fuzz', 'corpus', target)
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, 'seed-%02x' % config), 'wb') as f:
                f.write(seed(config, toks[side]))


if __name__ == '__main__':
    sys.exit(main())
