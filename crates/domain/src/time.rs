//! Time zones and the local calendar: every date a person says ("tomorrow",
//! "today") is read in their own IANA time zone.
//!
//! Offsets come from chrono-tz's database, except in the browser (feature
//! `browser-tz` on wasm32), where the browser's own `Intl` database answers:
//! chrono-tz's transition tables would add 130 KB (gzipped) to the web UI.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::error::FieldError;

/// A validated IANA time zone name such as `Europe/Paris`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeZone(chrono_tz::Tz);

impl TimeZone {
    pub const UTC: TimeZone = TimeZone(chrono_tz::UTC);

    pub fn parse(name: &str) -> Result<Self, FieldError> {
        chrono_tz::Tz::from_str(name.trim()).map(Self).map_err(|_| {
            FieldError::new(
                "timezone",
                "timezone_invalid",
                format!("'{name}' is not an IANA time zone name such as Europe/Paris"),
            )
        })
    }

    pub fn tz(self) -> chrono_tz::Tz {
        self.0
    }

    pub fn name(self) -> &'static str {
        self.0.name()
    }

    /// The calendar date it is in this zone at `now`.
    pub fn today(self, now: DateTime<Utc>) -> NaiveDate {
        self.local(now).date()
    }

    /// The wall-clock time here at `at`.
    pub fn local(self, at: DateTime<Utc>) -> NaiveDateTime {
        at.naive_utc() + chrono::Duration::seconds(self.offset_seconds(at))
    }

    /// Seconds to add to UTC to get local time at `at`.
    #[cfg(not(all(feature = "browser-tz", target_arch = "wasm32")))]
    fn offset_seconds(self, at: DateTime<Utc>) -> i64 {
        use chrono::{Offset, TimeZone as _};
        i64::from(
            self.0
                .offset_from_utc_datetime(&at.naive_utc())
                .fix()
                .local_minus_utc(),
        )
    }

    #[cfg(all(feature = "browser-tz", target_arch = "wasm32"))]
    fn offset_seconds(self, at: DateTime<Utc>) -> i64 {
        browser::offset_seconds(self.name(), at)
    }

    /// The instant a local wall-clock time means here. A time skipped by a
    /// DST change moves forward to the first valid instant; an ambiguous one
    /// takes the earlier reading, as calendar applications do.
    #[cfg(all(feature = "browser-tz", target_arch = "wasm32"))]
    pub fn resolve(self, local: NaiveDateTime) -> DateTime<Utc> {
        resolve_by_offsets(local, |at| self.offset_seconds(at))
    }

    /// The instant a local wall-clock time means here. A time skipped by a
    /// DST change moves forward to the first valid instant; an ambiguous one
    /// takes the earlier reading, as calendar applications do.
    #[cfg(not(all(feature = "browser-tz", target_arch = "wasm32")))]
    pub fn resolve(self, local: NaiveDateTime) -> DateTime<Utc> {
        use chrono::{LocalResult, TimeZone as _};
        match self.0.from_local_datetime(&local) {
            LocalResult::Single(dt) => dt.with_timezone(&Utc),
            LocalResult::Ambiguous(earlier, _) => earlier.with_timezone(&Utc),
            LocalResult::None => {
                // Inside a spring-forward gap: step minute by minute to its end.
                let mut probe = local;
                for _ in 0..(4 * 60) {
                    probe += chrono::Duration::minutes(1);
                    if let Some(dt) = self.0.from_local_datetime(&probe).earliest() {
                        return dt.with_timezone(&Utc);
                    }
                }
                Utc.from_utc_datetime(&local)
            }
        }
    }

    /// The first instant of a local date.
    pub fn start_of_day(self, date: NaiveDate) -> DateTime<Utc> {
        self.resolve(date.and_time(NaiveTime::MIN))
    }
}

