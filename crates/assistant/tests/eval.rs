//! The quality gate of the builtin assistant: the whole evaluation set runs
//! through the real stack and at least 97% of the cases must pass.

#[path = "../src/bin/eval/runner.rs"]
mod runner;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_builtin_assistant_passes_the_evaluation_set() {
    let run = runner::run_all(&runner::default_dir(), None).await.unwrap();
    let outcomes = &run.outcomes;
    let (table, rate) = runner::summary(outcomes);
    println!("{}\n{table}\n{}", runner::failures(outcomes), run.latency());
    assert!(
        outcomes.len() >= 300,
        "the set has only {} cases",
        outcomes.len()
    );
    assert!(rate >= 0.97, "pass rate {:.1}% is below 97%", rate * 100.0);
}
