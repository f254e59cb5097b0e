#!/usr/bin/env bash
# test_negoex_mit.sh: NEGOEX interop with MIT krb5 1.20 (Debian 12).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/negoex_mit.sh"
source "$(dirname "$0")/negoex_mit_cases.sh"
mit_build
nx_cases mit mit
it_summary
