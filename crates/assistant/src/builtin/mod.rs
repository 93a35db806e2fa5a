//! The builtin assistant: deterministic, offline and fast. It reads a
//! message with patterns and the quick-add parser, resolves which tasks it
//! means, and acts only through [`Toolbox::run`], so its actions are
//! recorded exactly like a language model's.
//!
//! Its memory between turns (the last list shown, the task last touched, a
//! question waiting for an answer) lives in the conversation's state.

mod intent;
mod memory;
mod reference;
mod reply;
mod targets;
mod text;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use todo_domain::chat::Action;
use todo_domain::query::{TOOL_DEFAULT_LIMIT, TOOL_MAX_LIMIT};
use todo_domain::quick_add::{self, ParseContext};
use todo_domain::{Due, Tag, Task, TimeZone};
use todo_services::{Principal, ServiceError};

use crate::tools::args::{Said, SortArg, StatusArg};
use crate::tools::{
    self, AddTask, CompleteTask, DeleteTask, ListTasks, Tool, ToolError, UpdateTask,
};
use crate::{Assistant, AssistantError, Reply, Toolbox, Turn, TurnEvents, Understanding};
use intent::{Changes, Intent, ListSpec, Op};
use memory::{Candidate, Memory, Pending};
use reference::Ref;

/// The builtin assistant. It holds nothing: all it knows of a conversation
/// comes in the turn's state.
#[derive(Debug, Clone, Copy)]
pub struct Builtin;

impl Default for Builtin {
    fn default() -> Self {
        Self::new()
    }
}

impl Builtin {
    /// Compiles the patterns now, so no user's turn waits for it.
    pub fn new() -> Self {
        intent::warm_up();
        Self
    }
}

#[async_trait]
impl Assistant for Builtin {
    fn name(&self) -> &'static str {
        "builtin"
    }

    async fn respond(
        &self,
        turn: Turn<'_>,
        tools: &Toolbox,
        events: &dyn TurnEvents,
    ) -> Result<Reply, AssistantError> {
        let mut session = Session {
            tools,
            principal: turn.principal,
            now: turn.now,
            tz: turn.principal.timezone,
            events,
            actions: Vec::new(),
            memory: Memory::load(turn.state),
        };
        let text = session.handle(turn.message).await?;
        session.memory.save(turn.state);
        events.delta(&text);
        Ok(Reply {
            text,
            actions: session.actions,
        })
    }

    /// Sure of anything but an unknown intent, and of any answer to its own
    /// question; unsure, it hands on what quick-add reads in the message.
    fn understands(&self, turn: &Turn<'_>) -> Understanding {
        if Memory::load(turn.state).pending.is_some() {
            return Understanding::Sure;
        }
        let ctx = ParseContext::new(turn.now, turn.principal.timezone);
        match intent::parse(&text::normalize(turn.message), &ctx) {
            Intent::Unknown => Understanding::Unsure(quick_add_hint(turn.message, &ctx)),
            _ => Understanding::Sure,
        }
    }
}

/// The dates, priority, tags and repetition quick-add finds in a message,
/// in the tools' words; empty when there are none.
fn quick_add_hint(message: &str, ctx: &ParseContext) -> String {
    let parsed = quick_add::parse(message, ctx);
    let mut parts = Vec::new();
    if let Some(due) = parsed.due {
        parts.push(format!("due={due}"));
    }
    if let Some(priority) = parsed.priority {
        parts.push(format!("priority={}", priority.as_str()));
    }
    if !parsed.tags.is_empty() {
        let tags: Vec<&str> = parsed.tags.iter().map(|t| t.as_str()).collect();
        parts.push(format!("tags={}", tags.join(",")));
    }
    if let Some(rule) = parsed.recurrence {
        parts.push(format!("recurrence={}", rule.as_str()));
    }
    parts.join("; ")
}

/// How many candidates a question lists.
const MAX_CANDIDATES: usize = 10;
/// How many tasks a listing shows.
const LIST_LIMIT: u32 = TOOL_DEFAULT_LIMIT;

/// Which tasks a reference means, or what to answer instead.
enum Resolved {
    Tasks(Vec<Task>),
    Answer(String),
}

