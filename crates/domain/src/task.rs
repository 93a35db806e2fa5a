//! Tasks: the stored shape, the raw shapes clients send, and the rules that
//! turn the latter into the former.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use crate::error::{FieldError, ValidationErrors};
use crate::recurrence::Recurrence;
use crate::text::check_no_control_characters;
use crate::time::TimeZone;

pub type TaskId = i64;

pub const TITLE_MAX_CHARS: usize = 200;
pub const DESCRIPTION_MAX_CHARS: usize = 4000;
pub const TAGS_MAX: usize = 20;
pub const TAG_MAX_CHARS: usize = 32;

/// A task as stored and as the API returns it.
///
/// On the wire `due` is two fields, `due_at` and `all_day`, as the private
/// `TaskWire` spells them (the HTTP contract and the OpenAPI document are
/// its shape).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    pub id: TaskId,
    pub title: String,
    /// Free text; empty when there is none.
    pub description: String,
    pub completed: bool,
    pub completed_at: Option<DateTime<Utc>>,
    pub priority: Priority,
    /// Normalised: lowercase, without `#`, no duplicates.
    pub tags: Vec<Tag>,
    /// On a date (all day) or at an instant; `None` when it has no due date.
    pub due: Option<Due>,
    pub recurrence: Option<Recurrence>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Goes up with every change; the `ETag` of the task's answers.
    pub version: i64,
}

/// A task as stored and as the API returns it.
///
/// An all-day task (`all_day: true`) is due on a calendar date, not at an
/// instant: its `due_at` is that date at 00:00 UTC and clients read only the
/// date part, whatever their time zone.
//
// The wire shape of [`Task`]: borrowed when written (nothing is copied),
// owned when read (the `Cow`s are moved into the task). Its doc comments are
// the OpenAPI document's.
#[derive(Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
struct TaskWire<'a> {
    id: TaskId,
    title: Cow<'a, str>,
    /// Free text; empty when there is none.
    description: Cow<'a, str>,
    completed: bool,
    #[serde(serialize_with = "crate::time::rfc3339::serialize_option")]
    completed_at: Option<DateTime<Utc>>,
    priority: Priority,
    /// Normalised: lowercase, without `#`, no duplicates.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    tags: Cow<'a, [Tag]>,
    #[serde(serialize_with = "crate::time::rfc3339::serialize_option")]
    due_at: Option<DateTime<Utc>>,
    all_day: bool,
    /// An RFC 5545 RRULE such as `FREQ=WEEKLY;BYDAY=MO,TH`.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    recurrence: Option<Cow<'a, Recurrence>>,
    #[serde(serialize_with = "crate::time::rfc3339::serialize")]
    created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::time::rfc3339::serialize")]
    updated_at: DateTime<Utc>,
    /// Goes up with every change; the `ETag` of the task's answers.
    #[serde(default)]
    version: i64,
}

impl<'a> From<&'a Task> for TaskWire<'a> {
    fn from(task: &'a Task) -> Self {
        let (due_at, all_day) = match task.due.map(Due::to_stored) {
            Some((at, all_day)) => (Some(at), all_day),
            None => (None, false),
        };
        TaskWire {
            id: task.id,
            title: Cow::Borrowed(&task.title),
            description: Cow::Borrowed(&task.description),
            completed: task.completed,
            completed_at: task.completed_at,
            priority: task.priority,
            tags: Cow::Borrowed(&task.tags),
            due_at,
            all_day,
            recurrence: task.recurrence.as_ref().map(Cow::Borrowed),
            created_at: task.created_at,
            updated_at: task.updated_at,
            version: task.version,
        }
    }
}

impl From<TaskWire<'_>> for Task {
    fn from(wire: TaskWire<'_>) -> Self {
        Task {
            id: wire.id,
            title: wire.title.into_owned(),
            description: wire.description.into_owned(),
            completed: wire.completed,
            completed_at: wire.completed_at,
            priority: wire.priority,
            tags: wire.tags.into_owned(),
            due: wire.due_at.map(|at| Due::from_stored(at, wire.all_day)),
            recurrence: wire.recurrence.map(Cow::into_owned),
            created_at: wire.created_at,
            updated_at: wire.updated_at,
            version: wire.version,
        }
    }
}

impl Serialize for Task {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        TaskWire::from(self).serialize(serializer)
    }
}

