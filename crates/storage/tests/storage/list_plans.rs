//! A page of a big user's list walks an index and stops at the page's end,
//! for every documented filter and sort, on SQLite and on Postgres: the
//! database's own plans (EXPLAIN) say so. A user with 10,000 tasks among
//! 100,000 (the bench measures 10,000 among 200,000).

use crate::support;

use chrono::Utc;
use todo_domain::query::TaskQueryParams;
use todo_domain::TimeZone;

const BIG_USER_TASKS: u32 = 10_000;
const OTHER_TASKS: u32 = 90_000;

/// Tasks like the bench's: one in ten mentions the dentist, one in 2,000 a
/// quokka; tags cycle through six names, one in 1,000 is tagged `rare`;
/// a third have no due date, a quarter are completed (the newest ones in
/// the last days, about one every 80 minutes, the others over months).
fn seed_sql(backend: &str, big_user: i64) -> String {
    let total = BIG_USER_TASKS + OTHER_TASKS;
    let (now, minutes_ago, days_ahead, completed_at) = match backend {
        "postgres" => (
            "now()".to_owned(),
            "now() - n * interval '1 minute'".to_owned(),
            "now() + (n % 400) * interval '1 day'".to_owned(),
            "now() - n * 20 * interval '1 minute'".to_owned(),
        ),
        _ => (
            "strftime('%Y-%m-%dT%H:%M:%S.000000Z', 'now')".to_owned(),
            "strftime('%Y-%m-%dT%H:%M:%S.000000Z', 'now', '-' || n || ' minutes')".to_owned(),
            "strftime('%Y-%m-%dT%H:%M:%S.000000Z', 'now', '+' || (n % 400) || ' days')".to_owned(),
            "strftime('%Y-%m-%dT%H:%M:%S.000000Z', 'now', '-' || (n * 20) || ' minutes')"
                .to_owned(),
        ),
    };
    format!(
        "INSERT INTO users (email, name, password_hash, created_at) \
         WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 10) \
         SELECT 'filler' || n || '@example.com', 'Filler', 'x', {now} FROM g;
         INSERT INTO tasks (user_id, title, description, completed, completed_at, priority, tags, due_at, all_day, created_at, updated_at) \
         WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {total}) \
         SELECT CASE WHEN n <= {BIG_USER_TASKS} THEN {big_user} \
                     ELSE (SELECT MIN(id) FROM users WHERE email LIKE 'filler%') + n % 10 END, \
                CASE WHEN n % 10 = 0 THEN 'Call the dentist ' ELSE 'Buy groceries ' END || n, \
                CASE WHEN n % 2000 = 0 THEN 'bring the quokka' WHEN n % 7 = 0 THEN 'call ahead' ELSE '' END, \
                n % 4 = 0, CASE WHEN n % 4 = 0 THEN {completed_at} END, n % 5, \
                CASE WHEN n % 1000 = 1 THEN '[\"rare\"]' \
                     ELSE '[\"' || CASE n % 6 WHEN 0 THEN 'home' WHEN 1 THEN 'work' WHEN 2 THEN 'errands' \
                                     WHEN 3 THEN 'health' WHEN 4 THEN 'finance' ELSE 'family' END || '\"]' END, \
                CASE WHEN n % 3 = 2 THEN NULL ELSE {days_ahead} END, \
                n % 3 = 0, {minutes_ago}, {minutes_ago} \
         FROM g;"
    )
}

async fn seed(url: &str, backend: &str, big_user: i64) {
    let sql = seed_sql(backend, big_user);
    if backend == "postgres" {
        let pool = sqlx::PgPool::connect(url).await.unwrap();
        sqlx::raw_sql(&sql).execute(&pool).await.unwrap();
        // As autovacuum would: statistics, and the visibility map that
        // lets a count read the index alone.
        sqlx::raw_sql("VACUUM ANALYZE tasks")
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    } else {
        let pool = sqlx::SqlitePool::connect(url).await.unwrap();
        sqlx::raw_sql(&sql).execute(&pool).await.unwrap();
        sqlx::raw_sql("ANALYZE").execute(&pool).await.unwrap();
        pool.close().await;
    }
}