struct Session<'a> {
    tools: &'a Toolbox,
    principal: Principal,
    now: DateTime<Utc>,
    tz: TimeZone,
    events: &'a dyn TurnEvents,
    actions: Vec<Action>,
    memory: Memory,
}

/// A failure of the service itself (not of the arguments) ends the turn;
/// the rest is for the reply to say.
fn service_failure<T>(
    result: Result<T, ToolError>,
) -> Result<Result<T, ToolError>, AssistantError> {
    match result {
        Err(ToolError::Service(error)) => Err(AssistantError::Service(error)),
        other => Ok(other),
    }
}

/// A title as the user would want it stored: shouting calmed, first letter
/// capital, a leading article dropped ("add a birthday card").
fn tidy_title(raw: &str) -> String {
    let mut title = raw
        .trim()
        .trim_end_matches([',', ';', '.'])
        .trim()
        .to_owned();
    for article in ["a ", "an ", "A ", "An "] {
        if let Some(rest) = title.strip_prefix(article) {
            if rest.split_whitespace().count() >= 1 {
                title = rest.trim_start().to_owned();
            }
            break;
        }
    }
    let letters: Vec<char> = title.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.len() > 3 && letters.iter().all(|c| c.is_uppercase()) {
        title = title.to_lowercase();
    }
    let mut chars = title.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => title,
    }
}

