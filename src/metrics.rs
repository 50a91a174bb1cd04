//! Prometheus metrics for `GET /metrics`.
//!
//! Each application owns its own registry rather than the process-global
//! recorder of the `metrics` facade: tests start many applications in one
//! process, and a scrape must describe exactly one of them. The names and
//! labels here are the public interface operators build dashboards on, so
//! they are listed in docs/operations.md and kept stable. The process's
//! own series (`process_*`, from `process`) are added at render time.

mod process;

pub use process::open_file_limit;

use metrics::{Key, Label, Metadata, Recorder, Unit};
use metrics_exporter_prometheus::{
    Matcher, PrometheusBuilder, PrometheusHandle, PrometheusRecorder,
};
use std::sync::Arc;
use std::time::Duration;

pub const HTTP_REQUESTS: &str = "alignbot_http_requests_total";
pub const HTTP_DURATION: &str = "alignbot_http_request_duration_seconds";
pub const DELIVERIES: &str = "alignbot_deliveries_total";
pub const JOB_RUNS: &str = "alignbot_job_runs_total";
pub const OUTBOX_PENDING: &str = "alignbot_outbox_pending";
pub const OUTBOX_OLDEST_AGE: &str = "alignbot_outbox_oldest_pending_age_seconds";
pub const OUTBOX_FAILED: &str = "alignbot_outbox_failed";
pub const DELIVERY_STOPPED: &str = "alignbot_delivery_stopped";
pub const DELIVERY_PAUSED: &str = "alignbot_delivery_paused";
pub const UNINSTALLED_AT: &str = "alignbot_uninstalled_at_seconds";
pub const BUILD_INFO: &str = "alignbot_build_info";
pub const CONNECTIONS_REFUSED: &str = "alignbot_http_connections_refused_total";

/// Latency buckets: Slack wants an answer within 3 s, so the interesting
/// range is a millisecond to a few seconds.
const LATENCY_BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

/// The outcome of one attempt to deliver an outbox row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    Sent,
    /// A 5xx, a timeout or a network error: tried again later.
    Retried,
    /// Slack answered 429: everything pauses for its Retry-After.
    RateLimited,
    /// A permanent error (e.g. `channel_not_found`): given up.
    Failed,
    /// Nothing needed sending any more (e.g. the moment was deleted).
    Skipped,
    /// Slack refused the token: delivery paused, the row kept pending.
    Unauthorized,
}

impl Delivery {
    fn label(self) -> &'static str {
        match self {
            Delivery::Sent => "sent",
            Delivery::Retried => "retried",
            Delivery::RateLimited => "rate_limited",
            Delivery::Failed => "failed",
            Delivery::Skipped => "skipped",
            Delivery::Unauthorized => "unauthorized",
        }
    }
}

