#!/bin/sh
# The full bulk run of the queue: 10,000 messages (t-bulk.sh with
# BULK_N=10000), too slow for the suite (which runs 300): on the 2-core
# test machine about 25 minutes.  Usage: sh regress/queue/bulk.sh [N]
BULK_N=${1:-10000} UPAS_TEST=bulk-${1:-10000} exec sh "$(dirname "$0")/t-bulk.sh"
