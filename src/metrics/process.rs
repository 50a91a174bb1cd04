//! The process's own numbers for `/metrics`, read from `/proc` at scrape
//! time: memory, file descriptors (a connection flood shows here first),
//! CPU time and start time, under the names every Prometheus client uses
//! (`process_*`), so existing dashboards and alerts work unchanged.
//!
//! A few lines of `/proc` parsing instead of a crate: the `metrics-process`
//! crate would bring a `/proc` library and platform layers for five numbers.
//! On systems without `/proc` the lines are simply left out.

use std::fmt::Write as _;

/// Linux reports CPU and start times in clock ticks of `USER_HZ`, which is
/// 100 on every architecture Linux supports today (it is part of the ABI,
/// independent of the kernel's own tick rate).
const TICKS_PER_SECOND: f64 = 100.0;

/// The `process_*` series in the text exposition format; empty where
/// `/proc` cannot be read.
pub fn render() -> String {
    let mut out = String::new();
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let mut sample = |name: &str, kind: &str, help: &str, value: Option<f64>| {
        if let Some(value) = value {
            let _ = write!(
                out,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}\n"
            );
        }
    };
    sample(
        "process_resident_memory_bytes",
        "gauge",
        "Resident memory size in bytes.",
        status_kib(&status, "VmRSS:").map(|kib| kib * 1024.0),
    );
    sample(
        "process_virtual_memory_bytes",
        "gauge",
        "Virtual memory size in bytes.",
        status_kib(&status, "VmSize:").map(|kib| kib * 1024.0),
    );
    sample(
        "process_open_fds",
        "gauge",
        "Number of open file descriptors.",
        std::fs::read_dir("/proc/self/fd")
            .ok()
            .map(|entries| entries.count() as f64),
    );
    sample(
        "process_max_fds",
        "gauge",
        "Maximum number of open file descriptors (the soft limit).",
        std::fs::read_to_string("/proc/self/limits")
            .ok()
            .and_then(|limits| max_open_files(&limits)),
    );
    let times = stat_times(&stat);
    sample(
        "process_cpu_seconds_total",
        "counter",
        "Total user and system CPU time spent in seconds.",
        times.map(|t| t.cpu_seconds),
    );
    let boot = std::fs::read_to_string("/proc/stat")
        .ok()
        .and_then(|s| boot_time(&s));
    sample(
        "process_start_time_seconds",
        "gauge",
        "Start time of the process since the Unix epoch in seconds.",
        times.zip(boot).map(|(t, boot)| boot + t.started_after_boot),
    );
    out
}

/// A `Name:   123 kB` line of `/proc/self/status`, in KiB.
fn status_kib(status: &str, field: &str) -> Option<f64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

/// The process's open-file limit (the soft one, which is enforced), where
/// `/proc` tells it. The server fits its connection cap under it.
pub fn open_file_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    max_open_files(&limits).map(|n| n as u64)
}

/// The soft limit of the `Max open files` line of `/proc/self/limits`.
fn max_open_files(limits: &str) -> Option<f64> {
    limits
        .lines()
        .find_map(|l| l.strip_prefix("Max open files"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Times {
    cpu_seconds: f64,
    started_after_boot: f64,
}

/// utime + stime and starttime of `/proc/self/stat`. The command name in
/// parentheses may hold spaces, so fields are counted after its last `)`.
fn stat_times(stat: &str) -> Option<Times> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // `rest` starts at field 3 (state); utime is 14, stime 15, starttime 22.
    let field = |n: usize| fields.get(n - 3)?.parse::<f64>().ok();
    Some(Times {
        cpu_seconds: (field(14)? + field(15)?) / TICKS_PER_SECOND,
        started_after_boot: field(22)? / TICKS_PER_SECOND,
    })
}

/// `btime` of `/proc/stat`: when the machine booted, in Unix seconds.
fn boot_time(stat: &str) -> Option<f64> {
    stat.lines()
        .find_map(|l| l.strip_prefix("btime "))
        .and_then(|n| n.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_proc_formats() {
        let status = "Name:\talignbot\nVmSize:\t  812340 kB\nVmRSS:\t   20480 kB\n";
        assert_eq!(status_kib(status, "VmRSS:"), Some(20480.0));
        assert_eq!(status_kib(status, "VmSwap:"), None);
        let limits = "Limit                     Soft Limit           Hard Limit           Units\nMax open files            65536                524288               files\n";
        assert_eq!(max_open_files(limits), Some(65536.0));
        // A command name with spaces and parentheses.
        let stat = "4242 (align bot) (x)) S 1 4242 4242 0 -1 4194560 900 0 0 0 250 50 0 0 20 0 9 0 123400 812340 5120 18446744073709551615";
        assert_eq!(
            stat_times(stat),
            Some(Times {
                cpu_seconds: 3.0,
                started_after_boot: 1234.0
            })
        );
        assert_eq!(
            boot_time("cpu 1 2 3\nbtime 1764201600\n"),
            Some(1764201600.0)
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn this_process_reports_every_series() {
        let text = render();
        for name in [
            "process_resident_memory_bytes",
            "process_open_fds",
            "process_max_fds",
            "process_cpu_seconds_total",
            "process_start_time_seconds",
        ] {
            assert!(text.contains(&format!("\n{name} ")), "{name} in {text}");
        }
    }
}
