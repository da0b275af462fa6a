#!/bin/sh
# The soak of make soak (tests/soak.lua), short: a locks build under a looped churn trace for
# 3 s, counters every second, everything accounted for and every mbuf back at the stop.
SOAK_TIME=${SOAK_SHORT:-3} exec sh tests/soak.sh