/// [`TimeZone::resolve`] from an offset function alone, for the browser
/// backend, which can only say the offset at an instant. Offsets change at
/// most once within a day either side of a local time.
#[cfg_attr(
    not(all(feature = "browser-tz", target_arch = "wasm32")),
    allow(dead_code)
)]
fn resolve_by_offsets(
    local: NaiveDateTime,
    offset: impl Fn(DateTime<Utc>) -> i64,
) -> DateTime<Utc> {
    let as_utc = local.and_utc();
    let day = chrono::Duration::days(1);
    let before = offset(as_utc - day);
    let after = offset(as_utc + day);
    let reads_as_local =
        |at: DateTime<Utc>| at.naive_utc() + chrono::Duration::seconds(offset(at)) == local;
    let candidates = [before, after].map(|o| as_utc - chrono::Duration::seconds(o));
    if let Some(earliest) = candidates
        .iter()
        .copied()
        .filter(|at| reads_as_local(*at))
        .min()
    {
        return earliest;
    }
    // In a spring-forward gap: the transition instant, found by bisection
    // between the two readings (to the second).
    let mut low = candidates[0].min(candidates[1]).timestamp();
    let mut high = candidates[0].max(candidates[1]).timestamp();
    let at = |seconds: i64| DateTime::from_timestamp(seconds, 0).unwrap_or(as_utc);
    while high - low > 1 {
        let middle = low + (high - low) / 2;
        if offset(at(middle)) == after {
            high = middle;
        } else {
            low = middle;
        }
    }
    at(high)
}

#[cfg(all(feature = "browser-tz", target_arch = "wasm32"))]
mod browser {
    //! Offsets from the browser's `Intl.DateTimeFormat`, one formatter per zone.

    use chrono::{DateTime, NaiveDate, Utc};
    use js_sys::{Array, Date, Intl, Object, Reflect};
    use std::cell::RefCell;
    use std::collections::HashMap;
    use wasm_bindgen::JsValue;

    thread_local! {
        static FORMATS: RefCell<HashMap<&'static str, Intl::DateTimeFormat>> = RefCell::new(HashMap::new());
    }

    fn formatter(zone: &'static str) -> Intl::DateTimeFormat {
        FORMATS.with(|formats| {
            formats
                .borrow_mut()
                .entry(zone)
                .or_insert_with(|| {
                    let options = Object::new();
                    let set = |key: &str, value: &str| {
                        let _ = Reflect::set(
                            &options,
                            &JsValue::from_str(key),
                            &JsValue::from_str(value),
                        );
                    };
                    set("timeZone", zone);
                    set("hourCycle", "h23");
                    for part in ["year", "month", "day", "hour", "minute", "second"] {
                        set(part, "numeric");
                    }
                    let locales = Array::of1(&JsValue::from_str("en-US"));
                    Intl::DateTimeFormat::new(&locales, &options)
                })
                .clone()
        })
    }

    pub fn offset_seconds(zone: &'static str, at: DateTime<Utc>) -> i64 {
        let seconds = at.timestamp();
        let date = Date::new(&JsValue::from_f64(seconds as f64 * 1000.0));
        let parts = formatter(zone).format_to_parts(&date);
        let mut fields = [0i64; 6];
        for part in parts.iter() {
            let kind = Reflect::get(&part, &JsValue::from_str("type"))
                .ok()
                .and_then(|v| v.as_string());
            let value = Reflect::get(&part, &JsValue::from_str("value"))
                .ok()
                .and_then(|v| v.as_string());
            let (Some(kind), Some(value)) = (kind, value) else {
                continue;
            };
            let index = match kind.as_str() {
                "year" => 0,
                "month" => 1,
                "day" => 2,
                "hour" => 3,
                "minute" => 4,
                "second" => 5,
                _ => continue,
            };
            fields[index] = value.parse().unwrap_or(0);
        }
        let local = NaiveDate::from_ymd_opt(fields[0] as i32, fields[1] as u32, fields[2] as u32)
            .and_then(|d| d.and_hms_opt(fields[3] as u32 % 24, fields[4] as u32, fields[5] as u32));
        match local {
            Some(local) => local.and_utc().timestamp() - seconds,
            None => 0,
        }
    }
}

impl Default for TimeZone {
    fn default() -> Self {
        Self::UTC
    }
}

impl fmt::Display for TimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl TryFrom<String> for TimeZone {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value).map_err(|e| e.message)
    }
}

impl From<TimeZone> for String {
    fn from(value: TimeZone) -> Self {
        value.name().to_owned()
    }
}

