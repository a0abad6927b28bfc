#!/bin/sh
# The full bulk run of the queue, too long for the suite (which runs 200):
# t-bulk.sh with BULK_N messages, 10,000 unless given.  `make bulk`
# (BULK_N=...) runs it.  Usage: sh regress/queue/bulk.sh [N]
BULK_N=${1:-10000} UPAS_TEST=bulk-${1:-10000} exec sh "$(dirname "$0")/t-bulk.sh"