/// Each documented filter and sort, as a client sends them.
fn pages() -> Vec<(&'static str, TaskQueryParams)> {
    let query = |f: fn(&mut TaskQueryParams)| {
        let mut params = TaskQueryParams::default();
        f(&mut params);
        params
    };
    vec![
        ("default", query(|_| {})),
        // A page that reaches the count's cap: read alone.
        ("limit=100", query(|p| p.limit = Some("100".into()))),
        (
            "status=pending",
            query(|p| p.status = Some("pending".into())),
        ),
        (
            "status=completed",
            query(|p| p.status = Some("completed".into())),
        ),
        ("sort=due", query(|p| p.sort = Some("due".into()))),
        ("sort=priority", query(|p| p.sort = Some("priority".into()))),
        ("sort=title", query(|p| p.sort = Some("title".into()))),
        (
            "sort=created&order=asc",
            query(|p| {
                p.sort = Some("created".into());
                p.order = Some("asc".into());
            }),
        ),
        (
            "q=dentist (common)",
            query(|p| p.q = Some("dentist".into())),
        ),
        // The web UI's search: pending tasks only.
        (
            "q=dentist&status=pending (common)",
            query(|p| {
                p.q = Some("dentist".into());
                p.status = Some("pending".into());
            }),
        ),
        (
            "q=dentist&limit=100 (common)",
            query(|p| {
                p.q = Some("dentist".into());
                p.limit = Some("100".into());
            }),
        ),
        ("q=quokka (rare)", query(|p| p.q = Some("quokka".into()))),
        (
            "tag=health (common)",
            query(|p| p.tag = Some("health".into())),
        ),
        ("tag=rare", query(|p| p.tag = Some("rare".into()))),
        ("priority=high", query(|p| p.priority = Some("high".into()))),
        ("due=today", query(|p| p.due = Some("today".into()))),
        ("due=week", query(|p| p.due = Some("week".into()))),
        ("due=overdue", query(|p| p.due = Some("overdue".into()))),
        (
            "completed=today",
            query(|p| p.completed = Some("today".into())),
        ),
        (
            "completed=week",
            query(|p| p.completed = Some("week".into())),
        ),
        ("due=none", query(|p| p.due = Some("none".into()))),
        (
            "due_before= (a week ahead)",
            query(|p| p.due_before = Some(days_ahead(7))),
        ),
        (
            "due_after= (300 days ahead)",
            query(|p| p.due_after = Some(days_ahead(300))),
        ),
    ]
}

/// A `due_before` / `due_after` date, `days` from today.
fn days_ahead(days: u64) -> String {
    (Utc::now().date_naive() + chrono::Days::new(days)).to_string()
}

/// Pages with no condition but the owner's (a sort, a limit).
fn owner_only(name: &str) -> bool {
    name == "default" || name.starts_with("sort=") || name.starts_with("limit=")
}

/// Sorts that walk an index in their default direction: no sort step over
/// the user's rows. Filters for few rows (a rare word or tag, a due or
/// completed window) may instead fetch those few by index and sort them.
fn walks_in_order(name: &str) -> bool {
    !(name.contains("rare")
        || name.starts_with("due")
        || name.starts_with("priority=")
        || name.starts_with("completed="))
}

/// Rows a page may read: a common word (one task in ten) fills a page of
/// 50 after some 500; a scan of the user's rows reads 10,000.
const PAGE_READS_AT_MOST: u64 = 2_000;

/// The rows every step of an `EXPLAIN ANALYZE` plan read: those it passed
/// on (`actual rows` times `loops`) and those its filter dropped. 0 on
/// SQLite, whose plans do not say. A bitmap index scan's entries are not
/// rows read: for a rare word or tag the planner may AND the trigram
/// matches with a bitmap of the user's entries in a B-tree, an index-only
/// step (0.3 ms for 10,000 tasks here) that fetches only the matching rows.
fn rows_read(plan: &str) -> u64 {
    let number_after = |line: &str, key: &str| -> Option<u64> {
        let rest = &line[line.find(key)? + key.len()..];
        rest.split(|c: char| !c.is_ascii_digit())
            .next()?
            .parse()
            .ok()
    };
    plan.lines()
        .map(|line| {
            if line.contains("Scan")
                && !line.contains("Bitmap Index Scan")
                && line.contains("actual rows=")
            {
                number_after(line, "actual rows=").unwrap_or(0)
                    * number_after(line, "loops=").unwrap_or(1)
            } else if line.contains("Rows Removed by Filter:") {
                number_after(line, "Rows Removed by Filter: ").unwrap_or(0)
            } else {
                0
            }
        })
        .sum()
}