/// An instant on the wire, written exactly as chrono's own `Serialize`
/// writes it (RFC 3339 in UTC with `Z`, and as many fractional digits as
/// it needs: none, 3, 6 or 9), but formatted once and handed over as one
/// string. chrono's goes through `collect_str`, which serde_json escapes a
/// character at a time: a tenth of the server's time for a page of tasks.
/// Its `to_rfc3339_opts` allocates a `String` per instant (three or four a
/// task, 9% of the server's time for a page), so the usual years are
/// written into a buffer on the stack; chrono writes the rest.
pub mod rfc3339 {
    use chrono::{DateTime, Datelike, SecondsFormat, Timelike, Utc};
    use serde::Serializer;

    /// `2026-12-01T20:04:55.123456789Z`
    const LONGEST: usize = 30;

    pub fn serialize<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
        let mut buffer = [0; LONGEST];
        match write(at, &mut buffer) {
            Some(text) => serializer.serialize_str(text),
            None => serializer.serialize_str(&at.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
        }
    }

    /// `at` as [`serialize`] writes it into JSON: in quotes (its text needs
    /// no escape).
    pub fn write_json(at: &DateTime<Utc>, out: &mut Vec<u8>) {
        let mut buffer = [0; LONGEST];
        out.push(b'"');
        match write(at, &mut buffer) {
            Some(text) => out.extend_from_slice(text.as_bytes()),
            None => {
                out.extend_from_slice(at.to_rfc3339_opts(SecondsFormat::AutoSi, true).as_bytes())
            }
        }
        out.push(b'"');
    }

