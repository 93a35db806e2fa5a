//! Listing tasks: the filters and sorts a client may ask for, checked here and
//! turned into concrete instants for the store, in the user's time zone.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{FieldError, ValidationErrors};
use crate::task::{Priority, Tag};
use crate::time::TimeZone;

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;
/// The pages of the assistants' `list_tasks` tool: smaller, because a model
/// (or a person in a chat) reads every task of them.
pub const TOOL_DEFAULT_LIMIT: u32 = 20;
pub const TOOL_MAX_LIMIT: u32 = 100;
/// How many matches past `offset` a listing's total counts, at least (a
/// bigger page counts its own `limit`): beyond that, the count stops and
/// says so ([`crate::task::TaskPage::total_capped`]). Counting further
/// costs reading every further match, which grows with a user's tasks.
pub const TOTAL_COUNTED_PAST_OFFSET: u32 = 100;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum StatusFilter {
    #[default]
    All,
    Pending,
    Completed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum DueFilter {
    /// Due today (local date).
    Today,
    /// Pending and due before now (timed) or before today (all day).
    Overdue,
    /// Due today or in the six days after it.
    Week,
    /// No due date.
    None,
}

/// When the tasks a listing keeps were completed, in the user's local days:
/// `today`, `yesterday`, or `week` (today and the six days before it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum CompletedFilter {
    Today,
    Yesterday,
    Week,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum SortKey {
    #[default]
    Created,
    Due,
    Priority,
    Title,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    Asc,
    Desc,
}

impl SortKey {
    /// What people expect without asking: newest first, soonest due first,
    /// most urgent first, titles A to Z.
    pub fn default_order(self) -> SortOrder {
        match self {
            SortKey::Created | SortKey::Priority => SortOrder::Desc,
            SortKey::Due | SortKey::Title => SortOrder::Asc,
        }
    }
}

/// The query string of `GET /api/tasks`, as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct TaskQueryParams {
    /// `all` (default), `pending` or `completed`.
    pub status: Option<String>,
    /// Text searched in titles and descriptions, case-insensitively.
    pub q: Option<String>,
    /// Only tasks carrying this tag.
    pub tag: Option<String>,
    /// Only tasks of this priority.
    pub priority: Option<String>,
    /// `today`, `overdue`, `week` (today and the next six days) or `none`.
    pub due: Option<String>,
    /// Only tasks due before this date (`2026-12-03`, exclusive).
    pub due_before: Option<String>,
    /// Only tasks due after this date (exclusive).
    pub due_after: Option<String>,
    /// Only tasks completed `today`, `yesterday` or this `week` (today and
    /// the six days before), in the user's time zone.
    pub completed: Option<String>,
    /// `created` (default), `due`, `priority` or `title`.
    pub sort: Option<String>,
    /// `asc` or `desc`; the default depends on `sort`.
    pub order: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<String>,
    /// Items to skip (default 0).
    pub offset: Option<String>,
}

/// A validated listing request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskQuery {
    pub status: StatusFilter,
    pub text: Option<String>,
    pub tag: Option<Tag>,
    pub priority: Option<Priority>,
    pub due: Option<DueFilter>,
    pub due_before: Option<NaiveDate>,
    pub due_after: Option<NaiveDate>,
    pub completed: Option<CompletedFilter>,
    pub sort: SortKey,
    pub order: SortOrder,
    pub limit: u32,
    pub offset: u32,
}

impl Default for TaskQuery {
    fn default() -> Self {
        Self {
            status: StatusFilter::All,
            text: None,
            tag: None,
            priority: None,
            due: None,
            due_before: None,
            due_after: None,
            completed: None,
            sort: SortKey::Created,
            order: SortKey::Created.default_order(),
            limit: DEFAULT_LIMIT,
            offset: 0,
        }
    }
}

fn choice<T: for<'de> Deserialize<'de>>(
    raw: &str,
    field: &str,
    allowed: &str,
) -> Result<T, FieldError> {
    serde_json::from_value(serde_json::Value::String(raw.trim().to_ascii_lowercase())).map_err(
        |_| {
            FieldError::new(
                field,
                &format!("{field}_invalid"),
                format!("{field} must be one of {allowed} (got '{raw}')"),
            )
        },
    )
}

