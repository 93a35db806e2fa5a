//! The evaluation of the builtin assistant: each case starts from a task
//! list, sends one or more messages through the real chat turn (SQLite
//! store, domain services, tool layer), and compares the resulting tasks
//! with the expected ones. Replies are not compared, except that a case may
//! require a question, and no reply may show a task id the user never typed.
//!
//! Shared by the `eval` binary and the crate's quality-gate test.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone as _, Utc};
use serde::Deserialize;
use todo_assistant::llm::LlmAssistant;
use todo_assistant::{Builtin, Chat, Routing, Toolbox, TurnEvents, TurnStatus};
use todo_domain::account::SignupRequest;
use todo_domain::chat::ChatRequest;
use todo_domain::query::TaskQueryParams;
use todo_domain::{Task, TaskDraft, TimeZone};
use todo_services::{AuthConfig, Principal, Services};
use todo_storage::{Store, StoreOptions};

pub const DEFAULT_NOW: &str = "2026-11-21T10:00";
pub const DEFAULT_TZ: &str = "Europe/Paris";

/// One file: a list of cases, or cases with shared defaults.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum File {
    Group {
        #[serde(default)]
        intent: Option<String>,
        #[serde(default)]
        now: Option<String>,
        #[serde(default)]
        tz: Option<String>,
        cases: Vec<Case>,
    },
    Cases(Vec<Case>),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub name: String,
    #[serde(default)]
    pub intent: Option<String>,
    /// Local time in `tz`, e.g. `2026-11-21T10:00`.
    #[serde(default)]
    pub now: Option<String>,
    #[serde(default)]
    pub tz: Option<String>,
    #[serde(default)]
    pub tasks: Vec<Seed>,
    pub turns: Vec<Step>,
    pub expect: Vec<Expected>,
}

/// A message; `{N}` in it is the id of the N-th seeded task.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Step {
    Say(String),
    Full {
        say: String,
        #[serde(default)]
        expect_question: Option<bool>,
        /// Words the reply must show ("You completed 2 tasks today").
        #[serde(default)]
        reply_has: Vec<String>,
        /// Words the reply must not show (a task of another day).
        #[serde(default)]
        reply_lacks: Vec<String>,
    },
}

impl Step {
    fn text(&self) -> &str {
        match self {
            Step::Say(s) | Step::Full { say: s, .. } => s,
        }
    }

    fn expect_question(&self) -> Option<bool> {
        match self {
            Step::Say(_) => None,
            Step::Full {
                expect_question, ..
            } => *expect_question,
        }
    }

    /// What the reply must and must not show.
    fn reply_words(&self) -> (&[String], &[String]) {
        match self {
            Step::Say(_) => (&[], &[]),
            Step::Full {
                reply_has,
                reply_lacks,
                ..
            } => (reply_has, reply_lacks),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    pub title: String,
    #[serde(default)]
    pub due: Option<String>,
    #[serde(default)]
    pub priority: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub completed: bool,
    /// When it was completed (implies `completed`), as `due` is written:
    /// "yesterday 18:00", "-3d 09:00"; noon when no time is given.
    #[serde(default)]
    pub completed_at: Option<String>,
    #[serde(default)]
    pub recurrence: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expected {
    pub title: String,
    #[serde(default)]
    pub completed: bool,
    #[serde(default)]
    pub due: Option<String>,
    #[serde(default)]
    pub priority: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub recurrence: Option<String>,
    /// Checked only when given.
    #[serde(default)]
    pub description: Option<String>,
}

/// A task as compared: every field as text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Shape {
    title: String,
    completed: bool,
    due: String,
    priority: String,
    tags: Vec<String>,
    recurrence: String,
    description: Option<String>,
}

impl std::fmt::Display for Shape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "“{}”", self.title)?;
        if self.completed {
            write!(f, " done")?;
        }
        if !self.due.is_empty() {
            write!(f, " due={}", self.due)?;
        }
        if self.priority != "none" {
            write!(f, " priority={}", self.priority)?;
        }
        if !self.tags.is_empty() {
            write!(f, " tags={}", self.tags.join(","))?;
        }
        if !self.recurrence.is_empty() {
            write!(f, " repeat={}", self.recurrence)?;
        }
        if let Some(d) = &self.description {
            write!(f, " description={d:?}")?;
        }
        Ok(())
    }
}