impl Session<'_> {
    fn ctx(&self) -> ParseContext {
        ParseContext::new(self.now, self.tz)
    }

    /// Runs a tool and records the action; a failure of the service itself
    /// (not of the arguments) ends the turn.
    async fn tool<T: Tool>(
        &mut self,
        args: T,
    ) -> Result<Result<T::Output, ToolError>, AssistantError> {
        let (action, result) = self.tools.act(self.principal, args).await;
        self.record(action);
        service_failure(result)
    }

    fn record(&mut self, action: Action) {
        self.events.action(&action);
        self.actions.push(action);
    }

    /// Reads one task without acting (nothing to record).
    async fn get(&self, id: i64) -> Result<Option<Task>, AssistantError> {
        match self.tools.services().get_task(self.principal, id).await {
            Ok(task) => Ok(Some(task)),
            Err(ServiceError::NotFound(_)) => Ok(None),
            Err(error) => Err(AssistantError::Service(error)),
        }
    }

    /// Looks tasks up to find the ones a message means. That is the
    /// assistant's own business, so nothing is recorded: a "found 9 tasks"
    /// would contradict a reply that names two.
    async fn list_tool(&mut self, args: &ListTasks) -> Result<(Vec<Task>, i64), AssistantError> {
        match service_failure(args.clone().call(self.tools, self.principal).await)? {
            Ok(page) => Ok((page.items, page.total)),
            Err(_) => Ok((Vec::new(), 0)),
        }
    }

    async fn handle(&mut self, raw: &str) -> Result<String, AssistantError> {
        let msg = text::normalize(raw);
        let ctx = self.ctx();
        let intent = intent::parse(&msg, &ctx);
        if let Some(pending) = self.memory.pending.take() {
            match pending {
                Pending::ConfirmClear => match intent {
                    Intent::Yes => return self.clear_completed().await,
                    Intent::No | Intent::Talk(_) | Intent::Unknown => {
                        return Ok(reply::KEPT_COMPLETED.into())
                    }
                    _ => {}
                },
                Pending::Choose { op, candidates } => match intent {
                    Intent::No => return Ok(reply::NEVER_MIND.into()),
                    Intent::Unknown | Intent::Yes => {
                        if let Some(answer) = self.choose(&msg, op, candidates).await? {
                            return Ok(answer);
                        }
                    }
                    _ => {}
                },
            }
        }
        self.dispatch(intent).await
    }

    async fn dispatch(&mut self, intent: Intent) -> Result<String, AssistantError> {
        match intent {
            Intent::Add(items) => self.add(items).await,
            Intent::List(spec) => self.list(spec).await,
            Intent::Act { op, refs, said } => self.act(op, refs, &said).await,
            Intent::ClearCompleted => self.ask_clear().await,
            Intent::Help => Ok(reply::HELP.into()),
            Intent::Talk(talk) => Ok(reply::talk(&talk).into()),
            Intent::Yes => Ok(reply::NOTHING_TO_CONFIRM.into()),
            Intent::No => Ok(reply::OK.into()),
            Intent::Unknown => Ok(reply::FALLBACK.into()),
        }
    }

    // -----------------------------------------------------------------------
    // Adding.

    async fn add(&mut self, items: Vec<intent::NewTask>) -> Result<String, AssistantError> {
        if items.is_empty() {
            return Ok(reply::WHAT_TO_ADD.into());
        }
        let mut added: Vec<Task> = Vec::new();
        let mut problems: Vec<String> = Vec::new();
        for intent::NewTask { said: item, parsed } in items {
            // "remind me tomorrow to stretch": the "to" is no part of it.
            let title = parsed.title.trim();
            let title = match title.get(..3) {
                Some(to) if to.eq_ignore_ascii_case("to ") && title.len() > 3 => &title[3..],
                _ => title,
            };
            let title = tidy_title(title);
            if title.is_empty() {
                problems.push(reply::no_title(&item));
                continue;
            }
            let args = AddTask {
                title: title.clone(),
                description: parsed.description.clone(),
                due: parsed.due.map(Said::Value),
                priority: parsed.priority,
                tags: (!parsed.tags.is_empty())
                    .then(|| parsed.tags.iter().map(|t| t.as_str().to_owned()).collect()),
                recurrence: parsed.recurrence.clone().map(Said::Value),
            };
            match self.tool(args).await? {
                Ok(task) => added.push(task),
                Err(error) => problems.push(reply::failed("add", &reply::quoted(&title), &error)),
            }
        }
        if !added.is_empty() {
            self.memory.listed = added.iter().map(|t| t.id).collect();
            self.memory.last = added.last().map(|t| t.id);
        }
        let mut text = reply::added(&added, self.tz, self.now);
        for problem in problems {
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(&problem);
        }
        Ok(text)
    }

    // -----------------------------------------------------------------------
    // Listing.

    async fn list(&mut self, spec: ListSpec) -> Result<String, AssistantError> {
        let status = spec.status.unwrap_or(StatusArg::Pending);
        let mut args = ListTasks {
            status: Some(status),
            query: spec.query.clone(),
            tag: spec.tag.clone(),
            priority: spec.priority,
            due: spec.due,
            completed: spec.completed,
            // Soonest first, then oldest: the order people count in.
            sort: Some(SortArg::Due),
            limit: Some(if spec.on_date.is_some() {
                TOOL_MAX_LIMIT
            } else {
                LIST_LIMIT
            }),
        };
        let mut query = spec.query.clone();
        let mut tag = spec.tag.clone();
        if let Some(word) = &spec.tag_or_query {
            args.tag = Some(word.clone());
            tag = Some(word.clone());
        }
        let mut found = service_failure(args.clone().call(self.tools, self.principal).await)?;
        if found.as_ref().map_or(0, |page| page.total) == 0 {
            if let Some(word) = &spec.tag_or_query {
                args.tag = spec.tag.clone();
                args.query = Some(word.clone());
                tag = spec.tag.clone();
                query = Some(word.clone());
                found = service_failure(args.clone().call(self.tools, self.principal).await)?;
            }
        }
        // The listing that answers is what the user asked for: recorded.
        let arguments = serde_json::to_value(&args).unwrap_or_default();
        self.record(tools::record::<ListTasks>(arguments, &found));
        let (mut tasks, mut total, mut capped) = found.map_or((Vec::new(), 0, false), |page| {
            (page.items, page.total, page.total_capped)
        });
        if let Some(date) = spec.on_date {
            tasks.retain(|t| t.due.is_some_and(|d| d.local_date(self.tz) == date));
            total = tasks.len() as i64;
            capped = false;
            tasks.truncate(LIST_LIMIT as usize);
        }
        let what = reply::listing_words(
            &spec,
            status,
            tag.as_deref(),
            query.as_deref(),
            self.tz.today(self.now),
        );
        self.memory.listed = tasks.iter().map(|t| t.id).collect();
        if tasks.is_empty() {
            if query.is_some() && spec.tag_or_query.is_none() {
                return Ok(reply::no_match(&query.unwrap_or_default()));
            }
            if let Some(window) = spec.completed {
                return Ok(reply::none_completed(&what, window));
            }
            return Ok(reply::none_listed(&what));
        }
        if let [only] = tasks.as_slice() {
            self.memory.last = Some(only.id);
        }
        if let Some(window) = spec.completed {
            return Ok(reply::completed_in(
                total, capped, &what, window, &tasks, self.tz, self.now,
            ));
        }
        Ok(reply::listing(
            total, capped, &what, &tasks, self.tz, self.now,
        ))
    }

    // -----------------------------------------------------------------------
    // References.

    async fn resolve(
        &mut self,
        refs: Vec<Ref>,
        said: &str,
        op: &Op,
    ) -> Result<Resolved, AssistantError> {
        let mut tasks: Vec<Task> = Vec::new();
        for r in refs {
            let id = match r {
                Ref::Id(id) => id,
                Ref::Number(n) => match usize::try_from(n).ok().filter(|n| *n >= 1) {
                    Some(k) if k <= self.memory.listed.len() => self.memory.listed[k - 1],
                    _ => n,
                },
                Ref::Position(p) => {
                    let listed = &self.memory.listed;
                    if listed.is_empty() {
                        return Ok(Resolved::Answer(reply::NO_LIST_OR_NAME.into()));
                    }
                    let index = if p > 0 {
                        usize::try_from(p - 1).ok()
                    } else {
                        listed
                            .len()
                            .checked_sub(usize::try_from(-p).unwrap_or(usize::MAX))
                    };
                    match index.and_then(|i| listed.get(i)) {
                        Some(id) => *id,
                        None => return Ok(Resolved::Answer(reply::list_too_short(listed.len()))),
                    }
                }
                Ref::Pronoun => match self.memory.last.or(match self.memory.listed.as_slice() {
                    [only] => Some(*only),
                    _ => None,
                }) {
                    Some(id) => id,
                    None => return Ok(Resolved::Answer(reply::WHICH_TASK.into())),
                },
                Ref::All => {
                    if self.memory.listed.is_empty() {
                        return Ok(Resolved::Answer(reply::NO_LIST.into()));
                    }
                    for id in self.memory.listed.clone() {
                        if let Some(task) = self.get(id).await? {
                            tasks.push(task);
                        }
                    }
                    continue;
                }
                Ref::Titles { .. } | Ref::Tagged(_) => {
                    match self.resolve_group(&r, said, op).await? {
                        Some(Resolved::Tasks(found)) => tasks.extend(found),
                        Some(answer) => return Ok(answer),
                        None => {}
                    }
                    continue;
                }
                Ref::Title(words) => match self.find_by_title(&words, said, op).await? {
                    Resolved::Tasks(found) => {
                        tasks.extend(found);
                        continue;
                    }
                    answer => return Ok(answer),
                },
            };
            match self.get(id).await? {
                Some(task) => tasks.push(task),
                None => return Ok(Resolved::Answer(reply::no_task(id))),
            }
        }
        if tasks.is_empty() {
            return Ok(Resolved::Answer(reply::NO_TARGET.into()));
        }
        Ok(Resolved::Tasks(tasks))
    }

    async fn find_by_title(
        &mut self,
        words: &str,
        said: &str,
        op: &Op,
    ) -> Result<Resolved, AssistantError> {
        let search = ListTasks {
            status: Some(StatusArg::All),
            query: Some(words.to_owned()),
            sort: Some(SortArg::Created),
            limit: Some(TOOL_MAX_LIMIT),
            ..ListTasks::default()
        };
        let (found, _) = self.list_tool(&search).await?;
        let scored = |tasks: &[Task]| -> Vec<(Task, u8)> {
            tasks
                .iter()
                .filter_map(|t| reference::match_title(words, &t.title).map(|s| (t.clone(), s)))
                .collect()
        };
        let mut matches = scored(&found);
        if matches.is_empty() {
            let everything = ListTasks {
                status: Some(StatusArg::All),
                sort: Some(SortArg::Created),
                limit: Some(TOOL_MAX_LIMIT),
                ..ListTasks::default()
            };
            let (all, _) = self.list_tool(&everything).await?;
            matches = scored(&all);
            if matches.is_empty() {
                // Near misses, or the substring hits, make a question.
                let mut near: Vec<(f64, Task)> = all
                    .into_iter()
                    .map(|t| (reference::overlap(words, &t.title), t))
                    .filter(|(o, _)| *o >= 0.5)
                    .collect();
                near.sort_by(|a, b| b.0.total_cmp(&a.0));
                let mut near: Vec<Task> = near.into_iter().map(|(_, t)| t).collect();
                if near.is_empty() {
                    near = found;
                }
                if near.is_empty() {
                    return Ok(Resolved::Answer(reply::no_match(said.trim())));
                }
                near.truncate(MAX_CANDIDATES);
                return Ok(Resolved::Answer(self.ask(
                    op.clone(),
                    &near,
                    &reply::did_you_mean_near(said.trim()),
                )));
            }
        }
        let want_completed = op.wants_completed();
        let preferred: Vec<(Task, u8)> = matches
            .iter()
            .filter(|(t, _)| t.completed == want_completed)
            .cloned()
            .collect();
        if !preferred.is_empty() {
            matches = preferred;
        }
        let best = matches.iter().map(|(_, s)| *s).max().unwrap_or(0);
        matches.retain(|(_, s)| *s == best);
        if let [(task, score)] = matches.as_slice() {
            // Deleting on a near match ("milk" for "Milkshake") would be a
            // guess: ask first.
            if !(*score == 1 && matches!(op, Op::Delete)) {
                return Ok(Resolved::Tasks(vec![task.clone()]));
            }
            return Ok(Resolved::Answer(self.ask(
                op.clone(),
                std::slice::from_ref(task),
                &reply::did_you_mean(&task.title),
            )));
        }
        let mut candidates: Vec<Task> = matches.into_iter().map(|(t, _)| t).collect();
        // Oldest first, so "the first one" is the one made first.
        candidates.sort_by_key(|t| t.id);
        candidates.truncate(MAX_CANDIDATES);
        Ok(Resolved::Answer(self.ask(
            op.clone(),
            &candidates,
            &reply::several_match(said.trim()),
        )))
    }

    /// Asks which task is meant and remembers the question.
    fn ask(&mut self, op: Op, candidates: &[Task], question: &str) -> String {
        self.memory.listed = candidates.iter().map(|t| t.id).collect();
        self.memory.pending = Some(Pending::Choose {
            op,
            candidates: candidates
                .iter()
                .map(|t| Candidate {
                    id: t.id,
                    title: t.title.clone(),
                })
                .collect(),
        });
        reply::question(question, candidates, self.tz, self.now)
    }

    /// Reads the answer to "which one do you mean?"; `None` when the
    /// message is not an answer.
    async fn choose(
        &mut self,
        msg: &text::Msg,
        op: Op,
        candidates: Vec<Candidate>,
    ) -> Result<Option<String>, AssistantError> {
        let s = msg.low.trim();
        let yes = matches!(
            s,
            "yes"
                | "y"
                | "yeah"
                | "yep"
                | "yup"
                | "sure"
                | "ok"
                | "okay"
                | "correct"
                | "that one"
                | "yes please"
        );
        let chosen: Vec<i64> = if yes && candidates.len() == 1 {
            vec![candidates[0].id]
        } else {
            let Some(refs) = reference::parse(s) else {
                return Ok(None);
            };
            let mut ids = Vec::new();
            for r in refs {
                let pick = |k: usize| candidates.get(k).map(|c| c.id);
                let id = match r {
                    Ref::Number(n) | Ref::Position(n) if n >= 1 => usize::try_from(n - 1)
                        .ok()
                        .and_then(pick)
                        .or_else(|| candidates.iter().find(|c| c.id == n).map(|c| c.id)),
                    Ref::Position(n) => candidates
                        .len()
                        .checked_sub(usize::try_from(-n).unwrap_or(usize::MAX))
                        .and_then(pick),
                    // "number 1" names a candidate's place unless it is one's id.
                    Ref::Id(id) => candidates
                        .iter()
                        .find(|c| c.id == id)
                        .map(|c| c.id)
                        .or_else(|| {
                            let k = id.checked_sub(1)?;
                            usize::try_from(k).ok().and_then(pick)
                        }),
                    Ref::All => {
                        ids.extend(candidates.iter().map(|c| c.id));
                        continue;
                    }
                    Ref::Tagged(_) => None,
                    Ref::Title(words) | Ref::Titles { whole: words, .. } => {
                        let mut scored: Vec<(u8, i64)> = candidates
                            .iter()
                            .filter_map(|c| {
                                reference::match_title(&words, &c.title).map(|s| (s, c.id))
                            })
                            .collect();
                        let best = scored.iter().map(|(s, _)| *s).max().unwrap_or(0);
                        scored.retain(|(s, _)| *s == best);
                        match scored.as_slice() {
                            [(_, id)] => Some(*id),
                            [] => None,
                            _ => {
                                // Still several: ask again among those.
                                let mut narrowed = Vec::new();
                                for (_, id) in &scored {
                                    if let Some(task) = self.get(*id).await? {
                                        narrowed.push(task);
                                    }
                                }
                                return Ok(Some(self.ask(op, &narrowed, reply::WHICH_ONE)));
                            }
                        }
                    }
                    Ref::Pronoun | Ref::Number(_) => None,
                };
                match id {
                    Some(id) => ids.push(id),
                    None => return Ok(None),
                }
            }
            ids
        };
        if chosen.is_empty() {
            return Ok(None);
        }
        let mut lines = Vec::new();
        for id in chosen {
            match self.get(id).await? {
                Some(task) => lines.push(self.apply(&op, task).await?),
                None => lines.push(reply::task_gone(id)),
            }
        }
        Ok(Some(lines.join("\n")))
    }

    // -----------------------------------------------------------------------
    // Acting.

    async fn act(&mut self, op: Op, refs: Vec<Ref>, said: &str) -> Result<String, AssistantError> {
        let tasks = match self.resolve(refs, said, &op).await? {
            Resolved::Tasks(tasks) => tasks,
            Resolved::Answer(answer) => return Ok(answer),
        };
        let mut lines = Vec::new();
        for task in tasks {
            lines.push(self.apply(&op, task).await?);
        }
        Ok(lines.join("\n"))
    }

    async fn apply(&mut self, op: &Op, task: Task) -> Result<String, AssistantError> {
        let title = reply::quoted(&task.title);
        self.memory.last = Some(task.id);
        match op {
            Op::Complete => {
                if task.completed {
                    return Ok(reply::already_completed(&title));
                }
                let args = CompleteTask {
                    id: Some(task.id),
                    task: None,
                };
                match self.tool(args).await? {
                    Ok(done) => {
                        let next = done.next.and_then(|next| next.due);
                        Ok(reply::completed(&title, next, self.tz, self.now))
                    }
                    Err(error) => Ok(reply::failed("complete", &title, &error)),
                }
            }
            Op::Reopen => {
                if !task.completed {
                    return Ok(reply::not_completed(&title));
                }
                let args = UpdateTask {
                    id: Some(task.id),
                    completed: Some(false),
                    ..UpdateTask::default()
                };
                match self.tool(args).await? {
                    Ok(_) => Ok(reply::reopened(&title)),
                    Err(error) => Ok(reply::failed("reopen", &title, &error)),
                }
            }
            Op::Delete => match self
                .tool(DeleteTask {
                    id: Some(task.id),
                    task: None,
                })
                .await?
            {
                Ok(_) => {
                    self.memory.last = None;
                    Ok(reply::deleted(&title))
                }
                Err(error) => Ok(reply::failed("delete", &title, &error)),
            },
            Op::Edit(changes) => self.edit(changes, task).await,
        }
    }

    async fn edit(&mut self, changes: &Changes, task: Task) -> Result<String, AssistantError> {
        let resolved = changes.for_priority(task.priority);
        let changes = &resolved;
        let title = reply::quoted(&task.title);
        let untouched = UpdateTask {
            id: Some(task.id),
            ..UpdateTask::default()
        };
        let mut args = untouched.clone();
        args.title = changes.title.as_deref().map(tidy_title);
        if let Some(note) = &changes.note {
            let description = if changes.replace_note || task.description.trim().is_empty() {
                note.clone()
            } else {
                format!("{}\n{note}", task.description.trim_end())
            };
            args.description = Some(description);
        }
        let mut new_due: Option<Due> = None;
        if let Some(due) = &changes.due {
            let parsed = Some(*due);
            let due = match (parsed, task.due) {
                // "move it to friday" keeps a timed task's time of day…
                (Some(Due::Date(date)), Some(Due::At(at))) => {
                    let time = at.with_timezone(&self.tz.tz()).time();
                    Some(Due::At(self.tz.resolve(date.and_time(time))))
                }
                // …and "move it to 3pm" its day.
                (Some(Due::At(at)), Some(current)) if changes.time_only => {
                    let time = at.with_timezone(&self.tz.tz()).time();
                    let date = current.local_date(self.tz);
                    Some(Due::At(self.tz.resolve(date.and_time(time))))
                }
                (parsed, _) => parsed,
            };
            if let Some(due) = due {
                new_due = Some(due);
                args.due = Some(Said::Value(due));
            }
        }
        if let Some(shift) = changes.shift {
            let base = task.due.unwrap_or(Due::Date(self.tz.today(self.now)));
            let due = base.shifted(shift.amount, shift.unit, self.tz);
            new_due = Some(due);
            args.due = Some(Said::Value(due));
        }
        if changes.clear_due {
            args.due = Some(Said::Clear);
        }
        args.priority = changes.priority;
        if changes.clear_tags {
            args.tags = Some(Vec::new());
        }
        if !changes.add_tags.is_empty() {
            args.add_tags = Some(changes.add_tags.iter().map(Tag::to_string).collect());
        }
        if !changes.remove_tags.is_empty() {
            let missing: Vec<&Tag> = changes
                .remove_tags
                .iter()
                .filter(|t| !task.tags.contains(t))
                .collect();
            if missing.len() == changes.remove_tags.len() && !changes.clear_tags {
                let tags: Vec<String> = missing.iter().map(|t| format!("#{t}")).collect();
                return Ok(reply::not_tagged(&title, &tags));
            }
            args.remove_tags = Some(changes.remove_tags.iter().map(Tag::to_string).collect());
        }
        args.recurrence = changes.recurrence.clone().map(Said::Value);
        if changes.clear_recurrence {
            if task.recurrence.is_none() {
                return Ok(reply::no_repeat(&title));
            }
            args.recurrence = Some(Said::Clear);
        }
        let only_clears_due = UpdateTask {
            due: Some(Said::Clear),
            ..untouched.clone()
        };
        if changes.clear_due && task.due.is_none() && args == only_clears_due {
            return Ok(reply::no_due(&title));
        }
        if args == untouched {
            return Ok(reply::nothing_to_change(&title));
        }
        let updated = match self.tool(args).await? {
            Ok(task) => task,
            Err(error) => return Ok(reply::failed("update", &title, &error)),
        };
        Ok(reply::update_summary(
            &title, changes, &updated, new_due, self.tz, self.now,
        ))
    }

    // -----------------------------------------------------------------------
    // Clearing completed tasks.

    async fn ask_clear(&mut self) -> Result<String, AssistantError> {
        let args = ListTasks {
            status: Some(StatusArg::Completed),
            limit: Some(1),
            ..ListTasks::default()
        };
        let (_, total) = self.list_tool(&args).await?;
        if total == 0 {
            return Ok(reply::NO_COMPLETED.into());
        }
        self.memory.pending = Some(Pending::ConfirmClear);
        Ok(reply::confirm_clear(total))
    }

    /// The same service as the REST API's "clear completed", in one go.
    async fn clear_completed(&mut self) -> Result<String, AssistantError> {
        let deleted = self
            .tools
            .services()
            .clear_completed(self.principal)
            .await?;
        self.record(Action::cleared(deleted));
        self.memory.listed.clear();
        self.memory.last = None;
        Ok(reply::cleared(deleted))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_tidied() {
        assert_eq!(tidy_title("milk"), "Milk");
        assert_eq!(tidy_title("MILK"), "Milk");
        assert_eq!(tidy_title("call NASA"), "Call NASA");
        assert_eq!(tidy_title("a birthday card"), "Birthday card");
        assert_eq!(tidy_title("Email Bob,"), "Email Bob");
    }
}