async fn big_users_pages_walk_an_index(url: &str) {
    let store = support::store(url).await;
    let backend = store.backend();
    let now = Utc::now();
    let big = store
        .insert_user("big@example.com", "Big", "x", TimeZone::UTC, now)
        .await
        .unwrap();
    seed(url, backend, big.id).await;
    let mut failures = Vec::new();
    for (name, params) in pages() {
        let filter = params.validate().unwrap().resolve(now, TimeZone::UTC);
        let (plan, count_plan) = store.explain_list_tasks(big.id, &filter).await.unwrap();
        let (full_scan, sorted) = match backend {
            "postgres" => (
                plan.contains("Seq Scan on tasks"),
                plan.lines().any(|l| {
                    l.trim_start()
                        .trim_start_matches("->  ")
                        .starts_with("Sort")
                }),
            ),
            _ => (
                plan.lines().any(|l| l.trim() == "SCAN tasks"),
                plan.contains("USE TEMP B-TREE FOR ORDER BY"),
            ),
        };
        // Postgres tells how many rows the page read: a page of 50 stops
        // long before the big user's 10,000.
        let read = rows_read(&plan);
        // A window of completion days is found by its own index on both
        // databases (SQLite's plans do not say how many rows they read).
        let off_its_index =
            name.starts_with("completed=") && !plan.contains("tasks_user_completed_at");
        // Postgres reads the page with its count in one statement: the
        // matches up to the cap, along the page's index, then the page cut
        // from them without a second sort. A page that reaches the cap is
        // read alone: the total is the page's. With no condition but the
        // owner's, the count is its own walk, run once, stopped at the cap.
        let counted_with_the_page = match backend {
            "postgres" if filter.page_reaches_cap() => !plan.contains("WindowAgg"),
            "postgres" if owner_only(name) => {
                plan.contains("InitPlan")
                    && plan
                        .lines()
                        .skip_while(|l| !l.contains("Aggregate"))
                        .nth(1)
                        .is_some_and(|l| l.contains("->  Limit"))
            }
            "postgres" => plan
                .lines()
                .skip_while(|l| !l.contains("WindowAgg"))
                .nth(1)
                .is_some_and(|l| l.contains("->  Limit")),
            _ => true,
        };
        // A text search tests the stored lowercase text, not LOWER() of
        // each row walked (Postgres prints the filters it ran).
        let lowercases_rows = name.starts_with("q=") && plan.contains("lower(description)");
        // A common word's walk tests the text the created-order index
        // carries, reading no row but the page's.
        let reads_rows_it_walks = backend == "postgres"
            && name.starts_with("q=")
            && name.contains("common")
            && !plan.contains("Index Only Scan using tasks_user_");
        // A tag is found by `task_tags`' index on (user_id, tag, created_at),
        // not by testing each task's JSON tags.
        let tag_off_its_index = name.starts_with("tag=")
            && (!plan.contains("task_tags_user_tag_created") || plan.contains("tags ~~"));
        if full_scan
            || (sorted && walks_in_order(name))
            || read > PAGE_READS_AT_MOST
            || off_its_index
            || !counted_with_the_page
            || lowercases_rows
            || reads_rows_it_walks
            || tag_off_its_index
        {
            failures.push(format!("{name}, the page ({read} rows read):\n{plan}"));
        }
        // The count stops at its cap, whichever way the planner finds rows,
        // and reads about as much as the page: for a common word or tag it
        // goes on along the page's index (a trigram bitmap of the word
        // built a bitmap of every row in the table holding it).
        let count_read = rows_read(&count_plan);
        let (count_scans, count_off_the_walk) = match backend {
            "postgres" => (
                count_plan.contains("Seq Scan on tasks"),
                count_plan.contains("Bitmap Heap Scan")
                    || count_plan.lines().any(|l| {
                        l.trim_start()
                            .trim_start_matches("->  ")
                            .starts_with("Sort")
                    }),
            ),
            _ => (
                count_plan.lines().any(|l| l.trim() == "SCAN tasks"),
                count_plan.contains("USE TEMP B-TREE FOR ORDER BY"),
            ),
        };
        let bounded = match backend {
            "postgres" => count_plan
                .lines()
                .nth(1)
                .is_some_and(|l| l.contains("->  Limit")),
            _ => true,
        };
        if !bounded
            || count_scans
            || (count_off_the_walk && walks_in_order(name))
            || count_read > PAGE_READS_AT_MOST
        {
            failures.push(format!(
                "{name}, the count ({count_read} rows read):\n{count_plan}"
            ));
        }
        // A text search in created order is tried first along a prefix of
        // the created-order index, with a plan Postgres keeps for any
        // values (the pattern then is a parameter, not a literal): for a
        // common word the prefix fills the count and answers.
        if let Some(kept) = store.explain_kept_text_walk(big.id, &filter).await.unwrap() {
            // The index entries its walk read (a subquery's scan passes
            // the same rows on, counted once).
            let read: u64 = kept
                .lines()
                .filter(|line| line.contains("Index Only Scan using tasks_user_"))
                .map(rows_read)
                .sum();
            if name.contains("common")
                && (kept.contains("'%dentist%'")
                    || read == 0
                    || kept.contains("Seq Scan")
                    || kept.contains("Sort")
                    || read > PAGE_READS_AT_MOST)
            {
                failures.push(format!("{name}, the kept walk ({read} rows read):\n{kept}"));
            }
        }
        // The page itself answers, with the count capped.
        let page = store.list_tasks(big.id, &filter).await.unwrap();
        assert!(
            page.items.len() <= filter.limit as usize && page.total >= page.items.len() as i64,
            "{name}"
        );
        assert!(page.total <= filter.total_cap(), "{name}");
    }
    assert!(
        failures.is_empty(),
        "{backend}: pages that scan the table or sort all of a user's rows:\n\n{}",
        failures.join("\n\n")
    );
    // The total is exact up to the cap, then flagged (tests/totals.rs has
    // the exact rule).
    let count = |params: TaskQueryParams| {
        let filter = params.validate().unwrap().resolve(now, TimeZone::UTC);
        let store = &store;
        async move {
            let page = store.list_tasks(big.id, &filter).await.unwrap();
            (page.total, page.total_capped)
        }
    };
    assert_eq!(count(TaskQueryParams::default()).await, (100, true));
    // Whether the kept walk answers or falls short (and the search is
    // planned for its values), the answer is the same. A store of its own,
    // which has not yet seen the big user's searches fall short: a common
    // word, then a word the prefix holds once, then one it lacks.
    let store = support::store(url).await;
    let search = |q: &str| {
        let filter = TaskQueryParams {
            q: Some(q.into()),
            ..TaskQueryParams::default()
        }
        .validate()
        .unwrap()
        .resolve(now, TimeZone::UTC);
        let store = &store;
        async move {
            let page = store.list_tasks(big.id, &filter).await.unwrap();
            let newest = page.items.first().map(|task| task.title.clone());
            (page.items.len(), page.total, page.total_capped, newest)
        }
    };
    let dentist = Some("Call the dentist 10".to_owned());
    assert_eq!(search("dentist").await, (50, 100, true, dentist));
    let quokka = Some("Call the dentist 2000".to_owned());
    assert_eq!(search("quokka").await, (5, 5, false, quokka));
    assert_eq!(search("platypus").await, (0, 0, false, None));

    let common = TaskQueryParams {
        q: Some("dentist".into()),
        ..TaskQueryParams::default()
    };
    assert_eq!(count(common).await, (100, true));
    let rare = TaskQueryParams {
        q: Some("quokka".into()),
        ..TaskQueryParams::default()
    };
    assert_eq!(count(rare).await, (5, false));
    let rare_tag = TaskQueryParams {
        tag: Some("rare".into()),
        ..TaskQueryParams::default()
    };
    assert_eq!(count(rare_tag).await, (10, false));
}

#[tokio::test]
async fn sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = support::sqlite_url(&dir, "todo.db");
    big_users_pages_walk_an_index(&url).await;
}

#[tokio::test]
async fn postgres() {
    let url = todo_testkit::fresh_postgres_database();
    big_users_pages_walk_an_index(&url).await;
}