/// An internal id ("(#10)", "#10") in a reply that the user's messages
/// never had: people name tasks by title or place, not by database row.
fn unsaid_id(reply: &str, said: &str) -> Option<String> {
    reply.match_indices('#').find_map(|(at, _)| {
        let digits: String = reply[at + 1..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let named = said
            .split(|c: char| !c.is_ascii_digit())
            .any(|number| number == digits);
        (!digits.is_empty() && !named).then_some(digits)
    })
}

pub struct Outcome {
    pub name: String,
    pub intent: String,
    pub file: String,
    pub passed: bool,
    /// What went wrong, with the conversation.
    pub report: String,
}

/// All cases of the `.json` files in `dir`, with their file names.
pub fn load(dir: &Path) -> Result<Vec<(String, Case)>, String> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    let mut cases = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let file: File =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (intent, now, tz, list) = match file {
            File::Group {
                intent,
                now,
                tz,
                cases,
            } => (intent, now, tz, cases),
            File::Cases(cases) => (None, None, None, cases),
        };
        for mut case in list {
            case.intent = case.intent.or_else(|| intent.clone());
            case.now = case.now.or_else(|| now.clone());
            case.tz = case.tz.or_else(|| tz.clone());
            if case.intent.is_none() {
                return Err(format!("{}: case '{}' has no intent", name, case.name));
            }
            cases.push((name.clone(), case));
        }
    }
    Ok(cases)
}

/// A local date and optional time, written `2026-11-27`, `2026-11-27T17:00`,
/// `today`, `tomorrow`, `+3d`, `-1d`, `+2w`, each optionally followed by a
/// time (`today 17:00`, `+1d 09:30`).
fn resolve_due(spec: &str, today: NaiveDate) -> Result<(NaiveDate, Option<NaiveTime>), String> {
    let spec = spec.trim();
    let bad = || format!("unreadable due '{spec}'");
    if let Ok(at) = NaiveDateTime::parse_from_str(spec, "%Y-%m-%dT%H:%M") {
        return Ok((at.date(), Some(at.time())));
    }
    let mut parts = spec.split_whitespace();
    let day = parts.next().ok_or_else(bad)?;
    let time = parts
        .next()
        .map(|t| NaiveTime::parse_from_str(t, "%H:%M").map_err(|_| bad()))
        .transpose()?;
    let date = match day {
        "today" => today,
        "tomorrow" => today + Duration::days(1),
        "yesterday" => today - Duration::days(1),
        _ if day.starts_with(['+', '-']) => {
            let (number, unit) = day.split_at(day.len() - 1);
            let n: i64 = number.parse().map_err(|_| bad())?;
            match unit {
                "d" => today + Duration::days(n),
                "w" => today + Duration::weeks(n),
                _ => return Err(bad()),
            }
        }
        _ => NaiveDate::parse_from_str(day, "%Y-%m-%d").map_err(|_| bad())?,
    };
    Ok((date, time))
}

fn due_text(date: NaiveDate, time: Option<NaiveTime>) -> String {
    match time {
        Some(t) => format!("{}T{}", date.format("%Y-%m-%d"), t.format("%H:%M")),
        None => date.format("%Y-%m-%d").to_string(),
    }
}

fn shape_of(task: &Task, tz: TimeZone) -> Shape {
    let due = match task.due {
        Some(todo_domain::Due::Date(date)) => due_text(date, None),
        Some(todo_domain::Due::At(at)) => {
            let local = at.with_timezone(&tz.tz()).naive_local();
            due_text(local.date(), Some(local.time()))
        }
        None => String::new(),
    };
    let mut tags: Vec<String> = task.tags.iter().map(|t| t.to_string()).collect();
    tags.sort();
    Shape {
        title: task.title.clone(),
        completed: task.completed,
        due,
        priority: task.priority.as_str().to_owned(),
        tags,
        recurrence: task
            .recurrence
            .as_ref()
            .map(|r| r.as_str().to_owned())
            .unwrap_or_default(),
        description: Some(task.description.clone()),
    }
}

fn expected_shape(e: &Expected, today: NaiveDate) -> Result<Shape, String> {
    let due = match &e.due {
        Some(spec) => {
            let (date, time) = resolve_due(spec, today)?;
            due_text(date, time)
        }
        None => String::new(),
    };
    let mut tags: Vec<String> = e.tags.iter().map(|t| t.to_lowercase()).collect();
    tags.sort();
    Ok(Shape {
        title: e.title.clone(),
        completed: e.completed,
        due,
        priority: e.priority.clone().unwrap_or_else(|| "none".into()),
        tags,
        recurrence: e.recurrence.clone().unwrap_or_default(),
        description: e.description.clone(),
    })
}