    /// `at` as `to_rfc3339_opts(SecondsFormat::AutoSi, true)` writes it;
    /// `None` for what chrono spells its own way: years outside 0–9999
    /// (signed) and leap seconds (`:60`).
    fn write<'b>(at: &DateTime<Utc>, buffer: &'b mut [u8; LONGEST]) -> Option<&'b str> {
        // UTC's own fields: each accessor of a `DateTime` first works out
        // its local time (here the same), six times over.
        let at = at.naive_utc();
        let year = u32::try_from(at.year()).ok().filter(|year| *year <= 9999)?;
        let nanos = at.nanosecond();
        if nanos >= 1_000_000_000 {
            return None;
        }
        let mut digits = |at: usize, value: u32, width: usize| {
            let mut value = value;
            for slot in buffer[at..at + width].iter_mut().rev() {
                *slot = b'0' + (value % 10) as u8;
                value /= 10;
            }
        };
        digits(0, year, 4);
        digits(5, at.month(), 2);
        digits(8, at.day(), 2);
        digits(11, at.hour(), 2);
        digits(14, at.minute(), 2);
        digits(17, at.second(), 2);
        let end = match nanos {
            0 => 19,
            _ if nanos.is_multiple_of(1_000_000) => {
                digits(20, nanos / 1_000_000, 3);
                23
            }
            _ if nanos.is_multiple_of(1_000) => {
                digits(20, nanos / 1_000, 6);
                26
            }
            _ => {
                digits(20, nanos, 9);
                29
            }
        };
        for (at, separator) in [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')] {
            buffer[at] = separator;
        }
        buffer[19] = b'.';
        buffer[end] = b'Z';
        std::str::from_utf8(&buffer[..=end]).ok()
    }

    pub fn serialize_option<S: Serializer>(
        at: &Option<DateTime<Utc>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match at {
            Some(at) => serialize(at, serializer),
            None => serializer.serialize_none(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The browser backend's resolution, driven here by chrono-tz's offsets,
    /// agrees with chrono-tz's own around every kind of transition.
    #[test]
    fn resolving_from_offsets_alone_agrees_with_the_database() {
        for name in [
            "Europe/Paris",
            "America/New_York",
            "Australia/Lord_Howe",
            "Asia/Kolkata",
            "UTC",
        ] {
            let zone = TimeZone::parse(name).unwrap();
            let offset = |at: DateTime<Utc>| zone.offset_seconds(at);
            for (month, day) in [(3, 8), (3, 29), (4, 5), (10, 4), (10, 25), (11, 1)] {
                let date = NaiveDate::from_ymd_opt(2026, month, day).unwrap();
                for minutes in (0..24 * 60).step_by(10) {
                    let local = date.and_time(NaiveTime::MIN) + chrono::Duration::minutes(minutes);
                    assert_eq!(
                        resolve_by_offsets(local, offset),
                        zone.resolve(local),
                        "{name} {local}"
                    );
                }
            }
        }
    }

    #[test]
    fn parses_iana_names_and_rejects_others() {
        assert_eq!(
            TimeZone::parse("Europe/Paris").unwrap().name(),
            "Europe/Paris"
        );
        assert_eq!(TimeZone::parse(" UTC ").unwrap(), TimeZone::UTC);
        assert_eq!(
            TimeZone::parse("Mars/Olympus").unwrap_err().code,
            "timezone_invalid"
        );
    }

    #[test]
    fn times_in_a_dst_gap_move_forward() {
        let paris = TimeZone::parse("Europe/Paris").unwrap();
        // 2026-03-29 02:30 does not exist in Paris (clocks jump 02:00 -> 03:00).
        let local = NaiveDate::from_ymd_opt(2026, 3, 29)
            .unwrap()
            .and_hms_opt(2, 30, 0)
            .unwrap();
        assert_eq!(
            paris.resolve(local).to_rfc3339(),
            "2026-03-29T01:00:00+00:00"
        );
    }

    #[test]
    fn ambiguous_times_take_the_earlier_instant() {
        let paris = TimeZone::parse("Europe/Paris").unwrap();
        let local = NaiveDate::from_ymd_opt(2026, 10, 25)
            .unwrap()
            .and_hms_opt(2, 30, 0)
            .unwrap();
        assert_eq!(
            paris.resolve(local).to_rfc3339(),
            "2026-10-25T00:30:00+00:00"
        );
    }

    #[test]
    fn instants_are_written_as_chronos_serde_writes_them() {
        use chrono::Timelike;
        #[derive(serde::Serialize)]
        struct Ours(#[serde(serialize_with = "super::rfc3339::serialize")] DateTime<Utc>);
        #[derive(serde::Serialize)]
        struct Maybe(
            #[serde(serialize_with = "super::rfc3339::serialize_option")] Option<DateTime<Utc>>,
        );
        let base = DateTime::parse_from_rfc3339("2026-12-01T00:14:18Z")
            .unwrap()
            .with_timezone(&Utc);
        // Whole seconds, milli-, micro- and nanoseconds, a leap second,
        // the ends of four-digit years and beyond.
        let mut instants: Vec<DateTime<Utc>> =
            [0, 359_000_000, 359_883_000, 359_883_123, 1_500_000_000]
                .into_iter()
                .map(|nanos| base.with_nanosecond(nanos).unwrap())
                .collect();
        instants.extend([
            DateTime::<Utc>::MIN_UTC,
            DateTime::<Utc>::MAX_UTC,
            DateTime::<Utc>::UNIX_EPOCH,
        ]);
        instants.extend(
            ["0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z"].map(|text| {
                DateTime::parse_from_rfc3339(text)
                    .unwrap()
                    .with_timezone(&Utc)
            }),
        );
        // And a spread from 1900 to 2100 at every precision: the usual
        // years are written digit by digit, not by chrono.
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..10_000 {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let seconds = (seed >> 20) as i64 % (200 * 366 * 86_400) - 70 * 366 * 86_400;
            let nanos = match seed % 4 {
                0 => 0,
                1 => (seed >> 8) as u32 % 1000 * 1_000_000,
                2 => (seed >> 8) as u32 % 1_000_000 * 1000,
                _ => (seed >> 8) as u32 % 1_000_000_000,
            };
            instants.push(DateTime::from_timestamp(seconds, nanos).unwrap());
        }
        for at in instants {
            let chronos = serde_json::to_string(&at).unwrap();
            assert_eq!(serde_json::to_string(&Ours(at)).unwrap(), chronos);
            assert_eq!(serde_json::to_string(&Maybe(Some(at))).unwrap(), chronos);
        }
        assert_eq!(serde_json::to_string(&Maybe(None)).unwrap(), "null");
    }
}
