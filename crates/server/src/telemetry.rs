//! Logs and metrics. Logs are JSON lines (or pretty on a terminal) carrying
//! the request id; metrics are Prometheus text at `/metrics`.

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::io::IsTerminal;
use std::sync::OnceLock;
use std::time::Duration;
use tracing_subscriber::{fmt, prelude::*, EnvFilter};

use crate::config::LogFormat;

const DEFAULT_FILTER: &str = "info,sqlx=warn";

pub fn init_logging(format: LogFormat) {
    init_logging_with(format, DEFAULT_FILTER);
}

/// `default_filter` applies when `RUST_LOG` is not set; interactive
/// commands pass a quieter one.
pub fn init_logging_with(format: LogFormat, default_filter: &str) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    let json = match format {
        LogFormat::Json => true,
        LogFormat::Pretty => false,
        LogFormat::Auto => !std::io::stderr().is_terminal(),
    };
    let registry = tracing_subscriber::registry().with(filter);
    let result = if json {
        registry
            .with(
                fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_current_span(true)
                    .with_span_list(false)
                    .with_writer(std::io::stderr),
            )
            .try_init()
    } else {
        registry
            .with(fmt::layer().with_writer(std::io::stderr))
            .try_init()
    };
    // A second init (tests start many servers in one process) keeps the first.
    drop(result);
}

/// Seconds; from sub-millisecond reads to multi-second timeouts.
const LATENCY_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// How often recorded latencies are folded into their histograms' buckets.
/// The recorder keeps each sample until then (8 bytes a request): without
/// this upkeep, and with nobody scraping `/metrics`, every request's latency
/// stayed in memory for good (issue 12: the bench's peak RSS grew by
/// megabytes with each scenario).
const METRICS_UPKEEP: Duration = Duration::from_secs(1);

/// Runs the recorder's upkeep every [`METRICS_UPKEEP`], for as long as the
/// task lives (the server aborts it when it stops).
pub async fn keep_metrics_bounded() {
    let handle = metrics();
    let mut ticks = tokio::time::interval(METRICS_UPKEEP);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        handle.run_upkeep();
    }
}

/// The process-wide Prometheus recorder (metrics are global by design).
pub fn metrics() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full("http_request_duration_seconds".into()),
                    LATENCY_BUCKETS,
                )
                .unwrap_or_else(|_| PrometheusBuilder::new());
            let recorder = builder.build_recorder();
            let handle = recorder.handle();
            // Fails only if another recorder is installed; ours still renders.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}