fn same(expected: &Shape, actual: &Shape) -> bool {
    let description_ok = match &expected.description {
        Some(d) => actual.description.as_deref() == Some(d.as_str()),
        None => true,
    };
    description_ok
        && Shape {
            description: None,
            ..expected.clone()
        } == Shape {
            description: None,
            ..actual.clone()
        }
}

/// The real stack on a fresh SQLite file, with a clock each case sets.
pub struct Harness {
    services: Services,
    chat: Chat,
    clock: Arc<AtomicI64>,
    users: HashMap<String, Principal>,
    dir: PathBuf,
    /// How long each chat turn took, for a rough latency figure.
    pub turn_times: Vec<std::time::Duration>,
    /// Who answered each turn: `builtin`, `llm`, or `fallback`.
    pub routes: BTreeMap<&'static str, usize>,
}

/// Remembers who answered a turn: its last status event.
#[derive(Default)]
struct Route(std::sync::Mutex<Option<TurnStatus>>);

impl TurnEvents for Route {
    fn status(&self, status: TurnStatus) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(status);
    }
}

impl Route {
    fn answered_by(&self) -> &'static str {
        match *self.0.lock().unwrap_or_else(|e| e.into_inner()) {
            Some(s) if s.state == "falling_back" => "fallback",
            Some(s) => s.assistant,
            None => "none",
        }
    }
}

impl Harness {
    #[allow(dead_code)] // The quality-gate test's way in.
    pub async fn new() -> Result<Self, String> {
        Self::with_llm(None, Routing::Builtin).await
    }

    /// With a language model, routed as `routing` says.
    pub async fn with_llm(
        llm: Option<Arc<LlmAssistant>>,
        routing: Routing,
    ) -> Result<Self, String> {
        let unique = format!(
            "todo-eval-{}-{}",
            std::process::id(),
            Utc::now().timestamp_nanos_opt().unwrap_or(0)
        );
        let dir = std::env::temp_dir().join(unique);
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let url = format!("sqlite://{}", dir.join("eval.db").display());
        let store = Store::connect(&url, &StoreOptions::default())
            .await
            .map_err(|e| e.to_string())?;
        store.migrate().await.map_err(|e| e.to_string())?;
        let clock = Arc::new(AtomicI64::new(0));
        let reading = clock.clone();
        let services = Services::new(
            store,
            AuthConfig::new(
                b"evaluation-secret-of-at-least-32-bytes!!",
                chrono::Duration::days(1),
            ),
            Arc::new(move || {
                Utc.timestamp_millis_opt(reading.load(Ordering::SeqCst))
                    .single()
                    .unwrap_or_default()
            }),
        );
        let chat = Chat::new(
            Toolbox::new(services.clone()),
            Arc::new(Builtin::new()),
            llm.map(|l| l as Arc<dyn todo_assistant::Assistant>),
        )
        .with_routing(routing);
        Ok(Self {
            services,
            chat,
            clock,
            users: HashMap::new(),
            dir,
            turn_times: Vec::new(),
            routes: BTreeMap::new(),
        })
    }

    async fn user(&mut self, tz: TimeZone) -> Result<Principal, String> {
        if let Some(p) = self.users.get(tz.name()) {
            return Ok(*p);
        }
        let n = self.users.len();
        let session = self
            .services
            .signup(SignupRequest {
                email: format!("eval{n}@example.com"),
                password: "correct horse battery staple".into(),
                name: "Eval".into(),
                timezone: Some(tz.name().to_owned()),
            })
            .await
            .map_err(|e| e.to_string())?;
        let principal = Principal {
            user_id: session.user.id,
            timezone: tz,
        };
        self.users.insert(tz.name().to_owned(), principal);
        Ok(principal)
    }

    async fn all_tasks(&self, principal: Principal) -> Result<Vec<Task>, String> {
        let params = TaskQueryParams {
            status: Some("all".into()),
            limit: Some("200".into()),
            ..TaskQueryParams::default()
        };
        Ok(self
            .services
            .list_tasks(principal, &params)
            .await
            .map_err(|e| e.to_string())?
            .items)
    }

