//! The big user (10,000 tasks among 200,000 in the table) and the
//! database's own ceiling: the list statement the server runs, driven by
//! `pgbench` straight at the same Postgres, with as many clients as the
//! server's pool holds.

use crate::http;
use anyhow::{bail, Context, Result};
use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use std::time::Duration;
use todo_domain::query::TaskQueryParams;
use todo_domain::TimeZone;
use todo_testkit::Postgres;

pub const BIG_USER_TASKS: u32 = 10_000;
pub const TABLE_TASKS: u32 = 200_000;
/// Other users sharing the table, each with as many tasks as the big one.
const FILLER_USERS: u32 = TABLE_TASKS / BIG_USER_TASKS - 1;

/// The user's id, from `GET /api/me`.
pub fn user_id(addr: SocketAddr, token: &str) -> Result<i64> {
    let response = http::send(addr, "GET", "/api/me", Some(token), None)?;
    response.json()?["id"]
        .as_i64()
        .with_context(|| format!("no id in /api/me: {}", response.body))
}

/// Fills the table in one statement: the big user's tasks interleaved with
/// the filler users' (one in twenty rows is the big user's), shaped like the
/// bench's seed: titles from the same words (one in ten mentions the
/// dentist), six tags, a third without a due date, a quarter completed;
/// then the tag tables from those tasks.
pub fn seed_postgres(postgres: &Postgres, url: &str, big_user: i64) -> Result<()> {
    // Without the statement timeout the server gives its role: building the
    // trigram indexes for 200,000 rows takes longer.
    let separator = if url.contains('?') { '&' } else { '?' };
    let url = format!("{url}{separator}options=-c%20statement_timeout%3D0");
    let psql = |sql: &str| postgres.psql_on(&url, sql);
    let users_per_row = FILLER_USERS + 1;
    psql(&format!(
        "INSERT INTO users (email, name, password_hash, created_at) \
         SELECT 'filler-' || g || '@example.com', 'Filler', 'not-a-hash', now() \
         FROM generate_series(1, {FILLER_USERS}) g"
    ))?;
    // The tag tables (task_tags, tag_counts) are kept by triggers on every
    // write; a one-statement load of 200,000 tasks through them updates
    // the same counts thousands of times in one transaction (minutes), so
    // the load runs without them and then fills both tables from the
    // tasks, as the migration does.
    psql("ALTER TABLE tasks DISABLE TRIGGER USER")?;
    psql(
        &format!(
            "WITH fillers AS (SELECT array_agg(id ORDER BY id) AS ids FROM users WHERE email LIKE 'filler-%') \
             INSERT INTO tasks (user_id, title, description, completed, priority, tags, due_at, all_day, created_at, updated_at) \
             SELECT CASE WHEN n % {users_per_row} = 0 THEN {big_user} ELSE fillers.ids[n % {users_per_row}] END, \
                    (ARRAY['Buy','Call','Write','Review','Fix','Plan','Email','Clean'])[n % 8 + 1] || ' ' || \
                    (ARRAY['groceries','the dentist','quarterly report','pull request','bike tyre','team offsite', \
                           'landlord','garage','tax return','birthday party'])[(n / {users_per_row}) % 10 + 1] || ' (' || n || ')', \
                    CASE WHEN n % 7 = 0 THEN 'Notes for task ' || n || ': call ahead, bring the receipts.' ELSE '' END, \
                    (n / {users_per_row}) % 4 = 0, n % 5, \
                    '[\"' || (ARRAY['home','work','errands','health','finance','family'])[(n / {users_per_row}) % 6 + 1] || '\"]', \
                    CASE WHEN n % 3 = 2 THEN NULL ELSE now() + (n % 400) * interval '1 day' END, \
                    n % 3 = 0, now() - n * interval '1 second', now() - n * interval '1 second' \
             FROM generate_series(1, {TABLE_TASKS}) n, fillers"
        ),
    )?;
    psql("ALTER TABLE tasks ENABLE TRIGGER USER")?;
    // (A server from before the tag tables has no such function: `--server`
    // may measure one.)
    psql(
        "DO $$ BEGIN IF to_regproc('task_tags_rebuild') IS NOT NULL THEN \
         PERFORM task_tags_rebuild(); END IF; END $$",
    )?;
    // What autovacuum does soon after a load: statistics and the visibility
    // map (of the tasks and the tag tables).
    psql("VACUUM ANALYZE")?;
    let count = psql(&format!(
        "SELECT count(*) FROM tasks WHERE user_id = {big_user}"
    ))?;
    if count.trim() != BIG_USER_TASKS.to_string() {
        bail!("the big user has {count} tasks, expected {BIG_USER_TASKS}");
    }
    Ok(())
}

/// The Postgres statement the server runs for `GET path` (its query string)
/// by `user_id`, with the values written in.
pub fn list_statement(path: &str, user_id: i64) -> Result<String> {
    let query = path.split_once('?').map_or("", |(_, q)| q);
    // Read as the server's `Query<TaskQueryParams>` extractor reads it.
    let params: TaskQueryParams =
        serde_urlencoded::from_str(query).with_context(|| format!("{path}: its query string"))?;
    let query = params
        .validate()
        .map_err(|e| anyhow::anyhow!("{path}: {e:?}"))?;
    let filter = query.resolve(chrono::Utc::now(), TimeZone::UTC);
    Ok(todo_storage::Store::postgres_list_statement(
        user_id, &filter,
    ))
}

/// Transactions per second `pgbench` gets from `sql` with `clients`
/// connections (prepared statements, like sqlx).
pub fn pgbench(url: &str, sql: &str, clients: u32, duration: Duration, dir: &Path) -> Result<f64> {
    let script = dir.join("pgbench-list.sql");
    std::fs::write(&script, format!("{sql};\n"))?;
    let output = Command::new("pgbench")
        .args(["--no-vacuum", "--protocol=prepared"])
        .arg(format!("--client={clients}"))
        .arg("--jobs=2")
        .arg(format!("--time={}", duration.as_secs().max(1)))
        .arg("--file")
        .arg(&script)
        .arg(url)
        .output()
        .context("running pgbench (Debian: the postgresql-client package)")?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        bail!(
            "pgbench failed ({}): {stdout}{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    parse_tps(&stdout).with_context(|| format!("no tps in pgbench's output: {stdout}"))
}

fn parse_tps(output: &str) -> Option<f64> {
    output
        .lines()
        .find(|l| l.starts_with("tps = ") && l.contains("without initial connection time"))
        .and_then(|l| l["tps = ".len()..].split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_pgbench_tps() {
        let output = "number of failed transactions: 0 (0.000%)\nlatency average = 1.1 ms\n\
                      initial connection time = 12.3 ms\ntps = 8812.451234 (without initial connection time)\n";
        assert_eq!(super::parse_tps(output), Some(8812.451234));
        assert_eq!(super::parse_tps("tps = x"), None);
    }

    #[test]
    fn writes_the_list_statement_of_a_path() {
        let sql = super::list_statement("/api/tasks?q=dentist&limit=50", 7).unwrap();
        assert!(sql.contains("user_id = 7"), "{sql}");
        assert!(sql.contains("'%dentist%'"), "{sql}");
        assert!(sql.contains("LIMIT 51"), "{sql}");
        assert!(super::list_statement("/api/tasks?limit=0", 7).is_err());
    }
}