impl Task {
    /// Appends the task's JSON, byte for byte what its `Serialize` writes
    /// through serde_json (a test holds the two together), to `out`. A page
    /// of tasks is the API's biggest answer, and a serializer cost about
    /// 4,000 instructions a task, most of them per field (each key escaped
    /// anew, each value through a generic call) rather than per byte.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        let (due_at, all_day) = match self.due.map(Due::to_stored) {
            Some((at, all_day)) => (Some(at), all_day),
            None => (None, false),
        };
        out.extend_from_slice(br#"{"id":"#);
        out.extend_from_slice(itoa::Buffer::new().format(self.id).as_bytes());
        out.extend_from_slice(br#","title":"#);
        write_json_str(&self.title, out);
        out.extend_from_slice(br#","description":"#);
        write_json_str(&self.description, out);
        out.extend_from_slice(br#","completed":"#);
        write_json_bool(self.completed, out);
        out.extend_from_slice(br#","completed_at":"#);
        write_json_instant(self.completed_at.as_ref(), out);
        // Lowercase letters: nothing to escape.
        out.extend_from_slice(br#","priority":""#);
        out.extend_from_slice(self.priority.as_str().as_bytes());
        out.extend_from_slice(br#"","tags":["#);
        for (i, tag) in self.tags.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_json_str(tag.as_str(), out);
        }
        out.extend_from_slice(br#"],"due_at":"#);
        write_json_instant(due_at.as_ref(), out);
        out.extend_from_slice(br#","all_day":"#);
        write_json_bool(all_day, out);
        out.extend_from_slice(br#","recurrence":"#);
        match &self.recurrence {
            Some(rule) => write_json_str(rule.as_str(), out),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(br#","created_at":"#);
        crate::time::rfc3339::write_json(&self.created_at, out);
        out.extend_from_slice(br#","updated_at":"#);
        crate::time::rfc3339::write_json(&self.updated_at, out);
        out.extend_from_slice(br#","version":"#);
        out.extend_from_slice(itoa::Buffer::new().format(self.version).as_bytes());
        out.push(b'}');
    }
}

/// A JSON string, escaped as serde_json escapes it.
fn write_json_str(text: &str, out: &mut Vec<u8>) {
    // Writing into a `Vec` cannot fail.
    let _ = serde::Serializer::serialize_str(&mut serde_json::Serializer::new(out), text);
}

fn write_json_bool(value: bool, out: &mut Vec<u8>) {
    out.extend_from_slice(if value { b"true" } else { b"false" });
}

fn write_json_instant(at: Option<&DateTime<Utc>>, out: &mut Vec<u8>) {
    match at {
        Some(at) => crate::time::rfc3339::write_json(at, out),
        None => out.extend_from_slice(b"null"),
    }
}

impl<'de> Deserialize<'de> for Task {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        TaskWire::deserialize(deserializer).map(Task::from)
    }
}

/// `Task` is documented as its wire shape.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Task {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        <TaskWire as utoipa::PartialSchema>::schema()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Task {
    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        <TaskWire as utoipa::ToSchema>::schemas(schemas);
    }
}

#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    #[default]
    None,
    Low,
    Medium,
    High,
    Urgent,
}

impl Priority {
    pub const ALL: [Priority; 5] = [
        Self::None,
        Self::Low,
        Self::Medium,
        Self::High,
        Self::Urgent,
    ];

    /// The number stored in the database; higher is more urgent, so sorting
    /// by it sorts by importance.
    pub fn rank(self) -> i16 {
        self as i16
    }

    pub fn from_rank(rank: i16) -> Option<Self> {
        Self::ALL.get(usize::try_from(rank).ok()?).copied()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Urgent => "urgent",
        }
    }

    /// The word people read: "Urgent", "High", "Medium", "Low", "None".
    pub fn label(self) -> &'static str {
        match self {
            Self::None => "None",
            Self::Low => "Low",
            Self::Medium => "Medium",
            Self::High => "High",
            Self::Urgent => "Urgent",
        }
    }

    pub fn parse_field(raw: &str, field: &str) -> Result<Self, FieldError> {
        raw.parse().map_err(|_| {
            FieldError::new(
                field,
                "priority_invalid",
                format!("priority must be one of none, low, medium, high, urgent (got '{raw}')"),
            )
        })
    }
}

impl FromStr for Priority {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or(())
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A normalised tag: lowercase letters, digits, `-` and `_`, 1–32 characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Tag(String);

impl Tag {
    /// Normalises `raw` (a leading `#` is dropped, letters are lowercased).
    pub fn parse(raw: &str) -> Result<Self, String> {
        let trimmed = raw.trim();
        let body = trimmed.strip_prefix('#').unwrap_or(trimmed);
        // Already normal, as every stored tag is: copied as it is, not
        // lowercased a character at a time (each task of a page read).
        if !body.is_empty()
            && body.len() <= TAG_MAX_CHARS
            && body
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        {
            return Ok(Self(body.to_owned()));
        }
        let tag: String = body.chars().flat_map(char::to_lowercase).collect();
        if tag.is_empty() {
            return Err("a tag cannot be empty".into());
        }
        if tag.chars().count() > TAG_MAX_CHARS {
            return Err(format!(
                "tag '{tag}' is longer than {TAG_MAX_CHARS} characters"
            ));
        }
        if let Some(bad) = tag
            .chars()
            .find(|c| !(c.is_alphanumeric() || *c == '-' || *c == '_'))
        {
            return Err(format!(
                "tag '{body}' may only hold letters, digits, '-' and '_' (found '{bad}')"
            ));
        }
        Ok(Self(tag))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl PartialEq<str> for Tag {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl AsRef<str> for Tag {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Tag {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Tag::parse(&raw).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Validates a list of tags: normalised, de-duplicated (first spelling wins),
/// at most [`TAGS_MAX`].
pub fn parse_tags<S: AsRef<str>>(raw: &[S], field: &str) -> Result<Vec<Tag>, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let mut tags: Vec<Tag> = Vec::with_capacity(raw.len());
    for (index, item) in raw.iter().enumerate() {
        match Tag::parse(item.as_ref()) {
            Ok(tag) if !tags.contains(&tag) => tags.push(tag),
            Ok(_) => {}
            Err(message) => errors.push(FieldError::new(
                format!("{field}[{index}]"),
                "tag_invalid",
                message,
            )),
        }
    }
    if tags.len() > TAGS_MAX {
        errors.push(FieldError::new(
            field,
            "tags_too_many",
            format!("a task has at most {TAGS_MAX} tags (got {})", tags.len()),
        ));
    }
    errors.into_result(|| tags)
}

pub fn parse_title(raw: &str) -> Result<String, FieldError> {
    let title = raw.trim();
    check_no_control_characters("title", title, false)?;
    if title.is_empty() {
        return Err(FieldError::new(
            "title",
            "title_empty",
            "the title cannot be empty",
        ));
    }
    let length = title.chars().count();
    if length > TITLE_MAX_CHARS {
        return Err(FieldError::new(
            "title",
            "title_too_long",
            format!("the title is {length} characters long; at most {TITLE_MAX_CHARS} are allowed"),
        ));
    }
    Ok(title.to_owned())
}

pub fn parse_description(raw: &str) -> Result<String, FieldError> {
    check_no_control_characters("description", raw, true)?;
    let length = raw.chars().count();
    if length > DESCRIPTION_MAX_CHARS {
        return Err(FieldError::new(
            "description",
            "description_too_long",
            format!("the description is {length} characters long; at most {DESCRIPTION_MAX_CHARS} are allowed"),
        ));
    }
    Ok(raw.trim_end().to_owned())
}

/// When a task is due: on a calendar date ("all day") or at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Due {
    Date(NaiveDate),
    At(DateTime<Utc>),
}

impl Due {
    /// Reads `2026-12-03` as an all-day date and an RFC 3339 timestamp as an
    /// instant. `all_day: Some(true)` turns a timestamp into its date in `tz`.
    pub fn parse(raw: &str, all_day: Option<bool>, tz: TimeZone) -> Result<Self, FieldError> {
        let raw = raw.trim();
        let due = if let Ok(date) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
            Due::Date(date)
        } else if let Ok(at) = DateTime::parse_from_rfc3339(raw) {
            Due::At(at.with_timezone(&Utc))
        } else {
            return Err(FieldError::new(
                "due_at",
                "due_at_invalid",
                format!("'{raw}' is neither a date (2026-12-03) nor an RFC 3339 time (2026-12-03T17:00:00+01:00)"),
            ));
        };
        due.with_all_day(all_day, tz).check_range()
    }

    /// Refuses a date outside [`Due::EARLIEST`]..=[`Due::LATEST`]: both
    /// databases must store it and read it back (SQLite keeps 4-digit years).
    pub fn check_range(self) -> Result<Self, FieldError> {
        let (at, _) = self.to_stored();
        if (Self::earliest()..=Self::latest()).contains(&at) {
            Ok(self)
        } else {
            Err(FieldError::new(
                "due_at",
                "due_at_out_of_range",
                format!("due dates run from {} to {}", Self::EARLIEST, Self::LATEST),
            ))
        }
    }

    /// The first and last supported due dates, in UTC.
    pub const EARLIEST: &'static str = "0001-01-01";
    pub const LATEST: &'static str = "9999-12-31";

    fn earliest() -> DateTime<Utc> {
        DateTime::<Utc>::MIN_UTC.max(
            NaiveDate::from_ymd_opt(1, 1, 1)
                .map(|d| d.and_time(NaiveTime::MIN).and_utc())
                .unwrap_or(DateTime::<Utc>::MIN_UTC),
        )
    }

    fn latest() -> DateTime<Utc> {
        NaiveDate::from_ymd_opt(9999, 12, 31)
            .and_then(|d| d.and_hms_micro_opt(23, 59, 59, 999_999))
            .map(|at| at.and_utc())
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }

    /// Converts between the two kinds when a client asks for the other one.
    /// A date becoming timed is due at 09:00 local time.
    pub fn with_all_day(self, all_day: Option<bool>, tz: TimeZone) -> Self {
        match (self, all_day) {
            (Due::At(at), Some(true)) => Due::Date(tz.local(at).date()),
            (Due::Date(date), Some(false)) => Due::At(tz.resolve(date.and_time(NINE_AM))),
            (due, _) => due,
        }
    }

    pub fn is_all_day(self) -> bool {
        matches!(self, Due::Date(_))
    }

    /// The `(due_at, all_day)` pair stored and returned by the API.
    pub fn to_stored(self) -> (DateTime<Utc>, bool) {
        match self {
            Due::Date(date) => (date.and_time(NaiveTime::MIN).and_utc(), true),
            Due::At(at) => (at, false),
        }
    }

    pub fn from_stored(due_at: DateTime<Utc>, all_day: bool) -> Self {
        if all_day {
            Due::Date(due_at.date_naive())
        } else {
            Due::At(due_at)
        }
    }

    /// The local calendar date this is due on.
    pub fn local_date(self, tz: TimeZone) -> NaiveDate {
        match self {
            Due::Date(date) => date,
            Due::At(at) => tz.local(at).date(),
        }
    }
}

/// The API's spelling: a bare date (`2026-12-03`) for all day, else RFC 3339.
impl fmt::Display for Due {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Due::Date(date) => write!(f, "{date}"),
            Due::At(at) => f.write_str(&at.to_rfc3339()),
        }
    }
}

/// As its [`Display`](fmt::Display) spelling, read back by [`Due::parse`].
impl Serialize for Due {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Due {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Due::parse(&raw, None, TimeZone::UTC).map_err(|e| serde::de::Error::custom(e.message))
    }
}

const NINE_AM: NaiveTime = match NaiveTime::from_hms_opt(9, 0, 0) {
    Some(time) => time,
    None => NaiveTime::MIN,
};

/// A new task as a client sends it: raw values, checked by [`TaskDraft::validate`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TaskDraft {
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    /// `none`, `low`, `medium`, `high` or `urgent`.
    #[serde(default)]
    pub priority: Option<String>,
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    /// A date (`2026-12-03`, all day) or an RFC 3339 time.
    #[serde(default)]
    pub due_at: Option<String>,
    #[serde(default)]
    pub all_day: Option<bool>,
    /// An RFC 5545 RRULE such as `FREQ=DAILY` or `FREQ=WEEKLY;BYDAY=MO,TH`.
    #[serde(default)]
    pub recurrence: Option<String>,
}

/// A validated new task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTask {
    pub title: String,
    pub description: String,
    pub priority: Priority,
    pub tags: Vec<Tag>,
    pub due: Option<Due>,
    pub recurrence: Option<Recurrence>,
}

impl TaskDraft {
    pub fn validate(self, tz: TimeZone) -> Result<NewTask, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let title = errors.collect(parse_title(&self.title));
        let description =
            errors.collect(parse_description(self.description.as_deref().unwrap_or("")));
        let priority = match self.priority.as_deref() {
            Some(raw) => errors.collect(Priority::parse_field(raw, "priority")),
            None => Some(Priority::None),
        };
        let tags = match parse_tags(self.tags.as_deref().unwrap_or(&[]), "tags") {
            Ok(tags) => Some(tags),
            Err(more) => {
                errors.0.extend(more.0);
                None
            }
        };
        let due = match self.due_at.as_deref() {
            Some(raw) if !raw.trim().is_empty() => {
                errors.collect(Due::parse(raw, self.all_day, tz).map(Some))
            }
            _ => Some(None),
        };
        let recurrence = match self.recurrence.as_deref() {
            Some(raw) if !raw.trim().is_empty() => errors.collect(Recurrence::parse(raw).map(Some)),
            _ => Some(None),
        };
        match (title, description, priority, tags, due, recurrence) {
            (
                Some(title),
                Some(description),
                Some(priority),
                Some(tags),
                Some(due),
                Some(recurrence),
            ) if errors.is_empty() => Ok(NewTask {
                title,
                description,
                priority,
                tags,
                due,
                recurrence,
            }),
            _ => Err(errors),
        }
    }
}

/// A partial update as a client sends it. A field left out is kept; `null`
/// clears `due_at` and `recurrence`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TaskPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub due_at: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all_day: Option<bool>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub recurrence: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed: Option<bool>,
}

/// Distinguishes a field sent as `null` (`Some(None)`) from one left out (`None`).
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// A validated partial update.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskChanges {
    pub title: Option<String>,
    pub description: Option<String>,
    pub priority: Option<Priority>,
    pub tags: Option<Vec<Tag>>,
    pub due: Option<Option<Due>>,
    pub all_day: Option<bool>,
    pub recurrence: Option<Option<Recurrence>>,
    pub completed: Option<bool>,
}

impl TaskPatch {
    pub fn validate(self, tz: TimeZone) -> Result<TaskChanges, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let mut changes = TaskChanges {
            all_day: self.all_day,
            completed: self.completed,
            ..TaskChanges::default()
        };
        if let Some(raw) = &self.title {
            changes.title = errors.collect(parse_title(raw));
        }
        if let Some(raw) = &self.description {
            changes.description = errors.collect(parse_description(raw));
        }
        if let Some(raw) = &self.priority {
            changes.priority = errors.collect(Priority::parse_field(raw, "priority"));
        }
        if let Some(raw) = &self.tags {
            match parse_tags(raw, "tags") {
                Ok(tags) => changes.tags = Some(tags),
                Err(more) => errors.0.extend(more.0),
            }
        }
        match &self.due_at {
            Some(Some(raw)) if !raw.trim().is_empty() => {
                changes.due = errors.collect(Due::parse(raw, self.all_day, tz)).map(Some);
            }
            Some(_) => changes.due = Some(None),
            None => {}
        }
        match &self.recurrence {
            Some(Some(raw)) if !raw.trim().is_empty() => {
                changes.recurrence = errors.collect(Recurrence::parse(raw)).map(Some);
            }
            Some(_) => changes.recurrence = Some(None),
            None => {}
        }
        errors.into_result(|| changes)
    }
}