fn number(raw: &str, field: &str, min: u32, max: u32) -> Result<u32, FieldError> {
    match raw.trim().parse::<u32>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(FieldError::new(
            field,
            &format!("{field}_invalid"),
            format!("{field} must be a whole number from {min} to {max} (got '{raw}')"),
        )),
    }
}

fn date(raw: &str, field: &str) -> Result<NaiveDate, FieldError> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| {
        FieldError::new(
            field,
            &format!("{field}_invalid"),
            format!("{field} must be a date such as 2026-12-03"),
        )
    })
}

impl TaskQueryParams {
    pub fn validate(&self) -> Result<TaskQuery, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let mut query = TaskQuery::default();
        let present = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        if let Some(raw) = present(&self.status) {
            query.status = errors
                .collect(choice(&raw, "status", "all, pending, completed"))
                .unwrap_or_default();
        }
        query.text = present(&self.q).and_then(|text| {
            errors
                .collect(crate::text::check_no_control_characters("q", &text, false).map(|()| text))
        });
        if let Some(raw) = present(&self.tag) {
            query.tag = errors
                .collect(Tag::parse(&raw).map_err(|m| FieldError::new("tag", "tag_invalid", m)));
        }
        if let Some(raw) = present(&self.priority) {
            query.priority = errors.collect(Priority::parse_field(&raw, "priority"));
        }
        if let Some(raw) = present(&self.due) {
            query.due = errors.collect(choice(&raw, "due", "today, overdue, week, none"));
        }
        if let Some(raw) = present(&self.due_before) {
            query.due_before = errors.collect(date(&raw, "due_before"));
        }
        if let Some(raw) = present(&self.due_after) {
            query.due_after = errors.collect(date(&raw, "due_after"));
        }
        if let Some(raw) = present(&self.completed) {
            query.completed = errors.collect(choice(&raw, "completed", "today, yesterday, week"));
        }
        if let Some(raw) = present(&self.sort) {
            query.sort = errors
                .collect(choice(&raw, "sort", "created, due, priority, title"))
                .unwrap_or_default();
        }
        query.order = match present(&self.order) {
            Some(raw) => errors
                .collect(choice(&raw, "order", "asc, desc"))
                .unwrap_or(query.sort.default_order()),
            None => query.sort.default_order(),
        };
        if let Some(raw) = present(&self.limit) {
            query.limit = errors
                .collect(number(&raw, "limit", 1, MAX_LIMIT))
                .unwrap_or(DEFAULT_LIMIT);
        }
        if let Some(raw) = present(&self.offset) {
            query.offset = errors
                .collect(number(&raw, "offset", 0, i32::MAX as u32))
                .unwrap_or(0);
        }
        errors.into_result(|| query)
    }
}

/// A half-open range of instants; an open end is unbounded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InstantRange {
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

impl InstantRange {
    fn intersect(self, other: InstantRange) -> InstantRange {
        InstantRange {
            from: self.from.max(other.from),
            until: match (self.until, other.until) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            },
        }
    }
}

/// Which due dates a listing keeps, as the store sees them: timed tasks and
/// all-day tasks (stored at 00:00 UTC of their date) each in their own range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueCondition {
    Any,
    NoDueDate,
    Within {
        timed: InstantRange,
        all_day: InstantRange,
    },
}

/// A listing ready for the store: every relative word resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskFilter {
    pub status: StatusFilter,
    pub text: Option<String>,
    pub tag: Option<Tag>,
    pub priority: Option<Priority>,
    pub due: DueCondition,
    /// Only tasks whose `completed_at` falls in this range.
    pub completed_within: Option<InstantRange>,
    pub sort: SortKey,
    pub order: SortOrder,
    pub limit: u32,
    pub offset: u32,
}

impl TaskFilter {
    /// The most matches this listing's total counts exactly: `offset` plus
    /// [`TOTAL_COUNTED_PAST_OFFSET`] or the page's `limit`, whichever is more.
    pub fn total_cap(&self) -> i64 {
        i64::from(self.offset) + i64::from(self.limit.max(TOTAL_COUNTED_PAST_OFFSET))
    }