/// One application's metrics; cheap to clone.
#[derive(Clone)]
pub struct Metrics {
    recorder: Arc<PrometheusRecorder>,
    handle: PrometheusHandle,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(HTTP_DURATION.to_owned()), &LATENCY_BUCKETS)
            .expect("the latency buckets are not empty")
            .build_recorder();
        let handle = recorder.handle();
        let metrics = Self {
            recorder: Arc::new(recorder),
            handle,
        };
        metrics.describe();
        // Constant 1: the labels are the point (`version` on a dashboard
        // shows which build each replica runs).
        metrics
            .recorder
            .register_gauge(
                &Key::from_parts(
                    BUILD_INFO,
                    vec![
                        Label::new("version", env!("CARGO_PKG_VERSION")),
                        Label::new(
                            "profile",
                            if cfg!(debug_assertions) {
                                "debug"
                            } else {
                                "release"
                            },
                        ),
                    ],
                ),
                &Self::meta(),
            )
            .set(1.0);
        metrics
    }

    fn describe(&self) {
        let r = &self.recorder;
        r.describe_counter(
            HTTP_REQUESTS.into(),
            None,
            "HTTP requests answered, by endpoint and status".into(),
        );
        r.describe_histogram(
            HTTP_DURATION.into(),
            Some(Unit::Seconds),
            "Time to answer an HTTP request, by endpoint".into(),
        );
        r.describe_counter(
            DELIVERIES.into(),
            None,
            "Attempts to deliver outgoing messages, by result (sent, retried, rate_limited, failed, skipped, unauthorized)".into(),
        );
        r.describe_counter(
            JOB_RUNS.into(),
            None,
            "Monthly job runs, by job, trigger and outcome (ran, already_ran, error)".into(),
        );
        r.describe_gauge(
            OUTBOX_PENDING.into(),
            None,
            "Outgoing messages waiting to be delivered".into(),
        );
        r.describe_gauge(
            OUTBOX_OLDEST_AGE.into(),
            Some(Unit::Seconds),
            "Age of the oldest message waiting to be delivered (0 when none)".into(),
        );
        r.describe_gauge(
            OUTBOX_FAILED.into(),
            None,
            "Outgoing messages given up on (permanent errors), kept with their reason".into(),
        );
        r.describe_gauge(
            DELIVERY_STOPPED.into(),
            None,
            "1 when delivery is stopped because the app was uninstalled or its tokens revoked"
                .into(),
        );
        r.describe_gauge(
            DELIVERY_PAUSED.into(),
            None,
            "1 while delivery is paused because Slack refused the bot token (rows stay pending until auth.test succeeds)"
                .into(),
        );
        r.describe_gauge(
            UNINSTALLED_AT.into(),
            Some(Unit::Seconds),
            "Unix time of the verified app_uninstalled or tokens_revoked event that started the retention clock for the purge (0 when installed)"
                .into(),
        );
        r.describe_gauge(
            BUILD_INFO.into(),
            None,
            "Always 1; the labels name the running build".into(),
        );
        r.describe_counter(
            CONNECTIONS_REFUSED.into(),
            None,
            "Connections answered 503 and closed because the listener had max_connections open"
                .into(),
        );
    }

    fn meta() -> Metadata<'static> {
        Metadata::new(module_path!(), metrics::Level::INFO, Some(module_path!()))
    }

    fn counter(&self, name: &'static str, labels: Vec<Label>) -> metrics::Counter {
        self.recorder
            .register_counter(&Key::from_parts(name, labels), &Self::meta())
    }

    fn gauge(&self, name: &'static str, value: f64) {
        self.recorder
            .register_gauge(&Key::from_name(name), &Self::meta())
            .set(value);
    }

    /// One answered HTTP request. `endpoint` is the route's pattern, never
    /// the raw path, so a scanner cannot blow up the label set.
    pub fn http_request(&self, endpoint: &str, status: u16, elapsed: Duration) {
        let endpoint = endpoint.to_owned();
        self.counter(
            HTTP_REQUESTS,
            vec![
                Label::new("endpoint", endpoint.clone()),
                Label::new("status", status.to_string()),
            ],
        )
        .increment(1);
        self.recorder
            .register_histogram(
                &Key::from_parts(HTTP_DURATION, vec![Label::new("endpoint", endpoint)]),
                &Self::meta(),
            )
            .record(elapsed.as_secs_f64());
    }

    pub fn delivery(&self, result: Delivery) {
        self.counter(DELIVERIES, vec![Label::new("result", result.label())])
            .increment(1);
    }

    pub fn job_run(&self, job: &str, trigger: &str, outcome: &'static str) {
        self.counter(
            JOB_RUNS,
            vec![
                Label::new("job", job.to_owned()),
                Label::new("trigger", trigger.to_owned()),
                Label::new("outcome", outcome),
            ],
        )
        .increment(1);
    }

    /// The gauges read from the database at scrape time.
    pub fn outbox(&self, pending: i64, failed: i64, oldest_age: Option<chrono::Duration>) {
        self.gauge(OUTBOX_PENDING, pending as f64);
        self.gauge(OUTBOX_FAILED, failed as f64);
        let age = oldest_age
            .map(|d| d.num_milliseconds().max(0) as f64 / 1000.0)
            .unwrap_or(0.0);
        self.gauge(OUTBOX_OLDEST_AGE, age);
    }

    /// A connection turned away at the cap, by listener (`public`, `admin`).
    pub fn connection_refused(&self, listener: &'static str) {
        self.counter(CONNECTIONS_REFUSED, vec![Label::new("listener", listener)])
            .increment(1);
    }

    pub fn delivery_stopped(&self, stopped: bool) {
        self.gauge(DELIVERY_STOPPED, if stopped { 1.0 } else { 0.0 });
    }

    /// Read from the database at scrape time, so every replica reports the
    /// pause and the purge clock, whichever one saw the failure or event.
    pub fn delivery_state(
        &self,
        paused: bool,
        uninstalled_at: Option<chrono::DateTime<chrono::Utc>>,
    ) {
        self.gauge(DELIVERY_PAUSED, if paused { 1.0 } else { 0.0 });
        let at = uninstalled_at.map_or(0.0, |at| at.timestamp_millis() as f64 / 1000.0);
        self.gauge(UNINSTALLED_AT, at);
    }

    /// The text exposition format (version 0.0.4), with the process's series.
    pub fn render(&self) -> String {
        let mut text = self.handle.render();
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        text + &process::render()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_histograms_and_gauges_with_their_labels() {
        let m = Metrics::new();
        m.http_request("/slack/commands", 200, Duration::from_millis(3));
        m.http_request("/slack/commands", 200, Duration::from_millis(4));
        m.http_request("/slack/events", 401, Duration::from_micros(200));
        m.delivery(Delivery::RateLimited);
        m.job_run("moments-nudge", "manual", "ran");
        m.outbox(3, 1, Some(chrono::Duration::seconds(90)));
        let text = m.render();
        assert!(
            text.contains(
                r#"alignbot_http_requests_total{endpoint="/slack/commands",status="200"} 2"#
            ),
            "{text}"
        );
        assert!(
            text.contains(
                r#"alignbot_http_requests_total{endpoint="/slack/events",status="401"} 1"#
            )
        );
        assert!(text.contains(
            r#"alignbot_http_request_duration_seconds_bucket{endpoint="/slack/commands",le="0.005"} 2"#
        ));
        assert!(text.contains(r#"alignbot_deliveries_total{result="rate_limited"} 1"#));
        assert!(text.contains(
            r#"alignbot_job_runs_total{job="moments-nudge",trigger="manual",outcome="ran"} 1"#
        ));
        assert!(text.contains("alignbot_outbox_pending 3"));
        assert!(text.contains("alignbot_outbox_oldest_pending_age_seconds 90"));
        assert!(text.contains("# TYPE alignbot_http_request_duration_seconds histogram"));
        assert!(
            text.contains(&format!(
                r#"alignbot_build_info{{version="{}","#,
                env!("CARGO_PKG_VERSION")
            )),
            "{text}"
        );
    }

    #[test]
    fn two_applications_do_not_share_numbers() {
        let a = Metrics::new();
        let b = Metrics::new();
        a.delivery(Delivery::Sent);
        assert!(
            a.render()
                .contains(r#"alignbot_deliveries_total{result="sent"} 1"#)
        );
        assert!(!b.render().contains(r#"result="sent""#));
    }
}