impl TaskChanges {
    /// Whether anything but completion changes.
    pub fn edits_fields(&self) -> bool {
        TaskChanges {
            completed: None,
            ..self.clone()
        } != TaskChanges::default()
    }

    /// The task with these changes made, except completion, which the caller
    /// handles (completing a recurring task creates the next one).
    ///
    /// Fails only when turning the due date into a timed one (or back)
    /// moves it out of the supported range.
    pub fn apply(
        &self,
        task: &Task,
        tz: TimeZone,
        now: DateTime<Utc>,
    ) -> Result<Task, ValidationErrors> {
        let mut next = task.clone();
        if let Some(title) = &self.title {
            next.title = title.clone();
        }
        if let Some(description) = &self.description {
            next.description = description.clone();
        }
        if let Some(priority) = self.priority {
            next.priority = priority;
        }
        if let Some(tags) = &self.tags {
            next.tags = tags.clone();
        }
        next.due = match self.due {
            Some(due) => due,
            None => task
                .due
                .map(|due| due.with_all_day(self.all_day, tz).check_range())
                .transpose()?,
        };
        if let Some(recurrence) = &self.recurrence {
            next.recurrence = recurrence.clone();
        }
        next.updated_at = now;
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paris() -> TimeZone {
        TimeZone::parse("Europe/Paris").unwrap()
    }

    #[test]
    fn titles_are_trimmed_and_bounded() {
        assert_eq!(parse_title("  Buy milk \n").unwrap(), "Buy milk");
        assert_eq!(parse_title("   ").unwrap_err().code, "title_empty");
        assert_eq!(parse_title(&"é".repeat(200)).unwrap().chars().count(), 200);
        assert_eq!(
            parse_title(&"é".repeat(201)).unwrap_err().code,
            "title_too_long"
        );
    }

    #[test]
    fn descriptions_are_bounded() {
        assert!(parse_description(&"x".repeat(4000)).is_ok());
        assert_eq!(
            parse_description(&"x".repeat(4001)).unwrap_err().code,
            "description_too_long"
        );
    }

    #[test]
    fn tags_are_normalised_and_deduplicated() {
        let tags = parse_tags(&["#Work", "work", "Home_Office", "été-2026"], "tags").unwrap();
        let names: Vec<_> = tags.iter().map(Tag::as_str).collect();
        assert_eq!(names, ["work", "home_office", "été-2026"]);
        // A tag already normal is taken as it is, up to the length limit.
        let longest = "a-1_".repeat(TAG_MAX_CHARS / 4);
        assert_eq!(Tag::parse(&longest).unwrap().as_str(), longest);
        assert!(Tag::parse(&format!("{longest}b")).is_err());
        assert_eq!(Tag::parse(" #work ").unwrap().as_str(), "work");
    }

    #[test]
    fn invalid_tags_name_their_position() {
        let errors = parse_tags(&["ok", "not ok", "", &"a".repeat(33)], "tags").unwrap_err();
        let fields: Vec<_> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["tags[1]", "tags[2]", "tags[3]"]);
        assert!(errors.0.iter().all(|e| e.code == "tag_invalid"));
    }

