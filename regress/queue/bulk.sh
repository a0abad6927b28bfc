#!/bin/sh
# The full bulk run of the queue: 10,000 messages (t-bulk.sh with
# BULK_N=10000), too slow for the suite (which runs 200): on the 2-core
# test machine 1,000 took 4 minutes (51 s into the queue, 189 s of runq), so
# 10,000 take about 40.  Usage: sh regress/queue/bulk.sh [N]
BULK_N=${1:-10000} UPAS_TEST=bulk-${1:-10000} exec sh "$(dirname "$0")/t-bulk.sh"