    /// Whether the page reaches [`Self::total_cap`] (a `limit` of
    /// [`TOTAL_COUNTED_PAST_OFFSET`] or more): the page and the row read past
    /// it then tell the total by themselves, all of it or that it passes
    /// the cap, and no count needs to run with the page.
    pub fn page_reaches_cap(&self) -> bool {
        i64::from(self.offset) + i64::from(self.limit) >= self.total_cap()
    }
}

fn utc_midnight(date: NaiveDate) -> DateTime<Utc> {
    date.and_time(NaiveTime::MIN).and_utc()
}

/// The range of both kinds of due date that fall on local dates `[from, until)`.
fn local_days(
    tz: TimeZone,
    from: Option<NaiveDate>,
    until: Option<NaiveDate>,
) -> (InstantRange, InstantRange) {
    (
        InstantRange {
            from: from.map(|d| tz.start_of_day(d)),
            until: until.map(|d| tz.start_of_day(d)),
        },
        InstantRange {
            from: from.map(utc_midnight),
            until: until.map(utc_midnight),
        },
    )
}

impl TaskQuery {
    pub fn resolve(&self, now: DateTime<Utc>, tz: TimeZone) -> TaskFilter {
        let today = tz.today(now);
        let mut status = self.status;
        let mut due = match self.due {
            None => DueCondition::Any,
            Some(DueFilter::None) => DueCondition::NoDueDate,
            Some(DueFilter::Today) => {
                let (timed, all_day) = local_days(tz, Some(today), today.succ_opt());
                DueCondition::Within { timed, all_day }
            }
            Some(DueFilter::Week) => {
                let (timed, all_day) =
                    local_days(tz, Some(today), today.checked_add_signed(Duration::days(7)));
                DueCondition::Within { timed, all_day }
            }
            Some(DueFilter::Overdue) => {
                if status == StatusFilter::All {
                    status = StatusFilter::Pending;
                }
                DueCondition::Within {
                    timed: InstantRange {
                        from: None,
                        until: Some(now),
                    },
                    all_day: InstantRange {
                        from: None,
                        until: Some(utc_midnight(today)),
                    },
                }
            }
        };
        let completed_within = self.completed.map(|window| {
            let (from, until) = match window {
                CompletedFilter::Today => (Some(today), today.succ_opt()),
                CompletedFilter::Yesterday => (today.pred_opt(), Some(today)),
                CompletedFilter::Week => (
                    today.checked_sub_signed(Duration::days(6)),
                    today.succ_opt(),
                ),
            };
            // Completion is an instant: the timed range of those days.
            local_days(tz, from, until).0
        });
        if completed_within.is_some() && status == StatusFilter::All {
            status = StatusFilter::Completed;
        }
        if self.due_before.is_some() || self.due_after.is_some() {
            let (timed, all_day) = local_days(
                tz,
                self.due_after.and_then(|d| d.succ_opt()),
                self.due_before,
            );
            due = match due {
                DueCondition::Any => DueCondition::Within { timed, all_day },
                DueCondition::NoDueDate => DueCondition::NoDueDate,
                DueCondition::Within {
                    timed: t,
                    all_day: a,
                } => DueCondition::Within {
                    timed: t.intersect(timed),
                    all_day: a.intersect(all_day),
                },
            };
        }
        TaskFilter {
            status,
            text: self.text.clone(),
            tag: self.tag.clone(),
            priority: self.priority,
            due,
            completed_within,
            sort: self.sort,
            order: self.order,
            limit: self.limit,
            offset: self.offset,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> TaskQueryParams {
        let map: serde_json::Map<String, serde_json::Value> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), serde_json::Value::String(v.to_string())))
            .collect();
        serde_json::from_value(serde_json::Value::Object(map)).unwrap()
    }

    #[test]
    fn defaults() {
        let q = params(&[]).validate().unwrap();
        assert_eq!(q, TaskQuery::default());
        assert_eq!(q.order, SortOrder::Desc);
        assert_eq!(
            params(&[("sort", "due")]).validate().unwrap().order,
            SortOrder::Asc
        );
    }

    #[test]
    fn every_bad_parameter_is_reported_with_its_code() {
        let errors = params(&[
            ("status", "done"),
            ("priority", "huge"),
            ("due", "later"),
            ("sort", "size"),
            ("order", "up"),
            ("limit", "0"),
            ("offset", "-1"),
            ("due_before", "tomorrow"),
            ("tag", "a b"),
            ("completed", "last year"),
        ])
        .validate()
        .unwrap_err();
        let codes: Vec<_> = errors.0.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "status_invalid",
                "tag_invalid",
                "priority_invalid",
                "due_invalid",
                "due_before_invalid",
                "completed_invalid",
                "sort_invalid",
                "order_invalid",
                "limit_invalid",
                "offset_invalid"
            ]
        );
    }

    #[test]
    fn today_is_the_users_local_day() {
        let tokyo = TimeZone::parse("Asia/Tokyo").unwrap();
        let now: DateTime<Utc> = "2026-11-21T20:00:00Z".parse().unwrap(); // 05:00 on the 22nd in Tokyo
        let filter = params(&[("due", "today")])
            .validate()
            .unwrap()
            .resolve(now, tokyo);
        let DueCondition::Within { timed, all_day } = filter.due else {
            panic!("expected a window")
        };
        assert_eq!(
            timed.from.unwrap().to_rfc3339(),
            "2026-11-21T15:00:00+00:00"
        );
        assert_eq!(
            timed.until.unwrap().to_rfc3339(),
            "2026-11-22T15:00:00+00:00"
        );
        assert_eq!(
            all_day.from.unwrap().to_rfc3339(),
            "2026-11-22T00:00:00+00:00"
        );
    }

    #[test]
    fn completed_windows_are_the_users_local_days() {
        let paris = TimeZone::parse("Europe/Paris").unwrap();
        let now: DateTime<Utc> = "2026-11-30T23:30:00Z".parse().unwrap(); // 00:30 on Dec 1 in Paris
        let window = |word: &str| {
            let filter = params(&[("completed", word)])
                .validate()
                .unwrap()
                .resolve(now, paris);
            assert_eq!(filter.status, StatusFilter::Completed);
            assert_eq!(filter.due, DueCondition::Any);
            let range = filter.completed_within.unwrap();
            (
                range.from.unwrap().to_rfc3339(),
                range.until.unwrap().to_rfc3339(),
            )
        };
        let day = |from: &str, until: &str| (from.to_owned(), until.to_owned());
        assert_eq!(
            window("today"),
            day("2026-11-30T23:00:00+00:00", "2026-12-01T23:00:00+00:00")
        );
        assert_eq!(
            window("Yesterday"),
            day("2026-11-29T23:00:00+00:00", "2026-11-30T23:00:00+00:00")
        );
        assert_eq!(
            window("week"),
            day("2026-11-24T23:00:00+00:00", "2026-12-01T23:00:00+00:00")
        );
        let pending = params(&[("completed", "today"), ("status", "pending")])
            .validate()
            .unwrap()
            .resolve(now, paris);
        assert_eq!(pending.status, StatusFilter::Pending, "kept as asked");
    }

    #[test]
    fn overdue_means_pending() {
        let now: DateTime<Utc> = "2026-11-21T20:00:00Z".parse().unwrap();
        let filter = params(&[("due", "overdue")])
            .validate()
            .unwrap()
            .resolve(now, TimeZone::UTC);
        assert_eq!(filter.status, StatusFilter::Pending);
    }

    #[test]
    fn before_and_after_narrow_a_window() {
        let now: DateTime<Utc> = "2026-11-21T12:00:00Z".parse().unwrap();
        let filter = params(&[("due", "week"), ("due_before", "2026-11-24")])
            .validate()
            .unwrap()
            .resolve(now, TimeZone::UTC);
        let DueCondition::Within { all_day, .. } = filter.due else {
            panic!("expected a window")
        };
        assert_eq!(
            all_day.from.unwrap().to_rfc3339(),
            "2026-11-21T00:00:00+00:00"
        );
        assert_eq!(
            all_day.until.unwrap().to_rfc3339(),
            "2026-11-24T00:00:00+00:00"
        );
    }
}