    #[test]
    fn more_than_twenty_tags_are_refused() {
        let many: Vec<String> = (0..21).map(|i| format!("t{i}")).collect();
        assert_eq!(
            parse_tags(&many, "tags").unwrap_err().0[0].code,
            "tags_too_many"
        );
    }

    #[test]
    fn priorities_parse_case_insensitively_and_rank_in_order() {
        assert_eq!("URGENT".parse::<Priority>(), Ok(Priority::Urgent));
        assert!(Priority::Urgent.rank() > Priority::High.rank());
        assert_eq!(Priority::from_rank(2), Some(Priority::Medium));
        assert_eq!(Priority::from_rank(9), None);
        assert_eq!(
            Priority::parse_field("p9", "priority").unwrap_err().code,
            "priority_invalid"
        );
    }

    #[test]
    fn a_date_is_all_day_and_a_timestamp_is_timed() {
        let date = Due::parse("2026-12-03", None, paris()).unwrap();
        assert_eq!(
            date,
            Due::Date(NaiveDate::from_ymd_opt(2026, 12, 3).unwrap())
        );
        assert_eq!(date.to_stored().0.to_rfc3339(), "2026-12-03T00:00:00+00:00");
        let at = Due::parse("2026-12-03T17:00:00+01:00", None, paris()).unwrap();
        assert_eq!(
            at.to_stored(),
            ("2026-12-03T16:00:00Z".parse().unwrap(), false)
        );
        assert_eq!(
            Due::parse("soon", None, paris()).unwrap_err().code,
            "due_at_invalid"
        );
    }