    /// Runs one case; `Err` only for a broken case or harness.
    pub async fn run(&mut self, file: &str, case: &Case) -> Result<Outcome, String> {
        let tz =
            TimeZone::parse(case.tz.as_deref().unwrap_or(DEFAULT_TZ)).map_err(|e| e.message)?;
        let local = NaiveDateTime::parse_from_str(
            case.now.as_deref().unwrap_or(DEFAULT_NOW),
            "%Y-%m-%dT%H:%M",
        )
        .map_err(|e| format!("{}: bad now: {e}", case.name))?;
        let now = tz.resolve(local);
        self.clock.store(now.timestamp_millis(), Ordering::SeqCst);
        let principal = self.user(tz).await?;
        for task in self.all_tasks(principal).await? {
            self.services
                .delete_task(principal, task.id)
                .await
                .map_err(|e| e.to_string())?;
        }
        let today = tz.today(now);
        let mut ids = Vec::new();
        for seed in &case.tasks {
            let due_at = match &seed.due {
                Some(spec) => Some(match resolve_due(spec, today)? {
                    (date, None) => date.format("%Y-%m-%d").to_string(),
                    (date, Some(time)) => tz.resolve(date.and_time(time)).to_rfc3339(),
                }),
                None => None,
            };
            let draft = TaskDraft {
                title: seed.title.clone(),
                description: seed.description.clone(),
                priority: seed.priority.clone(),
                tags: (!seed.tags.is_empty()).then(|| seed.tags.clone()),
                due_at,
                all_day: None,
                recurrence: seed.recurrence.clone(),
            };
            let task = self
                .services
                .create_task(principal, draft)
                .await
                .map_err(|e| format!("{}: seed '{}': {e}", case.name, seed.title))?;
            let completed_at = match &seed.completed_at {
                Some(spec) => {
                    let (date, time) = resolve_due(spec, today)?;
                    Some(tz.resolve(date.and_time(
                        time.unwrap_or(NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default()),
                    )))
                }
                None => None,
            };
            if let Some(at) = completed_at {
                self.clock.store(at.timestamp_millis(), Ordering::SeqCst);
            }
            if seed.completed || completed_at.is_some() {
                self.services
                    .update_task(
                        principal,
                        task.id,
                        todo_domain::TaskPatch {
                            completed: Some(true),
                            ..Default::default()
                        },
                    )
                    .await
                    .map_err(|e| e.to_string())?;
            }
            self.clock.store(now.timestamp_millis(), Ordering::SeqCst);
            ids.push(task.id);
        }
        let mut report = String::new();
        let mut passed = true;
        let mut conversation = None;
        // Every message so far: a reply may name an id only if one was said.
        let mut said = String::new();
        for step in &case.turns {
            let mut message = step.text().to_owned();
            for (n, id) in ids.iter().enumerate().rev() {
                message = message.replace(&format!("{{{}}}", n + 1), &id.to_string());
            }
            let started = std::time::Instant::now();
            let route = Route::default();
            let response = self
                .chat
                .turn(
                    principal,
                    ChatRequest {
                        message: message.clone(),
                        conversation_id: conversation,
                    },
                    &route,
                )
                .await
                .map_err(|e| format!("{}: turn '{message}' failed: {e}", case.name))?;
            self.turn_times.push(started.elapsed());
            *self.routes.entry(route.answered_by()).or_default() += 1;
            conversation = Some(response.conversation_id);
            report.push_str(&format!("  > {message}\n"));
            for line in response.reply.lines() {
                report.push_str(&format!("    {line}\n"));
            }
            said.push_str(&message);
            said.push('\n');
            if let Some(id) = unsaid_id(&response.reply, &said) {
                passed = false;
                report.push_str(&format!(
                    "  ✗ the reply shows the id #{id}, which the user never typed\n"
                ));
            }
            let (has, lacks) = step.reply_words();
            for words in has {
                if !response.reply.contains(words.as_str()) {
                    passed = false;
                    report.push_str(&format!("  ✗ the reply does not say “{words}”\n"));
                }
            }
            for words in lacks {
                if response.reply.contains(words.as_str()) {
                    passed = false;
                    report.push_str(&format!("  ✗ the reply says “{words}”\n"));
                }
            }
            if let Some(want) = step.expect_question() {
                let asked = response.reply.contains('?');
                if asked != want {
                    passed = false;
                    report.push_str(&format!(
                        "  ✗ expected {}a question\n",
                        if want { "" } else { "no " }
                    ));
                }
            }
        }
        let actual: Vec<Shape> = self
            .all_tasks(principal)
            .await?
            .iter()
            .map(|t| shape_of(t, tz))
            .collect();
        let expected: Vec<Shape> = case
            .expect
            .iter()
            .map(|e| expected_shape(e, today))
            .collect::<Result<_, _>>()
            .map_err(|e| format!("{}: {e}", case.name))?;
        let mut unmatched: Vec<Shape> = actual.clone();
        let mut missing = Vec::new();
        for want in &expected {
            match unmatched.iter().position(|got| same(want, got)) {
                Some(at) => {
                    unmatched.remove(at);
                }
                None => missing.push(want.clone()),
            }
        }
        if !missing.is_empty() || !unmatched.is_empty() {
            passed = false;
            for m in &missing {
                report.push_str(&format!("  - expected {m}\n"));
            }
            for u in &unmatched {
                let u = Shape {
                    description: u.description.clone().filter(|d| !d.is_empty()),
                    ..u.clone()
                };
                report.push_str(&format!("  + got      {u}\n"));
            }
        }
        Ok(Outcome {
            name: case.name.clone(),
            intent: case.intent.clone().unwrap_or_default(),
            file: file.to_owned(),
            passed,
            report,
        })
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The outcomes and the chat turns' latencies (sorted).
pub struct Run {
    pub outcomes: Vec<Outcome>,
    pub turn_times: Vec<std::time::Duration>,
    /// Turns answered by the builtin directly, the model, or the builtin
    /// standing in for the model.
    #[allow(dead_code)] // Read by the binary, not by the quality-gate test.
    pub routes: BTreeMap<&'static str, usize>,
}

impl Run {
    /// "p50 1.2 ms, p99 3.4 ms over N turns" (one client, this build).
    pub fn latency(&self) -> String {
        let at = |q: f64| {
            let n = self.turn_times.len();
            if n == 0 {
                return 0.0;
            }
            let i = ((n as f64 * q).ceil() as usize).clamp(1, n) - 1;
            self.turn_times[i].as_secs_f64() * 1000.0
        };
        format!(
            "chat turn latency: p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms over {} turns",
            at(0.5),
            at(0.95),
            at(0.99),
            at(1.0),
            self.turn_times.len()
        )
    }
}

/// Runs every case of `dir` (those whose name or intent contains `filter`).
#[allow(dead_code)] // The quality-gate test's way in.
pub async fn run_all(dir: &Path, filter: Option<&str>) -> Result<Run, String> {
    run_all_with(dir, filter, Harness::new().await?).await
}

/// The same with a harness of one's own (a language model, a routing).
pub async fn run_all_with(
    dir: &Path,
    filter: Option<&str>,
    mut harness: Harness,
) -> Result<Run, String> {
    let cases = load(dir)?;
    let mut outcomes = Vec::new();
    for (file, case) in &cases {
        if let Some(f) = filter {
            let intent = case.intent.as_deref().unwrap_or("");
            if !case.name.contains(f) && intent != f && file != f {
                continue;
            }
        }
        outcomes.push(harness.run(file, case).await?);
    }
    let mut turn_times = std::mem::take(&mut harness.turn_times);
    turn_times.sort();
    Ok(Run {
        outcomes,
        turn_times,
        routes: std::mem::take(&mut harness.routes),
    })
}

/// The pass rate per intent and overall, as printed lines, and the overall
/// rate.
pub fn summary(outcomes: &[Outcome]) -> (String, f64) {
    let mut per: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for o in outcomes {
        let entry = per.entry(o.intent.as_str()).or_default();
        entry.1 += 1;
        if o.passed {
            entry.0 += 1;
        }
    }
    let mut text = String::new();
    text.push_str(&format!("{:<16} {:>7} {:>8}\n", "intent", "passed", "rate"));
    for (intent, (passed, total)) in &per {
        text.push_str(&format!(
            "{:<16} {:>3}/{:<3} {:>7.1}%\n",
            intent,
            passed,
            total,
            100.0 * *passed as f64 / *total as f64
        ));
    }
    let passed = outcomes.iter().filter(|o| o.passed).count();
    let rate = if outcomes.is_empty() {
        0.0
    } else {
        passed as f64 / outcomes.len() as f64
    };
    text.push_str(&format!(
        "{:<16} {:>3}/{:<3} {:>7.1}%\n",
        "overall",
        passed,
        outcomes.len(),
        100.0 * rate
    ));
    (text, rate)
}

pub fn failures(outcomes: &[Outcome]) -> String {
    let mut text = String::new();
    for o in outcomes.iter().filter(|o| !o.passed) {
        text.push_str(&format!(
            "✗ [{}] {} ({})\n{}",
            o.file, o.name, o.intent, o.report
        ));
    }
    text
}

/// Where the cases live, from the crate's root.
pub fn default_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("eval")
}
