#!/usr/bin/env python3
"""Turns one bench/run.sh result directory into a markdown report (stdout).

Reads machine.json, iperf3.json, fio-direct.json, fio-buffered.json and results.jsonl (one JSON
object per sluice_loadgen run, with the case name, the repeat and the broker's CPU seconds added by
run.sh). Every number in the tables is the MEDIAN over the repeats of that metric taken on its own
(so a row's columns may come from different repeats); MB/s also shows the min-max range, because
these machines are noisy. MB = 10^6 bytes of record values.

Usage: bench/summarize.py RESULT_DIR
"""

import json
import os
import statistics
import sys


def load_json(directory, name):
    with open(os.path.join(directory, name)) as f:
        return json.load(f)


def load_runs(directory):
    with open(os.path.join(directory, "results.jsonl")) as f:
        return [json.loads(line) for line in f if line.strip()]


def machine_limits(directory):
    """MB/s the machine gives without the broker: loopback TCP and sequential writes."""
    iperf = load_json(directory, "iperf3.json")
    direct = load_json(directory, "fio-direct.json")
    buffered = load_json(directory, "fio-buffered.json")
    return {
        "loopback": iperf["end"]["sum_received"]["bits_per_second"] / 8 / 1e6,
        "disk_direct": direct["jobs"][0]["write"]["bw_bytes"] / 1e6,
        "disk_buffered": buffered["jobs"][0]["write"]["bw_bytes"] / 1e6,
    }


def median_of(runs, key):
    return statistics.median(key(run) for run in runs)


def cores(run):
    """Broker CPU seconds per wall-clock second of the run: 1.0 is one core kept busy. The CPU
    time covers the whole sluice_loadgen process (connection set-up included), the wall clock only
    the measured part, so this overstates slightly."""
    return run["broker_cpu_s"] / run["elapsed_s"]


def group(runs, mode):
    """{case: [runs]} for one mode, in the order the cases first appear."""
    grouped = {}
    for run in runs:
        if run["mode"] == mode:
            grouped.setdefault(run["case"], []).append(run)
    return grouped


def throughput_rows(runs, limits):
    rows = []
    for mode in ("produce", "consume"):
        for case, case_runs in group(runs, mode).items():
            if any(run.get("rate", 0) for run in case_runs):
                continue  # paced runs measure latency, not throughput
            mb = sorted(run["mb_per_s"] for run in case_runs)
            mb_median = statistics.median(mb)
            latency = ("%.1f" % median_of(case_runs, lambda r: r["lat_ms"]["p50"]),
                       "%.1f" % median_of(case_runs, lambda r: r["lat_ms"]["p99"])) \
                if mode == "produce" else ("", "")
            rows.append([
                case, mode, f"{case_runs[0]['count']:,}",
                f"{median_of(case_runs, lambda r: r['msgs_per_s']):,.0f}",
                f"{mb_median:.1f} ({mb[0]:.1f}-{mb[-1]:.1f})",
                f"{100 * mb_median / limits['loopback']:.0f}%",
                f"{100 * mb_median / limits['disk_direct']:.0f}%",
                latency[0], latency[1],
                f"{median_of(case_runs, cores):.2f}",
                f"{median_of(case_runs, lambda r: 1e6 * r['broker_cpu_s'] / r['count']):.2f}",
                f"{median_of(case_runs, lambda r: r['broker_cpu_wait_s'] / r['elapsed_s']):.2f}",
                f"{median_of(case_runs, lambda r: r['client_cpu_s'] / r['elapsed_s']):.2f}",
                f"{median_of(case_runs, lambda r: r['client_cpu_wait_s'] / r['elapsed_s']):.2f}",
            ])
    return rows


def latency_rows(runs):
    rows = []
    for case, case_runs in group(runs, "produce").items():
        if not all(run.get("rate", 0) for run in case_runs):
            continue
        lat = lambda name: "%.2f" % median_of(case_runs, lambda r: r["lat_ms"][name])  # noqa: E731
        rows.append([case, f"{case_runs[0]['rate']:,.0f}", lat("p50"), lat("p95"), lat("p99"),
                     lat("p999"), lat("max"), f"{median_of(case_runs, cores):.2f}"])
    return rows


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def main():
    directory = sys.argv[1]
    machine = load_json(directory, "machine.json")
    limits = machine_limits(directory)
    runs = load_runs(directory)
    print(f"Run of {machine['date']}: {machine['nproc']} CPUs ({machine['cpu_model']}), "
          f"{machine['memory_gib']} GiB, kernel {machine['kernel']}, data on {machine['filesystem']}; "
          f"medians of {machine['repeats']} repeats; niceness {machine.get('niceness', 0)}. "
          f"Load average (1/5/15 min) "
          f"{machine.get('loadavg_at_start', '?')} at the start, {machine.get('loadavg_at_end', '?')} "
          f"at the end.\n")
    print(table(["machine limit", "MB/s"], [
        ["loopback TCP, iperf3, 1 stream, 5 s", f"{limits['loopback']:,.0f}"],
        ["sequential write 1 MiB blocks, O_DIRECT (fio, 1 GiB)", f"{limits['disk_direct']:,.0f}"],
        ["sequential write 1 MiB blocks, buffered + fsync (fio, 1 GiB)",
         f"{limits['disk_buffered']:,.0f}"],
    ]))
    print()
    print(table(["case", "mode", "records", "msgs/s", "MB/s (min-max)", "of loopback",
                 "of disk (direct)", "p50 ms", "p99 ms", "broker cores", "broker CPU µs/msg",
                 "broker CPU wait", "client cores", "client CPU wait"],
                throughput_rows(runs, limits)))
    print("\nMB/s counts record values only. Latency (produce) is from producev() to the delivery "
          "report, librdkafka's queue included. Broker/client cores: CPU seconds per second of the "
          "run. CPU wait: seconds its threads spent runnable but waiting for a CPU, per second of "
          "the run (summed over threads; above the cores figure means the process was starved "
          "rather than busy).")
    rows = latency_rows(runs)
    if rows:
        print()
        print(table(["paced produce", "msgs/s", "p50 ms", "p95 ms", "p99 ms", "p99.9 ms",
                     "max ms", "broker cores"], rows))
    rows = failover_rows(runs)
    if rows:
        print()
        print(table(["failover (SIGKILL of the leader)", "runs", "median ms to next ack", "range ms",
                     "runs with no ack after the kill", "failed deliveries (median)"], rows))
        print("\nms to next ack: from the SIGKILL to the first acknowledgement the producer received "
              "afterwards (wall clock, as the producer recorded it). Broker CPU in the replication "
              "cases sums all three brokers.")


def failover_rows(runs):
    rows = []
    for case, case_runs in group(runs, "failover").items():
        recovered = sorted(r["recovery_ms"] for r in case_runs if r["recovery_ms"] is not None)
        rows.append([case, str(len(case_runs)),
                     f"{statistics.median(recovered):,.0f}" if recovered else "never",
                     f"{recovered[0]:,.0f}-{recovered[-1]:,.0f}" if recovered else "",
                     str(len(case_runs) - len(recovered)),
                     f"{statistics.median(r['failed'] for r in case_runs):,.0f}"])
    return rows


if __name__ == "__main__":
    main()