    #[test]
    fn a_due_is_written_as_the_api_spells_it() {
        for raw in ["2026-12-03", "2026-12-03T16:00:00+00:00"] {
            let due = Due::parse(raw, None, paris()).unwrap();
            assert_eq!(due.to_string(), raw);
            let json = serde_json::to_value(due).unwrap();
            assert_eq!(json, serde_json::json!(raw));
            assert_eq!(serde_json::from_value::<Due>(json).unwrap(), due);
        }
    }

    #[test]
    fn all_day_flag_converts_in_the_users_zone() {
        // 23:30 UTC on the 2nd is already the 3rd in Paris.
        let due = Due::parse("2026-12-02T23:30:00Z", Some(true), paris()).unwrap();
        assert_eq!(
            due,
            Due::Date(NaiveDate::from_ymd_opt(2026, 12, 3).unwrap())
        );
        let timed = Due::parse("2026-12-03", Some(false), paris()).unwrap();
        assert_eq!(
            timed.to_stored().0.to_rfc3339(),
            "2026-12-03T08:00:00+00:00"
        );
    }

    #[test]
    fn due_dates_stay_within_what_both_databases_hold() {
        let code = |raw: &str| Due::parse(raw, None, paris()).unwrap_err().code;
        assert_eq!(code("+10000-01-01"), "due_at_out_of_range");
        assert_eq!(code("-5000-01-01"), "due_at_out_of_range");
        assert_eq!(code("0000-12-31"), "due_at_out_of_range");
        assert_eq!(code("+10000-01-01T00:00:00Z"), "due_at_invalid");
        assert!(Due::parse("0001-01-01", None, paris()).is_ok());
        assert!(Due::parse("9999-12-31T23:59:59Z", None, paris()).is_ok());
        // 9999-12-31 at 09:00 in Paris is still in range; 0001-01-01 at
        // 09:00 in Tokyo (then UTC+9:19) is the day before in UTC: refused.
        assert!(Due::parse("9999-12-31", Some(false), paris()).is_ok());
        let tokyo = TimeZone::parse("Asia/Tokyo").unwrap();
        assert_eq!(
            Due::parse("0001-01-01", Some(false), tokyo)
                .unwrap_err()
                .code,
            "due_at_out_of_range"
        );
    }

