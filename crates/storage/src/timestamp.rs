//! One timestamp type for both databases: `timestamptz` on Postgres, and on
//! SQLite fixed-width UTC text (`2026-11-21T10:00:00.000000Z`) so that string
//! comparison and sorting agree with time order. sqlx's own SQLite encoding
//! varies the number of fractional digits, which would break that.

use chrono::{DateTime, SecondsFormat, Utc};
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArgumentBuffer, PgTypeInfo, PgValueFormat, PgValueRef};
use sqlx::sqlite::{SqliteArgumentValue, SqliteTypeInfo, SqliteValueRef};
use sqlx::{Decode, Encode, Postgres, Sqlite, Type};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp(pub DateTime<Utc>);

impl Timestamp {
    /// Postgres keeps microseconds; both stores truncate alike so a value
    /// reads back exactly as it was written.
    pub fn new(at: DateTime<Utc>) -> Self {
        let micros = at.timestamp_micros();
        Self(DateTime::from_timestamp_micros(micros).unwrap_or(at))
    }
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(at: DateTime<Utc>) -> Self {
        Self::new(at)
    }
}

impl Type<Sqlite> for Timestamp {
    fn type_info() -> SqliteTypeInfo {
        <String as Type<Sqlite>>::type_info()
    }
    fn compatible(ty: &SqliteTypeInfo) -> bool {
        <String as Type<Sqlite>>::compatible(ty)
    }
}

impl<'q> Encode<'q, Sqlite> for Timestamp {
    fn encode_by_ref(&self, buf: &mut Vec<SqliteArgumentValue<'q>>) -> Result<IsNull, BoxDynError> {
        <String as Encode<'q, Sqlite>>::encode(
            self.0.to_rfc3339_opts(SecondsFormat::Micros, true),
            buf,
        )
    }
}

impl<'r> Decode<'r, Sqlite> for Timestamp {
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        let text = <&str as Decode<'r, Sqlite>>::decode(value)?;
        Ok(Self(
            DateTime::parse_from_rfc3339(text)?.with_timezone(&Utc),
        ))
    }
}

impl Type<Postgres> for Timestamp {
    fn type_info() -> PgTypeInfo {
        <DateTime<Utc> as Type<Postgres>>::type_info()
    }
    fn compatible(ty: &PgTypeInfo) -> bool {
        <DateTime<Utc> as Type<Postgres>>::compatible(ty)
    }
}

impl Encode<'_, Postgres> for Timestamp {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        <DateTime<Utc> as Encode<Postgres>>::encode_by_ref(&self.0, buf)
    }
}

/// 2000-01-01T00:00:00Z, Postgres' epoch, in Unix microseconds.
const POSTGRES_EPOCH_MICROS: i64 = 946_684_800_000_000;

impl<'r> Decode<'r, Postgres> for Timestamp {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        // The binary value is microseconds since Postgres' epoch: read as
        // Unix microseconds it costs a fifth less than sqlx's decoding,
        // which adds a `Duration` to a `NaiveDateTime` and converts the
        // offset twice (three instants per task on every page; callgrind).
        // Anything else (text, `infinity`, out of chrono's range) goes
        // through sqlx's.
        if value.format() == PgValueFormat::Binary {
            let since_epoch = <i64 as Decode<'r, Postgres>>::decode(value.clone())?;
            if let Some(at) = since_epoch
                .checked_add(POSTGRES_EPOCH_MICROS)
                .and_then(DateTime::from_timestamp_micros)
            {
                return Ok(Self(at));
            }
        }
        Ok(Self(<DateTime<Utc> as Decode<'r, Postgres>>::decode(
            value,
        )?))
    }
}
