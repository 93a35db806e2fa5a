//! Neon as Neon behaves: the server behind PgBouncer in transaction mode (what
//! Neon's pooled `-pooler` endpoint is), migrations over a direct URL, the
//! statement timeout without the `options` startup parameter (which such a
//! pooler refuses), and readiness probes that run no SQL on an idle database
//! (so a serverless Postgres can scale to zero).

use crate::support;

use serde_json::{json, Value};
use std::time::{Duration, Instant};
use support::{sse_events, TestApp};
use todo_testkit::PgBouncer;

/// PgBouncer in front of the shared test cluster, a fresh database, and its
/// direct and pooled URLs; `None` (said visibly, failing under CI) without a
/// PgBouncer that keeps prepared statements.
fn pooled_database() -> Option<(PgBouncer, String, String)> {
    let bouncer = match PgBouncer::start(todo_testkit::postgres()) {
        Ok(bouncer) => bouncer,
        Err(error) => {
            todo_testkit::cannot_run(&format!("{error:#}"));
            return None;
        }
    };
    let direct = todo_testkit::fresh_postgres_database();
    let pooled = bouncer.pooled(&direct);
    Some((bouncer, direct, pooled))
}

#[test]
fn the_test_pooler_refuses_the_options_startup_parameter_like_neon() {
    let Some((_bouncer, _direct, pooled)) = pooled_database() else {
        return;
    };
    let with_options = format!("{pooled}?options=-c%20statement_timeout%3D5000");
    let refused = todo_testkit::postgres()
        .psql_on(&with_options, "SELECT 1")
        .unwrap_err();
    assert!(
        format!("{refused:#}").contains("unsupported startup parameter"),
        "{refused:#}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrations_the_api_and_the_chat_work_through_a_transaction_mode_pooler() {
    let Some((_bouncer, direct, pooled)) = pooled_database() else {
        return;
    };
    let app = TestApp::spawn_on_postgres(
        &pooled,
        &[
            "--database-migration-url",
            &direct,
            "--db-statement-timeout",
            "1s",
        ],
    )
    .await;
    let token = app.user("ada").await;

    // Many requests at once spread over the pooler's server connections:
    // each prepares its statements on whichever it gets.
    let mut creates = tokio::task::JoinSet::new();
    for i in 0..40 {
        let (client, base, token) = (app.client.clone(), app.base.clone(), token.clone());
        creates.spawn(async move {
            let response = client
                .post(format!("{base}/api/tasks"))
                .bearer_auth(token)
                .json(&json!({"title": format!("pooled {i}"), "tags": ["neon"]}))
                .send()
                .await
                .unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        });
    }
    while let Some(created) = creates.join_next().await {
        let (status, body) = created.unwrap();
        assert_eq!(status, 201, "{body}");
    }
    let page = app
        .get("/api/tasks?tag=neon&limit=100", &token)
        .await
        .expect(200);
    assert_eq!(page["total"], 40);

    let response = app
        .chat_stream(&token, json!({"message": "add water the plants"}))
        .await;
    assert_eq!(response.status(), 200);
    let events = sse_events(&response.text().await.unwrap());
    let names: Vec<_> = events.iter().map(|(name, _)| name.as_str()).collect();
    assert!(names.contains(&"delta"), "{names:?}");
    assert_eq!(names.last(), Some(&"done"), "{names:?}");
    let found = app.get("/api/tasks?q=plants", &token).await.expect(200);
    assert_eq!(found["items"][0]["title"], "Water the plants");

    // The statement timeout reaches every session the pooler opens: it is
    // the role's default in this database, set over the direct URL.
    let started = Instant::now();
    let cancelled = todo_testkit::postgres()
        .psql_on(&pooled, "SELECT pg_sleep(5)")
        .unwrap_err();
    assert!(
        format!("{cancelled:#}").contains("statement timeout"),
        "{cancelled:#}"
    );
    assert!(started.elapsed() < Duration::from_secs(4));
    assert_eq!(
        todo_testkit::postgres()
            .psql_on(&pooled, "SHOW statement_timeout")
            .unwrap(),
        "1s"
    );
}

#[tokio::test]
async fn todo_migrate_uses_only_the_migration_url() {
    let direct = todo_testkit::fresh_postgres_database();
    let cli = <todo_server::config::Cli as clap::Parser>::try_parse_from([
        "todo",
        "migrate",
        // Nothing listens there: only the direct URL may be used.
        "--database-url",
        "postgres://postgres@127.0.0.1:1/pooled",
        "--database-migration-url",
        &direct,
    ])
    .unwrap();
    let todo_server::config::Command::Migrate(args) = cli.command else {
        unreachable!()
    };
    assert_eq!(
        todo_server::serve::run_migrations(&args).await.unwrap(),
        "postgres"
    );
    let applied = todo_testkit::postgres()
        .psql_on(&direct, "SELECT bool_and(success) FROM _sqlx_migrations")
        .unwrap();
    assert_eq!(applied, "t");
}

/// The server's connections to `database`: (pid, when its last query began, that query).
fn app_backends(database: &str) -> Vec<(String, String, String)> {
    let name = database.rsplit('/').next().unwrap();
    let rows = todo_testkit::postgres()
        .psql(&format!(
            "SELECT pid || '|' || coalesce(query_start::text, '') || '|' || query FROM pg_stat_activity \
             WHERE datname = '{name}' AND application_name = 'todo' ORDER BY pid"
        ))
        .unwrap();
    rows.lines()
        .map(|row| {
            let mut parts = row.splitn(3, '|');
            let mut next = || parts.next().unwrap_or_default().to_owned();
            (next(), next(), next())
        })
        .collect()
}

/// Ends the server's sessions on `database`, as an outage, a pooler's idle
/// timeout or Neon's scale-to-zero does.
fn cut_app_connections(database: &str) {
    let name = database.rsplit('/').next().unwrap();
    todo_testkit::postgres()
        .psql(&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = '{name}' AND application_name = 'todo'"
        ))
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_readiness_probes_run_no_sql() {
    let database = todo_testkit::fresh_postgres_database();
    let app = TestApp::spawn_on_postgres(&database, &[]).await;
    let token = app.user("ada").await;
    app.get("/api/tasks", &token).await.expect(200);
    tokio::time::sleep(Duration::from_millis(300)).await;

    let before = app_backends(&database);
    assert!(!before.is_empty(), "the server holds no connection");
    for _ in 0..20 {
        let ready: Value = app.get("/readyz", "").await.expect(200);
        assert_eq!(ready["status"], "ready");
    }
    let after = app_backends(&database);
    assert_eq!(
        before, after,
        "a readiness probe started a query or a connection"
    );

    // The same measure sees a real check: connections cut right after a
    // request (an outage, a pooler restarting) make the next probe ask the
    // database, which is up, on a new connection.
    // Several requests at once, so that several connections are cut.
    let (a, b, c, d) = tokio::join!(
        app.get("/api/tasks", &token),
        app.get("/api/tasks", &token),
        app.get("/api/tasks", &token),
        app.get("/api/tasks", &token)
    );
    for response in [a, b, c, d] {
        response.expect(200);
    }
    let open = app_backends(&database).len();
    cut_app_connections(&database);
    let ready: Value = app.get("/readyz", "").await.expect(200);
    assert_eq!(ready["status"], "ready");
    let checked = app_backends(&database);
    assert!(
        checked
            .iter()
            .any(|(_, _, query)| query.contains("_sqlx_migrations")),
        "{checked:?}"
    );
    // The probe dropped every dead idle connection, not only the first: a
    // request at once after it gets a live one.
    assert!(open > 1, "only {open} connection was cut");
    app.get("/api/tasks", &token).await.expect(200);
}

fn openssl(dir: &std::path::Path, args: &[&str]) {
    let output = std::process::Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl runs");
    assert!(
        output.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// `todo migrate` on `url` with `SSL_CERT_FILE` (the system's roots, as
/// rustls-native-certs reads them) set to `roots`: its stderr when it fails.
fn migrate_over_tls(url: &str, roots: Option<&std::path::Path>) -> Result<(), String> {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_todo"));
    command
        .arg("migrate")
        .env("DATABASE_URL", url)
        .env_remove("DATABASE_MIGRATION_URL")
        .env("DB_CONNECT_TIMEOUT", "1s")
        .env_remove("SSL_CERT_DIR");
    match roots {
        Some(roots) => command.env("SSL_CERT_FILE", roots),
        None => command.env_remove("SSL_CERT_FILE"),
    };
    let output = command.output().unwrap();
    if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

#[test]
fn sslmode_verify_full_checks_the_certificate_and_name_against_the_system_roots() {
    // A private CA and a certificate for `localhost`, on a cluster of its own.
    let pg = todo_testkit::Postgres::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path();
    openssl(
        path,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=todo test CA",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
        ],
    );
    openssl(
        path,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=localhost",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
        ],
    );
    std::fs::write(path.join("san.ext"), "subjectAltName=DNS:localhost\n").unwrap();
    openssl(
        path,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "san.ext",
            "-out",
            "server.pem",
        ],
    );
    // The server reads its key as its own user, which only it may read.
    let postgres_ids = std::process::Command::new("id")
        .args(["-u", "postgres"])
        .output()
        .ok()
        .filter(|o| o.status.success() && unsafe { libc::geteuid() } == 0)
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .trim()
                .parse::<u32>()
                .ok()
        });
    for file in ["server.key", "server.pem"] {
        let file = path.join(file);
        std::fs::set_permissions(&file, std::os::unix::fs::PermissionsExt::from_mode(0o600))
            .unwrap();
        if let Some(uid) = postgres_ids {
            std::os::unix::fs::chown(&file, Some(uid), None).unwrap();
        }
    }
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    for setting in [
        format!(
            "ALTER SYSTEM SET ssl_cert_file = '{}'",
            path.join("server.pem").display()
        ),
        format!(
            "ALTER SYSTEM SET ssl_key_file = '{}'",
            path.join("server.key").display()
        ),
        "ALTER SYSTEM SET ssl = on".to_owned(),
        "SELECT pg_reload_conf()".to_owned(),
    ] {
        pg.psql(&setting).unwrap();
    }
    let direct = pg.fresh_database().unwrap();
    let port_and_db = direct.rsplit_once("127.0.0.1:").unwrap().1;
    let by_name = format!("postgres://postgres@localhost:{port_and_db}?sslmode=verify-full");
    let by_address = format!("postgres://postgres@127.0.0.1:{port_and_db}?sslmode=verify-full");
    let roots = path.join("ca.pem");

    let started = Instant::now();
    while pg.psql("SHOW ssl").unwrap() != "on" {
        assert!(started.elapsed() < Duration::from_secs(10), "ssl not on");
        std::thread::sleep(Duration::from_millis(50));
    }
    migrate_over_tls(&by_name, Some(&roots)).unwrap();
    let unknown_issuer = migrate_over_tls(&by_name, None).unwrap_err();
    assert!(unknown_issuer.contains("UnknownIssuer"), "{unknown_issuer}");
    let wrong_name = migrate_over_tls(&by_address, Some(&roots)).unwrap_err();
    assert!(wrong_name.contains("not valid for name"), "{wrong_name}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probes_long_after_the_last_request_do_not_reconnect() {
    let database = todo_testkit::fresh_postgres_database();
    // No request at all: as long after the last one as readiness cares about.
    let app = TestApp::spawn_on_postgres(&database, &[]).await;
    assert!(
        !app_backends(&database).is_empty(),
        "the server holds no connection"
    );

    // Neon suspends the idle compute: the pooled connection dies.
    cut_app_connections(&database);
    let started = Instant::now();
    while !app_backends(&database).is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "sessions not ended"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for _ in 0..5 {
        let ready: Value = app.get("/readyz", "").await.expect(200);
        assert_eq!(ready["status"], "ready");
    }
    assert_eq!(
        app_backends(&database),
        [],
        "a readiness probe opened a session, which would wake the database"
    );
}
