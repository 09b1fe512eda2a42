# Sourced by the benchmark scripts: run a command under /usr/bin/time -v and print its wall
# time and peak resident memory.
#   measure LABEL COMMAND...   prints "LABEL  wall_s  peak_MiB"

measure() {
  local label=$1; shift
  local log; log=$(mktemp)
  /usr/bin/time -v "$@" >/dev/null 2>"$log" || { cat "$log"; return 1; }
  local wall peak
  wall=$(grep "Elapsed (wall clock)" "$log" | awk -F': ' '{print $2}' \
    | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  peak=$(grep "Maximum resident set size" "$log" | awk -F': ' '{printf "%.0f", $2/1024}')
  printf "%-44s %8.2f s %8s MiB\n" "$label" "$wall" "$peak"
  rm -f "$log"
}