    #[test]
    fn a_draft_reports_every_invalid_field() {
        let draft = TaskDraft {
            title: " ".into(),
            priority: Some("extreme".into()),
            tags: Some(vec!["bad tag".into()]),
            due_at: Some("tomorrow-ish".into()),
            recurrence: Some("FREQ=SOMETIMES".into()),
            ..TaskDraft::default()
        };
        let codes: Vec<_> = draft
            .validate(paris())
            .unwrap_err()
            .0
            .into_iter()
            .map(|e| e.code)
            .collect();
        assert_eq!(
            codes,
            [
                "title_empty",
                "priority_invalid",
                "tag_invalid",
                "due_at_invalid",
                "recurrence_invalid"
            ]
        );
    }

    #[test]
    fn a_patch_tells_null_from_absent() {
        let patch: TaskPatch = serde_json::from_str(r#"{"due_at": null}"#).unwrap();
        assert_eq!(patch.due_at, Some(None));
        let patch: TaskPatch = serde_json::from_str(r#"{"title": "x"}"#).unwrap();
        assert_eq!(patch.due_at, None);
        let changes = TaskPatch {
            due_at: Some(None),
            ..TaskPatch::default()
        }
        .validate(paris())
        .unwrap();
        assert_eq!(changes.due, Some(None));
    }

    /// Typed inside, the same JSON outside: tags and the rule are strings.
    #[test]
    fn a_task_s_json_holds_plain_strings() {
        let json = serde_json::json!({
            "id": 7, "title": "Water the plants", "description": "",
            "completed": false, "completed_at": null, "priority": "low",
            "tags": ["garden", "été"], "due_at": "2026-12-03T00:00:00Z", "all_day": true,
            "recurrence": "FREQ=WEEKLY;BYDAY=MO,TH",
            "created_at": "2026-11-21T10:00:00Z", "updated_at": "2026-11-21T10:00:00Z",
            "version": 1
        });
        let task: Task = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(
            task.tags,
            [Tag::parse("garden").unwrap(), Tag::parse("été").unwrap()]
        );
        assert_eq!(
            task.recurrence
                .as_ref()
                .map(Recurrence::describe)
                .as_deref(),
            Some("every Monday and Thursday")
        );
        assert_eq!(serde_json::to_value(&task).unwrap(), json);
        let mut bad = json.clone();
        bad["tags"] = serde_json::json!(["not ok"]);
        assert!(serde_json::from_value::<Task>(bad).is_err());
    }

    /// `due` is `due_at` + `all_day` on the wire, as it always was.
    #[test]
    fn a_task_s_due_is_two_fields_on_the_wire() {
        let task: Task = serde_json::from_value(serde_json::json!({
            "id": 7, "title": "Call", "description": "", "completed": false,
            "completed_at": null, "priority": "none", "tags": [], "due_at": null,
            "all_day": false, "recurrence": null, "created_at": "2026-11-21T10:00:00Z",
            "updated_at": "2026-11-21T10:00:00Z"
        }))
        .unwrap();
        assert_eq!((task.due, task.version), (None, 0), "version defaults to 0");
        for (due, due_at, all_day) in [
            (None, serde_json::Value::Null, false),
            (
                Some(Due::Date(NaiveDate::from_ymd_opt(2026, 12, 3).unwrap())),
                "2026-12-03T00:00:00Z".into(),
                true,
            ),
            (
                Some(Due::At("2026-12-03T16:30:00Z".parse().unwrap())),
                "2026-12-03T16:30:00Z".into(),
                false,
            ),
        ] {
            let task = Task {
                due,
                ..task.clone()
            };
            let json = serde_json::to_value(&task).unwrap();
            assert_eq!(
                (&json["due_at"], &json["all_day"]),
                (&due_at, &all_day.into())
            );
            assert!(json.get("due").is_none(), "{json}");
            assert_eq!(serde_json::from_value::<Task>(json).unwrap(), task);
        }
    }

    /// `write_json` writes what `Serialize` does, over every field's kinds
    /// of value: escapes and non-ASCII text, each priority, no tag to
    /// several, each kind of due date, a repetition or none, instants with
    /// and without fractions (and years chrono writes its own way), big
    /// and negative numbers.
    #[test]
    fn written_json_is_the_serialised_json() {
        let at = |text: &str| text.parse::<DateTime<Utc>>().unwrap();
        let base = Task {
            id: 1,
            title: "Call".into(),
            description: String::new(),
            completed: false,
            completed_at: None,
            priority: Priority::None,
            tags: Vec::new(),
            due: None,
            recurrence: None,
            created_at: at("2026-11-21T10:00:00Z"),
            updated_at: at("2026-11-21T10:00:00.5Z"),
            version: 0,
        };
        let texts = [
            "",
            "Buy milk",
            "Quote \" backslash \\ slash / tab \t newline \n",
            "control \u{1} \u{1f} \u{7f} and é, 漢字, 🎉",
            "</script>",
        ];
        let mut tasks = Vec::new();
        for (i, text) in texts.iter().enumerate() {
            let priority = Priority::ALL[i % Priority::ALL.len()];
            tasks.push(Task {
                id: i64::MAX - i as i64,
                title: text.to_string(),
                description: texts[(i + 1) % texts.len()].to_string(),
                completed: i % 2 == 1,
                completed_at: (i % 2 == 1).then(|| at("2026-11-22T08:15:30.123456789Z")),
                priority,
                tags: ["work", "été-2026", "home_office"][..i % 4]
                    .iter()
                    .map(|t| Tag::parse(t).unwrap())
                    .collect(),
                due: match i % 3 {
                    0 => None,
                    1 => Some(Due::Date(NaiveDate::from_ymd_opt(2026, 12, 3).unwrap())),
                    _ => Some(Due::At(at("2026-12-03T16:30:00.250Z"))),
                },
                recurrence: (i % 2 == 0)
                    .then(|| Recurrence::parse("FREQ=WEEKLY;BYDAY=MO,TH").unwrap()),
                created_at: at("0001-01-01T00:00:00Z"),
                updated_at: at("9999-12-31T23:59:59.000001Z"),
                version: -(i as i64),
            });
        }
        tasks.push(base.clone());
        tasks.push(Task {
            created_at: DateTime::<Utc>::MIN_UTC,
            updated_at: DateTime::<Utc>::MAX_UTC,
            ..base
        });
        for task in &tasks {
            let mut written = Vec::new();
            task.write_json(&mut written);
            let serialised = serde_json::to_string(task).unwrap();
            assert_eq!(String::from_utf8(written).unwrap(), serialised);
        }
        for (items, total, total_capped) in [(Vec::new(), 0, false), (tasks, 101, true)] {
            let page = TaskPage {
                items,
                total,
                total_capped,
            };
            let mut written = Vec::new();
            page.write_json(&mut written);
            assert_eq!(written, serde_json::to_vec(&page).unwrap());
        }
    }

    #[test]
    fn unknown_fields_are_refused() {
        assert!(serde_json::from_str::<TaskPatch>(r#"{"titel": "x"}"#).is_err());
    }
}

/// One page of a listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskPage {
    pub items: Vec<Task>,
    /// How many tasks match the filters, over all pages, counted up to
    /// `offset` + max(`limit`, 100): when more match, that number, and
    /// `total_capped` is true (so a page costs the same however many tasks
    /// a user has).
    pub total: i64,
    /// True when more than `total` tasks match: the count stopped there.
    pub total_capped: bool,
}

impl TaskPage {
    /// Appends the page's JSON, byte for byte what its `Serialize` writes
    /// through serde_json, each task by [`Task::write_json`].
    pub fn write_json(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(br#"{"items":["#);
        for (i, task) in self.items.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            task.write_json(out);
        }
        out.extend_from_slice(br#"],"total":"#);
        out.extend_from_slice(itoa::Buffer::new().format(self.total).as_bytes());
        out.extend_from_slice(br#","total_capped":"#);
        write_json_bool(self.total_capped, out);
        out.push(b'}');
    }
}

/// What clearing completed tasks answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Cleared {
    pub deleted: u64,
}
